"""Scoring a rubric from the outcome of a run's checkers.

Part of the runner (:mod:`backend_skills.core.runner`): the metrics, findings and
statuses of the checkers become criterion inputs, then criterion and skill results.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .caps import cap_spec
from .checker import Checker
from .coverage import coverage, criterion_kloc, skill_languages, unread_reason
from .models import CheckerRun, CheckResult, Criterion, CriterionResult, Finding, Metric, Skill
from .rubric import Rubric
from .scoring import (
    DERIVED_METRICS,
    FINDINGS_COUNT,
    FINDINGS_WEIGHTED_PER_KLOC,
    CriterionInput,
    combine_metrics,
    score_criterion,
    score_skill,
    weighted_findings,
)


@dataclass
class CheckerOutcome:
    """What one checker did in a run: its status line and its result (None when failed
    or skipped)."""

    run: CheckerRun
    result: CheckResult | None


@dataclass
class _Evidence:
    """What the checkers of a run produced, indexed for scoring criteria."""

    status: dict[str, CheckerRun] = field(default_factory=dict)
    metrics: dict[str, Metric] = field(default_factory=dict)
    not_applicable: dict[str, str] = field(default_factory=dict)
    providers: dict[str, list[Checker]] = field(default_factory=lambda: defaultdict(list))
    feeders: dict[str, list[Checker]] = field(default_factory=lambda: defaultdict(list))
    by_criterion: dict[str, list[Finding]] = field(default_factory=lambda: defaultdict(list))
    declared_by: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    """The checkers that declared each criterion not applicable."""
    valued_by: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    """The checkers that gave each metric a value."""


def _gather(
    checkers: Sequence[Checker],
    outcomes: Sequence[CheckerOutcome],
    findings: Sequence[Finding],
) -> _Evidence:
    """Index the checkers' statuses, metrics, verdicts and findings."""
    evidence = _Evidence(status={o.run.name: o.run for o in outcomes})
    _take_results(evidence, outcomes)
    for checker in checkers:
        for name in checker.provides:
            evidence.providers[name].append(checker)
        for criterion_id in checker.feeds:
            evidence.feeders[criterion_id].append(checker)
    for finding in findings:
        for criterion_id in finding.criteria:  # a finding costs every criterion it harms
            evidence.by_criterion[criterion_id].append(finding)
    return evidence


def _take_results(evidence: _Evidence, outcomes: Sequence[CheckerOutcome]) -> None:
    """The metrics (each combined over the checkers that produced it) and the
    not-applicable verdicts of the checkers' results, with who gave them."""
    produced: dict[str, list[Metric]] = defaultdict(list)
    for outcome in outcomes:
        if outcome.result is None:
            continue
        for metric in outcome.result.metrics:
            produced[metric.name].append(metric)
            if metric.value is not None:
                evidence.valued_by[metric.name].append(outcome.run.name)
        for criterion_id, why in outcome.result.not_applicable.items():
            evidence.not_applicable.setdefault(criterion_id, why)
            evidence.declared_by[criterion_id].append(outcome.run.name)
    evidence.metrics = {name: combine_metrics(found) for name, found in produced.items()}


def score_rubric(
    rubric: Rubric,
    checkers: Sequence[Checker],
    outcomes: Sequence[CheckerOutcome],
    findings: Sequence[Finding],
    lines: Mapping[str, int],
    code: Mapping[str, int] | None = None,
) -> list[Any]:
    """Criterion inputs from checker outcomes, then the skill results.

    ``lines``: source lines per code language (densities divide by the lines of the
    languages each criterion's checkers read); ``code``: source and migration lines per
    language, which coverage compares with what the skill's checkers read.
    """
    evidence = _gather(checkers, outcomes, findings)
    skills = []
    for skill in rubric.skills:
        results = [_score_criterion(c, evidence, lines, checkers) for c in skill.criteria]
        skills.append(_score_skill(skill, results, checkers, evidence, lines, code))
    return skills


def _score_skill(
    skill: Skill,
    results: list[CriterionResult],
    checkers: Sequence[Checker],
    evidence: _Evidence,
    lines: Mapping[str, int],
    code: Mapping[str, int] | None,
) -> Any:
    """The skill's result from its criteria's, with its cap and its coverage."""
    languages, reads_source = skill_languages(skill, checkers, evidence.status)
    cov = coverage(languages, reads_source, lines if code is None else code)
    skill_findings = [f for c in skill.criteria for f in evidence.by_criterion.get(c.id, [])]
    return score_skill(
        skill,
        results,
        skill.weight,
        cap=cap_spec(skill_findings),
        coverage=cov,
        unread=unread_reason(cov),
    )


