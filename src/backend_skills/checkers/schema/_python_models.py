"""Tables declared by Python code: SQLAlchemy, SQLModel, Alembic and Django.

:func:`read_python_schema` reads SQLAlchemy declarative models and ``Table(...)``,
SQLModel tables, Alembic ``op.create_table`` / ``op.create_index`` /
``op.create_foreign_key`` ... inside ``upgrade()``, Django models and Django migration
``CreateModel`` / ``AddField`` / ``AddIndex`` / ``AddConstraint``. The module is parsed,
never imported or run.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping, Sequence

from ._facts import (
    ChangeKind,
    ColumnFacts,
    SchemaFacts,
    TableFacts,
    empty_facts,
    new_change,
    new_column,
    new_table,
    table_key,
)

#: Cheap substrings that must appear before a Python file is parsed for schema facts.
PYTHON_SCHEMA_MARKERS = (
    "__tablename__",
    "mapped_column",
    "Column(",
    "create_table",
    "create_index",
    "create_foreign_key",
    "models.Model",
    "CreateModel",
    "Table(",
    "table=True",
)


def has_python_schema_markers(text: str) -> bool:
    """Whether ``text`` may declare tables (decides which Python files are parsed)."""
    return any(marker in text for marker in PYTHON_SCHEMA_MARKERS)


def _call_name(node: ast.expr) -> str:
    """``Column`` for ``Column(...)``, ``sa.Column(...)`` and ``db.Column(...)``."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def _str(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Call) and _call_name(node) == "f" and node.args:
        return _str(node.args[0])  # op.f("ix_name")
    return None


def _arg(call: ast.Call, index: int) -> ast.expr | None:
    """The positional argument at ``index``, if given."""
    return call.args[index] if len(call.args) > index else None


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def _kw_bool(call: ast.Call, name: str) -> bool | None:
    value = _kw(call, name)
    if isinstance(value, ast.Constant) and isinstance(value.value, bool):
        return value.value
    return None


def _str_list(node: ast.expr | None) -> list[str]:
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [s for s in (_str(e) for e in node.elts) if s is not None]
    single = _str(node)
    return [single] if single is not None else []


def _ref_key(target: str) -> str:
    """``users.id`` -> ``users``; ``schema.users.id`` -> ``users``."""
    parts = target.split(".")
    return (parts[-2] if len(parts) >= 2 else parts[0]).lower()


_SA_COLUMN_CALLS = frozenset({"Column", "mapped_column"})
_SA_CONSTRAINTS = frozenset(
    {
        "PrimaryKeyConstraint",
        "ForeignKeyConstraint",
        "UniqueConstraint",
        "CheckConstraint",
        "Index",
    }
)


def _optional_annotation(annotation: ast.expr | None) -> bool | None:
    """For ``Mapped[...]``: True when the inner type is optional, None when not Mapped."""
    if not isinstance(annotation, ast.Subscript) or _call_name(annotation.value) != "Mapped":
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            text = annotation.value.replace(" ", "")
            if text.startswith("Mapped["):
                return "Optional[" in text or "|None" in text or "None|" in text
        return None
    inner = annotation.slice
    text = ast.unparse(inner).replace(" ", "")
    return "Optional[" in text or "|None" in text or "None|" in text


def _sa_column(
    call: ast.Call, attr_name: str | None, line: int, optional: bool | None
) -> ColumnFacts:
    first = _str(call.args[0]) if call.args else None
    name = first or attr_name or ""
    ref: str | None = None
    for arg in call.args:
        if isinstance(arg, ast.Call) and _call_name(arg) == "ForeignKey" and arg.args:
            target = _str(arg.args[0])
            if target is not None:
                ref = _ref_key(target)
            elif isinstance(arg.args[0], ast.Attribute):
                ref = _ref_key(_dotted(arg.args[0]))
    pk = bool(_kw_bool(call, "primary_key"))
    nullable = _kw_bool(call, "nullable")
    if nullable is None:
        if _call_name(call) == "mapped_column" and optional is not None:
            nullable = optional
        else:
            nullable = not pk
    return new_column(
        name,
        line,
        not_null=not nullable,
        pk=pk,
        unique=bool(_kw_bool(call, "unique")),
        ref=ref,
        indexed=bool(_kw_bool(call, "index")),
    )


