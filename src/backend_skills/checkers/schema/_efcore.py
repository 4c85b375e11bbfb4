"""Entity Framework Core entities in C#: classes, ``DbContext`` sets and fluent configuration.

Every class with settable properties is recorded as a model; it becomes a table when a
``DbContext`` exposes it as ``DbSet<T>``, or ``modelBuilder.Entity<T>()`` or an
``IEntityTypeConfiguration<T>`` configures it (resolved once every file is read). Read:
``[Table]``, ``[Key]``, ``[Required]``, ``[Column("name")]``, ``[ForeignKey]``,
``[NotMapped]``, ``[Index(nameof(A), IsUnique = true)]``; the ``Id`` / ``<Type>Id`` key
convention; value types (never null), ``T?`` (nullable) and ``string`` (required when the
file uses nullable reference types); reference and collection navigation properties
(their foreign key ``<Navigation>Id`` / ``<Owner>Id`` by convention, indexed by EF Core);
``ToTable``, ``HasKey``, ``HasIndex(...).IsUnique()``, ``HasAlternateKey``,
``Property(...).IsRequired()``, ``HasOne``/``HasMany`` ... ``HasForeignKey`` and
``HasCheckConstraint`` in ``OnModelCreating`` or ``Configure(EntityTypeBuilder<T>)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._facts import (
    EntityRef,
    ModelChange,
    ModelFacts,
    NavFacts,
    SchemaFacts,
    empty_facts,
    new_column,
)
from ._models import new_model, new_nav
from ._tree import children, first, line_of, literal, parse_root, text_of, walk

if TYPE_CHECKING:
    import tree_sitter

ORIGIN = "efcore"

#: Substrings of a C# file that may declare entities, a DbContext or configuration.
MARKERS = ("DbSet<", "DbContext", "IEntityTypeConfiguration", "Entity<", " get;", "{get;")

_COLLECTIONS = frozenset(
    {
        "List",
        "IList",
        "ICollection",
        "IEnumerable",
        "IReadOnlyCollection",
        "IReadOnlyList",
        "HashSet",
        "ISet",
        "Collection",
    }
)
_VALUE_TYPES = frozenset(
    {
        "bool",
        "byte",
        "sbyte",
        "short",
        "ushort",
        "int",
        "uint",
        "long",
        "ulong",
        "float",
        "double",
        "decimal",
        "char",
        "DateTime",
        "DateTimeOffset",
        "DateOnly",
        "TimeOnly",
        "TimeSpan",
        "Guid",
        "Boolean",
        "Int16",
        "Int32",
        "Int64",
        "Decimal",
        "Double",
        "Single",
    }
)
_SCALARS = _VALUE_TYPES | {"string", "String", "byte[]", "object"}
_NULLABLE_CONTEXT = re.compile(r"#nullable\s+enable|\b(?:string|[A-Z]\w*)\?\s+[A-Z]\w*\s*\{")


def read_efcore(path: str, text: str) -> SchemaFacts:
    """The classes, ``DbSet`` entities and fluent configuration one C# file holds."""
    facts = empty_facts()
    root = parse_root("csharp", path, text)
    strict_strings = _NULLABLE_CONTEXT.search(text) is not None
    models: list[ModelFacts] = []
    entities: list[EntityRef] = []
    for cls in walk(root, "class_declaration", "record_declaration"):
        bases = _bases(cls)
        if any(b.endswith("DbContext") for b in bases):
            entities.extend(_db_sets(cls))
        model = _model(cls, bases, strict_strings)
        if model is not None:
            models.append(model)
    entities.extend(_configured(text))
    changes = list(_fluent(root))
    if models:
        facts["models"] = models
    if entities:
        facts["entities"] = entities
    if changes:
        facts["model_changes"] = changes
    return facts


_CONFIGURED = re.compile(r"\b(?:Entity|IEntityTypeConfiguration)<\s*([\w.]+)\s*>")


def _configured(text: str) -> list[EntityRef]:
    """Classes configured with ``Entity<T>()`` or an ``IEntityTypeConfiguration<T>``."""
    names = dict.fromkeys(_simple(m.group(1)) for m in _CONFIGURED.finditer(text))
    return [{"name": name, "origin": ORIGIN, "table": None} for name in names]


