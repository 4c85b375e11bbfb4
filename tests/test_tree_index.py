"""The shared walk of a module (:class:`TreeIndex`) and the import lookups built on it."""

from __future__ import annotations

import ast
import textwrap

import pytest

from backend_skills.checkers.analyses._server_common import Imports, TreeIndex, child_nodes

CODE = textwrap.dedent(
    """\
    import os.path
    from a.b import c as d
    from . import local

    class K(Base, metaclass=M):
        def f(self, x=1, *a, **k):
            return [y for y in x if y] + (lambda: x)()
    """
)


def test_nodes_are_ast_walk_order_with_parents_and_first_children() -> None:
    tree = ast.parse(CODE)
    index = TreeIndex(tree)
    # A name's load/store context is left out (a third of the nodes, and never read).
    assert index.nodes == [n for n in ast.walk(tree) if not isinstance(n, ast.expr_context)]
    for position, node in enumerate(index.nodes):
        assert child_nodes(node) == list(ast.iter_child_nodes(node))
        children = [c for c in ast.iter_child_nodes(node) if not isinstance(c, ast.expr_context)]
        first = index.firsts[position]
        assert index.nodes[first : first + len(children)] == children
        assert all(index.parents[first + i] == position for i in range(len(children)))
    assert index.parents[0] == -1


def test_positions_of_a_type() -> None:
    index = TreeIndex(ast.parse(CODE))
    assert [index.nodes[i] for i in index.positions(ast.Call)] == index.of(ast.Call)
    assert index.positions(ast.Try) == []


@pytest.mark.parametrize(
    ("packages", "expected"),
    [
        (("os",), True),
        (("os.path",), True),
        (("os.pat",), False),  # a dotted prefix, not a string prefix
        (("a",), True),
        (("a.b.c",), True),  # ``from a.b import c`` records ``a.b.c``
        (("a.b.d",), False),
        (("local",), False),  # relative imports name the project's own modules
        (("x", "a.b"), True),
        ((), False),
        (("",), False),
    ],
)
def test_imports_any_matches_a_module_or_a_package_above_it(
    packages: tuple[str, ...], expected: bool
) -> None:
    imports = TreeIndex(ast.parse(CODE)).imports
    naive = any(
        module == package or module.startswith(package + ".")
        for module in imports.modules
        for package in packages
    )
    assert imports.imports_any(*packages) is expected is naive


def test_imports_any_sees_modules_added_after_a_lookup() -> None:
    imports = Imports([])
    assert not imports.imports_any("flask")
    imports.modules.add("flask.views")
    assert imports.imports_any("flask")


def test_the_query_visitor_skips_only_nodes_it_has_nothing_to_do_in() -> None:
    from backend_skills.checkers.analyses._database_queries import LEAVES, QueryVisitor

    for kind in LEAVES:
        assert not hasattr(QueryVisitor, f"visit_{kind.__name__}"), kind
        # no field that can hold a node: a name, its context, identifiers
        assert set(kind._fields) <= {"id", "ctx", "names", "name", "asname"}, kind
