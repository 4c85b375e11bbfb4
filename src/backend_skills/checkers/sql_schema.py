"""Schema design facts (kept for imports): the readers live in :mod:`.schema`."""

from .schema import (
    ORM_LANGUAGES,
    SCHEMA_METRICS,
    SCHEMA_ROLES,
    SchemaFacts,
    evaluate_schema,
    facts_from_json,
    has_orm_schema_markers,
    has_python_schema_markers,
    naming_style,
    read_ddl,
    read_orm_schema,
    read_python_schema,
)

__all__ = [
    "ORM_LANGUAGES",
    "SCHEMA_METRICS",
    "SCHEMA_ROLES",
    "SchemaFacts",
    "evaluate_schema",
    "facts_from_json",
    "has_orm_schema_markers",
    "has_python_schema_markers",
    "naming_style",
    "read_ddl",
    "read_orm_schema",
    "read_python_schema",
]
