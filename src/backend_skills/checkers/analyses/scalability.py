"""Scalability practice read from the shared parse of each Python source file.

Every rule is documented in ``docs/scalability.md`` (what it matches and what it does
not). Only files whose role is ``source`` are read; deployment manifests are read from
the discovered file set in ``reduce``.

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
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from backend_skills.core.checker import CheckContext
from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import CheckResult, Confidence, Finding, Metric, Role, Severity

from . import Analysis, Visit
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

# --------------------------------------------------------------------------- tables

_HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request")

#: Fully qualified callable -> (what it is, what to use instead).
BLOCKING_CALLS: dict[str, tuple[str, str]] = {
    "time.sleep": ("time.sleep", "await asyncio.sleep(...)"),
    **{
        f"requests.{verb}": (f"requests.{verb} (synchronous HTTP)", "httpx.AsyncClient or aiohttp")
        for verb in _HTTP_VERBS
    },
    **{
        f"httpx.{verb}": (f"httpx.{verb} (synchronous HTTP)", "httpx.AsyncClient")
        for verb in (*_HTTP_VERBS, "stream")
    },
    "httpx.Client": ("httpx.Client (synchronous HTTP)", "httpx.AsyncClient"),
    "urllib.request.urlopen": (
        "urllib.request.urlopen (synchronous HTTP)",
        "httpx.AsyncClient or aiohttp",
    ),
    "urllib.request.urlretrieve": (
        "urllib.request.urlretrieve (synchronous HTTP)",
        "httpx.AsyncClient or aiohttp",
    ),
    "urllib3.request": ("urllib3.request (synchronous HTTP)", "httpx.AsyncClient or aiohttp"),
    "http.client.HTTPConnection": (
        "http.client (synchronous HTTP)",
        "httpx.AsyncClient or aiohttp",
    ),
    "http.client.HTTPSConnection": (
        "http.client (synchronous HTTP)",
        "httpx.AsyncClient or aiohttp",
    ),
    "psycopg2.connect": (
        "psycopg2 (synchronous database driver)",
        "asyncpg or psycopg's AsyncConnection",
    ),
    "psycopg.connect": (
        "psycopg.connect (synchronous connection)",
        "psycopg.AsyncConnection.connect",
    ),
    "sqlite3.connect": ("sqlite3 (synchronous database driver)", "aiosqlite"),
    "pymysql.connect": ("pymysql (synchronous database driver)", "aiomysql or asyncmy"),
    "MySQLdb.connect": ("MySQLdb (synchronous database driver)", "aiomysql or asyncmy"),
    "mysql.connector.connect": (
        "mysql.connector (synchronous database driver)",
        "aiomysql or asyncmy",
    ),
    "pymongo.MongoClient": ("pymongo (synchronous driver)", "motor or pymongo's AsyncMongoClient"),
    "redis.Redis": ("redis.Redis (synchronous client)", "redis.asyncio"),
    "redis.StrictRedis": ("redis.StrictRedis (synchronous client)", "redis.asyncio"),
    "redis.from_url": ("redis.from_url (synchronous client)", "redis.asyncio.from_url"),
    "sqlalchemy.create_engine": (
        "sqlalchemy.create_engine (synchronous engine)",
        "sqlalchemy.ext.asyncio.create_async_engine",
    ),
    "cx_Oracle.connect": ("cx_Oracle (synchronous database driver)", "oracledb's async connection"),
    "oracledb.connect": ("oracledb.connect (synchronous connection)", "oracledb.connect_async"),
    "pyodbc.connect": ("pyodbc (synchronous database driver)", "aioodbc"),
    "pymssql.connect": ("pymssql (synchronous database driver)", "an async driver"),
    **{
        f"subprocess.{name}": (f"subprocess.{name}", "asyncio.create_subprocess_exec")
        for name in (
            "run",
            "call",
            "check_call",
            "check_output",
            "Popen",
            "getoutput",
            "getstatusoutput",
        )
    },
    "os.system": ("os.system", "asyncio.create_subprocess_shell"),
    "os.popen": ("os.popen", "asyncio.create_subprocess_shell"),
}

_CACHE_MODULES = (
    "cachetools",
    "aiocache",
    "async_lru",
    "diskcache",
    "pymemcache",
    "pylibmc",
    "flask_caching",
    "fastapi_cache",
    "django.core.cache",
    "django.views.decorators.cache",
    "cachelib",
    "dogpile.cache",
    "requests_cache",
    "hishel",
)
_FUNCTOOLS_CACHES = frozenset(
    {"functools.lru_cache", "functools.cache", "functools.cached_property"}
)
_REDIS_CLIENTS = frozenset(
    {
        "redis.Redis",
        "redis.StrictRedis",
        "redis.from_url",
        "redis.asyncio.Redis",
        "redis.asyncio.StrictRedis",
        "redis.asyncio.from_url",
        "aioredis.Redis",
        "aioredis.from_url",
        "aioredis.create_redis_pool",
    }
)

_TASK_QUEUES = {
    "celery": "Celery",
    "rq": "RQ",
    "dramatiq": "Dramatiq",
    "arq": "arq",
    "huey": "Huey",
    "taskiq": "Taskiq",
    "django_q": "Django-Q",
    "procrastinate": "Procrastinate",
}
_TASK_DECORATORS = frozenset(
    {"task", "shared_task", "periodic_task", "actor", "db_task", "db_periodic_task"}
)
_ENQUEUE_METHODS = frozenset(
    {
        "delay",
        "apply_async",
        "enqueue",
        "enqueue_call",
        "enqueue_job",
        "kiq",
        "send_with_options",
        "defer_async",
    }
)
_BACKGROUND_TASKS = frozenset({"fastapi.BackgroundTasks", "starlette.background.BackgroundTasks"})

#: Calls whose result is many rows (a list endpoint when a GET handler calls one).
_MANY_ROWS = frozenset(
    {
        "all",
        "fetchall",
        "fetch",
        "fetch_all",
        "scalars",
        "filter",
        "filter_by",
        "exclude",
        "values_list",
        "paginate",
        "to_list",
    }
)
#: Parameter names and request keys that bound a list.
_PAGINATION_PARAMS = frozenset(
    {
        "limit",
        "offset",
        "page",
        "page_size",
        "pagesize",
        "per_page",
        "size",
        "cursor",
        "skip",
        "take",
        "first",
        "last",
        "after",
        "before",
        "max_results",
        "page_number",
        "page_token",
        "next_token",
        "params",
    }
)
_BOUNDING_CALLS = frozenset(
    {
        "limit",
        "paginate",
        "offset",
        "slice",
        "fetchmany",
        "first",
        "one",
        "one_or_none",
        "get_page",
        "islice",
        "Paginator",
        "fetchone",
        "fetchrow",
        "fetchval",
        "scalar",
        "scalar_one",
    }
)
_SQL_LIMIT = re.compile(r"\b(LIMIT|FETCH\s+FIRST|TOP)\b", re.IGNORECASE)
_SQL_SELECT = re.compile(r"^\s*SELECT\b", re.IGNORECASE)
_LIST_TYPES = frozenset(
    {
        "list",
        "List",
        "Sequence",
        "Iterable",
        "Iterator",
        "set",
        "Set",
        "tuple",
        "Tuple",
        "AsyncIterator",
        "Collection",
    }
)
_PAGE_TYPES = frozenset({"Page", "LimitOffsetPage", "CursorPage", "Paginated", "PaginatedResponse"})
_DJANGO_LIST_VIEWS = frozenset(
    {"ListView", "ListAPIView", "ListCreateAPIView", "ModelViewSet", "ReadOnlyModelViewSet"}
)

_ENV_CALLS = frozenset(
    {
        "os.getenv",
        "os.environ.get",
        "os.environ.setdefault",
        "os.environ.__getitem__",
        "os.getenvb",
        "environ.Env",
        "environ.Env.read_env",
        "decouple.config",
        "decouple.AutoConfig",
        "decouple.Config",
        "dotenv.load_dotenv",
        "dotenv.dotenv_values",
        "dynaconf.Dynaconf",
        "dynaconf.LazySettings",
        "starlette.config.Config",
    }
)
_SETTINGS_BASES = frozenset({"pydantic.BaseSettings", "pydantic_settings.BaseSettings"})
_SERVICE_URL = re.compile(
    r"^(postgres|postgresql|mysql|mariadb|redis|rediss|amqp|amqps|mongodb|mongodb\+srv|mssql"
    r"|oracle|nats|kafka|memcached|sqlite|cockroachdb|clickhouse)(\+[\w-]+)?://\S*$",
    re.IGNORECASE,
)
_HTTP_URL = re.compile(
    r"^(https?|wss?)://(\[[^\]]+\]|[^/:?#\s]+)(:\d+)?([/?#]\S*)?$", re.IGNORECASE
)
_HOST_KEYWORDS = frozenset({"host", "port", "hostname", "db_host", "db_port", "server", "bind"})

_POOLED = frozenset(
    {
        "sqlalchemy.create_engine",
        "sqlalchemy.ext.asyncio.create_async_engine",
        "asyncpg.create_pool",
        "psycopg_pool.ConnectionPool",
        "psycopg_pool.AsyncConnectionPool",
        "psycopg2.pool.SimpleConnectionPool",
        "psycopg2.pool.ThreadedConnectionPool",
        "aiomysql.create_pool",
        "aiopg.create_pool",
        "asyncmy.create_pool",
        "redis.ConnectionPool",
        "redis.BlockingConnectionPool",
        "redis.asyncio.ConnectionPool",
        "redis.asyncio.BlockingConnectionPool",
        "databases.Database",
        "pymongo.MongoClient",
        "motor.motor_asyncio.AsyncIOMotorClient",
        "httpx.Client",
        "httpx.AsyncClient",
        "requests.Session",
        "aiohttp.ClientSession",
        *_REDIS_CLIENTS,
    }
)
_DIRECT = frozenset(
    {
        "psycopg2.connect",
        "psycopg.connect",
        "psycopg.AsyncConnection.connect",
        "sqlite3.connect",
        "pymysql.connect",
        "MySQLdb.connect",
        "mysql.connector.connect",
        "asyncpg.connect",
        "aiosqlite.connect",
        "aiomysql.connect",
        "aiopg.connect",
        "cx_Oracle.connect",
        "oracledb.connect",
        "pyodbc.connect",
        "pymssql.connect",
    }
)
_DSN_CALLS = _DIRECT | {
    "sqlalchemy.create_engine",
    "sqlalchemy.ext.asyncio.create_async_engine",
    "asyncpg.create_pool",
    "pymongo.MongoClient",
    "motor.motor_asyncio.AsyncIOMotorClient",
    "databases.Database",
    *_REDIS_CLIENTS,
}

_MUTABLE_FACTORIES = frozenset(
    {
        "dict",
        "list",
        "set",
        "defaultdict",
        "OrderedDict",
        "Counter",
        "deque",
        "collections.defaultdict",
        "collections.OrderedDict",
        "collections.Counter",
        "collections.deque",
    }
)
_MUTATORS = frozenset(
    {
        "append",
        "extend",
        "insert",
        "add",
        "update",
        "pop",
        "popitem",
        "setdefault",
        "clear",
        "remove",
        "discard",
        "appendleft",
        "extendleft",
        "__setitem__",
        "__delitem__",
        "sort",
        "reverse",
    }
)

#: Last path segments that make a route a health check.
HEALTH_SEGMENTS = frozenset(
    {
        "health",
        "healthz",
        "healthcheck",
        "health-check",
        "health_check",
        "livez",
        "readyz",
        "ready",
        "readiness",
        "live",
        "liveness",
        "alive",
    }
)
_HEALTH_LIBS = ("health_check", "fastapi_health", "flask_healthz", "healthcheck")


# --------------------------------------------------------------------------- the analysis


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
        return _reduce(ctx, {p: d for p, d in data.items() if d})


class _FileScan:
    def __init__(self, file: SourceFile, tree: ast.Module) -> None:
        self.file = file
        self.tree = tree
        self.index = tree_index(tree)
        self.imports = self.index.imports
        self.findings: list[Finding] = []
        self.data: dict[str, Any] = {}

    def run(self) -> Visit:
        routes = find_routes(self.tree, self.file.path, self.imports)
        nodes = self.index.nodes
        calls = self.index.calls()
        self.data = {
            "frameworks": web_frameworks(self.imports),
            "async_defs": sum(1 for n in nodes if isinstance(n, ast.AsyncFunctionDef)),
            "routes": len(routes),
            "cache": self._caching(nodes, calls),
            "background": self._background(nodes, calls),
            "queues": sorted(
                name for mod, name in _TASK_QUEUES.items() if self.imports.imports_any(mod)
            ),
            "enqueues": [
                n.lineno
                for n in calls
                if isinstance(n.func, ast.Attribute) and n.func.attr in _ENQUEUE_METHODS
            ],
            "lists": self._list_endpoints(routes),
            "drf_pagination": _drf_default_pagination(self.tree),
            "health": self._health(routes),
        }
        self._blocking(nodes)
        self._configuration(nodes, calls)
        self._pooling(nodes, calls)
        self._shared_state(routes)
        return Visit(findings=self.findings, data=self.data)

    # ----------------------------------------------------------------- helpers

    def _finding(
        self,
        rule: str,
        criterion: str,
        severity: Severity,
        confidence: Confidence,
        message: str,
        node: ast.AST,
        *,
        redact: bool = False,
    ) -> None:
        line = getattr(node, "lineno", None)
        self.findings.append(
            Finding(
                checker="python_ast",
                rule=rule,
                skill=SKILL,
                criterion=criterion,
                severity=severity,
                confidence=confidence,
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

    # ----------------------------------------------------------------- async blocking

    def _blocking(self, nodes: Sequence[ast.AST]) -> None:
        for func in nodes:
            if not isinstance(func, ast.AsyncFunctionDef):
                continue
            for node in walk_body(func.body):
                if not isinstance(node, ast.Call):
                    continue
                target = self._resolve_call(node)
                if target not in BLOCKING_CALLS:
                    continue
                what, instead = BLOCKING_CALLS[target]
                self._finding(
                    "BSSCL001",
                    ASYNC_BLOCKING,
                    Severity.HIGH,
                    Confidence.HIGH,
                    f"blocking call {what} inside `async def {func.name}` stalls the event"
                    f" loop for every request; use {instead} or run it in a thread"
                    " (asyncio.to_thread)",
                    node,
                )

    # ----------------------------------------------------------------- caching

    def _caching(self, nodes: Sequence[ast.AST], calls: Sequence[ast.Call]) -> list[list[Any]]:
        found: list[list[Any]] = []
        for module in _CACHE_MODULES:
            if self.imports.imports_any(module):
                line = self.imports.line_of(module)
                found.append([line, f"imports {module}"])
        for node in nodes:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                for decorator in node.decorator_list:
                    target = decorator.func if isinstance(decorator, ast.Call) else decorator
                    name = self.imports.resolve(target) or ""
                    if name in _FUNCTOOLS_CACHES:
                        found.append([decorator.lineno, name])
                    elif (
                        isinstance(target, ast.Attribute)
                        and target.attr in ("cached", "memoize")
                        and self.imports.imports_any("flask_caching")
                    ):
                        found.append([decorator.lineno, "flask_caching"])
            elif isinstance(node, ast.Assign | ast.AnnAssign) and node in self.tree.body:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(
                    isinstance(t, ast.Name) and t.id == "CACHES" for t in targets
                ) and isinstance(node.value, ast.Dict):
                    backends = {
                        c.value
                        for c in ast.walk(node.value)
                        if isinstance(c, ast.Constant) and isinstance(c.value, str)
                    }
                    if not any("DummyCache" in b for b in backends):
                        found.append([node.lineno, "Django CACHES"])
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value.lower() == "cache-control"
            ):
                found.append([node.lineno, "Cache-Control header"])
        for call in calls:
            if self._resolve_call(call) in _REDIS_CLIENTS:
                found.append([call.lineno, "Redis client"])
        return sorted(found)

    # ----------------------------------------------------------------- background work

    def _background(self, nodes: Sequence[ast.AST], calls: Sequence[ast.Call]) -> list[list[Any]]:
        found: list[list[Any]] = []
        queues = [mod for mod in _TASK_QUEUES if self.imports.imports_any(mod)]
        for module in queues:
            found.append([self.imports.line_of(module), f"imports {module}"])
        for node in nodes:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if queues:
                    for decorator in node.decorator_list:
                        target = decorator.func if isinstance(decorator, ast.Call) else decorator
                        name = (
                            target.attr
                            if isinstance(target, ast.Attribute)
                            else getattr(target, "id", "")
                        )
                        if name in _TASK_DECORATORS:
                            found.append([decorator.lineno, f"task `{node.name}`"])
                for arg in [*node.args.args, *node.args.kwonlyargs]:
                    if (
                        arg.annotation is not None
                        and (self.imports.resolve(arg.annotation) or "") in _BACKGROUND_TASKS
                    ):
                        found.append([arg.lineno, "BackgroundTasks"])
        return sorted(found)

    # ----------------------------------------------------------------- list endpoints

    def _list_endpoints(self, routes: Sequence[Route]) -> list[list[Any]]:
        lists: list[list[Any]] = []
        for route in routes:
            if route.decorator is None or not route.is_get or route.detail:
                continue
            if not _returns_many(route):
                continue
            label = f"GET {route.path or '/'}"
            lists.append([route.name, route.node.lineno, label, _bounded(route), "route"])
        for node in self.tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            bases = {(dotted(b) or "").rsplit(".", 1)[-1] for b in node.bases}
            kinds = bases & _DJANGO_LIST_VIEWS
            if not kinds:
                continue
            bounded = any(
                isinstance(stmt, ast.Assign)
                and any(
                    isinstance(t, ast.Name) and t.id in ("paginate_by", "pagination_class")
                    for t in stmt.targets
                )
                and not (isinstance(stmt.value, ast.Constant) and stmt.value.value is None)
                for stmt in node.body
            )
            kind = "django" if kinds == {"ListView"} else "drf"
            lists.append([node.name, node.lineno, sorted(kinds)[0], bounded, kind])
        return lists

    def _health(self, routes: Sequence[Route]) -> list[list[Any]]:
        found: list[list[Any]] = []
        for route in routes:
            if route.path is None or not route.is_get:
                continue
            segments = [s for s in route.path.strip("/").split("/") if s]
            if segments and segments[-1].lower() in HEALTH_SEGMENTS:
                found.append([route.node.lineno, f"GET {route.path}"])
        for call in self.index.calls():
            if call_name(call) in ("path", "re_path", "url") and call.args:
                first = call.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    segments = [s for s in first.value.strip("^$/").split("/") if s]
                    if segments and segments[-1].lower() in HEALTH_SEGMENTS:
                        found.append([call.lineno, f"URL {first.value}"])
        for module in _HEALTH_LIBS:
            if self.imports.imports_any(module):
                found.append([self.imports.line_of(module), f"imports {module}"])
        return found

    # ----------------------------------------------------------------- configuration

    def _configuration(self, nodes: Sequence[ast.AST], calls: Sequence[ast.Call]) -> None:
        env_sites: list[int] = []
        exempt: set[int] = set()
        for call in calls:
            if self._resolve_call(call) in _ENV_CALLS:
                env_sites.append(call.lineno)
                exempt.update(id(a) for a in call.args[1:])
                exempt.update(id(k.value) for k in call.keywords)
        for node in nodes:
            if (
                isinstance(node, ast.Subscript)
                and self.imports.resolve(node.value) == "os.environ"
                and isinstance(node.ctx, ast.Load)
            ):
                env_sites.append(node.lineno)
            elif isinstance(node, ast.ClassDef) and any(
                (self.imports.resolve(b) or "") in _SETTINGS_BASES for b in node.bases
            ):
                fields = sum(1 for s in node.body if isinstance(s, ast.AnnAssign))
                env_sites.extend([node.lineno] * max(fields, 1))
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                exempt.add(id(node.value))  # docstrings and bare strings
        hardcoded: list[int] = []
        flagged: set[int] = set()

        def flag(node: ast.AST, message: str) -> None:
            if id(node) in exempt or id(node) in flagged:
                return
            flagged.add(id(node))
            hardcoded.append(getattr(node, "lineno", 0))
            self._finding(
                "BSSCL003",
                CONFIGURATION,
                Severity.LOW,
                Confidence.MEDIUM,
                message,
                node,
                redact=True,
            )

        for call in calls:
            target = self._resolve_call(call)
            if target in _DSN_CALLS and call.args:
                first = call.args[0]
                if (
                    isinstance(first, ast.Constant)
                    and isinstance(first.value, str)
                    and first.value not in (":memory:", "")
                ):
                    flag(
                        first,
                        f"connection target of {target} is written in the code; read it from the environment (e.g. os.environ['DATABASE_URL'])",
                    )
            for keyword in call.keywords:
                value = keyword.value
                if (
                    keyword.arg in _HOST_KEYWORDS
                    and isinstance(value, ast.Constant)
                    and isinstance(value.value, str | int)
                    and not isinstance(value.value, bool)
                    and value.value != ""
                ):
                    flag(
                        value,
                        f"`{keyword.arg}=` is hard-coded; read it from the environment or settings",
                    )
        for node in nodes:
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                kind = _endpoint_kind(node.value)
                if kind:
                    flag(
                        node,
                        f"hard-coded {kind} in the code; read it from the environment or settings",
                    )
        self.data["env"] = len(env_sites)
        self.data["hardcoded"] = len(hardcoded)

    # ----------------------------------------------------------------- pooling

    def _pooling(self, nodes: Sequence[ast.AST], calls: Sequence[ast.Call]) -> None:
        pooled = direct = 0
        for call in calls:
            target = self._resolve_call(call)
            null_pool = any(
                k.arg == "poolclass" and (dotted(k.value) or "").endswith("NullPool")
                for k in call.keywords
            )
            if target in _POOLED and not null_pool:
                if target.startswith(("httpx.", "requests.", "aiohttp.")):
                    continue  # HTTP sessions are not database connections: evidence only
                pooled += 1
            elif target in _DIRECT or (target in _POOLED and null_pool):
                direct += 1
                self._finding(
                    "BSSCL004",
                    POOLING,
                    Severity.LOW,
                    Confidence.MEDIUM,
                    f"{target} opens a connection without a pool; create a pool once at start-up"
                    " and borrow connections from it",
                    call,
                )
        for node in self.tree.body:
            if (
                isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "DATABASES" for t in node.targets)
                and isinstance(node.value, ast.Dict)
            ):
                keys = {
                    c.value
                    for c in ast.walk(node.value)
                    if isinstance(c, ast.Constant) and isinstance(c.value, str)
                }
                if "ENGINE" not in keys:
                    continue  # an empty or indirect DATABASES setting says nothing
                if keys & {"CONN_MAX_AGE", "pool"}:
                    pooled += 1
                else:
                    direct += 1
                    self._finding(
                        "BSSCL004",
                        POOLING,
                        Severity.LOW,
                        Confidence.MEDIUM,
                        "Django opens a new database connection per request: set CONN_MAX_AGE"
                        " (or OPTIONS['pool'] on Django 5.1+ with PostgreSQL)",
                        node,
                    )
        self.data["pooled"] = pooled
        self.data["direct"] = direct

    # ----------------------------------------------------------------- shared state

    def _shared_state(self, routes: Sequence[Route]) -> None:
        mutable = _module_mutables(self.tree, self.imports)
        globals_ = _module_names(self.tree)
        for route in routes:
            for name, node in _mutations(route.node, mutable, globals_):
                self._finding(
                    "BSSCL005",
                    SHARED_STATE,
                    Severity.MEDIUM,
                    Confidence.MEDIUM,
                    f"request handler `{route.name}` mutates module-level `{name}`: the state is"
                    " per process (lost on restart, different in every worker) and racy under"
                    " threads; keep it in a database or cache",
                    node,
                )


# --------------------------------------------------------------------------- file helpers


def _annotation_kind(node: ast.expr | None) -> str:
    if node is None:
        return ""
    if isinstance(node, ast.Subscript):
        node = node.value
    name = dotted(node) or ""
    return name.rsplit(".", 1)[-1]


def _returns_many(route: Route) -> bool:
    """A GET handler returns many items: a list-like return annotation or
    ``response_model``, or a call that fetches many rows."""
    func = route.node
    kinds = {_annotation_kind(func.returns)}
    if route.decorator is not None:
        for keyword in route.decorator.keywords:
            if keyword.arg == "response_model":
                kinds.add(_annotation_kind(keyword.value))
    if kinds & (_LIST_TYPES | _PAGE_TYPES):
        return True
    for node in walk_body(func.body):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _MANY_ROWS
        ):
            return True
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "find"
        ) and (not node.args or isinstance(node.args[0], ast.Dict)):
            return True  # a MongoDB find
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and _SQL_SELECT.match(node.value)
        ):
            return True
    return False


def _bounded(route: Route) -> bool:
    """Whether a list handler limits what it returns (see docs/scalability.md)."""
    func = route.node
    params = [*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs]
    if any(p.arg.lower() in _PAGINATION_PARAMS for p in params):
        return True
    kinds = {_annotation_kind(func.returns)}
    if route.decorator is not None:
        kinds |= {
            _annotation_kind(k.value) for k in route.decorator.keywords if k.arg == "response_model"
        }
    if kinds & _PAGE_TYPES:
        return True
    for node in walk_body(func.body):
        if isinstance(node, ast.Call):
            name = call_name(node)
            if name in _BOUNDING_CALLS:
                return True
            if name == "get" and node.args:
                key = node.args[0]
                if (
                    isinstance(key, ast.Constant)
                    and isinstance(key.value, str)
                    and key.value.lower() in _PAGINATION_PARAMS
                ):
                    return True
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.slice, ast.Slice)
            and node.slice.upper is not None
        ) or (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and _SQL_LIMIT.search(node.value)
        ):
            return True
    return False


def _drf_default_pagination(tree: ast.Module) -> bool:
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "REST_FRAMEWORK" for t in node.targets)
            and isinstance(node.value, ast.Dict)
        ):
            keys = {k.value for k in node.value.keys if isinstance(k, ast.Constant)}
            if "DEFAULT_PAGINATION_CLASS" in keys:
                return True
    return False


_LOCAL_HOSTS = frozenset({"localhost", "0.0.0.0", "::", "::1", "host.docker.internal"})


def _endpoint_kind(value: str) -> str | None:
    """What a whole string literal is, when it is a hard-coded endpoint."""
    if len(value) > 2048 or "://" not in value:
        return None
    service = _SERVICE_URL.match(value)
    if service:
        return f"{service.group(1).lower()} connection URL"
    http = _HTTP_URL.match(value)
    if not http:
        return None
    host = http.group(2).strip("[]").lower()
    if http.group(3):
        return "URL with an explicit port"
    if host in _LOCAL_HOSTS or host.endswith((".local", ".internal")):
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
        return name in _MUTABLE_FACTORIES or resolved in _MUTABLE_FACTORIES
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


def _mutations(
    func: FunctionNode, mutable: set[str], module_names: set[str]
) -> Iterator[tuple[str, ast.AST]]:
    local, declared = _local_names(func)
    shared = (mutable - local) | (declared & module_names)
    if not shared:
        return
    for node in walk_body(func.body):
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store | ast.Del):
            if isinstance(node.value, ast.Name) and node.value.id in mutable - local:
                yield node.value.id, node
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Subscript):
            continue  # reported through its Subscript target (Store)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _MUTATORS
        ):
            base = node.func.value
            if isinstance(base, ast.Name) and base.id in mutable - local:
                yield base.id, node
        elif (
            isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Store)
            and node.id in declared & module_names
        ):
            yield node.id, node


# --------------------------------------------------------------------------- reduce


def _deployment(ctx: CheckContext) -> tuple[list[str], list[str]]:
    """(manifests, health checks declared in manifests) from the discovered files."""
    manifests: list[str] = []
    probes: list[str] = []
    for file in ctx.fileset.files:
        if file.role in (Role.VENDORED, Role.GENERATED):
            continue
        name = file.name
        lower = name.lower()
        text = file.text
        if file.language == "dockerfile":
            if re.search(r"^\s*FROM\s+\S+", text, re.IGNORECASE | re.MULTILINE):
                manifests.append(f"{file.path} (container image)")
                if re.search(r"^\s*HEALTHCHECK\s+(?!NONE\b)\S", text, re.IGNORECASE | re.MULTILINE):
                    probes.append(f"{file.path} HEALTHCHECK")
        elif file.language == "procfile":
            if re.search(r"^[\w-]+:\s*\S+", text, re.MULTILINE):
                manifests.append(f"{file.path} (process manifest)")
        elif file.language == "yaml":
            if re.match(r"^(docker-)?compose([.-][\w.-]+)?\.ya?ml$", lower):
                if re.search(r"^services:\s*$", text, re.MULTILINE):
                    manifests.append(f"{file.path} (compose)")
                    if re.search(r"^\s+healthcheck:\s*$", text, re.MULTILINE):
                        probes.append(f"{file.path} healthcheck")
            elif (
                re.search(r"^apiVersion:\s*\S+", text, re.MULTILINE)
                and re.search(
                    r"^kind:\s*(Deployment|StatefulSet|DaemonSet|Pod|Job|CronJob|ReplicaSet|Rollout|DeploymentConfig)\b",
                    text,
                    re.MULTILINE,
                )
            ) or re.search(r"^apiVersion:\s*serving\.knative\.dev/", text, re.MULTILINE):
                manifests.append(f"{file.path} (Kubernetes)")
                if re.search(
                    r"^\s+(livenessProbe|readinessProbe|startupProbe):", text, re.MULTILINE
                ):
                    probes.append(f"{file.path} probe")
            elif lower == "chart.yaml" and re.search(r"^apiVersion:", text, re.MULTILINE):
                manifests.append(f"{file.path} (Helm chart)")
            elif lower in ("app.yaml", "app.yml") and re.search(r"^runtime:", text, re.MULTILINE):
                manifests.append(f"{file.path} (App Engine)")
            elif lower in ("render.yaml", "serverless.yml", "serverless.yaml") and re.search(
                r"^(services|functions):", text, re.MULTILINE
            ):
                manifests.append(f"{file.path} (platform manifest)")
        elif (
            file.language == "toml"
            and lower == "fly.toml"
            and re.search(r"^app\s*=", text, re.MULTILINE)
        ):
            manifests.append(f"{file.path} (Fly.io)")
    return manifests, probes


def _count_metric(name: str, value: int, files: int, unit: str) -> Metric:
    return Metric(name=name, value=float(value), unit=unit, files=files)


def _reduce(ctx: CheckContext, data: Mapping[str, dict[str, Any]]) -> CheckResult:
    result = CheckResult()
    files = len(data)
    na = result.not_applicable
    if not data:
        why = "no Python source files"
        for criterion in (
            ASYNC_BLOCKING,
            CACHING,
            BACKGROUND,
            PAGINATION,
            CONFIGURATION,
            POOLING,
            SHARED_STATE,
        ):
            na[criterion] = why
    frameworks = sorted({f for d in data.values() for f in d["frameworks"]})
    routes = sum(d["routes"] for d in data.values())
    web = bool(frameworks) or routes > 0
    # Async blocking: findings only; not applicable without async code.
    if data and not any(d["async_defs"] for d in data.values()):
        na[ASYNC_BLOCKING] = "no async code (no `async def` in Python source files)"
    # Caching.
    cache = [(p, line, kind) for p, d in data.items() for line, kind in d["cache"]]
    result.metrics.append(_count_metric("scalability.cache_evidence", len(cache), files, "sites"))
    if cache:
        shown = ", ".join(f"{kind} ({p}:{line})" for p, line, kind in cache[:3])
        result.notes.append(
            f"caching: {shown}" + (f" and {len(cache) - 3} more" if len(cache) > 3 else "")
        )
    # Background work.
    background = [(p, line, kind) for p, d in data.items() for line, kind in d["background"]]
    queues = sorted({q for d in data.values() for q in d["queues"]})
    enqueues = sum(len(d["enqueues"]) for d in data.values()) if queues else 0
    evidence = len(background) + enqueues
    result.metrics.append(
        _count_metric("scalability.background_evidence", evidence, files, "sites")
    )
    if queues:
        result.notes.append(f"background work: {', '.join(queues)} ({enqueues} enqueue calls)")
    if data and not web and evidence == 0:
        na[BACKGROUND] = "no web framework detected: no request path to keep work off"
    # Pagination of list endpoints.
    drf_default = any(d["drf_pagination"] for d in data.values())
    lists = [(p, *item) for p, d in data.items() for item in d["lists"]]
    bounded = 0
    for path, name, line, label, is_bounded, kind in lists:
        if kind == "drf" and drf_default:
            is_bounded = True
        if is_bounded:
            bounded += 1
            continue
        result.findings.append(
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
        result.metrics.append(
            Metric(
                name="scalability.bounded_list_share",
                value=round(bounded / len(lists), 4),
                unit="share of list endpoints",
                files=files,
            )
        )
    else:
        why = "no list endpoints found" if web else "no web framework detected"
        result.metrics.append(
            Metric(name="scalability.bounded_list_share", value=None, reason=why, files=files)
        )
        if data:
            na[PAGINATION] = why
    result.metrics.append(
        _count_metric("scalability.list_endpoints", len(lists), files, "endpoints")
    )
    # Configuration.
    env = sum(d["env"] for d in data.values())
    hardcoded = sum(d["hardcoded"] for d in data.values())
    if env + hardcoded:
        result.metrics.append(
            Metric(
                name="scalability.env_config_share",
                value=round(env / (env + hardcoded), 4),
                unit="share of settings",
                files=files,
            )
        )
        result.notes.append(
            f"configuration: {env} settings read from the environment, {hardcoded} hard-coded hosts, ports or URLs"
        )
    else:
        why = "no settings read from the environment and no hard-coded hosts, ports or URLs"
        result.metrics.append(
            Metric(name="scalability.env_config_share", value=None, reason=why, files=files)
        )
    # Pooling.
    pooled = sum(d["pooled"] for d in data.values())
    direct = sum(d["direct"] for d in data.values())
    if pooled + direct:
        result.metrics.append(
            Metric(
                name="scalability.pooled_share",
                value=round(pooled / (pooled + direct), 4),
                unit="share of connection sites",
                files=files,
            )
        )
    else:
        why = "no database or cache connections found in Python source files"
        result.metrics.append(
            Metric(name="scalability.pooled_share", value=None, reason=why, files=files)
        )
        if data:
            na[POOLING] = why
    # Deployability.
    manifests, probes = _deployment(ctx)
    health = [f"{p}:{line} {label}" for p, d in data.items() for line, label in d["health"]]
    if web:
        value = (0.5 if manifests else 0.0) + (0.5 if health or probes else 0.0)
    else:
        value = 1.0 if manifests else 0.0
    if data or manifests:
        result.metrics.append(
            Metric(name="scalability.deployability", value=value, unit="share", files=files)
        )
        result.notes.append(
            "deployment: "
            + (", ".join(manifests[:3]) if manifests else "no container or process manifest")
            + "; health check: "
            + (
                ", ".join([*health, *probes][:2])
                if health or probes
                else ("none found" if web else "not needed (no web framework)")
            )
        )
    else:
        result.metrics.append(
            Metric(
                name="scalability.deployability",
                value=None,
                reason="no Python source files and no deployment manifests",
                files=0,
            )
        )
    # Shared state.
    if data and not web:
        na[SHARED_STATE] = "no web framework detected: no request handlers"
    elif data and routes == 0:
        na[SHARED_STATE] = "no request handlers found"
    return result


__all__ = ["BLOCKING_CALLS", "HEALTH_SEGMENTS", "ScalabilityAnalysis"]
