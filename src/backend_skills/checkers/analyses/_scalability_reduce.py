"""Repository-level metrics of the scalability analysis, one criterion at a time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend_skills.core.checker import CheckContext
from backend_skills.core.models import CheckResult, Confidence, Finding, Metric, Severity

from ._deployment import deployment
from ._scalability_tables import (
    ASYNC_BLOCKING,
    BACKGROUND,
    CACHING,
    CONFIGURATION,
    DEPLOYABILITY,
    PAGINATION,
    POOLING,
    SHARED_STATE,
    SKILL,
)

#: Why service-level criteria do not apply to a library or command-line tool.
NOT_A_SERVICE = (
    "no request handlers and no deployment manifest: a library or tool, not a deployed service"
)


class Reduction:
    """Repository metrics from every source file's data, one criterion at a time."""

    def __init__(self, ctx: CheckContext, data: Mapping[str, dict[str, Any]]) -> None:
        self.ctx = ctx
        self.data = data
        self.files = len(data)
        self.result = CheckResult()
        frameworks = {f for d in data.values() for f in d["frameworks"]}
        self.routes = self._sum("routes")
        self.web = bool(frameworks) or self.routes > 0

    def _sum(self, key: str) -> int:
        return sum(int(d[key]) for d in self.data.values())

    def _evidence(self, key: str) -> list[tuple[str, int, str]]:
        return [(p, line, what) for p, d in self.data.items() for line, what in d[key]]

    def _metric(
        self,
        name: str,
        value: float | None,
        unit: str,
        reason: str | None = None,
        *,
        weight: int | None = None,
    ) -> None:
        """A metric; ``weight``: what a share is of (list endpoints, settings, connection
        sites), so that it combines with the other languages' by weight."""
        self.result.metrics.append(
            Metric(
                name=name,
                value=None if value is None else round(value, 4),
                unit=unit,
                files=self.files,
                reason=reason,
                combine="first" if weight is None else "mean",
                weight=weight,
            )
        )

    def _not_applicable(self, criterion: str, why: str) -> None:
        if self.data:
            self.result.not_applicable.setdefault(criterion, why)

    def run(self) -> CheckResult:
        if not self.data:
            for criterion in (
                ASYNC_BLOCKING,
                CACHING,
                BACKGROUND,
                PAGINATION,
                CONFIGURATION,
                POOLING,
                SHARED_STATE,
            ):
                self.result.not_applicable[criterion] = "no Python source files"
        if not self._sum("async_defs"):
            self._not_applicable(
                ASYNC_BLOCKING, "no async code (no `async def` in Python source files)"
            )
        self._caching()
        self._background()
        self._pagination()
        self._configuration()
        self._pooling()
        self._deployability()
        if not self.web:
            self._not_applicable(SHARED_STATE, "no web framework detected: no request handlers")
        elif not self.routes:
            self._not_applicable(SHARED_STATE, "no request handlers found")
        return self.result

    def _caching(self) -> None:
        cache = self._evidence("cache")
        self._metric("scalability.cache_evidence", len(cache), "sites")
        if not self.routes and not cache:
            self._not_applicable(CACHING, NOT_A_SERVICE)
        if cache:
            shown = ", ".join(f"{what} ({p}:{line})" for p, line, what in cache[:3])
            more = f" and {len(cache) - 3} more" if len(cache) > 3 else ""
            self.result.notes.append(f"caching: {shown}{more}")

    def _background(self) -> None:
        queues = sorted({q for d in self.data.values() for q in d["queues"]})
        enqueues = sum(len(d["enqueues"]) for d in self.data.values()) if queues else 0
        evidence = len(self._evidence("background")) + enqueues
        self._metric("scalability.background_evidence", evidence, "sites")
        if queues:
            self.result.notes.append(
                f"background work: {', '.join(queues)} ({enqueues} enqueue calls)"
            )
        if not self.web and evidence == 0:
            self._not_applicable(
                BACKGROUND, "no web framework detected: no request path to keep work off"
            )
        elif not self.routes and evidence == 0:
            self._not_applicable(BACKGROUND, NOT_A_SERVICE)

    def _pagination(self) -> None:
        drf_default = any(d["drf_pagination"] for d in self.data.values())
        lists = [(p, *item) for p, d in self.data.items() for item in d["lists"]]
        bounded = 0
        for path, name, line, label, is_bounded, kind in lists:
            if is_bounded or (kind == "drf" and drf_default):
                bounded += 1
                continue
            self.result.findings.append(
                Finding(
                    checker="python_ast",
                    rule="BSSCL002",
                    skill=SKILL,
                    criterion=PAGINATION,
                    severity=Severity.MEDIUM,
                    confidence=Confidence.MEDIUM,
                    message=f"list endpoint `{name}` ({label}) returns every row: add a limit"
                    " parameter with a maximum, or paginate",
                    path=path,
                    line=line,
                )
            )
        if lists:
            self._metric(
                "scalability.bounded_list_share",
                bounded / len(lists),
                "share of list endpoints",
                weight=len(lists),
            )
        else:
            why = "no list endpoints found" if self.web else "no web framework detected"
            self._metric("scalability.bounded_list_share", None, "share of list endpoints", why)
            self._not_applicable(PAGINATION, why)
        self.result.metrics.append(
            Metric(
                name="scalability.list_endpoints",
                value=len(lists),
                unit="endpoints",
                files=self.files,
                combine="sum",
            )
        )

    def _configuration(self) -> None:
        env, hardcoded = self._sum("env"), self._sum("hardcoded")
        if env + hardcoded:
            self._metric(
                "scalability.env_config_share",
                env / (env + hardcoded),
                "share of settings",
                weight=env + hardcoded,
            )
            self.result.notes.append(
                f"configuration: {env} settings read from the environment,"
                f" {hardcoded} hard-coded hosts, ports or URLs"
            )
        else:
            why = "no settings read from the environment and no hard-coded hosts, ports or URLs"
            self._metric("scalability.env_config_share", None, "share of settings", why)

    def _pooling(self) -> None:
        pooled, direct = self._sum("pooled"), self._sum("direct")
        if pooled + direct:
            self._metric(
                "scalability.pooled_share",
                pooled / (pooled + direct),
                "share of connection sites",
                weight=pooled + direct,
            )
            return
        why = "no database or cache connections found in Python source files"
        self._metric("scalability.pooled_share", None, "share of connection sites", why)
        self._not_applicable(POOLING, why)

    def _deployability(self) -> None:
        manifests, probes = deployment(self.ctx.fileset.files)
        health = [f"{p}:{line} {label}" for p, line, label in self._evidence("health")] + probes
        if not self.data and not manifests:
            why = "no Python source files and no deployment manifests"
            self._metric("scalability.deployability", None, "share", why)
            return
        if not self.routes and not manifests:
            self._metric("scalability.deployability", None, "share", NOT_A_SERVICE)
            self._not_applicable(DEPLOYABILITY, NOT_A_SERVICE)
            return
        if self.web:
            value = 0.5 * bool(manifests) + 0.5 * bool(health)
            checks = ", ".join(health[:2]) or "none found"
        else:
            value = float(bool(manifests))
            checks = "not needed (no web framework)"
        self._metric("scalability.deployability", value, "share")
        shown = ", ".join(manifests[:3]) or "no container or process manifest"
        self.result.notes.append(f"deployment: {shown}; health check: {checks}")
