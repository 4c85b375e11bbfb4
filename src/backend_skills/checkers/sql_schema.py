"""Schema design facts: tables, keys, constraints and indexes, read from SQL and Python.

Three readers produce the same JSON-serialisable facts (:class:`SchemaFacts`):

- :func:`read_ddl` reads ``CREATE TABLE``, ``CREATE INDEX`` and ``ALTER TABLE``
  statements from SQL text with a small dialect-tolerant tokenizer (comments, strings,
  dollar quoting, quoted identifiers and Jinja tags are understood). The ``sqlfluff``
  checker hands it the statements located in sqlfluff's parse tree, and the whole file
  when sqlfluff could not parse it (too large, unparsable, templating failed).
- :func:`read_python_schema` reads SQLAlchemy declarative models and ``Table(...)``,
  SQLModel tables, Alembic ``op.create_table`` / ``op.create_index`` /
  ``op.create_foreign_key`` ... inside ``upgrade()``, Django models and Django
  migration ``CreateModel`` / ``AddField`` / ``AddIndex`` / ``AddConstraint``.
- :func:`evaluate_schema` merges the facts of every file (a table defined in a model
  and in a migration is one table), applies the changes (``ALTER TABLE``, separate
  indexes) and returns the metrics and one finding per shortfall at the table's line.

Nothing here imports or runs the scored code.
"""

from __future__ import annotations

import ast
import bisect
import re
from collections import Counter
from collections.abc import Container, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NotRequired, TypedDict

from backend_skills.core.models import Confidence, Finding, Metric, Role, Severity

SKILL = "database"
CHECKER = "sqlfluff"

# --------------------------------------------------------------------------- facts (JSON)


class ColumnFacts(TypedDict):
    """One column as declared."""

    name: str
    line: int
    not_null: bool
    pk: bool
    unique: bool
    check: bool
    ref: str | None
    """Key of the referenced table when the column declares a foreign key."""
    indexed: bool
    """The column has an index of its own (``index=True``, Django FK, ...)."""


class ForeignKeyFacts(TypedDict):
    """A foreign key: local columns and the referenced table's key."""

    cols: list[str]
    ref: str


class TableFacts(TypedDict):
    """One table definition."""

    name: str
    key: str
    """Lower-case unqualified name, used to merge definitions and match references."""
    line: int
    origin: str
    """sql, sqlalchemy, sqlmodel, alembic or django."""
    columns: list[ColumnFacts]
    pk: list[str]
    fks: list[ForeignKeyFacts]
    uniques: list[list[str]]
    checks: int
    indexes: list[list[str]]
    implicit_pk: bool
    """The framework adds a primary key itself (Django's ``id``)."""
    path: NotRequired[str]
    role: NotRequired[str]


ChangeKind = Literal["pk", "fk", "unique", "check", "index", "column", "not_null"]


class ChangeFacts(TypedDict):
    """A change applied to a table defined elsewhere (ALTER TABLE, CREATE INDEX, ...)."""

    table: str
    kind: ChangeKind
    cols: list[str]
    ref: str | None
    column: ColumnFacts | None
    line: int


class SchemaFacts(TypedDict):
    """Everything one file declares about the schema."""

    tables: list[TableFacts]
    changes: list[ChangeFacts]


def empty_facts() -> SchemaFacts:
    """Facts of a file that declares nothing."""
    return {"tables": [], "changes": []}


def _column(
    name: str,
    line: int,
    *,
    not_null: bool = False,
    pk: bool = False,
    unique: bool = False,
    check: bool = False,
    ref: str | None = None,
    indexed: bool = False,
) -> ColumnFacts:
    return {
        "name": name,
        "line": line,
        "not_null": not_null or pk,
        "pk": pk,
        "unique": unique,
        "check": check,
        "ref": ref,
        "indexed": indexed,
    }


def _table(name: str, key: str, line: int, origin: str) -> TableFacts:
    return {
        "name": name,
        "key": key,
        "line": line,
        "origin": origin,
        "columns": [],
        "pk": [],
        "fks": [],
        "uniques": [],
        "checks": 0,
        "indexes": [],
        "implicit_pk": False,
    }


def _change(
    table: str,
    kind: ChangeKind,
    line: int,
    cols: Sequence[str] = (),
    ref: str | None = None,
    column: ColumnFacts | None = None,
) -> ChangeFacts:
    return {
        "table": table,
        "kind": kind,
        "cols": list(cols),
        "ref": ref,
        "column": column,
        "line": line,
    }


def table_key(name: str) -> str:
    """The merge key of a (possibly qualified, possibly quoted) table name."""
    last = name.strip().split(".")[-1]
    return _unquote(last).lower()


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] + text[-1] in ('""', "``", "[]"):
        return text[1:-1]
    return text


