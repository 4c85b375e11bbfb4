"""What the Go routers (echo, chi) share: scopes, calls and the links between a router
passed as an argument and the parameter that receives it in another function or file."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

from backend_skills.languages import LANGUAGES

from ._common import (
    MAX_DEPTH,
    Facts,
    arguments,
    call_name,
    line,
    middleware_auth,
    nodes,
    text,
)
from .gin import assigned_call, go_call

if TYPE_CHECKING:
    import tree_sitter

FUNCTION_DECLARATIONS = ("function_declaration", "method_declaration")
#: Middleware packages whose names do not split into words (``echojwt``, ``jwtauth``).
_PACKAGE_AUTH = re.compile(r"(?i)jwt|keyauth|basicauth|oauth|casbin|authz|authn|authenticat")
_ROUTER_TYPE = re.compile(r"echo\.|chi\.|Router|Mux|Group")

Place = tuple[str, str, int]  # (file, scoped router variable, line of its use)


def go_auth(name: str) -> bool:
    """Whether a Go middleware expression authenticates (``middleware.JWT(...)``,
    ``echojwt.WithConfig(...)``, ``jwtauth.Authenticator``, ``RequireAuth``)."""
    head = re.split(r"[(\s]", name, maxsplit=1)[0]
    return middleware_auth(name) or bool(_PACKAGE_AUTH.search(head))


def name_of(node: tree_sitter.Node) -> str:
    """A middleware or handler argument as the inventory names it (calls shortened)."""
    if node.type == "call_expression":
        return call_name(node)
    return "func" if node.type == "func_literal" else text(node)


def unwrap_handler(node: tree_sitter.Node) -> tuple[str, list[str]]:
    """(handler, wrappers) of ``mw.Logging(mw.AuthCheck(index))``: net/http-style
    middleware wraps the handler (``AuthCheck(...)`` protects it)."""
    wrappers = []
    while node.type == "call_expression" and len(arguments(node)) == 1:
        wrappers.append(name_of(node))
        node = arguments(node)[0]
    return name_of(node), wrappers


def scope_of(node: tree_sitter.Node) -> str:
    """The name of the function or method a node is in (``""`` at package level)."""
    current = node.parent
    while current is not None:
        if current.type in FUNCTION_DECLARATIONS:
            return text(current.child_by_field_name("name"))
        current = current.parent
    return ""


def scoped(node: tree_sitter.Node, name: str) -> str:
    """``Function.variable``: router variables are local to their function."""
    return f"{scope_of(node)}.{name}"


def parameters(node: tree_sitter.Node) -> list[tuple[str, bool]]:
    """(name, typed as a router) of a function or method's parameters, in order."""
    found = node.child_by_field_name("parameters")
    names = []
    for declaration in found.named_children if found is not None else []:
        identifiers = [c for c in declaration.named_children if c.type == "identifier"]
        router = bool(_ROUTER_TYPE.search(text(declaration.child_by_field_name("type"))))
        names += [(text(i), router) for i in identifiers] or [("_", False)]
    return names


def _returns(node: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    """The return statements of a function (not of the function literals inside it)."""
    for sub in nodes(node, ("return_statement",), LANGUAGES["go"].grammar):
        if not sub.named_children:
            continue
        owner = sub.parent
        while owner is not None and owner.type not in ("func_literal", *FUNCTION_DECLARATIONS):
            owner = owner.parent
        if owner is not None and owner.id == node.id:
            yield sub


def record_function(node: tree_sitter.Node, facts: Facts) -> None:
    """A declaration's parameters, and the router variable it returns (``return r``)."""
    name = text(node.child_by_field_name("name"))
    found = parameters(node)
    facts["params"][name] = [n for n, _ in found]
    facts["router_params"] += [f"{name}.{n}" for n, router in found if router]
    for statement in _returns(node):
        values = statement.named_children[0]
        returned = values.named_children[0] if values.named_children else values
        if returned.type == "identifier":
            facts["returns"][name] = text(returned)


def record_call(
    node: tree_sitter.Node, facts: Facts, scope: Callable[[tree_sitter.Node, str], str] = scoped
) -> None:
    """``RegisterRoutes(api)`` / ``h.Register(v1)``: identifiers passed to a function
    (``scope`` names the router an identifier is at the call)."""
    function = node.child_by_field_name("function")
    if function is None:
        return
    callee = text(function).rsplit(".", 1)[-1]
    found = node.child_by_field_name("arguments")
    args = found.named_children if found is not None else []
    names = [scope(node, text(a)) if a.type == "identifier" else "" for a in args]
    if any(names):
        facts["calls"].append({"function": callee, "args": names, "line": line(node)})


def new_facts(kind: str) -> Facts:
    return {
        "kind": kind,
        "routes": [],
        "uses": [],
        "params": {},
        "returns": {},
        "calls": [],
        "router_params": [],
    }


def prune_calls(facts: Facts, routers: set[str]) -> None:
    """Keep the calls that pass a router (the others cannot link anything)."""
    known = routers | set(facts["router_params"])
    facts["calls"] = [c for c in facts["calls"] if known.intersection(c["args"])]


def caller(data: Mapping[str, Facts], place: Place) -> Place | None:
    """Where the router a function received as a parameter comes from."""
    path, owner, _ = place
    function, _, variable = owner.partition(".")
    params = data[path]["params"].get(function, [])
    if variable not in params:
        return None
    index = params.index(variable)
    for other, facts in sorted(data.items()):
        for call in facts["calls"]:
            if call["function"] == function and index < len(call["args"]) and call["args"][index]:
                return other, call["args"][index], call["line"]
    return None


def bounded(depth: int) -> bool:
    return depth < MAX_DEPTH * 2


__all__ = ["assigned_call", "go_call"]
