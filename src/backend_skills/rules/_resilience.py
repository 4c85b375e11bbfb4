"""Resilience rules (``BSSCL120``-``BSSCL124``, criterion ``scalability.resilience``)
and the per-process state rules (``BSSCL125``-``BSSCL127``, ``scalability.shared_state``).

Each rule is declared once: its text, its Python examples (run through the
``resilience`` analysis of the ``python_ast`` checker by ``tests/test_rules_registry.py``;
the manifest rules ``BSSCL122``-``BSSCL124`` read Kubernetes, Helm and Compose files,
so their examples are repository files) and, for the rules the tree-sitter languages
also match, their patterns and examples (run by ``tests/test_languages_rules.py``).
``docs/scalability.md`` explains the analysis.
"""

from __future__ import annotations

from backend_skills.core.models import Confidence, Severity

from ._model import Example, Pattern, Rule

RESILIENCE = "scalability.resilience"
SHARED_STATE = "scalability.shared_state"
JS = ("javascript", "typescript")

TIMEOUTS = Rule(
    id="BSSCL120",
    title="Outgoing HTTP or RPC call without a timeout",
    skill="scalability",
    criterion=RESILIENCE,
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    checker="python_ast",
    extra_languages=("python",),
    message="`{name}` calls another service without a timeout",
    cwe=400,
    rationale=(
        "A call to another service that never times out holds a worker (or a connection) "
        "for as long as the other side stalls; under load the stalls pile up and the "
        "caller fails with its dependency (cascading failure)."
    ),
    fix=(
        "Pass an explicit timeout: `httpx.Client(timeout=5.0)` (never `timeout=None`), "
        "`aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))`, "
        "`stub.Method(request, timeout=2.0)` for gRPC. `requests` without a timeout is "
        "reported by bandit B113 and BSSEC015."
    ),
    patterns=(
        Pattern(
            languages=("go",),
            query="""(call_expression function: (selector_expression operand: (identifier) @pkg (#eq? @pkg "http")
              field: (field_identifier) @name (#any-of? @name "Get" "Post" "Head" "PostForm"))) @match""",
            needles=("http.",),
        ),
        Pattern(
            languages=("go",),
            query="""(composite_literal type: (qualified_type package: (package_identifier) @pkg (#eq? @pkg "http")
              name: (type_identifier) @name (#eq? @name "Client"))) @match""",
            text=r"^(?![\s\S]*\bTimeout\s*:)",
            needles=("http.Client",),
        ),
    ),
    examples=(
        Example(
            "python",
            "import aiohttp\n"
            "import grpc\n"
            "import httpx\n\n"
            "from .pb import UsersStub\n\n"
            "client = httpx.Client(timeout=None)\n\n\n"
            "async def fetch(url):\n"
            "    async with aiohttp.ClientSession() as session:\n"
            "        return await session.get(url)\n\n\n"
            "def user(uid):\n"
            '    stub = UsersStub(grpc.insecure_channel("users:50051"))\n'
            "    return stub.Get(uid)\n",
            lines=(7, 11, 17),
            path="app.py",
        ),
        Example(
            "python",
            "import aiohttp\n"
            "import grpc\n"
            "import httpx\n\n"
            "from .pb import UsersStub\n\n"
            "client = httpx.Client(timeout=5.0)\n\n\n"
            "async def fetch(url):\n"
            "    timeout = aiohttp.ClientTimeout(total=10)\n"
            "    async with aiohttp.ClientSession(timeout=timeout) as session:\n"
            "        return await session.get(url)\n\n\n"
            "def user(uid):\n"
            '    stub = UsersStub(grpc.insecure_channel("users:50051"))\n'
            "    return stub.Get(uid, timeout=2.0)\n",
            path="app.py",
        ),
        Example(
            "go",
            """package billing

import "net/http"

func Invoice(url string) (*http.Response, error) {
	client := &http.Client{}
	_, _ = client.Get(url)
	return http.Get(url)
}
""",
            lines=(6, 8),
        ),
        Example(
            "go",
            """package billing

import (
	"net/http"
	"time"
)

var client = &http.Client{Timeout: 5 * time.Second}

func Invoice(url string) (*http.Response, error) {
	return client.Get(url)
}
""",
        ),
    ),
)

