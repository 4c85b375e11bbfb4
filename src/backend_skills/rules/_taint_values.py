"""Functions stored as values, for the cross-file taint join.

A dispatch table names its functions without calling them: ``Handler: execHandler`` in a
Go composite literal, ``Handler: sqliteInj{}.execHandler`` (a method value),
``{ handler: getUser }`` in a JavaScript object, ``route.handler = getUser``. A later call
of the field (``s.Handler(mode, in)``, ``route.handler(req.query.id)``) runs whichever
function the table holds, so the join lets a call of the field reach each function stored
in it (:func:`backend_skills.rules._taint_join.join`).

Per file, :func:`function_values` lists ``[field, function]`` pairs for the file's own
functions that pass a parameter on (the only ones a stored value can carry input into):
each place the name is written between ``:``/``=``/``.`` and the end of an element is
confirmed on the syntax tree (a key/value pair or an assignment to a member whose value
is the name, not a call, a string or a comment). Plain JSON data, bounded per file.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tree_sitter

#: Languages whose tables of functions the join follows.
LANGUAGES = frozenset({"go", "javascript", "typescript"})

#: At most this many pairs per file (a generated table must not grow the cache without bound).
MAX_VALUES = 200

_ENDS = frozenset(b",}\n;\r)/")
_BEFORE = frozenset(b":=.")

#: Node kinds of the stored name, and of the member holding it (``ctl.find``, ``T{}.m``).
_NAME_KINDS = frozenset({"identifier", "field_identifier", "property_identifier"})
_MEMBER_KINDS = frozenset({"selector_expression", "member_expression"})
#: Node kinds holding a key and its value (Go wraps each side in a ``literal_element``).
_PAIR_KINDS = frozenset({"keyed_element", "pair"})
_ASSIGNMENT_KINDS = frozenset({"assignment_statement", "assignment_expression"})
#: Fields that hold a module, not a function to call (``module.exports = handler``).
_NOT_FIELDS = frozenset({"exports"})
#: Names that are values, not functions (``{ ok: true }``, ``Next: nil``).
_NOT_FUNCTIONS = frozenset(
    {b"true", b"false", b"nil", b"null", b"undefined", b"this", b"self", b"NaN", b"Infinity"}
)


def function_values(
    language: str, root: tree_sitter.Node, source: bytes, functions: Iterable[str]
) -> list[list[str]]:
    """``[field, function]`` for each of the file's ``functions`` (those passing a
    parameter on: the only ones a stored value can carry input into) stored under a
    field name in the file (``Handler: execHandler`` gives ``["Handler", "execHandler"]``)."""
    if language not in LANGUAGES:
        return []
    found: list[list[str]] = []
    for function in sorted(set(functions)):
        name = function.encode()
        if not name or name in _NOT_FUNCTIONS:
            continue
        fields: set[str] = set()
        at = source.find(name)
        while at >= 0 and len(found) < MAX_VALUES:
            end = at + len(name)
            if _bounded(source, at, end):
                field = _stored(root, at, end)
                if field and field != function and field not in fields | _NOT_FIELDS:
                    fields.add(field)
                    found.append([field, function])
            at = source.find(name, end)
    return found


def _bounded(source: bytes, start: int, end: int) -> bool:
    """``name`` at ``source[start:end]`` is a whole word between ``:``, ``=`` or ``.`` and
    the end of an element or a statement (a cheap test before the tree's)."""
    before = source[start - 1 : start] if start else b""
    after = source[end : end + 1]
    if (before and (before.isalnum() or before in b"_$")) or (after.isalnum() or after in b"_$"):
        return False
    ahead = source[end : end + 40].lstrip(b" \t")
    behind = source[max(0, start - 40) : start].rstrip(b" \t")
    return bool(ahead) and ahead[0] in _ENDS and bool(behind) and behind[-1] in _BEFORE


def _stored(root: tree_sitter.Node, start: int, end: int) -> str:
    """The field a name at ``source[start:end]`` is stored under, on the tree: the key of
    a key/value pair or the member assigned, whose value is the name, ``a.name`` or
    ``T{}.name`` (not a call, a string or a comment); ``""`` when it is not stored."""
    node = root.descendant_for_byte_range(start, end)
    if node is None or node.start_byte != start or node.type not in _NAME_KINDS:
        return ""
    while (parent := node.parent) is not None and parent.type in _MEMBER_KINDS:
        if parent.end_byte != end:
            return ""
        node = parent  # the whole value: a.name, T{}.name
    holder = node.parent
    if (
        holder is not None and holder.type == "literal_element"
    ):  # Go: keyed_element > literal_element
        if holder.named_child_count != 1:
            return ""
        node, holder = holder, holder.parent
    if holder is None:
        return ""
    if holder.type in _PAIR_KINDS:
        if holder.named_child_count != 2 or holder.named_children[1].id != node.id:
            return ""
        return _last_name(holder.named_children[0])
    if holder.type == "expression_list":  # Go: a.F = fn
        if holder.named_child_count != 1:
            return ""
        holder = holder.parent
        if holder is None or holder.type != "assignment_statement":
            return ""
        left = holder.child_by_field_name("left")
        if left is None or left.named_child_count != 1:
            return ""
        return _member_name(left.named_children[0])
    if holder.type in _ASSIGNMENT_KINDS:
        right, left = holder.child_by_field_name("right"), holder.child_by_field_name("left")
        if right is None or right.id != node.id or left is None:
            return ""
        return _member_name(left)
    return ""


def _member_name(node: tree_sitter.Node) -> str:
    """``F`` of an assignment target ``a.F`` (``""`` for a plain variable)."""
    if node.type not in _MEMBER_KINDS:
        return ""
    field = node.child_by_field_name("field") or node.child_by_field_name("property")
    return _last_name(field) if field is not None else ""


def _last_name(node: tree_sitter.Node) -> str:
    """A key's name: ``Handler`` (Go wraps it in a ``literal_element``), ``handler``,
    ``'handler'`` unquoted."""
    text = (node.text or b"").decode("utf-8", "replace").strip().strip("'\"`")
    return text if text.replace("_", "a").replace("$", "a").isalnum() else ""
