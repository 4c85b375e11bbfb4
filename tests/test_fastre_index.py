"""The scanning helpers of the language layer: FastRegex gives exactly the matches of
the regular expression it speeds up, and FileIndex finds what per-kind queries find."""

from __future__ import annotations

import re

import pytest
from tree_sitter import Node

from backend_skills.checkers._polyglot_scalability import VOCABULARY
from backend_skills.languages import LANGUAGES, parse
from backend_skills.languages._fastre import FastRegex
from backend_skills.languages._index import FileIndex

TEXTS = [
    "",
    'String url = System.getenv("DB_URL"); MySystem.getenv(x); IConfiguration cfg;',
    "const a = process.env.X; const b = myprocess.env; config.get('k'); new Pool({})",
    'var s = Configuration["Db"]; builder.Configuration.GetConnectionString("db");',
    'os.Getenv("A") xos.Getenv("B") viper.GetString("c") `env:"PORT"`',
    "req.body.name; prereq.body; @RequestParam String q; [FromQuery] int id",
    "foo\nbar\tbaz " * 50 + 'request.getParameter("id")',
]


def _patterns() -> list[str]:
    found = []
    for spec in LANGUAGES.values():
        found += [spec.request_markers, spec.route_markers, spec.cache_markers]
        found += [spec.background_markers, *spec.request_markers_by_suffix.values()]
    for vocab in VOCABULARY.values():
        found += [vocab.env.pattern, vocab.pooled.pattern, vocab.direct.pattern]
        found += [vocab.many.pattern, vocab.handler.pattern, vocab.writes.pattern]
    return sorted({p for p in found if p})


@pytest.mark.parametrize("pattern", _patterns())
def test_fast_regex_finds_exactly_what_re_finds(pattern: str) -> None:
    fast = FastRegex(pattern)
    for text in TEXTS:
        expected = [m.span() for m in re.finditer(pattern, text)]
        assert [m.span() for m in fast.finditer(text)] == expected
        assert fast.count(text) == len(expected)
        first = re.search(pattern, text)
        found = fast.search(text)
        assert (found.span() if found else None) == (first.span() if first else None)


def test_a_word_boundary_is_still_required() -> None:
    fast = FastRegex(r"\bgetenv\(|\.env\b")
    assert [m.group() for m in fast.finditer("mygetenv( getenv( process.env process.envx")] == [
        "getenv(",
        ".env",
    ]


JAVA = """
class Repo {
    String a = "x";
    void find(String name) {
        String q = "select " + name;
        Runnable r = () -> run(q);
        db.query(q);
    }
    int count() { int n = 1; return n; }
}
"""


def _name(node: Node | None) -> bytes:
    name = node.child_by_field_name("name") if node is not None else None
    return name.text or b"" if name is not None else b""


def test_file_index_finds_each_kind_in_document_order() -> None:
    spec = LANGUAGES["java"]
    source = JAVA.encode()
    tree = parse(spec, source, "Repo.java")
    index = FileIndex(spec, spec.grammar, tree.root_node, source)
    assert [_name(f) for f in index.functions] == [b"find", b"count"]
    assert [n.type for n in index.lambdas] == ["lambda_expression"]
    assert [(c.text or b"").split(b"(")[0] for c in index.calls] == [b"run", b"db.query"]
    assert [s.text for s in index.strings] == [b'"x"', b'"select "']
    run = index.calls[0]
    assert _name(index.enclosing(run)) == b"find"
    count = index.functions[1]
    inside = [n.text for n in index.assignments_in(count)]
    assert inside == [b"n = 1"]
    assert len(index.assignments_in(tree.root_node)) == len(index.assignments) == 4


NESTED = """class A {
    void f() {
        a.b(c.d(1)).e(g(2));
        String s = "x" + h("y");
    }
}
"""


def test_file_index_puts_an_outer_node_before_the_nodes_it_contains() -> None:
    spec = LANGUAGES["java"]
    source = NESTED.encode()
    tree = parse(spec, source, "A.java")
    index = FileIndex(spec, spec.grammar, tree.root_node, source)
    calls = [c.text for c in index.calls]
    assert calls == [b"a.b(c.d(1)).e(g(2))", b"a.b(c.d(1))", b"c.d(1)", b"g(2)", b'h("y")']
    keys = [(n.start_byte, -n.end_byte) for n in index.calls]
    assert keys == sorted(keys)
    assert index.call_starts == [n.start_byte for n in index.calls]
    assert [s.text for s in index.strings] == [b'"x"', b'"y"']


def test_file_index_orders_its_lists_only_when_asked() -> None:
    spec = LANGUAGES["java"]
    source = NESTED.encode()
    tree = parse(spec, source, "A.java")
    index = FileIndex(spec, spec.grammar, tree.root_node, source)
    assert "calls" not in vars(index)
    assert index.calls is index.calls  # put in order once
    assert "calls" in vars(index)
