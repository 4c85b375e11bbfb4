"""Rubric data: reading rubric TOML files and merging rubric sets with configuration."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import ValidationError

from .checker import RubricSet
from .config import ConfigError, Settings
from .models import Criterion, RubricFile, Skill


class RubricError(ValueError):
    """A rubric file that does not match the rubric model."""


def parse_rubric(text: str, source: str) -> Skill:
    """Parse and validate one rubric TOML document (a ``[skill]`` table with criteria)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RubricError(f"{source}: not valid TOML: {exc}") from None
    try:
        return RubricFile.model_validate(data).skill
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise RubricError(f"{source}: {key}: {err['msg']}") from None


@dataclass
class Rubric:
    """The skills in force for a run, after plugins and configuration."""

    version: str
    skills: list[Skill]
    problems: list[str] = field(default_factory=list)

    def criteria(self) -> list[Criterion]:
        """Every criterion, skill by skill."""
        return [c for s in self.skills for c in s.criteria]


def build_rubric(
    rubric_sets: Sequence[RubricSet], settings: Settings, source: str = "configuration"
) -> Rubric:
    """Merge rubric sets (later ones extend earlier skills) and apply config overrides."""
    skills, versions, problems = _merge_rubric_sets(rubric_sets)
    _check_config_keys(skills, settings, source)
    result = [
        _configured_skill(skills[skill_id], settings, source)
        for skill_id in sorted(skills)
        if settings.skills is None or skill_id in settings.skills
    ]
    if settings.skill_weights and result and not any(s.weight > 0 for s in result):
        raise ConfigError(
            f"{source}: 'skill_weights' leave every scored skill at weight 0: at least one"
            " must be positive (the overall score and its gate would be skipped)"
        )
    return Rubric(version="+".join(versions) or "none", skills=result, problems=problems)


def _merge_rubric_sets(
    rubric_sets: Sequence[RubricSet],
) -> tuple[dict[str, Skill], list[str], list[str]]:
    """The skills of every set (built-in first), the set versions, and duplicate problems."""
    ordered = sorted(rubric_sets, key=lambda r: (r.source != "builtin", r.source))
    skills: dict[str, Skill] = {}
    problems: list[str] = []
    versions: list[str] = []
    for rubric in ordered:
        versions.append(
            rubric.version if rubric.source == "builtin" else f"{rubric.source}-{rubric.version}"
        )
        for skill in rubric.skills:
            if skill.id not in skills:
                skills[skill.id] = skill.model_copy(deep=True)
            else:
                _extend_skill(skills[skill.id], skill, rubric.source, problems)
    return skills, versions, problems


def _extend_skill(existing: Skill, skill: Skill, rubric_source: str, problems: list[str]) -> None:
    """Add ``skill``'s new criteria to ``existing``; report the ones already defined."""
    known = {c.id for c in existing.criteria}
    for criterion in skill.criteria:
        if criterion.id in known:
            problems.append(f"rubric {rubric_source}: criterion {criterion.id} already defined")
        else:
            existing.criteria.append(criterion)


def _check_config_keys(skills: dict[str, Skill], settings: Settings, source: str) -> None:
    """Raise :class:`ConfigError` for a skill or criterion the configuration names in vain."""
    all_criteria = {c.id for s in skills.values() for c in s.criteria}
    for name, keys, known in (
        ("skill_weights", settings.skill_weights, skills),
        ("criteria", settings.criteria, all_criteria),
        ("fail_under_skills", settings.fail_under_skills, skills),
    ):
        kind = "criterion" if name == "criteria" else "skill"
        for key in keys:
            if key not in known:
                raise ConfigError(f"{source}: unknown {kind} '{key}' in '{name}'")
    for key in settings.skills or ():
        if key not in skills:
            raise ConfigError(
                f"{source}: unknown skill '{key}' in 'skills' (known: {', '.join(sorted(skills))})"
            )


def _configured_skill(skill: Skill, settings: Settings, source: str) -> Skill:
    """``skill`` with the configured weight and criterion overrides applied."""
    criteria = [_configured_criterion(c, settings, source) for c in skill.criteria]
    weight = settings.skill_weights.get(skill.id, skill.weight)
    overridden = any(
        (o := settings.criteria.get(c.id)) is not None and o.weight is not None
        for c in skill.criteria
    )
    if overridden and criteria and not any(c.weight > 0 for c in criteria):
        raise ConfigError(
            f"{source}: 'criteria' weights leave every criterion of skill '{skill.id}' at 0:"
            " at least one must be positive"
        )
    return skill.model_copy(update={"criteria": criteria, "weight": weight})


def _configured_criterion(criterion: Criterion, settings: Settings, source: str) -> Criterion:
    """``criterion`` with its ``[criteria.<id>]`` override applied and validated."""
    override = settings.criteria.get(criterion.id)
    if override is None:
        return criterion
    update = {k: v for k, v in override.model_dump().items() if v is not None}
    if "anchors" in update:
        update["anchors"] = override.anchors
    try:
        return Criterion.model_validate({**criterion.model_dump(), **update})
    except ValidationError as exc:
        msg = exc.errors()[0]["msg"]
        raise ConfigError(f"{source}: invalid 'criteria.{criterion.id}': {msg}") from None
