"""What a decorator, a dependency or a function body says about access control: the
access control a decorator applies, CSRF exemptions, session use, FastAPI dependencies,
and whether a hook checks the caller and can turn it away."""

from __future__ import annotations

import ast

from . import _authz_vocabulary as V
from ._authz_ast import is_true, keyword, last, strings, target, text
from ._server_common import FunctionNode, walk_body

#: Decorators that only configure a view (their names hold access-control words).
_NOT_A_CHECK = frozenset({"permission_classes", "api_view", "action"})

#: Decorators that check the caller although their name has no access-control word.
_CHECKING = frozenset({"user_passes_test"})


def _method_decorator_auth(decorator: ast.Call) -> str | None:
    """``@method_decorator(login_required)`` or ``method_decorator([a, b])``."""
    if not decorator.args:
        return None
    inner = decorator.args[0]
    candidates = inner.elts if isinstance(inner, ast.List | ast.Tuple) else [inner]
    return next((a for a in (decorator_auth(c) for c in candidates) if a), None)


_UNSET = "\0"


def _requires(decorator: ast.Call) -> str:
    """Starlette's ``@requires("authenticated")`` -> ``requires(authenticated)``."""
    scopes = [s for arg in decorator.args[:1] for s in strings(arg)]
    return f"requires({', '.join(scopes) or '...'})"


def _call_auth(decorator: ast.Call, name: str) -> str | None:
    """What a called decorator decides by its arguments (``_UNSET``: nothing)."""
    if name == "method_decorator":
        return _method_decorator_auth(decorator)
    if name == "requires" and decorator.args:
        return _requires(decorator)
    if is_true(keyword(decorator, "optional")):
        return None  # @jwt_required(optional=True)
    return _UNSET


def _permission_require(decorator: ast.expr) -> str | None:
    """Flask-Principal: ``@admin_permission.require(http_exception=403)``."""
    owner = text(target(decorator)) or ""
    return owner if V.auth_name(owner.rsplit(".", 2)[-2]) else None


def decorator_auth(decorator: ast.expr) -> str | None:
    """Access control a decorator applies (``@login_required`` -> ``login_required``)."""
    name = last(target(decorator))
    decided = _call_auth(decorator, name) if isinstance(decorator, ast.Call) else _UNSET
    if decided != _UNSET:
        return decided
    if name in _NOT_A_CHECK:
        return None
    if name == "require" and isinstance(target(decorator), ast.Attribute):
        return _permission_require(decorator)
    if V.auth_name(name) or name in _CHECKING:
        return text(target(decorator)) or name  # token_auth.login_required, not login_required
    return None


def applied_auth(decorators: list[ast.expr]) -> list[str]:
    """Access controls a list of decorators applies."""
    return [a for a in (decorator_auth(d) for d in decorators) if a]


def decorator_names(node: FunctionNode | ast.ClassDef) -> list[str]:
    """Short names of a function's decorators (and of what ``method_decorator`` wraps)."""
    out = []
    for decorator in node.decorator_list:
        out.append(last(target(decorator)))
        if out[-1] == "method_decorator" and isinstance(decorator, ast.Call):
            out.extend(last(a) for a in decorator.args)
    return out


def _exempts_csrf(decorator: ast.expr) -> bool:
    named = text(target(decorator)) or ""
    if named.endswith("csrf_exempt") or (named.endswith(".exempt") and "csrf" in named.lower()):
        return True
    return (
        last(target(decorator)) == "method_decorator"
        and isinstance(decorator, ast.Call)
        and any(last(a) == "csrf_exempt" for a in decorator.args)
    )


def csrf_exempt(node: FunctionNode | ast.ClassDef) -> bool:
    """``@csrf_exempt``, ``@csrf.exempt`` or ``@method_decorator(csrf_exempt)``."""
    return any(_exempts_csrf(d) for d in node.decorator_list)


def _reads_session(sub: ast.AST) -> bool:
    if isinstance(sub, ast.Attribute):
        return sub.attr in ("session", "user") and text(sub.value) in (
            "request",
            "self.request",
            "flask",
        )
    return isinstance(sub, ast.Name) and sub.id in ("current_user", "session")


def uses_session(node: FunctionNode) -> bool:
    """Whether the handler reads the session or the logged-in user."""
    return any(_reads_session(sub) for sub in walk_body(node.body))


