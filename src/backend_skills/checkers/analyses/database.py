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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from backend_skills.core.checker import CheckContext
from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import CheckResult, Confidence, Finding, Metric, Role, Severity

from . import Analysis, Visit
from ._database_vocabulary import (
    DRIVER_MODULES,
    EXISTS_BEFORE,
    FRAGMENT_NAME,
    ORM_MODULES,
    ORM_QUERY_ATTRS,
    PLACEHOLDER,
    SELECT_STAR,
    SESSION_QUERY_ATTRS,
    SQL_KEYWORDS,
    SQL_LIKE,
    SQL_START,
    STRONG_SINKS,
    WEAK_SINKS,
    WRAPPER_SINKS,
    is_dal_module,
)
from ._migrations import (
    TEST_PARTS,
    Migration,
    migration_facts,
    non_python_migrations,
    orm_entity_sites,
    reversible_share,
)
from ._sql_building import Built, Resolver, Scope, call_name, dotted, is_upper_name

SKILL = "database"
CHECKER = "python_ast"
SAFETY = "database.query_safety"
PATTERNS = "database.query_patterns"
ACCESS = "database.data_access"
REVERSIBILITY = "database.migration_reversibility"
MIGRATIONS = "database.migrations"

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
        self.module_scope = Scope.build(tree)
        self.scopes: list[Scope] = [self.module_scope]
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
        self.scopes.insert(0, Scope.build(node))
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
        for match in SELECT_STAR.finditer(text):
            if EXISTS_BEFORE.search(text[: match.start()]):
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
        name = call_name(node)
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
            chain = dotted(node.func)
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
        if isinstance(arg, ast.Call) and call_name(arg) in WRAPPER_SINKS:
            return  # the text()/RawSQL() call is the site
        built = Resolver(self.scopes).classify(arg)
        strong = name in STRONG_SINKS or name in WRAPPER_SINKS
        if not SQL_LIKE.search(built.text) and not (strong and SQL_START.match(built.text)):
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
        resolver = Resolver(self.scopes)
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
            if isinstance(value, ast.Call) and call_name(value) == "join":
                continue  # " AND ".join(clauses): fragments assembled by the code
            if isinstance(value, ast.Name):  # a local assigned from the request: input too
                found = Resolver(self.scopes)._resolve_name(value.id, value.lineno)
                if isinstance(found, list) and any(
                    _root_path(v).split(".")[0] == "request" for _, v, _ in found
                ):
                    return Confidence.HIGH
            text = _root_path(value)
            parts = text.split(".") if text else []
            root = parts[0] if parts else ""
            fragment = bool(FRAGMENT_NAME.search(text))
            if (
                (root in params and not fragment)
                or root == "request"
                or (isinstance(value, ast.Call) and call_name(value) == "input")
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
                return bool(SQL_LIKE.search(Resolver(self.scopes).classify(arg).text))
            return True
        if not isinstance(node.func, ast.Attribute):
            return False
        chain = dotted(node.func)
        if name in ORM_QUERY_ATTRS and (".objects." in f".{chain}" or ".query." in chain):
            return True
        owner = chain.rsplit(".", 1)[0] if "." in chain else ""
        return name in SESSION_QUERY_ATTRS and owner.lower().endswith("session")

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
                has_placeholder = bool(PLACEHOLDER.search(site.built.text))
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
    return dotted(node)


def _describe(node: ast.expr) -> str:
    text = dotted(node)
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
        return is_upper_name(node.id)
    if isinstance(node, ast.Attribute):
        return is_upper_name(node.attr)
    return False


# --------------------------------------------------------------------------- migrations


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
        _site_counts(app, out)
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
        migrations: list[Migration] = []
        for path, d in sorted(data.items()):
            fact = d.get("migration")
            in_tests = TEST_PARTS.intersection(p.lower() for p in PurePosixPath(path).parts[:-1])
            if isinstance(fact, dict) and d.get("role") not in ("test", "docs") and not in_tests:
                migrations.append(
                    Migration(
                        str(fact["tool"]),
                        path,
                        int(fact["line"]),
                        bool(fact["reversible"]),
                        str(fact["why"]),
                    )
                )
        others = non_python_migrations(ctx)
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
        entities = orm_entity_sites(ctx.fileset.files)
        schema = (
            any(d.get("schema") and d.get("role") not in ("test", "docs") for d in data.values())
            or any(
                f.role not in (Role.TEST, Role.DOCS) and _CREATE_TABLE.search(f.text)
                for f in sql_files
            )
            or bool(entities)
        )
        count = len(migrations)
        out.metrics.append(Metric(name="migrations.count", value=float(count), unit="migrations"))
        if migrations:
            tools = sorted({m.tool for m in migrations})
            judged = [m for m in migrations if m.applicable]
            reversible = sum(1 for m in judged if m.reversible)
            out.notes.append(f"migrations: {count} ({', '.join(tools)}), {reversible} reversible")
            out.metrics.append(Metric(name="migrations.managed", value=1.0, files=count))
            out.metrics.append(reversible_share(judged, migrations, out))
            return
        out.metrics.append(
            Metric(name="migrations.reversible_share", value=None, reason="no migrations found")
        )
        if schema:
            out.metrics.append(Metric(name="migrations.managed", value=0.0))
            unmanaged = _unmanaged_finding(sql_files, data)
            out.findings.extend(unmanaged or [_unmanaged(*site) for site in entities[:1]])
        else:
            why = "no schema defined in the repository (no CREATE TABLE, ORM models or migrations)"
            out.metrics.append(Metric(name="migrations.managed", value=None, reason=why))
            out.not_applicable[MIGRATIONS] = why


def _site_counts(app: Mapping[str, dict[str, Any]], out: CheckResult) -> None:
    """The note and the ``db.parameterised_share`` metric over every SQL call site."""
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
