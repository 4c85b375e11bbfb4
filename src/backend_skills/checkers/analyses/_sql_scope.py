"""Where names get their values in Python code: the scope of a function (its parameters
and local assignments, nested definitions left out) and small readers of call names.

Shared by the SQL classification (:mod:`._sql_building`), the ``database`` analysis and
the migrations reader.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

#: One assignment of a name: (line, value, whether it is ``+=``).
Assignment = tuple[int, ast.expr, bool]


def dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else node.attr
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Call):
        return dotted(node.func) + "()"
    return ""


def call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def is_upper_name(name: str) -> bool:
    return name.isupper() and any(c.isalpha() for c in name)


@dataclass
class Scope:
    """Assignments and parameters of one function (or the module)."""

    node: ast.AST
    params: frozenset[str]
    assigns: dict[str, list[Assignment]] = field(default_factory=dict)
    """name -> [(line, value, is_augmented)] in source order."""

    @classmethod
    def build(cls, node: ast.AST) -> Scope:
        """The parameters and local assignments of a function, lambda or module."""
        scope = cls(node=node, params=parameters(node))
        raw = getattr(node, "body", [])
        body: list[ast.AST] = list(raw) if isinstance(raw, list) else [raw]  # lambda: an expr
        for child in _walk_local(body):
            for name, entry in assignments(child):
                scope.assigns.setdefault(name, []).append(entry)
        return scope

    def lookup(self, name: str, line: int) -> list[Assignment]:
        """The last plain assignment before ``line`` and the ``+=`` after it."""
        entries = [e for e in self.assigns.get(name, []) if e[0] <= line]
        result: list[Assignment] = []
        for entry in reversed(entries):
            result.append(entry)
            if not entry[2]:
                break
        return list(reversed(result))


def parameters(node: ast.AST) -> frozenset[str]:
    """Every parameter name of a function or lambda (``*args``, ``**kwargs`` included)."""
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        return frozenset()
    args = node.args
    names = {arg.arg for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
    names.update(star.arg for star in (args.vararg, args.kwarg) if star is not None)
    return frozenset(names)


def assignments(node: ast.AST) -> list[tuple[str, Assignment]]:
    """``(name, (line, value, augmented))`` for ``name = v`` (each name of ``a = b = v``),
    ``name: T = v`` and ``name += v``; empty for anything else."""
    if isinstance(node, ast.Assign):
        return [
            (target.id, (node.lineno, node.value, False))
            for target in node.targets
            if isinstance(target, ast.Name)
        ]
    if isinstance(node, ast.AnnAssign) and node.value is not None:
        if isinstance(node.target, ast.Name):
            return [(node.target.id, (node.lineno, node.value, False))]
        return []
    if (
        isinstance(node, ast.AugAssign)
        and isinstance(node.target, ast.Name)
        and isinstance(node.op, ast.Add)
    ):
        return [(node.target.id, (node.lineno, node.value, True))]
    return []


def _walk_local(body: Sequence[ast.AST]) -> Iterator[ast.AST]:
    """Every node in ``body`` without entering nested functions, lambdas or classes."""
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        for child in reversed(list(ast.iter_child_nodes(node))):
            if isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef
            ):
                continue
            stack.append(child)
