"""The elements of a table definition: columns and table constraints.

Shared by ``CREATE TABLE`` and ``ALTER TABLE ... ADD`` (which reads a constraint into a
throwaway table and turns it into changes).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from ._facts import ColumnFacts, TableFacts, new_column, table_key, unquote
from ._sql_tokens import Token, column_list, qualified_name, skip_words

_SERIAL_TYPES = frozenset({"SERIAL", "BIGSERIAL", "SMALLSERIAL", "SERIAL4", "SERIAL8", "SERIAL2"})


def read_element(element: list[Token], table: TableFacts) -> None:
    head = element[0]
    k = 0
    if head.is_word("CONSTRAINT"):
        _, k = qualified_name(element, 1)
        if k >= len(element):
            return
    if read_table_constraint(element, k, table):
        return
    if head.is_word("LIKE", "PERIOD", "EXCLUDE"):
        if head.is_word("EXCLUDE"):
            table["checks"] += 1
        return
    if head.is_name:
        table["columns"].append(read_column(element))


def read_table_constraint(element: list[Token], k: int, table: TableFacts) -> bool:
    """Read a table constraint at ``k``; False when the element is a column."""
    tok = element[k]
    nxt = element[k + 1] if k + 1 < len(element) else None
    if nxt is not None and nxt.is_word("KEY") and tok.is_word("PRIMARY", "FOREIGN"):
        reader = _read_primary_key if tok.is_word("PRIMARY") else _read_foreign_key
        reader(element, k + 2, table)
        return True
    if tok.is_word("UNIQUE"):
        _read_unique(element, k + 1, table)
        return True
    if tok.is_word("CHECK"):
        table["checks"] += 1
        return True
    if tok.is_word("KEY", "INDEX", "FULLTEXT", "SPATIAL") and _index_shape(element, k):
        _read_index(element, k + 1, table)
        return True
    return False


def _read_primary_key(element: list[Token], j: int, table: TableFacts) -> None:
    """``PRIMARY KEY [CLUSTERED] (cols)``, from after ``KEY``."""
    j = skip_words(element, j, "CLUSTERED", "NONCLUSTERED", "ASC", "DESC")
    cols, _ = column_list(element, j)
    table["pk"] = [c for c in cols if c]


def _read_foreign_key(element: list[Token], j: int, table: TableFacts) -> None:
    """``FOREIGN KEY [name] (cols) REFERENCES t``, from after ``KEY``."""
    if j < len(element) and element[j].is_name:
        j += 1  # MySQL: FOREIGN KEY name (cols)
    cols, j = column_list(element, j)
    ref = _references(element, j)
    if ref is not None and cols:
        table["fks"].append({"cols": [c for c in cols if c], "ref": ref})


def _read_unique(element: list[Token], j: int, table: TableFacts) -> None:
    """``UNIQUE [KEY|INDEX] [name] [NULLS NOT DISTINCT] (cols)``, from after ``UNIQUE``."""
    j = skip_words(element, j, "KEY", "INDEX", "NULLS", "NOT", "DISTINCT")
    if j < len(element) and element[j].is_name:
        j += 1  # UNIQUE KEY name (cols)
    cols, _ = column_list(element, j)
    if cols:
        table["uniques"].append([c for c in cols if c])


def _read_index(element: list[Token], j: int, table: TableFacts) -> None:
    """MySQL ``KEY|INDEX [name] [USING ...] (cols)``, from after the first word."""
    j = skip_words(element, j, "KEY", "INDEX")
    if j < len(element) and element[j].is_name and element[j].text != "(":
        j += 1
    j = skip_words(element, j, "USING", "BTREE", "HASH")
    cols, _ = column_list(element, j)
    if cols:
        table["indexes"].append(cols)


def _index_shape(element: list[Token], k: int) -> bool:
    """MySQL ``KEY [name] [USING ...] (cols)``, not a column named ``key``."""
    j = skip_words(element, k + 1, "KEY", "INDEX")
    if j < len(element) and element[j].is_name and not element[j].is_word("USING"):
        j += 1
    j = skip_words(element, j, "USING", "BTREE", "HASH")
    return j < len(element) and element[j].text == "("


def _references(tokens: Sequence[Token], i: int) -> str | None:
    while i < len(tokens) and not tokens[i].is_word("REFERENCES"):
        i += 1
    if i >= len(tokens):
        return None
    name, _ = qualified_name(tokens, i + 1)
    return table_key(name) if name else None


def read_column(element: list[Token]) -> ColumnFacts:
    column = new_column(unquote(element[0].text), element[0].line)
    depth = 0
    for n, tok in enumerate(element[1:], start=1):
        if tok.text in "()":
            depth += 1 if tok.text == "(" else -1
        elif not depth and tok.kind == "word":
            _column_word(element, n, column)
    return column


_Flag = Literal["not_null", "pk", "unique", "check"]
#: Column flags a single keyword sets.
_COLUMN_FLAGS: dict[str, tuple[_Flag, ...]] = {
    "UNIQUE": ("unique",),
    "CHECK": ("check",),
}
#: Column flags a keyword sets when the next word follows it (``NOT NULL``, ``PRIMARY KEY``).
_COLUMN_PAIRS: dict[tuple[str, str], tuple[_Flag, ...]] = {
    ("NOT", "NULL"): ("not_null",),
    ("PRIMARY", "KEY"): ("pk", "not_null"),
}


def _next_word(element: Sequence[Token], n: int) -> str:
    """The upper-cased word after ``n`` ('' when the next token is no word)."""
    if n + 1 < len(element) and element[n + 1].kind == "word":
        return element[n + 1].upper
    return ""


def _column_word(element: list[Token], n: int, column: ColumnFacts) -> None:
    """Apply the keyword at ``n`` of a column definition to ``column``."""
    word = element[n].upper
    flags = _COLUMN_PAIRS.get((word, _next_word(element, n))) or _COLUMN_FLAGS.get(word, ())
    if not flags and word == "REFERENCES":
        name, _ = qualified_name(element, n + 1)
        if name:
            column["ref"] = table_key(name)
    elif not flags and n == 1 and word in _SERIAL_TYPES:
        flags = ("not_null",)
    for flag in flags:
        column[flag] = True
