"""Per-file facts for the endpoint inventory: routes, views, routers and settings.

Everything here is read from one module's tree and returned as JSON-serialisable data;
what spans files (Django ``include()`` chains, DRF routers, blueprints registered
elsewhere, inherited permission classes) is resolved in :mod:`._authz_resolve`.
References to other objects are kept as source text (``views.UserView``) together with
the module's import table, so ``reduce`` can find them.
"""

from __future__ import annotations

import ast
from pathlib import PurePosixPath
from typing import Any

from . import _authz_vocabulary as V
from ._server_common import FunctionNode, Imports, dotted, route_of, tree_index, walk_body

Facts = dict[str, Any]


#: Web packages besides the four whose views this analysis reads (their modules may hold
#: guards, mixins or dependencies).
_OTHER_WEB = (
    "quart",
    "starlette",
    "flask_admin",
    "flask_login",
    "flask_jwt_extended",
    "flask_httpauth",
)


def module_of(path: str) -> list[str]:
    """The package parts a module at ``path`` lives in (``a/b/c.py`` -> ``[a, b]``)."""
    return list(PurePosixPath(path).parts[:-1])


def _import_table(tree: ast.Module, path: str) -> dict[str, str]:
    """Local name -> dotted target, relative imports resolved against ``path``."""
    table: dict[str, str] = {}
    package = module_of(path)
    for node in tree_index(tree).of(ast.Import, ast.ImportFrom):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    table[alias.asname] = alias.name
                else:
                    top = alias.name.split(".", 1)[0]
                    table[top] = top
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                base = ".".join([*parts, *([base] if base else [])])
            for alias in node.names:
                if alias.name != "*":
                    table[alias.asname or alias.name] = (
                        f"{base}.{alias.name}" if base else alias.name
                    )
    return table


def _text(node: ast.AST | None) -> str | None:
    """Source-like text of a reference: ``views.UserView``; ``f()`` -> ``f``."""
    if node is None:
        return None
    if isinstance(node, ast.Call):
        return _text(node.func)
    return dotted(node)


def _last(node: ast.AST | None) -> str:
    return (_text(node) or "").rsplit(".", 1)[-1]


