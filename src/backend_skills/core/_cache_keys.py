"""Cache keys: what a cached result depends on, as digests.

A per-file result is keyed by :func:`file_key`, a repository checker's by
:func:`repo_key`; both include :func:`code_stamp` (the checker's package files) so that
editing a checker invalidates its results even under an unchanged version number. The
file-set digests let a repository checker say what it read.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from collections.abc import Iterable
from functools import lru_cache
from types import ModuleType


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def file_key(
    *,
    tool_version: str,
    checker: str,
    checker_version: str,
    code_stamp: str,
    options_key: str,
    path: str,
    language: str,
    role: str,
    sha256: str,
) -> str:
    """Key of one file's result for one checker.

    ``check_file`` receives the whole :class:`~backend_skills.core.discovery.SourceFile`
    (its findings name the path; an analysis may look at the role), so the path,
    language and role are part of the key next to the content hash.
    """
    return _digest(
        "file",
        tool_version,
        checker,
        checker_version,
        code_stamp,
        options_key,
        path,
        language,
        role,
        sha256,
    )


def repo_key(
    *,
    tool_version: str,
    checker: str,
    checker_version: str,
    code_stamp: str,
    options_key: str,
    inputs: str,
) -> str:
    """Key of a repository checker's result: what ``cache_inputs`` said it read."""
    return _digest("repo", tool_version, checker, checker_version, code_stamp, options_key, inputs)


def fileset_digest(files: Iterable[object]) -> str:
    """A digest of discovered files (path, language, role and content hash of each).

    A helper for ``cache_inputs`` implementations whose result depends on the files
    they look at: pass the files they read.
    """
    h = hashlib.sha256()
    for f in files:
        h.update(
            f"{getattr(f, 'path', '')}\x1f{getattr(f, 'language', '')}\x1f"
            f"{getattr(f, 'role', '')}\x1f{getattr(f, 'sha256', '')}\x1e".encode(
                "utf-8", "surrogatepass"
            )
        )
    return h.hexdigest()


_last_digests: dict[bool, tuple[object, str]] = {}


def _fileset_digest(fileset: object, *, content: bool) -> str:
    """Every file's path, language and role (and content hash when ``content``), every
    folder and every skipped path with its reason. Computed once per file set."""
    last = _last_digests.get(content)
    if last is not None and last[0] is fileset:
        return last[1]
    files = getattr(fileset, "files", ())
    h = hashlib.sha256(fileset_digest(files).encode()) if content else _shape_hash(files)
    for folder in getattr(fileset, "dirs", ()):
        h.update(f"d\x1f{folder}\x1e".encode("utf-8", "surrogatepass"))
    for skip in getattr(fileset, "skipped", ()):
        text = f"s\x1f{getattr(skip, 'path', '')}\x1f{getattr(skip, 'reason', '')}\x1e"
        h.update(text.encode("utf-8", "surrogatepass"))
    digest = h.hexdigest()
    _last_digests[content] = (fileset, digest)
    return digest


def _shape_hash(files: Iterable[object]) -> hashlib._Hash:
    """A hash of every file's path, language and role (not its content)."""
    h = hashlib.sha256()
    for f in files:
        role = getattr(getattr(f, "role", ""), "value", getattr(f, "role", ""))
        path, language = getattr(f, "path", ""), getattr(f, "language", "")
        h.update(f"f\x1f{path}\x1f{language}\x1f{role}\x1e".encode("utf-8", "surrogatepass"))
    return h


def whole_fileset_digest(fileset: object) -> str:
    """A digest of everything discovery found: files (as :func:`fileset_digest`),
    folders and skipped paths with their reasons. Computed once per file set."""
    return _fileset_digest(fileset, content=True)


def fileset_shape_digest(fileset: object) -> str:
    """A digest of what discovery found without the files' content: every file's path,
    language and role, every folder and skipped path with its reason. Computed once per
    file set. See :attr:`backend_skills.core.checker.RepoChecker.cache_by_reads`."""
    return _fileset_digest(fileset, content=False)


@lru_cache(maxsize=64)
def _stamp_of_package(module_name: str) -> str:
    module: ModuleType | None = sys.modules.get(module_name)
    filename = getattr(module, "__file__", None)
    if not filename:
        return ""
    top = module_name.split(".", 1)[0]
    top_module = sys.modules.get(top)
    top_paths = list(getattr(top_module, "__path__", []) or [])
    entries: list[str] = []
    if top != module_name and top_paths:
        # A package: every Python file in it, so that editing any helper module of
        # an analysis invalidates results produced under an unchanged version number.
        for base in top_paths:
            entries += _package_files(base)
    else:
        with contextlib.suppress(OSError):
            st = os.stat(filename)
            entries.append(f"{filename}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(entries).encode()).hexdigest()[:16]


def _package_files(base: str) -> list[str]:
    """``path:size:mtime`` of every Python file under ``base``, in a stable order."""
    entries: list[str] = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".py"):
                full = os.path.join(dirpath, name)
                with contextlib.suppress(OSError):
                    st = os.stat(full)
                    rel = os.path.relpath(full, base)
                    entries.append(f"{rel}:{st.st_size}:{st.st_mtime_ns}")
    return entries


def code_stamp(obj: object) -> str:
    """A stamp of the code behind ``obj``'s class (size and mtime of its package files).

    Guards against stale results while a checker is being developed under an unchanged
    version number; installed releases change it only on reinstall.
    """
    return _stamp_of_package(type(obj).__module__)
