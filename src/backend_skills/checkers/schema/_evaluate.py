"""The merged schema: one table per name, its metrics and one finding per shortfall.

:func:`evaluate_schema` merges the facts of every file (a table defined in a model and in
a migration is one table), applies the changes (``ALTER TABLE``, separate indexes) and
returns the metrics and one finding per shortfall at the table's line.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from backend_skills.core.models import Confidence, Finding, Metric, Role, Severity

from ._facts import SchemaFacts, empty_facts, unquote
from ._merge import Merged as _Merged
from ._merge import merge_schema
from ._models import resolve_models

__all__ = [
    "MAX_FINDINGS_PER_RULE",
    "SCHEMA_METRICS",
    "SCHEMA_ROLES",
    "SchemaReport",
    "evaluate_schema",
    "facts_from_json",
    "merge_schema",
    "naming_style",
]

SKILL = "database"
CHECKER = "sqlfluff"

#: Metric names produced by :func:`evaluate_schema`.
SCHEMA_METRICS = (
    "schema.tables",
    "schema.pk_share",
    "schema.fk_declared_share",
    "schema.fk_index_share",
    "schema.constraint_share",
    "schema.naming_consistency",
)

#: Roles whose files count as the schema (tests and docs declare throwaway tables).
SCHEMA_ROLES = frozenset({Role.SOURCE, Role.MIGRATION, Role.OTHER, Role.CONFIG})


_REF_COLUMN = re.compile(r"^(?P<stem>[A-Za-z][A-Za-z0-9_]*?)(?:_[iI][dD]|(?<=[a-z0-9])I[dD])$")


def _stem_matches(stem: str, keys: Container[str]) -> str | None:
    stem = stem.lower().rstrip("_")
    candidates = [stem, stem + "s", stem + "es"]
    if stem.endswith("y"):
        candidates.append(stem[:-1] + "ies")
    for candidate in candidates:
        if candidate in keys:
            return candidate
    return None


_STYLES = {
    "snake_case": re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$"),
    "camelCase": re.compile(r"^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+$"),
    "PascalCase": re.compile(r"^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+$|^[A-Z][a-z0-9]+$"),
    "UPPER_CASE": re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$"),
}
_NEUTRAL = re.compile(r"^[a-z][a-z0-9]*$")


def naming_style(name: str) -> str:
    """snake_case, camelCase, PascalCase, UPPER_CASE, lower (fits snake and camel) or mixed."""
    if _NEUTRAL.match(name):
        return "lower"
    for style, pattern in _STYLES.items():
        if pattern.match(name):
            return style
    return "mixed"


def _fits(style: str, dominant: str) -> bool:
    return style == dominant or (style == "lower" and dominant in ("snake_case", "camelCase"))


@dataclass
class SchemaReport:
    """Metrics, findings and notes from the merged schema."""

    metrics: list[Metric]
    findings: list[Finding]
    notes: list[str]


def _finding(
    rule: str, criterion: str, severity: Severity, message: str, table: _Merged
) -> Finding:
    return Finding(
        checker=CHECKER,
        rule=rule,
        skill=SKILL,
        criterion=criterion,
        severity=severity,
        confidence=Confidence.HIGH,
        message=message,
        path=table.path,
        line=table.facts["line"],
    )


def _candidate_key(table: _Merged) -> list[str]:
    """A unique key whose columns are all NOT NULL, if the table has one."""
    uniques = [
        *table.facts["uniques"],
        *([c["name"]] for c in table.columns.values() if c["unique"]),
    ]
    for cols in uniques:
        known = [table.columns.get(c.lower()) for c in cols]
        if cols and all(k is not None and k["not_null"] for k in known):
            return list(cols)
    return []


def _indexed(table: _Merged, cols: Sequence[str], engine_indexes_fks: bool) -> bool:
    if engine_indexes_fks:
        return True
    wanted = {c.lower() for c in cols}
    n = len(wanted)
    candidates: list[list[str]] = [table.facts["pk"], *table.facts["uniques"], *table.indexes]
    for col in table.columns.values():
        if col["indexed"] or col["unique"]:
            candidates.append([col["name"]])
    return any({c.lower() for c in cand[:n]} == wanted for cand in candidates if len(cand) >= n)


@dataclass
class _Tally:
    """Counts across tables that become the share metrics."""

    with_pk: int = 0
    ref_total: int = 0
    ref_declared: int = 0
    fk_total: int = 0
    fk_indexed: int = 0
    constrained: int = 0
    idents: list[tuple[str, str, str]] = field(default_factory=list)
    """(table key, identifier, naming style) of every table and column name."""


def _no_tables() -> SchemaReport:
    why = "no CREATE TABLE statement or ORM model/migration table definition found"
    return SchemaReport(
        metrics=[Metric(name=m, value=None, reason=why) for m in SCHEMA_METRICS[1:]]
        + [Metric(name="schema.tables", value=0.0, unit="tables")],
        findings=[],
        notes=[],
    )


def _table_findings(
    tables: Mapping[str, _Merged], engine_indexes_fks: bool, tally: _Tally
) -> list[Finding]:
    """BSDB101-BSDB104 for every table, counting into ``tally`` as they go."""
    findings: list[Finding] = []
    for key in sorted(tables):
        table = tables[key]
        found = [
            check(table, key, tables, tally) for check in (_primary_key, _references, _constraints)
        ]
        found.append(_fk_indexes(table, engine_indexes_fks, tally))
        findings.extend(f for f in found if f is not None)
        _collect_names(table, key, tally)
    return findings


def _summary(n: int, files: Mapping[str, tuple[str, SchemaFacts]], dominant: str) -> str:
    origins = Counter(t["origin"] for _, facts in files.values() for t in facts["tables"])
    return (
        f"schema: {n} table(s) from {len(files)} file(s); definitions read: "
        + ", ".join(f"{origin} {count}" for origin, count in sorted(origins.items()))
        + f"; dominant naming style {dominant}"
    )


def evaluate_schema(
    files: Mapping[str, tuple[str, SchemaFacts]], engine_indexes_fks: bool = False
) -> SchemaReport:
    """Metrics and per-table findings from every file's schema facts.

    ``engine_indexes_fks`` is true for MySQL/MariaDB, whose InnoDB engine creates an
    index for every foreign key itself.
    """
    files = resolve_models(files)
    files = {p: v for p, v in files.items() if v[1]["tables"] or v[1]["changes"]}
    tables = merge_schema(files)
    if not tables:
        return _no_tables()
    tally = _Tally()
    findings = _table_findings(tables, engine_indexes_fks, tally)
    dominant, naming = _naming(tables, tally)
    findings.extend(naming)
    n = len(tables)
    notes = [_summary(n, files, dominant)]
    findings, dropped = _cap(findings)
    for rule, count in sorted(dropped.items()):
        notes.append(
            f"schema: {count} more {rule} finding(s) not listed (first {MAX_FINDINGS_PER_RULE} "
            "shown; the metric counts every table)"
        )
    return SchemaReport(
        metrics=_metrics(n, len(files), tally, dominant), findings=findings, notes=notes
    )


def _primary_key(
    table: _Merged, key: str, tables: Mapping[str, _Merged], tally: _Tally
) -> Finding | None:
    """BSDB101: a table without a primary key."""
    facts = table.facts
    if facts["pk"] or facts["implicit_pk"]:
        tally.with_pk += 1
        return None
    candidate = _candidate_key(table)
    hint = (
        f" (its unique key ({', '.join(candidate)}) on NOT NULL columns could be "
        "declared as the primary key)"
        if candidate
        else ""
    )
    return _finding(
        "BSDB101",
        "database.primary_keys",
        Severity.MEDIUM,
        f"table {facts['name']} has no primary key{hint}",
        table,
    )


def _undeclared_references(
    table: _Merged, key: str, tables: Mapping[str, _Merged], fk_cols: set[str]
) -> list[str]:
    """``column -> table`` for columns named like a reference to another table that
    declare no foreign key."""
    pk_cols = {c.lower() for c in table.facts["pk"]}
    missing: list[str] = []
    for col in table.columns.values():
        lower = col["name"].lower()
        match = _REF_COLUMN.match(col["name"])
        if lower in fk_cols or match is None or lower == "id" or pk_cols == {lower}:
            continue
        target = _stem_matches(match.group("stem"), tables)
        if target is not None and target != key:  # <own table>_id is the row's own id
            missing.append(f"{col['name']} -> {tables[target].facts['name']}")
    return missing


def _references(
    table: _Merged, key: str, tables: Mapping[str, _Merged], tally: _Tally
) -> Finding | None:
    """BSDB102: columns named like references to another table without a foreign key."""
    facts = table.facts
    fk_cols = {c.lower() for fk in facts["fks"] for c in fk["cols"]}
    missing = _undeclared_references(table, key, tables, fk_cols)
    tally.ref_total += len(fk_cols) + len(missing)
    tally.ref_declared += len(fk_cols)
    if not missing:
        return None
    return _finding(
        "BSDB102",
        "database.foreign_keys",
        Severity.LOW,
        f"table {facts['name']}: column(s) look like references but declare no "
        f"foreign key: {', '.join(missing)}",
        table,
    )


def _fk_indexes(table: _Merged, engine_indexes_fks: bool, tally: _Tally) -> Finding | None:
    """BSDB103: foreign keys whose columns no index starts with."""
    unindexed: list[str] = []
    for fk in table.facts["fks"]:
        if not fk["cols"]:
            continue
        tally.fk_total += 1
        if _indexed(table, fk["cols"], engine_indexes_fks):
            tally.fk_indexed += 1
        else:
            unindexed.append(f"({', '.join(fk['cols'])}) -> {fk['ref']}")
    if not unindexed:
        return None
    return _finding(
        "BSDB103",
        "database.fk_indexes",
        Severity.LOW,
        f"table {table.facts['name']}: foreign key(s) without an index on their "
        f"columns: {'; '.join(unindexed)}",
        table,
    )


def _has_constraint(table: _Merged) -> bool:
    """A NOT NULL, UNIQUE or CHECK constraint beyond the key (or only key columns)."""
    facts = table.facts
    pk_cols = {c.lower() for c in facts["pk"]}
    non_key = [c for c in table.columns.values() if c["name"].lower() not in pk_cols]
    if not non_key or facts["checks"] > 0 or facts["uniques"]:
        return True
    return any(c["not_null"] or c["unique"] or c["check"] for c in non_key)


def _constraints(
    table: _Merged, key: str, tables: Mapping[str, _Merged], tally: _Tally
) -> Finding | None:
    """BSDB104: a table with no NOT NULL, UNIQUE or CHECK constraint beyond its key."""
    if _has_constraint(table):
        tally.constrained += 1
        return None
    return _finding(
        "BSDB104",
        "database.constraints",
        Severity.LOW,
        f"table {table.facts['name']} declares no NOT NULL, UNIQUE or CHECK constraint "
        "beyond its key",
        table,
    )


def _collect_names(table: _Merged, key: str, tally: _Tally) -> None:
    """Record the table's and its columns' names with their naming styles."""
    facts = table.facts
    bare = unquote(facts["name"].split(".")[-1])
    if facts["origin"] != "django":
        tally.idents.append((key, bare, naming_style(bare)))
    for col in table.columns.values():
        tally.idents.append((key, col["name"], naming_style(col["name"])))


def _naming(tables: Mapping[str, _Merged], tally: _Tally) -> tuple[str, list[Finding]]:
    """BSDB105: the dominant naming style and one finding per table that departs from it."""
    styles = Counter(s for _, _, s in tally.idents if s not in ("lower", "mixed"))
    dominant = styles.most_common(1)[0][0] if styles else "snake_case"
    off: dict[str, list[str]] = {}
    for key, ident, style in tally.idents:
        if not _fits(style, dominant):
            off.setdefault(key, []).append(ident)
    findings = [
        _finding(
            "BSDB105",
            "database.naming",
            Severity.LOW,
            f"table {tables[key].facts['name']}: names not in the dominant {dominant} "
            f"style: {', '.join(names[:8])}",
            tables[key],
        )
        for key, names in sorted(off.items())
    ]
    return dominant, findings


def _metrics(n: int, files: int, tally: _Tally, dominant: str) -> list[Metric]:
    consistent = sum(1 for _, _, s in tally.idents if _fits(s, dominant))
    return [
        Metric(name="schema.tables", value=float(n), unit="tables", files=files),
        Metric(name="schema.pk_share", value=tally.with_pk / n, unit="share", files=files),
        _share(
            "schema.fk_declared_share",
            tally.ref_declared,
            tally.ref_total,
            files,
            "no column references another table",
        ),
        _share(
            "schema.fk_index_share",
            tally.fk_indexed,
            tally.fk_total,
            files,
            "no foreign key declared",
        ),
        Metric(
            name="schema.constraint_share",
            value=tally.constrained / n,
            unit="share",
            files=files,
        ),
        _share(
            "schema.naming_consistency",
            consistent,
            len(tally.idents),
            files,
            "no identifiers to compare",
        ),
    ]


#: Schema findings listed per rule; the share metrics always count every table.
MAX_FINDINGS_PER_RULE = 500


def _cap(findings: list[Finding]) -> tuple[list[Finding], dict[str, int]]:
    kept: list[Finding] = []
    seen: Counter[str] = Counter()
    dropped: Counter[str] = Counter()
    for finding in sorted(findings, key=Finding.sort_key):
        seen[finding.rule] += 1
        if seen[finding.rule] > MAX_FINDINGS_PER_RULE:
            dropped[finding.rule] += 1
        else:
            kept.append(finding)
    return kept, dict(dropped)


def _share(name: str, part: int, total: int, files: int, why: str) -> Metric:
    if total == 0:
        return Metric(name=name, value=None, unit="share", files=files, reason=why)
    return Metric(name=name, value=part / total, unit="share", files=files)


def facts_from_json(data: Any) -> SchemaFacts:
    """Facts from cached per-file data (tolerates a missing or malformed entry)."""
    if not (isinstance(data, dict) and isinstance(data.get("tables"), list)):
        return empty_facts()
    facts: SchemaFacts = {"tables": data["tables"], "changes": list(data.get("changes", []))}
    for key in ("models", "entities", "model_changes"):
        if isinstance(data.get(key), list):
            facts[key] = data[key]
    return facts