NO_RETRY = Rule(
    id="BSSCL121",
    title="Calls to other services with no retry with backoff anywhere",
    skill="scalability",
    criterion=RESILIENCE,
    severity=Severity.LOW,
    confidence=Confidence.MEDIUM,
    checker="python_ast",
    extra_languages=("python",),
    message=(
        "3 outgoing call sites (httpx.get here) and no retry with backoff anywhere (tenacity, "
        "backoff, stamina, urllib3 Retry, transport retries)"
    ),
    rationale=(
        "Networks drop packets and services restart: a call that fails once fails the "
        "user's request. Retrying idempotent calls with exponential backoff and jitter "
        "rides out the blip without hammering the dependency."
    ),
    fix=(
        "Wrap outgoing calls with tenacity (`@retry(wait=wait_exponential_jitter(), "
        "stop=stop_after_attempt(3))`), backoff or stamina, or mount "
        "`HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.5))` on the requests "
        "session (httpx: `HTTPTransport(retries=3)`)."
    ),
    examples=(
        Example(
            "python",
            "import httpx\n\n\n"
            "def user(uid):\n"
            '    return httpx.get(f"https://users/{uid}", timeout=5)\n',
            lines=(5,),
            path="app.py",
        ),
        Example(
            "python",
            "import httpx\n"
            "from tenacity import retry, stop_after_attempt, wait_exponential\n\n\n"
            "@retry(wait=wait_exponential(), stop=stop_after_attempt(3))\n"
            "def user(uid):\n"
            '    return httpx.get(f"https://users/{uid}", timeout=5)\n',
            path="app.py",
        ),
    ),
)

NO_PROBES = Rule(
    id="BSSCL122",
    title="Deployed container without readiness or liveness probe (or Compose healthcheck)",
    skill="scalability",
    criterion=RESILIENCE,
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    checker="python_ast",
    extra_languages=("repository",),
    message=(
        "container `api` of Deployment `api` has no readinessProbe and no livenessProbe: traffic "
        "reaches pods that cannot serve and hung pods are never restarted"
    ),
    rationale=(
        "Without a readiness probe the load balancer sends traffic to pods that are still "
        "starting or cannot reach their database; without a liveness probe a hung process "
        "is never restarted."
    ),
    fix=(
        "Add `readinessProbe` and `livenessProbe` (httpGet on the health route) to every "
        "container of the workload; in Compose, a `healthcheck:` on the service you build."
    ),
    examples=(
        Example(
            "repository",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n"
            "  replicas: 3\n  template:\n    spec:\n      containers:\n        - name: api\n"
            "          image: api:1\n          resources:\n"
            "            requests: {cpu: 100m, memory: 128Mi}\n"
            "            limits: {memory: 256Mi}\n",
            lines=(10,),
            path="deploy/api.yaml",
        ),
        Example(
            "repository",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n"
            "  replicas: 3\n  template:\n    spec:\n      containers:\n        - name: api\n"
            "          image: api:1\n          readinessProbe:\n"
            "            httpGet: {path: /ready, port: 8000}\n          livenessProbe:\n"
            "            httpGet: {path: /health, port: 8000}\n          resources:\n"
            "            requests: {cpu: 100m, memory: 128Mi}\n"
            "            limits: {memory: 256Mi}\n",
            path="deploy/api.yaml",
        ),
    ),
)

NO_RESOURCES = Rule(
    id="BSSCL123",
    title="Deployed container without resource requests and limits",
    skill="scalability",
    criterion=RESILIENCE,
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    checker="python_ast",
    extra_languages=("repository",),
    message="container `api` of Deployment `api` sets no resource requests or limits",
    cwe=770,
    rationale=(
        "Without requests the scheduler packs pods blindly and the autoscaler has nothing "
        "to scale on; without a memory limit one leaking pod starves its neighbours."
    ),
    fix="Set `resources.requests` (cpu, memory) and `resources.limits` (at least memory) on every container.",
    examples=(
        Example(
            "repository",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n"
            "  replicas: 2\n  template:\n    spec:\n      containers:\n        - name: api\n"
            "          image: api:1\n          readinessProbe:\n"
            "            httpGet: {path: /ready, port: 8000}\n          livenessProbe:\n"
            "            httpGet: {path: /health, port: 8000}\n",
            lines=(10,),
            path="k8s/api.yaml",
        ),
        Example(
            "repository",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n"
            "  replicas: 2\n  template:\n    spec:\n      containers:\n        - name: api\n"
            "          image: api:1\n          readinessProbe:\n"
            "            httpGet: {path: /ready, port: 8000}\n          livenessProbe:\n"
            "            httpGet: {path: /health, port: 8000}\n          resources:\n"
            "            requests: {cpu: 100m, memory: 128Mi}\n"
            "            limits: {memory: 256Mi}\n",
            path="k8s/api.yaml",
        ),
    ),
)

