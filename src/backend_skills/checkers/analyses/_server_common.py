"""Helpers shared by the ``server_side`` and ``scalability`` analyses.

- :class:`Imports`: what each local name of a module refers to, so that ``sleep(1)``
  after ``from time import sleep`` is recognised as ``time.sleep``;
- :func:`find_routes`: request handlers declared with route decorators;
- :func:`web_frameworks`: the web frameworks a module imports.

Everything here reads the tree it is given; nothing is imported or executed.
"""

from __future__ import annotations

import ast
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


def _flatten(tree: ast.AST) -> list[ast.AST]:
    """Every node of ``tree`` in breadth-first order (what ``ast.walk`` yields, faster)."""
    out: list[ast.AST] = [tree]
    index = 0
    while index < len(out):
        node = out[index]
        index += 1
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                out.append(value)
            elif isinstance(value, list):
                out.extend(v for v in value if isinstance(v, ast.AST))
    return out


def _flatten_linked(tree: ast.AST) -> tuple[list[ast.AST], list[int], list[int]]:
    """:func:`_flatten` but the load/store/del contexts of names (a third of the nodes,
    of no use to a reader of the nodes), with the position of each node's parent (-1 for
    ``tree``) and of each node's first child (its children are the next ones, in field
    order)."""
    out: list[ast.AST] = [tree]
    parents: list[int] = [-1]
    firsts: list[int] = []
    index = 0
    while index < len(out):
        node = out[index]
        start = len(out)
        firsts.append(start)
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                if name != "ctx":
                    out.append(value)
            elif isinstance(value, list):
                out.extend(v for v in value if isinstance(v, ast.AST))
        parents.extend([index] * (len(out) - start))
        index += 1
    return out, parents, firsts


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """The direct children of ``node``, in the order of ``ast.iter_child_nodes`` (faster)."""
    out: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, ast.AST):
            out.append(value)
        elif isinstance(value, list):
            out.extend(v for v in value if isinstance(v, ast.AST))
    return out


class TreeIndex:
    """One flat walk of a module, shared by the analyses that visit the same tree: the
    nodes ``ast.walk`` yields in its order, but the contexts of names (``ast.Load``...).

    ``of(ast.Call)`` lists the nodes of a type without walking the tree again.
    """

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.nodes, self.parents, self.firsts = _flatten_linked(tree)
        """``parents[i]``: the position in ``nodes`` of the parent of ``nodes[i]``;
        ``firsts[i]``: that of its first child."""
        self.by_type: dict[type[ast.AST], list[ast.AST]] = {}
        for node in self.nodes:
            self.by_type.setdefault(type(node), []).append(node)
        self.imports = Imports(self.of(ast.Import, ast.ImportFrom))
        self._positions: dict[type[ast.AST], list[int]] = {}

    def positions(self, kind: type[ast.AST]) -> list[int]:
        """Positions in :attr:`nodes` of the nodes of type ``kind``."""
        found = self._positions.get(kind)
        if found is None:
            found = [i for i, node in enumerate(self.nodes) if type(node) is kind]
            self._positions[kind] = found
        return found

    def of(self, *types: type[ast.AST]) -> list[ast.AST]:
        """Nodes of the given types, in walk order within each type."""
        if len(types) == 1:
            return self.by_type.get(types[0], [])
        return [n for t in types for n in self.by_type.get(t, [])]

    def functions(self) -> list[FunctionNode]:
        """Every function and async function definition."""
        return [
            n
            for n in self.of(ast.FunctionDef, ast.AsyncFunctionDef)
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        ]

    def calls(self) -> list[ast.Call]:
        """Every call."""
        return [n for n in self.of(ast.Call) if isinstance(n, ast.Call)]


_LAST: list[TreeIndex] = []


def tree_index(tree: ast.Module) -> TreeIndex:
    """The :class:`TreeIndex` of ``tree``, built once for all analyses of one file.

    The index of the last tree is kept (one per process); the next file replaces it.
    """
    if _LAST and _LAST[0].tree is tree:
        return _LAST[0]
    built = TreeIndex(tree)
    _LAST[:] = [built]
    return built


