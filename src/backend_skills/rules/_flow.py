"""Whether an expression is constant: the data flow of the pattern rules' conditions.

A value is constant when built only from literals: a string without interpolation,
numbers, ``ALL_CAPS`` constants, names only ever given constant values in the function
or the file. Request input (the language's request markers), function parameters,
interpolations, concatenation or formatting with any of those make it dynamic; calls
are dynamic when an argument or the receiver is, except the SQL a query builder renders
(``ToSql()``, ``toSQL()``, ``getSQL()``): its values are bind parameters, returned apart.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from backend_skills.languages._common import markers
from backend_skills.languages._index import FileIndex
from backend_skills.languages._spec import LanguageSpec

from ._bindings import go_bindings

if TYPE_CHECKING:
    import tree_sitter

_CONSTANT_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
#: Query builders' methods rendering SQL with placeholders, the values returned apart as
#: bind arguments (squirrel and goqu in Go, jOOQ, knex's ``toSQL()``, SqlKata): what they
#: return is not built from the values. (knex's ``toString()``/``toQuery()`` inline the
#: values, so they are not here.)
_RENDERED_SQL = frozenset({b"ToSql", b"ToSQL", b"toSQL", b"toSql", b"getSQL", b"GetSQL"})
#: The tag of a JavaScript template literal that makes a parameterised query of it
#: (slonik's ``sql`...``` and ``sql.type(schema)`...```, postgres.js, Prisma.sql,
#: drizzle, kysely, sql-template-strings' ``SQL`...```): its interpolations are bind
#: parameters, not text pasted into the SQL.
_SQL_TAG = re.compile(rb"^(?:[\w$]+\.)*sql(?:\.\w+(?:\([^`]*\))?)?$", re.I)


def _text(node: tree_sitter.Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", "replace")


def assigned(
    node: tree_sitter.Node, name_field: str, value_field: str
) -> list[tuple[str, tree_sitter.Node]]:
    """``(name, value)`` pairs one declaration or assignment node gives (``a, b := f()``
    gives both names the value); an empty value field means the last named child."""
    target = node.child_by_field_name(name_field)
    if value_field:
        value = node.child_by_field_name(value_field)
    else:
        value = node.named_children[-1] if len(node.named_children) > 1 else None
    if target is None or value is None:
        return []
    if target.type == "expression_list":
        return [(_text(c), value) for c in target.named_children]
    if target.type in _DESTRUCTURING:
        return [(name, value) for name in _pattern_names(target)]
    return [(_text(target), value)]


#: JavaScript destructuring targets: ``const { id, name: n } = req.body``, ``[a, ...b]``.
_DESTRUCTURING = frozenset({"object_pattern", "array_pattern"})
#: Conditional expressions (JS and Java ``a ? b : c``, C#'s ``conditional_expression``).
_CONDITIONALS = frozenset({"ternary_expression", "conditional_expression"})


def _pattern_names(pattern: tree_sitter.Node) -> list[str]:
    """The names a destructuring pattern binds (each takes a part of the value): not the
    keys of ``key: name`` pairs, not the defaults of ``name = default``."""
    names: list[str] = []
    stack = [pattern]
    while stack:
        node = stack.pop()
        kind = node.type
        if kind in ("identifier", "shorthand_property_identifier_pattern"):
            names.append(_text(node))
        elif kind == "pair_pattern":
            stack.extend(c for c in (node.child_by_field_name("value"),) if c is not None)
        elif kind in ("object_assignment_pattern", "assignment_pattern"):
            stack.extend(c for c in (node.child_by_field_name("left"),) if c is not None)
        else:
            stack.extend(reversed(node.named_children))
    return names


def _rendered_sql(call: tree_sitter.Node) -> bool:
    """``call`` is a query builder's ``.ToSql()`` (a method of :data:`_RENDERED_SQL`, no
    arguments): Java's ``name`` field, or the member name of the called expression."""
    name = call.child_by_field_name("name")
    if name is None:
        callee = call.child_by_field_name("function")
        if callee is None:
            return False
        name = (
            callee.child_by_field_name("field")
            or callee.child_by_field_name("property")
            or callee.child_by_field_name("name")
        )
    arguments = call.child_by_field_name("arguments")
    return (
        name is not None
        and name.text in _RENDERED_SQL
        and (arguments is None or arguments.named_child_count == 0)
    )


