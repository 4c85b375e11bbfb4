"""Schema design facts (kept for imports): the readers live in :mod:`.schema`."""

from .schema import (
    SCHEMA_METRICS,
    SCHEMA_ROLES,
    SchemaFacts,
    evaluate_schema,
    facts_from_json,
    has_python_schema_markers,
    naming_style,
    read_ddl,
    read_python_schema,
)

__all__ = [
    "SCHEMA_METRICS",
    "SCHEMA_ROLES",
    "SchemaFacts",
    "evaluate_schema",
    "facts_from_json",
    "has_python_schema_markers",
    "naming_style",
    "read_ddl",
    "read_python_schema",
]
