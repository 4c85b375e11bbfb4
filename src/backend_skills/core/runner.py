"""The runner: discover -> check -> score -> Report.

It ties the pieces together and owns the rules that apply to every checker: a checker
that raises is reported failed while the others finish, findings get the role of their
file and a stable fingerprint, duplicates at one location are merged, and criteria whose
checker failed are marked not assessed.
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .checker import CheckContext, Checker
from .config import ConfigError, Settings
from .discovery import CODE_LANGUAGES, FileSet, RoleOverrides, SourceFile, discover
from .models import (
    CheckerRun,
    CheckResult,
    Criterion,
    CriterionResult,
    Finding,
    Metric,
    Report,
    Role,
    Skip,
    Stats,
    ToolInfo,
)
from .plugins import Plugins, load_plugins
from .rubric import Rubric, build_rubric
from .scoring import (
    DERIVED_METRICS,
    FINDINGS_COUNT,
    FINDINGS_WEIGHTED_PER_KLOC,
    CriterionInput,
    score_criterion,
    score_overall,
    score_skill,
    weighted_findings,
)

#: Roles whose findings never count and whose files are not analysed by default.
EXCLUDED_ROLES = frozenset({Role.VENDORED, Role.GENERATED})


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    detail = text[0] if text else ""
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def _checker_version(checker: Checker) -> str:
    try:
        return str(checker.version)
    except Exception:  # a broken tool install must not stop the report
        return "unknown"


def _needed(checker: Checker, rubric: Rubric) -> bool:
    """Whether any criterion in force reads what ``checker`` produces."""
    metrics = {m for c in rubric.criteria() for m in (c.metric, *c.show)}
    criteria = {c.id for c in rubric.criteria()}
    return bool(set(checker.provides) & metrics or set(checker.feeds) & criteria)


def validate_checker_options(
    checker: Checker, options: Mapping[str, Any], source: str
) -> dict[str, Any]:
    """Validate the checker's config table with its ``options_model``."""
    if checker.options_model is None:
        return dict(options)
    try:
        model = checker.options_model.model_validate(dict(options))
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        where = f"checkers.{checker.name}.{key}" if key else f"checkers.{checker.name}"
        if err["type"] == "extra_forbidden":
            raise ConfigError(f"{source}: unknown key '{where}'") from None
        raise ConfigError(f"{source}: invalid value for '{where}': {err['msg']}") from None
    return model.model_dump()


def execute_checker(checker: Checker, ctx: CheckContext) -> CheckResult:
    """Run one checker. The single place where checkers are executed."""
    return checker.check(ctx)


def _snippet_hash(file: SourceFile | None, line: int | None) -> str:
    if file is None or not line:
        return ""
    lines = file.text.splitlines()
    if line > len(lines):
        return ""
    normalised = " ".join(lines[line - 1].split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:16]


