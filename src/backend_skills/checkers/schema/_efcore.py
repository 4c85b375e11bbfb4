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
from typing import TYPE_CHECKING

from ._facts import EntityRef, ModelChange, ModelFacts, SchemaFacts, empty_facts, new_column
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
    body = first(cls, "declaration_list")
    for prop in children(body, "property_declaration") if body is not None else []:
        type_text = text_of(prop.child_by_field_name("type"))
        match = re.match(r"(?:[\w.]+\.)?DbSet<\s*([\w.]+)\s*>\??$", type_text)
        if match:
            table = text_of(prop.child_by_field_name("name"))
            refs.append({"name": _simple(match.group(1)), "origin": ORIGIN, "table": table})
    return refs


def _model(cls: tree_sitter.Node, bases: list[str], strict_strings: bool) -> ModelFacts | None:
    body = first(cls, "declaration_list")
    props = children(body, "property_declaration") if body is not None else []
    if not props:
        return None
    name_node = cls.child_by_field_name("name")
    model = new_model(text_of(name_node), line_of(name_node or cls), ORIGIN)
    model["bases"] = [b for b in bases if not re.match(r"I[A-Z]", b)]
    attributes = _attributes(cls)
    if "Table" in attributes:
        model["table"] = literal(attributes["Table"].strip("()").split(",")[0])
    if "Index" in attributes:
        cols = _names(attributes["Index"])
        if cols:
            unique = re.search(r"IsUnique\s*=\s*true", attributes["Index"]) is not None
            model["uniques" if unique else "indexes"].append(cols)
    foreign_keys: dict[str, str] = {}
    for prop in props:
        _property(prop, model, strict_strings, foreign_keys)
    for nav in model["navs"]:
        nav["fk"] = nav["fk"] or foreign_keys.get(nav["name"])
    return model if model["columns"] or model["navs"] else None


def _names(args: str) -> list[str]:
    """Property names in ``(nameof(A), nameof(B), ...)`` or ``("A", "B")``."""
    names = re.findall(r"nameof\(\s*(?:\w+\.)*(\w+)\s*\)", args)
    return names or re.findall(r"\"(\w+)\"", args)


def _property(
    prop: tree_sitter.Node, model: ModelFacts, strict_strings: bool, foreign_keys: dict[str, str]
) -> None:
    """Add one property: a column, a navigation, or nothing (static, computed, not mapped)."""
    modifiers = {text_of(m) for m in children(prop, "modifier")}
    attributes = _attributes(prop)
    if "static" in modifiers or "NotMapped" in attributes:
        return
    name = text_of(prop.child_by_field_name("name"))
    type_node = prop.child_by_field_name("type")
    type_text = text_of(type_node).replace(" ", "")
    line = line_of(prop)
    collection = re.match(r"(?:[\w.]+\.)?(\w+)<([\w.]+)>\??$", type_text)
    if collection and collection.group(1) in _COLLECTIONS:
        model["navs"].append(new_nav(name, _simple(collection.group(2)), line, many=True))
        return
    if not _settable(prop):
        return
    nullable = type_text.endswith("?")
    bare = type_text.rstrip("?")
    fk_target = literal(attributes.get("ForeignKey", "").strip("()") or '""')
    if bare not in _SCALARS and re.match(r"^[\w.]+$", bare):
        required = "Required" in attributes
        nav = new_nav(name, _simple(bare), line, many=False, fk=fk_target or None)
        nav["not_null"] = required
        nav["fallback"] = new_column(name, line, not_null=required or not nullable)
        model["navs"].append(nav)
        return
    if fk_target:
        foreign_keys[fk_target] = name  # [ForeignKey("Nav")] on the key property
    not_null = (
        "Required" in attributes
        or "Key" in attributes
        or (not nullable and (bare in _VALUE_TYPES or (strict_strings and bare != "object")))
    )
    column_name = literal(attributes.get("Column", "").strip("()").split(",")[0] or '""')
    column = new_column(column_name or name, line, not_null=not_null, pk="Key" in attributes)
    model["columns"].append(column)
    if column["pk"]:
        model["pk"].append(column["name"])


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


def _statement_changes(model: str, text: str, line: int) -> list[ModelChange]:
    changes: list[ModelChange] = []
    table = re.search(r"\.ToTable\(\s*\"(\w+)\"", text)
    if table:
        changes.append(_change(model, "table", [table.group(1)], line))
    for method, kind in (("HasKey", "pk"), ("HasAlternateKey", "unique")):
        for match in re.finditer(rf"\.{method}{_ARG}", text):
            cols = _members(match.group(1))
            if cols:
                changes.append(_change(model, kind, cols, line))
    index = re.search(rf"\.HasIndex{_ARG}", text)
    if index:
        cols = _members(index.group(1))
        unique = re.search(r"\.IsUnique\(\s*(?:true)?\s*\)", text) is not None
        if cols:
            changes.append(_change(model, "unique" if unique else "index", cols, line))
    prop = re.search(rf"\.Property{_ARG}", text)
    if prop and re.search(r"\.IsRequired\(\s*(?:true)?\s*\)", text):
        cols = _members(prop.group(1))
        if cols:
            changes.append(_change(model, "not_null", cols, line))
    if "HasCheckConstraint(" in text:
        changes.append(_change(model, "check", [], line))
    relation = re.search(rf"\.Has(?:One|Many){_ARG}.*\.HasForeignKey(?:<\w+>)?{_ARG}", text)
    if relation:
        navs = _members(relation.group(1))
        cols = _members(relation.group(2))
        if navs and cols:
            changes.append(_change(model, "nav_fk", cols[:1], line, nav=navs[0]))
    return changes
