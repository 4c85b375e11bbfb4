"""The judged scenario: a well-kept service against a deliberately poor app, all skills."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from backend_skills import Report, score

from .test_cli import run_cli

FIXTURES = Path(__file__).parent / "fixtures"
SKILLS = ["collaboration", "database", "scalability", "security", "server_side"]


def _git(root: Path, *args: str, author: str = "Ann Lee <ann@example.com>") -> None:
    name, email = author[:-1].split(" <")
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_AUTHOR_DATE": "2026-06-01T12:00:00Z",
        "GIT_COMMITTER_DATE": "2026-06-01T12:00:00Z",
    }
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def _copy(name: str, tmp_path: Path) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    return root


def _history(root: Path, commits: list[tuple[str, str, list[str]]]) -> None:
    """Commit ``root`` file by file: (author, message, paths) per commit."""
    _git(root, "init", "-q", "-b", "main")
    for author, message, paths in commits:
        _git(root, "add", *paths)
        _git(root, "commit", "-q", "-m", message, author=author)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Report]:
    tmp = tmp_path_factory.mktemp("e2e")
    good = _copy("good_service", tmp)
    poor = _copy("poor_app", tmp)
    if shutil.which("git"):
        _history(
            good,
            [
                (
                    "Ann Lee <ann@example.com>",
                    "feat: add order repository and schema",
                    ["app", "db", "alembic"],
                ),
                ("Bo Chen <bo@example.com>", "test: cover the repository and hashing", ["tests"]),
                (
                    "Cy Diaz <cy@example.com>",
                    "docs: describe install, usage and architecture",
                    ["."],
                ),
            ],
        )
        _history(
            poor,
            [
                ("Dan Roe <dan@example.com>", "wip", ["app.py"]),
                ("Dan Roe <dan@example.com>", "fix", ["schema.sql"]),
                ("Dan Roe <dan@example.com>", "stuff", ["."]),
            ],
        )
    return {
        "good": score(good, isolated=True),
        "poor": score(poor, isolated=True),
    }


def test_every_skill_is_scored_and_complete(reports: dict[str, Report]) -> None:
    for report in reports.values():
        assert report.complete, [c for c in report.checkers if c.status == "failed"]
        assert sorted(s.id for s in report.skills) == SKILLS


@pytest.mark.parametrize("skill", SKILLS)
def test_poor_app_scores_clearly_below_the_good_service(
    reports: dict[str, Report], skill: str
) -> None:
    good = reports["good"].skill(skill).score
    poor = reports["poor"].skill(skill).score
    assert good is not None
    assert poor is not None
    assert poor + 15 <= good, f"{skill}: poor {poor} vs good {good}"


def test_every_lost_point_is_explained(reports: dict[str, Report]) -> None:
    for report in reports.values():
        for skill in report.skills:
            if not skill.applicable or skill.score is None:
                continue
            lost = sum(c.points_lost for c in skill.criteria)
            assert lost == pytest.approx(100 - skill.score, abs=0.2)
            for criterion in skill.criteria:
                if criterion.points_lost > 0:
                    assert criterion.remediation
                    assert criterion.metrics


def test_poor_app_findings_point_at_the_flaws(reports: dict[str, Report]) -> None:
    source = (FIXTURES / "poor_app" / "app.py").read_text().splitlines()

    def line_of(text: str) -> int:
        return next(i for i, line in enumerate(source, 1) if text in line)

    found = {(f.path, f.line) for f in reports["poor"].findings}
    for flaw in (
        "WHERE name = '%s'",
        "WHERE id = {uid}",
        "shell=True",
        "pickle.loads",
        "yaml.load",
        "verify=False",
        "hashlib.md5",
        "debug=True",
        "time.sleep(1)",
        "requests.get(url)",
        "def classify",
    ):
        assert ("app.py", line_of(flaw)) in found, flaw


def test_json_report_honours_the_contract(reports: dict[str, Report], tmp_path: Path) -> None:
    poor = _copy("poor_app", tmp_path)
    result = run_cli("score", poor, "--format", "json", "--isolated")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1
    for key in (
        "tool",
        "rubric_version",
        "root",
        "score",
        "level",
        "complete",
        "skills",
        "findings",
        "checkers",
        "skipped",
        "stats",
    ):
        assert key in data
    for skill in data["skills"]:
        for criterion in skill["criteria"]:
            for key in (
                "id",
                "name",
                "score",
                "level",
                "applicable",
                "assessed",
                "weight",
                "metrics",
                "points_lost",
                "finding_count",
                "rationale",
                "remediation",
            ):
                assert key in criterion
    for finding in data["findings"]:
        assert not finding["path"].startswith("/")
        assert "\\" not in finding["path"]
    # Secrets found in the code are never copied into the report.
    assert "hunter2hunter2" not in result.stdout
    assert "dev-secret-key-12345" not in result.stdout
