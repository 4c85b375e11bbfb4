"""Schema facts: the JSON-serialisable shape every schema reader produces.

A file's :class:`SchemaFacts` lists the tables it defines and the changes it applies to
tables defined elsewhere (``ALTER TABLE``, separate indexes, migration operations).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NotRequired, TypedDict


class ColumnFacts(TypedDict):
    """One column as declared."""

    name: str
    line: int
    not_null: bool
    pk: bool
    unique: bool
    check: bool
    ref: str | None
    """Key of the referenced table when the column declares a foreign key."""
    indexed: bool
    """The column has an index of its own (``index=True``, Django FK, ...)."""


class ForeignKeyFacts(TypedDict):
    """A foreign key: local columns and the referenced table's key."""

    cols: list[str]
    ref: str


class TableFacts(TypedDict):
    """One table definition."""

    name: str
    key: str
    """Lower-case unqualified name, used to merge definitions and match references."""
    line: int
    origin: str
    """sql, sqlalchemy, sqlmodel, alembic or django."""
    columns: list[ColumnFacts]
    pk: list[str]
    fks: list[ForeignKeyFacts]
    uniques: list[list[str]]
    checks: int
    indexes: list[list[str]]
    implicit_pk: bool
    """The framework adds a primary key itself (Django's ``id``)."""
    path: NotRequired[str]
    role: NotRequired[str]


ChangeKind = Literal["pk", "fk", "unique", "check", "index", "column", "not_null"]


class ChangeFacts(TypedDict):
    """A change applied to a table defined elsewhere (ALTER TABLE, CREATE INDEX, ...)."""

    table: str
    kind: ChangeKind
    cols: list[str]
    ref: str | None
    column: ColumnFacts | None
    line: int


class NavFacts(TypedDict):
    """A navigation property: a reference (``many`` false) or a collection of entities."""

    name: str
    type: str
    line: int
    many: bool
    fk: str | None
    """The foreign-key column when the code names it (else the ORM's convention)."""
    not_null: bool
    fallback: NotRequired[ColumnFacts]
    """The column this property is when its type turns out not to be an entity (an enum,
    a type from another package)."""


class ModelFacts(TypedDict):
    """A class or struct that is an entity, or that an entity inherits columns from."""

    name: str
    line: int
    origin: str
    """jpa, efcore, gorm, typeorm or prisma."""
    entity: bool
    """Declared an entity in its own file (``@Entity``, a Prisma model, a GORM model)."""
    table: str | None
    bases: list[str]
    columns: list[ColumnFacts]
    """Columns; a column's ``ref`` is the *class* it references until resolved."""
    pk: list[str]
    uniques: list[list[str]]
    indexes: list[list[str]]
    checks: int
    navs: list[NavFacts]


class EntityRef(TypedDict):
    """A class declared an entity elsewhere (EF Core ``DbSet<T>``, ``Entity<T>()``)."""

    name: str
    origin: str
    table: str | None


class ModelChange(TypedDict):
    """A change configured for an entity class (EF Core fluent configuration)."""

    model: str
    origin: str
    kind: ChangeKind | str
    """A :data:`ChangeKind`, ``table`` (sets the table name) or ``nav_fk`` (names the
    foreign-key column of navigation ``nav``)."""
    cols: list[str]
    nav: str | None
    line: int


class SchemaFacts(TypedDict):
    """Everything one file declares about the schema."""

    tables: list[TableFacts]
    changes: list[ChangeFacts]
    models: NotRequired[list[ModelFacts]]
    """ORM classes (JPA, EF Core, GORM, TypeORM, Prisma), resolved into tables later."""
    entities: NotRequired[list[EntityRef]]
    model_changes: NotRequired[list[ModelChange]]


def empty_facts() -> SchemaFacts:
    """Facts of a file that declares nothing."""
    return {"tables": [], "changes": []}


def new_column(
    name: str,
    line: int,
    *,
    not_null: bool = False,
    pk: bool = False,
    unique: bool = False,
    check: bool = False,
    ref: str | None = None,
    indexed: bool = False,
) -> ColumnFacts:
    return {
        "name": name,
        "line": line,
        "not_null": not_null or pk,
        "pk": pk,
        "unique": unique,
        "check": check,
        "ref": ref,
        "indexed": indexed,
    }


def new_table(name: str, key: str, line: int, origin: str) -> TableFacts:
    return {
        "name": name,
        "key": key,
        "line": line,
        "origin": origin,
        "columns": [],
        "pk": [],
        "fks": [],
        "uniques": [],
        "checks": 0,
        "indexes": [],
        "implicit_pk": False,
    }


def new_change(
    table: str,
    kind: ChangeKind,
    line: int,
    cols: Sequence[str] = (),
    ref: str | None = None,
    column: ColumnFacts | None = None,
) -> ChangeFacts:
    return {
        "table": table,
        "kind": kind,
        "cols": list(cols),
        "ref": ref,
        "column": column,
        "line": line,
    }


def table_key(name: str) -> str:
    """The merge key of a (possibly qualified, possibly quoted) table name."""
    last = name.strip().split(".")[-1]
    return unquote(last).lower()


def unquote(text: str) -> str:
    if len(text) >= 2 and text[0] + text[-1] in ('""', "``", "[]"):
        return text[1:-1]
    return text


# --------------------------------------------------------------------------- SQL tokenizer
