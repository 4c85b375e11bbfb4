"""A small dialect-tolerant SQL tokenizer and the token-run helpers the DDL reader uses.

Comments, strings (also ``E''``/``N''``/dollar quoting), quoted identifiers and Jinja
tags are single tokens; whitespace and comments are dropped.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ._facts import unquote

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


def statements(tokens: Sequence[Token]) -> Iterator[list[Token]]:
    """Split at top-level semicolons and T-SQL batch separators (``GO`` alone on its
    line); a top-level ``CREATE`` or ``ALTER TABLE`` begins a new statement (T-SQL needs
    no semicolon: ``IF ... BEGIN CREATE INDEX ... END``), as sqlfluff's parse tree has it."""
    depth = 0
    current: list[Token] = []
    for i, tok in enumerate(tokens):
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth = max(0, depth - 1)
        separator = tok.text == ";" or _batch_separator(tokens, i)
        if depth == 0 and (separator or _statement_start(tokens, i)) and current:
            yield current
            current = []
        if not (separator and depth == 0):
            current.append(tok)
    if current:
        yield current


def _batch_separator(tokens: Sequence[Token], i: int) -> bool:
    """``GO`` alone on its line (T-SQL's batch separator)."""
    tok = tokens[i]
    return (
        tok.is_word("GO")
        and (i == 0 or tokens[i - 1].line < tok.line)
        and (i + 1 == len(tokens) or tokens[i + 1].line > tok.line)
    )


def _statement_start(tokens: Sequence[Token], i: int) -> bool:
    """``CREATE`` or ``ALTER TABLE``: a word that only begins a statement."""
    tok = tokens[i]
    if tok.is_word("CREATE"):
        return True
    return tok.is_word("ALTER") and i + 1 < len(tokens) and tokens[i + 1].is_word("TABLE")


def split_top(tokens: Sequence[Token]) -> list[list[Token]]:
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


def group_end(tokens: Sequence[Token], start: int) -> int:
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


def qualified_name(tokens: Sequence[Token], i: int) -> tuple[str, int]:
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


def column_list(tokens: Sequence[Token], start: int) -> tuple[list[str], int]:
    """Names in the parenthesised list at ``start``; expressions give ``""``."""
    if start >= len(tokens) or tokens[start].text != "(":
        return [], start
    end = group_end(tokens, start)
    names: list[str] = []
    for item in split_top(tokens[start + 1 : end]):
        first = item[0]
        if first.is_name and not (len(item) > 1 and item[1].text == "("):
            names.append(unquote(first.text))
        else:
            names.append("")
    return names, end + 1


def skip_words(tokens: Sequence[Token], i: int, *words: str) -> int:
    """The index of the first token at or after ``i`` that is none of ``words``."""
    while i < len(tokens) and tokens[i].is_word(*words):
        i += 1
    return i


def skip_if_not_exists(tokens: Sequence[Token], i: int) -> int:
    """The index after ``IF NOT EXISTS`` at ``i`` (``i`` itself when absent)."""
    if i + 2 < len(tokens) and tokens[i].is_word("IF") and tokens[i + 1].is_word("NOT"):
        return i + 3
    return i
