"""One parse per file, and what the server-side analyses measure on it.

:func:`measure` walks nothing node by node in Python: every node kind it needs is found
by a tree-sitter query (run in C), and functions, decision points and comments are
matched up by byte offsets. That keeps parsing plus measuring well above 50,000 lines
per second per core.

Complexity is McCabe's: 1 per function plus 1 per decision point the language declares
(``if``, loops, ``case`` labels, ``catch``, the conditional operator, ``&&``/``||`` and,
where the language has it, ``??``). ``else if`` counts as the ``if`` it is. Each decision
point belongs to the innermost function around it; code outside any function (a Go
``init`` block aside) is not counted.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ._spec import LanguageSpec, captures, kinds_query, parser_for

if TYPE_CHECKING:
    import tree_sitter

#: Function kinds that are only functions with a body (C# auto-property ``get; set;``).
_NEED_BODY = frozenset({"accessor_declaration"})
#: A file more than this share of whose bytes sit in ERROR nodes is not measured.
MAX_ERROR_SHARE = 0.5
_ANCHOR_WRAPPERS = frozenset(
    {
        "variable_declarator",
        "lexical_declaration",
        "variable_declaration",
        "export_statement",
        "type_declaration",
    }
)
_LOG = re.compile(
    rb"\b(?:log|logger|LOG|LOGGER|_log|_logger|Log|console|logging|slog|zap|sentry|Sentry)\s*\.\s*\w+\s*\("
    rb"|printStackTrace\s*\(|\b(?:Log|log)\w*\s*\(|Trace\.\w+\(|Debug\.\w+\(|\bpanic\s*\("
)
_THROW = re.compile(rb"\bthrow\b|\breject\s*\(|\bnext\s*\(\s*\w+|\bPropagate\b")
_BROAD_JAVA = frozenset(
    {b"Exception", b"Throwable", b"java.lang.Exception", b"java.lang.Throwable"}
)
_BROAD_CSHARP = frozenset({b"Exception", b"System.Exception"})
#: What ``bytes.strip`` strips, newlines aside (deleted, a line holding only these is blank).
_SPACES = b" \t\r\x0b\x0c"


@dataclass(slots=True)
class FunctionMeasure:
    """One function or method (its name is worked out on demand: most are never shown)."""

    line: int
    end_line: int
    complexity: int
    sloc: int
    node: tree_sitter.Node = field(repr=False, compare=False)
    spec: LanguageSpec = field(repr=False, compare=False)

    @property
    def name(self) -> str:
        """``Class.method``, ``function`` or ``<anonymous>``."""
        return _function_name(self.spec, self.node)


@dataclass
class Issue:
    """An error-handling problem found while measuring (a rule id and a place)."""

    rule: str
    line: int
    end_line: int
    column: int
    detail: str = ""


@dataclass
class FileMeasure:
    """What one file of a tree-sitter language measures."""

    sloc: int = 0
    functions: list[FunctionMeasure] = field(default_factory=list)
    public: int = 0
    documented: int = 0
    undocumented: list[tuple[str, int]] = field(default_factory=list)
    tests: int = 0
    tests_without_assert: int = 0
    slots: int = 0
    typed_slots: int = 0
    any_slots: int = 0
    issues: list[Issue] = field(default_factory=list)
    parse_errors: int = 0
    error_share: float = 0.0


def parse(spec: LanguageSpec, source: bytes, path: str) -> tree_sitter.Tree:
    """The syntax tree of ``source`` (tree-sitter always returns one, with ERROR nodes
    where the text does not parse)."""
    return parser_for(spec.grammar_for(path)).parse(source)


def _error_bytes(errors: list[tree_sitter.Node]) -> tuple[int, int]:
    """(errors, bytes inside ERROR nodes) of a tree that has an error (``errors``: its
    ERROR nodes; none means only MISSING nodes)."""
    missing = 0
    spans: list[tuple[int, int]] = sorted((n.start_byte, n.end_byte) for n in errors)
    covered = 0
    last = -1
    for start, end in spans:
        start = max(start, last)
        if end > start:
            covered += end - start
            last = end
    if not errors:
        missing = 1  # only MISSING nodes: a token was inserted
    return len(errors) + missing, covered


def _code_lines(source: bytes, comments: list[tree_sitter.Node]) -> list[int]:
    """One flag per line (index 0 unused): 1 when the line holds code, not only a comment
    (comments and white space deleted, newlines kept: a line left empty is not code)."""
    text = source
    if comments:
        parts: list[bytes] = []
        last = 0
        for start, end in sorted((n.start_byte, n.end_byte) for n in comments):
            start = max(start, last)
            if end > start:
                parts += (source[last:start], b"\n" * source.count(b"\n", start, end))
                last = end
        parts.append(source[last:])
        text = b"".join(parts)
    return [0, *map(bool, text.translate(None, _SPACES).split(b"\n"))]


def _anchor(node: tree_sitter.Node) -> tree_sitter.Node:
    """The outermost declaration wrapping ``node`` (``export const f = () => ...``)."""
    while node.parent is not None and node.parent.type in _ANCHOR_WRAPPERS:
        node = node.parent
    return node


def _documented(spec: LanguageSpec, node: tree_sitter.Node) -> bool:
    anchor = _anchor(node)
    previous = anchor.prev_named_sibling
    if previous is None or previous.type not in spec.comments or previous.text is None:
        return False
    if previous.end_point.row < anchor.start_point.row - 1:
        return False  # a blank line between: not this declaration's comment
    text = previous.text.lstrip()
    return text.startswith(tuple(p.encode() for p in spec.doc_prefixes))


_VALUE_HOLDERS = ("variable_declarator", "pair", "assignment_expression")


def _declared_name(node: tree_sitter.Node) -> str:
    """A function's own name, or the name it is given (``const find = () => ...``)."""
    name = node.child_by_field_name("name")
    parent = node.parent
    if name is None and parent is not None and parent.type in _VALUE_HOLDERS:
        name = (
            parent.child_by_field_name("name")
            or parent.child_by_field_name("key")
            or parent.child_by_field_name("left")
        )
    if name is None or not name.text:
        return "<anonymous>"
    return name.text.decode("utf-8", "replace")


