"""Running pattern rules over a parsed tree (or a configuration file's lines).

Conditions a match must meet (:attr:`Pattern.when`):

- ``always``: the query (plus its ``text``/``file_text``/``unless_file`` filters) is enough;
- ``dynamic``: some ``@arg`` capture is not constant. Constant means built only from
  literals: a string without interpolation, numbers, ``ALL_CAPS`` constants, names that
  are only ever given constant values in the function or the file. Request input,
  function parameters, interpolations, concatenation or formatting with any of those
  make it dynamic. Calls are dynamic when an argument or the receiver is;
- ``secret``: the ``@name`` capture names a credential (password, secret, token, API
  key, ...) and ``@value`` is a non-empty literal that is not a placeholder.

Rules marked ``taint`` are vulnerabilities when request input (the language's
``request_markers``: request parameters, bodies, headers, bound arguments) appears in
the function holding the match, hotspots otherwise.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backend_skills.checkers.analyses._secret_names import label_name, label_value
from backend_skills.languages._fastre import (
    Hits,
    Needles,
    Scanner,
    fast,
    occurrences,
    register_needles,
    scan,
)
from backend_skills.languages._index import FileIndex
from backend_skills.languages._spec import LanguageSpec, query_for

from ._flow import _Flow, _text
from ._model import Pattern, Rule

if TYPE_CHECKING:
    import tree_sitter

SECRET_NAME = re.compile(
    r"pass(?:word|wd|phrase)?|pwd|secret|token|api_?key|apikey|access_?key|private_?key|credential",
    re.IGNORECASE,
)
_NOT_SECRET_NAME = re.compile(
    r"(?:url|uri|endpoint|path|file|field|param|parameter|header|name|label|message|msg|prompt"
    r"|pattern|regex|type|prefix|policy|length|len|min|max|count|expir\w*|ttl|timeout|key_?name"
    r"|id|route|input|placeholder|hint|error|validation|confirm\w*|reset\w*|storage_?key|tag)s?$",
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(
    r"^\$\{.*\}$|^\{\{.*\}\}$|^<.*>$|^%\w$|^\*+$|^x+$|^\.+$|^\$[A-Z_]+$"
    r"|^change[-_.]?(?:me|this|it)$|^replace[-_.]?(?:me|this)$",
    re.I,
)


@dataclass
class Match:
    """One rule match at a place."""

    rule: Rule
    line: int
    end_line: int
    column: int
    name: str = ""
    exploitable: bool | None = None
    """For taint rules: request input in the same function (None: not a taint rule)."""
    secret: str = ""
    """The literal a secret rule matched (for redaction only; never reported)."""
    sink: dict[str, Any] | None = None
    """For a taint rule's hotspot fed by parameters of its function: the function's
    signature and those parameters' positions (cross-file taint joins callers to it)."""


@functools.cache
def _regex(source: str) -> re.Pattern[str]:
    return re.compile(source)


_Patterns = tuple[tuple[Rule, Pattern], ...]


@functools.cache
def _tree_patterns(rules: tuple[Rule, ...], language: str) -> _Patterns:
    return tuple((r, p) for r in rules for p in r.patterns if p.query and language in p.languages)


@functools.cache
def _line_patterns(rules: tuple[Rule, ...], language: str) -> _Patterns:
    return tuple((r, p) for r in rules for p in r.patterns if p.regex and language in p.languages)


_Needles = Needles  # (the name the tests and older callers know)


@dataclass(frozen=True)
class _Plan:
    """What to look for before running some patterns: their needles (case-sensitive
    ones, and lower-case ones looked for in the lower-cased text), and which patterns
    each needle arms (by position)."""

    patterns: _Patterns
    exact: Needles
    folded: Needles
    always: frozenset[int]
    """The patterns without needles (they always run)."""
    arms: dict[tuple[str, bool], tuple[int, ...]]
    """(needle, lower-cased) -> the patterns holding it."""

    @functools.cached_property
    def scanner(self) -> Scanner:
        """A scanner of these needles alone (:func:`_present` on bytes of no language)."""
        return Scanner(self.exact.needles, self.folded.needles)


