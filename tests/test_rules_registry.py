"""The rule registry: every rule of ours is declared once, its examples run through the
real pipeline, checkers emit no id the registry does not know, findings agree with their
declaration, and the docs, SARIF and the ``rules`` command are made from it.

Rules of the tree-sitter languages run their examples in ``test_languages_rules.py``
(through the ``polyglot`` checker's per-file analysis); the Python-side examples (Python,
SQL, the repository as a whole), of every rule, run here, through
:func:`backend_skills.score` on a tree built from the example, restricted to the rule's skill.

Severity and confidence of a finding equal the rule's defaults unless the rule says in
``varies`` when they differ: the configuration rules (``BSSEC001``, ``BSSEC010``-``014``)
lower the confidence in dev-only files, ``BSSEC001`` raises the severity for signing keys,
``BSSEC002`` lowers the confidence of AWS's documentation keys, ``BSSEC013`` reports
CWE-1004 for ``HttpOnly``, ``BSSEC020`` lowers the confidence when the password is known
by the hash's name, ``BSSEC031`` lowers the severity of pinned URLs, ``BSDB001``'s
confidence follows where the values come from, ``BSSRV001`` is high when the handler only
passes, ``BSRAD001``/``BSRAD002`` follow radon's ranks and the ``BSCOL`` rules are low
instead of info for files that exist but are empty or broken.
"""

from __future__ import annotations

import functools
import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from backend_skills import score
from backend_skills.cli import cli
from backend_skills.core.models import Finding, Report, Severity
from backend_skills.core.rule_meta import complete_findings
from backend_skills.rubrics import load_builtin_skills
from backend_skills.rules import POLYGLOT_RULES, PYTHON_SIDE_LANGUAGES, RULES, Example, Rule
from backend_skills.rules._docs import reference_markdown

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
DEFAULT_PATH = {"python": "app.py", "sql": "schema.sql", "repository": "README.md"}
SUFFIX = {
    "java": ".java",
    "csharp": ".cs",
    "go": ".go",
    "javascript": ".js",
    "typescript": ".ts",
    "properties": ".properties",
    "yaml": ".yml",
}
#: Examples the Python-side checkers run: every example of the Python-side rules, and the
#: Python examples of the rules the tree-sitter languages also match (BSDB202...).
PYTHON_EXAMPLES = [
    (rule, index)
    for rule in RULES.values()
    for index, example in enumerate(rule.examples)
    if example.language in PYTHON_SIDE_LANGUAGES
]
CASES = [
    pytest.param(
        rule, index, id=f"{rule.id}-{index}-{'fires' if rule.examples[index].lines else 'quiet'}"
    )
    for rule, index in PYTHON_EXAMPLES
]


def _path(example: Example) -> str:
    return example.path or DEFAULT_PATH[example.language]


def _write(root: Path, files: dict[str, str]) -> Path:
    for path, content in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    return root


def _tree(example: Example) -> dict[str, str]:
    files = dict(example.files)
    if example.code:
        files[_path(example)] = example.code
    return files


@functools.cache
def _report(rule_id: str, index: int) -> Report:
    """The report of one example's tree, scored on the rule's skill (once per session)."""
    rule = RULES[rule_id]
    with tempfile.TemporaryDirectory() as folder:
        root = _write(Path(folder), _tree(rule.examples[index]))
        return score(root, skills=[rule.skill], isolated=True, cache=False, jobs=1)


def _ours(report: Report, rule_id: str) -> list[Finding]:
    """Findings reported under ``rule_id``, merged ones included (a trace rule's finding
    merges into the hotspot it upgrades: B602 listing BSSEC050)."""
    return [f for f in report.findings if rule_id in f.rules]


# --------------------------------------------------------------------------- declarations


@pytest.mark.parametrize("rule", list(RULES.values()), ids=list(RULES))
def test_every_rule_has_an_example_that_fires_and_one_that_stays_quiet(rule: Rule) -> None:
    assert rule.firing, f"{rule.id} has no example that fires"
    assert rule.quiet, f"{rule.id} has no example that stays quiet"


