"""Faster scans with regular expressions whose alternatives start with ``\\b``.

Python's ``re`` finds where a match may start by a literal prefix or a set of first
characters, but only when the pattern starts with a literal: an alternation whose
branches begin with ``\\b`` (``\\bSystem\\.getenv\\s*\\(|\\bIConfiguration\\b``) is tried
at every position of the text, ten times slower on real files. :class:`FastRegex` scans
with a *relaxed* copy, every ``\\b`` removed (which can only allow more matches, and
starts with literals), and confirms each place it finds with the real pattern there: the
matches are exactly those of the real pattern, found about as fast as the relaxed one.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

_BOUNDARY = re.compile(r"(?<!\\)\\b")


@functools.cache
def required_words(regex: str) -> tuple[str, ...] | None:
    """One word each alternative of ``regex`` cannot match without (its longest run of
    letters outside any group), or None when some alternative has none. A text holding
    none of them cannot match: a substring search is far cheaper than the regex."""
    regex = re.sub(r"\\[^A-Za-z0-9]", "#", regex)  # escaped punctuation: a separator
    depth, start, parts = 0, 0, []
    for index, char in enumerate(regex):
        if char == "(" and regex[index - 1 : index] != "\\":
            depth += 1
        elif char == ")" and regex[index - 1 : index] != "\\":
            depth -= 1
        elif char == "|" and depth == 0 and regex[index - 1 : index] != "\\":
            parts.append(regex[start:index])
            start = index + 1
    parts.append(regex[start:])
    words = []
    for part in parts:
        outside = re.sub(r"\((?:[^()]|\([^()]*\))*\)[?*]?|\[[^\]]*\]|\\[a-zA-Z]", " ", part)
        outside = re.sub(r"[A-Za-z][?*]|\{[^}]*\}", " ", outside)  # optional letters
        runs = re.findall(r"[A-Za-z]{3,}", outside)
        if runs:
            words.append(max(runs, key=len))
            continue
        group = re.search(r"\(\?:([^()]*)\)(?![?*])", part)  # @(?:GetMapping|PostMapping)
        inner = required_words(group.group(1)) if group else None
        if inner is None:
            return None
        words.extend(inner)
    return tuple(words)


class FastRegex:
    """``finditer``, ``search`` and ``count`` with the matches of ``pattern`` itself.
    ``finditer`` and ``count`` scan a text only when it holds one of the words the pattern
    cannot match without (:func:`required_words`: a substring search, far cheaper, and
    most files hold none); ``search`` leaves that to its caller (see ``Markers``)."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self.regex = re.compile(pattern, flags)
        self.words = required_words(pattern) if not flags else None
        relaxed = _BOUNDARY.sub("", pattern) if "[\\b" not in pattern else pattern
        self._scan = re.compile(relaxed, flags) if relaxed != pattern else self.regex

    def search(self, text: str, position: int = 0) -> re.Match[str] | None:
        """The first match at or after ``position``, or None."""
        if self._scan is self.regex:
            return self.regex.search(text, position)
        scan, confirm = self._scan.search, self.regex.match
        while True:
            candidate = scan(text, position)
            if candidate is None:
                return None
            found = confirm(text, candidate.start())
            if found is not None:
                return found
            position = candidate.start() + 1

    def may_match(self, text: str) -> bool:
        """``text`` holds a word the pattern needs (or the pattern needs none)."""
        return self.words is None or any(w in text for w in self.words)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """Non-overlapping matches, left to right (as ``re.finditer`` gives them; the
        patterns this is used with never match the empty string)."""
        if not self.may_match(text):
            return
        position = 0
        while (found := self.search(text, position)) is not None:
            yield found
            position = max(found.end(), found.start() + 1)

    def count(self, text: str) -> int:
        """How many non-overlapping matches ``text`` holds."""
        return sum(1 for _ in self.finditer(text))


@functools.cache
def fast(pattern: str, flags: int = 0) -> FastRegex:
    """The (cached) :class:`FastRegex` of ``pattern``."""
    return FastRegex(pattern, flags)
