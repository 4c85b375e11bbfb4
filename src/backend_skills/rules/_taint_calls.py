"""Per-file call facts for cross-file taint: calls with request input, and calls passing
a function's parameter on (see :mod:`backend_skills.rules._taint_facts`).

A call is read only when its arguments mention a name that may carry a parameter or
request input (a textual over-approximation per function, checked first: most calls
pass neither), then its arguments' origins are followed through local assignments.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backend_skills.languages._common import Markers
from backend_skills.languages._index import FileIndex
from backend_skills.languages._spec import LanguageSpec

from ._taint_facts import (
    _MEMBER_KINDS,
    SAFE_TYPES,
    FunctionInfo,
    Parameter,
    _ClassFacts,
    _last_word,
    _member_object,
    _text,
    function_info,
)

if TYPE_CHECKING:
    import tree_sitter

_LAMBDAS = ("lambda_expression", "arrow_function", "func_literal", "function_expression")
_REQUEST: frozenset[str | int] = frozenset({"R"})
_NOTHING: frozenset[str | int] = frozenset()
_WORD_BYTES = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")
#: The type ending just before a declared name (``IRepo ``, ``List<Item> ``, ``Order? ``).
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
    its function (their positions). Local names are followed to every value they are
    given in the function, to a fixed point (``s = s.trim()`` and longer cycles included;
    the answer does not depend on which calls are read first)."""

    def __init__(
        self,
        spec: LanguageSpec,
        request: Markers | None,
        values: Callable[[tree_sitter.Node], dict[str, list[tree_sitter.Node]]],
    ) -> None:
        self.spec = spec
        self.request = request
        self.local_values = values
        self._locals: dict[int, dict[str, frozenset[str | int]]] = {}
        self._opaque = (*spec.literals, *_LAMBDAS)

    def of(
        self, node: tree_sitter.Node, function: tree_sitter.Node, info: FunctionInfo
    ) -> frozenset[str | int]:
        """The origins of ``node``'s value."""
        if self.request is not None and self.request.search(_text(node)):
            return _REQUEST
        locals_ = self.local_origins(function, info)
        found: set[str | int] = set()
        for name in self._names_in(node):
            position = info.index(name)
            if position is not None:
                found |= _parameter(info, position)
            else:
                found |= locals_.get(name, _NOTHING)
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

    def local_origins(
        self, function: tree_sitter.Node, info: FunctionInfo
    ) -> dict[str, frozenset[str | int]]:
        """The origins of every local name of ``function`` (a parameter is its own
        origin even when reassigned), computed once per function."""
        known = self._locals.get(function.id)
        if known is not None:
            return known
        values = self.local_values(function)
        origins: dict[str, set[str | int]] = {}
        reads: dict[str, set[str]] = {}
        for name, nodes in values.items():
            if info.index(name) is not None:
                continue
            origins[name], reads[name] = self._direct(nodes, info, values)
        changed = True
        while changed:  # grows monotonically within a finite set: terminates
            changed = False
            for name, others in reads.items():
                found = origins[name]
                size = len(found)
                for other in others:
                    found |= origins.get(other, set())
                changed = changed or len(found) != size
        answer = {n: _REQUEST if "R" in o else frozenset(o) for n, o in origins.items()}
        self._locals[function.id] = answer
        return answer

    def _direct(
        self,
        nodes: list[tree_sitter.Node],
        info: FunctionInfo,
        values: dict[str, list[tree_sitter.Node]],
    ) -> tuple[set[str | int], set[str]]:
        """What a local's values give it directly (request input, parameters) and the
        other locals they read."""
        found: set[str | int] = set()
        reads: set[str] = set()
        for value in nodes:
            if self.request is not None and self.request.search(_text(value)):
                found.add("R")
                continue
            for name in self._names_in(value):
                position = info.index(name)
                if position is not None:
                    found |= _parameter(info, position)
                elif name in values:
                    reads.add(name)
        return found, reads


def _parameter(info: FunctionInfo, position: int) -> frozenset[str | int]:
    """The origin a parameter gives: nothing for a type that cannot carry text (a number,
    a flag, a date, an id: even bound from the request, it cannot carry an injection),
    request input when bound from the request, else its position."""
    parameter = info.parameters[position]
    if not _carries(parameter):
        return frozenset()
    return _REQUEST if parameter.request else frozenset({position})


def _carries(parameter: Parameter) -> bool:
    """A parameter whose value can carry an injection (of a type that can hold text)."""
    return parameter.type not in SAFE_TYPES


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
        """The type in front of the first ``name`` declared (``IRepo _repo;``): ``name``
        after a space or tab, followed by ``;``, ``=``, ``,`` or ``)`` (substring
        searches: a regular expression per name cost more to compile than to run)."""
        text, start = self.text, 0
        while (at := text.find(name, start)) >= 0:
            start = at + 1
            if at == 0 or text[at - 1] not in " \t":
                continue
            end = at + len(name)
            while end < len(text) and text[end] in " \t":
                end += 1
            if end == len(text) or text[end] not in ";=,)":
                continue
            before = _TYPE_BEFORE.search(text, max(0, at - 121), at)
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


