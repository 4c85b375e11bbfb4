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
from pathlib import PurePosixPath
from typing import Any

from backend_skills.core.checker import CheckContext
from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import CheckResult, Confidence, Finding, Metric, Role, Severity

from . import Analysis, Visit
from ._database_queries import PATTERNS, QueryVisitor
from ._database_vocabulary import is_dal_module
from ._migrations import (
    TEST_PARTS,
    Migration,
    migration_facts,
    non_python_migrations,
    orm_entity_sites,
    reversible_share,
)
from ._query_safety import CHECKER, SAFETY, SKILL

ACCESS = "database.data_access"
REVERSIBILITY = "database.migration_reversibility"
MIGRATIONS = "database.migrations"

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
        visitor = QueryVisitor(file, tree)
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
                _irreversible(
                    str(migration["tool"]), str(migration["why"]), file.path, int(migration["line"])
                )
            )
        return Visit(findings=findings, data=data)

    def reduce(self, ctx: CheckContext, data: Mapping[str, dict[str, Any]]) -> CheckResult:
        """Shares, migration facts and applicability over the whole repository."""
        out = CheckResult()
        data = _readable(data, out)
        app = {p: d for p, d in data.items() if d.get("role") not in ("test", "docs")}
        db_access = _reaches_database(app)
        orm = any(d.get("orm") for d in app.values())
        sql_files = _application_sql(ctx)
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
        out.findings.extend(_outside_dal(source))
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
        migrations = _python_migrations(data)
        others = non_python_migrations(ctx)
        migrations.extend(others)
        out.findings.extend(
            _irreversible(m.tool, m.why, m.path, m.line)
            for m in others
            if not m.reversible and m.report
        )
        count = len(migrations)
        out.metrics.append(Metric(name="migrations.count", value=float(count), unit="migrations"))
        if migrations:
            _migration_metrics(migrations, out)
            return
        out.metrics.append(
            Metric(name="migrations.reversible_share", value=None, reason="no migrations found")
        )
        entities = orm_entity_sites(ctx.fileset.files)
        if _schema_defined(data, sql_files) or entities:
            out.metrics.append(Metric(name="migrations.managed", value=0.0))
            unmanaged = _unmanaged_finding(sql_files, data)
            out.findings.extend(unmanaged or [_unmanaged(*site) for site in entities[:1]])
        else:
            why = "no schema defined in the repository (no CREATE TABLE, ORM models or migrations)"
            out.metrics.append(Metric(name="migrations.managed", value=None, reason=why))
            out.not_applicable[MIGRATIONS] = why


def _readable(data: Mapping[str, dict[str, Any]], out: CheckResult) -> dict[str, dict[str, Any]]:
    """The files the visitor could read; a note names the others."""
    errors = sorted(p for p, d in data.items() if "error" in d)
    if errors:
        out.notes.append(
            f"database analysis could not read {len(errors)} file(s), e.g. {errors[0]}: "
            f"{data[errors[0]]['error']}"
        )
    return {p: d for p, d in data.items() if "error" not in d}


def _reaches_database(app: Mapping[str, dict[str, Any]]) -> bool:
    """Application code that reaches a database, or builds SQL from values anywhere."""
    return any(
        d.get("db_access") and d.get("role") in ("source", "other") for d in app.values()
    ) or any(int(d.get("sites", {}).get("dynamic", 0)) for d in app.values())


def _application_sql(ctx: CheckContext) -> list[SourceFile]:
    """SQL files of the application (not vendored, generated, tests or docs)."""
    return [
        f
        for f in ctx.fileset.files
        if f.language == "sql"
        and f.role not in (Role.VENDORED, Role.GENERATED, Role.TEST, Role.DOCS)
    ]


def _outside_dal(source: Mapping[str, dict[str, Any]]) -> list[Finding]:
    """BSDB020 for each source module issuing raw SQL outside a data-access module."""
    return [
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
        for path, d in sorted(source.items())
        if d.get("raw_sites") and not d.get("dal")
    ]


def _python_migrations(data: Mapping[str, dict[str, Any]]) -> list[Migration]:
    """Migrations the per-file visit recognised (not in tests or docs)."""
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
    return migrations


def _irreversible(tool: str, why: str, path: str, line: int) -> Finding:
    """BSDB301: a migration that cannot be rolled back."""
    return Finding(
        checker=CHECKER,
        rule="BSDB301",
        skill=SKILL,
        criterion=REVERSIBILITY,
        severity=Severity.LOW,
        confidence=Confidence.HIGH,
        message=f"{tool} migration cannot be rolled back: {why}",
        path=path,
        line=line,
    )


def _migration_metrics(migrations: Sequence[Migration], out: CheckResult) -> None:
    """The note and metrics of a repository whose schema changes are migrations; the
    reversible share counts only the migrations whose tool has down migrations."""
    count = len(migrations)
    tools = sorted({m.tool for m in migrations})
    judged = [m for m in migrations if m.applicable]
    reversible = sum(1 for m in judged if m.reversible)
    out.notes.append(f"migrations: {count} ({', '.join(tools)}), {reversible} reversible")
    out.metrics.append(Metric(name="migrations.managed", value=1.0, files=count))
    out.metrics.append(reversible_share(judged, list(migrations), out))


def _schema_defined(data: Mapping[str, dict[str, Any]], sql_files: Sequence[SourceFile]) -> bool:
    """ORM models or a ``CREATE TABLE`` outside tests and docs."""
    return any(
        d.get("schema") and d.get("role") not in ("test", "docs") for d in data.values()
    ) or any(
        f.role not in (Role.TEST, Role.DOCS) and _CREATE_TABLE.search(f.text) for f in sql_files
    )


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
