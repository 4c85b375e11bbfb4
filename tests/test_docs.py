"""The docs tell the same story as the code: generated pages are current, every hook,
CLI option and setting is documented."""

from __future__ import annotations

import importlib.util
import inspect
from pathlib import Path
from types import ModuleType

import pytest

from backend_skills.cli import cli
from backend_skills.core.config import Settings
from backend_skills.core.hookspecs import HookSpecs

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _gen() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_gen", DOCS / "gen.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "name", ["report.schema.json", "hooks-reference.md", "rubrics-reference.md"]
)
def test_generated_pages_are_current(name: str) -> None:
    gen = _gen()
    expected = gen.GENERATED[name]()
    actual = (DOCS / name).read_text(encoding="utf-8")
    assert actual == expected, f"docs/{name} is stale: run `python docs/gen.py`"


def test_every_hook_has_a_docstring_and_is_in_the_reference() -> None:
    reference = (DOCS / "hooks-reference.md").read_text(encoding="utf-8")
    hooks = [
        n
        for n, _ in inspect.getmembers(HookSpecs, inspect.isfunction)
        if n.startswith("backend_skills_")
    ]
    assert hooks
    for name in hooks:
        assert inspect.getdoc(getattr(HookSpecs, name)), f"hook {name} has no docstring"
        assert f"`{name}(" in reference


def test_every_score_option_is_in_the_cli_reference() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    command = cli.commands["score"]
    for param in command.params:
        for opt in getattr(param, "opts", []):
            if opt.startswith("--"):
                assert f"`{opt}" in text or f" {opt}" in text, f"{opt} missing from docs/cli.md"
    for name in cli.commands:
        assert f"backend-skills {name}" in text, f"command {name} missing from docs/cli.md"


def test_every_setting_is_in_the_configuration_reference() -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"| `{name}` |" in text, f"setting {name} missing from docs/configuration.md"
