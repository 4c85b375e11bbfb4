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

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from backend_skills.languages._common import Markers
from backend_skills.languages._index import LAMBDA_KINDS
from backend_skills.languages._spec import LanguageSpec

if TYPE_CHECKING:
    import tree_sitter

#: Parameter types that cannot carry an injection (a number, a flag, a date, an id).
#: Go's ``context.Context``: deadlines and cancellation, not text (gin's ``*gin.Context``
#: and echo's ``echo.Context`` are the request itself and keep their last word).
_GO_CONTEXT = "context.Context"

SAFE_TYPES = frozenset(
    {
        _GO_CONTEXT,
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
_PUBLIC = re.compile(r"\bpublic\b")
_NOT_AN_ACTION = re.compile(r"\bstatic\b|\[NonAction")
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


def _member_object(node: tree_sitter.Node) -> tree_sitter.Node | None:
    """The object of a member access (``repo`` in ``repo.find``)."""
    for field_name in _MEMBER_OBJECT:
        found = node.child_by_field_name(field_name)
        if found is not None:
            return found
    return None


def _text(node: tree_sitter.Node | None) -> str:
    raw = node.text if node is not None else None  # ``text`` copies: read it once
    return "" if raw is None else raw.decode("utf-8", "replace")


def _last_word(text: str) -> str:
    """``CityQueries.GetCityByNameQuery<T>`` -> ``GetCityByNameQuery``."""
    if text.isascii() and text.isidentifier():  # [A-Za-z_][A-Za-z0-9_]*: one word
        return text
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
    _positions: dict[str, int] | None = field(default=None, repr=False, compare=False)
    _counted: int = field(default=0, repr=False, compare=False)

    def index(self, name: str) -> int | None:
        """Position of parameter ``name`` (None when it is not one of ours)."""
        if self._positions is None or self._counted != len(self.parameters):
            self._positions = {}
            for position, parameter in enumerate(self.parameters):
                if parameter.name:
                    self._positions.setdefault(parameter.name, position)  # the first one
            self._counted = len(self.parameters)
        return self._positions.get(name) if name else None

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


def _header(node: tree_sitter.Node, source: bytes | None = None) -> str:
    """A declaration's text up to its body (from ``source``, the file's bytes, when
    given: ``node.text`` copies the whole class or function first)."""
    body = node.child_by_field_name("body")
    end = body.start_byte if body is not None else node.end_byte
    if source is not None:
        return source[node.start_byte : end].decode("utf-8", "replace")
    raw = node.text or b""
    return raw[: end - node.start_byte].decode("utf-8", "replace")


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
    node_kind = node.type
    if node_kind in ("identifier", "shorthand_property_identifier_pattern"):
        return [Parameter(_text(node))]
    written = _text(node.child_by_field_name("type"))
    kind = _GO_CONTEXT if written == _GO_CONTEXT else _last_word(written)
    optional = "=" in _text(node)
    names = node.children_by_field_name("name") or node.children_by_field_name("pattern")
    if node_kind == "assignment_pattern":  # JavaScript: (name = 'x')
        names = [n for n in (node.child_by_field_name("left"),) if n is not None]
        optional = True
    if not names:
        return [Parameter("", kind, optional)]
    return [Parameter(_text(n) if n.type == "identifier" else "", kind, optional) for n in names]


def signature_parameters(
    function: tree_sitter.Node,
) -> list[tuple[tree_sitter.Node, Parameter]]:
    """The parameters ``function`` declares, each with the node declaring it (names,
    types and optionality: what is bound from the request is :func:`function_info`'s)."""
    return [
        (node, parameter) for node in _parameter_nodes(function) for parameter in _parameter(node)
    ]


def function_info(
    spec: LanguageSpec,
    function: tree_sitter.Node,
    request: Markers | None,
    source: bytes | None = None,
    classes: dict[int, _ClassFacts] | None = None,
    parameters: list[tuple[tree_sitter.Node, Parameter]] | None = None,
    requested: Callable[[tree_sitter.Node], bool] | None = None,
    class_of: Callable[[tree_sitter.Node], tree_sitter.Node | None] | None = None,
) -> FunctionInfo:
    """Name, class, bases and parameters of ``function``; parameters bound from the
    request marked (request markers in the parameter, or a controller action's);
    ``source``: the file's bytes, when the caller has them (faster); ``classes``: what
    is known of the file's classes (filled in, so that each class is described once);
    ``parameters``: :func:`signature_parameters` of ``function`` when the caller has
    them (their ``request`` is set here); ``requested``: whether a node's text holds
    ``request``'s markers, when the caller answers that faster than a search;
    ``class_of``: the class around a function, when the caller knows it faster."""
    owner = class_of(function) if class_of is not None else _class_of(spec, function)
    info = FunctionInfo(name=_function_name(function))
    class_header = ""
    if owner is not None:
        facts = classes.get(owner.id) if classes is not None else None
        if facts is None:
            facts = _describe_class(owner, source)
            if classes is not None:
                classes[owner.id] = facts
        info.cls, info.bases, info.handles = facts.name, list(facts.bases), list(facts.handles)
        class_header = facts.header
    action = _is_action(spec, function, class_header, source)
    if parameters is None:
        parameters = signature_parameters(function)
    for node, parameter in parameters:
        if requested is not None:
            bound = request is not None and requested(node)
        else:
            bound = request is not None and bool(request.search(_text(node)))
        parameter.request = bound or (
            action and parameter.type not in _FRAMEWORK_TYPES and not _NOT_BOUND.search(_text(node))
        )
        info.parameters.append(parameter)
    return info


@dataclass(frozen=True)
class _ClassFacts:
    """A class as :class:`FunctionInfo` names it."""

    name: str
    bases: tuple[str, ...]
    handles: tuple[str, ...]
    """Message types the class handles."""
    header: str
    """Its text up to its body."""


def _describe_class(owner: tree_sitter.Node, source: bytes | None = None) -> _ClassFacts:
    """The class's name, its bases, the messages it handles and its header's text."""
    name = _text(owner.child_by_field_name("name"))
    header = _header(owner, source)
    after = header.split(name, 1)[-1] if name else header
    return _ClassFacts(
        name=name,
        bases=tuple(sorted({w for w in _WORD.findall(after) if w[:1].isupper()} - {name})),
        handles=tuple(sorted(set(_HANDLER_OF.findall(after)))),
        header=header,
    )


def _is_action(
    spec: LanguageSpec, function: tree_sitter.Node, class_header: str, source: bytes | None = None
) -> bool:
    """A request handler whose parameters the framework binds from the request."""
    if spec.name not in ("csharp", "java"):
        return False
    header = _header(function, source)
    if spec.name == "csharp":
        if _CSHARP_ACTION.search(header):
            return True
        if not _controller(class_header):
            return False
        # A substring search first: a pattern starting with ``\b`` is tried at every place.
        public = "public" in header and _PUBLIC.search(header)
        return bool(public) and not (
            ("static" in header or "[NonAction" in header) and _NOT_AN_ACTION.search(header)
        )
    if spec.name == "java":
        return bool(_JAVA_ROUTE.search(header))
    return False


@functools.lru_cache(maxsize=64)
def _controller(class_header: str) -> bool:
    """A C# class header naming a controller base or ``[ApiController]`` (once per class:
    its methods share the header string, whose hash Python keeps)."""
    return bool(
        _CONTROLLER_BASE.search(class_header.split("class", 1)[-1])
        or "[ApiController" in class_header
    )


#: Named function declarations that, inside another function, are local to it.
_LOCAL_DECLARATIONS = frozenset(
    {"function_declaration", "generator_function_declaration", "local_function_statement"}
)


def _local_function(spec: LanguageSpec, function: tree_sitter.Node) -> bool:
    """``function`` is declared inside another function's body (JavaScript's nested
    ``function get(cmd) {...}``, a C# local function): no other file can call it. (A
    function expression assigned to ``module.x`` inside a function can be exported.)"""
    if function.type not in _LOCAL_DECLARATIONS:
        return False
    parent = function.parent
    while parent is not None:
        if parent.type in spec.functions or parent.type in LAMBDA_KINDS:
            return True
        parent = parent.parent
    return False


def sink_summary(
    spec: LanguageSpec,
    function: tree_sitter.Node | None,
    reached: set[str],
    request: Markers | None,
) -> dict[str, Any] | None:
    """``function``'s signature and the positions of its ``reached`` parameters (those
    feeding the sink) that can carry text, or None when there is none."""
    if function is None or not reached or _local_function(spec, function):
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
