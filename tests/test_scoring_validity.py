"""Scores that hold on real repositories: weakest-link caps, findings that cost every
criterion they harm, denominators from what was read, coverage and "not assessed"."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping
from pathlib import Path

import pytest

from backend_skills import Report, score
from backend_skills.core.caps import also_harms, cap_spec, cap_value
from backend_skills.core.checker import RenderOptions
from backend_skills.core.discovery import classify_role
from backend_skills.core.models import Confidence, Finding, Role, Severity
from backend_skills.core.plugins import load_plugins

from .conftest import TreeFactory

VIEWS = """
    import sqlite3

    from flask import Flask, request

    app = Flask(__name__)


    def get_db() -> sqlite3.Connection:
        return sqlite3.connect("app.db")


    @app.route("/user")
    def user() -> dict[str, object]:
        name = request.args.get("name")
        cur = get_db().cursor()
        cur.execute("SELECT id, name FROM users WHERE name = '%s'" % name)
        return {"rows": cur.fetchall()}
"""
FIXED_VIEWS = VIEWS.replace(
    """cur.execute("SELECT id, name FROM users WHERE name = '%s'" % name)""",
    """cur.execute("SELECT id, name FROM users WHERE name = ?", (name,))""",
)
SETTINGS = """
    SECRET_KEY = "s3cr3t-django-key-0123456789abcdefghij"
    DEBUG = True
    ALLOWED_HOSTS = ["example.com"]
"""
FIXED_SETTINGS = """
    import os

    SECRET_KEY = os.environ["SECRET_KEY"]
    DEBUG = os.environ.get("DEBUG") == "1"
    ALLOWED_HOSTS = ["example.com"]
