"""The scoring model: pure functions from metrics to criterion, skill and overall scores.

- A criterion's score is interpolated piecewise-linearly between its anchors (clamped
  at the ends), so a small change in the metric is a small change in the score.
- Levels come from fixed bands (:data:`~backend_skills.core.models.LEVEL_BANDS`).
- A criterion with nothing to measure is *not applicable*: it drops out of the mean.
- A criterion whose checker failed is *not assessed*: it counts as 0 in its skill's mean
  (so a broken checker can never raise a score) and the report is incomplete.
- Weakest link: exploitable findings cap the criteria they harm and their skill
  (:mod:`backend_skills.core.caps`); a criterion's score is ``min(metric score, cap)``.
- A skill's score is the weighted mean of its criteria, capped; the overall score is the
  weighted mean of the applicable, assessed skills. ``points_lost`` is what each
  criterion costs its skill: ``weight_share * (100 - score)``; with the skill cap's own
  ``points_lost`` they add up to ``100 - skill score``.
- A skill whose checkers read none of the repository's source code is not assessed
  (:mod:`backend_skills.core.coverage`): no score, and it is left out of the overall one.

No I/O happens here.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .caps import CapSpec
from .models import (
    LEVEL_BANDS,
    Anchor,
    AnchorUsed,
    Cap,
    Confidence,
    Coverage,
    Criterion,
    CriterionResult,
    Finding,
    Level,
    Metric,
    NextLevel,
    Severity,
    Skill,
    SkillResult,
)

#: How much one finding weighs in ``findings.weighted_per_kloc``, by severity.
SEVERITY_WEIGHT: Mapping[Severity, float] = {
    Severity.CRITICAL: 10.0,
    Severity.HIGH: 5.0,
    Severity.MEDIUM: 2.0,
    Severity.LOW: 1.0,
    Severity.INFO: 0.0,
}

#: Multiplier by confidence in ``findings.weighted_per_kloc``.
CONFIDENCE_WEIGHT: Mapping[Confidence, float] = {
    Confidence.HIGH: 1.0,
    Confidence.MEDIUM: 0.6,
    Confidence.LOW: 0.3,
}

#: Metric names the core derives from a criterion's own counted findings.
FINDINGS_WEIGHTED_PER_KLOC = "findings.weighted_per_kloc"
FINDINGS_COUNT = "findings.count"
DERIVED_METRICS = frozenset({FINDINGS_WEIGHTED_PER_KLOC, FINDINGS_COUNT})


def interpolate(anchors: Sequence[Anchor], value: float) -> float:
    """Score for ``value`` on the piecewise-linear scale through ``anchors``."""
    if value <= anchors[0].value:
        return anchors[0].score
    for low, high in itertools.pairwise(anchors):
        if value <= high.value:
            span = high.value - low.value
            fraction = (value - low.value) / span
            return low.score + fraction * (high.score - low.score)
    return anchors[-1].score


def metric_for_score(anchors: Sequence[Anchor], target: float, current: float) -> float | None:
    """The metric value nearest to ``current`` whose score is at least ``target``.

    None when no value on the scale reaches ``target``.
    """
    best: float | None = None
    for lo, hi in _intervals_reaching(anchors, target):
        candidate = min(max(current, lo), hi)
        if best is None or abs(candidate - current) < abs(best - current):
            best = candidate
    return best


def _intervals_reaching(anchors: Sequence[Anchor], target: float) -> list[tuple[float, float]]:
    """The metric intervals whose score on the scale is at least ``target``."""
    inf = float("inf")
    intervals: list[tuple[float, float]] = []
    if anchors[0].score >= target:
        intervals.append((-inf, anchors[0].value))
    if anchors[-1].score >= target:
        intervals.append((anchors[-1].value, inf))
    for low, high in itertools.pairwise(anchors):
        if low.score >= target and high.score >= target:
            intervals.append((low.value, high.value))
        elif low.score >= target or high.score >= target:
            fraction = (target - low.score) / (high.score - low.score)
            crossing = low.value + fraction * (high.value - low.value)
            intervals.append(
                (low.value, crossing) if low.score >= target else (crossing, high.value)
            )
    return intervals


def level_for(score: float) -> Level:
    """The level band ``score`` falls in."""
    level = LEVEL_BANDS[0][0]
    for candidate, lower in LEVEL_BANDS:
        if score >= lower:
            level = candidate
    return level


def next_band(score: float) -> tuple[Level, float] | None:
    """The next level above ``score`` and the score it starts at (None at the top)."""
    for candidate, lower in LEVEL_BANDS:
        if lower > score:
            return candidate, lower
    return None


def combine_metrics(found: Sequence[Metric]) -> Metric:
    """One metric from the values several checkers produced under the same name.

    Checkers that read different languages produce the same metrics (complexity, test
    ratio, ...); each declares how its values combine (:attr:`Metric.combine`). Values
    that are None (nothing to measure in that checker's languages) drop out; when all
    are None the first one is kept, with its reason.
    """
    values = [m for m in found if m.value is not None]
    if len(values) <= 1:
        return values[0] if values else found[0]
    how = next((m.combine for m in values if m.combine != "first"), "first")
    if how == "first":
        return values[0]
    value, weight = _combined(how, values)
    return values[0].model_copy(
        update={
            "value": round(value, 4),
            "files": sum(m.files for m in values),
            "weight": weight,
            "combine": how,
        }
    )


#: How the values of a metric several checkers produced combine, besides a weighted mean.
_COMBINE: Mapping[str, Callable[[Sequence[float]], float]] = {
    "sum": sum,
    "max": max,
    "min": min,
}


def _combined(how: str, values: Sequence[Metric]) -> tuple[float, float | None]:
    """The values combined ``how`` (``sum``, ``max``, ``min``, else a weighted mean), and
    the total weight (a mean's only)."""
    numbers = [float(m.value or 0.0) for m in values]
    if how in _COMBINE:
        return _COMBINE[how](numbers), None
    return _weighted_mean(numbers, [m.weight or 0.0 for m in values])


def _weighted_mean(numbers: Sequence[float], weights: Sequence[float]) -> tuple[float, float]:
    """The mean of ``numbers`` weighted by ``weights`` (plain when they weigh nothing),
    and the total weight."""
    weight = sum(weights)
    if weight > 0:
        return sum(v * w for v, w in zip(numbers, weights, strict=True)) / weight, weight
    return sum(numbers) / len(numbers), weight


def weighted_findings(findings: Iterable[Finding]) -> float:
    """Sum of severity x confidence weights of the counted findings."""
    return sum(
        SEVERITY_WEIGHT[f.severity] * CONFIDENCE_WEIGHT[f.confidence] for f in findings if f.counted
    )


@dataclass(frozen=True)
class CriterionInput:
    """Everything the engine needs to score one criterion."""

    criterion: Criterion
    metrics: Mapping[str, float | None]
    """Values of the criterion's ``metric`` and ``show`` metrics (None: not measured)."""
    assessed: bool = True
    applicable: bool = True
    reason: str | None = None
    finding_count: int = 0
    cap: CapSpec | None = None
    """The cap exploitable findings among the criterion's own impose (weakest link)."""
    kloc: float | None = None
    """The denominator of its ``findings.*`` densities, shown with the arithmetic."""


def _round(value: float) -> float:
    return round(value + 0.0, 1)


def score_criterion(item: CriterionInput) -> CriterionResult:
    """Score one criterion (``points_lost`` is filled in by :func:`score_skill`)."""
    c = item.criterion
    value = item.metrics.get(c.metric)
    base = _criterion_base(item)
    if not item.assessed:
        return CriterionResult(
            **base,
            score=None,
            level=None,
            applicable=True,
            assessed=False,
            reason=item.reason or "not assessed",
        )
    if not item.applicable or value is None:
        return CriterionResult(
            **base,
            score=None,
            level=None,
            applicable=False,
            assessed=True,
            reason=item.reason or "nothing to measure",
        )
    raw = _round(interpolate(c.anchors, value))
    cap = item.cap.build(raw) if item.cap is not None else None
    score = min(raw, cap.value) if cap is not None else raw
    level = level_for(score)
    return CriterionResult(
        **base,
        score=score,
        level=level,
        applicable=True,
        assessed=True,
        descriptor=c.levels.for_level(level),
        next_level=_criterion_next_level(c, score, value, cap),
        cap=cap,
    )


def _criterion_next_level(
    c: Criterion, score: float, value: float, cap: Cap | None
) -> NextLevel | None:
    """The next level of a scored criterion: the metric value or the cap lift it needs."""
    upcoming = next_band(score)
    if upcoming is None:
        return None
    target = metric_for_score(c.anchors, upcoming[1], value)
    lift = cap is not None and upcoming[1] > cap.value
    if target is None and not lift:
        return None
    return NextLevel(
        level=upcoming[0],
        score_needed=upcoming[1],
        metric_target=None if target is None else round(target, 4),
        lift_cap=lift,
    )


def _criterion_base(item: CriterionInput) -> dict[str, Any]:
    """The fields of a criterion's result that do not depend on its score."""
    c = item.criterion
    return {
        "id": c.id,
        "name": c.name,
        "weight": c.weight,
        "metric": c.metric,
        "metrics": {k: (None if v is None else round(v, 4)) for k, v in item.metrics.items()},
        "anchors": [AnchorUsed(value=a.value, score=a.score) for a in c.anchors],
        "points_lost": 0.0,
        "finding_count": item.finding_count,
        "rationale": c.rationale,
        "remediation": c.remediation,
        "threshold": c.threshold,
        "kloc": None if item.kloc is None else round(item.kloc, 3),
    }


def _unread_criterion(c: CriterionResult, why: str) -> CriterionResult:
    return c.model_copy(
        update={
            "score": None,
            "level": None,
            "assessed": False,
            "points_lost": 0.0,
            "descriptor": None,
            "next_level": None,
            "cap": None,
            "reason": f"not assessed: {why}",
        }
    )


def score_skill(
    skill: Skill,
    criteria: Sequence[CriterionResult],
    weight: float,
    *,
    cap: CapSpec | None = None,
    coverage: Coverage | None = None,
    unread: str | None = None,
) -> SkillResult:
    """Weighted mean of the applicable criteria, capped; not-assessed criteria count as 0.

    ``unread`` (why none of the code the skill judges was read) makes the skill not
    assessed: no score, whatever its criteria would say.
    """
    if unread is not None:
        return _unread_skill(skill, criteria, weight, coverage, unread)
    counted = [c for c in criteria if c.applicable and c.weight > 0]
    total_weight = sum(c.weight for c in counted)
    assessed = all(c.assessed for c in criteria)
    if total_weight == 0:
        return _inapplicable_skill(skill, criteria, weight, coverage, assessed)
    scored, total = _with_points_lost(criteria, counted, total_weight)
    mean = _round(total / total_weight)
    built = cap.build(mean) if cap is not None else None
    score = min(mean, built.value) if built is not None else mean
    next_level = _skill_next_level(score, built, scored)
    return SkillResult(
        id=skill.id,
        name=skill.name,
        score=score,
        level=level_for(score),
        applicable=True,
        assessed=assessed,
        weight=weight,
        criteria=scored,
        next_level=next_level,
        cap=built,
        coverage=coverage,
    )


def _unread_skill(
    skill: Skill,
    criteria: Sequence[CriterionResult],
    weight: float,
    coverage: Coverage | None,
    unread: str,
) -> SkillResult:
    """A skill not assessed because none of the code it judges was read."""
    return SkillResult(
        id=skill.id,
        name=skill.name,
        score=None,
        level=None,
        applicable=True,
        assessed=False,
        weight=weight,
        criteria=[_unread_criterion(c, unread) for c in criteria],
        reason=f"not assessed: {unread}",
        coverage=coverage,
    )


def _inapplicable_skill(
    skill: Skill,
    criteria: Sequence[CriterionResult],
    weight: float,
    coverage: Coverage | None,
    assessed: bool,
) -> SkillResult:
    """A skill none of whose criteria applies (or weighs anything)."""
    reasons = sorted({c.reason for c in criteria if c.reason})
    return SkillResult(
        id=skill.id,
        name=skill.name,
        score=None,
        level=None,
        applicable=False,
        assessed=assessed,
        weight=weight,
        criteria=list(criteria),
        reason="no applicable criterion" + (f" ({'; '.join(reasons)})" if reasons else ""),
        coverage=coverage,
    )


def _with_points_lost(
    criteria: Sequence[CriterionResult], counted: Sequence[CriterionResult], total_weight: float
) -> tuple[list[CriterionResult], float]:
    """The criteria with the points each counted one costs the skill, and the weighted
    sum of their scores (a criterion not assessed scores 0)."""
    scored: list[CriterionResult] = []
    total = 0.0
    for c in criteria:
        if c in counted:
            value = c.score if c.score is not None else 0.0
            total += c.weight * value
            lost = c.weight / total_weight * (100.0 - value)
            scored.append(c.model_copy(update={"points_lost": round(lost, 2)}))
        else:
            scored.append(c)
    return scored, total


def _skill_next_level(
    score: float, built: Cap | None, scored: Sequence[CriterionResult]
) -> NextLevel | None:
    """The next level of a skill and the (at most three) criteria that gain the most."""
    upcoming = next_band(score)
    if upcoming is None:
        return None
    lift = built is not None and upcoming[1] > built.value
    gainers = sorted(
        (c for c in scored if c.points_lost > 0),
        key=lambda c: (not (lift and c.cap is not None), -c.points_lost, c.id),
    )
    return NextLevel(
        level=upcoming[0],
        score_needed=upcoming[1],
        criteria=[c.id for c in gainers[:3]],
        lift_cap=lift,
    )


def score_overall(skills: Sequence[SkillResult]) -> tuple[float | None, Level | None]:
    """Weighted mean of the applicable, assessed skills (None when there is none)."""
    counted = [s for s in skills if s.applicable and s.score is not None and s.weight > 0]
    total_weight = sum(s.weight for s in counted)
    if total_weight == 0:
        return None, None
    score = _round(sum(s.weight * (s.score or 0.0) for s in counted) / total_weight)
    return score, level_for(score)