@pytest.mark.parametrize("rule", list(RULES.values()), ids=list(RULES))
def test_every_declaration_is_complete(rule: Rule) -> None:
    criteria = {c.id for s in load_builtin_skills() for c in s.criteria}
    assert re.fullmatch(r"BS(?:SEC|DB|SRV|SCL|COL|RAD)\d{3}", rule.id)
    assert rule.criterion.startswith(rule.skill + ".")
    assert rule.criterion in criteria, f"{rule.id}: unknown criterion {rule.criterion}"
    for text in (rule.title, rule.rationale, rule.fix, rule.message):
        assert text.strip()
    assert rule.languages
    assert rule.cwe is None or rule.cwe > 0
    for example in rule.examples:
        assert example.language in rule.languages, (rule.id, example.language)
    if rule.id not in POLYGLOT_RULES:
        assert not rule.patterns, "a Python-side rule is implemented by its checker"
        assert rule.checker in {"python_ast", "radon", "sqlfluff", "repo"}
        assert set(rule.languages) <= PYTHON_SIDE_LANGUAGES


def test_titles_and_ids_are_unique() -> None:
    titles = [r.title for r in RULES.values()]
    assert len(titles) == len(set(titles))
    assert len(RULES) >= 70
    for prefix in ("BSSEC0", "BSDB", "BSSRV0", "BSSCL0", "BSCOL", "BSRAD"):
        assert any(r.startswith(prefix) for r in RULES), prefix


# --------------------------------------------------------------------------- examples


@pytest.mark.parametrize(("rule", "index"), CASES)
def test_example_through_the_pipeline(rule: Rule, index: int) -> None:
    example = rule.examples[index]
    found = _ours(_report(rule.id, index), rule.id)
    if not example.lines:
        assert found == [], f"{rule.id} fired on its best-practice example"
        return
    at = sorted({f.line or 0 for f in found if f.path == _path(example)})
    assert at == sorted(example.lines), [(f.path, f.line) for f in found]
    for finding in found:
        _assert_agrees(finding, rule)


def _assert_agrees(finding: Finding, rule: Rule) -> None:
    assert (finding.skill, finding.criterion) == (rule.skill, rule.criterion)
    assert rule.checker in (finding.checker, *(s.checker for s in finding.sources))
    if finding.rule == rule.id:  # a merged finding links to its own rule's page
        assert finding.help_uri == rule.help_uri
    if not rule.varies:
        assert (finding.severity, finding.confidence) == (rule.severity, rule.confidence)
        assert finding.cwe == rule.cwe


# --------------------------------------------------------------------------- no unknown ids


def _fixture_roots() -> list[Path]:
    roots = [FIXTURES / "good_service", FIXTURES / "poor_app", FIXTURES / "radon"]
    roots += sorted(p for p in (FIXTURES / "database").iterdir() if p.is_dir())
    roots += sorted(p for p in (FIXTURES / "security").iterdir() if p.is_dir())
    return roots


def _every_example_in_one_tree() -> dict[str, str]:
    files: dict[str, str] = {}
    for number, (rule, example) in enumerate(
        (r, e) for r in RULES.values() for e in r.examples if e.code
    ):
        if rule.id in POLYGLOT_RULES:
            path = example.path or f"src/example{SUFFIX.get(example.language, '.txt')}"
        else:
            path = _path(example)
        files[f"ex{number:03d}/{path}"] = example.code
    return files


@functools.cache
def _wide_reports() -> tuple[Report, ...]:
    """Reports of the fixtures and of every example's file, all skills scored."""
    reports = [score(root, isolated=True, cache=False, jobs=1) for root in _fixture_roots()]
    with tempfile.TemporaryDirectory() as folder:
        root = _write(Path(folder), _every_example_in_one_tree())
        reports.append(score(root, isolated=True, cache=False, jobs=1))
    return tuple(reports)