"""


def clean_modules(count: int = 30, functions: int = 20) -> dict[str, str]:
    """Thousands of clean, typed, documented lines: the size that used to dilute."""
    files = {}
    for i in range(count):
        body = [f'"""Module {i}."""', ""]
        for j in range(functions):
            body += [
                f"def func_{j}(value: int) -> int:",
                f'    """Return value plus {j}."""',
                f"    total = value + {j}",
                "    return total",
                "",
                "",
            ]
        files[f"app/mod_{i}.py"] = "\n".join(body) + "\n"
    return files


def app(views: str = VIEWS, settings: str = SETTINGS, **extra: str) -> dict[str, str]:
    return {**clean_modules(), "app/views.py": views, "app/settings.py": settings, **extra}


def security(root: Path, **kwargs: object) -> Report:
    return score(root, skills=["security", "database"], isolated=True, **kwargs)  # type: ignore[arg-type]


def rules_at(report: Report, path: str, line: int) -> set[str]:
    return {r for f in report.findings if (f.path, f.line) == (path, line) for r in f.rules}


# --------------------------------------------------------------------------- weakest link


def test_one_injection_and_two_insecure_settings_cap_a_large_app_below_competent(
    make_tree: TreeFactory,
) -> None:
    report = security(make_tree(app()))
    assert report.stats.lines["python"] > 3000
    sec = report.skill("security")
    assert sec.score is not None
    assert sec.score < 60
    assert sec.cap is not None
    # Without the cap, density alone would call this app proficient or better.
    assert sec.cap.uncapped >= 75
    capped_by = {(f.path, f.line, r) for f in sec.cap.findings for r in f.rules}
    assert ("app/views.py", 16, "BSDB001") in capped_by
    assert ("app/views.py", 16, "B608") in capped_by
    assert ("app/settings.py", 1, "BSSEC001") in capped_by
    assert ("app/settings.py", 2, "BSSEC010") in capped_by
    assert "app/views.py:16" in sec.cap.reason
    assert "nosec" in sec.cap.lift
    # The SQL injection is a database failure too.
    db = report.skill("database")
    assert db.score is not None
    assert db.score < 60
    assert report.criterion("database.query_safety").cap is not None
    # Every point is explained: criteria plus what the cap took off.
    lost = sum(c.points_lost for c in sec.criteria) + sec.cap.points_lost
    assert lost == pytest.approx(100 - sec.score, abs=0.2)


def test_the_same_app_fixed_scores_well(make_tree: TreeFactory) -> None:
    report = security(make_tree(app(FIXED_VIEWS, FIXED_SETTINGS)))
    sec = report.skill("security")
    assert sec.cap is None
    assert sec.score is not None
    assert sec.score >= 70
    db = report.skill("database")
    assert db.cap is None


def test_several_vulnerabilities_take_the_skill_to_novice(make_tree: TreeFactory) -> None:
    views = VIEWS + textwrap.indent(
        "\n\n"
        '@app.route("/orders")\n'
        "def orders() -> dict[str, object]:\n"
        '    status = request.args.get("status")\n'
        "    cur = get_db().cursor()\n"
        "    cur.execute(f\"SELECT id FROM orders WHERE status = '{status}'\")\n"
        '    return {"rows": cur.fetchall()}\n',
        "    ",
    )
    report = security(make_tree(app(views)))
    sec = report.skill("security")
    assert sec.score is not None
    assert sec.score < 40
    assert sec.level == "novice"


def test_next_level_is_exact_and_says_the_cap_must_go(make_tree: TreeFactory) -> None:
    report = security(make_tree(app(settings=FIXED_SETTINGS)))
    injection = report.criterion("security.injection")
    assert injection.cap is not None
    assert injection.score == injection.cap.value
    assert injection.next_level is not None
    assert injection.next_level.lift_cap
    assert injection.next_level.score_needed == 60.0
    skill = report.skill("security")
    assert skill.next_level is not None
    assert skill.next_level.lift_cap
    assert skill.next_level.criteria[0] == "security.injection"


def _finding(confidence: Confidence, rule: str = "BSDB001", **kw: object) -> Finding:
    data: dict[str, object] = {
        "checker": "python_ast",
        "rule": rule,
        "skill": "database",
        "criterion": "database.query_safety",
        "severity": Severity.HIGH,
        "confidence": confidence,
        "message": "m",
        "path": "app/db.py",
        "line": 3,
        "role": Role.SOURCE,
        **kw,
    }
    return Finding.model_validate(data)


def test_confidence_lowers_the_weight_of_a_cap() -> None:
    # BSDB001 at high confidence says "built from the function's parameters", which is
    # not request input: alone a hotspot; with our trace (BSSEC053) a vulnerability.
    assert cap_spec([_finding(Confidence.HIGH)]) is None
    high = cap_spec([_finding(Confidence.HIGH, rule="BSSEC053")])
    # Debug mode on is a flaw by itself (no data flow needed): a vulnerability.
    medium = cap_spec(
        [_finding(Confidence.MEDIUM, rule=r, line=n) for r, n in (("BSSEC010", 1), ("B201", 9))]
    )
    assert high is not None
    assert medium is not None
    assert high.findings[0].kind == "vulnerability"
    assert cap_spec([_finding(Confidence.LOW)]) is None
    assert cap_spec([_finding(Confidence.MEDIUM, rule="BSSEC010")]) is None  # half: no cap
    # A string-built query whose values the checker could not trace to input: a hotspot.
    assert cap_spec([_finding(Confidence.MEDIUM)]) is None
    assert medium.weight == 1.0
    assert medium.value == high.value
    # A sink without evidence of outside input is a hotspot: it never caps, however many
    # (mature projects use dangerous sinks on purpose); it costs its density points.
    hotspot = cap_spec([_finding(Confidence.HIGH, rule="B602", checker="bandit")])
    assert hotspot is None
    many = [_finding(Confidence.HIGH, rule="B602", checker="bandit", line=n) for n in range(40)]
    assert cap_spec(many) is None
    # One vulnerability among them caps, and only the vulnerability is named.
    traced = _finding(Confidence.HIGH, rule="BSSEC050", checker="python_ast", line=99)
    mixed = cap_spec([*many, traced])
    assert mixed is not None
    assert mixed.value == 47.5
    assert [f.kind for f in mixed.findings] == ["vulnerability"]
    # Low severity, a test file, a suppression: no cap.
    assert cap_spec([_finding(Confidence.HIGH, severity=Severity.MEDIUM)]) is None
    assert cap_spec([_finding(Confidence.HIGH, role=Role.TEST)]) is None
    assert cap_spec([_finding(Confidence.HIGH, suppressed="# nosec: reviewed")]) is None
    # Several vulnerabilities take it to novice, never below the floor.
    assert cap_value(1) == 47.5
    assert cap_value(2) == 35.0
    assert cap_value(40) == 25.0


def test_a_low_confidence_finding_caps_less_than_a_high_one(make_tree: TreeFactory) -> None:
    # The same settings in a development settings module are low confidence.
    prod = security(make_tree(app(FIXED_VIEWS, SETTINGS)))
    dev = security(
        make_tree(
            {
                **app(FIXED_VIEWS, FIXED_SETTINGS),
                "app/settings_dev.py": SETTINGS,
            }
        )
    )
    assert prod.skill("security").cap is not None
    assert dev.skill("security").cap is None
    assert dev.skill("security").score > prod.skill("security").score  # type: ignore[operator]


def test_a_finding_in_a_test_file_does_not_cap(make_tree: TreeFactory) -> None:
    tree = app(FIXED_VIEWS, FIXED_SETTINGS, **{"tests/test_views.py": VIEWS})
    report = security(make_tree(tree))
    shown = [f for f in report.findings if f.path == "tests/test_views.py"]
    assert any("B608" in f.rules for f in shown)
    assert not any(f.counted for f in shown)
    assert report.skill("security").cap is None
    assert report.skill("security").score >= 70  # type: ignore[operator]


RELEASE_SCRIPT = """
    import requests


    def publish(token: str) -> None:
        requests.post("https://api.example.org/releases", headers={"token": token}, verify=False)


    def latest() -> str:
        return requests.get("https://api.example.org/releases/latest", verify=False).text
