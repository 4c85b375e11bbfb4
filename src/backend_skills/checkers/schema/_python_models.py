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
from collections.abc import Mapping, Sequence

from ._facts import (
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
    if kind == "PrimaryKeyConstraint":
        table["pk"] = [s for s in (_str(a) for a in call.args) if s]
    elif kind == "ForeignKeyConstraint" and len(call.args) >= 2:
        cols = _str_list(call.args[0])
        targets = _str_list(call.args[1])
        if cols and targets:
            table["fks"].append({"cols": cols, "ref": _ref_key(targets[0])})
    elif kind == "UniqueConstraint":
        cols = [s for s in (_str(a) for a in call.args) if s]
        if cols:
            table["uniques"].append(cols)
    elif kind == "CheckConstraint":
        table["checks"] += 1
    elif kind == "Index":
        cols = [s for s in (_str(a) for a in call.args[1:]) if s]
        if cols:
            if _kw_bool(call, "unique"):
                table["uniques"].append(cols)
            else:
                table["indexes"].append(cols)


def _finish_sa_table(table: TableFacts) -> None:
    for col in table["columns"]:
        if col["pk"] and col["name"] not in table["pk"]:
            table["pk"].append(col["name"])


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


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
        tablename: str | None = None
        abstract = False
        for stmt in node.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0]
                if isinstance(target, ast.Name) and target.id == "__tablename__":
                    tablename = _str(stmt.value)
                if isinstance(target, ast.Name) and target.id == "__abstract__":
                    abstract = isinstance(stmt.value, ast.Constant) and stmt.value.value is True
        if abstract:
            return
        bases = {_dotted(b) for b in node.bases}
        if any(b.endswith("models.Model") or b in self.django_models for b in bases) or (
            "Model" in bases and self._has_django_fields(node)
        ):
            self._django_model(node)
            return
        sqlmodel = any(
            kw.arg == "table" and isinstance(kw.value, ast.Constant) and kw.value.value is True
            for kw in node.keywords
        )
        if sqlmodel:
            self._sqlmodel(node, tablename)
            return
        columns = self._sa_columns(node)
        if tablename is None and not (columns and any(b.endswith("Model") for b in bases)):
            return
        if not columns and tablename is None:
            return
        name = tablename or _snake(node.name)
        table = new_table(name, table_key(name), node.lineno, "sqlalchemy")
        table["columns"] = columns
        for stmt in node.body:
            if (
                isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and stmt.targets[0].id == "__table_args__"
                and isinstance(stmt.value, ast.Tuple | ast.List)
            ):
                for elt in stmt.value.elts:
                    if isinstance(elt, ast.Call) and _call_name(elt) in _SA_CONSTRAINTS:
                        _sa_constraint(elt, table)
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
                model = _str(_kw(node, "model_name") or (node.args[0] if node.args else None))
                name = _str(_kw(node, "name") or (node.args[1] if len(node.args) > 1 else None))
                field_call = _kw(node, "field") or (node.args[2] if len(node.args) > 2 else None)
                if model and name and isinstance(field_call, ast.Call):
                    column = _django_field(name, field_call, node.lineno, model)
                    if column is not None:
                        self.facts["changes"].append(
                            new_change(
                                model.lower(),
                                "column",
                                node.lineno,
                                [column["name"]],
                                column=column,
                            )
                        )
            elif kind in ("AddIndex", "AddConstraint"):
                model = _str(_kw(node, "model_name") or (node.args[0] if node.args else None))
                item = _kw(node, "index") or _kw(node, "constraint")
                if model and isinstance(item, ast.Call):
                    probe = new_table("", model.lower(), node.lineno, "django")
                    _django_meta_item(item, probe)
                    for cols in probe["uniques"]:
                        self.facts["changes"].append(
                            new_change(model.lower(), "unique", node.lineno, cols)
                        )
                    for cols in probe["indexes"]:
                        self.facts["changes"].append(
                            new_change(model.lower(), "index", node.lineno, cols)
                        )
                    if probe["checks"]:
                        self.facts["changes"].append(
                            new_change(model.lower(), "check", node.lineno)
                        )

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
        args = list(call.args)
        line = call.lineno
        if kind == "create_table" and batch_table is None:
            name = _str(args[0]) if args else None
            if not name:
                return
            table = new_table(name, table_key(name), line, "alembic")
            for arg in args[1:]:
                if isinstance(arg, ast.Call) and _call_name(arg) == "Column":
                    table["columns"].append(_sa_column(arg, None, arg.lineno, None))
                elif isinstance(arg, ast.Call) and _call_name(arg) in _SA_CONSTRAINTS:
                    _sa_constraint(arg, table)
            _finish_sa_table(table)
            self.facts["tables"].append(table)
            return
        # Operations on an existing table: Alembic passes (name, table, ...) to op.* and
        # (name, ...) to batch_op.*; the table argument is dropped in batch mode.
        if batch_table is not None:
            table_arg: str | None = batch_table
            rest = args if kind in ("add_column", "alter_column") else args[1:]
        else:
            table_arg = _str(_kw(call, "table_name") or (args[1] if len(args) > 1 else None))
            rest = args[2:]
            if kind == "add_column" or kind == "alter_column":
                table_arg = _str(args[0]) if args else None
                rest = args[1:]
            table_arg = table_key(table_arg) if table_arg else None
        if table_arg is None:
            return
        if kind == "create_index":
            cols = _str_list(_kw(call, "columns") or (rest[0] if rest else None))
            unique = bool(_kw_bool(call, "unique"))
            if cols:
                self.facts["changes"].append(
                    new_change(table_arg, "unique" if unique else "index", line, cols)
                )
        elif kind == "create_foreign_key":
            if batch_table is not None:
                ref = _str(rest[0]) if rest else None
                cols = _str_list(rest[1] if len(rest) > 1 else None)
            else:
                ref = _str(args[2]) if len(args) > 2 else None
                cols = _str_list(args[3] if len(args) > 3 else None)
            if ref and cols:
                self.facts["changes"].append(
                    new_change(table_arg, "fk", line, cols, table_key(ref))
                )
        elif kind == "create_unique_constraint":
            cols = _str_list(rest[0] if rest else _kw(call, "columns"))
            if cols:
                self.facts["changes"].append(new_change(table_arg, "unique", line, cols))
        elif kind == "create_check_constraint":
            self.facts["changes"].append(new_change(table_arg, "check", line))
        elif kind == "create_primary_key":
            cols = _str_list(rest[0] if rest else _kw(call, "columns"))
            if cols:
                self.facts["changes"].append(new_change(table_arg, "pk", line, cols))
        elif kind == "add_column":
            col_call = rest[0] if rest else None
            if isinstance(col_call, ast.Call) and _call_name(col_call) == "Column":
                column = _sa_column(col_call, None, line, None)
                self.facts["changes"].append(
                    new_change(table_arg, "column", line, [column["name"]], column=column)
                )
        elif kind == "alter_column":
            col = _str(rest[0]) if rest else None
            if col and _kw_bool(call, "nullable") is False:
                self.facts["changes"].append(new_change(table_arg, "not_null", line, [col]))


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
