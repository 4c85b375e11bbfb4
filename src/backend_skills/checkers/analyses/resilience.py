"""The ``resilience`` analysis: a service as one instance among many, talking to others.

Feeds ``scalability.resilience`` (``BSSCL120``-``BSSCL124``) and extends
``scalability.shared_state`` (``BSSCL125``-``BSSCL127``, beside ``BSSCL005`` of the
scalability analysis). Rules are declared in :mod:`backend_skills.rules._resilience` and
documented in ``docs/scalability.md``.

- per source file: outgoing HTTP and gRPC calls and the ones without a timeout
  (``requests`` and ``urlopen`` are left to bandit B113 and BSSEC015), evidence of
  retries with backoff, circuit breakers and graceful shutdown (:mod:`._resilience_calls`),
  sessions and rate-limit counters kept in one process, uploads written to the local
  disk in request handlers (:mod:`._resilience_state`);
- per repository: outgoing calls with no retry anywhere (``BSSCL121``), and the
  Kubernetes, Helm and Compose manifests (:mod:`._manifests`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from typing import Any

from backend_skills.core.checker import CheckContext
from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import CheckResult, Finding, Metric, Role, Skip
from backend_skills.rules._resilience import RESILIENCE, SHARED_STATE

from . import Analysis, Visit
from ._deployment import deployment
from ._manifests import Manifests, read_manifests
from ._polyglot_evidence import RESILIENCE_KINDS, FileEvidence, scan
from ._resilience_calls import (
    BREAKER_MODULES,
    HTTPX,
    NEEDS_TIMEOUT,
    OUTGOING,
    RETRY_KEYWORDS,
    RETRY_MODULES,
    SHUTDOWN_KEYWORDS,
    SIGNALS,
    CallRules,
)
from ._resilience_state import (
    DISK_WRITES,
    LIMITERS,
    LOCAL_SESSIONS,
    SESSION_KEYS,
    SHUTIL_WRITES,
    UPLOAD_TYPES,
    StateRules,
)
from ._rule_findings import rule_finding
from ._server_common import find_routes, tree_index, web_frameworks

Sites = list[tuple[str, int, str]]
"""(path, line, what) of each piece of evidence, sorted."""

#: Evidence key -> (label of the other languages' evidence, metric).
_EVIDENCE = {
    "outgoing": ("outgoing call", "resilience.outgoing_calls"),
    "retries": ("retry library", "resilience.retry_evidence"),
    "breakers": ("circuit breaker", "resilience.breaker_evidence"),
    "shutdown": ("shutdown handling", "resilience.shutdown_evidence"),
}
#: Evidence shown in the note, with its label.
_SHOWN = (
    ("retries", "retries"),
    ("circuit breakers", "breakers"),
    ("graceful shutdown", "shutdown"),
)


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
        return _scan_file(file, tree)

    def reduce(self, ctx: CheckContext, data: Mapping[str, dict[str, Any]]) -> CheckResult:
        """Retries across the repository, the manifests, and the metrics."""
        return _reduce(ctx, data)


def _scan_file(file: SourceFile, tree: ast.Module) -> Visit:
    index = tree_index(tree)
    routes = find_routes(tree, file.path, index.imports)
    calls = CallRules(file.path, tree, index)
    data: dict[str, Any] = {
        "routes": len(routes),
        "web": bool(web_frameworks(index.imports)),
        **calls.evidence(),
    }
    calls.grpc()
    state = StateRules(file.path, file.text, index)
    state.sessions()
    state.limiters()
    for route in routes:
        state.uploads(route.node)
    return Visit(findings=calls.findings + state.findings, data=data)


# --------------------------------------------------------------------------- repository


def combined(
    key: str, data: Mapping[str, dict[str, Any]], others: Mapping[str, FileEvidence]
) -> Sites:
    """Evidence ``key`` of the Python files and of the other languages' files, sorted."""
    python = [(p, line, what) for p, d in data.items() for line, what in d.get(key, [])]
    label = _EVIDENCE[key][0]
    return sorted(python + [(p, n, label) for p, e in others.items() for n in getattr(e, key)])


