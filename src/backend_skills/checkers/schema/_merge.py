"""Merging every file's schema facts into one table per name.

A table defined in a model and in a migration is one table; changes (``ALTER TABLE``,
separate indexes, migration operations) apply to the merged table. Models come first,
then other files, then migrations, so findings point at the model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from backend_skills.core.models import Role

from ._facts import ChangeFacts, ColumnFacts, ForeignKeyFacts, SchemaFacts, TableFacts


@dataclass
class Merged:
    """One table after merging every definition and change."""

    facts: TableFacts
    path: str
    columns: dict[str, ColumnFacts] = field(default_factory=dict)
    indexes: list[list[str]] = field(default_factory=list)


def _merge_into(target: Merged, table: TableFacts) -> None:
    facts = target.facts
    for col in table["columns"]:
        merge_column(target, col)
    if table["pk"] and not facts["pk"]:
        facts["pk"] = list(table["pk"])
    for fk in table["fks"]:
        _add_fk(target, fk)
    facts["uniques"].extend(u for u in table["uniques"] if u not in facts["uniques"])
    facts["checks"] += table["checks"]
    target.indexes.extend(table["indexes"])
    facts["implicit_pk"] = facts["implicit_pk"] or table["implicit_pk"]


def _add_fk(target: Merged, fk: ForeignKeyFacts) -> None:
    if fk not in target.facts["fks"]:
        target.facts["fks"].append(fk)


def merge_column(target: Merged, col: ColumnFacts) -> None:
    """Add a column, or add its flags and reference to the column already known."""
    key = col["name"].lower()
    known = target.columns.get(key)
    if known is None:
        target.columns[key] = dict(col)  # type: ignore[assignment]
        return
    for flag in ("not_null", "pk", "unique", "check", "indexed"):
        if col[flag]:
            known[flag] = True
    if col["ref"] and not known["ref"]:
        known["ref"] = col["ref"]


def _change_pk(target: Merged, change: ChangeFacts) -> None:
    if change["cols"]:
        target.facts["pk"] = list(change["cols"])


def _change_fk(target: Merged, change: ChangeFacts) -> None:
    if change["ref"]:
        _add_fk(target, {"cols": list(change["cols"]), "ref": change["ref"]})


def _change_unique(target: Merged, change: ChangeFacts) -> None:
    target.facts["uniques"].append(list(change["cols"]))


def _change_index(target: Merged, change: ChangeFacts) -> None:
    target.indexes.append(list(change["cols"]))


def _change_check(target: Merged, change: ChangeFacts) -> None:
    target.facts["checks"] += 1


def _change_column(target: Merged, change: ChangeFacts) -> None:
    if change["column"] is not None:
        merge_column(target, change["column"])


def _change_not_null(target: Merged, change: ChangeFacts) -> None:
    for col in change["cols"]:
        known = target.columns.get(col.lower())
        if known is not None:
            known["not_null"] = True


_CHANGES: dict[str, Callable[[Merged, ChangeFacts], None]] = {
    "pk": _change_pk,
    "fk": _change_fk,
    "unique": _change_unique,
    "index": _change_index,
    "check": _change_check,
    "column": _change_column,
    "not_null": _change_not_null,
}


def apply_change(target: Merged, change: ChangeFacts) -> None:
    """Apply one change (``ALTER TABLE``, ``CREATE INDEX``, migration operation)."""
    handler = _CHANGES.get(change["kind"])
    if handler is not None:
        handler(target, change)


_ROLE_RANK = {Role.SOURCE.value: 0, Role.OTHER.value: 1, Role.MIGRATION.value: 2}


def _merge_tables(files: Mapping[str, tuple[str, SchemaFacts]]) -> dict[str, Merged]:
    tables: dict[str, Merged] = {}
    ordered = sorted(files.items(), key=lambda kv: (_ROLE_RANK.get(kv[1][0], 3), kv[0]))
    for path, (_, facts) in ordered:
        for table in facts["tables"]:
            merged = tables.get(table["key"])
            if merged is None:
                base = dict(table)
                base.update(columns=[], pk=[], fks=[], uniques=[], checks=0, indexes=[], path=path)
                merged = Merged(facts=base, path=path)  # type: ignore[arg-type]
                tables[table["key"]] = merged
            _merge_into(merged, table)
    return tables


def _complete_keys(merged: Merged) -> None:
    """Columns flagged as key or reference complete the table's key and foreign keys."""
    for col in merged.columns.values():
        if col["pk"] and col["name"] not in merged.facts["pk"]:
            merged.facts["pk"].append(col["name"])
        if col["ref"] and not any(fk["cols"] == [col["name"]] for fk in merged.facts["fks"]):
            merged.facts["fks"].append({"cols": [col["name"]], "ref": col["ref"]})


def merge_schema(files: Mapping[str, tuple[str, SchemaFacts]]) -> dict[str, Merged]:
    """Merge the facts of every file (path -> (role, facts)) into one table map."""
    tables = _merge_tables(files)
    for _path, (_, facts) in sorted(files.items()):
        for change in facts["changes"]:
            merged = tables.get(change["table"])
            if merged is not None:
                apply_change(merged, change)
    for merged in tables.values():
        _complete_keys(merged)
    return tables
