"""Scalability practice read from the shared parse of each Python source file.

Every rule is documented in ``docs/scalability.md`` (what it matches and what it does
not); the tables it quotes are in :mod:`._scalability_tables`. Only files whose role is
``source`` are read; deployment manifests are read from the discovered file set in
``reduce`` (:mod:`._deployment`).

- ``scalability.async_blocking``: ``BSSCL001`` a blocking call (``time.sleep``, a
  synchronous HTTP client, a synchronous database driver, a subprocess) directly inside
  an ``async def``.
- ``scalability.caching``: evidence of caching (functools caches, cache libraries, Redis
  clients, framework caches, HTTP cache headers).
- ``scalability.background_jobs``: evidence of a task queue (Celery, RQ, Dramatiq, arq,
  Huey, ...) or framework background tasks.
- ``scalability.pagination``: ``BSSCL002`` a list endpoint without a limit or
  pagination.
- ``scalability.configuration``: settings read from the environment against
  ``BSSCL003`` hosts, ports and connection URLs written into the code.
- ``scalability.pooling``: pooled connections against ``BSSCL004`` direct connections.
- ``scalability.deployability``: a container or process manifest and a health check.
- ``scalability.shared_state``: ``BSSCL005`` a request handler mutating module-level
  mutable state.
"""

from __future__ import annotations

import ast
import ipaddress
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from backend_skills.core.checker import CheckContext
from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import CheckResult, Confidence, Finding, Metric, Role, Severity

from . import Analysis, Visit
from . import _scalability_tables as T
from ._deployment import deployment
from ._scalability_tables import BLOCKING_CALLS, HEALTH_SEGMENTS
from ._server_common import (
    FunctionNode,
    Imports,
    Route,
    call_name,
    dotted,
    find_routes,
    redacted_line_hash,
    tree_index,
    walk_body,
    web_frameworks,
)

SKILL = "scalability"
ASYNC_BLOCKING = "scalability.async_blocking"
CACHING = "scalability.caching"
BACKGROUND = "scalability.background_jobs"
PAGINATION = "scalability.pagination"
CONFIGURATION = "scalability.configuration"
POOLING = "scalability.pooling"
DEPLOYABILITY = "scalability.deployability"
SHARED_STATE = "scalability.shared_state"

#: Per-file evidence is a list of ``[line, what]`` pairs.
Evidence = list[list[Any]]


class ScalabilityAnalysis(Analysis):
    """Blocking calls in async code, caching, background work, bounded lists,
    configuration, pooling, deployability and shared state."""

    name = "scalability"
    provides = (
        "scalability.cache_evidence",
        "scalability.background_evidence",
        "scalability.bounded_list_share",
        "scalability.list_endpoints",
        "scalability.env_config_share",
        "scalability.pooled_share",
        "scalability.deployability",
    )
    feeds = (ASYNC_BLOCKING, PAGINATION, CONFIGURATION, POOLING, SHARED_STATE)

    def visit(self, file: SourceFile, tree: ast.Module, options: Mapping[str, Any]) -> Visit:
        """Per-file evidence and findings (source files only)."""
        if file.role is not Role.SOURCE:
            return Visit()
        return _FileScan(file, tree).run()

    def reduce(self, ctx: CheckContext, data: Mapping[str, dict[str, Any]]) -> CheckResult:
        """Repository metrics, not-applicable reasons and notes."""
        return _Reduction(ctx, {p: d for p, d in data.items() if d}).run()


# --------------------------------------------------------------------------- one file


def _is_target(node: ast.AST, name: str) -> bool:
    """Whether an assignment binds ``name`` at its top level."""
    targets = node.targets if isinstance(node, ast.Assign) else []
    if isinstance(node, ast.AnnAssign):
        targets = [node.target]
    return any(isinstance(t, ast.Name) and t.id == name for t in targets)


def _strings(node: ast.AST) -> set[str]:
    return {
        c.value for c in ast.walk(node) if isinstance(c, ast.Constant) and isinstance(c.value, str)
    }


def _decorated_name(decorator: ast.expr) -> ast.expr:
    return decorator.func if isinstance(decorator, ast.Call) else decorator