# --------------------------------------------------------------------------- SQL tokenizer

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
            names.append(_unquote(first.text))
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
    display = ".".join(_unquote(part) for part in name.split("."))
    table = _table(display, table_key(name), stmt[0].line, "sql")
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
    if tok.is_word("PRIMARY") and nxt is not None and nxt.is_word("KEY"):
        j = _skip_words(element, k + 2, "CLUSTERED", "NONCLUSTERED", "ASC", "DESC")
        cols, _ = _column_list(element, j)
        table["pk"] = [c for c in cols if c]
        return True
    if tok.is_word("FOREIGN") and nxt is not None and nxt.is_word("KEY"):
        j = k + 2
        if j < len(element) and element[j].is_name:
            j += 1  # MySQL: FOREIGN KEY name (cols)
        cols, j = _column_list(element, j)
        ref = _references(element, j)
        if ref is not None and cols:
            table["fks"].append({"cols": [c for c in cols if c], "ref": ref})
        return True
    if tok.is_word("UNIQUE"):
        j = _skip_words(element, k + 1, "KEY", "INDEX", "NULLS", "NOT", "DISTINCT")
        if j < len(element) and element[j].is_name:
            j += 1  # UNIQUE KEY name (cols)
        cols, _ = _column_list(element, j)
        if cols:
            table["uniques"].append([c for c in cols if c])
        return True
    if tok.is_word("CHECK"):
        table["checks"] += 1
        return True
    if tok.is_word("KEY", "INDEX", "FULLTEXT", "SPATIAL") and _index_shape(element, k):
        j = _skip_words(element, k + 1, "KEY", "INDEX")
        if j < len(element) and element[j].is_name and element[j].text != "(":
            j += 1
        j = _skip_words(element, j, "USING", "BTREE", "HASH")
        cols, _ = _column_list(element, j)
        if cols:
            table["indexes"].append(cols)
        return True
    return False


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
    column = _column(_unquote(element[0].text), element[0].line)
    depth = 0
    for n, tok in enumerate(element[1:], start=1):
        if tok.text == "(":
            depth += 1
            continue
        if tok.text == ")":
            depth -= 1
            continue
        if depth or tok.kind != "word":
            continue
        word = tok.upper
        nxt = element[n + 1] if n + 1 < len(element) else None
        if word == "NOT" and nxt is not None and nxt.is_word("NULL"):
            column["not_null"] = True
        elif word == "PRIMARY" and nxt is not None and nxt.is_word("KEY"):
            column["pk"] = True
            column["not_null"] = True
        elif word == "UNIQUE":
            column["unique"] = True
        elif word == "CHECK":
            column["check"] = True
        elif word == "REFERENCES":
            name, _ = _qualified_name(element, n + 1)
            if name:
                column["ref"] = table_key(name)
        elif n == 1 and word in _SERIAL_TYPES:
            column["not_null"] = True
    return column


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
        facts["changes"].append(_change(table_key(name), kind, stmt[0].line, cols))


def _read_alter(stmt: list[Token], facts: SchemaFacts) -> None:
    i = _skip_words(stmt, 2, "IF", "EXISTS", "ONLY")
    name, i = _qualified_name(stmt, i)
    if not name:
        return
    key = table_key(name)
    for action in _split_top(stmt[i:]):
        _read_alter_action(action, key, facts)


def _read_alter_action(action: list[Token], key: str, facts: SchemaFacts) -> None:
    line = action[0].line
    if action[0].is_word("ADD"):
        k = _skip_words(action, 1, "COLUMN")
        if k + 2 < len(action) and action[k].is_word("IF") and action[k + 1].is_word("NOT"):
            k += 3
        if k >= len(action):
            return
        probe = _table("", key, line, "sql")
        start = k
        if action[k].is_word("CONSTRAINT"):
            _, start = _qualified_name(action, k + 1)
            if start >= len(action):
                return
        if _read_table_constraint(action, start, probe):
            if probe["pk"]:
                facts["changes"].append(_change(key, "pk", line, probe["pk"]))
            for fk in probe["fks"]:
                facts["changes"].append(_change(key, "fk", line, fk["cols"], fk["ref"]))
            for cols in probe["uniques"]:
                facts["changes"].append(_change(key, "unique", line, cols))
            for cols in probe["indexes"]:
                facts["changes"].append(_change(key, "index", line, cols))
            if probe["checks"]:
                facts["changes"].append(_change(key, "check", line))
            return
        if action[k].is_name:
            column = _read_column(action[k:])
            facts["changes"].append(_change(key, "column", line, [column["name"]], column=column))
        return
    if action[0].is_word("ALTER", "MODIFY"):
        k = _skip_words(action, 1, "COLUMN")
        if k < len(action) and action[k].is_name:
            col = _unquote(action[k].text)
            words = [t.upper for t in action[k + 1 :] if t.kind == "word"]
            if words[:3] == ["SET", "NOT", "NULL"] or (
                action[0].is_word("MODIFY") and "NOT" in words and "NULL" in words
            ):
                facts["changes"].append(_change(key, "not_null", line, [col]))


# --------------------------------------------------------------------------- Python readers

#: Cheap substrings that must appear before a Python file is parsed for schema facts.
PYTHON_SCHEMA_MARKERS = (
    "__tablename__",
    "mapped_column",
    "Column(",
    "create_table",
    "create_index",
    "create_foreign_key",
    "models.Model",
    "CreateModel",
    "Table(",
    "table=True",
)


def has_python_schema_markers(text: str) -> bool:
    """Whether ``text`` may declare tables (decides which Python files are parsed)."""
    return any(marker in text for marker in PYTHON_SCHEMA_MARKERS)


