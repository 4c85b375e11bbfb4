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
- With ``max_linted_files`` set (default 0: every file), a repository with more SQL
  files than that has a *stable sample* of them linted (:func:`sample_bits`, :func:`in_sample`): a file is in it when a hash of its
  path falls under a rate of 1/2^k, the same on every run while the number of SQL files
  stays within a power of two (k is a prepared option, so it is part of the per-file
  cache key). The other files have their schema read and are listed as skipped; the
  style, parse and ``SELECT *`` figures come from the sample, and a note says so.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from backend_skills.core.checker import CheckContext, Checker, FileChecker, FileResult
from backend_skills.core.discovery import SourceFile
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
from ._sql_dialect import infer_dialect
from ._sqlfluff_config import DEFAULT_BYTE_LIMIT, file_configs, read_configs
from ._sqlfluff_safe import (
    BUDGET_MARK,
    InlineNotes,
    safe_config_class,
)
from .sql_schema import (
    ORM_LANGUAGES,
    SCHEMA_METRICS,
    SCHEMA_ROLES,
    SchemaFacts,
    evaluate_schema,
    facts_from_json,
    has_orm_schema_markers,
    has_python_schema_markers,
    read_ddl,
    read_orm_schema,
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

#: Roles whose SQL counts in the style and parse metrics.
COUNTED_ROLES = frozenset({Role.SOURCE, Role.MIGRATION})


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
    max_linted_files: int = Field(
        default=0,
        ge=0,
        strict=True,
        description=(
            "Lint a stable sample of about this many SQL files when the repository has "
            "more (0, the default = lint every file). The schema is read from every file. "
            "Off by default: database.query_patterns divides the sample's SELECT * "
            "findings by every SQL line, so a sample under-counts them."
        ),
    )


# --------------------------------------------------------------------------- the sample

#: Reason given (per file, cached) for a SQL file outside the sample; :meth:`reduce`
#: replaces it with the sample's size.
OUTSIDE_SAMPLE = "not linted: outside sqlfluff's sample (max_linted_files)"


def sample_bits(sql_files: int, max_linted_files: int) -> int:
    """k, the smallest with ``sql_files / 2**k <= max_linted_files`` (0: lint every file,
    and always 0 when ``max_linted_files`` is 0)."""
    k = 0
    if max_linted_files > 0:
        while sql_files > max_linted_files << k:
            k += 1
    return k


def in_sample(path: str, bits: int) -> bool:
    """Whether the file at ``path`` is linted at the rate 1/2**bits: the low ``bits`` bits
    of a hash of its path are zero. Stable across runs, processes and machines (never
    Python's salted ``hash``), and nested: the sample at rate 1/2**(k+1) is part of the
    sample at 1/2**k."""
    if bits <= 0:
        return True
    digest = hashlib.blake2b(path.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") & ((1 << bits) - 1) == 0


def _sql_file_count(ctx: CheckContext) -> int:
    """The SQL files :meth:`SqlfluffChecker.select` picks (the sample's population)."""
    return sum(
        1
        for f in ctx.fileset.files
        if f.language == "sql" and f.role not in (Role.VENDORED, Role.GENERATED)
    )


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


def _configured_linter(
    file: SourceFile, options: Mapping[str, Any]
) -> tuple[dict[str, Any], Any, str, str, list[str]]:
    """(configs, linter, dialect, why, notes) for ``file``; when the repository's
    configuration is unusable, the inferred dialect (or ANSI) with a note saying so."""
    try:
        configs, dialect, why, notes = file_configs(file, options)
        return configs, _linter_for(configs), dialect, why, notes
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
        why = f"{options.get('why', '')}; the repository's sqlfluff config was unusable"
        notes = [f"sqlfluff configuration not usable for {file.path}: {problem}"]
        return configs, linter, fallback, why, notes


def _lint(linter: Any, file: SourceFile, options: Mapping[str, Any], notes: list[str]) -> Any:
    """sqlfluff's linted file, or why the file was not analysed (sqlfluff failed); a note
    for inline settings it ignored."""
    InlineNotes.dropped = []
    InlineNotes.ignore_inline = bool(options.get("ignore_inline"))
    try:
        linted = linter.lint_string(file.text, fname=str(file.abspath))
    except Exception as exc:  # sqlfluff bug or pathological input: skip, never crash
        detail = redacted_message(" ".join(str(exc).split()))[:160]
        return f"not analysed: sqlfluff failed ({type(exc).__name__}: {detail})"
    finally:
        dropped_inline, InlineNotes.dropped = InlineNotes.dropped, []
    if dropped_inline and not options.get("ignore_inline"):
        shown = ", ".join(redacted_message(d) for d in dict.fromkeys(dropped_inline))
        notes.append(
            f"inline sqlfluff settings ignored in {file.path} (not allowed for an "
            f"untrusted repository): {shown[:200]}"
        )
    return linted


def _templating_failure(linted: Any, violations: Sequence[Any]) -> str | None:
    """Why a file that could not be templated was not analysed; None when it was."""
    templating = [v for v in violations if v.rule_code() == "TMP"]
    if not templating and (linted.tree is not None or violations):
        return None
    first = _strip_position(templating[0].desc()) if templating else "no output"
    first = redacted_message(" ".join(first.split()))
    if BUDGET_MARK in first:
        detail = first[first.index(BUDGET_MARK) + len(BUDGET_MARK) :].lstrip(": ")
        detail = detail.split(". Have you correctly")[0]
        return f"not analysed: the SQL template is {BUDGET_MARK} ({detail[:160]})"
    return f"not analysed: templating failed ({first[:160]})"


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
    """The languages linted and measured (ORM entity files of other languages are read
    for the schema only: they do not count toward the SQL criteria's code size)."""
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
                file.role in SCHEMA_ROLES
                and (
                    (file.language == "python" and has_python_schema_markers(file.text))
                    or has_orm_schema_markers(file.language, file.text)
                )
            ):
                chosen.append(file)
        return chosen

    def prepare(self, ctx: CheckContext) -> dict[str, Any]:
        """The dialect (and why), each folder's filtered sqlfluff configuration, the
        user's options, and whether the scored tree's inline settings count."""
        options = SqlfluffOptions.model_validate(dict(ctx.options))
        configs, notes, dialect_from = read_configs(ctx)
        root_dialect = configs.get("", {}).get("core", {}).get("dialect")
        force = inferred = False
        if options.dialect:
            dialect, why = options.dialect, "set in [tool.backend_skills.checkers.sqlfluff]"
            force = True
        elif root_dialect:
            dialect, why = str(root_dialect), f"set by {dialect_from}"
        else:
            dialect, why = infer_dialect(ctx.fileset, ctx.memo)
            inferred = True
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
            "inferred": inferred,
            "configs": configs,
            "config_notes": notes,
            "ignore_inline": ignore_inline,
            "exclude_rules": list(options.exclude_rules),
            "byte_limit": options.large_file_skip_byte_limit,
            # The sampling rate (not the file count): per-file results stay cached while
            # the number of SQL files moves within a power of two.
            "sample_bits": sample_bits(_sql_file_count(ctx), options.max_linted_files),
        }

    def cache_inputs(self, ctx: CheckContext) -> str | None:
        """The discovered files, and with ``--config-root`` that folder's configuration."""
        inputs = super().cache_inputs(ctx)
        if inputs is None or (ctx.config_root is None and not ctx.isolated):
            return inputs
        configs = read_configs(ctx) if ctx.config_root is not None else None
        return json.dumps([inputs, str(ctx.config_root), ctx.isolated, configs], sort_keys=True)

    # -- per file ----------------------------------------------------------------------

    def check_file(self, file: SourceFile, options: Mapping[str, Any]) -> FileResult:
        """Lint one SQL file (or read the schema a Python file declares)."""
        if file.language == "python":
            tree = parse_python(file.text, file.path)
            if isinstance(tree, str):
                return FileResult(data={"kind": "python"})
            return FileResult(data={"kind": "python", "schema": read_python_schema(tree)})
        if file.language in ORM_LANGUAGES:
            schema = read_orm_schema(file.language, file.path, file.text)
            return FileResult(data={"kind": "orm", "schema": schema})
        return self._check_sql(file, options)

    def _check_sql(self, file: SourceFile, options: Mapping[str, Any]) -> FileResult:
        data: dict[str, Any] = {"kind": "sql", "lines": file.lines}
        configs, linter, dialect, why, notes = _configured_linter(file, options)
        notes = [*map(str, options.get("config_notes", ())), *notes]
        data.update(dialect=dialect, why=why, notes=notes)
        if not in_sample(file.path, int(options.get("sample_bits", 0))):
            data["unsampled"] = True
            return _schema_only(file, data, OUTSIDE_SAMPLE)
        limit = self._byte_limit(configs, options)
        if limit and file.size > limit:
            why = (
                f"not analysed by sqlfluff: {file.size} bytes is over its "
                f"large_file_skip_byte_limit of {limit} bytes (schema still read)"
            )
            return _schema_only(file, data, why)
        linted = _lint(linter, file, options, notes)
        if isinstance(linted, str):
            return _schema_only(file, data, linted)
        violations = list(linted.violations)
        not_templated = _templating_failure(linted, violations)
        if not_templated is not None:
            return _schema_only(file, data, not_templated)
        findings = [self._finding(file, v, dialect) for v in violations]
        data.update(_finding_counts(findings))
        data["schema"] = (
            _schema_from_tree(linted.tree) if linted.tree is not None else read_ddl(file.text)
        )
        return FileResult(findings=findings, data=data)

    def _finding(self, file: SourceFile, v: Any, dialect: str) -> Finding:
        """A finding for one sqlfluff violation: a parse error, a wildcard or style."""
        code = str(v.rule_code())
        warning = bool(getattr(v, "warning", False))
        # Messages quote the SQL they are about: never a secret from it.
        desc = _redact_desc(" ".join(_strip_position(str(v.desc())).split()))
        if code in PARSE_CODES:
            criterion, severity = PARSE, Severity.MEDIUM
            desc = f"unparsable SQL ({dialect}): {desc}"
        elif code == WILDCARD_CODE:
            criterion, severity = PATTERNS, Severity.MEDIUM
            desc = f"SELECT * / wildcard: {desc}"
        else:
            criterion, severity = STYLE, Severity.LOW
        return Finding(
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
        sql_paths = [p for p in sorted(results) if results[p].data.get("kind") == "sql"]
        tally = _SqlTally()
        unsampled = sum(1 for p in sql_paths if results[p].data.get("unsampled"))
        sample_note = _sample_note(ctx, len(sql_paths) - unsampled, len(sql_paths))
        for path in sorted(results):
            res = results[path]
            out.findings.extend(res.findings)
            skip = (
                tally.add(res, roles.get(path, Role.SOURCE))
                if res.data.get("kind") == "sql"
                else None
            )
            if skip is not None:
                if res.data.get("unsampled"):
                    skip = (
                        f"not linted: sqlfluff lints a sample of {len(sql_paths) - unsampled}"
                        f" of {len(sql_paths)} SQL files (max_linted_files)"
                    )
                out.skipped.append(Skip(path=path, reason=skip, checker=self.name))
        schema_files = _schema_files(results, roles)
        if unsampled:
            out.notes.append(sample_note)
        out.notes.extend(tally.summary(len(sql_paths)))
        out.metrics.extend(
            self._sql_metrics(
                sql_paths,
                tally.lines,
                tally.style,
                tally.parsed,
                tally.failed,
                bool(tally.skipped_reasons),
                sampled=bool(unsampled),
            )
        )
        engine_indexes = self._engine_indexes_fks(ctx, tally.dialects)
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
        *,
        sampled: bool = False,
    ) -> list[Metric]:
        if parsed == 0:
            if not sql_paths:
                why = "no SQL files"
            elif sampled:
                why = (
                    "no application SQL file in sqlfluff's sample could be analysed "
                    "(see skipped; max_linted_files = 0 lints every file)"
                )
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


