"""``security.authorization``: the endpoint inventory and the access control on it.

``visit`` reads each Python source file's routes, views, routers, blueprints, guards and
settings (:mod:`._authz_facts`); ``reduce`` resolves them across files into endpoints
(:mod:`._authz_resolve`), lists them in the report's ``endpoints`` section and judges
them (:func:`judge`): ``BSSEC040`` write endpoint without access control, ``BSSEC041``
DRF left at its AllowAny default, ``BSSEC042`` a method-level opt-out overriding
class-level protection, ``BSSEC043`` admin/debug/export/actuator route left public,
``BSSEC044`` CSRF off on a session-authenticated endpoint. Every rule and heuristic is
documented in ``docs/security.md`` ("Authorization and the endpoint inventory").
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

from backend_skills.core.checker import CheckContext
from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import (
    CheckResult,
    Confidence,
    Endpoint,
    Finding,
    Metric,
    Role,
    Severity,
)
from backend_skills.rules import get as rule_of

from . import Analysis, Visit
from ._authz_facts import scan
from ._authz_resolve import Exposure, Repository, inventory

PROTECTED_SHARE = "security.protected_endpoint_share"
ENDPOINT_COUNT = "security.endpoints"
OPEN_WRITES = "security.open_write_endpoints"
SKILL = "security"
CRITERION = "security.authorization"
AUTHORIZATION_METRICS = (PROTECTED_SHARE, ENDPOINT_COUNT, OPEN_WRITES)
#: What a protected endpoint with CSRF checks off counts for in the protected share.
CSRF_EXPOSED_CREDIT = 0.5


def _anchor(*parts: str) -> str:
    """A fingerprint anchor that survives line moves: the endpoint, not its line."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "replace")).hexdigest()[:16]


def _finding(
    rule_id: str,
    exposure: Exposure,
    message: str,
    checker: str,
    confidence: Confidence | None = None,
) -> Finding:
    """A finding of one of the rules ``BSSEC040``-``BSSEC044`` (declared in
    :mod:`backend_skills.rules._authorization`) about one endpoint (``confidence``: when
    it differs from the rule's, as the rule's ``varies`` says)."""
    rule = rule_of(rule_id)
    return Finding(
        checker=checker,
        rule=rule.id,
        skill=rule.skill,
        criterion=rule.criterion,
        severity=rule.severity,
        confidence=confidence or rule.confidence,
        message=message,
        path=exposure.file,
        line=exposure.line,
        cwe=rule.cwe,
        snippet_hash=_anchor(rule.id, exposure.method, exposure.path or "", exposure.handler),
    )


def _where(exposure: Exposure) -> str:
    return f"{exposure.method} {exposure.path or '(no route path)'} ({exposure.handler})"


def needs_control(exposure: Exposure) -> bool:
    """Whether an endpoint must be protected: a write or a sensitive route that is not
    public by design."""
    return (exposure.write or exposure.sensitive() is not None) and exposure.by_design() is None


def csrf_exposed(exposure: Exposure) -> bool:
    """A session-authenticated write endpoint with CSRF checks switched off."""
    session_auth = any("login" in a.lower() or "Mixin" in a for a in exposure.access)
    return (
        exposure.csrf_exempt
        and exposure.write
        and (session_auth or exposure.session)
        and exposure.by_design() is None
    )


