"""Every rule declared in the registry runs its own examples.

A rule without an example that fires or without one that stays quiet fails here, and
so does an example that fires at other lines than it declares.
"""

from __future__ import annotations

import re

import pytest

from backend_skills.checkers.polyglot import analyse_source
from backend_skills.core.models import Role
from backend_skills.languages import LANGUAGES, load_language
from backend_skills.rules import PATTERN_RULES, PYTHON_SIDE_LANGUAGES, Example, Rule
from backend_skills.rules import (
    POLYGLOT_RULES as RULES,
)  # the Python-side ones (and Python examples of these): test_rules_registry

SUFFIX = {
    "java": ".java",
    "csharp": ".cs",
    "go": ".go",
    "javascript": ".js",
    "typescript": ".ts",
    "properties": ".properties",
    "yaml": ".yml",
}

CASES = [
    pytest.param(
        rule,
        example,
        id=f"{rule.id}-{example.language}-{index}-{'fires' if example.lines else 'quiet'}",
    )
    for rule in RULES.values()
    for index, example in enumerate(rule.examples)
    if example.language not in PYTHON_SIDE_LANGUAGES
]


def _manifest_lines(rule: Rule, example: Example) -> list[int]:
    """Dependency manifests are read at the repository level: discover a one-file tree."""
    import tempfile
    from pathlib import Path

    from backend_skills.checkers._polyglot_deps import dependency_results
    from backend_skills.core.discovery import discover

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / example.path).write_text(example.code)
        _, findings = dependency_results(discover(Path(folder)).files)
    return sorted({f.line or 0 for f in findings if f.rule == rule.id})


def _lines(rule: Rule, example: Example) -> list[int]:
    if example.language in ("json", "xml", "gomod", "groovy"):
        return _manifest_lines(rule, example)
    path = example.path or f"src/example{SUFFIX[example.language]}"
    result = analyse_source(path, example.language, example.code, Role.SOURCE)
    assert result.skipped is None, result.skipped
    return sorted({f.line or 0 for f in result.findings if f.rule == rule.id})


@pytest.mark.parametrize(("rule", "example"), CASES)
def test_example(rule: Rule, example: Example) -> None:
    assert _lines(rule, example) == sorted(example.lines)


@pytest.mark.parametrize("rule", list(RULES.values()), ids=list(RULES))
def test_every_rule_has_a_firing_and_a_quiet_example(rule: Rule) -> None:
    assert rule.firing, f"{rule.id} has no example that fires"
    assert rule.quiet, f"{rule.id} has no example that stays quiet"


@pytest.mark.parametrize("rule", list(RULES.values()), ids=list(RULES))
def test_rule_declaration_is_complete(rule: Rule) -> None:
    assert re.fullmatch(r"BS(?:SEC|SRV|SCL)1\d\d|BSDB2\d\d", rule.id)
    assert rule.criterion.startswith(rule.skill + ".")
    assert rule.title
    assert rule.rationale
    assert rule.fix
    assert rule.message
    assert rule.languages
    for example in rule.examples:
        assert example.language in rule.languages, (rule.id, example.language)


def test_every_rule_is_documented() -> None:
    from pathlib import Path

    page = (Path(__file__).resolve().parents[1] / "docs" / "languages.md").read_text()
    for rule_id in RULES:
        assert f"| {rule_id} |" in page, f"{rule_id} missing from docs/languages.md"


def test_rule_ids_are_unique_and_do_not_clash_with_python_rules() -> None:
    ids = [r.id for r in RULES.values()]
    assert len(ids) == len(set(ids))
    assert not {"BSSRV001", "BSSRV002", "BSSRV003"} & set(ids)


def test_pattern_rules_cover_every_language() -> None:
    for language in LANGUAGES:
        covered = [r.id for r in PATTERN_RULES if language in r.languages]
        assert len(covered) >= 6, (language, covered)


