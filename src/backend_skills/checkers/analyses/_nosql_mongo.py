"""The MongoDB rules of the ``nosql`` analysis, over one source file that uses MongoDB.

- ``BSDB201``: server-side JavaScript (``$where``, ``$function``, ``$accumulator``,
  map/reduce) whose code is not a constant;
- ``BSDB202``: request data used as a filter, or a JSON request value put in a filter
  uncast (operator injection);
- ``BSDB203``: a ``find()`` in a request handler whose cursor is never bounded;
- the evidence ``BSDB207``/``BSDB208`` are judged on, repository-wide: where MongoDB is
  opened, and the lines that declare an index or a schema.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

from backend_skills.core.models import Confidence, Finding

from ._nosql_vocabulary import (
    CLIENTS,
    CURSOR_BOUNDS,
    FILTER_METHODS,
    INDEX_CALLS,
    JS_OPERATORS,
    KWARG_FILTERS,
    MAP_REDUCE,
    MONGO_CONNECTIONS,
    ODM_MODELS,
)
from ._request_data import RequestData
from ._rule_findings import rule_finding
from ._server_common import FunctionNode, Imports, TreeIndex, dotted

# --------------------------------------------------------------------------- constants

_ConstantCheck = Callable[[Any, AbstractSet[str]], bool]
#: How each kind of expression is constant (a kind not listed never is).
_CONSTANT_BY_TYPE: dict[type[ast.AST], _ConstantCheck] = {
    ast.Constant: lambda node, constants: True,
    ast.Name: lambda node, constants: node.id in constants,
    ast.JoinedStr: lambda node, constants: all(isinstance(v, ast.Constant) for v in node.values),
    ast.BinOp: lambda node, constants: (
        is_constant(node.left, constants) and is_constant(node.right, constants)
    ),
    ast.Call: lambda node, constants: (
        (dotted(node.func) or "").rsplit(".", 1)[-1] == "Code"
        and all(is_constant(a, constants) for a in node.args[:1])
    ),
    ast.Dict: lambda node, constants: all(is_constant(v, constants) for v in node.values),
}


def is_constant(node: ast.AST | None, constants: AbstractSet[str]) -> bool:
    """Whether ``node`` is text fixed in the source: a literal, a name of ``constants``,
    an f-string without fields, ``+`` of constants, ``bson.Code(constant)``, or a dict of
    constants (an absent value counts as constant)."""
    if node is None:
        return True
    check = _CONSTANT_BY_TYPE.get(type(node))
    return check is not None and check(node, constants)


def constant_names(tree: ast.Module) -> frozenset[str]:
    """Module-level names bound to a constant string."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and is_constant(node.value, frozenset()):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return frozenset(names)


def operator_code(operator: str, value: ast.expr) -> list[ast.expr]:
    """The parts of a JavaScript operator's value that are code: all of ``$where``'s, and
    every field of a ``$function``/``$accumulator`` document but ``args`` and ``lang``."""
    if not isinstance(value, ast.Dict) or operator == "$where":
        return [value]
    return [
        v
        for k, v in zip(value.keys, value.values, strict=True)
        if not (isinstance(k, ast.Constant) and k.value in ("args", "lang"))
    ]


# --------------------------------------------------------------------------- filters


def filter_problem(expr: ast.expr, request: RequestData) -> str | None:
    """Why ``expr``, used as a MongoDB filter, lets the client choose operators (None
    when it does not)."""
    if request.whole(expr) is not None:
        return "the whole request object is the filter: the client chooses the operators"
    if not isinstance(expr, ast.Dict):
        return None
    for key, value in zip(expr.keys, expr.values, strict=True):
        if key is None and request.whole(value) is not None:
            return "the request object is unpacked into the filter"
        if key is not None and request.json_value(value):
            name = str(key.value) if isinstance(key, ast.Constant) else "a field"
            return (
                f"`{name}` takes a JSON request value uncast: it can be an operator"
                ' document such as {"$ne": null}'
            )
    return None


def _first_argument_filter(call: ast.Call) -> list[ast.expr]:
    return [*call.args[:1], *(k.value for k in call.keywords if k.arg == "filter")]


def _match_stages(call: ast.Call) -> list[ast.expr]:
    """The ``$match`` documents of an ``aggregate([...])`` pipeline given as a list."""
    if not (call.args and isinstance(call.args[0], ast.List)):
        return []
    return [
        v
        for stage in call.args[0].elts
        if isinstance(stage, ast.Dict)
        for k, v in zip(stage.keys, stage.values, strict=True)
        if isinstance(k, ast.Constant) and k.value == "$match"
    ]


# --------------------------------------------------------------------------- cursors


def find_method(node: ast.AST) -> str:
    """``find``/``find_all`` when ``node`` reads a collection with no ``limit=`` ("" when
    it does not: another call, ``str.find("x")``, a find with a limit)."""
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("find", "find_all")
    ):
        return ""
    first = node.args[0] if node.args else None
    if isinstance(first, ast.Constant | ast.JoinedStr) or isinstance(node.func.value, ast.Constant):
        return ""  # str.find("x")
    return "" if any(k.arg == "limit" for k in node.keywords) else node.func.attr


