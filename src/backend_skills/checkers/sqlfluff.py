"""The ``sqlfluff`` checker: SQL style, parse failures and schema design.

sqlfluff runs in-process through its Python API, one file at a time (the runner spreads
files over worker processes, so sqlfluff's own pool is never started: ``processes=1``).

- :meth:`SqlfluffChecker.prepare` resolves the dialect once per run: the checker's own
  ``dialect`` option, else the repository's sqlfluff configuration (``.sqlfluff``,
  ``[tool.sqlfluff]`` in ``pyproject.toml``, ``[sqlfluff]`` in ``setup.cfg``/``tox.ini``/
  ``pep8.ini`` at the root), else evidence in the repository (drivers in dependencies and
  imports, database URLs, Django engines, dbt profiles, container images, SQL syntax),
  else ``ansi``. The reason is kept and shown in the report's notes.
- :meth:`SqlfluffChecker.check_file` lints one SQL file with a ``FluffConfig`` layered
  from the repository's config files between the root and the file (never from the
  current directory or the home folder), and reads the schema (``CREATE TABLE``,
  ``CREATE INDEX``, ``ALTER TABLE``) from statements located in the parse tree. Python
  files that declare tables (SQLAlchemy, SQLModel, Alembic, Django) are read for the
  schema too, so the schema metrics cover both.
- Files over sqlfluff's ``large_file_skip_byte_limit`` and templated files whose
  templating fails are *not analysed* (listed in ``skipped`` with the reason, never
  counted clean); their schema is still read by the fallback reader.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from backend_skills.core.cache import FileMemo
from backend_skills.core.checker import CheckContext, Checker, FileChecker, FileResult
from backend_skills.core.discovery import FileSet, SourceFile
from backend_skills.core.hookspecs import hookimpl
from backend_skills.core.models import (
    CheckResult,
    Confidence,
    Finding,
    Metric,
    Role,
    Severity,
    Skip,
)

from ._python import parse_python
from ._redact import redacted_message
from ._sqlfluff_safe import (
    BUDGET_MARK,
    MAX_CONFIG_BYTES,
    ConfigTextError,
    InlineNotes,
    filter_config,
    load_config_text,
    safe_config_class,
)
from .sql_schema import (
    SCHEMA_METRICS,
    SCHEMA_ROLES,
    SchemaFacts,
    evaluate_schema,
    facts_from_json,
    has_python_schema_markers,
    read_ddl,
    read_python_schema,
)

SKILL = "database"

#: Criteria this checker reports findings for.
STYLE = "database.sql_style"
PARSE = "database.sql_parse"
PATTERNS = "database.query_patterns"

#: sqlfluff rule codes that are not style: parse/lex errors, and ``SELECT *`` (AM04).
PARSE_CODES = frozenset({"PRS", "LXR"})
WILDCARD_CODE = "AM04"

#: Config files sqlfluff reads in a folder, in its own precedence order (last wins).
CONFIG_FILES = ("setup.cfg", "tox.ini", "pep8.ini", ".sqlfluff", "pyproject.toml")


#: Roles whose SQL counts in the style and parse metrics.
COUNTED_ROLES = frozenset({Role.SOURCE, Role.MIGRATION})

DEFAULT_BYTE_LIMIT = 20000


class SqlfluffOptions(BaseModel):
    """``[tool.backend_skills.checkers.sqlfluff]``."""

    model_config = ConfigDict(extra="forbid")

    dialect: str | None = Field(
        default=None, description="Force this sqlfluff dialect for every SQL file."
    )
    exclude_rules: list[str] = Field(
        default_factory=list, description="sqlfluff rule codes or names not to run."
    )
    large_file_skip_byte_limit: int | None = Field(
        default=None,
        ge=0,
        description="Override sqlfluff's limit (bytes; 0 = none). Larger files are skipped.",
    )


# --------------------------------------------------------------------------- dialect


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
    found: list[Evidence] = []

    def add(dialect: str, weight: float, what: str) -> None:
        found.append([dialect, weight, what])

    text = file.text
    weight = 1.0 if file.role is Role.TEST else 2.0  # hints in tests count half
    if has_dbt and file.name == "profiles.yml":
        for match in _DBT_TYPE_RE.finditer(text):
            dialect = _DBT_ADAPTERS.get(match.group(1).lower())
            if dialect:
                add(dialect, 6, f"dbt profile type {match.group(1)} in {file.path}")
    if _is_dependency_file(file):
        for match in _PACKAGE_RE.finditer(text):
            name = match.group(1).lower()
            add(PACKAGE_DIALECTS[name], 3, f"{name} in {file.path}")
    if file.language == "python":
        for match in _IMPORT_RE.finditer(text):
            add(IMPORT_DIALECTS[match.group(1)], weight, f"import {match.group(1)} in {file.path}")
        for match in _DJANGO_ENGINE_RE.finditer(text):
            engine = match.group(1)
            add(SCHEME_DIALECTS.get(engine, "ansi"), 3, f"Django engine {engine} in {file.path}")
    # "://" first: the same matches, and the case-insensitive scan of every file's
    # text cost 0.6 s on Django.
    if file.language in ("python", "yaml", "toml", "ini", "json", "text", "shell") and (
        "://" in text
    ):
        for match in _URL_RE.finditer(text):
            scheme = match.group(1).lower()
            add(SCHEME_DIALECTS[scheme], weight, f"{scheme}:// URL in {file.path}")
    if file.language in ("yaml", "dockerfile"):
        for match in _IMAGE_RE.finditer(text):
            image = match.group(1).lower()
            dialect = {"postgis": "postgres", "mcr.microsoft.com/mssql": "tsql"}.get(image, image)
            add(SCHEME_DIALECTS.get(dialect, dialect), 2, f"{image} image in {file.path}")
    if file.language == "sql":
        for dialect, pattern in _SQL_HINTS:
            if pattern.search(text):
                add(dialect, 0.5, f"{dialect} syntax in {file.path}")
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
    sql_hint_files = 0
    for file in considered:
        if file.language == "sql":
            sql_hint_files += 1
            if sql_hint_files > 200:  # syntax hints from the first 200 SQL files only
                continue
        for dialect, weight, what in per_file[file.path]:
            scores[dialect] += weight
            evidence.setdefault(dialect, []).append((weight, what))
    scores = Counter({d: s for d, s in scores.items() if d != "ansi"})
    if not scores:
        return "ansi", "no dialect configured and no database evidence found"
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


def _has_sqlfluff_section(name: str, text: str) -> bool:
    if name == ".sqlfluff":
        return True
    if name == "pyproject.toml":
        return "sqlfluff" in text
    return "[sqlfluff" in text


# --------------------------------------------------------------------------- linter cache

_LINTERS: dict[str, Any] = {}


def _linter_for(configs: Mapping[str, Any]) -> Any:
    """A sqlfluff ``Linter`` for these configs, built once per process."""
    key = json.dumps(configs, sort_keys=True, default=str)
    linter = _LINTERS.get(key)
    if linter is None:
        from sqlfluff.core import Linter

        config = safe_config_class()(configs=dict(configs), require_dialect=True)
        linter = Linter(config=config)
        if len(_LINTERS) > 32:
            _LINTERS.clear()
        _LINTERS[key] = linter
    return linter


def _file_configs(
    file: SourceFile, options: Mapping[str, Any]
) -> tuple[dict[str, Any], str, str, list[str]]:
    """Layered sqlfluff config for ``file``: (configs, dialect, why, notes).

    The layers were read and filtered by ``prepare`` (no file is read here): the
    root's, then each folder's down to the file's, the deeper one winning.
    """
    from sqlfluff.core.helpers.dict import nested_combine

    config_dirs: Mapping[str, Any] = options.get("configs", {})
    parent = PurePosixPath(file.path).parent
    chain = ["", *("/".join(parent.parts[: i + 1]) for i in range(len(parent.parts)))]
    layers = [config_dirs[rel] for rel in chain if rel in config_dirs]
    used = [rel or "." for rel in chain if rel in config_dirs]
    configs: dict[str, Any] = nested_combine({"core": {}}, *layers) if layers else {"core": {}}
    core: dict[str, Any] = configs.setdefault("core", {})
    core["processes"] = 1
    if options.get("ignore_inline"):
        core["disable_noqa"] = True  # `-- noqa` is configuration of the scored tree too
    excluded = [str(r) for r in options.get("exclude_rules", [])]
    if excluded:
        existing = core.get("exclude_rules")
        if isinstance(existing, str) and existing.strip() and existing != "None":
            excluded = [*existing.split(","), *excluded]
        elif isinstance(existing, list):
            excluded = [*map(str, existing), *excluded]
        core["exclude_rules"] = ",".join(e.strip() for e in excluded if e.strip())
    if options.get("force_dialect") or not core.get("dialect"):
        core["dialect"] = options.get("dialect") or "ansi"
        why = str(options.get("why", ""))
    else:
        where = "/".join(u for u in used if u != ".") or "the root"
        why = f"set by the sqlfluff configuration in {where}"
    return configs, str(core["dialect"]), why, []


def _config_sources(ctx: CheckContext, notes: list[str]) -> list[tuple[str, str, str, str]]:
    """The sqlfluff config files that apply: (folder, file name, label, text).

    From the scored tree, or with ``config_root`` from the same folders of that
    checkout, or none with ``isolated``; in sqlfluff's precedence order.
    """
    sources: list[tuple[str, str, str, str]] = []
    if ctx.config_root is not None:
        base = ctx.config_root.resolve()
        folders = {""}
        for file in ctx.fileset.files:
            if file.language == "sql":
                parts = PurePosixPath(file.path).parent.parts
                folders.update("/".join(parts[: i + 1]) for i in range(len(parts)))
        for rel in sorted(folders):
            for name in CONFIG_FILES:
                path = base / rel / name if rel else base / name
                label = f"{path} (--config-root)"
                try:
                    if path.is_symlink() or not path.is_file():
                        continue
                    if not path.resolve().is_relative_to(base):
                        continue
                    if path.stat().st_size > MAX_CONFIG_BYTES:
                        notes.append(f"{label}: ignored (larger than {MAX_CONFIG_BYTES} bytes)")
                        continue
                    text = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    notes.append(f"{label}: not readable ({type(exc).__name__})")
                    continue
                if _has_sqlfluff_section(name, text):
                    sources.append((rel, name, label, text))
        return sources
    if ctx.isolated:
        return sources
    for file in ctx.fileset.files:
        if file.name in CONFIG_FILES and _has_sqlfluff_section(file.name, file.text):
            rel = str(PurePosixPath(file.path).parent)
            sources.append(("" if rel == "." else rel, file.name, file.path, file.text))
    sources.sort(key=lambda s: (s[0], CONFIG_FILES.index(s[1])))
    return sources


def _read_configs(ctx: CheckContext) -> tuple[dict[str, Any], list[str], str]:
    """Each folder's sqlfluff configuration, filtered for an untrusted repository,
    notes on what was ignored, and the file that sets the root's dialect."""
    from sqlfluff.core.helpers.dict import nested_combine

    notes: list[str] = []
    configs: dict[str, Any] = {}
    dialect_from = ""
    for rel, name, label, text in _config_sources(ctx, notes):
        try:
            raw = load_config_text(name, text)
        except ConfigTextError as exc:
            notes.append(
                f"sqlfluff configuration in {label} not usable: {redacted_message(str(exc))}"
            )
            continue
        kept, dropped = filter_config(raw, byte_limit_cap=DEFAULT_BYTE_LIMIT)
        configs[rel] = nested_combine(configs.get(rel, {}), kept)
        if rel == "" and kept.get("core", {}).get("dialect"):
            dialect_from = label
        for item in dropped:
            if item.startswith("core:templater="):
                templater = item.split("=", 1)[1]
                notes.append(
                    f"sqlfluff templater {templater!r} is not run (it executes project code); "
                    "jinja with dbt builtins used instead"
                )
            if item.endswith("library_path"):
                notes.append("sqlfluff library_path ignored: the scored code is never imported")
        if dropped:
            shown = ", ".join(redacted_message(d)[:60] for d in dropped[:8])
            more = f" (+{len(dropped) - 8} more)" if len(dropped) > 8 else ""
            notes.append(
                f"sqlfluff settings in {label} ignored (not allowed for an untrusted "
                f"repository: they load code, name paths or lift limits): {shown}{more}"
            )
    return configs, list(dict.fromkeys(notes)), dialect_from


