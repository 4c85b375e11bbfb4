"""sqlfluff configuration layers: the folders read for a file and where its dialect comes from."""

from __future__ import annotations

from typing import Any

import pytest

from backend_skills.checkers._sqlfluff_config import _dialect_source, folder_chain


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