def _bases(cls: tree_sitter.Node) -> list[str]:
    base_list = first(cls, "base_list")
    if base_list is None:
        return []
    return [_simple(text_of(b)) for b in base_list.named_children]


def _simple(type_text: str) -> str:
    """``Order`` for ``Ns.Order``, ``IdentityDbContext`` for ``IdentityDbContext<User>``."""
    return type_text.split("<")[0].strip().split(".")[-1]


def _attributes(node: tree_sitter.Node) -> dict[str, str]:
    """Attribute name (without ``Attribute``) -> its argument text."""
    found: dict[str, str] = {}
    for attr_list in children(node, "attribute_list"):
        for attr in children(attr_list, "attribute"):
            name = _simple(text_of(attr.child_by_field_name("name"))).removesuffix("Attribute")
            found[name] = text_of(first(attr, "attribute_argument_list"))
    return found


def _db_sets(cls: tree_sitter.Node) -> list[EntityRef]:
    refs: list[EntityRef] = []
    for prop in _properties(cls):
        type_text = text_of(prop.child_by_field_name("type"))
        match = re.match(r"(?:[\w.]+\.)?DbSet<\s*([\w.]+)\s*>\??$", type_text)
        if match:
            table = text_of(prop.child_by_field_name("name"))
            refs.append({"name": _simple(match.group(1)), "origin": ORIGIN, "table": table})
    return refs


def _properties(cls: tree_sitter.Node) -> list[tree_sitter.Node]:
    body = first(cls, "declaration_list")
    return children(body, "property_declaration") if body is not None else []


def _model(cls: tree_sitter.Node, bases: list[str], strict_strings: bool) -> ModelFacts | None:
    """A class with properties (an entity if something declares it one)."""
    props = _properties(cls)
    if not props:
        return None
    name_node = cls.child_by_field_name("name")
    model = new_model(text_of(name_node), line_of(name_node or cls), ORIGIN)
    model["bases"] = [b for b in bases if not re.match(r"I[A-Z]", b)]
    _class_attributes(_attributes(cls), model)
    foreign_keys: dict[str, str] = {}
    generic = _type_parameters(cls)
    for prop in props:
        _property(prop, model, strict_strings, foreign_keys, generic)
    for nav in model["navs"]:
        nav["fk"] = nav["fk"] or foreign_keys.get(nav["name"])
    return model if model["columns"] or model["navs"] else None


def _class_attributes(attributes: dict[str, str], model: ModelFacts) -> None:
    """``[Table("name")]`` and ``[Index(nameof(A), IsUnique = true)]``."""
    if "Table" in attributes:
        model["table"] = _first_string(attributes["Table"])
    cols = _names(attributes.get("Index", ""))
    if cols:
        unique = re.search(r"IsUnique\s*=\s*true", attributes["Index"]) is not None
        model["uniques" if unique else "indexes"].append(cols)


def _first_string(args: str) -> str | None:
    """The first argument of an attribute when it is a string literal."""
    return literal(args.strip("()").split(",")[0]) or None


def _names(args: str) -> list[str]:
    """Property names in ``(nameof(A), nameof(B), ...)`` or ``("A", "B")``."""
    names = re.findall(r"nameof\(\s*(?:\w+\.)*(\w+)\s*\)", args)
    return names or re.findall(r"\"(\w+)\"", args)


@dataclass
class _Property:
    """One C# property: name, type (spaces removed), line and attributes."""

    name: str
    type_text: str
    line: int
    attributes: dict[str, str]

    @property
    def nullable(self) -> bool:
        return self.type_text.endswith("?")

    @property
    def bare(self) -> str:
        return self.type_text.rstrip("?")

    @property
    def foreign_key(self) -> str | None:
        """The navigation (or key) a ``[ForeignKey("...")]`` names."""
        return _first_string(self.attributes.get("ForeignKey", ""))