"""


@pytest.mark.parametrize(
    ("path", "caps"),
    [
        ("scripts/release.py", False),
        ("bin/release_manager.py", False),
        ("extra/healthcheck.py", False),  # uptime-kuma's container health check
        ("contrib/migrate_backup.py", False),
        ("tools/ci/release.py", False),
        ("app/release.py", True),  # served code: TLS off is a flaw of the service
        ("app/tools/release.py", True),  # an application's own tools package
    ],
)
def test_tls_off_in_developer_tooling_is_reported_but_does_not_cap(
    make_tree: TreeFactory, path: str, caps: bool
) -> None:
    report = security(make_tree(app(FIXED_VIEWS, FIXED_SETTINGS, **{path: RELEASE_SCRIPT})))
    found = [f for f in report.findings if f.path == path and "B501" in f.rules]
    assert len(found) == 2
    assert all(f.counted for f in found)
    assert (report.skill("security").cap is not None) is caps
    if not caps:
        assert report.skill("security").score >= 70  # type: ignore[operator]


def test_one_place_with_tls_verification_off_weighs_half_a_cap(make_tree: TreeFactory) -> None:
    """TLS off is exploited from the network path to one server: one place costs its
    density points and weighs 0.5 (no cap); a second place caps (see above)."""
    one = RELEASE_SCRIPT.split("\n\n\n    def latest")[0] + "\n"
    report = security(make_tree(app(FIXED_VIEWS, FIXED_SETTINGS, **{"app/release.py": one})))
    (finding,) = [f for f in report.findings if f.path == "app/release.py" and "B501" in f.rules]
    assert finding.counted
    assert report.skill("security").cap is None
    clean = security(make_tree(app(FIXED_VIEWS, FIXED_SETTINGS)))
    assert report.skill("security").score < clean.skill("security").score  # type: ignore[operator]


def test_a_literal_credential_in_developer_tooling_still_caps(make_tree: TreeFactory) -> None:
    # Two medium-confidence literal signing secrets weigh 1: a leak wherever they are.
    secrets = SETTINGS + '    JWT_SECRET_KEY = "jwt-signing-key-0123456789abcdefghijklm"\n'
    tree = app(FIXED_VIEWS, FIXED_SETTINGS, **{"scripts/deploy_settings.py": secrets})
    cap = security(make_tree(tree)).skill("security").cap
    assert cap is not None
    assert {f.path for f in cap.findings} == {"scripts/deploy_settings.py"}
    assert all("hard-coded credentials" in f.message for f in cap.findings)


def test_nosec_with_a_reason_is_honoured_and_shown(make_tree: TreeFactory) -> None:
    views = VIEWS.replace(
        "% name)", "% name)  # nosec B608 -- name is checked against an allow-list"
    )
    report = security(make_tree(app(views, FIXED_SETTINGS)))
    (finding,) = [f for f in report.findings if f.path == "app/views.py" and "B608" in f.rules]
    assert not finding.counted
    assert finding.suppressed == "# nosec B608: name is checked against an allow-list"
    assert report.skill("security").cap is None
    text = report_text(report, verbose=1)
    assert "name is checked against an allow-list" in text


# --------------------------------------------------------------------------- one finding, every criterion


def report_text(report: Report, fmt: str = "text", verbose: int = 0) -> str:
    reporter = load_plugins().reporters[fmt]
    return reporter.render(report, RenderOptions(verbose=verbose))


def test_an_sql_injection_costs_both_criteria_and_keeps_bandits_rule_id(
    make_tree: TreeFactory,
) -> None:
    report = security(make_tree(app(settings=FIXED_SETTINGS)))
    (finding,) = [f for f in report.findings if f.path == "app/views.py" and "B608" in f.rules]
    assert finding.line == 16
    assert set(finding.criteria) == {"database.query_safety", "security.injection"}
    assert {(s.checker, s.rule) for s in finding.sources} >= {
        ("python_ast", "BSDB001"),
        ("bandit", "B608"),
    }
    for criterion in ("database.query_safety", "security.injection"):
        result = report.criterion(criterion)
        assert result.finding_count == 1
        assert result.score is not None
        assert result.score < 60
    # Searching any format for bandit's rule id finds the finding.
    data = json.loads(report.to_json())
    (row,) = [f for f in data["findings"] if f["fingerprint"] == finding.fingerprint]
    assert {"checker": "bandit", "rule": "B608"} in row["sources"]
    assert "security.injection" in row["also"]
    sarif = json.loads(report_text(report, "sarif"))
    run = sarif["runs"][0]
    (result,) = [r for r in run["results"] if "B608" in r["properties"].get("rules", [])]
    rule = run["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert "B608" in rule["properties"]["relatedRules"]
    assert "B608" in result["message"]["text"]
    for fmt in ("text", "markdown"):
        assert "bandit B608" in report_text(report, fmt), fmt


# --------------------------------------------------------------------------- denominators


def test_javascript_under_static_does_not_dilute_python_findings(
    make_tree: TreeFactory,
) -> None:
    small = {"app/views.py": VIEWS, "app/settings.py": FIXED_SETTINGS}
    js = "\n".join(f"function f{i}(a) {{ return a + {i}; }}" for i in range(10_000)) + "\n"
    alone = security(make_tree(small))
    padded = security(make_tree({**small, "static/js/app.js": js, "static/js/jquery.min.js": js}))
    for report in (alone, padded):
        injection = report.criterion("security.injection")
        assert injection.kloc == pytest.approx(alone.criterion("security.injection").kloc)
    a = alone.criterion("security.injection").metrics["findings.weighted_per_kloc"]
    b = padded.criterion("security.injection").metrics["findings.weighted_per_kloc"]
    assert a == b
    assert a is not None
    assert a > 10
    roles = dict(padded.stats.files_by_role.items())
    assert roles.get("vendored") == 2
    assert padded.skill("security").coverage is not None
    assert padded.skill("security").coverage.languages_not_read == {}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("app/static/js/jquery.min.js", "javascript"),
        ("web/dist/main.bundle.js", "javascript"),
        ("public/js/site.js", "javascript"),
        ("assets/app.min.css", "css"),
        ("src/vendor.chunk.js", "javascript"),
        ("static/admin/js/actions.js", "javascript"),
    ],
)
def test_front_end_bundles_and_static_scripts_are_vendored(path: str, language: str) -> None:
    assert classify_role(path, language) is Role.VENDORED


def test_backend_javascript_stays_source() -> None:
    assert classify_role("src/server/routes.js", "javascript") is Role.SOURCE
    assert classify_role("app/static_pages.py", "python") is Role.SOURCE


# --------------------------------------------------------------------------- coverage


def _ruby(lines: int) -> str:
    """Ruby, a language no checker reads (Java, C#, Go and JavaScript are read)."""
    body = "\n".join(f"  def m{i}(a) = a + {i}" for i in range(lines - 2))
    return f"class Svc\n{body}\nend\n"


UNREAD = ["database", "scalability", "security", "server_side"]


@pytest.mark.parametrize(
    ("language", "files"),
    [
        ("ruby", {"lib/svc.rb": _ruby(1200)}),
        (
            "rust",
            {
                "src/main.rs": 'fn q(id: &str) -> String {\n    format!("SELECT * FROM t WHERE id = {}", id)\n}\n'
                * 100
            },
        ),
    ],
)
def test_code_no_checker_reads_is_not_assessed(
    make_tree: TreeFactory, language: str, files: Mapping[str, str]
) -> None:
    root = make_tree({**files, "README.md": "# Service\n\nWhat it does.\n"})
    report = score(root, isolated=True)
    lines = report.stats.lines[language]
    assert [n.skill for n in report.not_assessed] == UNREAD
    for skill_id in UNREAD:
        skill = report.skill(skill_id)
        assert skill.score is None
        assert skill.level is None
        assert not skill.assessed
        assert skill.reason == f"not assessed: no checker reads {language} ({lines:,} lines)"
        assert skill.coverage is not None
        assert skill.coverage.share == 0
        assert skill.coverage.languages_not_read == {language: lines}
        assert all(c.score is None for c in skill.criteria)
    collaboration = report.skill("collaboration")
    assert collaboration.score is not None
    assert collaboration.assessed
    assert report.score == collaboration.score  # the overall stands on what was read
    assert report.complete  # nothing failed: code in another language is not an error
    text = report_text(report)
    assert f"1 of 5 skills; {', '.join(UNREAD[:-1])} and {UNREAD[-1]} not assessed" in text
    assert f"not read: {language} ({lines:,} lines)" in text


def test_partial_coverage_is_shown_beside_the_score(make_tree: TreeFactory) -> None:
    root = make_tree(
        {"app/views.py": VIEWS, "app/settings.py": FIXED_SETTINGS, "svc/svc.rb": _ruby(400)}
    )
    report = score(root, skills=["security"], isolated=True)
    cov = report.skill("security").coverage
    assert cov is not None
    assert cov.languages_not_read == {"ruby": 400}
    assert cov.languages_read == {"python": cov.lines_read}
    assert 0 < (cov.share or 0) < 1
    assert report.not_assessed == []
    assert "% of source read" in report_text(report)


def test_a_schema_in_sql_migrations_is_read_beside_unread_code(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "lib/svc.rb": _ruby(300),
            "src/main/resources/db/migration/V1__init.sql": (
                "CREATE TABLE users (\n    id BIGINT PRIMARY KEY,\n    email TEXT NOT NULL\n);\n"
            ),
        }
    )
    report = score(root, isolated=True)
    database = report.skill("database")
    assert database.score is not None
    assert database.coverage is not None
    assert database.coverage.languages_read == {"sql": 4}
    assert database.coverage.languages_not_read == {"ruby": 300}
    assert [n.skill for n in report.not_assessed] == ["scalability", "security", "server_side"]