def _score_criterion(
    criterion: Criterion,
    evidence: _Evidence,
    lines: Mapping[str, int],
    checkers: Sequence[Checker],
) -> CriterionResult:
    """One criterion's result from the metrics and findings of the checkers."""
    own = evidence.by_criterion.get(criterion.id, [])
    kloc = criterion_kloc(evidence.feeders.get(criterion.id, ()), lines)
    derived = {
        FINDINGS_WEIGHTED_PER_KLOC: (weighted_findings(own) / kloc) if kloc > 0 else None,
        FINDINGS_COUNT: float(sum(1 for f in own if f.counted)),
    }
    values: dict[str, float | None] = {}
    for name in (criterion.metric, *criterion.show):
        if name in DERIVED_METRICS:
            values[name] = derived[name]
        else:
            found = evidence.metrics.get(name)
            values[name] = found.value if found is not None else None
    assessed, reason = _assessment(criterion, evidence.providers, evidence.feeders, evidence.status)
    applicable = True
    if assessed:
        applicable, reason = _applicability(criterion, evidence, values, kloc, own, checkers)
    return score_criterion(
        CriterionInput(
            criterion=criterion,
            metrics=values,
            assessed=assessed,
            applicable=applicable,
            reason=reason,
            finding_count=len(own),
            cap=cap_spec(own),
            kloc=kloc if criterion.metric in DERIVED_METRICS else None,
        )
    )


def _applicability(
    criterion: Criterion,
    evidence: _Evidence,
    values: Mapping[str, float | None],
    kloc: float,
    own: Sequence[Finding],
    checkers: Sequence[Checker],
) -> tuple[bool, str | None]:
    """Whether an assessed criterion applies to the repository, and why not."""
    if criterion.id in evidence.not_applicable and not _measured_elsewhere(
        own, evidence.valued_by[criterion.metric], evidence.declared_by[criterion.id], checkers
    ):
        return False, evidence.not_applicable[criterion.id]
    if criterion.metric in DERIVED_METRICS and kloc == 0:
        return False, "no source code to measure"
    if values.get(criterion.metric) is None:
        found = evidence.metrics.get(criterion.metric)
        return False, (found.reason if found is not None else None) or (
            f"nothing to measure (metric {criterion.metric} not produced)"
        )
    return True, None


def _languages_of(checker: Checker | None) -> frozenset[str]:
    return frozenset(getattr(checker, "languages", frozenset())) if checker else frozenset()


def _measured_elsewhere(
    own: Sequence[Finding],
    valued_by: Sequence[str],
    declarers: Sequence[str],
    checkers: Sequence[Checker],
) -> bool:
    """A counted finding, or a value of the criterion's metric, from a checker reading
    other languages than the checkers that found nothing to measure (a Python analysis
    saying "no database access" does not silence a SQL injection found in Java)."""
    by_name = {c.name: c for c in checkers}
    declared = [_languages_of(by_name.get(name)) for name in declarers]
    if not declared or any(not langs for langs in declared):
        return False
    said = frozenset().union(*declared)
    others = [f.checker for f in own if f.counted] + list(valued_by)
    return any(_reads_other_languages(by_name.get(name), said) for name in others)


def _reads_other_languages(checker: Checker | None, said: frozenset[str]) -> bool:
    """Whether ``checker`` reads languages, none of them among ``said``."""
    langs = _languages_of(checker)
    return bool(langs) and not langs & said


def _assessment(
    criterion: Criterion,
    providers: Mapping[str, Sequence[Checker]],
    feeders: Mapping[str, Sequence[Checker]],
    status: Mapping[str, CheckerRun],
) -> tuple[bool, str | None]:
    if criterion.metric in DERIVED_METRICS:
        needed = list(feeders.get(criterion.id, ()))
        if not needed:
            return False, f"no loaded checker reports findings for {criterion.id}"
    else:
        needed = list(providers.get(criterion.metric, ()))
        if not needed:
            return False, f"no loaded checker provides metric {criterion.metric}"
    for checker in needed:
        run = status.get(checker.name)
        if run is None or run.status != "ok":
            why = run.error if run is not None and run.error else "did not run"
            return False, f"checker {checker.name} {run.status if run else 'missing'}: {why}"
    return True, None
