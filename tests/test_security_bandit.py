"""The bandit checker: parity with bandit's CLI, its configuration, routing and redaction."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from backend_skills import Report, score
from backend_skills.checkers.bandit import (
    INJECTION_METRIC,
    BanditChecker,
    redact_password_text,
)
from backend_skills.core.checker import CheckContext, RenderOptions
from backend_skills.core.discovery import discover
from backend_skills.core.models import CheckResult, Finding
from backend_skills.core.plugins import load_plugins

from .conftest import TreeFactory

FIXTURES = Path(__file__).parent / "fixtures" / "security"

Key = tuple[str, int, str]


def bandit_cli(root: Path, *args: str) -> tuple[dict[Key, dict[str, Any]], set[str]]:
    """``bandit -r .`` run from ``root``: issues by (path, line, test id), and errored files."""
    proc = subprocess.run(
        [sys.executable, "-m", "bandit", "-r", ".", "-f", "json", "-q", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    data = json.loads(proc.stdout)
    issues = {
        (r["filename"].removeprefix("./"), r["line_number"], r["test_id"]): r
        for r in data["results"]
    }
    errors = {e["filename"].removeprefix("./") for e in data["errors"]}
    return issues, errors


def run_checker(root: Path, **options: Any) -> tuple[dict[Key, Finding], CheckResult]:
    fileset = discover(root)
    ctx = CheckContext(root=fileset.root, fileset=fileset, options=options)
    result = BanditChecker().check(ctx)
    shown = [f for f in result.findings if f.suppressed is None]  # '# nosec' ones are extra
    findings = {(f.path, f.line or 0, f.rule): f for f in shown}
    assert len(findings) == len(shown), "one finding per (path, line, test id)"
    return findings, result


def assert_parity(root: Path, *cli_args: str) -> dict[Key, Finding]:
    expected, cli_errors = bandit_cli(root, *cli_args)
    ours, result = run_checker(root)
    assert set(ours) == set(expected)
    for key, issue in expected.items():
        finding = ours[key]
        assert finding.severity.value == issue["issue_severity"].lower()
        assert finding.confidence.value == issue["issue_confidence"].lower()
        assert finding.cwe == (issue["issue_cwe"].get("id") or None)
        if key[2] not in {"B105", "B106", "B107"}:  # those are redacted, see below
            assert finding.message == issue["issue_text"]
    skipped = {s.path for s in result.skipped if "syntax" in s.reason}
    assert skipped == cli_errors
    return ours


CONFIGURED = {
    "pyproject.toml": """
        [project]
        name = "svc"

        [tool.bandit]
        skips = ["B404", "B603"]
        exclude_dirs = ["legacy"]

        [tool.bandit.hardcoded_tmp_directory]
        tmp_dirs = ["/scratch"]
        """,
    "svc/__init__.py": '"""Service."""\n',
    "svc/jobs.py": """
        import subprocess

        SCRATCH = "/scratch/jobs"
        TMP = "/tmp/jobs"


        def run(cmd):
            subprocess.run(cmd)
            subprocess.call(cmd, shell=True)  # nosec
            subprocess.call(cmd, shell=True)  # nosec: B602
            subprocess.call(cmd, shell=True)  # nosec B607
            return eval(cmd)
        """,
    "legacy/old.py": """
        import pickle


        def load(blob):
            return pickle.loads(blob)
        """,
    "tests/test_jobs.py": """
        from svc import jobs


        def test_run():
            assert jobs.run("1") == 1
        """,
    "broken.py": "def broken(:\n    pass\n",
}


def test_parity_without_configuration() -> None:
    """Every example file: the same (path, line, test id) as `bandit -r .`, same data."""
    ours = assert_parity(FIXTURES / "examples" / "python")
    assert len(ours) > 30


def assert_report_parity(root: Path, *cli_args: str) -> Report:
    """Every finding bandit's CLI reports appears in our full report under bandit's rule
    id, at its path and line, even where it merged with one of our own findings."""
    expected, _ = bandit_cli(root, *cli_args)
    # Not isolated: --isolated ignores the tree's bandit configuration too, and the CLI
    # run above reads it (the trees hold no backend-skills configuration).
    report = score(root, skills=["security", "database"])
    ours = {(f.path, f.line or 0, rule) for f in report.findings for rule in f.rules}
    missing = sorted(set(expected) - ours)
    assert not missing, f"bandit findings missing from the report: {missing[:10]}"
    return report


def test_every_bandit_finding_is_in_the_report_under_its_rule_id() -> None:
    report = assert_report_parity(FIXTURES / "examples" / "python")
    merged = [f for f in report.findings if any(s.checker == "bandit" for s in f.sources)]
    assert merged, "the examples have lines both bandit and our analyses report"
    for finding in merged:
        (own,) = [s for s in finding.sources if s.checker == finding.checker]
        assert own.rule == finding.rule


def test_report_parity_with_configuration_and_nosec(make_tree: TreeFactory) -> None:
    report = assert_report_parity(make_tree(CONFIGURED), "-c", "pyproject.toml")
    # What # nosec silenced is shown, never counted.
    assert all(not f.counted for f in report.findings if f.suppressed)


def test_parity_with_tool_bandit_nosec_and_exclude_dirs(make_tree: TreeFactory) -> None:
    root = make_tree(CONFIGURED)
    ours = assert_parity(root, "-c", "pyproject.toml")
    rules = {(path, rule) for path, _, rule in ours}
    assert ("svc/jobs.py", "B108") in rules  # /scratch is a tmp dir by the config
    assert ("svc/jobs.py", "B307") in rules
    assert not any(rule in {"B404", "B603"} for _, rule in rules)  # skipped
    assert not any(path.startswith("legacy/") for path, _ in rules)  # excluded
    lines = {line for path, line, rule in ours if rule == "B602"}
    assert lines == {11}  # nosec B607 does not silence B602; the other two are silenced
    assert ("tests/test_jobs.py", "B101") in rules


def test_parity_with_dot_bandit_ini(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            ".bandit": "[bandit]\nexclude = ./generated_code\nskips = B311\n",
            "app.py": """
                import random


                def pick(items):
                    return random.choice(items)


                def run(code):
                    return eval(code)
                """,
            "generated_code/client.py": "def run(code):\n    return eval(code)\n",
        }
    )
    ours = assert_parity(root)
    assert set(ours) == {("app.py", 9, "B307")}


def test_exclusions_and_syntax_errors_are_skipped_with_a_reason(make_tree: TreeFactory) -> None:
    _, result = run_checker(make_tree(CONFIGURED))
    reasons = {s.path: s.reason for s in result.skipped}
    assert reasons["legacy/old.py"] == (
        "excluded by bandit configuration (exclude_dirs in pyproject.toml: 'legacy')"
    )
    assert reasons["broken.py"].startswith("syntax error")
    assert any("pyproject.toml" in note for note in result.notes)
    assert any("silenced by # nosec" in note for note in result.notes)


def test_per_plugin_configuration_follows_the_options_in_one_process(
    make_tree: TreeFactory,
) -> None:
    """bandit keeps plugin config in globals: switching configurations must not leak."""
    configured = make_tree(CONFIGURED)
    plain = make_tree({"svc/jobs.py": CONFIGURED["svc/jobs.py"]})

    def tmp_lines(root: Path) -> set[int]:
        findings, _ = run_checker(root)
        return {line for path, line, rule in findings if rule == "B108"}

    assert tmp_lines(configured) == {3}  # /scratch/jobs
    assert tmp_lines(plain) == {4}  # /tmp/jobs, bandit's default
    assert tmp_lines(configured) == {3}


def test_options_table_selects_and_skips_tests(make_tree: TreeFactory) -> None:
    root = make_tree({"app.py": "import pickle\n\n\ndef f(x):\n    return eval(x)\n"})
    only, _ = run_checker(root, tests=["B307"])
    assert {rule for _, _, rule in only} == {"B307"}
    skipped, _ = run_checker(root, skips=["B307"])
    assert {rule for _, _, rule in skipped} == {"B403"}


def test_contradictory_configuration_fails_the_checker_with_one_line(
    make_tree: TreeFactory,
) -> None:
    root = make_tree(
        {
            "pyproject.toml": '[tool.bandit]\ntests = ["B602"]\nskips = ["B602"]\n',
            "app.py": "x = 1\n",
        }
    )
    report = score(root, skills=["security"])  # the tree's [tool.bandit] is under test
    run = next(r for r in report.checkers if r.name == "bandit")
    assert run.status == "failed"
    assert run.error == "BanditConfigError: bandit tests both selected and skipped: B602"
    assert report.complete is False
    assert report.criterion("security.injection").assessed is False


SQL_FUNCTION = (
    "def find(cursor, name):\n"
    "    cursor.execute(f\"SELECT * FROM users WHERE name = '{name}'\")\n"
    "    return cursor.fetchall()\n"
)
SHELL_FUNCTION = "import subprocess\n\n\ndef run(c):\n    subprocess.call(c, shell=True)\n"
SQL_APP = {"app.py": SQL_FUNCTION + "\n\nVALUE = 1\n" * 10}


def test_sql_injection_is_listed_under_query_safety_and_scored_by_injection(
    make_tree: TreeFactory,
) -> None:
    root = make_tree(SQL_APP)
    fileset = discover(root)
    both = frozenset({"database.query_safety", "security.injection"})
    for criteria, skill, criterion in (
        (both, "database", "database.query_safety"),
        (frozenset({"security.injection"}), "security", "security.injection"),
        (frozenset(), "database", "database.query_safety"),
    ):
        ctx = CheckContext(root=fileset.root, fileset=fileset, criteria=criteria)
        result = BanditChecker().check(ctx)
        (finding,) = [f for f in result.findings if f.rule == "B608"]
        assert (finding.skill, finding.criterion, finding.line) == (skill, criterion, 2)
        metric = next(m for m in result.metrics if m.name == INJECTION_METRIC)
        # medium severity (2) x medium confidence (0.6) over 33 lines of source.
        assert metric.value == pytest.approx(2 * 0.6 / (fileset.files[0].lines / 1000), abs=1e-3)


def test_findings_in_tests_are_shown_but_cost_nothing(make_tree: TreeFactory) -> None:
    code = SHELL_FUNCTION + "\n\n" + SQL_FUNCTION
    in_tests = make_tree({"app.py": "VALUE = 1\n" * 50, "tests/test_app.py": code})
    report = score(in_tests, skills=["security"], isolated=True)
    shown = [f for f in report.findings if f.path == "tests/test_app.py"]
    assert {r for f in shown for r in f.rules} >= {"B608", "B602"}
    assert not any(f.counted for f in shown)
    assert report.criterion("security.injection").score == 100.0
    counted = score(
        in_tests, skills=["security"], isolated=True, config={"count_test_findings": True}
    )
    assert counted.criterion("security.injection").score < 100.0


def test_vendored_code_is_not_scanned(make_tree: TreeFactory) -> None:
    root = make_tree({"app.py": "VALUE = 1\n", "vendor/lib.py": "def f(x):\n    return eval(x)\n"})
    report = score(root, skills=["security"], isolated=True)
    assert not any(f.path.startswith("vendor/") for f in report.findings)


def test_password_text_is_redacted() -> None:
    message, value = redact_password_text(
        "B105", "Possible hardcoded password: 'hunter22'", ['    db_password = "hunter22"']
    )
    assert message == "Possible hardcoded password assigned to 'db_password' (value redacted)"
    assert value == "hunter22"
    message, _ = redact_password_text(
        "B106", "Possible hardcoded password: 's3cr3t!'", ['connect(password="s3cr3t!")']
    )
    assert message == "Possible hardcoded password passed as argument 'password' (value redacted)"
    message, _ = redact_password_text(
        "B107", "Possible hardcoded password: 'letmein'", ["def login(user, pwd='letmein'):"]
    )
    assert (
        message == "Possible hardcoded password as the default of argument 'pwd' (value redacted)"
    )
    message, _ = redact_password_text(
        "B105", "Possible hardcoded password: 'password'", ['if password == "password":']
    )
    assert message == "Possible hardcoded password (value redacted)"  # the name gives it away


SECRETS = {
    "vulnerable_flask": ("flask-session-signing-key-123", "Sup3rS3cret!", "AKIAZ4QW7RT2MX9KPL3V"),
    "examples/python": (
        "9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c",
        "Tr0ub4dor&3",
        "ghp_0123456789abcdefghijABCDEFGHIJ012345",
        "xoxb-1234567890-abcdefghij",
        "s3cr3tpass",
        "a1b2c3d4e5f6a7b8",
        "k-1234567890abcdef",
        "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu",
    ),
    "examples/deps/requirements_only": ("hunter2hunter2",),
}


@pytest.mark.parametrize("tree", sorted(SECRETS))
def test_no_secret_reaches_any_report_format(tree: str) -> None:
    root = FIXTURES / tree
    texts = "".join(p.read_text(encoding="utf-8") for p in root.rglob("*") if p.is_file())
    assert all(secret in texts for secret in SECRETS[tree])  # the fixture does hold them
    report = score(root, skills=["security"], isolated=True)
    assert any(f.criterion == "security.secrets" for f in report.findings)
    outputs = {"json": report.to_json()}
    for name, reporter in load_plugins().reporters.items():
        outputs[name] = reporter.render(report, RenderOptions(verbose=2))
    for name, output in outputs.items():
        for secret in SECRETS[tree]:
            assert secret not in output, f"{name} output contains a secret"


def test_secret_lines_are_fingerprinted_without_the_value(make_tree: TreeFactory) -> None:
    """Two files that differ only in the secret's value give the same fingerprints."""
    first = make_tree({"app.py": 'DB_PASSWORD = "correct-horse-1"\n'})
    second = make_tree({"app.py": 'DB_PASSWORD = "battery-staple-2"\n'})
    prints = [
        sorted(f.fingerprint for f in score(root, skills=["security"], isolated=True).findings)
        for root in (first, second)
    ]
    assert prints[0]
    assert prints[0] == prints[1]