def _type_parameters(cls: tree_sitter.Node) -> frozenset[str]:
    """``TKey`` of ``class AppEntity<TKey>``: a property of that type is a column (the
    derived entity's ``AppEntity<int>`` names a scalar), not a navigation."""
    params = first(cls, "type_parameter_list")
    if params is None:
        return frozenset()
    return frozenset(
        text_of(p.child_by_field_name("name")) for p in children(params, "type_parameter")
    )


def _property(
    node: tree_sitter.Node,
    model: ModelFacts,
    strict_strings: bool,
    foreign_keys: dict[str, str],
    generic: frozenset[str] = frozenset(),
) -> None:
    """Add one property: a column, a navigation, or nothing (static, computed, not mapped)."""
    modifiers = {text_of(m) for m in children(node, "modifier")}
    attributes = _attributes(node)
    if "static" in modifiers or "NotMapped" in attributes:
        return
    prop = _Property(
        text_of(node.child_by_field_name("name")),
        text_of(node.child_by_field_name("type")).replace(" ", ""),
        line_of(node),
        attributes,
    )
    collection = re.match(r"(?:[\w.]+\.)?(\w+)<([\w.]+)>\??$", prop.type_text)
    if collection and collection.group(1) in _COLLECTIONS:
        target = _simple(collection.group(2))
        model["navs"].append(new_nav(prop.name, target, prop.line, many=True))
    elif not _settable(node):
        return
    elif (
        prop.bare not in _SCALARS and prop.bare not in generic and re.match(r"^[\w.]+$", prop.bare)
    ):
        model["navs"].append(_reference(prop))
    else:
        _column(prop, model, strict_strings, foreign_keys)


def _reference(prop: _Property) -> NavFacts:
    """A property of another class's type: a navigation, or a column (an enum, an owned
    type) when that class is no entity."""
    required = "Required" in prop.attributes
    nav = new_nav(prop.name, _simple(prop.bare), prop.line, many=False, fk=prop.foreign_key)
    nav["not_null"] = required
    nav["fallback"] = new_column(prop.name, prop.line, not_null=required or not prop.nullable)
    return nav


def _column(
    prop: _Property, model: ModelFacts, strict_strings: bool, foreign_keys: dict[str, str]
) -> None:
    """A scalar property: value types and (with nullable reference types) ``string`` are
    required unless marked ``?``."""
    if prop.foreign_key:
        foreign_keys[prop.foreign_key] = prop.name  # [ForeignKey("Nav")] on the key property
    reference_type = prop.bare not in _VALUE_TYPES
    implied = not prop.nullable and (
        not reference_type or (strict_strings and prop.bare != "object")
    )
    pk = "Key" in prop.attributes
    not_null = "Required" in prop.attributes or pk or implied
    name = _first_string(prop.attributes.get("Column", "")) or prop.name
    model["columns"].append(new_column(name, prop.line, not_null=not_null, pk=pk))
    if pk:
        model["pk"].append(name)


def _settable(prop: tree_sitter.Node) -> bool:
    """An auto-property with a setter (EF Core maps it); expression-bodied ones are not."""
    accessors = first(prop, "accessor_list")
    if accessors is None:
        return False
    return any(
        re.search(r"\b(?:set|init)\b", text_of(a))
        for a in children(accessors, "accessor_declaration")
    )


# --------------------------------------------------------------------------- fluent API

_ENTITY_CALL = re.compile(r"\bEntity<\s*([\w.]+)\s*>")
_BUILDER_PARAM = re.compile(r"EntityTypeBuilder<\s*([\w.]+)\s*>")
_ARG = r"\(\s*([^()]*(?:\([^()]*\)[^()]*)*)\)"


def _fluent(root: tree_sitter.Node) -> list[ModelChange]:
    """The configuration statements in ``OnModelCreating`` and ``Configure`` methods."""
    changes: list[ModelChange] = []
    for statement in walk(root, "expression_statement"):
        if _has_inner(statement):
            continue  # the statements inside a configuration lambda are read one by one
        text = " ".join(text_of(statement).split())
        target = _statement_target(statement, text)
        if target is not None:
            changes.extend(_statement_changes(target, text, line_of(statement)))
    return changes


