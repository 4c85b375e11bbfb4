"""Which reader reads a non-Python file's ORM entities, and the cheap filter before it.

:func:`read_orm_schema` dispatches on the file's language: JPA for Java, EF Core for C#,
GORM for Go, TypeORM for TypeScript and Prisma schema files. A file is only
parsed when :func:`has_orm_schema_markers` finds one of its reader's markers.
"""

from __future__ import annotations

from collections.abc import Callable

from . import _efcore, _gorm, _jpa, _prisma, _typeorm
from ._facts import SchemaFacts, empty_facts

_Reader = Callable[[str, str], SchemaFacts]

#: language -> (markers, reader).
_READERS: dict[str, tuple[tuple[str, ...], _Reader]] = {
    "java": (_jpa.MARKERS, _jpa.read_jpa),
    "csharp": (_efcore.MARKERS, _efcore.read_efcore),
    "go": (_gorm.MARKERS, _gorm.read_gorm),
    "typescript": (_typeorm.MARKERS, _typeorm.read_typeorm),
    "prisma": (_prisma.MARKERS, _prisma.read_prisma),
}

#: Languages whose files may hold ORM entities.
ORM_LANGUAGES = frozenset(_READERS)

#: Files larger than this are not read for entities (generated code, bundles).
MAX_ORM_FILE_BYTES = 1_000_000


def has_orm_schema_markers(language: str, text: str) -> bool:
    """Whether a file of ``language`` may declare ORM entities or their configuration."""
    reader = _READERS.get(language)
    return reader is not None and any(marker in text for marker in reader[0])


def read_orm_schema(language: str, path: str, text: str) -> SchemaFacts:
    """The ORM models, entity declarations and configuration one file holds."""
    reader = _READERS.get(language)
    if reader is None or len(text) > MAX_ORM_FILE_BYTES:
        return empty_facts()
    return reader[1](path, text)
