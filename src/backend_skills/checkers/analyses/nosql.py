"""The ``nosql`` analysis: how Python code uses MongoDB, Redis and DynamoDB.

Feeds ``database.nosql`` (rules ``BSDB201``-``BSDB208``, declared in
:mod:`backend_skills.rules._nosql` and :mod:`backend_skills.rules._nosql_keyvalue`,
documented in ``docs/database.md``). Only source files are read, and only files that use
a NoSQL client (see :data:`CLIENTS`) are looked at by the rules of that store; files
under ``scripts/``, ``bin/``, ``tools/`` or Django ``management/`` are not application
code for the Redis rules. The criterion is not applicable when no source file uses a
NoSQL client.

The MongoDB rules are in :mod:`._nosql_mongo`, the Redis rules in :mod:`._nosql_redis`,
what they recognise in :mod:`._nosql_vocabulary`; DynamoDB scans and the
repository-level index and schema rules are here.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath
from typing import Any

from backend_skills.core.checker import CheckContext
from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import CheckResult, Finding, Metric, Role
from backend_skills.rules import get
from backend_skills.rules._nosql import NOSQL

from . import Analysis, Visit
from ._nosql_mongo import MongoRules, mongo_evidence
from ._nosql_redis import RedisRules
from ._nosql_vocabulary import (
    AWS_SDKS,
    CLIENTS,
    CURSOR_BOUNDS,
    EXPIRE_CALLS,
    EXPIRY_KEYWORDS,
    FILTER_METHODS,
    INDEX_CALLS,
    JS_OPERATORS,
    KWARG_FILTERS,
    MAP_REDUCE,
    NOT_APPLICATION,
    ODM_MODELS,
    REDIS_CONSTRUCTORS,
    REDIS_DANGEROUS,
    REDIS_WRITES,
)
from ._polyglot_evidence import NOSQL_KINDS, FileEvidence, scan
from ._request_data import RequestData, dict_params
from ._rule_findings import rule_finding
from ._server_common import FunctionNode, Imports, find_routes, tree_index, walk_body

NOT_APPLICABLE = "no NoSQL client (MongoDB, Redis, DynamoDB) in the source code"
#: Repository-level MongoDB declarations: (metric, evidence key, rule when absent).
_DECLARATIONS = (
    ("nosql.index_declared", "indexes", "BSDB207"),
    ("nosql.schema_validated", "schemas", "BSDB208"),
)


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


# --------------------------------------------------------------------------- repository


def _stores(used: Mapping[str, dict[str, Any]], others: Mapping[str, FileEvidence]) -> list[str]:
    stores = {s for d in used.values() for s in d["stores"]}
    return sorted(stores | {s for e in others.values() for s in e.stores})


def _mongo_sites(
    used: Mapping[str, dict[str, Any]], others: Mapping[str, FileEvidence]
) -> list[tuple[str, int]]:
    """Where MongoDB is opened, Python files first, each part sorted by path."""
    mongo = sorted((p, d["mongo_site"]) for p, d in used.items() if d.get("mongo_site"))
    return mongo + sorted((p, e.site) for p, e in others.items() if e.site)


def _repository(
    used: Mapping[str, dict[str, Any]], others: Mapping[str, FileEvidence]
) -> CheckResult:
    """Stores used, and the index and schema declarations MongoDB needs."""
    result = CheckResult()
    files = len(used) + len(others)
    result.notes.append(f"NoSQL stores used: {', '.join(_stores(used, others))} ({files} files)")
    mongo = _mongo_sites(used, others)
    mongo_others = [e for e in others.values() if "mongodb" in e.stores]
    for metric, key, rule_id in _DECLARATIONS:
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


# --------------------------------------------------------------------------- files


def stores_used(imports: Imports, text: str) -> list[str]:
    """The NoSQL stores a module's imports talk to, sorted."""
    found = {store for module, store in CLIENTS.items() if imports.imports_any(module)}
    if imports.imports_any(*AWS_SDKS) and "dynamodb" in text.lower():
        found.add("dynamodb")
    return sorted(found)


def application_code(path: str) -> bool:
    """Whether ``path`` is application code for the Redis rules (not a script, a
    management command or ``manage.py``)."""
    parts = PurePosixPath(path).parts[:-1]
    return not (set(parts) & NOT_APPLICATION) and PurePosixPath(path).name != "manage.py"


def is_scan(node: ast.AST) -> bool:
    """A DynamoDB Scan: ``table.scan(...)`` or ``client.get_paginator("scan")``."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return False
    if node.func.attr == "scan":
        return True
    return (
        node.func.attr == "get_paginator"
        and bool(node.args)
        and isinstance(node.args[0], ast.Constant)
        and node.args[0].value == "scan"
    )


def _scans(path: str, nodes: list[ast.AST], handler: str) -> Iterator[Finding]:
    """``BSDB206``: DynamoDB scans in request handler ``handler``."""
    for node in nodes:
        if is_scan(node):
            yield rule_finding(
                "BSDB206",
                path,
                node,
                f"DynamoDB Scan in request handler `{handler}` reads the whole table:"
                " query by key or through an index",
            )


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
        self.routes = {id(r.node): r for r in find_routes(tree, file.path, imports)}
        self.mongo = MongoRules(file.path, tree, imports) if "mongodb" in stores else None
        self.redis = (
            RedisRules(file.path, self.index, imports)
            if "redis" in stores and application_code(file.path)
            else None
        )

    def run(self) -> Visit:
        """Findings of every function (and of the module's top level), and evidence."""
        scopes: list[FunctionNode | None] = [*self.index.functions(), None]
        findings = [finding for func in scopes for finding in self._scope(func)]
        data: dict[str, Any] = {"stores": self.stores}
        if self.mongo is not None:
            data.update(mongo_evidence(self.index, self.imports))
        return Visit(findings=findings, data=data)

    def _scope(self, func: FunctionNode | None) -> Iterator[Finding]:
        """Findings in the body of ``func`` (the module's top level when None), not
        entering nested functions."""
        route = self.routes.get(id(func)) if func is not None else None
        nodes = list(walk_body(func.body if func is not None else self.tree.body))
        if self.mongo is not None:
            params = dict_params(func) if route is not None and func is not None else frozenset()
            request = RequestData(func, params)
            yield from self.mongo.findings(nodes, func, request, handler=route is not None)
        if self.redis is not None:
            yield from self.redis.findings(nodes)
        if "dynamodb" in self.stores and route is not None:
            yield from _scans(self.file.path, nodes, route.name)


__all__ = [
    "AWS_SDKS",
    "CLIENTS",
    "CURSOR_BOUNDS",
    "EXPIRE_CALLS",
    "EXPIRY_KEYWORDS",
    "FILTER_METHODS",
    "INDEX_CALLS",
    "JS_OPERATORS",
    "KWARG_FILTERS",
    "MAP_REDUCE",
    "NOT_APPLICABLE",
    "NOT_APPLICATION",
    "ODM_MODELS",
    "REDIS_CONSTRUCTORS",
    "REDIS_DANGEROUS",
    "REDIS_WRITES",
    "NoSqlAnalysis",
    "application_code",
    "is_scan",
    "stores_used",
]