def judge(exposures: Sequence[Exposure], checker: str) -> list[Finding]:
    """Findings for endpoints (any language): one per endpoint at most, plus CSRF."""
    findings: list[Finding] = []
    for exposure in exposures:
        if csrf_exposed(exposure):
            findings.append(
                _finding(
                    "BSSEC044",
                    exposure,
                    f"{_where(exposure)} is CSRF-exempt"
                    f" ({exposure.csrf_evidence or 'csrf_exempt'}) but authenticated by the"
                    f" session ({exposure.access_control or 'uses request.user/session'}): any"
                    " site the user visits can send it",
                    checker,
                )
            )
        if not exposure.public or not needs_control(exposure):
            continue
        evidence = exposure.open_evidence or "no decorator, permission class, dependency or guard"
        sensitive = exposure.sensitive()
        if sensitive is not None and exposure.override:
            # an explicit opt-out under a guard: a decision to review, not a missing check
            findings.append(
                _finding(
                    "BSSEC043",
                    exposure,
                    f"{sensitive} route {_where(exposure)} is public on purpose:"
                    f" {exposure.override} (review it)",
                    checker,
                    Confidence.LOW,
                )
            )
        elif sensitive is not None:
            findings.append(
                _finding(
                    "BSSEC043",
                    exposure,
                    f"{sensitive} route {_where(exposure)} is public ({evidence})",
                    checker,
                )
            )
        elif exposure.override:
            findings.append(
                _finding(
                    "BSSEC042",
                    exposure,
                    f"write endpoint {_where(exposure)}: {exposure.override}",
                    checker,
                )
            )
        else:
            findings.append(
                _finding(
                    "BSSEC040",
                    exposure,
                    f"write endpoint {_where(exposure)} has no access control ({evidence})",
                    checker,
                )
            )
    return findings


def _drf_default_where(repo: Repository, first: Exposure) -> tuple[str, int | None, str]:
    """Where DRF's default is left open (the setting, INSTALLED_APPS or the first
    endpoint relying on it) and what is wrong there."""
    drf = repo.settings.get("drf")
    if drf is not None:
        what = (
            "REST_FRAMEWORK sets DEFAULT_PERMISSION_CLASSES to AllowAny"
            if drf.get("permissions")
            else "REST_FRAMEWORK has no DEFAULT_PERMISSION_CLASSES"
        )
        return drf["file"], drf["line"], what
    installed = repo.settings.get("drf_installed")
    if installed is not None:
        return installed[0], installed[1], "no REST_FRAMEWORK setting"
    return first.file, first.line, "no REST_FRAMEWORK setting found"


def _drf_default_finding(
    exposures: Sequence[Exposure], repo: Repository, checker: str
) -> list[Finding]:
    relying = [e for e in exposures if e.drf_default and e.write and needs_control(e)]
    if not relying:
        return []
    path, line, what = _drf_default_where(repo, relying[0])
    rule = rule_of("BSSEC041")
    shown = ", ".join(f"{e.method} {e.path}" for e in relying[:3])
    more = f" and {len(relying) - 3} more" if len(relying) > 3 else ""
    return [
        Finding(
            checker=checker,
            rule=rule.id,
            skill=rule.skill,
            criterion=rule.criterion,
            severity=rule.severity,
            confidence=rule.confidence,
            message=(
                f"{what}: Django REST framework allows anyone (AllowAny) and"
                f" {len(relying)} write endpoint(s) rely on it ({shown}{more})"
            ),
            path=path,
            line=line,
            cwe=rule.cwe,
            snippet_hash=_anchor(rule.id, "DEFAULT_PERMISSION_CLASSES"),
        )
    ]


def to_endpoint(exposure: Exposure) -> Endpoint:
    """The report's view of an endpoint."""
    return Endpoint(
        method=exposure.method,
        path=exposure.path,
        handler=exposure.handler,
        file=exposure.file,
        line=exposure.line,
        framework=exposure.framework,
        access_control=exposure.access_control,
        public=exposure.public,
    )


def open_write_count(exposures: Iterable[Exposure]) -> int:
    """Write endpoints that need access control and have none."""
    return sum(1 for e in exposures if e.write and e.public and needs_control(e))


def _protected(needing: Sequence[Exposure]) -> float:
    """How many of the endpoints that need access control have it. An endpoint that
    checks the caller but lets any site send the request with the user's session (CSRF
    off) is half protected."""
    return sum((CSRF_EXPOSED_CREDIT if csrf_exposed(e) else 1.0) for e in needing if not e.public)


