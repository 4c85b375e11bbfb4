"""Express and Koa (JavaScript, TypeScript).

``app.get/post/put/patch/delete/all(path, ...mw, handler)``, ``router.route(path).get(...)``,
``X.use([path,] ...mw, router)`` mounts (``require``/``import`` of the router's module
followed), ``X.use(mw)`` guards for the routes registered after them; middleware whose
name says it authenticates (``requireAuth``, ``passport.authenticate('jwt')``,
``verifyToken``, ``isAdmin``...).

Koa (``koa-router``, ``@koa/router``) has the same shape: ``new Router({prefix})`` and
``router.prefix()``, ``router.del``, named routes (``router.get('name', '/path', ...)``),
``X.use([path,] other.routes())`` mounts and ``module.exports = router.routes()``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

from ..analyses._authz_resolve import Exposure, join
from . import koa
from ._common import (
    MAX_DEPTH,
    Facts,
    arguments,
    call_name,
    line,
    member,
    middleware_auth,
    nodes,
    string,
    text,
    walk,
)

if TYPE_CHECKING:
    import tree_sitter

EXPRESS_VERBS = {"get", "post", "put", "patch", "delete", "all"}
ROUTER_FACTORIES = frozenset({"express", "express.Router", "Router", "express.default"})
_JS_SUFFIXES = ("", ".js", ".ts", ".mjs", ".cjs", ".jsx", ".tsx", "/index.js", "/index.ts")
_EXPORTS = ("module.exports", "exports.default")
#: Options that make a JWT middleware let requests without a token through.
OPTIONAL_AUTH = re.compile(r"passthrough\s*:\s*true|credentialsRequired\s*:\s*false")

#: An ``if`` condition true only in development or tests.
DEVELOPMENT_ONLY = re.compile(
    r"^\(?\s*(?:[\w.]+\.)?(?:isDev|isDevelopment|isDevMode|__DEV__|isTest|isE2E)\s*\)?$"
    r"|NODE_ENV\s*===?\s*['\"](?:development|dev|test)['\"]"
    r"|NODE_ENV\s*!==?\s*['\"]production['\"]"
)

Key = tuple[str, str]  # (file, router variable)


def handler_name(node: tree_sitter.Node) -> str:
    """How a handler or middleware argument is named in the inventory (an optional
    check, ``jwt({ passthrough: true })``, says so and is not access control)."""
    if node.type in ("identifier", "member_expression"):
        return text(node)
    if node.type == "call_expression":
        optional = "optional " if OPTIONAL_AUTH.search(text(node)) else ""
        return optional + call_name(node)
    return "anonymous function"


def verb_of(method: str, kind: str) -> str | None:
    """The HTTP method a router method registers (``all``: any; Koa's ``del``)."""
    if method in EXPRESS_VERBS:
        return "ANY" if method == "all" else method.upper()
    return koa.KOA_VERBS.get(method) if kind == koa.KIND else None


def scan(root: tree_sitter.Node, kind: str = "express") -> Facts:
    """Routers, routes, ``use`` calls, imports and the default export of one file."""
    facts: Facts = {"kind": kind, "routers": {}, "routes": [], "uses": [], "imports": {}}
    if kind == koa.KIND:
        facts["prefixes"] = {}
    for node in nodes(root, _VISITORS, narrowed=_NARROWED):
        _VISITORS[node.type](node, facts)
    return facts


def _unwrap(value: tree_sitter.Node | None) -> tree_sitter.Node | None:
    """``await x`` and ``new X()`` down to what they wrap."""
    while value is not None and value.type in ("await_expression", "new_expression"):
        value = value.child_by_field_name("constructor") or (
            value.named_children[0] if value.named_children else None
        )
    return value


def _require(value: tree_sitter.Node) -> str | None:
    """The module ``require('./x')`` names."""
    if value.type != "call_expression" or text(value.child_by_field_name("function")) != "require":
        return None
    args = arguments(value)
    return string(args[0]) if args else None


def _binding(node: tree_sitter.Node, facts: Facts) -> None:
    """``const router = express.Router()`` or ``const x = require('./x')``."""
    name = node.child_by_field_name("name")
    value = _unwrap(node.child_by_field_name("value"))
    if name is None or value is None or name.type != "identifier":
        return
    callee = text(value.child_by_field_name("function") or value)
    koa_file = facts["kind"] == koa.KIND
    if callee in (koa.KOA_FACTORIES if koa_file else ROUTER_FACTORIES):
        facts["routers"][text(name)] = line(name)
        prefix = koa.constructor_prefix(node.child_by_field_name("value")) if koa_file else None
        if prefix is not None:
            facts["prefixes"][text(name)] = prefix
        return
    source = _require(value)
    if source:
        facts["imports"][text(name)] = source


def _import(node: tree_sitter.Node, facts: Facts) -> None:
    source = string(node.child_by_field_name("source"))
    if not source:
        return
    clauses = ("import_clause", "import_specifier", "namespace_import")
    for sub in walk(node):
        if sub.type == "identifier" and sub.parent is not None and sub.parent.type in clauses:
            facts["imports"][text(sub)] = source


def _export(node: tree_sitter.Node, facts: Facts) -> None:
    value = node.child_by_field_name("value") or node.child_by_field_name("declaration")
    if value is not None and "default" in text(node) and OPTIONAL_AUTH.search(text(value)):
        facts["optional_export"] = True
    if value is not None and value.type == "identifier" and "default" in text(node):
        facts["export"] = text(value)


def _assignment(node: tree_sitter.Node, facts: Facts) -> None:
    """``module.exports = router`` (Koa: ``= router.routes()``)."""
    right = node.child_by_field_name("right")
    if right is None or text(node.child_by_field_name("left")) not in _EXPORTS:
        return
    if OPTIONAL_AUTH.search(text(right)):
        facts["optional_export"] = True
    if facts["kind"] == koa.KIND:
        right = koa.mounted(right) or right
    if right.type == "identifier":
        facts["export"] = text(right)


def _call(node: tree_sitter.Node, facts: Facts) -> None:
    found = member(node)
    if found is None:
        return
    obj, method = found
    args = arguments(node)
    if method == "use" and args:
        facts["uses"].append(_use(obj, args, line(node), facts["kind"]))
    elif method == "prefix" and "prefixes" in facts and args and string(args[0]) is not None:
        facts["prefixes"][text(obj)] = string(args[0])
    else:
        _route_call(obj, method, args, node, facts)


def _route_call(
    obj: tree_sitter.Node,
    method: str,
    args: list[tree_sitter.Node],
    node: tree_sitter.Node,
    facts: Facts,
) -> None:
    verb = verb_of(method, facts["kind"])
    if verb is None:
        return
    if facts["kind"] == koa.KIND:
        args = koa.unnamed(args)
    route = None
    if len(args) >= 2:
        route = _verb_route(obj, verb, args, line(node))
    elif len(args) == 1 and obj.type == "call_expression":
        route = _chained_route(obj, verb, args[0], line(node))
    if route is not None:
        development = _development_only(node)
        if development:
            route["development"] = development
        facts["routes"].append(route)


def _development_only(node: tree_sitter.Node) -> str:
    """The condition of an ``if`` whose branch registers a route only in development or
    tests (``if (isDev)``, ``if (process.env.NODE_ENV !== 'production')``): never
    served in production (``""``: none)."""
    current, depth = node, 0
    while current.parent is not None and depth < 50:
        parent, depth = current.parent, depth + 1
        if parent.type == "if_statement" and parent.child_by_field_name("consequence") == current:
            condition = " ".join(text(parent.child_by_field_name("condition")).split())
            if DEVELOPMENT_ONLY.search(condition) and "!" not in condition.replace("!=", ""):
                return condition
        if parent.type in ("function_declaration", "program"):
            break
        current = parent
    return ""


def _route(owner: str, verb: str, path: str, middleware: list[str], handler: str, at: int) -> Facts:
    return {
        "owner": owner,
        "method": verb,
        "path": path,
        "middleware": middleware,
        "handler": handler,
        "line": at,
    }


def _verb_route(
    obj: tree_sitter.Node, verb: str, args: list[tree_sitter.Node], at: int
) -> Facts | None:
    """``app.post(path, ...mw, handler)`` or ``router.route(path).post(mw, handler)``."""
    path = string(args[0])
    owner = text(obj)
    inner = member(obj) if obj.type == "call_expression" else None
    if inner is not None and inner[1] == "route" and arguments(obj):
        path = string(arguments(obj)[0])
        owner = text(inner[0]) or owner
        args = [args[0], *args]  # the handler list starts at index 1 below
    if path is None or not path.startswith("/"):
        return None
    chain = _flat(args[1:])
    if not chain:
        return None
    return _route(
        owner, verb, path, [handler_name(a) for a in chain[:-1]], handler_name(chain[-1]), at
    )


def _flat(args: list[tree_sitter.Node]) -> list[tree_sitter.Node]:
    """Handlers and middleware as Express calls them: arrays spread in order
    (``router.post('/', [validateToken, decrypt], handler)``)."""
    out: list[tree_sitter.Node] = []
    for arg in args:
        if arg.type == "array":
            out.extend(c for c in arg.named_children if c.type != "comment")
        else:
            out.append(arg)
    return out


def _chained_route(
    obj: tree_sitter.Node, verb: str, handler: tree_sitter.Node, at: int
) -> Facts | None:
    """``router.route('/x').get(a).post(b)``: back along the chain to the route call."""
    inner = member(obj)
    while inner is not None and inner[1] in EXPRESS_VERBS and inner[0].type == "call_expression":
        obj = inner[0]
        inner = member(obj)
    if inner is None or inner[1] != "route" or not arguments(obj):
        return None
    path = string(arguments(obj)[0])
    if not path or not path.startswith("/"):
        return None
    return _route(text(inner[0]), verb, path, [], handler_name(handler), at)


def _use(obj: tree_sitter.Node, args: list[tree_sitter.Node], at: int, kind: str) -> Facts:
    path = string(args[0])
    rest = _flat(args[1:] if path is not None else args)
    if kind == koa.KIND:
        rest = [koa.mounted(a) or a for a in rest]
    return {"owner": text(obj), "path": path, "args": [handler_name(a) for a in rest], "line": at}


_VISITORS: dict[str, Callable[[tree_sitter.Node, Facts], None]] = {
    "variable_declarator": _binding,
    "import_statement": _import,
    "call_expression": _call,
    "export_statement": _export,
    "assignment_expression": _assignment,
}
_ROUTER_METHODS = sorted({*EXPRESS_VERBS, *koa.KOA_VERBS, "use", "prefix"})
#: Only the nodes the visitors act on: calls of a router method, bindings of a call or a
#: name (``express()``, ``new Router()``, ``require(...)``), assignments to the exports.
_NARROWED = (
    (
        "call_expression",
        '(call_expression function: (member_expression property: (_) @p (#any-of? @p "'
        + '" "'.join(_ROUTER_METHODS)
        + '"))) @n',
    ),
    (
        "variable_declarator",
        "(variable_declarator value: [(identifier) (member_expression) (call_expression)"
        " (await_expression) (new_expression)]) @n",
    ),
    (
        "assignment_expression",
        '(assignment_expression left: (_) @l (#any-of? @l "' + '" "'.join(_EXPORTS) + '")) @n',
    ),
)


def resolve_js(path: str, source: str, files: Mapping[str, Facts]) -> str | None:
    """The file a relative ``require``/``import`` of ``path`` names, when scanned
    (TypeScript's ``import x from './x.js'`` names ``x.ts``)."""
    if not source.startswith("."):
        return None
    base = posixpath.normpath(posixpath.join(posixpath.dirname(path), source))
    stem, extension = posixpath.splitext(base)
    candidates = [base + suffix for suffix in _JS_SUFFIXES]
    if extension in (".js", ".mjs", ".cjs", ".jsx"):
        candidates += [stem + ".ts", stem + ".tsx", stem + ".mts", stem + ".cts"]
    return next((c for c in candidates if c in files), None)


class Routers:
    """Every file's Express (or Koa) facts, with routers resolved across files."""

    def __init__(self, data: Mapping[str, Facts], kind: str = "express") -> None:
        self.data = {p: d for p, d in data.items() if d.get("kind") == kind}
        self.framework = FRAMEWORKS[kind]

    def prefix(self, key: Key) -> str:
        """A Koa router's own prefix (``new Router({prefix})``)."""
        facts = self.data.get(key[0], {})
        return str(facts.get("prefixes", {}).get(key[1], ""))

    def router_of(self, path: str, name: str) -> Key | None:
        """The (file, router variable) ``name`` in ``path`` refers to."""
        facts = self.data[path]
        if name in facts["routers"]:
            return path, name
        source = facts["imports"].get(name.split(".", 1)[0])
        target = resolve_js(path, source, self.data) if source else None
        if target is None:
            return None
        other = self.data[target]
        exported = other.get("export")
        if isinstance(exported, str) and exported in other["routers"]:
            return target, exported
        if len(other["routers"]) == 1:
            return target, next(iter(other["routers"]))
        return None

    def checks(self, path: str, name: str) -> bool:
        """Whether middleware ``name`` (in ``path``) checks the caller: by its name, unless
        it is imported from a module exporting an optional check (``passthrough: true``)."""
        if not middleware_auth(name):
            return False
        source = self.data[path]["imports"].get(name.split(".", 1)[0])
        target = resolve_js(path, source, self.data) if source else None
        return target is None or not self.data[target].get("optional_export")

    def mount(self, key: Key) -> tuple[str, Facts, int] | None:
        """(file, use, index of the router among the use's arguments) mounting ``key``."""
        for path, facts in sorted(self.data.items()):
            for use in facts["uses"]:
                children = [a for a in use["args"] if self.router_of(path, a) == key]
                if children:
                    return path, use, use["args"].index(children[0])
        return None

    def chain(self, key: Key, depth: int = 0) -> tuple[str, list[str]]:
        """(prefix, protections) from every mount above a router."""
        found = self.mount(key) if depth <= MAX_DEPTH else None
        if found is None:
            return self.prefix(key), []
        path, use, index = found
        protection = [a for a in use["args"][:index] if self.checks(path, a)]
        parent = self.router_of(path, use["owner"]) if use["owner"] else None
        above, parent_protection = "", list[str]()
        if parent is not None and parent != key:
            above, parent_protection = self.chain(parent, depth + 1)
            parent_protection = parent_protection + self.guards(parent, use["line"])
        prefix = join(above, use["path"] or "", self.prefix(key))
        return prefix, protection + parent_protection

    def _guarding(self, use: Facts, key: Key, before: int | None) -> bool:
        """Whether a ``use`` call on router ``key`` applies to a route at line ``before``."""
        if use["owner"] != key[1] or (use["path"] is not None and use["path"] != "/"):
            return False
        if before is not None and use["line"] > before:
            return False
        return not any(self.router_of(key[0], a) for a in use["args"])

    def guards(self, key: Key, before: int | None) -> list[str]:
        """``X.use(auth)`` on a router, registered before line ``before`` in its file."""
        found = []
        for use in self.data[key[0]]["uses"]:
            if self._guarding(use, key, before):
                found += [a for a in use["args"] if self.checks(key[0], a)]
        return found

    def exposures(self) -> Iterator[Exposure]:
        """Every route with its full path and the middleware that guards it."""
        for path, facts in sorted(self.data.items()):
            for route in facts["routes"]:
                yield self._exposure(path, route)

    def _exposure(self, path: str, route: Facts) -> Exposure:
        key = self.router_of(path, route["owner"]) or (path, route["owner"])
        known = key[0] in self.data
        prefix, above = self.chain(key) if known else ("", [])
        own = [m for m in route["middleware"] if self.checks(path, m)]
        if route.get("development"):  # never served in production
            own.append(f"development only (if {route['development']})")
        guards = self.guards(key, route["line"]) if known else []
        return Exposure(
            route["method"],
            join(prefix, route["path"]) if prefix else route["path"],
            route["handler"],
            path,
            route["line"],
            self.framework,
            [*own, *guards, *above],
        )


FRAMEWORKS = {"express": "Express", koa.KIND: koa.FRAMEWORK}


def exposures(data: Mapping[str, Facts]) -> Iterator[Exposure]:
    """Every Express and Koa endpoint of the files' facts."""
    yield from Routers(data).exposures()
    yield from Routers(data, koa.KIND).exposures()