def _sqlmodel_field(call: ast.Call, name: str, line: int, optional: bool) -> ColumnFacts:
    target = _str(_kw(call, "foreign_key"))
    pk = bool(_kw_bool(call, "primary_key"))
    nullable = _kw_bool(call, "nullable")
    return new_column(
        name,
        line,
        not_null=(not nullable) if nullable is not None else (not optional or pk),
        pk=pk,
        unique=bool(_kw_bool(call, "unique")),
        ref=_ref_key(target) if target else None,
        indexed=bool(_kw_bool(call, "index")),
    )


def _sa_constraint(call: ast.Call, table: TableFacts) -> None:
    """Apply a ``PrimaryKeyConstraint``/``ForeignKeyConstraint``/... to ``table``."""
    kind = _call_name(call)
    strings = [s for s in (_str(a) for a in call.args) if s]
    if kind == "PrimaryKeyConstraint":
        table["pk"] = strings
    elif kind == "ForeignKeyConstraint":
        _sa_foreign_key(call, table)
    elif kind == "UniqueConstraint" and strings:
        table["uniques"].append(strings)
    elif kind == "CheckConstraint":
        table["checks"] += 1
    elif kind == "Index":
        cols = [s for s in (_str(a) for a in call.args[1:]) if s]
        if cols:
            table["uniques" if _kw_bool(call, "unique") else "indexes"].append(cols)


def _sa_foreign_key(call: ast.Call, table: TableFacts) -> None:
    """``ForeignKeyConstraint([cols], [targets])``."""
    if len(call.args) < 2:
        return
    cols = _str_list(call.args[0])
    targets = _str_list(call.args[1])
    if cols and targets:
        table["fks"].append({"cols": cols, "ref": _ref_key(targets[0])})


def _finish_sa_table(table: TableFacts) -> None:
    for col in table["columns"]:
        if col["pk"] and col["name"] not in table["pk"]:
            table["pk"].append(col["name"])


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _class_markers(node: ast.ClassDef) -> tuple[str | None, bool]:
    """``__tablename__`` (if a string) and whether ``__abstract__ = True``."""
    tablename: str | None = None
    abstract = False
    for stmt in node.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
            continue
        target = stmt.targets[0]
        if isinstance(target, ast.Name) and target.id == "__tablename__":
            tablename = _str(stmt.value)
        if isinstance(target, ast.Name) and target.id == "__abstract__":
            abstract = isinstance(stmt.value, ast.Constant) and stmt.value.value is True
    return tablename, abstract


def _is_true_keyword(kw: ast.keyword, name: str) -> bool:
    """``name=True`` in a class statement or call (SQLModel's ``table=True``)."""
    return kw.arg == name and isinstance(kw.value, ast.Constant) and kw.value.value is True


def _table_args(node: ast.ClassDef) -> list[ast.Call]:
    """The calls listed in a model's ``__table_args__`` tuple or list."""
    calls: list[ast.Call] = []
    for stmt in node.body:
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and stmt.targets[0].id == "__table_args__"
            and isinstance(stmt.value, ast.Tuple | ast.List)
        ):
            calls.extend(elt for elt in stmt.value.elts if isinstance(elt, ast.Call))
    return calls


