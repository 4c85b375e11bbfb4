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
                continue
            existing = skills[skill.id]
            known = {c.id for c in existing.criteria}
            for criterion in skill.criteria:
                if criterion.id in known:
                    problems.append(
                        f"rubric {rubric.source}: criterion {criterion.id} already defined"
                    )
                else:
                    existing.criteria.append(criterion)
    all_criteria = {c.id: c for s in skills.values() for c in s.criteria}
    for key in settings.skill_weights:
        if key not in skills:
            raise ConfigError(f"{source}: unknown skill '{key}' in 'skill_weights'")
    for key in settings.criteria:
        if key not in all_criteria:
            raise ConfigError(f"{source}: unknown criterion '{key}' in 'criteria'")
    for key in settings.fail_under_skills:
        if key not in skills:
            raise ConfigError(f"{source}: unknown skill '{key}' in 'fail_under_skills'")
    for key in settings.skills or ():
        if key not in skills:
            raise ConfigError(
                f"{source}: unknown skill '{key}' in 'skills' (known: {', '.join(sorted(skills))})"
            )
    result: list[Skill] = []
    for skill_id in sorted(skills):
        if settings.skills is not None and skill_id not in settings.skills:
            continue
        skill = skills[skill_id]
        criteria = []
        for criterion in skill.criteria:
            override = settings.criteria.get(criterion.id)
            if override is not None:
                update = {k: v for k, v in override.model_dump().items() if v is not None}
                if "anchors" in update:
                    update["anchors"] = override.anchors
                try:
                    criterion = Criterion.model_validate({**criterion.model_dump(), **update})
                except ValidationError as exc:
                    msg = exc.errors()[0]["msg"]
                    raise ConfigError(
                        f"{source}: invalid 'criteria.{criterion.id}': {msg}"
                    ) from None
            criteria.append(criterion)
        weight = settings.skill_weights.get(skill_id, skill.weight)
        overridden = any(
            (o := settings.criteria.get(c.id)) is not None and o.weight is not None
            for c in skill.criteria
        )
        if overridden and criteria and not any(c.weight > 0 for c in criteria):
            raise ConfigError(
                f"{source}: 'criteria' weights leave every criterion of skill '{skill_id}' at 0:"
                " at least one must be positive"
            )
        result.append(skill.model_copy(update={"criteria": criteria, "weight": weight}))
    if settings.skill_weights and result and not any(s.weight > 0 for s in result):
        raise ConfigError(
            f"{source}: 'skill_weights' leave every scored skill at weight 0: at least one"
            " must be positive (the overall score and its gate would be skipped)"
        )
    return Rubric(version="+".join(versions) or "none", skills=result, problems=problems)