@pytest.mark.parametrize("rule", PATTERN_RULES, ids=[r.id for r in PATTERN_RULES])
def test_every_query_compiles_for_every_grammar(rule: Rule) -> None:
    import tree_sitter

    for pattern in rule.patterns:
        for language in pattern.languages:
            spec = LANGUAGES.get(language)
            if spec is None or not pattern.query:
                continue
            for grammar in {spec.grammar, *spec.grammar_by_suffix.values()}:
                tree_sitter.Query(load_language(grammar), pattern.query)


def test_secret_messages_never_carry_the_value() -> None:
    code = 'class A {\n  String apiKey = "k-29f8a7c6d5e4";\n  String conn = "Server=x;Password=Hunter2x;";\n}\n'
    result = analyse_source("src/A.java", "java", code, Role.SOURCE)
    secrets = [f for f in result.findings if f.criterion == "security.secrets"]
    assert {f.rule for f in secrets} == {"BSSEC109", "BSSEC110"}
    for finding in secrets:
        assert "k-29f8a7c6d5e4" not in finding.message
        assert "Hunter2x" not in finding.message
        assert finding.snippet_hash  # a redacted fingerprint anchor, not the raw line


def test_a_sink_without_request_input_is_a_hotspot() -> None:
    handler = """class Repo {
  ResultSet vuln(Statement st, @RequestParam String name) throws Exception {
    return st.executeQuery("SELECT * FROM t WHERE n = '" + name + "'");
  }
  ResultSet helper(Statement st, String name) throws Exception {
    return st.executeQuery("SELECT * FROM t WHERE n = '" + name + "'");
  }
}
"""
    job = """class Report {
  ResultSet hotspot(Statement st, String table) throws Exception {
    return st.executeQuery("SELECT * FROM " + table);
  }
}
"""
    result = analyse_source("src/Repo.java", "java", handler, Role.SOURCE)
    by_line = {f.line: f for f in result.findings if f.rule == "BSSEC101"}
    assert by_line[3].severity == "high"
    assert by_line[3].confidence == "high"
    assert "request input" in by_line[3].message
    # a helper of a request handler, fed by its parameter, is exploitable too
    assert by_line[6].severity == "high"
    (hotspot,) = list(analyse_source("src/Report.java", "java", job, Role.SOURCE).findings)
    assert hotspot.severity == "medium"
    assert hotspot.confidence == "medium"
    assert "hotspot" in hotspot.message


def test_graphql_resolver_arguments_are_request_input() -> None:
    """A resolver's ``args`` (graphql-js, Apollo), NestJS ``@Args()`` and type-graphql
    ``@Arg()`` come from the client's query: a sink fed by them is a vulnerability."""
    schema = """import { GraphQLList, GraphQLString } from 'graphql';
import db from '../models';

export const posts = {
  type: new GraphQLList(Post),
  resolve: async (_root: unknown, args: { search: string }) => {
    const query = `SELECT * FROM posts WHERE title LIKE '%${args.search}%'`;
    return db.sequelize.query(query);
  },
};
export const resolvers = {
  Query: { run: (parent, args, context) => child_process.exec(args.command) },
};
"""
    nest = """import { Args, Query, Resolver } from '@nestjs/graphql';

@Resolver()
export class PostResolver {
  @Query(() => [Post])
  posts(@Args('search') search: string) {
    return this.sequelize.query(`SELECT * FROM posts WHERE title = '${search}'`);
  }
}
"""
    cli = """export function run(cmd: string, args: string[]) {
  return sequelize.query(`SELECT * FROM jobs WHERE name = '${cmd}'`);
}
"""
    found = {
        (f.rule, f.line): f.severity
        for path, text in (
            ("src/schema.ts", schema),
            ("src/post.resolver.ts", nest),
            ("src/cli.ts", cli),
        )
        for f in analyse_source(path, "typescript", text, Role.SOURCE).findings
        if f.rule in ("BSSEC101", "BSSEC102")
    }
    assert found == {
        ("BSSEC101", 8): "high",
        ("BSSEC102", 12): "high",
        ("BSSEC101", 7): "high",
        ("BSSEC101", 2): "medium",
    }