#: Calls whose result carries none of their argument's text into SQL, a path or a
#: command: numeric conversions and identifier or literal quoting (Go's ``strconv.Itoa``
#: and ``pq.QuoteIdentifier``, Java's ``Integer.parseInt``, C#'s ``int.Parse``, JS's
#: ``parseInt``, ``Number`` and mysql's ``escape``).
_SANITISER = re.compile(
    rb"(?:^|\.)(?:Itoa|Format(?:Int|Uint|Float|Bool)|Atoi|Parse(?:Int|Uint|Float|Bool)"
    rb"|QuoteIdentifier|QuoteLiteral|Sanitize|parse(?:Int|Long|Double|Float)"
    rb"|escape(?:Id|Identifier|Literal)?)$"
    rb"|^(?:int|long|short|decimal|double|float|Guid|Int32|Int64)\.(?:Parse|TryParse)$"
    rb"|^(?:Number|parseInt|parseFloat|Convert\.ToInt(?:16|32|64))$"
)


def _sanitised(call: tree_sitter.Node) -> bool:
    """``call`` converts or quotes its argument (:data:`_SANITISER`)."""
    callee = call.child_by_field_name("function")
    if callee is None:  # Java: object.name(...)
        name = call.child_by_field_name("name")
        owner = call.child_by_field_name("object")
        if name is None:
            return False
        text = (owner.text or b"") + b"." + (name.text or b"") if owner is not None else name.text
        return bool(_SANITISER.search(text or b""))
    return bool(_SANITISER.search(callee.text or b""))


def _sql_tag(node: tree_sitter.Node) -> bool:
    """``node`` is a template literal tagged ``sql`` (a parameterised query)."""
    arguments = node.child_by_field_name("arguments")
    if arguments is None or arguments.type != "template_string":
        return False
    tag = node.child_by_field_name("function")
    return tag is not None and bool(_SQL_TAG.match(tag.text or b""))


#: The key of a query's text in a JavaScript query object (node-postgres' and mysql's
#: ``{text, values}``, ``{sql, values}``): the values beside it are bind parameters.
_QUERY_TEXT_KEYS = frozenset({b"text", b"sql"})
#: node-postgres' query objects built as ``new Cursor(text, values)`` (pg-cursor,
#: pg-query-stream, pg's ``Query``): the values after the text are bind parameters.
_QUERY_OBJECT = re.compile(r"^(?:[\w$]+\.)*(?:Cursor|QueryStream|Query)$")


def _query_text(node: tree_sitter.Node) -> tree_sitter.Node | None:
    """The text of a query object ``{text: `SELECT ... $1`, values: [id]}`` (None when
    ``node`` holds no ``text``/``sql`` key)."""
    for pair in node.named_children:
        key = pair.child_by_field_name("key") if pair.type == "pair" else None
        if key is not None and (key.text or b"").strip(b"'\"") in _QUERY_TEXT_KEYS:
            return pair.child_by_field_name("value")
    return None


def _call_parts(node: tree_sitter.Node) -> list[tree_sitter.Node]:
    """A call's arguments and its receiver (Go: the operand of a selector, unless a
    package name)."""
    arguments = node.child_by_field_name("arguments")
    parts = list(arguments.named_children) if arguments is not None else []
    receiver = node.child_by_field_name("object")
    callee = node.child_by_field_name("function")
    if receiver is None and callee is not None:
        receiver = callee.child_by_field_name("object") or callee.child_by_field_name("expression")
        operand = callee.child_by_field_name("operand")
        if callee.type == "selector_expression" and operand is not None:
            receiver = operand if operand.type != "identifier" else receiver
    if receiver is not None:
        parts.append(receiver)
    return parts


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


def _anonymous_method(function: tree_sitter.Node) -> bool:
    """A method declared in a Java anonymous class body."""
    body = function.parent
    return (
        function.type == "method_declaration"
        and body is not None
        and body.type == "class_body"
        and body.parent is not None
        and body.parent.type == "object_creation_expression"
    )


@functools.cache
def _assignment_fields(spec: LanguageSpec) -> dict[str, tuple[str, str]]:
    """The name and value fields of each of the language's assignment kinds."""
    return {kind: (name, value) for kind, name, value in spec.assignments}


