"""Calls to other services in one Python file, for the ``resilience`` analysis.

- ``BSSCL120``: an outgoing HTTP call that can wait forever (``httpx`` with
  ``timeout=None``, ``aiohttp`` and ``urllib3`` without ``timeout=``) and gRPC stub calls
  without ``timeout=`` (``requests`` and ``urlopen`` are left to bandit B113 and BSSEC015);
- the evidence the repository-level rules read: outgoing call sites, retries with
  backoff, circuit breakers and graceful-shutdown handling.

Evidence is a list of ``[line, what]`` pairs (JSON-friendly: it is cached).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import Any

from backend_skills.core.models import Finding

from ._rule_findings import rule_finding
from ._server_common import TreeIndex, call_name, dotted

_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request", "stream")
#: Resolved callables that call another service (or open a client that will).
OUTGOING = frozenset(
    {
        *(f"requests.{v}" for v in _VERBS),
        "requests.Session",
        "requests.session",
        *(f"httpx.{v}" for v in _VERBS),
        "httpx.Client",
        "httpx.AsyncClient",
        "aiohttp.ClientSession",
        "aiohttp.request",
        "urllib.request.urlopen",
        "urllib3.PoolManager",
        "urllib3.request",
        "http.client.HTTPConnection",
        "http.client.HTTPSConnection",
        "grpc.insecure_channel",
        "grpc.secure_channel",
        "grpc.aio.insecure_channel",
        "grpc.aio.secure_channel",
    }
)
#: Calls where an explicit ``timeout=None`` disables a default timeout.
HTTPX = frozenset(c for c in OUTGOING if c.startswith("httpx."))
#: Calls whose default is no timeout (or a long one) when ``timeout=`` is not given.
NEEDS_TIMEOUT = frozenset({"aiohttp.ClientSession", "aiohttp.request", "urllib3.PoolManager"})
RETRY_MODULES = (
    "tenacity",
    "backoff",
    "stamina",
    "retrying",
    "retry",
    "aiohttp_retry",
    "urllib3.util.retry",
    "urllib3.Retry",
    "requests.adapters.Retry",
    "google.api_core.retry",
    "opnieuw",
    "redo",
)
RETRY_KEYWORDS = frozenset({"max_retries", "retries", "retry_backoff", "autoretry_for"})
BREAKER_MODULES = ("pybreaker", "purgatory", "aiobreaker", "circuitbreaker", "breakers")
SIGNALS = frozenset({"SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP"})
SHUTDOWN_KEYWORDS = frozenset(
    {"lifespan", "on_shutdown", "timeout_graceful_shutdown", "graceful_timeout"}
)


def _switches_off(target: str, timeout: ast.expr | None) -> bool:
    """``httpx.Client(timeout=None)``: an explicit None disables httpx's default."""
    return target in HTTPX and isinstance(timeout, ast.Constant) and timeout.value is None


def _waits_by_default(target: str, timeout: ast.expr | None, call: ast.Call) -> bool:
    """No ``timeout=`` (nor ``**kwargs`` that may hold one) where the default is none."""
    return (
        target in NEEDS_TIMEOUT
        and timeout is None
        and not any(k.arg is None for k in call.keywords)
    )


def timeout_problem(target: str, call: ast.Call) -> str | None:
    """Why the outgoing call ``call`` to ``target`` can wait forever (None when it cannot)."""
    timeout = next((k.value for k in call.keywords if k.arg == "timeout"), None)
    if _switches_off(target, timeout):
        return (
            f"`{target}(timeout=None)` switches off httpx's default timeout: a stalled"
            " service holds this call forever; give a timeout in seconds"
        )
    if _waits_by_default(target, timeout, call):
        default = "5 minutes" if target.startswith("aiohttp") else "no timeout"
        return (
            f"`{target}` without `timeout=` waits {default} on a stalled service;"
            " pass a timeout sized to the call"
        )
    return None


def untimed_stub_call(call: ast.Call, stubs: set[str]) -> str:
    """The method of a gRPC stub that ``call`` calls without ``timeout=`` ("" when none;
    ``**kwargs`` may carry a timeout)."""
    func = call.func
    if (
        isinstance(func, ast.Attribute)
        and dotted(func.value) in stubs
        and func.attr[:1].isupper()
        and not any(k.arg in ("timeout", None) for k in call.keywords)
    ):
        return func.attr
    return ""


def retries_on(keyword: ast.keyword) -> bool:
    """A keyword that turns retries on (``max_retries=3``; not ``0``, ``None``, ``False``)."""
    return keyword.arg in RETRY_KEYWORDS and not (
        isinstance(keyword.value, ast.Constant) and keyword.value.value in (0, None, False)
    )


