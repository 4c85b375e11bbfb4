"""Pure rules of the scalability analysis over AST nodes (see ``docs/scalability.md``)."""

from __future__ import annotations

import ast
import ipaddress
from collections.abc import Iterator
from typing import Any

from . import _scalability_tables as T
from ._scalability_tables import HEALTH_SEGMENTS
from ._server_common import FunctionNode, Imports, Route, call_name, dotted, walk_body


def is_target(node: ast.AST, name: str) -> bool:
    """Whether an assignment binds ``name`` at its top level."""
    targets = node.targets if isinstance(node, ast.Assign) else []
    if isinstance(node, ast.AnnAssign):
        targets = [node.target]
    return any(isinstance(t, ast.Name) and t.id == name for t in targets)


def strings(node: ast.AST) -> set[str]:
    return {
        c.value for c in ast.walk(node) if isinstance(c, ast.Constant) and isinstance(c.value, str)
    }


def decorated_name(decorator: ast.expr) -> ast.expr:
    return decorator.func if isinstance(decorator, ast.Call) else decorator


def annotation_kind(node: ast.expr | None) -> str:
    if node is None:
        return ""
    if isinstance(node, ast.Subscript):
        node = node.value
    return (dotted(node) or "").rsplit(".", 1)[-1]


def declared_kinds(route: Route) -> set[str]:
    """Return annotation and ``response_model=`` type names of a route."""
    kinds = {annotation_kind(route.node.returns)}
    if route.decorator is not None:
        kinds |= {
            annotation_kind(k.value) for k in route.decorator.keywords if k.arg == "response_model"
        }
    return kinds


def fetches_many(node: ast.AST) -> bool:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr in T.MANY_ROWS:
            return True
        # A MongoDB find: no argument or a filter document.
        return node.func.attr == "find" and (not node.args or isinstance(node.args[0], ast.Dict))
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and bool(T.SQL_SELECT.match(node.value))
    )


def returns_many(route: Route) -> bool:
    """A GET handler returns many items: a list-like declared type, or a call that
    fetches many rows."""
    if declared_kinds(route) & (T.LIST_TYPES | T.PAGE_TYPES):
        return True
    return any(fetches_many(node) for node in walk_body(route.node.body))


def limits(node: ast.AST) -> bool:
    """Whether ``node`` bounds a result (a limiting call, a slice, SQL ``LIMIT``)."""
    if isinstance(node, ast.Call):
        name = call_name(node)
        key = node.args[0] if node.args else None
        reads_page = (
            name == "get"
            and isinstance(key, ast.Constant)
            and str(key.value).lower() in T.PAGINATION_PARAMS
        )
        return name in T.BOUNDING_CALLS or reads_page
    if isinstance(node, ast.Subscript):
        return isinstance(node.slice, ast.Slice) and node.slice.upper is not None
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and bool(T.SQL_LIMIT.search(node.value))
    )


def bounded(route: Route) -> bool:
    """Whether a list handler limits what it returns (see docs/scalability.md)."""
    args = route.node.args
    if any(
        p.arg.lower() in T.PAGINATION_PARAMS
        for p in [*args.posonlyargs, *args.args, *args.kwonlyargs]
    ):
        return True
    if declared_kinds(route) & T.PAGE_TYPES:
        return True
    return any(limits(node) for node in walk_body(route.node.body))


def view_paginated(cls: ast.ClassDef) -> bool:
    """A Django list view that sets ``paginate_by`` or ``pagination_class`` (not None)."""
    return any(
        (is_target(stmt, "paginate_by") or is_target(stmt, "pagination_class"))
        and not (isinstance(stmt.value, ast.Constant) and stmt.value.value is None)
        for stmt in cls.body
        if isinstance(stmt, ast.Assign)
    )


def is_list_route(route: Route) -> bool:
    """A decorated GET route for a collection (not one item) that returns many items."""
    return route.decorator is not None and route.is_get and not route.detail and returns_many(route)


def django_list_views(tree: ast.Module) -> list[list[Any]]:
    """``[name, line, base, paginated, kind]`` of the module's Django and DRF list views
    (``kind``: ``django`` for a plain ``ListView``, ``drf`` otherwise)."""
    views: list[list[Any]] = []
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        kinds = {(dotted(b) or "").rsplit(".", 1)[-1] for b in node.bases} & T.DJANGO_LIST_VIEWS
        if kinds:
            kind = "django" if kinds == {"ListView"} else "drf"
            views.append([node.name, node.lineno, min(kinds), view_paginated(node), kind])
    return views


