"""Schema design facts: tables, keys, constraints and indexes, read from SQL and ORM code.

The readers produce the same JSON-serialisable facts (:class:`SchemaFacts`):

- :func:`read_ddl` (``_ddl``) reads SQL DDL;
- :func:`read_python_schema` (``_python_models``) reads SQLAlchemy, SQLModel, Alembic and
  Django models and migrations;
- :func:`read_orm_schema` (``_orm``) reads JPA (``_jpa``), EF Core (``_efcore``), GORM
  (``_gorm``), TypeORM (``_typeorm``) and Prisma (``_prisma``) entities, which
  :func:`resolve_models` (``_models``) turns into tables once every file is read;
- :func:`evaluate_schema` (``_evaluate``) merges every file's facts and scores them.

Nothing here imports or runs the scored code.
"""

from ._ddl import Token, read_ddl, tokenize
from ._evaluate import (
    MAX_FINDINGS_PER_RULE,
    SCHEMA_METRICS,
    SCHEMA_ROLES,
    SchemaReport,
    evaluate_schema,
    facts_from_json,
    merge_schema,
    naming_style,
)
from ._facts import (
    ChangeFacts,
    ColumnFacts,
    ForeignKeyFacts,
    SchemaFacts,
    TableFacts,
    empty_facts,
    table_key,
)
from ._models import resolve_models
from ._orm import ORM_LANGUAGES, has_orm_schema_markers, read_orm_schema
from ._python_models import PYTHON_SCHEMA_MARKERS, has_python_schema_markers, read_python_schema

__all__ = [
    "MAX_FINDINGS_PER_RULE",
    "ORM_LANGUAGES",
    "PYTHON_SCHEMA_MARKERS",
    "SCHEMA_METRICS",
    "SCHEMA_ROLES",
    "ChangeFacts",
    "ColumnFacts",
    "ForeignKeyFacts",
    "SchemaFacts",
    "SchemaReport",
    "TableFacts",
    "Token",
    "empty_facts",
    "evaluate_schema",
    "facts_from_json",
    "has_orm_schema_markers",
    "has_python_schema_markers",
    "merge_schema",
    "naming_style",
    "read_ddl",
    "read_orm_schema",
    "read_python_schema",
    "resolve_models",
    "table_key",
    "tokenize",
]
