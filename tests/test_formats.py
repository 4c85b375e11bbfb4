"""Each CI format, produced for a vulnerable app, checked against that format's rules."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest

from backend_skills import Confidence, Finding, Level, Report, Severity
from backend_skills.core.checker import RenderOptions
from backend_skills.core.plugins import load_plugins
from backend_skills.reporters._common import FormatOptionError
from backend_skills.reporters.github import MAX_PER_KIND, escape_data, escape_property

from .test_cli import run_cli
from .vulnapp import INJECTION, UNSAFE, plugin_env, vulnerable_report, write_vulnerable_app

HOSTILE_PATH = "app/we|ird,na:me%20<b>.py"
FORMATS = ("markdown", "sarif", "gitlab", "junit", "github", "badge")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    root = write_vulnerable_app(tmp_path_factory.mktemp("vulnapp"))
    return vulnerable_report(root)


def render(report: Report, fmt: str, **kwargs: Any) -> str:
    return load_plugins().reporters[fmt].render(report, RenderOptions(**kwargs))


def with_findings(report: Report, findings: list[Finding]) -> Report:
    return report.model_copy(update={"findings": findings})


def hostile_finding(**changes: Any) -> Finding:
    base: dict[str, Any] = {
        "fingerprint": "f" * 32,
        "checker": "vulnapp",
        "rule": "FV001",
        "skill": "security",
        "criterion": INJECTION,
        "severity": Severity.HIGH,
        "confidence": Confidence.HIGH,
        "message": "100% bad:\r\nnext, line ::error::injected <script>&</script> | @octocat",
        "path": "a:b,c%d.py",
        "line": 3,
    }
    return Finding(**{**base, **changes})


def test_the_vulnerable_app_has_findings_of_every_kind(report: Report) -> None:
    # Guards the fixture the other tests rely on.
    severities = {f.severity for f in report.findings if f.counted}
    assert severities == set(Severity)
    assert any(not f.counted for f in report.findings), "a finding in tests/ costs nothing"
    assert any(f.path == HOSTILE_PATH for f in report.findings)
    assert len({f.fingerprint for f in report.findings}) == len(report.findings)


def test_every_format_is_a_registered_plugin() -> None:
    reporters = load_plugins().reporters
    for fmt in FORMATS:
        assert fmt in reporters
        assert reporters[fmt].description


# --------------------------------------------------------------------------- SARIF


def test_sarif_results_reference_described_rules(report: Report) -> None:
    log = json.loads(render(report, "sarif"))
    assert log["version"] == "2.1.0"
    assert "sarif-2.1.0" in log["$schema"]
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "backend-skills"
    assert driver["version"]
    assert driver["informationUri"].startswith("https://")
    rules = driver["rules"]
    assert len({r["id"] for r in rules}) == len(rules)
    results = run["results"]
    counted = [f for f in report.findings if f.counted]
    assert len(results) == len(counted)
    for result in results:
        rule = rules[result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"]
    used = {r["ruleId"] for r in results}
    assert used == {r["id"] for r in rules}, "a rule for every ruleId used, and no others"
    for rule in rules:
        assert rule["shortDescription"]["text"]
        assert rule["fullDescription"]["text"]
        assert rule["help"]["text"]
        assert rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        props = rule["properties"]
        assert "security" in props["tags"]
        assert len(props["tags"]) <= 20
        assert props["precision"] in ("very-high", "high", "medium", "low")
    by_id = {r["id"]: r for r in rules}
    # The rule's help comes from its criterion's remediation.
    remediation = report.criterion(INJECTION).remediation
    assert remediation in by_id["FV001"]["help"]["markdown"]
    assert "external/cwe/cwe-89" in by_id["FV001"]["properties"]["tags"]


def test_sarif_security_severity_is_a_numeric_string(report: Report) -> None:
    rules = json.loads(render(report, "sarif"))["runs"][0]["tool"]["driver"]["rules"]
    by_id = {r["id"]: r for r in rules}
    critical = float(by_id["FV002"]["properties"]["security-severity"])
    high = float(by_id["FV001"]["properties"]["security-severity"])
    low = float(by_id["FV004"]["properties"]["security-severity"])
    assert 9.0 <= critical <= 10.0
    assert 7.0 <= high < 9.0
    assert 0.1 <= low < 4.0
    assert "security-severity" not in by_id["FV005"]["properties"], "info has no severity"


def test_sarif_locations_are_relative_uris_with_fingerprints(report: Report) -> None:
    run = json.loads(render(report, "sarif"))["runs"][0]
    by_fingerprint = {f.fingerprint: f for f in report.findings}
    seen = set()
    for result in run["results"]:
        (location,) = result["locations"]
        artifact = location["physicalLocation"]["artifactLocation"]
        uri = artifact["uri"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        parsed = urlparse(uri)
        assert not parsed.scheme
        assert not parsed.netloc
        assert not uri.startswith("/")
        assert " " not in uri
        assert "|" not in uri
        fingerprint = result["partialFingerprints"]["backendSkills/v1"]
        assert fingerprint not in seen
        seen.add(fingerprint)
        finding = by_fingerprint[fingerprint]
        assert unquote(uri) == finding.path
        region = location["physicalLocation"]["region"]
        assert region["startLine"] == finding.line
        assert region["startLine"] >= 1
        assert region["startColumn"] >= 1
    assert run["automationDetails"]["id"] == "backend-skills/"


def test_sarif_fingerprints_survive_unrelated_line_moves(tmp_path: Path) -> None:
    before = vulnerable_report(write_vulnerable_app(tmp_path / "before"))
    moved = write_vulnerable_app(tmp_path / "after")
    main = moved / "app" / "main.py"
    main.write_text("import os\nimport sys\n\n\n" + main.read_text(encoding="utf-8"))
    after = vulnerable_report(moved)

    def prints(report: Report) -> dict[str, int]:
        run = json.loads(render(report, "sarif"))["runs"][0]
        return {
            r["partialFingerprints"]["backendSkills/v1"]: r["locations"][0]["physicalLocation"][
                "region"
            ]["startLine"]
            for r in run["results"]
        }

    old, new = prints(before), prints(after)
    assert set(old) == set(new)
    shifted = [fp for fp in old if new[fp] != old[fp]]
    assert shifted, "the lines did move"
    assert all(new[fp] == old[fp] + 4 for fp in shifted)


def test_sarif_without_a_line_points_at_line_one_and_prefix_applies(report: Report) -> None:
    finding = hostile_finding(line=None, path="svc file.py")
    log = json.loads(
        render(with_findings(report, [finding]), "sarif", extra={"path_prefix": "./backend/"})
    )
    (result,) = log["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]
    assert location["region"] == {"startLine": 1}
    assert location["artifactLocation"]["uri"] == "backend/svc%20file.py"
    assert "\n" not in result["message"]["text"]


def test_sarif_category_option_and_test_findings_with_verbose(report: Report) -> None:
    log = json.loads(render(report, "sarif", verbose=1, extra={"sarif_category": "svc/api"}))
    run = log["runs"][0]
    assert run["automationDetails"]["id"] == "svc/api/"
    assert len(run["results"]) == len(report.findings)
    in_tests = [r for r in run["results"] if r["properties"]["role"] == "test"]
    assert in_tests
    assert all(r["properties"]["counted"] is False for r in in_tests)


# --------------------------------------------------------------------------- GitLab


def test_gitlab_code_quality_issues(report: Report) -> None:
    issues = json.loads(render(report, "gitlab"))
    assert isinstance(issues, list)
    assert len(issues) == sum(1 for f in report.findings if f.counted)
    fingerprints = [i["fingerprint"] for i in issues]
    assert len(set(fingerprints)) == len(fingerprints)
    for issue in issues:
        assert issue["description"]
        assert issue["check_name"]
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        path = issue["location"]["path"]
        assert not path.startswith(("/", "./"))
        assert issue["location"]["lines"]["begin"] >= 1
    severities = {i["check_name"]: i["severity"] for i in issues}
    assert severities["FV002"] == "blocker"  # critical
    assert severities["FV001"] == "critical"  # high
    assert severities["FV003"] == "major"  # medium
    assert severities["FV004"] == "minor"  # low
    assert severities["FV005"] == "info"
    assert HOSTILE_PATH in {i["location"]["path"] for i in issues}


def test_gitlab_fingerprints_stay_unique_even_for_duplicate_input(report: Report) -> None:
    twins = [hostile_finding(line=n, fingerprint="same") for n in (1, 2, 3)]
    twins.append(hostile_finding(line=9, fingerprint=""))
    issues = json.loads(render(with_findings(report, twins), "gitlab"))
    fingerprints = [i["fingerprint"] for i in issues]
    assert len(fingerprints) == 4
    assert len(set(fingerprints)) == 4
    assert all(fingerprints)


# --------------------------------------------------------------------------- JUnit


def test_junit_has_one_testcase_per_criterion(report: Report) -> None:
    root = ET.fromstring(render(report, "junit"))
    assert root.tag == "testsuites"
    cases = root.findall("./testsuite/testcase")
    criteria = [c for s in report.skills for c in s.criteria]
    assert len(cases) == len(criteria) == int(root.attrib["tests"])
    assert {c.attrib["classname"] for c in cases} == {s.id for s in report.skills}
    by_name = {c.attrib["name"]: c for c in cases}
    injection = next(c for n, c in by_name.items() if INJECTION in n)
    failure = injection.find("failure")
    assert failure is not None
    assert "threshold 70" in failure.attrib["message"]  # the rubric's own threshold
    assert "app/main.py:" in (failure.text or "")
    unsafe = next(c for n, c in by_name.items() if UNSAFE in n)
    failure = unsafe.find("failure")
    assert failure is not None
    assert "threshold 60" in failure.attrib["message"]  # the documented default
    assert int(root.attrib["failures"]) == 2


def test_junit_passes_skips_and_threshold_option(report: Report) -> None:
    skill = report.skills[0]
    injection, unsafe = skill.criteria
    changed = report.model_copy(
        update={
            "skills": [
                skill.model_copy(
                    update={
                        "criteria": [
                            injection.model_copy(update={"score": 80.0}),
                            unsafe.model_copy(
                                update={
                                    "score": None,
                                    "assessed": False,
                                    "reason": "checker vulnapp failed: boom",
                                }
                            ),
                        ]
                    }
                )
            ]
        }
    )
    root = ET.fromstring(render(changed, "junit", extra={"junit_threshold": "90"}))
    first, second = root.findall("./testsuite/testcase")
    assert first.find("failure") is None  # 80 >= the rubric's own threshold 70
    skipped = second.find("skipped")
    assert skipped is not None
    assert "not assessed: checker vulnapp failed: boom" in skipped.attrib["message"]
    assert root.attrib["skipped"] == "1"
    assert root.attrib["failures"] == "0"
    with pytest.raises(FormatOptionError):
        render(changed, "junit", extra={"junit_threshold": "high"})


def test_junit_escapes_hostile_text(report: Report) -> None:
    nasty = 'x <y> & "z" \' ]]> \x00\x1b[31m \ud800 end'
    skill = report.skills[0]
    criterion = skill.criteria[0].model_copy(update={"name": nasty, "remediation": nasty})
    changed = report.model_copy(
        update={
            "skills": [skill.model_copy(update={"criteria": [criterion]})],
            "findings": [hostile_finding(message=nasty, path="<a>&b.py")],
        }
    )
    text = render(changed, "junit")
    root = ET.fromstring(text)  # parses: markup escaped, invalid characters gone
    (case,) = root.findall("./testsuite/testcase")
    assert case.attrib["name"].startswith('x <y> & "z" \' ]]>')
    failure = case.find("failure")
    assert failure is not None
    assert "<a>&b.py:3" in (failure.text or "")
    assert "\x00" not in text
    assert "\x1b" not in text


# --------------------------------------------------------------------------- GitHub


def test_github_escaping_rules() -> None:
    assert escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"
    assert escape_data("a:b,c") == "a:b,c", "':' and ',' are only escaped in properties"


def test_github_annotations_escape_repository_text(report: Report) -> None:
    text = render(with_findings(report, [hostile_finding()]), "github")
    lines = text.splitlines()
    (annotation,) = [line for line in lines if line.startswith("::error file=")]
    head, _, message = annotation[2:].partition("::")
    command, _, props = head.partition(" ")
    assert command == "error"
    fields = dict(p.split("=", 1) for p in props.split(","))
    assert fields["file"] == "a%3Ab%2Cc%25d.py"
    assert fields["line"] == "3"
    assert "%3A" not in message
    assert message.startswith("100%25 bad:%0D%0Anext, line ::error::injected")
    # The message could not start a second workflow command on its own line.
    assert not any(line.startswith("::error::injected") for line in lines)


def test_github_annotations_map_severity_and_skip_uncounted(report: Report) -> None:
    lines = render(report, "github").splitlines()
    annotations = [line for line in lines if line.startswith("::")]
    kinds = [line[2:].split(" ", 1)[0] for line in annotations]
    counted = [f for f in report.findings if f.counted]
    assert len(annotations) == len(counted)
    assert kinds.count("error") == 4  # critical + 3 high
    assert kinds.count("warning") == 1
    assert kinds.count("notice") == 2
    assert not any("tests/test_main.py" in line for line in annotations)


def test_github_annotations_are_capped_with_a_summary(report: Report) -> None:
    many = [
        hostile_finding(line=n, severity=sev, fingerprint=f"{sev.value}{n}", path="app.py")
        for n in range(1, 16)
        for sev in (Severity.HIGH, Severity.MEDIUM, Severity.LOW)
    ]
    lines = render(with_findings(report, many), "github").splitlines()
    kinds = [line[2:].split(" ", 1)[0] for line in lines if line.startswith("::")]
    assert kinds.count("error") == MAX_PER_KIND
    assert kinds.count("warning") == MAX_PER_KIND
    assert kinds.count("notice") == MAX_PER_KIND  # 9 findings + the summary
    summary = lines[-1]
    assert summary.startswith("::notice title=backend-skills::")
    assert "16 more findings not annotated" in summary  # 45 - 10 - 10 - 9


# --------------------------------------------------------------------------- Markdown


def test_markdown_summary_costly_criteria_and_top_findings(report: Report) -> None:
    text = render(report, "markdown")
    assert text.startswith("## backend-skills: 0.0 / 100 (novice)")
    assert "| Web security | 0.0 | novice |" in text
    assert "### What costs most points" in text
    assert "Injection \\(test stand\\-in\\)" in text
    assert "app/main\\.py:" in text
    assert len(text.encode("utf-8")) < 65_000


def test_markdown_escapes_repository_text(report: Report) -> None:
    finding = hostile_finding(
        message="<img src=x onerror=alert(1)> | [click](http://evil) @octocat **bold**",
        path="a|b.py",
    )
    text = render(with_findings(report, [finding]), "markdown")
    row = next(line for line in text.splitlines() if "onerror" in line)
    assert "<img" not in row
    assert "&lt;img" in row
    assert "[click](" not in row
    assert "@octocat" not in row
    assert "**bold**" not in row
    # Only the table's own pipes are unescaped: 6 for 5 columns.
    unescaped = row.replace("\\|", "")
    assert unescaped.count("|") == 6


def test_markdown_stays_under_its_budget_and_says_so(report: Report) -> None:
    many = [
        hostile_finding(line=n, fingerprint=str(n), message="x" * 300, path=f"m{n}.py")
        for n in range(1, 6000)
    ]
    big = with_findings(report, many)
    full = render(big, "markdown", verbose=1)
    assert len(full.encode("utf-8")) <= 1_000_000
    assert "Report truncated" in full
    assert full.count("<details>") == full.count("</details>")
    short = render(big, "markdown")
    assert len(short.encode("utf-8")) <= 65_000
    assert "5,979 more in the full report" in short
    tiny = render(big, "markdown", extra={"markdown_max_bytes": "3000"})
    assert len(tiny.encode("utf-8")) <= 3000
    assert "Report truncated" in tiny


# --------------------------------------------------------------------------- badge


def test_badge_is_a_shields_endpoint(report: Report) -> None:
    badge = json.loads(render(report, "badge"))
    assert badge == {
        "schemaVersion": 1,
        "label": "backend skills",
        "message": "0/100 novice",
        "color": "red",
    }
    skill = json.loads(render(report, "badge", extra={"badge_skill": "security"}))
    assert skill["label"] == "Web security"
    with pytest.raises(FormatOptionError, match="no such skill"):
        render(report, "badge", extra={"badge_skill": "cooking"})


def test_badge_colour_follows_the_level(report: Report) -> None:
    better = report.model_copy(update={"score": 91.2, "level": Level.EXPERT})
    badge = json.loads(render(better, "badge"))
    assert badge["message"] == "91/100 expert"
    assert badge["color"] == "brightgreen"
    incomplete = better.model_copy(update={"complete": False})
    assert json.loads(render(incomplete, "badge"))["color"] == "lightgrey"


# --------------------------------------------------------------------------- CLI


def test_cli_writes_several_formats_at_once(tmp_path: Path) -> None:
    root = write_vulnerable_app(tmp_path / "app")
    env = plugin_env(tmp_path / "site")
    out = tmp_path / "out"
    args: list[str | Path] = ["score", root, "--isolated", "--skill", "security", "-q"]
    for fmt, name in (("sarif", "r.sarif"), ("gitlab", "cq.json"), ("junit", "r.xml")):
        args += ["--format", fmt, "-o", out / name]
    args += ["--format", "github", "--format-option", "path_prefix=svc"]
    result = run_cli(*args, env=env)
    assert result.returncode == 0, result.stderr
    assert "::error file=svc/app/main.py,line=" in result.stdout
    sarif = json.loads((out / "r.sarif").read_text(encoding="utf-8"))
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif["runs"][0]["results"]
    }
    assert "svc/app/main.py" in uris
    assert json.loads((out / "cq.json").read_text(encoding="utf-8"))
    ET.fromstring((out / "r.xml").read_text(encoding="utf-8"))


def test_cli_bad_format_option_is_a_usage_error(tmp_path: Path) -> None:
    root = write_vulnerable_app(tmp_path / "app")
    env = plugin_env(tmp_path / "site")
    result = run_cli(
        "score", root, "--isolated", "--skill", "security", "-f", "badge",
        "--format-option", "badge_skill=cooking", env=env,
    )  # fmt: skip
    assert result.returncode == 2
    assert (
        result.stderr.strip().splitlines()[-1].startswith("backend-skills: error: --format badge")
    )
    result = run_cli("score", root, "--format-option", "novalue", env=env)
    assert result.returncode == 2
    assert "expected KEY=VALUE" in result.stderr


@pytest.mark.parametrize("color", [False, True])
def test_text_report_lines_have_no_trailing_blanks(report: Report, color: bool) -> None:
    text = render(report, "text", color=color, verbose=1)
    codes_at_end = re.compile(r"(?:\x1b\[[0-9;]*m)+$")
    padded = [line for line in text.splitlines() if codes_at_end.sub("", line).endswith(" ")]
    assert padded == []
    assert "Overall" in text
    assert ("\x1b[" in text) is color
