"""JPA / Hibernate entities in Java: ``@Entity`` classes and ``@MappedSuperclass`` bases.

Read: ``@Table(name, indexes = @Index(columnList), uniqueConstraints)``, ``@Id`` /
``@EmbeddedId``, ``@Column(name, nullable, unique)``, bean validation that Hibernate
turns into ``NOT NULL`` (``@NotNull``, ``@NotBlank``, ``@NotEmpty``), primitive fields
(never null), ``@ManyToOne`` / ``@OneToOne`` with ``@JoinColumn(name, nullable)`` and
``optional = false``, ``@OneToMany`` with a ``@JoinColumn`` (the key is on the other
table) and ``@ManyToMany`` with a ``@JoinTable`` (a link table with two foreign keys).
Unnamed columns get Spring Boot's default physical name (``birthDate`` -> ``birth_date``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._facts import ColumnFacts, ModelFacts, SchemaFacts, empty_facts, new_column
from ._models import new_model, new_nav, snake
from ._tree import children, first, line_of, literal, parse_root, strings_in, text_of, walk

if TYPE_CHECKING:
    import tree_sitter

ORIGIN = "jpa"

#: Substrings of a Java file that may declare entities.
MARKERS = ("@Entity", "@MappedSuperclass", "@Embeddable")

_PRIMITIVES = frozenset({"int", "long", "short", "byte", "boolean", "double", "float", "char"})
_NOT_NULL_VALIDATION = frozenset({"NotNull", "NotBlank", "NotEmpty"})
_TO_ONE = frozenset({"ManyToOne", "OneToOne"})
_SKIPPED = frozenset({"Transient", "OneToMany", "ManyToMany", "Embedded", "ElementCollection"})


@dataclass
class _Annotation:
    name: str
    args: dict[str, str]
    """Argument texts by name (a single unnamed argument is ``value``)."""

    def flag(self, name: str) -> bool | None:
        value = self.args.get(name, "").strip()
        return {"true": True, "false": False}.get(value)

    def string(self, name: str) -> str | None:
        return literal(self.args.get(name, ""))


def _annotations(node: tree_sitter.Node) -> dict[str, _Annotation]:
    """The annotations in ``node``'s modifiers, by simple name."""
    found: dict[str, _Annotation] = {}
    modifiers = first(node, "modifiers")
    if modifiers is None:
        return found
    for ann in children(modifiers, "annotation", "marker_annotation"):
        name = text_of(ann.child_by_field_name("name")).split(".")[-1]
        found[name] = _Annotation(name, _arguments(ann.child_by_field_name("arguments")))
    return found


def _arguments(node: tree_sitter.Node | None) -> dict[str, str]:
    if node is None:
        return {}
    args: dict[str, str] = {}
    for child in node.named_children:
        if child.type == "element_value_pair":
            key = text_of(child.child_by_field_name("key"))
            args[key] = text_of(child.child_by_field_name("value"))
        elif child.type != "comment":
            args["value"] = text_of(child)
    return args


def read_jpa(path: str, text: str) -> SchemaFacts:
    """The entities and mapped superclasses one Java file declares."""
    facts = empty_facts()
    models: list[ModelFacts] = []
    root = parse_root("java", path, text)
    for cls in walk(root, "class_declaration"):
        annotations = _annotations(cls)
        if not ({"Entity", "MappedSuperclass"} & annotations.keys()):
            continue
        models.extend(_model(cls, annotations))
    if models:
        facts["models"] = models
    return facts


def _model(cls: tree_sitter.Node, annotations: dict[str, _Annotation]) -> list[ModelFacts]:
    name = text_of(cls.child_by_field_name("name"))
    model = new_model(
        name,
        line_of(cls.child_by_field_name("name") or cls),
        ORIGIN,
        entity="Entity" in annotations,
    )
    table = annotations.get("Table")
    entity = annotations.get("Entity")
    model["table"] = (table.string("name") if table else None) or (
        entity.string("name") if entity else None
    )
    if table is not None:
        _table_options(table, model)
    superclass = cls.child_by_field_name("superclass")
    if superclass is not None:
        model["bases"] = [_simple_type(text_of(superclass).replace("extends", "", 1))]
    extra: list[ModelFacts] = []
    body = cls.child_by_field_name("body")
    for field in children(body, "field_declaration") if body is not None else []:
        extra.extend(_field(field, model))
    return [model, *extra]


def _table_options(table: _Annotation, model: ModelFacts) -> None:
    for index in re.finditer(r"@Index\s*\(([^)]*)\)", table.args.get("indexes", "")):
        cols = _column_list(index.group(1))
        unique = re.search(r"\bunique\s*=\s*true", index.group(1)) is not None
        if cols:
            model["uniques" if unique else "indexes"].append(cols)
    for constraint in re.finditer(
        r"@UniqueConstraint\s*\(([^)]*)\)", table.args.get("uniqueConstraints", "")
    ):
        match = re.search(r"columnNames\s*=\s*(\{[^}]*\}|\"[^\"]*\")", constraint.group(1))
        cols = strings_in(match.group(1)) if match else []
        if cols:
            model["uniques"].append(cols)