def _function_name(spec: LanguageSpec, node: tree_sitter.Node) -> str:
    """``Class.method`` for a method, the bare name otherwise."""
    text = _declared_name(node)
    owner = node.parent
    while owner is not None and owner.type not in spec.classes and owner.type not in spec.functions:
        owner = owner.parent
    if owner is None or owner.type not in spec.classes:
        return text
    owner_name = owner.child_by_field_name("name")
    if owner_name is None or not owner_name.text:
        return text
    return f"{owner_name.text.decode('utf-8', 'replace')}.{text}"


def _assign_complexity(functions: list[tree_sitter.Node], points: list[int]) -> list[int]:
    """Complexity per function (same order): 1 + decision points whose innermost
    enclosing function it is. Functions nest properly, so one sweep does it."""
    order = sorted(
        range(len(functions)), key=lambda i: (functions[i].start_byte, -functions[i].end_byte)
    )
    complexity = [1] * len(functions)
    stack: list[int] = []
    next_function = 0
    for point in sorted(points):
        while next_function < len(order) and functions[order[next_function]].start_byte <= point:
            index = order[next_function]
            while stack and functions[stack[-1]].end_byte <= functions[index].start_byte:
                stack.pop()
            stack.append(index)
            next_function += 1
        while stack and functions[stack[-1]].end_byte <= point:
            stack.pop()
        if stack:
            complexity[stack[-1]] += 1
    return complexity


_GO_DISCARD = """
(assignment_statement left: (expression_list) right: (expression_list . (call_expression) .)) @discard
(short_var_declaration left: (expression_list) right: (expression_list . (call_expression) .)) @discard
"""


#: The capture names of :func:`measure_query` (a query combined with it uses none of them).
MEASURE_CAPTURES = ("function", "comment", "class", "catch", "decision", "discard", "error")


@functools.cache
def measure_query(spec: LanguageSpec, errors: bool) -> str:
    """Every node kind :func:`measure` needs, in one query (``errors``: ERROR nodes too,
    for a tree that has some). A caller traversing the tree with a query of its own can
    add these patterns to it and hand the captures to :func:`measure` (one traversal)."""
    return "\n".join(
        q
        for q in (
            kinds_query(spec.functions, "function"),
            kinds_query(spec.comments, "comment"),
            kinds_query(spec.classes, "class"),
            kinds_query(spec.catches, "catch"),
            spec.decisions,
            _GO_DISCARD if spec.name == "go" else "",
            "(ERROR) @error" if errors else "",
        )
        if q
    )


