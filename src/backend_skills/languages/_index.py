"""One traversal of a parsed file for the node kinds several analyses look for.

Measuring, the cross-file taint facts, the flow analysis of the rules and the
scalability facts each need some of a file's functions, anonymous functions, calls,
string literals and assignments. Running one tree-sitter query per need visits the
whole tree each time, and the visit, not the matching, is what a query costs: one
query capturing every kind at once costs about as much as any one of them alone
(measured on C# and TypeScript: 0.06 s against 0.22 s for four queries). So the
polyglot checker builds one :class:`FileIndex` per file and hands it to each analysis.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable
from operator import attrgetter
from typing import TYPE_CHECKING

from ._measure import measure_query
from ._spec import LanguageSpec, load_language, query_for

if TYPE_CHECKING:
    import tree_sitter

#: Anonymous function kinds (a language's own ``functions`` may already name some).
LAMBDA_KINDS = ("lambda_expression", "arrow_function", "func_literal", "function_expression")


def _present(grammar: str, kinds: Iterable[str]) -> tuple[str, ...]:
    """The ``kinds`` that ``grammar`` has (a language's grammars differ a little: ``.tsx``)."""
    language = load_language(grammar)
    return tuple(dict.fromkeys(k for k in kinds if language.id_for_node_kind(k, True)))


@functools.cache
def index_query(spec: LanguageSpec, grammar: str, errors: bool = False) -> str:
    """The query capturing every kind a :class:`FileIndex` holds, one capture name each,
    measuring's patterns included (``errors``: ERROR nodes too, for a tree that has some)."""
    groups = {
        "lambda": tuple(k for k in LAMBDA_KINDS if k not in spec.functions),
        "call": spec.calls,
        "string": spec.strings,
        "assignment": tuple(kind for kind, _, _ in spec.assignments),
    }
    parts = [measure_query(spec, errors)]  # functions, comments, classes, decisions, ...
    for capture, kinds in groups.items():
        present = _present(grammar, kinds)
        if present:
            parts.append("[" + " ".join(f"({k})" for k in present) + f"] @{capture}")
    return "\n".join(p for p in parts if p)


_START = attrgetter("start_byte")
_END = attrgetter("end_byte")


def ordered(nodes: list[tree_sitter.Node]) -> list[tree_sitter.Node]:
    """Document order, an outer node before the nodes it contains (nodes of the same
    range in the query's order). Two stable sorts by one attribute each, the last end
    first and then the first start, order by ``(start, -end)`` at a third less cost than
    one sort by a key making that pair for every node."""
    out = sorted(nodes, key=_END, reverse=True)
    out.sort(key=_START)
    return out


_ordered = ordered


class FileIndex:
    """A file's functions, anonymous functions, calls, strings, assignments and comments,
    each in document order (outer first; comments in the query's order), and what
    measuring needs, found in one traversal. (A query capturing several
    kinds reports them in another order than a query of one kind; the order matters:
    the facts made of the calls keep it.) Each list is put in order when first asked
    for: a test file's analyses ask for few of them."""

    def __init__(
        self, spec: LanguageSpec, grammar: str, root: tree_sitter.Node, source: bytes
    ) -> None:
        import tree_sitter as ts

        self.spec = spec
        self.grammar = grammar
        self.root = root
        self.source = source
        """The file's bytes (the root node may start after a byte order mark or blank lines)."""
        query = index_query(spec, grammar, root.has_error)
        found = ts.QueryCursor(query_for(grammar, query)).captures(root) if query else {}
        self.found: dict[str, list[tree_sitter.Node]] = found
        """Every capture as the query gave it (what :func:`measure` takes as ``found``)."""
        self.comments = found.get("comment", [])

    @functools.cached_property
    def functions(self) -> list[tree_sitter.Node]:
        """The functions (of the language's ``functions`` kinds), in order."""
        return ordered(self.found.get("function", []))

    @functools.cached_property
    def lambdas(self) -> list[tree_sitter.Node]:
        """The anonymous functions not among :attr:`functions`, in order."""
        return ordered(self.found.get("lambda", []))

    @functools.cached_property
    def calls(self) -> list[tree_sitter.Node]:
        """The calls (and object creations), in order."""
        return ordered(self.found.get("call", []))

    @functools.cached_property
    def strings(self) -> list[tree_sitter.Node]:
        """The string literals, in order."""
        return ordered(self.found.get("string", []))

    @functools.cached_property
    def assignments(self) -> list[tree_sitter.Node]:
        """The declarations and assignments, in order."""
        return ordered(self.found.get("assignment", []))

    @functools.cached_property
    def function_starts(self) -> list[int]:
        """Where each of :attr:`functions` starts (for a search by byte range)."""
        return list(map(_START, self.functions))

    @functools.cached_property
    def _assignment_starts(self) -> list[int]:
        return list(map(_START, self.assignments))

    @functools.cached_property
    def call_starts(self) -> list[int]:
        """Where each of :attr:`calls` starts (for a search by byte range)."""
        return list(map(_START, self.calls))

    def enclosing(self, node: tree_sitter.Node) -> tree_sitter.Node | None:
        """The innermost function (of the language's ``functions``) around ``node``, by
        byte ranges (going up node by node costs the depth for every question)."""
        index = bisect.bisect_right(self.function_starts, node.start_byte) - 1
        while index >= 0:
            candidate = self.functions[index]
            if candidate.end_byte >= node.end_byte and candidate.id != node.id:
                return candidate
            index -= 1
        return None

    def assignments_in(self, scope: tree_sitter.Node) -> list[tree_sitter.Node]:
        """The assignment nodes inside ``scope`` (the whole file for the root)."""
        if scope.id == self.root.id:
            return self.assignments
        low = bisect.bisect_left(self._assignment_starts, scope.start_byte)
        high = bisect.bisect_left(self._assignment_starts, scope.end_byte)
        return [n for n in self.assignments[low:high] if n.end_byte <= scope.end_byte]

    def functions_and_lambdas(self, lambdas: tuple[str, ...]) -> list[tree_sitter.Node]:
        """The functions and the anonymous functions of the ``lambdas`` kinds, in order."""
        extra = [n for n in self.lambdas if n.type in lambdas]
        return ordered([*self.functions, *extra]) if extra else self.functions
