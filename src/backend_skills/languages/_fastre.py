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
from collections.abc import Iterable, Iterator

_BOUNDARY = re.compile(r"(?<!\\)\\b")
#: Texts this long or longer are scanned alternative by alternative (a search per
#: alternative costs more than the alternation's own scan of a short text: a name, a call).
_SPLIT_FROM = 512
_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=")


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
        parts = _alternatives(relaxed) if not flags and not _BACKREFERENCE.search(relaxed) else []
        firsts = {_literal_first(part) for part in parts}
        self._parts = (
            [re.compile(part).search for part in parts]
            if len(firsts) > 1 and "" not in firsts  # one shared first literal: found fast
            else None
        )

    def search(self, text: str, position: int = 0) -> re.Match[str] | None:
        """The first match at or after ``position``, or None."""
        if self._parts is not None and len(text) - position >= _SPLIT_FROM:
            return self._search_parts(text, position, [-2] * len(self._parts))
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

    def _search_parts(self, text: str, position: int, ahead: list[int]) -> re.Match[str] | None:
        """:meth:`search` with each alternative of the relaxed pattern looked for apart: an
        alternation of alternatives is tried at every place of a text (Python's regular
        expressions look ahead fast only for one literal or set of characters that every
        match starts with), each alternative starting with a literal is found fast. The
        nearest place one of them matches is where the pattern may match: confirmed there."""
        confirm = self.regex.match
        parts = self._parts or []
        # ahead: where each alternative matches next, at or after an earlier position
        # (-1: nowhere, -2: not looked for yet); kept by the caller across its searches
        while True:
            nearest = -1
            for index, part in enumerate(parts):
                place = ahead[index]
                if place == -2 or 0 <= place < position:
                    found = part(text, position)
                    place = ahead[index] = found.start() if found is not None else -1
                if place >= 0 and (nearest < 0 or place < nearest):
                    nearest = place
            if nearest < 0:
                return None
            match = confirm(text, nearest)
            if match is not None:
                return match
            position = nearest + 1

    def may_match(self, text: str) -> bool:
        """``text`` holds a word the pattern needs (or the pattern needs none)."""
        return self.words is None or any(w in text for w in self.words)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """Non-overlapping matches, left to right (as ``re.finditer`` gives them; the
        patterns this is used with never match the empty string)."""
        if not self.may_match(text):
            return
        yield from self.scan_all(text)

    def scan_all(self, text: str) -> Iterator[re.Match[str]]:
        """:meth:`finditer` without the word check (the caller made it)."""
        position = 0
        if self._parts is not None and len(text) >= _SPLIT_FROM:
            ahead = [-2] * len(self._parts)
            while (found := self._search_parts(text, position, ahead)) is not None:
                yield found
                position = max(found.end(), found.start() + 1)
            return
        while (found := self.search(text, position)) is not None:
            yield found
            position = max(found.end(), found.start() + 1)

    def count(self, text: str) -> int:
        """How many non-overlapping matches ``text`` holds."""
        return sum(1 for _ in self.finditer(text))


