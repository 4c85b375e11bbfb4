"""Migrations and whether they can be rolled back.

Python migrations are read from one module's tree (:func:`migration_facts`: Alembic
revisions, Django migrations, yoyo steps); :func:`non_python_migrations` finds Flyway,
Liquibase, golang-migrate and dbmate files, and numbered SQL scripts, by name and content.
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
from backend_skills.core.models import CheckResult, Metric, Role

from ._migration_code import code_migrations, goose_sql, orm_entity_sites, prisma_migration
from ._migration_model import Migration
from ._sql_building import call_name, dotted

__all__ = [
    "TEST_PARTS",
    "Migration",
    "migration_facts",
    "non_python_migrations",
    "orm_entity_sites",
    "reversible_share",
]


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
    for reader in (_alembic_facts, _django_facts, _yoyo_facts):
        facts = reader(tree)
        if facts is not None:
            return facts
    return None


def _facts(tool: str, reversible: bool, line: int, why: str = "") -> dict[str, Any]:
    return {"tool": tool, "reversible": reversible, "line": line, "why": why}


def _alembic_facts(tree: ast.Module) -> dict[str, Any] | None:
    """An Alembic revision: ``upgrade()`` and a ``revision``/``down_revision`` assignment."""
    top = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    assigned = {
        t.id
        for n in tree.body
        if isinstance(n, ast.Assign | ast.AnnAssign)
        for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
        if isinstance(t, ast.Name)
    }
    if "upgrade" not in top or not ({"revision", "down_revision"} & assigned):
        return None
    down = top.get("downgrade")
    if down is None:
        return _facts("alembic", False, 1, "no downgrade()")
    if _trivial_body(down.body):
        return _facts("alembic", False, down.lineno, "downgrade() does nothing")
    return _facts("alembic", True, down.lineno)


def _django_facts(tree: ast.Module) -> dict[str, Any] | None:
    """A Django migration: ``RunPython``/``RunSQL`` without a reverse is irreversible."""
    migration = next(
        (
            node
            for node in tree.body
            if isinstance(node, ast.ClassDef)
            and node.name == "Migration"
            and any(dotted(b).endswith("Migration") for b in node.bases)
        ),
        None,
    )
    if migration is None:
        return None
    for call in ast.walk(migration):
        if not isinstance(call, ast.Call):
            continue
        name = call_name(call)
        reverse = _DJANGO_REVERSE_ARG.get(name)
        if (
            reverse is not None
            and len(call.args) < 2
            and not any(k.arg == reverse for k in call.keywords)
        ):
            return _facts("django", False, call.lineno, f"{name} without {reverse}")
    return _facts("django", True, migration.lineno)


def _yoyo_facts(tree: ast.Module) -> dict[str, Any] | None:
    """yoyo steps: ``step(apply)`` without a rollback is irreversible."""
    steps = [
        n for n in ast.walk(tree) if isinstance(n, ast.Call) and call_name(n) == "step" and n.args
    ]
    if not steps or not any(
        isinstance(n, ast.ImportFrom) and (n.module or "").startswith("yoyo") for n in tree.body
    ):
        return None
    irreversible = [s for s in steps if len(s.args) < 2]
    if irreversible:
        return _facts("yoyo", False, irreversible[0].lineno, "step() without a rollback")
    return _facts("yoyo", True, steps[0].lineno)


_FLYWAY_RE = re.compile(r"^([VU])(\d+(?:[._]\d+)*)__.+\.sql$", re.IGNORECASE)
_UPDOWN_RE = re.compile(r"^(\d+[\w.-]*?)\.(up|down)\.sql$", re.IGNORECASE)
_DBMATE_UP = re.compile(r"(?im)^\s*--\s*migrate:up\b")
_DBMATE_DOWN = re.compile(r"(?im)^\s*--\s*migrate:down\b(.*)\Z", re.DOTALL)
_LIQUIBASE_IRREVERSIBLE = re.compile(
    r"(?i)[<\s\"'-](sql|sqlFile|dropTable|dropColumn|delete|insert|update|customChange|"
    r"modifyDataType|loadData|loadUpdateData|dropIndex|dropForeignKeyConstraint|"
    r"mergeColumns|executeCommand|dropView|dropSequence|dropPrimaryKey)[\s>\"':/]"
)


#: The criterion migration reversibility feeds.
REVERSIBILITY = "database.migration_reversibility"

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
TEST_PARTS = frozenset({"tests", "test", "testing", "fixtures", "testdata"})


def _numbered_script(path: str) -> bool:
    pure = PurePosixPath(path)
    dirs = [p.lower() for p in pure.parts[:-1]]
    return any(d in _SCRIPT_DIRS for d in dirs) and (
        bool(_NUMBERED.match(pure.name)) or bool(dirs and _NUMBERED.match(dirs[-1]))
    )


def non_python_migrations(ctx: CheckContext) -> list[Migration]:
    """Flyway, golang-migrate, dbmate and Liquibase migrations, and numbered SQL scripts."""
    files = [
        f
        for f in ctx.fileset.files
        if f.role not in (Role.VENDORED, Role.GENERATED, Role.DOCS, Role.TEST)
        and not TEST_PARTS.intersection(p.lower() for p in PurePosixPath(f.path).parts[:-1])
    ]
    pairs = _Pairs.of(files)
    found: list[Migration] = []
    scripts: dict[str, list[SourceFile]] = {}
    for f in files:
        if f.language == "sql":
            read = _sql_migration(f, pairs)
            if read is not None:
                found.extend(read)
            elif _numbered_script(f.path):
                scripts.setdefault(str(PurePosixPath(f.path).parent), []).append(f)
        elif f.language in ("xml", "yaml", "json") and (
            "databaseChangeLog" in f.text or "changelog" in f.name.lower()
        ):
            found.extend(_liquibase(f))
        else:
            found.extend(code_migrations(f))
    found.extend(_numbered_scripts(scripts))
    return found


@dataclass
class _Pairs:
    """(folder, version) of every Flyway undo migration and golang-migrate down file."""

    undo: set[tuple[str, str]]
    downs: set[tuple[str, str]]

    @classmethod
    def of(cls, files: Sequence[SourceFile]) -> _Pairs:
        undo: set[tuple[str, str]] = set()
        downs: set[tuple[str, str]] = set()
        for f in files:
            folder = str(PurePosixPath(f.path).parent)
            flyway = _FLYWAY_RE.match(f.name)
            if flyway and flyway.group(1).upper() == "U":
                undo.add((folder, flyway.group(2)))
            updown = _UPDOWN_RE.match(f.name)
            if updown and updown.group(2).lower() == "down":
                downs.add((folder, updown.group(1)))
        return cls(undo, downs)


def _sql_migration(f: SourceFile, pairs: _Pairs) -> list[Migration] | None:
    """The migrations one SQL file holds (``[]`` for undo/down files), None if it is none."""
    folder = str(PurePosixPath(f.path).parent)
    for reader in (prisma_migration, goose_sql):
        found = reader(f)
        if found is not None:
            return found
    flyway = _FLYWAY_RE.match(f.name)
    if flyway:
        if flyway.group(1).upper() == "U":
            return []
        ok = (folder, flyway.group(2)) in pairs.undo
        return [Migration("flyway", f.path, 1, ok, "" if ok else "no U undo migration")]
    updown = _UPDOWN_RE.match(f.name)
    if updown:
        if updown.group(2).lower() == "down":
            return []
        ok = (folder, updown.group(1)) in pairs.downs
        return [Migration("migrate", f.path, 1, ok, "" if ok else "no .down.sql file")]
    if _DBMATE_UP.search(f.text):
        down = _DBMATE_DOWN.search(f.text)
        body = down.group(1) if down else ""
        ok = bool(re.sub(r"(?m)--[^\n]*", "", body).strip())
        return [Migration("dbmate", f.path, 1, ok, "" if ok else "empty migrate:down")]
    if f.text.lstrip().lower().startswith("--liquibase formatted sql"):
        return _liquibase_sql(f)
    return None


def _numbered_scripts(scripts: Mapping[str, list[SourceFile]]) -> list[Migration]:
    """Numbered SQL scripts, grouped by the folder holding them (one finding per group)."""
    by_root: dict[str, list[SourceFile]] = {}
    for folder, members in scripts.items():
        pure = PurePosixPath(folder)
        root = str(pure.parent) if _NUMBERED.match(pure.name) else folder
        by_root.setdefault(root, []).extend(members)
    found: list[Migration] = []
    for root, members in sorted(by_root.items()):
        members.sort(key=lambda f: f.path)
        found.extend(
            Migration(
                "numbered SQL scripts",
                f.path,
                1,
                False,
                f"{len(members)} numbered SQL migration script(s) under {root}/ have no "
                "down/undo scripts",
                report=index == 0,
            )
            for index, f in enumerate(members)
        )
    return found


def _liquibase(f: SourceFile) -> list[Migration]:
    text = f.text
    if f.language == "xml":
        marker = re.compile(r"<changeSet\b")
    else:
        marker = re.compile(r"[\"']?changeSet[\"']?\s*:")
    starts = [m.start() for m in marker.finditer(text)]
    result: list[Migration] = []
    for i, start in enumerate(starts):
        block = text[start : starts[i + 1] if i + 1 < len(starts) else len(text)]
        line = text.count("\n", 0, start) + 1
        has_rollback = re.search(r"(?i)[<\"'\s]rollback[\s>\"':/]", block) is not None
        bad = _LIQUIBASE_IRREVERSIBLE.search(block)
        ok = has_rollback or bad is None
        why = "" if ok else f"{bad.group(1) if bad else 'change'} without a rollback"
        result.append(Migration("liquibase", f.path, line, ok, why))
    return result


def _liquibase_sql(f: SourceFile) -> list[Migration]:
    result: list[Migration] = []
    blocks = re.split(r"(?im)^(?=\s*--\s*changeset\b)", f.text)
    offset = 0
    for block in blocks:
        line = f.text.count("\n", 0, offset) + 1
        offset += len(block)
        if not re.match(r"(?i)\s*--\s*changeset\b", block):
            continue
        ok = re.search(r"(?im)^\s*--\s*rollback\b", block) is not None
        result.append(Migration("liquibase", f.path, line, ok, "" if ok else "no --rollback"))
    return result


def reversible_share(
    judged: Sequence[Migration], migrations: Sequence[Migration], out: CheckResult
) -> Metric:
    """``migrations.reversible_share`` over the migrations reversibility applies to; when
    it applies to none (Prisma Migrate), not applicable with the tools' reason."""
    if judged:
        return Metric(
            name="migrations.reversible_share",
            value=sum(1 for m in judged if m.reversible) / len(judged),
            unit="share",
            files=len(judged),
        )
    why = "; ".join(sorted({m.why for m in migrations}))
    out.not_applicable[REVERSIBILITY] = why
    return Metric(name="migrations.reversible_share", value=None, reason=why)