def _no_retry(outgoing: Sites, retries: Sites) -> Finding | None:
    """``BSSCL121`` at the first outgoing call when no retry is found anywhere."""
    if not outgoing or retries:
        return None
    path, line, what = outgoing[0]
    return rule_finding(
        "BSSCL121",
        path,
        line,
        f"{len(outgoing)} outgoing call sites ({what} here) and no retry with backoff"
        " anywhere (tenacity, backoff, stamina, urllib3 Retry, transport retries)",
    )


def _metrics(found: Mapping[str, Sites], files: int, manifests: Manifests) -> list[Metric]:
    metrics = [
        Metric(name=metric, value=len(found[key]), unit="sites", files=files)
        for key, (_, metric) in _EVIDENCE.items()
    ]
    workloads = manifests.workloads + manifests.compose_services
    return [*metrics, Metric(name="resilience.workloads", value=workloads, unit="workloads")]


def _note(found: Mapping[str, Sites]) -> str:
    shown = [
        f"{label}: {', '.join(f'{w} ({p}:{n})' for p, n, w in found[key][:2]) or 'none found'}"
        for label, key in _SHOWN
    ]
    return f"resilience: {len(found['outgoing'])} outgoing call sites; " + "; ".join(shown)


def _served(data: Mapping[str, dict[str, Any]], found: Mapping[str, Sites], workloads: int) -> bool:
    """Whether the repository calls out, handles requests or declares workloads."""
    routes = sum(int(d.get("routes", 0)) for d in data.values())
    return bool(found["outgoing"] or routes or workloads)


def _handlers_elsewhere(files: Iterable[SourceFile]) -> bool:
    """A Java, C#, Go or JavaScript/TypeScript source file declaring request handlers
    (its language's route markers: ``@GetMapping``, ``[HttpGet]``, ``router.get("/``)."""
    from backend_skills.languages import LANGUAGES
    from backend_skills.languages._common import markers

    for file in files:
        spec = LANGUAGES.get(file.language) if file.role is Role.SOURCE else None
        if (
            spec is not None
            and spec.route_markers
            and markers(spec.route_markers).search(file.text)
        ):
            return True
    return False


def _skips(manifests: Manifests) -> list[Skip]:
    return [Skip(path=p, reason=reason, checker="python_ast") for p, reason in manifests.skipped]


def _reduce(ctx: CheckContext, data: Mapping[str, dict[str, Any]]) -> CheckResult:
    data = {p: d for p, d in data.items() if d}
    others = scan(ctx.fileset.files, RESILIENCE_KINDS)
    found = {key: combined(key, data, others) for key in _EVIDENCE}
    manifests = read_manifests(ctx.fileset.files)
    result = CheckResult(findings=list(manifests.findings), skipped=_skips(manifests))
    retry = _no_retry(found["outgoing"], found["retries"])
    if retry is not None:
        result.findings.append(retry)
    result.metrics += _metrics(found, len(data), manifests)
    served = _served(data, found, manifests.workloads) or _handlers_elsewhere(ctx.fileset.files)
    web = any(d.get("web") for d in data.values())
    if not served and not web and not deployment(ctx.fileset.files)[0]:
        result.not_applicable[RESILIENCE] = (
            "no outgoing calls, request handlers or deployment manifests: not a networked service"
        )
    if served:
        result.notes.append(_note(found))
    return result


__all__ = [
    "BREAKER_MODULES",
    "DISK_WRITES",
    "HTTPX",
    "LIMITERS",
    "LOCAL_SESSIONS",
    "NEEDS_TIMEOUT",
    "OUTGOING",
    "RETRY_KEYWORDS",
    "RETRY_MODULES",
    "SESSION_KEYS",
    "SHUTDOWN_KEYWORDS",
    "SHUTIL_WRITES",
    "SIGNALS",
    "UPLOAD_TYPES",
    "ResilienceAnalysis",
    "combined",
]