def has_length(call: ast.Call) -> bool:
    """Whether motor's ``to_list`` gets a length that is not None."""
    values = [*call.args[:1], *(k.value for k in call.keywords if k.arg == "length")]
    return any(not (isinstance(v, ast.Constant) and v.value is None) for v in values)


def _call_bounds(parent: ast.Call, node: ast.AST) -> bool | None:
    """A call around the cursor: it bounds it, or takes it as an argument (it does not),
    or the cursor's method is called (look further up: None)."""
    func = parent.func
    name = func.attr if isinstance(func, ast.Attribute) else dotted(func)
    name = (name or "").rsplit(".", 1)[-1]
    if name in CURSOR_BOUNDS or (name == "to_list" and has_length(parent)):
        return True
    return None if func is node else False  # list(cursor): an argument, not chained


def _bounded_later(parent: ast.Assign | ast.AnnAssign, nodes: Sequence[ast.AST]) -> bool:
    """Whether the name the cursor is assigned to gets a bounding call (``c.limit(50)``)."""
    target = parent.targets[0] if isinstance(parent, ast.Assign) else parent.target
    if not isinstance(target, ast.Name):
        return False
    return any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr in CURSOR_BOUNDS
        and isinstance(n.func.value, ast.Name)
        and n.func.value.id == target.id
        for n in nodes
    )


def _bound_by(parent: ast.AST, node: ast.AST, nodes: Sequence[ast.AST]) -> bool | None:
    """What ``parent`` says about the cursor ``node``: bounded, not, or look further up."""
    if isinstance(parent, ast.Call):
        return _call_bounds(parent, node)
    if isinstance(parent, ast.Subscript):
        return parent.value is node  # cursor[:20]
    if isinstance(parent, ast.Assign | ast.AnnAssign):
        return _bounded_later(parent, nodes)
    return None if isinstance(parent, ast.Attribute | ast.Await) else False


def bounded(call: ast.Call, parents: dict[int, ast.AST], nodes: Sequence[ast.AST]) -> bool:
    """Whether the cursor ``call`` returns is bounded where it is used: chained
    ``.limit()``, sliced, wrapped in a bounding call, or limited after assignment."""
    node: ast.AST = call
    while id(node) in parents:
        parent = parents[id(node)]
        verdict = _bound_by(parent, node, nodes)
        if verdict is not None:
            return verdict
        node = parent
    return False


def parents_of(nodes: Sequence[ast.AST]) -> dict[int, ast.AST]:
    """Node id -> parent, for the children of ``nodes``."""
    return {id(child): node for node in nodes for child in ast.iter_child_nodes(node)}


# --------------------------------------------------------------------------- the rules


class MongoRules:
    """``BSDB201``-``BSDB203`` over the functions of one file that uses MongoDB."""

    def __init__(self, path: str, tree: ast.Module, imports: Imports) -> None:
        self.path = path
        self.constants = constant_names(tree)
        self.mongoengine = imports.imports_any("mongoengine", "flask_mongoengine")

    def findings(
        self,
        nodes: list[ast.AST],
        func: FunctionNode | None,
        request: RequestData,
        *,
        handler: bool,
    ) -> Iterator[Finding]:
        """Findings in one function's own ``nodes`` (``handler``: a request handler)."""
        yield from self._javascript(nodes, func, request)
        yield from self._filters(nodes, request)
        if handler:
            yield from self._unbounded(nodes)

    # ------------------------------------------------------------ BSDB201 javascript

    def _javascript(
        self, nodes: list[ast.AST], func: FunctionNode | None, request: RequestData
    ) -> Iterator[Finding]:
        mentions = func is not None and request.mentions(func)
        confidence = Confidence.HIGH if mentions else Confidence.MEDIUM
        for node in nodes:
            for where, message in self._javascript_sites(node):
                yield rule_finding("BSDB201", self.path, where, message, confidence=confidence)

    def _javascript_sites(self, node: ast.AST) -> Iterator[tuple[ast.AST, str]]:
        if isinstance(node, ast.Dict):
            for key in self._dynamic_operators(node):
                yield (
                    key,
                    f"MongoDB `{key.value!s}` runs JavaScript built from non-constant"
                    " input on the server: use query operators and pass values as values",
                )
        elif method := self._dynamic_map_reduce(node):
            yield (
                node,
                f"`{method}` runs map/reduce JavaScript built from non-constant"
                " input: use an aggregation pipeline",
            )

    def _dynamic_operators(self, node: ast.Dict) -> Iterator[ast.Constant]:
        """Keys ``$where``/``$function``/``$accumulator`` whose code is not constant."""
        for key, value in zip(node.keys, node.values, strict=True):
            if not (isinstance(key, ast.Constant) and key.value in JS_OPERATORS):
                continue
            code = operator_code(str(key.value), value)
            if not all(is_constant(c, self.constants) for c in code):
                yield key

    def _dynamic_map_reduce(self, node: ast.AST) -> str:
        """The map/reduce method ``node`` calls with non-constant code ("" when none)."""
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in MAP_REDUCE
        ):
            return ""
        code = [*node.args[:2], *(k.value for k in node.keywords if k.arg in ("map", "reduce"))]
        dynamic = not all(is_constant(c, self.constants) for c in code)
        return node.func.attr if dynamic else ""

    # ------------------------------------------------------------ BSDB202 operator injection

    def filter_args(self, call: ast.Call, method: str) -> list[ast.expr]:
        """The expressions a collection call uses as filters."""
        filters: list[ast.expr] = []
        if method in FILTER_METHODS:
            filters += _first_argument_filter(call)
        elif method == "aggregate":
            filters += _match_stages(call)
        if method in KWARG_FILTERS and self.mongoengine:
            filters += [k.value for k in call.keywords if k.arg in (None, "__raw__")]
        return filters

    def _filters(self, nodes: list[ast.AST], request: RequestData) -> Iterator[Finding]:
        for node in nodes:
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            method = node.func.attr
            problems = (filter_problem(e, request) for e in self.filter_args(node, method))
            problem = next((p for p in problems if p is not None), None)
            if problem is not None:
                yield rule_finding(
                    "BSDB202",
                    self.path,
                    node,
                    f"request data reaches the MongoDB filter of `{method}` ({problem}):"
                    " build the filter from named fields and cast each value",
                )

    # ------------------------------------------------------------ BSDB203 unbounded reads

    def _unbounded(self, nodes: list[ast.AST]) -> Iterator[Finding]:
        parents = parents_of(nodes)
        for node in nodes:
            method = find_method(node)
            if method and isinstance(node, ast.Call) and not bounded(node, parents, nodes):
                yield rule_finding(
                    "BSDB203",
                    self.path,
                    node,
                    f"`{method}()` in a request handler has no limit: it returns the whole"
                    " collection as it grows; chain .limit(n) (and paginate)",
                )


