"""The ``nosql`` analysis: how Python code uses MongoDB, Redis and DynamoDB.

Feeds ``database.nosql`` (rules ``BSDB201``-``BSDB208``, declared in :mod:`backend_skills.rules._nosql`
and documented in ``docs/database.md``). Only source files are read, and only files that
use a NoSQL client (see :data:`CLIENTS`) are looked at by the rules of that store; files
under ``scripts/``, ``bin/``, ``tools/`` or Django ``management/`` are not application
code for the Redis rules. The criterion is not applicable when no source file uses a
NoSQL client.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath
from typing import Any

from backend_skills.core.checker import CheckContext
from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import CheckResult, Confidence, Finding, Metric, Role
from backend_skills.rules import get
from backend_skills.rules._nosql import NOSQL

from . import Analysis, Visit
from ._polyglot_evidence import NOSQL_KINDS, FileEvidence, scan
from ._request_data import RequestData, dict_params
from ._rule_findings import rule_finding
from ._server_common import FunctionNode, Imports, dotted, find_routes, tree_index, walk_body

#: Imported module (or prefix) -> the store its client talks to.
CLIENTS: dict[str, str] = {
    "pymongo": "mongodb",
    "motor": "mongodb",
    "mongoengine": "mongodb",
    "flask_mongoengine": "mongodb",
    "flask_pymongo": "mongodb",
    "beanie": "mongodb",
    "bunnet": "mongodb",
    "odmantic": "mongodb",
    "umongo": "mongodb",
    "djongo": "mongodb",
    "redis": "redis",
    "aioredis": "redis",
    "coredis": "redis",
    "walrus": "redis",
    "pynamodb": "dynamodb",
}
#: AWS SDKs: DynamoDB when the file names the service.
AWS_SDKS = ("boto3", "aioboto3", "aiobotocore", "botocore")

#: Collection methods whose first argument (or ``filter=``) is a query filter.
FILTER_METHODS = frozenset(
    {
        "find",
        "find_one",
        "find_one_and_update",
        "find_one_and_delete",
        "find_one_and_replace",
        "update_one",
        "update_many",
        "delete_one",
        "delete_many",
        "replace_one",
        "count_documents",
        "count",
        "find_raw_batches",
        "watch",
    }
)
#: MongoEngine query-set calls that take the filter as keyword arguments.
KWARG_FILTERS = frozenset({"objects", "filter", "get", "first", "count", "delete"})
#: Document keys that carry server-side JavaScript.
JS_OPERATORS = frozenset({"$where", "$function", "$accumulator"})
MAP_REDUCE = frozenset({"map_reduce", "inline_map_reduce", "mapReduce"})
#: Redis client constructors (last segment of the resolved call).
REDIS_CONSTRUCTORS = frozenset(
    {"Redis", "StrictRedis", "from_url", "RedisCluster", "master_for", "create_redis_pool"}
)
REDIS_DANGEROUS = frozenset({"keys", "flushall", "flushdb"})
#: Redis writes that need an expiry, unless one is set in the same function.
REDIS_WRITES = frozenset({"set", "setnx", "hset", "hmset", "hsetnx", "mset", "msetnx"})
EXPIRY_KEYWORDS = frozenset({"ex", "px", "exat", "pxat", "keepttl"})
EXPIRE_CALLS = frozenset({"expire", "pexpire", "expireat", "pexpireat", "setex", "psetex"})
#: Calls that bound a cursor when they wrap it or are chained onto it.
CURSOR_BOUNDS = frozenset(
    {"limit", "paginate", "islice", "first", "next", "get_page", "batch", "Paginator"}
)
INDEX_CALLS = frozenset({"create_index", "create_indexes", "ensure_index", "IndexModel", "Indexed"})
ODM_MODELS = frozenset(
    {
        "mongoengine.Document",
        "mongoengine.EmbeddedDocument",
        "mongoengine.document.Document",
        "flask_mongoengine.Document",
        "beanie.Document",
        "beanie.View",
        "bunnet.Document",
        "odmantic.Model",
        "odmantic.EmbeddedModel",
    }
)
NOT_APPLICATION = frozenset({"scripts", "script", "bin", "tools", "management"})
NOT_APPLICABLE = "no NoSQL client (MongoDB, Redis, DynamoDB) in the source code"


class NoSqlAnalysis(Analysis):
    """MongoDB, Redis and DynamoDB use: injection, unbounded reads, indexes, expiry."""

    name = "nosql"
    provides = ("nosql.index_declared", "nosql.schema_validated")
    feeds = (NOSQL,)

    def visit(self, file: SourceFile, tree: ast.Module, options: Mapping[str, Any]) -> Visit:
        """Findings and store evidence of one source file."""
        if file.role is not Role.SOURCE:
            return Visit()
        imports = tree_index(tree).imports
        stores = stores_used(imports, file.text)
        if not stores:
            return Visit()
        return _FileScan(file, tree, imports, stores).run()

    def reduce(self, ctx: CheckContext, data: Mapping[str, dict[str, Any]]) -> CheckResult:
        """Repository-level index and schema-validation findings and metrics.

        Non-Python source files count too (:mod:`._polyglot_evidence`): a JavaScript,
        Java, C# or Go file with a NoSQL client makes the criterion applicable, and their
        index and schema declarations are evidence.
        """
        used = {p: d for p, d in data.items() if d.get("stores")}
        others = {p: e for p, e in scan(ctx.fileset.files, NOSQL_KINDS).items() if e.stores}
        if not used and not others:
            result = CheckResult(not_applicable={NOSQL: NOT_APPLICABLE})
            result.metrics += [
                Metric(name=name, value=None, unit="flag", reason=NOT_APPLICABLE)
                for name in self.provides
            ]
            return result
        return _repository(used, others)


def _repository(
    used: Mapping[str, dict[str, Any]], others: Mapping[str, FileEvidence]
) -> CheckResult:
    """Stores used, and the index and schema declarations MongoDB needs."""
    result = CheckResult()
    files = len(used) + len(others)
    stores = {s for d in used.values() for s in d["stores"]}
    stores |= {s for e in others.values() for s in e.stores}
    result.notes.append(f"NoSQL stores used: {', '.join(sorted(stores))} ({files} files)")
    mongo = sorted((p, d["mongo_site"]) for p, d in used.items() if d.get("mongo_site"))
    mongo += sorted((p, e.site) for p, e in others.items() if e.site)
    mongo_others = [e for e in others.values() if "mongodb" in e.stores]
    for metric, key, rule_id in (
        ("nosql.index_declared", "indexes", "BSDB207"),
        ("nosql.schema_validated", "schemas", "BSDB208"),
    ):
        if not mongo:
            result.metrics.append(
                Metric(name=metric, value=None, unit="flag", reason="MongoDB not used")
            )
            continue
        found = any(d.get(key) for d in used.values()) or any(getattr(e, key) for e in mongo_others)
        result.metrics.append(Metric(name=metric, value=float(found), unit="flag", files=files))
        if not found:
            path, line = mongo[0]
            result.findings.append(rule_finding(rule_id, path, line, get(rule_id).message))
    return result


def stores_used(imports: Imports, text: str) -> list[str]:
    """The NoSQL stores a module's imports talk to, sorted."""
    found = {store for module, store in CLIENTS.items() if imports.imports_any(module)}
    if imports.imports_any(*AWS_SDKS) and "dynamodb" in text.lower():
        found.add("dynamodb")
    return sorted(found)


