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
  framework and are not input;
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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

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
_SHELL_CALLS = frozenset({"os.system", "os.popen", "subprocess.getoutput"})
_SHELL_CALLS_2 = frozenset(
    {"subprocess.getstatusoutput", "commands.getoutput", "asyncio.create_subprocess_shell"}
)
_SUBPROCESS = frozenset(
    {"subprocess.run", "subprocess.call", "subprocess.Popen", "subprocess.check_output"}
    | {"subprocess.check_call"}
)
_SQL_SINKS = frozenset(
    {"execute", "executemany", "executescript", "exec_driver_sql", "raw", "read_sql"}
    | {"read_sql_query", "fetch", "fetchrow", "fetchval", "mogrify"}
)
_DESERIALISE = frozenset(
    {"pickle.loads", "pickle.load", "cPickle.loads", "cPickle.load", "_pickle.loads"}
    | {"marshal.loads", "marshal.load", "dill.loads", "dill.load", "jsonpickle.decode"}
    | {"yaml.unsafe_load", "yaml.full_load", "shelve.open"}
)


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


def _root(node: ast.AST) -> ast.AST:
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call | ast.Await):
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Await):
            node = node.value
        else:
            node = node.value
    return node


def _request_read(node: ast.AST) -> bool:
    """``request.args[...]``, ``self.request.GET``, ``await request.json()``."""
    if not isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        return False
    chain: list[str] = []
    cur: ast.AST = node
    while isinstance(cur, ast.Attribute | ast.Subscript | ast.Call | ast.Await):
        if isinstance(cur, ast.Attribute):
            chain.append(cur.attr)
            cur = cur.value
        elif isinstance(cur, ast.Call):
            cur = cur.func
        else:
            cur = cur.value
    chain.reverse()
    if isinstance(cur, ast.Name) and cur.id == "self" and chain[:1] == ["request"]:
        chain = chain[1:]
    elif not (isinstance(cur, ast.Name) and cur.id in _REQUEST_ROOTS):
        return False
    return bool(chain) and chain[0] not in _NOT_INPUT


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


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
        self._current: _Scope | None = None
        self._module = _Scope(params=())
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
        args = [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]
        defaults: list[ast.AST | None] = [None] * (
            len(fn.args.posonlyargs) + len(fn.args.args) - len(fn.args.defaults)
        )
        defaults += list(fn.args.defaults)
        defaults += list(fn.args.kw_defaults)
        route = any(
            isinstance(d, ast.Call)
            and isinstance(d.func, ast.Attribute)
            and d.func.attr in _ROUTE_DECORATORS
            for d in fn.decorator_list
        )
        names = [a.arg for a in args]
        view = bool(names) and (
            names[0] in _REQUEST_ROOTS or (names[0] == "self" and names[1:2] == ["request"])
        )
        found = set()
        for arg, default in zip(args, defaults, strict=True):
            if arg.arg in {"self", "cls", *_REQUEST_ROOTS}:
                continue
            marked = self._marked_input(arg, default)
            if marked is False:
                continue
            if marked is None and not (route or view):
                continue
            if _annotation_names(arg.annotation) & _SAFE_TYPES:
                continue
            found.add(arg.arg)
        return found

    # -- flow

    def origins(self, node: ast.AST | None, scope: _Scope) -> set[str]:
        """Where the value of ``node`` comes from: REQUEST and/or parameter names."""
        if node is None:
            return set()
        if isinstance(node, ast.Call):
            name = _call_name(node)
            if name in _SANITISERS:
                return set()
            if _request_read(node):
                return {REQUEST}
            found: set[str] = set()
            for sub in [node.func, *node.args, *(k.value for k in node.keywords)]:
                found |= self.origins(sub, scope)
            return found
        if isinstance(node, ast.Name):
            return set(scope.names.get(node.id, ()))
        if isinstance(node, ast.Attribute | ast.Subscript) and _request_read(node):
            return {REQUEST}
        if isinstance(node, ast.Lambda):
            return set()
        found = set()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr | ast.comprehension | ast.keyword | ast.FormattedValue):
                found |= self.origins(child, scope)
        return found

    def _bind(self, target: ast.AST, value: set[str], scope: _Scope, line: int = 0) -> None:
        for sub in ast.walk(target):
            if isinstance(sub, ast.Name) and value:
                scope.names.setdefault(sub.id, set()).update(value)
                scope.lines[sub.id] = line

    def _walk(self, body: list[ast.stmt], scope: _Scope, function: str) -> None:
        statements = list(self._statements(body))
        for _ in range(2):  # twice: a name given input after its first use
            for stmt in statements:
                if isinstance(stmt, ast.Assign):
                    value = self.origins(stmt.value, scope)
                    for target in stmt.targets:
                        self._bind(target, value, scope, stmt.value.lineno)
                elif isinstance(stmt, ast.AnnAssign | ast.AugAssign) and stmt.value is not None:
                    value = self.origins(stmt.value, scope)
                    self._bind(stmt.target, value, scope, stmt.value.lineno)
                elif isinstance(stmt, ast.For | ast.AsyncFor):
                    self._bind(stmt.target, self.origins(stmt.iter, scope), scope)
                elif isinstance(stmt, ast.With | ast.AsyncWith):
                    for item in stmt.items:
                        if item.optional_vars is not None:
                            value = self.origins(item.context_expr, scope)
                            self._bind(item.optional_vars, value, scope)
        for stmt in statements:
            for node in self._expressions(stmt):
                if isinstance(node, ast.Call):
                    self._scope_of[id(node)] = scope
                    self._call(node, scope, function)
        for stmt in statements:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                self._function(stmt)
            elif isinstance(stmt, ast.ClassDef):
                self._walk(stmt.body, self._module, "")

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
        for star in (fn.args.vararg, fn.args.kwarg):
            if star is not None:
                scope.names[star.arg] = {star.arg}
        self.functions.setdefault(fn.name, params)
        self._walk(fn.body, scope, fn.name)

    @staticmethod
    def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
        """Statements of a body, nested blocks included, nested definitions excluded
        (they are yielded but not entered)."""
        for stmt in body:
            yield stmt
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                continue
            for name in ("body", "orelse", "finalbody"):
                yield from RequestFlow._statements(getattr(stmt, name, []) or [])
            for handler in getattr(stmt, "handlers", []) or []:
                yield from RequestFlow._statements(handler.body)
            for case in getattr(stmt, "cases", []) or []:
                yield from RequestFlow._statements(case.body)

    @staticmethod
    def _expressions(stmt: ast.stmt) -> Iterator[ast.AST]:
        """Expression nodes of one statement, without entering nested statements."""
        stack: list[ast.AST] = [
            c for c in ast.iter_child_nodes(stmt) if not isinstance(c, ast.stmt)
        ]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(
                c for c in ast.iter_child_nodes(node) if not isinstance(c, ast.stmt | ast.Lambda)
            )

    def _call(self, node: ast.Call, scope: _Scope, function: str) -> None:
        qual = self.qualname(node.func)
        self._current = scope
        kind, arg, line = self._sink(node, qual)
        if kind is not None:
            self.sinks.append(
                Sink(kind, line, function, frozenset(self.origins(arg, scope)), scope.params)
            )
        positions = tuple(i for i, a in enumerate(node.args) if REQUEST in self.origins(a, scope))
        keywords = tuple(
            k.arg for k in node.keywords if k.arg and REQUEST in self.origins(k.value, scope)
        )
        if (positions or keywords) and qual:
            self.calls.append((qual, positions, keywords))

    def _sink(self, node: ast.Call, qual: str) -> tuple[str | None, ast.AST | None, int]:
        first = node.args[0] if node.args else None
        if qual in _SUBPROCESS or qual in _SHELL_CALLS_2 or qual in _SHELL_CALLS:
            shell = next((k for k in node.keywords if k.arg == "shell"), None)
            if qual in _SUBPROCESS:
                if shell is None or (
                    isinstance(shell.value, ast.Constant) and not shell.value.value
                ):
                    return None, None, 0
                return "shell", first, shell.value.lineno  # bandit's B602 line
            return "shell", first, node.lineno
        if qual in {"eval", "exec"}:
            return "code", first, node.lineno
        if qual in _DESERIALISE:
            return "deserialisation", first, node.lineno
        name = qual.rsplit(".", 1)[-1]
        if name in _SQL_SINKS and "." in qual and first is not None:
            if isinstance(first, ast.Call) and _call_name(first) == "text" and first.args:
                first = first.args[0]  # execute(text(sql)): the SQL is text()'s argument
            if isinstance(first, ast.Constant):
                return None, None, 0
            # bandit's B608 and our BSDB001 point at the line that builds the SQL
            built = first.lineno
            if isinstance(first, ast.Name):
                scope = self._current
                built = scope.lines.get(first.id, built) if scope is not None else built
            return "sql", first, built or node.lineno
        if qual == "yaml.load":
            loader = next((k for k in node.keywords if k.arg == "Loader"), None)
            chosen = (
                loader.value
                if loader is not None
                else (node.args[1] if len(node.args) > 1 else None)
            )
            if chosen is not None and "Safe" in self.qualname(chosen):
                return None, None, 0
            return "deserialisation", first, node.lineno
        return None, None, 0

    def value_origins(self, call: ast.Call, value: ast.AST | None) -> set[str]:
        """Origins of ``value``, an argument of ``call`` (a call this flow has seen)."""
        scope = self._scope_of.get(id(call))
        return self.origins(value, scope) if scope is not None else set()

    def scope_of(self, call: ast.Call) -> tuple[str, tuple[str, ...]]:
        """The function holding ``call`` and its parameters (``""``: module level)."""
        scope = self._scope_of.get(id(call))
        return (scope.function, scope.params) if scope is not None else ("", ())


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
