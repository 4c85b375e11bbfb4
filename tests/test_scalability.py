"""The scalability analysis: one test per heuristic, positive and negative."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path
from typing import Any

import pytest

from backend_skills import Finding, Report, score
from backend_skills.checkers.analyses.scalability import ScalabilityAnalysis
from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import Role

from .conftest import TreeFactory


def _visit(code: str, path: str = "app.py") -> tuple[list[Finding], dict[str, Any]]:
    text = textwrap.dedent(code).lstrip("\n")
    file = SourceFile(
        path=path,
        abspath=Path(path),
        language="python",
        role=Role.SOURCE,
        size=len(text),
        lines=text.count("\n"),
        sha256="",
        text=text,
    )
    visit = ScalabilityAnalysis().visit(file, ast.parse(text), {})
    return visit.findings, visit.data


def _rules(code: str, rule: str, path: str = "app.py") -> list[int | None]:
    return [f.line for f in _visit(code, path)[0] if f.rule == rule]


def _score(root: Path) -> Report:
    return score(root, skills=["scalability"], isolated=True)


# --------------------------------------------------------------------------- async blocking


def test_blocking_calls_in_async_def_are_reported_at_their_lines() -> None:
    lines = _rules(
        """
        import subprocess
        import time
        from time import sleep as snooze

        import requests
        import sqlite3
        import httpx


        async def handler(url):
            time.sleep(1)
            requests.get(url)
            snooze(2)
            subprocess.run(["ls"])
            sqlite3.connect("x.db")
            with httpx.Client() as client:
                return client
        """,
        "BSSCL001",
    )
    assert lines == [11, 12, 13, 14, 15, 16]


@pytest.mark.parametrize(
    "code",
    [
        # the async counterparts
        "import asyncio\nasync def f():\n    await asyncio.sleep(1)\n",
        # a blocking call in a synchronous function is fine
        "import time\ndef f():\n    time.sleep(1)\n",
        # handed to a thread: the call is not made on the event loop
        "import asyncio, time\nasync def f():\n    await asyncio.to_thread(time.sleep, 1)\n",
        "import asyncio, requests\nasync def f(u):\n    await asyncio.to_thread(lambda: requests.get(u))\n",
        # a nested synchronous function runs elsewhere
        "import time\nasync def f(loop):\n    def work():\n        time.sleep(1)\n    await loop.run_in_executor(None, work)\n",
        # `requests` here is a local variable, not the library
        "async def f(requests):\n    return requests.get('x')\n",
        # redis.asyncio is the async client
        "import redis.asyncio as redis\nasync def f():\n    return redis.from_url('redis://cache')\n",
    ],
)
def test_non_blocking_code_is_not_reported(code: str) -> None:
    assert _rules(code, "BSSCL001") == []


def test_async_blocking_is_not_applicable_without_async_code(make_tree: TreeFactory) -> None:
    root = make_tree({"app.py": "import time\n\n\ndef f():\n    time.sleep(1)\n"})
    criterion = _score(root).criterion("scalability.async_blocking")
    assert criterion.applicable is False
    assert criterion.reason == "no async code (no `async def` in Python source files)"


# --------------------------------------------------------------------------- caching


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (
            "from functools import lru_cache\n@lru_cache(maxsize=1)\ndef f(): ...\n",
            "functools.lru_cache",
        ),
        ("import functools\n@functools.cache\ndef f(): ...\n", "functools.cache"),
        ("from cachetools import TTLCache\nCACHE = TTLCache(10, 60)\n", "imports cachetools"),
        ("import redis\nclient = redis.Redis.from_url\nr = redis.Redis(host=h)\n", "Redis client"),
        (
            "CACHES = {'default': {'BACKEND': 'django.core.cache.backends.redis.RedisCache'}}\n",
            "Django CACHES",
        ),
        (
            "def f(resp):\n    resp.headers['Cache-Control'] = 'max-age=60'\n",
            "Cache-Control header",
        ),
    ],
)
def test_cache_evidence(code: str, kind: str) -> None:
    _, data = _visit(code)
    assert kind in [k for _, k in data["cache"]]


@pytest.mark.parametrize(
    "code",
    [
        "cache = {}\n",  # a dict called cache is not a cache layer
        "CACHES = {'default': {'BACKEND': 'django.core.cache.backends.dummy.DummyCache'}}\n",
        "def lru_cache(f):\n    return f\n@lru_cache\ndef g(): ...\n",  # not functools
    ],
)
def test_no_cache_evidence(code: str) -> None:
    assert _visit(code)[1]["cache"] == []


def test_caching_scores_higher_with_a_cache(make_tree: TreeFactory) -> None:
    route = '\n\n@app.get("/items/<int:item_id>")\ndef item(item_id):\n    return str(f())\n'
    cached = make_tree(
        {
            "app.py": FLASK_APP
            + "from functools import lru_cache\n\n\n@lru_cache\ndef f():\n    return 1\n"
            + route
        }
    )
    plain = make_tree({"app.py": FLASK_APP + "def f():\n    return 1\n" + route})
    good = _score(cached).criterion("scalability.caching").score
    bad = _score(plain).criterion("scalability.caching").score
    assert good is not None
    assert bad is not None
    assert good > bad


def test_a_library_is_not_judged_as_a_service(make_tree: TreeFactory) -> None:
    """No request handlers and no manifest: caching, background work and deployability
    do not apply (a library is not penalised for lacking a Dockerfile or a queue)."""
    report = _score(make_tree({"lib/core.py": FLASK_APP + "def helper():\n    return 1\n"}))
    for criterion in ("caching", "background_jobs", "deployability"):
        result = report.criterion(f"scalability.{criterion}")
        assert result.applicable is False, criterion
        assert result.reason is not None
        assert "not a deployed service" in result.reason


# --------------------------------------------------------------------------- background work


def test_background_evidence_from_celery() -> None:
    _, data = _visit(
        """
        from celery import Celery

        app = Celery("x")


        @app.task
        def send(order_id):
            return order_id
        """
    )
    assert [k for _, k in data["background"]] == ["imports celery", "task `send`"]
    assert data["queues"] == ["Celery"]


def test_fastapi_background_tasks_count() -> None:
    _, data = _visit(
        """
        from fastapi import BackgroundTasks

        async def create(tasks: BackgroundTasks):
            tasks.add_task(print, "x")
        """
    )
    assert [k for _, k in data["background"]] == ["BackgroundTasks"]


def test_task_decorator_without_a_queue_library_is_not_evidence() -> None:
    _, data = _visit("@scheduler.task\ndef f(): ...\n")
    assert data["background"] == []


def test_background_jobs_not_applicable_without_web_framework(make_tree: TreeFactory) -> None:
    root = make_tree({"tool.py": "def main():\n    return 1\n"})
    criterion = _score(root).criterion("scalability.background_jobs")
    assert criterion.applicable is False


def test_enqueue_calls_count_when_a_queue_is_used(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "app/tasks.py": "from celery import shared_task\n\n\n@shared_task\ndef send(i):\n    return i\n",
            "app/api.py": (
                "from flask import Flask\nfrom app.tasks import send\napp = Flask(__name__)\n\n\n"
                "@app.post('/orders')\ndef create():\n    send.delay(1)\n    return ''\n"
            ),
        }
    )
    criterion = _score(root).criterion("scalability.background_jobs")
    assert criterion.metrics["scalability.background_evidence"] == 3  # import, task, delay
    assert criterion.score == 100.0


# --------------------------------------------------------------------------- pagination


def test_unbounded_list_endpoint_is_reported_at_the_handler(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "app.py": """
                from flask import Flask

                app = Flask(__name__)


                @app.route("/users")
                def users():
                    return db.execute("SELECT * FROM users").fetchall()


                @app.route("/users/<uid>")
                def user(uid):
                    return db.execute("SELECT * FROM users WHERE id = ?", uid).fetchall()


                @app.post("/users")
                def create():
                    return db.session.query(User).all()
            """
        }
    )
    report = _score(root)
    found = [(f.rule, f.line) for f in report.findings if f.criterion == "scalability.pagination"]
    assert found == [("BSSCL002", 7)]
    criterion = report.criterion("scalability.pagination")
    assert criterion.metrics["scalability.bounded_list_share"] == 0.0
    assert criterion.metrics["scalability.list_endpoints"] == 1


@pytest.mark.parametrize(
    "handler",
    [
        '@router.get("/orders")\nasync def orders(limit: int = Query(20, le=100)) -> list[Order]:\n    return await repo.fetch(limit)\n',
        '@app.route("/orders")\ndef orders():\n    page = request.args.get("page", 1)\n    return Order.query.paginate(page=page)\n',
        '@app.get("/orders")\ndef orders():\n    return session.query(Order).limit(50).all()\n',
        '@app.get("/orders")\ndef orders():\n    return conn.execute("SELECT * FROM orders LIMIT 50").fetchall()\n',
        '@app.get("/orders")\ndef orders():\n    return Order.objects.all()[:50]\n',
        '@app.get("/orders")\ndef orders() -> Page[Order]:\n    return paginate(Order.objects.all())\n',
    ],
)
def test_bounded_list_endpoints(handler: str) -> None:
    _, data = _visit(handler)
    assert [item[3] for item in data["lists"]] == [True]


@pytest.mark.parametrize(
    "handler",
    [
        '@app.get("/health")\ndef health() -> dict[str, str]:\n    return {"status": "ok"}\n',
        '@app.get("/orders/{order_id}")\ndef order(order_id: int) -> list[Line]:\n    return repo.lines(order_id)\n',
        '@app.post("/orders")\ndef create() -> list[Order]:\n    return []\n',
        '@cache.get("key")\ndef not_a_route() -> list[int]:\n    return []\n',
    ],
)
def test_not_list_endpoints(handler: str) -> None:
    assert _visit(handler)[1]["lists"] == []


def test_django_list_views() -> None:
    _, data = _visit(
        """
        from django.views.generic import ListView
        from rest_framework import viewsets

        class Orders(ListView):
            model = Order
            paginate_by = 25

        class Everything(ListView):
            model = Order

        class OrderViewSet(viewsets.ModelViewSet):
            queryset = Order.objects.all()
        """,
        "shop/views.py",
    )
    assert [(i[0], i[3]) for i in data["lists"]] == [
        ("Orders", True),
        ("Everything", False),
        ("OrderViewSet", False),
    ]


def test_drf_default_pagination_bounds_viewsets(make_tree: TreeFactory) -> None:
    views = (
        "from rest_framework import viewsets\n\n\n"
        "class OrderViewSet(viewsets.ModelViewSet):\n    queryset = Order.objects.all()\n"
    )
    settings = "REST_FRAMEWORK = {'DEFAULT_PAGINATION_CLASS': 'x.Pager', 'PAGE_SIZE': 50}\n"
    without = _score(make_tree({"shop/views.py": views}))
    with_default = _score(make_tree({"shop/views.py": views, "site/settings.py": settings}))
    assert without.criterion("scalability.pagination").score == 0.0
    assert with_default.criterion("scalability.pagination").score == 100.0


def test_pagination_not_applicable_without_web_framework(make_tree: TreeFactory) -> None:
    root = make_tree({"tool.py": "def main():\n    return rows.fetchall()\n"})
    criterion = _score(root).criterion("scalability.pagination")
    assert criterion.applicable is False
    assert criterion.reason == "no web framework detected"


# --------------------------------------------------------------------------- configuration


def test_hard_coded_endpoints_are_reported() -> None:
    findings, data = _visit(
        """
        import psycopg2
        import uvicorn

        DATABASE_URL = "postgresql://admin:s3cretpw@db.internal:5432/shop"
        SERVICE = "http://10.0.0.12/api"
        conn = psycopg2.connect("dbname=shop user=admin")
        uvicorn.run(app, host="0.0.0.0", port=8000)
        """
    )
    lines = sorted(f.line for f in findings if f.rule == "BSSCL003")
    assert lines == [4, 5, 6, 7, 7]
    assert data["hardcoded"] == 5
    # Credentials in a URL never reach a report.
    assert not any("s3cretpw" in f.message for f in findings)


@pytest.mark.parametrize(
    "code",
    [
        'import os\nURL = os.environ.get("DATABASE_URL", "postgresql://localhost/dev")\n',
        'import os\nPORT = int(os.getenv("PORT", "8000"))\n',
        '"""Connect to postgresql://localhost/dev in development."""\n',
        'DOCS = "https://docs.python.org/3/library/asyncio.html"\n',
        'import sqlite3\nconn = sqlite3.connect(":memory:")\n',
        'MESSAGE = "see http://localhost:8000 for the admin"\n',
    ],
)
def test_not_hard_coded(code: str) -> None:
    assert _rules(code, "BSSCL003") == []