class Imports:
    """Local names bound by ``import`` statements in one module."""

    def __init__(self, nodes: ast.AST | list[ast.AST]) -> None:
        self.names: dict[str, str] = {}
        self.modules: set[str] = set()
        self.lines: dict[str, int] = {}
        """Imported module (and ``module.name`` for from-imports) -> first line."""
        self._prefixes: tuple[int, frozenset[str]] | None = None
        found = _flatten(nodes) if isinstance(nodes, ast.AST) else nodes
        for node in found:
            if isinstance(node, ast.Import):
                self._add_import(node)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                self._add_from(node.module, node)  # relative imports: the project's own

    def _add_import(self, node: ast.Import) -> None:
        """``import a.b`` binds ``a``; ``import a.b as c`` binds ``c``."""
        for alias in node.names:
            self.modules.add(alias.name)
            self.lines.setdefault(alias.name, node.lineno)
            if alias.asname:
                self.names[alias.asname] = alias.name
            else:
                top = alias.name.split(".", 1)[0]
                self.names[top] = top

    def _add_from(self, module: str, node: ast.ImportFrom) -> None:
        """``from a import b`` binds ``b`` to ``a.b`` (a star import binds nothing)."""
        self.modules.add(module)
        self.lines.setdefault(module, node.lineno)
        for alias in node.names:
            if alias.name == "*":
                continue
            full = f"{module}.{alias.name}"
            self.names[alias.asname or alias.name] = full
            self.modules.add(full)
            self.lines.setdefault(full, node.lineno)

    def resolve(self, node: ast.AST) -> str | None:
        """The dotted name ``node`` refers to when its base is an imported name."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name) or node.id not in self.names:
            return None
        return ".".join([self.names[node.id], *reversed(parts)])

    def line_of(self, package: str) -> int:
        """The first line importing ``package`` (or a module under it); 1 if none."""
        lines = [
            line
            for module, line in self.lines.items()
            if module == package or module.startswith(package + ".")
        ]
        return min(lines, default=1)

    def imports_any(self, *packages: str) -> bool:
        """Whether a module in (or under) one of ``packages`` is imported."""
        prefixes = self._prefixes
        if prefixes is None or prefixes[0] != len(self.modules):
            prefixes = (len(self.modules), _dotted_prefixes(self.modules))
            self._prefixes = prefixes
        return any(package in prefixes[1] for package in packages)


def _dotted_prefixes(modules: set[str]) -> frozenset[str]:
    """Every module and package above it: ``a``, ``a.b``, ``a.b.c`` for ``a.b.c``."""
    found: set[str] = set()
    for module in modules:
        found.add(module)
        end = module.find(".")
        while end != -1:
            found.add(module[:end])
            end = module.find(".", end + 1)
    return frozenset(found)


def dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of attributes on a name, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def call_name(node: ast.Call) -> str | None:
    """The last name of what is called: ``get`` for ``requests.get(...)``."""
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def walk_body(nodes: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node under ``nodes``, not entering nested functions, lambdas or classes."""
    nested = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef
    stack: list[ast.AST] = [n for n in reversed(nodes) if not isinstance(n, nested)]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, nested):
                stack.append(child)


# --------------------------------------------------------------------------- frameworks

#: Imported module (or prefix) -> web framework name.
WEB_FRAMEWORKS: dict[str, str] = {
    "fastapi": "FastAPI",
    "flask": "Flask",
    "django": "Django",
    "rest_framework": "Django REST framework",
    "starlette": "Starlette",
    "aiohttp.web": "aiohttp",
    "sanic": "Sanic",
    "tornado.web": "Tornado",
    "falcon": "Falcon",
    "bottle": "Bottle",
    "pyramid": "Pyramid",
    "quart": "Quart",
    "litestar": "Litestar",
    "connexion": "Connexion",
}


def web_frameworks(imports: Imports) -> list[str]:
    """Names of the web frameworks ``imports`` pulls in, sorted."""
    found = {name for prefix, name in WEB_FRAMEWORKS.items() if imports.imports_any(prefix)}
    if "aiohttp.web" not in found and "aiohttp.web" in imports.names.values():
        found.add("aiohttp")
    return sorted(found)


# --------------------------------------------------------------------------- routes

#: Decorator attribute -> HTTP method (``route`` and ``api_route`` read ``methods=``).
_VERBS = {
    "get": "GET",
    "post": "POST",
    "put": "PUT",
    "patch": "PATCH",
    "delete": "DELETE",
    "head": "HEAD",
    "options": "OPTIONS",
}
_ROUTE_ATTRS = frozenset({"route", "api_route"})
_PATH_KEYWORDS = ("path", "rule", "url")
_PARAM_SEGMENT = re.compile(r"^(\{[^}]*\}|<[^>]*>|:\w+)$")