SINGLE_REPLICA = Rule(
    id="BSSCL124",
    title="Workload with a single replica and no autoscaler",
    skill="scalability",
    criterion=RESILIENCE,
    severity=Severity.LOW,
    confidence=Confidence.MEDIUM,
    checker="python_ast",
    extra_languages=("repository",),
    message="Deployment `api` runs replicas: 1 and no autoscaler targets it: one failure or rollout is downtime",
    rationale=(
        "One replica is one point of failure: every deployment, node drain or crash is "
        "downtime. Two or more replicas (or a HorizontalPodAutoscaler) keep the service up."
    ),
    fix="Run at least two replicas (`replicas: 2`) or declare a HorizontalPodAutoscaler for the workload.",
    examples=(
        Example(
            "repository",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n"
            "  replicas: 1\n  template:\n    spec:\n      containers:\n        - name: api\n"
            "          image: api:1\n          readinessProbe:\n"
            "            httpGet: {path: /ready, port: 8000}\n          livenessProbe:\n"
            "            httpGet: {path: /health, port: 8000}\n          resources:\n"
            "            requests: {cpu: 100m, memory: 128Mi}\n"
            "            limits: {memory: 256Mi}\n",
            lines=(6,),
            path="k8s/api.yaml",
        ),
        Example(
            "repository",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n"
            "  replicas: 1\n  template:\n    spec:\n      containers:\n        - name: api\n"
            "          image: api:1\n          readinessProbe:\n"
            "            httpGet: {path: /ready, port: 8000}\n          livenessProbe:\n"
            "            httpGet: {path: /health, port: 8000}\n          resources:\n"
            "            requests: {cpu: 100m, memory: 128Mi}\n"
            "            limits: {memory: 256Mi}\n---\n"
            "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n"
            "  name: api\nspec:\n  scaleTargetRef: {kind: Deployment, name: api}\n"
            "  minReplicas: 2\n  maxReplicas: 10\n",
            path="k8s/api.yaml",
        ),
    ),
)

SESSIONS = Rule(
    id="BSSCL125",
    title="Sessions stored in one process (file, local memory)",
    skill="scalability",
    criterion=SHARED_STATE,
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    checker="python_ast",
    extra_languages=("python",),
    message="express-session without a `store`: sessions live in this process's memory",
    rationale=(
        "Sessions kept in a process's memory or on its local disk exist on one instance "
        "only: behind a load balancer users are logged out whenever a request lands on "
        "another instance, and every restart logs everyone out."
    ),
    fix=(
        "Keep sessions where every instance sees them: Flask-Session with redis or "
        "sqlalchemy, Django's db, cached_db or cache sessions on a shared cache (Redis, "
        "Memcached), or signed cookie sessions."
    ),
    patterns=(
        Pattern(
            languages=JS,
            query="""(call_expression function: (identifier) @name (#eq? @name "session")
              arguments: (arguments . (object))) @match""",
            text=r"^(?![\s\S]*\bstore\s*:)",
            file_text=r"""['"]express-session['"]""",
            needles=("session(",),
        ),
    ),
    examples=(
        Example(
            "python",
            'SESSION_TYPE = "filesystem"\n'
            'SESSION_ENGINE = "django.contrib.sessions.backends.file"\n',
            lines=(1, 2),
            path="settings.py",
        ),
        Example(
            "python",
            'SESSION_TYPE = "redis"\n'
            'SESSION_ENGINE = "django.contrib.sessions.backends.cache"\n'
            'CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}\n',
            path="settings.py",
        ),
        Example(
            "javascript",
            """const session = require('express-session');
app.use(session({ secret: process.env.SECRET, resave: false }));
""",
            lines=(2,),
        ),
        Example(
            "javascript",
            """const session = require('express-session');
const RedisStore = require('connect-redis').default;
app.use(session({ store: new RedisStore({ client }), secret: process.env.SECRET }));
""",
        ),
    ),
)

