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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backend_skills.languages._common import markers
from backend_skills.languages._spec import LanguageSpec, kinds_query, query_for

from ._model import Pattern, Rule

if TYPE_CHECKING:
    import tree_sitter

_CONSTANT_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
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
    r"^\$\{.*\}$|^\{\{.*\}\}$|^<.*>$|^%\w$|^\*+$|^x+$|^\.+$|^\$[A-Z_]+$", re.I
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


def _text(node: tree_sitter.Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", "replace")


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


@functools.cache
def _all_needles(patterns: _Patterns) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Every needle of ``patterns``: (case-sensitive ones, lower-case ones)."""
    exact = {n for _, p in patterns if not p.ignore_case for n in p.needles}
    folded = {n for _, p in patterns if p.ignore_case for n in p.needles}
    return tuple(sorted(exact)), tuple(sorted(folded))


#: Needle occurrences closer than this share one query range.
_RANGE_GAP = 4096


def _needle_ranges(source: bytes, needles: tuple[str, ...]) -> list[tuple[int, int]]:
    """Byte ranges around every occurrence of the needles, nearby ones merged."""
    spots: list[tuple[int, int]] = []
    for needle in needles:
        raw = needle.encode()
        start = source.find(raw)
        while start >= 0:
            spots.append((start, start + len(raw)))
            start = source.find(raw, start + 1)
    spots.sort()
    ranges: list[tuple[int, int]] = []
    for start, end in spots:
        if ranges and start - ranges[-1][1] <= _RANGE_GAP:
            ranges[-1] = (ranges[-1][0], max(ranges[-1][1], end))
        else:
            ranges.append((start, end))
    return ranges


def _pattern_matches(
    ts: Any, query: tree_sitter.Query, tree: tree_sitter.Tree, haystack: bytes, pattern: Pattern
) -> list[dict[str, list[tree_sitter.Node]]]:
    """Matches of ``query``; with needles, only around their occurrences (the node a
    rule reports contains its needle: a query cursor restricted to those byte ranges
    visits a few paths of the tree instead of all of it)."""
    cursor = ts.QueryCursor(query)
    if not pattern.needles:
        return [caps for _, caps in cursor.matches(tree.root_node)]
    found: list[dict[str, list[tree_sitter.Node]]] = []
    for start, end in _needle_ranges(haystack, pattern.needles):
        cursor.set_byte_range(start, end)
        found.extend(caps for _, caps in cursor.matches(tree.root_node))
    return found


def _present(patterns: _Patterns, text: str) -> list[tuple[Rule, Pattern]]:
    """The patterns worth running on ``text``: each needle is looked for once per file
    (a substring search in C), most files contain none of a pattern's needles."""
    exact, folded = _all_needles(patterns)
    found = {n for n in exact if n in text}
    if folded:
        lower = text.lower()
        found.update(n for n in folded if n in lower)
    return [(r, p) for r, p in patterns if not p.needles or not found.isdisjoint(p.needles)]


class _Flow:
    """Whether an expression is constant, following local names to their values."""

    def __init__(
        self, spec: LanguageSpec, grammar: str, root: tree_sitter.Node, path: str = ""
    ) -> None:
        self.spec = spec
        self.grammar = grammar
        self.root = root
        request = spec.request_for(path)
        self.request = markers(request) if request else None
        self._assigned: dict[int, list[tuple[str, tree_sitter.Node]]] = {}
        self._request_in: dict[int, bool] = {}
        self.via_parameter = False
        """Set when the last :meth:`dynamic` answer came from a function parameter."""
        self.reached: set[str] = set()
        """The parameters :meth:`reaching` found."""
        self._exhaustive = False

    def _any(self, answers: Iterable[bool]) -> bool:
        return any(list(answers)) if self._exhaustive else any(answers)

    def reaching(self, node: tree_sitter.Node) -> set[str]:
        """Every parameter of the enclosing functions ``node``'s value may come from."""
        self.reached = set()
        self._exhaustive = True
        try:
            self.dynamic(node)
        finally:
            self._exhaustive = False
        return self.reached

    def scope(self, node: tree_sitter.Node) -> tree_sitter.Node | None:
        """The innermost function around ``node``."""
        kinds = self.spec.functions
        parent = node.parent
        while parent is not None and parent.type not in kinds:
            parent = parent.parent
        return parent

    def exploitable(self, node: tree_sitter.Node, via_parameter: bool = False) -> bool:
        """Request input appears in the function holding ``node`` (or the file's top
        level); or the sink is fed by a parameter of its function and the file handles
        request input (a handler passing request data to a helper of its own class)."""
        if self.request is None:
            return False
        scope = self.scope(node)
        if self._requested(scope or self.root):
            return True
        return via_parameter and self._requested(self.root)

    def _requested(self, node: tree_sitter.Node) -> bool:
        """Request input in ``node`` (answered once per node: several sinks share a
        function, every sink fed by a parameter asks about the whole file)."""
        known = self._request_in.get(node.id)
        if known is None:
            known = self._request_in[node.id] = bool(
                self.request is not None and self.request.search(_text(node))
            )
        return known

    def assignments(self, scope: tree_sitter.Node) -> list[tuple[str, tree_sitter.Node]]:
        cached = self._assigned.get(scope.id)
        if cached is not None:
            return cached
        found: list[tuple[str, tree_sitter.Node]] = []
        kinds = {kind: (name, value) for kind, name, value in self.spec.assignments}
        query = kinds_query(tuple(kinds), "a")
        import tree_sitter as ts

        for node in ts.QueryCursor(query_for(self.grammar, query)).captures(scope).get("a", []):
            name_field, value_field = kinds[node.type]
            target = node.child_by_field_name(name_field)
            value = (
                node.child_by_field_name(value_field)
                if value_field
                else (node.named_children[-1] if len(node.named_children) > 1 else None)
            )
            if target is None or value is None:
                continue
            names = (
                [_text(c) for c in target.named_children]
                if target.type == "expression_list"
                else [_text(target)]
            )
            for name in names:
                found.append((name, value))
        self._assigned[scope.id] = found
        return found

    def _parameters(self, node: tree_sitter.Node) -> set[str]:
        names: set[str] = set()
        parent = node.parent
        while parent is not None:
            params = parent.child_by_field_name("parameters") or (
                parent.child_by_field_name("parameter") if parent.type == "arrow_function" else None
            )
            if params is not None:
                names.update(_identifiers(params))
            parent = parent.parent
        return names

    def dynamic(
        self, node: tree_sitter.Node, depth: int = 0, seen: frozenset[str] = frozenset()
    ) -> bool:
        """Whether ``node`` may carry data that is not a constant of the program."""
        if depth > 6:
            return True
        kind = node.type
        if self.request is not None and self.request.search(_text(node)):
            return True
        if kind in self.spec.literals:
            return False
        if kind in self.spec.strings:
            return self._any(
                self.dynamic(part, depth + 1, seen)
                for inner in _descendants(node, self.spec.interpolations)
                for part in inner.named_children
            )
        if kind in self.spec.identifiers:
            return self._name_dynamic(node, depth, seen)
        function = node.child_by_field_name("function")
        if kind in self.spec.calls or function is not None:
            return self._call_dynamic(node, depth, seen)
        return self._any(self.dynamic(child, depth + 1, seen) for child in node.named_children)

    def _call_dynamic(self, node: tree_sitter.Node, depth: int, seen: frozenset[str]) -> bool:
        parts: list[tree_sitter.Node] = []
        arguments = node.child_by_field_name("arguments")
        if arguments is not None:
            parts.extend(arguments.named_children)
        callee = node.child_by_field_name("function")
        receiver = node.child_by_field_name("object")
        if receiver is None and callee is not None:
            receiver = callee.child_by_field_name("object") or callee.child_by_field_name(
                "expression"
            )
            if callee.type == "selector_expression":
                operand = callee.child_by_field_name("operand")
                if operand is not None and operand.type != "identifier":
                    receiver = operand
        if receiver is not None:
            parts.append(receiver)
        return self._any(self.dynamic(part, depth + 1, seen) for part in parts)

    def _name_dynamic(self, node: tree_sitter.Node, depth: int, seen: frozenset[str]) -> bool:
        name = _text(node)
        if _CONSTANT_NAME.match(name) or name in seen:
            return False
        seen = seen | {name}
        scope = self.scope(node)
        values = [v for n, v in self.assignments(scope) if n == name] if scope is not None else []
        if not values:
            values = [v for n, v in self.assignments(self.root) if n == name]
        if values:
            return self._any(self.dynamic(v, depth + 1, seen) for v in values)
        if name in self._parameters(node):
            self.via_parameter = True
            self.reached.add(name)
            return True
        return False


def _header(function: tree_sitter.Node | None) -> str:
    """A function's text up to its body (modifiers, name, parameters)."""
    if function is None:
        return ""
    body = function.child_by_field_name("body")
    raw = function.text or b""
    if body is not None:
        raw = raw[: body.start_byte - function.start_byte]
    return raw.decode("utf-8", "replace")


def _descendants(node: tree_sitter.Node, kinds: Sequence[str]) -> Iterable[tree_sitter.Node]:
    if not kinds:
        return
    stack = list(node.named_children)
    while stack:
        child = stack.pop()
        if child.type in kinds:
            yield child
        else:
            stack.extend(child.named_children)


def _identifiers(node: tree_sitter.Node) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        child = stack.pop()
        if child.type == "identifier":
            found.add(_text(child))
        elif child.type not in ("type_annotation", "type_identifier"):
            stack.extend(child.named_children)
    return found


def literal_content(text: str) -> str:
    """The characters between a string literal's quotes (prefixes ``@``/``$`` dropped)."""
    text = text.lstrip("@$")
    for quote in ('"""', "'''", '"', "'", "`"):
        if text.startswith(quote) and text.endswith(quote) and len(text) >= 2 * len(quote):
            return text[len(quote) : -len(quote)]
    return text


def secret_value(name: str, value: str) -> bool:
    """Whether ``value`` given to ``name`` looks like a real credential."""
    if not SECRET_NAME.search(name) or _NOT_SECRET_NAME.search(name.replace("-", "_")):
        return False
    content = literal_content(value)
    if len(content) < 4 or any(c.isspace() for c in content) or _PLACEHOLDER.match(content):
        return False
    if content.startswith(("http://", "https://", "/", "classpath:", "env:")):
        return False
    squashed = re.sub(r"[^a-z0-9]", "", content.lower())
    return squashed not in {re.sub(r"[^a-z0-9]", "", name.lower()), "password", "secret", "token"}


def _passes_filters(pattern: Pattern, node: tree_sitter.Node, text: str) -> bool:
    if pattern.text and not _regex(pattern.text).search(_text(node)):
        return False
    if pattern.file_text and not _regex(pattern.file_text).search(text):
        return False
    return not (pattern.unless_file and _regex(pattern.unless_file).search(text))


class _TreeRun:
    """One file's tree-rule run: the flow analysis is built once, when a rule needs it."""

    def __init__(
        self, spec: LanguageSpec, grammar: str, tree: tree_sitter.Tree, path: str = ""
    ) -> None:
        self.spec = spec
        self.grammar = grammar
        self.tree = tree
        self.path = path
        self._flow: _Flow | None = None

    @property
    def flow(self) -> _Flow:
        if self._flow is None:
            self._flow = _Flow(self.spec, self.grammar, self.tree.root_node, self.path)
        return self._flow

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
) -> tuple[list[Match], dict[str, Any]]:
    """:func:`run_tree_rules`, and the file's cross-file taint facts (its hotspots fed by
    parameters, its calls with request input or parameters: :mod:`._taint_facts`)."""
    import tree_sitter as ts

    grammar = spec.grammar_for(path)
    text = source.decode("utf-8", "replace")
    run = _TreeRun(spec, grammar, tree, path)
    matches: list[Match] = []
    seen: set[tuple[str, int, int]] = set()
    lower: bytes | None = None
    for rule, pattern in _present(_tree_patterns(tuple(rules), spec.name), text):
        query = query_for(grammar, pattern.query)
        haystack = source
        if pattern.ignore_case:
            lower = haystack = lower if lower is not None else source.lower()
        found = _pattern_matches(ts, query, tree, haystack, pattern)
        for caps in found:
            node = caps.get("match", [None])[0]
            if node is None or not _passes_filters(pattern, node, text):
                continue
            if not run.in_scope(pattern, node):
                continue
            holds, via_parameter, secret = run.condition(pattern, caps)
            if not holds:
                continue
            key = (rule.id, node.start_point.row, node.start_point.column)
            if key in seen:
                continue
            seen.add(key)
            exploitable = run.flow.exploitable(node, via_parameter) if rule.taint else None
            match = _match(rule, node, caps, exploitable, secret)
            if facts and exploitable is False:
                match.sink = run.sink(caps, node)
            matches.append(match)
    if not facts:
        return matches, {}
    from ._taint_facts import call_facts

    flow = run.flow
    found = call_facts(spec, grammar, tree.root_node, text, flow.request, flow.assignments)
    return matches, found


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
    for rule, pattern in _present(_line_patterns(tuple(rules), language), text):
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
