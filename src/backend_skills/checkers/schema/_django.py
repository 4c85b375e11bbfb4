"""Django tables: ``models.Model`` classes and migration operations.

Models give a table per concrete class (abstract bases pass their fields down, proxies
add none); migrations give ``CreateModel`` tables and ``AddField``/``AddIndex``/
``AddConstraint`` changes.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence

from ._facts import ChangeFacts, ColumnFacts, TableFacts, new_change, new_column, new_table
from ._pyast import arg, call_name, const_str, dotted, kw, kw_bool, single_assign, str_list, truthy

_FK = frozenset({"ForeignKey", "OneToOneField"})

#: (field name, field call, line) of one model field.
Field = tuple[str, ast.Call, int]


def has_django_fields(node: ast.ClassDef) -> bool:
    """Whether a class assigns ``models.*Field(...)`` (a model of a re-exported base)."""
    return any(
        isinstance(stmt, ast.Assign)
        and isinstance(stmt.value, ast.Call)
        and dotted(stmt.value.func).startswith("models.")
        for stmt in node.body
    )


def _target(node: ast.expr | None, model: str) -> str | None:
    """The model a relation points to: ``"self"``, ``"app.Model"``, ``Model`` or the user."""
    if node is None:
        return None
    text = const_str(node)
    if text is not None:
        return model.lower() if text == "self" else text.split(".")[-1].lower()
    name = dotted(node)
    if name.endswith("AUTH_USER_MODEL"):
        return "user"
    return name.split(".")[-1].lower() if name else None


def django_field(name: str, call: ast.Call, line: int, model: str) -> ColumnFacts | None:
    """The column of one field (None for many-to-many and non-field attributes)."""
    kind = call_name(call)
    if kind == "ManyToManyField" or not (kind.endswith("Field") or kind in _FK):
        return None
    db_column = const_str(kw(call, "db_column"))
    column = new_column(
        db_column or name,
        line,
        not_null=not truthy(kw(call, "null")),
        pk=truthy(kw(call, "primary_key")),
        unique=truthy(kw(call, "unique")) or kind == "OneToOneField",
        indexed=truthy(kw(call, "db_index")),
        check="Positive" in kind,
    )
    if kind in _FK:
        column["ref"] = _target(kw(call, "to") or (call.args[0] if call.args else None), model)
        column["name"] = db_column or f"{name}_id"
        # Django indexes foreign keys unless told not to.
        column["indexed"] = kw_bool(call, "db_index") is not False
    return column


def django_table(
    model: str,
    db_table: str | None,
    fields: Sequence[Field],
    line: int,
    options: Mapping[str, ast.expr],
) -> TableFacts:
    """The table of a model (class or ``CreateModel``) from its fields and Meta options."""
    table = new_table(db_table or model, model.lower(), line, "django")
    table["implicit_pk"] = True
    for name, call, field_line in fields:
        column = django_field(name, call, field_line, model)
        if column is None:
            continue
        table["columns"].append(column)
        if column["pk"]:
            table["pk"] = [column["name"]]
        if column["ref"] is not None:
            table["fks"].append({"cols": [column["name"]], "ref": column["ref"]})
    _options(table, options)
    return table


def _groups(node: ast.expr | None) -> list[list[str]]:
    """``unique_together``/``index_together``: one group or a list of groups."""
    if not isinstance(node, ast.List | ast.Tuple | ast.Set):
        return []
    groups: list[ast.expr] = list(node.elts)
    if groups and all(isinstance(g, ast.Constant) for g in groups):
        groups = [node]
    return [cols for cols in (str_list(g) for g in groups) if cols]


def _options(table: TableFacts, options: Mapping[str, ast.expr]) -> None:
    together = options.get("unique_together")
    if isinstance(together, ast.List | ast.Tuple | ast.Set):
        table["uniques"].extend(_groups(together))
    for key in ("constraints", "indexes"):
        items = options.get(key)
        if isinstance(items, ast.List | ast.Tuple):
            for item in items.elts:
                if isinstance(item, ast.Call):
                    meta_item(item, table)
    index_together = options.get("index_together")
    if isinstance(index_together, ast.List | ast.Tuple):
        table["indexes"].extend(cols for cols in map(str_list, index_together.elts) if cols)


def meta_item(item: ast.Call, table: TableFacts) -> None:
    """A ``UniqueConstraint``/``CheckConstraint``/``Index`` of ``Meta`` or a migration."""
    kind = call_name(item)
    cols = str_list(kw(item, "fields"))
    if kind == "UniqueConstraint" and cols:
        table["uniques"].append(cols)
    elif kind == "CheckConstraint":
        table["checks"] += 1
    elif kind == "Index" and cols:
        table["indexes"].append([c.lstrip("-") for c in cols])


def _meta_options(node: ast.ClassDef) -> dict[str, ast.expr]:
    meta = next((s for s in node.body if isinstance(s, ast.ClassDef) and s.name == "Meta"), None)
    assigned = (single_assign(stmt) for stmt in (meta.body if meta is not None else []))
    return dict(a for a in assigned if a is not None)


def _class_fields(node: ast.ClassDef) -> list[Field]:
    fields: list[Field] = []
    for stmt in node.body:
        assigned = single_assign(stmt)
        if assigned is not None and isinstance(assigned[1], ast.Call):
            fields.append((assigned[0], assigned[1], stmt.lineno))
    return fields


def django_model(node: ast.ClassDef, models: set[str]) -> TableFacts | None:
    """The table of a model class; abstract models are recorded in ``models`` (their
    subclasses are models) but have no table, proxies have neither."""
    options = _meta_options(node)
    abstract, proxy = truthy(options.get("abstract")), truthy(options.get("proxy"))
    if not proxy:
        models.add(node.name)
    if abstract or proxy:
        return None
    db_table = const_str(options.get("db_table"))
    return django_table(node.name, db_table, _class_fields(node), node.lineno, options)


# --------------------------------------------------------------------------- migrations


def _migration_fields(node: ast.expr | None) -> list[Field]:
    """``fields=[("name", models.XField(...)), ...]`` of a ``CreateModel``."""
    if not isinstance(node, ast.List | ast.Tuple):
        return []
    fields: list[Field] = []
    for elt in node.elts:
        if isinstance(elt, ast.Tuple) and len(elt.elts) == 2 and isinstance(elt.elts[1], ast.Call):
            name = const_str(elt.elts[0])
            if name:
                fields.append((name, elt.elts[1], elt.lineno))
    return fields


def _migration_options(node: ast.expr | None) -> dict[str, ast.expr]:
    """``options={"db_table": ..., "abstract": ...}`` of a ``CreateModel``."""
    if not isinstance(node, ast.Dict):
        return {}
    options: dict[str, ast.expr] = {}
    for key, value in zip(node.keys, node.values, strict=True):
        text = const_str(key) if key is not None else None
        if text:
            options[text] = value
    return options


def _create_model(call: ast.Call) -> TableFacts | None:
    model = const_str(kw(call, "name") or arg(call, 0))
    fields_node = kw(call, "fields") or arg(call, 1)
    if not model or not isinstance(fields_node, ast.List | ast.Tuple):
        return None
    options = _migration_options(kw(call, "options"))
    if truthy(options.get("abstract")) or truthy(options.get("proxy")):
        return None
    fields = _migration_fields(fields_node)
    return django_table(model, const_str(options.get("db_table")), fields, call.lineno, options)


def _add_field(node: ast.Call) -> list[ChangeFacts]:
    model = const_str(kw(node, "model_name") or arg(node, 0))
    name = const_str(kw(node, "name") or arg(node, 1))
    field_call = kw(node, "field") or arg(node, 2)
    if not (model and name and isinstance(field_call, ast.Call)):
        return []
    column = django_field(name, field_call, node.lineno, model)
    if column is None:
        return []
    return [new_change(model.lower(), "column", node.lineno, [column["name"]], column=column)]


def _add_meta_item(node: ast.Call) -> list[ChangeFacts]:
    model = const_str(kw(node, "model_name") or arg(node, 0))
    item = kw(node, "index") or kw(node, "constraint")
    if not (model and isinstance(item, ast.Call)):
        return []
    key = model.lower()
    probe = new_table("", key, node.lineno, "django")
    meta_item(item, probe)
    changes = [new_change(key, "unique", node.lineno, cols) for cols in probe["uniques"]]
    changes.extend(new_change(key, "index", node.lineno, cols) for cols in probe["indexes"])
    if probe["checks"]:
        changes.append(new_change(key, "check", node.lineno))
    return changes


def is_migration(tree: ast.Module) -> bool:
    """Whether the module's top-level ``Migration`` class derives from ``Migration``."""
    found = False
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "Migration":
            found = any(call_name(b) == "Migration" for b in node.bases)
    return found


def migration_facts(tree: ast.Module) -> tuple[list[TableFacts], list[ChangeFacts]]:
    """Tables created and changes applied by a Django migration's operations."""
    tables: list[TableFacts] = []
    changes: list[ChangeFacts] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        kind = call_name(node)
        if kind == "CreateModel":
            table = _create_model(node)
            if table is not None:
                tables.append(table)
        elif kind == "AddField":
            changes.extend(_add_field(node))
        elif kind in ("AddIndex", "AddConstraint"):
            changes.extend(_add_meta_item(node))
    return tables, changes
