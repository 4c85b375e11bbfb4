"""Which repositories a batch scores: paths, globs and list files, with labels.

A list file (``--from FILE``) has one repository per line: ``PATH``, or ``LABEL<TAB>PATH``,
or ``LABEL,PATH`` (a tab wins over a comma, so paths with commas need a tab). Blank lines
and lines starting with ``#`` are ignored. Relative paths are relative to the list
file's folder, so a list can live next to the repositories it names. The label defaults
to the folder's name; it names the repository in the summaries (``roster_identifier``)
and, made file-name-safe and unique (:func:`slug`), its report files.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

#: Characters kept in report file names; anything else becomes ``_``.
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_GLOB_CHARS = frozenset("*?[")
#: Lines read from a list file, at most.
MAX_LIST_LINES = 100_000
#: Bytes read from a list file, at most.
MAX_LIST_BYTES = 16 * 1024 * 1024


class TargetError(ValueError):
    """The list of repositories cannot be read (a usage error)."""


@dataclass(frozen=True)
class Target:
    """One repository to score: its label, its path, and the stem of its report files."""

    label: str
    path: str
    slug: str


def slug(text: str) -> str:
    """``text`` as a safe file-name stem (no separators, no leading dot, at most 80 chars)."""
    cleaned = _UNSAFE.sub("_", text).strip("._-") or "repository"
    return cleaned[:80]


def _is_glob(text: str) -> bool:
    return any(c in _GLOB_CHARS for c in text)


def read_list(path: Path) -> list[tuple[str | None, str]]:
    """``(label or None, path)`` for each entry of a list file; paths made absolute."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_LIST_BYTES + 1)
    except OSError as exc:
        raise TargetError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_LIST_BYTES:
        raise TargetError(f"{path}: larger than {MAX_LIST_BYTES:,} bytes")
    text = data.decode("utf-8-sig", errors="replace")
    base = path.resolve().parent
    entries: list[tuple[str | None, str]] = []
    for number, raw in enumerate(text.splitlines(), 1):
        if number > MAX_LIST_LINES:
            raise TargetError(f"{path}: more than {MAX_LIST_LINES:,} lines")
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        label: str | None = None
        if "\t" in line:
            label, _, rest = line.partition("\t")
        elif "," in line:
            label, _, rest = line.partition(",")
        else:
            rest = line
        rest = rest.strip()
        label = label.strip() if label is not None else None
        if not rest:
            raise TargetError(f"{path}:{number}: no repository path")
        entries.append((label or None, os.path.normpath(base / os.path.expanduser(rest))))
    return entries


def collect(args: Sequence[str], list_files: Iterable[Path] = ()) -> tuple[list[Target], list[str]]:
    """The targets named by ``args`` (paths or globs) and the list files, in order.

    Returns the targets and warnings (a glob that matched no folder). A path that does not
    exist is kept: it is reported as missing, with the others scored.
    """
    entries: list[tuple[str | None, str]] = []
    warnings: list[str] = []
    for arg in args:
        if _is_glob(arg) and not os.path.exists(arg):
            matches = sorted(
                m for m in glob.glob(os.path.expanduser(arg), recursive=True) if os.path.isdir(m)
            )
            if not matches:
                warnings.append(f"{arg}: matched no folder")
            entries.extend((None, os.path.abspath(m)) for m in matches)
        else:
            entries.append((None, os.path.abspath(os.path.expanduser(arg))))
    for list_file in list_files:
        entries.extend(read_list(list_file))
    return label_targets(entries), warnings


def label_targets(entries: Iterable[tuple[str | None, str]]) -> list[Target]:
    """Targets with labels (default: the folder name) and unique slugs.

    The same path twice is scored once (the first label wins).
    """
    seen_paths: set[str] = set()
    used: set[str] = set()
    targets: list[Target] = []
    for label, path in entries:
        normal = os.path.normpath(path)
        if normal in seen_paths:
            continue
        seen_paths.add(normal)
        name = label or os.path.basename(normal) or normal
        stem = slug(name)
        unique = stem
        counter = 2
        while unique.lower() in used:
            unique = f"{stem}-{counter}"
            counter += 1
        used.add(unique.lower())
        targets.append(Target(label=name, path=normal, slug=unique))
    return targets
