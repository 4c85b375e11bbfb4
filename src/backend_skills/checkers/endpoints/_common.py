"""What every framework module shares: the facts type, tree-sitter helpers and the
judgement of a middleware's name.

A scanner turns one parsed file into JSON-serialisable *facts* (a dict whose ``kind``
names the framework); a resolver turns every file's facts into
:class:`~backend_skills.checkers.analyses._authz_resolve.Exposure` objects.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Container, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ..analyses import _authz_vocabulary as V

if TYPE_CHECKING:
    import tree_sitter

Facts = dict[str, Any]
#: Nodes visited per file at most (memory and time stay bounded on any input).
MAX_NODES = 400_000
#: Nested prefixes, groups and mounts followed at most.
MAX_DEPTH = 10
MIDDLEWARE_WORDS = V.AUTH_WORDS | {
    "authenticated",
    "ensure",
    "logged",
    "verify",
    "passport",
    "guard",
    "protect",
}
#: Verbs that make a middleware named after the session check it (``requireSession``).
SESSION_CHECKS = frozenset(
    {"validate", "require", "required", "check", "ensure", "verify", "guard", "authenticate"}
)
#: What a middleware named with one of those verbs checks: ``requireAccess``,
#: ``ensureUser``, ``checkLogin``, ``hasAccess``.
CHECKED_SUBJECTS = frozenset({"access", "user", "login", "logged", "account", "member"})
_STRING_TYPES = frozenset(
    {
        "string",
        "string_literal",
        "verbatim_string_literal",
        "interpreted_string_literal",
        "raw_string_literal",
    }
)
_NOT_MIDDLEWARE_SUFFIXES = ("csrf", "Csrf", "cors", "json", "urlencoded", "static")
#: ``asyncHandler(auth.jwt)``: a call wrapping middleware named by identifiers or members.
_WRAPPER = re.compile(r"\s*([\w$.]+)\s*\(\s*([\w$.]+(?:\s*,\s*[\w$.]+)*)\s*,?\s*\)\s*")
#: Wrappers whose arguments are request schemas, not middleware
#: (``validate(authValidation.login)``, ``celebrate(schemas.token)``).
_SCHEMA_WORDS = frozenset(
    {"validate", "validation", "validator", "schema", "celebrate", "joi", "zod", "yup", "sanitize"}
)


#: Identifiers and member (selector) expressions of JavaScript and Go.
_NAME_TYPES = frozenset({"identifier", "member_expression", "selector_expression"})


def text(node: tree_sitter.Node | None) -> str:
    """The source text of a node (``""`` for none)."""
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", "replace")


def enclosing_name(node: tree_sitter.Node, kinds: Container[str]) -> str:
    """The name of the innermost ``kinds`` declaration (a function, a method) holding
    ``node`` (``""`` outside any)."""
    current = node.parent
    while current is not None:
        if current.type in kinds:
            return text(current.child_by_field_name("name"))
        current = current.parent
    return ""


def line(node: tree_sitter.Node) -> int:
    """The 1-based line a node starts on."""
    return node.start_point[0] + 1


def walk(root: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    """Every node under ``root`` in source order, ``MAX_NODES`` at most."""
    stack = [root]
    seen = 0
    while stack and seen < MAX_NODES:
        node = stack.pop()
        seen += 1
        yield node
        stack.extend(reversed(node.children))


@functools.cache
def _root_grammars() -> dict[tuple[str, int], str]:
    """The grammar of a tree, by (type, kind id) of its root node (an empty parse of each
    grammar names its root; a pair two grammars share is left out)."""
    from backend_skills.languages import LANGUAGES
    from backend_skills.languages._spec import parser_for

    found: dict[tuple[str, int], str | None] = {}
    for spec in LANGUAGES.values():
        for grammar in (spec.grammar, *spec.grammar_by_suffix.values()):
            try:
                root = parser_for(grammar).parse(b"").root_node
            except Exception:  # a grammar that does not load: its trees are walked
                continue
            key = (root.type, root.kind_id)
            found[key] = grammar if found.get(key, grammar) == grammar else None
    return {key: grammar for key, grammar in found.items() if grammar is not None}


@functools.cache
def _query(grammar: str, kinds: frozenset[str], narrowed: tuple[tuple[str, str], ...]) -> str:
    """A query capturing as ``@n`` the nodes (named or not) of ``kinds`` the grammar has,
    those of a narrowed kind only as its pattern selects them ('' for none)."""
    import tree_sitter as ts

    from backend_skills.languages._spec import load_language, query_for

    language = load_language(grammar)
    plain = sorted(kinds - {kind for kind, _ in narrowed})
    named = [f"({k})" for k in plain if language.id_for_node_kind(k, True) is not None]
    tokens = [f'"{k}"' for k in plain if language.id_for_node_kind(k, False) is not None]
    alternatives = named + tokens  # a keyword token may share a kind's name (``function``)
    query = "[" + " ".join(alternatives) + "] @n" if alternatives else ""
    patterns = [query] if query else []
    patterns += [pattern for kind, pattern in narrowed if kind in kinds]
    try:
        query_for(grammar, "\n".join(patterns))
    except (ts.QueryError, ValueError):  # a kind this grammar lacks: every node of the kinds
        return _query(grammar, kinds, ()) if narrowed else ""
    return "\n".join(patterns)


def nodes(
    root: tree_sitter.Node,
    kinds: Iterable[str],
    grammar: str | None = None,
    narrowed: tuple[tuple[str, str], ...] = (),
) -> list[tree_sitter.Node]:
    """The nodes under ``root`` (itself included) whose type is in ``kinds``, in the order
    :func:`walk` visits them, found by a tree-sitter query (run in C, compiled once per
    process) instead of visiting every node in Python. ``grammar`` (``module:function``)
    is the tree's, worked out from ``root`` when it is the tree's root. ``narrowed``:
    (kind, query pattern capturing ``@n``) pairs keeping only the nodes of that kind the
    caller acts on (the others are ones it would ignore). A tree of an unknown grammar, or
    larger than ``MAX_NODES``, is walked as before (every node of ``kinds``)."""
    wanted = frozenset(kinds)
    grammar = grammar or _root_grammars().get((root.type, root.kind_id))
    if grammar is None or root.descendant_count > MAX_NODES:
        return [node for node in walk(root) if node.type in wanted]
    from backend_skills.languages._spec import captures

    query = _query(grammar, wanted, narrowed)
    found = captures(grammar, query, root).get("n", []) if query else []
    # Pre-order: an ancestor starts no later, ends no earlier and has more descendants.
    found.sort(key=lambda n: (n.start_byte, -n.end_byte, -n.descendant_count))
    if narrowed:  # a pattern matching a node twice captures it twice
        found = [n for i, n in enumerate(found) if not i or n != found[i - 1]]
    return found


def string(node: tree_sitter.Node | None) -> str | None:
    """The value of a string literal without interpolation (JavaScript, C#, Java, Go)."""
    if node is None:
        return None
    if node.type in _STRING_TYPES:
        if any(c.type in ("interpolation", "escape_sequence") for c in node.children):
            return None
        raw = text(node).removeprefix("@")
        return raw[1:-1] if len(raw) >= 2 else None
    if node.type == "template_string":
        if any(c.type == "template_substitution" for c in node.named_children):
            return None
        return text(node)[1:-1]
    return None


def arguments(call: tree_sitter.Node) -> list[tree_sitter.Node]:
    """The named arguments of a call (JavaScript, C#, Go)."""
    found = call.child_by_field_name("arguments")
    return list(found.named_children) if found is not None else []


def member(call: tree_sitter.Node) -> tuple[tree_sitter.Node, str] | None:
    """(object, property) of a JavaScript call ``object.property(...)``."""
    function = call.child_by_field_name("function")
    if function is None or function.type != "member_expression":
        return None
    obj = function.child_by_field_name("object")
    prop = function.child_by_field_name("property")
    if obj is None or prop is None:
        return None
    return obj, text(prop)


def innermost_root(path: str, roots: Iterable[str]) -> str | None:
    """The longest of ``roots`` (module folders as prefixes ending in ``/``, or ``""`` for
    the repository's root) that holds ``path`` (None: outside every one)."""
    holding = [root for root in roots if path.startswith(root)]
    return max(holding, key=len) if holding else None


def rooted(path: str) -> str:
    """A route path with its leading slash (``{id}/x`` -> ``/{id}/x``)."""
    return path if path.startswith("/") else "/" + path


def middleware_auth(name: str) -> bool:
    """Whether a middleware's source text says it checks the caller (a call wrapping
    middleware, ``asyncHandler(auth.jwt)``, checks it when what it wraps does)."""
    head = re.split(r"[(\s]", name, maxsplit=1)[0]
    if head.endswith(_NOT_MIDDLEWARE_SUFFIXES):
        return False
    found = set(V.words(head))
    if "session" in found and not (found - {"session"}) & V.NOT_AUTH_WORDS:
        # express-session's ``session({...})`` and ``passport.session()`` only load the
        # session; ``validateSessionMiddleware``, ``requireSession``, ``sessionAuth``
        # check it.
        return bool(found & (SESSION_CHECKS | V.AUTH_WORDS))
    if found & V.NOT_AUTH_WORDS:
        return False  # auth.optional, allowAnonymous, publicRoute
    if found & CHECKED_SUBJECTS and found & (SESSION_CHECKS | {"has"}):
        return True  # requireAccess(perm), ensureUser, checkLogin (not accessLog, userAgent)
    if any(V.auth_name(part, MIDDLEWARE_WORDS) for part in head.split(".")):
        return True
    wrapper = _WRAPPER.fullmatch(name)
    if wrapper is None or found & _SCHEMA_WORDS:
        return False
    return any(middleware_auth(inner.strip()) for inner in wrapper.group(2).split(","))


def call_name(call: tree_sitter.Node) -> str:
    """How the inventory names a call used as middleware: the callee and ``(...)``, or the
    whole call when it wraps authenticating middleware named by its arguments
    (``asyncHandler(auth.jwt)``, so that what it wraps is judged)."""
    short = text(call.child_by_field_name("function")) + "(...)"
    args = arguments(call)
    if not args or any(a.type not in _NAME_TYPES for a in args) or len(text(call)) > 200:
        return short
    whole = " ".join(text(call).split())
    return whole if not middleware_auth(short) and middleware_auth(whole) else short
