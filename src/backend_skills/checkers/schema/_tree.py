"""Small tree-sitter helpers the Java, C#, Go and TypeScript entity readers share."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from backend_skills.languages import LANGUAGES, parse

if TYPE_CHECKING:
    import tree_sitter


def parse_root(language: str, path: str, text: str) -> tree_sitter.Node:
    """The root node of ``text`` parsed with ``language``'s grammar (never raises on bad
    syntax: tree-sitter keeps ERROR nodes and parses the rest)."""
    return parse(LANGUAGES[language], text.encode("utf-8", "replace"), path).root_node


def text_of(node: tree_sitter.Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", "replace")


def line_of(node: tree_sitter.Node) -> int:
    return node.start_point[0] + 1


def children(node: tree_sitter.Node, *kinds: str) -> list[tree_sitter.Node]:
    """Direct children of ``node`` of the given kinds."""
    return [c for c in node.children if c.type in kinds]


def first(node: tree_sitter.Node, *kinds: str) -> tree_sitter.Node | None:
    return next((c for c in node.children if c.type in kinds), None)


def walk(node: tree_sitter.Node, *kinds: str) -> Iterator[tree_sitter.Node]:
    """Every descendant of ``node`` (itself included) of the given kinds, in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type in kinds:
            yield current
        stack.extend(reversed(current.children))


_STRING = re.compile(r"""^(?:@?"(?P<d>[^"]*)"|'(?P<s>[^']*)'|`(?P<b>[^`]*)`)$""", re.DOTALL)


def literal(text: str) -> str | None:
    """The content of a quoted string literal (``"x"``, ``'x'``, a backquoted one)."""
    match = _STRING.match(text.strip())
    if match is None:
        return None
    return next(g for g in match.groups() if g is not None)


def strings_in(text: str) -> list[str]:
    """Every quoted string in ``text`` (``{"a", "b"}``, ``['a', 'b']``)."""
    return [next(g for g in m if g) for m in re.findall(r"\"([^\"]*)\"|'([^']*)'", text)]