# --------------------------------------------------------------------------- the checker


def _strip_position(desc: str) -> str:
    return re.sub(r"^Line \d+, Position \d+:\s*", "", desc).strip()


_QUOTED_SECTION = re.compile(r"(?s)^(.*?section: )([\"'])(.*?)\2(\.\s.*|\s*)$")


def _redact_desc(desc: str) -> str:
    """sqlfluff's message without a secret from the SQL it quotes: the quoted SQL keeps
    its words, loses its string literals, passwords and key-shaped tokens."""
    desc = desc[:2000]
    match = _QUOTED_SECTION.match(desc)
    if match is None:
        return redacted_message(desc)
    head, quote, sql, tail = match.groups()
    return f"{redacted_message(head)}{quote}{redacted_message(sql)}{quote}{redacted_message(tail)}"


class SqlfluffChecker(FileChecker):
    """sqlfluff lint of ``.sql`` files, parse failures, and the schema read from SQL and ORM code."""

    name = "sqlfluff"
    languages: ClassVar[frozenset[str]] = frozenset({"sql", "python"})
    provides = (
        "sql.violations_per_100_lines",
        "sql.parse_error_share",
        "sql.files_analysed",
        *SCHEMA_METRICS,
    )
    feeds = (
        STYLE,
        PARSE,
        PATTERNS,
        "database.primary_keys",
        "database.foreign_keys",
        "database.fk_indexes",
        "database.constraints",
        "database.naming",
    )
    options_model = SqlfluffOptions

    @property
    def version(self) -> str:
        """The installed sqlfluff version (from its distribution: importing sqlfluff
        to read it took 0.15 s of every run, warm ones included)."""
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("sqlfluff")
        except PackageNotFoundError:
            import sqlfluff

            return str(sqlfluff.__version__)

    def select(self, ctx: CheckContext) -> list[SourceFile]:
        """SQL files, and Python files of the schema roles that may declare tables."""
        chosen: list[SourceFile] = []
        for file in ctx.fileset.files:
            if file.role in (Role.VENDORED, Role.GENERATED):
                continue
            if file.language == "sql" or (
                file.language == "python"
                and file.role in SCHEMA_ROLES
                and has_python_schema_markers(file.text)
            ):
                chosen.append(file)
        return chosen

    def prepare(self, ctx: CheckContext) -> dict[str, Any]:
        """The dialect (and why), each folder's filtered sqlfluff configuration, the
        user's options, and whether the scored tree's inline settings count."""
        options = SqlfluffOptions.model_validate(dict(ctx.options))
        configs, notes, dialect_from = _read_configs(ctx)
        root_dialect = configs.get("", {}).get("core", {}).get("dialect")
        force = False
        if options.dialect:
            dialect, why = options.dialect, "set in [tool.backend_skills.checkers.sqlfluff]"
            force = True
        elif root_dialect:
            dialect, why = str(root_dialect), f"set by {dialect_from}"
        else:
            dialect, why = infer_dialect(ctx.fileset, ctx.memo)
        ignore_inline = ctx.isolated or ctx.config_root is not None
        if ignore_inline:
            source = "--config-root" if ctx.config_root is not None else "--isolated"
            notes.append(
                f"{source}: the scored tree's sqlfluff configuration, inline -- sqlfluff: "
                "settings and -- noqa comments are ignored"
            )
        return {
            "dialect": dialect,
            "why": why,
            "force_dialect": force,
            "configs": configs,
            "config_notes": notes,
            "ignore_inline": ignore_inline,
            "exclude_rules": list(options.exclude_rules),
            "byte_limit": options.large_file_skip_byte_limit,
        }

    def cache_inputs(self, ctx: CheckContext) -> str | None:
        """The discovered files, and with ``--config-root`` that folder's configuration."""
        inputs = super().cache_inputs(ctx)
        if inputs is None or (ctx.config_root is None and not ctx.isolated):
            return inputs
        configs = _read_configs(ctx) if ctx.config_root is not None else None
        return json.dumps([inputs, str(ctx.config_root), ctx.isolated, configs], sort_keys=True)

    # -- per file ----------------------------------------------------------------------

    def check_file(self, file: SourceFile, options: Mapping[str, Any]) -> FileResult:
        """Lint one SQL file (or read the schema a Python file declares)."""
        if file.language == "python":
            tree = parse_python(file.text, file.path)
            if isinstance(tree, str):
                return FileResult(data={"kind": "python"})
            return FileResult(data={"kind": "python", "schema": read_python_schema(tree)})
        return self._check_sql(file, options)

    def _check_sql(self, file: SourceFile, options: Mapping[str, Any]) -> FileResult:
        data: dict[str, Any] = {"kind": "sql", "lines": file.lines}
        try:
            configs, dialect, why, notes = _file_configs(file, options)
            linter = _linter_for(configs)
        except Exception as exc:
            fallback = str(options.get("dialect") or "ansi")
            problem = redacted_message(" ".join(str(exc).split()))[:160]
            try:
                configs = {"core": {"dialect": fallback, "templater": "jinja", "processes": 1}}
                linter = _linter_for(configs)
            except Exception:
                configs = {"core": {"dialect": "ansi", "templater": "jinja", "processes": 1}}
                linter = _linter_for(configs)
                fallback = "ansi"
            dialect = fallback
            why = f"{options.get('why', '')}; the repository's sqlfluff config was unusable"
            notes = [f"sqlfluff configuration not usable for {file.path}: {problem}"]
        notes = [*map(str, options.get("config_notes", ())), *notes]
        data.update(dialect=dialect, why=why, notes=notes)
        limit = self._byte_limit(configs, options)
        if limit and file.size > limit:
            data["schema"] = read_ddl(file.text)
            return FileResult(
                data=data,
                skipped=(
                    f"not analysed by sqlfluff: {file.size} bytes is over its "
                    f"large_file_skip_byte_limit of {limit} bytes (schema still read)"
                ),
            )
        InlineNotes.dropped = []
        InlineNotes.ignore_inline = bool(options.get("ignore_inline"))
        try:
            linted = linter.lint_string(file.text, fname=str(file.abspath))
        except Exception as exc:  # sqlfluff bug or pathological input: skip, never crash
            data["schema"] = read_ddl(file.text)
            detail = redacted_message(" ".join(str(exc).split()))[:160]
            return FileResult(
                data=data,
                skipped=f"not analysed: sqlfluff failed ({type(exc).__name__}: {detail})",
            )
        finally:
            dropped_inline, InlineNotes.dropped = InlineNotes.dropped, []
        if dropped_inline and not options.get("ignore_inline"):
            shown = ", ".join(redacted_message(d) for d in dict.fromkeys(dropped_inline))
            notes.append(
                f"inline sqlfluff settings ignored in {file.path} (not allowed for an "
                f"untrusted repository): {shown[:200]}"
            )
        violations = list(linted.violations)
        templating = [v for v in violations if v.rule_code() == "TMP"]
        if templating or (linted.tree is None and not violations):
            data["schema"] = read_ddl(file.text)
            first = _strip_position(templating[0].desc()) if templating else "no output"
            first = redacted_message(" ".join(first.split()))
            if BUDGET_MARK in first:
                detail = first[first.index(BUDGET_MARK) + len(BUDGET_MARK) :].lstrip(": ")
                detail = detail.split(". Have you correctly")[0]
                reason = f"not analysed: the SQL template is {BUDGET_MARK} ({detail[:160]})"
            else:
                reason = f"not analysed: templating failed ({first[:160]})"
            return FileResult(data=data, skipped=reason)
        findings: list[Finding] = []
        style = parse_errors = wildcards = 0
        for v in violations:
            code = str(v.rule_code())
            warning = bool(getattr(v, "warning", False))
            # Messages quote the SQL they are about: never a secret from it.
            desc = _redact_desc(" ".join(_strip_position(str(v.desc())).split()))
            if code in PARSE_CODES:
                parse_errors += 1
                criterion, severity = PARSE, Severity.MEDIUM
                desc = f"unparsable SQL ({dialect}): {desc}"
            elif code == WILDCARD_CODE:
                wildcards += 1
                criterion, severity = PATTERNS, Severity.MEDIUM
                desc = f"SELECT * / wildcard: {desc}"
            else:
                criterion, severity = STYLE, Severity.LOW
                if not warning:
                    style += 1
            findings.append(
                Finding(
                    checker=self.name,
                    rule=code,
                    skill=SKILL,
                    criterion=criterion,
                    severity=Severity.INFO if warning else severity,
                    confidence=Confidence.HIGH,
                    message=desc[:300],
                    path=file.path,
                    line=v.line_no or None,
                    column=v.line_pos or None,
                    counted=file.role in COUNTED_ROLES or file.role is Role.TEST,
                )
            )
        data.update(style=style, parse_errors=parse_errors, wildcards=wildcards)
        data["schema"] = (
            _schema_from_tree(linted.tree) if linted.tree is not None else read_ddl(file.text)
        )
        return FileResult(findings=findings, data=data)

    @staticmethod
    def _byte_limit(configs: Mapping[str, Any], options: Mapping[str, Any]) -> int:
        if options.get("byte_limit") is not None:
            return int(options["byte_limit"])
        value = configs.get("core", {}).get("large_file_skip_byte_limit")
        try:
            return int(value) if value is not None else DEFAULT_BYTE_LIMIT
        except (TypeError, ValueError):
            return DEFAULT_BYTE_LIMIT

    # -- repository ----------------------------------------------------------------------

    def reduce(self, ctx: CheckContext, results: Mapping[str, FileResult]) -> CheckResult:
        """SQL metrics over application SQL, the schema over SQL and ORM code, and notes."""
        roles = {f.path: f.role for f in ctx.fileset.files}
        out = CheckResult(files=len(results))
        dialects: Counter[tuple[str, str]] = Counter()
        notes: list[str] = []
        sql_paths = [p for p in sorted(results) if results[p].data.get("kind") == "sql"]
        counted_lines = style = 0
        parsed_files = failed_files = 0
        skipped_reasons: Counter[str] = Counter()
        schema_files: dict[str, tuple[str, SchemaFacts]] = {}
        for path in sorted(results):
            res = results[path]
            role = roles.get(path, Role.SOURCE)
            out.findings.extend(res.findings)
            if "schema" in res.data and role in SCHEMA_ROLES:
                schema_files[path] = (role.value, facts_from_json(res.data["schema"]))
            if res.data.get("kind") != "sql":
                continue
            if res.data.get("dialect"):
                dialects[(str(res.data["dialect"]), str(res.data.get("why", "")))] += 1
            for note in res.data.get("notes", []):
                if note not in notes:
                    notes.append(str(note))
            if res.skipped is not None:
                out.skipped.append(Skip(path=path, reason=res.skipped, checker=self.name))
                skipped_reasons[res.skipped.split(":")[0] + ": " + _short(res.skipped)] += 1
                continue
            if role in COUNTED_ROLES:
                counted_lines += int(res.data.get("lines", 0))
                style += int(res.data.get("style", 0))
                parsed_files += 1
                if int(res.data.get("parse_errors", 0)):
                    failed_files += 1
        for (dialect, why), count in sorted(dialects.items(), key=lambda kv: -kv[1]):
            out.notes.append(f"SQL dialect {dialect} ({why}) for {count} file(s)")
        if skipped_reasons:
            total = sum(skipped_reasons.values())
            detail = "; ".join(f"{reason} ({n})" for reason, n in sorted(skipped_reasons.items()))
            out.notes.append(
                f"{total} of {len(sql_paths)} SQL file(s) not analysed by sqlfluff: {detail}"
            )
        out.notes.extend(notes)
        out.metrics.extend(
            self._sql_metrics(
                sql_paths, counted_lines, style, parsed_files, failed_files, bool(skipped_reasons)
            )
        )
        engine_indexes = self._engine_indexes_fks(ctx, dialects)
        schema = evaluate_schema(schema_files, engine_indexes_fks=engine_indexes)
        out.metrics.extend(schema.metrics)
        out.findings.extend(schema.findings)
        out.notes.extend(schema.notes)
        if engine_indexes and schema_files:
            out.notes.append("MySQL/MariaDB (InnoDB) indexes foreign keys itself")
        return out

    @staticmethod
    def _sql_metrics(
        sql_paths: Sequence[str],
        lines: int,
        style: int,
        parsed: int,
        failed: int,
        some_skipped: bool,
    ) -> list[Metric]:
        if parsed == 0:
            if not sql_paths:
                why = "no SQL files"
            elif some_skipped:
                why = "no application SQL file could be analysed by sqlfluff (see skipped)"
            else:
                why = "no application SQL (only test, docs or example SQL files)"
            return [
                Metric(name="sql.violations_per_100_lines", value=None, reason=why),
                Metric(name="sql.parse_error_share", value=None, reason=why),
                Metric(name="sql.files_analysed", value=0.0, unit="files"),
            ]
        return [
            Metric(
                name="sql.violations_per_100_lines",
                value=round(100.0 * style / lines, 4) if lines else 0.0,
                unit="violations/100 lines",
                files=parsed,
            ),
            Metric(
                name="sql.parse_error_share",
                value=failed / parsed,
                unit="share of files",
                files=parsed,
            ),
            Metric(name="sql.files_analysed", value=float(parsed), unit="files", files=parsed),
        ]

    @staticmethod
    def _engine_indexes_fks(ctx: CheckContext, dialects: Counter[tuple[str, str]]) -> bool:
        by_dialect: Counter[str] = Counter()
        for (dialect, _), count in dialects.items():
            by_dialect[dialect] += count
        dialect = (
            by_dialect.most_common(1)[0][0]
            if by_dialect
            else infer_dialect(ctx.fileset, ctx.memo)[0]
        )
        return dialect in ("mysql", "mariadb")


def _short(reason: str) -> str:
    if "large_file_skip_byte_limit" in reason:
        return "over the size limit"
    if "templating failed" in reason:
        return "templating failed"
    if BUDGET_MARK in reason:
        return "template over the limits"
    return "sqlfluff failed"


def _schema_from_tree(tree: Any) -> SchemaFacts:
    """Schema facts from the DDL statements located in sqlfluff's parse tree.

    Each ``create_table_statement``, ``create_index_statement`` and
    ``alter_table_statement`` (and each unparsable section, which may hold DDL sqlfluff
    did not understand) is read by :func:`read_ddl` at its source line.
    """
    facts: SchemaFacts = {"tables": [], "changes": []}
    types = ("create_table_statement", "create_index_statement", "alter_table_statement")
    for segment in tree.recursive_crawl(*types, "unparsable"):
        try:
            line = int(segment.pos_marker.source_position()[0])
        except Exception:
            line = 1
        part = read_ddl(str(segment.raw), base_line=line)
        facts["tables"].extend(part["tables"])
        facts["changes"].extend(part["changes"])
    return facts


@hookimpl
def backend_skills_checkers() -> Sequence[Checker]:
    """The ``sqlfluff`` checker."""
    return [SqlfluffChecker()]