def test_language_rules_cap_when_request_fed_and_not_as_hotspots() -> None:
    # BSSEC101 on request input (high/high) is an exploitable SQL injection in Java/C#/Go/JS
    # and costs security.injection too; its hotspot form (medium/medium) never caps.
    sql = _finding(Confidence.HIGH, rule="BSSEC101", checker="polyglot", path="src/A.java")
    spec = cap_spec([sql])
    assert spec is not None
    assert spec.value == 47.5
    assert spec.findings[0].kind == "vulnerability"
    assert also_harms(sql, {"database.query_safety", "security.injection"}) == [
        "security.injection"
    ]
    hotspot = _finding(
        Confidence.MEDIUM, rule="BSSEC101", checker="polyglot", severity=Severity.MEDIUM
    )
    assert cap_spec([hotspot]) is None
    for rule in ("BSSEC102", "BSSEC103", "BSSEC107", "BSSEC110", "BSSEC114"):
        assert cap_spec([_finding(Confidence.HIGH, rule=rule, checker="polyglot")]) is not None
    # TLS verification off weighs half per place: one does not cap, two do.
    tls = _finding(Confidence.HIGH, rule="BSSEC106", checker="polyglot")
    assert cap_spec([tls]) is None
    second = tls.model_copy(update={"line": (tls.line or 0) + 10, "fingerprint": "second"})
    assert cap_spec([tls, second]) is not None
    # Hygiene rules never cap, whatever their severity.
    for rule in ("BSSEC104", "BSSEC105", "BSSEC112", "BSSEC118"):
        assert cap_spec([_finding(Confidence.HIGH, rule=rule, checker="polyglot")]) is None
