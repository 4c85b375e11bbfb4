"""Baselines: new findings by fingerprint, the --fail-on-new gate and per-skill thresholds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend_skills import Report, Severity
from backend_skills.core.baseline import BaselineError, load_report, new_findings, parse_report

from .test_cli import run_cli
from .vulnapp import INJECTION, UNSAFE, plugin_env, vulnerable_report, write_vulnerable_app

NEW_LINE = '\n\ndef purge(cur, table):\n    cur.execute("DELETE FROM %s" % table)\n'


def _add_line(root: Path) -> int:
    """Append a vulnerable function to app/main.py; return the flagged line number."""
    main = root / "app" / "main.py"
    text = main.read_text(encoding="utf-8") + NEW_LINE
    main.write_text(text, encoding="utf-8")
    return len(text.splitlines())


def _move_lines(root: Path) -> None:
    """Insert unrelated lines at the top of app/main.py (every finding moves down)."""
    main = root / "app" / "main.py"
    main.write_text('"""Docs."""\nimport os\n\n\n' + main.read_text(encoding="utf-8"))


@pytest.fixture
def app(tmp_path: Path) -> Path:
    return write_vulnerable_app(tmp_path / "app")


# --------------------------------------------------------------------------- core


def test_own_report_as_baseline_has_nothing_new(app: Path) -> None:
    report = vulnerable_report(app)
    assert report.findings
    assert new_findings(report, report, Severity.INFO).findings == []


def test_a_new_vulnerable_line_is_new_and_moved_lines_are_not(app: Path) -> None:
    baseline = vulnerable_report(app)
    _move_lines(app)
    moved = vulnerable_report(app)
    assert [f.line for f in moved.findings] != [f.line for f in baseline.findings]
    assert new_findings(baseline, moved, Severity.INFO).findings == []
    line = _add_line(app)
    fresh = new_findings(baseline, vulnerable_report(app), Severity.LOW).findings
    assert [(f.path, f.line, f.rule) for f in fresh] == [("app/main.py", line, "FV001")]


def test_severity_threshold_and_uncounted_findings(app: Path) -> None:
    baseline = vulnerable_report(app)
    _add_line(app)  # high
    (app / "tests" / "test_more.py").write_text("x.execute(f'{y}')\n")  # counted: false
    main = app / "app" / "main.py"
    main.write_text(main.read_text(encoding="utf-8") + "\nAPI_SECRET = 'abc'\n")  # low
    report = vulnerable_report(app)
    assert [f.rule for f in new_findings(baseline, report, Severity.CRITICAL).findings] == []
    assert [f.rule for f in new_findings(baseline, report, Severity.HIGH).findings] == ["FV001"]
    assert [f.rule for f in new_findings(baseline, report, Severity.LOW).findings] == [
        "FV001",
        "FV004",
    ]
    everything = new_findings(baseline, report, Severity.INFO, counted_only=False).findings
    assert {f.path for f in everything} == {"app/main.py", "tests/test_more.py"}


def test_criteria_the_baseline_did_not_assess_are_not_compared(app: Path) -> None:
    report = vulnerable_report(app)
    skill = report.skills[0]
    unassessed = [
        c.model_copy(update={"assessed": False}) if c.id == UNSAFE else c for c in skill.criteria
    ]
    baseline = report.model_copy(
        update={
            "findings": [f for f in report.findings if f.criterion == INJECTION],
            "skills": [skill.model_copy(update={"criteria": unassessed})],
        }
    )
    result = new_findings(baseline, report, Severity.INFO)
    assert result.findings == []
    assert result.not_compared == {UNSAFE: 3}


def test_paths_limit_the_comparison(app: Path) -> None:
    baseline = vulnerable_report(app).model_copy(update={"findings": []})
    report = vulnerable_report(app)
    only = new_findings(baseline, report, Severity.INFO, paths={"app/main.py"}).findings
    assert only
    assert {f.path for f in only} == {"app/main.py"}


def test_load_report_errors_are_one_line(tmp_path: Path, app: Path) -> None:
    cases = {
        "missing.json": None,
        "broken.json": '{"schema_version": 1,',
        "other.json": '{"hello": "world"}',
        "list.json": "[1, 2]",
    }
    for name, text in cases.items():
        path = tmp_path / name
        if text is not None:
            path.write_text(text, encoding="utf-8")
        with pytest.raises(BaselineError) as info:
            load_report(path)
        message = str(info.value)
        assert str(path) in message
        assert "\n" not in message
    with pytest.raises(BaselineError, match="is a folder"):
        load_report(tmp_path)
    data = json.loads(vulnerable_report(app).to_json())
    data["schema_version"] = 2
    with pytest.raises(BaselineError, match="schema_version 2 is not supported"):
        parse_report(json.dumps(data), "future.json")


def test_a_written_report_loads_back_identically(app: Path, tmp_path: Path) -> None:
    report = vulnerable_report(app)
    path = tmp_path / "r.json"
    path.write_text(report.to_json(), encoding="utf-8")
    loaded = load_report(path)
    assert isinstance(loaded, Report)
    assert [f.fingerprint for f in loaded.findings] == [f.fingerprint for f in report.findings]


# --------------------------------------------------------------------------- CLI


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return plugin_env(tmp_path / "site")


def _score(app: Path, env: dict[str, str], *args: str | Path) -> tuple[int, str]:
    result = run_cli("score", app, "--isolated", "--skill", "security", "-q", *args, env=env)
    return result.returncode, result.stderr


def test_cli_fail_on_new_against_own_report(app: Path, tmp_path: Path, env: dict[str, str]) -> None:
    baseline = tmp_path / "baseline.json"
    code, err = _score(app, env, "-f", "json", "-o", baseline)
    assert code == 0, err
    code, err = _score(app, env, "--baseline", baseline, "--fail-on-new", "low")
    assert code == 0, err

    _move_lines(app)
    code, err = _score(app, env, "--baseline", baseline, "--fail-on-new", "low")
    assert code == 0, err

    line = _add_line(app)
    code, err = _score(app, env, "--baseline", baseline, "--fail-on-new", "low")
    assert code == 1
    new_lines = [x for x in err.splitlines() if "new finding:" in x]
    assert len(new_lines) == 1
    assert f"app/main.py:{line}: HIGH FV001" in new_lines[0]
    assert "gate failed: 1 new finding at or above low" in err

    code, err = _score(app, env, "--baseline", baseline, "--fail-on-new", "critical")
    assert code == 0, err


def test_cli_baseline_errors_exit_2_with_one_line(
    app: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    missing = tmp_path / "nope.json"
    code, err = _score(app, env, "--baseline", missing, "--fail-on-new", "low")
    assert code == 2
    assert err.strip().splitlines() == [
        f"backend-skills: error: --baseline: {missing}: file not found"
    ]
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    code, err = _score(app, env, "--baseline", broken, "--fail-on-new", "low")
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "not valid JSON" in err
    code, err = _score(app, env, "--fail-on-new", "low")
    assert code == 2
    assert "--fail-on-new needs --baseline" in err


def test_cli_baseline_without_gate_reports_counts(
    app: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    baseline = tmp_path / "baseline.json"
    _score(app, env, "-f", "json", "-o", baseline)
    _add_line(app)
    result = run_cli(
        "score", app, "--isolated", "--skill", "security", "-f", "json", "-o",
        tmp_path / "new.json", "--baseline", baseline, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "against the baseline: 1 new counted finding(s), 0 fixed" in result.stderr


def test_cli_per_skill_thresholds_from_options_and_config(
    app: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    code, err = _score(app, env, "--fail-under", "security=1")
    assert code == 1
    assert "security score 0.0 is under 1" in err
    code, err = _score(app, env, "--fail-under", "security=0")
    assert code == 0, err
    config = tmp_path / "bs.toml"
    config.write_text("[fail_under_skills]\nsecurity = 50\n", encoding="utf-8")
    result = run_cli("score", app, "--config", config, "--skill", "security", "-q", env=env)
    assert result.returncode == 1
    assert "security score 0.0 is under 50" in result.stderr
    # The command line beats the configuration.
    result = run_cli(
        "score", app, "--config", config, "--skill", "security", "-q",
        "--fail-under", "security=0", env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