def _call_name(node: ast.expr) -> str:
    """``Column`` for ``Column(...)``, ``sa.Column(...)`` and ``db.Column(...)``."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def _str(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Call) and _call_name(node) == "f" and node.args:
        return _str(node.args[0])  # op.f("ix_name")
    return None


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def _kw_bool(call: ast.Call, name: str) -> bool | None:
    value = _kw(call, name)
    if isinstance(value, ast.Constant) and isinstance(value.value, bool):
        return value.value
    return None


def _str_list(node: ast.expr | None) -> list[str]:
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [s for s in (_str(e) for e in node.elts) if s is not None]
    single = _str(node)
    return [single] if single is not None else []


def _ref_key(target: str) -> str:
    """``users.id`` -> ``users``; ``schema.users.id`` -> ``users``."""
    parts = target.split(".")
    return (parts[-2] if len(parts) >= 2 else parts[0]).lower()


_SA_COLUMN_CALLS = frozenset({"Column", "mapped_column"})
_SA_CONSTRAINTS = frozenset(
    {
        "PrimaryKeyConstraint",
        "ForeignKeyConstraint",
        "UniqueConstraint",
        "CheckConstraint",
        "Index",
    }
)


def _optional_annotation(annotation: ast.expr | None) -> bool | None:
    """For ``Mapped[...]``: True when the inner type is optional, None when not Mapped."""
    if not isinstance(annotation, ast.Subscript) or _call_name(annotation.value) != "Mapped":
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            text = annotation.value.replace(" ", "")
            if text.startswith("Mapped["):
                return "Optional[" in text or "|None" in text or "None|" in text
        return None
    inner = annotation.slice
    text = ast.unparse(inner).replace(" ", "")
    return "Optional[" in text or "|None" in text or "None|" in text


def _sa_column(
    call: ast.Call, attr_name: str | None, line: int, optional: bool | None
) -> ColumnFacts:
    first = _str(call.args[0]) if call.args else None
    name = first or attr_name or ""
    ref: str | None = None
    for arg in call.args:
        if isinstance(arg, ast.Call) and _call_name(arg) == "ForeignKey" and arg.args:
            target = _str(arg.args[0])
            if target is not None:
                ref = _ref_key(target)
            elif isinstance(arg.args[0], ast.Attribute):
                ref = _ref_key(_dotted(arg.args[0]))
    pk = bool(_kw_bool(call, "primary_key"))
    nullable = _kw_bool(call, "nullable")
    if nullable is None:
        if _call_name(call) == "mapped_column" and optional is not None:
            nullable = optional
        else:
            nullable = not pk
    return _column(
        name,
        line,
        not_null=not nullable,
        pk=pk,
        unique=bool(_kw_bool(call, "unique")),
        ref=ref,
        indexed=bool(_kw_bool(call, "index")),
    )


def _sqlmodel_field(call: ast.Call, name: str, line: int, optional: bool) -> ColumnFacts:
    target = _str(_kw(call, "foreign_key"))
    pk = bool(_kw_bool(call, "primary_key"))
    nullable = _kw_bool(call, "nullable")
    return _column(
        name,
        line,
        not_null=(not nullable) if nullable is not None else (not optional or pk),
        pk=pk,
        unique=bool(_kw_bool(call, "unique")),
        ref=_ref_key(target) if target else None,
        indexed=bool(_kw_bool(call, "index")),
    )


def _sa_constraint(call: ast.Call, table: TableFacts) -> None:
    """Apply a ``PrimaryKeyConstraint``/``ForeignKeyConstraint``/... to ``table``."""
    kind = _call_name(call)
    if kind == "PrimaryKeyConstraint":
        table["pk"] = [s for s in (_str(a) for a in call.args) if s]
    elif kind == "ForeignKeyConstraint" and len(call.args) >= 2:
        cols = _str_list(call.args[0])
        targets = _str_list(call.args[1])
        if cols and targets:
            table["fks"].append({"cols": cols, "ref": _ref_key(targets[0])})
    elif kind == "UniqueConstraint":
        cols = [s for s in (_str(a) for a in call.args) if s]
        if cols:
            table["uniques"].append(cols)
    elif kind == "CheckConstraint":
        table["checks"] += 1
    elif kind == "Index":
        cols = [s for s in (_str(a) for a in call.args[1:]) if s]
        if cols:
            if _kw_bool(call, "unique"):
                table["uniques"].append(cols)
            else:
                table["indexes"].append(cols)


def _finish_sa_table(table: TableFacts) -> None:
    for col in table["columns"]:
        if col["pk"] and col["name"] not in table["pk"]:
            table["pk"].append(col["name"])


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


class _PythonSchemaReader:
    """Collects tables from one parsed Python module."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.facts = empty_facts()
        self.django_models: set[str] = set()

    def read(self) -> SchemaFacts:
        is_django_migration = False
        for node in self.tree.body:
            if isinstance(node, ast.ClassDef) and node.name == "Migration":
                is_django_migration = any(_call_name(b) == "Migration" for b in node.bases)
        for cls in ast.walk(self.tree):
            if isinstance(cls, ast.ClassDef):
                self._class(cls)
        for node in self.tree.body:
            self._module_statement(node)
        if is_django_migration:
            self._django_migration()
        return self.facts

    # -- module level: Table(...), Alembic upgrade() ---------------------------------

    def _module_statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Call):
            if _call_name(node.value) == "Table":
                self._sa_table_call(node.value)
        elif isinstance(node, ast.FunctionDef) and node.name.startswith("upgrade"):
            self._alembic(node)

    def _sa_table_call(self, call: ast.Call) -> None:
        name = _str(call.args[0]) if call.args else None
        if not name:
            return
        table = _table(name, table_key(name), call.lineno, "sqlalchemy")
        for arg in call.args[2:]:
            if isinstance(arg, ast.Call) and _call_name(arg) == "Column":
                table["columns"].append(_sa_column(arg, None, arg.lineno, None))
            elif isinstance(arg, ast.Call) and _call_name(arg) in _SA_CONSTRAINTS:
                _sa_constraint(arg, table)
        _finish_sa_table(table)
        self.facts["tables"].append(table)

    # -- classes: SQLAlchemy / SQLModel / Django -------------------------------------

    def _class(self, node: ast.ClassDef) -> None:
        tablename: str | None = None
        abstract = False
        for stmt in node.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0]
                if isinstance(target, ast.Name) and target.id == "__tablename__":
                    tablename = _str(stmt.value)
                if isinstance(target, ast.Name) and target.id == "__abstract__":
                    abstract = isinstance(stmt.value, ast.Constant) and stmt.value.value is True
        if abstract:
            return
        bases = {_dotted(b) for b in node.bases}
        if any(b.endswith("models.Model") or b in self.django_models for b in bases) or (
            "Model" in bases and self._has_django_fields(node)
        ):
            self._django_model(node)
            return
        sqlmodel = any(
            kw.arg == "table" and isinstance(kw.value, ast.Constant) and kw.value.value is True
            for kw in node.keywords
        )
        if sqlmodel:
            self._sqlmodel(node, tablename)
            return
        columns = self._sa_columns(node)
        if tablename is None and not (columns and any(b.endswith("Model") for b in bases)):
            return
        if not columns and tablename is None:
            return
        name = tablename or _snake(node.name)
        table = _table(name, table_key(name), node.lineno, "sqlalchemy")
        table["columns"] = columns
        for stmt in node.body:
            if (
                isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and stmt.targets[0].id == "__table_args__"
                and isinstance(stmt.value, ast.Tuple | ast.List)
            ):
                for elt in stmt.value.elts:
                    if isinstance(elt, ast.Call) and _call_name(elt) in _SA_CONSTRAINTS:
                        _sa_constraint(elt, table)
        _finish_sa_table(table)
        self.facts["tables"].append(table)

    @staticmethod
    def _sa_columns(node: ast.ClassDef) -> list[ColumnFacts]:
        columns: list[ColumnFacts] = []
        for stmt in node.body:
            value: ast.expr | None
            annotation: ast.expr | None
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0]
                value = stmt.value
                annotation = None
            elif isinstance(stmt, ast.AnnAssign):
                target, value, annotation = stmt.target, stmt.value, stmt.annotation
            else:
                continue
            if not isinstance(target, ast.Name) or target.id.startswith("__"):
                continue
            optional = _optional_annotation(annotation)
            if isinstance(value, ast.Call) and _call_name(value) in _SA_COLUMN_CALLS:
                columns.append(_sa_column(value, target.id, stmt.lineno, optional))
            elif value is None and optional is not None:
                columns.append(_column(target.id, stmt.lineno, not_null=not optional))
        return columns

    def _sqlmodel(self, node: ast.ClassDef, tablename: str | None) -> None:
        name = tablename or node.name.lower()
        table = _table(name, table_key(name), node.lineno, "sqlmodel")
        for stmt in node.body:
            if not isinstance(stmt, ast.AnnAssign) or not isinstance(stmt.target, ast.Name):
                continue
            text = ast.unparse(stmt.annotation).replace(" ", "")
            optional = "Optional[" in text or "|None" in text or "None|" in text
            if isinstance(stmt.value, ast.Call) and _call_name(stmt.value) == "Field":
                col = _sqlmodel_field(stmt.value, stmt.target.id, stmt.lineno, optional)
            elif isinstance(stmt.value, ast.Call) and _call_name(stmt.value) == "Relationship":
                continue
            else:
                col = _column(stmt.target.id, stmt.lineno, not_null=not optional)
            table["columns"].append(col)
        _finish_sa_table(table)
        self.facts["tables"].append(table)

    @staticmethod
    def _has_django_fields(node: ast.ClassDef) -> bool:
        return any(
            isinstance(stmt, ast.Assign)
            and isinstance(stmt.value, ast.Call)
            and _dotted(stmt.value.func).startswith("models.")
            for stmt in node.body
        )

    def _django_model(self, node: ast.ClassDef) -> None:
        meta = next(
            (s for s in node.body if isinstance(s, ast.ClassDef) and s.name == "Meta"), None
        )
        options: dict[str, ast.expr] = {}
        if meta is not None:
            for stmt in meta.body:
                if (
                    isinstance(stmt, ast.Assign)
                    and len(stmt.targets) == 1
                    and isinstance(stmt.targets[0], ast.Name)
                ):
                    options[stmt.targets[0].id] = stmt.value
        if any(
            isinstance(options.get(flag), ast.Constant)
            and getattr(options.get(flag), "value", None) is True
            for flag in ("abstract", "proxy")
        ):
            if not _truthy(options.get("proxy")):
                self.django_models.add(node.name)  # abstract bases pass fields down
            return
        self.django_models.add(node.name)
        fields: list[tuple[str, ast.Call, int]] = []
        for stmt in node.body:
            if (
                isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and isinstance(stmt.value, ast.Call)
            ):
                fields.append((stmt.targets[0].id, stmt.value, stmt.lineno))
        db_table = _str(options.get("db_table"))
        self._django_table(node.name, db_table, fields, node.lineno, options)

    def _django_table(
        self,
        model: str,
        db_table: str | None,
        fields: Sequence[tuple[str, ast.Call, int]],
        line: int,
        options: Mapping[str, ast.expr],
    ) -> None:
        table = _table(db_table or model, model.lower(), line, "django")
        table["implicit_pk"] = True
        for name, call, field_line in fields:
            column = _django_field(name, call, field_line, model)
            if column is None:
                continue
            table["columns"].append(column)
            if column["pk"]:
                table["pk"] = [column["name"]]
            if column["ref"] is not None:
                table["fks"].append({"cols": [column["name"]], "ref": column["ref"]})
        _django_options(table, options)
        self.facts["tables"].append(table)

    def _django_migration(self) -> None:
        for node in ast.walk(self.tree):
            if not isinstance(node, ast.Call):
                continue
            kind = _call_name(node)
            if kind == "CreateModel":
                self._django_create_model(node)
            elif kind == "AddField":
                model = _str(_kw(node, "model_name") or (node.args[0] if node.args else None))
                name = _str(_kw(node, "name") or (node.args[1] if len(node.args) > 1 else None))
                field_call = _kw(node, "field") or (node.args[2] if len(node.args) > 2 else None)
                if model and name and isinstance(field_call, ast.Call):
                    column = _django_field(name, field_call, node.lineno, model)
                    if column is not None:
                        self.facts["changes"].append(
                            _change(
                                model.lower(),
                                "column",
                                node.lineno,
                                [column["name"]],
                                column=column,
                            )
                        )
            elif kind in ("AddIndex", "AddConstraint"):
                model = _str(_kw(node, "model_name") or (node.args[0] if node.args else None))
                item = _kw(node, "index") or _kw(node, "constraint")
                if model and isinstance(item, ast.Call):
                    probe = _table("", model.lower(), node.lineno, "django")
                    _django_meta_item(item, probe)
                    for cols in probe["uniques"]:
                        self.facts["changes"].append(
                            _change(model.lower(), "unique", node.lineno, cols)
                        )
                    for cols in probe["indexes"]:
                        self.facts["changes"].append(
                            _change(model.lower(), "index", node.lineno, cols)
                        )
                    if probe["checks"]:
                        self.facts["changes"].append(_change(model.lower(), "check", node.lineno))

    def _django_create_model(self, call: ast.Call) -> None:
        model = _str(_kw(call, "name") or (call.args[0] if call.args else None))
        fields_node = _kw(call, "fields") or (call.args[1] if len(call.args) > 1 else None)
        if not model or not isinstance(fields_node, ast.List | ast.Tuple):
            return
        fields: list[tuple[str, ast.Call, int]] = []
        for elt in fields_node.elts:
            if (
                isinstance(elt, ast.Tuple)
                and len(elt.elts) == 2
                and isinstance(elt.elts[1], ast.Call)
            ):
                name = _str(elt.elts[0])
                if name:
                    fields.append((name, elt.elts[1], elt.lineno))
        options: dict[str, ast.expr] = {}
        opts = _kw(call, "options")
        if isinstance(opts, ast.Dict):
            for key, value in zip(opts.keys, opts.values, strict=True):
                text = _str(key) if key is not None else None
                if text:
                    options[text] = value
        if _truthy(options.get("abstract")) or _truthy(options.get("proxy")):
            return
        self._django_table(model, _str(options.get("db_table")), fields, call.lineno, options)

    # -- Alembic ---------------------------------------------------------------------

    def _alembic(self, func: ast.FunctionDef) -> None:
        batch_tables: dict[str, str] = {}
        for node in ast.walk(func):
            if isinstance(node, ast.With):
                for item in node.items:
                    call = item.context_expr
                    if (
                        isinstance(call, ast.Call)
                        and _call_name(call) == "batch_alter_table"
                        and isinstance(item.optional_vars, ast.Name)
                    ):
                        name = _str(call.args[0]) if call.args else None
                        if name:
                            batch_tables[item.optional_vars.id] = table_key(name)
        for node in ast.walk(func):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                owner_name = owner.id if isinstance(owner, ast.Name) else ""
                if owner_name in batch_tables:
                    self._alembic_op(node, batch_tables[owner_name])
                elif owner_name == "op":
                    self._alembic_op(node, None)

    def _alembic_op(self, call: ast.Call, batch_table: str | None) -> None:
        kind = _call_name(call)
        args = list(call.args)
        line = call.lineno
        if kind == "create_table" and batch_table is None:
            name = _str(args[0]) if args else None
            if not name:
                return
            table = _table(name, table_key(name), line, "alembic")
            for arg in args[1:]:
                if isinstance(arg, ast.Call) and _call_name(arg) == "Column":
                    table["columns"].append(_sa_column(arg, None, arg.lineno, None))
                elif isinstance(arg, ast.Call) and _call_name(arg) in _SA_CONSTRAINTS:
                    _sa_constraint(arg, table)
            _finish_sa_table(table)
            self.facts["tables"].append(table)
            return
        # Operations on an existing table: Alembic passes (name, table, ...) to op.* and
        # (name, ...) to batch_op.*; the table argument is dropped in batch mode.
        if batch_table is not None:
            table_arg: str | None = batch_table
            rest = args if kind in ("add_column", "alter_column") else args[1:]
        else:
            table_arg = _str(_kw(call, "table_name") or (args[1] if len(args) > 1 else None))
            rest = args[2:]
            if kind == "add_column" or kind == "alter_column":
                table_arg = _str(args[0]) if args else None
                rest = args[1:]
            table_arg = table_key(table_arg) if table_arg else None
        if table_arg is None:
            return
        if kind == "create_index":
            cols = _str_list(_kw(call, "columns") or (rest[0] if rest else None))
            unique = bool(_kw_bool(call, "unique"))
            if cols:
                self.facts["changes"].append(
                    _change(table_arg, "unique" if unique else "index", line, cols)
                )
        elif kind == "create_foreign_key":
            if batch_table is not None:
                ref = _str(rest[0]) if rest else None
                cols = _str_list(rest[1] if len(rest) > 1 else None)
            else:
                ref = _str(args[2]) if len(args) > 2 else None
                cols = _str_list(args[3] if len(args) > 3 else None)
            if ref and cols:
                self.facts["changes"].append(_change(table_arg, "fk", line, cols, table_key(ref)))
        elif kind == "create_unique_constraint":
            cols = _str_list(rest[0] if rest else _kw(call, "columns"))
            if cols:
                self.facts["changes"].append(_change(table_arg, "unique", line, cols))
        elif kind == "create_check_constraint":
            self.facts["changes"].append(_change(table_arg, "check", line))
        elif kind == "create_primary_key":
            cols = _str_list(rest[0] if rest else _kw(call, "columns"))
            if cols:
                self.facts["changes"].append(_change(table_arg, "pk", line, cols))
        elif kind == "add_column":
            col_call = rest[0] if rest else None
            if isinstance(col_call, ast.Call) and _call_name(col_call) == "Column":
                column = _sa_column(col_call, None, line, None)
                self.facts["changes"].append(
                    _change(table_arg, "column", line, [column["name"]], column=column)
                )
        elif kind == "alter_column":
            col = _str(rest[0]) if rest else None
            if col and _kw_bool(call, "nullable") is False:
                self.facts["changes"].append(_change(table_arg, "not_null", line, [col]))


