"""Scopes for SQL resolution: parameters, the assignments of a name and which of them a
use at some line sees."""

from __future__ import annotations

import ast
import textwrap

import pytest

from backend_skills.checkers.analyses._sql_scope import (
    Scope,
    assignments,
    dotted,
    is_upper_name,
    parameters,
)


def _function(code: str) -> ast.FunctionDef:
    node = ast.parse(code).body[0]
    assert isinstance(node, ast.FunctionDef)
    return node


def test_parameters() -> None:
    fn = _function("def f(a, /, b, *args, c, **kw): pass")
    assert parameters(fn) == {"a", "b", "args", "c", "kw"}
    assert parameters(ast.parse("x = 1")) == frozenset()


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("a = b = q", [("a", False), ("b", False)]),
        ("a: str = q", [("a", False)]),
        ("a += q", [("a", True)]),
        ("a -= q", []),  # only += builds text
        ("a.b = q", []),
        ("a: int", []),
    ],
)
def test_assignments(code: str, expected: list[tuple[str, bool]]) -> None:
    found = assignments(ast.parse(code).body[0])
    assert [(name, augmented) for name, (_, _, augmented) in found] == expected


def test_lookup_sees_the_last_assignment_and_the_appends_after_it() -> None:
    fn = _function(
        textwrap.dedent(
            """\
            def f(x):
                q = 'a'
                q = 'SELECT'
                q += x
                if x:
                    q += 'y'
            """
        )
    )
    scope = Scope.build(fn)
    assert scope.params == {"x"}
    assert [line for line, _, _ in scope.lookup("q", 4)] == [3, 4]
    assert [line for line, _, _ in scope.lookup("q", 100)] == [3, 4, 6]
    assert [line for line, _, _ in scope.lookup("q", 2)] == [2]
    assert scope.lookup("q", 1) == []


@pytest.mark.parametrize(
    ("code", "text"),
    [("a.b.c", "a.b.c"), ("f().x", "f().x"), ("x[0]", ""), ("self.repo.find", "self.repo.find")],
)
def test_dotted(code: str, text: str) -> None:
    node = ast.parse(code).body[0]
    assert isinstance(node, ast.Expr)
    assert dotted(node.value) == text


@pytest.mark.parametrize(
    ("name", "expected"), [("TABLE", True), ("T_1", True), ("_1", False), ("Table", False)]
)
def test_is_upper_name(name: str, expected: bool) -> None:
    assert is_upper_name(name) is expected


def test_module_scope_leaves_out_the_locals_of_its_functions_and_classes() -> None:
    tree = ast.parse(
        textwrap.dedent(
            """\
            query = 'SELECT 1'

            def other(name):
                query = 'SELECT ' + name

            class Repo:
                query = 'SELECT 2'

                def find(self):
                    table = 'users'
            """
        )
    )
    scope = Scope.build(tree)
    assert [line for line, _, _ in scope.lookup("query", 100)] == [1]
    assert scope.lookup("table", 100) == []


def test_function_scope_leaves_out_nested_definitions() -> None:
    fn = _function(
        textwrap.dedent(
            """\
            def outer(x):
                def inner(y):
                    sql = 'SELECT ' + y
                class Local:
                    sql = 'SELECT 2'
                return inner(x)
            """
        )
    )
    scope = Scope.build(fn)
    assert scope.lookup("sql", 100) == []