def measure(
    spec: LanguageSpec,
    tree: tree_sitter.Tree,
    source: bytes,
    path: str,
    *,
    test_file: bool,
    found: Mapping[str, list[tree_sitter.Node]] | None = None,
) -> FileMeasure:
    """Functions, complexity, size, documentation, tests, typing and error handling.

    ``found``: the captures, over the whole tree, of a query holding
    ``measure_query(spec, tree.root_node.has_error)`` (by default :func:`measure` runs
    that query itself: one traversal of the tree)."""
    grammar = spec.grammar_for(path)
    root = tree.root_node
    result = FileMeasure()
    if found is None:
        found = captures(grammar, measure_query(spec, root.has_error), root)
    if root.has_error:
        errors, error_bytes = _error_bytes(found.get("error", []))
        result.parse_errors = errors
        result.error_share = round(error_bytes / len(source), 4) if source else 0.0
    functions = [
        n
        for n in found.get("function", [])
        if n.type not in _NEED_BODY or n.child_by_field_name("body") is not None
    ]
    comments = found.get("comment", [])
    code = _code_lines(source, comments)
    sums = list(itertools.accumulate(code))  # sums[i]: code lines among lines 1..i
    result.sloc = sums[-1]
    points = [n.start_byte for n in found.get("decision", [])]
    complexity = _assign_complexity(functions, points)
    for node, cc in zip(functions, complexity, strict=True):
        line, end = node.start_point.row + 1, node.end_point.row + 1
        end = min(end, len(code) - 1)
        result.functions.append(
            FunctionMeasure(
                line=line,
                end_line=end,
                complexity=cc,
                sloc=sums[end] - sums[line - 1] if end >= line else 0,
                node=node,
                spec=spec,
            )
        )
    result.functions.sort(key=lambda f: (f.line, f.node.start_byte))
    if test_file:
        _count_tests(spec, functions, source, result)
    else:
        _count_docs(spec, functions, found.get("class", []), result)
        _count_types(spec, functions, root, grammar, result)
    catches = sorted(found.get("catch", []), key=lambda n: n.start_byte)
    _error_handling(spec, catches, result)
    if spec.name == "go":
        _go_discarded_errors(found.get("discard", []), result)
    return result


def _count_docs(
    spec: LanguageSpec,
    functions: list[tree_sitter.Node],
    classes: list[tree_sitter.Node],
    result: FileMeasure,
) -> None:
    """Public classes and functions, and the documented ones. A function defined inside
    another (its range inside the other's) is not part of the public API."""
    if spec.is_public is None:
        return
    entries = [(n.start_byte, -n.end_byte, n, True) for n in functions]
    entries += [(n.start_byte, -n.end_byte, n, False) for n in classes]
    # Source order (a query's captures of several kinds come in no fixed order).
    entries.sort(key=lambda e: (e[0], e[1]))
    open_ends: list[int] = []  # ends of the functions around the current node
    for start, negative_end, node, function in entries:
        while open_ends and open_ends[-1] <= start:
            open_ends.pop()
        if function:
            nested = bool(open_ends)
            open_ends.append(-negative_end)
            if nested:
                continue
        if not spec.is_public(node):
            continue
        result.public += 1
        if _documented(spec, node):
            result.documented += 1
        else:
            result.undocumented.append((_function_name(spec, node), node.start_point.row + 1))


def _count_tests(
    spec: LanguageSpec, functions: list[tree_sitter.Node], source: bytes, result: FileMeasure
) -> None:
    if spec.is_test is None:
        return
    assertion = re.compile(spec.assertion_markers.encode()) if spec.assertion_markers else None
    for node in functions:
        if not spec.is_test(node, source):
            continue
        if assertion is None or (node.text is not None and assertion.search(node.text)):
            result.tests += 1
        else:
            result.tests_without_assert += 1


def _count_types(
    spec: LanguageSpec,
    functions: list[tree_sitter.Node],
    root: tree_sitter.Node,
    grammar: str,
    result: FileMeasure,
) -> None:
    """Parameter slots and the typed ones. Java, C# and Go are statically typed (one
    slot per signature, always typed). JavaScript and TypeScript: parameters of functions
    that are not callbacks passed to a call (those are typed from context), a parameter
    typed ``any`` counting as untyped."""
    if spec.name not in ("javascript", "typescript"):
        result.slots = result.typed_slots = len(functions)
        return
    for node in functions:
        if node.parent is not None and node.parent.type == "arguments":
            continue  # a callback: its parameters are typed from context
        _count_slots(node, result)


def _node_text(node: tree_sitter.Node | None) -> bytes:
    return (node.text or b"") if node is not None else b""


