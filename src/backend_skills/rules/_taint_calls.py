"""Per-file call facts for cross-file taint: calls with request input, and calls passing
a function's parameter on (see :mod:`backend_skills.rules._taint_facts`).

A call is read only when its arguments mention a name that may carry a parameter or
request input (a textual over-approximation per function, checked first: most calls
pass neither), then its arguments' origins are followed through local assignments.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backend_skills.languages._common import Markers
from backend_skills.languages._spec import LanguageSpec, kinds_query, query_for

from ._taint_facts import (
    _MEMBER_KINDS,
    _WORD,
    SAFE_TYPES,
    FunctionInfo,
    _last_word,
    _member_object,
    _text,
    function_info,
)

if TYPE_CHECKING:
    import tree_sitter

_LAMBDAS = ("lambda_expression", "arrow_function", "func_literal", "function_expression")
_REQUEST: frozenset[str | int] = frozenset({"R"})
_TYPE_BEFORE = re.compile(r"\b([A-Z]\w*)(?:<[^<>;(){}]*>)?\??[ \t]$")
_THIS = ("this_expression", "this")


@dataclass
class _Call:
    name: str
    receiver: tree_sitter.Node | None
    arguments: list[tree_sitter.Node]
    new: bool


def _unwrap(argument: tree_sitter.Node) -> tree_sitter.Node | None:
    """The expression of a positional argument (None for a C# named argument)."""
    if argument.type != "argument":
        return argument
    if argument.child_by_field_name("name") is not None:
        return None
    inner = [c for c in argument.named_children if c.type != "ref_type"]
    return inner[-1] if inner else None


def _positional(node: tree_sitter.Node) -> list[tree_sitter.Node] | None:
    """A call's argument expressions in order; None when some is named (positions lost)."""
    args = node.child_by_field_name("arguments")
    if args is None:
        return []
    written = [c for c in args.named_children if "comment" not in c.type]
    found = [a for c in written if (a := _unwrap(c)) is not None]
    return found if len(found) == len(written) else None


def _member_name(callee: tree_sitter.Node) -> tree_sitter.Node | None:
    return (
        callee.child_by_field_name("name")
        or callee.child_by_field_name("property")
        or callee.child_by_field_name("field")
    )


def _callee(node: tree_sitter.Node) -> tuple[tree_sitter.Node | None, tree_sitter.Node | None]:
    """The called name's node and the receiver's (Java ``object.name(...)``, a member
    access ``receiver.name(...)``, a plain ``name(...)``)."""
    name = node.child_by_field_name("name")
    if name is not None:
        return name, node.child_by_field_name("object")
    callee = node.child_by_field_name("function")
    if callee is None:
        return None, None
    if callee.type in _MEMBER_KINDS:
        return _member_name(callee), _member_object(callee)
    if callee.type in ("identifier", "generic_name"):
        return callee, None
    return None, None


def read_call(node: tree_sitter.Node) -> _Call | None:
    """The callee's name, receiver and positional arguments of a call node (None when
    the arguments are named or the callee is an expression)."""
    arguments = _positional(node)
    if arguments is None:
        return None
    constructed = node.child_by_field_name("type") or node.child_by_field_name("constructor")
    if constructed is not None:
        return _Call(_last_word(_text(constructed)), None, arguments, True)
    name, receiver = _callee(node)
    if name is None:
        return None
    return _Call(_last_word(_text(name)), receiver, arguments, False)


class _Origins:
    """Where an expression's value comes from: request input (``"R"``) or parameters of
    its function (their positions). Local names are followed to the values they are
    given (memoised per function and name: one answer per name, cycles cut)."""

    def __init__(
        self,
        spec: LanguageSpec,
        request: Markers | None,
        values: Callable[[tree_sitter.Node], dict[str, list[tree_sitter.Node]]],
    ) -> None:
        self.spec = spec
        self.request = request
        self.local_values = values
        self._names: dict[tuple[int, str], frozenset[str | int]] = {}
        self._opaque = (*spec.literals, *_LAMBDAS)

    def of(
        self, node: tree_sitter.Node, function: tree_sitter.Node, info: FunctionInfo, depth: int = 0
    ) -> frozenset[str | int]:
        """The origins of ``node``'s value."""
        if self.request is not None and self.request.search(_text(node)):
            return _REQUEST
        found: set[str | int] = set()
        for name in self._names_in(node):
            found |= self._name(name, function, info, depth)
            if "R" in found:
                return _REQUEST
        return frozenset(found)

    def _names_in(self, node: tree_sitter.Node) -> list[str]:
        """The variables ``node`` reads (a member access reads its object only)."""
        names: list[str] = []
        stack = [node]
        while stack:
            current = stack.pop()
            kind = current.type
            if kind in self.spec.identifiers:
                names.append(_text(current))
            elif kind in _MEMBER_KINDS:
                owner = _member_object(current)
                if owner is not None:
                    stack.append(owner)
            elif kind not in self._opaque:
                stack.extend(current.named_children)
        return names

    def _name(
        self, name: str, function: tree_sitter.Node, info: FunctionInfo, depth: int
    ) -> frozenset[str | int]:
        key = (function.id, name)
        known = self._names.get(key)
        if known is not None:
            return known
        position = info.index(name)
        if position is not None:
            parameter = info.parameters[position]
            if parameter.request:
                answer: frozenset[str | int] = _REQUEST
            elif parameter.type in SAFE_TYPES:
                answer = frozenset()
            else:
                answer = frozenset({position})
            self._names[key] = answer
            return answer
        self._names[key] = frozenset()  # a cycle or too deep: nothing
        if depth > 4:
            return frozenset()
        found: set[str | int] = set()
        for value in self.local_values(function).get(name, ()):
            found |= self.of(value, function, info, depth + 1)
        answer = frozenset(found)
        self._names[key] = answer
        return answer


class _DeclaredTypes:
    """``name -> type`` of the fields, locals and parameters a file declares as
    ``Type name`` (looked up per receiver name, once)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._known: dict[str, str] = {}

    def get(self, name: str, default: str) -> str:
        found = self._known.get(name)
        if found is None:
            found = self._known[name] = self._declared(name)
        return found or default

    def _declared(self, name: str) -> str:
        """The type in front of the first ``name`` declared (``IRepo _repo;``)."""
        for match in re.finditer(rf"[ \t]{re.escape(name)}[ \t]*[;=,)]", self.text):
            before = _TYPE_BEFORE.search(self.text, max(0, match.start() - 120), match.start() + 1)
            if before is not None:
                return before.group(1)
        return ""


def receiver_type(receiver: tree_sitter.Node | None, types: _DeclaredTypes) -> str:
    """The declared type of the receiver (``_repo``, ``this.repo``) when the file names
    it; a capitalised name is a type itself (a static call); '' when unknown."""
    if receiver is not None and receiver.type in _MEMBER_KINDS:
        owner = _member_object(receiver)
        receiver = _member_name(receiver) if owner is not None and owner.type in _THIS else None
    if receiver is None or receiver.type not in ("identifier", "property_identifier"):
        return ""
    name = _text(receiver)
    return types.get(name, name if name[:1].isupper() else "")


def _mentions(text: str, names: set[str], request: Markers | None) -> bool:
    return not names.isdisjoint(_WORD.findall(text)) or bool(request and request.search(text))


def candidate_names(
    info: FunctionInfo,
    values: dict[str, list[tree_sitter.Node]],
    request: Markers | None,
) -> frozenset[str]:
    """A cheap over-approximation of the names that may carry a parameter or request
    input in a function (its parameters, and locals given a value that mentions one):
    a call whose arguments mention none of them is not looked at further."""
    names = {p.name for p in info.parameters if p.name and p.type not in SAFE_TYPES}
    texts = {target: [_text(v) for v in nodes] for target, nodes in values.items()}
    for _ in range(3):
        grown = {t for t, sources in texts.items() if _given(t, sources, names, request)}
        if not grown:
            break
        names |= grown
    return frozenset(names)


def _given(target: str, sources: list[str], names: set[str], request: Markers | None) -> bool:
    """``target`` is not yet a candidate and one of its values mentions one."""
    return target not in names and any(_mentions(t, names, request) for t in sources)


class _FileCalls:
    """Per-function state while the calls of one file are read."""

    def __init__(
        self,
        spec: LanguageSpec,
        text: str,
        request: Markers | None,
        assignments: Callable[[tree_sitter.Node], list[tuple[str, tree_sitter.Node]]],
    ) -> None:
        self.spec = spec
        self.text = text
        self.request = request
        self.root: tree_sitter.Node | None = None
        self.assignments = assignments
        self._values: dict[int, dict[str, list[tree_sitter.Node]]] | None = None
        self.origins = _Origins(spec, request, self.values)
        self.typed = spec.name in ("csharp", "java")
        self.types = _DeclaredTypes(text)
        self.grammar = ""
        self._spans: list[tree_sitter.Node] | None = None
        self._starts: list[int] = []
        self._functions: dict[int, tuple[FunctionInfo, frozenset[str]]] = {}

    @functools.cached_property
    def file_requested(self) -> bool:
        """Request input anywhere in the file (else no function holds any)."""
        return self.request is not None and self.request.search(self.text)

    def enclosing(self, node: tree_sitter.Node) -> tree_sitter.Node | None:
        """The innermost function around ``node``, by byte ranges (a node's parent is
        found by walking down from the root: going up node by node costs the depth
        squared)."""
        if self._spans is None:
            assert self.root is not None
            import tree_sitter as ts

            query = query_for(self.grammar, kinds_query(self.spec.functions, "f"))
            found = ts.QueryCursor(query).captures(self.root).get("f", [])
            self._spans = sorted(found, key=lambda n: n.start_byte)
            self._starts = [n.start_byte for n in self._spans]
        index = bisect.bisect_right(self._starts, node.start_byte) - 1
        while index >= 0:
            candidate = self._spans[index]
            if candidate.end_byte >= node.end_byte and candidate.id != node.id:
                return candidate
            index -= 1
        return None

    def values(self, function: tree_sitter.Node) -> dict[str, list[tree_sitter.Node]]:
        """The values given to each local name in ``function`` (one query per file)."""
        if self._values is None:
            assert self.root is not None
            self._values = {}
            for name, value in self.assignments(self.root):
                owner = self.enclosing(value)
                if owner is not None:
                    self._values.setdefault(owner.id, {}).setdefault(name, []).append(value)
        return self._values.get(function.id, {})

    def function(self, node: tree_sitter.Node) -> tuple[FunctionInfo, frozenset[str]]:
        known = self._functions.get(node.id)
        if known is None:
            info = function_info(self.spec, node, self.request)
            if any(p.name and p.type not in SAFE_TYPES for p in info.parameters) or (
                self.file_requested
                and self.request is not None
                and self.request.search(_text(node))
            ):
                names = candidate_names(info, self.values(node), self.request)
            else:
                names = frozenset()
            known = self._functions[node.id] = (info, names)
        return known

    def worth_reading(self, arguments: tree_sitter.Node, names: frozenset[str]) -> bool:
        text = _text(arguments)
        if self.file_requested and self.request is not None and self.request.search(text):
            return True
        return bool(names) and not names.isdisjoint(_WORD.findall(text))

    def fact(self, call: _Call, node: tree_sitter.Node) -> dict[str, Any]:
        """What the join needs of a call: callee, receiver type, arity, line."""
        return {
            "call": call.name,
            "receiver": receiver_type(call.receiver, self.types) if self.typed else "",
            "args": len(call.arguments),
            "new": call.new,
            "line": node.start_point.row + 1,
        }

    def facts_of(self, node: tree_sitter.Node) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The request facts and through facts of one call node."""
        arguments = node.child_by_field_name("arguments")
        function = self.enclosing(node) if arguments is not None else None
        if function is None or arguments is None or arguments.named_child_count == 0:
            return [], []
        info, names = self.function(function)
        call = read_call(node) if self.worth_reading(arguments, names) else None
        if call is None or not call.arguments or not call.name:
            return [], []
        fact = self.fact(call, node)
        requests: list[dict[str, Any]] = []
        through: list[dict[str, Any]] = []
        for position, argument in enumerate(call.arguments):
            for origin in self.origins.of(argument, function, info):
                if origin == "R":
                    requests.append({**fact, "position": position, "from": info.name})
                elif info.name:
                    through.append(
                        {**fact, "position": position, "param": origin, **info.signature()}
                    )
        return requests, through


def call_facts(
    spec: LanguageSpec,
    grammar: str,
    root: tree_sitter.Node,
    text: str,
    request: Markers | None,
    assignments: Callable[[tree_sitter.Node], list[tuple[str, tree_sitter.Node]]],
) -> dict[str, list[dict[str, Any]]]:
    """The file's request calls and through calls (see :mod:`._taint_facts`)."""
    import tree_sitter as ts

    query = query_for(grammar, kinds_query(spec.calls, "call"))
    calls = _FileCalls(spec, text, request, assignments)
    calls.root, calls.grammar = root, grammar
    if not calls.file_requested:
        calls.origins.request = None
    requests: list[dict[str, Any]] = []
    through: list[dict[str, Any]] = []
    for node in ts.QueryCursor(query).captures(root).get("call", []):
        found, passed = calls.facts_of(node)
        requests += found
        through += passed
    return {"requests": _unique(requests), "through": _unique(through)}


def _unique(facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for fact in facts:
        key = (
            fact["call"],
            fact["receiver"],
            fact["args"],
            fact["line"],
            fact["position"],
            fact.get("param"),
            fact.get("method"),
        )
        if key not in seen:
            seen.add(key)
            out.append(fact)
    return out
