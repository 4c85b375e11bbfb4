"""Dependency hygiene for the ``security.dependencies`` criterion.

Reads the dependency declarations discovery already loaded (``requirements*.txt``/``.in``,
``constraints.txt``, ``pyproject.toml``, ``Pipfile``) and the lock files next to them
(``poetry.lock``, ``uv.lock``, ``pdm.lock``, ``Pipfile.lock``). A declared dependency is
*risky* when it is installed from a plain URL (no pinned commit, no hash), or when it is
neither pinned with ``==``/``===`` in any requirements or constraints file nor (for
pyproject.toml and Pipfile declarations) listed in a lock file beside or above the
declaring file. The metric is the percentage of risky declarations.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from backend_skills.core.config import load_toml_text
from backend_skills.core.discovery import FileSet, SourceFile
from backend_skills.core.models import Confidence, Finding, Metric, Role, Severity

from .._redact import redacted_snippet_hash

DEPENDENCY_RISK = "security.dependency_risk_pct"
DEPENDENCIES_DECLARED = "security.dependencies_declared"
CRITERION = "security.dependencies"
SECRETS = "security.secrets"

LOCK_FILES = frozenset({"poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock"})
_DOC_DIRS = frozenset({"docs", "doc", "documentation"})

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")
_URL = re.compile(r"^(?:git\+|hg\+|svn\+|bzr\+)?[a-z][a-z0-9+.\-]*://", re.I)
_COMMIT = re.compile(r"@[0-9a-f]{40}(?:[#&]|$)")
_HASH = re.compile(r"#(?:sha256|sha384|sha512)=[0-9a-f]{64,}", re.I)
_URL_PASSWORD = re.compile(r"://[^/\s:@]+:([^/\s@]+)@")
_INDEX_OPTION = re.compile(r"^\s*(?:-i|--index-url|--extra-index-url|-f|--find-links)[\s=]+(\S+)")


def normalise(name: str) -> str:
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class Declaration:
    """One declared dependency."""

    file: SourceFile
    line: int
    name: str
    pinned: bool = False
    url: str | None = None
    lockable: bool = False
    """Declared in pyproject.toml or Pipfile: a lock file can pin it."""

    @property
    def url_integrity(self) -> bool:
        """A URL install pinned to a commit or carrying a hash."""
        return bool(self.url and (_COMMIT.search(self.url) or _HASH.search(self.url)))


@dataclass
class Hygiene:
    """What ``reduce`` adds for the dependencies criterion."""

    findings: list[Finding] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    not_applicable: dict[str, str] = field(default_factory=dict)


def _relevant(file: SourceFile) -> bool:
    parts = PurePosixPath(file.path).parts[:-1]
    return file.role not in (Role.VENDORED, Role.GENERATED) and not any(
        p.lower() in _DOC_DIRS for p in parts
    )


def _line_of(text: str, needle: str, default: int = 1) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    return default


def _pinned_spec(spec: str) -> bool:
    """``==1.2.3`` / ``===1.2.3`` (no wildcard), markers after ``;`` ignored."""
    spec = spec.split(";", 1)[0].strip()
    match = re.fullmatch(r"\(?\s*===?\s*([^\s,*()]+)\s*\)?", spec)
    return match is not None


def parse_requirement(text: str) -> tuple[str | None, bool, str | None]:
    """(name, pinned, url) of one PEP 508 requirement or requirements-file line."""
    text = text.strip()
    if _URL.match(text):
        egg = re.search(r"[#&]egg=([A-Za-z0-9._-]+)", text)
        if egg:
            return egg.group(1), False, text
        archive = PurePosixPath(
            urlsplit(text).path
        ).name  # pkg-1.0.tar.gz, pkg-1.0-py3-none-any.whl
        return re.split(r"-\d|\.tar|\.zip|\.whl", archive, maxsplit=1)[0] or text, False, text
    match = _NAME.match(text)
    if match is None:
        return None, False, None
    name, rest = match.group(1), match.group(3).strip()
    if rest.startswith("@"):
        url = rest[1:].split(";", 1)[0].strip()
        if url.startswith("file:"):
            return None, False, None
        return name, False, url
    return name, _pinned_spec(rest), None


def _requirements(file: SourceFile) -> Iterator[tuple[int, str]]:
    """(line, requirement text) from a requirements file, options and comments removed."""
    pending = ""
    start = 0
    for number, raw in enumerate(file.text.splitlines(), 1):
        line = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = (pending + line).strip()
        pending = ""
        if not line:
            continue
        if line.startswith(("-e ", "--editable ", "--editable=")):
            target = re.split(r"[\s=]", line, maxsplit=1)[1].strip()
            if _URL.match(target) and not target.startswith("file:"):
                yield start, target
            continue
        if line.startswith("-"):
            continue
        line = re.split(r"\s+--hash[=\s]", line, maxsplit=1)[0]
        if line.startswith((".", "/", "file:")):
            continue
        yield start, line


def _index_credentials(file: SourceFile) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(file.text.splitlines(), 1):
        option = _INDEX_OPTION.match(line)
        url = option.group(1) if option else line
        match = _URL_PASSWORD.search(url)
        if match and not match.group(1).startswith(("$", "{", "%")):
            yield number, match.group(1)


def _from_requirements(file: SourceFile) -> list[Declaration]:
    out = []
    for line, text in _requirements(file):
        name, pinned, url = parse_requirement(text)
        if name:
            out.append(Declaration(file, line, name, pinned=pinned, url=url))
    return out


def _poetry_pinned(spec: str) -> bool:
    return re.fullmatch(r"\s*(?:===?|=)?\s*\d[0-9A-Za-z.+!-]*\s*", spec) is not None


def _poetry_entry(file: SourceFile, name: str, spec: Any) -> Declaration | None:
    if name.lower() == "python":
        return None
    line = _line_of(file.text, f"{name} =", _line_of(file.text, name))
    if isinstance(spec, str):
        return Declaration(file, line, name, pinned=_poetry_pinned(spec), lockable=True)
    if isinstance(spec, dict):
        if "path" in spec:
            return None
        for key in ("git", "url"):
            if key in spec:
                url = str(spec[key])
                rev = str(spec.get("rev", ""))
                if re.fullmatch(r"[0-9a-f]{40}", rev):
                    url = f"{url}@{rev}"
                return Declaration(file, line, name, url=url, lockable=True)
        version = spec.get("version")
        return Declaration(
            file,
            line,
            name,
            pinned=isinstance(version, str) and _poetry_pinned(version),
            lockable=True,
        )
    if isinstance(spec, list):  # multiple constraints: pinned only if every one is exact
        pins = [s.get("version") if isinstance(s, dict) else s for s in spec]
        return Declaration(
            file,
            line,
            name,
            pinned=all(isinstance(p, str) and _poetry_pinned(p) for p in pins),
            lockable=True,
        )
    return None


def _pep508_list(file: SourceFile, items: Any) -> list[Declaration]:
    out: list[Declaration] = []
    if not isinstance(items, list):
        return out
    for item in items:
        if not isinstance(item, str):
            continue  # {include-group = "..."}
        name, pinned, url = parse_requirement(item)
        if name:
            line = _line_of(file.text, item, _line_of(file.text, name))
            out.append(Declaration(file, line, name, pinned=pinned, url=url, lockable=True))
    return out


def _toml(file: SourceFile, notes: list[str]) -> dict[str, Any]:
    """``file`` parsed, or empty with a note when it is not valid TOML."""
    try:
        return load_toml_text(file.text)  # nesting bounded: no RecursionError
    except tomllib.TOMLDecodeError:
        notes.append(f"{file.path}: not valid TOML; its dependencies were not read")
        return {}


def _from_pyproject(file: SourceFile, notes: list[str]) -> list[Declaration]:
    data = _toml(file, notes)
    out: list[Declaration] = []
    project = data.get("project", {})
    if isinstance(project, dict):
        out += _pep508_list(file, project.get("dependencies"))
        extras = project.get("optional-dependencies", {})
        if isinstance(extras, dict):
            for items in extras.values():
                out += _pep508_list(file, items)
    groups = data.get("dependency-groups", {})
    if isinstance(groups, dict):
        for items in groups.values():
            out += _pep508_list(file, items)
    poetry = data.get("tool", {}).get("poetry", {}) if isinstance(data.get("tool"), dict) else {}
    if isinstance(poetry, dict):
        tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
        group_tables = poetry.get("group", {})
        if isinstance(group_tables, dict):
            tables += [g.get("dependencies") for g in group_tables.values() if isinstance(g, dict)]
        for table in tables:
            if isinstance(table, dict):
                for name, spec in table.items():
                    entry = _poetry_entry(file, name, spec)
                    if entry is not None:
                        out.append(entry)
    return out


def _from_pipfile(file: SourceFile, notes: list[str]) -> list[Declaration]:
    data = _toml(file, notes)
    out: list[Declaration] = []
    for table in ("packages", "dev-packages"):
        section = data.get(table, {})
        if not isinstance(section, dict):
            continue
        for name, spec in section.items():
            line = _line_of(file.text, f"{name} =", _line_of(file.text, name))
            if isinstance(spec, str):
                out.append(Declaration(file, line, name, pinned=_pinned_spec(spec), lockable=True))
            elif isinstance(spec, dict):
                if "path" in spec or ("file" in spec and not _URL.match(str(spec["file"]))):
                    continue
                url = spec.get("git") or spec.get("file")
                if url:
                    ref = str(spec.get("ref", ""))
                    url = f"{url}@{ref}" if re.fullmatch(r"[0-9a-f]{40}", ref) else str(url)
                    out.append(Declaration(file, line, name, url=url, lockable=True))
                else:
                    version = spec.get("version")
                    pinned = isinstance(version, str) and _pinned_spec(version)
                    out.append(Declaration(file, line, name, pinned=pinned, lockable=True))
    return out


def _locked_names(file: SourceFile, notes: list[str]) -> set[str] | None:
    try:
        if file.name == "Pipfile.lock":
            data = json.loads(file.text)
            return {
                normalise(n)
                for section in ("default", "develop")
                for n in (data.get(section) or {})
            }
        packages = load_toml_text(file.text).get("package", [])
        return {normalise(str(p["name"])) for p in packages if isinstance(p, dict) and "name" in p}
    except (ValueError, TypeError, AttributeError, RecursionError):
        notes.append(f"{file.path}: lock file does not parse; not used")
        return None


def _declarations(fileset: FileSet, notes: list[str]) -> list[Declaration]:
    out: list[Declaration] = []
    for file in fileset.files:
        if not _relevant(file):
            continue
        if file.language == "requirements" or (
            file.name.startswith("requirements") and file.name.endswith((".txt", ".in"))
        ):
            out += _from_requirements(file)
        elif file.name == "pyproject.toml":
            out += _from_pyproject(file, notes)
        elif file.name == "Pipfile":
            out += _from_pipfile(file, notes)
    return out


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
    declarations = _declarations(fileset, result.notes)
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
        if file.name in LOCK_FILES and _relevant(file):
            names = _locked_names(file, notes)
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
        if _relevant(file) and (file.language == "requirements" or file.name == "pyproject.toml"):
            for line, password in _index_credentials(file):
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
    embedded = _URL_PASSWORD.search(url)
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