def test_environment_reads_are_counted() -> None:
    _, data = _visit(
        """
        import os
        from os import getenv
        from pydantic_settings import BaseSettings

        A = os.environ["A"]
        B = os.environ.get("B")
        C = getenv("C")

        class Settings(BaseSettings):
            database_url: str
            redis_url: str
        """
    )
    assert data["env"] == 5


def test_configuration_scores(make_tree: TreeFactory) -> None:
    env = make_tree({"app.py": 'import os\n\nDATABASE_URL = os.environ["DATABASE_URL"]\n'})
    hard = make_tree({"app.py": 'DATABASE_URL = "postgresql://db.example/shop"\n'})
    assert _score(env).criterion("scalability.configuration").score == 100.0
    assert _score(hard).criterion("scalability.configuration").score == 0.0
    none = _score(make_tree({"app.py": "X = 1\n"})).criterion("scalability.configuration")
    assert none.applicable is False


# --------------------------------------------------------------------------- pooling


def test_direct_connections_are_reported_and_pools_counted() -> None:
    findings, data = _visit(
        """
        import asyncpg
        import psycopg2
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        engine = create_engine(URL, pool_size=10)
        unpooled = create_engine(URL, poolclass=NullPool)


        def get():
            return psycopg2.connect(DSN)


        async def pool():
            return await asyncpg.create_pool(DSN)
        """
    )
    assert [f.line for f in findings if f.rule == "BSSCL004"] == [7, 11]
    assert (data["pooled"], data["direct"]) == (2, 2)


