"""Dependency pinning for the ecosystems of the tree-sitter languages.

Feeds ``security.dependency_risk_pct`` (combined with the Python declarations, weighted
by how many dependencies each ecosystem declares):

- **npm** (``package.json``): every entry of ``dependencies`` and ``devDependencies`` is
  locked when a lock file (``package-lock.json``, ``npm-shrinkwrap.json``, ``yarn.lock``,
  ``pnpm-lock.yaml``, ``bun.lock``) sits beside the manifest or in a folder above it
  (workspaces); otherwise only an exact version (``1.2.3``) is pinned;
- **Go** (``go.mod``): ``require`` versions are exact, but without ``go.sum`` beside
  ``go.mod`` nothing checks what is downloaded: every requirement is then at risk;
- **NuGet** (``*.csproj``): a ``PackageReference`` is pinned when its version (or the
  central ``PackageVersion`` of ``Directory.Packages.props``) is exact, or when
  ``packages.lock.json`` sits beside the project; floating (``1.*``) and ranges are not;
- **Maven** (``pom.xml``): a ``<dependency>`` version range (``[1.0,2.0)``) or
  ``LATEST``/``RELEASE`` is not pinned; versions managed by a parent or BOM are;
- **Gradle** (``build.gradle``/``.kts``): a dynamic version (``1.+``, ``latest.release``)
  is not pinned unless ``gradle.lockfile`` sits beside the build file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import Confidence, Finding, Metric, Role, Severity

RULE = "BSSEC118"
VULNERABLE_RULE = "BSSEC121"
CRITERION = "security.dependencies"
DEPENDENCY_RISK = "security.dependency_risk_pct"
DEPENDENCIES_DECLARED = "security.dependencies_declared"
NPM_LOCKS = ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock")
_EXACT_NPM = re.compile(r"^=?v?\d+\.\d+\.\d+(?:[-+][\w.]+)?$")
_EXACT_NUGET = re.compile(r"^\[?\d+(?:\.\d+){1,3}(?:-[\w.]+)?\]?$")
_PACKAGE_REFERENCE = re.compile(
    r"<PackageReference\b[^>]*\bInclude\s*=\s*\"([^\"]+)\"(?:[^>]*\bVersion\s*=\s*\"([^\"]*)\")?",
    re.IGNORECASE,
)
_PACKAGE_VERSION = re.compile(
    r"<PackageVersion\b[^>]*\bInclude\s*=\s*\"([^\"]+)\"[^>]*\bVersion\s*=\s*\"([^\"]*)\"",
    re.IGNORECASE,
)
_MAVEN_DEPENDENCY = re.compile(
    r"<dependency>\s*<groupId>([^<]+)</groupId>\s*<artifactId>([^<]+)</artifactId>(?:\s*<version>([^<]*)</version>)?",
)
_GRADLE_DEPENDENCY = re.compile(
    r"""(?:implementation|api|compileOnly|runtimeOnly|testImplementation|compile)\s*\(?\s*['"]([\w.\-]+):([\w.\-]+):([^'"]+)['"]"""
)
_GO_REQUIRE = re.compile(
    r"^[ \t]*(?:require[ \t]+)?([\w.\-]+\.[\w.\-/]+)\s+(v[\w.\-+]+)", re.MULTILINE
)


@dataclass
class Dependency:
    """One declared dependency and whether it is pinned or locked."""

    file: SourceFile
    line: int
    name: str
    safe: bool
    why: str = ""
    version: str = ""
    """As declared (an npm spec, a Maven ``${property}``, a NuGet central version)."""


def _line(text: str, needle: str) -> int:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


def _beside_or_above(path: str, names: Iterable[str], present: set[str]) -> bool:
    folder = PurePosixPath(path).parent
    for parent in (folder, *folder.parents):
        base = "" if str(parent) == "." else f"{parent}/"
        if any(f"{base}{name}" in present for name in names):
            return True
    return False


def _npm(file: SourceFile, present: set[str]) -> list[Dependency]:
    try:
        manifest = json.loads(file.text)
    except ValueError:
        return []
    if not isinstance(manifest, dict):
        return []
    locked = _beside_or_above(file.path, NPM_LOCKS, present)
    found = []
    for section in ("dependencies", "devDependencies"):
        entries = manifest.get(section)
        if not isinstance(entries, dict):
            continue
        for name, spec in entries.items():
            spec = str(spec)
            safe = (
                locked or bool(_EXACT_NPM.match(spec)) or spec.startswith(("file:", "workspace:"))
            )
            found.append(
                Dependency(
                    file,
                    _line(file.text, f'"{name}"'),
                    name,
                    safe,
                    f"`{spec}` and no lock file",
                    spec,
                )
            )
    return found


def _go(file: SourceFile, present: set[str]) -> list[Dependency]:
    folder = PurePosixPath(file.path).parent
    go_sum = "go.sum" if str(folder) == "." else f"{folder}/go.sum"
    has_sum = go_sum in present
    return [
        Dependency(
            file,
            file.text.count("\n", 0, m.start()) + 1,
            m.group(1),
            has_sum,
            "no go.sum",
            m.group(2),
        )
        for m in _GO_REQUIRE.finditer(file.text)
        if not m.group(0).lstrip().startswith(("module", "go ", "toolchain"))
    ]


_MSBUILD_PROPERTY = re.compile(r"<(\w+)>\s*([^<]*?)\s*</\1>")


def _expand(version: str, properties: dict[str, str]) -> str:
    """``$(AspNetVersion)`` replaced by the property's value from a ``.props`` file."""
    return re.sub(r"\$\((\w+)\)", lambda m: properties.get(m.group(1), m.group(0)), version)


def _nuget(file: SourceFile, present: set[str], central: dict[str, str]) -> list[Dependency]:
    folder = PurePosixPath(file.path).parent
    lock = "packages.lock.json" if str(folder) == "." else f"{folder}/packages.lock.json"
    locked = lock in present
    found = []
    for m in _PACKAGE_REFERENCE.finditer(file.text):
        name, version = m.group(1), m.group(2) or central.get(m.group(1).lower(), "")
        safe = locked or bool(_EXACT_NUGET.match(version.strip()))
        why = f"version `{version}`" if version else "no version"
        line = file.text.count("\n", 0, m.start()) + 1
        found.append(Dependency(file, line, name, safe, why, version))
    return found


def _maven(file: SourceFile) -> list[Dependency]:
    found = []
    for m in _MAVEN_DEPENDENCY.finditer(file.text):
        version = (m.group(3) or "").strip()
        safe = not (version[:1] in "[(" and version) and version not in ("LATEST", "RELEASE")
        found.append(
            Dependency(
                file,
                file.text.count("\n", 0, m.start()) + 1,
                f"{m.group(1)}:{m.group(2)}",
                safe,
                f"version `{version}`",
                version,
            )
        )
    return found


def _gradle(file: SourceFile, present: set[str]) -> list[Dependency]:
    folder = PurePosixPath(file.path).parent
    lock = "gradle.lockfile" if str(folder) == "." else f"{folder}/gradle.lockfile"
    locked = lock in present
    found = []
    for m in _GRADLE_DEPENDENCY.finditer(file.text):
        version = m.group(3)
        dynamic = "+" in version or version.startswith("latest.") or version[:1] in "[("
        found.append(
            Dependency(
                file,
                file.text.count("\n", 0, m.start()) + 1,
                f"{m.group(1)}:{m.group(2)}",
                locked or not dynamic,
                f"dynamic version `{version}`",
                version,
            )
        )
    return found


def _msbuild_central(kept: Sequence[SourceFile]) -> dict[str, str]:
    """Central package versions (``Directory.Packages.props``), their MSBuild properties
    expanded from every ``.props`` file."""
    central: dict[str, str] = {}
    properties: dict[str, str] = {}
    for f in kept:
        name = f.path.rsplit("/", 1)[-1]
        if name.endswith(".props"):
            properties.update(_MSBUILD_PROPERTY.findall(f.text))
        if name == "Directory.Packages.props":
            central.update((n.lower(), v) for n, v in _PACKAGE_VERSION.findall(f.text))
    return {k: _expand(v, properties) for k, v in central.items()}


def _manifest_reader(
    name: str, present: set[str], central: dict[str, str]
) -> Callable[[SourceFile], list[Dependency]] | None:
    """The reader of a manifest file named ``name`` (None for any other file)."""
    if name.endswith(".csproj"):
        return lambda f: _nuget(f, present, central)
    readers: dict[str, Callable[[SourceFile], list[Dependency]]] = {
        "package.json": lambda f: _npm(f, present),
        "go.mod": lambda f: _go(f, present),
        "pom.xml": _maven,
        "build.gradle": lambda f: _gradle(f, present),
        "build.gradle.kts": lambda f: _gradle(f, present),
    }
    return readers.get(name)


def declarations(files: Iterable[SourceFile]) -> list[Dependency]:
    """Every dependency the npm, Go, NuGet, Maven and Gradle manifests declare."""
    kept = [f for f in files if f.role not in (Role.VENDORED, Role.GENERATED, Role.DOCS)]
    present = {f.path for f in kept}
    central = _msbuild_central(kept)
    found: list[Dependency] = []
    for f in kept:
        reader = _manifest_reader(f.path.rsplit("/", 1)[-1], present, central)
        if reader is not None:
            found += reader(f)
    return found


def vulnerable_findings(
    files: Sequence[SourceFile], declared: Iterable[Dependency]
) -> list[Finding]:
    """BSSEC121: ``declared`` versions with a well-known vulnerability (an offline table;
    ``files`` for the lock files and Maven properties)."""
    from ._vulnerable_versions import known_vulnerable

    return [
        Finding(
            checker="polyglot",
            rule=VULNERABLE_RULE,
            skill="security",
            criterion=CRITERION,
            severity=Severity.HIGH if hit.advisory.critical else Severity.MEDIUM,
            confidence=Confidence.MEDIUM,
            message=(
                f"dependency `{hit.package}` {hit.version} has a well-known vulnerability: "
                f"{hit.advisory.what} ({hit.advisory.ids})"
            ),
            path=hit.file.path,
            line=hit.line,
            role=hit.file.role,
        )
        for hit in known_vulnerable(files, declared)
    ]


def dependency_results(files: Iterable[SourceFile]) -> tuple[list[Metric], list[Finding]]:
    """The risk metric (share of declarations neither pinned nor locked) and findings
    (unpinned declarations, BSSEC118; versions with a well-known vulnerability, BSSEC121)."""
    files = list(files)
    found = declarations(files)
    vulnerable = vulnerable_findings(files, found)
    if not found:
        return [], vulnerable
    risky = [d for d in found if not d.safe]
    findings = [
        Finding(
            checker="polyglot",
            rule=RULE,
            skill="security",
            criterion=CRITERION,
            severity=Severity.LOW,
            confidence=Confidence.HIGH,
            message=f"dependency `{d.name}` is neither pinned nor locked ({d.why})",
            path=d.file.path,
            line=d.line,
            role=d.file.role,
        )
        for d in risky
    ] + vulnerable
    files_count = len({d.file.path for d in found})
    metrics = [
        Metric(
            name=DEPENDENCY_RISK,
            value=round(100.0 * len(risky) / len(found), 4),
            unit="% of declared dependencies unpinned, unlocked or from a URL",
            files=files_count,
            combine="mean",
            weight=len(found),
        ),
        Metric(
            name=DEPENDENCIES_DECLARED,
            value=float(len(found)),
            unit="dependencies",
            files=files_count,
            combine="sum",
        ),
    ]
    return metrics, findings