def _methods_read(sub: ast.AST) -> set[str]:
    """Methods one node of a Django function view shows it handles."""
    if (
        isinstance(sub, ast.Attribute)
        and text(sub.value) == "request"
        and sub.attr in ("POST", "FILES", "body", "data")
    ):
        return {"POST"}
    if isinstance(sub, ast.Compare) and text(sub.left) == "request.method":
        return {value.upper() for c in sub.comparators for value in strings(c)}
    if isinstance(sub, ast.Call) and last(sub.func) in ("save", "delete", "create"):
        return {"POST"}
    return set()


def body_methods(node: FunctionNode) -> list[str]:
    """Methods a Django function view handles, read from its body."""
    found = {"GET"}
    for sub in walk_body(node.body):
        found |= _methods_read(sub)
    return sorted(m for m in found if m in ("GET", "POST", "PUT", "PATCH", "DELETE"))


# --------------------------------------------------------------------------- dependencies


def _dependency(call: ast.Call) -> str:
    """``Depends(x)`` -> ``x``; ``Security(x)`` -> ``Security:x``."""
    arg = call.args[0] if call.args else keyword(call, "dependency")
    name = text(arg) or ""
    if last(call.func) == "Security":
        name = f"Security:{name}"
    return name


def depends(node: ast.AST | None) -> list[str]:
    """Dependencies in ``Depends(x)`` / ``Security(x)`` / lists of them, as names."""
    if node is None:
        return []
    found = (
        _dependency(sub)
        for sub in ast.walk(node)
        if isinstance(sub, ast.Call) and last(sub.func) in ("Depends", "Security")
    )
    return [name for name in found if name]


def param_depends(node: FunctionNode) -> list[str]:
    """Dependencies of a function's parameters (defaults and ``Annotated``), and the
    names of their annotations (which may be ``Annotated`` aliases), as ``alias:Name``."""
    args = node.args
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    defaults = [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
    out = [d for default in defaults for d in depends(default)]
    for param in params:
        out += depends(param.annotation)
        if isinstance(param.annotation, ast.Name | ast.Attribute):
            out.append("alias:" + (text(param.annotation) or ""))
    return out


# --------------------------------------------------------------------------- bodies


def handles_requests(node: FunctionNode) -> bool:
    """A view method: an HTTP verb, a viewset action or an ``@action``."""
    return (
        node.name in V.HTTP_VERBS
        or node.name in V.VIEWSET_ACTIONS
        or any(last(target(d)) == "action" for d in node.decorator_list)
    )


def _returns_nothing(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.Pass):
        return True
    if not isinstance(statement, ast.Return):
        return False
    value = statement.value
    return value is None or (isinstance(value, ast.Constant) and value.value is None)


def does_nothing(node: FunctionNode) -> bool:
    """A body of ``pass``, ``return``, ``return None`` or ``...`` (after a docstring)."""
    body = [
        s for s in node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
    ]
    return all(_returns_nothing(s) for s in body)


def _stops(sub: ast.AST) -> bool:
    if isinstance(sub, ast.Raise) or (isinstance(sub, ast.Return) and sub.value is not None):
        return True
    return isinstance(sub, ast.Call) and last(sub.func) in ("abort", "redirect")


def rejects(node: FunctionNode) -> bool:
    """Whether a hook can stop the request: ``abort``, ``raise``, a ``return`` with a
    value (a redirect or an error response) or a ``redirect(...)``."""
    return any(_stops(sub) for sub in walk_body(node.body))


def checks_auth(node: FunctionNode) -> bool:
    """Whether a function's body checks who is calling and can turn the caller away (a
    ``before_request`` guard); a hook that only records ``last_seen`` is not one."""
    return mentions_auth(node) and rejects(node)


def _named(sub: ast.AST) -> str | None:
    if isinstance(sub, ast.Attribute):
        return sub.attr
    if isinstance(sub, ast.Name):
        return sub.id
    if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
        return sub.value.lower()
    return None


def _aborts_unauthorized(sub: ast.AST) -> bool:
    return (
        isinstance(sub, ast.Call)
        and last(sub.func) == "abort"
        and bool(sub.args)
        and isinstance(sub.args[0], ast.Constant)
        and sub.args[0].value in (401, 403)
    )


def _checks_caller(sub: ast.AST) -> bool:
    name = _named(sub)
    if name and (name.lower() in V.GUARD_WORDS or name == "Authorization"):
        return True
    return _aborts_unauthorized(sub)


def mentions_auth(node: FunctionNode) -> bool:
    """Whether a body names the caller's identity (``current_user``, ``Authorization``...)
    or aborts with 401/403."""
    return any(_checks_caller(sub) for sub in walk_body(node.body))
