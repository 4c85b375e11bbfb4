"""The Redis rules of the ``nosql`` analysis, over one application file that uses Redis.

- ``BSDB204``: ``KEYS``, ``FLUSHALL`` or ``FLUSHDB`` (called, or sent through
  ``execute_command``);
- ``BSDB205``: a cache write (``set``, ``hset``...) with no expiry given and no
  ``expire`` in the same function.

A receiver is a Redis client when the file binds it to a Redis constructor (or to a
pipeline of one), or when its last name contains ``redis`` (an injected client).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from collections.abc import Set as AbstractSet

from backend_skills.core.models import Finding

from ._nosql_vocabulary import (
    EXPIRE_CALLS,
    EXPIRY_KEYWORDS,
    REDIS_CONSTRUCTORS,
    REDIS_DANGEROUS,
    REDIS_WRITES,
)
from ._rule_findings import rule_finding
from ._server_common import Imports, TreeIndex, dotted

_REDIS_PACKAGES = ("redis", "aioredis", "coredis")


def is_redis(node: ast.AST, names: AbstractSet[str]) -> bool:
    """Whether ``node`` is a Redis client: one of ``names``, or named ``*redis*``."""
    name = dotted(node)
    if name is None:
        return False
    return name in names or "redis" in name.rsplit(".", 1)[-1].lower()


def constructs_client(call: ast.Call, imports: Imports) -> bool:
    """``redis.Redis(...)``, ``Redis.from_url(...)``, ``aioredis.create_redis_pool(...)``."""
    resolved = imports.resolve(call.func) or ""
    return (
        resolved.split(".", 1)[0] in _REDIS_PACKAGES
        and resolved.rsplit(".", 1)[-1] in REDIS_CONSTRUCTORS
    )


def _opens_pipeline(call: ast.Call, names: AbstractSet[str]) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute) and func.attr == "pipeline" and is_redis(func.value, names)
    )


def client_names(index: TreeIndex, imports: Imports) -> set[str]:
    """Dotted names bound to a Redis client (``cache``, ``self.redis``) in a file."""
    names: set[str] = set()
    for node in index.of(ast.Assign, ast.AnnAssign):
        if not isinstance(node, ast.Assign | ast.AnnAssign):
            continue
        value = node.value
        while isinstance(value, ast.Await):
            value = value.value
        if isinstance(value, ast.Call) and (
            constructs_client(value, imports) or _opens_pipeline(value, names)
        ):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(d for t in targets if (d := dotted(t)))
    return names


def command_of(call: ast.Call, method: str) -> str:
    """The Redis command a client call sends: the method, or ``execute_command``'s first
    argument in lower case ("" when that is not a literal)."""
    if method != "execute_command" or not call.args:
        return method
    first = call.args[0]
    return str(first.value).lower() if isinstance(first, ast.Constant) else ""


def sets_expiry(call: ast.Call, method: str) -> bool:
    """Whether a ``set``/``setnx`` passes an expiry (a third argument, ``ex=``, ``px=``...)."""
    return method in ("set", "setnx") and (
        len(call.args) >= 3 or any(k.arg in EXPIRY_KEYWORDS for k in call.keywords)
    )


def _why_dangerous(command: str) -> str:
    if command == "keys":
        return "KEYS walks every key in one blocking call; iterate with scan_iter()"
    return f"{command.upper()} erases every key of the database; delete by key or let keys expire"


class RedisRules:
    """``BSDB204`` and ``BSDB205`` over the functions of one file."""

    def __init__(self, path: str, index: TreeIndex, imports: Imports) -> None:
        self.path = path
        self.names = client_names(index, imports)

    def findings(self, nodes: list[ast.AST]) -> Iterator[Finding]:
        """Findings in one function's own ``nodes``."""
        calls = [
            (n, n.func.attr)
            for n in nodes
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
        ]
        expires = any(method in EXPIRE_CALLS for _, method in calls)
        for call, method in calls:
            finding = self._judge(call, method, expires=expires)
            if finding is not None:
                yield finding

    def _judge(self, call: ast.Call, method: str, *, expires: bool) -> Finding | None:
        assert isinstance(call.func, ast.Attribute)
        if not is_redis(call.func.value, self.names):
            return None
        command = command_of(call, method)
        if command in REDIS_DANGEROUS:
            return rule_finding(
                "BSDB204",
                self.path,
                call,
                f"Redis {command.upper()} in application code: {_why_dangerous(command)}",
            )
        if method in REDIS_WRITES and not expires and not sets_expiry(call, method):
            return rule_finding(
                "BSDB205",
                self.path,
                call,
                f"Redis `{method}` writes a key without an expiry (no ex=/px= and no expire"
                " in this function): the cache grows without bound",
            )
        return None
