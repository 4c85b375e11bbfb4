"""Where request data is, in a Python function: the sources the NoSQL rules trace.

Two kinds of request object, because they differ in what a value can be:

- **JSON** (``request.json``, ``request.get_json()``, ``await request.json()``, DRF's
  ``request.data``, Falcon's ``req.media``, ``json.loads(request.body)``, and route
  parameters annotated ``dict``/``Any``): a value inside can itself be a dict, so it can
  carry operators (``{"$ne": null}``);
- **form** (``request.args``, ``request.form``, ``request.values``, ``request.GET``,
  ``request.POST``, ``request.query_params``): every value is a string, but the keys are
  the client's, so the object as a whole is still not a filter.

Names bound by a simple assignment in the same function are followed (two levels).
"""

from __future__ import annotations

import ast
from typing import Literal

from ._server_common import FunctionNode, dotted, walk_body

Kind = Literal["json", "form"]

_ROOTS = ("request", "req", "self.request")
_JSON_ATTRS = frozenset({"json", "data", "media"})
_JSON_CALLS = frozenset({"get_json", "json"})
_FORM_ATTRS = frozenset(
    {"args", "form", "values", "GET", "POST", "query_params", "query", "params"}
)
_WHOLE_CALLS = frozenset({"to_dict", "dict", "copy"})
_DICT_ANNOTATIONS = frozenset({"dict", "Dict", "Any", "Mapping", "MutableMapping", "JSON", "Json"})


def _request_attr(node: ast.AST) -> str | None:
    """``json`` for ``request.json`` (and ``req.json``, ``self.request.json``)."""
    if not isinstance(node, ast.Attribute):
        return None
    owner = dotted(node.value)
    return node.attr if owner in _ROOTS else None


class RequestData:
    """Request objects and the local names bound to them, in one function."""

    def __init__(self, func: FunctionNode | None, dict_params: frozenset[str] = frozenset()):
        self.bindings: dict[str, ast.expr] = {}
        self.dict_params = dict_params
        if func is None:
            return
        for node in walk_body(func.body):
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
            ):
                self.bindings[node.targets[0].id] = node.value
            elif (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and node.value is not None
            ):
                self.bindings[node.target.id] = node.value

    def _resolve(self, node: ast.expr, depth: int = 0) -> ast.expr:
        if isinstance(node, ast.Name) and node.id in self.bindings and depth < 2:
            return self._resolve(self.bindings[node.id], depth + 1)
        return node

    def whole(self, node: ast.expr, depth: int = 0) -> Kind | None:
        """The kind of request object ``node`` is as a whole (None: not one)."""
        node = self._resolve(node, depth)
        if isinstance(node, ast.Await):
            node = node.value
        if isinstance(node, ast.Name) and node.id in self.dict_params:
            return "json"
        attr = _request_attr(node)
        if attr in _JSON_ATTRS:
            return "json"
        if attr in _FORM_ATTRS:
            return "form"
        return self._whole_call(node, depth) if isinstance(node, ast.Call) else None

    def _whole_call(self, node: ast.Call, depth: int) -> Kind | None:
        """``await request.json()``, ``request.POST.dict()``, ``json.loads(request.body)``,
        ``dict(request.form)``."""
        func = node.func
        if isinstance(func, ast.Name):
            return self.whole(node.args[0], depth + 1) if func.id == "dict" and node.args else None
        if not isinstance(func, ast.Attribute):
            return None
        if _request_attr(func) in _JSON_CALLS:
            return "json"
        if func.attr in _WHOLE_CALLS:
            return self.whole(func.value, depth + 1)
        if func.attr == "loads" and node.args and self._mentions_request(node.args[0]):
            return "json"  # json.loads(request.body)
        return None

    def json_value(self, node: ast.expr, depth: int = 0) -> bool:
        """Whether ``node`` is a value taken uncast from a JSON request object
        (``request.json["user"]``, ``body.get("user")``, or the object itself)."""
        node = self._resolve(node, depth)
        if isinstance(node, ast.Subscript):
            return self.whole(node.value, depth + 1) == "json" or self.json_value(
                node.value, depth + 1
            )
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
        ):
            return self.whole(node.func.value, depth + 1) == "json"
        return self.whole(node, depth) == "json"

    @staticmethod
    def _mentions_request(node: ast.AST) -> bool:
        return any(
            _request_attr(sub) is not None
            for sub in ast.walk(node)
            if isinstance(sub, ast.Attribute)
        )

    def mentions(self, func: FunctionNode) -> bool:
        """Whether the function reads request data at all."""
        if self.dict_params:
            return True
        return any(
            isinstance(node, ast.Attribute) and _request_attr(node) is not None
            for node in walk_body(func.body)
        )


def dict_params(func: FunctionNode) -> frozenset[str]:
    """Parameters of a route handler annotated as a free-form mapping (``dict``, ``Any``)."""
    names = set()
    args = func.args
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
        annotation = arg.annotation
        if isinstance(annotation, ast.Subscript):
            annotation = annotation.value
        name = (dotted(annotation) or "").rsplit(".", 1)[-1] if annotation is not None else ""
        if name in _DICT_ANNOTATIONS:
            names.add(arg.arg)
    return frozenset(names)
