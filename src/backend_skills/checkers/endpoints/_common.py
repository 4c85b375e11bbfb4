"""What every framework module shares: the facts type, tree-sitter helpers and the
judgement of a middleware's name.

A scanner turns one parsed file into JSON-serialisable *facts* (a dict whose ``kind``
names the framework); a resolver turns every file's facts into
:class:`~backend_skills.checkers.analyses._authz_resolve.Exposure` objects.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
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


def text(node: tree_sitter.Node | None) -> str:
    """The source text of a node (``""`` for none)."""
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", "replace")


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


def rooted(path: str) -> str:
    """A route path with its leading slash (``{id}/x`` -> ``/{id}/x``)."""
    return path if path.startswith("/") else "/" + path


def middleware_auth(name: str) -> bool:
    """Whether a middleware's source text says it checks the caller."""
    head = re.split(r"[(\s]", name, maxsplit=1)[0]
    if head.endswith(_NOT_MIDDLEWARE_SUFFIXES):
        return False
    if set(V.words(head)) & V.NOT_AUTH_WORDS:
        return False  # auth.optional, allowAnonymous, publicRoute
    return any(V.auth_name(part, MIDDLEWARE_WORDS) for part in head.split("."))


def auth_middleware(names: list[str]) -> list[str]:
    """The names in ``names`` that check the caller, in order."""
    return [n for n in names if middleware_auth(n)]
