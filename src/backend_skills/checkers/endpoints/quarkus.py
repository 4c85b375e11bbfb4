"""Quarkus HTTP security configuration (``application.properties``) for JAX-RS routes.

``quarkus.http.auth.permission.<name>.paths/.methods/.policy`` (``permit``, ``deny``,
``authenticated`` or a role policy; the longest matching path wins) and the Keycloak
policy enforcer (``quarkus.keycloak.policy-enforcer.enable=true``, paths with
``enforcement-mode=DISABLED`` left open). A module's configuration applies to the
resources of that module (the folder that holds its ``src/main/resources``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import Role

from ._common import innermost_root

_PERMISSION = re.compile(
    r"^quarkus\.http\.auth\.permission\.([\w-]+)\.(paths|methods|policy)\s*=\s*(.*)$"
)
_ENFORCER_PATH = re.compile(
    r"^quarkus\.keycloak\.policy-enforcer\.paths\.([\w-]+)\.(path|paths|enforcement-mode)\s*=\s*(.*)$"
)
_ENFORCER_ON = re.compile(r"^quarkus\.keycloak\.policy-enforcer\.enable\s*=\s*true\s*$")
MAX_CONFIG_BYTES = 1_000_000


@dataclass
class Permission:
    name: str
    paths: list[str] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    policy: str = ""

    def match(self, path: str, method: str) -> int:
        """The length of the longest pattern matching (``-1``: none)."""
        if self.methods and method not in self.methods:
            return -1
        return max((len(p) for p in self.paths if _matches(p, path)), default=-1)


def _matches(pattern: str, path: str) -> bool:
    if pattern.endswith("*"):
        stem = pattern[:-1].rstrip("/")
        return path == stem or path.startswith(stem + "/")
    return path.rstrip("/") == pattern.rstrip("/")


@dataclass
class Module:
    """One module's HTTP security settings."""

    root: str
    permissions: list[Permission] = field(default_factory=list)
    enforcer: bool = False
    enforcer_open: list[str] = field(default_factory=list)

    def decide(self, path: str, method: str) -> tuple[str, bool] | None:
        """(evidence, open) for a route, or None when the configuration is silent."""
        if self.enforcer and not any(_matches(p, path) for p in self.enforcer_open):
            return "Keycloak policy enforcer", False
        ranked = sorted(((p.match(path, method), p) for p in self.permissions), key=lambda x: -x[0])
        if not ranked or ranked[0][0] < 0 or not ranked[0][1].policy:
            return None
        permission = ranked[0][1]
        evidence = f"quarkus.http.auth.permission.{permission.name} ({permission.policy})"
        return evidence, permission.policy == "permit"


def _permission(line: str, permissions: dict[str, Permission]) -> None:
    """One ``quarkus.http.auth.permission.<name>.<key>=value`` line."""
    found = _PERMISSION.match(line)
    if found is None:
        return
    name, key, value = found.groups()
    permission = permissions.setdefault(name, Permission(name))
    items = [v.strip() for v in value.split(",") if v.strip()]
    if key == "policy":
        permission.policy = value.strip()
    elif key == "methods":
        permission.methods = [v.upper() for v in items]
    else:
        permission.paths = items


def _enforcer(line: str, paths: dict[str, dict[str, str]]) -> None:
    """One ``quarkus.keycloak.policy-enforcer.paths.<name>.<key>=value`` line."""
    found = _ENFORCER_PATH.match(line)
    if found is not None:
        paths.setdefault(found.group(1), {})[found.group(2)] = found.group(3).strip()


def _read(module: Module, text: str) -> None:
    permissions: dict[str, Permission] = {}
    enforcer_paths: dict[str, dict[str, str]] = {}
    for raw in text.splitlines():
        line = raw.strip()
        _permission(line, permissions)
        _enforcer(line, enforcer_paths)
        module.enforcer = module.enforcer or bool(_ENFORCER_ON.match(line))
    module.permissions += permissions.values()
    module.enforcer_open += [
        p.get("path") or p.get("paths", "")
        for p in enforcer_paths.values()
        if p.get("enforcement-mode", "").upper() == "DISABLED"
    ]


def modules(files: Iterable[SourceFile]) -> list[Module]:
    """Every module's settings (``%prod.``-style profile lines are not read)."""
    found = []
    for file in files:
        if not file.path.endswith("src/main/resources/application.properties"):
            continue
        if file.role in (Role.VENDORED, Role.GENERATED, Role.TEST) or file.size > MAX_CONFIG_BYTES:
            continue
        try:
            text = file.text
        except Exception:  # unreadable: no evidence either way
            continue
        module = Module(file.path.removesuffix("src/main/resources/application.properties"))
        _read(module, text)
        if module.permissions or module.enforcer:
            found.append(module)
    return found


def module_of(found: list[Module], path: str) -> Module | None:
    """The module a source file belongs to (the longest root that holds it)."""
    root = innermost_root(path, (m.root for m in found))
    return next((m for m in found if m.root == root), None)
