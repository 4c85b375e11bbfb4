"""What a language module declares, and the tree-sitter machinery shared by all of them.

A language is one :class:`LanguageSpec`: the grammar wheel to load and the node kinds
our analyses look for (functions, classes, decision points, catch clauses, calls,
annotations or attributes, string literals, comments, assignments). Everything else
(parsing, queries, measuring) is shared. Adding a language is one module declaring a
spec and one line in :mod:`backend_skills.languages`.

Grammars come from the official per-language wheels (``tree-sitter-java``, ...), which
ship them compiled: nothing is downloaded at run time. Parsers and compiled queries are
cached per process.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tree_sitter


@dataclass(frozen=True, eq=False)
class LanguageSpec:
    """The node kinds one language's analyses need (tree-sitter grammar names)."""

    name: str
    """Our language id (as discovery names it: ``java``, ``csharp``, ...)."""
    grammar: str
    """``module:function`` returning the grammar's language pointer."""
    functions: tuple[str, ...]
    """Nodes that are a function or method of their own (complexity, size, docs)."""
    decisions: str
    """A tree-sitter query whose ``@decision`` captures each add 1 to the complexity of the
    innermost function around them."""
    classes: tuple[str, ...] = ()
    catches: tuple[str, ...] = ()
    """Catch clauses (empty and swallowing handlers)."""
    calls: tuple[str, ...] = ()
    annotations: tuple[str, ...] = ()
    """Annotations (Java, TypeScript decorators) or attributes (C#)."""
    strings: tuple[str, ...] = ()
    """String literal nodes (constant unless they contain an interpolation)."""
    interpolations: tuple[str, ...] = ()
    """Nodes inside a string literal that splice an expression in."""
    literals: tuple[str, ...] = ()
    """Other constant leaves (numbers, booleans, null)."""
    identifiers: tuple[str, ...] = ("identifier",)
    comments: tuple[str, ...] = ("comment",)
    doc_prefixes: tuple[str, ...] = ("/**",)
    """A comment starting with one of these, immediately above a declaration, documents it."""
    assignments: tuple[tuple[str, str, str], ...] = ()
    """``(node kind, name field, value field)`` of declarations and assignments, used to
    follow a variable to the values it was given (an empty value field: last child)."""
    parameters: tuple[str, ...] = ()
    """Parameter nodes of a function signature."""
    request_markers: str = ""
    """A regular expression matching request input (parameters, bodies, headers) in a
    function: a sink fed in such a function is a vulnerability, elsewhere a hotspot."""
    request_markers_by_suffix: dict[str, str] = field(default_factory=dict)
    """More request input in files ending so (``.aspx.cs``: the ``.Text`` of a control)."""
    route_markers: str = ""
    """A regular expression matching a request handler's declaration (a route)."""
    cache_markers: str = ""
    """A regular expression matching use of a cache (annotations, clients, interfaces)."""
    background_markers: str = ""
    """A regular expression matching work moved off the request path (jobs, queues)."""
    test_file_markers: tuple[str, ...] = ()
    """Text that makes a test file's functions count as tests (annotations, attributes)."""
    assertion_markers: str = ""
    """A regular expression matching an assertion inside a test."""
    grammar_by_suffix: dict[str, str] = field(default_factory=dict)
    """A different grammar for some file suffixes (``.tsx``)."""
    is_public: Callable[[tree_sitter.Node], bool] | None = None
    """Whether a function or class node is part of the public API (documented)."""
    is_test: Callable[[tree_sitter.Node, bytes], bool] | None = None
    """Whether a function node in a test file is a test."""

    def request_for(self, path: str) -> str:
        """The request markers for ``path`` (the language's, plus its suffix's)."""
        suffixes = tuple(s for s in self.request_markers_by_suffix if path.endswith(s))
        return _joined_markers(self, suffixes)

    def grammar_for(self, path: str) -> str:
        """The grammar to parse ``path`` with."""
        for suffix, grammar in self.grammar_by_suffix.items():
            if path.endswith(suffix):
                return grammar
        return self.grammar


@functools.lru_cache(maxsize=64)
def _joined_markers(spec: LanguageSpec, suffixes: tuple[str, ...]) -> str:
    extra = [spec.request_markers_by_suffix[s] for s in suffixes]
    return "|".join(r for r in (spec.request_markers, *extra) if r)


@functools.cache
def load_language(grammar: str) -> tree_sitter.Language:
    """The tree-sitter language behind ``module:function`` (cached per process)."""
    import tree_sitter

    module_name, _, function = grammar.partition(":")
    module = importlib.import_module(module_name)
    return tree_sitter.Language(getattr(module, function)())


@functools.cache
def parser_for(grammar: str) -> tree_sitter.Parser:
    """A parser for ``grammar`` (cached per process)."""
    import tree_sitter

    return tree_sitter.Parser(load_language(grammar))


@functools.cache
def query_for(grammar: str, source: str) -> tree_sitter.Query:
    """The compiled query ``source`` for ``grammar`` (cached per process)."""
    import tree_sitter

    return tree_sitter.Query(load_language(grammar), source)


def captures(
    grammar: str, source: str, node: tree_sitter.Node
) -> dict[str, list[tree_sitter.Node]]:
    """Captures of query ``source`` under ``node``."""
    import tree_sitter

    return tree_sitter.QueryCursor(query_for(grammar, source)).captures(node)


def kinds_query(kinds: tuple[str, ...], capture: str) -> str:
    """A query capturing every node whose kind is in ``kinds`` as ``@capture``."""
    if not kinds:
        return ""
    return "[" + " ".join(f"({k})" for k in kinds) + f"] @{capture}"