def _structure(pattern: str) -> Iterator[tuple[int, str, int]]:
    """``(index, char, depth)`` of each ``(``, ``)`` and ``|`` of ``pattern`` outside
    escapes and character sets (``depth``: the groups open after it)."""
    depth, index, in_set = 0, 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_set:
            in_set = char != "]"
        elif char == "[":
            in_set = True
            if pattern[index + 1 : index + 2] == "]":
                index += 1  # a set starting with "]"
        elif char in "()|":
            depth += {"(": 1, ")": -1, "|": 0}[char]
            yield index, char, depth
        index += 1


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of ``pattern``, the groups around whole alternatives
    opened (``(?:a|b)|(?:c)``: ``a``, ``b``, ``c``, in order: the same alternation)."""
    parts, start = [], 0
    for index, char, depth in _structure(pattern):
        if char == "|" and depth == 0:
            parts.append(pattern[start:index])
            start = index + 1
    parts.append(pattern[start:])
    out = []
    for part in parts:
        inner = part[3:-1] if part.startswith("(?:") and part.endswith(")") else None
        if inner is not None and _balanced(inner):
            out.extend(_alternatives(inner))
        else:
            out.append(part)
    return out


def _balanced(pattern: str) -> bool:
    """No group of ``pattern`` closes before it opens (``a)|(?:b`` is not one group's
    inside)."""
    depth = 0
    for _, _, depth in _structure(pattern):
        if depth < 0:
            return False
    return depth == 0


_LITERAL_FIRST = re.compile(r"(?:[A-Za-z0-9_@#<>:;,=\-'\"`/!%&~ ]|\\[^A-Za-z0-9])(?![?*{])")


def _literal_first(pattern: str) -> str:
    """The literal character every match of ``pattern`` starts with, as written (Python's
    regular expressions then find its places fast), or "" when there is none."""
    first = _LITERAL_FIRST.match(pattern)
    return first.group(0) if first is not None else ""


@functools.cache
def fast(pattern: str, flags: int = 0) -> FastRegex:
    """The (cached) :class:`FastRegex` of ``pattern``."""
    return FastRegex(pattern, flags)


@functools.cache
def _together(needles: tuple[bytes, ...]) -> re.Pattern[bytes]:
    """One regular expression for needles sharing a first byte (longest first)."""
    rest = b"|".join(re.escape(n[1:]) for n in needles)
    return re.compile(re.escape(needles[0][:1]) + b"(?:" + rest + b")")


class Needles:
    """Which of some needles a text holds. Needles sharing a first byte are looked for
    together, with one regular expression (a literal first byte is what Python's regular
    expressions find fastest: one search for ten needles costs less than one substring
    search, and far less than one scan with an alternation of every needle, which tries
    each alternative at every place its first bytes occur); a needle alone with its first
    byte is a substring search. Most files hold none of a group: one search rules it out;
    in a file that holds some, each search goes on from the last one found, for the
    needles not found yet (none is before it)."""

    def __init__(self, needles: Iterable[str]) -> None:
        self.needles = tuple(sorted(set(needles)))
        groups: dict[bytes, list[bytes]] = {}
        for needle in sorted({n.encode() for n in self.needles}, key=lambda n: (-len(n), n)):
            groups.setdefault(needle[:1], []).append(needle)
        self.groups = [tuple(members) for _, members in sorted(groups.items())]
        self._first = [
            (_together(group) if len(group) > 1 else None, group) for group in self.groups
        ]

    def found(self, haystack: bytes) -> set[str]:
        """The needles ``haystack`` holds."""
        found: set[str] = set()
        for regex, group in self._first:
            if regex is None:
                if group[0] in haystack:
                    found.add(group[0].decode())
                continue
            hit = regex.search(haystack)
            if hit is None:
                continue  # most groups in most files
            remaining, start = group, hit.start()
            while True:
                here = [n for n in remaining if haystack.startswith(n, start)]
                found.update(n.decode() for n in here)
                remaining = tuple(n for n in remaining if n not in here)
                if len(remaining) <= 1:
                    break
                hit = _together(remaining).search(haystack, start + 1)
                if hit is None:
                    break
                start = hit.start()
            if len(remaining) == 1 and haystack.find(remaining[0], start + 1) >= 0:
                found.add(remaining[0].decode())
        return found


def occurrences(haystack: bytes, needle: bytes) -> list[int]:
    """Where ``needle`` starts in ``haystack``, every place (overlapping ones too)."""
    places: list[int] = []
    start = haystack.find(needle)
    while start >= 0:
        places.append(start)
        start = haystack.find(needle, start + 1)
    return places


class Hits:
    """The needles of a :class:`Scanner` one text holds (case-sensitive ones, and
    lower-case ones found in the lower-cased text), and where, asked per needle."""

    def __init__(self, scanner: Scanner, source: bytes) -> None:
        self.scanner = scanner
        self.source = source
        self.lower = source.lower() if scanner.folded.needles else source
        self.exact = scanner.exact.found(source)
        self.folded = scanner.folded.found(self.lower) if scanner.folded.needles else set()
        self._places: dict[tuple[str, bool], list[int]] = {}

    def holds(self, needle: str, folded: bool = False) -> bool:
        """The text holds ``needle`` (one of the scanner's: others are never held)."""
        return needle in (self.folded if folded else self.exact)

    def holds_any(self, needles: Iterable[str]) -> bool:
        """The text holds one of ``needles`` (case-sensitive ones)."""
        return not self.exact.isdisjoint(needles)

    def places(self, needle: str, folded: bool = False) -> list[int]:
        """Where ``needle`` starts (in the lower-cased text for ``folded``), asked once
        per text and needle (several patterns share needles)."""
        key = (needle, folded)
        known = self._places.get(key)
        if known is None:
            held = self.folded if folded else self.exact
            haystack = self.lower if folded else self.source
            known = occurrences(haystack, needle.encode()) if needle in held else []
            self._places[key] = known
        return known


class Scanner:
    """The needles every analysis of one language looks for in a file's bytes (the
    pattern rules', the line rules', the words of the scalability vocabulary), looked
    for once per file (:func:`scan`) instead of once per analysis."""

    def __init__(self, exact: Iterable[str] = (), folded: Iterable[str] = ()) -> None:
        self.exact = Needles(exact)
        self.folded = Needles(folded)
        self.exact_set = frozenset(self.exact.needles)
        self.folded_set = frozenset(self.folded.needles)

    def covers(self, exact: Iterable[str], folded: Iterable[str] = ()) -> bool:
        """Every one of these needles is among the scanner's."""
        return self.exact_set.issuperset(exact) and self.folded_set.issuperset(folded)

    def scan(self, source: bytes) -> Hits:
        """What ``source`` holds."""
        return Hits(self, source)


_SCANNERS: dict[str, Scanner] = {}
_LAST: list[Hits] = []


def register_needles(language: str, exact: Iterable[str], folded: Iterable[str] = ()) -> None:
    """Add needles to ``language``'s :class:`Scanner` (an analysis does this once, before
    asking :func:`scan` about a file: the scanner then covers its needles)."""
    exact, folded = frozenset(exact), frozenset(folded)
    current = _SCANNERS.get(language)
    if current is None:
        _SCANNERS[language] = Scanner(exact, folded)
    elif not current.covers(exact, folded):
        _SCANNERS[language] = Scanner(current.exact_set | exact, current.folded_set | folded)


def scan(language: str, source: bytes) -> Hits:
    """The needles registered for ``language`` that ``source`` (a file's bytes) holds.
    The pattern rules, the line rules and the scalability facts of one file each ask: the
    last answer is kept, and given again for the same bytes of the same language."""
    scanner = _SCANNERS.get(language)
    if scanner is None:
        scanner = _SCANNERS[language] = Scanner()
    if _LAST:
        last = _LAST[0]
        if last.scanner is scanner and (last.source is source or last.source == source):
            return last
    hits = scanner.scan(source)
    _LAST[:] = [hits]
    return hits