def authorization_metrics(exposures: Sequence[Exposure], language: str) -> list[Metric]:
    """The protected share of the endpoints that need access control, and counts."""
    needing = [e for e in exposures if needs_control(e)]
    open_writes = open_write_count(exposures)
    reason = _no_share_reason(len(exposures), len(needing))
    share = _protected(needing) / len(needing) if needing else None
    summed: dict[str, Any] = {"combine": "sum"} if "combine" in Metric.model_fields else {}
    return [
        _share_metric(share, len(needing), reason),
        Metric(name=ENDPOINT_COUNT, value=float(len(exposures)), unit="endpoints", **summed),
        Metric(name=OPEN_WRITES, value=float(open_writes), unit="endpoints", **summed),
    ]


def _no_share_reason(endpoints: int, needing: int) -> str | None:
    """Why there is no protected share (None when there is one)."""
    if not endpoints:
        return (
            "no endpoints found (routes of Django, DRF, Flask, FastAPI, Express, ASP.NET Core,"
            " Spring or gin)"
        )
    if not needing:
        return (
            f"{endpoints} endpoint(s), none that needs access control (no write, admin"
            " or debug route outside sign-in, sign-up and health)"
        )
    return None


def _share_metric(value: float | None, needing: int, reason: str | None) -> Metric:
    extra: dict[str, Any] = {}
    fields = Metric.model_fields
    if "combine" in fields:  # metrics of several languages combine (language layer)
        extra = {"combine": "mean", "weight": float(needing)}
    return Metric(
        name=PROTECTED_SHARE,
        value=round(value, 4) if value is not None else None,
        unit="share",
        reason=reason,
        **extra,
    )


def endpoints_result(
    exposures: Iterable[Exposure], extra: Sequence[Finding], checker: str, language: str
) -> CheckResult:
    """Inventory, findings and metrics of a set of endpoints."""
    ordered = sorted(exposures, key=lambda e: (e.file, e.line or 0, e.path or "", e.method))
    result = CheckResult()
    result.endpoints = [to_endpoint(e) for e in ordered]
    result.findings = [*judge(ordered, checker), *extra]
    result.metrics = authorization_metrics(ordered, language)
    if ordered:
        open_writes = open_write_count(ordered)
        result.notes.append(
            f"endpoints ({language}): {len(ordered)}, {open_writes} write endpoint(s) without"
            " access control"
        )
    return result


class AuthorizationAnalysis(Analysis):
    """The endpoint inventory of Python web frameworks and ``security.authorization``."""

    name = "authorization"
    provides: ClassVar[tuple[str, ...]] = AUTHORIZATION_METRICS
    feeds: ClassVar[tuple[str, ...]] = (CRITERION,)

    def visit(self, file: SourceFile, tree: ast.Module, options: Mapping[str, Any]) -> Visit:
        """Routes, views, routers and settings of one source file."""
        if file.role not in (Role.SOURCE, Role.CONFIG):
            return Visit()
        return Visit(data=scan(file.path, tree))

    def reduce(self, ctx: CheckContext, data: Mapping[str, dict[str, Any]]) -> CheckResult:
        """The inventory across files, its findings and the protected share."""
        exposures, repo = inventory({p: d for p, d in data.items() if d})
        extra = _drf_default_finding(exposures, repo, "python_ast")
        for path, facts in sorted(data.items()):
            extra += [_cors_finding(path, line, column) for line, column in facts.get("cors", [])]
        return endpoints_result(exposures, extra, "python_ast", "Python")


def _cors_finding(path: str, line: int, column: int) -> Finding:
    """Flask-CORS with credentials for every origin: the configuration rule BSSEC014
    (which reads Django settings and FastAPI's middleware in the security analysis)."""
    return Finding(
        checker="python_ast",
        rule="BSSEC014",
        skill=SKILL,
        criterion="security.configuration",
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
        message="CORS allows every origin ('*', Flask-CORS's default) together with credentials"
        " (supports_credentials=True)",
        path=path,
        line=line,
        column=column,
        cwe=942,
    )
