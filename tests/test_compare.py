"""`backend-skills compare OLD.json NEW.json`: score deltas, new and fixed findings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend_skills import Report
from backend_skills.core.baseline import Comparison, compare

from .test_cli import run_cli
from .vulnapp import INJECTION, UNSAFE, vulnerable_report, write_vulnerable_app


@pytest.fixture
def reports(tmp_path: Path) -> tuple[Path, Path, Report, Report]:
    """An old report, then a new one where pickle is gone and one SQL injection is added."""
    root = write_vulnerable_app(tmp_path / "app")
    old = vulnerable_report(root)
    main = root / "app" / "main.py"
    text = main.read_text(encoding="utf-8").replace("pickle.loads(blob)", "json.loads(blob)")
    text += '\n\ndef purge(cur, t):\n    cur.execute("DELETE FROM %s" % t)\n'
    main.write_text(text, encoding="utf-8")
    new = vulnerable_report(root)
    old_path, new_path = tmp_path / "old.json", tmp_path / "new.json"
    old_path.write_text(old.to_json(), encoding="utf-8")
    new_path.write_text(new.to_json(), encoding="utf-8")
    return old_path, new_path, old, new


def test_compare_finds_new_and_fixed_findings_and_deltas(
    reports: tuple[Path, Path, Report, Report],
) -> None:
    _, _, old, new = reports
    result = compare(old, new)
    assert [(f.rule, f.path) for f in result.new_findings] == [("FV001", "app/main.py")]
    assert [f.rule for f in result.fixed_findings] == ["FV003"]
    assert result.unchanged_findings == len(new.findings) - 1
    deltas = {d.id: d for d in result.criteria}
    assert deltas[UNSAFE].new is not None
    assert deltas[UNSAFE].old is not None
    assert deltas[UNSAFE].delta == pytest.approx(deltas[UNSAFE].new - deltas[UNSAFE].old, abs=0.1)
    assert deltas[INJECTION].id == INJECTION
    assert result.overall.delta == pytest.approx((new.score or 0) - (old.score or 0), abs=0.1)
    assert result.warnings == []


def test_compare_identical_reports_changes_nothing(
    reports: tuple[Path, Path, Report, Report],
) -> None:
    _, _, old, _ = reports
    result = compare(old, old)
    assert result.new_findings == []
    assert result.fixed_findings == []
    assert all(d.delta == 0 for d in result.skills)
    assert not any(d.changed for d in result.criteria)


def test_compare_warns_about_different_rubrics(
    reports: tuple[Path, Path, Report, Report],
) -> None:
    _, _, old, new = reports
    other = new.model_copy(update={"rubric_version": "2.0", "complete": False})
    warnings = compare(old, other).warnings
    assert any("rubric versions differ" in w for w in warnings)
    assert any("new report is incomplete" in w for w in warnings)


def test_cli_compare_text_markdown_json(reports: tuple[Path, Path, Report, Report]) -> None:
    old_path, new_path, _, new = reports
    text = run_cli("compare", old_path, new_path)
    assert text.returncode == 0, text.stderr
    assert "New findings (1)" in text.stdout
    assert "Fixed findings (1)" in text.stdout
    line = next(f.line for f in new.findings if f.message.endswith('"DELETE FROM %s" % t)'))
    assert f"app/main.py:{line}" in text.stdout

    markdown = run_cli("compare", old_path, new_path, "--format", "markdown")
    assert markdown.returncode == 0, markdown.stderr
    assert "### New findings (1)" in markdown.stdout
    assert "| Web security |" in markdown.stdout

    out = new_path.parent / "cmp" / "delta.json"
    result = run_cli("compare", old_path, new_path, "-f", "json", "-o", out)
    assert result.returncode == 0, result.stderr
    data = Comparison.model_validate(json.loads(out.read_text(encoding="utf-8")))
    assert [f.rule for f in data.new_findings] == ["FV001"]
    assert [f.rule for f in data.fixed_findings] == ["FV003"]


def test_cli_compare_gate_and_errors(
    reports: tuple[Path, Path, Report, Report], tmp_path: Path
) -> None:
    old_path, new_path, _, _ = reports
    gated = run_cli("compare", old_path, new_path, "--fail-on-new", "high")
    assert gated.returncode == 1
    assert "new finding: app/main.py:" in gated.stderr
    # Reversed, the pickle call (medium) is the new finding: under a high gate it passes.
    assert run_cli("compare", new_path, old_path, "--fail-on-new", "high").returncode == 0
    assert run_cli("compare", new_path, old_path, "--fail-on-new", "medium").returncode == 1
    assert run_cli("compare", old_path, new_path, "--fail-on-new", "critical").returncode == 0
    missing = run_cli("compare", old_path, tmp_path / "missing.json")
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines() == [
        f"backend-skills: error: {tmp_path / 'missing.json'}: file not found"
    ]
