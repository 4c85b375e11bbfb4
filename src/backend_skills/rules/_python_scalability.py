"""Scalability rules of the Python analysis (``python_ast``, the ``scalability``
analysis).

They have no patterns; their examples run through the real pipeline.
"""

from __future__ import annotations

from backend_skills.core.models import Confidence, Severity

from ._model import Example, Rule

_FASTAPI = "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"

BLOCKING = Rule(
    id="BSSCL001",
    title="Blocking call inside async def",
    skill="scalability",
    criterion="scalability.async_blocking",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    checker="python_ast",
    extra_languages=("python",),
    message="blocking call time.sleep inside `async def f` stalls the event loop for every request",
    rationale=(
        "An `async def` shares one event loop with every other request of the process: a "
        "blocking call in it (`time.sleep`, `requests`, a synchronous database driver, "
        "`subprocess`) stops them all until it returns."
    ),
    fix="Use the async counterpart (`await asyncio.sleep`, `httpx.AsyncClient`, asyncpg, `redis.asyncio`, `asyncio.create_subprocess_exec`) or move the call to a thread with `await asyncio.to_thread(...)`.",
    examples=(
        Example(
            "python",
            'import requests\n\n\nasync def rates():\n    return requests.get("https://api.example.com/rates", timeout=5).json()\n',
            lines=(5,),
            path="app/rates.py",
        ),
        Example(
            "python",
            "import httpx\n\n\nasync def rates():\n    async with httpx.AsyncClient() as client:\n"
            '        return (await client.get("https://api.example.com/rates")).json()\n',
            path="app/rates.py",
        ),
    ),
)

UNBOUNDED_LIST = Rule(
    id="BSSCL002",
    title="List endpoint without a bound",
    skill="scalability",
    criterion="scalability.pagination",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    checker="python_ast",
    extra_languages=("python",),
    message="list endpoint `list_orders` (GET /orders) returns every row: add a limit parameter with a maximum, or paginate",
    rationale=(
        "A list endpoint that returns every row gets slower and heavier as the table grows, "
        "until one request exhausts memory or times out; clients cannot page through it."
    ),
    fix="Give the endpoint a limit with a maximum and an offset or cursor (FastAPI: `limit: int = Query(20, le=100)`), apply it in the query (`LIMIT`, `.limit()`); in Django set `paginate_by` or a DRF `pagination_class`.",
    examples=(
        Example(
            "python",
            _FASTAPI
            + '@app.get("/orders")\ndef list_orders(db):\n    return db.query(Order).all()\n',
            lines=(7,),
            path="app/main.py",
        ),
        Example(
            "python",
            _FASTAPI
            + '@app.get("/orders")\ndef list_orders(db, limit: int = 20, offset: int = 0):\n'
            "    return db.query(Order).offset(offset).limit(min(limit, 100)).all()\n",
            path="app/main.py",
        ),
    ),
)

HARD_CODED_CONFIG = Rule(
    id="BSSCL003",
    title="Hard-coded host, port or connection URL",
    skill="scalability",
    criterion="scalability.configuration",
    severity=Severity.LOW,
    confidence=Confidence.MEDIUM,
    checker="python_ast",
    extra_languages=("python",),
    message="hard-coded redis URL; read it from the environment or settings",
    rationale=(
        "A host, port or connection URL written in the code ties the service to one "
        "environment: the same build cannot run in staging, in production or on a second "
        "instance without a code change (twelve-factor: config in the environment)."
    ),
    fix="Read each host, port and connection URL from the environment (`os.environ`, pydantic-settings `BaseSettings`, django-environ), with a development default only as the fallback of the read.",
    examples=(
        Example(
            "python",
            'import redis\n\nCACHE_URL = "redis://cache:6379/0"\n',
            lines=(3,),
            path="app/cache.py",
        ),
        Example(
            "python",
            'import os\n\nCACHE_URL = os.environ.get("CACHE_URL", "redis://localhost:6379/0")\n',
            path="app/cache.py",
        ),
    ),
)

NO_POOL = Rule(
    id="BSSCL004",
    title="Connection opened without a pool",
    skill="scalability",
    criterion="scalability.pooling",
    severity=Severity.LOW,
    confidence=Confidence.MEDIUM,
    checker="python_ast",
    extra_languages=("python",),
    message="psycopg2.connect opens a connection without a pool; create a pool once at start-up and borrow connections from it",
    rationale=(
        "Opening a database connection per request costs a network round trip and a "
        "server process each time, and under load exhausts the database's connection "
        "limit."
    ),
    fix="Create one pool at start-up (SQLAlchemy `create_engine`, `asyncpg.create_pool`, `psycopg_pool.ConnectionPool`; Django `CONN_MAX_AGE`) and borrow connections from it.",
    examples=(
        Example(
            "python",
            'import os\n\nimport psycopg2\n\n\ndef conn():\n    return psycopg2.connect(os.environ["DATABASE_URL"])\n',
            lines=(7,),
            path="app/db.py",
        ),
        Example(
            "python",
            'import os\n\nfrom psycopg_pool import ConnectionPool\n\npool = ConnectionPool(os.environ["DATABASE_URL"])\n',
            path="app/db.py",
        ),
    ),
)

SHARED_STATE = Rule(
    id="BSSCL005",
    title="Request handler mutates module-level state",
    skill="scalability",
    criterion="scalability.shared_state",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    checker="python_ast",
    extra_languages=("python",),
    message="request handler `visit` mutates module-level `hits`: the state is per process",
    rationale=(
        "State kept in a module-level dict or list lives in one process: it is lost on "
        "restart, differs between workers and instances, and races under threads. The "
        "service cannot scale out."
    ),
    fix="Keep the state in a database or a shared cache (Redis), or make it read-only after start-up.",
    examples=(
        Example(
            "python",
            _FASTAPI
            + 'hits = {}\n\n\n@app.post("/visit/{page}")\ndef visit(page: str):\n    hits[page] = hits.get(page, 0) + 1\n',
            lines=(11,),
            path="app/main.py",
        ),
        Example(
            "python",
            _FASTAPI
            + 'hits = {}\n\n\n@app.post("/visit/{page}")\ndef visit(page: str, redis):\n    redis.incr(f"hits:{page}")\n',
            path="app/main.py",
        ),
    ),
)

RULES = (BLOCKING, UNBOUNDED_LIST, HARD_CODED_CONFIG, NO_POOL, SHARED_STATE)