def _all_findings() -> Iterator[Finding]:
    for report in _wide_reports():
        yield from report.findings
    for rule, index in PYTHON_EXAMPLES:
        yield from _report(rule.id, index).findings


def _known_ids() -> set[str]:
    """Every rule of ours is declared in the registry (issue 14): no allow-list."""
    return set(RULES)


def test_checkers_emit_no_rule_id_the_registry_does_not_know() -> None:
    emitted = {f.rule for f in _all_findings() if f.rule.startswith("BS")}
    assert len(emitted) >= 40, sorted(emitted)  # the trees do exercise the checkers
    known = _known_ids()
    assert emitted <= known, f"undeclared rule ids: {sorted(emitted - known)}"


def test_findings_agree_with_their_declaration() -> None:
    checked = 0
    for finding in _all_findings():
        rule = RULES.get(finding.rule)
        if rule is None:
            continue
        checked += 1
        assert (finding.skill, finding.criterion) == (rule.skill, rule.criterion), finding
        assert finding.help_uri == rule.help_uri
        if rule.id in POLYGLOT_RULES:
            continue  # taint and complexity ranks vary these: see test_languages_rules.py
        if finding.checker == "polyglot" and rule.criterion == "security.authorization":
            continue  # one judge for every language's endpoints: rules/_authorization.py
        assert rule.checker in (finding.checker, *finding.sources), finding
        if not rule.varies:
            assert (finding.severity, finding.confidence) == (rule.severity, rule.confidence)
            assert finding.cwe == rule.cwe
    assert checked >= 100


# --------------------------------------------------------------------------- completion


def _finding(rule: str, skill: str, criterion: str, cwe: int | None = None) -> Finding:
    return Finding(
        checker="x",
        rule=rule,
        skill=skill,
        criterion=criterion,
        severity=Severity.LOW,
        message="m",
        path="a.py",
        cwe=cwe,
    )


def test_completion_fills_only_what_is_missing_and_only_our_rules() -> None:
    ours = _finding("BSSRV002", "server_side", "server_side.error_handling")
    kept = _finding("BSSEC013", "security", "security.configuration", cwe=1004)
    namesake = _finding("BSSRV002", "demo", "demo.x")  # another tool's id, same spelling
    bandit = _finding("B608", "database", "database.query_safety", cwe=89)
    complete_findings([ours, kept, namesake, bandit], RULES)
    assert (ours.cwe, ours.help_uri) == (390, RULES["BSSRV002"].help_uri)
    assert ours.help_uri.endswith("docs/rules-reference.md#bssrv002")
    assert (kept.cwe, kept.help_uri) == (1004, RULES["BSSEC013"].help_uri)
    assert (namesake.cwe, namesake.help_uri) == (None, "")
    assert (bandit.cwe, bandit.help_uri) == (89, "")


def test_a_plugin_declares_its_rules_through_the_hook(tmp_path: Path) -> None:
    from backend_skills import hookimpl
    from tests.test_pipeline import SKILL, DemoPlugin, TodoChecker

    class Declared:
        id = "TD001"
        title = "TODO left in code"
        skill = "demo"
        criterion = "demo.todos"
        cwe = 546
        help_uri = "https://example.org/rules#td001"

    class WithRules(DemoPlugin):
        @hookimpl
        def backend_skills_rules(self) -> list[object]:
            return [Declared(), "not a rule"]

    (tmp_path / "app.py").write_text("x = 1  # TODO\n")
    report = score(tmp_path, skills=[SKILL.id], isolated=True, plugins=[WithRules([TodoChecker()])])
    (finding,) = report.findings
    assert (finding.cwe, finding.help_uri) == (546, Declared.help_uri)


# --------------------------------------------------------------------------- outputs


