"""SQLAlchemy and SQLModel tables: declarative classes, ``Table(...)`` and their constraints.

The column and constraint readers are shared with Alembic's ``op.create_table``.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Sequence

from ._facts import ColumnFacts, TableFacts, new_column, new_table, table_key
from ._pyast import (
    annotation_optional,
    call_name,
    const_str,
    dotted,
    kw,
    kw_bool,
    ref_key,
    single_assign,
    snake,
    str_list,
)

SA_COLUMN_CALLS = frozenset({"Column", "mapped_column"})


def optional_annotation(annotation: ast.expr | None) -> bool | None:
    """For ``Mapped[...]``: True when the inner type is optional, None when not Mapped."""
    if isinstance(annotation, ast.Subscript) and call_name(annotation.value) == "Mapped":
        return annotation_optional(ast.unparse(annotation.slice).replace(" ", ""))
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        text = annotation.value.replace(" ", "")
        if text.startswith("Mapped["):
            return annotation_optional(text)
    return None


def _foreign_key_ref(call: ast.Call) -> str | None:
    """The table a ``Column(..., ForeignKey("users.id"))`` references (the last one wins)."""
    ref: str | None = None
    for item in call.args:
        if not (isinstance(item, ast.Call) and call_name(item) == "ForeignKey" and item.args):
            continue
        target = const_str(item.args[0])
        if target is not None:
            ref = ref_key(target)
        elif isinstance(item.args[0], ast.Attribute):
            ref = ref_key(dotted(item.args[0]))
    return ref


def sa_column(
    call: ast.Call, attr_name: str | None, line: int, optional: bool | None
) -> ColumnFacts:
    """A ``Column(...)``/``mapped_column(...)``: nullable unless said otherwise, or unless
    it is the key or a non-optional ``Mapped[...]``."""
    first = const_str(call.args[0]) if call.args else None
    pk = bool(kw_bool(call, "primary_key"))
    nullable = kw_bool(call, "nullable")
    if nullable is None:
        mapped = call_name(call) == "mapped_column" and optional is not None
        nullable = optional if mapped else not pk
    return new_column(
        first or attr_name or "",
        line,
        not_null=not nullable,
        pk=pk,
        unique=bool(kw_bool(call, "unique")),
        ref=_foreign_key_ref(call),
        indexed=bool(kw_bool(call, "index")),
    )


def sqlmodel_field(call: ast.Call, name: str, line: int, optional: bool) -> ColumnFacts:
    """A SQLModel ``Field(...)``: NOT NULL unless the annotation is optional."""
    target = const_str(kw(call, "foreign_key"))
    pk = bool(kw_bool(call, "primary_key"))
    nullable = kw_bool(call, "nullable")
    return new_column(
        name,
        line,
        not_null=(not nullable) if nullable is not None else (not optional or pk),
        pk=pk,
        unique=bool(kw_bool(call, "unique")),
        ref=ref_key(target) if target else None,
        indexed=bool(kw_bool(call, "index")),
    )


def _strings(args: Iterable[ast.expr]) -> list[str]:
    return [s for s in (const_str(a) for a in args) if s]


def _primary_key(call: ast.Call, table: TableFacts) -> None:
    table["pk"] = _strings(call.args)


def _foreign_key(call: ast.Call, table: TableFacts) -> None:
    """``ForeignKeyConstraint([cols], [targets])``."""
    if len(call.args) < 2:
        return
    cols = str_list(call.args[0])
    targets = str_list(call.args[1])
    if cols and targets:
        table["fks"].append({"cols": cols, "ref": ref_key(targets[0])})


def _unique(call: ast.Call, table: TableFacts) -> None:
    strings = _strings(call.args)
    if strings:
        table["uniques"].append(strings)


def _check(call: ast.Call, table: TableFacts) -> None:
    table["checks"] += 1


def _index(call: ast.Call, table: TableFacts) -> None:
    cols = _strings(call.args[1:])
    if cols:
        table["uniques" if kw_bool(call, "unique") else "indexes"].append(cols)


_CONSTRAINTS: dict[str, Callable[[ast.Call, TableFacts], None]] = {
    "PrimaryKeyConstraint": _primary_key,
    "ForeignKeyConstraint": _foreign_key,
    "UniqueConstraint": _unique,
    "CheckConstraint": _check,
    "Index": _index,
}
SA_CONSTRAINTS = frozenset(_CONSTRAINTS)


def sa_constraint(call: ast.Call, table: TableFacts) -> None:
    """Apply a ``PrimaryKeyConstraint``/``ForeignKeyConstraint``/... to ``table``."""
    apply = _CONSTRAINTS.get(call_name(call))
    if apply is not None:
        apply(call, table)


def finish_sa_table(table: TableFacts) -> None:
    """Columns declared ``primary_key=True`` make up the key when no constraint names it."""
    for col in table["columns"]:
        if col["pk"] and col["name"] not in table["pk"]:
            table["pk"].append(col["name"])


def table_from_args(name: str, line: int, origin: str, args: Sequence[ast.expr]) -> TableFacts:
    """A table from ``Column(...)`` and constraint arguments (``Table``, ``create_table``)."""
    table = new_table(name, table_key(name), line, origin)
    for item in args:
        if not isinstance(item, ast.Call):
            continue
        if call_name(item) == "Column":
            table["columns"].append(sa_column(item, None, item.lineno, None))
        elif call_name(item) in SA_CONSTRAINTS:
            sa_constraint(item, table)
    finish_sa_table(table)
    return table


def sa_table_call(call: ast.Call) -> TableFacts | None:
    """``Table("name", metadata, Column(...), ...)``."""
    name = const_str(call.args[0]) if call.args else None
    if not name:
        return None
    return table_from_args(name, call.lineno, "sqlalchemy", call.args[2:])


def class_markers(node: ast.ClassDef) -> tuple[str | None, bool]:
    """``__tablename__`` (if a string) and whether ``__abstract__ = True``."""
    tablename: str | None = None
    abstract = False
    for stmt in node.body:
        assigned = single_assign(stmt)
        if assigned is None:
            continue
        target, value = assigned
        if target == "__tablename__":
            tablename = const_str(value)
        elif target == "__abstract__":
            abstract = isinstance(value, ast.Constant) and value.value is True
    return tablename, abstract


def _table_args(node: ast.ClassDef) -> list[ast.Call]:
    """The calls listed in a model's ``__table_args__`` tuple or list."""
    calls: list[ast.Call] = []
    for stmt in node.body:
        assigned = single_assign(stmt)
        if assigned is not None and assigned[0] == "__table_args__":
            value = assigned[1]
            if isinstance(value, ast.Tuple | ast.List):
                calls.extend(elt for elt in value.elts if isinstance(elt, ast.Call))
    return calls


