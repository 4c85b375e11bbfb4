"""Merging tables across files and applying changes (``_merge``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from backend_skills.checkers.schema._facts import (
    ChangeKind,
    SchemaFacts,
    new_change,
    new_column,
    new_table,
)
from backend_skills.checkers.schema._merge import Merged, merge_schema


def _table_facts(name: str, *cols: str, pk: tuple[str, ...] = ()) -> SchemaFacts:
    table = new_table(name, name, 1, "sql")
    table["columns"] = [new_column(c, 2) for c in cols]
    table["pk"] = list(pk)
    return {"tables": [table], "changes": []}


def test_the_model_is_where_a_table_merged_with_its_migration_points() -> None:
    files = {
        "migrations/0001.sql": ("migration", _table_facts("t", "id", "a", pk=("id",))),
        "app/models.py": ("source", _table_facts("t", "id", "b")),
    }
    (merged,) = merge_schema(files).values()
    assert merged.path == "app/models.py"
    assert sorted(merged.columns) == ["a", "b", "id"]
    assert merged.facts["pk"] == ["id"]


@pytest.mark.parametrize(
    ("kind", "cols", "ref", "check"),
    [
        ("pk", ["a"], None, lambda m: m.facts["pk"] == ["a"]),
        ("fk", ["a"], "u", lambda m: m.facts["fks"] == [{"cols": ["a"], "ref": "u"}]),
        ("unique", ["a"], None, lambda m: m.facts["uniques"] == [["a"]]),
        ("index", ["a"], None, lambda m: m.indexes == [["a"]]),
        ("check", [], None, lambda m: m.facts["checks"] == 1),
        ("not_null", ["A"], None, lambda m: m.columns["a"]["not_null"]),
    ],
)
def test_changes_apply_to_the_merged_table(
    kind: ChangeKind, cols: list[str], ref: str | None, check: Callable[[Merged], bool]
) -> None:
    facts = _table_facts("t", "a")
    facts["changes"].append(new_change("t", kind, 5, cols, ref))
    (merged,) = merge_schema({"s.sql": ("source", facts)}).values()
    assert check(merged)


def test_changes_to_unknown_tables_are_ignored_and_added_columns_merge() -> None:
    facts = _table_facts("t", "a")
    column = new_column("b", 3, not_null=True, ref="u")
    facts["changes"] += [
        new_change("other", "pk", 3, ["x"]),
        new_change("t", "column", 3, ["b"], column=column),
    ]
    (merged,) = merge_schema({"s.sql": ("source", facts)}).values()
    assert merged.columns["b"]["not_null"]
    assert merged.facts["fks"] == [{"cols": ["b"], "ref": "u"}]
