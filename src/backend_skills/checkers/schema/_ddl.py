"""Tables, keys, constraints and indexes read from SQL DDL text.

:func:`read_ddl` reads ``CREATE TABLE``, ``CREATE INDEX`` and ``ALTER TABLE`` statements
with a small dialect-tolerant tokenizer (comments, strings, dollar quoting, quoted
identifiers and Jinja tags are understood). The ``sqlfluff`` checker hands it the
statements located in sqlfluff's parse tree, and the whole file when sqlfluff could not
parse it (too large, unparsable, templating failed).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from ._facts import (
    ChangeFacts,
    ChangeKind,
    ColumnFacts,
    SchemaFacts,
    TableFacts,
    empty_facts,
    new_change,
    new_column,
    new_table,
    table_key,
    unquote,
)

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
    |(?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z))
    |(?P<tmpl>\{\{.*?(?:\}\}|\Z)|\{%.*?(?:%\}|\Z)|\{\#.*?(?:\#\}|\Z))
    |(?P<dollar>\$(?P<tag>[A-Za-z_]\w*)?\$.*?(?:\$(?P=tag)?\$|\Z))
    |(?P<estring>[Ee]'(?:[^'\\]|''|\\.)*+(?:'|\Z))
    |(?P<string>[NnBbXxUu]?'(?:[^']|'')*+(?:'|\Z))
    |(?P<qident>"(?:[^"]|"")*+(?:"|\Z)|`[^`]*+(?:`|\Z)|\[[^\]\n]*+\])
    |(?P<word>[^\W\d][\w$]*)
    |(?P<number>\d+(?:\.\d*)?)
    |(?P<punct>[(),;.])
    |(?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class Token:
    """One significant SQL token."""

    kind: str
    text: str
    line: int

    @property
    def upper(self) -> str:
        """The token in upper case (keywords are compared this way)."""
        return self.text.upper()

    def is_word(self, *words: str) -> bool:
        """True when this is an unquoted word equal (case-insensitively) to one of ``words``."""
        return self.kind == "word" and self.upper in words

    @property
    def is_name(self) -> bool:
        """A token that can be an identifier."""
        return self.kind in ("word", "qident", "tmpl")


def tokenize(text: str, base_line: int = 1) -> list[Token]:
    """Significant tokens of ``text`` (whitespace and comments dropped), with lines."""
    starts = [0]
    starts.extend(m.end() for m in re.finditer("\n", text))
    tokens: list[Token] = []
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup or "other"
        if kind == "tag":  # pragma: no cover - the named group inside ``dollar``
            kind = "dollar"
        if kind in ("ws", "comment"):
            continue
        if match.group("dollar") is not None:
            kind = "dollar"
        line = base_line + bisect.bisect_right(starts, match.start()) - 1
        tokens.append(Token(kind, match.group(0), line))
    return tokens


def _statements(tokens: Sequence[Token]) -> Iterator[list[Token]]:
    """Split at top-level semicolons."""
    depth = 0
    current: list[Token] = []
    for tok in tokens:
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth = max(0, depth - 1)
        if tok.text == ";" and depth == 0:
            if current:
                yield current
            current = []
            continue
        current.append(tok)
    if current:
        yield current


def _split_top(tokens: Sequence[Token]) -> list[list[Token]]:
    """Split a token run at depth-0 commas."""
    parts: list[list[Token]] = [[]]
    depth = 0
    for tok in tokens:
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth -= 1
        if tok.text == "," and depth == 0:
            parts.append([])
            continue
        parts[-1].append(tok)
    return [p for p in parts if p]


def _group_end(tokens: Sequence[Token], start: int) -> int:
    """Index of the ``)`` closing the ``(`` at ``start`` (or the last index)."""
    depth = 0
    for i in range(start, len(tokens)):
        if tokens[i].text == "(":
            depth += 1
        elif tokens[i].text == ")":
            depth -= 1
            if depth == 0:
                return i
    return len(tokens) - 1


def _qualified_name(tokens: Sequence[Token], i: int) -> tuple[str, int]:
    """Read ``a.b.c`` starting at ``i``; returns the text and the index after it."""
    parts: list[str] = []
    while i < len(tokens) and tokens[i].is_name:
        parts.append(tokens[i].text)
        i += 1
        if i < len(tokens) and tokens[i].text == ".":
            i += 1
            continue
        break
    return ".".join(parts), i


def _column_list(tokens: Sequence[Token], start: int) -> tuple[list[str], int]:
    """Names in the parenthesised list at ``start``; expressions give ``""``."""
    if start >= len(tokens) or tokens[start].text != "(":
        return [], start
    end = _group_end(tokens, start)
    names: list[str] = []
    for item in _split_top(tokens[start + 1 : end]):
        first = item[0]
        if first.is_name and not (len(item) > 1 and item[1].text == "("):
            names.append(unquote(first.text))
        else:
            names.append("")
    return names, end + 1


def _skip_words(tokens: Sequence[Token], i: int, *words: str) -> int:
    while i < len(tokens) and tokens[i].is_word(*words):
        i += 1
    return i


_TABLE_PREFIX = frozenset(
    {"OR", "REPLACE", "GLOBAL", "LOCAL", "UNLOGGED", "TRANSIENT", "MULTISET", "SET", "SHARDED"}
)
_TABLE_SKIP = frozenset({"TEMP", "TEMPORARY", "VOLATILE", "EXTERNAL", "VIRTUAL", "FOREIGN"})
_SERIAL_TYPES = frozenset({"SERIAL", "BIGSERIAL", "SMALLSERIAL", "SERIAL4", "SERIAL8", "SERIAL2"})


def read_ddl(text: str, base_line: int = 1) -> SchemaFacts:
    """Tables, indexes and table changes declared in SQL ``text``."""
    facts = empty_facts()
    for stmt in _statements(tokenize(text, base_line)):
        _read_statement(stmt, facts)
    return facts


def _read_statement(stmt: list[Token], facts: SchemaFacts) -> None:
    if not stmt or not stmt[0].is_word("CREATE", "ALTER"):
        return
    if stmt[0].is_word("ALTER"):
        if len(stmt) > 1 and stmt[1].is_word("TABLE"):
            _read_alter(stmt, facts)
        return
    i = 1
    skip = False
    while i < len(stmt) and stmt[i].kind == "word":
        word = stmt[i].upper
        if word in _TABLE_SKIP:
            skip = True
        elif word not in _TABLE_PREFIX:
            break
        i += 1
    if i >= len(stmt):
        return
    if stmt[i].is_word("TABLE"):
        if not skip:
            _read_create_table(stmt, i + 1, facts)
        return
    j = _skip_words(stmt, i, "UNIQUE", "CLUSTERED", "NONCLUSTERED", "FULLTEXT", "SPATIAL", "BITMAP")
    if j < len(stmt) and stmt[j].is_word("INDEX"):
        unique = any(t.is_word("UNIQUE") for t in stmt[i:j])
        _read_create_index(stmt, j + 1, unique, facts)


def _read_create_table(stmt: list[Token], i: int, facts: SchemaFacts) -> None:
    if i + 2 < len(stmt) and stmt[i].is_word("IF") and stmt[i + 1].is_word("NOT"):
        i += 3
    name, i = _qualified_name(stmt, i)
    if not name or i >= len(stmt) or stmt[i].text != "(":
        return  # CREATE TABLE ... AS / LIKE / PARTITION OF / CLONE: nothing declared here
    end = _group_end(stmt, i)
    rest = stmt[end + 1 :]
    if rest and rest[0].is_word("AS"):
        return  # CREATE TABLE t (a, b) AS SELECT ...
    display = ".".join(unquote(part) for part in name.split("."))
    table = new_table(display, table_key(name), stmt[0].line, "sql")
    for element in _split_top(stmt[i + 1 : end]):
        _read_element(element, table)
    facts["tables"].append(table)


def _read_element(element: list[Token], table: TableFacts) -> None:
    head = element[0]
    k = 0
    if head.is_word("CONSTRAINT"):
        _, k = _qualified_name(element, 1)
        if k >= len(element):
            return
    if _read_table_constraint(element, k, table):
        return
    if head.is_word("LIKE", "PERIOD", "EXCLUDE"):
        if head.is_word("EXCLUDE"):
            table["checks"] += 1
        return
    if head.is_name:
        table["columns"].append(_read_column(element))


def _read_table_constraint(element: list[Token], k: int, table: TableFacts) -> bool:
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
    j = _skip_words(element, j, "CLUSTERED", "NONCLUSTERED", "ASC", "DESC")
    cols, _ = _column_list(element, j)
    table["pk"] = [c for c in cols if c]


def _read_foreign_key(element: list[Token], j: int, table: TableFacts) -> None:
    """``FOREIGN KEY [name] (cols) REFERENCES t``, from after ``KEY``."""
    if j < len(element) and element[j].is_name:
        j += 1  # MySQL: FOREIGN KEY name (cols)
    cols, j = _column_list(element, j)
    ref = _references(element, j)
    if ref is not None and cols:
        table["fks"].append({"cols": [c for c in cols if c], "ref": ref})


def _read_unique(element: list[Token], j: int, table: TableFacts) -> None:
    """``UNIQUE [KEY|INDEX] [name] [NULLS NOT DISTINCT] (cols)``, from after ``UNIQUE``."""
    j = _skip_words(element, j, "KEY", "INDEX", "NULLS", "NOT", "DISTINCT")
    if j < len(element) and element[j].is_name:
        j += 1  # UNIQUE KEY name (cols)
    cols, _ = _column_list(element, j)
    if cols:
        table["uniques"].append([c for c in cols if c])


def _read_index(element: list[Token], j: int, table: TableFacts) -> None:
    """MySQL ``KEY|INDEX [name] [USING ...] (cols)``, from after the first word."""
    j = _skip_words(element, j, "KEY", "INDEX")
    if j < len(element) and element[j].is_name and element[j].text != "(":
        j += 1
    j = _skip_words(element, j, "USING", "BTREE", "HASH")
    cols, _ = _column_list(element, j)
    if cols:
        table["indexes"].append(cols)


def _index_shape(element: list[Token], k: int) -> bool:
    """MySQL ``KEY [name] [USING ...] (cols)``, not a column named ``key``."""
    j = _skip_words(element, k + 1, "KEY", "INDEX")
    if j < len(element) and element[j].is_name and not element[j].is_word("USING"):
        j += 1
    j = _skip_words(element, j, "USING", "BTREE", "HASH")
    return j < len(element) and element[j].text == "("


def _references(tokens: Sequence[Token], i: int) -> str | None:
    while i < len(tokens) and not tokens[i].is_word("REFERENCES"):
        i += 1
    if i >= len(tokens):
        return None
    name, _ = _qualified_name(tokens, i + 1)
    return table_key(name) if name else None


def _read_column(element: list[Token]) -> ColumnFacts:
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


def _column_word(element: list[Token], n: int, column: ColumnFacts) -> None:
    """Apply the keyword at ``n`` of a column definition to ``column``."""
    word = element[n].upper
    nxt = element[n + 1].upper if n + 1 < len(element) and element[n + 1].kind == "word" else ""
    flags: tuple[_Flag, ...] = _COLUMN_PAIRS.get((word, nxt)) or _COLUMN_FLAGS.get(word, ())
    if not flags and word == "REFERENCES":
        name, _ = _qualified_name(element, n + 1)
        if name:
            column["ref"] = table_key(name)
    elif not flags and n == 1 and word in _SERIAL_TYPES:
        flags = ("not_null",)
    for flag in flags:
        column[flag] = True


def _read_create_index(stmt: list[Token], i: int, unique: bool, facts: SchemaFacts) -> None:
    i = _skip_words(stmt, i, "CONCURRENTLY")
    if i + 2 < len(stmt) and stmt[i].is_word("IF") and stmt[i + 1].is_word("NOT"):
        i += 3
    if i < len(stmt) and not stmt[i].is_word("ON"):
        _, i = _qualified_name(stmt, i)
    if i >= len(stmt) or not stmt[i].is_word("ON"):
        return
    i = _skip_words(stmt, i + 1, "ONLY")
    name, i = _qualified_name(stmt, i)
    if not name:
        return
    if i < len(stmt) and stmt[i].is_word("USING"):
        i += 2
    cols, _ = _column_list(stmt, i)
    if cols:
        kind: ChangeKind = "unique" if unique else "index"
        facts["changes"].append(new_change(table_key(name), kind, stmt[0].line, cols))


def _read_alter(stmt: list[Token], facts: SchemaFacts) -> None:
    i = _skip_words(stmt, 2, "IF", "EXISTS", "ONLY")
    name, i = _qualified_name(stmt, i)
    if not name:
        return
    key = table_key(name)
    for action in _split_top(stmt[i:]):
        _read_alter_action(action, key, facts)


def _read_alter_action(action: list[Token], key: str, facts: SchemaFacts) -> None:
    if action[0].is_word("ADD"):
        _read_alter_add(action, key, facts)
    elif action[0].is_word("ALTER", "MODIFY"):
        _read_alter_column(action, key, facts)


def _read_alter_add(action: list[Token], key: str, facts: SchemaFacts) -> None:
    """``ADD [COLUMN] [IF NOT EXISTS] column ...`` or ``ADD [CONSTRAINT name] constraint``."""
    line = action[0].line
    k = _skip_words(action, 1, "COLUMN")
    if k + 2 < len(action) and action[k].is_word("IF") and action[k + 1].is_word("NOT"):
        k += 3
    if k >= len(action):
        return
    start = k
    if action[k].is_word("CONSTRAINT"):
        _, start = _qualified_name(action, k + 1)
        if start >= len(action):
            return
    probe = new_table("", key, line, "sql")
    if _read_table_constraint(action, start, probe):
        facts["changes"].extend(_probe_changes(probe, key, line))
    elif action[k].is_name:
        column = _read_column(action[k:])
        facts["changes"].append(new_change(key, "column", line, [column["name"]], column=column))


def _probe_changes(probe: TableFacts, key: str, line: int) -> list[ChangeFacts]:
    """The changes an ``ADD CONSTRAINT`` read into a throwaway table amounts to."""
    changes: list[ChangeFacts] = []
    if probe["pk"]:
        changes.append(new_change(key, "pk", line, probe["pk"]))
    changes.extend(new_change(key, "fk", line, fk["cols"], fk["ref"]) for fk in probe["fks"])
    changes.extend(new_change(key, "unique", line, cols) for cols in probe["uniques"])
    changes.extend(new_change(key, "index", line, cols) for cols in probe["indexes"])
    if probe["checks"]:
        changes.append(new_change(key, "check", line))
    return changes


def _read_alter_column(action: list[Token], key: str, facts: SchemaFacts) -> None:
    """``ALTER [COLUMN] c SET NOT NULL`` and MySQL's ``MODIFY c ... NOT NULL``."""
    k = _skip_words(action, 1, "COLUMN")
    if k >= len(action) or not action[k].is_name:
        return
    col = unquote(action[k].text)
    words = [t.upper for t in action[k + 1 :] if t.kind == "word"]
    if words[:3] == ["SET", "NOT", "NULL"] or (
        action[0].is_word("MODIFY") and "NOT" in words and "NULL" in words
    ):
        facts["changes"].append(new_change(key, "not_null", action[0].line, [col]))
