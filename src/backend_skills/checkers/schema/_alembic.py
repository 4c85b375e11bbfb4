"""Alembic ``upgrade()`` operations: ``op.create_table`` and changes to existing tables.

Operations are read from ``op.*`` calls and from ``batch_op.*`` calls inside
``with op.batch_alter_table("t") as batch_op:`` blocks.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from ._facts import ChangeFacts, ChangeKind, ColumnFacts, TableFacts, new_change, table_key
from ._pyast import call_name, const_str, kw, kw_bool, str_list
from ._sqlalchemy import sa_column, table_from_args

#: What one Alembic operation changes: (kind, columns, referenced table, added column).
_AlembicChange = tuple[ChangeKind, list[str], str | None, ColumnFacts | None]


def _target(
    call: ast.Call, kind: str, batch_table: str | None
) -> tuple[str | None, list[ast.expr]]:
    """The table an operation on an existing table applies to, and its remaining arguments.

    Alembic passes (name, table, ...) to ``op.*`` and (name, ...) to ``batch_op.*``; the
    table argument is dropped in batch mode, and ``add_column``/``alter_column`` take the
    table first.
    """
    args = list(call.args)
    first_is_table = kind in ("add_column", "alter_column")
    if batch_table is not None:
        return batch_table, args if first_is_table else args[1:]
    if first_is_table:
        name = const_str(args[0]) if args else None
        rest = args[1:]
    else:
        name = const_str(kw(call, "table_name") or (args[1] if len(args) > 1 else None))
        rest = args[2:]
    return (table_key(name) if name else None), rest


def _index(call: ast.Call, rest: list[ast.expr], batch: bool) -> _AlembicChange | None:
    cols = str_list(kw(call, "columns") or (rest[0] if rest else None))
    if not cols:
        return None
    return ("unique" if kw_bool(call, "unique") else "index"), cols, None, None


def _fk(call: ast.Call, rest: list[ast.expr], batch: bool) -> _AlembicChange | None:
    if batch:
        ref = const_str(rest[0]) if rest else None
        cols = str_list(rest[1] if len(rest) > 1 else None)
    else:
        args = call.args
        ref = const_str(args[2]) if len(args) > 2 else None
        cols = str_list(args[3] if len(args) > 3 else None)
    if not (ref and cols):
        return None
    return "fk", cols, table_key(ref), None


def _unique(call: ast.Call, rest: list[ast.expr], batch: bool) -> _AlembicChange | None:
    cols = str_list(rest[0] if rest else kw(call, "columns"))
    return ("unique", cols, None, None) if cols else None


def _check(call: ast.Call, rest: list[ast.expr], batch: bool) -> _AlembicChange | None:
    return "check", [], None, None


def _pk(call: ast.Call, rest: list[ast.expr], batch: bool) -> _AlembicChange | None:
    cols = str_list(rest[0] if rest else kw(call, "columns"))
    return ("pk", cols, None, None) if cols else None


def _add_column(call: ast.Call, rest: list[ast.expr], batch: bool) -> _AlembicChange | None:
    col_call = rest[0] if rest else None
    if not (isinstance(col_call, ast.Call) and call_name(col_call) == "Column"):
        return None
    column = sa_column(col_call, None, call.lineno, None)
    return "column", [column["name"]], None, column


def _alter_column(call: ast.Call, rest: list[ast.expr], batch: bool) -> _AlembicChange | None:
    col = const_str(rest[0]) if rest else None
    if col and kw_bool(call, "nullable") is False:
        return "not_null", [col], None, None
    return None


_CHANGES: dict[str, Callable[[ast.Call, list[ast.expr], bool], _AlembicChange | None]] = {
    "create_index": _index,
    "create_foreign_key": _fk,
    "create_unique_constraint": _unique,
    "create_check_constraint": _check,
    "create_primary_key": _pk,
    "add_column": _add_column,
    "alter_column": _alter_column,
}


def _batch_tables(func: ast.FunctionDef) -> dict[str, str]:
    """``batch_op`` variable -> table key, for every ``with op.batch_alter_table(...)``."""
    tables: dict[str, str] = {}
    for node in ast.walk(func):
        if not isinstance(node, ast.With):
            continue
        for item in node.items:
            call = item.context_expr
            if (
                isinstance(call, ast.Call)
                and call_name(call) == "batch_alter_table"
                and isinstance(item.optional_vars, ast.Name)
            ):
                name = const_str(call.args[0]) if call.args else None
                if name:
                    tables[item.optional_vars.id] = table_key(name)
    return tables


def _change(call: ast.Call, batch_table: str | None) -> ChangeFacts | None:
    kind = call_name(call)
    handler = _CHANGES.get(kind)
    if handler is None:
        return None
    table, rest = _target(call, kind, batch_table)
    if table is None:
        return None
    change = handler(call, rest, batch_table is not None)
    if change is None:
        return None
    kind_, cols, ref, column = change
    return new_change(table, kind_, call.lineno, cols, ref, column=column)


def _create_table(call: ast.Call) -> TableFacts | None:
    name = const_str(call.args[0]) if call.args else None
    if not name:
        return None
    return table_from_args(name, call.lineno, "alembic", call.args[1:])


#: An operation call and the table of its ``batch_alter_table`` block (None for ``op.*``).
_Operation = tuple[ast.Call, str | None]


def _operations(func: ast.FunctionDef) -> list[_Operation]:
    """The ``op.*`` and ``batch_op.*`` calls of an ``upgrade()`` function, in walk order."""
    batch_tables = _batch_tables(func)
    found: list[_Operation] = []
    for node in ast.walk(func):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        owner_name = owner.id if isinstance(owner, ast.Name) else ""
        if owner_name in batch_tables:
            found.append((node, batch_tables[owner_name]))
        elif owner_name == "op":
            found.append((node, None))
    return found


def alembic_upgrade(func: ast.FunctionDef) -> tuple[list[TableFacts], list[ChangeFacts]]:
    """Tables created and changes applied by one ``upgrade()`` function."""
    tables: list[TableFacts] = []
    changes: list[ChangeFacts] = []
    for call, batch in _operations(func):
        if call_name(call) == "create_table":
            table = _create_table(call) if batch is None else None
            tables.extend([table] if table is not None else [])
            continue
        change = _change(call, batch)
        if change is not None:
            changes.append(change)
    return tables, changes
