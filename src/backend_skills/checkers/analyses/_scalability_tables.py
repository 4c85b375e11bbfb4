"""Tables of the scalability analysis: which calls, modules and names mean what.

Each table is quoted in ``docs/scalability.md``; change both together.
"""

from __future__ import annotations

import re

SKILL = "scalability"
ASYNC_BLOCKING = "scalability.async_blocking"
CACHING = "scalability.caching"
BACKGROUND = "scalability.background_jobs"
PAGINATION = "scalability.pagination"
CONFIGURATION = "scalability.configuration"
POOLING = "scalability.pooling"
DEPLOYABILITY = "scalability.deployability"
SHARED_STATE = "scalability.shared_state"

HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request")

#: Fully qualified callable -> (what it is, what to use instead).
BLOCKING_CALLS: dict[str, tuple[str, str]] = {
    "time.sleep": ("time.sleep", "await asyncio.sleep(...)"),
    **{
        f"requests.{verb}": (f"requests.{verb} (synchronous HTTP)", "httpx.AsyncClient or aiohttp")
        for verb in HTTP_VERBS
    },
    **{
        f"httpx.{verb}": (f"httpx.{verb} (synchronous HTTP)", "httpx.AsyncClient")
        for verb in (*HTTP_VERBS, "stream")
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

CACHE_MODULES = (
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
FUNCTOOLS_CACHES = frozenset(
    {"functools.lru_cache", "functools.cache", "functools.cached_property"}
)
REDIS_CLIENTS = frozenset(
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

TASK_QUEUES = {
    "celery": "Celery",
    "rq": "RQ",
    "dramatiq": "Dramatiq",
    "arq": "arq",
    "huey": "Huey",
    "taskiq": "Taskiq",
    "django_q": "Django-Q",
    "procrastinate": "Procrastinate",
}
TASK_DECORATORS = frozenset(
    {"task", "shared_task", "periodic_task", "actor", "db_task", "db_periodic_task"}
)
ENQUEUE_METHODS = frozenset(
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
BACKGROUND_TASKS = frozenset({"fastapi.BackgroundTasks", "starlette.background.BackgroundTasks"})

#: Calls whose result is many rows (a list endpoint when a GET handler calls one).
MANY_ROWS = frozenset(
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
PAGINATION_PARAMS = frozenset(
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
BOUNDING_CALLS = frozenset(
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
SQL_LIMIT = re.compile(r"\b(LIMIT|FETCH\s+FIRST|TOP)\b", re.IGNORECASE)
SQL_SELECT = re.compile(r"^\s*SELECT\b", re.IGNORECASE)
LIST_TYPES = frozenset(
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
PAGE_TYPES = frozenset({"Page", "LimitOffsetPage", "CursorPage", "Paginated", "PaginatedResponse"})
DJANGO_LIST_VIEWS = frozenset(
    {"ListView", "ListAPIView", "ListCreateAPIView", "ModelViewSet", "ReadOnlyModelViewSet"}
)

ENV_CALLS = frozenset(
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
SETTINGS_BASES = frozenset({"pydantic.BaseSettings", "pydantic_settings.BaseSettings"})
SERVICE_URL = re.compile(
    r"^(postgres|postgresql|mysql|mariadb|redis|rediss|amqp|amqps|mongodb|mongodb\+srv|mssql"
    r"|oracle|nats|kafka|memcached|sqlite|cockroachdb|clickhouse)(\+[\w-]+)?://\S*$",
    re.IGNORECASE,
)
HTTP_URL = re.compile(r"^(https?|wss?)://(\[[^\]]+\]|[^/:?#\s]+)(:\d+)?([/?#]\S*)?$", re.IGNORECASE)
HOST_KEYWORDS = frozenset({"host", "port", "hostname", "db_host", "db_port", "server", "bind"})

POOLED = frozenset(
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
        *REDIS_CLIENTS,
    }
)
DIRECT = frozenset(
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
DSN_CALLS = DIRECT | {
    "sqlalchemy.create_engine",
    "sqlalchemy.ext.asyncio.create_async_engine",
    "asyncpg.create_pool",
    "pymongo.MongoClient",
    "motor.motor_asyncio.AsyncIOMotorClient",
    "databases.Database",
    *REDIS_CLIENTS,
}

MUTABLE_FACTORIES = frozenset(
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
MUTATORS = frozenset(
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
HEALTH_LIBS = ("health_check", "fastapi_health", "flask_healthz", "healthcheck")

#: Hosts that make an HTTP URL a hard-coded local or internal endpoint.
LOCAL_HOSTS = frozenset({"localhost", "0.0.0.0", "::", "::1", "host.docker.internal"})
