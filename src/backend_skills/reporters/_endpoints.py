"""The endpoint inventory section shared by the text and Markdown reports.

Unprotected endpoints come first (writes before reads), then the protected ones; every
string from the repository is escaped by the caller's escaping function.
"""

from __future__ import annotations

from collections.abc import Sequence

from backend_skills.core.models import Endpoint, Report

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: Rows shown by default (the JSON report has every endpoint).
DEFAULT_ROWS = 20


def endpoints_of(report: Report) -> list[Endpoint]:
    """The report's inventory (empty for reports written before it existed)."""
    return list(getattr(report, "endpoints", None) or [])


def open_writes(endpoints: Sequence[Endpoint]) -> int:
    """Write endpoints without access control."""
    return sum(1 for e in endpoints if e.public and e.method in WRITE_METHODS)


def summary(endpoints: Sequence[Endpoint]) -> str:
    """``Endpoints: 14 (3 write endpoints without access control)``."""
    count = open_writes(endpoints)
    noun = "endpoint" if count == 1 else "endpoints"
    return f"Endpoints: {len(endpoints)} ({count} write {noun} without access control)"


def ordered(endpoints: Sequence[Endpoint]) -> list[Endpoint]:
    """Unprotected writes, unprotected reads, then protected endpoints; by place within."""
    return sorted(
        endpoints,
        key=lambda e: (not e.public, e.method not in WRITE_METHODS, *e.sort_key()),
    )


def where(endpoint: Endpoint) -> str:
    """``file:line`` (unescaped)."""
    return endpoint.file + (f":{endpoint.line}" if endpoint.line else "")