@functools.cache
def _plan(patterns: _Patterns) -> _Plan:
    exact = {n for _, p in patterns if not p.ignore_case for n in p.needles}
    folded = {n for _, p in patterns if p.ignore_case for n in p.needles}
    arms: dict[tuple[str, bool], list[int]] = {}
    for position, (_, pattern) in enumerate(patterns):
        for needle in pattern.needles:
            arms.setdefault((needle, pattern.ignore_case), []).append(position)
    return _Plan(
        patterns,
        Needles(exact),
        Needles(folded),
        frozenset(i for i, (_, p) in enumerate(patterns) if not p.needles),
        {key: tuple(value) for key, value in arms.items()},
    )


@functools.cache
def _registered(rules: tuple[Rule, ...], language: str) -> tuple[_Patterns, _Patterns]:
    """The tree and line patterns of ``rules`` for ``language``, their needles added to
    the language's scanner (one scan of a file finds the needles of both and the other
    analyses' words: :func:`~backend_skills.languages._fastre.scan`)."""
    tree, line = _tree_patterns(rules, language), _line_patterns(rules, language)
    for plan in (_plan(tree), _plan(line)):
        register_needles(language, plan.exact.needles, plan.folded.needles)
    return tree, line


#: Needle occurrences closer than this share one query range (a range's nodes are all
#: visited: a wide one visits most of the tree, many narrow ones walk down from the
#: root each time; 256 costs least on the corpus).
_RANGE_GAP = 256


def _merged(spots: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Byte ranges around ``spots``, nearby ones merged."""
    spots.sort()
    ranges: list[tuple[int, int]] = []
    for start, end in spots:
        if ranges and start - ranges[-1][1] <= _RANGE_GAP:
            ranges[-1] = (ranges[-1][0], max(ranges[-1][1], end))
        else:
            ranges.append((start, end))
    return ranges


def _needle_ranges(source: bytes, needles: tuple[str, ...]) -> list[tuple[int, int]]:
    """Byte ranges around every occurrence of the needles, nearby ones merged."""
    spots: list[tuple[int, int]] = []
    for needle in needles:
        raw = needle.encode()
        spots.extend((start, start + len(raw)) for start in occurrences(source, raw))
    return _merged(spots)


def _hit_ranges(hits: Hits, needles: tuple[str, ...], folded: bool) -> list[tuple[int, int]]:
    """:func:`_needle_ranges` from a scan's hits (each needle's places found once per file)."""
    spots: list[tuple[int, int]] = []
    for needle in needles:
        size = len(needle.encode())
        spots.extend((start, start + size) for start in hits.places(needle, folded))
    return _merged(spots)


def _pattern_matches(
    ts: Any,
    query: tree_sitter.Query,
    tree: tree_sitter.Tree,
    haystack: bytes,
    pattern: Pattern,
    needles: tuple[str, ...] | None = None,
    ranges: list[tuple[int, int]] | None = None,
) -> list[dict[str, list[tree_sitter.Node]]]:
    """Matches of ``query``; with needles, only around their occurrences (the node a
    rule reports contains its needle: a query cursor restricted to those byte ranges
    visits a few paths of the tree instead of all of it). ``needles``: those of the
    pattern's needles the file holds, when known (the others have no occurrence);
    ``ranges``: the byte ranges around them, when known."""
    cursor = ts.QueryCursor(query)
    if not pattern.needles:
        return [caps for _, caps in cursor.matches(tree.root_node)]
    if ranges is None:
        ranges = _needle_ranges(haystack, pattern.needles if needles is None else needles)
    found: list[dict[str, list[tree_sitter.Node]]] = []
    for start, end in ranges:
        cursor.set_byte_range(start, end)
        found.extend(caps for _, caps in cursor.matches(tree.root_node))
    return found


def _armed(
    patterns: _Patterns, source: bytes | Hits, lower: bytes | None = None
) -> list[tuple[Rule, Pattern, tuple[str, ...]]]:
    """The patterns worth running on ``source`` (a file's UTF-8 bytes, or what a scan of
    them found; ``lower``: no longer needed), each with those of its needles the file
    holds (the needles are ASCII: found in the bytes exactly when found in the decoded
    text)."""
    plan = _plan(patterns)
    hits = source if isinstance(source, Hits) else plan.scanner.scan(source)
    armed = set(plan.always)
    arms = plan.arms
    for needle in hits.exact.intersection(plan.exact.needles):
        armed.update(arms[needle, False])
    for needle in hits.folded.intersection(plan.folded.needles):
        armed.update(arms[needle, True])
    out = []
    for position in sorted(armed):
        rule, pattern = patterns[position]
        held = hits.folded if pattern.ignore_case else hits.exact
        out.append((rule, pattern, tuple(n for n in pattern.needles if n in held)))
    return out


def _present(
    patterns: _Patterns, source: bytes | Hits, lower: bytes | None = None
) -> list[tuple[Rule, Pattern]]:
    """The patterns worth running on ``source`` (see :func:`_armed`)."""
    return [(rule, pattern) for rule, pattern, _ in _armed(patterns, source)]


def _header(function: tree_sitter.Node | None) -> str:
    """A function's text up to its body (modifiers, name, parameters)."""
    if function is None:
        return ""
    body = function.child_by_field_name("body")
    raw = function.text or b""
    if body is not None:
        raw = raw[: body.start_byte - function.start_byte]
    return raw.decode("utf-8", "replace")


