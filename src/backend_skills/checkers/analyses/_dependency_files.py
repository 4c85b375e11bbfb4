"""Dependency declarations: what a repository's dependency files declare, and what its
lock files pin.

Reads the files discovery already loaded: ``requirements*.txt``/``.in`` and
``constraints.txt`` (PEP 508 lines, continuation lines, ``-e`` URLs, ``--hash``),
``pyproject.toml`` (PEP 621 dependencies and extras, PEP 735 groups, Poetry tables),
``Pipfile``, and the lock files ``poetry.lock``, ``uv.lock``, ``pdm.lock`` and
``Pipfile.lock``. A file that does not parse is noted and skipped. Judging the
declarations is :mod:`._security_deps`' work.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from backend_skills.core.config import load_toml_text
from backend_skills.core.discovery import FileSet, SourceFile
from backend_skills.core.models import Role

LOCK_FILES = frozenset({"poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock"})
_DOC_DIRS = frozenset({"docs", "doc", "documentation"})

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")
_URL = re.compile(r"^(?:git\+|hg\+|svn\+|bzr\+)?[a-z][a-z0-9+.\-]*://", re.I)
_COMMIT = re.compile(r"@[0-9a-f]{40}(?:[#&]|$)")
_HASH = re.compile(r"#(?:sha256|sha384|sha512)=[0-9a-f]{64,}", re.I)
URL_PASSWORD = re.compile(r"://[^/\s:@]+:([^/\s@]+)@")
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


def relevant(file: SourceFile) -> bool:
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


def index_credentials(file: SourceFile) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(file.text.splitlines(), 1):
        option = _INDEX_OPTION.match(line)
        url = option.group(1) if option else line
        match = URL_PASSWORD.search(url)
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
    """One entry of a Poetry dependency table (``python`` and local paths are not
    dependencies)."""
    if name.lower() == "python":
        return None
    line = _line_of(file.text, f"{name} =", _line_of(file.text, name))
    if isinstance(spec, str):
        return Declaration(file, line, name, pinned=_poetry_pinned(spec), lockable=True)
    if isinstance(spec, dict):
        return _poetry_table(file, line, name, spec)
    if isinstance(spec, list):  # multiple constraints: pinned only if every one is exact
        pins = [s.get("version") if isinstance(s, dict) else s for s in spec]
        pinned = all(isinstance(p, str) and _poetry_pinned(p) for p in pins)
        return Declaration(file, line, name, pinned=pinned, lockable=True)
    return None


def _poetry_table(
    file: SourceFile, line: int, name: str, spec: dict[str, Any]
) -> Declaration | None:
    """``name = {version = "...", git = "...", rev = "..."}`` (a ``path``: not one)."""
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
    pinned = isinstance(version, str) and _poetry_pinned(version)
    return Declaration(file, line, name, pinned=pinned, lockable=True)


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


def _values(value: Any) -> list[Any]:
    """The values of a TOML table (none when it is not a table)."""
    return list(value.values()) if isinstance(value, dict) else []


def _items(value: Any) -> list[tuple[str, Any]]:
    """The entries of a TOML table (none when it is not a table)."""
    return list(value.items()) if isinstance(value, dict) else []


def _table(data: Any, *keys: str) -> dict[str, Any]:
    """``data[k1][k2]...`` when every level is a table, else empty."""
    for key in keys:
        data = data.get(key, {}) if isinstance(data, dict) else {}
    return data if isinstance(data, dict) else {}


def _pep508_lists(data: dict[str, Any]) -> list[Any]:
    """PEP 621 dependencies, optional dependencies and PEP 735 dependency groups."""
    project = _table(data, "project")
    return [
        project.get("dependencies"),
        *_values(project.get("optional-dependencies", {})),
        *_values(data.get("dependency-groups", {})),
    ]


def _poetry_tables(data: dict[str, Any]) -> list[Any]:
    """Poetry's dependencies, dev-dependencies and group dependencies tables."""
    poetry = _table(data, "tool", "poetry")
    groups = [
        g.get("dependencies") for g in _values(poetry.get("group", {})) if isinstance(g, dict)
    ]
    return [poetry.get("dependencies"), poetry.get("dev-dependencies"), *groups]


def _from_pyproject(file: SourceFile, notes: list[str]) -> list[Declaration]:
    data = _toml(file, notes)
    out: list[Declaration] = []
    for items in _pep508_lists(data):
        out += _pep508_list(file, items)
    for table in _poetry_tables(data):
        entries = [_poetry_entry(file, name, spec) for name, spec in _items(table)]
        out += [entry for entry in entries if entry is not None]
    return out


def _pipfile_entry(file: SourceFile, name: str, spec: Any) -> Declaration | None:
    """One Pipfile package: a version string, or a table with a version, ``git`` or
    ``file`` (local paths and files are not dependencies)."""
    line = _line_of(file.text, f"{name} =", _line_of(file.text, name))
    if isinstance(spec, str):
        return Declaration(file, line, name, pinned=_pinned_spec(spec), lockable=True)
    if not isinstance(spec, dict):
        return None
    if "path" in spec or ("file" in spec and not _URL.match(str(spec["file"]))):
        return None
    url = spec.get("git") or spec.get("file")
    if url:
        ref = str(spec.get("ref", ""))
        url = f"{url}@{ref}" if re.fullmatch(r"[0-9a-f]{40}", ref) else str(url)
        return Declaration(file, line, name, url=url, lockable=True)
    version = spec.get("version")
    pinned = isinstance(version, str) and _pinned_spec(version)
    return Declaration(file, line, name, pinned=pinned, lockable=True)


def _from_pipfile(file: SourceFile, notes: list[str]) -> list[Declaration]:
    data = _toml(file, notes)
    out: list[Declaration] = []
    for table in ("packages", "dev-packages"):
        section = data.get(table, {})
        if not isinstance(section, dict):
            continue
        for name, spec in section.items():
            entry = _pipfile_entry(file, name, spec)
            if entry is not None:
                out.append(entry)
    return out


def locked_names(file: SourceFile, notes: list[str]) -> set[str] | None:
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


def read_declarations(fileset: FileSet, notes: list[str]) -> list[Declaration]:
    out: list[Declaration] = []
    for file in fileset.files:
        if not relevant(file):
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