@dataclass(frozen=True)
class Route:
    """A request handler: a function with a route decorator (or a Django view)."""

    node: FunctionNode
    methods: frozenset[str]
    """HTTP methods, upper case; ``{"ANY"}`` when unknown (Django function views)."""
    path: str | None
    """The route path, when the decorator gives it as a literal."""
    decorator: ast.Call | None

    @property
    def name(self) -> str:
        """The handler's function name."""
        return self.node.name

    @property
    def is_get(self) -> bool:
        """Whether the route answers GET."""
        return "GET" in self.methods

    @property
    def detail(self) -> bool:
        """Whether the path ends with a parameter (``/orders/{id}``): one item, not a list."""
        if self.path is None:
            return False
        segments = [s for s in self.path.strip("/").split("/") if s]
        return bool(segments) and _PARAM_SEGMENT.match(segments[-1]) is not None


def _route_path(call: ast.Call) -> str | None:
    if call.args:
        first = call.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value
        return None
    for keyword in call.keywords:
        if keyword.arg in _PATH_KEYWORDS:
            value = keyword.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                return value.value
    return None


def _methods(call: ast.Call) -> frozenset[str]:
    for keyword in call.keywords:
        if keyword.arg == "methods" and isinstance(keyword.value, ast.List | ast.Tuple | ast.Set):
            names = {
                e.value.upper()
                for e in keyword.value.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            }
            if names:
                return frozenset(names)
    return frozenset({"GET"})


def route_of(node: FunctionNode, imports: Imports) -> Route | None:
    """The route ``node`` declares with one of its decorators, if any.

    Matches ``@<anything>.get("/path")`` (and post, put, patch, delete, head, options),
    ``@<anything>.route("/path", methods=[...])`` and ``.api_route`` whose path is a
    literal that is empty or starts with ``/``, and Litestar's ``@get("/path")``.
    """
    for decorator in node.decorator_list:
        if not isinstance(decorator, ast.Call):
            continue
        verb = _decorator_verb(decorator.func, imports)
        path = _route_path(decorator) if verb is not None else None
        if verb is None or path is None or not (path == "" or path.startswith("/")):
            continue
        methods = frozenset({_VERBS[verb]}) if verb in _VERBS else _methods(decorator)
        return Route(node=node, methods=methods, path=path, decorator=decorator)
    return None


def _decorator_verb(func: ast.expr, imports: Imports) -> str | None:
    """The HTTP verb (``get``...) or ``route``/``api_route`` a decorator call names:
    ``@app.get(...)``, ``@router.route(...)``, Litestar's ``@get(...)``; else None."""
    verb: str | None = None
    if isinstance(func, ast.Attribute):
        verb = func.attr
    elif isinstance(func, ast.Name):
        resolved = imports.resolve(func) or ""
        if resolved.startswith("litestar."):
            verb = resolved.rsplit(".", 1)[1]
    return verb if verb in _VERBS or verb in _ROUTE_ATTRS else None


def _is_views_module(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return parts[-1] == "views.py" or "views" in parts[:-1]


def find_routes(tree: ast.Module, path: str, imports: Imports) -> list[Route]:
    """Request handlers in a module, in source order.

    Route-decorated functions (see :func:`route_of`) anywhere in the module, plus, in a
    Django project's ``views.py`` (or a ``views/`` package), top-level functions whose
    first parameter is ``request`` (methods unknown, no path).
    """
    django_views = _is_views_module(path) and imports.imports_any("django")
    routes: list[Route] = []
    for node in tree_index(tree).functions():
        route = route_of(node, imports)
        if route is not None:
            routes.append(route)
        elif django_views and node in tree.body:
            params = node.args.posonlyargs + node.args.args
            if params and params[0].arg == "request":
                routes.append(
                    Route(node=node, methods=frozenset({"ANY"}), path=None, decorator=None)
                )
    return sorted(routes, key=lambda r: r.node.lineno)


# --------------------------------------------------------------------------- redaction

_STRING_LITERAL = re.compile(
    r"""(?s)([rbuf]{0,2})("[^"\\]*(?:\\.[^"\\]*)*"|'[^'\\]*(?:\\.[^'\\]*)*')""", re.IGNORECASE
)


def redacted_line_hash(text: str, line: int | None) -> str:
    """A hash of source line ``line`` with its string literals blanked.

    Used as a finding's ``snippet_hash`` when the line may hold a credential (a
    connection URL): the fingerprint stays stable and no value reaches the report.
    """
    if not line:
        return ""
    lines = text.splitlines()
    if line > len(lines):
        return ""
    normalised = " ".join(_STRING_LITERAL.sub("''", lines[line - 1]).split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:16]