def literal_content(text: str) -> str:
    """The characters between a string literal's quotes (prefixes ``@``/``$`` dropped)."""
    text = text.lstrip("@$")
    for quote in ('"""', "'''", '"', "'", "`"):
        if text.startswith(quote) and text.endswith(quote) and len(text) >= 2 * len(quote):
            return text[len(quote) : -len(quote)]
    return text


#: Values that name something rather than hold a secret: a dotted message or setting key
#: (``'label.password'``, ``'auth.errors.token_expired'``) or a version range (``'^9.0.2'``).
_NOT_A_SECRET_VALUE = re.compile(r"^(?:[a-z][\w-]*(?:\.[\w-]+)+|[\^~<>=]*\d+(?:\.[\dx*]+)*)$")
#: Option values of settings named like secrets (fetch's ``credentials: 'omit'``).
_OPTION_WORDS = frozenset({"omit", "include", "same-origin", "required", "optional", "hidden"})


def secret_value(name: str, value: str) -> bool:
    """Whether ``value`` given to ``name`` looks like a real credential: not a label
    (a status, event, check, header or property name: ``TOKEN_STATUS_ACTIVE = "active"``,
    ``HEADER_KEY_TOKEN = 'Authorization'``, ``USER_TOKEN = "ApolloUserToken"``) nor a
    template (``'{base}/reset'``)."""
    if not SECRET_NAME.search(name) or _NOT_SECRET_NAME.search(name.replace("-", "_")):
        return False
    content = literal_content(value)
    if len(content) < 4 or any(c.isspace() for c in content) or _PLACEHOLDER.match(content):
        return False
    if label_name(name) or label_value(name, content):
        return False
    if content.startswith(("http://", "https://", "/", "classpath:", "env:")):
        return False
    if _NOT_A_SECRET_VALUE.match(content) or content.lower() in _OPTION_WORDS:
        return False  # 'label.password' (a message key), '^9.0.2' (a version), 'omit'
    squashed = re.sub(r"[^a-z0-9]", "", content.lower())
    return squashed not in {re.sub(r"[^a-z0-9]", "", name.lower()), "password", "token"}


def _passes_filters(
    pattern: Pattern, node: tree_sitter.Node, file_has: Callable[[str], bool]
) -> bool:
    """The ``text``, ``file_text`` and ``unless_file`` conditions; the file-wide ones
    look at the file's code with its comments blanked out (``file_has``, answered once
    per file and expression), so that a commented-out ``setAllowCredentials(true)``
    neither arms nor silences a rule."""
    if pattern.text and not _regex(pattern.text).search(_text(node)):
        return False
    if pattern.file_text and not file_has(pattern.file_text):
        return False
    return not (pattern.unless_file and file_has(pattern.unless_file))


