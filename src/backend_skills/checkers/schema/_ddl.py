"""Tables, keys, constraints and indexes read from SQL DDL text.

:func:`read_ddl` reads ``CREATE TABLE``, ``CREATE INDEX`` and ``ALTER TABLE`` statements
with a small dialect-tolerant tokenizer (``_sql_tokens``: comments, strings, dollar
quoting, quoted identifiers and Jinja tags are understood); columns and table constraints
are read by ``_ddl_elements``. The ``sqlfluff`` checker hands it the statements located
in sqlfluff's parse tree, and the whole file when sqlfluff could not parse it (too large,
unparsable, templating failed).
"""

from __future__ import annotations

from ._ddl_elements import read_column, read_element, read_table_constraint
from ._facts import (
    ChangeFacts,
    ChangeKind,
    SchemaFacts,
    TableFacts,
    empty_facts,
    new_change,
    new_table,
    table_key,
    unquote,
)
from ._sql_tokens import (
    Token,
    column_list,
    group_end,
    qualified_name,
    skip_if_not_exists,
    skip_words,
    split_top,
    statements,
    tokenize,
)

__all__ = ["Token", "read_ddl", "tokenize"]

_TABLE_PREFIX = frozenset(
    {"OR", "REPLACE", "GLOBAL", "LOCAL", "UNLOGGED", "TRANSIENT", "MULTISET", "SET", "SHARDED"}
)
_TABLE_SKIP = frozenset({"TEMP", "TEMPORARY", "VOLATILE", "EXTERNAL", "VIRTUAL", "FOREIGN"})
_INDEX_PREFIX = ("UNIQUE", "CLUSTERED", "NONCLUSTERED", "FULLTEXT", "SPATIAL", "BITMAP")


def read_ddl(text: str, base_line: int = 1) -> SchemaFacts:
    """Tables, indexes and table changes declared in SQL ``text``."""
    facts = empty_facts()
    for stmt in statements(tokenize(text, base_line)):
        _read_statement(stmt, facts)
    return facts


def _read_statement(stmt: list[Token], facts: SchemaFacts) -> None:
    if not stmt:
        return
    if stmt[0].is_word("ALTER"):
        if len(stmt) > 1 and stmt[1].is_word("TABLE"):
            _read_alter(stmt, facts)
    elif stmt[0].is_word("CREATE"):
        _read_create(stmt, facts)


def _create_prefix(stmt: list[Token]) -> tuple[int, bool]:
    """The index after ``CREATE [OR REPLACE] [TEMP] ...`` and whether the object is a
    temporary, external or foreign table (not part of the schema)."""
    i = 1
    skip = False
    while i < len(stmt) and stmt[i].kind == "word":
        word = stmt[i].upper
        if word in _TABLE_SKIP:
            skip = True
        elif word not in _TABLE_PREFIX:
            break
        i += 1
    return i, skip


def _read_create(stmt: list[Token], facts: SchemaFacts) -> None:
    """``CREATE TABLE`` or ``CREATE [UNIQUE] INDEX``."""
    i, skip = _create_prefix(stmt)
    if i >= len(stmt):
        return
    if stmt[i].is_word("TABLE"):
        table = None if skip else _read_create_table(stmt, i + 1)
        if table is not None:
            facts["tables"].append(table)
        return
    j = skip_words(stmt, i, *_INDEX_PREFIX)
    if j < len(stmt) and stmt[j].is_word("INDEX"):
        unique = any(t.is_word("UNIQUE") for t in stmt[i:j])
        change = _read_create_index(stmt, j + 1, unique)
        if change is not None:
            facts["changes"].append(change)


def _read_create_table(stmt: list[Token], i: int) -> TableFacts | None:
    name, i = qualified_name(stmt, skip_if_not_exists(stmt, i))
    if not name or i >= len(stmt) or stmt[i].text != "(":
        return None  # CREATE TABLE ... AS / LIKE / PARTITION OF / CLONE: nothing declared here
    end = group_end(stmt, i)
    rest = stmt[end + 1 :]
    if rest and rest[0].is_word("AS"):
        return None  # CREATE TABLE t (a, b) AS SELECT ...
    display = ".".join(unquote(part) for part in name.split("."))
    table = new_table(display, table_key(name), stmt[0].line, "sql")
    for element in split_top(stmt[i + 1 : end]):
        read_element(element, table)
    return table


def _index_table(stmt: list[Token], i: int) -> tuple[str, int]:
    """The table of ``CREATE INDEX [CONCURRENTLY] [IF NOT EXISTS] [name] ON [ONLY] t``
    read from ``i`` (after ``INDEX``), and the index after it ('' when there is none)."""
    i = skip_if_not_exists(stmt, skip_words(stmt, i, "CONCURRENTLY"))
    if i < len(stmt) and not stmt[i].is_word("ON"):
        _, i = qualified_name(stmt, i)
    if i >= len(stmt) or not stmt[i].is_word("ON"):
        return "", i
    return qualified_name(stmt, skip_words(stmt, i + 1, "ONLY"))


def _read_create_index(stmt: list[Token], i: int, unique: bool) -> ChangeFacts | None:
    name, i = _index_table(stmt, i)
    if not name:
        return None
    if i < len(stmt) and stmt[i].is_word("USING"):
        i += 2
    cols, _ = column_list(stmt, i)
    if not cols:
        return None
    kind: ChangeKind = "unique" if unique else "index"
    return new_change(table_key(name), kind, stmt[0].line, cols)


def _read_alter(stmt: list[Token], facts: SchemaFacts) -> None:
    i = skip_words(stmt, 2, "IF", "EXISTS", "ONLY")
    name, i = qualified_name(stmt, i)
    if not name:
        return
    key = table_key(name)
    for action in split_top(stmt[i:]):
        _read_alter_action(action, key, facts)


def _read_alter_action(action: list[Token], key: str, facts: SchemaFacts) -> None:
    if action[0].is_word("ADD"):
        _read_alter_add(action, key, facts)
    elif action[0].is_word("ALTER", "MODIFY"):
        _read_alter_column(action, key, facts)


def _read_alter_add(action: list[Token], key: str, facts: SchemaFacts) -> None:
    """``ADD [COLUMN] [IF NOT EXISTS] column ...`` or ``ADD [CONSTRAINT name] constraint``."""
    line = action[0].line
    k = skip_words(action, 1, "COLUMN")
    if k + 2 < len(action) and action[k].is_word("IF") and action[k + 1].is_word("NOT"):
        k += 3
    if k >= len(action):
        return
    start = k
    if action[k].is_word("CONSTRAINT"):
        _, start = qualified_name(action, k + 1)
        if start >= len(action):
            return
    probe = new_table("", key, line, "sql")
    if read_table_constraint(action, start, probe):
        facts["changes"].extend(_probe_changes(probe, key, line))
    elif action[k].is_name:
        column = read_column(action[k:])
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
    k = skip_words(action, 1, "COLUMN")
    if k >= len(action) or not action[k].is_name:
        return
    col = unquote(action[k].text)
    words = [t.upper for t in action[k + 1 :] if t.kind == "word"]
    if words[:3] == ["SET", "NOT", "NULL"] or (
        action[0].is_word("MODIFY") and "NOT" in words and "NULL" in words
    ):
        facts["changes"].append(new_change(key, "not_null", action[0].line, [col]))
