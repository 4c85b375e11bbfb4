"""Kubernetes, Helm and Compose manifests read for resilience (``BSSCL122``-``BSSCL124``).

YAML is read with PyYAML's safe loader, as a node graph (``compose_all``) so that every
finding has a line and aliases are never expanded; files over :data:`MAX_BYTES`, with more
than :data:`MAX_DOCUMENTS` documents, or that do not parse are skipped. Helm templates
(text with ``{{``) are never rendered: they are read line by line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import yaml

from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import Finding, Role

from ._rule_findings import rule_finding

MAX_BYTES = 1_000_000
MAX_DOCUMENTS = 200
#: Workloads whose pods serve traffic (Jobs and CronJobs run to completion: no probes).
WORKLOADS = frozenset(
    {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Rollout", "DeploymentConfig", "Pod"}
)
REPLICATED = frozenset({"Deployment", "StatefulSet", "ReplicaSet", "Rollout", "DeploymentConfig"})
AUTOSCALERS = frozenset({"HorizontalPodAutoscaler", "ScaledObject"})
PROBES = ("readinessProbe", "livenessProbe")
COMPOSE_NAME = re.compile(r"^(docker-)?compose([.-][\w.-]+)?\.ya?ml$")
#: Compose files for development, tests or CI: their services are not judged.
COMPOSE_DEV = re.compile(r"override|dev|test|local|\bci\b|e2e", re.IGNORECASE)
_HELM_KIND = re.compile(r"^\s*kind:\s*['\"]?(\w+)")

#: The C loader when PyYAML was built with it (same safe constructors, faster).
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Manifests:
    """What the manifests of a repository say, for the resilience criterion."""

    findings: list[Finding]
    workloads: int
    compose_services: int
    skipped: list[tuple[str, str]]


def _get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key and isinstance(v, yaml.Node):
            return v
    return None


def _items(node: yaml.Node | None) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _scalar(node: yaml.Node | None) -> str | None:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else None


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _documents(file: SourceFile) -> Iterator[yaml.Node]:
    for count, doc in enumerate(yaml.compose_all(file.text, Loader=_Loader)):
        if count >= MAX_DOCUMENTS:
            return
        if doc is not None:
            yield doc


def _candidate(file: SourceFile) -> bool:
    return (
        file.language == "yaml"
        and file.role not in (Role.VENDORED, Role.GENERATED, Role.TEST)
        and len(file.text) <= MAX_BYTES
    )


class _Reader:
    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.workloads: list[tuple[str, yaml.Node, str, str]] = []
        self.scaled: set[str] = set()
        self.any_autoscaler = False
        self.compose: dict[str, list[tuple[str, yaml.Node, yaml.Node]]] = {}
        self.skipped: list[tuple[str, str]] = []
        self.helm_workloads = 0

    def read(self, file: SourceFile) -> None:
        name = PurePosixPath(file.path).name.lower()
        is_compose = bool(COMPOSE_NAME.match(name))
        if not is_compose and "kind:" not in file.text:
            return
        if "{{" in file.text:
            if not is_compose:
                self._helm(file)
            return
        try:
            for doc in _documents(file):
                if is_compose:
                    self._compose_doc(file, doc)
                else:
                    self._kube_doc(file, doc)
        except (yaml.YAMLError, RecursionError, ValueError) as exc:
            self.skipped.append((file.path, f"YAML not read: {type(exc).__name__}"))

    # ---------------------------------------------------------------- Kubernetes

    def _kube_doc(self, file: SourceFile, doc: yaml.Node) -> None:
        kind = _scalar(_get(doc, "kind"))
        if kind is None or _scalar(_get(doc, "apiVersion")) is None:
            return
        if kind in AUTOSCALERS:
            self.any_autoscaler = True
            target = _scalar(_get(_get(_get(doc, "spec"), "scaleTargetRef"), "name"))
            if target:
                self.scaled.add(target)
            return
        if kind not in WORKLOADS:
            return
        name = _scalar(_get(_get(doc, "metadata"), "name")) or ""
        self.workloads.append((file.path, doc, kind, name))

    def workload(self, path: str, doc: yaml.Node, kind: str, name: str) -> None:
        """Probes and resources of each container of a workload, and its replicas."""
        spec = _get(doc, "spec")
        pod = spec if kind == "Pod" else _get(_get(spec, "template"), "spec")
        for container in _items(_get(pod, "containers")):
            self.findings += container_findings(path, container, f"{kind} `{name}`")
        if kind not in REPLICATED or self.any_autoscaler or name in self.scaled:
            return
        replicas = _get(spec, "replicas")
        if single_replica(replicas):
            where = _line(replicas) if replicas is not None else _line(doc)
            shown = (
                "no replicas (default 1)" if replicas is None else f"replicas: {_scalar(replicas)}"
            )
            self.findings.append(
                rule_finding(
                    "BSSCL124",
                    path,
                    where,
                    f"{kind} `{name}` runs {shown} and no autoscaler targets it: one failure or"
                    " rollout is downtime",
                )
            )

    # ---------------------------------------------------------------- Helm

    def _helm(self, file: SourceFile) -> None:
        """A Helm template, line by line: probes and resources must appear as keys."""
        for start, lines in _helm_documents(file.text):
            kind = helm_workload(lines)
            if kind is not None:
                self.helm_workloads += 1
                self.findings += helm_findings(file.path, start, lines, kind)

    # ---------------------------------------------------------------- Compose

    def _compose_doc(self, file: SourceFile, doc: yaml.Node) -> None:
        services = _get(doc, "services")
        if not isinstance(services, yaml.MappingNode):
            return
        folder = str(PurePosixPath(file.path).parent)
        for key, service in services.value:
            self.compose.setdefault(folder, []).append((file.path, key, service))

    def compose_findings(self) -> int:
        count = 0
        for entries in self.compose.values():
            healthy = {_scalar(k) for _, k, s in entries if _get(s, "healthcheck") is not None}
            for path, key, service in entries:
                if _get(service, "build") is None or COMPOSE_DEV.search(PurePosixPath(path).name):
                    continue
                count += 1
                if _scalar(key) in healthy:
                    continue
                self.findings.append(
                    rule_finding(
                        "BSSCL122",
                        path,
                        _line(key),
                        f"Compose service `{_scalar(key)}` is built from this repository but has"
                        " no healthcheck: nothing tells the orchestrator when it can serve",
                    )
                )
        return count


def container_findings(path: str, container: yaml.Node, owner: str) -> list[Finding]:
    """``BSSCL122``/``BSSCL123`` for one container of the workload named by ``owner``."""
    label = _scalar(_get(container, "name")) or "container"
    found: list[Finding] = []
    missing = [p for p in PROBES if _get(container, p) is None]
    if missing:
        found.append(
            rule_finding(
                "BSSCL122",
                path,
                _line(container),
                f"container `{label}` of {owner} has no {' and no '.join(missing)}:"
                " traffic reaches pods that cannot serve and hung pods are never restarted",
            )
        )
    resources = _get(container, "resources")
    absent = [r for r in ("requests", "limits") if _get(resources, r) is None]
    if absent:
        found.append(
            rule_finding(
                "BSSCL123",
                path,
                _line(container),
                f"container `{label}` of {owner} sets no resource {' or '.join(absent)}",
            )
        )
    return found


def single_replica(replicas: yaml.Node | None) -> bool:
    """Whether ``replicas`` is absent (default 1) or a number below 2 (a template
    expression or other text is not judged)."""
    if replicas is None:
        return True
    value = _scalar(replicas)
    return value is not None and value.isdigit() and int(value) < 2


def helm_workload(lines: list[str]) -> str | None:
    """The kind of a Helm template document when it is a workload (its first ``kind:``)."""
    kinds = [m.group(1) for line in lines if (m := _HELM_KIND.match(line))]
    return kinds[0] if kinds and kinds[0] in WORKLOADS else None


def helm_findings(path: str, start: int, lines: list[str], kind: str) -> list[Finding]:
    """``BSSCL122``/``BSSCL123`` for a Helm workload template whose lines lack the keys,
    at its ``containers:`` line (its first line when there is none)."""
    keys = {line.strip().split(":", 1)[0] for line in lines if ":" in line}
    where = next(
        (start + i for i, line in enumerate(lines) if line.strip() == "containers:"), start
    )
    found: list[Finding] = []
    missing = [p for p in PROBES if p not in keys]
    if missing:
        found.append(
            rule_finding(
                "BSSCL122", path, where, f"{kind} template has no {' and no '.join(missing)}"
            )
        )
    if "resources" not in keys:
        found.append(rule_finding("BSSCL123", path, where, f"{kind} template sets no resources"))
    return found


def _helm_documents(text: str) -> Iterator[tuple[int, list[str]]]:
    start, lines = 1, list[str]()
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("---"):
            yield start, lines
            start, lines = number + 1, []
        else:
            lines.append(line)
    yield start, lines


def read_manifests(files: Iterable[SourceFile]) -> Manifests:
    """Findings of every Kubernetes, Helm and Compose manifest among ``files``."""
    reader = _Reader()
    for file in sorted(files, key=lambda f: f.path):
        if _candidate(file):
            reader.read(file)
    for path, doc, kind, name in reader.workloads:
        reader.workload(path, doc, kind, name)
    services = reader.compose_findings()
    return Manifests(
        findings=reader.findings,
        workloads=len(reader.workloads) + reader.helm_workloads,
        compose_services=services,
        skipped=reader.skipped,
    )