def _has_inner(statement: tree_sitter.Node) -> bool:
    """Whether expression statements are nested inside ``statement`` (a lambda body)."""
    span = (statement.start_byte, statement.end_byte)
    return any((s.start_byte, s.end_byte) != span for s in walk(statement, "expression_statement"))


def _statement_target(statement: tree_sitter.Node, text: str) -> str | None:
    """The entity class a configuration statement applies to."""
    match = _ENTITY_CALL.search(text)
    if match:
        return _simple(match.group(1))
    parent = statement.parent
    while parent is not None:
        if parent.type == "invocation_expression":
            outer = _ENTITY_CALL.search(text_of(parent.child_by_field_name("function")))
            if outer:
                return _simple(outer.group(1))
        if parent.type == "method_declaration":
            params = text_of(parent.child_by_field_name("parameters"))
            builder = _BUILDER_PARAM.search(params)
            return _simple(builder.group(1)) if builder else None
        parent = parent.parent
    return None


def _members(arg: str) -> list[str]:
    """``x => x.A`` -> [A]; ``x => new { x.A, x.B }`` -> [A, B]; ``"A"`` -> [A]."""
    lambda_ = re.match(r"\s*\(?\s*(\w+)\s*\)?\s*=>\s*(.*)$", arg, re.DOTALL)
    if lambda_ is not None:
        param, body = lambda_.groups()
        return re.findall(rf"\b{re.escape(param)}\.(\w+)", body)
    return _names(arg) or re.findall(r"\"(\w+)\"", arg)


def _change(
    model: str, kind: str, cols: list[str], line: int, nav: str | None = None
) -> ModelChange:
    return {"model": model, "origin": ORIGIN, "kind": kind, "cols": cols, "nav": nav, "line": line}


def _table_change(model: str, text: str, line: int) -> list[ModelChange]:
    table = re.search(r"\.ToTable\(\s*\"(\w+)\"", text)
    return [_change(model, "table", [table.group(1)], line)] if table else []


def _key_changes(model: str, text: str, line: int) -> list[ModelChange]:
    """``HasKey`` (the primary key) and ``HasAlternateKey`` (a unique key)."""
    changes: list[ModelChange] = []
    for method, kind in (("HasKey", "pk"), ("HasAlternateKey", "unique")):
        for match in re.finditer(rf"\.{method}{_ARG}", text):
            cols = _members(match.group(1))
            if cols:
                changes.append(_change(model, kind, cols, line))
    return changes


def _index_change(model: str, text: str, line: int) -> list[ModelChange]:
    index = re.search(rf"\.HasIndex{_ARG}", text)
    cols = _members(index.group(1)) if index else []
    if not cols:
        return []
    unique = re.search(r"\.IsUnique\(\s*(?:true)?\s*\)", text) is not None
    return [_change(model, "unique" if unique else "index", cols, line)]


def _required_change(model: str, text: str, line: int) -> list[ModelChange]:
    prop = re.search(rf"\.Property{_ARG}", text)
    if prop is None or not re.search(r"\.IsRequired\(\s*(?:true)?\s*\)", text):
        return []
    cols = _members(prop.group(1))
    return [_change(model, "not_null", cols, line)] if cols else []


def _check_change(model: str, text: str, line: int) -> list[ModelChange]:
    return [_change(model, "check", [], line)] if "HasCheckConstraint(" in text else []


def _relation_change(model: str, text: str, line: int) -> list[ModelChange]:
    """``HasOne(x => x.Nav)...HasForeignKey(x => x.NavId)`` names the navigation's key."""
    relation = re.search(rf"\.Has(?:One|Many){_ARG}.*\.HasForeignKey(?:<\w+>)?{_ARG}", text)
    if relation is None:
        return []
    navs = _members(relation.group(1))
    cols = _members(relation.group(2))
    return [_change(model, "nav_fk", cols[:1], line, nav=navs[0])] if navs and cols else []


_STATEMENT_READERS = (
    _table_change,
    _key_changes,
    _index_change,
    _required_change,
    _check_change,
    _relation_change,
)


def _statement_changes(model: str, text: str, line: int) -> list[ModelChange]:
    """What one fluent configuration statement configures."""
    return [change for reader in _STATEMENT_READERS for change in reader(model, text, line)]