class _FileCalls:
    """Per-function state while the calls of one file are read."""

    def __init__(
        self,
        spec: LanguageSpec,
        index: FileIndex,
        text: str,
        request: Markers | None,
        assignments: Callable[[tree_sitter.Node], list[tuple[str, tree_sitter.Node]]],
    ) -> None:
        self.spec = spec
        self.index = index
        self.text = text
        self.source = index.source
        self.request = request
        self.assignments = assignments
        self._values: dict[int, dict[str, list[tree_sitter.Node]]] | None = None
        self.origins = _Origins(spec, request, self.values)
        self.typed = spec.name in ("csharp", "java")
        self.types = _DeclaredTypes(text)
        self._functions: dict[int, _Function | None] = {}
        self._classes: dict[int, _ClassFacts] = {}

    @functools.cached_property
    def file_requested(self) -> bool:
        """Request input anywhere in the file (else no function holds any)."""
        return self.request is not None and self.request.search(self.text)

    def values(self, function: tree_sitter.Node) -> dict[str, list[tree_sitter.Node]]:
        """The values given to each local name in ``function`` (one pass per file)."""
        if self._values is None:
            self._values = {}
            for name, value in self.assignments(self.index.root):
                owner = self.index.enclosing(value)
                if owner is not None:
                    self._values.setdefault(owner.id, {}).setdefault(name, []).append(value)
        return self._values.get(function.id, {})

    def function(self, node: tree_sitter.Node) -> _Function | None:
        """What reading ``node``'s calls needs, or None when no call of it can pass a
        parameter or request input on (no parameter, no request input in it)."""
        if node.id in self._functions:
            return self._functions[node.id]
        requested = bool(
            self.file_requested and self.request is not None and self.request.search(_text(node))
        )
        known: _Function | None = None
        if requested or _has_parameters(node):
            info = function_info(self.spec, node, self.request, self.source, self._classes)
            carriers = {p.name for p in info.parameters if p.name and _carries(p)}
            if requested or carriers:
                origins = self.origins.local_origins(node, info)
                names = frozenset(carriers | {name for name, found in origins.items() if found})
            else:
                names = frozenset()
            if names or requested:
                known = _Function(node, info, names, requested)
        self._functions[node.id] = known
        return known

    def worth_reading(self, arguments: tree_sitter.Node, function: _Function) -> bool:
        """The arguments mention request input or a name that may carry a parameter."""
        request = self.request if function.requested else None
        if request is not None and request.search(_text(arguments)):
            return True
        if not function.names:
            return False
        return function.mentioned(self.source[arguments.start_byte : arguments.end_byte])

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
        if arguments is None or arguments.named_child_count == 0:
            return [], []
        owner = self.index.enclosing(node)
        function = self.function(owner) if owner is not None else None
        if function is None or not self.worth_reading(arguments, function):
            return [], []
        call = read_call(node)
        if call is None or not call.arguments or not call.name:
            return [], []
        info = function.info
        fact = self.fact(call, node)
        requests: list[dict[str, Any]] = []
        through: list[dict[str, Any]] = []
        for position, argument in enumerate(call.arguments):
            for origin in self.origins.of(argument, function.node, info):
                if origin == "R":
                    requests.append({**fact, "position": position, "from": info.name})
                elif info.name:
                    through.append(
                        {**fact, "position": position, "param": origin, **info.signature()}
                    )
        return requests, through


@dataclass
class _Function:
    """A function whose calls may pass a parameter or request input on."""

    node: tree_sitter.Node
    info: FunctionInfo
    names: frozenset[str]
    """The parameters that can carry an injection and the locals given a value from one
    or from request input: a call whose arguments mention none is not read."""
    requested: bool
    """Request input appears in the function."""

    @functools.cached_property
    def encoded(self) -> tuple[tuple[bytes, ...], frozenset[bytes]]:
        """:attr:`names` as bytes: all of them, and those that are words (a C# ``@event``
        is not: it is looked for as it is written)."""
        raw = tuple(n.encode("utf-8", "surrogatepass") for n in self.names)
        return raw, frozenset(n for n in raw if _WORD_BYTES.fullmatch(n))

    def mentioned(self, text: bytes) -> bool:
        """``text`` mentions one of :attr:`names` (a substring search first: cheap, and
        most arguments mention none; then as a whole word)."""
        raw, words = self.encoded
        present = [n for n in raw if n in text]
        if not present:
            return False
        if any(n not in words for n in present):
            return True
        return not words.isdisjoint(_WORD_BYTES.findall(text))


def _has_parameters(function: tree_sitter.Node) -> bool:
    """The function declares a parameter (a cheap look before :func:`function_info`)."""
    params = function.child_by_field_name("parameters")
    if params is None:
        return function.child_by_field_name("parameter") is not None
    return params.named_child_count > 0


def call_facts(
    spec: LanguageSpec,
    index: FileIndex,
    text: str,
    request: Markers | None,
    assignments: Callable[[tree_sitter.Node], list[tuple[str, tree_sitter.Node]]],
) -> dict[str, list[dict[str, Any]]]:
    """The file's request calls and through calls (see :mod:`._taint_facts`)."""
    calls = _FileCalls(spec, index, text, request, assignments)
    if not calls.file_requested:
        calls.origins.request = None
    requests: list[dict[str, Any]] = []
    through: list[dict[str, Any]] = []
    for node in index.calls:
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
