"""Functions stored as values (a dispatch table's ``Handler: execHandler``) and called
through the field later (``s.Handler(mode, in)``): the cross-file join follows the field
to each stored function, so request input reaching the call makes the stored function's
SQL a vulnerability; a constant argument leaves it a hotspot."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from backend_skills import score
from backend_skills.core.models import Confidence, Finding, Severity
from backend_skills.languages import LANGUAGES, parse
from backend_skills.rules._taint_values import MAX_VALUES, function_values
from tests.conftest import TreeFactory

GO_SINKS = """\
package sqli

import (
	"database/sql"
	"fmt"
)

// Sink is one vulnerable function of the bench.
type Sink struct {
	Name    string
	Handler func(mode string, in string) string
}

type sqliteInj struct{ db *sql.DB }

// Sinks lists the handlers.
func Sinks() []Sink {
	return []Sink{
		{Name: "exec", Handler: sqliteInj{}.execHandler},
	}
}

func (si sqliteInj) execHandler(mode string, in string) string {
	query := fmt.Sprintf("SELECT * FROM users WHERE name = '%s'", in)
	si.db.Exec(query)
	return "ok"
}
"""
GO_DISPATCH = """\
package serve

import (
	"fmt"
	"net/http"

	"example.com/bench/sqli"
)

func handle(w http.ResponseWriter, r *http.Request) {
	in := ARG
	for _, s := range sqli.Sinks() {
		fmt.Fprint(w, s.Handler("unsafe", in))
	}
}
"""
JS_SINKS = """\
const db = require('./db');

function findUser(name) {
  return db.query("SELECT * FROM users WHERE name = '" + name + "'");
}

module.exports = [{ path: '/user', handler: findUser }];
"""
JS_DISPATCH = """\
const express = require('express');
const routes = require('./routes');
const app = express();

app.get('/run', (req, res) => {
  const input = ARG;
  for (const route of routes) {
    res.send(route.handler(input));
  }
});
"""
CASES = {
    "go": (
        {
            "go.mod": "module example.com/bench\n\ngo 1.22\n",
            "sqli/sqli.go": GO_SINKS,
            "serve/serve.go": GO_DISPATCH,
        },
        "sqli/sqli.go",
        'r.URL.Query().Get("input")',
        '"alice"',
    ),
    "javascript": (
        {
            "package.json": '{"dependencies": {"express": "4.18.2", "mysql": "2.18.1"}}',
            "routes.js": JS_SINKS,
            "app.js": JS_DISPATCH,
        },
        "routes.js",
        "req.query.name",
        "'alice'",
    ),
}


def _sql(make_tree: TreeFactory, files: Mapping[str, str], path: str) -> Finding:
    root = make_tree(files)
    report = score(root, skills=["security"], isolated=True, cache=False)
    found = [f for f in report.findings if f.rule == "BSSEC101" and f.path == path]
    assert len(found) == 1, [(f.rule, f.path, f.message) for f in report.findings]
    return found[0]


@pytest.mark.parametrize("language", sorted(CASES))
def test_request_input_through_a_stored_function_makes_its_sink_a_vulnerability(
    make_tree: TreeFactory, language: str
) -> None:
    files, sink, request, _constant = CASES[language]
    finding = _sql(make_tree, {p: t.replace("ARG", request) for p, t in files.items()}, sink)
    assert (finding.severity, finding.confidence) == (Severity.HIGH, Confidence.HIGH)
    assert "request input passed from" in finding.message
    assert "through `Handler: execHandler`" in finding.message or (
        "through `handler: findUser`" in finding.message
    )


@pytest.mark.parametrize("language", sorted(CASES))
def test_a_constant_through_a_stored_function_leaves_a_hotspot(
    make_tree: TreeFactory, language: str
) -> None:
    files, sink, _request, constant = CASES[language]
    finding = _sql(make_tree, {p: t.replace("ARG", constant) for p, t in files.items()}, sink)
    assert finding.severity is Severity.MEDIUM
    assert "hotspot" in finding.message


def _values(language: str, text: str, *functions: str) -> list[list[str]]:
    source = text.encode()
    root = parse(LANGUAGES[language], source, "x").root_node
    return function_values(language, root, source, functions)


def test_go_keyed_elements_and_member_assignments_store_functions() -> None:
    text = (
        "package x\n"
        'var a = []Sink{{Name: "x", Handler: execHandler}, {Handler: inj{}.run, Other: pkg.Fn}}\n'
        "func f() { s.Next = step; ok := T{Done: nil, Flag: true, Count: 3}; run(1) }\n"
    )
    found = _values("go", text, "execHandler", "run", "Fn", "step", "f")
    assert sorted(found) == [
        ["Handler", "execHandler"],
        ["Handler", "run"],
        ["Next", "step"],
        ["Other", "Fn"],
    ]


def test_only_the_files_functions_that_pass_input_on_are_looked_for() -> None:
    text = "const routes = [{ handler: getUser }, { handler: ctl.find }];\nobj.next = step;\n"
    assert _values("javascript", text, "find") == [["handler", "find"]]
    assert _values("javascript", text, "getUser", "step") == [
        ["handler", "getUser"],
        ["next", "step"],
    ]


def test_strings_comments_calls_and_literals_store_nothing() -> None:
    text = (
        "const a = 'handler: fake,';\n"
        "// handler: commented,\n"
        "const b = { ok: true, made: build(), n: null, same: same, w: w.fake() };\n"
        "function f(name: string, fake: T) { x.y = z.w(); const local = fake; }\n"
    )
    assert _values("typescript", text, "fake", "build", "same", "w", "string", "null") == []


def test_other_languages_are_not_read() -> None:
    text = "class A { void f() { var o = new Route { Handler = Run }; } }"
    assert _values("csharp", text, "Run") == []


def test_the_pairs_per_file_are_bounded() -> None:
    pairs = ", ".join(f"k{n}: f" for n in range(MAX_VALUES + 50))
    assert len(_values("javascript", f"const o = {{{pairs}}};\n", "f")) == MAX_VALUES
