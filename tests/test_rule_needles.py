"""The pattern rules' needles: found exactly, and contained in what a rule reports.

A pattern runs only on files holding one of its needles, and only around their
occurrences. Both shortcuts must leave the findings unchanged: the needles a file holds
are found exactly (whatever the grouping used to find them fast), and every node a rule
can report holds one of its pattern's needles (else a narrow needle would hide it).
"""

from __future__ import annotations

import dataclasses
import random

import pytest
import tree_sitter as ts

from backend_skills.languages import LANGUAGES, parse
from backend_skills.languages._spec import query_for
from backend_skills.rules import PATTERN_RULES
from backend_skills.rules._engine import (
    _line_patterns,
    _Needles,
    _pattern_matches,
    _plan,
    _present,
    _tree_patterns,
    _TreeRun,
    run_line_rules,
    run_tree_rules,
)
from backend_skills.rules._model import Example, Pattern, Rule

RULES = tuple(PATTERN_RULES)
CODE = ("java", "csharp", "go", "javascript", "typescript")
SUFFIX = {"java": ".java", "csharp": ".cs", "go": ".go", "javascript": ".js", "typescript": ".ts"}


def _brute(needles: tuple[str, ...], text: bytes) -> set[str]:
    return {n for n in needles if n.encode() in text}


@pytest.mark.parametrize("language", CODE)
def test_needles_found_exactly_in_texts_made_of_them(language: str) -> None:
    """Texts made of needles, pieces of needles and noise: overlapping needles
    (``req.query(``), needles inside others (``exec`` in ``execFile``), needles sharing a
    first byte: the set found is the set a substring search of each finds."""
    rng = random.Random(15)
    for plan in (_plan(_tree_patterns(RULES, language)), _plan(_line_patterns(RULES, language))):
        for needles in (plan.exact.needles, plan.folded.needles):
            finder = _Needles(needles)
            pieces = [*needles, *(n[: len(n) // 2] for n in needles), *(n[1:] for n in needles)]
            pieces += [" ", "\n", "x", "(", ".", "é"]
            for _ in range(300):
                text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))).encode()
                assert finder.found(text) == _brute(needles, text), text


def test_needles_sharing_a_first_byte_are_each_found() -> None:
    finder = _Needles(("req.", "req.body", "request", ".query(", "redirect", "AKIA", "ASIA"))
    assert finder.found(b"x = req.query(1)") == {"req.", ".query("}
    assert finder.found(b"ASIA then request.body") == {"ASIA", "request"}
    assert finder.found(b"req.body; redirect") == {"req.", "req.body", "redirect"}
    assert finder.found(b"nothing here") == set()
    assert _Needles(()).found(b"anything") == set()


def test_a_pattern_runs_only_when_one_of_its_needles_is_there() -> None:
    patterns = _tree_patterns(RULES, "typescript")
    quiet = _present(patterns, b"const a = 1;\n")
    assert all(not p.needles for _, p in quiet)
    secret = _present(patterns, b"const API_TOKEN = 'x';\n")  # found lower-cased
    assert any(r.id == "BSSEC109" for r, _ in secret)
    assert not any(r.id == "BSSEC109" for r, _ in _present(patterns, b"const a = 'x';\n"))


def _examples(rule: Rule, pattern: Pattern) -> list[Example]:
    return [e for e in rule.examples if e.language in pattern.languages and e.code]


TREE_PATTERNS = [
    pytest.param(rule, pattern, id=f"{rule.id}-{index}")
    for rule in RULES
    for index, pattern in enumerate(rule.patterns)
    if pattern.query and pattern.needles and _examples(rule, pattern)
]


@pytest.mark.parametrize(("rule", "pattern"), TREE_PATTERNS)
def test_every_node_a_pattern_reports_holds_one_of_its_needles(
    rule: Rule, pattern: Pattern
) -> None:
    """The rule's examples, run with the query over the whole tree (no needles): every
    node it reports holds a needle (lower-cased for ``ignore_case``), so looking only
    around the needles loses nothing."""
    examples = _examples(rule, pattern)
    unrestricted = dataclasses.replace(pattern, needles=())
    for example in examples:
        spec = LANGUAGES[example.language]
        path = example.path or f"src/example{SUFFIX[example.language]}"
        source = example.code.encode()
        tree = parse(spec, source, path)
        run = _TreeRun(spec, spec.grammar_for(path), tree, path, source)
        query = query_for(spec.grammar_for(path), pattern.query)
        for caps in _pattern_matches(ts, query, tree, source, unrestricted):
            before = len(run.matches)
            run.consider(rule, unrestricted, caps)
            if len(run.matches) == before:
                continue
            text = (caps["match"][0].text or b"").decode()
            text = text.lower() if pattern.ignore_case else text
            assert any(n in text for n in pattern.needles), (rule.id, example.language, text)


def test_matches_far_apart_are_all_found_once() -> None:
    """Occurrences further apart than a query range are each looked at; a node holding
    two occurrences is reported once."""
    filler = "const pad = 1;\n" * 800
    code = (
        "import { exec } from 'child_process';\n"
        "export function a(req) { exec(req.query.cmd); }\n"
        + filler
        + "export function b(req) { exec('ls ' + req.body.dir + req.body.flag); }\n"
    )
    spec = LANGUAGES["typescript"]
    source = code.encode()
    tree = parse(spec, source, "a.ts")
    found = [
        m for m in run_tree_rules(RULES, spec, tree, source, "a.ts") if m.rule.id == "BSSEC102"
    ]
    assert [m.line for m in found] == [2, 803]


def test_line_rules_find_tokens_and_skip_files_without_their_needles() -> None:
    key = "AKIA" + "Q" * 16
    found = run_line_rules(RULES, "csharp", f'var k = "{key}";\n')
    assert [(m.rule.id, m.line) for m in found] == [("BSSEC110", 1)]
    assert run_line_rules(RULES, "csharp", "var k = 1;\n") == []
    assert run_line_rules(RULES, "markdown-nothing", "AKIA") == []
