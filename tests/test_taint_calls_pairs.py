"""The taint call reader reads a function's declarations and assignments itself, by
field and kind ids (faster than the flow analysis's reading by field names): the pairs
must be the flow analysis's, in order, for every kind of declaration of each language."""

from __future__ import annotations

import pytest

from backend_skills.languages import LANGUAGES, parse
from backend_skills.languages._index import FileIndex
from backend_skills.rules._flow import _Flow
from backend_skills.rules._taint_calls import _FileCalls

CODE = {
    ("go", "h.go"): """
package h
func Create(w http.ResponseWriter, r *http.Request) {
    a, err := f(r)
    var b, c = 1, g(a)
    var d string = r.URL.Query().Get("q")
    const e = "x"
    a = h(b); d += a
    var in Input
    if err := c.Bind(&in); err != nil { return }
    json.NewDecoder(r.Body).Decode(&in)
    go func() { z := a; use(z) }()
}
""",
    ("csharp", "C.cs"): """
class C {
    void Run(string name, int n) {
        var a = Request.Query["a"];
        string b = a, c;
        int d = 1, e = d + n;
        b = name; e += 2;
        Func<string, string> f = x => { var y = x; return y; };
        (var p, var q) = Pair();
    }
}
""",
    ("java", "C.java"): """
class C {
    void run(String name, int n) {
        String a = request.getParameter("a"), b;
        int[] c = {1, 2};
        b = name + a; n += 1;
        Runnable r = () -> { String z = a; };
    }
}
""",
    ("javascript", "a.js"): """
function run(req, name) {
  const { id, user: u, tags = [], ...rest } = req.body;
  let [first, , third] = list, other;
  var x = id, y = u + name;
  x = y; y += x; this.z = x;
  const inner = (p) => { const q = p; return q; };
  function nested(s) { let t = s; return t; }
}
""",
    ("typescript", "a.ts"): """
class S {
  find(req: Request, name: string): void {
    const { id }: { id: string } = req.params;
    let a: string = id, b;
    b = a as string; a ??= name;
    const f = async (c: string) => { const d = c; };
  }
}
""",
}


@pytest.mark.parametrize(("language", "path"), sorted(CODE))
def test_pairs_are_the_flow_analysis_assignments(language: str, path: str) -> None:
    spec = LANGUAGES[language]
    source = CODE[language, path].encode()
    tree = parse(spec, source, path)
    index = FileIndex(spec, spec.grammar_for(path), tree.root_node, source)
    flow = _Flow(spec, index.grammar, tree.root_node, index, path)
    calls = _FileCalls(spec, index, source.decode(), flow.request, flow.assignments)
    assert index.functions
    read = 0
    for function in index.functions:
        expected = [(name, value.id) for name, value in flow.assignments(function)]
        assert [(name, value.id) for name, value in calls.pairs(function)] == expected
        read += len(expected)
    assert read >= 6  # the code's declarations were read, not skipped
