"""The Redis units of the ``nosql`` analysis (``checkers/analyses/_nosql_redis.py``) and
the file-level helpers of ``nosql.py``: which names are Redis clients, which command a
call sends, which writes carry an expiry, what is application code, what is a Scan."""

from __future__ import annotations

import ast
import textwrap

import pytest

from backend_skills.checkers.analyses._nosql_redis import (
    RedisRules,
    client_names,
    command_of,
    is_redis,
    sets_expiry,
)
from backend_skills.checkers.analyses._server_common import TreeIndex, walk_body
from backend_skills.checkers.analyses.nosql import application_code, is_scan


def _call(code: str) -> ast.Call:
    node = ast.parse(code, mode="eval").body
    assert isinstance(node, ast.Call)
    return node


def _index(code: str) -> TreeIndex:
    return TreeIndex(ast.parse(textwrap.dedent(code).lstrip("\n")))


def test_client_names_follow_constructors_awaits_and_pipelines() -> None:
    index = _index(
        """
        import redis
        from redis import asyncio as aioredis
        from redis.cluster import RedisCluster

        cache = redis.Redis()
        other: redis.Redis = redis.from_url("redis://cache")
        cluster = RedisCluster(host="h")
        pipe = cache.pipeline()
        counter = Counter()


        class Store:
            async def open(self):
                self.conn = await aioredis.from_url("redis://cache")
        """
    )
    assert client_names(index, index.imports) == {"cache", "other", "cluster", "pipe", "self.conn"}


@pytest.mark.parametrize(
    ("receiver", "client"),
    [
        ("cache", True),  # bound to a client in the file
        ("self.redis", True),  # named like one
        ("app.redis_client", True),
        ("counter", False),
        ("get_client()", False),
    ],
)
def test_is_redis(receiver: str, client: bool) -> None:
    node = ast.parse(receiver, mode="eval").body
    assert is_redis(node, {"cache"}) is client


@pytest.mark.parametrize(
    ("code", "command"),
    [
        ("r.keys('a*')", "keys"),
        ("r.execute_command('FLUSHALL')", "flushall"),
        ("r.execute_command(name)", ""),
        ("r.execute_command()", "execute_command"),
    ],
)
def test_command_of(code: str, command: str) -> None:
    call = _call(code)
    assert isinstance(call.func, ast.Attribute)
    assert command_of(call, call.func.attr) == command


@pytest.mark.parametrize(
    ("code", "expires"),
    [
        ("r.set(k, v, ex=60)", True),
        ("r.set(k, v, px=500)", True),
        ("r.set(k, v, 60)", True),
        ("r.set(k, v, keepttl=True)", True),
        ("r.set(k, v)", False),
        ("r.hset(k, mapping=v)", False),  # hset has no expiry argument
    ],
)
def test_sets_expiry(code: str, expires: bool) -> None:
    call = _call(code)
    assert isinstance(call.func, ast.Attribute)
    assert sets_expiry(call, call.func.attr) is expires


def _findings(code: str) -> list[tuple[str, int, str]]:
    index = _index(code)
    rules = RedisRules("app.py", index, index.imports)
    found = []
    for func in index.functions():
        for finding in rules.findings(list(walk_body(func.body))):
            found.append((finding.rule, finding.line or 0, finding.message.split(":")[0]))
    return found


def test_dangerous_commands_and_writes_without_expiry_fire_where_they_are() -> None:
    found = _findings(
        """
        import redis

        cache = redis.Redis()


        def clear():
            cache.execute_command("KEYS", "a*")
            cache.flushdb()


        def remember(key, value):
            cache.hset(key, mapping=value)
            cache.set(key, value)


        def remember_for_a_while(key, value):
            cache.hset(key, mapping=value)
            cache.expire(key, 60)


        def other(store):
            store.keys()
        """
    )
    assert found == [
        ("BSDB204", 7, "Redis KEYS in application code"),
        ("BSDB204", 8, "Redis FLUSHDB in application code"),
        (
            "BSDB205",
            12,
            "Redis `hset` writes a key without an expiry (no ex=/px= and no expire in this function)",
        ),
        (
            "BSDB205",
            13,
            "Redis `set` writes a key without an expiry (no ex=/px= and no expire in this function)",
        ),
    ]


@pytest.mark.parametrize(
    ("path", "application"),
    [
        ("app/cache.py", True),
        ("scripts/flush.py", False),
        ("shop/management/commands/flush.py", False),
        ("manage.py", False),
        ("tools/x.py", False),
        ("app/tools.py", True),  # a module named tools, not a tools folder
    ],
)
def test_application_code(path: str, application: bool) -> None:
    assert application_code(path) is application


@pytest.mark.parametrize(
    ("code", "scan"),
    [
        ("table.scan()", True),
        ("client.get_paginator('scan')", True),
        ("client.get_paginator('query')", False),
        ("table.query(KeyConditionExpression=k)", False),
        ("scan()", False),
    ],
)
def test_is_scan(code: str, scan: bool) -> None:
    assert is_scan(_call(code)) is scan
