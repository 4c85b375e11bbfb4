"""gin (Go).

``r.GET/POST/...(path, ...mw, handler)``, ``r.Any``, ``r.Handle(method, path, ...)``;
``g := r.Group(prefix, ...mw)`` groups nested to any depth, ``X.Use(mw)`` for the routes
registered after it on ``X`` and its groups.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from ..analyses._authz_resolve import Exposure, join
from ._common import MAX_DEPTH, Facts, arguments, line, middleware_auth, nodes, string, text

if TYPE_CHECKING:
    import tree_sitter

FRAMEWORK = "gin"
GIN_VERBS = {"GET", "POST", "PUT", "PATCH", "DELETE", "Any", "Handle"}

Call = tuple[str, str, list["tree_sitter.Node"]]


def go_call(node: tree_sitter.Node) -> Call | None:
    """(operand, method, arguments) of a Go call ``operand.method(...)``."""
    function = node.child_by_field_name("function")
    if function is None or function.type != "selector_expression":
        return None
    operand = text(function.child_by_field_name("operand"))
    field = text(function.child_by_field_name("field"))
    return operand, field, arguments(node)


def assigned_call(node: tree_sitter.Node) -> tuple[str, Call] | None:
    """(variable, call) of ``x := a.b(...)``, ``x = a.b(...)`` or ``var x = a.b(...)``."""
    if node.type == "var_spec":
        names = node.children_by_field_name("name")
        right = node.child_by_field_name("value")
        left_name = text(names[0]) if names else ""
    else:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        left_name = text(left.named_children[0]) if left is not None and left.named_children else ""
    if not left_name or right is None or not right.named_children:
        return None
    value = right.named_children[0]
    call = go_call(value) if value.type == "call_expression" else None
    return (left_name, call) if call is not None else None


def scan(root: tree_sitter.Node) -> Facts:
    """Groups, ``Use`` calls and routes of one file."""
    facts: Facts = {"kind": "gin", "groups": {}, "uses": [], "routes": []}
    for node in nodes(root, ("short_var_declaration", "assignment_statement", "call_expression")):
        if node.type in ("short_var_declaration", "assignment_statement"):
            _group(node, facts)
        elif node.type == "call_expression":
            _call(node, facts)
    return facts


def _group(node: tree_sitter.Node, facts: Facts) -> None:
    """``g := r.Group(prefix, ...mw)``, also chained with ``Use``:
    ``g := v1.Group("/sys-user").Use(auth.MiddlewareFunc()).Use(CheckRole())``."""
    found = assigned_call(node)
    if found is None:
        return
    right = node.child_by_field_name("right")
    value = right.named_children[0] if right is not None else None
    used: list[str] = []
    for _ in range(MAX_DEPTH):
        call = go_call(value) if value is not None and value.type == "call_expression" else None
        function = value.child_by_field_name("function") if value is not None else None
        operand = function.child_by_field_name("operand") if function is not None else None
        if call is None or call[1] != "Use" or operand is None:
            break
        used = [text(a) for a in call[2]] + used
        value = operand
    call = go_call(value) if value is not None and value.type == "call_expression" else None
    if call is None:
        return
    parent, method, args = call
    if method == "Group" and args:
        facts["groups"][found[0]] = {
            "parent": parent,
            "prefix": string(args[0]) or "",
            "middleware": [*(text(a) for a in args[1:]), *used],
        }


def _call(node: tree_sitter.Node, facts: Facts) -> None:
    call = go_call(node)
    if call is None:
        return
    owner, method, args = call
    if method == "Use":
        facts["uses"].append(
            {"owner": owner, "middleware": [text(a) for a in args], "line": line(node)}
        )
    elif method in GIN_VERBS and args:
        route = _route(owner, method, args, line(node))
        if route is not None:
            facts["routes"].append(route)


def _route(owner: str, method: str, args: list[tree_sitter.Node], at: int) -> Facts | None:
    if method == "Handle" and len(args) >= 3:
        verb, args = (string(args[0]) or "ANY").upper(), args[1:]
    else:
        verb = "ANY" if method == "Any" else method
    path = string(args[0])
    if path is None or len(args) < 2:
        return None
    return {
        "owner": owner,
        "method": verb,
        "path": path,
        "middleware": [text(a) for a in args[1:-1]],
        "handler": text(args[-1]) if args[-1].type != "func_literal" else "func",
        "line": at,
    }


def _guards(uses: list[Facts], owner: str, before: int) -> list[str]:
    """Authenticating middleware of ``owner.Use(...)`` calls before line ``before``."""
    found = [use for use in uses if use["owner"] == owner and use["line"] < before]
    return [m for use in found for m in use["middleware"] if middleware_auth(m)]


def _above(route: Facts, groups: Mapping[str, Facts], uses: list[Facts]) -> tuple[str, list[str]]:
    """(prefix, protections) from the groups a route is registered on and their ``Use``."""
    access: list[str] = []
    prefix, owner = "", route["owner"]
    for _ in range(MAX_DEPTH):
        access += _guards(uses, owner, route["line"])
        group = groups.get(owner)
        if group is None:
            break
        access += [m for m in group["middleware"] if middleware_auth(m)]
        prefix = join(group["prefix"], prefix) if prefix else group["prefix"]
        owner = group["parent"]
    return prefix, access


def exposures(data: Mapping[str, Facts]) -> Iterator[Exposure]:
    """Every gin route of the files' facts."""
    for path, facts in sorted(data.items()):
        if facts.get("kind") != "gin":
            continue
        for route in facts["routes"]:
            prefix, above = _above(route, facts["groups"], facts["uses"])
            yield Exposure(
                route["method"],
                join(prefix, route["path"]) if prefix else route["path"],
                route["handler"],
                path,
                route["line"],
                FRAMEWORK,
                [m for m in route["middleware"] if middleware_auth(m)] + above,
            )