def test_rules_reference_is_current() -> None:
    page = (ROOT / "docs" / "rules-reference.md").read_text(encoding="utf-8")
    assert page == reference_markdown(RULES.values()), (
        "docs/rules-reference.md is stale: run `python docs/gen.py`"
    )
    for rule in RULES.values():
        assert f"### {rule.id}\n" in page
        assert f"](#{rule.anchor})" in page


def test_sarif_rule_metadata_comes_from_the_registry(tmp_path: Path) -> None:
    from backend_skills.core.checker import RenderOptions
    from backend_skills.reporters.sarif import SarifReporter

    (tmp_path / "app.py").write_text(
        "import subprocess\n\n\ndef f(cmd):\n    try:\n        subprocess.call(cmd, shell=True)\n"
        "    except Exception:\n        pass\n"
    )
    report = score(tmp_path, skills=["server_side", "security"], isolated=True, cache=False)
    log = SarifReporter().log(report, RenderOptions())
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    ours = rules["BSSRV002"]
    declared = RULES["BSSRV002"]
    assert ours["name"] == "BroadExceptThatOnlyPasses"
    assert ours["shortDescription"]["text"] == declared.title
    assert ours["fullDescription"]["text"] == declared.rationale
    assert ours["helpUri"] == declared.help_uri
    assert declared.fix in ours["help"]["markdown"]
    assert "external/cwe/cwe-390" in ours["properties"]["tags"]
    bandit = rules["B602"]  # a third-party rule keeps its tool's description
    assert "helpUri" not in bandit
    assert "shell" in bandit["shortDescription"]["text"].lower()


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["rules", *args])
    return result.exit_code, result.output


def test_rules_command_lists_and_filters() -> None:
    code, out = _cli()
    assert code == 0
    assert all(rule_id in out for rule_id in RULES)
    code, out = _cli("--skill", "database", "--language", "sql")
    assert code == 0
    assert "BSDB101" in out
    assert "BSDB001" not in out  # Python only
    assert "BSSEC001" not in out
    code, out = _cli("--language", "go", "--format", "json")
    listed = json.loads(out)
    assert {r["id"] for r in listed} == {r.id for r in RULES.values() if "go" in r.languages}
    assert all("go" in r["languages"] for r in listed)


def test_rules_command_explains_one_rule_in_any_case() -> None:
    code, out = _cli("bssec021")
    rule = RULES["BSSEC021"]
    assert code == 0
    assert out.startswith("BSSEC021: JWT without signature verification")
    for text in ("CWE-347", rule.fix, "Anti-pattern", "Best practice", rule.help_uri):
        assert text in out
    assert 'options={"verify_signature": False}' in out  # the example's code
    code, out = _cli("BSCOL001", "--format", "json")
    data = json.loads(out)
    assert data["id"] == "BSCOL001"
    assert {e["kind"] for e in data["examples"]} == {"anti-pattern", "best-practice"}
    assert data["rationale"] == RULES["BSCOL001"].rationale


def test_rules_command_rejects_unknown_ids_and_filters() -> None:
    result = CliRunner().invoke(cli, ["rules", "BSXXX999"])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "no rule 'BSXXX999'" in result.output
    assert CliRunner().invoke(cli, ["rules", "--skill", "cooking"]).exit_code == 2


@pytest.mark.parametrize(
    "name",
    [
        "password",
        "dbPwd",
        "clientSecret",
        "authToken",
        "apiKey",
        "API_KEY",
        "accessKey",
        "AWS_ACCESS_KEY",
        "privateKey",
        "private_key",
        "credentials",
        "passphrase",
    ],
)
def test_every_secret_name_holds_a_needle_of_the_secrets_rule(name: str) -> None:
    """BSSEC109's query runs only around its needles: a name the secret condition accepts
    must hold one of them (lower-cased), or its literal would never be looked at."""
    from backend_skills.rules._engine import SECRET_NAME
    from backend_skills.rules._security_secrets import SECRET_NEEDLES

    assert SECRET_NAME.search(name)
    assert any(needle in name.lower() for needle in SECRET_NEEDLES)
