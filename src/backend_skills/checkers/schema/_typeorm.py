"""TypeORM entities in TypeScript: ``@Entity`` classes and the base classes they extend.

Read: ``@Entity('name')`` / ``@Entity({ name })``, ``@PrimaryGeneratedColumn``,
``@PrimaryColumn``, ``@Column({ nullable, unique, name, primary })`` (TypeORM columns are
``NOT NULL`` unless ``nullable: true``), the date and version columns, ``@Index()`` on a
property, ``@Index([...])`` / ``@Unique([...])`` / ``@Check(...)`` on the class, and
``@ManyToOne(() => T)`` / ``@OneToOne(() => T)`` + ``@JoinColumn({ name })`` (a foreign
key column, ``<property>Id`` by default, nullable unless ``nullable: false``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ._facts import ColumnFacts, ModelFacts, SchemaFacts, empty_facts, new_column
from ._models import new_model
from ._tree import children, first, line_of, parse_root, strings_in, text_of, walk

if TYPE_CHECKING:
    import tree_sitter

ORIGIN = "typeorm"

MARKERS = ("@Entity", "@Column", "@PrimaryGeneratedColumn", "@PrimaryColumn")

_PRIMARY = frozenset({"PrimaryGeneratedColumn", "PrimaryColumn", "ObjectIdColumn"})
_NOT_NULL_COLUMNS = frozenset({"CreateDateColumn", "UpdateDateColumn", "VersionColumn"})
_COLUMNS = _PRIMARY | _NOT_NULL_COLUMNS | {"Column", "DeleteDateColumn"}
_TO_ONE = frozenset({"ManyToOne", "OneToOne"})

_Decorators = dict[str, str]


def _decorators(node: tree_sitter.Node) -> _Decorators:
    """Decorator name -> argument text (``""`` without arguments)."""
    found: _Decorators = {}
    for decorator in children(node, "decorator"):
        expr = decorator.named_children[0] if decorator.named_children else None
        if expr is None:
            continue
        if expr.type == "call_expression":
            name = text_of(expr.child_by_field_name("function")).split(".")[-1]
            found[name] = text_of(expr.child_by_field_name("arguments"))[1:-1]
        else:
            found[text_of(expr).split(".")[-1]] = ""
    return found


def _option(args: str, key: str) -> str | None:
    """The value of ``key`` in an options object literal (``{ nullable: true }``)."""
    match = re.search(rf"\b{key}\s*:\s*('[^']*'|\"[^\"]*\"|[\w.]+)", args)
    return match.group(1).strip("'\"") if match else None


def read_typeorm(path: str, text: str) -> SchemaFacts:
    """The entities and column-bearing base classes one TypeScript file declares."""
    facts = empty_facts()
    root = parse_root("typescript", path, text)
    models: list[ModelFacts] = []
    for cls in walk(root, "class_declaration", "abstract_class_declaration"):
        decorators = _decorators(cls)
        if cls.parent is not None and cls.parent.type == "export_statement":
            decorators.update(_decorators(cls.parent))
        model = _model(cls, decorators)
        if model is not None:
            models.append(model)
    if models:
        facts["models"] = models
    return facts


def _model(cls: tree_sitter.Node, decorators: _Decorators) -> ModelFacts | None:
    name_node = cls.child_by_field_name("name")
    model = new_model(text_of(name_node), line_of(name_node or cls), ORIGIN)
    model["entity"] = "Entity" in decorators
    if model["entity"]:
        args = decorators["Entity"]
        quoted = strings_in(args.split("{")[0])
        model["table"] = _option(args, "name") or (quoted[0] if quoted else None)
    heritage = first(cls, "class_heritage")
    extends = re.search(r"extends\s+([\w.]+)", text_of(heritage))
    if extends:
        model["bases"] = [extends.group(1).split(".")[-1]]
    _class_options(decorators, model)
    body = cls.child_by_field_name("body")
    for prop in children(body, "public_field_definition") if body is not None else []:
        _property(prop, model)
    return model if model["entity"] or model["columns"] else None


def _class_options(decorators: _Decorators, model: ModelFacts) -> None:
    for key, target in (("Index", "indexes"), ("Unique", "uniques")):
        args = decorators.get(key)
        columns = re.search(r"\[([^\]]*)\]", args or "")
        if columns:
            cols = strings_in(columns.group(1))
            unique = target == "uniques" or _option(args or "", "unique") == "true"
            if cols:
                model["uniques" if unique else "indexes"].append(cols)
    if "Check" in decorators:
        model["checks"] += 1


def _property(prop: tree_sitter.Node, model: ModelFacts) -> None:
    decorators = _decorators(prop)
    name = text_of(prop.child_by_field_name("name"))
    line = line_of(prop)
    kind = next((d for d in decorators if d in _COLUMNS), None)
    column: ColumnFacts | None = None
    if kind is not None:
        column = _column(kind, decorators[kind], name, line)
    elif _TO_ONE & decorators.keys():
        column = _reference(decorators, name, line)
    if column is None:
        return
    index = decorators.get("Index")
    if index is not None and "[" not in index:
        if _option(index, "unique") == "true":
            column["unique"] = True
        else:
            column["indexed"] = True
    model["columns"].append(column)
    if column["pk"]:
        model["pk"].append(column["name"])


def _column(kind: str, args: str, name: str, line: int) -> ColumnFacts:
    pk = kind in _PRIMARY or _option(args, "primary") == "true"
    nullable = _option(args, "nullable") == "true" or kind == "DeleteDateColumn"
    return new_column(
        _option(args, "name") or name,
        line,
        not_null=not nullable,
        pk=pk,
        unique=_option(args, "unique") == "true",
    )


def _reference(decorators: _Decorators, name: str, line: int) -> ColumnFacts | None:
    """The owning side of ``@ManyToOne``/``@OneToOne``: a foreign-key column."""
    relation = "ManyToOne" if "ManyToOne" in decorators else "OneToOne"
    args = decorators[relation]
    join = decorators.get("JoinColumn")
    if relation == "OneToOne" and join is None:
        return None  # the inverse side: the key is on the other table
    target = re.search(r"=>\s*(\w+)", args) or re.search(r"^\s*['\"](\w+)['\"]", args)
    if target is None:
        return None
    return new_column(
        _option(join or "", "name") or f"{name}Id",
        line,
        not_null=_option(args, "nullable") == "false",
        unique=relation == "OneToOne",
        ref=target.group(1),
    )