LOCAL_UPLOADS = Rule(
    id="BSSCL126",
    title="Upload written to the local disk in a request handler",
    skill="scalability",
    criterion=SHARED_STATE,
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    checker="python_ast",
    extra_languages=("python",),
    message=(
        "request handler `avatar` writes an upload to the local disk: other instances cannot "
        "read it and it is lost with the container; store it in object storage"
    ),
    rationale=(
        "A file saved to the instance's own disk is invisible to the other instances and "
        "lost when the container is replaced; the next request for it fails on every "
        "instance but one."
    ),
    fix=(
        "Store uploads in object storage (S3, GCS, Azure Blob) or a shared volume through "
        "a storage abstraction (django-storages, fsspec), and keep only the key in the "
        "database."
    ),
    examples=(
        Example(
            "python",
            "from fastapi import FastAPI, UploadFile\n"
            "from flask import Flask, request\n\n"
            "app = Flask(__name__)\n"
            "api = FastAPI()\n\n\n"
            '@app.post("/avatar")\n'
            "def avatar():\n"
            '    request.files["avatar"].save("uploads/avatar.png")\n'
            '    return "ok"\n\n\n'
            '@api.post("/files")\n'
            "async def upload(file: UploadFile):\n"
            '    with open(f"uploads/{file.filename}", "wb") as out:\n'
            "        out.write(await file.read())\n",
            lines=(10, 16),
            path="app.py",
        ),
        Example(
            "python",
            "import boto3\n"
            "from flask import Flask, request\n\n"
            "app = Flask(__name__)\n"
            's3 = boto3.client("s3")\n\n\n'
            '@app.post("/avatar")\n'
            "def avatar():\n"
            '    s3.upload_fileobj(request.files["avatar"], "avatars", "a.png")\n'
            '    return "ok"\n',
            path="app.py",
        ),
    ),
)

RATE_LIMITS = Rule(
    id="BSSCL127",
    title="Rate-limit counters kept in process memory",
    skill="scalability",
    criterion=SHARED_STATE,
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    checker="python_ast",
    extra_languages=("python",),
    message="express-rate-limit without a `store`: counters live in this process's memory",
    rationale=(
        "A limiter counting in memory counts per process: with N workers or instances "
        "each client gets N times the limit, and counters reset on every restart."
    ),
    fix=(
        "Give the limiter a shared store: Flask-Limiter and slowapi "
        "`Limiter(..., storage_uri='redis://...')` (or RATELIMIT_STORAGE_URI), a Redis "
        "store for express-rate-limit."
    ),
    patterns=(
        Pattern(
            languages=JS,
            query="""(call_expression function: (identifier) @name (#any-of? @name "rateLimit" "RateLimit" "slowDown")
              arguments: (arguments . (object))) @match""",
            text=r"^(?![\s\S]*\bstore\s*:)",
            file_text=r"""['"]express-(?:rate-limit|slow-down)['"]""",
            needles=("rateLimit(", "RateLimit(", "slowDown("),
        ),
    ),
    examples=(
        Example(
            "python",
            "from flask_limiter import Limiter\n"
            "from flask_limiter.util import get_remote_address\n\n"
            "limiter = Limiter(get_remote_address)\n"
            'other = Limiter(get_remote_address, storage_uri="memory://")\n',
            lines=(4, 5),
            path="app.py",
        ),
        Example(
            "python",
            "import os\n\n"
            "from slowapi import Limiter\n"
            "from slowapi.util import get_remote_address\n\n"
            'limiter = Limiter(key_func=get_remote_address, storage_uri=os.environ["REDIS_URL"])\n',
            path="app.py",
        ),
        Example(
            "javascript",
            """const rateLimit = require('express-rate-limit');
app.use(rateLimit({ windowMs: 60000, max: 100 }));
""",
            lines=(2,),
        ),
        Example(
            "javascript",
            """const rateLimit = require('express-rate-limit');
const { RedisStore } = require('rate-limit-redis');
app.use(rateLimit({ windowMs: 60000, max: 100, store: new RedisStore({ sendCommand }) }));
""",
        ),
    ),
)

RULES = (
    TIMEOUTS,
    NO_RETRY,
    NO_PROBES,
    NO_RESOURCES,
    SINGLE_REPLICA,
    SESSIONS,
    LOCAL_UPLOADS,
    RATE_LIMITS,
)
