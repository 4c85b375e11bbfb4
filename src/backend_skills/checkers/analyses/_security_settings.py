"""Security settings switched off, and network calls that wait forever (BSSEC010-BSSEC015).

- ``BSSEC010`` debug mode: ``DEBUG = True`` in a settings module, ``app.debug = True``,
  ``DEBUG`` set in a configuration mapping (``app.config["DEBUG"] = True``,
  ``app.config.update(DEBUG=True)``), ``FastAPI(debug=True)``, Werkzeug's debugger. A
  ``debug`` key of an ordinary dictionary (a template context) is data, not a setting;
- ``BSSEC011`` ``ALLOWED_HOSTS`` with ``"*"``; ``BSSEC012`` CSRF protection off
  (``WTF_CSRF_ENABLED = False``, ``@csrf_exempt``, Django ``MIDDLEWARE`` without
  ``CsrfViewMiddleware``); ``BSSEC013`` cookie flags off; ``BSSEC014`` CORS open to every
  origin (with credentials, for Starlette's middleware);
- ``BSSEC015`` ``urlopen``, ``http.client``/``smtplib``/``ftplib`` clients and requests
  sessions called without a timeout (bandit's B113 covers the ``requests`` functions).
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from backend_skills.core.models import Confidence, Severity

from ._security_base import (
    CONFIGURATION,
    FileContext,
    const_str,
    has_kwargs,
    has_star,
    identifier,
    is_false,
    is_true,
    keyword,
)
from ._security_vocabulary import (
    BLOCKING_CLIENTS,
    COOKIE_FLAGS,
    CORS_ALLOW_ALL,
    DEBUG_APPS,
    HTTP_METHODS,
)

_SESSIONS = frozenset({"requests.Session", "requests.session", "requests.sessions.Session"})
_URLOPEN = frozenset({"urllib.request.urlopen", "urllib2.urlopen"})

#: A setting's check: (whether the value switches the protection off, what to report).
_Handler = Callable[[ast.AST, str, ast.AST, ast.AST], None]


def config_object(node: ast.AST) -> bool:
    """A configuration mapping (``app.config``, ``current_app.config``, ``CONFIG``,
    ``settings``): a ``DEBUG`` key there switches debug mode on, while the same key in an
    ordinary dictionary (a template context, a payload) is data."""
    name = (identifier(node) or "").lower()
    return name.endswith(("config", "settings")) or name == "conf"


def config_pairs(node: ast.Call) -> list[tuple[str | None, ast.expr, bool]]:
    """(key, value, passed as a keyword) of ``config.update(K=v)`` and
    ``config.from_mapping({"K": v})``."""
    pairs: list[tuple[str | None, ast.expr, bool]] = [
        (kw.arg, kw.value, True) for kw in node.keywords
    ]
    for arg in node.args:
        if isinstance(arg, ast.Dict):
            pairs.extend(
                (const_str(key), value, False)
                for key, value in zip(arg.keys, arg.values, strict=True)
            )
    return pairs


def middleware_without_csrf(value: ast.AST) -> bool:
    """A Django ``MIDDLEWARE`` list that leaves ``CsrfViewMiddleware`` out."""
    if not isinstance(value, ast.List | ast.Tuple):
        return False
    names = [const_str(e) or "" for e in value.elts]
    return any(n.startswith("django.") for n in names) and not any(
        n.endswith("CsrfViewMiddleware") for n in names
    )


def csrf_exemption(ctx: FileContext, decorator: ast.expr) -> str | None:
    """The qualified name of a decorator that exempts a view from CSRF protection
    (``@csrf_exempt``, ``@csrf.exempt``), or None."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    qual = ctx.qualname(target) or ""
    last = qual.rsplit(".", 1)[-1]
    if last == "csrf_exempt":
        return qual
    if (
        last == "exempt"
        and isinstance(target, ast.Attribute)
        and "csrf" in (ctx.dotted(target.value) or "").lower()
    ):
        return qual
    return None