def _class_attribute(stmt: ast.stmt) -> tuple[str, ast.expr | None, ast.expr | None] | None:
    """(name, value, annotation) of a class attribute that may be a column."""
    target: ast.expr
    value: ast.expr | None
    annotation: ast.expr | None
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target, value, annotation = stmt.targets[0], stmt.value, None
    elif isinstance(stmt, ast.AnnAssign):
        target, value, annotation = stmt.target, stmt.value, stmt.annotation
    else:
        return None
    if not isinstance(target, ast.Name) or target.id.startswith("__"):
        return None
    return target.id, value, annotation


def sa_columns(node: ast.ClassDef) -> list[ColumnFacts]:
    """The columns of a declarative class: ``Column``/``mapped_column`` attributes and bare
    ``Mapped[...]`` annotations."""
    columns: list[ColumnFacts] = []
    for stmt in node.body:
        attribute = _class_attribute(stmt)
        if attribute is None:
            continue
        name, value, annotation = attribute
        optional = optional_annotation(annotation)
        if isinstance(value, ast.Call) and call_name(value) in SA_COLUMN_CALLS:
            columns.append(sa_column(value, name, stmt.lineno, optional))
        elif value is None and optional is not None:
            columns.append(new_column(name, stmt.lineno, not_null=not optional))
    return columns


def sa_class_table(node: ast.ClassDef, tablename: str | None, bases: set[str]) -> TableFacts | None:
    """A declarative class's table (None when the class maps none)."""
    columns = sa_columns(node)
    if tablename is None and not (columns and any(b.endswith("Model") for b in bases)):
        return None
    name = tablename or snake(node.name)
    table = new_table(name, table_key(name), node.lineno, "sqlalchemy")
    table["columns"] = columns
    for call in _table_args(node):
        sa_constraint(call, table)
    finish_sa_table(table)
    return table


def _sqlmodel_column(stmt: ast.AnnAssign, name: str) -> ColumnFacts | None:
    optional = annotation_optional(ast.unparse(stmt.annotation).replace(" ", ""))
    value = stmt.value
    if isinstance(value, ast.Call) and call_name(value) == "Field":
        return sqlmodel_field(value, name, stmt.lineno, optional)
    if isinstance(value, ast.Call) and call_name(value) == "Relationship":
        return None
    return new_column(name, stmt.lineno, not_null=not optional)


def sqlmodel_table(node: ast.ClassDef, tablename: str | None) -> TableFacts:
    """A SQLModel ``table=True`` class: every annotated attribute but relationships."""
    name = tablename or node.name.lower()
    table = new_table(name, table_key(name), node.lineno, "sqlmodel")
    for stmt in node.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            column = _sqlmodel_column(stmt, stmt.target.id)
            if column is not None:
                table["columns"].append(column)
    finish_sa_table(table)
    return table