class _FileScan:
    """Every scalability rule over one source file."""

    def __init__(self, file: SourceFile, tree: ast.Module) -> None:
        self.file = file
        self.tree = tree
        self.index = tree_index(tree)
        self.imports = self.index.imports
        self.calls = self.index.calls()
        self.findings: list[Finding] = []

    def run(self) -> Visit:
        routes = find_routes(self.tree, self.file.path, self.imports)
        env, hardcoded = self._configuration()
        pooled, direct = self._pooling()
        data = {
            "frameworks": web_frameworks(self.imports),
            "async_defs": len(self.index.of(ast.AsyncFunctionDef)),
            "routes": len(routes),
            "cache": sorted(self._caching()),
            "background": sorted(self._background()),
            "queues": sorted(n for m, n in T.TASK_QUEUES.items() if self.imports.imports_any(m)),
            "enqueues": [
                n.lineno
                for n in self.calls
                if isinstance(n.func, ast.Attribute) and n.func.attr in T.ENQUEUE_METHODS
            ],
            "lists": self._list_endpoints(routes),
            "drf_pagination": _drf_default_pagination(self.tree),
            "health": self._health(routes),
            "env": env,
            "hardcoded": hardcoded,
            "pooled": pooled,
            "direct": direct,
        }
        self._blocking()
        self._shared_state(routes)
        return Visit(findings=self.findings, data=data)

    def _finding(
        self,
        rule: str,
        criterion: str,
        severity: Severity,
        message: str,
        node: ast.AST,
        *,
        redact: bool = False,
    ) -> None:
        line = getattr(node, "lineno", None)
        high = rule == "BSSCL001"
        self.findings.append(
            Finding(
                checker="python_ast",
                rule=rule,
                skill=SKILL,
                criterion=criterion,
                severity=severity,
                confidence=Confidence.HIGH if high else Confidence.MEDIUM,
                message=message,
                path=self.file.path,
                line=line,
                end_line=getattr(node, "end_lineno", None),
                column=(getattr(node, "col_offset", -1) + 1) or None,
                snippet_hash=redacted_line_hash(self.file.text, line) if redact else "",
            )
        )

    def _resolve_call(self, call: ast.Call) -> str:
        return self.imports.resolve(call.func) or ""

    def _imported(self, modules: Sequence[str]) -> Evidence:
        return [
            [self.imports.line_of(m), f"imports {m}"]
            for m in modules
            if self.imports.imports_any(m)
        ]

    # ----------------------------------------------------------------- async blocking

    def _blocking(self) -> None:
        for func in self.index.of(ast.AsyncFunctionDef):
            if not isinstance(func, ast.AsyncFunctionDef):
                continue
            for node in walk_body(func.body):
                target = self._resolve_call(node) if isinstance(node, ast.Call) else ""
                if target not in BLOCKING_CALLS:
                    continue
                what, instead = BLOCKING_CALLS[target]
                self._finding(
                    "BSSCL001",
                    ASYNC_BLOCKING,
                    Severity.HIGH,
                    f"blocking call {what} inside `async def {func.name}` stalls the event"
                    f" loop for every request; use {instead} or run it in a thread"
                    " (asyncio.to_thread)",
                    node,
                )

    # ----------------------------------------------------------------- caching

    def _cache_decorators(self) -> Iterator[list[Any]]:
        flask_caching = self.imports.imports_any("flask_caching")
        for node in self.index.of(ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
            for decorator in getattr(node, "decorator_list", []):
                target = _decorated_name(decorator)
                name = self.imports.resolve(target) or ""
                if name in T.FUNCTOOLS_CACHES:
                    yield [decorator.lineno, name]
                elif flask_caching and getattr(target, "attr", "") in ("cached", "memoize"):
                    yield [decorator.lineno, "flask_caching"]

    def _caching(self) -> Evidence:
        found = self._imported(T.CACHE_MODULES)
        found += self._cache_decorators()
        for node in self.tree.body:
            value = getattr(node, "value", None)
            if (
                _is_target(node, "CACHES")
                and isinstance(value, ast.Dict)
                and not any("DummyCache" in s for s in _strings(value))
            ):
                found.append([node.lineno, "Django CACHES"])
        for const in self.index.of(ast.Constant):
            if isinstance(const, ast.Constant) and str(const.value).lower() == "cache-control":
                found.append([const.lineno, "Cache-Control header"])
        found += [
            [c.lineno, "Redis client"]
            for c in self.calls
            if self._resolve_call(c) in T.REDIS_CLIENTS
        ]
        return found

    # ----------------------------------------------------------------- background work

    def _background(self) -> Evidence:
        queues = [m for m in T.TASK_QUEUES if self.imports.imports_any(m)]
        found = self._imported(queues)
        for func in self.index.functions():
            if queues:
                for decorator in func.decorator_list:
                    target = _decorated_name(decorator)
                    name = getattr(target, "attr", None) or getattr(target, "id", "")
                    if name in T.TASK_DECORATORS:
                        found.append([decorator.lineno, f"task `{func.name}`"])
            for arg in [*func.args.args, *func.args.kwonlyargs]:
                if (
                    arg.annotation is not None
                    and self.imports.resolve(arg.annotation) in T.BACKGROUND_TASKS
                ):
                    found.append([arg.lineno, "BackgroundTasks"])
        return found

    # ----------------------------------------------------------------- list endpoints

    def _list_endpoints(self, routes: Sequence[Route]) -> list[list[Any]]:
        lists: list[list[Any]] = [
            [r.name, r.node.lineno, f"GET {r.path or '/'}", _bounded(r), "route"]
            for r in routes
            if r.decorator is not None and r.is_get and not r.detail and _returns_many(r)
        ]
        for node in self.tree.body:
            if isinstance(node, ast.ClassDef):
                bases = {(dotted(b) or "").rsplit(".", 1)[-1] for b in node.bases}
                kinds = bases & T.DJANGO_LIST_VIEWS
                if kinds:
                    kind = "django" if kinds == {"ListView"} else "drf"
                    lists.append([node.name, node.lineno, min(kinds), _view_paginated(node), kind])
        return lists

    def _health(self, routes: Sequence[Route]) -> Evidence:
        found: Evidence = [
            [r.node.lineno, f"GET {r.path}"]
            for r in routes
            if r.path is not None and r.is_get and _health_path(r.path)
        ]
        for call in self.calls:
            first = call.args[0] if call.args else None
            if (
                call_name(call) in ("path", "re_path", "url")
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and _health_path(first.value.strip("^$"))
            ):
                found.append([call.lineno, f"URL {first.value}"])
        return found + self._imported(T.HEALTH_LIBS)

    # ----------------------------------------------------------------- configuration

    def _environment_reads(self) -> tuple[int, set[int]]:
        """(environment reads, ids of literals exempt from the hard-coded rule)."""
        reads = 0
        exempt: set[int] = set()
        for call in self.calls:
            if self._resolve_call(call) in T.ENV_CALLS:
                reads += 1
                exempt.update(id(a) for a in call.args[1:])  # defaults of the read
                exempt.update(id(k.value) for k in call.keywords)
        for node in self.index.of(ast.Subscript):
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
                reads += self.imports.resolve(node.value) == "os.environ"
        for cls in self.index.of(ast.ClassDef):
            if isinstance(cls, ast.ClassDef) and any(
                self.imports.resolve(b) in T.SETTINGS_BASES for b in cls.bases
            ):
                reads += max(1, sum(isinstance(s, ast.AnnAssign) for s in cls.body))
        for expr in self.index.of(ast.Expr):
            if isinstance(expr, ast.Expr) and isinstance(expr.value, ast.Constant):
                exempt.add(id(expr.value))  # docstrings and bare strings
        return reads, exempt

    def _hardcoded_sites(self) -> Iterator[tuple[ast.AST, str]]:
        for call in self.calls:
            target = self._resolve_call(call)
            first = call.args[0] if call.args else None
            if target in T.DSN_CALLS and isinstance(first, ast.Constant) and _literal_dsn(first):
                yield first, f"connection target of {target} is written in the code"
            for keyword in call.keywords:
                if keyword.arg in T.HOST_KEYWORDS and _literal_setting(keyword.value):
                    yield keyword.value, f"`{keyword.arg}=` is hard-coded"
        for const in self.index.of(ast.Constant):
            kind = _endpoint_kind(const.value) if isinstance(const, ast.Constant) else None
            if kind:
                yield const, f"hard-coded {kind} in the code"

    def _configuration(self) -> tuple[int, int]:
        reads, exempt = self._environment_reads()
        flagged: set[int] = set()
        for node, what in self._hardcoded_sites():
            if id(node) in exempt or id(node) in flagged:
                continue
            flagged.add(id(node))
            self._finding(
                "BSSCL003",
                CONFIGURATION,
                Severity.LOW,
                f"{what}; read it from the environment or settings"
                " (e.g. os.environ['DATABASE_URL'])",
                node,
                redact=True,
            )
        return reads, len(flagged)

    # ----------------------------------------------------------------- pooling

    def _connection_kind(self, call: ast.Call) -> str | None:
        """``pooled``, ``direct`` or None for a call."""
        target = self._resolve_call(call)
        null_pool = any(
            k.arg == "poolclass" and (dotted(k.value) or "").endswith("NullPool")
            for k in call.keywords
        )
        if target in T.DIRECT or (target in T.POOLED and null_pool):
            return "direct"
        if target in T.POOLED and not target.startswith(("httpx.", "requests.", "aiohttp.")):
            return "pooled"
        return None  # HTTP sessions are not database connections

    def _pooling(self) -> tuple[int, int]:
        pooled = direct = 0
        for call in self.calls:
            kind = self._connection_kind(call)
            pooled += kind == "pooled"
            if kind == "direct":
                direct += 1
                target = self._resolve_call(call)
                self._finding(
                    "BSSCL004",
                    POOLING,
                    Severity.LOW,
                    f"{target} opens a connection without a pool; create a pool once at"
                    " start-up and borrow connections from it",
                    call,
                )
        for node in self.tree.body:
            value = getattr(node, "value", None)
            keys = _strings(value) if isinstance(value, ast.Dict) else set()
            if not _is_target(node, "DATABASES") or "ENGINE" not in keys:
                continue  # an empty or indirect DATABASES setting says nothing
            if keys & {"CONN_MAX_AGE", "pool"}:
                pooled += 1
                continue
            direct += 1
            self._finding(
                "BSSCL004",
                POOLING,
                Severity.LOW,
                "Django opens a new database connection per request: set CONN_MAX_AGE"
                " (or OPTIONS['pool'] on Django 5.1+ with PostgreSQL)",
                node,
            )
        return pooled, direct

    # ----------------------------------------------------------------- shared state

    def _shared_state(self, routes: Sequence[Route]) -> None:
        mutable = _module_mutables(self.tree, self.imports)
        module_names = _module_names(self.tree)
        for route in routes:
            for name, node in _mutations(route.node, mutable, module_names):
                self._finding(
                    "BSSCL005",
                    SHARED_STATE,
                    Severity.MEDIUM,
                    f"request handler `{route.name}` mutates module-level `{name}`: the state"
                    " is per process (lost on restart, different in every worker) and racy"
                    " under threads; keep it in a database or cache",
                    node,
                )


# --------------------------------------------------------------------------- file helpers


def _annotation_kind(node: ast.expr | None) -> str:
    if node is None:
        return ""
    if isinstance(node, ast.Subscript):
        node = node.value
    return (dotted(node) or "").rsplit(".", 1)[-1]


def _declared_kinds(route: Route) -> set[str]:
    """Return annotation and ``response_model=`` type names of a route."""
    kinds = {_annotation_kind(route.node.returns)}
    if route.decorator is not None:
        kinds |= {
            _annotation_kind(k.value) for k in route.decorator.keywords if k.arg == "response_model"
        }
    return kinds


def _fetches_many(node: ast.AST) -> bool:
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


def _returns_many(route: Route) -> bool:
    """A GET handler returns many items: a list-like declared type, or a call that
    fetches many rows."""
    if _declared_kinds(route) & (T.LIST_TYPES | T.PAGE_TYPES):
        return True
    return any(_fetches_many(node) for node in walk_body(route.node.body))


def _limits(node: ast.AST) -> bool:
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


def _bounded(route: Route) -> bool:
    """Whether a list handler limits what it returns (see docs/scalability.md)."""
    args = route.node.args
    if any(
        p.arg.lower() in T.PAGINATION_PARAMS
        for p in [*args.posonlyargs, *args.args, *args.kwonlyargs]
    ):
        return True
    if _declared_kinds(route) & T.PAGE_TYPES:
        return True
    return any(_limits(node) for node in walk_body(route.node.body))


def _view_paginated(cls: ast.ClassDef) -> bool:
    """A Django list view that sets ``paginate_by`` or ``pagination_class`` (not None)."""
    return any(
        (_is_target(stmt, "paginate_by") or _is_target(stmt, "pagination_class"))
        and not (isinstance(stmt.value, ast.Constant) and stmt.value.value is None)
        for stmt in cls.body
        if isinstance(stmt, ast.Assign)
    )


def _health_path(path: str) -> bool:
    segments = [s for s in path.strip("/").split("/") if s]
    return bool(segments) and segments[-1].lower() in HEALTH_SEGMENTS


def _drf_default_pagination(tree: ast.Module) -> bool:
    for node in tree.body:
        value = getattr(node, "value", None)
        if _is_target(node, "REST_FRAMEWORK") and isinstance(value, ast.Dict):
            keys = {k.value for k in value.keys if isinstance(k, ast.Constant)}
            if "DEFAULT_PAGINATION_CLASS" in keys:
                return True
    return False


def _literal_dsn(node: ast.AST | None) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value not in (":memory:", "")
    )