# --------------------------------------------------------------------------- evidence


def declares_index(call: ast.Call) -> bool:
    """``create_index(...)``, ``IndexModel(...)``, ``Indexed(...)``, or a field with
    ``index=``/``unique=``/``unique_with=`` (MongoEngine, ODMantic)."""
    name = call.func.attr if isinstance(call.func, ast.Attribute) else dotted(call.func)
    if (name or "").rsplit(".", 1)[-1] in INDEX_CALLS:
        return True
    return any(
        k.arg in ("index", "unique", "unique_with")
        and isinstance(k.value, ast.Constant)
        and k.value.value not in (False, None)
        for k in call.keywords
    )


def _classes(index: TreeIndex) -> list[ast.ClassDef]:
    return [c for c in index.of(ast.ClassDef) if isinstance(c, ast.ClassDef)]


def _assigns_indexes(stmt: ast.stmt) -> bool:
    """``indexes = [...]`` in a class body (MongoEngine's ``Meta``, Beanie's ``Settings``)."""
    return isinstance(stmt, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id == "indexes" for t in stmt.targets
    )


def _dicts_with_key(index: TreeIndex, key: str) -> list[ast.Dict]:
    return [
        node
        for node in index.of(ast.Dict)
        if isinstance(node, ast.Dict)
        and any(isinstance(k, ast.Constant) and k.value == key for k in node.keys)
    ]


def index_lines(index: TreeIndex) -> list[int]:
    """Lines declaring an index: calls, ``{"indexes": ...}`` and ``indexes = ...``."""
    lines = [call.lineno for call in index.calls() if declares_index(call)]
    lines += [node.lineno for node in _dicts_with_key(index, "indexes")]
    lines += [s.lineno for cls in _classes(index) for s in cls.body if _assigns_indexes(s)]
    return sorted(lines)


def schema_lines(index: TreeIndex, imports: Imports) -> list[int]:
    """Lines declaring a schema: ``$jsonSchema``, ``validator=``, ODM model classes."""
    lines = [
        node.lineno
        for node in index.of(ast.Constant)
        if isinstance(node, ast.Constant) and node.value == "$jsonSchema"
    ]
    lines += [c.lineno for c in index.calls() if any(k.arg == "validator" for k in c.keywords)]
    lines += [
        cls.lineno
        for cls in _classes(index)
        if any(imports.resolve(b) in ODM_MODELS for b in cls.bases)
    ]
    return sorted(lines)


def mongo_site(index: TreeIndex, imports: Imports) -> int:
    """Where the file opens MongoDB (a client or ODM engine), else its first import."""
    for call in index.calls():
        resolved = imports.resolve(call.func) or ""
        if (
            resolved.rsplit(".", 1)[-1] in MONGO_CONNECTIONS
            and resolved.split(".", 1)[0] in CLIENTS
        ):
            return call.lineno
    modules = [m for m, s in CLIENTS.items() if s == "mongodb" and imports.imports_any(m)]
    return min(imports.line_of(m) for m in modules)


def mongo_evidence(index: TreeIndex, imports: Imports) -> dict[str, Any]:
    """What the repository-level MongoDB rules read from one file."""
    return {
        "mongo_site": mongo_site(index, imports),
        "indexes": index_lines(index),
        "schemas": schema_lines(index, imports),
    }