class SettingsChecks:
    """Debug mode, hosts, CSRF, cookies, CORS and timeouts in one file."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.sessions: set[str] = set()
        self._by_name: dict[str, tuple[Callable[[ast.AST], bool], _Handler]] = {
            "DEBUG": (is_true, self._debug_setting),
            "ALLOWED_HOSTS": (has_star, self._allowed_hosts),
            "WTF_CSRF_ENABLED": (is_false, self._csrf_setting),
            "MIDDLEWARE": (lambda _: self.ctx.settings, self._middleware),
            **dict.fromkeys(COOKIE_FLAGS, (is_false, self._cookie)),
            **dict.fromkeys(CORS_ALLOW_ALL, (is_true, self._cors_setting)),
        }

    def track(self, target: ast.AST, value: ast.AST) -> None:
        """Remember names bound to a requests session (``s = requests.Session()``)."""
        name = self.ctx.dotted(target)
        if (
            name is not None
            and isinstance(value, ast.Call)
            and (self.ctx.qualname(value.func) or "") in _SESSIONS
        ):
            self.sessions.add(name)

    # -- assignments

    def on_binding(self, target: ast.AST, name: str, value: ast.AST, node: ast.AST) -> None:
        """A security-relevant setting bound to a value that switches it off."""
        entry = self._by_name.get(name.upper())
        if entry is not None and entry[0](value):
            entry[1](target, name, value, node)

    def _debug_setting(self, target: ast.AST, name: str, value: ast.AST, node: ast.AST) -> None:
        """``DEBUG = True`` in a settings module, ``app.debug = True``, or ``DEBUG`` set in
        a configuration mapping."""
        if isinstance(target, ast.Name) and name == "DEBUG" and self.ctx.settings:
            self.debug(node, "Django DEBUG = True in a settings module")
        elif isinstance(target, ast.Attribute) or (
            isinstance(target, ast.Subscript) and config_object(target.value)
        ):
            self.debug(node, f"Debug mode switched on ({self.ctx.dotted(target) or name})")

    def _allowed_hosts(self, target: ast.AST, name: str, value: ast.AST, node: ast.AST) -> None:
        self.ctx.add(
            node,
            "BSSEC011",
            CONFIGURATION,
            Severity.MEDIUM,
            self.ctx.dev_confidence(Confidence.HIGH),
            "ALLOWED_HOSTS accepts any host ('*'): host-header attacks become possible",
            20,
        )

    def _csrf_setting(self, target: ast.AST, name: str, value: ast.AST, node: ast.AST) -> None:
        self.csrf(node, "CSRF protection switched off (WTF_CSRF_ENABLED = False)")

    def _cookie(self, target: ast.AST, name: str, value: ast.AST, node: ast.AST) -> None:
        upper = name.upper()
        self.ctx.add(
            node,
            "BSSEC013",
            CONFIGURATION,
            Severity.LOW,
            self.ctx.dev_confidence(Confidence.MEDIUM),
            f"Cookie protection switched off ({upper} = False)",
            614 if "SECURE" in upper else 1004,
        )

    def _cors_setting(self, target: ast.AST, name: str, value: ast.AST, node: ast.AST) -> None:
        self.ctx.add(
            node,
            "BSSEC014",
            CONFIGURATION,
            Severity.MEDIUM,
            self.ctx.dev_confidence(Confidence.MEDIUM),
            f"CORS open to every origin ({name.upper()} = True)",
            942,
        )

    def _middleware(self, target: ast.AST, name: str, value: ast.AST, node: ast.AST) -> None:
        """Django ``MIDDLEWARE`` without ``CsrfViewMiddleware``."""
        if middleware_without_csrf(value):
            self.csrf(node, "Django MIDDLEWARE without CsrfViewMiddleware: CSRF protection is off")

    # -- findings

    def debug(self, node: ast.AST, message: str) -> None:
        self.ctx.add(
            node,
            "BSSEC010",
            CONFIGURATION,
            Severity.HIGH,
            self.ctx.dev_confidence(Confidence.MEDIUM),
            message,
            489,
        )

    def csrf(self, node: ast.AST, message: str) -> None:
        self.ctx.add(
            node,
            "BSSEC012",
            CONFIGURATION,
            Severity.MEDIUM,
            self.ctx.dev_confidence(Confidence.MEDIUM),
            message,
            352,
        )

    # -- decorators and calls

    def on_definition(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        for deco in node.decorator_list:
            qual = csrf_exemption(self.ctx, deco)
            if qual is not None:
                self.csrf(deco, f"CSRF protection switched off for '{node.name}' (@{qual})")

    def on_call(self, node: ast.Call, qual: str, last: str) -> None:
        self._debug_call(node, qual, last)
        if isinstance(node.func, ast.Attribute) and node.func.attr in {"update", "from_mapping"}:
            owner = self.ctx.dotted(node.func.value) or ""
            if owner.endswith("config"):
                self._config_update(node, f"{owner}.{node.func.attr}")
        self._cors(node, last)
        self._timeouts(node, qual, last)

    def _debug_call(self, node: ast.Call, qual: str, last: str) -> None:
        """``FastAPI(debug=True)``, ``run_simple(..., use_debugger=True)``."""
        debug = keyword(node, "debug") if qual in DEBUG_APPS else None
        if debug is not None and is_true(debug.value):
            self.debug(debug.value, f"{last}(debug=True) shows tracebacks to every client")
        use = keyword(node, "use_debugger") if last == "run_simple" else None
        if use is not None and is_true(use.value):
            self.debug(use.value, "Werkzeug debugger switched on (use_debugger=True)")

    def _config_update(self, node: ast.Call, call: str) -> None:
        """``app.config.update(DEBUG=True)`` / ``.from_mapping({"WTF_CSRF_ENABLED": False})``."""
        for key, value, passed_as_keyword in config_pairs(node):
            if key == "DEBUG" and is_true(value):
                where = f"{call}(DEBUG=True)" if passed_as_keyword else call
                self.debug(value, f"Debug mode switched on ({where})")
            if key == "WTF_CSRF_ENABLED" and is_false(value):
                setting = (
                    "WTF_CSRF_ENABLED=False" if passed_as_keyword else "WTF_CSRF_ENABLED: False"
                )
                self.csrf(value, f"CSRF protection switched off ({setting})")

    def _cors(self, node: ast.Call, last: str) -> None:
        """Starlette's ``CORSMiddleware`` with every origin and credentials."""
        if last != "add_middleware" or not node.args:
            return
        if not (self.ctx.qualname(node.args[0]) or "").endswith("CORSMiddleware"):
            return
        origins = keyword(node, "allow_origins")
        credentials = keyword(node, "allow_credentials")
        if origins is None or credentials is None:
            return
        if has_star(origins.value) and is_true(credentials.value):
            self.ctx.add(
                origins.value,
                "BSSEC014",
                CONFIGURATION,
                Severity.MEDIUM,
                Confidence.MEDIUM,
                "CORS allows every origin ('*') together with credentials",
                942,
            )

    def _timeouts(self, node: ast.Call, qual: str, last: str) -> None:
        if has_kwargs(node) or keyword(node, "timeout") is not None:
            return
        message = self._no_timeout(node, qual, last)
        if message is not None:
            self.ctx.add(
                node, "BSSEC015", CONFIGURATION, Severity.MEDIUM, Confidence.LOW, message, 400
            )

    def _no_timeout(self, node: ast.Call, qual: str, last: str) -> str | None:
        """What waits forever in a call without ``timeout=``, or None."""
        if qual in _URLOPEN and len(node.args) < 3:
            return "urlopen() without a timeout waits forever on a stalled server"
        if qual in BLOCKING_CLIENTS and len(node.args) < 3:
            return f"{last}() without a timeout waits forever on a stalled server"
        if isinstance(node.func, ast.Attribute) and node.func.attr in HTTP_METHODS:
            owner = self.ctx.dotted(node.func.value)
            if owner is not None and owner in self.sessions:
                return f"Call to {owner}.{node.func.attr}() on a requests session without a timeout"
        return None
