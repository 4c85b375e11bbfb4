"""The scoring model: interpolation, levels, applicability, weights and points lost."""

from __future__ import annotations

import pytest

from backend_skills.core.models import Anchor, Criterion, Level, LevelDescriptors, Skill
from backend_skills.core.scoring import (
    CriterionInput,
    interpolate,
    level_for,
    metric_for_score,
    score_criterion,
    score_overall,
    score_skill,
)

DESCRIPTORS = LevelDescriptors(
    novice="n", developing="d", competent="c", proficient="p", expert="e"
)
DOWN = [Anchor(value=0, score=100), Anchor(value=2, score=80), Anchor(value=10, score=0)]
UP = [Anchor(value=0, score=0), Anchor(value=0.5, score=60), Anchor(value=1, score=100)]


def _criterion(cid: str, weight: float = 1.0, anchors: list[Anchor] | None = None) -> Criterion:
    return Criterion(
        id=cid,
        name=cid,
        weight=weight,
        metric="m." + cid.split(".")[1],
        anchors=anchors or DOWN,
        levels=DESCRIPTORS,
        rationale="r",
        remediation="fix",
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [(-1, 100), (0, 100), (1, 90), (2, 80), (6, 40), (10, 0), (99, 0)],
)
def test_interpolation_is_piecewise_linear_and_clamped(value: float, expected: float) -> None:
    assert interpolate(DOWN, value) == pytest.approx(expected)


def test_no_cliffs_small_change_small_score_change() -> None:
    assert abs(interpolate(DOWN, 2.01) - interpolate(DOWN, 2.0)) < 0.2


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (0, Level.NOVICE),
        (39.9, Level.NOVICE),
        (40, Level.DEVELOPING),
        (60, Level.COMPETENT),
        (75, Level.PROFICIENT),
        (89.9, Level.PROFICIENT),
        (90, Level.EXPERT),
        (100, Level.EXPERT),
    ],
)
def test_level_bands(score: float, level: Level) -> None:
    assert level_for(score) is level


def test_metric_target_for_next_level() -> None:
    # 6 findings/kloc scores 40; competent (60) needs 4 or fewer.
    assert metric_for_score(DOWN, 60, 6) == pytest.approx(4)
    # On an increasing scale 0.25 scores 30; developing (40) needs 1/3.
    assert metric_for_score(UP, 40, 0.25) == pytest.approx(1 / 3)
    assert metric_for_score(UP, 101, 0.25) is None


def test_criterion_result_shows_the_arithmetic() -> None:
    result = score_criterion(CriterionInput(_criterion("s.a"), {"m.a": 6.0}, finding_count=3))
    assert result.score == 40.0
    assert result.level is Level.DEVELOPING
    assert result.metrics == {"m.a": 6.0}
    assert [(a.value, a.score) for a in result.anchors] == [(0, 100), (2, 80), (10, 0)]
    assert result.next_level is not None
    assert result.next_level.level is Level.COMPETENT
    assert result.next_level.metric_target == pytest.approx(4)
    assert result.descriptor == "d"


def test_not_applicable_drops_out_and_not_assessed_counts_as_zero() -> None:
    skill = Skill(
        id="s", name="S", criteria=[_criterion("s.a"), _criterion("s.b"), _criterion("s.c")]
    )
    good = score_criterion(CriterionInput(skill.criteria[0], {"m.a": 0.0}))
    na = score_criterion(
        CriterionInput(skill.criteria[1], {"m.b": None}, applicable=False, reason="no SQL")
    )
    result = score_skill(skill, [good, na], 1.0)
    assert result.score == 100.0
    assert result.criteria[1].applicable is False
    assert result.criteria[1].reason == "no SQL"

    broken = score_criterion(
        CriterionInput(skill.criteria[2], {"m.c": None}, assessed=False, reason="bandit failed")
    )
    with_broken = score_skill(skill, [good, na, broken], 1.0)
    assert with_broken.assessed is False
    assert with_broken.score == 50.0  # never higher than with the checker working
    assert with_broken.criteria[2].points_lost == 50.0


def test_weights_and_points_lost_add_up() -> None:
    skill = Skill(id="s", name="S", criteria=[_criterion("s.a", 3), _criterion("s.b", 1)])
    a = score_criterion(CriterionInput(skill.criteria[0], {"m.a": 6.0}))  # 40
    b = score_criterion(CriterionInput(skill.criteria[1], {"m.b": 0.0}))  # 100
    result = score_skill(skill, [a, b], 1.0)
    assert result.score == pytest.approx((3 * 40 + 100) / 4)
    assert sum(c.points_lost for c in result.criteria) == pytest.approx(100 - result.score)
    assert result.next_level is not None
    assert result.next_level.criteria == ["s.a"]


def test_skill_without_applicable_criteria_is_not_applicable_and_overall_skips_it() -> None:
    skill = Skill(id="s", name="S", criteria=[_criterion("s.a")])
    na = score_criterion(CriterionInput(skill.criteria[0], {"m.a": None}, applicable=False))
    empty = score_skill(skill, [na], 1.0)
    assert empty.applicable is False
    assert empty.score is None
    other = Skill(id="t", name="T", criteria=[_criterion("t.a")])
    scored = score_skill(
        other, [score_criterion(CriterionInput(other.criteria[0], {"m.a": 6.0}))], 2
    )
    assert score_overall([empty, scored]) == (40.0, Level.DEVELOPING)
    assert score_overall([empty]) == (None, None)
