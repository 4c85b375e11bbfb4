"""echo (Go).

``e.GET/POST/...(path, handler, ...mw)``, ``e.Any``, ``e.Add(method, path, handler,
...mw)``, ``e.Match([]string{...}, path, handler, ...mw)``; ``g := e.Group(prefix,
...mw)`` nested to any depth; ``e.Use(mw)``/``e.Pre(mw)`` on the instance guard every
route, ``g.Use(mw)`` on a group the routes registered after it. A group passed to a
function (``h.Register(v1)``) is followed into it, in any file of the package.

A Go file that names no framework is read the same way (listed as a "Go router"), with
net/http's ``mux.Handle``/``HandleFunc("POST /path", handler)`` (Go 1.22 patterns with
a method; those without one are not listed).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from ..analyses._authz_resolve import Exposure, join
from . import _go as G
from ._common import MAX_DEPTH, Facts, line, nodes, rooted, string, text, walk

if TYPE_CHECKING:
    import tree_sitter

FRAMEWORK = "echo"
GENERIC = "Go router"
VERBS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "Any"}
#: net/http's ``ServeMux`` (and routers sharing its shape) in a file naming no framework.
NET_HTTP = ("Handle", "HandleFunc")
_KINDS = (
    *G.FUNCTION_DECLARATIONS,
    "short_var_declaration",
    "assignment_statement",
    "var_spec",
    "call_expression",
)
_METHOD_PATTERN = re.compile(r"^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(\S+)$")


def scan(root: tree_sitter.Node, named: bool = True) -> Facts:
    """Instances, groups, ``Use`` calls, routes and router hand-offs of one file
    (``named``: the file names echo; else it is read the same way as a plain Go router)."""
    facts = G.new_facts("echo")
    facts.update(groups={}, instances=[], framework=FRAMEWORK if named else GENERIC)
    for node in nodes(root, _KINDS):
        if node.type in G.FUNCTION_DECLARATIONS:
            G.record_function(node, facts)
        elif node.type in ("short_var_declaration", "assignment_statement", "var_spec"):
            _assignment(node, facts)
        elif node.type == "call_expression":
            _call(node, facts)
    G.prune_calls(facts, {*facts["groups"], *facts["instances"]})
    _prune_wrapped(facts)
    return facts


def _prune_wrapped(facts: Facts) -> None:
    """Keep the routers handed to middleware only when routes hang from them, and the
    constructed middleware values only when used as middleware."""
    owners = {r["owner"] for r in facts["routes"]} | {*facts["groups"], *facts["instances"]}
    owners |= {a for call in facts["calls"] for a in call["args"]}  # handed on: kept
    facts["uses"] = [
        u
        for u in facts["uses"]
        if not u.get("wrapped") or u["owner"] in owners or any(map(G.go_auth, u["middleware"]))
    ]
    used = {
        m.split("(", 1)[0].rpartition(".")[0]
        for holder in (*facts["uses"], *facts["routes"], *facts["groups"].values())
        for m in holder["middleware"]
    }
    constructed = facts.pop("constructed", {})
    kept = {name: held for name, held in constructed.items() if name in used}
    if kept:
        facts["constructed"] = kept


#: Methods that attach middleware to the router, group or route they are chained on
#: (pocketbase's ``rg.Group("/x").Bind(RequireAuth())``, ``r.GET(p, h).Bind(...)``,
#: routegroup's ``g.With(mw).HandleFunc(...)``).
CHAINED = frozenset({"Bind", "BindFunc", "Use", "With", "Unbind"})
#: Chained calls that detach middleware (pocketbase's ``Unbind(id)``): no protection.
_DETACHING = frozenset({"Unbind"})


def _unchained(value: tree_sitter.Node) -> tuple[tree_sitter.Node, list[str]]:
    """What chained middleware calls are made on, and that middleware (inner first):
    ``rg.Group("/x").Bind(a)`` -> (``rg.Group("/x")``, [a]); ``g.With(a)`` -> (``g``, [a])."""
    middleware: list[str] = []
    for _ in range(MAX_DEPTH):
        call = G.go_call(value) if value.type == "call_expression" else None
        function = value.child_by_field_name("function") if call is not None else None
        operand = function.child_by_field_name("operand") if function is not None else None
        if call is None or call[1] not in CHAINED or operand is None:
            break
        if call[1] not in _DETACHING:
            middleware = [G.name_of(a) for a in call[2]] + middleware
        value = operand
    return value, middleware


def _chained_after(node: tree_sitter.Node) -> list[str]:
    """Middleware chained after a route registration (``r.GET(p, h).Bind(mw)``)."""
    found: list[str] = []
    current = node
    for _ in range(MAX_DEPTH):
        selector = current.parent
        call = selector.parent if selector is not None else None
        if selector is None or selector.type != "selector_expression" or call is None:
            break
        chained = G.go_call(call) if call.type == "call_expression" else None
        if chained is None or chained[1] not in CHAINED:
            break
        if chained[1] not in _DETACHING:
            found += [G.name_of(a) for a in chained[2]]
        current = call
    return found


def _assignment(node: tree_sitter.Node, facts: Facts) -> None:
    G.record_constructed(node, facts)
    right = node.child_by_field_name("value" if node.type == "var_spec" else "right")
    value = right.named_children[0] if right is not None and right.named_children else None
    if value is not None and value.type == "call_expression":
        inner, chained = _unchained(value)
        if inner is not value:
            _chained_group(node, inner, chained, facts)
            return
    found = G.assigned_call(node)
    if found is None:
        return
    name, (parent, method, args) = found
    if method == "New" and parent == "echo":
        facts["instances"].append(G.scoped(node, name))
    elif method == "Group" and args:
        facts["groups"][G.scoped(node, name)] = {
            "parent": G.scoped(node, parent),
            "prefix": string(args[0]) or "",
            "middleware": [G.name_of(a) for a in args[1:]],
            "line": line(node),
        }


def _wrapped(node: tree_sitter.Node, router: tree_sitter.Node, facts: Facts) -> None:
    """A router handed whole to middleware (``return auth(cors(mux))``, miniflux's
    ``middleware.validateAPIKeyAuth(middleware.validateBasicAuth(mux))``): every route on
    it passes the middleware, as ``Use`` would make it."""
    names = [G.name_of(node)]
    current = node
    for _ in range(MAX_DEPTH):
        holder = current.parent
        outer = holder.parent if holder is not None else None
        if holder is None or holder.type != "argument_list" or outer is None:
            break
        if outer.type != "call_expression" or holder.named_child_count != 1:
            break
        names.append(G.name_of(outer))
        current = outer
    # Kept when routes hang from the router (a middleware checking the caller by its body,
    # in another file, is known only once every file is read).
    facts["uses"].append(
        {
            "owner": G.scoped(node, text(router)),
            "middleware": names,
            "line": line(node),
            "wrapped": True,
        }
    )


def _chained_group(
    node: tree_sitter.Node, inner: tree_sitter.Node, chained: list[str], facts: Facts
) -> None:
    """``g := r.Group(prefix, ...mw).Bind(mw2)``: a group with the chained middleware."""
    left = node.child_by_field_name("left")
    call = G.go_call(inner)
    if left is None or not left.named_children or call is None:
        return
    parent, method, args = call
    if method != "Group" or not args:
        return
    name = text(left.named_children[0])
    facts["groups"][G.scoped(node, name)] = {
        "parent": G.scoped(node, parent),
        "prefix": string(args[0]) or "",
        "middleware": [*(G.name_of(a) for a in args[1:]), *chained],
        "line": line(node),
    }


def _call(node: tree_sitter.Node, facts: Facts) -> None:
    call = G.go_call(node)
    if call is None:
        G.record_call(node, facts)
        return
    owner, method, args = call
    if len(args) == 1 and args[0].type == "identifier":
        _wrapped(node, args[0], facts)
    before: list[str] = []
    function = node.child_by_field_name("function")
    operand = function.child_by_field_name("operand") if function is not None else None
    if operand is not None and method not in CHAINED:
        under, before = _unchained(operand)  # g.With(auth).HandleFunc(...)
        if before:
            owner = text(under)
    if method in ("Use", "Pre"):
        middleware = [G.name_of(a) for a in args]
        facts["uses"].append(
            {"owner": G.scoped(node, owner), "middleware": middleware, "line": line(node)}
        )
        return
    route = _route(method, args)
    if route is None:
        G.record_call(node, facts)
        return
    verbs, path, rest = route
    if path is None or not rest:
        return
    handler, wrappers = G.unwrap_handler(rest[0])
    for verb in verbs:
        facts["routes"].append(
            {
                "owner": G.scoped(node, owner),
                "method": verb,
                "path": path,
                "middleware": [
                    *wrappers,
                    *(G.name_of(a) for a in rest[1:]),
                    *before,
                    *_chained_after(node),
                ],
                "handler": handler,
                "line": line(node),
            }
        )


def _match(args: list[tree_sitter.Node]) -> list[str]:
    """The methods of ``e.Match([]string{"PUT", "PATCH"}, ...)``."""
    verbs = (string(s) for s in walk(args[0]))
    return [v.upper() for v in verbs if v] or ["ANY"]


def _pattern(pattern: str | None) -> tuple[list[str], str | None]:
    """net/http's ``"POST /items/{id}"`` (Go 1.22). A pattern without a method is not
    listed: its handler decides the method at run time, and such muxes are mostly
    static files, health and profiling (``/debug/pprof/``) served on an internal port."""
    found = _METHOD_PATTERN.match(pattern or "")
    if found is None:
        return [], None
    return [found.group(1)], found.group(2)


def _route(
    method: str, args: list[tree_sitter.Node]
) -> tuple[list[str], str | None, list[tree_sitter.Node]] | None:
    """(verbs, path, [handler, ...mw]) of a route registration."""
    if method in VERBS and args:
        return ["ANY" if method == "Any" else method], string(args[0]), args[1:]
    if method in NET_HTTP and len(args) == 2:
        return (*_pattern(string(args[0])), args[1:])
    if len(args) < 3:
        return None
    if method == "Add":
        return [(string(args[0]) or "ANY").upper()], string(args[1]), args[2:]
    return (_match(args), string(args[1]), args[2:]) if method == "Match" else None


class Echo:
    """Every file's echo facts, with groups followed across functions and files."""

    def __init__(self, data: Mapping[str, Facts]) -> None:
        self.data = {p: d for p, d in sorted(data.items()) if d.get("kind") == "echo"}
        self.checks = G.Guards(data)

    def _uses(self, path: str, owner: str, before: int, group: bool) -> list[str]:
        uses = self.data[path]["uses"]
        found = [u for u in uses if u["owner"] == owner and (not group or u["line"] < before)]
        return [m for u in found for m in u["middleware"] if self.checks(path, m)]

    def above(self, place: G.Place) -> tuple[str, list[str]]:
        """(prefix, protections) of the groups and instance a route hangs from."""
        prefix, access, depth = "", list[str](), 0
        current: G.Place | None = place
        while current is not None and G.bounded(depth):
            path, owner, before = current
            group = self.data[path]["groups"].get(owner)
            access += self._uses(path, owner, before, group is not None)
            if group is None:
                current = G.caller(self.data, current)
            else:
                access += [m for m in group["middleware"] if self.checks(path, m)]
                prefix = join(group["prefix"], prefix) if prefix else group["prefix"]
                current = (path, group["parent"], group["line"])
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
                    facts.get("framework", FRAMEWORK),
                    [m for m in route["middleware"] if self.checks(path, m)] + above,
                )


def exposures(data: Mapping[str, Facts]) -> Iterator[Exposure]:
    """Every echo route of the files' facts."""
    return Echo(data).exposures()
