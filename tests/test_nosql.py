"""``database.nosql``: MongoDB, Redis and DynamoDB use (rules BSDB201-BSDB208)."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from backend_skills import Report, score
from backend_skills.checkers.analyses.nosql import NoSqlAnalysis
from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import CriterionResult, Finding, Role
from backend_skills.rules import PYTHON_SIDE_LANGUAGES, RULES, Example, Rule

from .conftest import TreeFactory

NOSQL_RULES = sorted(
    (r for r in RULES.values() if r.criterion == "database.nosql"), key=lambda r: r.id
)


def _report(make_tree: TreeFactory, files: dict[str, str]) -> Report:
    root = make_tree({p: textwrap.dedent(t).lstrip("\n") for p, t in files.items()})
    return score(root, skills=["database"], isolated=True)


def _criterion(report: Report, criterion_id: str) -> CriterionResult:
    return next(c for s in report.skills for c in s.criteria if c.id == criterion_id)


def _visit(code: str, path: str = "app.py") -> list[Finding]:
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
    return NoSqlAnalysis().visit(file, ast.parse(text), {}).findings


def _lines(code: str, rule: str, path: str = "app.py") -> list[int]:
    return sorted(f.line or 0 for f in _visit(code, path) if f.rule == rule)


# --------------------------------------------------------------------------- rules as data


def test_every_rule_has_an_anti_pattern_and_a_best_practice() -> None:
    assert [r.id for r in NOSQL_RULES] == [f"BSDB20{i}" for i in range(1, 9)]
    for rule in NOSQL_RULES:
        assert _python_side(rule.firing), rule.id
        assert _python_side(rule.quiet), rule.id
        assert rule.rationale, rule.id
        assert rule.fix, rule.id
        assert rule.title, rule.id


def _python_side(examples: tuple[Example, ...]) -> list[Example]:
    """The examples the Python analyses run (other languages': test_languages_rules.py)."""
    return [e for e in examples if e.language in PYTHON_SIDE_LANGUAGES]


def _examples() -> list[tuple[Rule, Example]]:
    return [(r, e) for r in NOSQL_RULES for e in _python_side(r.examples)]


@pytest.mark.parametrize(
    ("rule", "example"),
    _examples(),
    ids=[f"{r.id}-{'bad' if e.lines else 'good'}" for r, e in _examples()],
)
def test_rule_examples(make_tree: TreeFactory, rule: Rule, example: Example) -> None:
    report = _report(make_tree, {example.path: example.code})
    found = sorted(f.line or 0 for f in report.findings if f.rule == rule.id)
    assert found == sorted(example.lines)
    for f in report.findings:
        if f.rule == rule.id:
            assert f.criterion == "database.nosql"
            assert f.path == example.path
            assert f.severity == rule.severity


# --------------------------------------------------------------------------- done when

VULNERABLE = """
from flask import Flask, request
from pymongo import MongoClient
import redis

app = Flask(__name__)
db = MongoClient()["shop"]
cache = redis.Redis()


@app.post("/login")
def login():
    user = db.users.find_one({"name": request.json["name"], "password": request.json["password"]})
    return {"ok": user is not None}


@app.get("/sessions")
def sessions():
    return {"keys": [k.decode() for k in cache.keys("*")]}
"""

SAFE = """
import os

from flask import Flask, request
from pymongo import ASCENDING, MongoClient
import redis

app = Flask(__name__)
db = MongoClient(os.environ["MONGO_URL"])["shop"]
db.users.create_index([("name", ASCENDING)], unique=True)
db.command("collMod", "users", validator={"$jsonSchema": {"bsonType": "object", "required": ["name"]}})
cache = redis.Redis.from_url(os.environ["REDIS_URL"])


@app.post("/login")
def login():
    body = request.get_json()
    user = db.users.find_one({"name": str(body["name"])}, {"name": 1})
    if user is not None:
        cache.set(f"user:{user['name']}", "1", ex=300)
    return {"ok": user is not None}


@app.get("/sessions")
def sessions():
    keys = [k.decode() for k in cache.scan_iter(match="session:*", count=100)]
    return {"keys": keys[:100]}
"""


def test_request_data_in_a_filter_and_keys_lose_nosql_points_at_those_lines(
    make_tree: TreeFactory,
) -> None:
    report = _report(make_tree, {"app/main.py": VULNERABLE})
    nosql = _criterion(report, "database.nosql")
    assert nosql.applicable
    assert nosql.score is not None
    assert nosql.score < 60
    located = {(f.rule, f.path, f.line) for f in report.findings if f.criterion == nosql.id}
    assert ("BSDB202", "app/main.py", 12) in located
    assert ("BSDB204", "app/main.py", 18) in located
    assert nosql.points_lost > 0
    # operator injection with request data is an exploitable vulnerability: weakest link
    assert nosql.cap is not None
    assert nosql.cap.findings[0].rules == ["BSDB202"]
    assert nosql.cap.findings[0].kind == "vulnerability"


def test_sanitised_filters_indexes_and_expiring_keys_score_expert(make_tree: TreeFactory) -> None:
    report = _report(make_tree, {"app/main.py": SAFE})
    nosql = _criterion(report, "database.nosql")
    assert [f.rule for f in report.findings if f.criterion == nosql.id] == []
    assert nosql.score == 100
    assert nosql.level == "expert"
    assert nosql.metrics["nosql.index_declared"] == 1
    assert nosql.metrics["nosql.schema_validated"] == 1


def test_no_nosql_client_is_not_applicable(make_tree: TreeFactory) -> None:
    report = _report(
        make_tree,
        {
            "app.py": """
            import sqlite3

            def users():
                return sqlite3.connect("x.db").execute("SELECT id FROM users").fetchall()
            """
        },
    )
    nosql = _criterion(report, "database.nosql")
    assert not nosql.applicable
    assert nosql.score is None
    assert "no NoSQL client" in (nosql.reason or "")


def test_redis_only_repository_does_not_ask_for_mongo_indexes(make_tree: TreeFactory) -> None:
    report = _report(
        make_tree,
        {
            "cache.py": "import redis\n\nr = redis.Redis()\n\n\ndef put(k, v):\n    r.setex(k, 60, v)\n"
        },
    )
    nosql = _criterion(report, "database.nosql")
    assert nosql.score == 100
    assert nosql.metrics["nosql.index_declared"] is None
    assert not [f for f in report.findings if f.rule in ("BSDB207", "BSDB208")]


# --------------------------------------------------------------------------- operator injection


@pytest.mark.parametrize(
    ("body", "flagged"),
    [
        ("db.users.find(request.json)", True),
        ("db.users.find_one(request.get_json())", True),
        ("db.users.find_one(dict(request.args))", True),
        ("db.users.delete_many(request.form.to_dict())", True),
        ("db.users.find_one({'name': request.json.get('name')})", True),
        ("db.users.find_one({**request.json})", True),
        ("db.users.update_one(filter=request.json, update={'$set': {'a': 1}})", True),
        ("db.users.aggregate([{'$match': request.json}, {'$limit': 5}])", True),
        ("data = request.json\n    db.users.find_one({'name': data['name']})", True),
        ("name = request.json['name']\n    db.users.find_one({'name': name})", True),
        # values cast or typed as strings: not operators
        ("db.users.find_one({'name': str(request.json['name'])})", False),
        ("db.users.find_one({'name': request.args['name']})", False),
        ("db.users.find_one({'name': request.form.get('name')})", False),
        ("db.users.find_one({'_id': ObjectId(request.json['id'])})", False),
    ],
)
def test_operator_injection_sources(body: str, flagged: bool) -> None:
    code = (
        "from flask import request\nfrom pymongo import MongoClient\n"
        "from bson import ObjectId\n\ndb = MongoClient()['x']\n\n\n"
        f"def handler():\n    {body}\n"
    )
    assert bool(_lines(code, "BSDB202")) is flagged


def test_fastapi_dict_body_and_starlette_json_are_request_data() -> None:
    code = """
    from typing import Any

    from fastapi import FastAPI
    from motor.motor_asyncio import AsyncIOMotorClient
    from pydantic import BaseModel

    app = FastAPI()
    db = AsyncIOMotorClient()["x"]


    class Query(BaseModel):
        name: str


    @app.post("/raw")
    async def raw(filters: dict[str, Any]):
        return await db.items.find_one(filters)


    @app.post("/typed")
    async def typed(query: Query):
        return await db.items.find_one({"name": query.name})


    async def starlette(request):
        return await db.items.find_one(await request.json())
    """
    assert _lines(code, "BSDB202") == [17, 26]


def test_mongoengine_keyword_filters_from_the_request() -> None:
    code = """
    from flask import request
    from mongoengine import Document, StringField


    class User(Document):
        name = StringField()


    def find():
        return User.objects(**request.json).first(), User.objects(__raw__=request.get_json())
    """
    assert _lines(code, "BSDB202") == [10, 10]


def test_where_and_function_need_non_constant_code() -> None:
    code = """
    from pymongo import MongoClient

    db = MongoClient()["x"]
    CHECK = "this.a > this.b"


    def f(n, body):
        db.c.find_one({"$where": CHECK})
        db.c.find_one({"$expr": {"$function": {"body": "function(a) { return a > 1 }", "args": [n], "lang": "js"}}})
        db.c.find_one({"$expr": {"$function": {"body": body, "args": [], "lang": "js"}}})
        db.c.map_reduce(f"function() {{ emit(this.{n}, 1) }}", "function(k, v) {}", "out")
    """
    findings = [f for f in _visit(code) if f.rule == "BSDB201"]
    assert [f.line for f in findings] == [10, 11]
    assert {f.confidence.value for f in findings} == {"medium"}  # no request data seen


# --------------------------------------------------------------------------- unbounded reads


def test_unbounded_reads_only_in_handlers_and_only_mongo_cursors() -> None:
    code = """
    from fastapi import FastAPI
    from motor.motor_asyncio import AsyncIOMotorClient

    app = FastAPI()
    db = AsyncIOMotorClient()["x"]


    @app.get("/items")
    async def items(q: str):
        everything = await db.items.find({}).to_list(None)
        page = await db.items.find({}).sort("name").limit(20).to_list(None)
        bounded = await db.items.find({}).to_list(length=50)
        sliced = db.items.find()[:10]
        where = q.find("@")
        return everything, page, bounded, sliced, where
    """
    assert _lines(code, "BSDB203") == [10]


# --------------------------------------------------------------------------- Redis


def test_redis_rules_are_precise() -> None:
    code = """
    import os

    import redis
    from django.core.cache import cache as django_cache

    client = redis.from_url(os.environ["REDIS_URL"])


    def work(settings: dict, event):
        names = list(settings.keys())
        event.set()
        django_cache.set("k", 1)
        lock = client.set("lock", 1, nx=True)
        client.execute_command("FLUSHALL")
        return names, lock
    """
    assert _lines(code, "BSDB205") == [13]
    assert _lines(code, "BSDB204") == [14]


def test_redis_commands_in_scripts_are_not_application_code() -> None:
    code = "import redis\n\nr = redis.Redis()\n\n\ndef reset():\n    r.flushall()\n"
    assert _lines(code, "BSDB204", "scripts/reset_cache.py") == []
    assert _lines(code, "BSDB204", "app/admin.py") == [7]


def test_injected_redis_client_is_recognised_by_name() -> None:
    code = """
    from redis.asyncio import Redis


    async def remember(redis_client: Redis, key: str) -> None:
        await redis_client.hset(key, mapping={"a": 1})
        await redis_client.set(key + ":x", 1)
        await redis_client.expire(key, 60)


    async def forget(self, key: str) -> None:
        await self.redis.hset(key, mapping={"a": 1})
    """
    assert _lines(code, "BSDB205") == [11]


# --------------------------------------------------------------------------- DynamoDB


def test_dynamodb_scan_outside_handlers_is_fine() -> None:
    code = """
    import boto3
    from flask import Flask

    app = Flask(__name__)
    client = boto3.client("dynamodb")


    def nightly_export():
        return client.scan(TableName="orders")


    @app.get("/orders")
    def orders():
        pages = client.get_paginator("scan")
        return list(pages.paginate(TableName="orders"))
    """
    assert _lines(code, "BSDB206") == [14]


# --------------------------------------------------------------------------- other languages


def test_a_javascript_mongo_service_is_assessed_and_its_declarations_count(
    make_tree: TreeFactory,
) -> None:
    bare = """
    const express = require('express');
    const { MongoClient } = require('mongodb');

    const client = new MongoClient(process.env.MONGO_URL);
    """
    # a Python file beside it: the skill is assessed whether or not JavaScript is read
    worker = {"worker/jobs.py": "def run() -> int:\n    return 1\n"}
    report = _report(make_tree, {"src/app.js": bare, **worker})
    nosql = _criterion(report, "database.nosql")
    assert nosql.applicable
    located = sorted((f.rule, f.path, f.line) for f in report.findings if f.criterion == nosql.id)
    assert located == [("BSDB207", "src/app.js", 2), ("BSDB208", "src/app.js", 2)]

    modelled = """
    const mongoose = require('mongoose');

    const userSchema = new mongoose.Schema({ email: { type: String, index: true } });
    userSchema.index({ email: 1, created: -1 });
    module.exports = mongoose.model('User', userSchema);
    """
    report = _report(make_tree, {"src/models/user.js": modelled, **worker})
    nosql = _criterion(report, "database.nosql")
    assert nosql.metrics["nosql.index_declared"] == 1
    assert nosql.metrics["nosql.schema_validated"] == 1
    assert not [f for f in report.findings if f.criterion == nosql.id]


def test_java_go_and_csharp_clients_make_the_criterion_applicable(make_tree: TreeFactory) -> None:
    for path, code in (
        ("src/main/java/App.java", "import redis.clients.jedis.Jedis;\nclass App {}\n"),
        ("cmd/main.go", 'package main\n\nimport "github.com/redis/go-redis/v9"\n'),
        ("src/Cache.cs", "using StackExchange.Redis;\nclass Cache {}\n"),
    ):
        files = {path: code, "worker/jobs.py": "def run() -> int:\n    return 1\n"}
        nosql = _criterion(_report(make_tree, files), "database.nosql")
        assert nosql.applicable, path


EXPRESS_VULNERABLE = """
const express = require('express');
const mongoose = require('mongoose');
const Redis = require('ioredis');

const app = express();
const redis = new Redis(process.env.REDIS_URL);
const userSchema = new mongoose.Schema({ name: { type: String, index: true }, password: String });
const User = mongoose.model('User', userSchema);

app.post('/login', async (req, res) => {
  const user = await User.findOne(req.body);
  res.json({ ok: Boolean(user) });
});

app.get('/sessions', async (req, res) => {
  res.json(await redis.keys('*'));
});
"""

EXPRESS_SAFE = """
const express = require('express');
const mongoose = require('mongoose');
const Redis = require('ioredis');

const app = express();
const redis = new Redis(process.env.REDIS_URL);
const userSchema = new mongoose.Schema({ name: { type: String, index: true }, password: String });
const User = mongoose.model('User', userSchema);

app.post('/login', async (req, res) => {
  const user = await User.findOne({ name: String(req.body.name) });
  res.json({ ok: Boolean(user) });
});

app.get('/sessions', async (req, res) => {
  const stream = redis.scanStream({ match: 'session:*', count: 100 });
  res.json({ streaming: Boolean(stream) });
});
"""


def test_express_request_body_filter_and_keys_lose_nosql_points(make_tree: TreeFactory) -> None:
    root = make_tree({"src/app.js": EXPRESS_VULNERABLE})
    report = score(root, skills=["database", "security"], isolated=True)
    nosql = _criterion(report, "database.nosql")
    counted = {
        (f.rule, f.line) for f in report.findings if "database.nosql" in (f.criterion, *f.also)
    }
    assert ("BSSEC114", 11) in counted  # the whole body as the filter (also a NoSQL failure)
    assert ("BSDB204", 16) in counted  # KEYS *
    assert nosql.score is not None
    assert nosql.score < 60

    safe = _report(make_tree, {"src/app.js": EXPRESS_SAFE})
    nosql = _criterion(safe, "database.nosql")
    assert not [f for f in safe.findings if f.criterion == "database.nosql"]
    assert nosql.score == 100
    assert nosql.level == "expert"
