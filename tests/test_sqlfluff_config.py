"""sqlfluff configuration layers: the folders read for a file and where its dialect comes from."""

from __future__ import annotations

from typing import Any

import pytest

from backend_skills import score
from backend_skills.checkers._sqlfluff_config import _dialect_source, folder_chain
from tests.conftest import TreeFactory


@pytest.mark.parametrize(
    ("path", "chain"),
    [
        ("q.sql", [""]),
        ("db/q.sql", ["", "db"]),
        ("db/sql/q.sql", ["", "db", "db/sql"]),
    ],
)
def test_folder_chain(path: str, chain: list[str]) -> None:
    assert folder_chain(path) == chain


@pytest.mark.parametrize(
    ("core", "options", "used", "dialect", "why"),
    [
        ({}, {"dialect": "postgres", "why": "inferred"}, [], "postgres", "inferred"),
        ({}, {}, [], "ansi", ""),
        (
            {"dialect": "mysql"},
            {"dialect": "postgres"},
            [""],
            "mysql",
            "set by the sqlfluff configuration in the root",
        ),
        ({"dialect": "mysql"}, {}, ["", "db"], "mysql", "set by the sqlfluff configuration in db"),
        (
            {"dialect": "mysql"},
            {"dialect": "tsql", "force_dialect": True, "why": "--sql-dialect"},
            ["db"],
            "tsql",
            "--sql-dialect",
        ),
    ],
)
def test_dialect_source(
    core: dict[str, Any], options: dict[str, Any], used: list[str], dialect: str, why: str
) -> None:
    assert _dialect_source(core, options, used) == why
    assert core["dialect"] == dialect


@pytest.mark.parametrize(
    ("path", "core", "options", "dialect"),
    [
        # an inferred repository dialect gives way to the one the path names
        ("config/db-begin-mysql.sql", {}, {"dialect": "tsql", "inferred": True}, "mysql"),
        ("config/pg.sql", {}, {"dialect": "tsql", "inferred": True}, "postgres"),
        ("db/postgres/001_init.sql", {}, {"dialect": "mysql", "inferred": True}, "postgres"),
        # a path naming two dialects, or none, keeps the inferred one
        ("sql/mysql_to_postgres.sql", {}, {"dialect": "tsql", "inferred": True}, "tsql"),
        ("db/schema.sql", {}, {"dialect": "tsql", "inferred": True}, "tsql"),
        # a configured or forced dialect is never overridden by a name
        ("config/pg.sql", {"dialect": "mysql"}, {"dialect": "tsql", "inferred": True}, "mysql"),
        ("config/pg.sql", {}, {"dialect": "tsql", "force_dialect": True}, "tsql"),
        ("config/pg.sql", {}, {"dialect": "tsql"}, "tsql"),
    ],
)
def test_a_path_naming_a_dialect_overrides_an_inferred_one(
    path: str, core: dict[str, Any], options: dict[str, Any], dialect: str
) -> None:
    configured = bool(core)
    why = _dialect_source(core, options, [], path)
    assert core["dialect"] == dialect
    named = dialect != options["dialect"] and not configured
    assert (why == f"named by the file's path ({path})") is named


def test_a_mysql_schema_in_a_tsql_repository_parses_as_mysql(make_tree: TreeFactory) -> None:
    schema = (
        "CREATE TABLE `sys_user` (\n"
        "  `user_id` int NOT NULL AUTO_INCREMENT,\n"
        "  `username` varchar(64) DEFAULT NULL,\n"
        "  PRIMARY KEY (`user_id`)\n"
        ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n"
    )
    tsql = "CREATE TABLE [dbo].[jobs] (\n  [id] int IDENTITY(1,1) PRIMARY KEY,\n  [name] nvarchar(64)\n);\nGO\n"
    root = make_tree(
        {
            "requirements.txt": "pyodbc==5.1.0\n",
            "config/db-begin-mysql.sql": schema,
            "config/db-sqlserver.sql": tsql,
        }
    )
    report = score(root, skills=["database"], isolated=True, cache=False)
    parse = report.criterion("database.sql_parse")
    assert parse.metrics["sql.parse_error_share"] == 0