def _literal_setting(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str | int)
        and not isinstance(node.value, bool)
        and node.value != ""
    )


def _endpoint_kind(value: object) -> str | None:
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


def _is_mutable_value(node: ast.expr | None, imports: Imports) -> bool:
    if isinstance(node, ast.Dict | ast.List | ast.Set | ast.DictComp | ast.ListComp | ast.SetComp):
        return True
    if isinstance(node, ast.Call):
        name = dotted(node.func) or ""
        resolved = imports.resolve(node.func) or name
        return name in T.MUTABLE_FACTORIES or resolved in T.MUTABLE_FACTORIES
    return False


def _module_mutables(tree: ast.Module, imports: Imports) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and _is_mutable_value(node.value, imports):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and _is_mutable_value(node.value, imports)
        ):
            names.add(node.target.id)
    return names


def _module_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def _local_names(func: FunctionNode) -> tuple[set[str], set[str]]:
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


def _mutated_name(node: ast.AST) -> str | None:
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


def _mutations(
    func: FunctionNode, mutable: set[str], module_names: set[str]
) -> Iterator[tuple[str, ast.AST]]:
    local, declared = _local_names(func)
    containers = mutable - local
    rebound = declared & module_names
    if not containers and not rebound:
        return
    for node in walk_body(func.body):
        name = _mutated_name(node)
        if name is not None and name in containers:
            yield name, node
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id in rebound:
            yield node.id, node