def test_django_conn_max_age() -> None:
    base = "DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql'%s}}\n"
    findings, data = _visit(base % "")
    assert [f.rule for f in findings] == ["BSSCL004"]
    findings, data = _visit(base % ", 'CONN_MAX_AGE': 60")
    assert findings == []
    assert data["pooled"] == 1
    findings, data = _visit("DATABASES = {}\n")
    assert findings == []
    assert (data["pooled"], data["direct"]) == (0, 0)


def test_pooling_not_applicable_without_connections(make_tree: TreeFactory) -> None:
    root = make_tree({"app.py": "def f():\n    return 1\n"})
    assert _score(root).criterion("scalability.pooling").applicable is False


# --------------------------------------------------------------------------- deployability


FLASK_APP = "from flask import Flask\n\napp = Flask(__name__)\n"
HEALTH = '\n\n@app.get("/healthz")\ndef healthz():\n    return "ok"\n'


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # No request handlers and no manifest: a library or tool, not a service.
        ({"app.py": FLASK_APP}, None),
        ({"app.py": FLASK_APP + HEALTH}, 0.5),
        ({"app.py": FLASK_APP, "Dockerfile": "FROM python:3.12\nCMD gunicorn app:app\n"}, 0.5),
        ({"app.py": FLASK_APP + HEALTH, "Dockerfile": "FROM python:3.12\n"}, 1.0),
        ({"app.py": FLASK_APP + HEALTH, "Procfile": "web: gunicorn app:app\n"}, 1.0),
        (
            {
                "app.py": FLASK_APP + HEALTH,
                "docker-compose.yml": "services:\n  web:\n    build: .\n",
            },
            1.0,
        ),
        (
            {
                "app.py": FLASK_APP,
                "deploy/app.yaml": (
                    "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n"
                    "      containers:\n        - name: web\n          readinessProbe:\n"
                    "            httpGet: {path: /ready, port: 8000}\n"
                ),
            },
            1.0,
        ),
        # A Dockerfile without FROM and a Procfile without a process are not manifests.
        ({"app.py": FLASK_APP + HEALTH, "Dockerfile": "# TODO\n", "Procfile": "\n# none\n"}, 0.5),
        # Without a web framework, only the manifest matters.
        ({"worker.py": "def run():\n    return 1\n", "Dockerfile": "FROM python:3.12\n"}, 1.0),
        ({"worker.py": "def run():\n    return 1\n"}, None),
    ],
)
def test_deployability(
    make_tree: TreeFactory, files: dict[str, str], expected: float | None
) -> None:
    criterion = _score(make_tree(files)).criterion("scalability.deployability")
    assert criterion.metrics["scalability.deployability"] == expected
    assert criterion.applicable is (expected is not None)


