"""GORM models in Go: structs embedding ``gorm.Model`` or carrying ``gorm:"..."`` tags.

Read (GORM v1 and v2 spellings, keys case-insensitive as GORM reads them): ``primaryKey``
/ ``primary_key``, ``column:``, ``not null``, ``unique``, ``index`` / ``index:name``
(fields sharing a name form one composite index), ``uniqueIndex`` / ``unique_index``,
``foreignKey:``, ``-`` (ignored); ``gorm.Model``'s ``id``, timestamps and indexed
``deleted_at``; embedded structs (their fields are inherited); a ``TableName()`` method
returning a constant. Columns are named the way GORM names them (``UserID`` ->
``user_id``), tables in plural snake case. A struct field of another model's type is a
belongs-to (``<Field>ID`` is the foreign key) or has-one relation, a slice of models a
has-many (``<Owner>ID`` on the other model, or the ``foreignKey`` tag). Go columns are
nullable unless tagged ``not null``: GORM adds ``NOT NULL`` for nothing else.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ._facts import ModelFacts, SchemaFacts, empty_facts, new_column
from ._models import new_model, new_nav, snake
from ._tree import children, first, line_of, literal, parse_root, text_of, walk

if TYPE_CHECKING:
    import tree_sitter

ORIGIN = "gorm"

#: Substrings of a Go file that may declare GORM models.
MARKERS = ('gorm:"', "gorm.Model")

_TAG = re.compile(r'gorm:"([^"]*)"')
_GORM_MODEL_COLUMNS = ("id", "created_at", "updated_at", "deleted_at")


def read_gorm(path: str, text: str) -> SchemaFacts:
    """The GORM models one Go file declares."""
    facts = empty_facts()
    root = parse_root("go", path, text)
    tables = _table_names(root)
    models: list[ModelFacts] = []
    for spec in walk(root, "type_spec"):
        struct = spec.child_by_field_name("type")
        if struct is None or struct.type != "struct_type":
            continue
        body = text_of(struct)
        if not any(marker in body for marker in MARKERS):
            continue
        name_node = spec.child_by_field_name("name")
        model = new_model(text_of(name_node), line_of(name_node or spec), ORIGIN, entity=True)
        model["table"] = tables.get(model["name"])
        _fields(struct, model)
        models.append(model)
    if models:
        facts["models"] = models
    return facts


def _table_names(root: tree_sitter.Node) -> dict[str, str]:
    """``func (User) TableName() string { return "people" }`` -> {User: people}."""
    names: dict[str, str] = {}
    for method in walk(root, "method_declaration"):
        if text_of(method.child_by_field_name("name")) != "TableName":
            continue
        receiver = re.findall(r"\w+", text_of(method.child_by_field_name("receiver")))
        returned = re.search(r"return\s+(\"[^\"]*\"|`[^`]*`)", text_of(method))
        table = literal(returned.group(1)) if returned else None
        if receiver and table:
            names[receiver[-1]] = table
    return names


def _tag(field: tree_sitter.Node) -> dict[str, str]:
    """The ``gorm`` tag's settings, keys upper-cased without ``_`` or spaces."""
    settings: dict[str, str] = {}
    match = _TAG.search(text_of(field.child_by_field_name("tag")))
    for part in (match.group(1) if match else "").split(";"):
        key, _, value = part.partition(":")
        key = re.sub(r"[\s_]", "", key).upper()
        if key:
            settings[key] = value.strip()
    return settings


def _fields(struct: tree_sitter.Node, model: ModelFacts) -> None:
    field_list = first(struct, "field_declaration_list")
    composite: dict[str, tuple[bool, list[str]]] = {}
    for field in children(field_list, "field_declaration") if field_list is not None else []:
        names = [text_of(n) for n in field.children_by_field_name("name")]
        type_text = text_of(field.child_by_field_name("type")).replace(" ", "")
        if not names:
            _embedded(type_text, model)
            continue
        tag = _tag(field)
        if "-" in tag:
            continue
        for name in names:
            _field(name, type_text, tag, line_of(field), model, composite)
    for unique, cols in composite.values():
        model["uniques" if unique else "indexes"].append(cols)


def _embedded(type_text: str, model: ModelFacts) -> None:
    """``gorm.Model`` (its columns) or another struct (inherited)."""
    bare = type_text.lstrip("*")
    if bare == "gorm.Model":
        for column in _GORM_MODEL_COLUMNS:
            col = new_column(column, model["line"], pk=column == "id")
            col["indexed"] = column == "deleted_at"
            col["not_null"] = column == "id"
            model["columns"].append(col)
        model["pk"] = ["id"]
    elif re.match(r"^\w+$", bare):
        model["bases"].append(bare)


def _field(
    name: str,
    type_text: str,
    tag: dict[str, str],
    line: int,
    model: ModelFacts,
    composite: dict[str, tuple[bool, list[str]]],
) -> None:
    """One exported struct field: a relation or a column."""
    if not name[:1].isupper():
        return  # unexported: GORM ignores it
    element = re.sub(r"^(?:\[\]|\*)+", "", type_text)
    column = tag.get("COLUMN") or snake(name)
    if not _is_relation(element, tag):
        _column(column, tag, line, model, composite)
    elif "MANY2MANY" not in tag:
        many = type_text.startswith("[]")
        fk = snake(tag["FOREIGNKEY"]) if tag.get("FOREIGNKEY") else None
        nav = new_nav(name, element.split(".")[-1], line, many=many, fk=fk)
        if not many:
            nav["fallback"] = new_column(column, line, not_null="NOTNULL" in tag)
        model["navs"].append(nav)


def _column(
    column: str,
    tag: dict[str, str],
    line: int,
    model: ModelFacts,
    composite: dict[str, tuple[bool, list[str]]],
) -> None:
    """A column with its tag's key, NOT NULL, UNIQUE and index settings."""
    pk = "PRIMARYKEY" in tag
    col = new_column(column, line, not_null="NOTNULL" in tag or pk, pk=pk, unique="UNIQUE" in tag)
    for key, unique in (("INDEX", False), ("UNIQUEINDEX", True)):
        index_name = tag[key].split(",")[0] if key in tag else None
        if index_name:
            composite.setdefault(index_name, (unique, []))[1].append(column)
        elif index_name is not None:
            col["unique" if unique else "indexed"] = True
    model["columns"].append(col)
    if pk:
        model["pk"].append(column)


def _is_relation(element: str, tag: dict[str, str]) -> bool:
    """A field whose type may be another model (a named type; when it turns out not to be
    a model, such as ``time.Time`` or an enum type, the field is a plain column)."""
    if "FOREIGNKEY" in tag or "MANY2MANY" in tag or "REFERENCES" in tag:
        return True
    return re.match(r"^(?:[a-z]\w*\.)?[A-Z]\w*$", element) is not None
