"""What the Go routers (echo, chi) share: scopes, calls and the links between a router
passed as an argument and the parameter that receives it in another function or file."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

from backend_skills.languages import LANGUAGES

from ..analyses import _authz_vocabulary as V
from ._common import (
    MAX_DEPTH,
    Facts,
    arguments,
    call_name,
    enclosing_name,
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
#: What the body of a middleware checking the caller does: answers 401, or redirects to
#: the login page (miniflux's ``webSessionMiddleware.handle``).
GUARD_BODY = re.compile(
    r"http\.StatusUnauthorized\b|WriteHeader\(\s*401\s*\)"
    r"|Redirect\w*\([^\n]*(?i:login|signin|sign_in)"
)
#: ``x := newWebSession(...)``, ``x := &Guard{...}``: the type a variable holds, by name.
_CONSTRUCTOR = re.compile(r"^&?(?:[\w]+\.)?(?:[Nn]ew)?(\w+)\s*[({]")

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
    return enclosing_name(node, FUNCTION_DECLARATIONS)


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


def guard_key(node: tree_sitter.Node) -> str:
    """``type.method`` (type in lower case) of a method, the name of a function."""
    name = text(node.child_by_field_name("name"))
    receiver = node.child_by_field_name("receiver")
    if receiver is None or not receiver.named_children:
        return name
    written = text(receiver.named_children[0].child_by_field_name("type"))
    return f"{written.lstrip('*').split('[', 1)[0].lower()}.{name}"


def record_guard(node: tree_sitter.Node, facts: Facts) -> None:
    """A function or method whose body answers 401 or redirects to the login page: used
    as middleware, it checks the caller whatever its name."""
    if GUARD_BODY.search(text(node.child_by_field_name("body"))):
        facts.setdefault("guards", []).append(guard_key(node))


def record_constructed(node: tree_sitter.Node, facts: Facts) -> None:
    """``x := newWebSessionMiddleware(...)``: the type (by name) ``x`` holds."""
    left = node.child_by_field_name("left")
    right = node.child_by_field_name("right")
    if left is None or right is None or len(left.named_children) != 1:
        return
    if len(right.named_children) != 1:
        return
    found = _CONSTRUCTOR.match(text(right.named_children[0]))
    if found is not None:
        facts.setdefault("constructed", {})[text(left.named_children[0])] = found.group(1).lower()


class Guards:
    """The functions and methods of every Go file that check the caller by their body
    (:func:`record_guard`), judging middleware whose name says nothing."""

    def __init__(self, data: Mapping[str, Facts]) -> None:
        self.data = data
        self.keys = {key for facts in data.values() for key in facts.get("guards", [])}

    def __call__(self, path: str, name: str) -> bool:
        """Whether middleware ``name`` (as written in ``path``) checks the caller."""
        if go_auth(name):
            return True
        head = re.split(r"[(\s]", name, maxsplit=1)[0]
        if not self.keys or not head or set(V.words(head)) & (V.NOT_AUTH_WORDS - {"session"}):
            return False
        operand, _, method = head.rpartition(".")
        if not operand:
            return method in self.keys
        constructed = self.data.get(path, {}).get("constructed", {})
        held = constructed.get(operand, operand.lower())
        return f"{held}.{method}" in self.keys or (
            operand not in constructed and method in self.keys  # package.Function
        )


def scan_guards(root: tree_sitter.Node, _source: str = "") -> Facts:
    """The functions and methods of a Go file without routes that check the caller."""
    facts: Facts = {"kind": "go_guards", "guards": []}
    for node in nodes(root, FUNCTION_DECLARATIONS, LANGUAGES["go"].grammar):
        record_guard(node, facts)
    return facts


def record_function(node: tree_sitter.Node, facts: Facts) -> None:
    """A declaration's parameters, and the router variable it returns (``return r``)."""
    record_guard(node, facts)
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
