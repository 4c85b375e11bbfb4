"""What Koa's routers (``koa-router``, ``@koa/router``) add to Express's shape, which
:mod:`.express` otherwise reads the same way: ``router.del``, ``new Router({ prefix })``,
named routes and ``router.routes()`` standing for the router itself."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._common import member, string, text, walk

if TYPE_CHECKING:
    import tree_sitter

KIND = "koa"
FRAMEWORK = "Koa"
KOA_VERBS = {"del": "DELETE", "head": "HEAD", "options": "OPTIONS"}
KOA_FACTORIES = frozenset({"Koa", "Router", "KoaRouter", "koaRouter", "createRouter"})
_MOUNTED = ("routes", "middleware")


def mounted(node: tree_sitter.Node) -> tree_sitter.Node | None:
    """``router`` of ``router.routes()`` / ``router.middleware()``."""
    found = member(node) if node.type == "call_expression" else None
    return found[0] if found is not None and found[1] in _MOUNTED else None


def constructor_prefix(value: tree_sitter.Node | None) -> str | None:
    """The ``prefix`` option of ``new Router({ prefix: '/api' })``."""
    if value is None or value.type != "new_expression":
        return None
    for pair in walk(value):
        if pair.type == "pair" and text(pair.child_by_field_name("key")).strip("'\"") == "prefix":
            return string(pair.child_by_field_name("value"))
    return None


def unnamed(args: list[tree_sitter.Node]) -> list[tree_sitter.Node]:
    """``router.get('user', '/users/:id', handler)``: the route's name dropped."""
    if len(args) >= 3 and string(args[1]) is not None:
        return args[1:]
    return args
