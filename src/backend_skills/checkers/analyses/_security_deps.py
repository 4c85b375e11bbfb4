"""Dependency hygiene for the ``security.dependencies`` criterion.

A declared dependency (:mod:`._dependency_files`) is *risky* when it is installed from a
plain URL (no pinned commit, no hash), or when it is neither pinned with ``==``/``===`` in
any requirements or constraints file nor (for pyproject.toml and Pipfile declarations)
listed in a lock file beside or above the declaring file. The metric is the percentage of
risky declarations. Passwords in dependency and package index URLs are ``BSSEC005``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from backend_skills.core.discovery import FileSet
from backend_skills.core.models import Confidence, Finding, Metric, Severity

from .._redact import redacted_snippet_hash
from ._dependency_files import (
    LOCK_FILES,
    URL_PASSWORD,
    Declaration,
    index_credentials,
    locked_names,
    normalise,
    parse_requirement,
    read_declarations,
    relevant,
)

__all__ = [
    "CRITERION",
    "DEPENDENCIES_DECLARED",
    "DEPENDENCY_RISK",
    "LOCK_FILES",
    "Declaration",
    "Hygiene",
    "dependency_hygiene",
    "normalise",
    "parse_requirement",
]

DEPENDENCY_RISK = "security.dependency_risk_pct"
DEPENDENCIES_DECLARED = "security.dependencies_declared"
CRITERION = "security.dependencies"
SECRETS = "security.secrets"


@dataclass
class Hygiene:
    """What ``reduce`` adds for the dependencies criterion."""

    findings: list[Finding] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    not_applicable: dict[str, str] = field(default_factory=dict)


def _finding(
    decl: Declaration, rule: str, severity: Severity, message: str, secret: str = ""
) -> Finding:
    return Finding(
        checker="python_ast",
        rule=rule,
        skill="security",
        criterion=SECRETS if rule == "BSSEC005" else CRITERION,
        severity=severity,
        confidence=Confidence.HIGH,
        message=message,
        path=decl.file.path,
        line=decl.line,
        end_line=decl.line,
        snippet_hash=redacted_snippet_hash(
            decl.file.text.splitlines(), decl.line, [s for s in (secret, decl.url) if s]
        ),
    )


def _where(url: str) -> str:
    try:
        host = urlsplit(url.split("+", 1)[-1] if "+" in url.split("://")[0] else url).hostname
    except ValueError:
        host = None
    return f"a URL on {host}" if host else "a URL"


def dependency_hygiene(fileset: FileSet) -> Hygiene:
    """Findings, the risk metric and notes for the declared dependencies."""
    result = Hygiene()
    declarations = read_declarations(fileset, result.notes)
    pinned_anywhere = {normalise(d.name) for d in declarations if d.pinned}
    locks = _lock_files(fileset, result.notes)
    result.findings.extend(_index_credential_findings(fileset))
    risky = 0
    for decl in declarations:
        if decl.url is not None:
            findings, unsafe = _url_findings(decl, decl.url)
            result.findings.extend(findings)
            risky += unsafe
            continue
        if decl.pinned or normalise(decl.name) in pinned_anywhere or _locked(decl, locks):
            continue
        risky += 1
        where = " and not in a lock file" if decl.lockable else ""
        result.findings.append(
            _finding(
                decl,
                "BSSEC030",
                Severity.LOW,
                f"Dependency '{decl.name}' is not pinned to an exact version (==){where}",
            )
        )
    _risk_metrics(result, declarations, risky)
    return result


def _lock_files(fileset: FileSet, notes: list[str]) -> dict[str, set[str]]:
    """Folder -> the package names its lock file pins."""
    locks: dict[str, set[str]] = {}
    for file in fileset.files:
        if file.name in LOCK_FILES and relevant(file):
            names = locked_names(file, notes)
            if names is not None:
                locks[str(PurePosixPath(file.path).parent)] = names
                notes.append(f"lock file {file.path} ({len(names)} packages)")
    return locks


def _locked(decl: Declaration, locks: Mapping[str, set[str]]) -> bool:
    """Whether a lock file in the declaration's folder or above pins the package."""
    if not decl.lockable:
        return False
    folder = PurePosixPath(decl.file.path).parent
    for base in (folder, *folder.parents):
        names = locks.get(str(base))
        if names is not None and normalise(decl.name) in names:
            return True
    return False


def _index_credential_findings(fileset: FileSet) -> list[Finding]:
    """BSSEC005: passwords in package index URLs of requirements files and pyproject.toml."""
    findings: list[Finding] = []
    for file in fileset.files:
        if relevant(file) and (file.language == "requirements" or file.name == "pyproject.toml"):
            for line, password in index_credentials(file):
                findings.append(
                    _finding(
                        Declaration(file, line, ""),
                        "BSSEC005",
                        Severity.HIGH,
                        "Password embedded in a package index URL (value redacted)",
                        password,
                    )
                )
    return findings


def _url_findings(decl: Declaration, url: str) -> tuple[list[Finding], int]:
    """BSSEC031 (and BSSEC005) for a dependency installed from a URL; 1 when it is risky."""
    findings: list[Finding] = []
    if decl.url_integrity:
        findings.append(
            _finding(
                decl,
                "BSSEC031",
                Severity.LOW,
                f"Dependency '{decl.name}' installed from {_where(url)} "
                "(pinned to a commit or hash, but outside the package index)",
            )
        )
    else:
        findings.append(
            _finding(
                decl,
                "BSSEC031",
                Severity.MEDIUM,
                f"Dependency '{decl.name}' installed from {_where(url)} "
                "without a pinned commit or hash",
            )
        )
    embedded = URL_PASSWORD.search(url)
    if embedded:
        findings.append(
            _finding(
                decl,
                "BSSEC005",
                Severity.HIGH,
                f"Password embedded in the URL of dependency '{decl.name}' (value redacted)",
                embedded.group(1),
            )
        )
    return findings, 0 if decl.url_integrity else 1


def _risk_metrics(result: Hygiene, declarations: Sequence[Declaration], risky: int) -> None:
    """The share of risky declarations (or why there is none) and the declaration count."""
    total = len(declarations)
    if total == 0:
        reason = "no dependency declarations found (requirements*.txt, pyproject.toml, Pipfile)"
        result.metrics.append(Metric(name=DEPENDENCY_RISK, value=None, reason=reason))
        result.metrics.append(
            Metric(name=DEPENDENCIES_DECLARED, value=0.0, unit="dependencies", combine="sum")
        )
        result.not_applicable[CRITERION] = reason
        return
    files = len({d.file.path for d in declarations})
    result.metrics.append(
        Metric(
            name=DEPENDENCY_RISK,
            value=round(100.0 * risky / total, 2),
            unit="% of declared dependencies unpinned, unlocked or from a URL",
            files=files,
            combine="mean",  # with other ecosystems', weighted by declarations
            weight=total,
        )
    )
    result.metrics.append(
        Metric(
            name=DEPENDENCIES_DECLARED,
            value=float(total),
            unit="dependencies",
            files=files,
            combine="sum",
        )
    )