def _blank_comments(source: bytes, comments: list[tree_sitter.Node]) -> str:
    """``source`` with every comment replaced by spaces (line breaks kept)."""
    buffer = bytearray(source)
    for node in comments:
        start, end = node.start_byte, node.end_byte
        chunk = buffer[start:end]
        buffer[start:end] = _NOT_LINE_BREAK.sub(b" ", chunk)
    return buffer.decode("utf-8", "replace")


_NOT_LINE_BREAK = re.compile(rb"[^\r\n]")


class _TreeRun:
    """One file's tree-rule run: the flow analysis is built once, when a rule needs it."""

    def __init__(
        self,
        spec: LanguageSpec,
        grammar: str,
        tree: tree_sitter.Tree,
        path: str = "",
        source: bytes = b"",
        index: FileIndex | None = None,
    ) -> None:
        self.spec = spec
        self.index = index or FileIndex(spec, grammar, tree.root_node, source)
        self.grammar = grammar
        self.tree = tree
        self.path = path
        self._flow: _Flow | None = None
        self.facts = False
        """Record the summaries of hotspots fed by parameters (cross-file taint)."""
        self.matches: list[Match] = []
        self.seen: set[tuple[str, int, int]] = set()
        self.source = source
        self._code: str | None = None
        self._file_has: dict[str, bool] = {}

    def file_has(self, regex: str) -> bool:
        """``regex`` matches the file's code, comments blanked (once per file: a rule's
        file-wide condition is asked for every match of its query)."""
        known = self._file_has.get(regex)
        if known is None:
            known = self._file_has[regex] = fast(regex).search(self.code()) is not None
        return known

    def code(self) -> str:
        """The file's text with its comments blanked out, made when a rule asks."""
        if self._code is None:
            self._code = _blank_comments(self.source, self.index.comments)
        return self._code

    @property
    def flow(self) -> _Flow:
        if self._flow is None:
            self._flow = _Flow(self.spec, self.grammar, self.tree.root_node, self.index, self.path)
        return self._flow

    def consider(
        self, rule: Rule, pattern: Pattern, caps: dict[str, list[tree_sitter.Node]]
    ) -> None:
        """Record the match ``caps`` of ``pattern`` when its conditions hold (once per
        rule and place)."""
        node = caps.get("match", [None])[0]
        if node is None or not _passes_filters(pattern, node, self.file_has):
            return
        if not self.in_scope(pattern, node):
            return
        holds, via_parameter, secret = self.condition(pattern, caps)
        key = (rule.id, node.start_point.row, node.start_point.column)
        if not holds or key in self.seen:
            return
        self.seen.add(key)
        exploitable = self.flow.exploitable(node, via_parameter) if rule.taint else None
        match = _match(rule, node, caps, exploitable, secret)
        if self.facts and exploitable is False:
            match.sink = self.sink(caps, node)
        self.matches.append(match)

    def sink(self, caps: dict[str, list[tree_sitter.Node]], node: tree_sitter.Node) -> Any:
        """The summary of a hotspot fed by parameters (see :mod:`._taint_facts`)."""
        from ._taint_facts import sink_summary

        flow = self.flow
        reached: set[str] = set()
        for arg in caps.get("arg", []):
            reached |= flow.reaching(arg)
        return sink_summary(self.spec, flow.scope(node), reached, flow.request)

    def in_scope(self, pattern: Pattern, node: tree_sitter.Node) -> bool:
        """The ``scope`` and ``unless_function`` conditions on the enclosing function."""
        if not (pattern.scope or pattern.unless_function):
            return True
        function = self.flow.scope(node)
        if pattern.scope and not _regex(pattern.scope).search(_header(function)):
            return False
        return not (
            pattern.unless_function and _regex(pattern.unless_function).search(_text(function))
        )

    def condition(
        self, pattern: Pattern, caps: dict[str, list[tree_sitter.Node]]
    ) -> tuple[bool, bool, str]:
        """Whether the ``when`` condition holds, whether the dynamic value came through
        a parameter, and the secret's text for ``when: secret``."""
        if pattern.when == "dynamic":
            flow = self.flow
            flow.via_parameter = False
            if not any(flow.dynamic(arg) for arg in caps.get("arg", [])):
                return False, False, ""
            return True, flow.via_parameter, ""
        if pattern.when == "secret":
            value = _text(caps.get("value", [None])[0])
            if not secret_value(_text(caps.get("name", [None])[0]), value):
                return False, False, ""
            return True, False, literal_content(value)
        return True, False, ""


