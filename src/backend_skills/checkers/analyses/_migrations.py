"""Migrations and whether they can be rolled back.

Python migrations are read from one module's tree (:func:`migration_facts`, in
``_migration_python``: Alembic revisions, Django migrations, yoyo steps);
:func:`non_python_migrations` finds Flyway, Liquibase, golang-migrate, dbmate, goose and
Prisma Migrate files and numbered SQL scripts (``_migration_files``), and EF Core, goose,
Knex, Sequelize and TypeORM migrations in code (``_migration_code``), by name and content.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath

from backend_skills.core.checker import CheckContext
from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import CheckResult, Metric, Role

from ._migration_code import code_migrations, orm_entity_sites
from ._migration_files import (
    Pairs,
    is_liquibase,
    liquibase,
    numbered_script,
    numbered_scripts,
    sql_migration,
)
from ._migration_model import Migration
from ._migration_python import migration_facts

__all__ = [
    "TEST_PARTS",
    "Migration",
    "migration_facts",
    "non_python_migrations",
    "orm_entity_sites",
    "reversible_share",
]

#: The criterion migration reversibility feeds.
REVERSIBILITY = "database.migration_reversibility"

#: Folders whose migrations are test fixtures (discovery calls tests/migrations "migration").
TEST_PARTS = frozenset({"tests", "test", "testing", "fixtures", "testdata"})
_NOT_MIGRATIONS = (Role.VENDORED, Role.GENERATED, Role.DOCS, Role.TEST)


def _candidates(ctx: CheckContext) -> list[SourceFile]:
    """Files that may be migrations: not vendored, generated, docs, tests or test fixtures."""
    return [
        f
        for f in ctx.fileset.files
        if f.role not in _NOT_MIGRATIONS
        and not TEST_PARTS.intersection(p.lower() for p in PurePosixPath(f.path).parts[:-1])
    ]


def non_python_migrations(ctx: CheckContext) -> list[Migration]:
    """Migrations outside Python files, and numbered SQL scripts (one group per folder)."""
    files = _candidates(ctx)
    pairs = Pairs.of(files)
    found: list[Migration] = []
    scripts: dict[str, list[SourceFile]] = {}
    for f in files:
        read = sql_migration(f, pairs) if f.language == "sql" else None
        if read is not None:
            found.extend(read)
        elif f.language == "sql":
            if numbered_script(f.path):
                scripts.setdefault(str(PurePosixPath(f.path).parent), []).append(f)
        elif is_liquibase(f):
            found.extend(liquibase(f))
        else:
            found.extend(code_migrations(f))
    found.extend(numbered_scripts(scripts))
    return found


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