def _finalise_findings(
    findings: list[Finding], fileset: FileSet, criteria: set[str], count_tests: bool
) -> list[Finding]:
    """Roles, fingerprints, merging of duplicates and deterministic order."""
    by_path = {f.path: f for f in fileset.files}
    groups: dict[tuple[str, int, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.criterion not in criteria:
            continue
        file = by_path.get(finding.path)
        role = file.role if file is not None else finding.role
        if role in EXCLUDED_ROLES:
            continue
        counted = finding.counted and (
            count_tests or role is not Role.TEST or not _role_sensitive(finding)
        )
        finding = finding.model_copy(
            update={
                "role": role,
                "counted": counted,
                "snippet_hash": finding.snippet_hash or _snippet_hash(file, finding.line),
            }
        )
        group = groups[(finding.path, finding.line or 0, finding.criterion)]
        for index, other in enumerate(group):
            if other.checker != finding.checker and finding.checker not in other.sources:
                # Same place, same criterion, another tool: one finding naming both sources.
                group[index] = _merge(other, finding)
                break
        else:
            group.append(finding)
    ordered = sorted((f for group in groups.values() for f in group), key=Finding.sort_key)
    occurrences: dict[tuple[str, str, str, str], int] = defaultdict(int)
    result = []
    for finding in ordered:
        ident = (finding.checker, finding.rule, finding.path, finding.snippet_hash)
        occurrences[ident] += 1
        if occurrences[ident] > 1:
            finding = finding.model_copy(
                update={"snippet_hash": f"{finding.snippet_hash}#{occurrences[ident]}"}
            )
        result.append(finding.with_fingerprint())
    return result


def _merge(first: Finding, second: Finding) -> Finding:
    keep, other = (
        (first, second) if first.severity.rank >= second.severity.rank else (second, first)
    )
    sources = sorted({*keep.sources, other.checker, *other.sources} - {keep.checker})
    return keep.model_copy(update={"sources": sources, "counted": first.counted or second.counted})


def _role_sensitive(finding: Finding) -> bool:
    """Findings in tests cost no points by default, except for test-specific criteria."""
    return not finding.criterion.endswith(".tests")


def _code_kloc(fileset: FileSet) -> float:
    lines = sum(
        f.lines for f in fileset.files if f.language in CODE_LANGUAGES and f.role is Role.SOURCE
    )
    return lines / 1000.0


@dataclass
class _CheckerOutcome:
    run: CheckerRun
    result: CheckResult | None


def run_checkers(
    checkers: Sequence[Checker],
    fileset: FileSet,
    settings: Settings,
    rubric: Rubric,
    source: str,
) -> list[_CheckerOutcome]:
    """Run every needed checker; failures are caught and reported per checker."""
    outcomes: list[_CheckerOutcome] = []
    prepared: list[tuple[Checker, CheckContext]] = []
    in_force = frozenset(c.id for c in rubric.criteria())
    for checker in sorted(checkers, key=lambda c: c.name):
        options = validate_checker_options(checker, settings.checkers.get(checker.name, {}), source)
        ctx = CheckContext(
            root=fileset.root,
            fileset=fileset,
            options=options,
            count_test_findings=settings.count_test_findings,
            criteria=in_force,
        )
        prepared.append((checker, ctx))
    unknown = set(settings.checkers) - {c.name for c in checkers}
    if unknown:
        raise ConfigError(f"{source}: unknown checker 'checkers.{sorted(unknown)[0]}'")
    for checker, ctx in prepared:
        version = _checker_version(checker)
        if checker.name in settings.disable_checkers:
            outcomes.append(
                _CheckerOutcome(_skipped_run(checker, version, "disabled by configuration"), None)
            )
            continue
        if not _needed(checker, rubric):
            outcomes.append(
                _CheckerOutcome(
                    _skipped_run(checker, version, "no selected criterion uses it"), None
                )
            )
            continue
        start = time.perf_counter()
        try:
            result = execute_checker(checker, ctx)
        except Exception as exc:  # a crashing checker is reported; the others finish
            outcomes.append(
                _CheckerOutcome(
                    CheckerRun(
                        name=checker.name,
                        version=version,
                        status="failed",
                        duration_s=round(time.perf_counter() - start, 3),
                        files=0,
                        error=_one_line(exc),
                    ),
                    None,
                )
            )
            continue
        outcomes.append(
            _CheckerOutcome(
                CheckerRun(
                    name=checker.name,
                    version=version,
                    status="ok",
                    duration_s=round(time.perf_counter() - start, 3),
                    files=result.files,
                    notes=list(result.notes),
                ),
                result,
            )
        )
    return outcomes


def _skipped_run(checker: Checker, version: str, why: str) -> CheckerRun:
    return CheckerRun(
        name=checker.name, version=version, status="skipped", duration_s=0.0, files=0, error=why
    )


def score_rubric(
    rubric: Rubric,
    checkers: Sequence[Checker],
    outcomes: Sequence[_CheckerOutcome],
    findings: Sequence[Finding],
    kloc: float,
) -> list[Any]:
    """Criterion inputs from checker outcomes, then the skill results."""
    status = {o.run.name: o.run for o in outcomes}
    metrics: dict[str, Metric] = {}
    not_applicable: dict[str, str] = {}
    for outcome in outcomes:
        if outcome.result is None:
            continue
        for metric in outcome.result.metrics:
            metrics.setdefault(metric.name, metric)
        for criterion_id, why in outcome.result.not_applicable.items():
            not_applicable.setdefault(criterion_id, why)
    providers: dict[str, list[Checker]] = defaultdict(list)
    feeders: dict[str, list[Checker]] = defaultdict(list)
    for checker in checkers:
        for name in checker.provides:
            providers[name].append(checker)
        for criterion_id in checker.feeds:
            feeders[criterion_id].append(checker)
    by_criterion: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_criterion[finding.criterion].append(finding)

    skills = []
    for skill in rubric.skills:
        results: list[CriterionResult] = []
        for criterion in skill.criteria:
            own = by_criterion.get(criterion.id, [])
            derived = {
                FINDINGS_WEIGHTED_PER_KLOC: (weighted_findings(own) / kloc) if kloc > 0 else None,
                FINDINGS_COUNT: float(sum(1 for f in own if f.counted)),
            }
            values: dict[str, float | None] = {}
            for name in (criterion.metric, *criterion.show):
                if name in DERIVED_METRICS:
                    values[name] = derived[name]
                else:
                    found = metrics.get(name)
                    values[name] = found.value if found is not None else None
            assessed, reason = _assessment(criterion, providers, feeders, status)
            applicable = True
            if assessed:
                if criterion.id in not_applicable:
                    applicable, reason = False, not_applicable[criterion.id]
                elif criterion.metric in DERIVED_METRICS and kloc == 0:
                    applicable, reason = False, "no source code to measure"
                elif values.get(criterion.metric) is None:
                    found = metrics.get(criterion.metric)
                    applicable = False
                    reason = (found.reason if found is not None else None) or (
                        f"nothing to measure (metric {criterion.metric} not produced)"
                    )
            results.append(
                score_criterion(
                    CriterionInput(
                        criterion=criterion,
                        metrics=values,
                        assessed=assessed,
                        applicable=applicable,
                        reason=reason,
                        finding_count=len(own),
                    )
                )
            )
        skills.append(score_skill(skill, results, skill.weight))
    return skills


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


def run(
    root: Path,
    settings: Settings | None = None,
    *,
    plugins: Plugins | None = None,
    config_source: str = "configuration",
) -> Report:
    """Score the repository at ``root`` and return the :class:`Report`.

    Raises :class:`ConfigError` for invalid configuration and ``FileNotFoundError`` when
    ``root`` is not a folder. Checker failures do not raise: they make the report
    incomplete.
    """
    from backend_skills import __version__

    started = time.perf_counter()
    settings = settings or Settings()
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: not a folder")
    root = root.resolve()
    plugins = plugins or load_plugins(disable=settings.disable_plugins)
    rubric = build_rubric(plugins.rubrics, settings, config_source)
    fileset = discover(
        root,
        exclude=settings.exclude,
        use_gitignore=settings.use_gitignore,
        roles=RoleOverrides(**settings.roles.model_dump()),
        max_file_bytes=settings.max_file_bytes,
    )
    outcomes = run_checkers(plugins.checkers, fileset, settings, rubric, config_source)
    raw_findings: list[Finding] = []
    skipped: list[Skip] = list(fileset.skipped)
    for outcome in outcomes:
        if outcome.result is not None:
            raw_findings.extend(outcome.result.findings)
            skipped.extend(
                s if s.checker else s.model_copy(update={"checker": outcome.run.name})
                for s in outcome.result.skipped
            )
    criteria_ids = {c.id for c in rubric.criteria()}
    findings = _finalise_findings(raw_findings, fileset, criteria_ids, settings.count_test_findings)
    skills = score_rubric(rubric, plugins.checkers, outcomes, findings, _code_kloc(fileset))
    overall, level = score_overall(skills)
    complete = all(o.run.status != "failed" for o in outcomes) and all(
        c.assessed for s in skills for c in s.criteria
    )
    return Report(
        tool=ToolInfo(name="backend-skills", version=__version__),
        rubric_version=rubric.version,
        root=root.as_posix(),
        score=overall,
        level=level,
        complete=complete,
        skills=skills,
        findings=findings,
        checkers=[o.run for o in outcomes],
        skipped=sorted(skipped, key=lambda s: (s.path, s.checker or "", s.reason)),
        stats=Stats(
            files=len(fileset.files),
            lines=fileset.lines_by_language(),
            files_by_role=fileset.files_by_role(),
            duration_s=round(time.perf_counter() - started, 3),
        ),
        plugins=plugins.info,
    )
