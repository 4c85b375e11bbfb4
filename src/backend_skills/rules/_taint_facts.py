"""Per-file facts for cross-file taint: which methods pass a parameter into a sink, which
pass a parameter on to another call, and which calls receive request input.

The within-file analysis (:mod:`backend_skills.rules._engine`) calls a taint rule's match
a *vulnerability* when request input appears in its function, a *hotspot* otherwise. A
data-access class whose methods take the SQL fragments as parameters stays a hotspot
there: the request is read elsewhere (a controller, a Web Forms page). These facts,
recorded per file (cached and computed in the process pool with the rest of the file's
analysis), let :mod:`backend_skills.rules._taint_join` join callers and callees across
files:

- a **sink** (:func:`sink_summary`): method ``M`` of class ``C`` (arity ``n``) passes its
  parameter ``i`` into a taint rule's sink, at a finding's line;
- a **through** call (:func:`call_facts`): method ``F`` passes its parameter ``i`` to a call
  of ``N`` with ``k`` arguments at position ``j`` (one level of wrappers: a handler
  calling a repository);
- a **request** call: ``N`` is called with request input at position ``j`` (the request
  read in the calling function: request markers, a model-bound parameter of a controller
  action, the ``.Text`` of a Web Forms control).

Everything is plain JSON data (lists and dicts of strings and numbers): it travels
through the result cache. Conservative on purpose: a constant argument, a numeric or
boolean parameter and a lambda's parameter carry nothing.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from backend_skills.languages._common import Markers
from backend_skills.languages._spec import LanguageSpec, kinds_query, query_for

if TYPE_CHECKING:
    import tree_sitter

#: Parameter types that cannot carry an injection (a number, a flag, a date, an id).
SAFE_TYPES = frozenset(
    {
        "int",
        "long",
        "short",
        "byte",
        "sbyte",
        "uint",
        "ulong",
        "ushort",
        "decimal",
        "double",
        "float",
        "bool",
        "boolean",
        "Boolean",
        "Integer",
        "Long",
        "Short",
        "Double",
        "Float",
        "BigDecimal",
        "BigInteger",
        "Guid",
        "UUID",
        "DateTime",
        "DateTimeOffset",
        "DateOnly",
        "TimeSpan",
        "LocalDate",
        "LocalDateTime",
        "Instant",
        "number",
        "bigint",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "float32",
        "float64",
        "CancellationToken",
    }
)
#: Parameters of a controller action that are not bound from the request.
_FRAMEWORK_TYPES = frozenset(
    {
        "CancellationToken",
        "HttpContext",
        "Model",
        "ModelMap",
        "BindingResult",
        "Errors",
        "HttpServletResponse",
        "Principal",
        "Authentication",
        "RedirectAttributes",
        "SessionStatus",
        "Locale",
    }
)
_CONTROLLER_BASE = re.compile(r"\b(?:Controller|ControllerBase|ApiController|PageModel)\b")
_CSHARP_ACTION = re.compile(r"\[\s*(?:Http(?:Get|Post|Put|Delete|Patch)|Route|WebMethod)\b")
_JAVA_ROUTE = re.compile(
    r"@(?:(?:Get|Post|Put|Delete|Patch|Request)Mapping|GET|POST|PUT|DELETE|PATCH)\b"
)
_NOT_BOUND = re.compile(r"\[\s*FromServices\b|@(?:Autowired|Value)\b")
_HANDLER_OF = re.compile(r"\w*Handler\s*<\s*([A-Za-z_]\w*)")
_WORD = re.compile(r"[A-Za-z_]\w*")
_MEMBER_KINDS = (
    "member_access_expression",
    "field_access",
    "member_expression",
    "selector_expression",
    "conditional_access_expression",
)
_MEMBER_OBJECT = ("expression", "object", "operand")
_FUNCTION_VALUE_PARENTS = ("variable_declarator", "pair", "assignment_expression")
_LAMBDAS = ("lambda_expression", "arrow_function", "func_literal", "function_expression")
_REQUEST: frozenset[str | int] = frozenset({"R"})
_DECLARATION = re.compile(r"\b([A-Z]\w*)(?:<[^<>;(){}]*>)?\??[ \t]+(_?\w+)[ \t]*(?=[;=,)])")


def _text(node: tree_sitter.Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", "replace")


def _last_word(text: str) -> str:
    """``CityQueries.GetCityByNameQuery<T>`` -> ``GetCityByNameQuery``."""
    words = _WORD.findall(text.split("<", 1)[0])
    return words[-1] if words else ""


@dataclass
class Parameter:
    """One parameter of a function signature."""

    name: str
    type: str = ""
    optional: bool = False
    request: bool = False
    """Bound from the request (a controller action's model-bound parameter)."""


@dataclass
class FunctionInfo:
    """A function as the cross-file join knows it."""

    name: str
    cls: str = ""
    bases: list[str] = field(default_factory=list)
    handles: list[str] = field(default_factory=list)
    """Message types the class handles (``IRequestHandler<GetCityQuery, ...>``)."""
    parameters: list[Parameter] = field(default_factory=list)

    def index(self, name: str) -> int | None:
        """Position of parameter ``name`` (None when it is not one of ours)."""
        for position, parameter in enumerate(self.parameters):
            if parameter.name == name and name:
                return position
        return None

    def signature(self) -> dict[str, Any]:
        """The JSON fields identifying the function in a fact."""
        return {
            "method": self.name,
            "class": self.cls,
            "bases": self.bases,
            "handles": self.handles,
            "arity": len(self.parameters),
            "required": sum(1 for p in self.parameters if not p.optional),
        }


def _class_of(spec: LanguageSpec, node: tree_sitter.Node) -> tree_sitter.Node | None:
    parent = node.parent
    while parent is not None and parent.type not in spec.classes:
        parent = parent.parent
    return parent


def _header(node: tree_sitter.Node) -> str:
    body = node.child_by_field_name("body")
    raw = node.text or b""
    if body is not None:
        raw = raw[: body.start_byte - node.start_byte]
    return raw.decode("utf-8", "replace")


def _function_name(node: tree_sitter.Node) -> str:
    name = node.child_by_field_name("name")
    if name is not None:
        return _text(name)
    parent = node.parent  # JavaScript: const find = (a) => ..., { find: function (a) {} }
    if parent is None or parent.type not in _FUNCTION_VALUE_PARENTS:
        return ""
    target = (
        parent.child_by_field_name("name")
        or parent.child_by_field_name("key")
        or parent.child_by_field_name("left")
    )
    if target is not None and target.type == "member_expression":
        target = target.child_by_field_name("property")
    return _text(target)


def _parameter_nodes(function: tree_sitter.Node) -> list[tree_sitter.Node]:
    params = function.child_by_field_name("parameters")
    if params is None:
        single = function.child_by_field_name("parameter")  # x => ...
        return [single] if single is not None else []
    return [c for c in params.named_children if "comment" not in c.type]


def _parameter(node: tree_sitter.Node) -> list[Parameter]:
    """The parameter(s) one parameter node declares (Go: ``a, b string`` is two)."""
    kind = _last_word(_text(node.child_by_field_name("type")))
    optional = "=" in _text(node) and node.type != "identifier"
    if node.type in ("identifier", "shorthand_property_identifier_pattern"):
        return [Parameter(_text(node))]
    names = node.children_by_field_name("name") or node.children_by_field_name("pattern")
    if node.type == "assignment_pattern":  # JavaScript: (name = 'x')
        names = [n for n in (node.child_by_field_name("left"),) if n is not None]
        optional = True
    if not names:
        return [Parameter("", kind, optional)]
    return [Parameter(_text(n) if n.type == "identifier" else "", kind, optional) for n in names]


def function_info(
    spec: LanguageSpec, function: tree_sitter.Node, request: Markers | None
) -> FunctionInfo:
    """Name, class, bases and parameters of ``function``; parameters bound from the
    request marked (request markers in the parameter, or a controller action's)."""
    owner = _class_of(spec, function)
    info = FunctionInfo(name=_function_name(function))
    class_header = ""
    if owner is not None:
        info.cls = _text(owner.child_by_field_name("name"))
        class_header = _header(owner)
        after = class_header.split(info.cls, 1)[-1] if info.cls else class_header
        info.bases = sorted({w for w in _WORD.findall(after) if w[:1].isupper()} - {info.cls})
        info.handles = sorted(set(_HANDLER_OF.findall(after)))
    action = _is_action(spec, function, class_header)
    for node in _parameter_nodes(function):
        for parameter in _parameter(node):
            text = _text(node)
            parameter.request = bool(request is not None and request.search(text)) or (
                action and parameter.type not in _FRAMEWORK_TYPES and not _NOT_BOUND.search(text)
            )
            info.parameters.append(parameter)
    return info


def _is_action(spec: LanguageSpec, function: tree_sitter.Node, class_header: str) -> bool:
    """A request handler whose parameters the framework binds from the request."""
    header = _header(function)
    if spec.name == "csharp":
        if _CSHARP_ACTION.search(header):
            return True
        public = re.search(r"\bpublic\b", header) and not re.search(
            r"\bstatic\b|\[NonAction", header
        )
        return bool(public) and bool(
            _CONTROLLER_BASE.search(class_header.split("class", 1)[-1])
            or "[ApiController" in class_header
        )
    if spec.name == "java":
        return bool(_JAVA_ROUTE.search(header))
    return False


def sink_summary(
    spec: LanguageSpec,
    function: tree_sitter.Node | None,
    reached: set[str],
    request: Markers | None,
) -> dict[str, Any] | None:
    """``function``'s signature and the positions of its ``reached`` parameters (those
    feeding the sink) that can carry text, or None when there is none."""
    if function is None or not reached:
        return None
    info = function_info(spec, function, request)
    if not info.name:
        return None
    params = sorted(
        i
        for name in reached
        if (i := info.index(name)) is not None and info.parameters[i].type not in SAFE_TYPES
    )
    if not params:
        return None
    return {**info.signature(), "params": params}


# -- calls -----------------------------------------------------------------------------


@dataclass
class _Call:
    name: str
    receiver: tree_sitter.Node | None
    arguments: list[tree_sitter.Node]
    new: bool


def _unwrap(argument: tree_sitter.Node) -> tree_sitter.Node | None:
    if argument.type == "argument":  # C#: (argument name: ... (expression))
        if argument.child_by_field_name("name") is not None:
            return None  # a named argument: its position says nothing
        inner = [c for c in argument.named_children if c.type != "ref_type"]
        return inner[-1] if inner else None
    return argument


def _call(node: tree_sitter.Node) -> _Call | None:
    """The callee's name, receiver and positional arguments of a call node."""
    args = node.child_by_field_name("arguments")
    arguments = [a for c in (args.named_children if args else []) if (a := _unwrap(c)) is not None]
    if (
        args is not None
        and any("comment" not in c.type for c in args.named_children)
        and (len(arguments) != sum(1 for c in args.named_children if "comment" not in c.type))
    ):
        return None  # named arguments: positions unknown
    constructed = node.child_by_field_name("type") or node.child_by_field_name("constructor")
    if constructed is not None:
        return _Call(_last_word(_text(constructed)), None, arguments, True)
    name_node = node.child_by_field_name("name")  # Java: object.name(args)
    receiver = node.child_by_field_name("object")
    callee = node.child_by_field_name("function")
    if name_node is None and callee is not None:
        if callee.type in _MEMBER_KINDS:
            name_node = (
                callee.child_by_field_name("name")
                or callee.child_by_field_name("property")
                or callee.child_by_field_name("field")
            )
            receiver = next(
                (r for f in _MEMBER_OBJECT if (r := callee.child_by_field_name(f)) is not None),
                None,
            )
        elif callee.type in ("identifier", "generic_name"):
            name_node = callee
    if name_node is None:
        return None
    return _Call(_last_word(_text(name_node)), receiver, arguments, False)


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
                owner = next(
                    (r for f in _MEMBER_OBJECT if (r := current.child_by_field_name(f))),
                    None,
                )
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
        if not self._known:
            for match in _DECLARATION.finditer(self.text):
                self._known.setdefault(match.group(2), match.group(1))
            self._known.setdefault("", "")
        return self._known.get(name) or default


def _receiver_type(receiver: tree_sitter.Node | None, types: _DeclaredTypes) -> str:
    """The declared type of the receiver when the file names it ('' when unknown)."""
    if receiver is None:
        return ""
    if receiver.type in _MEMBER_KINDS:  # this._repo, this.repo
        owner = next(
            (r for f in _MEMBER_OBJECT if (r := receiver.child_by_field_name(f)) is not None),
            None,
        )
        if owner is None or owner.type not in ("this_expression", "this"):
            return ""
        receiver = (
            receiver.child_by_field_name("name")
            or receiver.child_by_field_name("property")
            or receiver.child_by_field_name("field")
        )
    if receiver is None or receiver.type not in ("identifier", "property_identifier"):
        return ""
    name = _text(receiver)
    return types.get(name, name if name[:1].isupper() else "")


def _candidate_names(
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
        grown = {
            target
            for target, sources in texts.items()
            if target not in names
            and any(
                not names.isdisjoint(_WORD.findall(t)) or (request and request.search(t))
                for t in sources
            )
        }
        if not grown:
            break
        names |= grown
    return frozenset(names)


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
                names = _candidate_names(info, self.values(node), self.request)
            else:
                names = frozenset()
            known = self._functions[node.id] = (info, names)
        return known

    def worth_reading(self, arguments: tree_sitter.Node, names: frozenset[str]) -> bool:
        text = _text(arguments)
        if self.file_requested and self.request is not None and self.request.search(text):
            return True
        return bool(names) and not names.isdisjoint(_WORD.findall(text))


def call_facts(
    spec: LanguageSpec,
    grammar: str,
    root: tree_sitter.Node,
    text: str,
    request: Markers | None,
    assignments: Callable[[tree_sitter.Node], list[tuple[str, tree_sitter.Node]]],
) -> dict[str, list[dict[str, Any]]]:
    """The file's request calls and through calls (see the module's docstring)."""
    import tree_sitter as ts

    query = query_for(grammar, kinds_query(spec.calls, "call"))
    calls = _FileCalls(spec, text, request, assignments)
    calls.root, calls.grammar = root, grammar
    if not calls.file_requested:
        calls.origins.request = None
    requests: list[dict[str, Any]] = []
    through: list[dict[str, Any]] = []
    for node in ts.QueryCursor(query).captures(root).get("call", []):
        arguments = node.child_by_field_name("arguments")
        if arguments is None or arguments.named_child_count == 0:
            continue
        function = calls.enclosing(node)
        if function is None:
            continue
        info, names = calls.function(function)
        if not calls.worth_reading(arguments, names):
            continue
        call = _call(node)
        if call is None or not call.arguments or not call.name:
            continue
        fact = {
            "call": call.name,
            "receiver": _receiver_type(call.receiver, calls.types) if calls.typed else "",
            "args": len(call.arguments),
            "new": call.new,
            "line": node.start_point.row + 1,
        }
        for position, argument in enumerate(call.arguments):
            for origin in calls.origins.of(argument, function, info):
                if origin == "R":
                    requests.append({**fact, "position": position, "from": info.name})
                elif info.name:
                    through.append(
                        {**fact, "position": position, "param": origin, **info.signature()}
                    )
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
