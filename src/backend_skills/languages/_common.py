"""Helpers the language modules share to describe their public API."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from ._fastre import fast
from ._fastre import required_words as required_words

if TYPE_CHECKING:
    import tree_sitter

_WORD = re.compile(rb"[A-Za-z_]+")


def modifier_words(node: tree_sitter.Node, kinds: tuple[str, ...]) -> set[bytes]:
    """Words of the modifier children of ``node`` (``public``, ``static``, ``override``)."""
    words: set[bytes] = set()
    for child in node.children:
        if child.type in kinds and child.text is not None:
            text = child.text
            if text.isalpha():  # one word (``public``): no need for the expression
                words.add(text)
            else:
                words.update(_WORD.findall(text))
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


class Markers:
    """A regular expression of markers (request input, routes) searched in code: a
    substring search for the words it cannot match without comes first (far cheaper than
    the regular expression, and most texts hold none of them), then a
    :class:`~backend_skills.languages._fastre.FastRegex` scan."""

    def __init__(self, regex: str) -> None:
        self.regex = fast(regex)
        self.words = self.regex.words
        self._any_word = (
            re.compile("|".join(re.escape(w) for w in self.words)) if self.words else None
        )

    def search(self, text: str) -> bool:
        """Whether ``text`` holds a marker."""
        if self.words is not None and not self._holds_a_word(text):
            return False
        return self.regex.search(text) is not None

    def _holds_a_word(self, text: str) -> bool:
        """One search for all the words in a short text (an argument, a function): one
        call; one substring search per word in a long one (a whole file), faster there."""
        if self._any_word is not None and len(text) < 4096:
            return self._any_word.search(text) is not None
        return any(w in text for w in self.words or ())


@functools.cache
def markers(regex: str) -> Markers:
    """The (cached) :class:`Markers` of ``regex``."""
    return Markers(regex)