def _constant_strings(tree: ast.Module) -> set[str]:
    """Module-level names bound to a constant string."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and _is_constant(node.value, set()):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def _is_constant(node: ast.AST | None, constants: set[str]) -> bool:
    if node is None or isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Name):
        return node.id in constants
    if isinstance(node, ast.JoinedStr):
        return all(isinstance(v, ast.Constant) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _is_constant(node.left, constants) and _is_constant(node.right, constants)
    if isinstance(node, ast.Call) and (dotted(node.func) or "").rsplit(".", 1)[-1] == "Code":
        return all(_is_constant(a, constants) for a in node.args[:1])
    if isinstance(node, ast.Dict):
        return all(_is_constant(v, constants) for v in node.values)
    return False


def _declares_index(call: ast.Call) -> bool:
    """``create_index(...)``, ``IndexModel(...)``, ``Indexed(...)``, or a field with
    ``index=``/``unique=``/``unique_with=`` (MongoEngine, ODMantic)."""
    name = call.func.attr if isinstance(call.func, ast.Attribute) else dotted(call.func)
    if (name or "").rsplit(".", 1)[-1] in INDEX_CALLS:
        return True
    return any(
        k.arg in ("index", "unique", "unique_with")
        and isinstance(k.value, ast.Constant)
        and k.value.value not in (False, None)
        for k in call.keywords
    )


def _has_length(call: ast.Call) -> bool:
    """Whether motor's ``to_list`` gets a length that is not None."""
    values = [*call.args[:1], *(k.value for k in call.keywords if k.arg == "length")]
    return any(not (isinstance(v, ast.Constant) and v.value is None) for v in values)


