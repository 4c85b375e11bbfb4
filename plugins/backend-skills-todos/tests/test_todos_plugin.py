"""The example plugin exercised from outside the core package, as installed."""

from __future__ import annotations

import textwrap
from pathlib import Path

from backend_skills import score
from backend_skills.core.plugins import load_plugins


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def test_plugin_is_discovered_through_its_entry_point() -> None:
    plugins = load_plugins()
    assert any(info.name == "todos" and info.status == "loaded" for info in plugins.info)
    assert "todos" in {c.name for c in plugins.checkers}


def test_markers_are_reported_at_their_lines_and_cost_points(tmp_path: Path) -> None:
    clean = _tree(tmp_path / "clean", {"app.py": "def f() -> int:\n    return 1\n"})
    messy = _tree(
        tmp_path / "messy",
        {
            "app.py": "def f() -> int:\n    # FIXME: wrong for negatives\n    return 1  # HACK\n",
            "tests/test_app.py": "# FIXME in a test is not scored\n",
            "notes.py": "TEXT = 'TODO inside a string is not a comment'\n",
        },
    )
    good = score(clean, skills=["server_side"], isolated=True).criterion("server_side.todo_markers")
    report = score(messy, skills=["server_side"], isolated=True)
    bad = report.criterion("server_side.todo_markers")
    found = [(f.path, f.line, f.rule) for f in report.findings if f.checker == "todos"]
    assert found == [("app.py", 2, "TODO-FIXME"), ("app.py", 3, "TODO-HACK")]
    assert good.score == 100.0
    assert bad.score is not None
    assert bad.score < good.score