def django_cache_setting(node: ast.stmt) -> bool:
    """A Django ``CACHES = {...}`` setting with a real backend (not ``DummyCache``)."""
    value = getattr(node, "value", None)
    return (
        is_target(node, "CACHES")
        and isinstance(value, ast.Dict)
        and not any("DummyCache" in s for s in strings(value))
    )


def task_decorator_lines(func: FunctionNode) -> list[int]:
    """Lines of a function's task-queue decorators (``@shared_task``, ``@app.task``...)."""
    lines = []
    for decorator in func.decorator_list:
        target = decorated_name(decorator)
        name = getattr(target, "attr", None) or getattr(target, "id", "")
        if name in T.TASK_DECORATORS:
            lines.append(decorator.lineno)
    return lines


def health_url_pattern(call: ast.Call) -> str | None:
    """The pattern of a Django URL declaration (``path('healthz/', ...)``) of a health
    check, or None."""
    first = call.args[0] if call.args else None
    if (
        call_name(call) in ("path", "re_path", "url")
        and isinstance(first, ast.Constant)
        and isinstance(first.value, str)
        and health_path(first.value.strip("^$"))
    ):
        return first.value
    return None


def hardcoded_keywords(call: ast.Call) -> Iterator[tuple[ast.AST, str]]:
    """Literal values given to host and port keywords (``host="db.internal"``)."""
    for keyword in call.keywords:
        if keyword.arg in T.HOST_KEYWORDS and literal_setting(keyword.value):
            yield keyword.value, f"`{keyword.arg}=` is hard-coded"


def health_path(path: str) -> bool:
    segments = [s for s in path.strip("/").split("/") if s]
    return bool(segments) and segments[-1].lower() in HEALTH_SEGMENTS


def drf_default_pagination(tree: ast.Module) -> bool:
    for node in tree.body:
        value = getattr(node, "value", None)
        if is_target(node, "REST_FRAMEWORK") and isinstance(value, ast.Dict):
            keys = {k.value for k in value.keys if isinstance(k, ast.Constant)}
            if "DEFAULT_PAGINATION_CLASS" in keys:
                return True
    return False


def literal_dsn(node: ast.AST | None) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value not in (":memory:", "")
    )


def literal_setting(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str | int)
        and not isinstance(node.value, bool)
        and node.value != ""
    )


def endpoint_kind(value: object) -> str | None:
    """What a whole string literal is, when it is a hard-coded endpoint."""
    if not isinstance(value, str) or len(value) > 2048 or "://" not in value:
        return None
    service = T.SERVICE_URL.match(value)
    if service:
        return f"{service.group(1).lower()} connection URL"
    http = T.HTTP_URL.match(value)
    if not http:
        return None
    host = http.group(2).strip("[]").lower()
    if http.group(3):
        return "URL with an explicit port"
    if host in T.LOCAL_HOSTS or host.endswith((".local", ".internal")):
        return "local or internal host URL"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return None
    return "URL with an IP address"


def is_mutable_value(node: ast.expr | None, imports: Imports) -> bool:
    if isinstance(node, ast.Dict | ast.List | ast.Set | ast.DictComp | ast.ListComp | ast.SetComp):
        return True
    if isinstance(node, ast.Call):
        name = dotted(node.func) or ""
        resolved = imports.resolve(node.func) or name
        return name in T.MUTABLE_FACTORIES or resolved in T.MUTABLE_FACTORIES
    return False


def module_mutables(tree: ast.Module, imports: Imports) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and is_mutable_value(node.value, imports):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and is_mutable_value(node.value, imports)
        ):
            names.add(node.target.id)
    return names


def module_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def local_names(func: FunctionNode) -> tuple[set[str], set[str]]:
    """(names bound locally, names declared ``global``) in ``func``'s own scope."""
    args = func.args
    local = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    local |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    declared: set[str] = set()
    for node in walk_body(func.body):
        if isinstance(node, ast.Global):
            declared.update(node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            local.add(node.id)
    return local - declared, declared


def mutated_name(node: ast.AST) -> str | None:
    """The name a node mutates in place: ``x[k] = v``, ``del x[k]``, ``x.append(v)``."""
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store | ast.Del):
        base: ast.AST = node.value
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in T.MUTATORS
    ):
        base = node.func.value
    else:
        return None
    return base.id if isinstance(base, ast.Name) else None


def mutations(
    func: FunctionNode, mutable: set[str], module_names: set[str]
) -> Iterator[tuple[str, ast.AST]]:
    local, declared = local_names(func)
    containers = mutable - local
    rebound = declared & module_names
    if not containers and not rebound:
        return
    for node in walk_body(func.body):
        name = mutated_name(node)
        if name is not None and name in containers:
            yield name, node
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id in rebound:
            yield node.id, node
