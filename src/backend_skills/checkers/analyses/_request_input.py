"""Request input in Python code: which values reaching a dangerous sink came from a request.

DESIGN section 5: a dangerous sink fed by untrusted input in the same handler, or through
the functions it calls, is a vulnerability; without that evidence it is a hotspot. This
module gives the evidence for one file, and the facts needed to follow one call further
(to a function of the same file or of an imported module):

- **request input**: expressions rooted at ``request``/``req``/``self.request`` (Flask,
  Django, aiohttp, Starlette: ``request.args``, ``request.GET``, ``await request.json()``),
  and parameters FastAPI fills from the request (``Query``/``Header``/``Cookie``/``Body``/
  ``Form``/``File``/``Path`` markers, ``Depends`` on an OAuth2/HTTP bearer/API-key
  scheme), the plain parameters of a route function (``@app.get``, ``@router.post``,
  ``@app.route``: path, query and body parameters) and a Django view's URL arguments;
  parameters annotated ``int``/``float``/``bool``/``UUID``/dates are validated by the
  framework and are not input; and the ``event`` of a serverless handler
  (``def handler(event, context)``, AWS Lambda's signature);
- **flow** inside a function: a name assigned from input carries it, and so does any
  expression built from it, except through ``int()``, ``float()``, ``len()``,
  ``shlex.quote()`` and other sanitisers;
- **sinks**: SQL (``execute``/``raw``/``read_sql``... with a non-literal query), a shell (``subprocess.*`` with ``shell=True``, ``os.system``, ``os.popen``),
  code (``eval``, ``exec``) and deserialisation (``pickle``/``marshal``/``dill``
  ``loads``, ``yaml.load`` without a safe loader, ``jsonpickle.decode``).

Each sink is reported with where its value comes from: ``"@request"`` (input in the same
function) or the names of the function's parameters it depends on (resolved one call
away by the caller). No code is imported or run.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ._request_sinks import call_name as _call_name
from ._request_sinks import classify_sink
from ._server_common import child_nodes, tree_index

REQUEST = "@request"
_REQUEST_ROOTS = frozenset({"request", "req"})
#: Attributes of a request object that are not attacker-controlled data.
_NOT_INPUT = frozenset({"user", "method", "session", "app", "auth", "scope", "state"})
_FASTAPI_INPUT = frozenset({"Query", "Header", "Cookie", "Body", "Form", "File", "Path"})
_SCHEMES = frozenset(
    {
        "OAuth2PasswordBearer",
        "OAuth2AuthorizationCodeBearer",
        "HTTPBearer",
        "HTTPBasic",
        "APIKeyHeader",
        "APIKeyCookie",
        "APIKeyQuery",
    }
)
_ROUTE_DECORATORS = frozenset(
    {"route", "get", "post", "put", "patch", "delete", "api_route", "websocket", "head"}
)
_SAFE_TYPES = frozenset({"int", "float", "bool", "UUID", "date", "datetime", "Decimal"})
_SANITISERS = frozenset(
    {"int", "float", "bool", "len", "abs", "round", "quote", "escape", "UUID", "hash"}
)


#: SQLAlchemy's statement constructors (``select(User).where(User.email == email)``): the
#: values they take become bound parameters, not SQL text.
_STATEMENTS = frozenset({"select", "insert", "update", "delete", "union", "union_all", "exists"})
#: Modules those constructors are called through (``sa.select``, ``sqlmodel.select``).
_STATEMENT_MODULES = frozenset({"sa", "sqlalchemy", "sqlmodel", "sql", "expression"})
#: Calls that put text into a statement as SQL (their arguments stay origins).
_RAW_SQL = frozenset({"text", "literal_column"})


def _statement_chain(node: ast.Call, qualname: Callable[[ast.AST], str]) -> bool:
    """``node`` is a SQLAlchemy statement, or a method chain on one
    (``select(User).where(...).order_by(...)``, ``sa.update(User).values(...)``,
    ``sqlalchemy_update(User)`` imported under another name, a model's table's
    ``Pages.__table__.select()``)."""
    current: ast.AST = node
    while isinstance(current, ast.Call):
        func = current.func
        if isinstance(func, ast.Name):
            resolved = qualname(func) or func.id
            module, _, last = resolved.rpartition(".")
            return last in _STATEMENTS and (
                not module or module.split(".")[0] in _STATEMENT_MODULES
            )
        if not isinstance(func, ast.Attribute):
            return False
        if isinstance(func.value, ast.Name) and func.value.id in _STATEMENT_MODULES:
            return func.attr in _STATEMENTS
        if isinstance(func.value, ast.Attribute) and func.value.attr == "__table__":
            return func.attr in _STATEMENTS  # Pages.__table__.select().where(...)
        current = func.value
    return False


#: Statements listed but not entered by :meth:`RequestFlow._statements`.
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
#: No binding lines: a sink's kind is found without them.
_NO_LINES: dict[str, int] = {}
#: Nodes whose origins are those of their children.
_FLOW_NODES = (ast.expr, ast.comprehension, ast.keyword, ast.FormattedValue)


@dataclass(frozen=True)
class Sink:
    """A dangerous call and where the value it runs comes from."""

    kind: str  # "shell" | "code" | "deserialisation" | "sql" | "jwt"
    line: int
    function: str  # the enclosing function ("" at module level)
    origins: frozenset[str]  # REQUEST and/or parameter names
    params: tuple[str, ...] = ()  # the enclosing function's parameters (self/cls left out)


@dataclass
class _Scope:
    params: tuple[str, ...]
    function: str = ""
    names: dict[str, set[str]] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # where a name was last built
    request: bool = False  # whether a name was given request input
    unbound: list[ast.stmt] | None = None  # statements whose bindings are not read yet


def _root(node: ast.AST) -> ast.AST:
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call | ast.Await):
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Await):
            node = node.value
        else:
            node = node.value
    return node


def access_chain(node: ast.AST) -> tuple[ast.AST, list[str]]:
    """The root of an access and the attributes read from it, in order:
    ``(request, ["args", "get"])`` for ``request.args.get("id")``."""
    chain: list[str] = []
    cur: ast.AST = node
    while isinstance(cur, ast.Attribute | ast.Subscript | ast.Call | ast.Await):
        if isinstance(cur, ast.Attribute):
            chain.append(cur.attr)
        cur = cur.func if isinstance(cur, ast.Call) else cur.value
    chain.reverse()
    return cur, chain


def _request_read(node: ast.AST) -> bool:
    """``request.args[...]``, ``self.request.GET``, ``await request.json()``."""
    if not isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        return False
    root, chain = access_chain(node)
    if not isinstance(root, ast.Name):
        return False
    if root.id == "self" and chain[:1] == ["request"]:
        chain = chain[1:]
    elif root.id not in _REQUEST_ROOTS:
        return False
    return bool(chain) and chain[0] not in _NOT_INPUT


def _annotation_names(node: ast.AST | None) -> set[str]:
    if node is None:
        return set()
    out = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            out.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            out.add(sub.attr)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            out.update(w for w in sub.value.replace("[", " ").replace("]", " ").split())
    return out


def arguments_with_defaults(
    fn: ast.FunctionDef | ast.AsyncFunctionDef,
) -> list[tuple[ast.arg, ast.AST | None]]:
    """Every named parameter with its default (None: no default)."""
    args = [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]
    defaults: list[ast.AST | None] = [None] * (
        len(fn.args.posonlyargs) + len(fn.args.args) - len(fn.args.defaults)
    )
    defaults += list(fn.args.defaults)
    defaults += list(fn.args.kw_defaults)
    return list(zip(args, defaults, strict=True))


def is_route(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Decorated as a route: ``@app.get(...)``, ``@router.post(...)``, ``@app.route(...)``."""
    return any(
        isinstance(d, ast.Call)
        and isinstance(d.func, ast.Attribute)
        and d.func.attr in _ROUTE_DECORATORS
        for d in fn.decorator_list
    )


