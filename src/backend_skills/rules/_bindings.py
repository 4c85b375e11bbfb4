"""Values given through a pointer: Go's request binding (``c.Bind(&input)``,
``c.ShouldBindJSON(&input)``, fiber's ``c.BodyParser(&input)``) and decoding
(``json.NewDecoder(r.Body).Decode(&input)``, ``json.Unmarshal(body, &input)``) fill a
local variable that no assignment names. For the data flow, the call is that variable's
value: its text or its arguments carry the request input (``c.Bind(``, ``r.Body``).
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tree_sitter

    from backend_skills.languages._index import FileIndex

#: Methods and functions that fill the variable a pointer argument names.
BINDERS = frozenset(
    {
        *("Bind", "BindJSON", "BindXML", "BindQuery", "BindUri", "BindHeader", "BindYAML"),
        *("ShouldBind", "ShouldBindJSON", "ShouldBindXML", "ShouldBindQuery", "ShouldBindUri"),
        *("ShouldBindHeader", "ShouldBindYAML", "ShouldBindWith", "ShouldBindBodyWith"),
        *("MustBindWith", "BindWith", "BodyParser", "QueryParser", "ParamsParser"),
        *("ReqHeaderParser", "Decode", "Unmarshal"),
    }
)


def _callee_name(call: tree_sitter.Node) -> bytes:
    callee = call.child_by_field_name("function")
    if callee is not None and callee.type == "selector_expression":
        callee = callee.child_by_field_name("field")
    return (callee.text or b"") if callee is not None else b""


def _pointer_target(argument: tree_sitter.Node) -> str | None:
    """``input`` of an argument ``&input``."""
    if argument.type != "unary_expression" or (argument.child(0) or argument).type != "&":
        return None
    operand = argument.child_by_field_name("operand")
    if operand is None or operand.type != "identifier" or operand.text is None:
        return None
    return operand.text.decode("utf-8", "replace")


def go_bindings(index: FileIndex, scope: tree_sitter.Node) -> list[tuple[str, tree_sitter.Node]]:
    """``(name, call)`` for each binding or decoding call under ``scope`` that fills the
    variable ``name`` through a pointer argument."""
    calls = index.calls
    starts = index.call_starts
    if scope.id == index.root.id:
        low, high = 0, len(calls)
    else:
        low = bisect.bisect_left(starts, scope.start_byte)
        high = bisect.bisect_left(starts, scope.end_byte)
    found: list[tuple[str, tree_sitter.Node]] = []
    for call in calls[low:high]:
        if call.type != "call_expression" or _callee_name(call).decode() not in BINDERS:
            continue
        arguments = call.child_by_field_name("arguments")
        for argument in arguments.named_children if arguments is not None else ():
            name = _pointer_target(argument)
            if name is not None:
                found.append((name, call))
    return found
