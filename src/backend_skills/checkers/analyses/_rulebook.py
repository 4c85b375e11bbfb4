"""The NoSQL (``BSDB2xx``) and resilience (``BSSCL12x``) rules, declared once as data.

Each :class:`RuleSpec` carries what a report, the documentation and the tests need: id,
title, skill and criterion, default severity and confidence, CWE, why it matters, how to
fix it, and examples. Every rule has at least one anti-pattern example that must fire at
the lines given and one best-practice example that must stay quiet; ``tests/test_nosql.py``
and ``tests/test_resilience.py`` run them all through the analyses (a rule without both
kinds of example fails the suite).

Python examples run through the ``python_ast`` analyses; examples whose ``path`` ends in
``.yaml`` run through the deployment-manifest reader of the resilience analysis.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from backend_skills.core.models import Confidence, Finding, Severity

NOSQL = "database.nosql"
RESILIENCE = "scalability.resilience"
SHARED_STATE = "scalability.shared_state"


@dataclass(frozen=True)
class RuleExample:
    """A snippet: it fires at ``lines`` (1-based), or nowhere when ``lines`` is empty."""

    code: str
    lines: tuple[int, ...] = ()
    path: str = "app.py"


@dataclass(frozen=True)
class RuleSpec:
    """One rule of ours."""

    id: str
    title: str
    skill: str
    criterion: str
    severity: Severity
    confidence: Confidence
    rationale: str
    fix: str
    examples: tuple[RuleExample, ...]
    cwe: int | None = None

    @property
    def firing(self) -> tuple[RuleExample, ...]:
        """Anti-pattern examples (they must fire)."""
        return tuple(e for e in self.examples if e.lines)

    @property
    def quiet(self) -> tuple[RuleExample, ...]:
        """Best-practice examples (they must stay quiet)."""
        return tuple(e for e in self.examples if not e.lines)


_FLASK = "from flask import Flask, request\nfrom pymongo import MongoClient\n\napp = Flask(__name__)\ndb = MongoClient()['shop']\n"

RULES: tuple[RuleSpec, ...] = (
    RuleSpec(
        id="BSDB201",
        title="MongoDB server-side JavaScript ($where, $function, $accumulator, mapReduce) built from non-constant input",
        skill="database",
        criterion=NOSQL,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        cwe=943,
        rationale=(
            "`$where`, `$function`, `$accumulator` and mapReduce run JavaScript on the database "
            "server; text assembled from values lets whoever controls a value run code there "
            "(NoSQL injection, CWE-943) and is slow, since no index serves it."
        ),
        fix=(
            "Express the condition with ordinary query operators ($gt, $in, $expr) and pass "
            "values as values; keep any server-side JavaScript a constant."
        ),
        examples=(
            RuleExample(
                _FLASK + "\n@app.get('/orders')\ndef orders():\n"
                "    limit = request.args['min']\n"
                "    return list(db.orders.find({'$where': f'this.total > {limit}'}).limit(20))\n",
                lines=(10,),
            ),
            RuleExample(
                _FLASK + "\n@app.get('/orders')\ndef orders():\n"
                "    limit = float(request.args['min'])\n"
                "    return list(db.orders.find({'total': {'$gt': limit}}).limit(20))\n",
            ),
        ),
    ),
    RuleSpec(
        id="BSDB202",
        title="Request data used directly as a MongoDB filter (operator injection)",
        skill="database",
        criterion=NOSQL,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        cwe=943,
        rationale=(
            "A filter taken whole from the request, or a JSON body value put in a filter "
            "uncast, lets the client send operators instead of values: "
            '`{"password": {"$ne": null}}` logs in without a password and `{"$where": ...}` '
            "runs code (NoSQL operator injection, CWE-943)."
        ),
        fix=(
            "Build the filter from named fields and cast each value to the type expected "
            "(`str(body['user'])`, `ObjectId(...)`), or validate the body with a schema "
            "(pydantic, marshmallow) first; never pass request.json/request.args.to_dict() "
            "as the filter."
        ),
        examples=(
            RuleExample(
                _FLASK + "\n@app.post('/login')\ndef login():\n"
                "    user = db.users.find_one({'name': request.json['name'],"
                " 'password': request.json['password']})\n"
                "    found = db.users.find_one(request.args.to_dict())\n"
                "    return {'ok': bool(user and found)}\n",
                lines=(9, 10),
            ),
            RuleExample(
                _FLASK + "\n@app.post('/login')\ndef login():\n"
                "    body = request.get_json()\n"
                "    user = db.users.find_one({'name': str(body['name'])})\n"
                "    other = db.users.find_one({'name': request.args['name']})\n"
                "    return {'ok': bool(user and other)}\n",
            ),
        ),
    ),
    RuleSpec(
        id="BSDB203",
        title="MongoDB read without a limit in a request handler",
        skill="database",
        criterion=NOSQL,
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
        cwe=770,
        rationale=(
            "A `find()` with no limit in a request handler returns the whole collection as it "
            "grows: response time, memory and database load grow with the data (OWASP API4 "
            "unrestricted resource consumption)."
        ),
        fix=(
            "Chain `.limit(n)` (with `.skip()` or a range on an indexed field for the next "
            "page), pass `limit=`, or `to_list(length=n)` with motor; return one document with "
            "`find_one()`."
        ),
        examples=(
            RuleExample(
                _FLASK + "\n@app.get('/orders')\ndef orders():\n"
                "    return list(db.orders.find({'status': 'open'}))\n",
                lines=(9,),
            ),
            RuleExample(
                _FLASK + "\n@app.get('/orders')\ndef orders():\n"
                "    cursor = db.orders.find({'status': 'open'})\n"
                "    cursor.limit(50)\n"
                "    first = db.orders.find({}, limit=10)\n"
                "    return list(cursor) + list(first)\n\n\n"
                "def export():\n    return list(db.orders.find())\n",
            ),
        ),
    ),
    RuleSpec(
        id="BSDB204",
        title="Redis KEYS, FLUSHALL or FLUSHDB in application code",
        skill="database",
        criterion=NOSQL,
        severity=Severity.MEDIUM,
        confidence=Confidence.HIGH,
        cwe=400,
        rationale=(
            "KEYS walks every key in one blocking call (Redis is single-threaded: every client "
            "waits), and FLUSHALL/FLUSHDB erase every key of the instance, including other "
            "features' data; neither belongs on an application code path."
        ),
        fix=(
            "Iterate with SCAN (`scan_iter(match=..., count=...)`), keep the keys you need in a "
            "set, and delete by key or let keys expire instead of flushing."
        ),
        examples=(
            RuleExample(
                "import redis\n\ncache = redis.Redis()\n\n\ndef clear():\n"
                "    for key in cache.keys('session:*'):\n        cache.delete(key)\n"
                "    cache.flushdb()\n",
                lines=(7, 9),
            ),
            RuleExample(
                "import redis\n\ncache = redis.Redis()\n\n\ndef clear(data: dict):\n"
                "    for key in cache.scan_iter(match='session:*', count=500):\n"
                "        cache.delete(key)\n    return list(data.keys())\n",
            ),
        ),
    ),
    RuleSpec(
        id="BSDB205",
        title="Redis cache write without an expiry",
        skill="database",
        criterion=NOSQL,
        severity=Severity.LOW,
        confidence=Confidence.MEDIUM,
        cwe=400,
        rationale=(
            "A cache key written without a time to live stays until memory runs out: the "
            "cache grows without bound, serves stale data forever and, under an eviction "
            "policy of noeviction, makes writes fail."
        ),
        fix=(
            "Give every cache write an expiry: `set(key, value, ex=300)`, `setex`, or "
            "`expire(key, ttl)` after `hset` in the same function."
        ),
        examples=(
            RuleExample(
                "import redis\n\ncache = redis.Redis()\n\n\ndef remember(key, value):\n"
                "    cache.set(key, value)\n    cache.hset('user:1', mapping=value)\n",
                lines=(7, 8),
            ),
            RuleExample(
                "import redis\n\ncache = redis.Redis()\n\n\ndef remember(key, value):\n"
                "    cache.set(key, value, ex=300)\n    cache.setex(key, 60, value)\n"
                "    cache.hset('user:1', mapping=value)\n    cache.expire('user:1', 600)\n",
            ),
        ),
    ),
    RuleSpec(
        id="BSDB206",
        title="DynamoDB Scan in a request handler",
        skill="database",
        criterion=NOSQL,
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
        cwe=770,
        rationale=(
            "A Scan reads every item of the table (and pays for it in read capacity) however "
            "few it returns; on a request path it gets slower and dearer as the table grows."
        ),
        fix=(
            "Design the key schema for the access pattern and use Query on the table or a "
            "global secondary index; keep Scan for offline jobs."
        ),
        examples=(
            RuleExample(
                "import boto3\nfrom flask import Flask\n\napp = Flask(__name__)\n"
                "table = boto3.resource('dynamodb').Table('orders')\n\n\n"
                "@app.get('/orders')\ndef orders():\n    return table.scan()['Items']\n",
                lines=(10,),
            ),
            RuleExample(
                "import boto3\nfrom boto3.dynamodb.conditions import Key\nfrom flask import Flask\n\n"
                "app = Flask(__name__)\ntable = boto3.resource('dynamodb').Table('orders')\n\n\n"
                "@app.get('/orders/<user>')\ndef orders(user):\n"
                "    return table.query(KeyConditionExpression=Key('user').eq(user))['Items']\n",
            ),
        ),
    ),
    RuleSpec(
        id="BSDB207",
        title="MongoDB in use but no index declared",
        skill="database",
        criterion=NOSQL,
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
        rationale=(
            "Without indexes beyond `_id`, every filter and sort scans the collection: fine "
            "with a hundred documents, an outage with a million. Indexes belong in the code "
            "(create_index at start-up or in a migration, or declared on the ODM model) so "
            "every environment has them."
        ),
        fix=(
            "Declare the indexes your queries need: `collection.create_index([('user', 1)])` "
            "at start-up, MongoEngine `meta = {'indexes': [...]}`, Beanie `Indexed(str)` or "
            "`Settings.indexes`, ODMantic `Field(index=True)`."
        ),
        examples=(
            RuleExample(
                "from pymongo import MongoClient\n\ndb = MongoClient()['shop']\n\n\n"
                "def orders(user):\n    return db.orders.find_one({'user': user})\n",
                lines=(3,),
            ),
            RuleExample(
                "from pymongo import MongoClient\n\ndb = MongoClient()['shop']\n"
                "db.orders.create_index([('user', 1)])\n"
                "db.create_collection('audit', validator={'$jsonSchema': {'bsonType': 'object'}})\n\n\n"
                "def orders(user):\n    return db.orders.find_one({'user': user})\n",
            ),
        ),
    ),
    RuleSpec(
        id="BSDB208",
        title="MongoDB in use without schema validation",
        skill="database",
        criterion=NOSQL,
        severity=Severity.LOW,
        confidence=Confidence.MEDIUM,
        rationale=(
            "A schemaless collection accepts any document any code path writes; a `$jsonSchema` "
            "validator or an ODM model (Beanie, MongoEngine, ODMantic) states the shape once "
            "and rejects the rest."
        ),
        fix=(
            "Create collections with `validator={'$jsonSchema': {...}}` (or `collMod`), or read "
            "and write through ODM models."
        ),
        examples=(
            RuleExample(
                "from pymongo import MongoClient\n\ndb = MongoClient()['shop']\n"
                "db.orders.create_index('user')\n",
                lines=(3,),
            ),
            RuleExample(
                "from beanie import Document, Indexed\n\n\nclass Order(Document):\n"
                "    user: Indexed(str)\n    total: float\n",
            ),
        ),
    ),
    # ------------------------------------------------------------------ resilience
    RuleSpec(
        id="BSSCL120",
        title="Outgoing HTTP or RPC call without a timeout",
        skill="scalability",
        criterion=RESILIENCE,
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
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
        examples=(
            RuleExample(
                "import aiohttp\nimport grpc\nimport httpx\n\nfrom .pb import UsersStub\n\n"
                "client = httpx.Client(timeout=None)\n\n\nasync def fetch(url):\n"
                "    async with aiohttp.ClientSession() as session:\n"
                "        return await session.get(url)\n\n\n"
                "def user(uid):\n    stub = UsersStub(grpc.insecure_channel('users:50051'))\n"
                "    return stub.Get(uid)\n",
                lines=(7, 11, 17),
            ),
            RuleExample(
                "import aiohttp\nimport grpc\nimport httpx\n\nfrom .pb import UsersStub\n\n"
                "client = httpx.Client(timeout=5.0)\n\n\nasync def fetch(url):\n"
                "    timeout = aiohttp.ClientTimeout(total=10)\n"
                "    async with aiohttp.ClientSession(timeout=timeout) as session:\n"
                "        return await session.get(url)\n\n\n"
                "def user(uid):\n    stub = UsersStub(grpc.insecure_channel('users:50051'))\n"
                "    return stub.Get(uid, timeout=2.0)\n",
            ),
        ),
    ),
    RuleSpec(
        id="BSSCL121",
        title="Calls to other services with no retry with backoff anywhere",
        skill="scalability",
        criterion=RESILIENCE,
        severity=Severity.LOW,
        confidence=Confidence.MEDIUM,
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
            RuleExample(
                "import httpx\n\n\ndef user(uid):\n"
                "    return httpx.get(f'https://users/{uid}', timeout=5)\n",
                lines=(5,),
            ),
            RuleExample(
                "import httpx\nfrom tenacity import retry, stop_after_attempt, wait_exponential\n\n\n"
                "@retry(wait=wait_exponential(), stop=stop_after_attempt(3))\n"
                "def user(uid):\n    return httpx.get(f'https://users/{uid}', timeout=5)\n",
            ),
        ),
    ),
    RuleSpec(
        id="BSSCL122",
        title="Deployed container without readiness or liveness probe (or Compose healthcheck)",
        skill="scalability",
        criterion=RESILIENCE,
        severity=Severity.MEDIUM,
        confidence=Confidence.HIGH,
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
            RuleExample(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n"
                "  replicas: 3\n  template:\n    spec:\n      containers:\n        - name: api\n"
                "          image: api:1\n          resources:\n"
                "            requests: {cpu: 100m, memory: 128Mi}\n"
                "            limits: {memory: 256Mi}\n",
                lines=(10,),
                path="deploy/api.yaml",
            ),
            RuleExample(
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
    ),
    RuleSpec(
        id="BSSCL123",
        title="Deployed container without resource requests and limits",
        skill="scalability",
        criterion=RESILIENCE,
        severity=Severity.LOW,
        confidence=Confidence.HIGH,
        cwe=770,
        rationale=(
            "Without requests the scheduler packs pods blindly and the autoscaler has nothing "
            "to scale on; without a memory limit one leaking pod starves its neighbours."
        ),
        fix="Set `resources.requests` (cpu, memory) and `resources.limits` (at least memory) on every container.",
        examples=(
            RuleExample(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n"
                "  replicas: 2\n  template:\n    spec:\n      containers:\n        - name: api\n"
                "          image: api:1\n          readinessProbe:\n"
                "            httpGet: {path: /ready, port: 8000}\n          livenessProbe:\n"
                "            httpGet: {path: /health, port: 8000}\n",
                lines=(10,),
                path="k8s/api.yaml",
            ),
            RuleExample(
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
    ),
    RuleSpec(
        id="BSSCL124",
        title="Workload with a single replica and no autoscaler",
        skill="scalability",
        criterion=RESILIENCE,
        severity=Severity.LOW,
        confidence=Confidence.MEDIUM,
        rationale=(
            "One replica is one point of failure: every deployment, node drain or crash is "
            "downtime. Two or more replicas (or a HorizontalPodAutoscaler) keep the service up."
        ),
        fix="Run at least two replicas (`replicas: 2`) or declare a HorizontalPodAutoscaler for the workload.",
        examples=(
            RuleExample(
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
            RuleExample(
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
    ),
    RuleSpec(
        id="BSSCL125",
        title="Sessions stored in one process (file, local memory)",
        skill="scalability",
        criterion=SHARED_STATE,
        severity=Severity.MEDIUM,
        confidence=Confidence.HIGH,
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
        examples=(
            RuleExample(
                "SESSION_TYPE = 'filesystem'\n"
                "SESSION_ENGINE = 'django.contrib.sessions.backends.file'\n",
                lines=(1, 2),
                path="settings.py",
            ),
            RuleExample(
                "SESSION_TYPE = 'redis'\n"
                "SESSION_ENGINE = 'django.contrib.sessions.backends.cache'\n"
                "CACHES = {'default': {'BACKEND': 'django.core.cache.backends.redis.RedisCache'}}\n",
                path="settings.py",
            ),
        ),
    ),
    RuleSpec(
        id="BSSCL126",
        title="Upload written to the local disk in a request handler",
        skill="scalability",
        criterion=SHARED_STATE,
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
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
            RuleExample(
                "from fastapi import FastAPI, UploadFile\nfrom flask import Flask, request\n\n"
                "app = Flask(__name__)\napi = FastAPI()\n\n\n@app.post('/avatar')\ndef avatar():\n"
                "    request.files['avatar'].save('uploads/avatar.png')\n    return 'ok'\n\n\n"
                "@api.post('/files')\nasync def upload(file: UploadFile):\n"
                "    with open(f'uploads/{file.filename}', 'wb') as out:\n"
                "        out.write(await file.read())\n",
                lines=(10, 16),
            ),
            RuleExample(
                "import boto3\nfrom flask import Flask, request\n\napp = Flask(__name__)\n"
                "s3 = boto3.client('s3')\n\n\n@app.post('/avatar')\ndef avatar():\n"
                "    s3.upload_fileobj(request.files['avatar'], 'avatars', 'a.png')\n"
                "    return 'ok'\n",
            ),
        ),
    ),
    RuleSpec(
        id="BSSCL127",
        title="Rate-limit counters kept in process memory",
        skill="scalability",
        criterion=SHARED_STATE,
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
        rationale=(
            "A limiter counting in memory counts per process: with N workers or instances "
            "each client gets N times the limit, and counters reset on every restart."
        ),
        fix=(
            "Give the limiter a shared store: Flask-Limiter and slowapi "
            "`Limiter(..., storage_uri='redis://...')` (or RATELIMIT_STORAGE_URI), a Redis "
            "store for express-rate-limit."
        ),
        examples=(
            RuleExample(
                "from flask_limiter import Limiter\nfrom flask_limiter.util import get_remote_address\n\n"
                "limiter = Limiter(get_remote_address)\n"
                "other = Limiter(get_remote_address, storage_uri='memory://')\n",
                lines=(4, 5),
            ),
            RuleExample(
                "import os\n\nfrom slowapi import Limiter\nfrom slowapi.util import get_remote_address\n\n"
                "limiter = Limiter(key_func=get_remote_address, storage_uri=os.environ['REDIS_URL'])\n",
            ),
        ),
    ),
)

BY_ID: dict[str, RuleSpec] = {rule.id: rule for rule in RULES}


def rule(rule_id: str) -> RuleSpec:
    """The rule declared with ``rule_id`` (KeyError when unknown)."""
    return BY_ID[rule_id]


def finding(
    rule_id: str,
    path: str,
    where: ast.AST | int | None,
    message: str,
    *,
    confidence: Confidence | None = None,
) -> Finding:
    """A finding of the declared rule at a node (or a line) of ``path``."""
    spec = BY_ID[rule_id]
    if isinstance(where, ast.AST):
        line = getattr(where, "lineno", None)
        end_line = getattr(where, "end_lineno", None)
        column = getattr(where, "col_offset", None)
        column = column + 1 if column is not None else None
    else:
        line, end_line, column = where, None, None
    return Finding(
        checker="python_ast",
        rule=spec.id,
        skill=spec.skill,
        criterion=spec.criterion,
        severity=spec.severity,
        confidence=confidence or spec.confidence,
        message=message,
        path=path,
        line=line,
        end_line=end_line,
        column=column,
        cwe=spec.cwe,
    )


__all__ = [
    "BY_ID",
    "NOSQL",
    "RESILIENCE",
    "RULES",
    "SHARED_STATE",
    "RuleExample",
    "RuleSpec",
    "finding",
    "rule",
]