def _column_list(args: str) -> list[str]:
    match = re.search(r"columnList\s*=\s*\"([^\"]*)\"", args)
    if match is None:
        return []
    return [c.split()[0] for c in match.group(1).split(",") if c.strip()]


def _simple_type(text: str) -> str:
    """``Owner`` for ``org.x.Owner`` or ``Owner<T>``."""
    return text.split("<")[0].strip().split(".")[-1]


def _field(field: tree_sitter.Node, model: ModelFacts) -> list[ModelFacts]:
    """Add one field's column (or relation) to ``model``; a ``@JoinTable`` is a model."""
    modifiers = text_of(first(field, "modifiers"))
    if re.search(r"\bstatic\b", modifiers):
        return []
    annotations = _annotations(field)
    declarator = first(field, "variable_declarator")
    if declarator is None:
        return []
    name = text_of(declarator.child_by_field_name("name"))
    type_node = field.child_by_field_name("type")
    type_text = text_of(type_node)
    line = line_of(field)
    if "ManyToMany" in annotations or "OneToMany" in annotations:
        return _collection(annotations, model, name, type_text, line)
    if _SKIPPED & annotations.keys():
        return []
    if _TO_ONE & annotations.keys():
        one = annotations.get("OneToOne")
        if one is None or not one.string("mappedBy"):  # the inverse side holds no column
            model["columns"].append(_reference(annotations, name, type_text, line))
        return []
    column = _column(annotations, name, type_text, line)
    model["columns"].append(column)
    if column["pk"]:
        model["pk"].append(column["name"])
    return []


def _column(
    annotations: dict[str, _Annotation], name: str, type_text: str, line: int
) -> ColumnFacts:
    column = annotations.get("Column")
    pk = "Id" in annotations or "EmbeddedId" in annotations
    nullable = column.flag("nullable") if column else None
    not_null = (
        pk
        or nullable is False
        or type_text in _PRIMITIVES
        or bool(_NOT_NULL_VALIDATION & annotations.keys())
    )
    return new_column(
        (column.string("name") if column else None) or snake(name),
        line,
        not_null=not_null,
        pk=pk,
        unique=bool(column and column.flag("unique")),
    )


def _reference(
    annotations: dict[str, _Annotation], name: str, type_text: str, line: int
) -> ColumnFacts:
    """``@ManyToOne``/``@OneToOne`` owning side: a foreign-key column to the field's type."""
    join = annotations.get("JoinColumn")
    relation = annotations.get("ManyToOne") or annotations["OneToOne"]
    not_null = (
        (join is not None and join.flag("nullable") is False)
        or relation.flag("optional") is False
        or bool(_NOT_NULL_VALIDATION & annotations.keys())
    )
    return new_column(
        (join.string("name") if join else None) or f"{snake(name)}_id",
        line,
        not_null=not_null,
        unique="OneToOne" in annotations or bool(join and join.flag("unique")),
        ref=_simple_type(type_text),
    )


def _collection(
    annotations: dict[str, _Annotation],
    model: ModelFacts,
    name: str,
    type_text: str,
    line: int,
) -> list[ModelFacts]:
    """``@OneToMany`` with ``@JoinColumn`` (key on the target) or a ``@JoinTable``."""
    target = _element_type(type_text)
    join_table = annotations.get("JoinTable")
    join = annotations.get("JoinColumn")
    if join_table is not None:
        return [_join_table(join_table, model, target, type_text, line)]
    if join is not None and "OneToMany" in annotations:
        model["navs"].append(new_nav(name, target, line, many=True, fk=join.string("name")))
    return []


def _element_type(type_text: str) -> str:
    match = re.search(r"<\s*([\w.]+)\s*>", type_text)
    return _simple_type(match.group(1)) if match else _simple_type(type_text)


def _join_table(
    join_table: _Annotation, model: ModelFacts, target: str, type_text: str, line: int
) -> ModelFacts:
    """A ``@ManyToMany`` link table: two NOT NULL foreign keys (the key of a ``Set``)."""
    name = join_table.string("name") or f"{model['name']}_{target}"
    link = new_model(f"{name} (join table)", line, ORIGIN, entity=True)
    link["table"] = name
    owner_col = _join_column_name(join_table.args.get("joinColumns", ""))
    target_col = _join_column_name(join_table.args.get("inverseJoinColumns", ""))
    cols = [
        new_column(
            owner_col or f"{snake(model['name'])}_id", line, not_null=True, ref=model["name"]
        ),
        new_column(target_col or f"{snake(target)}_id", line, not_null=True, ref=target),
    ]
    link["columns"] = cols
    if type_text.split("<")[0].strip().endswith("Set"):
        link["pk"] = [c["name"] for c in cols]
    return link


def _join_column_name(text: str) -> str | None:
    match = re.search(r"name\s*=\s*\"([^\"]+)\"", text)
    return match.group(1) if match else None
