"""Shared fixtures: fixture repositories are written by the tests themselves."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from backend_skills.core.models import Skill

TreeFactory = Callable[[Mapping[str, str | bytes]], Path]


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write ``files`` (relative path -> text or bytes) under ``root``; text is dedented."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def make_tree(tmp_path: Path) -> TreeFactory:
    """Build a fixture repository in a fresh folder and return its root."""
    counter = iter(range(1000))

    def factory(files: Mapping[str, str | bytes]) -> Path:
        root = tmp_path / f"repo{next(counter)}"
        root.mkdir()
        return write_tree(root, files)

    return factory


#: Separately installed example plugins (``plugins/``) extend the built-in rubrics; the
#: core's own tests score against the built-in rubrics only. Each plugin has its own tests.
EXTERNAL_PLUGINS = "todos"


@pytest.fixture(autouse=True)
def _only_builtin_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKEND_SKILLS_DISABLE_PLUGINS", EXTERNAL_PLUGINS)


@pytest.fixture(autouse=True, scope="session")
def _session_cache_outside_the_source_tree(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[None]:
    """Result caches go to a temporary folder, never into fixtures scored in place
    (module-scoped fixtures run before function-scoped ones: this one covers them)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BACKEND_SKILLS_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(autouse=True)
def _cache_outside_the_source_tree(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each test gets a fresh result cache folder."""
    monkeypatch.setenv("BACKEND_SKILLS_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


def make_skill(skill_id: str, name: str, *criteria: dict[str, Any]) -> Skill:
    """A small rubric for tests: each criterion needs ``id``, ``name``, ``metric`` and
    ``anchors`` as (value, score) pairs; weight, rationale and remediation are optional,
    and the level descriptors are placeholders."""
    levels = {"novice": "n", "developing": "d", "competent": "c", "proficient": "p", "expert": "e"}
    return Skill.model_validate(
        {
            "id": skill_id,
            "name": name,
            "criteria": [
                {
                    "rationale": "r",
                    "remediation": "m",
                    **c,
                    "anchors": [{"value": v, "score": s} for v, s in c["anchors"]],
                    "levels": levels,
                }
                for c in criteria
            ],
        }
    )
