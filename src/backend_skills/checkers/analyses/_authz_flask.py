"""Per-file facts of Flask (and Quart), FastAPI and Django Ninja: applications,
blueprints and routers with their prefixes, dependencies and ``auth=``, where they are
registered, decorated routes, ``add_url_rule``, ``before_request`` guards, Flask-Admin
and Flask-CORS."""

from __future__ import annotations

import ast
from typing import Any

from ._authz_ast import (
    argument,
    is_true,
    keyword,
    last,
    path_text,
    string,
    strings,
    target,
    text,
)
from ._authz_checks import checks_auth, decorator_auth, depends
from ._server_common import FunctionNode, Imports, Route

Facts = dict[str, Any]

#: Constructor name -> (owner kind, keyword holding its prefix).
OWNERS: dict[str, tuple[str, str | None]] = {
    "Flask": ("flask", None),
    "Quart": ("flask", None),
    "Blueprint": ("flask", "url_prefix"),
    "FastAPI": ("fastapi", "prefix"),
    "APIRouter": ("fastapi", "prefix"),
    "NinjaAPI": ("ninja", None),
    "NinjaRouter": ("ninja", None),
}
_RESOLVED_OWNERS = {
    "flask.Flask": "Flask",
    "quart.Quart": "Quart",
    "ninja.Router": "NinjaRouter",
    "ninja.router.Router": "NinjaRouter",
}

#: Calls that register a router or blueprint on another -> position of the child (Django
#: Ninja's ``add_router("/prefix", router)`` gives the prefix first).
_MOUNTS: dict[str, int] = {"include_router": 0, "register_blueprint": 0, "add_router": 1}

#: Hooks that run before every request of an application or blueprint.
GUARD_HOOKS = ("before_request", "before_app_request")


def _owner_kind(value: ast.Call, imports: Imports) -> str | None:
    """``Flask(...)``, ``Blueprint(...)``, ``APIRouter(...)``... -> its table key."""
    resolved = _RESOLVED_OWNERS.get(imports.resolve(value.func) or "")
    kind = last(value.func)
    return resolved or (kind if kind in OWNERS else None)


def ninja_auth(call: ast.Call) -> dict[str, str]:
    """Django Ninja's ``auth=`` on an API, a router, ``add_router`` or an operation:
    ``{"auth_kw": "JWTAuth"}``, ``{"auth_kw": ""}`` for ``auth=None`` (public), nothing
    when not given (``NOT_SET``: inherited)."""
    value = keyword(call, "auth")
    if value is None or last(value) == "NOT_SET":
        return {}
    if isinstance(value, ast.Constant) and value.value is None:
        return {"auth_kw": ""}
    parts = value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
    return {"auth_kw": ", ".join(text(p) or "auth" for p in parts) or "auth"}


