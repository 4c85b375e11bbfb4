"""The ``database`` analysis: how Python code talks to the database.

Run by the ``python_ast`` checker on one shared parse per file. Per file it finds:

- **query safety** (``BSDB001``): SQL passed to ``execute``/``executemany``/
  ``executescript``/``exec_driver_sql``, ``text()``, ``.raw()``, ``.extra()``,
  ``RawSQL``, ``read_sql`` or asyncpg's ``fetch*`` that is built with an f-string, ``%``,
  ``+`` or ``.format`` from non-constant values, followed through local variables;
  SQL whose text is constant (values passed as parameters) is the positive evidence;
- **query patterns**: ``SELECT *`` in SQL strings (``BSDB010``) and queries issued inside
  ``for`` loops and comprehensions, the N+1 shape (``BSDB011``);
- **data-access layer**: where raw SQL is issued from (``BSDB020``) and whether an ORM is
  in use;
- **migrations**: Alembic revisions (with or without a ``downgrade`` body), Django
  migrations (``RunPython``/``RunSQL`` without a reverse), yoyo steps; ``reduce`` adds
  Flyway, Liquibase, golang-migrate and dbmate files found by name and content.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Literal

from backend_skills.core.checker import CheckContext
from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import CheckResult, Confidence, Finding, Metric, Role, Severity

from . import Analysis, Visit

SKILL = "database"
CHECKER = "python_ast"
SAFETY = "database.query_safety"
PATTERNS = "database.query_patterns"
ACCESS = "database.data_access"
REVERSIBILITY = "database.migration_reversibility"
MIGRATIONS = "database.migrations"

# --------------------------------------------------------------------------- vocabulary

#: Modules whose import means the file talks to a SQL database.
DRIVER_MODULES = frozenset(
    {
        "sqlite3",
        "aiosqlite",
        "psycopg",
        "psycopg2",
        "psycopg_pool",
        "asyncpg",
        "pg8000",
        "aiopg",
        "pymysql",
        "MySQLdb",
        "mysql",
        "aiomysql",
        "asyncmy",
        "mariadb",
        "pymssql",
        "pyodbc",
        "oracledb",
        "cx_Oracle",
        "snowflake",
        "duckdb",
        "clickhouse_driver",
        "clickhouse_connect",
        "redshift_connector",
        "trino",
        "databases",
        "pugsql",
        "sqlalchemy",
        "alembic",
    }
)
#: Modules whose import means an ORM is the data-access layer.
ORM_MODULES = frozenset(
    {
        "sqlalchemy.orm",
        "sqlmodel",
        "django.db.models",
        "django.db",
        "peewee",
        "tortoise",
        "pony",
        "ormar",
        "piccolo",
        "flask_sqlalchemy",
        "sqlalchemy.ext.declarative",
        "sqlalchemy.ext.asyncio",
    }
)

#: Calls that run the SQL in their first argument whatever the text looks like.
STRONG_SINKS = frozenset(
    {"execute", "executemany", "executescript", "exec_driver_sql", "read_sql", "read_sql_query"}
)
#: Calls that run SQL only when the argument looks like SQL (common names elsewhere).
WEAK_SINKS = frozenset({"fetch", "fetchrow", "fetchval", "raw"})
#: Calls that wrap SQL text for later execution.
WRAPPER_SINKS = frozenset({"text", "RawSQL"})
#: Keyword names that carry the SQL text.
SQL_KEYWORDS = ("sql", "query", "statement", "operation", "stmt")

_SQL_LIKE = re.compile(
    r"(?is)\bselect\b.+\bfrom\b|\binsert\s+into\b|\bupdate\b.+\bset\b|\bdelete\s+from\b"
    r"|\b(?:create|drop|alter|truncate)\s+(?:table|index|view|unique|schema)\b|\bwhere\b"
    r"|\bvalues\s*\(|\bwith\b.+\bas\s*\("
)
_SQL_START = re.compile(
    r"(?is)^[\s(]*(?:select|insert|update|delete|create|drop|alter|truncate|with|pragma|grant|"
    r"revoke|vacuum|analyze|set|show|copy|call|exec|execute|merge|replace|describe|explain|"
    r"begin|commit|rollback|lock|upsert|use|attach|declare|refresh|comment\s+on|reindex)\b"
)
_SELECT_STAR = re.compile(r"(?is)\bselect\s+(?:distinct\s+)?(?:[a-z_][\w]*\.)?\*\s*(?:,|from\b)")
_EXISTS_BEFORE = re.compile(r"(?is)exists\s*\(\s*$")
_PLACEHOLDER = re.compile(r"%s|%\(\w+\)s|\?|\$\d+|(?<![:\w]):[A-Za-z_]\w*")
_PLACEHOLDER_PIECE = re.compile(r"^\s*(?:\?|%s|%\(\w+\)s|\$\d+|:\w+)?\s*,?\s*$")
_FRAGMENT_NAME = re.compile(
    r"(?i)sql|query|clause|where|cond|filter|order|sort|column|cols|fields|placeholder|"
    r"table|join|select|values|limit|offset|ident"
)
_REQUEST_ATTRS = frozenset(
    {"args", "form", "json", "GET", "POST", "query_params", "cookies", "headers", "values", "data"}
)
_SAFE_CALLS = frozenset({"int", "float", "len", "bool", "abs", "round", "Identifier", "Literal"})
_ORM_QUERY_ATTRS = frozenset(
    {
        "get",
        "filter",
        "filter_by",
        "exclude",
        "first",
        "last",
        "count",
        "exists",
        "one",
        "one_or_none",
        "scalar",
        "scalars",
        "get_or_create",
        "update_or_create",
        "create",
        "aggregate",
        "values",
        "values_list",
        "in_bulk",
    }
)
_SESSION_QUERY_ATTRS = frozenset({"query", "get", "execute", "scalar", "scalars", "merge"})

#: Folder or file names (lower case) that mark a data-access module.
DAL_NAMES = frozenset(
    {
        "repository",
        "repositories",
        "repo",
        "repos",
        "dal",
        "dao",
        "daos",
        "db",
        "database",
        "databases",
        "store",
        "stores",
        "storage",
        "crud",
        "cruds",
        "query",
        "queries",
        "models",
        "model",
        "persistence",
        "datastore",
        "datastores",
        "sql",
        "migrations",
        "migration",
        "managers",
        "manager",
    }
)
_DAL_SUFFIXES = (*tuple(f"_{n}" for n in DAL_NAMES), "repository", "dao", "store")


def is_dal_module(path: str) -> bool:
    """Whether ``path`` looks like a data-access module (documented in docs/database.md)."""
    pure = PurePosixPath(path)
    parts = [p.lower() for p in pure.parts[:-1]]
    stem = pure.stem.lower()
    return (
        any(p in DAL_NAMES for p in parts)
        or stem in DAL_NAMES
        or stem.endswith(_DAL_SUFFIXES)
        or stem.startswith(("db_", "sql_", "repository_", "dao_"))
    )


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else node.attr
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Call):
        return _dotted(node.func) + "()"
    return ""


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _is_upper_name(name: str) -> bool:
    return name.isupper() and any(c.isalpha() for c in name)


# --------------------------------------------------------------------------- scopes


@dataclass
class _Scope:
    """Assignments and parameters of one function (or the module)."""

    node: ast.AST
    params: frozenset[str]
    assigns: dict[str, list[tuple[int, ast.expr, bool]]] = field(default_factory=dict)
    """name -> [(line, value, is_augmented)] in source order."""

    @classmethod
    def build(cls, node: ast.AST) -> _Scope:
        params: set[str] = set()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            args = node.args
            for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
                params.add(arg.arg)
            if args.vararg is not None:
                params.add(args.vararg.arg)
            if args.kwarg is not None:
                params.add(args.kwarg.arg)
        scope = cls(node=node, params=frozenset(params))
        raw = getattr(node, "body", [])
        body: list[ast.AST] = list(raw) if isinstance(raw, list) else [raw]  # lambda: an expr
        for child in _walk_local(body):
            if isinstance(child, ast.Assign):
                for target in child.targets:
                    if isinstance(target, ast.Name):
                        scope.assigns.setdefault(target.id, []).append(
                            (child.lineno, child.value, False)
                        )
            elif isinstance(child, ast.AnnAssign) and child.value is not None:
                if isinstance(child.target, ast.Name):
                    scope.assigns.setdefault(child.target.id, []).append(
                        (child.lineno, child.value, False)
                    )
            elif (
                isinstance(child, ast.AugAssign)
                and isinstance(child.target, ast.Name)
                and isinstance(child.op, ast.Add)
            ):
                scope.assigns.setdefault(child.target.id, []).append(
                    (child.lineno, child.value, True)
                )
        return scope

    def lookup(self, name: str, line: int) -> list[tuple[int, ast.expr, bool]]:
        """The last plain assignment before ``line`` and the ``+=`` after it."""
        entries = [e for e in self.assigns.get(name, []) if e[0] <= line]
        result: list[tuple[int, ast.expr, bool]] = []
        for entry in reversed(entries):
            result.append(entry)
            if not entry[2]:
                break
        return list(reversed(result))


def _walk_local(body: Sequence[ast.AST]) -> Iterator[ast.AST]:
    """Every node in ``body`` without entering nested functions, lambdas or classes."""
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        for child in reversed(list(ast.iter_child_nodes(node))):
            if isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef
            ):
                continue
            stack.append(child)


# --------------------------------------------------------------------------- SQL building

BuildKind = Literal["static", "dynamic", "unknown", "param"]


@dataclass
class Built:
    """What a SQL expression is made of."""

    kind: BuildKind
    text: str = ""
    line: int = 0
    values: list[ast.expr] = field(default_factory=list)
    how: set[str] = field(default_factory=set)


class _Resolver:
    """Classifies SQL expressions within a stack of scopes (function, then module)."""

    def __init__(self, scopes: Sequence[_Scope]) -> None:
        self.scopes = scopes

    def _resolve_name(
        self, name: str, line: int
    ) -> list[tuple[int, ast.expr, bool]] | Literal["param"] | None:
        for scope in self.scopes:
            # Outer scopes (the module) are complete by the time a function runs.
            found = scope.lookup(name, line if scope is self.scopes[0] else 10**9)
            if found:
                return found
            if name in scope.params:
                return "param"
        return None

    def is_safe(self, node: ast.expr, depth: int = 0) -> bool:
        """A value that cannot carry user input into the SQL text."""
        if depth > 4:
            return False
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.Name):
            if _is_upper_name(node.id):
                return True
            found = self._resolve_name(node.id, node.lineno)
            if isinstance(found, list):
                return all(self.is_safe(value, depth + 1) for _, value, _ in found)
            return False
        if isinstance(node, ast.Attribute):
            return _is_upper_name(node.attr) or node.attr in ("__tablename__", "db_table")
        if isinstance(node, ast.Subscript):
            base = node.value
            return isinstance(base, ast.Name) and (
                _is_upper_name(base.id) or self._is_constant_mapping(base, depth)
            )
        if isinstance(node, ast.IfExp):
            return self.is_safe(node.body, depth + 1) and self.is_safe(node.orelse, depth + 1)
        if isinstance(node, ast.Call):
            name = _call_name(node)
            if name in _SAFE_CALLS:
                return True
            if name == "join" and isinstance(node.func, ast.Attribute):
                return isinstance(node.func.value, ast.Constant) and all(
                    self._placeholders_only(a, depth + 1) for a in node.args
                )
            return False
        if isinstance(node, ast.JoinedStr):
            return all(
                isinstance(v, ast.Constant)
                or (isinstance(v, ast.FormattedValue) and self.is_safe(v.value, depth + 1))
                for v in node.values
            )
        if isinstance(node, ast.BinOp):
            return self.is_safe(node.left, depth + 1) and self.is_safe(node.right, depth + 1)
        return False

    def _is_constant_mapping(self, name: ast.Name, depth: int) -> bool:
        found = self._resolve_name(name.id, name.lineno)
        if not isinstance(found, list) or len(found) != 1:
            return False
        value = found[0][1]
        return isinstance(value, ast.Dict) and all(
            isinstance(v, ast.Constant) for v in value.values
        )

    def _placeholders_only(self, node: ast.expr, depth: int) -> bool:
        """``["%s"] * len(ids)``, ``"?" * n``, ``("?" for _ in ids)`` and the like."""
        if depth > 6:
            return False
        if isinstance(node, ast.Constant):
            return not isinstance(node.value, str) or bool(_PLACEHOLDER_PIECE.match(node.value))
        if isinstance(node, ast.List | ast.Tuple):
            return all(self._placeholders_only(e, depth + 1) for e in node.elts)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            return self._placeholders_only(node.left, depth + 1) or self._placeholders_only(
                node.right, depth + 1
            )
        if isinstance(node, ast.ListComp | ast.GeneratorExp):
            return self._placeholders_only(node.elt, depth + 1)
        if isinstance(node, ast.Call):
            return _call_name(node) in ("len", "range")
        if isinstance(node, ast.Name):
            found = self._resolve_name(node.id, node.lineno)
            if isinstance(found, list) and len(found) == 1:
                return self._placeholders_only(found[0][1], depth + 1)
        return False

    def classify(self, node: ast.expr, depth: int = 0) -> Built:
        """How the SQL text in ``node`` is built."""
        if depth > 5:
            return Built("unknown", line=node.lineno)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                return Built("static", node.value, node.lineno)
            return Built("unknown", line=node.lineno)
        if isinstance(node, ast.JoinedStr):
            built = Built("static", "", node.lineno)
            for part in node.values:
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    built.text += part.value
                elif isinstance(part, ast.FormattedValue):
                    if self.is_safe(part.value):
                        built.text += "?"
                    else:
                        built.kind = "dynamic"
                        built.values.append(part.value)
                        built.how.add("an f-string")
            return built
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left = self._operand(node.left, depth)
            right = self._operand(node.right, depth)
            if left.kind in ("static", "dynamic") and right.kind in ("static", "dynamic"):
                how = {"+ concatenation"} if "value" in left.how or "value" in right.how else set()
                return Built(
                    "dynamic" if "dynamic" in (left.kind, right.kind) else "static",
                    left.text + right.text,
                    left.line if left.text.strip() else right.line,
                    left.values + right.values,
                    (left.how | right.how | how) - {"value"},
                )
            return Built("unknown", line=node.lineno)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            left = self.classify(node.left, depth + 1)
            if left.kind != "static":
                return left if left.kind == "dynamic" else Built("unknown", line=node.lineno)
            items = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
            if isinstance(node.right, ast.Dict):
                items = [v for v in node.right.values if v is not None]
            unsafe = [v for v in items if not self.is_safe(v)]
            if unsafe:
                return Built("dynamic", left.text, left.line, unsafe, {"% formatting"})
            return Built("static", re.sub(r"%\(?\w*\)?[sdif]", "?", left.text), left.line)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "format":
                base = node.func.value
                if isinstance(base, ast.Call) and _call_name(base) in ("SQL", "Composed"):
                    return Built("static", _first_string(base), node.lineno)  # psycopg.sql
                inner = self.classify(base, depth + 1)
                if inner.kind != "static":
                    return inner if inner.kind == "dynamic" else Built("unknown", line=node.lineno)
                args = [*node.args, *(k.value for k in node.keywords)]
                unsafe = [a for a in args if not self.is_safe(a)]
                if unsafe:
                    return Built("dynamic", inner.text, inner.line, unsafe, {".format()"})
                return Built("static", inner.text, inner.line)
            if _call_name(node) in ("SQL", "Composed", "Identifier"):
                return Built("static", _first_string(node), node.lineno)  # psycopg.sql
        if isinstance(node, ast.Call) and _call_name(node) in ("SQL", "Composed"):
            return Built("static", _first_string(node), node.lineno)
        if isinstance(node, ast.Name):
            found = self._resolve_name(node.id, node.lineno)
            if found == "param":
                return Built("param", line=node.lineno)
            if isinstance(found, list):
                parts = [self.classify(value, depth + 1) for _, value, _ in found]
                if any(p.kind == "dynamic" for p in parts):
                    dyn = next(p for p in parts if p.kind == "dynamic")
                    return Built(
                        "dynamic",
                        "".join(p.text for p in parts),
                        dyn.line,
                        [v for p in parts for v in p.values],
                        set().union(*(p.how for p in parts)),
                    )
                if all(p.kind == "static" for p in parts):
                    return Built("static", "".join(p.text for p in parts), parts[0].line)
                if len(parts) > 1 and parts[0].kind == "static":
                    # q = "SELECT ..."; q += <something we cannot see through>
                    unknown = [v for _, v, aug in found if aug]
                    unsafe = [v for v in unknown if not self.is_safe(v)]
                    if unsafe:
                        return Built(
                            "dynamic",
                            parts[0].text,
                            parts[0].line,
                            unsafe,
                            {"+= concatenation"},
                        )
                return Built("unknown", line=node.lineno)
            return Built("unknown", line=node.lineno)
        return Built("unknown", line=node.lineno)

    def _operand(self, node: ast.expr, depth: int) -> Built:
        """An operand of ``+``: strings are read, anything else is a formatted value."""
        if isinstance(node, ast.Constant | ast.JoinedStr | ast.BinOp) or (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
        ):
            return self.classify(node, depth + 1)
        if isinstance(node, ast.Name):
            inner = self.classify(node, depth + 1)
            if inner.kind in ("static", "dynamic"):
                return inner
        if self.is_safe(node):
            return Built("static", "?", node.lineno)
        return Built("dynamic", "", node.lineno, [node], {"value"})


def _first_string(call: ast.Call) -> str:
    for arg in call.args:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return arg.value
    return ""


# --------------------------------------------------------------------------- the visitor


@dataclass
class _Site:
    """One place where SQL text is handed to the database."""

    line: int
    sink: str
    built: Built
    params: bool


class _FileVisitor(ast.NodeVisitor):
    def __init__(self, file: SourceFile, tree: ast.Module) -> None:
        self.file = file
        self.tree = tree
        self.module_scope = _Scope.build(tree)
        self.scopes: list[_Scope] = [self.module_scope]
        self.loops: list[list[ast.AST]] = [[]]
        self.findings: list[Finding] = []
        self.sites: list[_Site] = []
        self.maybe_sites: list[_Site] = []
        self.loop_lines: set[int] = set()
        self.star_lines: set[int] = set()
        self.imports: set[str] = set()
        self.sqlalchemy_aliases: set[str] = {"sqlalchemy", "sa"}
        self.text_imported = False
        self.orm_usage = False
        self.skip_patterns = file.role is Role.MIGRATION

    # -- structure ---------------------------------------------------------------------

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.imports.add(alias.name)
            if alias.name == "sqlalchemy":
                self.sqlalchemy_aliases.add(alias.asname or "sqlalchemy")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        self.imports.add(module)
        for alias in node.names:
            self.imports.add(f"{module}.{alias.name}")
            if module.startswith("sqlalchemy") and alias.name == "text":
                self.text_imported = True

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        self.scopes.insert(0, _Scope.build(node))
        self.loops.append([])
        self.generic_visit(node)
        self.loops.pop()
        self.scopes.pop(0)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._function(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._function(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._function(node)

    def _loop(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.target)
        self.visit(node.iter)
        if _constant_iterable(node.iter):
            for stmt in [*node.body, *node.orelse]:
                self.visit(stmt)
            return
        self.loops[-1].append(node)
        for stmt in node.body:
            self.visit(stmt)
        self.loops[-1].pop()
        for stmt in node.orelse:
            self.visit(stmt)

    def visit_For(self, node: ast.For) -> None:
        self._loop(node)

    def visit_AsyncFor(self, node: ast.AsyncFor) -> None:
        self._loop(node)

    def _comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
    ) -> None:
        for gen in node.generators:
            self.visit(gen)
        constant = all(_constant_iterable(g.iter) for g in node.generators)
        if not constant:
            self.loops[-1].append(node)
        if isinstance(node, ast.DictComp):
            self.visit(node.key)
            self.visit(node.value)
        else:
            self.visit(node.elt)
        if not constant:
            self.loops[-1].pop()

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self._comprehension(node)

    def visit_SetComp(self, node: ast.SetComp) -> None:
        self._comprehension(node)

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> None:
        self._comprehension(node)

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._comprehension(node)

    # -- strings: SELECT * ---------------------------------------------------------------

    def visit_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return  # docstrings and bare strings are not queries
        self.generic_visit(node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        text = "".join(
            v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else " x "
            for v in node.values
        )
        self._select_star(text, node.lineno)
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                self.visit(value)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            self._select_star(node.value, node.lineno)

    def _select_star(self, text: str, line: int) -> None:
        if self.skip_patterns or line in self.star_lines or "*" not in text:
            return
        for match in _SELECT_STAR.finditer(text):
            if _EXISTS_BEFORE.search(text[: match.start()]):
                continue
            self.star_lines.add(line)
            self.findings.append(
                self._finding(
                    "BSDB010",
                    PATTERNS,
                    Severity.MEDIUM,
                    Confidence.HIGH,
                    "SELECT * in an application query: name the columns the code reads",
                    line,
                )
            )
            return

    # -- calls ---------------------------------------------------------------------------

    def visit_Call(self, node: ast.Call) -> None:
        name = _call_name(node)
        self._orm_hint(node, name)
        if (
            name in STRONG_SINKS
            or name in WEAK_SINKS
            or (name in WRAPPER_SINKS and self._is_wrapper(node, name))
        ):
            self._sink(node, name)
        elif name == "extra" and isinstance(node.func, ast.Attribute) and node.keywords:
            self._extra(node)
        if self.loops[-1] and not self.skip_patterns and self._is_query_call(node, name):
            self._in_loop(node, name)
        self.generic_visit(node)

    def _orm_hint(self, node: ast.Call, name: str) -> None:
        if isinstance(node.func, ast.Attribute):
            chain = _dotted(node.func)
            if ".objects." in f".{chain}" or chain.endswith("session.query"):
                self.orm_usage = True

    def _is_wrapper(self, node: ast.Call, name: str) -> bool:
        if name == "RawSQL":
            return True
        if isinstance(node.func, ast.Name):
            return self.text_imported
        if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
            return node.func.value.id in self.sqlalchemy_aliases or node.func.value.id == "db"
        return False

    def _sql_arg(self, node: ast.Call) -> ast.expr | None:
        if node.args and not isinstance(node.args[0], ast.Starred):
            return node.args[0]
        for kw in node.keywords:
            if kw.arg in SQL_KEYWORDS:
                return kw.value
        return None

    def _sink(self, node: ast.Call, name: str) -> None:
        arg = self._sql_arg(node)
        if arg is None:
            return
        if isinstance(arg, ast.Call) and _call_name(arg) in WRAPPER_SINKS:
            return  # the text()/RawSQL() call is the site
        built = _Resolver(self.scopes).classify(arg)
        strong = name in STRONG_SINKS or name in WRAPPER_SINKS
        if not _SQL_LIKE.search(built.text) and not (strong and _SQL_START.match(built.text)):
            if strong and built.kind in ("unknown", "param"):
                # SQL we cannot read (from a caller or a call): a site only in a file
                # that imports a database driver or ORM.
                self.maybe_sites.append(_Site(node.lineno, name, built, False))
            return
        if built.kind == "dynamic" and not built.text.strip():
            built = Built("unknown", line=built.line)
        params = len(node.args) > 1 or any(
            kw.arg in ("params", "parameters", "args", "vars", "multiparams")
            for kw in node.keywords
        )
        site = _Site(node.lineno, name, built, params)
        self.sites.append(site)
        if built.kind == "dynamic":
            self._unsafe(site)

    def _extra(self, node: ast.Call) -> None:
        resolver = _Resolver(self.scopes)
        for kw in node.keywords:
            if kw.arg not in ("where", "select", "tables", "order_by"):
                continue
            items: list[ast.expr] = []
            if isinstance(kw.value, ast.List | ast.Tuple):
                items = list(kw.value.elts)
            elif isinstance(kw.value, ast.Dict):
                items = [v for v in kw.value.values if v is not None]
            for item in items:
                built = resolver.classify(item)
                params = any(k.arg in ("params", "select_params") for k in node.keywords)
                site = _Site(node.lineno, "extra", built, params)
                self.sites.append(site)
                if built.kind == "dynamic":
                    self._unsafe(site)

    def _unsafe(self, site: _Site) -> None:
        built = site.built
        names = sorted({_describe(v) for v in built.values})
        confidence = self._confidence(built.values)
        how = " and ".join(sorted(built.how)) or "string building"
        self.findings.append(
            Finding(
                checker=CHECKER,
                rule="BSDB001",
                skill=SKILL,
                criterion=SAFETY,
                severity=Severity.HIGH,
                confidence=confidence,
                message=(
                    f"SQL passed to {site.sink}() at line {site.line} is built with {how} from "
                    f"non-constant value(s) {', '.join(names[:4])}: pass them as query "
                    "parameters"
                ),
                path=self.file.path,
                line=built.line or site.line,
                cwe=89,
            )
        )

    def _confidence(self, values: Sequence[ast.expr]) -> Confidence:
        """High: a parameter or request data; low: only SQL fragments built elsewhere."""
        params = (self.scopes[0].params if len(self.scopes) > 1 else frozenset()) - {
            "self",
            "cls",
        }
        level = Confidence.LOW
        for value in values:
            if isinstance(value, ast.Call) and _call_name(value) == "join":
                continue  # " AND ".join(clauses): fragments assembled by the code
            if isinstance(value, ast.Name):  # a local assigned from the request: input too
                found = _Resolver(self.scopes)._resolve_name(value.id, value.lineno)
                if isinstance(found, list) and any(
                    _root_path(v).split(".")[0] == "request" for _, v, _ in found
                ):
                    return Confidence.HIGH
            text = _root_path(value)
            parts = text.split(".") if text else []
            root = parts[0] if parts else ""
            fragment = bool(_FRAGMENT_NAME.search(text))
            if (
                (root in params and not fragment)
                or root == "request"
                or (isinstance(value, ast.Call) and _call_name(value) == "input")
            ):
                return Confidence.HIGH
            if not fragment or root in params:
                level = Confidence.MEDIUM
        return level

    # -- N+1 -----------------------------------------------------------------------------

    def _is_query_call(self, node: ast.Call, name: str) -> bool:
        if name in ("execute", "exec_driver_sql", "read_sql", "read_sql_query") or (
            name in ("fetch", "fetchrow", "fetchval", "raw") and node.args
        ):
            arg = self._sql_arg(node)
            if arg is None:
                return False
            if name in ("fetch", "fetchrow", "fetchval", "raw"):
                return bool(_SQL_LIKE.search(_Resolver(self.scopes).classify(arg).text))
            return True
        if not isinstance(node.func, ast.Attribute):
            return False
        chain = _dotted(node.func)
        if name in _ORM_QUERY_ATTRS and (".objects." in f".{chain}" or ".query." in chain):
            return True
        owner = chain.rsplit(".", 1)[0] if "." in chain else ""
        return name in _SESSION_QUERY_ATTRS and owner.lower().endswith("session")

    def _in_loop(self, node: ast.Call, name: str) -> None:
        if node.lineno in self.loop_lines:
            return
        self.loop_lines.add(node.lineno)
        loop = self.loops[-1][-1]
        kind = "comprehension" if not isinstance(loop, ast.For | ast.AsyncFor) else "loop"
        self.findings.append(
            self._finding(
                "BSDB011",
                PATTERNS,
                Severity.MEDIUM,
                Confidence.MEDIUM,
                f"query ({name}) issued inside a {kind} starting at line "
                f"{getattr(loop, 'lineno', node.lineno)} (N+1 pattern): fetch the rows in one "
                "query (JOIN, IN/ANY, executemany, selectinload, select_related)",
                node.lineno,
            )
        )

    def _finding(
        self,
        rule: str,
        criterion: str,
        severity: Severity,
        confidence: Confidence,
        message: str,
        line: int,
    ) -> Finding:
        return Finding(
            checker=CHECKER,
            rule=rule,
            skill=SKILL,
            criterion=criterion,
            severity=severity,
            confidence=confidence,
            message=message,
            path=self.file.path,
            line=line,
        )

    # -- summary -------------------------------------------------------------------------

    def data(self) -> dict[str, Any]:
        roots = {m.split(".")[0] for m in self.imports}
        driver = bool(roots & DRIVER_MODULES) or any(m in DRIVER_MODULES for m in self.imports)
        orm = self.orm_usage or any(
            m in ORM_MODULES or any(m.startswith(o + ".") for o in ORM_MODULES)
            for m in self.imports
        )
        if driver or orm:
            self.sites.extend(self.maybe_sites)
            self.sites.sort(key=lambda s: s.line)
        counts = {"param": 0, "static": 0, "dynamic": 0, "unknown": 0}
        for site in self.sites:
            kind = site.built.kind
            if kind == "static":
                has_placeholder = bool(_PLACEHOLDER.search(site.built.text))
                counts["param" if site.params or has_placeholder else "static"] += 1
            elif kind == "dynamic":
                counts["dynamic"] += 1
            else:
                counts["unknown"] += 1
        sites = self.sites
        return {
            "db_access": driver or orm or bool(sites),
            "orm": orm,
            "sites": counts,
            "raw_sites": len(sites),
            "first_site": min((s.line for s in sites), default=0),
        }


def _root_path(node: ast.expr) -> str:
    """``request.args`` for ``request.args["id"]``, ``self.repo.find`` for a call of it."""
    while isinstance(node, ast.Subscript | ast.Call):
        node = node.value if isinstance(node, ast.Subscript) else node.func
    return _dotted(node)


def _describe(node: ast.expr) -> str:
    text = _dotted(node)
    if not text:
        try:
            text = ast.unparse(node)
        except Exception:  # pragma: no cover - unparse handles every expression
            text = type(node).__name__
    return text[:40]


def _constant_iterable(node: ast.expr) -> bool:
    """A loop over a literal collection or an UPPER_CASE constant (setup, not per row)."""
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return all(isinstance(e, ast.Constant) for e in node.elts)
    if isinstance(node, ast.Name):
        return _is_upper_name(node.id)
    if isinstance(node, ast.Attribute):
        return _is_upper_name(node.attr)
    return False


# --------------------------------------------------------------------------- migrations


def _trivial_body(body: Sequence[ast.stmt]) -> bool:
    for stmt in body:
        if isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # docstring, ``...``
        if isinstance(stmt, ast.Raise):
            continue  # raise NotImplementedError
        return False
    return True


#: Django migration operations that need a reverse argument to be rolled back.
_DJANGO_REVERSE_ARG = {"RunPython": "reverse_code", "RunSQL": "reverse_sql"}


def migration_facts(tree: ast.Module) -> dict[str, Any] | None:
    """Alembic revision, Django migration or yoyo step facts of one module."""
    top = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    assigned = {
        t.id
        for n in tree.body
        if isinstance(n, ast.Assign | ast.AnnAssign)
        for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
        if isinstance(t, ast.Name)
    }
    if "upgrade" in top and ("revision" in assigned or "down_revision" in assigned):
        down = top.get("downgrade")
        if down is None:
            return {"tool": "alembic", "reversible": False, "line": 1, "why": "no downgrade()"}
        if _trivial_body(down.body):
            return {
                "tool": "alembic",
                "reversible": False,
                "line": down.lineno,
                "why": "downgrade() does nothing",
            }
        return {"tool": "alembic", "reversible": True, "line": down.lineno, "why": ""}
    for node in tree.body:
        if (
            isinstance(node, ast.ClassDef)
            and node.name == "Migration"
            and any(_dotted(b).endswith("Migration") for b in node.bases)
        ):
            for call in ast.walk(node):
                if not isinstance(call, ast.Call):
                    continue
                name = _call_name(call)
                reverse = _DJANGO_REVERSE_ARG.get(name)
                if (
                    reverse is not None
                    and len(call.args) < 2
                    and not any(k.arg == reverse for k in call.keywords)
                ):
                    return {
                        "tool": "django",
                        "reversible": False,
                        "line": call.lineno,
                        "why": f"{name} without {reverse}",
                    }
            return {"tool": "django", "reversible": True, "line": node.lineno, "why": ""}
    steps = [
        n for n in ast.walk(tree) if isinstance(n, ast.Call) and _call_name(n) == "step" and n.args
    ]
    if steps and any(
        isinstance(n, ast.ImportFrom) and (n.module or "").startswith("yoyo") for n in tree.body
    ):
        irreversible = [s for s in steps if len(s.args) < 2]
        return {
            "tool": "yoyo",
            "reversible": not irreversible,
            "line": irreversible[0].lineno if irreversible else steps[0].lineno,
            "why": "step() without a rollback" if irreversible else "",
        }
    return None


_FLYWAY_RE = re.compile(r"^([VU])(\d+(?:[._]\d+)*)__.+\.sql$", re.IGNORECASE)
_UPDOWN_RE = re.compile(r"^(\d+[\w.-]*?)\.(up|down)\.sql$", re.IGNORECASE)
_DBMATE_UP = re.compile(r"(?im)^\s*--\s*migrate:up\b")
_DBMATE_DOWN = re.compile(r"(?im)^\s*--\s*migrate:down\b(.*)\Z", re.DOTALL)
_LIQUIBASE_IRREVERSIBLE = re.compile(
    r"(?i)[<\s\"'-](sql|sqlFile|dropTable|dropColumn|delete|insert|update|customChange|"
    r"modifyDataType|loadData|loadUpdateData|dropIndex|dropForeignKeyConstraint|"
    r"mergeColumns|executeCommand|dropView|dropSequence|dropPrimaryKey)[\s>\"':/]"
)


@dataclass
class _Migration:
    tool: str
    path: str
    line: int
    reversible: bool
    why: str
    report: bool = True
    """Whether an irreversible migration gets its own finding (numbered scripts get one
    finding per folder)."""


#: Folder names under which numbered SQL scripts are taken as a home-grown migration tool.
_SCRIPT_DIRS = frozenset(
    {
        "migrations",
        "migration",
        "migrate",
        "delta",
        "deltas",
        "patches",
        "upgrades",
        "upgrade",
        "schema_changes",
        "changesets",
        "versions",
    }
)
_NUMBERED = re.compile(r"^\d")
#: Folders whose migrations are test fixtures (discovery calls tests/migrations "migration").
_TEST_PARTS = frozenset({"tests", "test", "testing", "fixtures", "testdata"})


def _numbered_script(path: str) -> bool:
    pure = PurePosixPath(path)
    dirs = [p.lower() for p in pure.parts[:-1]]
    return any(d in _SCRIPT_DIRS for d in dirs) and (
        bool(_NUMBERED.match(pure.name)) or bool(dirs and _NUMBERED.match(dirs[-1]))
    )


def _non_python_migrations(ctx: CheckContext) -> list[_Migration]:
    found: list[_Migration] = []
    files = [
        f
        for f in ctx.fileset.files
        if f.role not in (Role.VENDORED, Role.GENERATED, Role.DOCS, Role.TEST)
        and not _TEST_PARTS.intersection(p.lower() for p in PurePosixPath(f.path).parts[:-1])
    ]
    scripts: dict[str, list[SourceFile]] = {}
    undo: set[tuple[str, str]] = set()
    for f in files:
        match = _FLYWAY_RE.match(f.name)
        if match and match.group(1).upper() == "U":
            undo.add((str(PurePosixPath(f.path).parent), match.group(2)))
    downs = {
        (str(PurePosixPath(f.path).parent), m.group(1))
        for f in files
        if (m := _UPDOWN_RE.match(f.name)) and m.group(2).lower() == "down"
    }
    for f in files:
        folder = str(PurePosixPath(f.path).parent)
        if f.language == "sql":
            match = _FLYWAY_RE.match(f.name)
            if match and match.group(1).upper() == "U":
                continue
            if match and match.group(1).upper() == "V":
                ok = (folder, match.group(2)) in undo
                found.append(
                    _Migration("flyway", f.path, 1, ok, "" if ok else "no U undo migration")
                )
                continue
            updown = _UPDOWN_RE.match(f.name)
            if updown and updown.group(2).lower() == "down":
                continue
            if updown and updown.group(2).lower() == "up":
                ok = (folder, updown.group(1)) in downs
                found.append(
                    _Migration("migrate", f.path, 1, ok, "" if ok else "no .down.sql file")
                )
                continue
            if _DBMATE_UP.search(f.text):
                down = _DBMATE_DOWN.search(f.text)
                body = down.group(1) if down else ""
                ok = bool(re.sub(r"(?m)--[^\n]*", "", body).strip())
                found.append(
                    _Migration("dbmate", f.path, 1, ok, "" if ok else "empty migrate:down")
                )
                continue
            if f.text.lstrip().lower().startswith("--liquibase formatted sql"):
                found.extend(_liquibase_sql(f))
                continue
            if _numbered_script(f.path):
                scripts.setdefault(folder, []).append(f)
                continue
        if f.language in ("xml", "yaml", "json") and (
            "databaseChangeLog" in f.text or "changelog" in f.name.lower()
        ):
            found.extend(_liquibase(f))
    by_root: dict[str, list[SourceFile]] = {}
    for folder, members in scripts.items():
        pure = PurePosixPath(folder)
        root = str(pure.parent) if _NUMBERED.match(pure.name) else folder
        by_root.setdefault(root, []).extend(members)
    for root, members in sorted(by_root.items()):
        members.sort(key=lambda f: f.path)
        for index, f in enumerate(members):
            found.append(
                _Migration(
                    "numbered SQL scripts",
                    f.path,
                    1,
                    False,
                    f"{len(members)} numbered SQL migration script(s) under {root}/ have no "
                    "down/undo scripts",
                    report=index == 0,
                )
            )
    return found


def _liquibase(f: SourceFile) -> list[_Migration]:
    text = f.text
    if f.language == "xml":
        marker = re.compile(r"<changeSet\b")
    else:
        marker = re.compile(r"[\"']?changeSet[\"']?\s*:")
    starts = [m.start() for m in marker.finditer(text)]
    result: list[_Migration] = []
    for i, start in enumerate(starts):
        block = text[start : starts[i + 1] if i + 1 < len(starts) else len(text)]
        line = text.count("\n", 0, start) + 1
        has_rollback = re.search(r"(?i)[<\"'\s]rollback[\s>\"':/]", block) is not None
        bad = _LIQUIBASE_IRREVERSIBLE.search(block)
        ok = has_rollback or bad is None
        why = "" if ok else f"{bad.group(1) if bad else 'change'} without a rollback"
        result.append(_Migration("liquibase", f.path, line, ok, why))
    return result


def _liquibase_sql(f: SourceFile) -> list[_Migration]:
    result: list[_Migration] = []
    blocks = re.split(r"(?im)^(?=\s*--\s*changeset\b)", f.text)
    offset = 0
    for block in blocks:
        line = f.text.count("\n", 0, offset) + 1
        offset += len(block)
        if not re.match(r"(?i)\s*--\s*changeset\b", block):
            continue
        ok = re.search(r"(?im)^\s*--\s*rollback\b", block) is not None
        result.append(_Migration("liquibase", f.path, line, ok, "" if ok else "no --rollback"))
    return result


# --------------------------------------------------------------------------- the analysis

_CREATE_TABLE = re.compile(r"(?i)\bcreate\s+(?:\w+\s+){0,4}?table\b")


class DatabaseAnalysis(Analysis):
    """Query safety, query patterns, data-access layer and migrations in Python code."""

    name = "database"
    provides = (
        "db.parameterised_share",
        "db.dal_share",
        "migrations.managed",
        "migrations.count",
        "migrations.reversible_share",
    )
    feeds = (SAFETY, PATTERNS, ACCESS, REVERSIBILITY, MIGRATIONS)

    def visit(self, file: SourceFile, tree: ast.Module, options: Mapping[str, Any]) -> Visit:
        """Findings and facts of one module (an unexpected construct costs this file only)."""
        try:
            return self._visit(file, tree)
        except (RecursionError, ValueError, TypeError, AttributeError, KeyError) as exc:
            return Visit(data={"error": f"{type(exc).__name__}: {exc}"[:200]})

    def _visit(self, file: SourceFile, tree: ast.Module) -> Visit:
        visitor = _FileVisitor(file, tree)
        visitor.visit(tree)
        data = visitor.data()
        data["role"] = file.role.value
        data["dal"] = is_dal_module(file.path)
        from backend_skills.checkers.sql_schema import has_python_schema_markers, read_python_schema

        # The markers are only a cheap filter: the module defines a schema when the same
        # tree really declares tables (a module that merely names `__tablename__` does not).
        data["schema"] = has_python_schema_markers(file.text) and bool(
            read_python_schema(tree)["tables"]
        )
        migration = migration_facts(tree)
        if migration is not None:
            data["migration"] = migration
        findings = list(visitor.findings)
        if migration is not None and not migration["reversible"]:
            findings.append(
                Finding(
                    checker=CHECKER,
                    rule="BSDB301",
                    skill=SKILL,
                    criterion=REVERSIBILITY,
                    severity=Severity.LOW,
                    confidence=Confidence.HIGH,
                    message=f"{migration['tool']} migration cannot be rolled back: "
                    f"{migration['why']}",
                    path=file.path,
                    line=int(migration["line"]),
                )
            )
        return Visit(findings=findings, data=data)

    def reduce(self, ctx: CheckContext, data: Mapping[str, dict[str, Any]]) -> CheckResult:
        """Shares, migration facts and applicability over the whole repository."""
        out = CheckResult()
        errors = sorted(p for p, d in data.items() if "error" in d)
        if errors:
            out.notes.append(
                f"database analysis could not read {len(errors)} file(s), e.g. {errors[0]}: "
                f"{data[errors[0]]['error']}"
            )
        data = {p: d for p, d in data.items() if "error" not in d}
        app = {p: d for p, d in data.items() if d.get("role") not in ("test", "docs")}
        db_access = any(
            d.get("db_access") and d.get("role") in ("source", "other") for d in app.values()
        ) or any(int(d.get("sites", {}).get("dynamic", 0)) for d in app.values())
        orm = any(d.get("orm") for d in app.values())
        sql_files = [
            f
            for f in ctx.fileset.files
            if f.language == "sql"
            and f.role not in (Role.VENDORED, Role.GENERATED, Role.TEST, Role.DOCS)
        ]
        counts = {"param": 0, "static": 0, "dynamic": 0, "unknown": 0}
        for d in app.values():
            for key in counts:
                counts[key] += int(d.get("sites", {}).get(key, 0))
        judged = counts["param"] + counts["static"] + counts["dynamic"]
        if judged or counts["unknown"]:
            out.notes.append(
                f"SQL call sites in code: {counts['param']} parameterised, {counts['static']} "
                f"constant, {counts['dynamic']} built from values, {counts['unknown']} not "
                "resolved (SQL from a parameter or a call)"
            )
        if judged:
            out.metrics.append(
                Metric(
                    name="db.parameterised_share",
                    value=(counts["param"] + counts["static"]) / judged,
                    unit="share of SQL call sites",
                    files=len(app),
                )
            )
        else:
            out.metrics.append(
                Metric(
                    name="db.parameterised_share",
                    value=None,
                    reason="no SQL call site whose text could be read",
                )
            )
        if not db_access:
            why = "no database access found in the Python code"
            out.not_applicable[SAFETY] = why
            out.not_applicable[ACCESS] = why
            if not sql_files:
                out.not_applicable[PATTERNS] = "no SQL files and no database access in the code"
        out.metrics.append(self._dal(ctx, app, db_access, orm, out))
        self._migrations(ctx, data, sql_files, out)
        return out

    @staticmethod
    def _dal(
        ctx: CheckContext,
        app: Mapping[str, dict[str, Any]],
        db_access: bool,
        orm: bool,
        out: CheckResult,
    ) -> Metric:
        source = {p: d for p, d in app.items() if d.get("role") == "source"}
        total = sum(int(d.get("raw_sites", 0)) for d in source.values())
        inside = sum(int(d.get("raw_sites", 0)) for d in source.values() if d.get("dal"))
        for path, d in sorted(source.items()):
            if d.get("raw_sites") and not d.get("dal"):
                out.findings.append(
                    Finding(
                        checker=CHECKER,
                        rule="BSDB020",
                        skill=SKILL,
                        criterion=ACCESS,
                        severity=Severity.LOW,
                        confidence=Confidence.MEDIUM,
                        message=f"{d['raw_sites']} raw SQL call(s) outside a data-access "
                        "module: move them behind a repository/DAO module or the ORM",
                        path=path,
                        line=int(d.get("first_site") or 1),
                    )
                )
        if total:
            return Metric(
                name="db.dal_share", value=inside / total, unit="share", files=len(source)
            )
        if orm:
            out.notes.append("database access goes through an ORM (no raw SQL call sites)")
            return Metric(name="db.dal_share", value=1.0, unit="share", files=len(source))
        why = (
            "no database access found in the Python code"
            if not db_access
            else "no SQL issued from application code"
        )
        return Metric(name="db.dal_share", value=None, reason=why)

    @staticmethod
    def _migrations(
        ctx: CheckContext,
        data: Mapping[str, dict[str, Any]],
        sql_files: Sequence[SourceFile],
        out: CheckResult,
    ) -> None:
        migrations: list[_Migration] = []
        for path, d in sorted(data.items()):
            fact = d.get("migration")
            in_tests = _TEST_PARTS.intersection(p.lower() for p in PurePosixPath(path).parts[:-1])
            if isinstance(fact, dict) and d.get("role") not in ("test", "docs") and not in_tests:
                migrations.append(
                    _Migration(
                        str(fact["tool"]),
                        path,
                        int(fact["line"]),
                        bool(fact["reversible"]),
                        str(fact["why"]),
                    )
                )
        others = _non_python_migrations(ctx)
        migrations.extend(others)
        for m in others:
            if not m.reversible and m.report:
                out.findings.append(
                    Finding(
                        checker=CHECKER,
                        rule="BSDB301",
                        skill=SKILL,
                        criterion=REVERSIBILITY,
                        severity=Severity.LOW,
                        confidence=Confidence.HIGH,
                        message=f"{m.tool} migration cannot be rolled back: {m.why}",
                        path=m.path,
                        line=m.line,
                    )
                )
        schema = any(
            d.get("schema") and d.get("role") not in ("test", "docs") for d in data.values()
        ) or any(
            f.role not in (Role.TEST, Role.DOCS) and _CREATE_TABLE.search(f.text) for f in sql_files
        )
        count = len(migrations)
        out.metrics.append(Metric(name="migrations.count", value=float(count), unit="migrations"))
        if migrations:
            tools = sorted({m.tool for m in migrations})
            reversible = sum(1 for m in migrations if m.reversible)
            out.notes.append(f"migrations: {count} ({', '.join(tools)}), {reversible} reversible")
            out.metrics.append(Metric(name="migrations.managed", value=1.0, files=count))
            out.metrics.append(
                Metric(
                    name="migrations.reversible_share",
                    value=reversible / count,
                    unit="share",
                    files=count,
                )
            )
            return
        out.metrics.append(
            Metric(name="migrations.reversible_share", value=None, reason="no migrations found")
        )
        if schema:
            out.metrics.append(Metric(name="migrations.managed", value=0.0))
            out.findings.extend(_unmanaged_finding(sql_files, data))
        else:
            why = "no schema defined in the repository (no CREATE TABLE, ORM models or migrations)"
            out.metrics.append(Metric(name="migrations.managed", value=None, reason=why))
            out.not_applicable[MIGRATIONS] = why


def _unmanaged_finding(
    sql_files: Sequence[SourceFile], data: Mapping[str, dict[str, Any]]
) -> list[Finding]:
    for f in sql_files:
        match = _CREATE_TABLE.search(f.text) if f.role not in (Role.TEST, Role.DOCS) else None
        if match is not None:
            line = f.text.count("\n", 0, match.start()) + 1
            return [_unmanaged(f.path, line)]
    for path, d in sorted(data.items()):
        if d.get("schema") and d.get("role") not in ("test", "docs"):
            return [_unmanaged(path, 1)]
    return []


def _unmanaged(path: str, line: int) -> Finding:
    return Finding(
        checker=CHECKER,
        rule="BSDB300",
        skill=SKILL,
        criterion=MIGRATIONS,
        severity=Severity.LOW,
        confidence=Confidence.MEDIUM,
        message="the schema is defined here but no migration tool manages its changes "
        "(Alembic, Django migrations, Flyway, Liquibase, golang-migrate, dbmate)",
        path=path,
        line=line,
    )
