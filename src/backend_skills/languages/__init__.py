"""The languages read with tree-sitter: one module per language declares its node kinds.

:data:`LANGUAGES` maps our language id (as discovery names it) to its
:class:`LanguageSpec`. Adding a language (Kotlin, say) is one module with a ``SPEC`` and
one entry here, plus its grammar wheel in the dependencies.
"""

from __future__ import annotations

from . import csharp, go, java, javascript, typescript
from ._measure import MEASURE_CAPTURES, FileMeasure, FunctionMeasure, measure, measure_query, parse
from ._spec import LanguageSpec, captures, load_language, parser_for, query_for

LANGUAGES: dict[str, LanguageSpec] = {
    spec.name: spec for spec in (java.SPEC, csharp.SPEC, go.SPEC, javascript.SPEC, typescript.SPEC)
}

__all__ = [
    "LANGUAGES",
    "MEASURE_CAPTURES",
    "FileMeasure",
    "FunctionMeasure",
    "LanguageSpec",
    "captures",
    "load_language",
    "measure",
    "measure_query",
    "parse",
    "parser_for",
    "query_for",
]