class FlaskFacts:
    """The Flask and FastAPI part of :class:`._authz_facts.FileFacts`."""

    facts: Facts
    imports: Imports

    def _owner_binding(self, name: str, value: ast.Call, node: ast.stmt) -> bool:
        """``app = Flask(__name__)``, ``bp = Blueprint(..., url_prefix=...)``..."""
        kind = _owner_kind(value, self.imports)
        if kind is None:
            return False
        family, prefix_keyword = OWNERS[kind]
        prefix = keyword(value, prefix_keyword) if prefix_keyword else None
        self.facts["owners"][name] = {
            "kind": family,
            "line": node.lineno,
            "prefix": path_text(prefix) if prefix is not None else "",
            "deps": depends(keyword(value, "dependencies")),
            **ninja_auth(value),
        }
        return True

    def _route_call(self, owner: str, call: ast.Call, attr: str) -> None:
        """``include_router``, ``register_blueprint``, ``add_url_rule``, ``before_request``."""
        if not call.args:
            return
        if attr in _MOUNTS:
            self._mount(owner, call, attr)
        elif attr == "add_url_rule":
            self._url_rule(owner, call)
        elif attr in GUARD_HOOKS:
            self.facts["guards"].append(
                {
                    "owner": owner,
                    "function": text(call.args[0]) or "",
                    "line": call.lineno,
                    "auth": None,
                    "app_wide": attr == "before_app_request",
                }
            )

    def _mount(self, owner: str, call: ast.Call, attr: str) -> None:
        """``app.include_router(router, prefix=...)``, ``app.register_blueprint(bp)``,
        ``api.add_router("/prefix", router)``."""
        child_at = _MOUNTS[attr]
        prefix = keyword(call, "prefix") or keyword(call, "url_prefix")
        if child_at:
            prefix = argument(call, 0, "prefix")
        child = argument(call, child_at, "router")
        if child is None:
            return
        self.facts["mounts"].append(
            {
                "parent": owner,
                "child": string(child) or text(child) or "",
                "prefix": path_text(prefix) if prefix is not None else None,
                "deps": depends(keyword(call, "dependencies")),
                "line": call.lineno,
                **ninja_auth(call),
            }
        )

    def _url_rule(self, owner: str, call: ast.Call) -> None:
        """Flask's ``add_url_rule(rule, endpoint, view_func, methods=...)``."""
        view, wrappers = _unwrap(call.args[2] if len(call.args) > 2 else keyword(call, "view_func"))
        reference = text(view)
        path = string(call.args[0])
        if reference is None or path is None:
            return
        methods = [m.upper() for m in strings(keyword(call, "methods"))]
        self.facts.setdefault("url_rules", []).append(
            {
                "owner": owner,
                "path": path,
                "view": reference,
                "methods": methods or None,
                "wrappers": wrappers,
                "line": call.lineno,
            }
        )

    def _flask_admin(self, call: ast.Call) -> None:
        """``flask_admin.Admin(app)``: an /admin area whose views are public unless a
        view class defines ``is_accessible``."""
        if (self.imports.resolve(call.func) or "") != "flask_admin.Admin":
            return
        url = string(keyword(call, "url")) or "/admin"
        self.facts.setdefault("flask_admin", []).append([call.lineno, url])

    def _cors(self, call: ast.Call) -> None:
        """Flask-CORS with credentials and every origin (its default): ``BSSEC014``."""
        resolved = self.imports.resolve(call.func) or ""
        if resolved not in ("flask_cors.CORS", "flask_cors.cross_origin"):
            return
        if not is_true(keyword(call, "supports_credentials")):
            return
        origins = keyword(call, "origins")
        if origins is None or "*" in strings(origins):
            self.facts.setdefault("cors", []).append([call.lineno, call.col_offset + 1])

    def _decorator_guards(self, node: FunctionNode) -> None:
        """``@app.before_request`` / ``@bp.before_app_request`` on a function."""
        for decorator in node.decorator_list:
            hook = target(decorator)
            if isinstance(hook, ast.Attribute) and hook.attr in GUARD_HOOKS:
                self.facts["guards"].append(
                    {
                        "owner": text(hook.value) or "",
                        "function": node.name,
                        "line": node.lineno,
                        "auth": checks_auth(node),
                        "app_wide": hook.attr == "before_app_request",
                    }
                )

    def _decorated_route(self, node: FunctionNode, route: Route, info: dict[str, Any]) -> None:
        """A route declared by a decorator (``@app.post("/x")``, ``@router.get``)."""
        decorator = route.decorator
        assert decorator is not None
        owner = text(decorator.func.value) if isinstance(decorator.func, ast.Attribute) else ""
        self.facts["routes"].append(
            {
                **info,
                "owner": owner or "",
                "methods": sorted(route.methods),
                "path": route.path,
                "handler": node.name,
                "deps": info["deps"] + depends(keyword(decorator, "dependencies")),
                **ninja_auth(decorator),
            }
        )


def _unwrap(view: ast.expr | None) -> tuple[ast.expr | None, list[str]]:
    """``login_required(View.as_view("x"))`` -> (``View``, ``["login_required"]``)."""
    wrappers: list[str] = []
    while isinstance(view, ast.Call):
        if last(view.func) == "as_view":
            return (view.func.value if isinstance(view.func, ast.Attribute) else None), wrappers
        applied = decorator_auth(view.func)
        if applied:
            wrappers.append(applied)
        view = view.args[0] if view.args else None
    return view, wrappers
