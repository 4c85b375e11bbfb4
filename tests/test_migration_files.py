"""Migration files by name and content: Flyway, golang-migrate, dbmate, goose, Prisma, Liquibase."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from backend_skills.checkers.analyses._migration_files import (
    Pairs,
    numbered_script,
    sql_migration,
)
from backend_skills.checkers.analyses._migration_python import migration_facts
from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import Role


def _file(path: str, text: str = "select 1;\n") -> SourceFile:
    return SourceFile(
        path=path,
        abspath=Path("/nonexistent") / path,
        language="sql",
        role=Role.MIGRATION,
        size=len(text),
        lines=text.count("\n"),
        sha256="",
        text=text,
    )


@pytest.mark.parametrize(
    ("paths", "path", "tool", "reversible"),
    [
        (["db/V1__init.sql", "db/U1__init.sql"], "db/V1__init.sql", "flyway", True),
        (["db/V2__more.sql"], "db/V2__more.sql", "flyway", False),
        (["m/1_a.up.sql", "m/1_a.down.sql"], "m/1_a.up.sql", "migrate", True),
        (["m/2_b.up.sql"], "m/2_b.up.sql", "migrate", False),
    ],
)
def test_paired_files_decide_reversibility(
    paths: list[str], path: str, tool: str, reversible: bool
) -> None:
    files = [_file(p) for p in paths]
    (found,) = sql_migration(next(f for f in files if f.path == path), Pairs.of(files)) or []
    assert (found.tool, found.reversible) == (tool, reversible)


def test_undo_and_down_files_are_no_migrations_of_their_own() -> None:
    files = [_file("db/U1__init.sql"), _file("m/1_a.down.sql")]
    assert [sql_migration(f, Pairs.of(files)) for f in files] == [[], []]


@pytest.mark.parametrize(
    ("text", "tool", "reversible"),
    [
        (
            "-- migrate:up\ncreate table t (a int);\n-- migrate:down\ndrop table t;\n",
            "dbmate",
            True,
        ),
        ("-- migrate:up\ncreate table t (a int);\n-- migrate:down\n-- nothing\n", "dbmate", False),
        ("-- +goose Up\ncreate table t (a int);\n", "goose", False),
        (
            "--liquibase formatted sql\n--changeset a:1\ncreate table t (a int);\n",
            "liquibase",
            False,
        ),
    ],
)
def test_sql_migration_tools_by_content(text: str, tool: str, reversible: bool) -> None:
    (found,) = sql_migration(_file("db/x.sql", text), Pairs.of([])) or []
    assert (found.tool, found.reversible) == (tool, reversible)


def test_prisma_migrations_are_not_judged_on_reversibility() -> None:
    path = "prisma/migrations/20240101000000_init/migration.sql"
    (found,) = sql_migration(_file(path), Pairs.of([])) or []
    assert (found.tool, found.applicable, found.report) == ("prisma", False, False)


@pytest.mark.parametrize(
    ("path", "numbered"),
    [
        ("db/migrations/001_init.sql", True),
        ("sql/patches/readme_x.sql", False),
        ("upgrades/3.2/alter.sql", True),
        ("schema/001_init.sql", False),
    ],
)
def test_numbered_scripts_under_migration_folders(path: str, numbered: bool) -> None:
    assert numbered_script(path) is numbered


@pytest.mark.parametrize(
    ("source", "tool", "reversible", "why"),
    [
        ("revision = 'a'\ndef upgrade():\n    op.x()\n", "alembic", False, "no downgrade()"),
        (
            "revision = 'a'\ndef upgrade():\n    op.x()\ndef downgrade():\n    pass\n",
            "alembic",
            False,
            "downgrade() does nothing",
        ),
        (
            "class Migration(migrations.Migration):\n    operations = [RunPython(f)]\n",
            "django",
            False,
            "RunPython without reverse_code",
        ),
        (
            "class Migration(migrations.Migration):\n    operations = [RunPython(f, g)]\n",
            "django",
            True,
            "",
        ),
        (
            "from yoyo import step\nsteps = [step('create table t (a int)')]\n",
            "yoyo",
            False,
            "step() without a rollback",
        ),
    ],
)
def test_python_migrations(source: str, tool: str, reversible: bool, why: str) -> None:
    facts = migration_facts(ast.parse(source))
    assert facts is not None
    assert (facts["tool"], facts["reversible"], facts["why"]) == (tool, reversible, why)
