"""Which Python calls are dangerous sinks, which argument they run and at which line."""

from __future__ import annotations

import ast

import pytest

from backend_skills.checkers.analyses._request_sinks import call_name, classify_sink


def _classify(code: str, lines: dict[str, int] | None = None) -> tuple[str | None, str, int]:
    tree = ast.parse(code)
    call = next(n for n in ast.walk(tree.body[-1]) if isinstance(n, ast.Call))
    qual = ast.unparse(call.func)
    kind, arg, line = classify_sink(call, qual, ast.unparse, lines or {})
    return kind, ast.unparse(arg) if isinstance(arg, ast.AST) else "", line


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("os.system(cmd)", ("shell", "cmd", 1)),
        ("subprocess.run(cmd,\n    shell=True)", ("shell", "cmd", 2)),  # the shell= line
        ("subprocess.run(cmd, shell=False)", (None, "", 0)),
        ("subprocess.run([cmd])", (None, "", 0)),
        ("eval(expr)", ("code", "expr", 1)),
        ("pickle.loads(blob)", ("deserialisation", "blob", 1)),
        ("yaml.load(doc)", ("deserialisation", "doc", 1)),
        ("yaml.load(doc, Loader=yaml.SafeLoader)", (None, "", 0)),
        ("yaml.load(doc, yaml.CSafeLoader)", (None, "", 0)),
        ("cur.execute(sql)", ("sql", "sql", 1)),
        ("cur.execute('SELECT 1')", (None, "", 0)),
        ("conn.execute(text(q))", ("sql", "q", 1)),
        ("execute(sql)", (None, "", 0)),  # a bare name: not a driver method
        ("json.loads(body)", (None, "", 0)),
    ],
)
def test_classify_sink(code: str, expected: tuple[str | None, str, int]) -> None:
    assert _classify(code) == expected


def test_sql_is_reported_where_the_query_was_built() -> None:
    assert _classify("cur.execute(q)", {"q": 7}) == ("sql", "q", 7)


@pytest.mark.parametrize(("code", "name"), [("f()", "f"), ("a.b.f()", "f"), ("g()()", "")])
def test_call_name(code: str, name: str) -> None:
    node = ast.parse(code).body[0]
    assert isinstance(node, ast.Expr)
    assert isinstance(node.value, ast.Call)
    assert call_name(node.value) == name
