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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backend_skills.languages._common import Markers
from backend_skills.languages._index import FileIndex
from backend_skills.languages._spec import LanguageSpec

from ._bindings import go_bindings
from ._flow import _DESTRUCTURING, _pattern_names
from ._taint_facts import (
    _GO_CONTEXT,
    _MEMBER_KINDS,
    _MEMBER_OBJECT,
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
#: JavaScript's built-in objects: ``Promise.all(...)`` calls no project method ``all``.
_JS_GLOBALS = frozenset(
    {
        "Promise",
        "Array",
        "Object",
        "JSON",
        "Math",
        "Reflect",
        "Number",
        "String",
        "Date",
        "Symbol",
        "Map",
        "Set",
        "console",
        "Buffer",
        "Intl",
        "BigInt",
        "Atomics",
    }
)
_REQUEST: frozenset[str | int] = frozenset({"R"})
_NOTHING: frozenset[str | int] = frozenset()
_WORD_BYTES = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")
#: The type ending just before a declared name (``IRepo ``, ``List<Item> ``, ``Order? ``).
_TYPE_BEFORE = re.compile(r"\b([A-Z]\w*)(?:<[^<>;(){}]*>)?\??[ \t]$")
_THIS = ("this_expression", "this")


_IDENTIFIER = 1
_MEMBER = 2
_OPAQUE = 4
_COMMENT = 8
_ARGUMENT = 16
_REF_TYPE = 32
_THIS_KIND = 64
_RECEIVER_NAME = 128
_CALLEE_NAME = 256
_CLASS = 512
_PARAMETER_NAME = 1024
_ASSIGNMENT_PATTERN = 2048
_PLAIN_IDENTIFIER = 4096


class _Grammar:
    """What reading calls needs of one grammar: its field ids (``child_by_field_id``
    skips the name lookup), and what each node kind is to it, by kind id (comparing
    ints, not the ``type`` strings each access builds), filled in as kinds are met."""

    def __init__(self, spec: LanguageSpec, grammar: str) -> None:
        from backend_skills.languages._spec import load_language

        self.grammar = grammar
        self._assignment_fields: dict[int, tuple[int, int]] = {}
        self.parameters_read: dict[tuple[int, bytes], tuple[tuple[str, str, bool], ...]] = {}
        """What :meth:`_FileCalls._parameter` read of a parameter, by kind id and text."""
        field = load_language(grammar).field_id_for_name
        self.identifiers, self.opaque = _kinds(spec)
        self.classes = frozenset(spec.classes)
        self.kinds: dict[int, int] = {}
        self.arguments = field("arguments") or 0
        self.name = field("name") or 0
        self.object = field("object") or 0
        self.function = field("function") or 0
        self.parameters = field("parameters") or 0
        self.parameter = field("parameter") or 0
        self.type = field("type") or 0
        self.pattern = field("pattern") or 0
        self.left = field("left") or 0
        self.constructed = tuple(i for n in ("type", "constructor") if (i := field(n)))
        self.member_names = tuple(i for n in ("name", "property", "field") if (i := field(n)))
        self.member_objects = tuple(i for n in _MEMBER_OBJECT if (i := field(n)))

    def kind(self, node: tree_sitter.Node) -> int:
        """The flags of ``node``'s kind."""
        flags = self.kinds.get(node.kind_id)
        if flags is None:
            flags = self.kinds[node.kind_id] = self._flags(node.type)
        return flags

    def _flags(self, kind: str) -> int:
        flags = 0
        if kind in self.identifiers:
            flags |= _IDENTIFIER
        if kind in _MEMBER_KINDS:
            flags |= _MEMBER
        if kind in self.opaque:
            flags |= _OPAQUE
        if "comment" in kind:
            flags |= _COMMENT
        if kind == "argument":
            flags |= _ARGUMENT
        if kind == "ref_type":
            flags |= _REF_TYPE
        if kind in _THIS:
            flags |= _THIS_KIND
        if kind in ("identifier", "property_identifier"):
            flags |= _RECEIVER_NAME
        if kind in ("identifier", "generic_name"):
            flags |= _CALLEE_NAME
        if kind in self.classes:
            flags |= _CLASS
        if kind in ("identifier", "shorthand_property_identifier_pattern"):
            flags |= _PARAMETER_NAME
        if kind == "assignment_pattern":
            flags |= _ASSIGNMENT_PATTERN
        if kind == "identifier":
            flags |= _PLAIN_IDENTIFIER
        return flags

    def assignment_fields(self, spec: LanguageSpec, node: tree_sitter.Node) -> tuple[int, int]:
        """The field ids of the target and the value of assignment ``node`` as
        ``spec.assignments`` names them for its kind (a kind named twice: the last); the
        value -1 for the last named child, 0 for a field the grammar lacks."""
        fields = self._assignment_fields
        found = fields.get(node.kind_id)
        if found is None:
            from backend_skills.languages._spec import load_language

            field = load_language(self.grammar).field_id_for_name
            named = {kind: (name, value) for kind, name, value in spec.assignments}
            name, value = named[node.type]
            target = field(name) or 0
            found = fields[node.kind_id] = (target, (field(value) or 0) if value else -1)
        return found

    def member_name(self, node: tree_sitter.Node) -> tree_sitter.Node | None:
        """The member a member access names (``find`` in ``repo.find``)."""
        return _first_field(node, self.member_names)

    def member_object(self, node: tree_sitter.Node) -> tree_sitter.Node | None:
        """The object of a member access (``repo`` in ``repo.find``)."""
        return _first_field(node, self.member_objects)


def _first_field(node: tree_sitter.Node, field_ids: Iterable[int]) -> tree_sitter.Node | None:
    """The child of ``node`` in the first of ``field_ids`` it has."""
    for field_id in field_ids:
        found = node.child_by_field_id(field_id)
        if found is not None:
            return found
    return None


@functools.cache
def _grammar(spec: LanguageSpec, grammar: str) -> _Grammar:
    return _Grammar(spec, grammar)


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
    for child in reversed(argument.named_children):
        if child.type != "ref_type":
            return child
    return None


def _positional(
    node: tree_sitter.Node, args: tree_sitter.Node | None = None
) -> list[tree_sitter.Node] | None:
    """A call's argument expressions in order; None when some is named (positions lost).
    ``args``: the call's arguments node, when the caller has it."""
    if args is None:
        args = node.child_by_field_name("arguments")
        if args is None:
            return []
    found = []
    for child in args.named_children:
        if "comment" in child.type:
            continue
        expression = _unwrap(child)
        if expression is None:
            return None
        found.append(expression)
    return found


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
    kind = callee.type
    if kind in _MEMBER_KINDS:
        return _member_name(callee), _member_object(callee)
    if kind in ("identifier", "generic_name"):
        return callee, None
    return None, None


def read_call(node: tree_sitter.Node, args: tree_sitter.Node | None = None) -> _Call | None:
    """The callee's name, receiver and positional arguments of a call node (None when
    the arguments are named or the callee is an expression); ``args``: the call's
    arguments node, when the caller has it."""
    arguments = _positional(node, args)
    if arguments is None:
        return None
    constructed = node.child_by_field_name("type") or node.child_by_field_name("constructor")
    if constructed is not None:
        return _Call(_last_word(_text(constructed)), None, arguments, True)
    name, receiver = _callee(node)
    if name is None:
        return None
    return _Call(_last_word(_text(name)), receiver, arguments, False)


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


@functools.cache
def _marker_words(request: Markers) -> tuple[bytes, ...] | None:
    """The words ``request``'s markers cannot match without, as bytes (None when there
    is no such prefilter or a word is not ASCII)."""
    words = request.words
    if words is None or not all(w.isascii() for w in words):
        return None
    # ASCII: in the decoded text exactly where its bytes are in the file's.
    return tuple(sorted({w.encode() for w in words}))


class _RequestText:
    """Whether ranges of a file hold request markers: exactly ``request.search`` of the
    range's text, which is decoded and searched only when the range holds one of the
    words the markers cannot match without (where those words occur is found once per
    file: a range without any costs a bisection, not a decode and a search)."""

    def __init__(self, request: Markers, source: bytes) -> None:
        self.request = request
        self.source = source
        self._words = _marker_words(request)
        self._starts: list[int] | None = None
        self._ends: list[int] = []
        self.none = False
        """The file holds none of the words: no part of it holds a marker."""
        if self._words is not None:
            self.none = not self._find_words()

    def _find_words(self) -> list[int]:
        spans: list[tuple[int, int]] = []
        source = self.source
        for word in self._words or ():
            at = source.find(word)
            while at >= 0:
                spans.append((at, at + len(word)))
                at = source.find(word, at + 1)
        spans.sort()
        self._ends = [end for _, end in spans]
        self._starts = [start for start, _ in spans]
        return self._starts

    def may_hold(self, start: int, end: int) -> bool:
        """``source[start:end]`` holds one of the words (or there are none to look for)."""
        if self._words is None:
            return True
        starts = self._starts if self._starts is not None else self._find_words()
        at = bisect.bisect_left(starts, start)
        count = len(starts)
        if at == count or starts[at] >= end:
            return False
        ends = self._ends
        while ends[at] > end:  # a word running out of the range
            at += 1
            if at == count or starts[at] >= end:
                return False
        return True

    def search(self, start: int, end: int) -> bool:
        """``request.search`` of the text of ``source[start:end]``."""
        return self.request.search(self.source[start:end].decode("utf-8", "replace"))

    def holds(self, start: int, end: int) -> bool:
        """``request.search`` of the text of ``source[start:end]``, after the words."""
        return self.may_hold(start, end) and self.search(start, end)

    def in_node(self, node: tree_sitter.Node) -> bool:
        return self.holds(node.start_byte, node.end_byte)


class _Names:
    """Names looked for in source bytes: as whole words, or as written when they are not
    words (a C# ``@event``). The words of the text looked in are the caller's
    (``_WORD_BYTES.findall``: one scan of the text, then set lookups)."""

    __slots__ = ("names", "others", "words")

    def __init__(self, names: Iterable[str]) -> None:
        self.names = tuple(names)
        self.words: dict[bytes, str] = {}
        others: list[tuple[bytes, str]] = []
        for name in self.names:
            if name.isascii() and name.isidentifier():  # [A-Za-z_][A-Za-z0-9_]*
                self.words[name.encode()] = name
            else:
                others.append((name.encode("utf-8", "surrogatepass"), name))
        self.others = tuple(others)

    def __or__(self, other: _Names) -> _Names:
        merged = _Names(())
        merged.names = (*self.names, *other.names)
        merged.words = {**self.words, **other.words}
        merged.others = (*self.others, *other.others)
        return merged

    def mentioned(self, text: bytes, words: list[bytes]) -> bool:
        """``text`` (whose words are ``words``) mentions one of the names."""
        if not self.words.keys().isdisjoint(words):
            return True
        return bool(self.others) and any(text.find(raw) >= 0 for raw, _ in self.others)

    def mentioned_in(self, text: bytes) -> bool:
        """``mentioned(text, _WORD_BYTES.findall(text))``: a few names are looked for
        one by one (a substring search each, then the word's bounds), cheaper than
        cutting a text into words."""
        known = self.words
        if len(known) > _FEW_NAMES:
            return self.mentioned(text, _WORD_BYTES.findall(text))
        find = text.find
        for word in known:
            if find(word) >= 0 and _has_word(text, word):  # most texts hold none
                return True
        return bool(self.others) and any(find(raw) >= 0 for raw, _ in self.others)

    def found(self, text: bytes) -> list[str]:
        """``found_in(text, _WORD_BYTES.findall(text))`` (as :meth:`mentioned_in`)."""
        known = self.words
        if len(known) > _FEW_NAMES:
            return self.found_in(text, _WORD_BYTES.findall(text))
        find = text.find
        found = [name for word, name in known.items() if find(word) >= 0 and _has_word(text, word)]
        if self.others:
            found += [name for raw, name in self.others if text.find(raw) >= 0]
        return found

    def found_in(self, text: bytes, words: list[bytes]) -> list[str]:
        """The names ``text`` (whose words are ``words``) mentions."""
        known = self.words
        found = [known[w] for w in known.keys() & set(words)]
        if self.others:
            found += [name for raw, name in self.others if text.find(raw) >= 0]
        return found


_NO_NAMES = _Names(())
_PARAMETERS_KEPT = 4096
"""How many parameter readings a grammar keeps (then they are dropped and read again)."""
_FEW_NAMES = 6
_WORD_CHARS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_DIGITS = frozenset(b"0123456789")


def _has_word(text: bytes, word: bytes) -> bool:
    """``word`` (``[A-Za-z_][A-Za-z0-9_]*``) is one of the words ``_WORD_BYTES.findall``
    finds in ``text``: a run of word characters ends with it, and only digits (which
    no word starts with) come before it in the run."""
    at = text.find(word)
    size = len(word)
    while at >= 0:
        after = at + size
        if after == len(text) or text[after] not in _WORD_CHARS:
            before = at - 1
            while before >= 0 and text[before] in _DIGITS:
                before -= 1
            if before < 0 or text[before] not in _WORD_CHARS:
                return True
        at = text.find(word, at + 1)
    return False


class _Function:
    """A function whose calls may pass a parameter or request input on: one with request
    input in it or with a parameter that can carry an injection. What reading its calls
    needs is worked out as late as possible, and only as far as they need it: its
    description, the names given a value in it, the origins of those its calls read."""

    def __init__(
        self,
        calls: _FileCalls,
        node: tree_sitter.Node,
        parameters: list[tuple[tree_sitter.Node, Parameter]],
        carriers: set[str],
        requested: bool,
    ) -> None:
        self.calls = calls
        self.node = node
        self.parameters = parameters
        self.requested = requested
        """Request input appears in the function."""
        self.carriers = _Names(carriers) if carriers else _NO_NAMES
        """The parameters that can carry an injection."""
        self.positions: dict[str, int] = {}
        """Each parameter name's position (the first one's: as :meth:`FunctionInfo.index`)."""
        for position, (_, parameter) in enumerate(parameters):
            if parameter.name:
                self.positions.setdefault(parameter.name, position)
        self._info: FunctionInfo | None = None
        self._signature: dict[str, Any] | None = None
        self._name: str | None = None
        self._values: dict[str, list[tree_sitter.Node]] | None = None
        self._assigned: _Names | None = None
        self._relevant: _Names | None = None
        self._direct: dict[str, tuple[set[str | int], set[str]]] = {}
        self._origins: dict[str, frozenset[str | int]] = {}
        self._read: dict[str, frozenset[str | int]] = {}
        self._lambda_request: frozenset[str] | None = None

    def info(self) -> FunctionInfo:
        """The function's name, class and parameters (bound from the request or not)."""
        if self._info is None:
            calls = self.calls
            self._info = function_info(
                calls.spec,
                self.node,
                calls.request,
                calls.source,
                calls.classes,
                self.parameters,
                calls.markers.in_node if calls.markers is not None else None,
                calls.class_of,
            )
        return self._info

    def name(self) -> str:
        """The function's name (as :meth:`info`'s)."""
        name = self._name
        if name is None:
            name = self._name = self.info().name
        return name

    def signature(self) -> dict[str, Any]:
        if self._signature is None:
            self._signature = self.info().signature()
        return self._signature

    def values(self) -> dict[str, list[tree_sitter.Node]]:
        """The values given to each local name in the function."""
        if self._values is None:
            self._values = self.calls.values(self.node)
        return self._values

    def assigned(self) -> _Names:
        """The locals: names given a value in the function that are not its parameters."""
        if self._assigned is None:
            positions = self.positions
            names = [n for n in self.values() if n not in positions]
            self._assigned = _Names(names) if names else _NO_NAMES
        return self._assigned

    def relevant(self) -> _Names:
        """The names whose reading can give an expression an origin: the carriers and
        the locals (an expression mentioning none has none but request input)."""
        if self._relevant is None:
            self._relevant = self.carriers | self.assigned()
            if self.requested and self.request_lambda_parameters():
                self._relevant = self._relevant | _Names(self.request_lambda_parameters())
        return self._relevant

    def read(self, name: str) -> frozenset[str | int]:
        """The origins reading ``name`` in the function gives: a parameter's, a local's,
        or none."""
        known = self._read.get(name)
        if known is None:
            position = self.positions.get(name)
            if position is not None:
                known = _parameter(self.info(), position)
            elif name in self.values():
                known = self.origin(name)
            elif self.requested and name in self.request_lambda_parameters():
                known = _REQUEST
            else:
                known = _NOTHING
            self._read[name] = known
        return known

    def request_lambda_parameters(self) -> frozenset[str]:
        """The parameters of the function literals inside it that are the request
        (``return func(w http.ResponseWriter, r *http.Request) { in := input(r) ... }``):
        a handler built and returned by a factory function."""
        if self._lambda_request is None:
            found: set[str] = set()
            markers = self.calls.markers
            stack = [self.node]
            while stack and markers is not None:
                node = stack.pop()
                for child in node.named_children:
                    if child.type in _LAMBDAS and child.id != self.node.id:
                        params = child.child_by_field_name("parameters")
                        for param in params.named_children if params is not None else ():
                            if markers.in_node(param):
                                found.update(
                                    self.calls._text(n)
                                    for n in param.children_by_field_name("name")
                                )
                    stack.append(child)
            self._lambda_request = frozenset(found)
        return self._lambda_request

    def origin(self, name: str) -> frozenset[str | int]:
        """The origins of local ``name``: what the values it is given give directly,
        and the origins of the locals they read, followed to the end (``s = s.trim()``
        and longer cycles included). This is the least fixed point of ``origins(x) =
        direct(x) | origins(each local x reads)`` (a parameter is its own origin even
        when reassigned), worked out only for the locals ``name`` depends on."""
        known = self._origins.get(name)
        if known is not None:
            return known
        found: set[str | int] = set()
        seen = {name}
        stack = [name]
        while stack and "R" not in found:
            current = stack.pop()
            done = self._origins.get(current)
            if done is not None:  # complete: everything it depends on is in it
                found |= done
                continue
            direct, reads = self.direct(current)
            found |= direct
            for other in reads:
                if other not in seen:
                    seen.add(other)
                    stack.append(other)
        answer = _REQUEST if "R" in found else frozenset(found)
        self._origins[name] = answer
        return answer

    def direct(self, name: str) -> tuple[set[str | int], set[str]]:
        """What local ``name``'s values give it directly (request input, parameters)
        and the other locals they read."""
        known = self._direct.get(name)
        if known is not None:
            return known
        calls, values, positions = self.calls, self.values(), self.positions
        relevant = self.relevant()
        source = calls.source
        found: set[str | int] = set()
        reads: set[str] = set()
        requested_in, mentioned_in, names_in = (
            calls.requested_in,
            relevant.mentioned_in,
            calls.names_in,
        )
        for value in values.get(name, ()):
            start, end = value.start_byte, value.end_byte
            if requested_in(start, end):
                found.add("R")
                continue
            if not mentioned_in(source[start:end]):
                continue  # reads no carrier and no local
            for read in names_in(value):
                position = positions.get(read)
                if position is not None:
                    found |= _parameter(self.info(), position)
                elif read in values:
                    reads.add(read)
                elif self.requested and read in self.request_lambda_parameters():
                    found.add("R")  # in := input(r), r the request of a closure
        self._direct[name] = found, reads
        return found, reads


_UNSEEN: Any = object()


class _FileCalls:
    """What reading the calls of one file needs, and what it found per function."""

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
        self.source = index.source
        self.request = request
        self.markers = _RequestText(request, self.source) if request is not None else None
        self._file_requested: bool | None = None
        self.assignments = assignments
        """The flow analysis's reading of assignments: :meth:`pairs` reads the same pairs
        by ids (tests/test_taint_calls_pairs.py holds them equal)."""
        self.grammar = _grammar(spec, index.grammar)
        self.typed = spec.name in ("csharp", "java")
        self.text = text
        self._types: _DeclaredTypes | None = None
        self.classes: dict[int, _ClassFacts] = {}
        self._names: dict[int, list[str]] = {}
        self._class_of: dict[int, tree_sitter.Node | None] = {}

    @property
    def file_requested(self) -> bool:
        """Request input anywhere in the file (else no function holds any): searched
        only when a part of the file holds one of the words the markers need."""
        if self._file_requested is None:
            self._file_requested = self.request is not None and self.request.search(self.text)
        return self._file_requested

    def class_of(self, function: tree_sitter.Node) -> tree_sitter.Node | None:
        """The innermost class around ``function`` (as ``_class_of``; what each node
        passed on the way up leads to is kept: a class's methods share the way)."""
        grammar, known = self.grammar, self._class_of
        kinds = grammar.kinds
        passed: list[int] = []
        found: tree_sitter.Node | None = None
        parent = function.parent
        while parent is not None:
            ancestor = parent.id
            cached = known.get(ancestor, _UNSEEN)
            if cached is not _UNSEEN:
                found = cached
                break
            kind = kinds.get(parent.kind_id)
            if kind is None:
                kind = grammar.kind(parent)
            if kind & _CLASS:
                found = parent
                break
            passed.append(ancestor)
            parent = parent.parent
        for ancestor in passed:
            known[ancestor] = found
        return found

    def requested_in(self, start: int, end: int) -> bool:
        """Request input in ``source[start:end]`` (never when there is none in the file:
        the whole file is searched only once a range holds some, most files have none)."""
        markers = self.markers
        if markers is None or markers.none or self._file_requested is False:
            return False
        return markers.may_hold(start, end) and markers.search(start, end) and self.file_requested

    def requested(self, node: tree_sitter.Node) -> bool:
        """Request input in ``node`` (never when there is none in the file)."""
        return self.requested_in(node.start_byte, node.end_byte)

    def pairs(self, function: tree_sitter.Node) -> list[tuple[str, tree_sitter.Node]]:
        """``(name, value)`` of every declaration and assignment in ``function``: the
        flow analysis's ``assignments(function)`` (:func:`._flow.assigned` of each, Go's
        bindings after them), read by field and kind ids and the file's bytes."""
        index, grammar, source = self.index, self.grammar, self.source
        spec, fields = self.spec, grammar.assignment_fields
        decode = bytes.decode
        found: list[tuple[str, tree_sitter.Node]] = []
        for node in index.assignments_in(function):
            target_field, value_field = fields(spec, node)
            target = node.child_by_field_id(target_field) if target_field else None
            if value_field > 0:
                value = node.child_by_field_id(value_field)
            elif value_field == 0:  # a field the grammar does not have
                value = None
            else:  # the last named child, when there are two or more
                count = node.named_child_count
                value = node.named_child(count - 1) if count > 1 else None
            if target is None or value is None:
                continue
            kind = target.type
            if kind == "expression_list":
                for part in target.named_children:
                    found.append(
                        (decode(source[part.start_byte : part.end_byte], "utf-8", "replace"), value)
                    )
            elif kind in _DESTRUCTURING:
                found.extend((name, value) for name in _pattern_names(target))
            else:
                found.append(
                    (decode(source[target.start_byte : target.end_byte], "utf-8", "replace"), value)
                )
        if spec.name == "go":  # c.Bind(&input), Decode(&input)
            found += go_bindings(index, function)
        return found

    def values(self, function: tree_sitter.Node) -> dict[str, list[tree_sitter.Node]]:
        """The values given to each local name in ``function`` (not in a function
        nested in it)."""
        found: dict[str, list[tree_sitter.Node]] = {}
        pairs = self.pairs(function)
        if not pairs:
            return found
        starts = self.index.function_starts
        low = bisect.bisect_left(starts, function.start_byte)
        nested = bisect.bisect_left(starts, function.end_byte) - low > 1
        enclosing = self.index.enclosing
        for name, value in pairs:
            if nested:
                owner = enclosing(value)
                if owner is None or owner.id != function.id:
                    continue
            found.setdefault(name, []).append(value)
        return found

    def function(self, node: tree_sitter.Node) -> _Function | None:
        """The :class:`_Function` of ``node``, or None when no call of it can pass a
        parameter or request input on (no request input in it and no parameter that
        can carry an injection)."""
        found: _Function | None = None
        requested = self.requested(node)
        parameters = self.signature(node)
        carriers = {p.name for _, p in parameters if p.name and _carries(p)}
        if requested or carriers:
            found = _Function(self, node, parameters, carriers, requested)
        return found

    def signature(self, function: tree_sitter.Node) -> list[tuple[tree_sitter.Node, Parameter]]:
        """:func:`signature_parameters` of ``function`` (by kind and field ids, the
        texts from the file's bytes)."""
        grammar = self.grammar
        params = function.child_by_field_id(grammar.parameters) if grammar.parameters else None
        if params is None:
            single = function.child_by_field_id(grammar.parameter) if grammar.parameter else None
            nodes = [single] if single is not None else []
        elif params.named_child_count == 0:
            return []
        else:
            nodes = [c for c in params.named_children if not grammar.kind(c) & _COMMENT]
        known, source = grammar.parameters_read, self.source
        found: list[tuple[tree_sitter.Node, Parameter]] = []
        for node in nodes:
            # A parameter written alike reads alike (``string id``, ``r *http.Request``):
            # read once per kind and text (not where the parser recovered from an error).
            key = (node.kind_id, source[node.start_byte : node.end_byte])
            read = known.get(key)
            if read is None:
                parameters = self._parameter(node)
                if node.has_error:
                    found += [(node, parameter) for parameter in parameters]
                    continue
                if len(known) >= _PARAMETERS_KEPT:
                    known.clear()
                read = known[key] = tuple((p.name, p.type, p.optional) for p in parameters)
            found += [(node, Parameter(name, kind, optional)) for name, kind, optional in read]
        return found

    def _parameter(self, node: tree_sitter.Node) -> list[Parameter]:
        """``_parameter`` of a parameter node (by kind and field ids)."""
        grammar = self.grammar
        kind = grammar.kind(node)
        if kind & _PARAMETER_NAME:
            return [Parameter(self._text(node))]
        typed = node.child_by_field_id(grammar.type) if grammar.type else None
        declared = _declared_type(self._text(typed)) if typed is not None else ""
        optional = self.source.find(b"=", node.start_byte, node.end_byte) >= 0
        names = (node.children_by_field_id(grammar.name) if grammar.name else []) or (
            node.children_by_field_id(grammar.pattern) if grammar.pattern else []
        )
        if kind & _ASSIGNMENT_PATTERN:  # JavaScript: (name = 'x')
            left = node.child_by_field_id(grammar.left) if grammar.left else None
            names = [left] if left is not None else []
            optional = True
        if not names:
            return [Parameter("", declared, optional)]
        return [
            Parameter(
                self._text(n) if grammar.kind(n) & _PLAIN_IDENTIFIER else "", declared, optional
            )
            for n in names
        ]

    def worth_reading(self, arguments: tree_sitter.Node, function: _Function) -> bool:
        """The arguments mention request input, a parameter that can carry an injection
        or a local given a value from one of them (or from request input)."""
        start, end = arguments.start_byte, arguments.end_byte
        if function.requested:
            markers = self.markers  # not None: the function holds request input
            if (
                markers is not None
                and markers.may_hold(start, end)
                and markers.search(start, end)
                and self.file_requested
            ):
                return True  # as requested_in
        text = self.source[start:end]
        if function.carriers.mentioned_in(text):
            return True
        lambdas = function.request_lambda_parameters() if function.requested else frozenset()
        if lambdas and _Names(lambdas).mentioned_in(text):
            return True  # input(r), r the request of a closure
        assigned = function.assigned()
        return assigned is not _NO_NAMES and any(function.origin(n) for n in assigned.found(text))

    def origins(self, node: tree_sitter.Node, function: _Function) -> frozenset[str | int]:
        """Where ``node``'s value comes from: request input (``"R"``) or parameters of
        ``function`` (their positions)."""
        start, end = node.start_byte, node.end_byte
        markers = self.markers
        if (
            markers is not None
            and markers.may_hold(start, end)
            and self._file_requested is not False
            and markers.search(start, end)
            and self.file_requested
        ):
            return _REQUEST  # as requested_in
        kind = self.grammar.kinds.get(node.kind_id)
        if kind is None:
            kind = self.grammar.kind(node)
        if kind & _IDENTIFIER:
            return function.read(self.source[start:end].decode("utf-8", "replace"))
        if kind & _OPAQUE and not kind & _MEMBER:
            return _NOTHING  # a literal, an anonymous function: reads no variable
        if not function.relevant().mentioned_in(self.source[start:end]):
            return _NOTHING  # reads no carrier and no local
        found: set[str | int] = set()
        read = function.read
        for name in self.names_in(node):
            found |= read(name)
            if "R" in found:
                return _REQUEST
        return frozenset(found)

    def names_in(self, node: tree_sitter.Node) -> list[str]:
        """The variables ``node`` reads (a member access reads its object only; once
        per node: Go gives ``a, err := f(x)``'s value to both names)."""
        known = self._names.get(node.id)
        if known is not None:
            return known
        grammar, source = self.grammar, self.source
        kinds, objects = grammar.kinds, grammar.member_objects
        names: list[str] = []
        stack = [node]
        pop, push, extend = stack.pop, stack.append, stack.extend
        while stack:
            current = pop()
            kind = kinds.get(current.kind_id)
            if kind is None:
                kind = grammar.kind(current)
            if kind & _IDENTIFIER:
                text = source[current.start_byte : current.end_byte]
                names.append(text.decode("utf-8", "replace"))
            elif kind & _MEMBER:
                for field_id in objects:  # as _Grammar.member_object
                    owner = current.child_by_field_id(field_id)
                    if owner is not None:
                        push(owner)
                        break
            elif not kind & _OPAQUE:
                extend(current.named_children)
        self._names[node.id] = names
        return names

    def read(
        self,
        nodes: list[tree_sitter.Node],
        requests: list[dict[str, Any]],
        through: list[dict[str, Any]],
    ) -> None:
        """Add the request facts and the through facts of the call ``nodes`` (in
        document order; each fact once)."""
        index = self.index
        functions = index.functions
        field = self.grammar.arguments
        # Byte offsets as ints, read once (each ``start_byte`` is a call into the node).
        starts = index.call_starts if nodes is index.calls else [n.start_byte for n in nodes]
        begins = index.function_starts
        finishes = [f.end_byte for f in functions]
        known: list[_Function | None] = [_UNSEEN] * len(functions)
        count, after, last = len(functions), 0, -1
        open_: list[int] = []  # the functions that may hold the next call
        seen: set[tuple[Any, ...]] = set()
        for at, start in enumerate(starts):
            owner = -1
            if start >= last:  # in order: the innermost function holding it, in one sweep
                last = start
                while after < count and begins[after] <= start:
                    while open_ and finishes[open_[-1]] < begins[after]:
                        open_.pop()
                    open_.append(after)
                    after += 1
                while open_ and finishes[open_[-1]] < start:
                    open_.pop()
                if not open_:
                    continue  # in no function
                candidates: Iterable[int] = reversed(open_)
            else:  # as FileIndex.enclosing
                candidates = range(bisect.bisect_right(begins, start) - 1, -1, -1)
            end = nodes[at].end_byte
            for candidate in candidates:
                if finishes[candidate] >= end and (
                    begins[candidate] != start
                    or finishes[candidate] != end
                    or functions[candidate].id != nodes[at].id
                ):
                    owner = candidate
                    break
            if owner < 0:
                continue
            function = known[owner]
            if function is _UNSEEN:
                function = known[owner] = self.function(functions[owner])
            if function is None:
                continue  # no call of it can pass a parameter or request input on
            node = nodes[at]
            arguments = node.child_by_field_id(field) if field else None
            if arguments is None or arguments.named_child_count == 0:
                continue
            if self.worth_reading(arguments, function):
                self.facts_of(node, arguments, function, requests, through, seen)

    def facts_of(
        self,
        node: tree_sitter.Node,
        arguments: tree_sitter.Node,
        function: _Function,
        requests: list[dict[str, Any]],
        through: list[dict[str, Any]],
        seen: set[tuple[Any, ...]],
    ) -> None:
        """Add the request facts and through facts of one call node (the callee is
        read once an argument has an origin: most calls read have none)."""
        expressions = self.positional(arguments)
        if not expressions:
            return
        call: _Call | None = None
        fact: dict[str, Any] | None = None
        key: tuple[Any, ...] = ()
        for position, argument in enumerate(expressions):
            found = self.origins(argument, function)
            if not found:
                continue
            if fact is None:
                call = self.callee(node, expressions)
                if call is None or not call.name:
                    return
                fact = self.fact(call, node)
                key = (fact["call"], fact["receiver"], fact["args"], fact["line"])
            name = function.name()
            if "R" in found:
                unique = (*key, position, "R")
                if unique not in seen:
                    seen.add(unique)
                    requests.append({**fact, "position": position, "from": name})
            elif name:
                signature = function.signature()
                method = signature["method"]
                params = sorted(found) if len(found) > 1 else found  # positions only: no "R"
                for param in params:
                    unique = (*key, position, param, method)
                    if unique not in seen:
                        seen.add(unique)
                        through.append({**fact, "position": position, "param": param, **signature})

    def positional(self, args: tree_sitter.Node) -> list[tree_sitter.Node] | None:
        """:func:`_positional` of a call's arguments node ``args`` (by kind and field
        ids)."""
        grammar = self.grammar
        kinds = grammar.kinds
        arguments: list[tree_sitter.Node] = []
        for child in args.named_children:
            kind = kinds.get(child.kind_id)
            if kind is None:
                kind = grammar.kind(child)
            if kind & _COMMENT:
                continue
            if kind & _ARGUMENT:
                expression = self._unwrap(child)
                if expression is None:
                    return None
                arguments.append(expression)
            else:
                arguments.append(child)
        return arguments

    def callee(self, node: tree_sitter.Node, arguments: list[tree_sitter.Node]) -> _Call | None:
        """:func:`read_call` of call ``node`` whose positional arguments are
        ``arguments`` (by kind and field ids)."""
        for field_id in self.grammar.constructed:
            constructed = node.child_by_field_id(field_id)
            if constructed is not None:
                return _Call(_last_word(self._text(constructed)), None, arguments, True)
        name, receiver = self._callee(node)
        if name is None:
            return None
        if (
            receiver is not None
            and self._text(receiver) in _JS_GLOBALS
            and self.spec.name
            in (
                "javascript",
                "typescript",
            )
        ):
            return None  # Promise.all(...), Object.assign(...): no method of the project's
        return _Call(_last_word(self._text(name)), receiver, arguments, False)

    def _text(self, node: tree_sitter.Node) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def _unwrap(self, argument: tree_sitter.Node) -> tree_sitter.Node | None:
        """The expression of a C# ``argument`` (None for a named argument)."""
        if self.grammar.name and argument.child_by_field_id(self.grammar.name) is not None:
            return None
        for child in reversed(argument.named_children):
            if not self.grammar.kind(child) & _REF_TYPE:
                return child
        return None

    def _callee(
        self, node: tree_sitter.Node
    ) -> tuple[tree_sitter.Node | None, tree_sitter.Node | None]:
        """:func:`_callee` by kind and field ids."""
        grammar = self.grammar
        if grammar.name:
            name = node.child_by_field_id(grammar.name)
            if name is not None:
                return name, node.child_by_field_id(grammar.object) if grammar.object else None
        callee = node.child_by_field_id(grammar.function) if grammar.function else None
        if callee is None:
            return None, None
        kind = grammar.kind(callee)
        if kind & _MEMBER:
            return grammar.member_name(callee), grammar.member_object(callee)
        if kind & _CALLEE_NAME:
            return callee, None
        return None, None

    def receiver_type(self, receiver: tree_sitter.Node | None) -> str:
        """:func:`receiver_type` by kind and field ids."""
        if self._types is None:
            self._types = _DeclaredTypes(self.text)
        if receiver is None:
            return ""
        grammar = self.grammar
        if grammar.kind(receiver) & _MEMBER:
            owner = grammar.member_object(receiver)
            if owner is None or not grammar.kind(owner) & _THIS_KIND:
                return ""
            receiver = grammar.member_name(receiver)
            if receiver is None:
                return ""
        if not grammar.kind(receiver) & _RECEIVER_NAME:
            return ""
        name = self._text(receiver)
        return self._types.get(name, name if name[:1].isupper() else "")

    def fact(self, call: _Call, node: tree_sitter.Node) -> dict[str, Any]:
        """What the join needs of a call: callee, receiver type, arity, line."""
        receiver = self.receiver_type(call.receiver) if self.typed else ""
        return {
            "call": call.name,
            "receiver": receiver,
            "args": len(call.arguments),
            "new": call.new,
            "line": node.start_point.row + 1,
        }


@functools.lru_cache(maxsize=1024)
def _declared_type(written: str) -> str:
    """The type a parameter declared as ``written`` has to :data:`SAFE_TYPES` (its last
    word; Go's ``context.Context`` whole), once per spelling (most repeat)."""
    return _GO_CONTEXT if written == _GO_CONTEXT else _last_word(written)


@functools.cache
def _kinds(spec: LanguageSpec) -> tuple[frozenset[str], frozenset[str]]:
    """The identifier kinds of ``spec``, and the kinds whose value reads no variable
    (literals, anonymous functions: a lambda's parameters are its own)."""
    return frozenset(spec.identifiers), frozenset((*spec.literals, *_LAMBDAS))


def call_facts(
    spec: LanguageSpec,
    index: FileIndex,
    text: str,
    request: Markers | None,
    assignments: Callable[[tree_sitter.Node], list[tuple[str, tree_sitter.Node]]],
) -> dict[str, list[dict[str, Any]]]:
    """The file's request calls and through calls (see :mod:`._taint_facts`);
    ``assignments``: the flow analysis's ``(name, value)`` pairs of a scope (the reader
    reads the same pairs itself, by field and kind ids: :meth:`_FileCalls.pairs`)."""
    requests: list[dict[str, Any]] = []
    through: list[dict[str, Any]] = []
    if index.calls:
        _FileCalls(spec, index, text, request, assignments).read(index.calls, requests, through)
    return {"requests": requests, "through": through}
