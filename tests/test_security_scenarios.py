"""The judged scenarios: a deliberately vulnerable Flask app and a clean FastAPI service."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from backend_skills import Report, score

FIXTURES = Path(__file__).parent / "fixtures" / "security"
VULNERABLE = FIXTURES / "vulnerable_flask"
CLEAN = FIXTURES / "clean_fastapi"


def security(root: Path) -> Report:
    return score(root, skills=["security"], isolated=True)


def line_of(path: Path, snippet: str) -> int:
    """The 1-based line of the only line in ``path`` that contains ``snippet``."""
    lines = [n for n, text in enumerate(path.read_text().splitlines(), 1) if snippet in text]
    assert len(lines) == 1, (snippet, lines)
    return lines[0]


@pytest.fixture(scope="module")
def vulnerable() -> Report:
    return security(VULNERABLE)


# What the vulnerable app does wrong, where, and the rules that must report it.
PROBLEMS = [
    ("SQL built with %", "WHERE name = '%s'\" % name", {"B608"}),
    ("SQL built with an f-string", 'f"SELECT * FROM orders', {"B608"}),
    ("shell=True", "shell=True", {"B602"}),
    ("pickle.loads on request data", "pickle.loads(request.data)", {"B301"}),
    ("yaml.load on request data", "yaml.load(request.data)", {"B506"}),
    ("requests with verify=False", "verify=False", {"B501"}),
    ("md5 password hashing", "hashlib.md5(password", {"B324", "BSSEC020"}),
    # bandit's B105 at the same line is merged into these (sources: bandit).
    ("hard-coded session key", "app.secret_key =", {"BSSEC001"}),
    ("hard-coded password", "DATABASE_PASSWORD =", {"BSSEC001"}),
    ("hard-coded AWS key", "AWS_ACCESS_KEY_ID =", {"BSSEC002"}),
    ("debug=True and 0.0.0.0", "app.run(debug=True", {"B201", "B104"}),
]


@pytest.mark.parametrize(("problem", "snippet", "rules"), PROBLEMS, ids=[p[0] for p in PROBLEMS])
def test_vulnerable_app_every_problem_at_its_line(
    vulnerable: Report, problem: str, snippet: str, rules: set[str]
) -> None:
    line = line_of(VULNERABLE / "app.py", snippet)
    # A merged finding is found under every tool's rule id (BSDB001 carries bandit's B608).
    found = {
        r for f in vulnerable.findings if f.path == "app.py" and f.line == line for r in f.rules
    }
    assert all(f.counted for f in vulnerable.findings if f.path == "app.py")
    assert rules <= found, (
        f"{problem}: expected {sorted(rules)} at line {line}, got {sorted(found)}"
    )


def test_vulnerable_app_scores_novice(vulnerable: Report) -> None:
    skill = vulnerable.skill("security")
    assert skill.score is not None
    assert skill.score < 40
    assert skill.level == "novice"
    assert vulnerable.complete
    # Unpinned requirements count against dependency hygiene too.
    assert vulnerable.criterion("security.dependencies").score == 0.0


def test_clean_service_scores_at_least_proficient() -> None:
    report = security(CLEAN)
    skill = report.skill("security")
    assert report.complete
    assert skill.score is not None
    assert skill.score >= 75
    # Findings in its tests (asserts, a fixed test password) are shown but cost nothing.
    assert report.findings
    assert all(f.path.startswith("tests/") and not f.counted for f in report.findings)
    assert report.criterion("security.authentication").applicable
    assert report.criterion("security.dependencies").score == 100.0
    python_ast = next(r for r in report.checkers if r.name == "python_ast")
    assert "password hashing with argon2 (app/security.py)" in python_ast.notes


def test_one_fstring_query_lowers_the_clean_score_at_that_line(tmp_path: Path) -> None:
    root = tmp_path / "service"
    shutil.copytree(CLEAN, root)
    db = root / "app" / "db.py"
    db.write_text(
        db.read_text()
        + "\n\ndef search(conn: psycopg.Connection[Any], term: str) -> list[dict[str, Any]]:\n"
        + '    """Users whose email contains ``term``."""\n'
        + "    with conn.cursor() as cur:\n"
        + "        cur.execute(f\"SELECT id FROM users WHERE email LIKE '%{term}%'\")\n"
        + "        return list(cur.fetchall())\n"
    )
    injected_line = line_of(db, 'cur.execute(f"SELECT id FROM users')
    before = security(CLEAN)
    after = security(root)
    assert after.skill("security").score < before.skill("security").score
    assert (
        after.criterion("security.injection").score < before.criterion("security.injection").score
    )
    (finding,) = [f for f in after.findings if "B608" in f.rules]
    assert (finding.path, finding.line, finding.counted) == ("app/db.py", injected_line, True)
