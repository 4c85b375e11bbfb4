"""ORM entity classes (JPA, EF Core, GORM, TypeORM, Prisma) and how they become tables.

An ORM reader sees one file, but an entity's table often depends on other files: its
base class (a JPA ``@MappedSuperclass``, an EF Core ``BaseEntity``, GORM's embedded
structs) holds the key, EF Core names its entities in a ``DbContext`` and configures them
in ``IEntityTypeConfiguration<T>`` classes, and a relation's foreign key is named after
the class it points to. So the readers record *models* (classes with their columns,
bases and navigation properties), *entity declarations* and *model changes* per file,
and :func:`resolve_models` turns them into :class:`TableFacts` once every file is read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ._facts import (
    ChangeFacts,
    ChangeKind,
    ColumnFacts,
    ModelChange,
    ModelFacts,
    NavFacts,
    SchemaFacts,
    TableFacts,
    new_change,
    new_column,
    new_table,
    table_key,
)


def new_model(name: str, line: int, origin: str, *, entity: bool = False) -> ModelFacts:
    return {
        "name": name,
        "line": line,
        "origin": origin,
        "entity": entity,
        "table": None,
        "bases": [],
        "columns": [],
        "pk": [],
        "uniques": [],
        "indexes": [],
        "checks": 0,
        "navs": [],
    }


def new_nav(
    name: str, type_: str, line: int, *, many: bool, fk: str | None = None, not_null: bool = False
) -> NavFacts:
    return {"name": name, "type": type_, "line": line, "many": many, "fk": fk, "not_null": not_null}


_SNAKE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake(name: str) -> str:
    """``UserID`` -> ``user_id``, ``HTTPCode`` -> ``http_code``, ``birthDate`` -> ``birth_date``."""
    return _SNAKE.sub("_", name).lower()


def plural(word: str) -> str:
    """The English plural GORM and Rails use for table names (``category`` -> ``categories``)."""
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    return word + "s"


#: The table name an ORM gives an entity class when the code names none.
_DEFAULT_TABLE = {
    "jpa": snake,  # Spring Boot's CamelCaseToUnderscoresNamingStrategy
    "gorm": lambda name: plural(snake(name)),
    "typeorm": snake,
}

#: ORMs that create an index for every foreign key themselves.
_INDEXES_FKS = frozenset({"efcore"})

#: Origins whose column named ``id`` / ``<Class>Id`` is the key by convention.
_CONVENTIONAL_KEY = frozenset({"efcore", "gorm"})

#: Origins whose structs embedded in another model are not tables of their own.
_EMBEDDED_BASES = frozenset({"gorm"})

_MAX_DEPTH = 8

#: Library base classes known to declare no key (TypeORM's active-record ``BaseEntity``).
_KEYLESS_BASES = frozenset({("typeorm", "BaseEntity")})


class _Registry:
    """Every model and entity declaration of the repository, by (origin, class name)."""

    def __init__(self, files: Mapping[str, tuple[str, SchemaFacts]]) -> None:
        self.models: dict[tuple[str, str], tuple[str, ModelFacts]] = {}
        self.declared: dict[tuple[str, str], str | None] = {}
        self.changes: list[ModelChange] = []
        for path, (_, facts) in sorted(files.items()):
            self._add(path, facts)
        self.entities = self._entities()
        self.names = {key: self._table_name(key) for key in self.entities}

    def _add(self, path: str, facts: SchemaFacts) -> None:
        for model in facts.get("models", []):
            self.models.setdefault((model["origin"], model["name"]), (path, model))
        for ref in facts.get("entities", []):
            key = (ref["origin"], ref["name"])
            if self.declared.get(key) is None:
                self.declared[key] = ref["table"]
        self.changes.extend(facts.get("model_changes", []))

    def _entities(self) -> set[tuple[str, str]]:
        """Models declared entities in their own file (less GORM structs embedded in other
        models) or by another file (``DbSet<T>``)."""
        embedded = {
            (origin, base)
            for (origin, _), (_, model) in self.models.items()
            if origin in _EMBEDDED_BASES
            for base in model["bases"]
        }
        own = {key for key, (_, model) in self.models.items() if model["entity"]}
        return (own - embedded) | {key for key in self.declared if key in self.models}

    def _table_name(self, key: tuple[str, str]) -> str:
        origin, name = key
        model = self.models[key][1]
        configured = [c for c in self.changes if _is(c, key) and c["kind"] == "table" and c["cols"]]
        if configured:
            return configured[0]["cols"][0]
        if model["table"]:
            return model["table"]
        declared = self.declared.get(key)
        if declared:
            return declared
        return _DEFAULT_TABLE.get(origin, str)(name)

    def table_key_of(self, origin: str, name: str) -> str | None:
        """The table key of entity class ``name`` (None when it is not an entity)."""
        table = self.names.get((origin, name))
        return table_key(table) if table is not None else None

    def lineage(self, key: tuple[str, str]) -> list[ModelFacts]:
        """The model and the models it inherits from, nearest first (cycle-safe)."""
        chain: list[ModelFacts] = []
        todo = [key]
        seen: set[tuple[str, str]] = set()
        while todo and len(chain) < _MAX_DEPTH:
            current = todo.pop(0)
            if current in seen or current not in self.models:
                continue
            seen.add(current)
            model = self.models[current][1]
            chain.append(model)
            todo.extend((current[0], base) for base in model["bases"])
        return chain

    def outside_base(self, key: tuple[str, str]) -> str | None:
        """A base class of the model or of its bases that the repository does not declare
        (a library's ``EntityBase<TId>``, ``IdentityUser``, ``AbstractPersistable``): what
        it declares, a key included, is not seen."""
        for model in self.lineage(key):
            for base in model["bases"]:
                if (key[0], base) not in self.models and (key[0], base) not in _KEYLESS_BASES:
                    return base
        return None


def _is(change: ModelChange, key: tuple[str, str]) -> bool:
    return (change["origin"], change["model"]) == key


def resolve_models(
    files: Mapping[str, tuple[str, SchemaFacts]],
) -> dict[str, tuple[str, SchemaFacts]]:
    """``files`` with every ORM entity turned into a table in the file declaring it."""
    if not any(facts.get("models") for _, facts in files.values()):
        return dict(files)
    registry = _Registry(files)
    tables = {key: _table(registry, key) for key in sorted(registry.entities)}
    for key in sorted(tables):
        _apply_navs(registry, key, tables)
    changes = _changes(registry, tables)
    result: dict[str, tuple[str, SchemaFacts]] = {}
    for path, (role, facts) in files.items():
        result[path] = (role, {"tables": list(facts["tables"]), "changes": list(facts["changes"])})
    for key, table in tables.items():
        path = registry.models[key][0]
        result[path][1]["tables"].append(table)
    for path, change in changes:
        result[path][1]["changes"].append(change)
    return result


def _inherit(registry: _Registry, key: tuple[str, str], table: TableFacts) -> None:
    """Columns, key, unique keys, indexes and checks of the model and its bases."""
    seen: set[str] = set()
    for part in registry.lineage(key):
        for col in part["columns"]:
            if col["name"].lower() not in seen:
                seen.add(col["name"].lower())
                table["columns"].append(_resolved_column(registry, key[0], col))
        table["pk"] = table["pk"] or list(part["pk"])
        table["uniques"].extend(part["uniques"])
        table["indexes"].extend(part["indexes"])
        table["checks"] += part["checks"]


def _table(registry: _Registry, key: tuple[str, str]) -> TableFacts:
    """The table of one entity: its own columns, then those it inherits."""
    origin, name = key
    table_name = registry.names[key]
    table = new_table(table_name, table_key(table_name), registry.models[key][1]["line"], origin)
    _inherit(registry, key, table)
    if not table["pk"]:
        table["pk"] = [c["name"] for c in table["columns"] if c["pk"]]
    if not table["pk"] and origin in _CONVENTIONAL_KEY:
        _conventional_key(table, name)
    if not table["pk"] and registry.outside_base(key) is not None:
        table["implicit_pk"] = True  # from a base class outside the repository: not seen
    table["fks"].extend(
        {"cols": [c["name"]], "ref": c["ref"]} for c in table["columns"] if c["ref"] is not None
    )
    return table


def _resolved_column(registry: _Registry, origin: str, col: ColumnFacts) -> ColumnFacts:
    resolved: ColumnFacts = dict(col)  # type: ignore[assignment]
    if col["ref"] is not None:
        resolved["ref"] = registry.table_key_of(origin, col["ref"]) or col["ref"].lower()
        resolved["indexed"] = col["indexed"] or origin in _INDEXES_FKS
    return resolved


def _conventional_key(table: TableFacts, class_name: str) -> None:
    """EF Core and GORM: a column ``Id``/``ID`` (or ``<Class>Id``) is the primary key."""
    wanted = {"id", f"{class_name.lower()}id", f"{snake(class_name)}_id"}
    for col in table["columns"]:
        if col["name"].lower() in wanted:
            col["pk"] = True
            col["not_null"] = True
            table["pk"] = [col["name"]]
            return


def _apply_navs(
    registry: _Registry, key: tuple[str, str], tables: Mapping[tuple[str, str], TableFacts]
) -> None:
    """Foreign keys that navigation properties imply (on this table or on the target's)."""
    fk_names = {
        c["nav"]: c["cols"][0]
        for c in registry.changes
        if _is(c, key) and c["kind"] == "nav_fk" and c["nav"] and c["cols"]
    }
    for part in registry.lineage(key):
        for nav in part["navs"]:
            target = (key[0], nav["type"])
            if target not in tables:
                _add_fallback(tables[key], nav)
                continue
            fk = nav["fk"] or fk_names.get(nav["name"])
            _link(key, tables[key], tables[target], nav, fk)


def _link(
    key: tuple[str, str], owner: TableFacts, target: TableFacts, nav: NavFacts, fk: str | None
) -> None:
    """The foreign key of one navigation: on the target for a collection (and a GORM
    has-one), on the owner for a reference."""
    origin, name = key
    line = nav["line"]
    if nav["many"]:
        _add_fk(target, fk or _conventional_fk(origin, name), owner["key"], origin, line, False)
    elif origin == "gorm" and fk is None and not _has(owner, _gorm_fk(nav["name"])):
        _add_fk(target, _gorm_fk(name), owner["key"], origin, line, False)  # has-one
    else:
        column = fk or _conventional_fk(origin, nav["name"])
        _add_fk(owner, column, target["key"], origin, line, nav["not_null"])


def _add_fallback(table: TableFacts, nav: NavFacts) -> None:
    """A property whose type is no entity is a plain column (an enum, a value type)."""
    column = nav.get("fallback")
    if column is not None and not _has(table, column["name"]):
        table["columns"].append(dict(column))  # type: ignore[arg-type]


def _gorm_fk(name: str) -> str:
    return snake(f"{name}ID")


def _conventional_fk(origin: str, name: str) -> str:
    """The foreign-key column an ORM names after a navigation (or owner) ``name``."""
    if origin == "gorm":
        return _gorm_fk(name)
    if origin == "jpa":
        return f"{snake(name)}_id"
    return f"{name}Id"


def _has(table: TableFacts, column: str) -> bool:
    return any(c["name"].lower() == column.lower() for c in table["columns"])


def _add_fk(
    table: TableFacts, column: str, ref: str, origin: str, line: int, not_null: bool
) -> None:
    """Declare ``column`` (adding it as a shadow column when absent) a foreign key to ``ref``."""
    existing = next((c for c in table["columns"] if c["name"].lower() == column.lower()), None)
    if existing is None:
        if origin == "gorm":
            return  # GORM only links fields the struct declares
        existing = new_column(column, line, not_null=not_null)
        table["columns"].append(existing)
    if existing["ref"] is None:
        existing["ref"] = ref
        existing["indexed"] = existing["indexed"] or origin in _INDEXES_FKS
    if not any(fk["cols"] == [existing["name"]] for fk in table["fks"]):
        table["fks"].append({"cols": [existing["name"]], "ref": ref})


def _changes(
    registry: _Registry, tables: Mapping[tuple[str, str], TableFacts]
) -> Iterable[tuple[str, ChangeFacts]]:
    """Fluent configuration (``HasKey``, ``HasIndex``, ``IsRequired``) as table changes."""
    for change in registry.changes:
        key = (change["origin"], change["model"])
        if key not in tables or change["kind"] in ("table", "nav_fk"):
            continue
        kind: ChangeKind = change["kind"]  # type: ignore[assignment]
        path = registry.models[key][0]
        yield path, new_change(tables[key]["key"], kind, change["line"], change["cols"])
