"""Deployment manifests and the health checks they declare, from the discovered files.

Each manifest kind is one :class:`ManifestRule`: which files it applies to, what their
text must contain to count (content, not just the name), and how a health check is
declared in it. The rules are quoted in ``docs/scalability.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import Role

_M = re.MULTILINE
_WORKLOADS = r"Deployment|StatefulSet|DaemonSet|Pod|Job|CronJob|ReplicaSet|Rollout|DeploymentConfig"


@dataclass(frozen=True)
class ManifestRule:
    """One kind of deployment manifest."""

    label: str
    language: str
    requires: tuple[re.Pattern[str], ...]
    """Every pattern must match the file's text."""
    name: re.Pattern[str] | None = None
    """When set, the lower-case file name must match."""
    probe: re.Pattern[str] | None = None
    """A health check declared in the manifest."""
    alternative: re.Pattern[str] | None = None
    """When set and it matches, ``requires`` need not."""

    def matches(self, file: SourceFile) -> bool:
        """Whether ``file`` is a manifest of this kind."""
        if file.language != self.language:
            return False
        if self.name is not None and not self.name.match(file.name.lower()):
            return False
        if self.alternative is not None and self.alternative.search(file.text):
            return True
        return all(pattern.search(file.text) for pattern in self.requires)


RULES: tuple[ManifestRule, ...] = (
    ManifestRule(
        "container image",
        "dockerfile",
        (re.compile(r"^\s*FROM\s+\S+", re.IGNORECASE | _M),),
        probe=re.compile(r"^\s*HEALTHCHECK\s+(?!NONE\b)\S", re.IGNORECASE | _M),
    ),
    ManifestRule("process manifest", "procfile", (re.compile(r"^[\w-]+:\s*\S+", _M),)),
    ManifestRule(
        "compose",
        "yaml",
        (re.compile(r"^services:\s*$", _M),),
        name=re.compile(r"^(docker-)?compose([.-][\w.-]+)?\.ya?ml$"),
        probe=re.compile(r"^\s+healthcheck:\s*$", _M),
    ),
    ManifestRule(
        "Kubernetes",
        "yaml",
        (re.compile(r"^apiVersion:\s*\S+", _M), re.compile(rf"^kind:\s*({_WORKLOADS})\b", _M)),
        probe=re.compile(r"^\s+(livenessProbe|readinessProbe|startupProbe):", _M),
        alternative=re.compile(r"^apiVersion:\s*serving\.knative\.dev/", _M),
    ),
    ManifestRule(
        "Helm chart", "yaml", (re.compile(r"^apiVersion:", _M),), name=re.compile(r"^chart\.yaml$")
    ),
    ManifestRule(
        "App Engine", "yaml", (re.compile(r"^runtime:", _M),), name=re.compile(r"^app\.ya?ml$")
    ),
    ManifestRule(
        "platform manifest",
        "yaml",
        (re.compile(r"^(services|functions):", _M),),
        name=re.compile(r"^(render\.yaml|serverless\.ya?ml)$"),
    ),
    ManifestRule("Fly.io", "toml", (re.compile(r"^app\s*=", _M),), name=re.compile(r"^fly\.toml$")),
)


def deployment(files: Iterable[SourceFile]) -> tuple[list[str], list[str]]:
    """(manifests found, health checks they declare), as ``path (kind)`` labels."""
    manifests: list[str] = []
    probes: list[str] = []
    for file in files:
        if file.role in (Role.VENDORED, Role.GENERATED):
            continue
        rule = next((r for r in RULES if r.matches(file)), None)
        if rule is None:
            continue
        manifests.append(f"{file.path} ({rule.label})")
        if rule.probe is not None and rule.probe.search(file.text):
            probes.append(f"{file.path} ({rule.label} health check)")
    return manifests, probes
