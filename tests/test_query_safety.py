"""Query safety (BSDB001) units: the SQL argument of a call, parameters passed beside it,
and how sure a value is to carry input."""

from __future__ import annotations

import ast

import pytest

from backend_skills.checkers.analyses._query_safety import (
    describe,
    passes_parameters,
    root_path,
    sql_argument,
    value_confidence,
)
from backend_skills.checkers.analyses._sql_building import Scope
from backend_skills.core.models import Confidence


def _call(code: str) -> ast.Call:
    node = ast.parse(code).body[-1]
    assert isinstance(node, ast.Expr)
    assert isinstance(node.value, ast.Call)
    return node.value


@pytest.mark.parametrize(
    ("code", "sql"),
    [
        ("cur.execute(q, params)", "q"),
        ("cur.execute(sql=q)", "q"),
        ("cur.execute(*args)", None),
        ("cur.execute()", None),
    ],
)
def test_sql_argument(code: str, sql: str | None) -> None:
    found = sql_argument(_call(code))
    assert (ast.unparse(found) if found is not None else None) == sql


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("cur.execute(q, (1,))", True),
        ("conn.execute(q, parameters={'a': 1})", True),
        ("cur.execute(q)", False),
    ],
)
def test_passes_parameters(code: str, expected: bool) -> None:
    assert passes_parameters(_call(code)) is expected


@pytest.mark.parametrize(
    ("code", "path"),
    [("request.args['id']", "request.args"), ("self.repo.find(x)", "self.repo.find"), ("n", "n")],
)
def test_root_path(code: str, path: str) -> None:
    node = ast.parse(code).body[0]
    assert isinstance(node, ast.Expr)
    assert root_path(node.value) == path


def test_describe_is_short() -> None:
    node = ast.parse("a[" + "x" * 60 + "]").body[0]
    assert isinstance(node, ast.Expr)
    assert len(describe(node.value)) == 40


FUNCTION = """\
def find(name, where_sql):
    local = request.args["q"]
    other = compute()
    clauses = []
"""


@pytest.mark.parametrize(
    ("values", "confidence"),
    [
        (["name"], Confidence.HIGH),  # a parameter
        (["request.form['x']"], Confidence.HIGH),
        (["local"], Confidence.HIGH),  # assigned from the request
        (["input()"], Confidence.HIGH),
        (["other"], Confidence.MEDIUM),
        (["where_sql"], Confidence.MEDIUM),  # a fragment, but from a parameter
        (["order_clause"], Confidence.LOW),  # a fragment built elsewhere
        (["' AND '.join(clauses)"], Confidence.LOW),
        (["order_clause", "other"], Confidence.MEDIUM),
    ],
)
def test_value_confidence(values: list[str], confidence: Confidence) -> None:
    tree = ast.parse(FUNCTION)
    function = tree.body[0]
    scopes = [Scope.build(function), Scope.build(tree)]
    exprs = []
    for text in values:
        node = ast.parse(text).body[0]
        assert isinstance(node, ast.Expr)
        node.value.lineno = 5  # used after the assignments
        exprs.append(node.value)
    assert value_confidence(exprs, scopes) == confidence
