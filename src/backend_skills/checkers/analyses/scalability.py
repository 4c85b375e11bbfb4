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
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from backend_skills.core.checker import CheckContext
from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import CheckResult, Confidence, Finding, Role, Severity

from . import Analysis, Visit
from . import _scalability_rules as R
from . import _scalability_tables as T
from ._scalability_reduce import Reduction
from ._scalability_tables import (
    ASYNC_BLOCKING,
    BLOCKING_CALLS,
    CONFIGURATION,
    HEALTH_SEGMENTS,
    PAGINATION,
    POOLING,
    SHARED_STATE,
    SKILL,
)
from ._server_common import (
    FunctionNode,
    Route,
    dotted,
    find_routes,
    redacted_line_hash,
    tree_index,
    walk_body,
    web_frameworks,
)

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
        return Reduction(ctx, {p: d for p, d in data.items() if d}).run()


# --------------------------------------------------------------------------- one file


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
            "drf_pagination": R.drf_default_pagination(self.tree),
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
                target = R.decorated_name(decorator)
                name = self.imports.resolve(target) or ""
                if name in T.FUNCTOOLS_CACHES:
                    yield [decorator.lineno, name]
                elif flask_caching and getattr(target, "attr", "") in ("cached", "memoize"):
                    yield [decorator.lineno, "flask_caching"]

    def _caching(self) -> Evidence:
        found = self._imported(T.CACHE_MODULES)
        found += self._cache_decorators()
        found += [[n.lineno, "Django CACHES"] for n in self.tree.body if R.django_cache_setting(n)]
        found += [
            [c.lineno, "Cache-Control header"]
            for c in self.index.of(ast.Constant)
            if isinstance(c, ast.Constant) and str(c.value).lower() == "cache-control"
        ]
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
                found += [[line, f"task `{func.name}`"] for line in R.task_decorator_lines(func)]
            found += [[arg.lineno, "BackgroundTasks"] for arg in self._background_args(func)]
        return found

    def _background_args(self, func: FunctionNode) -> list[ast.arg]:
        """Parameters annotated with the framework's ``BackgroundTasks``."""
        return [
            arg
            for arg in [*func.args.args, *func.args.kwonlyargs]
            if arg.annotation is not None
            and self.imports.resolve(arg.annotation) in T.BACKGROUND_TASKS
        ]

    # ----------------------------------------------------------------- list endpoints

    def _list_endpoints(self, routes: Sequence[Route]) -> list[list[Any]]:
        lists: list[list[Any]] = [
            [r.name, r.node.lineno, f"GET {r.path or '/'}", R.bounded(r), "route"]
            for r in routes
            if R.is_list_route(r)
        ]
        return lists + R.django_list_views(self.tree)

    def _health(self, routes: Sequence[Route]) -> Evidence:
        found: Evidence = [
            [r.node.lineno, f"GET {r.path}"]
            for r in routes
            if r.path is not None and r.is_get and R.health_path(r.path)
        ]
        for call in self.calls:
            pattern = R.health_url_pattern(call)
            if pattern is not None:
                found.append([call.lineno, f"URL {pattern}"])
        return found + self._imported(T.HEALTH_LIBS)

    # ----------------------------------------------------------------- configuration

    def _environment_reads(self) -> tuple[int, set[int]]:
        """(environment reads, ids of literals exempt from the hard-coded rule)."""
        env_calls = [c for c in self.calls if self._resolve_call(c) in T.ENV_CALLS]
        exempt: set[int] = set()
        for call in env_calls:
            exempt.update(id(a) for a in call.args[1:])  # defaults of the read
            exempt.update(id(k.value) for k in call.keywords)
        exempt.update(  # docstrings and bare strings
            id(e.value)
            for e in self.index.of(ast.Expr)
            if isinstance(e, ast.Expr) and isinstance(e.value, ast.Constant)
        )
        reads = len(env_calls) + self._environ_subscripts() + self._settings_fields()
        return reads, exempt

    def _environ_subscripts(self) -> int:
        """Reads of ``os.environ[...]``."""
        return sum(
            isinstance(n, ast.Subscript)
            and isinstance(n.ctx, ast.Load)
            and self.imports.resolve(n.value) == "os.environ"
            for n in self.index.of(ast.Subscript)
        )

    def _settings_fields(self) -> int:
        """Fields of settings classes (pydantic ``BaseSettings``), at least one each."""
        return sum(
            max(1, sum(isinstance(s, ast.AnnAssign) for s in cls.body))
            for cls in self.index.of(ast.ClassDef)
            if isinstance(cls, ast.ClassDef)
            and any(self.imports.resolve(b) in T.SETTINGS_BASES for b in cls.bases)
        )

    def _hardcoded_sites(self) -> Iterator[tuple[ast.AST, str]]:
        for call in self.calls:
            target = self._resolve_call(call)
            first = call.args[0] if call.args else None
            if target in T.DSN_CALLS and isinstance(first, ast.Constant) and R.literal_dsn(first):
                yield first, f"connection target of {target} is written in the code"
            yield from R.hardcoded_keywords(call)
        for const in self.index.of(ast.Constant):
            kind = R.endpoint_kind(const.value) if isinstance(const, ast.Constant) else None
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
            keys = R.strings(value) if isinstance(value, ast.Dict) else set()
            if not R.is_target(node, "DATABASES") or "ENGINE" not in keys:
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
        mutable = R.module_mutables(self.tree, self.imports)
        module_names = R.module_names(self.tree)
        for route in routes:
            for name, node in R.mutations(route.node, mutable, module_names):
                self._finding(
                    "BSSCL005",
                    SHARED_STATE,
                    Severity.MEDIUM,
                    f"request handler `{route.name}` mutates module-level `{name}`: the state"
                    " is per process (lost on restart, different in every worker) and racy"
                    " under threads; keep it in a database or cache",
                    node,
                )


__all__ = ["BLOCKING_CALLS", "HEALTH_SEGMENTS", "ScalabilityAnalysis"]
