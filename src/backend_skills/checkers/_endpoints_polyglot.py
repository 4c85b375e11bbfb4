"""Compatibility module: the endpoint inventory now lives in :mod:`.endpoints` (one module
per framework); the names importers used stay importable from here."""

from __future__ import annotations

from .endpoints import (
    EXPRESS_VERBS,
    MAX_NODES,
    MIDDLEWARE_WORDS,
    Facts,
    exposures,
    middleware_auth,
    parse_and_scan,
    polyglot_result,
    scan,
    spring_security_declared,
)

__all__ = [
    "EXPRESS_VERBS",
    "MAX_NODES",
    "MIDDLEWARE_WORDS",
    "Facts",
    "exposures",
    "middleware_auth",
    "parse_and_scan",
    "polyglot_result",
    "scan",
    "spring_security_declared",
]
