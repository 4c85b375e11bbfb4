"""How SQL text is built: scopes, name resolution and the classification of expressions.

The ``database`` analysis asks :class:`Resolver` whether the SQL handed to a driver is
constant (values passed as parameters), built from values that cannot carry user input
(constants, upper-case settings, ``int()``), or built from anything else with an
f-string, ``%``, ``+``/``+=`` or ``.format()``; local variables are followed within the
function and then the module.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ._sql_scope import Assignment, Scope, call_name, dotted, is_upper_name

__all__ = ["Built", "Resolver", "Scope", "call_name", "dotted", "first_string", "is_upper_name"]

#: Calls whose result cannot carry user text into SQL.
_SAFE_CALLS = frozenset({"int", "float", "len", "bool", "abs", "round", "Identifier", "Literal"})
#: One placeholder, as joined into an ``IN (...)`` list.
_PLACEHOLDER_PIECE = re.compile(r"^\s*(?:\?|%s|%\(\w+\)s|\$\d+|:\w+)?\s*,?\s*$")


BuildKind = Literal["static", "dynamic", "unknown", "param"]


@dataclass
class Built:
    """What a SQL expression is made of."""

    kind: BuildKind
    text: str = ""
    line: int = 0
    values: list[ast.expr] = field(default_factory=list)
    how: set[str] = field(default_factory=set)


class Resolver:
    """Classifies SQL expressions within a stack of scopes (function, then module)."""

    def __init__(self, scopes: Sequence[Scope]) -> None:
        self.scopes = scopes

    def _resolve_name(self, name: str, line: int) -> list[Assignment] | Literal["param"] | None:
        for scope in self.scopes:
            # Outer scopes (the module) are complete by the time a function runs.
            found = scope.lookup(name, line if scope is self.scopes[0] else 10**9)
            if found:
                return found
            if name in scope.params:
                return "param"
        return None

    def is_safe(self, node: ast.expr, depth: int = 0) -> bool:
        """A value that cannot carry user input into the SQL text."""
        if depth > 4:
            return False
        if isinstance(node, ast.Constant):
            return True
        check = _SAFE_BY_TYPE.get(type(node))
        return check is not None and check(self, node, depth)

    def _safe_name(self, node: ast.Name, depth: int) -> bool:
        if is_upper_name(node.id):
            return True
        found = self._resolve_name(node.id, node.lineno)
        if isinstance(found, list):
            return all(self.is_safe(value, depth + 1) for _, value, _ in found)
        return False

    def _safe_attribute(self, node: ast.Attribute, depth: int) -> bool:
        return is_upper_name(node.attr) or node.attr in ("__tablename__", "db_table")

    def _safe_subscript(self, node: ast.Subscript, depth: int) -> bool:
        base = node.value
        return isinstance(base, ast.Name) and (
            is_upper_name(base.id) or self._is_constant_mapping(base, depth)
        )

    def _safe_ifexp(self, node: ast.IfExp, depth: int) -> bool:
        return self.is_safe(node.body, depth + 1) and self.is_safe(node.orelse, depth + 1)

    def _safe_call(self, node: ast.Call, depth: int) -> bool:
        name = call_name(node)
        if name in _SAFE_CALLS:
            return True
        if name == "join" and isinstance(node.func, ast.Attribute):
            return isinstance(node.func.value, ast.Constant) and all(
                self._placeholders_only(a, depth + 1) for a in node.args
            )
        return False

    def _safe_fstring(self, node: ast.JoinedStr, depth: int) -> bool:
        return all(
            isinstance(v, ast.Constant)
            or (isinstance(v, ast.FormattedValue) and self.is_safe(v.value, depth + 1))
            for v in node.values
        )

    def _safe_binop(self, node: ast.BinOp, depth: int) -> bool:
        return self.is_safe(node.left, depth + 1) and self.is_safe(node.right, depth + 1)

    def _is_constant_mapping(self, name: ast.Name, depth: int) -> bool:
        found = self._resolve_name(name.id, name.lineno)
        if not isinstance(found, list) or len(found) != 1:
            return False
        value = found[0][1]
        return isinstance(value, ast.Dict) and all(
            isinstance(v, ast.Constant) for v in value.values
        )

    def _placeholders_only(self, node: ast.expr, depth: int) -> bool:
        """``["%s"] * len(ids)``, ``"?" * n``, ``("?" for _ in ids)`` and the like."""
        if depth > 6:
            return False
        if isinstance(node, ast.Constant):
            return not isinstance(node.value, str) or bool(_PLACEHOLDER_PIECE.match(node.value))
        if isinstance(node, ast.Call):
            return call_name(node) in ("len", "range")
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):  # one side repeated
            return any(self._placeholders_only(p, depth + 1) for p in (node.left, node.right))
        parts = self._placeholder_parts(node)
        return parts is not None and all(self._placeholders_only(p, depth + 1) for p in parts)

    def _placeholder_parts(self, node: ast.expr) -> list[ast.expr] | None:
        """What a placeholder list is made of: the items of a list, the element of a
        comprehension, the single value of a name; None when it is none of these."""
        if isinstance(node, ast.List | ast.Tuple):
            return list(node.elts)
        if isinstance(node, ast.ListComp | ast.GeneratorExp):
            return [node.elt]
        if isinstance(node, ast.Name):
            found = self._resolve_name(node.id, node.lineno)
            if isinstance(found, list) and len(found) == 1:
                return [found[0][1]]
        return None

    def classify(self, node: ast.expr, depth: int = 0) -> Built:
        """How the SQL text in ``node`` is built."""
        if depth > 5:
            return Built("unknown", line=node.lineno)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                return Built("static", node.value, node.lineno)
            return Built("unknown", line=node.lineno)
        if isinstance(node, ast.JoinedStr):
            return self._fstring(node)
        build = _CLASSIFY_BY_TYPE.get(type(node))
        if build is not None:
            return build(self, node, depth)
        return Built("unknown", line=node.lineno)

    def _binop(self, node: ast.BinOp, depth: int) -> Built:
        if isinstance(node.op, ast.Add):
            return self._concatenation(node, depth)
        if isinstance(node.op, ast.Mod):
            return self._percent(node, depth)
        return Built("unknown", line=node.lineno)

    def _fstring(self, node: ast.JoinedStr) -> Built:
        built = Built("static", "", node.lineno)
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                built.text += part.value
            elif isinstance(part, ast.FormattedValue):
                if self.is_safe(part.value):
                    built.text += "?"
                else:
                    built.kind = "dynamic"
                    built.values.append(part.value)
                    built.how.add("an f-string")
        return built

    def _concatenation(self, node: ast.BinOp, depth: int) -> Built:
        left = self._operand(node.left, depth)
        right = self._operand(node.right, depth)
        if left.kind not in ("static", "dynamic") or right.kind not in ("static", "dynamic"):
            return Built("unknown", line=node.lineno)
        how = {"+ concatenation"} if "value" in left.how or "value" in right.how else set()
        return Built(
            "dynamic" if "dynamic" in (left.kind, right.kind) else "static",
            left.text + right.text,
            left.line if left.text.strip() else right.line,
            left.values + right.values,
            (left.how | right.how | how) - {"value"},
        )

    def _percent(self, node: ast.BinOp, depth: int) -> Built:
        left = self.classify(node.left, depth + 1)
        if left.kind != "static":
            return left if left.kind == "dynamic" else Built("unknown", line=node.lineno)
        items = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
        if isinstance(node.right, ast.Dict):
            items = [v for v in node.right.values if v is not None]
        unsafe = [v for v in items if not self.is_safe(v)]
        if unsafe:
            return Built("dynamic", left.text, left.line, unsafe, {"% formatting"})
        return Built("static", re.sub(r"%\(?\w*\)?[sdif]", "?", left.text), left.line)

    def _call(self, node: ast.Call, depth: int) -> Built:
        name = call_name(node)
        if isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            return self._format(node, node.func.value, depth)
        if name in ("SQL", "Composed") or (
            name == "Identifier" and isinstance(node.func, ast.Attribute)
        ):
            return Built("static", first_string(node), node.lineno)  # psycopg.sql
        return Built("unknown", line=node.lineno)

    def _format(self, node: ast.Call, base: ast.expr, depth: int) -> Built:
        """``base.format(...)``."""
        if isinstance(base, ast.Call) and call_name(base) in ("SQL", "Composed"):
            return Built("static", first_string(base), node.lineno)  # psycopg.sql
        inner = self.classify(base, depth + 1)
        if inner.kind != "static":
            return inner if inner.kind == "dynamic" else Built("unknown", line=node.lineno)
        args = [*node.args, *(k.value for k in node.keywords)]
        unsafe = [a for a in args if not self.is_safe(a)]
        if unsafe:
            return Built("dynamic", inner.text, inner.line, unsafe, {".format()"})
        return Built("static", inner.text, inner.line)

    def _name(self, node: ast.Name, depth: int) -> Built:
        found = self._resolve_name(node.id, node.lineno)
        if found == "param":
            return Built("param", line=node.lineno)
        if not isinstance(found, list):
            return Built("unknown", line=node.lineno)
        parts = [self.classify(value, depth + 1) for _, value, _ in found]
        merged = _joined(parts)
        if merged is None and len(parts) > 1 and parts[0].kind == "static":
            merged = self._appended(parts[0], found)
        return merged if merged is not None else Built("unknown", line=node.lineno)

    def _appended(self, first: Built, found: list[Assignment]) -> Built | None:
        """``q = "SELECT ..."; q += <something we cannot see through>``: dynamic when an
        appended value may carry input."""
        unsafe = [v for _, v, aug in found if aug and not self.is_safe(v)]
        if unsafe:
            return Built("dynamic", first.text, first.line, unsafe, {"+= concatenation"})
        return None

    def _operand(self, node: ast.expr, depth: int) -> Built:
        """An operand of ``+``: strings are read, anything else is a formatted value."""
        if isinstance(node, ast.Constant | ast.JoinedStr | ast.BinOp) or (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
        ):
            return self.classify(node, depth + 1)
        if isinstance(node, ast.Name):
            inner = self.classify(node, depth + 1)
            if inner.kind in ("static", "dynamic"):
                return inner
        if self.is_safe(node):
            return Built("static", "?", node.lineno)
        return Built("dynamic", "", node.lineno, [node], {"value"})


def first_string(call: ast.Call) -> str:
    for arg in call.args:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return arg.value
    return ""


#: ``Resolver.is_safe`` by node type (constants are safe; other types are not).
_SAFE_BY_TYPE: dict[type[ast.AST], Callable[[Resolver, Any, int], bool]] = {
    ast.Name: Resolver._safe_name,
    ast.Attribute: Resolver._safe_attribute,
    ast.Subscript: Resolver._safe_subscript,
    ast.IfExp: Resolver._safe_ifexp,
    ast.Call: Resolver._safe_call,
    ast.JoinedStr: Resolver._safe_fstring,
    ast.BinOp: Resolver._safe_binop,
}


#: ``Resolver.classify`` by node type, for expressions that build text.
_CLASSIFY_BY_TYPE: dict[type[ast.AST], Callable[[Resolver, Any, int], Built]] = {
    ast.BinOp: Resolver._binop,
    ast.Call: Resolver._call,
    ast.Name: Resolver._name,
}


def _joined(parts: Sequence[Built]) -> Built | None:
    """The assignments of one name read together: dynamic if any is, static if all are."""
    dynamic = [p for p in parts if p.kind == "dynamic"]
    text = "".join(p.text for p in parts)
    if dynamic:
        values = [v for p in parts for v in p.values]
        how = set().union(*(p.how for p in parts))
        return Built("dynamic", text, dynamic[0].line, values, how)
    if all(p.kind == "static" for p in parts):
        return Built("static", text, parts[0].line)
    return None
