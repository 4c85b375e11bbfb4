"""SQL, XML and YAML migration files: Flyway, golang-migrate, dbmate, Liquibase and
numbered SQL scripts (with goose and Prisma Migrate from ``_migration_code``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from backend_skills.core.discovery import SourceFile

from ._migration_code import goose_sql, prisma_migration
from ._migration_model import Migration

_FLYWAY_RE = re.compile(r"^([VU])(\d+(?:[._]\d+)*)__.+\.sql$", re.IGNORECASE)
_UPDOWN_RE = re.compile(r"^(\d+[\w.-]*?)\.(up|down)\.sql$", re.IGNORECASE)
_DBMATE_UP = re.compile(r"(?im)^\s*--\s*migrate:up\b")
_DBMATE_DOWN = re.compile(r"(?im)^\s*--\s*migrate:down\b(.*)\Z", re.DOTALL)
_LIQUIBASE_IRREVERSIBLE = re.compile(
    r"(?i)[<\s\"'-](sql|sqlFile|dropTable|dropColumn|delete|insert|update|customChange|"
    r"modifyDataType|loadData|loadUpdateData|dropIndex|dropForeignKeyConstraint|"
    r"mergeColumns|executeCommand|dropView|dropSequence|dropPrimaryKey)[\s>\"':/]"
)

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


def numbered_script(path: str) -> bool:
    """A SQL file named (or in a folder named) with a leading number under a migrations
    folder: a home-grown migration tool."""
    pure = PurePosixPath(path)
    dirs = [p.lower() for p in pure.parts[:-1]]
    return any(d in _SCRIPT_DIRS for d in dirs) and (
        bool(_NUMBERED.match(pure.name)) or bool(dirs and _NUMBERED.match(dirs[-1]))
    )


def is_liquibase(f: SourceFile) -> bool:
    """An XML/YAML/JSON Liquibase changelog."""
    return f.language in ("xml", "yaml", "json") and (
        "databaseChangeLog" in f.text or "changelog" in f.name.lower()
    )


@dataclass
class Pairs:
    """(folder, version) of every Flyway undo migration and golang-migrate down file."""

    undo: set[tuple[str, str]]
    downs: set[tuple[str, str]]

    @classmethod
    def of(cls, files: Sequence[SourceFile]) -> Pairs:
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

    def flyway(self, f: SourceFile) -> list[Migration] | None:
        """A Flyway ``V<n>__`` migration, reversible with a ``U<n>__`` undo file."""
        match = _FLYWAY_RE.match(f.name)
        if match is None:
            return None
        if match.group(1).upper() == "U":
            return []
        ok = (str(PurePosixPath(f.path).parent), match.group(2)) in self.undo
        return [Migration("flyway", f.path, 1, ok, "" if ok else "no U undo migration")]

    def migrate(self, f: SourceFile) -> list[Migration] | None:
        """A golang-migrate ``<n>.up.sql``, reversible with its ``.down.sql``."""
        match = _UPDOWN_RE.match(f.name)
        if match is None:
            return None
        if match.group(2).lower() == "down":
            return []
        ok = (str(PurePosixPath(f.path).parent), match.group(1)) in self.downs
        return [Migration("migrate", f.path, 1, ok, "" if ok else "no .down.sql file")]


def _dbmate(f: SourceFile) -> list[Migration] | None:
    if not _DBMATE_UP.search(f.text):
        return None
    down = _DBMATE_DOWN.search(f.text)
    body = down.group(1) if down else ""
    ok = bool(re.sub(r"(?m)--[^\n]*", "", body).strip())
    return [Migration("dbmate", f.path, 1, ok, "" if ok else "empty migrate:down")]


def _liquibase_formatted(f: SourceFile) -> list[Migration] | None:
    if not f.text.lstrip().lower().startswith("--liquibase formatted sql"):
        return None
    return _liquibase_sql(f)


def sql_migration(f: SourceFile, pairs: Pairs) -> list[Migration] | None:
    """The migrations one SQL file holds (``[]`` for undo/down files), None if it is none."""
    readers: tuple[Callable[[SourceFile], list[Migration] | None], ...] = (
        prisma_migration,
        goose_sql,
        pairs.flyway,
        pairs.migrate,
        _dbmate,
        _liquibase_formatted,
    )
    for reader in readers:
        found = reader(f)
        if found is not None:
            return found
    return None


def numbered_scripts(scripts: Mapping[str, list[SourceFile]]) -> list[Migration]:
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


def liquibase(f: SourceFile) -> list[Migration]:
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
