"""Per-file facts for the endpoint inventory: routes, views, routers and settings.

Everything here is read from one module's tree and returned as JSON-serialisable data;
what spans files (Django ``include()`` chains, DRF routers, blueprints registered
elsewhere, inherited permission classes) is resolved in :mod:`._authz_resolve`.
References to other objects are kept as source text (``views.UserView``) together with
the module's import table, so ``reduce`` can find them. Each framework family reads its
own constructs: :mod:`._authz_django` (Django, DRF) and :mod:`._authz_flask` (Flask,
FastAPI); the decorators, dependencies and hook bodies they share are judged in
:mod:`._authz_checks`.
"""

from __future__ import annotations

import ast
from typing import Any

from ._authz_ast import import_table, last, module_of, text
from ._authz_checks import (
    applied_auth,
    checks_auth,
    csrf_exempt,
    decorator_auth,
    decorator_names,
    depends,
    param_depends,
    rejects,
    uses_session,
)
from ._authz_django import DjangoFacts
from ._authz_flask import FlaskFacts
from ._authz_litestar import LitestarFacts
from ._authz_starlette import StarletteFacts
from ._server_common import FunctionNode, Imports, route_of, tree_index

Facts = dict[str, Any]

#: Import -> the framework a module's views belong to (the first match wins).
_FRAMEWORKS = (
    ("fastapi", "FastAPI"),
    ("flask", "Flask"),
    ("ninja", "Django Ninja"),
    ("rest_framework", "Django REST framework"),
    ("django", "Django"),
    ("litestar", "Litestar"),
    ("starlette", "Starlette"),
)

#: Web packages besides those whose views this analysis reads (their modules may hold
#: guards, mixins or dependencies).
_OTHER_WEB = (
    "quart",
    "flask_admin",
    "flask_login",
    "flask_jwt_extended",
    "flask_httpauth",
)


