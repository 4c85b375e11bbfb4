"""Per-file facts of Litestar: route handlers (``@get``, ``@post``... and ``@route``),
controllers, routers and applications with their paths and ``guards=[...]``, and the
authentication backends (``JWTAuth``, ``SessionAuth``...) an application installs with
their ``exclude`` patterns."""

from __future__ import annotations

import ast
from typing import Any

from ._authz_ast import argument, elements, is_true, keyword, last, names, string, strings, text
from ._server_common import FunctionNode, Imports

Facts = dict[str, Any]

_VERBS = {"get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE"}
_HANDLER_DECORATORS = frozenset({*_VERBS, "head", "route"})

#: Litestar's authentication backends: they reject a request without valid credentials
#: (except on their ``exclude`` paths and handlers with ``exclude_from_auth``).
AUTH_BACKENDS = frozenset(
    {"JWTAuth", "JWTCookieAuth", "OAuth2PasswordBearerAuth", "SessionAuth", "BasicAuth"}
)


def _handler_methods(verb: str, decorator: ast.expr) -> list[str]:
    if verb in _VERBS:
        return [_VERBS[verb]]
    if verb == "head":
        return ["HEAD"]
    if not isinstance(decorator, ast.Call):
        return ["ANY"]
    return [m.upper() for m in strings(keyword(decorator, "http_method"))] or ["ANY"]


def _excluded_from_auth(decorator: ast.Call) -> bool:
    """``exclude_from_auth=True`` or ``opt={"exclude_from_auth": True}``."""
    return is_true(keyword(decorator, "exclude_from_auth")) or _opt_excludes(
        keyword(decorator, "opt")
    )


def _opt_excludes(opt: ast.AST | None) -> bool:
    """``{"exclude_from_auth": True}``."""
    if not isinstance(opt, ast.Dict):
        return False
    return any(
        string(k) == "exclude_from_auth" and is_true(v)
        for k, v in zip(opt.keys, opt.values, strict=True)
    )


def handler_of(node: FunctionNode, imports: Imports) -> dict[str, Any] | None:
    """A Litestar route handler: ``@get("/path", guards=[...])`` and the like."""
    for decorator in node.decorator_list:
        func = decorator.func if isinstance(decorator, ast.Call) else decorator
        resolved = imports.resolve(func) or ""
        verb = resolved.rsplit(".", 1)[-1]
        if not resolved.startswith("litestar.") or verb not in _HANDLER_DECORATORS:
            continue
        return _handler(node, verb, decorator)
    return None


def _handler(node: FunctionNode, verb: str, decorator: ast.expr) -> dict[str, Any]:
    """The facts of one handler decorator (``@post("/orders", guards=[...])``)."""
    info: dict[str, Any] = {
        "line": node.lineno,
        "methods": _handler_methods(verb, decorator),
        "paths": ["/"],
        "guards": [],
        "exclude_auth": False,
    }
    if isinstance(decorator, ast.Call):
        info["paths"] = strings(argument(decorator, 0, "path")) or ["/"]
        info["guards"] = names(keyword(decorator, "guards")) or []
        info["exclude_auth"] = _excluded_from_auth(decorator)
    return info


def _auth_refs(call: ast.Call) -> list[str]:
    """What an application's ``on_app_init`` and ``middleware`` name (``jwt_auth``,
    ``AuthMiddleware``): resolved against the backends found in ``reduce``."""
    refs = []
    for element in elements(keyword(call, "on_app_init")) + elements(keyword(call, "middleware")):
        if isinstance(element, ast.Call) and last(element.func) == "DefineMiddleware":
            element = element.args[0] if element.args else element
        reference = text(element) or ""
        for suffix in (".on_app_init", ".middleware"):
            reference = reference.removesuffix(suffix)
        if reference:
            refs.append(reference)
    return refs


def _constructor(value: ast.Call) -> ast.expr:
    """``JWTAuth[User](...)`` -> ``JWTAuth``."""
    func = value.func
    return func.value if isinstance(func, ast.Subscript) else func


class LitestarFacts:
    """The Litestar part of :class:`._authz_facts.FileFacts`."""

    facts: Facts
    imports: Imports

    def _litestar_kind(self, value: ast.Call) -> str:
        resolved = self.imports.resolve(_constructor(value)) or ""
        return resolved.rsplit(".", 1)[-1] if resolved.startswith("litestar.") else ""

    def _litestar_binding(self, name: str, value: ast.Call, node: ast.stmt) -> bool:
        """``router = Router(...)``, ``jwt_auth = JWTAuth[User](exclude=[...])``."""
        kind = self._litestar_kind(value)
        if kind == "Router":
            self.facts.setdefault("ls_routers", {})[name] = {
                "line": node.lineno,
                "path": string(argument(value, 0, "path")) or "",
                "handlers": _handler_refs(keyword(value, "route_handlers")),
                "guards": names(keyword(value, "guards")) or [],
            }
            return True
        if kind in AUTH_BACKENDS:
            self.facts.setdefault("ls_auth", {})[name] = {
                "label": kind,
                "exclude": strings(keyword(value, "exclude")),
            }
            return True
        return False

    def _litestar_app(self, call: ast.Call) -> None:
        """``Litestar(route_handlers=[...], guards=[...], on_app_init=[...])``, and
        ``auth.on_app_init(app_config)`` called by a plugin."""
        if isinstance(call.func, ast.Attribute) and call.func.attr == "on_app_init" and call.args:
            installed = text(call.func.value)
            if installed:
                self.facts.setdefault("ls_auth_installed", []).append(installed)
            return
        if self._litestar_kind(call) != "Litestar":
            return
        self.facts.setdefault("ls_apps", []).append(
            {
                "line": call.lineno,
                "handlers": _handler_refs(argument(call, 0, "route_handlers")),
                "guards": names(keyword(call, "guards")) or [],
                "auth": _auth_refs(call),
            }
        )

    def _litestar_handler(self, node: FunctionNode) -> bool:
        handler = handler_of(node, self.imports)
        if handler is None:
            return False
        self.facts.setdefault("ls_handlers", {})[node.name] = handler
        return True

    def _litestar_controller(self, node: ast.ClassDef) -> bool:
        """``class Orders(Controller): path = "/orders"; guards = [...]``."""
        if not any(last(b) == "Controller" for b in node.bases):
            return False
        info: dict[str, Any] = {"line": node.lineno, "path": "", "guards": [], "handlers": {}}
        for stmt in node.body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                handler = handler_of(stmt, self.imports)
                if handler is not None:
                    info["handlers"][stmt.name] = handler
            elif isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None:
                _controller_attribute(info, stmt)
        self.facts.setdefault("ls_controllers", {})[node.name] = info
        return True


def _controller_attribute(info: dict[str, Any], stmt: ast.Assign | ast.AnnAssign) -> None:
    bound = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
    name = bound.id if isinstance(bound, ast.Name) else ""
    if name == "path":
        info["path"] = string(stmt.value) or ""
    elif name == "guards":
        info["guards"] = names(stmt.value) or []
    elif name == "opt":
        info["exclude_auth"] = _opt_excludes(stmt.value)


def _handler_refs(node: ast.AST | None) -> list[str]:
    """References in a ``route_handlers`` list."""
    return [t for t in (text(e) for e in elements(node)) if t]
