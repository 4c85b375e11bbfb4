"""Helpers the language modules share to describe their public API."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tree_sitter

_WORD = re.compile(rb"[A-Za-z_]+")


def modifier_words(node: tree_sitter.Node, kinds: tuple[str, ...]) -> set[bytes]:
    """Words of the modifier children of ``node`` (``public``, ``static``, ``override``)."""
    words: set[bytes] = set()
    for child in node.children:
        if child.type in kinds and child.text is not None:
            words.update(_WORD.findall(child.text))
    return words


def enclosing(node: tree_sitter.Node, kinds: tuple[str, ...]) -> tree_sitter.Node | None:
    """The nearest ancestor of ``node`` whose kind is in ``kinds``."""
    parent = node.parent
    while parent is not None:
        if parent.type in kinds:
            return parent
        parent = parent.parent
    return None


def name_of(node: tree_sitter.Node) -> str:
    """The declared name of a function or class node ('' when anonymous)."""
    name = node.child_by_field_name("name")
    if name is None or name.text is None:
        return ""
    return name.text.decode("utf-8", "replace")