def _names_in(nodes: Iterable[ast.AST]) -> set[str]:
    names: set[str] = set()
    for node in (n for a in nodes for n in ast.walk(a)):
        if isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.Name):
            names.add(node.id)
    return names


def _lifecycle_hook(call: ast.Call, name: str) -> str:
    """A lifespan or shutdown keyword (``FastAPI(lifespan=...)``), or a shutdown event."""
    lifecycle = sorted({k.arg for k in call.keywords if k.arg} & SHUTDOWN_KEYWORDS)
    if lifecycle:
        return f"{name}({lifecycle[0]}=...)"
    if name == "on_event" and any(
        isinstance(a, ast.Constant) and a.value == "shutdown" for a in call.args
    ):
        return "shutdown handler"
    return ""


def shutdown_handling(call: ast.Call, resolved: str | None) -> str:
    """What graceful-shutdown handling ``call`` (resolving to ``resolved``) sets up: a
    signal handler, a lifespan or shutdown keyword, a shutdown event ("" when none)."""
    name = call_name(call) or ""
    if resolved == "signal.signal" or name == "add_signal_handler":
        return "signal handler" if _names_in(call.args) & SIGNALS else ""
    return _lifecycle_hook(call, name)


def _assigns(node: ast.stmt, name: str) -> bool:
    return isinstance(node, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id == name for t in node.targets
    )


class CallRules:
    """``BSSCL120`` and the outgoing-call evidence of one file."""

    def __init__(self, path: str, tree: ast.Module, index: TreeIndex) -> None:
        self.path = path
        self.tree = tree
        self.index = index
        self.imports = index.imports
        self.calls = index.calls()
        self.findings: list[Finding] = []

    def evidence(self) -> dict[str, list[list[Any]]]:
        """Outgoing calls (with their ``BSSCL120`` findings), retries, breakers, shutdown."""
        return {
            "outgoing": self._outgoing(),
            "retries": self._retries(),
            "breakers": self._imported(BREAKER_MODULES),
            "shutdown": self._shutdown(),
        }

    def _imported(self, modules: tuple[str, ...]) -> list[list[Any]]:
        return [[self.imports.line_of(m), m] for m in modules if self.imports.imports_any(m)]

    def _outgoing(self) -> list[list[Any]]:
        sites: list[list[Any]] = []
        for call in self.calls:
            target = self.imports.resolve(call.func) or ""
            if target not in OUTGOING:
                continue
            sites.append([call.lineno, target])
            problem = timeout_problem(target, call)
            if problem is not None:
                self.findings.append(rule_finding("BSSCL120", self.path, call, problem))
        return sites

    def grpc(self) -> None:
        """``BSSCL120`` for gRPC stub calls without a deadline."""
        if not self.imports.imports_any("grpc"):
            return
        stubs = self._stubs()
        for call in self.calls:
            method = untimed_stub_call(call, stubs)
            if method:
                self.findings.append(
                    rule_finding(
                        "BSSCL120",
                        self.path,
                        call,
                        f"gRPC call `{method}` without `timeout=`: gRPC has no default deadline;"
                        " pass timeout= (seconds)",
                    )
                )

    def _stubs(self) -> set[str]:
        """Names assigned a ``*Stub(...)``."""
        stubs: set[str] = set()
        for node in self.index.of(ast.Assign):
            assert isinstance(node, ast.Assign)
            value = node.value
            if isinstance(value, ast.Call) and (call_name(value) or "").endswith("Stub"):
                stubs.update(d for t in node.targets if (d := dotted(t)))
        return stubs

    def _retries(self) -> list[list[Any]]:
        found = self._imported(RETRY_MODULES)
        found += [
            [call.lineno, f"{call_name(call)}({k.arg}=...)"]
            for call in self.calls
            for k in call.keywords
            if retries_on(k)
        ]
        found += [
            [const.lineno, "gRPC retryPolicy"]
            for const in self.index.of(ast.Constant)
            if isinstance(const, ast.Constant) and const.value == "retryPolicy"
        ]
        return found

    def _shutdown(self) -> list[list[Any]]:
        found = [
            [call.lineno, what]
            for call in self.calls
            if (what := shutdown_handling(call, self.imports.resolve(call.func)))
        ]
        found += [
            [node.lineno, "gunicorn graceful_timeout"]
            for node in self.tree.body
            if _assigns(node, "graceful_timeout")
        ]
        return found