def _truthy(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


_DJANGO_FK = frozenset({"ForeignKey", "OneToOneField"})


def _django_target(node: ast.expr | None, model: str) -> str | None:
    if node is None:
        return None
    text = _str(node)
    if text is not None:
        if text == "self":
            return model.lower()
        return text.split(".")[-1].lower()
    dotted = _dotted(node)
    if dotted.endswith("AUTH_USER_MODEL"):
        return "user"
    return dotted.split(".")[-1].lower() if dotted else None


def _django_field(name: str, call: ast.Call, line: int, model: str) -> ColumnFacts | None:
    kind = _call_name(call)
    if kind == "ManyToManyField" or not (kind.endswith("Field") or kind in _DJANGO_FK):
        return None
    pk = _truthy(_kw(call, "primary_key"))
    null = _truthy(_kw(call, "null"))
    column_name = _str(_kw(call, "db_column")) or name
    ref: str | None = None
    indexed = _truthy(_kw(call, "db_index"))
    unique = _truthy(_kw(call, "unique")) or kind == "OneToOneField"
    if kind in _DJANGO_FK:
        ref = _django_target(_kw(call, "to") or (call.args[0] if call.args else None), model)
        if not _str(_kw(call, "db_column")):
            column_name = f"{name}_id"
        index_flag = _kw_bool(call, "db_index")
        indexed = index_flag is not False  # Django indexes foreign keys unless told not to
    return _column(
        column_name,
        line,
        not_null=not null,
        pk=pk,
        unique=unique,
        ref=ref,
        indexed=indexed,
        check="Positive" in kind,
    )


def _django_options(table: TableFacts, options: Mapping[str, ast.expr]) -> None:
    together = options.get("unique_together")
    if isinstance(together, ast.List | ast.Tuple | ast.Set):
        groups = together.elts
        if groups and all(isinstance(g, ast.Constant) for g in groups):
            groups = [together]
        for group in groups:
            cols = _str_list(group)
            if cols:
                table["uniques"].append(cols)
    for key in ("constraints", "indexes"):
        items = options.get(key)
        if isinstance(items, ast.List | ast.Tuple):
            for item in items.elts:
                if isinstance(item, ast.Call):
                    _django_meta_item(item, table)
    index_together = options.get("index_together")
    if isinstance(index_together, ast.List | ast.Tuple):
        for group in index_together.elts:
            cols = _str_list(group)
            if cols:
                table["indexes"].append(cols)


def _django_meta_item(item: ast.Call, table: TableFacts) -> None:
    kind = _call_name(item)
    cols = _str_list(_kw(item, "fields"))
    if kind == "UniqueConstraint" and cols:
        table["uniques"].append(cols)
    elif kind == "CheckConstraint":
        table["checks"] += 1
    elif kind == "Index" and cols:
        table["indexes"].append([c.lstrip("-") for c in cols])


def read_python_schema(tree: ast.Module) -> SchemaFacts:
    """Tables declared by SQLAlchemy, SQLModel, Alembic or Django code in ``tree``."""
    return _PythonSchemaReader(tree).read()


# --------------------------------------------------------------------------- evaluation

#: Metric names produced by :func:`evaluate_schema`.
SCHEMA_METRICS = (
    "schema.tables",
    "schema.pk_share",
    "schema.fk_declared_share",
    "schema.fk_index_share",
    "schema.constraint_share",
    "schema.naming_consistency",
)

#: Roles whose files count as the schema (tests and docs declare throwaway tables).
SCHEMA_ROLES = frozenset({Role.SOURCE, Role.MIGRATION, Role.OTHER, Role.CONFIG})


@dataclass
class _Merged:
    """One table after merging every definition and change."""

    facts: TableFacts
    path: str
    columns: dict[str, ColumnFacts] = field(default_factory=dict)
    indexes: list[list[str]] = field(default_factory=list)


def _merge_into(target: _Merged, table: TableFacts) -> None:
    facts = target.facts
    for col in table["columns"]:
        _merge_column(target, col)
    if table["pk"] and not facts["pk"]:
        facts["pk"] = list(table["pk"])
    for fk in table["fks"]:
        if fk not in facts["fks"]:
            facts["fks"].append(fk)
    facts["uniques"].extend(u for u in table["uniques"] if u not in facts["uniques"])
    facts["checks"] += table["checks"]
    target.indexes.extend(table["indexes"])
    facts["implicit_pk"] = facts["implicit_pk"] or table["implicit_pk"]


def _merge_column(target: _Merged, col: ColumnFacts) -> None:
    key = col["name"].lower()
    known = target.columns.get(key)
    if known is None:
        target.columns[key] = dict(col)  # type: ignore[assignment]
        return
    for flag in ("not_null", "pk", "unique", "check", "indexed"):
        if col[flag]:
            known[flag] = True
    if col["ref"] and not known["ref"]:
        known["ref"] = col["ref"]


def _apply_change(target: _Merged, change: ChangeFacts) -> None:
    facts = target.facts
    kind = change["kind"]
    cols = change["cols"]
    if kind == "pk" and cols:
        facts["pk"] = list(cols)
    elif kind == "fk" and change["ref"]:
        fk: ForeignKeyFacts = {"cols": list(cols), "ref": change["ref"]}
        if fk not in facts["fks"]:
            facts["fks"].append(fk)
    elif kind == "unique":
        facts["uniques"].append(list(cols))
    elif kind == "index":
        target.indexes.append(list(cols))
    elif kind == "check":
        facts["checks"] += 1
    elif kind == "column" and change["column"] is not None:
        _merge_column(target, change["column"])
    elif kind == "not_null":
        for col in cols:
            known = target.columns.get(col.lower())
            if known is not None:
                known["not_null"] = True


_ROLE_RANK = {Role.SOURCE.value: 0, Role.OTHER.value: 1, Role.MIGRATION.value: 2}


def merge_schema(files: Mapping[str, tuple[str, SchemaFacts]]) -> dict[str, _Merged]:
    """Merge the facts of every file (path -> (role, facts)) into one table map."""
    tables: dict[str, _Merged] = {}
    ordered = sorted(files.items(), key=lambda kv: (_ROLE_RANK.get(kv[1][0], 3), kv[0]))
    for path, (_, facts) in ordered:
        for table in facts["tables"]:
            merged = tables.get(table["key"])
            if merged is None:
                base = dict(table)
                base.update(columns=[], pk=[], fks=[], uniques=[], checks=0, indexes=[], path=path)
                merged = _Merged(facts=base, path=path)  # type: ignore[arg-type]
                tables[table["key"]] = merged
            _merge_into(merged, table)
    for _path, (_, facts) in sorted(files.items()):
        for change in facts["changes"]:
            merged = tables.get(change["table"])
            if merged is not None:
                _apply_change(merged, change)
    for merged in tables.values():
        for col in merged.columns.values():
            if col["pk"] and col["name"] not in merged.facts["pk"]:
                merged.facts["pk"].append(col["name"])
            if col["ref"] and not any(fk["cols"] == [col["name"]] for fk in merged.facts["fks"]):
                merged.facts["fks"].append({"cols": [col["name"]], "ref": col["ref"]})
    return tables


_REF_COLUMN = re.compile(r"^(?P<stem>[A-Za-z][A-Za-z0-9_]*?)(?:_[iI][dD]|(?<=[a-z0-9])I[dD])$")


def _stem_matches(stem: str, keys: Container[str]) -> str | None:
    stem = stem.lower().rstrip("_")
    candidates = [stem, stem + "s", stem + "es"]
    if stem.endswith("y"):
        candidates.append(stem[:-1] + "ies")
    for candidate in candidates:
        if candidate in keys:
            return candidate
    return None


_STYLES = {
    "snake_case": re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$"),
    "camelCase": re.compile(r"^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+$"),
    "PascalCase": re.compile(r"^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+$|^[A-Z][a-z0-9]+$"),
    "UPPER_CASE": re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$"),
}
_NEUTRAL = re.compile(r"^[a-z][a-z0-9]*$")


def naming_style(name: str) -> str:
    """snake_case, camelCase, PascalCase, UPPER_CASE, lower (fits snake and camel) or mixed."""
    if _NEUTRAL.match(name):
        return "lower"
    for style, pattern in _STYLES.items():
        if pattern.match(name):
            return style
    return "mixed"


def _fits(style: str, dominant: str) -> bool:
    return style == dominant or (style == "lower" and dominant in ("snake_case", "camelCase"))


@dataclass
class SchemaReport:
    """Metrics, findings and notes from the merged schema."""

    metrics: list[Metric]
    findings: list[Finding]
    notes: list[str]


def _finding(
    rule: str, criterion: str, severity: Severity, message: str, table: _Merged
) -> Finding:
    return Finding(
        checker=CHECKER,
        rule=rule,
        skill=SKILL,
        criterion=criterion,
        severity=severity,
        confidence=Confidence.HIGH,
        message=message,
        path=table.path,
        line=table.facts["line"],
    )


def _candidate_key(table: _Merged) -> list[str]:
    """A unique key whose columns are all NOT NULL, if the table has one."""
    uniques = [
        *table.facts["uniques"],
        *([c["name"]] for c in table.columns.values() if c["unique"]),
    ]
    for cols in uniques:
        known = [table.columns.get(c.lower()) for c in cols]
        if cols and all(k is not None and k["not_null"] for k in known):
            return list(cols)
    return []


def _indexed(table: _Merged, cols: Sequence[str], engine_indexes_fks: bool) -> bool:
    if engine_indexes_fks:
        return True
    wanted = {c.lower() for c in cols}
    n = len(wanted)
    candidates: list[list[str]] = [table.facts["pk"], *table.facts["uniques"], *table.indexes]
    for col in table.columns.values():
        if col["indexed"] or col["unique"]:
            candidates.append([col["name"]])
    return any({c.lower() for c in cand[:n]} == wanted for cand in candidates if len(cand) >= n)


def evaluate_schema(
    files: Mapping[str, tuple[str, SchemaFacts]], engine_indexes_fks: bool = False
) -> SchemaReport:
    """Metrics and per-table findings from every file's schema facts.

    ``engine_indexes_fks`` is true for MySQL/MariaDB, whose InnoDB engine creates an
    index for every foreign key itself.
    """
    files = {p: v for p, v in files.items() if v[1]["tables"] or v[1]["changes"]}
    tables = merge_schema(files)
    if not tables:
        why = "no CREATE TABLE statement or ORM model/migration table definition found"
        return SchemaReport(
            metrics=[Metric(name=m, value=None, reason=why) for m in SCHEMA_METRICS[1:]]
            + [Metric(name="schema.tables", value=0.0, unit="tables")],
            findings=[],
            notes=[],
        )
    findings: list[Finding] = []
    keys = sorted(tables)
    with_pk = 0
    ref_total = ref_declared = 0
    fk_total = fk_indexed = 0
    constrained = 0
    idents: list[tuple[str, str, str]] = []  # (table key, identifier, style)
    for key in keys:
        table = tables[key]
        facts = table.facts
        if facts["pk"] or facts["implicit_pk"]:
            with_pk += 1
        else:
            candidate = _candidate_key(table)
            hint = (
                f" (its unique key ({', '.join(candidate)}) on NOT NULL columns could be "
                "declared as the primary key)"
                if candidate
                else ""
            )
            findings.append(
                _finding(
                    "BSDB101",
                    "database.primary_keys",
                    Severity.MEDIUM,
                    f"table {facts['name']} has no primary key{hint}",
                    table,
                )
            )
        fk_cols = {c.lower() for fk in facts["fks"] for c in fk["cols"]}
        pk_cols = {c.lower() for c in facts["pk"]}
        missing: list[str] = []
        for col in table.columns.values():
            lower = col["name"].lower()
            if lower in fk_cols:
                continue
            match = _REF_COLUMN.match(col["name"])
            if match is None or lower == "id" or (pk_cols == {lower}):
                continue
            target = _stem_matches(match.group("stem"), tables)
            if target is not None and target != key:  # <own table>_id is the row's own id
                missing.append(f"{col['name']} -> {tables[target].facts['name']}")
        ref_total += len(fk_cols) + len(missing)
        ref_declared += len(fk_cols)
        if missing:
            findings.append(
                _finding(
                    "BSDB102",
                    "database.foreign_keys",
                    Severity.LOW,
                    f"table {facts['name']}: column(s) look like references but declare no "
                    f"foreign key: {', '.join(missing)}",
                    table,
                )
            )
        unindexed: list[str] = []
        for fk in facts["fks"]:
            if not fk["cols"]:
                continue
            fk_total += 1
            if _indexed(table, fk["cols"], engine_indexes_fks):
                fk_indexed += 1
            else:
                unindexed.append(f"({', '.join(fk['cols'])}) -> {fk['ref']}")
        if unindexed:
            findings.append(
                _finding(
                    "BSDB103",
                    "database.fk_indexes",
                    Severity.LOW,
                    f"table {facts['name']}: foreign key(s) without an index on their "
                    f"columns: {'; '.join(unindexed)}",
                    table,
                )
            )
        non_key = [c for c in table.columns.values() if c["name"].lower() not in pk_cols]
        has_constraint = (
            not non_key
            or facts["checks"] > 0
            or bool(facts["uniques"])
            or any(c["not_null"] or c["unique"] or c["check"] for c in non_key)
        )
        if has_constraint:
            constrained += 1
        else:
            findings.append(
                _finding(
                    "BSDB104",
                    "database.constraints",
                    Severity.LOW,
                    f"table {facts['name']} declares no NOT NULL, UNIQUE or CHECK constraint "
                    "beyond its key",
                    table,
                )
            )
        bare = _unquote(facts["name"].split(".")[-1])
        if facts["origin"] != "django":
            idents.append((key, bare, naming_style(bare)))
        for col in table.columns.values():
            idents.append((key, col["name"], naming_style(col["name"])))
    styles = Counter(s for _, _, s in idents if s not in ("lower", "mixed"))
    dominant = styles.most_common(1)[0][0] if styles else "snake_case"
    consistent = sum(1 for _, _, s in idents if _fits(s, dominant))
    off: dict[str, list[str]] = {}
    for key, ident, style in idents:
        if not _fits(style, dominant):
            off.setdefault(key, []).append(ident)
    for key, names in sorted(off.items()):
        findings.append(
            _finding(
                "BSDB105",
                "database.naming",
                Severity.LOW,
                f"table {tables[key].facts['name']}: names not in the dominant {dominant} "
                f"style: {', '.join(names[:8])}",
                tables[key],
            )
        )
    n = len(keys)
    metrics = [
        Metric(name="schema.tables", value=float(n), unit="tables", files=len(files)),
        Metric(name="schema.pk_share", value=with_pk / n, unit="share", files=len(files)),
        _share(
            "schema.fk_declared_share",
            ref_declared,
            ref_total,
            len(files),
            "no column references another table",
        ),
        _share(
            "schema.fk_index_share", fk_indexed, fk_total, len(files), "no foreign key declared"
        ),
        Metric(
            name="schema.constraint_share", value=constrained / n, unit="share", files=len(files)
        ),
        _share(
            "schema.naming_consistency",
            consistent,
            len(idents),
            len(files),
            "no identifiers to compare",
        ),
    ]
    origins = Counter(t["origin"] for _, facts in files.values() for t in facts["tables"])
    notes = [
        f"schema: {n} table(s) from {len(files)} file(s); definitions read: "
        + ", ".join(f"{origin} {count}" for origin, count in sorted(origins.items()))
        + f"; dominant naming style {dominant}"
    ]
    findings, dropped = _cap(findings)
    for rule, count in sorted(dropped.items()):
        notes.append(
            f"schema: {count} more {rule} finding(s) not listed (first {MAX_FINDINGS_PER_RULE} "
            "shown; the metric counts every table)"
        )
    return SchemaReport(metrics=metrics, findings=findings, notes=notes)


#: Schema findings listed per rule; the share metrics always count every table.
MAX_FINDINGS_PER_RULE = 500


def _cap(findings: list[Finding]) -> tuple[list[Finding], dict[str, int]]:
    kept: list[Finding] = []
    seen: Counter[str] = Counter()
    dropped: Counter[str] = Counter()
    for finding in sorted(findings, key=Finding.sort_key):
        seen[finding.rule] += 1
        if seen[finding.rule] > MAX_FINDINGS_PER_RULE:
            dropped[finding.rule] += 1
        else:
            kept.append(finding)
    return kept, dict(dropped)


def _share(name: str, part: int, total: int, files: int, why: str) -> Metric:
    if total == 0:
        return Metric(name=name, value=None, unit="share", files=files, reason=why)
    return Metric(name=name, value=part / total, unit="share", files=files)


def facts_from_json(data: Any) -> SchemaFacts:
    """Facts from cached per-file data (tolerates a missing or malformed entry)."""
    if isinstance(data, dict) and isinstance(data.get("tables"), list):
        return {"tables": data["tables"], "changes": list(data.get("changes", []))}
    return empty_facts()
