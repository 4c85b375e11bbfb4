"""Data-driven tests: each example file lists, on the lines themselves, what must be found.

Every line of an example file under ``tests/fixtures/security/examples/`` that ends with
``# expect: RULE[, RULE]`` must be reported with exactly those rules (bandit test ids or
our ``BSSEC`` rules); every other line must be reported with none. Like bandit's own
functional tests, one file per theme; unlike them, the expectation sits next to the code.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from backend_skills.checkers.analyses.security import SecurityAnalysis
from backend_skills.checkers.bandit import BanditChecker
from backend_skills.checkers.python_ast import PythonAstChecker
from backend_skills.core.checker import CheckContext
from backend_skills.core.discovery import discover
from backend_skills.core.models import CheckResult

EXAMPLES = Path(__file__).parent / "fixtures" / "security" / "examples"
PYTHON_EXAMPLES = sorted(p.name for p in (EXAMPLES / "python").rglob("*.py"))
DEPENDENCY_EXAMPLES = sorted(p.name for p in (EXAMPLES / "deps").iterdir())
_EXPECT = re.compile(r"expect: ([A-Z0-9, ]+)")

Expected = dict[int, set[str]]


def expectations(text: str) -> Expected:
    """Line -> rules, from the ``expect:`` markers of one file."""
    found: Expected = {}
    for number, line in enumerate(text.splitlines(), 1):
        match = _EXPECT.search(line)
        if match:
            found[number] = {r.strip() for r in match.group(1).split(",") if r.strip()}
    return found


def run_security(root: Path) -> tuple[dict[str, Expected], list[CheckResult]]:
    """Raw findings (before the runner merges them) of both security checkers, by file."""
    fileset = discover(root)
    ctx = CheckContext(root=fileset.root, fileset=fileset)
    results = [
        BanditChecker().check(ctx),
        PythonAstChecker([SecurityAnalysis()]).check(ctx),
    ]
    found: dict[str, Expected] = defaultdict(lambda: defaultdict(set))
    for result in results:
        for finding in result.findings:
            if finding.suppressed:  # what '# nosec' silenced: shown, not reported as found
                continue
            assert finding.line is not None
            found[finding.path][finding.line].add(finding.rule)
    return found, results


@pytest.fixture(scope="module")
def python_findings() -> dict[str, Expected]:
    found, results = run_security(EXAMPLES / "python")
    assert not [s for r in results for s in r.skipped], "every example must be analysed"
    return found


@pytest.mark.parametrize("name", PYTHON_EXAMPLES)
def test_python_example(name: str, python_findings: dict[str, Expected]) -> None:
    path = next((EXAMPLES / "python").rglob(name))
    rel = path.relative_to(EXAMPLES / "python").as_posix()
    expected = expectations(path.read_text(encoding="utf-8"))
    actual = {line: rules for line, rules in python_findings.get(rel, {}).items() if rules}
    assert actual == expected


def test_examples_cover_every_rule_family(python_findings: dict[str, Expected]) -> None:
    rules = {r for lines in python_findings.values() for rs in lines.values() for r in rs}
    ours = {f"BSSEC{n:03d}" for n in (1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15, 20, 21, 22)}
    assert ours <= rules
    assert {"B105", "B301", "B302", "B307", "B506", "B602", "B608", "B701"} <= rules


@pytest.mark.parametrize("name", DEPENDENCY_EXAMPLES)
def test_dependency_example(name: str) -> None:
    root = EXAMPLES / "deps" / name
    found, _ = run_security(root)
    expected: dict[str, Expected] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        marks = expectations(path.read_text(encoding="utf-8"))
        if marks:
            expected[path.relative_to(root).as_posix()] = marks
    actual = {
        path: {line: rules for line, rules in lines.items() if rules}
        for path, lines in found.items()
        if any(lines.values())
    }
    assert actual == expected


# Percentage of declarations that are unpinned, unlocked or from a plain URL, worked out
# by hand from the example files (see the comments in each).
RISK = {
    # 12 declared: the 2 in requirements.in are pinned by requirements.txt; pytest, ruff,
    # mypy (==1.9.* is a range) and the URL without a commit or hash are risky.
    "requirements_only": (12, 100 * 4 / 12),
    # 7 declared (python and the path dependency do not count): the branch-only git
    # dependency and the one missing from poetry.lock are risky.
    "poetry_locked": (7, 100 * 2 / 7),
    # 7 declared, no lock file: fastapi>=, httpx~=, the URL and unpinned pytest.
    "pep621_unlocked": (7, 100 * 4 / 7),
    # 4 declared: celery is neither pinned nor in Pipfile.lock.
    "pipfile": (4, 100 * 1 / 4),
}


@pytest.mark.parametrize("name", sorted(RISK))
def test_dependency_risk_metric(name: str) -> None:
    _, results = run_security(EXAMPLES / "deps" / name)
    metrics = {m.name: m.value for r in results for m in r.metrics}
    declared, risk = RISK[name]
    assert metrics["security.dependencies_declared"] == declared
    assert metrics["security.dependency_risk_pct"] == pytest.approx(risk, abs=0.01)


def test_no_declared_dependency_or_authentication_is_not_applicable() -> None:
    _, results = run_security(EXAMPLES / "deps" / "none")
    reasons = {k: v for r in results for k, v in r.not_applicable.items()}
    assert "no dependency declarations" in reasons["security.dependencies"]
    assert "no authentication code" in reasons["security.authentication"]
    _, results = run_security(EXAMPLES / "python")
    assert not any("security.authentication" in r.not_applicable for r in results)
