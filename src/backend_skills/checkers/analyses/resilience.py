"""The ``resilience`` analysis: a service as one instance among many, talking to others.

Feeds ``scalability.resilience`` (``BSSCL120``-``BSSCL124``) and extends
``scalability.shared_state`` (``BSSCL125``-``BSSCL127``, beside ``BSSCL005`` of the
scalability analysis). Rules are declared in :mod:`backend_skills.rules._resilience` and documented in
``docs/scalability.md``.

- per source file: outgoing HTTP and gRPC calls and the ones without a timeout
  (``requests`` and ``urlopen`` are left to bandit B113 and BSSEC015), evidence of
  retries with backoff, circuit breakers and graceful shutdown, sessions and rate-limit
  counters kept in one process, uploads written to the local disk in request handlers;
- per repository: outgoing calls with no retry anywhere (``BSSCL121``), and the
  Kubernetes, Helm and Compose manifests (:mod:`._manifests`).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from backend_skills.core.checker import CheckContext
from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import CheckResult, Finding, Metric, Role, Skip
from backend_skills.rules._resilience import RESILIENCE, SHARED_STATE

from . import Analysis, Visit
from ._deployment import deployment
from ._manifests import read_manifests
from ._polyglot_evidence import RESILIENCE_KINDS, scan
from ._rule_findings import rule_finding
from ._server_common import (
    FunctionNode,
    Imports,
    call_name,
    dotted,
    find_routes,
    tree_index,
    walk_body,
    web_frameworks,
)

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
LIMITERS = frozenset(
    {
        "flask_limiter.Limiter",
        "flask_limiter.extension.Limiter",
        "slowapi.Limiter",
        "slowapi.extension.Limiter",
    }
)
SHUTDOWN_KEYWORDS = frozenset(
    {"lifespan", "on_shutdown", "timeout_graceful_shutdown", "graceful_timeout"}
)
SESSION_KEYS = frozenset({"SESSION_TYPE", "SESSION_ENGINE"})
#: Session settings that keep sessions in one process (key -> values).
LOCAL_SESSIONS = {
    "SESSION_TYPE": frozenset({"filesystem", "simple", "memory"}),
    "SESSION_ENGINE": frozenset({"django.contrib.sessions.backends.file"}),
}
UPLOAD_TYPES = frozenset({"UploadFile", "FileStorage", "UploadedFile", "InMemoryUploadedFile"})
SHUTIL_WRITES = frozenset({"shutil.copyfileobj", "shutil.copy", "shutil.copy2", "shutil.move"})
DISK_WRITES = frozenset({"write_bytes", "FileSystemStorage"})


class ResilienceAnalysis(Analysis):
    """Timeouts, retries, circuit breakers, graceful shutdown, manifests, per-process state."""

    name = "resilience"
    provides = (
        "resilience.outgoing_calls",
        "resilience.retry_evidence",
        "resilience.breaker_evidence",
        "resilience.shutdown_evidence",
        "resilience.workloads",
    )
    feeds = (RESILIENCE, SHARED_STATE)

    def visit(self, file: SourceFile, tree: ast.Module, options: Mapping[str, Any]) -> Visit:
        """Evidence and findings of one source file."""
        if file.role is not Role.SOURCE:
            return Visit()
        return _FileScan(file, tree).run()

    def reduce(self, ctx: CheckContext, data: Mapping[str, dict[str, Any]]) -> CheckResult:
        """Retries across the repository, the manifests, and the metrics."""
        return _reduce(ctx, data)


def _reduce(ctx: CheckContext, data: Mapping[str, dict[str, Any]]) -> CheckResult:
    result = CheckResult()
    data = {p: d for p, d in data.items() if d}

    def evidence(key: str) -> list[tuple[str, int, str]]:
        return sorted((p, line, what) for p, d in data.items() for line, what in d.get(key, []))

    others = scan(ctx.fileset.files, RESILIENCE_KINDS)
    labels = {
        "outgoing": "outgoing call",
        "retries": "retry library",
        "breakers": "circuit breaker",
        "shutdown": "shutdown handling",
    }

    def combined(key: str) -> list[tuple[str, int, str]]:
        lines = [(p, n, labels[key]) for p, e in others.items() for n in getattr(e, key)]
        return sorted(evidence(key) + lines)

    outgoing = combined("outgoing")
    retries, breakers, shutdown = combined("retries"), combined("breakers"), combined("shutdown")
    manifests = read_manifests(ctx.fileset.files)
    result.findings.extend(manifests.findings)
    result.skipped.extend(
        Skip(path=path, reason=reason, checker="python_ast") for path, reason in manifests.skipped
    )
    routes = sum(int(d.get("routes", 0)) for d in data.values())
    web = any(d.get("web") for d in data.values())
    deployed = bool(deployment(ctx.fileset.files)[0])
    if outgoing and not retries:
        path, line, what = outgoing[0]
        result.findings.append(
            rule_finding(
                "BSSCL121",
                path,
                line,
                f"{len(outgoing)} outgoing call sites ({what} here) and no retry with backoff"
                " anywhere (tenacity, backoff, stamina, urllib3 Retry, transport retries)",
            )
        )
    for name, value in (
        ("resilience.outgoing_calls", outgoing),
        ("resilience.retry_evidence", retries),
        ("resilience.breaker_evidence", breakers),
        ("resilience.shutdown_evidence", shutdown),
    ):
        result.metrics.append(Metric(name=name, value=len(value), unit="sites", files=len(data)))
    result.metrics.append(
        Metric(
            name="resilience.workloads",
            value=manifests.workloads + manifests.compose_services,
            unit="workloads",
        )
    )
    if not outgoing and not routes and not web and not manifests.workloads and not deployed:
        result.not_applicable[RESILIENCE] = (
            "no outgoing calls, request handlers or deployment manifests: not a networked service"
        )
    shown = [
        f"{label}: {', '.join(f'{w} ({p}:{n})' for p, n, w in items[:2]) or 'none found'}"
        for label, items in (
            ("retries", retries),
            ("circuit breakers", breakers),
            ("graceful shutdown", shutdown),
        )
    ]
    if outgoing or routes or manifests.workloads:
        result.notes.append(f"resilience: {len(outgoing)} outgoing call sites; " + "; ".join(shown))
    return result


class _FileScan:
    def __init__(self, file: SourceFile, tree: ast.Module) -> None:
        self.file = file
        self.tree = tree
        self.index = tree_index(tree)
        self.imports: Imports = self.index.imports
        self.calls = self.index.calls()
        self.findings: list[Finding] = []

    def _add(self, rule_id: str, node: ast.AST, message: str) -> None:
        self.findings.append(rule_finding(rule_id, self.file.path, node, message))

    def run(self) -> Visit:
        routes = find_routes(self.tree, self.file.path, self.imports)
        data: dict[str, Any] = {
            "routes": len(routes),
            "web": bool(web_frameworks(self.imports)),
            "outgoing": self._outgoing(),
            "retries": self._retries(),
            "breakers": self._imported(BREAKER_MODULES),
            "shutdown": self._shutdown(),
        }
        self._grpc()
        self._sessions()
        self._limiters()
        for route in routes:
            self._uploads(route.node)
        return Visit(findings=self.findings, data=data)

    def _imported(self, modules: tuple[str, ...]) -> list[list[Any]]:
        return [[self.imports.line_of(m), m] for m in modules if self.imports.imports_any(m)]

    # ---------------------------------------------------------------- timeouts

    def _outgoing(self) -> list[list[Any]]:
        sites: list[list[Any]] = []
        for call in self.calls:
            target = self.imports.resolve(call.func) or ""
            if target not in OUTGOING:
                continue
            sites.append([call.lineno, target])
            has_kwargs = any(k.arg is None for k in call.keywords)
            timeout = next((k.value for k in call.keywords if k.arg == "timeout"), None)
            if target in HTTPX and isinstance(timeout, ast.Constant) and timeout.value is None:
                self._add(
                    "BSSCL120",
                    call,
                    f"`{target}(timeout=None)` switches off httpx's default timeout: a stalled"
                    " service holds this call forever; give a timeout in seconds",
                )
            elif target in NEEDS_TIMEOUT and timeout is None and not has_kwargs:
                default = "5 minutes" if target.startswith("aiohttp") else "no timeout"
                self._add(
                    "BSSCL120",
                    call,
                    f"`{target}` without `timeout=` waits {default} on a stalled service;"
                    " pass a timeout sized to the call",
                )
        return sites

    def _grpc(self) -> None:
        if not self.imports.imports_any("grpc"):
            return
        stubs: set[str] = set()
        for node in self.index.of(ast.Assign):
            assert isinstance(node, ast.Assign)
            value = node.value
            if isinstance(value, ast.Call) and (call_name(value) or "").endswith("Stub"):
                stubs.update(d for t in node.targets if (d := dotted(t)))
        for call in self.calls:
            func = call.func
            if (
                isinstance(func, ast.Attribute)
                and dotted(func.value) in stubs
                and func.attr[:1].isupper()
                and not any(k.arg in ("timeout", None) for k in call.keywords)
            ):
                self._add(
                    "BSSCL120",
                    call,
                    f"gRPC call `{func.attr}` without `timeout=`: gRPC has no default deadline;"
                    " pass timeout= (seconds)",
                )

    # ---------------------------------------------------------------- evidence

    def _retries(self) -> list[list[Any]]:
        found = self._imported(RETRY_MODULES)
        for call in self.calls:
            for keyword in call.keywords:
                if keyword.arg in RETRY_KEYWORDS and not (
                    isinstance(keyword.value, ast.Constant)
                    and keyword.value.value in (0, None, False)
                ):
                    found.append([call.lineno, f"{call_name(call)}({keyword.arg}=...)"])
        for const in self.index.of(ast.Constant):
            if isinstance(const, ast.Constant) and const.value == "retryPolicy":
                found.append([const.lineno, "gRPC retryPolicy"])
        return found

    def _shutdown(self) -> list[list[Any]]:
        found = [[call.lineno, what] for call in self.calls if (what := self._stops(call))]
        for node in self.tree.body:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "graceful_timeout" for t in node.targets
            ):
                found.append([node.lineno, "gunicorn graceful_timeout"])
        return found

    def _stops(self, call: ast.Call) -> str:
        """What graceful-shutdown handling ``call`` sets up ("" when none)."""
        name = call_name(call) or ""
        if self.imports.resolve(call.func) == "signal.signal" or name == "add_signal_handler":
            named = {
                getattr(n, "attr", None) or getattr(n, "id", "")
                for a in call.args
                for n in ast.walk(a)
                if isinstance(n, ast.Attribute | ast.Name)
            }
            return "signal handler" if named & SIGNALS else ""
        lifecycle = sorted({k.arg for k in call.keywords if k.arg} & SHUTDOWN_KEYWORDS)
        if lifecycle:
            return f"{name}({lifecycle[0]}=...)"
        if name == "on_event" and any(
            isinstance(a, ast.Constant) and a.value == "shutdown" for a in call.args
        ):
            return "shutdown handler"
        return ""

    # ---------------------------------------------------------------- per-process state

    def _setting_pairs(self) -> list[tuple[str, ast.expr]]:
        pairs: list[tuple[str, ast.expr]] = []
        for node in self.index.of(ast.Assign):
            assert isinstance(node, ast.Assign)
            for target in node.targets:
                key = target.id if isinstance(target, ast.Name) else None
                if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
                    key = str(target.slice.value)
                if key in SESSION_KEYS:
                    pairs.append((key, node.value))
        for call in self.calls:
            pairs += [(k.arg, k.value) for k in call.keywords if k.arg in SESSION_KEYS]
        for node in self.index.of(ast.Dict):
            assert isinstance(node, ast.Dict)
            pairs += [
                (str(k.value), v)
                for k, v in zip(node.keys, node.values, strict=True)
                if isinstance(k, ast.Constant) and k.value in SESSION_KEYS
            ]
        return pairs

    def _sessions(self) -> None:
        for key, value in self._setting_pairs():
            if isinstance(value, ast.Constant) and value.value in LOCAL_SESSIONS[key]:
                self._add(
                    "BSSCL125",
                    value,
                    f"{key} = {value.value!r} keeps sessions in one instance: behind a load"
                    " balancer users lose their session; use a shared store (Redis, database)",
                )

    def _limiters(self) -> None:
        configured = "RATELIMIT_STORAGE_UR" in self.file.text
        for call in self.calls:
            if self.imports.resolve(call.func) not in LIMITERS:
                continue
            storage = next((k.value for k in call.keywords if k.arg == "storage_uri"), None)
            memory = isinstance(storage, ast.Constant) and str(storage.value).startswith(
                "memory://"
            )
            if memory or (
                storage is None and not configured and not any(k.arg is None for k in call.keywords)
            ):
                self._add(
                    "BSSCL127",
                    call,
                    "rate-limit counters kept in process memory: each worker and instance counts"
                    " separately; give the limiter storage_uri='redis://...'",
                )

    def _uploads(self, func: FunctionNode) -> None:
        nodes = list(walk_body(func.body))
        uploads = {
            a.arg
            for a in [*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs]
            if a.annotation is not None
            and {(dotted(n) or "").rsplit(".", 1)[-1] for n in ast.walk(a.annotation)}
            & UPLOAD_TYPES
        }
        for node in nodes:
            if isinstance(node, ast.Assign) and _reads_files(node.value):
                uploads.update(t.id for t in node.targets if isinstance(t, ast.Name))
        if not uploads and not any(_reads_files(n) for n in nodes):
            return
        for node in nodes:
            if isinstance(node, ast.Call) and self._writes_to_disk(node, uploads):
                self._add(
                    "BSSCL126",
                    node,
                    f"request handler `{func.name}` writes an upload to the local disk: other"
                    " instances cannot read it and it is lost with the container; store it in"
                    " object storage",
                )

    def _writes_to_disk(self, call: ast.Call, uploads: set[str]) -> bool:
        name = call_name(call) or ""
        if name == "save" and isinstance(call.func, ast.Attribute):
            receiver = call.func.value
            root = (dotted(receiver) or "").split(".", 1)[0]
            return root in uploads or _reads_files(receiver)
        if name == "open":
            mode = call.args[1] if len(call.args) > 1 else None
            mode = next((k.value for k in call.keywords if k.arg == "mode"), mode)
            return isinstance(mode, ast.Constant) and any(c in str(mode.value) for c in "wax")
        return name in DISK_WRITES or (self.imports.resolve(call.func) or "") in SHUTIL_WRITES


def _reads_files(node: ast.AST) -> bool:
    """Whether ``node`` reads the request's uploaded files (``request.files[...]``)."""
    return any(
        isinstance(n, ast.Attribute)
        and n.attr in ("files", "FILES")
        and dotted(n.value) in ("request", "self.request")
        for n in ast.walk(node)
    )