class _PythonSchemaReader:
    """Collects tables from one parsed Python module."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.facts = empty_facts()
        self.django_models: set[str] = set()

    def read(self) -> SchemaFacts:
        is_django_migration = False
        for node in self.tree.body:
            if isinstance(node, ast.ClassDef) and node.name == "Migration":
                is_django_migration = any(_call_name(b) == "Migration" for b in node.bases)
        for cls in ast.walk(self.tree):
            if isinstance(cls, ast.ClassDef):
                self._class(cls)
        for node in self.tree.body:
            self._module_statement(node)
        if is_django_migration:
            self._django_migration()
        return self.facts

    # -- module level: Table(...), Alembic upgrade() ---------------------------------

    def _module_statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Call):
            if _call_name(node.value) == "Table":
                self._sa_table_call(node.value)
        elif isinstance(node, ast.FunctionDef) and node.name.startswith("upgrade"):
            self._alembic(node)

    def _sa_table_call(self, call: ast.Call) -> None:
        name = _str(call.args[0]) if call.args else None
        if not name:
            return
        table = new_table(name, table_key(name), call.lineno, "sqlalchemy")
        for arg in call.args[2:]:
            if isinstance(arg, ast.Call) and _call_name(arg) == "Column":
                table["columns"].append(_sa_column(arg, None, arg.lineno, None))
            elif isinstance(arg, ast.Call) and _call_name(arg) in _SA_CONSTRAINTS:
                _sa_constraint(arg, table)
        _finish_sa_table(table)
        self.facts["tables"].append(table)

    # -- classes: SQLAlchemy / SQLModel / Django -------------------------------------

    def _class(self, node: ast.ClassDef) -> None:
        tablename, abstract = _class_markers(node)
        if abstract:
            return
        bases = {_dotted(b) for b in node.bases}
        if any(b.endswith("models.Model") or b in self.django_models for b in bases) or (
            "Model" in bases and self._has_django_fields(node)
        ):
            self._django_model(node)
            return
        if any(_is_true_keyword(kw, "table") for kw in node.keywords):
            self._sqlmodel(node, tablename)
            return
        columns = self._sa_columns(node)
        if tablename is None and not (columns and any(b.endswith("Model") for b in bases)):
            return
        name = tablename or _snake(node.name)
        table = new_table(name, table_key(name), node.lineno, "sqlalchemy")
        table["columns"] = columns
        for call in _table_args(node):
            if _call_name(call) in _SA_CONSTRAINTS:
                _sa_constraint(call, table)
        _finish_sa_table(table)
        self.facts["tables"].append(table)

    @staticmethod
    def _sa_columns(node: ast.ClassDef) -> list[ColumnFacts]:
        columns: list[ColumnFacts] = []
        for stmt in node.body:
            value: ast.expr | None
            annotation: ast.expr | None
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0]
                value = stmt.value
                annotation = None
            elif isinstance(stmt, ast.AnnAssign):
                target, value, annotation = stmt.target, stmt.value, stmt.annotation
            else:
                continue
            if not isinstance(target, ast.Name) or target.id.startswith("__"):
                continue
            optional = _optional_annotation(annotation)
            if isinstance(value, ast.Call) and _call_name(value) in _SA_COLUMN_CALLS:
                columns.append(_sa_column(value, target.id, stmt.lineno, optional))
            elif value is None and optional is not None:
                columns.append(new_column(target.id, stmt.lineno, not_null=not optional))
        return columns

    def _sqlmodel(self, node: ast.ClassDef, tablename: str | None) -> None:
        name = tablename or node.name.lower()
        table = new_table(name, table_key(name), node.lineno, "sqlmodel")
        for stmt in node.body:
            if not isinstance(stmt, ast.AnnAssign) or not isinstance(stmt.target, ast.Name):
                continue
            text = ast.unparse(stmt.annotation).replace(" ", "")
            optional = "Optional[" in text or "|None" in text or "None|" in text
            if isinstance(stmt.value, ast.Call) and _call_name(stmt.value) == "Field":
                col = _sqlmodel_field(stmt.value, stmt.target.id, stmt.lineno, optional)
            elif isinstance(stmt.value, ast.Call) and _call_name(stmt.value) == "Relationship":
                continue
            else:
                col = new_column(stmt.target.id, stmt.lineno, not_null=not optional)
            table["columns"].append(col)
        _finish_sa_table(table)
        self.facts["tables"].append(table)

    @staticmethod
    def _has_django_fields(node: ast.ClassDef) -> bool:
        return any(
            isinstance(stmt, ast.Assign)
            and isinstance(stmt.value, ast.Call)
            and _dotted(stmt.value.func).startswith("models.")
            for stmt in node.body
        )

    def _django_model(self, node: ast.ClassDef) -> None:
        meta = next(
            (s for s in node.body if isinstance(s, ast.ClassDef) and s.name == "Meta"), None
        )
        options: dict[str, ast.expr] = {}
        if meta is not None:
            for stmt in meta.body:
                if (
                    isinstance(stmt, ast.Assign)
                    and len(stmt.targets) == 1
                    and isinstance(stmt.targets[0], ast.Name)
                ):
                    options[stmt.targets[0].id] = stmt.value
        if any(
            isinstance(options.get(flag), ast.Constant)
            and getattr(options.get(flag), "value", None) is True
            for flag in ("abstract", "proxy")
        ):
            if not _truthy(options.get("proxy")):
                self.django_models.add(node.name)  # abstract bases pass fields down
            return
        self.django_models.add(node.name)
        fields: list[tuple[str, ast.Call, int]] = []
        for stmt in node.body:
            if (
                isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and isinstance(stmt.value, ast.Call)
            ):
                fields.append((stmt.targets[0].id, stmt.value, stmt.lineno))
        db_table = _str(options.get("db_table"))
        self._django_table(node.name, db_table, fields, node.lineno, options)

    def _django_table(
        self,
        model: str,
        db_table: str | None,
        fields: Sequence[tuple[str, ast.Call, int]],
        line: int,
        options: Mapping[str, ast.expr],
    ) -> None:
        table = new_table(db_table or model, model.lower(), line, "django")
        table["implicit_pk"] = True
        for name, call, field_line in fields:
            column = _django_field(name, call, field_line, model)
            if column is None:
                continue
            table["columns"].append(column)
            if column["pk"]:
                table["pk"] = [column["name"]]
            if column["ref"] is not None:
                table["fks"].append({"cols": [column["name"]], "ref": column["ref"]})
        _django_options(table, options)
        self.facts["tables"].append(table)

    def _django_migration(self) -> None:
        for node in ast.walk(self.tree):
            if not isinstance(node, ast.Call):
                continue
            kind = _call_name(node)
            if kind == "CreateModel":
                self._django_create_model(node)
            elif kind == "AddField":
                self._django_add_field(node)
            elif kind in ("AddIndex", "AddConstraint"):
                self._django_add_meta_item(node)

    def _django_add_field(self, node: ast.Call) -> None:
        model = _str(_kw(node, "model_name") or _arg(node, 0))
        name = _str(_kw(node, "name") or _arg(node, 1))
        field_call = _kw(node, "field") or _arg(node, 2)
        if not (model and name and isinstance(field_call, ast.Call)):
            return
        column = _django_field(name, field_call, node.lineno, model)
        if column is not None:
            self.facts["changes"].append(
                new_change(model.lower(), "column", node.lineno, [column["name"]], column=column)
            )

    def _django_add_meta_item(self, node: ast.Call) -> None:
        model = _str(_kw(node, "model_name") or _arg(node, 0))
        item = _kw(node, "index") or _kw(node, "constraint")
        if not (model and isinstance(item, ast.Call)):
            return
        key = model.lower()
        probe = new_table("", key, node.lineno, "django")
        _django_meta_item(item, probe)
        changes = self.facts["changes"]
        changes.extend(new_change(key, "unique", node.lineno, cols) for cols in probe["uniques"])
        changes.extend(new_change(key, "index", node.lineno, cols) for cols in probe["indexes"])
        if probe["checks"]:
            changes.append(new_change(key, "check", node.lineno))

    def _django_create_model(self, call: ast.Call) -> None:
        model = _str(_kw(call, "name") or (call.args[0] if call.args else None))
        fields_node = _kw(call, "fields") or (call.args[1] if len(call.args) > 1 else None)
        if not model or not isinstance(fields_node, ast.List | ast.Tuple):
            return
        fields: list[tuple[str, ast.Call, int]] = []
        for elt in fields_node.elts:
            if (
                isinstance(elt, ast.Tuple)
                and len(elt.elts) == 2
                and isinstance(elt.elts[1], ast.Call)
            ):
                name = _str(elt.elts[0])
                if name:
                    fields.append((name, elt.elts[1], elt.lineno))
        options: dict[str, ast.expr] = {}
        opts = _kw(call, "options")
        if isinstance(opts, ast.Dict):
            for key, value in zip(opts.keys, opts.values, strict=True):
                text = _str(key) if key is not None else None
                if text:
                    options[text] = value
        if _truthy(options.get("abstract")) or _truthy(options.get("proxy")):
            return
        self._django_table(model, _str(options.get("db_table")), fields, call.lineno, options)

    # -- Alembic ---------------------------------------------------------------------

    def _alembic(self, func: ast.FunctionDef) -> None:
        batch_tables: dict[str, str] = {}
        for node in ast.walk(func):
            if isinstance(node, ast.With):
                for item in node.items:
                    call = item.context_expr
                    if (
                        isinstance(call, ast.Call)
                        and _call_name(call) == "batch_alter_table"
                        and isinstance(item.optional_vars, ast.Name)
                    ):
                        name = _str(call.args[0]) if call.args else None
                        if name:
                            batch_tables[item.optional_vars.id] = table_key(name)
        for node in ast.walk(func):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                owner_name = owner.id if isinstance(owner, ast.Name) else ""
                if owner_name in batch_tables:
                    self._alembic_op(node, batch_tables[owner_name])
                elif owner_name == "op":
                    self._alembic_op(node, None)

    def _alembic_op(self, call: ast.Call, batch_table: str | None) -> None:
        kind = _call_name(call)
        if kind == "create_table":
            if batch_table is None:
                self._alembic_create_table(call)
            return
        handler = _ALEMBIC_CHANGES.get(kind)
        if handler is None:
            return
        table, rest = _alembic_target(call, kind, batch_table)
        if table is None:
            return
        change = handler(call, rest, batch_table is not None)
        if change is not None:
            kind_, cols, ref, column = change
            self.facts["changes"].append(
                new_change(table, kind_, call.lineno, cols, ref, column=column)
            )

    def _alembic_create_table(self, call: ast.Call) -> None:
        args = call.args
        name = _str(args[0]) if args else None
        if not name:
            return
        table = new_table(name, table_key(name), call.lineno, "alembic")
        for arg in args[1:]:
            if isinstance(arg, ast.Call) and _call_name(arg) == "Column":
                table["columns"].append(_sa_column(arg, None, arg.lineno, None))
            elif isinstance(arg, ast.Call) and _call_name(arg) in _SA_CONSTRAINTS:
                _sa_constraint(arg, table)
        _finish_sa_table(table)
        self.facts["tables"].append(table)


#: What one Alembic operation changes: (kind, columns, referenced table, added column).
_AlembicChange = tuple[ChangeKind, list[str], str | None, ColumnFacts | None]


def _alembic_target(
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
        name = _str(args[0]) if args else None
        rest = args[1:]
    else:
        name = _str(_kw(call, "table_name") or (args[1] if len(args) > 1 else None))
        rest = args[2:]
    return (table_key(name) if name else None), rest


def _alembic_index(call: ast.Call, rest: list[ast.expr], batch: bool) -> _AlembicChange | None:
    cols = _str_list(_kw(call, "columns") or (rest[0] if rest else None))
    if not cols:
        return None
    return ("unique" if _kw_bool(call, "unique") else "index"), cols, None, None


def _alembic_fk(call: ast.Call, rest: list[ast.expr], batch: bool) -> _AlembicChange | None:
    if batch:
        ref = _str(rest[0]) if rest else None
        cols = _str_list(rest[1] if len(rest) > 1 else None)
    else:
        args = call.args
        ref = _str(args[2]) if len(args) > 2 else None
        cols = _str_list(args[3] if len(args) > 3 else None)
    if not (ref and cols):
        return None
    return "fk", cols, table_key(ref), None


def _alembic_unique(call: ast.Call, rest: list[ast.expr], batch: bool) -> _AlembicChange | None:
    cols = _str_list(rest[0] if rest else _kw(call, "columns"))
    return ("unique", cols, None, None) if cols else None


def _alembic_check(call: ast.Call, rest: list[ast.expr], batch: bool) -> _AlembicChange | None:
    return "check", [], None, None


def _alembic_pk(call: ast.Call, rest: list[ast.expr], batch: bool) -> _AlembicChange | None:
    cols = _str_list(rest[0] if rest else _kw(call, "columns"))
    return ("pk", cols, None, None) if cols else None


def _alembic_add_column(call: ast.Call, rest: list[ast.expr], batch: bool) -> _AlembicChange | None:
    col_call = rest[0] if rest else None
    if not (isinstance(col_call, ast.Call) and _call_name(col_call) == "Column"):
        return None
    column = _sa_column(col_call, None, call.lineno, None)
    return "column", [column["name"]], None, column


def _alembic_alter_column(
    call: ast.Call, rest: list[ast.expr], batch: bool
) -> _AlembicChange | None:
    col = _str(rest[0]) if rest else None
    if col and _kw_bool(call, "nullable") is False:
        return "not_null", [col], None, None
    return None


_ALEMBIC_CHANGES: dict[str, Callable[[ast.Call, list[ast.expr], bool], _AlembicChange | None]] = {
    "create_index": _alembic_index,
    "create_foreign_key": _alembic_fk,
    "create_unique_constraint": _alembic_unique,
    "create_check_constraint": _alembic_check,
    "create_primary_key": _alembic_pk,
    "add_column": _alembic_add_column,
    "alter_column": _alembic_alter_column,
}


def _truthy(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


_DJANGO_FK = frozenset({"ForeignKey", "OneToOneField"})


def _django_target(node: ast.expr | None, model: str) -> str | None:
    if node is None:
        return None
    text = _str(node)
    if text is not None:
        if text == "self":
            return model.lower()
        return text.split(".")[-1].lower()
    dotted = _dotted(node)
    if dotted.endswith("AUTH_USER_MODEL"):
        return "user"
    return dotted.split(".")[-1].lower() if dotted else None


def _django_field(name: str, call: ast.Call, line: int, model: str) -> ColumnFacts | None:
    kind = _call_name(call)
    if kind == "ManyToManyField" or not (kind.endswith("Field") or kind in _DJANGO_FK):
        return None
    pk = _truthy(_kw(call, "primary_key"))
    null = _truthy(_kw(call, "null"))
    column_name = _str(_kw(call, "db_column")) or name
    ref: str | None = None
    indexed = _truthy(_kw(call, "db_index"))
    unique = _truthy(_kw(call, "unique")) or kind == "OneToOneField"
    if kind in _DJANGO_FK:
        ref = _django_target(_kw(call, "to") or (call.args[0] if call.args else None), model)
        if not _str(_kw(call, "db_column")):
            column_name = f"{name}_id"
        index_flag = _kw_bool(call, "db_index")
        indexed = index_flag is not False  # Django indexes foreign keys unless told not to
    return new_column(
        column_name,
        line,
        not_null=not null,
        pk=pk,
        unique=unique,
        ref=ref,
        indexed=indexed,
        check="Positive" in kind,
    )


def _django_options(table: TableFacts, options: Mapping[str, ast.expr]) -> None:
    together = options.get("unique_together")
    if isinstance(together, ast.List | ast.Tuple | ast.Set):
        groups = together.elts
        if groups and all(isinstance(g, ast.Constant) for g in groups):
            groups = [together]
        for group in groups:
            cols = _str_list(group)
            if cols:
                table["uniques"].append(cols)
    for key in ("constraints", "indexes"):
        items = options.get(key)
        if isinstance(items, ast.List | ast.Tuple):
            for item in items.elts:
                if isinstance(item, ast.Call):
                    _django_meta_item(item, table)
    index_together = options.get("index_together")
    if isinstance(index_together, ast.List | ast.Tuple):
        for group in index_together.elts:
            cols = _str_list(group)
            if cols:
                table["indexes"].append(cols)


def _django_meta_item(item: ast.Call, table: TableFacts) -> None:
    kind = _call_name(item)
    cols = _str_list(_kw(item, "fields"))
    if kind == "UniqueConstraint" and cols:
        table["uniques"].append(cols)
    elif kind == "CheckConstraint":
        table["checks"] += 1
    elif kind == "Index" and cols:
        table["indexes"].append([c.lstrip("-") for c in cols])


def read_python_schema(tree: ast.Module) -> SchemaFacts:
    """Tables declared by SQLAlchemy, SQLModel, Alembic or Django code in ``tree``."""
    return _PythonSchemaReader(tree).read()
