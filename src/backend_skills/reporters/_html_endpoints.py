"""The HTML report's endpoint inventory: unprotected endpoints first (writes before
reads), then the protected ones, each row escaped; unprotected rows are marked.

Rows are read as plain mappings so that reports with a newer or older endpoint shape
still render (every column any row has is shown).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._endpoints import WRITE_METHODS
from ._html_page import h

#: Endpoints listed at most (the JSON report has every one).
MAX_ROWS = 1000


def plain(value: Any) -> Any:
    """A model, mapping or list as plain data (for sections whose shape may grow)."""
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(mode="json")
    return value


def _unprotected(row: Any) -> bool:
    return isinstance(row, Mapping) and row.get("public") is True


def _sort_key(row: Any) -> tuple[bool, bool, str, int, str, str]:
    """Unprotected writes, unprotected reads, protected; by place within each."""
    if not isinstance(row, Mapping):
        return (True, True, "", 0, "", "")
    line = row.get("line")
    return (
        not _unprotected(row),
        str(row.get("method", "")).upper() not in WRITE_METHODS,
        str(row.get("file") or ""),
        line if isinstance(line, int) else 0,
        str(row.get("path") or ""),
        str(row.get("method") or ""),
    )


def ordered(endpoints: Sequence[Any]) -> list[Any]:
    """The report's endpoints as plain rows, unprotected first."""
    return sorted((plain(e) for e in endpoints), key=_sort_key)


def columns_of(rows: Sequence[Any]) -> list[str]:
    """Every key any row has, in first-seen order."""
    columns: list[str] = []
    for row in rows:
        if isinstance(row, Mapping):
            columns.extend(k for k in row if k not in columns)
    return columns


def _cell(value: Any) -> str:
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    return f'<td class="wrap">{"" if value is None else h(value, 300)}</td>'


def row_html(row: Any, columns: Sequence[str]) -> str:
    """One endpoint as a table row (an unprotected one has the ``unprotected`` class)."""
    if not isinstance(row, Mapping):
        return f'<tr><td colspan="{max(len(columns), 1)}">{h(row, 300)}</td></tr>'
    css = ' class="unprotected"' if _unprotected(row) else ""
    return f"<tr{css}>" + "".join(_cell(row.get(c)) for c in columns) + "</tr>"


def _summary(rows: Sequence[Any]) -> str:
    unprotected = [r for r in rows if _unprotected(r)]
    writes = sum(1 for r in unprotected if str(r.get("method", "")).upper() in WRITE_METHODS)
    return (
        f'<p class="muted">{len(unprotected):,} without access control'
        f" ({writes:,} write endpoint{'s' if writes != 1 else ''}), listed first.</p>"
    )


def section(endpoints: Sequence[Any] | None) -> str:
    """The ``#endpoints`` section (empty when the report has no inventory)."""
    if not endpoints:
        return ""
    rows = ordered(endpoints)
    columns = columns_of(rows)
    head = "".join(f"<th>{h(c.replace('_', ' '))}</th>" for c in columns)
    body = "".join(row_html(row, columns) for row in rows[:MAX_ROWS])
    more = (
        f"<p>{len(rows) - MAX_ROWS:,} more in the JSON report.</p>" if len(rows) > MAX_ROWS else ""
    )
    return (
        f'<section id="endpoints"><h2>Endpoint inventory ({len(rows)})</h2>{_summary(rows)}'
        f'<table id="endpoints-table"><thead><tr>{head}</tr></thead><tbody>{body}'
        f"</tbody></table>{more}</section>"
    )
