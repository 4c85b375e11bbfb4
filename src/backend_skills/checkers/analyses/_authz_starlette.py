"""Per-file facts of Starlette: ``Route`` and ``Mount`` lists (prefixes joined, a
``Mount``'s middleware kept), ``app.add_route``, and the middleware an application
installs (``Middleware(X)``, ``app.add_middleware(X)``)."""

from __future__ import annotations

import ast
from typing import Any

from ._authz_ast import argument, elements, keyword, last, path_text, string, text
from ._authz_exposure import join
from ._server_common import Imports

Facts = dict[str, Any]


def _middleware_names(node: ast.AST | None) -> list[str]:
    """``[Middleware(AuthMiddleware, ...)]`` -> ``["AuthMiddleware"]``."""
    found = []
    for element in elements(node):
        if isinstance(element, ast.Call) and last(element.func) == "Middleware" and element.args:
            found.append(last(element.args[0]))
    return [f for f in found if f]


class StarletteFacts:
    """The Starlette part of :class:`._authz_facts.FileFacts`."""

    facts: Facts
    imports: Imports
    tree: ast.Module

    def _starlette(self, calls: list[ast.Call]) -> None:
        """Every ``Route`` of the module, with the prefixes and middleware of the
        ``Mount`` entries above it, and the application-wide middleware."""
        if not self.imports.imports_any("starlette"):
            return
        lists = _module_lists(self.tree)
        seen: set[int] = set()
        for call in calls:
            self._starlette_call(call, lists, seen)
        for name, value in lists.items():  # route lists no container of this module names
            if id(value) not in seen:
                before = len(self.facts.get("starlette_routes", []))
                self._routes(value, "", [], lists, seen)
                for route in self.facts.get("starlette_routes", [])[before:]:
                    route["list"] = name  # another module may mount it

    def _starlette_call(self, call: ast.Call, lists: dict[str, ast.expr], seen: set[int]) -> None:
        """``Starlette(routes=..., middleware=...)``, ``Router(routes)``,
        ``app.add_middleware(X)``, ``app.add_route(path, endpoint)``."""
        kind = last(call.func)
        if kind == "Router":
            self._routes(keyword(call, "routes") or _first(call), "", [], lists, seen)
        elif kind == "Starlette":
            self._routes(keyword(call, "routes"), "", [], lists, seen)
            self._app_middleware(call.lineno, _middleware_names(keyword(call, "middleware")))
        elif kind == "add_middleware" and call.args:
            self._app_middleware(call.lineno, [last(call.args[0])])
        elif kind == "add_route" and call.args:
            self._route(call, "", [], path_of=call.args[0], endpoint_at=1)

    def _app_middleware(self, line: int, found: list[str]) -> None:
        for name in found:
            self.facts.setdefault("asgi_middleware", []).append({"name": name, "line": line})

    def _routes(
        self,
        node: ast.AST | None,
        prefix: str,
        middleware: list[str],
        lists: dict[str, ast.expr],
        seen: set[int],
    ) -> None:
        if isinstance(node, ast.Name) and node.id in lists:
            node = lists[node.id]
        if node is None or id(node) in seen:
            return
        seen.add(id(node))
        for element in elements(node):
            if not isinstance(element, ast.Call):
                continue
            kind = last(element.func)
            if kind == "Route":
                self._route(element, prefix, middleware, path_of=_first(element), endpoint_at=1)
            elif kind == "Mount":
                self._starlette_mount(element, prefix, middleware, lists, seen)

    def _starlette_mount(
        self,
        element: ast.Call,
        prefix: str,
        middleware: list[str],
        lists: dict[str, ast.expr],
        seen: set[int],
    ) -> None:
        """``Mount(path, routes=[...])``; a list from another module is joined in
        ``reduce`` (``starlette_mounts``)."""
        here = join(prefix, path_text(_first(element)) or "")
        below = middleware + _middleware_names(keyword(element, "middleware"))
        routes = keyword(element, "routes")
        if isinstance(routes, ast.Name | ast.Attribute) and text(routes) not in lists:
            self.facts.setdefault("starlette_mounts", []).append(
                {"prefix": here, "ref": text(routes), "middleware": below}
            )
            return
        self._routes(routes, here, below, lists, seen)

    def _route(
        self,
        call: ast.Call,
        prefix: str,
        middleware: list[str],
        *,
        path_of: ast.expr | None,
        endpoint_at: int,
    ) -> None:
        endpoint = argument(call, endpoint_at, "endpoint")
        path = path_text(path_of if path_of is not None else keyword(call, "path")) or ""
        methods = keyword(call, "methods")
        self.facts.setdefault("starlette_routes", []).append(
            {
                "line": call.lineno,
                "path": join(prefix, path) if prefix else path,
                "endpoint": text(endpoint) or "",
                "methods": [m.upper() for m in _strings(methods)] if methods else None,
                "middleware": middleware,
            }
        )


def _strings(node: ast.AST | None) -> list[str]:
    return [s for s in (string(e) for e in elements(node)) if s is not None]


def _first(call: ast.Call) -> ast.expr | None:
    return call.args[0] if call.args else None


def _module_lists(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level ``name = [Route(...), Mount(...)]`` lists."""
    found: dict[str, ast.expr] = {}
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.List | ast.Tuple)):
            continue
        if any(
            isinstance(e, ast.Call) and last(e.func) in ("Route", "Mount") for e in node.value.elts
        ):
            for bound in node.targets:
                if isinstance(bound, ast.Name):
                    found[bound.id] = node.value
    return found


__all__ = ["StarletteFacts"]
