"""The composite GitHub Action (action.yml): its shape, and its scripts run as the runner would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from .vulnapp import plugin_env, write_vulnerable_app

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    return data


def step(action: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in action["runs"]["steps"] if s.get("name") == name)


def test_action_is_composite_with_the_documented_inputs(action: dict[str, Any]) -> None:
    assert action["runs"]["using"] == "composite"
    for name in ("path", "args", "formats", "fail-under", "upload-sarif", "baseline"):
        assert name in action["inputs"], name
        assert action["inputs"][name]["description"]
    assert action["inputs"]["upload-sarif"]["default"] == "false"
    install = step(action, "Install backend-skills")["run"]
    assert "pip install" in install
    upload = step(action, "Upload SARIF to code scanning")
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert "inputs.upload-sarif == 'true'" in upload["if"]
    assert "always()" in upload["if"]
    for s in action["runs"]["steps"]:
        if "run" in s:
            assert s["shell"] == "bash"
            # Inputs reach scripts through the environment, never pasted into the code.
            assert "${{" not in s["run"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_score_and_gate_steps_as_the_runner_runs_them(
    action: dict[str, Any], tmp_path: Path
) -> None:
    workspace = tmp_path / "workspace"
    write_vulnerable_app(workspace / "svc")
    runner_temp = tmp_path / "runner"
    runner_temp.mkdir()
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        **plugin_env(tmp_path / "site"),
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(outputs),
        "BS_PATH": "svc",
        "BS_ARGS": "--skill security --isolated",
        "BS_FORMATS": "junit=reports/junit.xml badge=reports/badge.json",
        "BS_FAIL_UNDER": "50",
        "BS_BASELINE": "",
        "BS_FAIL_ON_NEW": "",
        "BS_ANNOTATIONS": "true",
        "BS_CATEGORY": "backend-skills",
        "NO_COLOR": "1",
    }
    scored = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step(action, "Score")["run"]],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert scored.returncode == 0, scored.stderr  # the gate is a later step
    # Annotations on stdout, with paths relative to the repository (prefix "svc/").
    assert "::error file=svc/app/main.py,line=" in scored.stdout
    assert summary.read_text(encoding="utf-8").startswith("## backend-skills: 0.0 / 100")
    values = dict(line.split("=", 1) for line in outputs.read_text(encoding="utf-8").splitlines())
    assert values["score"] == "0.0"
    assert values["level"] == "novice"
    assert values["exit-code"] == "1"  # 0.0 is under --fail-under 50
    assert Path(values["sarif"]).is_file()
    assert (workspace / "reports" / "junit.xml").is_file()
    assert (workspace / "reports" / "badge.json").is_file()

    gate = subprocess.run(
        ["bash", "-e", "-c", step(action, "Gate")["run"]],
        env={**env, "BS_CODE": values["exit-code"]},
        capture_output=True,
        text=True,
        check=False,
    )
    assert gate.returncode == 1
    assert "::error title=backend-skills::a gate failed" in gate.stdout