def test_health_routes() -> None:
    _, data = _visit(
        FLASK_APP + HEALTH + '\n\n@app.get("/status/report")\ndef report():\n    return ""\n'
    )
    assert [label for _, label in data["health"]] == ["GET /healthz"]
    _, data = _visit(
        "from django.urls import path\nurlpatterns = [path('health/', views.health)]\n"
    )
    assert [label for _, label in data["health"]] == ["URL health/"]


# --------------------------------------------------------------------------- shared state


def test_handler_mutating_module_state_is_reported() -> None:
    lines = _rules(
        """
        from flask import Flask

        app = Flask(__name__)
        cache = {}
        seen: list[str] = []
        hits = 0


        @app.get("/user/<uid>")
        def user(uid):
            cache[uid] = load(uid)
            seen.append(uid)
            global hits
            hits += 1
            return cache[uid]
        """,
        "BSSCL005",
    )
    assert lines == [11, 12, 14]


@pytest.mark.parametrize(
    "body",
    [
        "    return CONFIG['name']\n",  # read only
        "    cache = {}\n    cache['x'] = 1\n    return cache\n",  # local shadow
        "    items = list(CONFIG)\n    items.append(1)\n    return items\n",
    ],
)
def test_handler_without_shared_mutation_is_not_reported(body: str) -> None:
    code = (
        "from flask import Flask\napp = Flask(__name__)\nCONFIG = {'name': 'x'}\ncache = {}\n\n"
        f"@app.get('/x')\ndef x():\n{body}"
    )
    assert _rules(code, "BSSCL005") == []