def _java_catch(node: tree_sitter.Node) -> tuple[bytes, bytes]:
    """(caught type text, bound variable name) of a Java catch clause."""
    param = next((c for c in node.named_children if c.type == "catch_formal_parameter"), None)
    if param is None:
        return b"", b""
    types = next((c for c in param.named_children if c.type == "catch_type"), None)
    return _node_text(types), _node_text(param.child_by_field_name("name"))


def _csharp_catch(node: tree_sitter.Node) -> tuple[bytes, bytes]:
    """(caught type text, bound variable name) of a C# catch clause; a filtered catch
    (``when (...)``) is ``<filtered>``."""
    caught = name = b""
    decl = next((c for c in node.named_children if c.type == "catch_declaration"), None)
    if decl is not None:
        caught = _node_text(decl.child_by_field_name("type"))
        name = _node_text(decl.child_by_field_name("name"))
    if any(c.type == "catch_filter_clause" for c in node.named_children):
        caught = b"<filtered>"
    return caught, name


def _catch_parts(
    spec: LanguageSpec, node: tree_sitter.Node
) -> tuple[tree_sitter.Node | None, bytes, bytes]:
    """(body, caught type text, bound variable name) of a catch clause."""
    body = node.child_by_field_name("body")
    if spec.name == "java":
        caught, name = _java_catch(node)
    elif spec.name == "csharp":
        caught, name = _csharp_catch(node)
    else:
        caught, name = b"", _node_text(node.child_by_field_name("parameter"))
    return body, caught, name


def _broad(spec: LanguageSpec, caught: bytes) -> bool:
    if spec.name == "java":
        return any(part.strip() in _BROAD_JAVA for part in caught.split(b"|"))
    if spec.name == "csharp":
        return caught in (b"", *_BROAD_CSHARP)
    return True  # JavaScript and TypeScript catch everything


def _count_slots(function: tree_sitter.Node, result: FileMeasure) -> None:
    """One JavaScript/TypeScript function's parameter slots (and those typed ``any``)."""
    params = function.child_by_field_name("parameters")
    if params is None:
        result.slots += function.child_by_field_name("parameter") is not None
        return
    for param in params.named_children:
        if param.type == "comment":
            continue
        result.slots += 1
        annotation = param.child_by_field_name("type")
        if annotation is None or annotation.text is None:
            continue
        if re.search(rb"\bany\b", annotation.text):
            result.any_slots += 1
        else:
            result.typed_slots += 1


def _error_handling(
    spec: LanguageSpec, catches: list[tree_sitter.Node], result: FileMeasure
) -> None:
    for node in catches:
        rule = _catch_issue(spec, node)
        if rule:
            place = (node.start_point.row + 1, node.end_point.row + 1, node.start_point.column + 1)
            result.issues.append(Issue(rule, *place))


def _catch_issue(spec: LanguageSpec, node: tree_sitter.Node) -> str:
    """``BSSRV101`` for an empty catch without a comment saying why, ``BSSRV102`` for a
    broad catch that neither rethrows, logs nor uses the error; '' otherwise."""
    body, caught, name = _catch_parts(spec, node)
    if body is None:
        return ""
    statements = [c for c in body.named_children if c.type not in spec.comments]
    if not statements:
        return "BSSRV101" if len(statements) == len(body.named_children) else ""
    if not _broad(spec, caught):
        return ""
    text = body.text or b""
    if _THROW.search(text) or _LOG.search(text):
        return ""
    if name and re.search(rb"(?<![\w.])" + re.escape(name) + rb"\b", text):
        return ""
    return "BSSRV102"


def _go_discarded_errors(statements: list[tree_sitter.Node], result: FileMeasure) -> None:
    """``BSSRV103``: ``x, _ := call()`` / ``_ = call()`` (``statements``: assignments of
    one call's results, from the measuring query), the last result (the error) dropped."""
    for stmt in sorted(statements, key=lambda n: n.start_byte):
        left = stmt.child_by_field_name("left")
        right = stmt.child_by_field_name("right")
        names = left.named_children if left is not None else []
        if not names or names[-1].text != b"_" or right is None:
            continue
        if len(names) == 1 and stmt.type == "short_var_declaration":
            continue
        call = next(c for c in right.named_children if c.type == "call_expression")
        callee = call.child_by_field_name("function")
        detail = (
            callee.text.decode("utf-8", "replace") if callee is not None and callee.text else ""
        )
        result.issues.append(
            Issue(
                "BSSRV103",
                stmt.start_point.row + 1,
                stmt.end_point.row + 1,
                stmt.start_point.column + 1,
                detail[:80],
            )
        )
