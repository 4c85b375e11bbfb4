"""Reading constants and call shapes out of a Python syntax tree (the Python schema readers)."""

from __future__ import annotations

import ast
import re


def call_name(node: ast.expr) -> str:
    """``Column`` for ``Column(...)``, ``sa.Column(...)`` and ``db.Column(...)``."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def dotted(node: ast.expr) -> str:
    """``sa.orm.Mapped`` for that attribute chain ('' for anything else)."""
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def const_str(node: ast.expr | None) -> str | None:
    """A string constant, also through Alembic's ``op.f("ix_name")``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Call) and call_name(node) == "f" and node.args:
        return const_str(node.args[0])
    return None


def arg(call: ast.Call, index: int) -> ast.expr | None:
    """The positional argument at ``index``, if given."""
    return call.args[index] if len(call.args) > index else None


def kw(call: ast.Call, name: str) -> ast.expr | None:
    """The value of keyword argument ``name``, if given."""
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def kw_bool(call: ast.Call, name: str) -> bool | None:
    """``name=True``/``name=False`` (None when absent or not a boolean constant)."""
    value = kw(call, name)
    if isinstance(value, ast.Constant) and isinstance(value.value, bool):
        return value.value
    return None


def str_list(node: ast.expr | None) -> list[str]:
    """The strings of a list/tuple/set literal, or a single string as a list."""
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [s for s in (const_str(e) for e in node.elts) if s is not None]
    single = const_str(node)
    return [single] if single is not None else []


def ref_key(target: str) -> str:
    """``users.id`` -> ``users``; ``schema.users.id`` -> ``users``."""
    parts = target.split(".")
    return (parts[-2] if len(parts) >= 2 else parts[0]).lower()


def truthy(node: ast.expr | None) -> bool:
    """The constant ``True``."""
    return isinstance(node, ast.Constant) and node.value is True


def snake(name: str) -> str:
    """``OrderLine`` -> ``order_line`` (SQLAlchemy-style default table names)."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def single_assign(stmt: ast.stmt) -> tuple[str, ast.expr] | None:
    """``(name, value)`` of ``name = value`` (one plain name target), else None."""
    if (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
    ):
        return stmt.targets[0].id, stmt.value
    return None


def annotation_optional(text: str) -> bool:
    """Whether an annotation's source (spaces removed) admits ``None``."""
    return "Optional[" in text or "|None" in text or "None|" in text