class _Flow:
    """Whether an expression is constant, following local names to their values."""

    def __init__(
        self,
        spec: LanguageSpec,
        grammar: str,
        root: tree_sitter.Node,
        index: FileIndex,
        path: str = "",
    ) -> None:
        self.spec = spec
        self.grammar = grammar
        self.root = root
        self.index = index
        request = spec.request_for(path)
        self.request = markers(request) if request else None
        self._assigned: dict[int, list[tuple[str, tree_sitter.Node]]] = {}
        self._by_name: dict[int, dict[str, list[tree_sitter.Node]]] = {}
        self._pairs: dict[int, list[tuple[str, tree_sitter.Node]]] = {}
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
        """The innermost function around ``node``; a method of a Java anonymous class
        (``new ReturningWork<>() { execute(...) {...} }``) is a callback like a lambda:
        the method that creates it is the scope."""
        kinds = self.spec.functions
        parent = node.parent
        while parent is not None and (parent.type not in kinds or _anonymous_method(parent)):
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
        """``(name, value)`` of every declaration and assignment under ``scope``."""
        cached = self._assigned.get(scope.id)
        if cached is None:
            kinds = _assignment_fields(self.spec)
            pairs = self._pairs  # a function's nodes are also the file's: read once
            cached = []
            for node in self.index.assignments_in(scope):
                known = pairs.get(node.id)
                if known is None:
                    known = pairs[node.id] = assigned(node, *kinds[node.type])
                cached.extend(known)
            if self.spec.name == "go":  # c.Bind(&input), Decode(&input): see _bindings
                cached += go_bindings(self.index, scope)
            self._assigned[scope.id] = cached
        return cached

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
        if node.type in _CONDITIONALS:  # before the request: its condition is no value
            return self._any(self.dynamic(p, depth + 1, seen) for p in self._parts(node))
        if self.request is not None and self.request.search(_text(node)):
            return True
        kind = node.type
        if kind in self.spec.literals:
            return False
        if kind in self.spec.identifiers:
            return self._name_dynamic(node, depth, seen)
        if kind in self.spec.calls and (_rendered_sql(node) or _sql_tag(node) or _sanitised(node)):
            return False
        return self._any(self.dynamic(part, depth + 1, seen) for part in self._parts(node))

    def _parts(self, node: tree_sitter.Node) -> list[tree_sitter.Node]:
        """What a composite value is made of: a string's interpolated expressions, a
        call's arguments and receiver, any other node's children."""
        if node.type in self.spec.strings:
            return [
                part
                for inner in _descendants(node, self.spec.interpolations)
                for part in inner.named_children
            ]
        if node.type == "new_expression" and _QUERY_OBJECT.match(
            _text(node.child_by_field_name("constructor"))
        ):
            arguments = node.child_by_field_name("arguments")
            return arguments.named_children[:1] if arguments is not None else []
        if node.type in _CONDITIONALS:  # the condition chooses a value; it is none
            return [
                part
                for part in (
                    node.child_by_field_name("consequence"),
                    node.child_by_field_name("alternative"),
                )
                if part is not None
            ]
        if node.type in self.spec.calls or node.child_by_field_name("function") is not None:
            return _call_parts(node)
        if node.type == "object":
            statement = _query_text(node)
            if statement is not None:
                return [statement]
        return list(node.named_children)

    def _named(self, scope: tree_sitter.Node) -> dict[str, list[tree_sitter.Node]]:
        """The values each name is given under ``scope``, in order (made once per scope
        a rule asks about, from :meth:`assignments`)."""
        known = self._by_name.get(scope.id)
        if known is None:
            known = self._by_name[scope.id] = {}
            for name, value in self.assignments(scope):
                if name in known:
                    known[name].append(value)
                else:
                    known[name] = [value]
        return known

    def _values(self, name: str, node: tree_sitter.Node) -> list[tree_sitter.Node]:
        """The values ``name`` is given in the function around ``node``, else in the file."""
        scope = self.scope(node)
        if scope is not None:
            values = self._named(scope).get(name)
            if values:
                return values
        return self._named(self.root).get(name, [])

    def _name_dynamic(self, node: tree_sitter.Node, depth: int, seen: frozenset[str]) -> bool:
        name = _text(node)
        if _CONSTANT_NAME.match(name):
            return False
        if name in seen:  # ``p = "http://" + p``: what it held before, a parameter's value
            return self._parameter_value(name, node)
        values = self._values(name, node)
        if values:
            return self._any(self.dynamic(v, depth + 1, seen | {name}) for v in values)
        return self._parameter_value(name, node)

    def _parameter_value(self, name: str, node: tree_sitter.Node) -> bool:
        """``name`` is a parameter of the function around ``node`` (a value from the caller)."""
        if name in self._parameters(node):
            self.via_parameter = True
            self.reached.add(name)
            return True
        return False