class FileFacts(DjangoFacts, FlaskFacts, LitestarFacts, StarletteFacts):
    """Facts of one module (see :func:`scan`)."""

    def __init__(self, path: str, tree: ast.Module) -> None:
        self.path = path
        self.tree = tree
        self.index = tree_index(tree)
        self.imports = self.index.imports
        self._guard_names: set[str] = set()
        self.facts: Facts = {
            "imports": import_table(tree, path),
            "framework": "",
            "routes": [],
            "owners": {},
            "mounts": [],
            "guards": [],
            "functions": {},
            "classes": {},
            "urlpatterns": [],
            "routers": {},
            "aliases": {},
            "settings": {},
        }

    def run(self) -> Facts:
        self.facts["framework"] = next(
            (name for module, name in _FRAMEWORKS if self.imports.imports_any(module)), ""
        )
        self._module_level()
        calls = list(self.index.calls())
        for call in calls:
            self._call(call)
        self._starlette(calls)
        if not (self.facts["framework"] or self.imports.imports_any(*_OTHER_WEB)):
            # Views, routes and guards live in modules that import a web framework;
            # settings, URL lists and Annotated aliases were read above.
            return self._result()
        self._guard_names = {g["function"] for g in self.facts["guards"]}
        self._definitions()
        return self._result()

    def _definitions(self) -> None:
        """Top-level functions and classes, then decorated functions nested in others
        (routes and guards declared inside an application factory, ``create_app``)."""
        for node in self.tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self._function(node)
            elif isinstance(node, ast.ClassDef) and not self._litestar_controller(node):
                self._class(node)
        for func in self._nested_decorated():
            self._function(func, nested=True)

    def _nested_decorated(self) -> list[FunctionNode]:
        """Decorated functions that are neither top-level nor methods."""
        methods = {
            id(stmt)
            for cls in self.index.of(ast.ClassDef)
            if isinstance(cls, ast.ClassDef)
            for stmt in cls.body
        }
        return [
            func
            for func in self.index.functions()
            if func not in self.tree.body and id(func) not in methods and func.decorator_list
        ]

    def _result(self) -> Facts:
        return {k: v for k, v in self.facts.items() if v or k == "imports"}

    # -- module-level statements: owners, routers, settings, aliases, urlpatterns

    def _module_level(self) -> None:
        for node in self.tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                for name in _bound_names(node):
                    self._binding(name, node.value, node)
            elif _extends_urlpatterns(node):
                self._urlpatterns_extended(node)

    def _urlpatterns_extended(self, node: ast.stmt) -> None:
        """``urlpatterns += [...]`` or ``urlpatterns.append(...)``/``extend``/``insert``."""
        if isinstance(node, ast.AugAssign):
            self._urlpatterns(node.value)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            for arg in node.value.args:
                self._urlpatterns(arg)

    def _binding(self, name: str, value: ast.expr, node: ast.stmt) -> None:
        if name == "urlpatterns":
            self._urlpatterns(value)
        elif self._django_setting(name, value, node):
            return
        elif isinstance(value, ast.Subscript) and last(value.value) == "Annotated":
            deps = depends(value.slice)
            if deps:
                self.facts["aliases"][name] = deps
        elif isinstance(value, ast.Call):
            self._constructed(name, value, node)

    def _constructed(self, name: str, value: ast.Call, node: ast.stmt) -> None:
        """``name = Flask(...)``, ``APIRouter(...)``, ``NinjaAPI(...)``, Litestar's
        ``Router(...)`` or ``JWTAuth(...)``, a DRF router."""
        if not self._owner_binding(name, value, node) and not self._litestar_binding(
            name, value, node
        ):
            self._drf_router(name, value)

    # -- calls: router.register, include_router, register_blueprint, before_request

    def _call(self, call: ast.Call) -> None:
        self._litestar_app(call)
        self._flask_admin(call)
        self._cors(call)
        func = call.func
        if not isinstance(func, ast.Attribute):
            return
        owner = text(func.value) or ""
        if not self._router_register(owner, call, func.attr):
            self._route_call(owner, call, func.attr)

    # -- functions: routes, Django views, guards, dependency functions

    def _function_info(self, node: FunctionNode, handler: bool) -> dict[str, Any]:
        """What every function's facts hold (a handler, a guard, a dependency)."""
        info: dict[str, Any] = {
            "line": node.lineno,
            "auth": applied_auth(node.decorator_list),
            "deps": param_depends(node),
            "csrf_exempt": csrf_exempt(node),
            "session": handler and uses_session(node),
            "guard": node.name in self._guard_names and checks_auth(node),
        }
        if self.facts["framework"] == "Starlette" and handler:
            # if not request.user.is_authenticated: return ... (or an ownership check)
            info["checks_caller"] = checks_auth(node) or (uses_session(node) and rejects(node))
        return info

    def _function(self, node: FunctionNode, *, nested: bool = False) -> None:
        if self._litestar_handler(node):
            return
        route = route_of(node, self.imports)
        self._decorator_guards(node)
        params = [*node.args.posonlyargs, *node.args.args]
        handler = route is not None or (bool(params) and params[0].arg == "request")
        info = self._function_info(node, handler)
        if route is not None and route.decorator is not None:
            self._decorated_route(node, route, info)
        elif not nested:
            info["login_not_required"] = "login_not_required" in decorator_names(node)
            self._function_view(node, info, params)


def _bound_names(node: ast.Assign | ast.AnnAssign) -> list[str]:
    """The plain names an assignment binds (``a = b = x`` -> ``[a, b]``)."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return [t.id for t in targets if isinstance(t, ast.Name)]


def _extends_urlpatterns(node: ast.stmt) -> bool:
    """``urlpatterns += ...`` or ``urlpatterns.append(...)`` / ``extend`` / ``insert``."""
    if isinstance(node, ast.AugAssign):
        return isinstance(node.target, ast.Name) and node.target.id == "urlpatterns"
    value = node.value if isinstance(node, ast.Expr) else None
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and text(value.func.value) == "urlpatterns"
        and value.func.attr in ("append", "extend", "insert")
    )


def scan(path: str, tree: ast.Module) -> Facts:
    """The endpoint facts of one module."""
    return FileFacts(path, tree).run()


__all__ = ["Facts", "Imports", "checks_auth", "decorator_auth", "module_of", "scan"]
