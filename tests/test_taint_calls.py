"""The per-file call facts of cross-file taint, as :func:`call_facts` reads them: which
function a call belongs to, how request markers are looked for in parts of a file, how
locals are followed to their parameters, and the facts' order."""

from __future__ import annotations

import random
from typing import Any

import pytest

from backend_skills.languages import LANGUAGES, parse
from backend_skills.languages._common import Markers
from backend_skills.languages._index import FileIndex
from backend_skills.rules._flow import _Flow
from backend_skills.rules._taint_calls import _RequestText, call_facts


def _facts(language: str, path: str, code: str) -> dict[str, list[dict[str, Any]]]:
    spec = LANGUAGES[language]
    source = code.encode()
    tree = parse(spec, source, path)
    index = FileIndex(spec, spec.grammar_for(path), tree.root_node, source)
    flow = _Flow(spec, index.grammar, tree.root_node, index, path)
    return call_facts(spec, index, code, flow.request, flow.assignments)


def _through(language: str, path: str, code: str) -> list[tuple[str, int, int, str]]:
    return [
        (f["call"], f["position"], f["param"], f["method"])
        for f in _facts(language, path, code)["through"]
    ]


JS_NESTED = """
function outer(a) {
  const r = function named(x, b) { return db.query(b); }(1, a);
  db.find(a);
  const later = (c) => db.run(c);
  return db.save(a);
}
"""


def test_each_call_belongs_to_the_innermost_function_around_it() -> None:
    """A function expression called where it is written starts where the call does: the
    call is the outer function's, the calls inside it are the expression's (its second
    parameter, not the outer one's), and the outer function's later calls are its own."""
    through = _through("javascript", "app.js", JS_NESTED)
    assert ("query", 0, 1, "named") in through
    assert ("find", 0, 0, "outer") in through
    assert ("run", 0, 0, "later") in through
    assert ("save", 0, 0, "outer") in through
    assert not any(call == "query" and method == "outer" for call, _, _, method in through)


def test_request_markers_in_part_of_a_file_are_found_exactly() -> None:
    """Whether a part of a file holds request markers is exactly the markers' search of
    that part's text, though the text is only decoded where one of the words they need
    is (words at the edges of a part, inside another word, next to non-ASCII text)."""
    markers = Markers(r"\bRequest\.(?:Query|Form)\b|\bctx\.body\b|[Ff]romBody")
    text = (
        'var q = Request.Query["n"]; // é Request.Form ü\n'
        "x.ctx.body; ctx.bodyless; [FromBody] Request. Query; MyRequest.Form; ctx.body"
    )
    source = text.encode()
    found = _RequestText(markers, source)
    rng = random.Random(15)
    ranges = [(a, b) for a in range(0, len(source), 3) for b in range(a, len(source) + 1, 5)]
    ranges += [(rng.randrange(len(source)), len(source)) for _ in range(50)]
    for start, end in ranges:
        expected = markers.search(source[start:end].decode("utf-8", "replace"))
        assert found.holds(start, end) == expected, (start, end, source[start:end])


JAVA_WIDE = """
class Audit {
    void record(String p0, String p1, String p2, String p3, String p4, String p5,
                String p6, String p7, String p8, String p9) {
        Store.save(p9 + p1);
        Store.save(p1 + p9);
    }
}
"""


def test_facts_of_one_argument_from_several_parameters_come_in_parameter_order() -> None:
    """The order does not depend on how the positions were gathered (a set of positions
    from 8 up iterates in the order they were added)."""
    through = _through("java", "Audit.java", JAVA_WIDE)
    assert [param for call, _, param, _ in through if call == "save"] == [1, 9, 1, 9]


JAVA_LATE_CYCLE = """
class Search {
    void run(String term, int page) {
        String a = "";
        for (int i = 0; i < 3; i++) {
            Index.lookup(a);
            String b = a + "*";
            String c = b.trim();
            a = c + d(term);
        }
        Index.count(page);
    }
}
"""


def test_a_local_given_a_parameter_later_in_a_cycle_carries_it() -> None:
    """``a`` is read before the assignment that gives it ``term`` (through ``b`` and
    ``c``, round a loop); a number parameter carries nothing."""
    through = _through("java", "Search.java", JAVA_LATE_CYCLE)
    assert ("lookup", 0, 0, "run") in through
    assert not any(call == "count" for call, _, _, _ in through)


JS_REQUEST_CYCLE = """
function handle(req, res) {
  let q = '';
  while (more()) {
    db.find(q);
    q = q + next(req.query.term);
  }
}
"""


def test_request_input_reaching_a_local_later_makes_the_earlier_call_a_request_call() -> None:
    requests = _facts("javascript", "routes.js", JS_REQUEST_CYCLE)["requests"]
    assert [(f["call"], f["position"], f["from"]) for f in requests if f["call"] == "find"] == [
        ("find", 0, "handle")
    ]


def test_the_same_call_twice_on_a_line_is_one_fact() -> None:
    code = "class A {\n    void Run(String name) { Repo.find(name); Repo.find(name); }\n}\n"
    through = _through("java", "A.java", code)
    assert through == [("find", 0, 0, "Run")]


@pytest.mark.parametrize("language", ["csharp", "java", "go", "javascript", "typescript"])
def test_a_file_without_calls_has_no_facts(language: str) -> None:
    code = {"go": "package a\n", "csharp": "class A {}", "java": "class A {}"}.get(language, "")
    assert _facts(language, "a.x", code) == {"requests": [], "through": []}