def test_mutation_outside_handlers_is_not_reported() -> None:
    code = "REGISTRY = {}\n\n\ndef register(name, fn):\n    REGISTRY[name] = fn\n"
    assert _rules(code, "BSSCL005") == []


def test_shared_state_not_applicable_without_handlers(make_tree: TreeFactory) -> None:
    root = make_tree({"tool.py": "STATE = {}\n\n\ndef f():\n    STATE['a'] = 1\n"})
    criterion = _score(root).criterion("scalability.shared_state")
    assert criterion.applicable is False
    assert criterion.reason == "no web framework detected: no request handlers"


def test_only_source_files_are_read(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "app.py": "import asyncio\n\n\nasync def f():\n    await asyncio.sleep(0)\n",
            "tests/test_app.py": "import time\n\n\nasync def test_f():\n    time.sleep(1)\n",
        }
    )
    report = _score(root)
    assert not [f for f in report.findings if f.rule == "BSSCL001"]
    assert report.criterion("scalability.async_blocking").score == 100.0


def test_django_function_views_are_handlers() -> None:
    code = (
        "from django.http import JsonResponse\n\nSEEN = []\n\n\n"
        "def index(request):\n    SEEN.append(request.path)\n    return JsonResponse({})\n\n\n"
        "def helper(value):\n    SEEN.append(value)\n"
    )
    assert _rules(code, "BSSCL005", "shop/views.py") == [7]
    # The same functions outside a views module are not request handlers.
    assert _rules(code, "BSSCL005", "shop/utils.py") == []


def test_route_methods_decide_what_is_a_list_endpoint() -> None:
    post_only = '@app.route("/orders", methods=["POST"])\ndef create():\n    return db.fetchall()\n'
    get_too = post_only.replace('["POST"]', '["GET", "POST"]')
    assert _visit(post_only)[1]["lists"] == []
    assert [item[0] for item in _visit(get_too)[1]["lists"]] == ["create"]


def test_one_parse_and_one_walk_per_file(monkeypatch: pytest.MonkeyPatch) -> None:
    from backend_skills.checkers import python_ast
    from backend_skills.checkers.analyses import _server_common

    parses: list[str] = []
    walks: list[str] = []
    real_parse = python_ast.parse_python
    real_flatten = _server_common._flatten_linked

    def parse(text: str, path: str) -> Any:
        parses.append(path)
        return real_parse(text, path)

    def flatten(tree: ast.AST) -> tuple[list[ast.AST], list[int], list[int]]:
        walks.append("walk")
        return real_flatten(tree)

    monkeypatch.setattr(python_ast, "parse_python", parse)
    monkeypatch.setattr(_server_common, "_flatten_linked", flatten)
    text = "from flask import Flask\napp = Flask(__name__)\n\n\n@app.get('/x')\ndef x():\n    return ''\n"
    file = SourceFile(
        path="app.py",
        abspath=Path("app.py"),
        language="python",
        role=Role.SOURCE,
        size=len(text),
        lines=text.count("\n"),
        sha256="",
        text=text,
    )
    result = python_ast.PythonAstChecker().check_file(file, {})
    assert {"server_side", "scalability"} <= set(result.data)
    assert parses == ["app.py"]
    assert walks == ["walk"]