_EVENT_PARAMS = frozenset({"event", "evt", "_event"})
_CONTEXT_PARAMS = frozenset({"context", "ctx", "_context", "lambda_context"})


def serverless_event(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """The event parameter of a serverless handler, ``def handler(event, context)``
    (AWS Lambda's signature, whatever the function is called): the event is what the
    caller sent (an API Gateway request, an S3 object key, a queue message), untrusted."""
    names = [a.arg for a in [*fn.args.posonlyargs, *fn.args.args]]
    if len(names) == 2 and names[0] in _EVENT_PARAMS and names[1] in _CONTEXT_PARAMS:
        return names[0]
    return None


def is_view(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A view taking the request first: ``def view(request, ...)``, ``def get(self,
    request, ...)``."""
    names = [a.arg for a in [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]]
    return bool(names) and (
        names[0] in _REQUEST_ROOTS or (names[0] == "self" and names[1:2] == ["request"])
    )


class RequestFlow:
    """Request input and dangerous sinks in one parsed file."""

    def __init__(self, tree: ast.Module, aliases: dict[str, str]) -> None:
        self.aliases = aliases
        self.schemes = self._schemes(tree)
        self.sinks: list[Sink] = []
        self.calls: list[tuple[str, tuple[int, ...], tuple[str, ...]]] = []
        """(callee as written, positional indices, keywords) of calls passing input."""
        self.functions: dict[str, tuple[str, ...]] = {}
        self._scope_of: dict[int, _Scope] = {}
        self._module = _Scope(params=())
        self._calls_of = _calls_by_statement(tree)
        index = tree_index(tree)
        # Whether the file reads a request at all (``request``, ``req``, ``self.request``):
        # else only a scope whose names were given input can have input.
        self._reads_request = any(
            isinstance(n, ast.Name) and n.id in _REQUEST_ROOTS for n in index.of(ast.Name)
        ) or any(
            isinstance(n, ast.Attribute) and n.attr == "request" for n in index.of(ast.Attribute)
        )
        self._walk(tree.body, self._module, "")

    # -- helpers

    def qualname(self, node: ast.AST) -> str:
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            base = self.qualname(node.value)
            return f"{base}.{node.attr}" if base else node.attr
        if isinstance(node, ast.Call):  # connect().cursor().execute
            return self.qualname(node.func)
        return ""

    @staticmethod
    def _schemes(tree: ast.Module) -> set[str]:
        found: set[str] = set()
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and _call_name(node.value) in _SCHEMES
            ):
                found.update(t.id for t in node.targets if isinstance(t, ast.Name))
        return found

    def _marked_input(self, arg: ast.arg, default: ast.AST | None) -> bool | None:
        """True: FastAPI fills it from the request; False: a dependency; None: unmarked."""
        for node in (default, arg.annotation):
            if node is None:
                continue
            for sub in ast.walk(node):
                if not isinstance(sub, ast.Call):
                    continue
                name = _call_name(sub)
                if name in _FASTAPI_INPUT:
                    return True
                if name in {"Depends", "Security"}:
                    first = sub.args[0] if sub.args else None
                    return isinstance(first, ast.Name) and first.id in self.schemes
        return None

    def _input_params(self, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
        """Parameters the framework fills from the request: FastAPI's marked ones, and
        every plain parameter of a route or view function (validated types left out),
        and the event of a serverless handler."""
        event = serverless_event(fn)
        if event is not None:
            return {event}
        handler = is_route(fn) or is_view(fn)
        found = set()
        for arg, default in arguments_with_defaults(fn):
            if arg.arg in {"self", "cls", *_REQUEST_ROOTS}:
                continue
            marked = self._marked_input(arg, default)
            if marked is False or (marked is None and not handler):
                continue
            if not _annotation_names(arg.annotation) & _SAFE_TYPES:
                found.add(arg.arg)
        return found

    # -- flow

    def origins(self, node: ast.AST | None, scope: _Scope) -> set[str]:
        """Where the value of ``node`` comes from: REQUEST and/or parameter names."""
        if node is None:
            return set()
        if isinstance(node, ast.Call):
            return self._call_origins(node, scope)
        if isinstance(node, ast.Name):
            return set(scope.names.get(node.id, ()))
        if isinstance(node, ast.Attribute | ast.Subscript) and _request_read(node):
            return {REQUEST}
        if isinstance(node, ast.Lambda):
            return set()
        found: set[str] = set()
        for child in child_nodes(node):
            if isinstance(child, _FLOW_NODES):
                found |= self.origins(child, scope)
        return found

    def _call_origins(self, node: ast.Call, scope: _Scope) -> set[str]:
        """A call's value: input when it reads the request, nothing through a sanitiser,
        else whatever its callee and arguments carry."""
        if _call_name(node) in _SANITISERS:
            return set()
        if _request_read(node):
            return {REQUEST}
        if _statement_chain(node, self.qualname):  # only text() inside it carries SQL text
            return {
                origin
                for inner in ast.walk(node)
                if isinstance(inner, ast.Call) and _call_name(inner) in _RAW_SQL
                for argument in inner.args
                for origin in self.origins(argument, scope)
            }
        found: set[str] = set()
        for sub in [node.func, *node.args, *(k.value for k in node.keywords)]:
            found |= self.origins(sub, scope)
        return found

    def _bind(self, target: ast.AST, value: set[str], scope: _Scope, line: int = 0) -> bool:
        """Give every name in ``target`` the origins ``value``; whether any was given."""
        if not value:
            return False
        for sub in ast.walk(target):
            if isinstance(sub, ast.Name):
                scope.names.setdefault(sub.id, set()).update(value)
                scope.lines[sub.id] = line
                scope.request = scope.request or REQUEST in value
        return True

    def _walk(self, body: list[ast.stmt], scope: _Scope, function: str) -> None:
        statements = self._statements(body)
        if scope is self._module:  # class bodies bind into it too: in order
            self._bind_all(statements, scope)
        else:  # a function's own scope: bound when first read (most never are)
            scope.unbound = statements
        for stmt in statements:
            for node in self._calls_of.get(id(stmt), ()):
                self._scope_of[id(node)] = scope
                self._call(node, scope, function)
        for stmt in statements:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                self._function(stmt)
            elif isinstance(stmt, ast.ClassDef):
                self._walk(stmt.body, self._module, "")

    def _bind_all(self, statements: list[ast.stmt], scope: _Scope) -> None:
        bound = False
        for stmt in statements:
            bound = self._bind_statement(stmt, scope) or bound
        if bound:  # again: a name given input after its first use (else nothing changes)
            for stmt in statements:
                self._bind_statement(stmt, scope)

    def _bound(self, scope: _Scope) -> _Scope:
        """``scope`` with the names its statements bind (bound on the first call: only
        the function's own statements bind into it, so the result is the same)."""
        if scope.unbound is not None:
            statements, scope.unbound = scope.unbound, None
            self._bind_all(statements, scope)
        return scope

    def _bind_statement(self, stmt: ast.stmt, scope: _Scope) -> bool:
        """Names an assignment, a ``for`` target or a ``with ... as`` binds, with the
        origins of their value; whether any name was given origins."""
        bound = False
        if isinstance(stmt, ast.Assign):
            value = self.origins(stmt.value, scope)
            for target in stmt.targets:
                bound = self._bind(target, value, scope, stmt.value.lineno) or bound
        elif isinstance(stmt, ast.AnnAssign | ast.AugAssign) and stmt.value is not None:
            value = self.origins(stmt.value, scope)
            bound = self._bind(stmt.target, value, scope, stmt.value.lineno)
        elif isinstance(stmt, ast.For | ast.AsyncFor):
            bound = self._bind(stmt.target, self.origins(stmt.iter, scope), scope)
        elif isinstance(stmt, ast.With | ast.AsyncWith):
            for item in stmt.items:
                if item.optional_vars is not None:
                    value = self.origins(item.context_expr, scope)
                    bound = self._bind(item.optional_vars, value, scope) or bound
        return bound

    def _function(self, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        params = tuple(
            a.arg
            for a in [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]
            if a.arg not in {"self", "cls"}
        )
        scope = _Scope(params=params, function=fn.name)
        inputs = self._input_params(fn)
        for name in params:
            scope.names[name] = {REQUEST} if name in inputs else {name}
        scope.request = bool(inputs & set(params))
        for star in (fn.args.vararg, fn.args.kwarg):
            if star is not None:
                scope.names[star.arg] = {star.arg}
        self.functions.setdefault(fn.name, params)
        self._walk(fn.body, scope, fn.name)

    @staticmethod
    def _statements(body: list[ast.stmt], out: list[ast.stmt] | None = None) -> list[ast.stmt]:
        """Statements of a body, nested blocks included, nested definitions excluded
        (they are listed but not entered)."""
        found: list[ast.stmt] = [] if out is None else out
        for stmt in body:
            found.append(stmt)
            if isinstance(stmt, _DEFINITIONS):
                continue
            for name in ("body", "orelse", "finalbody"):
                RequestFlow._statements(getattr(stmt, name, None) or [], found)
            for handler in getattr(stmt, "handlers", None) or []:
                RequestFlow._statements(handler.body, found)
            for case in getattr(stmt, "cases", None) or []:
                RequestFlow._statements(case.body, found)
        return found

    def _call(self, node: ast.Call, scope: _Scope, function: str) -> None:
        qual = self.qualname(node.func)
        if classify_sink(node, qual, self.qualname, _NO_LINES)[0] is not None:
            # a sink (whatever the bindings): its line may depend on them
            kind, arg, line = classify_sink(node, qual, self.qualname, self._bound(scope).lines)
        else:
            kind, arg, line = None, None, 0
        if kind is not None:
            self.sinks.append(
                Sink(kind, line, function, frozenset(self.origins(arg, scope)), scope.params)
            )
        if not (qual and (self._reads_request or scope.request)):
            return  # no argument can carry request input
        self._bound(scope)
        positions = tuple(i for i, a in enumerate(node.args) if REQUEST in self.origins(a, scope))
        keywords = tuple(
            k.arg for k in node.keywords if k.arg and REQUEST in self.origins(k.value, scope)
        )
        if positions or keywords:
            self.calls.append((qual, positions, keywords))

    def value_origins(self, call: ast.Call, value: ast.AST | None) -> set[str]:
        """Origins of ``value``, an argument of ``call`` (a call this flow has seen)."""
        scope = self._scope_of.get(id(call))
        return self.origins(value, self._bound(scope)) if scope is not None else set()

    def scope_of(self, call: ast.Call) -> tuple[str, tuple[str, ...]]:
        """The function holding ``call`` and its parameters (``""``: module level)."""
        scope = self._scope_of.get(id(call))
        return (scope.function, scope.params) if scope is not None else ("", ())


def _calls_by_statement(tree: ast.Module) -> dict[int, list[ast.Call]]:
    """The calls in the expressions of each statement (by ``id``), without entering
    nested statements, nor lambdas below the statement's own children; in the order of a
    depth-first walk that takes the last child first.

    Found from the calls of the shared :class:`TreeIndex` up to their statement, not by
    walking every expression again.
    """
    index = tree_index(tree)
    nodes, parents, firsts = index.nodes, index.parents, index.firsts
    found: dict[int, list[tuple[tuple[int, ...], ast.Call]]] = {}
    for position in index.positions(ast.Call):
        call = nodes[position]
        assert isinstance(call, ast.Call)
        path: list[int] = []  # the call's place among its ancestors' children, upwards
        lambdas = 0
        child = position
        while True:
            parent = parents[child]
            path.append(firsts[parent] - child)  # negated: the last child is walked first
            holder = nodes[parent]
            if isinstance(holder, ast.stmt):
                break
            lambdas += isinstance(holder, ast.Lambda)
            child = parent
        if lambdas > isinstance(nodes[child], ast.Lambda):  # a lambda below the top
            continue
        path.reverse()
        found.setdefault(id(holder), []).append((tuple(path), call))
    return {
        stmt: [call for _, call in sorted(calls, key=lambda item: item[0])]
        for stmt, calls in found.items()
    }


def module_of(path: str) -> str:
    """``app/apis/admin/utils.py`` -> ``app.apis.admin.utils`` (a package: its folder)."""
    pure = PurePosixPath(path)
    parts = list(pure.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def same_module(path_module: str, imported: str) -> bool:
    """Whether a file's module path is the module an import names (imports are written
    from a source root the file path may sit below)."""
    return bool(imported) and (path_module == imported or path_module.endswith("." + imported))
