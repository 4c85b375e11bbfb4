"""Per-file facts of Django and Django REST framework: settings, ``urlpatterns``, class
and function views, DRF routers and viewset actions."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from . import _authz_vocabulary as V
from ._authz_ast import (
    argument,
    elements,
    is_true,
    keyword,
    last,
    names,
    string,
    strings,
    target,
    text,
    upper_strings,
)
from ._authz_checks import (
    applied_auth,
    body_methods,
    csrf_exempt,
    decorator_auth,
    does_nothing,
    handles_requests,
    uses_session,
)
from ._server_common import FunctionNode

Facts = dict[str, Any]

#: DRF router classes (``router.register(prefix, viewset)``).
DRF_ROUTERS = frozenset(
    {"DefaultRouter", "SimpleRouter", "ExtendedSimpleRouter", "NestedSimpleRouter"}
)

#: Class attributes of a view that set its access control.
_ACCESS_ATTRS = frozenset(
    {"permission_classes", "authentication_classes", "decorators", "method_decorators"}
)


# --------------------------------------------------------------------------- settings


def _drf_settings(value: ast.expr, node: ast.stmt) -> dict[str, Any] | None:
    if not isinstance(value, ast.Dict):
        return None
    settings: dict[str, Any] = {"line": node.lineno}
    for key, item in zip(value.keys, value.values, strict=True):
        if string(key) == "DEFAULT_PERMISSION_CLASSES":
            found = names(item)
            settings["permissions"] = found if found is not None else ["<dynamic>"]
        elif string(key) == "DEFAULT_AUTHENTICATION_CLASSES":
            settings["authentication"] = names(item) or []
    return settings


def _root_urlconf(value: ast.expr, node: ast.stmt) -> str | None:
    return string(value) or None


def _login_middleware(value: ast.expr, node: ast.stmt) -> int | None:
    if any(s.endswith("LoginRequiredMiddleware") for s in strings(value)):
        return node.lineno
    return None


def _drf_installed(value: ast.expr, node: ast.stmt) -> int | None:
    return node.lineno if "rest_framework" in strings(value) else None


#: Setting name -> (fact key, reader).
_SETTINGS: dict[str, tuple[str, Callable[[ast.expr, ast.stmt], Any]]] = {
    "REST_FRAMEWORK": ("drf", _drf_settings),
    "ROOT_URLCONF": ("root_urlconf", _root_urlconf),
    "MIDDLEWARE": ("login_middleware", _login_middleware),
    "INSTALLED_APPS": ("drf_installed", _drf_installed),
}


def _setting_applies(name: str, value: ast.expr) -> bool:
    """Whether a settings reader owns this binding (other shapes fall through)."""
    if name == "REST_FRAMEWORK":
        return isinstance(value, ast.Dict)
    if name == "ROOT_URLCONF":
        return bool(string(value))
    if name == "MIDDLEWARE":
        return isinstance(value, ast.List | ast.Tuple)
    return name == "INSTALLED_APPS" and "rest_framework" in strings(value)


# --------------------------------------------------------------------------- views


def _view_methods(decorator: ast.expr, info: dict[str, Any]) -> list[str] | None:
    """Methods a Django/DRF function-view decorator fixes (None: it fixes none)."""
    name = last(target(decorator))
    if name in V.DJANGO_METHOD_DECORATORS:
        return list(V.DJANGO_METHOD_DECORATORS[name])
    if name not in ("require_http_methods", "api_view"):
        return None
    if name == "api_view":
        info["drf"] = True
    if not isinstance(decorator, ast.Call):
        return ["GET"] if name == "api_view" else None
    return upper_strings(decorator.args[0] if decorator.args else None) or ["GET"]


def _action(decorator: ast.Call, node: FunctionNode, method: dict[str, Any]) -> None:
    """DRF ``@action(detail=..., methods=[...], url_path=..., permission_classes=...)``."""
    method["action"] = {
        "methods": upper_strings(keyword(decorator, "methods")) or ["GET"],
        "detail": is_true(keyword(decorator, "detail")),
        "url_path": string(keyword(decorator, "url_path")) or node.name,
    }
    permissions = keyword(decorator, "permission_classes")
    if permissions is not None:
        method["permissions"] = names(permissions) or ["<dynamic>"]


def _class_attribute(info: dict[str, Any], stmt: ast.Assign | ast.AnnAssign) -> None:
    """``permission_classes = [...]``, ``decorators = [...]``, ``http_method_names``."""
    assert stmt.value is not None
    name = target_name(stmt)
    if name in _ACCESS_ATTRS:
        found = names(stmt.value)
        info["attrs"][name] = found if found is not None else ["<dynamic>"]
        if name in ("decorators", "method_decorators") and isinstance(
            stmt.value, ast.List | ast.Tuple
        ):
            info["auth"] += applied_auth(list(stmt.value.elts))
    elif name == "http_method_names":
        info["attrs"]["http_method_names"] = upper_strings(stmt.value)


def target_name(stmt: ast.Assign | ast.AnnAssign) -> str | None:
    """The name a one-target assignment binds."""
    bound = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
    return bound.id if isinstance(bound, ast.Name) else None


def _single_assignment(stmt: ast.stmt) -> ast.Assign | ast.AnnAssign | None:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        return stmt
    if isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        return stmt
    return None


#: Methods that change what the class does: name -> (info key, value).
_CLASS_HOOKS: dict[str, tuple[str, Any]] = {
    "is_accessible": ("is_accessible", True),  # Flask-Admin's access hook
    "enforce_csrf": ("csrf_off", True),  # a SessionAuthentication that skips the CSRF check
}


def _class_hook(info: dict[str, Any], node: FunctionNode, method: dict[str, Any]) -> None:
    """``get_permissions``, ``is_accessible``, ``enforce_csrf`` (doing nothing) and
    ``dispatch`` (its decorators apply to every method)."""
    if node.name == "get_permissions":
        info["attrs"]["get_permissions"] = ["get_permissions()"]
    elif node.name == "dispatch":
        info["auth"] += method["auth"]
        info["csrf_exempt"] = info["csrf_exempt"] or method["csrf_exempt"]
    elif node.name in _CLASS_HOOKS and (node.name != "enforce_csrf" or does_nothing(node)):
        key, value = _CLASS_HOOKS[node.name]
        info[key] = value


def _method(info: dict[str, Any], node: FunctionNode) -> None:
    """A method of a view class: its decorators, DRF ``@action`` and the hooks that
    change the class."""
    method: dict[str, Any] = {
        "line": node.lineno,
        "auth": applied_auth(node.decorator_list),
        "csrf_exempt": csrf_exempt(node),
        "session": handles_requests(node) and uses_session(node),
    }
    _class_hook(info, node, method)
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Call) and last(decorator.func) == "action":
            _action(decorator, node, method)
    info["methods"][node.name] = method


def view_class(node: ast.ClassDef) -> dict[str, Any]:
    """The facts of a class (a Django or DRF view, a Flask ``MethodView``...)."""
    info: dict[str, Any] = {
        "line": node.lineno,
        "bases": [t for t in (text(b) for b in node.bases) if t],
        "auth": applied_auth(node.decorator_list),
        "csrf_exempt": csrf_exempt(node),
        "methods": {},
        "attrs": {},
    }
    for stmt in node.body:
        assignment = _single_assignment(stmt)
        if assignment is not None:
            _class_attribute(info, assignment)
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            _method(info, stmt)
    return info


# --------------------------------------------------------------------------- the mixin


class DjangoFacts:
    """The Django and DRF part of :class:`._authz_facts.FileFacts`."""

    facts: Facts

    def _django_setting(self, name: str, value: ast.expr, node: ast.stmt) -> bool:
        """Read a settings binding; False when ``name`` is no setting read here."""
        if name not in _SETTINGS or not _setting_applies(name, value):
            return False
        key, reader = _SETTINGS[name]
        found = reader(value, node)
        if found is not None:
            self.facts["settings"][key] = found
        return True

    def _drf_router(self, name: str, value: ast.Call) -> None:
        if last(value.func) in DRF_ROUTERS:
            self.facts["routers"].setdefault(name, [])

    def _router_register(self, owner: str, call: ast.Call, attr: str) -> bool:
        """``router.register(prefix, viewset)`` on a DRF router of this module."""
        if attr != "register" or owner not in self.facts["routers"] or len(call.args) < 2:
            return False
        self.facts["routers"][owner].append(
            {
                "prefix": string(call.args[0]) or "",
                "viewset": text(call.args[1]) or "",
                "line": call.lineno,
            }
        )
        return True

    def _function_view(
        self, node: FunctionNode, info: dict[str, Any], params: list[ast.arg]
    ) -> None:
        """A Django or DRF function view (or any other top-level function)."""
        methods: list[str] | None = None
        for decorator in node.decorator_list:
            fixed = _view_methods(decorator, info)
            if fixed is not None:
                methods = fixed
            elif (
                last(target(decorator)) == "permission_classes"
                and isinstance(decorator, ast.Call)
                and decorator.args
            ):
                info["permissions"] = names(decorator.args[0])
        if methods is None and params and params[0].arg == "request":
            methods = body_methods(node)
        info["methods"] = methods
        self.facts["functions"][node.name] = info

    def _class(self, node: ast.ClassDef) -> None:
        self.facts["classes"][node.name] = view_class(node)

    # -- urlpatterns

    def _urlpatterns(self, value: ast.expr) -> None:
        if isinstance(value, ast.BinOp):
            self._urlpatterns(value.left)
            self._urlpatterns(value.right)
            return
        if isinstance(value, ast.Attribute) and value.attr == "urls":
            self._pattern(value.lineno, "", value, regex=False)
            return
        if isinstance(value, ast.Call) and last(value.func) == "patterns" and value.args:
            # Django < 1.10: patterns("app.views", url(r"^$", "index"), ...)
            self._url_elements(value.args[1:], string(value.args[0]) or "")
            return
        self._url_elements(elements(value), "")

    def _url_elements(self, items: list[ast.expr], view_prefix: str) -> None:
        for element in items:
            if isinstance(element, ast.Starred):
                self._urlpatterns(element.value)
            elif isinstance(element, ast.Call) and last(element.func) in ("path", "re_path", "url"):
                self._path_call(element, view_prefix)

    def _path_call(self, element: ast.Call, view_prefix: str = "") -> None:
        """``path(route, view)``, ``re_path(regex, view)`` or ``url(regex, view)``; a
        view may be a dotted string (``"app.views.index"``, Django < 1.10)."""
        route = string(element.args[0]) if element.args else string(keyword(element, "route"))
        view = argument(element, 1, "view")
        regex = last(element.func) != "path"
        dotted = string(view)
        if dotted is not None:
            target = f"{view_prefix}.{dotted}" if view_prefix else dotted
            self._view_entry(element.lineno, route, ast.Name(id=target), regex, [], False)
        elif view is not None:
            self._pattern(element.lineno, route, view, regex=regex)

    def _pattern(self, line: int, route: str | None, view: ast.expr, *, regex: bool) -> None:
        wrappers: list[str] = []
        csrf = False
        while isinstance(view, ast.Call):
            name = last(view.func)
            if name == "include" and view.args:
                self._include(line, route, view.args[0], regex)
                return
            if name == "as_view":
                view = view.func.value if isinstance(view.func, ast.Attribute) else view.func
                break
            if name == "csrf_exempt":
                csrf = True
            else:
                wrappers += _direct_auth(view)
            wrappers += _factory_auth(view)
            if not view.args:
                return
            view = view.args[0]
        self._view_entry(line, route, view, regex, wrappers, csrf)

    def _view_entry(
        self,
        line: int,
        route: str | None,
        view: ast.expr,
        regex: bool,
        wrappers: list[str],
        csrf: bool,
    ) -> None:
        reference = text(view)
        if reference is None:
            return
        kind = "admin" if reference.endswith("site.urls") else "view"
        if reference.endswith(".urls") and kind != "admin":
            kind = "router"
            reference = reference[: -len(".urls")]
        self.facts["urlpatterns"].append(
            {
                "line": line,
                "route": route,
                "regex": regex,
                "kind": kind,
                "target": reference,
                "wrappers": wrappers,
                "csrf_exempt": csrf,
            }
        )

    def _include(self, line: int, route: str | None, arg: ast.expr, regex: bool) -> None:
        if isinstance(arg, ast.Tuple) and arg.elts:
            arg = arg.elts[0]
        if (text(arg) or "").endswith("site.urls"):  # include(admin.site.urls), Django < 2
            self._view_entry(line, route, arg, regex, [], False)
            return
        if isinstance(arg, ast.List | ast.Tuple):  # include([path(...), ...])
            before = len(self.facts["urlpatterns"])
            self._urlpatterns(arg)
            for item in self.facts["urlpatterns"][before:]:
                item["route"] = (route or "") + (item["route"] or "")
            return
        entry: dict[str, Any] = {"line": line, "route": route, "regex": regex, "wrappers": []}
        entry.update(_included(arg))
        self.facts["urlpatterns"].append(entry)


def _included(arg: ast.expr) -> dict[str, str]:
    """What ``include(arg)`` names: a module, a router's ``urls`` or a reference."""
    module = string(arg)
    if module is not None:
        return {"kind": "include", "target": module}
    if isinstance(arg, ast.Attribute) and arg.attr == "urls":
        return {"kind": "router", "target": text(arg.value) or ""}
    return {"kind": "include_ref", "target": text(arg) or ""}


def _direct_auth(view: ast.Call) -> list[str]:
    """Access control a wrapping call applies: ``login_required(view)``."""
    applied = decorator_auth(view.func) or (decorator_auth(view) if not view.args else None)
    return [applied] if applied else []


def _factory_auth(view: ast.Call) -> list[str]:
    """``permission_required("x")(view)``: the decorator a call made."""
    applied = decorator_auth(view.func) if isinstance(view.func, ast.Call) else None
    return [applied] if applied else []
