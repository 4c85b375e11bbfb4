"""Which SQL dialect a repository uses, from the evidence in its files.

For the ``sqlfluff`` checker (:mod:`backend_skills.checkers.sqlfluff`) when neither its
own ``dialect`` option nor the repository's sqlfluff configuration names one: drivers
in dependencies and imports, database URLs, Django engines, dbt profiles, container
images and SQL syntax, each weighted, the role of the file included.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from backend_skills.core.cache import FileMemo
from backend_skills.core.discovery import FileSet, SourceFile
from backend_skills.core.models import Role

#: Package names in dependency files -> dialect.
PACKAGE_DIALECTS: Mapping[str, str] = {
    "psycopg": "postgres",
    "psycopg2": "postgres",
    "psycopg2-binary": "postgres",
    "psycopg-binary": "postgres",
    "asyncpg": "postgres",
    "pg8000": "postgres",
    "aiopg": "postgres",
    "mysqlclient": "mysql",
    "pymysql": "mysql",
    "aiomysql": "mysql",
    "asyncmy": "mysql",
    "mysql-connector-python": "mysql",
    "mariadb": "mariadb",
    "aiosqlite": "sqlite",
    "snowflake-connector-python": "snowflake",
    "snowflake-sqlalchemy": "snowflake",
    "dbt-snowflake": "snowflake",
    "google-cloud-bigquery": "bigquery",
    "sqlalchemy-bigquery": "bigquery",
    "dbt-bigquery": "bigquery",
    "dbt-postgres": "postgres",
    "dbt-redshift": "redshift",
    "redshift-connector": "redshift",
    "dbt-databricks": "databricks",
    "databricks-sql-connector": "databricks",
    "dbt-duckdb": "duckdb",
    "duckdb": "duckdb",
    "clickhouse-driver": "clickhouse",
    "clickhouse-connect": "clickhouse",
    "pymssql": "tsql",
    "pyodbc": "tsql",
    "dbt-sqlserver": "tsql",
    "oracledb": "oracle",
    "cx-oracle": "oracle",
    "trino": "trino",
    "dbt-trino": "trino",
    "dbt-spark": "sparksql",
    "dbt-athena-community": "athena",
    "pyathena": "athena",
}

#: Top-level Python imports -> dialect.
IMPORT_DIALECTS: Mapping[str, str] = {
    "psycopg": "postgres",
    "psycopg2": "postgres",
    "asyncpg": "postgres",
    "pg8000": "postgres",
    "aiopg": "postgres",
    "MySQLdb": "mysql",
    "pymysql": "mysql",
    "aiomysql": "mysql",
    "asyncmy": "mysql",
    "mysql.connector": "mysql",
    "mariadb": "mariadb",
    "sqlite3": "sqlite",
    "aiosqlite": "sqlite",
    "snowflake.connector": "snowflake",
    "google.cloud.bigquery": "bigquery",
    "duckdb": "duckdb",
    "clickhouse_driver": "clickhouse",
    "clickhouse_connect": "clickhouse",
    "pymssql": "tsql",
    "pyodbc": "tsql",
    "oracledb": "oracle",
    "cx_Oracle": "oracle",
    "redshift_connector": "redshift",
    "trino": "trino",
    "databricks.sql": "databricks",
}

#: URL schemes and engine names -> dialect.
SCHEME_DIALECTS: Mapping[str, str] = {
    "postgres": "postgres",
    "postgresql": "postgres",
    "mysql": "mysql",
    "mariadb": "mariadb",
    "sqlite": "sqlite",
    "sqlite3": "sqlite",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "mssql": "tsql",
    "sqlserver": "tsql",
    "oracle": "oracle",
    "redshift": "redshift",
    "clickhouse": "clickhouse",
    "duckdb": "duckdb",
    "trino": "trino",
    "databricks": "databricks",
    "spark": "sparksql",
    "athena": "athena",
}

_PACKAGE_RE = re.compile(
    r"(?im)(?:^|[\"'\s,\[(])("
    + "|".join(sorted((re.escape(p) for p in PACKAGE_DIALECTS), key=len, reverse=True))
    + r")(?=$|[\s\"'<>=~!;,\[\])@])"
)
_IMPORT_RE = re.compile(
    r"(?m)^\s*(?:import|from)\s+("
    + "|".join(sorted((re.escape(m) for m in IMPORT_DIALECTS), key=len, reverse=True))
    + r")\b"
)
_URL_RE = re.compile(r"\b(" + "|".join(SCHEME_DIALECTS) + r")(?:\+\w+)?://", re.IGNORECASE)
_DJANGO_ENGINE_RE = re.compile(r"django\.db\.backends\.(postgresql|mysql|sqlite3|oracle)")
_IMAGE_RE = re.compile(
    r"(?im)^\s*image:\s*[\"']?(?:[\w.-]+/)?(postgres|postgis|mysql|mariadb|"
    r"mcr\.microsoft\.com/mssql|clickhouse)\b"
)
_DBT_TYPE_RE = re.compile(r"(?m)^\s*type:\s*[\"']?(\w+)")
_SQL_HINTS: Sequence[tuple[str, re.Pattern[str]]] = (
    ("postgres", re.compile(r"(?i)\b(?:big)?serial\b|\bjsonb\b|::\s*[a-z]+\b|\$\$|\bilike\b")),
    ("mysql", re.compile(r"(?i)\bauto_increment\b|\bengine\s*=\s*innodb\b|`\w+`")),
    ("sqlite", re.compile(r"(?i)\bautoincrement\b|\bwithout\s+rowid\b|\bpragma\b")),
    ("tsql", re.compile(r"(?i)\bidentity\s*\(\s*\d|\bnvarchar\b|\[dbo\]|^\s*go\s*$", re.M)),
)
_DBT_ADAPTERS: Mapping[str, str] = {
    "postgres": "postgres",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "redshift": "redshift",
    "databricks": "databricks",
    "spark": "sparksql",
    "duckdb": "duckdb",
    "trino": "trino",
    "athena": "athena",
    "sqlserver": "tsql",
    "synapse": "tsql",
    "fabric": "tsql",
    "clickhouse": "clickhouse",
    "mysql": "mysql",
    "oracle": "oracle",
    "sqlite": "sqlite",
    "materialize": "materialize",
    "exasol": "exasol",
    "teradata": "teradata",
    "vertica": "vertica",
    "greenplum": "greenplum",
}

#: Tie-break order when two dialects have the same evidence.
_PRIORITY = ("postgres", "mysql", "sqlite", "snowflake", "bigquery", "tsql")

_DEPENDENCY_NAMES = frozenset(
    {"pyproject.toml", "setup.cfg", "setup.py", "Pipfile", "environment.yml"}
)


#: Words in a SQL file's path naming its dialect (``config/db-begin-mysql.sql``,
#: ``migrations/postgres/001.sql``, ``pg.sql``).
_PATH_DIALECTS: Mapping[str, str] = {
    "mysql": "mysql",
    "mariadb": "mariadb",
    "pg": "postgres",
    "postgres": "postgres",
    "postgresql": "postgres",
    "psql": "postgres",
    "sqlite": "sqlite",
    "sqlite3": "sqlite",
    "mssql": "tsql",
    "sqlserver": "tsql",
    "tsql": "tsql",
    "oracle": "oracle",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "redshift": "redshift",
    "clickhouse": "clickhouse",
    "duckdb": "duckdb",
}
_PATH_WORD = re.compile(r"[a-z0-9]+")


def path_dialect(path: str) -> str | None:
    """The one dialect a SQL file's path names (a folder or a word of its name), or None
    (no name, or names of two dialects)."""
    named = {_PATH_DIALECTS[w] for w in _PATH_WORD.findall(path.lower()) if w in _PATH_DIALECTS}
    return named.pop() if len(named) == 1 else None


def _is_dependency_file(file: SourceFile) -> bool:
    return file.language in ("requirements", "lock") or file.name in _DEPENDENCY_NAMES


_last_inference: tuple[FileSet, tuple[str, str]] | None = None

#: One piece of evidence from one file: ``[dialect, weight, what]``.
Evidence = list[Any]


def infer_dialect(fileset: FileSet, memo: FileMemo | None = None) -> tuple[str, str]:
    """The most likely sqlfluff dialect for the repository, and why.

    Each file's evidence is a fact of its content alone, kept in ``memo`` between runs
    (reading and scanning every file's text takes 0.3 s on Django), and the result is
    remembered for the last file set (``prepare`` and ``reduce`` both ask).
    """
    global _last_inference
    if _last_inference is not None and _last_inference[0] is fileset:
        return _last_inference[1]
    inferred = _infer_dialect(fileset, memo or FileMemo())
    _last_inference = (fileset, inferred)
    return inferred


def _file_evidence(file: SourceFile, has_dbt: bool) -> list[Evidence]:
    """What one file says about the dialect (its role is part of the weights)."""
    text = file.text
    weight = 1.0 if file.role is Role.TEST else 2.0  # hints in tests count half
    found: list[Evidence] = []
    if has_dbt and file.name == "profiles.yml":
        found += _dbt_evidence(file, text)
    if _is_dependency_file(file):
        found += _package_evidence(file, text)
    if file.language == "python":
        found += _python_evidence(file, text, weight)
    # "://" first: the same matches, and the case-insensitive scan of every file's
    # text cost 0.6 s on Django.
    if file.language in _URL_LANGUAGES and "://" in text:
        found += _url_evidence(file, text, weight)
    if file.language in ("yaml", "dockerfile"):
        found += _image_evidence(file, text)
    if file.language == "sql":
        found += _sql_evidence(file, text)
    return found


#: Languages whose files may hold a database URL.
_URL_LANGUAGES = frozenset({"python", "yaml", "toml", "ini", "json", "text", "shell"})


def _package_evidence(file: SourceFile, text: str) -> list[Evidence]:
    """Database drivers named in a dependency file."""
    found: list[Evidence] = []
    for match in _PACKAGE_RE.finditer(text):
        name = match.group(1).lower()
        found.append([PACKAGE_DIALECTS[name], 3, f"{name} in {file.path}"])
    return found


def _url_evidence(file: SourceFile, text: str, weight: float) -> list[Evidence]:
    """Database URLs (``postgresql://``, ``mysql+pymysql://``)."""
    found: list[Evidence] = []
    for match in _URL_RE.finditer(text):
        scheme = match.group(1).lower()
        found.append([SCHEME_DIALECTS[scheme], weight, f"{scheme}:// URL in {file.path}"])
    return found


def _sql_evidence(file: SourceFile, text: str) -> list[Evidence]:
    """Syntax only one dialect has, in a SQL file (weak evidence)."""
    return [
        [dialect, 0.5, f"{dialect} syntax in {file.path}"]
        for dialect, pattern in _SQL_HINTS
        if pattern.search(text)
    ]


def _dbt_evidence(file: SourceFile, text: str) -> list[Evidence]:
    """The adapter types of a dbt ``profiles.yml``."""
    found: list[Evidence] = []
    for match in _DBT_TYPE_RE.finditer(text):
        dialect = _DBT_ADAPTERS.get(match.group(1).lower())
        if dialect:
            found.append([dialect, 6, f"dbt profile type {match.group(1)} in {file.path}"])
    return found


def _python_evidence(file: SourceFile, text: str, weight: float) -> list[Evidence]:
    """Driver imports and Django database engines in Python code."""
    found: list[Evidence] = []
    for match in _IMPORT_RE.finditer(text):
        found.append(
            [IMPORT_DIALECTS[match.group(1)], weight, f"import {match.group(1)} in {file.path}"]
        )
    for match in _DJANGO_ENGINE_RE.finditer(text):
        engine = match.group(1)
        found.append(
            [SCHEME_DIALECTS.get(engine, "ansi"), 3, f"Django engine {engine} in {file.path}"]
        )
    return found


def _image_evidence(file: SourceFile, text: str) -> list[Evidence]:
    """Database container images in Compose files, manifests and Dockerfiles."""
    found: list[Evidence] = []
    for match in _IMAGE_RE.finditer(text):
        image = match.group(1).lower()
        dialect = {"postgis": "postgres", "mcr.microsoft.com/mssql": "tsql"}.get(image, image)
        found.append([SCHEME_DIALECTS.get(dialect, dialect), 2, f"{image} image in {file.path}"])
    return found


def _infer_dialect(fileset: FileSet, memo: FileMemo) -> tuple[str, str]:
    scores: Counter[str] = Counter()
    evidence: dict[str, list[tuple[float, str]]] = {}
    has_dbt = any(f.name == "dbt_project.yml" for f in fileset.files)
    considered = [
        f for f in fileset.files if f.role not in (Role.VENDORED, Role.GENERATED, Role.DOCS)
    ]
    per_file = memo.per_file(
        f"dialect evidence (dbt: {has_dbt})",
        considered,
        lambda f: _file_evidence(f, has_dbt),
    )
    for file in _hinting(considered):
        for dialect, weight, what in per_file[file.path]:
            scores[dialect] += weight
            evidence.setdefault(dialect, []).append((weight, what))
    scores = Counter({d: s for d, s in scores.items() if d != "ansi"})
    if not scores:
        return "ansi", "no dialect configured and no database evidence found"
    return _best_dialect(scores, evidence)


def _hinting(files: Sequence[SourceFile]) -> list[SourceFile]:
    """The files whose evidence counts: syntax hints from the first 200 SQL files only."""
    out: list[SourceFile] = []
    sql_files = 0
    for file in files:
        sql_files += file.language == "sql"
        if file.language != "sql" or sql_files <= 200:
            out.append(file)
    return out


def _best_dialect(
    scores: Counter[str], evidence: Mapping[str, list[tuple[float, str]]]
) -> tuple[str, str]:
    """The dialect with the most evidence (ties by :data:`_PRIORITY`), and why."""
    best = max(
        scores,
        key=lambda d: (scores[d], -(_PRIORITY.index(d) if d in _PRIORITY else len(_PRIORITY))),
    )
    items = sorted(evidence[best], key=lambda e: -e[0])
    why = f"inferred from {items[0][1]}"
    if len(items) > 1:
        why += f" (+{len(items) - 1} more)"
    others = [d for d in sorted(scores, key=lambda d: -scores[d]) if d != best]
    if others:
        why += f"; also seen: {', '.join(others[:3])}"
    return best, why