# --------------------------------------------------------------------------- reduce


class _Reduction:
    """Repository metrics from every source file's data, one criterion at a time."""

    def __init__(self, ctx: CheckContext, data: Mapping[str, dict[str, Any]]) -> None:
        self.ctx = ctx
        self.data = data
        self.files = len(data)
        self.result = CheckResult()
        frameworks = {f for d in data.values() for f in d["frameworks"]}
        self.routes = self._sum("routes")
        self.web = bool(frameworks) or self.routes > 0

    def _sum(self, key: str) -> int:
        return sum(int(d[key]) for d in self.data.values())

    def _evidence(self, key: str) -> list[tuple[str, int, str]]:
        return [(p, line, what) for p, d in self.data.items() for line, what in d[key]]

    def _metric(self, name: str, value: float | None, unit: str, reason: str | None = None) -> None:
        self.result.metrics.append(
            Metric(
                name=name,
                value=None if value is None else round(value, 4),
                unit=unit,
                files=self.files,
                reason=reason,
            )
        )

    def _not_applicable(self, criterion: str, why: str) -> None:
        if self.data:
            self.result.not_applicable.setdefault(criterion, why)

    def run(self) -> CheckResult:
        if not self.data:
            for criterion in (
                ASYNC_BLOCKING,
                CACHING,
                BACKGROUND,
                PAGINATION,
                CONFIGURATION,
                POOLING,
                SHARED_STATE,
            ):
                self.result.not_applicable[criterion] = "no Python source files"
        if not self._sum("async_defs"):
            self._not_applicable(
                ASYNC_BLOCKING, "no async code (no `async def` in Python source files)"
            )
        self._caching()
        self._background()
        self._pagination()
        self._configuration()
        self._pooling()
        self._deployability()
        if not self.web:
            self._not_applicable(SHARED_STATE, "no web framework detected: no request handlers")
        elif not self.routes:
            self._not_applicable(SHARED_STATE, "no request handlers found")
        return self.result

    def _caching(self) -> None:
        cache = self._evidence("cache")
        self._metric("scalability.cache_evidence", len(cache), "sites")
        if cache:
            shown = ", ".join(f"{what} ({p}:{line})" for p, line, what in cache[:3])
            more = f" and {len(cache) - 3} more" if len(cache) > 3 else ""
            self.result.notes.append(f"caching: {shown}{more}")

    def _background(self) -> None:
        queues = sorted({q for d in self.data.values() for q in d["queues"]})
        enqueues = sum(len(d["enqueues"]) for d in self.data.values()) if queues else 0
        evidence = len(self._evidence("background")) + enqueues
        self._metric("scalability.background_evidence", evidence, "sites")
        if queues:
            self.result.notes.append(
                f"background work: {', '.join(queues)} ({enqueues} enqueue calls)"
            )
        if not self.web and evidence == 0:
            self._not_applicable(
                BACKGROUND, "no web framework detected: no request path to keep work off"
            )

    def _pagination(self) -> None:
        drf_default = any(d["drf_pagination"] for d in self.data.values())
        lists = [(p, *item) for p, d in self.data.items() for item in d["lists"]]
        bounded = 0
        for path, name, line, label, is_bounded, kind in lists:
            if is_bounded or (kind == "drf" and drf_default):
                bounded += 1
                continue
            self.result.findings.append(
                Finding(
                    checker="python_ast",
                    rule="BSSCL002",
                    skill=SKILL,
                    criterion=PAGINATION,
                    severity=Severity.MEDIUM,
                    confidence=Confidence.MEDIUM,
                    message=f"list endpoint `{name}` ({label}) returns every row: add a limit"
                    " parameter with a maximum, or paginate",
                    path=path,
                    line=line,
                )
            )
        if lists:
            self._metric(
                "scalability.bounded_list_share", bounded / len(lists), "share of list endpoints"
            )
        else:
            why = "no list endpoints found" if self.web else "no web framework detected"
            self._metric("scalability.bounded_list_share", None, "share of list endpoints", why)
            self._not_applicable(PAGINATION, why)
        self._metric("scalability.list_endpoints", len(lists), "endpoints")

    def _configuration(self) -> None:
        env, hardcoded = self._sum("env"), self._sum("hardcoded")
        if env + hardcoded:
            self._metric(
                "scalability.env_config_share", env / (env + hardcoded), "share of settings"
            )
            self.result.notes.append(
                f"configuration: {env} settings read from the environment,"
                f" {hardcoded} hard-coded hosts, ports or URLs"
            )
        else:
            why = "no settings read from the environment and no hard-coded hosts, ports or URLs"
            self._metric("scalability.env_config_share", None, "share of settings", why)

    def _pooling(self) -> None:
        pooled, direct = self._sum("pooled"), self._sum("direct")
        if pooled + direct:
            self._metric(
                "scalability.pooled_share", pooled / (pooled + direct), "share of connection sites"
            )
            return
        why = "no database or cache connections found in Python source files"
        self._metric("scalability.pooled_share", None, "share of connection sites", why)
        self._not_applicable(POOLING, why)

    def _deployability(self) -> None:
        manifests, probes = deployment(self.ctx.fileset.files)
        health = [f"{p}:{line} {label}" for p, line, label in self._evidence("health")] + probes
        if not self.data and not manifests:
            why = "no Python source files and no deployment manifests"
            self._metric("scalability.deployability", None, "share", why)
            return
        if self.web:
            value = 0.5 * bool(manifests) + 0.5 * bool(health)
            checks = ", ".join(health[:2]) or "none found"
        else:
            value = float(bool(manifests))
            checks = "not needed (no web framework)"
        self._metric("scalability.deployability", value, "share")
        shown = ", ".join(manifests[:3]) or "no container or process manifest"
        self.result.notes.append(f"deployment: {shown}; health check: {checks}")


__all__ = ["BLOCKING_CALLS", "HEALTH_SEGMENTS", "ScalabilityAnalysis"]