@dataclass
class _SqlTally:
    """What the SQL files' results add up to, for the metrics and notes."""

    dialects: Counter[tuple[str, str]] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    skipped_reasons: Counter[str] = field(default_factory=Counter)
    lines: int = 0
    style: int = 0
    parsed: int = 0
    failed: int = 0

    def add(self, res: FileResult, role: Role) -> str | None:
        """Count one SQL file's result; return why it was skipped (None when analysed)."""
        if res.data.get("dialect"):
            self.dialects[(str(res.data["dialect"]), str(res.data.get("why", "")))] += 1
        for note in res.data.get("notes", []):
            if note not in self.notes:
                self.notes.append(str(note))
        if res.skipped is not None:
            self.skipped_reasons[res.skipped.split(":")[0] + ": " + _short(res.skipped)] += 1
            return res.skipped
        if role in COUNTED_ROLES:
            self.lines += int(res.data.get("lines", 0))
            self.style += int(res.data.get("style", 0))
            self.parsed += 1
            if int(res.data.get("parse_errors", 0)):
                self.failed += 1
        return None

    def summary(self, sql_files: int) -> list[str]:
        """Notes: the dialect of the files, those sqlfluff did not analyse and why, and
        the files' own notes."""
        notes = [
            f"SQL dialect {dialect} ({why}) for {count} file(s)"
            for (dialect, why), count in sorted(self.dialects.items(), key=lambda kv: -kv[1])
        ]
        if self.skipped_reasons:
            total = sum(self.skipped_reasons.values())
            detail = "; ".join(
                f"{reason} ({n})" for reason, n in sorted(self.skipped_reasons.items())
            )
            notes.append(f"{total} of {sql_files} SQL file(s) not analysed by sqlfluff: {detail}")
        return [*notes, *self.notes]