def _application_code(path: str) -> bool:
    parts = PurePosixPath(path).parts[:-1]
    return not (set(parts) & NOT_APPLICATION) and PurePosixPath(path).name != "manage.py"


class _FileScan:
    """Every NoSQL rule over one source file that uses a NoSQL client."""

    def __init__(
        self, file: SourceFile, tree: ast.Module, imports: Imports, stores: list[str]
    ) -> None:
        self.file = file
        self.tree = tree
        self.index = tree_index(tree)
        self.imports = imports
        self.stores = stores
        self.findings: list[Finding] = []
        self.constants = _constant_strings(tree)
        self.routes = {id(r.node): r for r in find_routes(tree, file.path, imports)}
        self.redis_names = self._redis_names() if "redis" in stores else set()

    def _add(
        self, rule_id: str, node: ast.AST, message: str, confidence: Confidence | None = None
    ) -> None:
        self.findings.append(
            rule_finding(rule_id, self.file.path, node, message, confidence=confidence)
        )

    def run(self) -> Visit:
        data: dict[str, Any] = {"stores": self.stores}
        mongo = "mongodb" in self.stores
        functions: list[FunctionNode | None] = [*self.index.functions(), None]
        for func in functions:
            body = func.body if func is not None else self.tree.body
            route = self.routes.get(id(func)) if func is not None else None
            params = dict_params(func) if route is not None and func is not None else frozenset()
            request = RequestData(func, params)
            nodes = list(walk_body(body))
            if mongo:
                self._javascript(nodes, func, request)
                self._filters(nodes, request)
                if route is not None:
                    self._unbounded(nodes)
            if "redis" in self.stores and _application_code(self.file.path):
                self._redis(nodes)
            if "dynamodb" in self.stores and route is not None:
                self._scans(nodes, route.name)
        if mongo:
            data["mongo_site"] = self._mongo_site()
            data["indexes"] = self._indexes()
            data["schemas"] = self._schemas()
        return Visit(findings=self.findings, data=data)

    # ------------------------------------------------------------ BSDB201 javascript

    def _javascript(
        self, nodes: list[ast.AST], func: FunctionNode | None, request: RequestData
    ) -> None:
        mentions = func is not None and request.mentions(func)
        confidence = Confidence.HIGH if mentions else Confidence.MEDIUM
        for node in nodes:
            if isinstance(node, ast.Dict):
                for key in self._dynamic_operators(node):
                    self._add(
                        "BSDB201",
                        key,
                        f"MongoDB `{key.value!s}` runs JavaScript built from non-constant"
                        " input on the server: use query operators and pass values as values",
                        confidence,
                    )
            elif method := self._dynamic_map_reduce(node):
                self._add(
                    "BSDB201",
                    node,
                    f"`{method}` runs map/reduce JavaScript built from non-constant"
                    " input: use an aggregation pipeline",
                    confidence,
                )

    def _dynamic_operators(self, node: ast.Dict) -> Iterator[ast.Constant]:
        """Keys ``$where``/``$function``/``$accumulator`` whose code is not constant."""
        for key, value in zip(node.keys, node.values, strict=True):
            if not (isinstance(key, ast.Constant) and key.value in JS_OPERATORS):
                continue
            if isinstance(value, ast.Dict) and key.value != "$where":
                code = [
                    v
                    for k, v in zip(value.keys, value.values, strict=True)
                    if not (isinstance(k, ast.Constant) and k.value in ("args", "lang"))
                ]
            else:
                code = [value]
            if any(not _is_constant(c, self.constants) for c in code):
                yield key

    def _dynamic_map_reduce(self, node: ast.AST) -> str:
        """The map/reduce method ``node`` calls with non-constant code ("" when none)."""
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in MAP_REDUCE
        ):
            return ""
        code = [*node.args[:2], *(k.value for k in node.keywords if k.arg in ("map", "reduce"))]
        dynamic = any(not _is_constant(c, self.constants) for c in code)
        return node.func.attr if dynamic else ""

    # ------------------------------------------------------------ BSDB202 operator injection

    def _filter_problem(self, expr: ast.expr, request: RequestData) -> str | None:
        kind = request.whole(expr)
        if kind is not None:
            return "the whole request object is the filter: the client chooses the operators"
        if isinstance(expr, ast.Dict):
            for key, value in zip(expr.keys, expr.values, strict=True):
                if key is None and request.whole(value) is not None:
                    return "the request object is unpacked into the filter"
                if key is not None and request.json_value(value):
                    name = str(key.value) if isinstance(key, ast.Constant) else "a field"
                    return (
                        f"`{name}` takes a JSON request value uncast: it can be an operator"
                        ' document such as {"$ne": null}'
                    )
        return None

    def _filter_args(self, node: ast.Call, method: str) -> list[ast.expr]:
        """The expressions a collection call uses as filters."""
        filters: list[ast.expr] = []
        if method in FILTER_METHODS:
            filters += node.args[:1]
            filters += [k.value for k in node.keywords if k.arg == "filter"]
        elif method == "aggregate" and node.args and isinstance(node.args[0], ast.List):
            filters += [
                v
                for stage in node.args[0].elts
                if isinstance(stage, ast.Dict)
                for k, v in zip(stage.keys, stage.values, strict=True)
                if isinstance(k, ast.Constant) and k.value == "$match"
            ]
        if method in KWARG_FILTERS and self.imports.imports_any("mongoengine", "flask_mongoengine"):
            filters += [k.value for k in node.keywords if k.arg in (None, "__raw__")]
        return filters

    def _filters(self, nodes: list[ast.AST], request: RequestData) -> None:
        for node in nodes:
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            method = node.func.attr
            for expr in self._filter_args(node, method):
                problem = self._filter_problem(expr, request)
                if problem is not None:
                    self._add(
                        "BSDB202",
                        node,
                        f"request data reaches the MongoDB filter of `{method}` ({problem}):"
                        " build the filter from named fields and cast each value",
                    )
                    break

    # ------------------------------------------------------------ BSDB203 unbounded reads

    def _unbounded(self, nodes: list[ast.AST]) -> None:
        parents: dict[int, ast.AST] = {}
        for node in nodes:
            for child in ast.iter_child_nodes(node):
                parents[id(child)] = node
        for node in nodes:
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("find", "find_all")
            ):
                continue
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant | ast.JoinedStr) or isinstance(
                node.func.value, ast.Constant
            ):
                continue  # str.find("x")
            if any(k.arg == "limit" for k in node.keywords) or self._bounded(node, parents, nodes):
                continue
            self._add(
                "BSDB203",
                node,
                f"`{node.func.attr}()` in a request handler has no limit: it returns the whole"
                " collection as it grows; chain .limit(n) (and paginate)",
            )

    @staticmethod
    def _bounded(call: ast.Call, parents: dict[int, ast.AST], nodes: list[ast.AST]) -> bool:
        node: ast.AST = call
        while id(node) in parents:
            parent = parents[id(node)]
            if isinstance(parent, ast.Call):
                func = parent.func
                name = func.attr if isinstance(func, ast.Attribute) else dotted(func)
                name = (name or "").rsplit(".", 1)[-1]
                if name in CURSOR_BOUNDS or (name == "to_list" and _has_length(parent)):
                    return True
                if func is not node:
                    return False  # list(cursor): the cursor is an argument, not chained
            elif isinstance(parent, ast.Subscript) and parent.value is node:
                return True  # cursor[:20]
            elif isinstance(parent, ast.Assign | ast.AnnAssign):
                target = parent.targets[0] if isinstance(parent, ast.Assign) else parent.target
                if isinstance(target, ast.Name):
                    return any(
                        isinstance(n, ast.Call)
                        and isinstance(n.func, ast.Attribute)
                        and n.func.attr in CURSOR_BOUNDS
                        and isinstance(n.func.value, ast.Name)
                        and n.func.value.id == target.id
                        for n in nodes
                    )
                return False
            elif not isinstance(parent, ast.Attribute | ast.Await):
                return False
            node = parent
        return False

    # ------------------------------------------------------------ BSDB204/205 Redis

    def _redis_names(self) -> set[str]:
        """Dotted names bound to a Redis client (``cache``, ``self.redis``) in this file."""
        names: set[str] = set()
        for node in self.index.of(ast.Assign, ast.AnnAssign):
            if not isinstance(node, ast.Assign | ast.AnnAssign):
                continue
            value = node.value
            while isinstance(value, ast.Await):
                value = value.value
            if not isinstance(value, ast.Call):
                continue
            resolved = self.imports.resolve(value.func) or ""
            is_client = resolved.split(".", 1)[0] in ("redis", "aioredis", "coredis") and (
                resolved.rsplit(".", 1)[-1] in REDIS_CONSTRUCTORS
            )
            pipeline = (
                isinstance(value.func, ast.Attribute)
                and value.func.attr == "pipeline"
                and self._is_redis(value.func.value, names)
            )
            if is_client or pipeline:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names.update(d for t in targets if (d := dotted(t)))
        return names

    def _is_redis(self, node: ast.AST, names: set[str] | None = None) -> bool:
        name = dotted(node)
        if name is None:
            return False
        known = self.redis_names if names is None else names
        return name in known or "redis" in name.rsplit(".", 1)[-1].lower()

    def _redis(self, nodes: list[ast.AST]) -> None:
        calls = [n for n in nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)]
        expires = any(
            c.func.attr in EXPIRE_CALLS for c in calls if isinstance(c.func, ast.Attribute)
        )
        for call in calls:
            assert isinstance(call.func, ast.Attribute)
            method = call.func.attr
            if not self._is_redis(call.func.value):
                continue
            command = method
            if method == "execute_command" and call.args:
                first = call.args[0]
                command = str(first.value).lower() if isinstance(first, ast.Constant) else ""
            if command in REDIS_DANGEROUS:
                what = (
                    "KEYS walks every key in one blocking call; iterate with scan_iter()"
                    if command == "keys"
                    else f"{command.upper()} erases every key of the database; delete by key"
                    " or let keys expire"
                )
                self._add("BSDB204", call, f"Redis {command.upper()} in application code: {what}")
            elif method in REDIS_WRITES and not expires:
                if method in ("set", "setnx") and (
                    len(call.args) >= 3 or any(k.arg in EXPIRY_KEYWORDS for k in call.keywords)
                ):
                    continue
                self._add(
                    "BSDB205",
                    call,
                    f"Redis `{method}` writes a key without an expiry (no ex=/px= and no expire"
                    " in this function): the cache grows without bound",
                )

    # ------------------------------------------------------------ BSDB206 DynamoDB scans

    def _scans(self, nodes: list[ast.AST], handler: str) -> None:
        for node in nodes:
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            scan = node.func.attr == "scan" or (
                node.func.attr == "get_paginator"
                and bool(node.args)
                and isinstance(node.args[0], ast.Constant)
                and node.args[0].value == "scan"
            )
            if scan:
                self._add(
                    "BSDB206",
                    node,
                    f"DynamoDB Scan in request handler `{handler}` reads the whole table:"
                    " query by key or through an index",
                )

    # ------------------------------------------------------------ repository evidence

    def _mongo_site(self) -> int:
        for call in self.index.calls():
            resolved = self.imports.resolve(call.func) or ""
            if (
                resolved.rsplit(".", 1)[-1]
                in (
                    "MongoClient",
                    "AsyncIOMotorClient",
                    "AsyncMongoClient",
                    "connect",
                    "init_beanie",
                    "AIOEngine",
                    "SyncEngine",
                    "PyMongo",
                )
                and resolved.split(".", 1)[0] in CLIENTS
            ):
                return call.lineno
        modules = [m for m, s in CLIENTS.items() if s == "mongodb" and self.imports.imports_any(m)]
        return min(self.imports.line_of(m) for m in modules)

    def _indexes(self) -> list[int]:
        lines = [call.lineno for call in self.index.calls() if _declares_index(call)]
        for node in self.index.of(ast.Dict):
            assert isinstance(node, ast.Dict)
            if any(isinstance(k, ast.Constant) and k.value == "indexes" for k in node.keys):
                lines.append(node.lineno)
        for cls in self.index.of(ast.ClassDef):
            assert isinstance(cls, ast.ClassDef)
            lines += [
                stmt.lineno
                for stmt in cls.body
                if isinstance(stmt, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "indexes" for t in stmt.targets)
            ]
        return sorted(lines)

    def _schemas(self) -> list[int]:
        lines = [
            node.lineno
            for node in self.index.of(ast.Constant)
            if isinstance(node, ast.Constant) and node.value == "$jsonSchema"
        ]
        lines += [
            node.lineno
            for node in self.index.calls()
            if any(k.arg == "validator" for k in node.keywords)
        ]
        for cls in self.index.of(ast.ClassDef):
            assert isinstance(cls, ast.ClassDef)
            if any(self.imports.resolve(b) in ODM_MODELS for b in cls.bases):
                lines.append(cls.lineno)
        return sorted(lines)
