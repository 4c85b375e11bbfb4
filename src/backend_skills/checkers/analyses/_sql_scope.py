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
    """Assignments and parameters of one function (or the module).

    The assignments are indexed on the first lookup: most scopes never resolve a name
    (only those holding a SQL call do), so most are never walked.
    """

    node: ast.AST
    params: frozenset[str]
    _assigns: dict[str, list[Assignment]] | None = field(default=None, repr=False)

    @classmethod
    def build(cls, node: ast.AST) -> Scope:
        """The parameters and (lazily) local assignments of a function, lambda or module."""
        return cls(node=node, params=parameters(node))

    @property
    def assigns(self) -> dict[str, list[Assignment]]:
        """name -> [(line, value, is_augmented)] in source order."""
        if self._assigns is None:
            found: dict[str, list[Assignment]] = {}
            raw = getattr(self.node, "body", [])
            body: list[ast.AST] = list(raw) if isinstance(raw, list) else [raw]  # lambda
            for child in _walk_local(body):
                if isinstance(child, _ASSIGNMENTS):
                    for name, entry in assignments(child):
                        found.setdefault(name, []).append(entry)
            self._assigns = found
        return self._assigns

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


#: The statements :func:`assignments` reads.
_ASSIGNMENTS = (ast.Assign, ast.AnnAssign, ast.AugAssign)
#: Nested scopes: their names are not the enclosing scope's.
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _walk_local(body: Sequence[ast.AST]) -> Iterator[ast.AST]:
    """Every node in ``body`` without entering nested functions, lambdas or classes
    (a definition in ``body`` itself included: a method's locals are not the module's)."""
    stack: list[ast.AST] = [node for node in reversed(body) if not isinstance(node, _NESTED)]
    while stack:
        node = stack.pop()
        yield node
        children: list[ast.AST] = []
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                if not isinstance(value, _NESTED):
                    children.append(value)
            elif isinstance(value, list):
                children.extend(
                    v for v in value if isinstance(v, ast.AST) and not isinstance(v, _NESTED)
                )
        children.reverse()
        stack.extend(children)