def _schema_files(
    results: Mapping[str, FileResult], roles: Mapping[str, Role]
) -> dict[str, tuple[str, SchemaFacts]]:
    """The schema facts each SQL, migration or ORM file declares, with its role."""
    out: dict[str, tuple[str, SchemaFacts]] = {}
    for path in sorted(results):
        res = results[path]
        role = roles.get(path, Role.SOURCE)
        if "schema" in res.data and role in SCHEMA_ROLES:
            out[path] = (role.value, facts_from_json(res.data["schema"]))
    return out


def _schema_only(file: SourceFile, data: dict[str, Any], skipped: str) -> FileResult:
    """A SQL file sqlfluff did not analyse: skipped, its schema read from the DDL alone."""
    data["schema"] = read_ddl(file.text)
    return FileResult(data=data, skipped=skipped)


def _finding_counts(findings: Sequence[Finding]) -> dict[str, int]:
    """Style findings (low severity), parse errors and wildcards of one file."""
    return {
        "style": sum(1 for f in findings if f.criterion == STYLE and f.severity is Severity.LOW),
        "parse_errors": sum(1 for f in findings if f.criterion == PARSE),
        "wildcards": sum(1 for f in findings if f.criterion == PATTERNS),
    }


def _sample_note(ctx: CheckContext, linted: int, sql_files: int) -> str:
    """The note saying the SQL figures come from a sample, and how to lint every file."""
    limit = ctx.options.get("max_linted_files", SqlfluffOptions().max_linted_files)
    rate = 1 << sample_bits(_sql_file_count(ctx), int(limit))
    return (
        f"sqlfluff linted a stable sample of {linted} of {sql_files} SQL files (1 in {rate}"
        f" by a hash of each path; max_linted_files = {limit}): the SQL style, parse and "
        "SELECT * figures come from the sample; the schema is read from every file. "
        "Set max_linted_files = 0 to lint every file"
    )


def _short(reason: str) -> str:
    if reason == OUTSIDE_SAMPLE:
        return "outside the sample"
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