def _string(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _path_text(node: ast.AST | None) -> str | None:
    """A literal path, or ``{expr}`` for a path that is not known statically."""
    literal = _string(node)
    if literal is not None:
        return literal
    if node is None:
        return None
    if isinstance(node, ast.JoinedStr):
        out = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                out.append(str(value.value))
            elif isinstance(value, ast.FormattedValue):
                out.append("{" + (_text(value.value) or "expr") + "}")
        return "".join(out)
    return "{" + (_text(node) or "expr") + "}"


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _strings(node: ast.AST | None) -> list[str]:
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [s for s in (_string(e) for e in node.elts) if s is not None]
    single = _string(node)
    return [single] if single is not None else []


def _names(node: ast.AST | None) -> list[str] | None:
    """Short names in a list or tuple of classes (``[IsAuthenticated]``); None if dynamic."""
    if isinstance(node, ast.List | ast.Tuple):
        out = []
        for element in node.elts:
            name = _last(element) or _string(element)
            if name:
                out.append(name.rsplit(".", 1)[-1])
        return out
    if isinstance(node, ast.BinOp):  # [A] + [B] or base.permission_classes + [X]
        left, right = _names(node.left), _names(node.right)
        return (left or []) + (right or []) if left is not None or right is not None else None
    return None


# --------------------------------------------------------------------------- decorators


def decorator_auth(decorator: ast.expr) -> str | None:
    """Access control a decorator applies (``@login_required`` -> ``login_required``)."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    name = _last(target)
    if name == "method_decorator" and isinstance(decorator, ast.Call) and decorator.args:
        inner = decorator.args[0]
        candidates = inner.elts if isinstance(inner, ast.List | ast.Tuple) else [inner]
        found = [a for a in (decorator_auth(c) for c in candidates) if a]
        return found[0] if found else None
    if isinstance(decorator, ast.Call):
        optional = _keyword(decorator, "optional")
        if isinstance(optional, ast.Constant) and optional.value is True:
            return None
    if name in ("permission_classes", "api_view", "action"):
        return None
    if V.auth_name(name) or name == "user_passes_test":
        return _text(target) or name  # token_auth.login_required, not just login_required
    return None


def _decorator_names(node: FunctionNode | ast.ClassDef) -> list[str]:
    out = []
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        out.append(_last(target))
        if _last(target) == "method_decorator" and isinstance(decorator, ast.Call):
            out.extend(_last(a) for a in decorator.args)
    return out


def _csrf_exempt(node: FunctionNode | ast.ClassDef) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        text = _text(target) or ""
        if text.endswith("csrf_exempt") or (text.endswith(".exempt") and "csrf" in text.lower()):
            return True
        if (
            _last(target) == "method_decorator"
            and isinstance(decorator, ast.Call)
            and any(_last(a) == "csrf_exempt" for a in decorator.args)
        ):
            return True
    return False


def _uses_session(node: FunctionNode) -> bool:
    """Whether the handler reads the session or the logged-in user."""
    for sub in walk_body(node.body):
        if (
            isinstance(sub, ast.Attribute)
            and sub.attr in ("session", "user")
            and _text(sub.value) in ("request", "self.request", "flask")
        ):
            return True
        if isinstance(sub, ast.Name) and sub.id in ("current_user", "session"):
            return True
    return False


def _body_methods(node: FunctionNode) -> list[str]:
    """Methods a Django function view handles, read from its body."""
    found = {"GET"}
    for sub in walk_body(node.body):
        if (
            isinstance(sub, ast.Attribute)
            and _text(sub.value) == "request"
            and sub.attr in ("POST", "FILES", "body", "data")
        ):
            found.add("POST")
        if isinstance(sub, ast.Compare) and _text(sub.left) == "request.method":
            for comparator in sub.comparators:
                for value in _strings(comparator):
                    found.add(value.upper())
        if isinstance(sub, ast.Call) and _last(sub.func) in ("save", "delete", "create"):
            found.add("POST")
    return sorted(m for m in found if m in ("GET", "POST", "PUT", "PATCH", "DELETE"))


# --------------------------------------------------------------------------- dependencies


def _depends(node: ast.AST | None) -> list[str]:
    """Dependencies in ``Depends(x)`` / ``Security(x)`` / lists of them, as names."""
    out: list[str] = []
    if node is None:
        return out
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call) and _last(sub.func) in ("Depends", "Security"):
            arg = sub.args[0] if sub.args else _keyword(sub, "dependency")
            name = _text(arg) or ""
            if _last(sub.func) == "Security":
                name = f"Security:{name}"
            if name:
                out.append(name)
    return out


def _param_depends(node: FunctionNode) -> list[str]:
    """Dependencies of a function's parameters (defaults and ``Annotated``), and the
    names of their annotations (which may be ``Annotated`` aliases), as ``alias:Name``."""
    args = node.args
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    defaults = [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
    out = [d for default in defaults for d in _depends(default)]
    for param in params:
        out += _depends(param.annotation)
        if isinstance(param.annotation, ast.Name | ast.Attribute):
            out.append("alias:" + (_text(param.annotation) or ""))
    return out


# --------------------------------------------------------------------------- the scan


class FileFacts:
    """Facts of one module (see :func:`scan`)."""

    def __init__(self, path: str, tree: ast.Module) -> None:
        self.path = path
        self.tree = tree
        self.index = tree_index(tree)
        self.imports = self.index.imports
        self._guard_names: set[str] = set()
        self.facts: Facts = {
            "imports": _import_table(tree, path),
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
        imports = self.imports
        if imports.imports_any("fastapi"):
            self.facts["framework"] = "FastAPI"
        elif imports.imports_any("flask"):
            self.facts["framework"] = "Flask"
        elif imports.imports_any("rest_framework"):
            self.facts["framework"] = "Django REST framework"
        elif imports.imports_any("django"):
            self.facts["framework"] = "Django"
        self._module_level()
        for call in self.index.calls():
            self._call(call)
        if not (self.facts["framework"] or imports.imports_any(*_OTHER_WEB)):
            # Views, routes and guards live in modules that import a web framework;
            # settings, URL lists and Annotated aliases were read above.
            return self._result()
        self._guard_names = {g["function"] for g in self.facts["guards"]}
        for node in self.tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self._function(node)
            elif isinstance(node, ast.ClassDef):
                self._class(node)
        methods = {
            id(stmt)
            for cls in self.index.of(ast.ClassDef)
            if isinstance(cls, ast.ClassDef)
            for stmt in cls.body
        }
        for func in self.index.functions():
            # Routes and guards declared inside an application factory (create_app).
            if func not in self.tree.body and id(func) not in methods and func.decorator_list:
                self._function(func, nested=True)
        return self._result()

    def _result(self) -> Facts:
        return {k: v for k, v in self.facts.items() if v or k == "imports"}

    # -- module-level assignments: owners, routers, settings, aliases, urlpatterns

    def _module_level(self) -> None:
        for node in self.tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        self._binding(target.id, node.value, node)
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                if node.target.id == "urlpatterns":
                    self._urlpatterns(node.value)
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                call = node.value
                if (
                    isinstance(call.func, ast.Attribute)
                    and _text(call.func.value) == "urlpatterns"
                    and call.func.attr in ("append", "extend", "insert")
                ):
                    for arg in call.args:
                        self._urlpatterns(arg)

    def _binding(self, name: str, value: ast.expr, node: ast.stmt) -> None:
        if name == "urlpatterns":
            self._urlpatterns(value)
            return
        if name == "REST_FRAMEWORK" and isinstance(value, ast.Dict):
            settings: dict[str, Any] = {"line": node.lineno}
            for key, item in zip(value.keys, value.values, strict=True):
                if _string(key) == "DEFAULT_PERMISSION_CLASSES":
                    names = _names(item)
                    settings["permissions"] = names if names is not None else ["<dynamic>"]
                elif _string(key) == "DEFAULT_AUTHENTICATION_CLASSES":
                    settings["authentication"] = _names(item) or []
            self.facts["settings"]["drf"] = settings
            return
        if name == "ROOT_URLCONF" and _string(value):
            self.facts["settings"]["root_urlconf"] = _string(value)
            return
        if name == "MIDDLEWARE" and isinstance(value, ast.List | ast.Tuple):
            if any(s.endswith("LoginRequiredMiddleware") for s in _strings(value)):
                self.facts["settings"]["login_middleware"] = node.lineno
            return
        if name == "INSTALLED_APPS" and "rest_framework" in _strings(value):
            self.facts["settings"]["drf_installed"] = node.lineno
            return
        if isinstance(value, ast.Subscript) and _last(value.value) == "Annotated":
            deps = _depends(value.slice)
            if deps:
                self.facts["aliases"][name] = deps
            return
        if not isinstance(value, ast.Call):
            return
        kind = _last(value.func)
        resolved = self.imports.resolve(value.func) or ""
        if kind in ("Flask", "Quart") or resolved in ("flask.Flask", "quart.Quart"):
            self._owner(name, "flask", value, node, prefix=None)
        elif kind == "Blueprint":
            self._owner(name, "flask", value, node, prefix=_keyword(value, "url_prefix"))
        elif kind in ("FastAPI", "APIRouter"):
            self._owner(name, "fastapi", value, node, prefix=_keyword(value, "prefix"))
        elif kind in (
            "DefaultRouter",
            "SimpleRouter",
            "ExtendedSimpleRouter",
            "NestedSimpleRouter",
        ):
            self.facts["routers"].setdefault(name, [])

    def _owner(
        self, name: str, kind: str, call: ast.Call, node: ast.stmt, *, prefix: ast.expr | None
    ) -> None:
        deps = _depends(_keyword(call, "dependencies"))
        self.facts["owners"][name] = {
            "kind": kind,
            "line": node.lineno,
            "prefix": _path_text(prefix) if prefix is not None else "",
            "deps": deps,
        }

    # -- Django urlpatterns

    def _urlpatterns(self, value: ast.expr) -> None:
        if isinstance(value, ast.BinOp):
            self._urlpatterns(value.left)
            self._urlpatterns(value.right)
            return
        if isinstance(value, ast.Attribute) and value.attr == "urls":
            self._pattern(value.lineno, "", value, regex=False)
            return
        if not isinstance(value, ast.List | ast.Tuple):
            return
        for element in value.elts:
            if isinstance(element, ast.Starred):
                self._urlpatterns(element.value)
            elif isinstance(element, ast.Call) and _last(element.func) in (
                "path",
                "re_path",
                "url",
            ):
                route = (
                    _string(element.args[0])
                    if element.args
                    else _string(_keyword(element, "route"))
                )
                view = element.args[1] if len(element.args) > 1 else _keyword(element, "view")
                if view is not None:
                    regex = _last(element.func) != "path"
                    self._pattern(element.lineno, route, view, regex=regex)

    def _pattern(self, line: int, route: str | None, view: ast.expr, *, regex: bool) -> None:
        wrappers: list[str] = []
        csrf = False
        while isinstance(view, ast.Call):
            name = _last(view.func)
            if name == "include" and view.args:
                self._include(line, route, view.args[0], regex)
                return
            if name == "as_view":
                view = view.func.value if isinstance(view.func, ast.Attribute) else view.func
                break
            if name == "csrf_exempt":
                csrf = True
            else:
                applied = decorator_auth(view.func) or (
                    decorator_auth(view) if not view.args else None
                )
                if applied:
                    wrappers.append(applied)
            if isinstance(view.func, ast.Call):  # permission_required("x")(view)
                applied = decorator_auth(view.func)
                if applied:
                    wrappers.append(applied)
            if not view.args:
                return
            view = view.args[0]
        text = _text(view)
        if text is None:
            return
        kind = "admin" if text.endswith("site.urls") else "view"
        if text.endswith(".urls") and kind != "admin":
            kind = "router"
            text = text[: -len(".urls")]
        self.facts["urlpatterns"].append(
            {
                "line": line,
                "route": route,
                "regex": regex,
                "kind": kind,
                "target": text,
                "wrappers": wrappers,
                "csrf_exempt": csrf,
            }
        )

    def _include(self, line: int, route: str | None, arg: ast.expr, regex: bool) -> None:
        if isinstance(arg, ast.Tuple) and arg.elts:
            arg = arg.elts[0]
        module = _string(arg)
        entry: dict[str, Any] = {"line": line, "route": route, "regex": regex, "wrappers": []}
        if module is not None:
            entry.update(kind="include", target=module)
        elif isinstance(arg, ast.Attribute) and arg.attr == "urls":
            entry.update(kind="router", target=_text(arg.value) or "")
        elif isinstance(arg, ast.List | ast.Tuple):
            before = len(self.facts["urlpatterns"])
            self._urlpatterns(arg)
            for item in self.facts["urlpatterns"][before:]:
                item["route"] = (route or "") + (item["route"] or "")
            return
        else:
            entry.update(kind="include_ref", target=_text(arg) or "")
        self.facts["urlpatterns"].append(entry)

    # -- calls: router.register, include_router, register_blueprint, before_request

    def _call(self, call: ast.Call) -> None:
        self._cors(call)
        func = call.func
        if not isinstance(func, ast.Attribute):
            return
        owner = _text(func.value) or ""
        if func.attr == "register" and owner in self.facts["routers"] and len(call.args) >= 2:
            self.facts["routers"][owner].append(
                {
                    "prefix": _string(call.args[0]) or "",
                    "viewset": _text(call.args[1]) or "",
                    "line": call.lineno,
                }
            )
        elif func.attr in ("include_router", "register_blueprint") and call.args:
            prefix = _keyword(call, "prefix") or _keyword(call, "url_prefix")
            self.facts["mounts"].append(
                {
                    "parent": owner,
                    "child": _text(call.args[0]) or "",
                    "prefix": _path_text(prefix) if prefix is not None else None,
                    "deps": _depends(_keyword(call, "dependencies")),
                    "line": call.lineno,
                }
            )
        elif func.attr == "add_url_rule" and call.args:
            self._url_rule(owner, call)
        elif func.attr in ("before_request", "before_app_request") and call.args:
            target = _text(call.args[0]) or ""
            self.facts["guards"].append(
                {
                    "owner": owner,
                    "function": target,
                    "line": call.lineno,
                    "auth": None,
                    "app_wide": func.attr == "before_app_request",
                }
            )

    def _url_rule(self, owner: str, call: ast.Call) -> None:
        """Flask's ``add_url_rule(rule, endpoint, view_func, methods=...)``."""
        view = call.args[2] if len(call.args) > 2 else _keyword(call, "view_func")
        wrappers: list[str] = []
        while isinstance(view, ast.Call):
            if _last(view.func) == "as_view":
                view = view.func.value if isinstance(view.func, ast.Attribute) else None
                break
            applied = decorator_auth(view.func)
            if applied:
                wrappers.append(applied)
            view = view.args[0] if view.args else None
        target = _text(view)
        path = _string(call.args[0])
        if target is None or path is None:
            return
        methods = [m.upper() for m in _strings(_keyword(call, "methods"))]
        self.facts.setdefault("url_rules", []).append(
            {
                "owner": owner,
                "path": path,
                "view": target,
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
        url = _string(_keyword(call, "url")) or "/admin"
        self.facts.setdefault("flask_admin", []).append([call.lineno, url])

    def _cors(self, call: ast.Call) -> None:
        """Flask-CORS with credentials and every origin (its default): ``BSSEC014``."""
        self._flask_admin(call)
        resolved = self.imports.resolve(call.func) or ""
        if resolved not in ("flask_cors.CORS", "flask_cors.cross_origin"):
            return
        credentials = _keyword(call, "supports_credentials")
        if not (isinstance(credentials, ast.Constant) and credentials.value is True):
            return
        origins = _keyword(call, "origins")
        if origins is None or "*" in _strings(origins):
            self.facts.setdefault("cors", []).append([call.lineno, call.col_offset + 1])

    # -- functions: routes, Django views, guards, dependency functions

    def _function(self, node: FunctionNode, *, nested: bool = False) -> None:
        route = route_of(node, self.imports)
        auth = [a for a in (decorator_auth(d) for d in node.decorator_list) if a]
        deps = _param_depends(node)
        names = _decorator_names(node)
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if isinstance(target, ast.Attribute) and target.attr in (
                "before_request",
                "before_app_request",
            ):
                self.facts["guards"].append(
                    {
                        "owner": _text(target.value) or "",
                        "function": node.name,
                        "line": node.lineno,
                        "auth": checks_auth(node),
                        "app_wide": target.attr == "before_app_request",
                    }
                )
        params = [*node.args.posonlyargs, *node.args.args]
        handler = route is not None or (bool(params) and params[0].arg == "request")
        info: dict[str, Any] = {
            "line": node.lineno,
            "auth": auth,
            "deps": deps,
            "csrf_exempt": _csrf_exempt(node),
            "session": handler and _uses_session(node),
            "guard": node.name in self._guard_names and checks_auth(node),
        }
        if route is not None and route.decorator is not None:
            decorator = route.decorator
            owner = _text(decorator.func.value) if isinstance(decorator.func, ast.Attribute) else ""
            self.facts["routes"].append(
                {
                    **info,
                    "owner": owner or "",
                    "methods": sorted(route.methods),
                    "path": route.path,
                    "handler": node.name,
                    "deps": deps + _depends(_keyword(decorator, "dependencies")),
                }
            )
            return
        if nested:
            return
        methods: list[str] | None = None
        for decorator in node.decorator_list:
            name = _last(decorator.func if isinstance(decorator, ast.Call) else decorator)
            if name in V.DJANGO_METHOD_DECORATORS:
                methods = list(V.DJANGO_METHOD_DECORATORS[name])
            elif name in ("require_http_methods", "api_view") and isinstance(decorator, ast.Call):
                methods = [
                    m.upper() for m in _strings(decorator.args[0] if decorator.args else None)
                ]
                methods = methods or ["GET"]
                if name == "api_view":
                    info["drf"] = True
            elif name == "api_view":
                methods, info["drf"] = ["GET"], True
            elif (
                name == "permission_classes" and isinstance(decorator, ast.Call) and decorator.args
            ):
                info["permissions"] = _names(decorator.args[0])
        if methods is None and params and params[0].arg == "request":
            methods = _body_methods(node)
        info["methods"] = methods
        info["login_not_required"] = "login_not_required" in names
        self.facts["functions"][node.name] = info

    # -- classes: Django and DRF views

    def _class(self, node: ast.ClassDef) -> None:
        info: dict[str, Any] = {
            "line": node.lineno,
            "bases": [t for t in (_text(b) for b in node.bases) if t],
            "auth": [a for a in (decorator_auth(d) for d in node.decorator_list) if a],
            "csrf_exempt": _csrf_exempt(node),
            "methods": {},
            "attrs": {},
        }
        for stmt in node.body:
            single = isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
            if single or (isinstance(stmt, ast.AnnAssign) and stmt.value is not None):
                assert isinstance(stmt, ast.Assign | ast.AnnAssign)
                assert stmt.value is not None
                target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
                if isinstance(target, ast.Name) and target.id in (
                    "permission_classes",
                    "authentication_classes",
                    "decorators",
                    "method_decorators",
                ):
                    names = _names(stmt.value)
                    info["attrs"][target.id] = names if names is not None else ["<dynamic>"]
                    if target.id in ("decorators", "method_decorators") and isinstance(
                        stmt.value, ast.List | ast.Tuple
                    ):
                        info["auth"] += [
                            a for a in (decorator_auth(e) for e in stmt.value.elts) if a
                        ]
                elif isinstance(target, ast.Name) and target.id in ("http_method_names",):
                    info["attrs"]["http_method_names"] = [s.upper() for s in _strings(stmt.value)]
            elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                self._method(info, stmt)
        self.facts["classes"][node.name] = info

    def _method(self, info: dict[str, Any], node: FunctionNode) -> None:
        method: dict[str, Any] = {
            "line": node.lineno,
            "auth": [a for a in (decorator_auth(d) for d in node.decorator_list) if a],
            "csrf_exempt": _csrf_exempt(node),
            "session": _handles_requests(node) and _uses_session(node),
        }
        if node.name == "get_permissions":
            info["attrs"]["get_permissions"] = ["get_permissions()"]
        if node.name == "is_accessible":
            info["is_accessible"] = True  # Flask-Admin's access hook
        if node.name == "enforce_csrf" and _does_nothing(node):
            info["csrf_off"] = True  # a SessionAuthentication that skips the CSRF check
        if node.name == "dispatch":
            info["auth"] += method["auth"]
            info["csrf_exempt"] = info["csrf_exempt"] or method["csrf_exempt"]
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Call) and _last(decorator.func) == "action":
                methods = [m.upper() for m in _strings(_keyword(decorator, "methods"))] or ["GET"]
                detail = _keyword(decorator, "detail")
                path = _string(_keyword(decorator, "url_path")) or node.name
                method["action"] = {
                    "methods": methods,
                    "detail": isinstance(detail, ast.Constant) and detail.value is True,
                    "url_path": path,
                }
                permissions = _keyword(decorator, "permission_classes")
                if permissions is not None:
                    method["permissions"] = _names(permissions) or ["<dynamic>"]
        info["methods"][node.name] = method


def _handles_requests(node: FunctionNode) -> bool:
    """A view method: an HTTP verb, a viewset action or an ``@action``."""
    return (
        node.name in V.HTTP_VERBS
        or node.name in V.VIEWSET_ACTIONS
        or any(
            _last(d.func if isinstance(d, ast.Call) else d) == "action" for d in node.decorator_list
        )
    )


def _does_nothing(node: FunctionNode) -> bool:
    """A body of ``pass``, ``return``, ``return None`` or ``...`` (after a docstring)."""
    body = [
        s for s in node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
    ]
    return all(
        isinstance(s, ast.Pass)
        or (
            isinstance(s, ast.Return)
            and (s.value is None or (isinstance(s.value, ast.Constant) and s.value.value is None))
        )
        for s in body
    )


def _rejects(node: FunctionNode) -> bool:
    """Whether a hook can stop the request: ``abort``, ``raise``, a ``return`` with a
    value (a redirect or an error response) or a ``redirect(...)``."""
    for sub in walk_body(node.body):
        if isinstance(sub, ast.Raise) or (isinstance(sub, ast.Return) and sub.value is not None):
            return True
        if isinstance(sub, ast.Call) and _last(sub.func) in ("abort", "redirect"):
            return True
    return False


def checks_auth(node: FunctionNode) -> bool:
    """Whether a function's body checks who is calling and can turn the caller away (a
    ``before_request`` guard); a hook that only records ``last_seen`` is not one."""
    return _mentions_auth(node) and _rejects(node)


def _mentions_auth(node: FunctionNode) -> bool:
    for sub in walk_body(node.body):
        name = None
        if isinstance(sub, ast.Attribute):
            name = sub.attr
        elif isinstance(sub, ast.Name):
            name = sub.id
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            name = sub.value.lower()
        if name and (name.lower() in V.GUARD_WORDS or name == "Authorization"):
            return True
        if (
            isinstance(sub, ast.Call)
            and _last(sub.func) == "abort"
            and sub.args
            and isinstance(sub.args[0], ast.Constant)
            and sub.args[0].value in (401, 403)
        ):
            return True
    return False


def scan(path: str, tree: ast.Module) -> Facts:
    """The endpoint facts of one module."""
    return FileFacts(path, tree).run()


__all__ = ["Facts", "Imports", "checks_auth", "decorator_auth", "module_of", "scan"]
