"""What the ``database`` analysis recognises: drivers, ORMs, SQL sinks and SQL-looking text."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

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

SQL_LIKE = re.compile(
    r"(?is)\bselect\b.+\bfrom\b|\binsert\s+into\b|\bupdate\b.+\bset\b|\bdelete\s+from\b"
    r"|\b(?:create|drop|alter|truncate)\s+(?:table|index|view|unique|schema)\b|\bwhere\b"
    r"|\bvalues\s*\(|\bwith\b.+\bas\s*\("
)
SQL_START = re.compile(
    r"(?is)^[\s(]*(?:select|insert|update|delete|create|drop|alter|truncate|with|pragma|grant|"
    r"revoke|vacuum|analyze|set|show|copy|call|exec|execute|merge|replace|describe|explain|"
    r"begin|commit|rollback|lock|upsert|use|attach|declare|refresh|comment\s+on|reindex)\b"
)
SELECT_STAR = re.compile(r"(?is)\bselect\s+(?:distinct\s+)?(?:[a-z_][\w]*\.)?\*\s*(?:,|from\b)")
EXISTS_BEFORE = re.compile(r"(?is)exists\s*\(\s*$")
PLACEHOLDER = re.compile(r"%s|%\(\w+\)s|\?|\$\d+|(?<![:\w]):[A-Za-z_]\w*")
FRAGMENT_NAME = re.compile(
    r"(?i)sql|query|clause|where|cond|filter|order|sort|column|cols|fields|placeholder|"
    r"table|join|select|values|limit|offset|ident"
)
REQUEST_ATTRS = frozenset(
    {"args", "form", "json", "GET", "POST", "query_params", "cookies", "headers", "values", "data"}
)
ORM_QUERY_ATTRS = frozenset(
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
SESSION_QUERY_ATTRS = frozenset({"query", "get", "execute", "scalar", "scalars", "merge"})

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
DAL_SUFFIXES = (*tuple(f"_{n}" for n in DAL_NAMES), "repository", "dao", "store")


def is_dal_module(path: str) -> bool:
    """Whether ``path`` looks like a data-access module (documented in docs/database.md)."""
    pure = PurePosixPath(path)
    parts = [p.lower() for p in pure.parts[:-1]]
    stem = pure.stem.lower()
    return (
        any(p in DAL_NAMES for p in parts)
        or stem in DAL_NAMES
        or stem.endswith(DAL_SUFFIXES)
        or stem.startswith(("db_", "sql_", "repository_", "dao_"))
    )
