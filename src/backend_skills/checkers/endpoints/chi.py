"""chi (Go).

``r.Get/Post/...(path, handler)``, ``r.Method(method, path, handler)``,
``r.Handle``/``r.HandleFunc`` (any method); ``r.Route(prefix, func(r chi.Router) {...})``
and ``r.Group(func(r chi.Router) {...})`` sub-routers, ``r.Mount(prefix, sub)`` (a
variable, or a function returning the router it builds), ``r.With(mw).Get(...)`` inline
middleware and ``r.Use(mw)``, which guards every route of the router it is called on (chi
requires it before the routes) and of the sub-routers below. A router passed to a
function (``api.RegisterRoutes(r)``) is followed into it, in any file of the package.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from ..analyses._authz_resolve import Exposure, join
from . import _go as G
from ._common import Facts, line, nodes, rooted, string, text

if TYPE_CHECKING:
    import tree_sitter

FRAMEWORK = "chi"
VERBS = {
    "Get": "GET",
    "Post": "POST",
    "Put": "PUT",
    "Patch": "PATCH",
    "Delete": "DELETE",
    "Head": "HEAD",
    "Options": "OPTIONS",
    "Handle": "ANY",
    "HandleFunc": "ANY",
}
SUBROUTERS = ("Route", "Group")
_KINDS = (
    *G.FUNCTION_DECLARATIONS,
    "short_var_declaration",
    "assignment_statement",
    "call_expression",
)


def _literal_param(literal: tree_sitter.Node) -> str:
    params = G.parameters(literal)
    return params[0][0] if params else ""


def router_of(node: tree_sitter.Node, owner: str) -> str:
    """The router a call on ``owner`` registers on: the innermost ``Route``/``Group``
    function literal whose parameter is ``owner``, else ``Function.owner``."""
    current = node.parent
    while current is not None and current.type not in G.FUNCTION_DECLARATIONS:
        if current.type == "func_literal" and _literal_param(current) == owner:
            return f"lit{current.start_point[0] + 1}:{current.start_point[1]}.{owner}"
        current = current.parent
    return G.scoped(node, owner)


#: Key, while a file is scanned, of the routers named by assigning ``r.With(...)`` and the
#: middleware they add (dropped from the facts after the scan: only this file's routes
#: use them).
_WITHS = "_with_routers"


def scan(root: tree_sitter.Node) -> Facts:
    """Routers, sub-routers, mounts, ``Use`` calls and routes of one file."""
    facts = G.new_facts("chi")
    facts.update(children=[], routers=[])
    facts[_WITHS] = {}
    for node in nodes(root, _KINDS):
        if node.type in G.FUNCTION_DECLARATIONS:
            G.record_function(node, facts)
        elif node.type in ("short_var_declaration", "assignment_statement"):
            _assignment(node, facts)
        elif node.type == "call_expression":
            _call(node, facts)
    del facts[_WITHS]
    G.prune_calls(facts, set(facts["routers"]) | {c["child"] for c in facts["children"]})
    return facts


def _assignment(node: tree_sitter.Node, facts: Facts) -> None:
    found = G.assigned_call(node)
    if found is not None and found[1][1] in ("NewRouter", "NewMux") and found[1][0] == "chi":
        facts["routers"].append(G.scoped(node, found[0]))
    elif found is not None and found[1][1] == "With":  # set := r.With(requireAccess(...))
        variable, (owner, _, args) = found
        facts[_WITHS][G.scoped(node, variable)] = (
            router_of(node, owner),
            [G.name_of(a) for a in args],
        )


def _with(owner_node: tree_sitter.Node) -> tuple[str, list[str]] | None:
    """``r.With(a, b)`` -> (``r``, [``a``, ``b``])."""
    if owner_node.type != "call_expression":
        return None
    call = G.go_call(owner_node)
    if call is None or call[1] != "With":
        return None
    return call[0], [G.name_of(a) for a in call[2]]


def _call(node: tree_sitter.Node, facts: Facts) -> None:
    function = node.child_by_field_name("function")
    operand = function.child_by_field_name("operand") if function is not None else None
    call = G.go_call(node)
    if call is None or operand is None:
        G.record_call(node, facts, router_of)
        return
    owner, method, args = call
    inline = _with(operand)
    router = router_of(node, inline[0] if inline else owner)
    assigned = facts[_WITHS].get(router)
    if assigned is not None:  # set.Post(...) after set := r.With(mw): r's route, mw first
        router, before = assigned
        inline = (router, [*before, *(inline[1] if inline else [])])
    if method == "Use":
        uses = [G.name_of(a) for a in args]
        facts["uses"].append({"owner": router, "middleware": uses, "line": line(node)})
    elif method in (*SUBROUTERS, "Mount"):
        _child(node, facts, router, method, args)
    elif not _route(node, facts, router, method, args, inline[1] if inline else []):
        G.record_call(node, facts, router_of)


def _child(
    node: tree_sitter.Node, facts: Facts, router: str, method: str, args: list[tree_sitter.Node]
) -> None:
    prefix = string(args[0]) if args and method != "Group" else ""
    target = args[-1] if args else None
    if prefix is None or target is None:
        return
    if target.type == "func_literal":
        child = f"lit{target.start_point[0] + 1}:{target.start_point[1]}.{_literal_param(target)}"
    elif target.type == "identifier":
        child = G.scoped(node, text(target))
    elif target.type == "call_expression":
        child = "call:" + text(target.child_by_field_name("function"))
    else:
        return
    facts["children"].append(
        {"parent": router, "child": child, "prefix": prefix, "line": line(node)}
    )


def _route(
    node: tree_sitter.Node,
    facts: Facts,
    router: str,
    method: str,
    args: list[tree_sitter.Node],
    inline: list[str],
) -> bool:
    if method == "Method" and len(args) >= 3:
        verb, rest = (string(args[0]) or "ANY").upper(), args[1:]
    elif method in VERBS and len(args) >= 2:
        verb, rest = VERBS[method], args
    else:
        return False
    path = string(rest[0])
    if path is None:
        return False
    handler, wrappers = G.unwrap_handler(rest[-1])
    facts["routes"].append(
        {
            "owner": router,
            "method": verb,
            "path": path,
            "middleware": [*inline, *wrappers],
            "handler": handler,
            "line": line(node),
        }
    )
    return True


Candidate = tuple[str, str]  # (file, router the function returns)


def _tiers(path: str, receiver: str, found: list[Candidate]) -> Iterator[list[Candidate]]:
    """Candidates from the most to the least likely: the same file's, the folder's (named
    by the receiver, then any), those whose folder then file the receiver names, any."""
    yield [f for f in found if f[0] == path][:1]
    folder = [f for f in found if posixpath.dirname(f[0]) == posixpath.dirname(path)]
    yield from _named_first(folder, receiver)
    yield [f for f in found if _named(f[0], receiver, -2)]
    yield [f for f in found if _named(f[0], receiver, -1)]
    yield found


def _named_first(folder: list[Candidate], receiver: str) -> Iterator[list[Candidate]]:
    yield [f for f in folder if _named(f[0], receiver, -1)]
    yield folder


def _closest(path: str, receiver: str, found: list[Candidate]) -> Candidate | None:
    """The router a mount in ``path`` most likely means (None when it stays ambiguous)."""
    return next((tier[0] for tier in _tiers(path, receiver, found) if len(tier) == 1), None)


def _named(path: str, receiver: str, part: int) -> bool:
    """Whether the receiver of a call names the file (``part`` -1) or its folder (-2)."""
    name = path.removesuffix(".go").split("/")
    return len(name) >= -part and name[part].lower() in receiver


class Chi:
    """Every file's chi facts, with sub-routers, mounts and hand-offs resolved."""

    def __init__(self, data: Mapping[str, Facts]) -> None:
        self.data = {p: d for p, d in sorted(data.items()) if d.get("kind") == "chi"}
        self.checks = G.Guards(data)
        self.parents: dict[tuple[str, str], tuple[str, str, str, int]] = {}
        for path, facts in self.data.items():
            for child in facts["children"]:
                key = self._resolve_child(path, child["child"])
                if key is not None:
                    parent = (path, child["parent"], child["prefix"], child["line"])
                    self.parents.setdefault(key, parent)

    def _resolve_child(self, path: str, child: str) -> tuple[str, str] | None:
        """``call:a.Accounts.router`` -> the (file, ``router.r``) that function returns:
        in the same file, else the same folder, else the folder the receiver names."""
        if not child.startswith("call:"):
            return path, child
        receiver, _, function = child.removeprefix("call:").rpartition(".")
        found = [
            (p, f"{function}.{d['returns'][function]}")
            for p, d in self.data.items()
            if function in d["returns"]
        ]
        return _closest(path, receiver.lower(), found)

    def _uses(self, path: str, router: str) -> list[str]:
        uses = [u for u in self.data[path]["uses"] if u["owner"] == router]
        return [m for u in uses for m in u["middleware"] if self.checks(path, m)]

    def above(self, place: G.Place) -> tuple[str, list[str]]:
        """(prefix, protections) of the routers a route hangs from."""
        prefix, access, depth = "", list[str](), 0
        current: G.Place | None = place
        while current is not None and G.bounded(depth):
            path, router, _ = current
            access += self._uses(path, router)
            parent = self.parents.get((path, router))
            if parent is None:
                current = G.caller(self.data, current)
            else:
                prefix = join(parent[2], prefix) if prefix else parent[2]
                current = (parent[0], parent[1], parent[3])
            depth += 1
        return prefix, access

    def exposures(self) -> Iterator[Exposure]:
        for path, facts in self.data.items():
            for route in facts["routes"]:
                prefix, above = self.above((path, route["owner"], route["line"]))
                yield Exposure(
                    route["method"],
                    rooted(join(prefix, route["path"]) if prefix else route["path"]),
                    route["handler"],
                    path,
                    route["line"],
                    FRAMEWORK,
                    [m for m in route["middleware"] if self.checks(path, m)] + above,
                )


def exposures(data: Mapping[str, Facts]) -> Iterator[Exposure]:
    """Every chi route of the files' facts."""
    return Chi(data).exposures()