def run_tree_rules(
    rules: Sequence[Rule],
    spec: LanguageSpec,
    tree: tree_sitter.Tree,
    source: bytes,
    path: str,
) -> list[Match]:
    """Every match of ``rules`` in one parsed file of ``spec``'s language."""
    return tree_rules_and_facts(rules, spec, tree, source, path, facts=False)[0]


def tree_rules_and_facts(
    rules: Sequence[Rule],
    spec: LanguageSpec,
    tree: tree_sitter.Tree,
    source: bytes,
    path: str,
    *,
    facts: bool = True,
    index: FileIndex | None = None,
) -> tuple[list[Match], dict[str, Any]]:
    """:func:`run_tree_rules`, and the file's cross-file taint facts (its hotspots fed by
    parameters, its calls with request input or parameters: :mod:`._taint_facts`);
    ``index``: the file's :class:`FileIndex` when the caller has one already."""
    import tree_sitter as ts

    grammar = index.grammar if index is not None else spec.grammar_for(path)
    run = _TreeRun(spec, grammar, tree, path, source, index)
    run.facts = facts
    patterns, _ = _registered(tuple(rules), spec.name)
    hits = scan(spec.name, source)
    ranges: dict[tuple[tuple[str, ...], bool], list[tuple[int, int]]] = {}
    for rule, pattern, needles in _armed(patterns, hits):
        query = query_for(grammar, pattern.query)
        around = None
        if pattern.needles:
            key = (needles, pattern.ignore_case)
            around = ranges.get(key)
            if around is None:
                around = ranges[key] = _hit_ranges(hits, needles, pattern.ignore_case)
        for caps in _pattern_matches(ts, query, tree, source, pattern, needles, around):
            run.consider(rule, pattern, caps)
    if not facts:
        return run.matches, {}
    from ._taint_calls import call_facts
    from ._taint_values import function_values

    flow = run.flow
    text = source.decode("utf-8", "replace")
    found: dict[str, Any] = call_facts(spec, flow.index, text, flow.request, flow.assignments)
    passing = {str(call["method"]) for call in found["through"]}
    values = function_values(spec.name, tree.root_node, source, passing) if passing else []
    if values:
        found["values"] = values
    return run.matches, found


def _match(
    rule: Rule,
    node: tree_sitter.Node,
    caps: dict[str, list[tree_sitter.Node]],
    exploitable: bool | None,
    secret: str,
) -> Match:
    name_node = caps.get("name", [None])[0]
    return Match(
        rule=rule,
        line=node.start_point.row + 1,
        end_line=node.end_point.row + 1,
        column=node.start_point.column + 1,
        name=_text(name_node).strip("'\"`")[:60] if name_node is not None else "",
        exploitable=exploitable,
        secret=secret,
    )


def run_line_rules(rules: Sequence[Rule], language: str, text: str) -> list[Match]:
    """Matches of the rules' ``regex`` patterns for ``language``, line by line."""
    matches: list[Match] = []
    lines: list[str] | None = None
    _, patterns = _registered(tuple(rules), language)
    if not patterns:
        return matches
    hits = scan(language, text.encode("utf-8", "surrogatepass"))
    for rule, pattern in _present(patterns, hits):
        if pattern.file_text and not _regex(pattern.file_text).search(text):
            continue
        regex = _regex(pattern.regex)
        if not _regex("(?m)" + pattern.regex).search(text):
            continue
        lines = lines if lines is not None else text.splitlines()
        for number, line in enumerate(lines, start=1):
            found = regex.search(line)
            if found is None:
                continue
            secret = found.group("secret") if "secret" in regex.groupindex else ""
            matches.append(
                Match(
                    rule=rule,
                    line=number,
                    end_line=number,
                    column=found.start() + 1,
                    secret=secret or "",
                )
            )
    return matches
