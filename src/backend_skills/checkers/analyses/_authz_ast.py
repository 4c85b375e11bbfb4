"""Reading the small pieces of a Python tree the endpoint inventory keeps: references as
source text (``views.UserView``), literal strings and paths, keyword arguments, lists of
class names, and a module's import table."""

from __future__ import annotations

import ast
from pathlib import PurePosixPath

from ._server_common import dotted, tree_index


def module_of(path: str) -> list[str]:
    """The package parts a module at ``path`` lives in (``a/b/c.py`` -> ``[a, b]``)."""
    return list(PurePosixPath(path).parts[:-1])


def _from_base(node: ast.ImportFrom, package: list[str]) -> str:
    """The module a ``from ... import`` reads, relative levels resolved."""
    base = node.module or ""
    if not node.level:
        return base
    parts = package[: len(package) - (node.level - 1)] if node.level > 1 else package
    return ".".join([*parts, *([base] if base else [])])


def _bound_names(node: ast.Import | ast.ImportFrom, package: list[str]) -> dict[str, str]:
    """Local name -> dotted target, for one import statement."""
    if isinstance(node, ast.Import):
        return {
            (alias.asname or alias.name.split(".", 1)[0]): (
                alias.name if alias.asname else alias.name.split(".", 1)[0]
            )
            for alias in node.names
        }
    base = _from_base(node, package)
    return {
        (alias.asname or alias.name): f"{base}.{alias.name}" if base else alias.name
        for alias in node.names
        if alias.name != "*"
    }


def import_table(tree: ast.Module, path: str) -> dict[str, str]:
    """Local name -> dotted target, relative imports resolved against ``path``."""
    table: dict[str, str] = {}
    package = module_of(path)
    for node in tree_index(tree).of(ast.Import, ast.ImportFrom):
        assert isinstance(node, ast.Import | ast.ImportFrom)
        table.update(_bound_names(node, package))
    return table


def text(node: ast.AST | None) -> str | None:
    """Source-like text of a reference: ``views.UserView``; ``f()`` -> ``f``."""
    if node is None:
        return None
    if isinstance(node, ast.Call):
        return text(node.func)
    return dotted(node)


def last(node: ast.AST | None) -> str:
    """The last part of a reference (``views.UserView`` -> ``UserView``)."""
    return (text(node) or "").rsplit(".", 1)[-1]


def target(decorator: ast.expr) -> ast.expr:
    """What a decorator names: ``@a.b(x)`` -> ``a.b``."""
    return decorator.func if isinstance(decorator, ast.Call) else decorator


def string(node: ast.AST | None) -> str | None:
    """A literal string, or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def path_text(node: ast.AST | None) -> str | None:
    """A literal path, or ``{expr}`` for a path that is not known statically."""
    literal = string(node)
    if literal is not None or node is None:
        return literal
    if isinstance(node, ast.JoinedStr):
        out = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                out.append(str(value.value))
            elif isinstance(value, ast.FormattedValue):
                out.append("{" + (text(value.value) or "expr") + "}")
        return "".join(out)
    return "{" + (text(node) or "expr") + "}"


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    """The value of keyword argument ``name``, or None."""
    for item in call.keywords:
        if item.arg == name:
            return item.value
    return None


def argument(call: ast.Call, index: int, name: str) -> ast.expr | None:
    """A positional argument, or the keyword argument of that name."""
    return call.args[index] if len(call.args) > index else keyword(call, name)


def strings(node: ast.AST | None) -> list[str]:
    """The literal strings of a list, tuple or set (or a single string)."""
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [s for s in (string(e) for e in node.elts) if s is not None]
    single = string(node)
    return [single] if single is not None else []


def upper_strings(node: ast.AST | None) -> list[str]:
    """``methods=["post"]`` -> ``["POST"]``."""
    return [s.upper() for s in strings(node)]


def is_true(node: ast.AST | None) -> bool:
    """The literal ``True``."""
    return isinstance(node, ast.Constant) and node.value is True


def names(node: ast.AST | None) -> list[str] | None:
    """Short names in a list or tuple of classes (``[IsAuthenticated]``); None if dynamic."""
    if isinstance(node, ast.List | ast.Tuple):
        out = []
        for element in node.elts:
            name = last(element) or string(element)
            if name:
                out.append(name.rsplit(".", 1)[-1])
        return out
    if isinstance(node, ast.BinOp):  # [A] + [B] or base.permission_classes + [X]
        left, right = names(node.left), names(node.right)
        return (left or []) + (right or []) if left is not None or right is not None else None
    return None


def elements(node: ast.AST | None) -> list[ast.expr]:
    """The elements of a literal list or tuple (empty for anything else)."""
    return list(node.elts) if isinstance(node, ast.List | ast.Tuple) else []
