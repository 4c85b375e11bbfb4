"""Built-in rubrics: one TOML file per skill, shipped as package data.

This module is itself a plugin (entry point ``rubrics``): it contributes the rubric data
through the same hook a third-party plugin would use, and the declarations of our rules
(:mod:`backend_skills.rules`), which the criteria's findings refer to.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources

from backend_skills.core.checker import RubricSet
from backend_skills.core.hookspecs import hookimpl
from backend_skills.core.models import Skill
from backend_skills.core.rubric import parse_rubric

#: Version of the built-in rubric data; bump it whenever a weight, anchor or criterion
#: changes, so two reports with different rubric versions are not compared blindly.
RUBRIC_VERSION = "2.0"


def load_builtin_skills() -> list[Skill]:
    """Every skill in the package's rubric TOML files, sorted by id."""
    skills = []
    for entry in sorted(resources.files(__name__).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            skills.append(parse_rubric(entry.read_text(encoding="utf-8"), f"rubrics/{entry.name}"))
    return sorted(skills, key=lambda s: s.id)


@hookimpl
def backend_skills_rubrics() -> Sequence[RubricSet]:
    """The five built-in skills."""
    return [RubricSet(source="builtin", version=RUBRIC_VERSION, skills=load_builtin_skills())]


@hookimpl
def backend_skills_rules() -> Sequence[object]:
    """Every rule of ours (:data:`backend_skills.rules.RULES`), imported only when asked."""
    from backend_skills.rules import RULES

    return list(RULES.values())
