"""Black-box tests: the command run as users run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .conftest import TreeFactory, write_tree


def run_cli(
    *args: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m backend_skills`` with ``args``."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "backend_skills", *map(str, args)],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=600,
        check=False,
    )


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert "backend-skills, version" in result.stdout


def test_invalid_config_exits_2_naming_file_and_key(make_tree: TreeFactory) -> None:
    root = make_tree({"pyproject.toml": "[tool.backend_skills]\nbogus = 1\n", "a.py": "x = 1\n"})
    result = run_cli("score", root)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "pyproject.toml: unknown key 'tool.backend_skills.bogus'" in lines[0]
    assert "Traceback" not in result.stderr


def test_unknown_format_and_skill_are_usage_errors(make_tree: TreeFactory) -> None:
    root = make_tree({"a.py": "x = 1\n"})
    result = run_cli("score", root, "--format", "nope")
    assert result.returncode == 2
    assert "unknown format 'nope'" in result.stderr
    result = run_cli("score", root, "--skill", "cooking", "--isolated")
    assert result.returncode == 2
    assert "unknown skill 'cooking'" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("score", tmp_path / "does-not-exist")
    assert result.returncode == 2


def test_scored_code_is_never_executed(make_tree: TreeFactory, tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    payload = f"open({str(marker)!r}, 'w').write('ran')\n"
    root = make_tree(
        {
            "setup.py": payload,
            "conftest.py": payload,
            "app/__init__.py": payload,
            "tests/test_x.py": payload,
            "manage.py": payload,
        }
    )
    result = run_cli("score", root, "--format", "json", "--isolated")
    assert result.returncode in (0, 1, 3), result.stderr
    assert not marker.exists()


def test_broken_plugin_is_reported_and_the_run_continues(
    tmp_path: Path, make_tree: TreeFactory
) -> None:
    site = tmp_path / "site"
    write_tree(
        site,
        {
            "broken_plugin.py": "raise ImportError('kaboom')\n",
            "broken_plugin-0.1.dist-info/METADATA": "Metadata-Version: 2.1\nName: broken-plugin\nVersion: 0.1\n",
            "broken_plugin-0.1.dist-info/entry_points.txt": "[backend_skills]\nbroken = broken_plugin\n",
        },
    )
    env = {"PYTHONPATH": str(site)}
    listing = run_cli("plugins", env=env)
    assert listing.returncode == 0, listing.stderr
    assert "broken" in listing.stdout
    assert "kaboom" in listing.stdout
    root = make_tree({"a.py": "x = 1\n"})
    result = run_cli("score", root, "--format", "json", "--isolated", env=env)
    assert result.returncode in (0, 1, 3), result.stderr
    report = json.loads(result.stdout)
    broken = [p for p in report["plugins"] if p["name"] == "broken"]
    assert broken == [
        {
            "name": "broken",
            "distribution": "broken-plugin",
            "version": "0.1",
            "status": "failed",
            "error": "ImportError: kaboom",
        }
    ]
    disabled = run_cli(
        "score",
        root,
        "--format",
        "json",
        "--isolated",
        env={**env, "BACKEND_SKILLS_DISABLE_PLUGINS": "broken"},
    )
    statuses = {p["name"]: p["status"] for p in json.loads(disabled.stdout)["plugins"]}
    assert statuses["broken"] == "disabled"


def test_gate_on_a_skill_not_scored_warns_instead_of_passing_silently(
    make_tree: TreeFactory,
) -> None:
    root = make_tree({"a.py": "x = 1\n"})
    result = run_cli(
        "score", root, "--isolated", "--skill", "security", "--fail-under", "database=50"
    )
    assert "gate database=50 not checked: skill not scored" in result.stderr
