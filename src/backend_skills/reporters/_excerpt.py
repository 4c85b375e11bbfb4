"""Short code excerpts for the HTML report, read safely and with secrets redacted.

The report model carries no source text, so the HTML reporter reads a few lines around
each finding from the scored root at render time. Only plain files inside the root are
read: a path that is absolute, climbs with ``..``, or passes through a symbolic link is
refused, as are files that are not regular files, are larger than
:data:`MAX_FILE_BYTES`, or are not named like code or configuration
(:data:`CODE_SUFFIXES`), and a root that is the file system's root. Nothing is executed
or interpreted.

Secrets never reach the page: every line has secret-looking tokens (cloud keys, tokens,
URL passwords) masked; lines that look like a credential assignment, every line of an
excerpt for a hard-coded-secret finding, and the inside of private-key blocks have their
string literals emptied, as :func:`~backend_skills.checkers._redact.redacted_line` does
for fingerprints.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import PurePosixPath

from backend_skills.checkers._redact import PRIVATE_KEY, redacted_line, secret_tokens
from backend_skills.core.models import Finding

#: Files larger than this are not read for excerpts.
MAX_FILE_BYTES = 1_000_000
#: Characters shown of one line.
MAX_LINE_CHARS = 200
#: Lines shown before and after the finding's line.
CONTEXT = 2
#: CWE ids of hard-coded credentials and keys.
SECRET_CWES = frozenset({259, 321, 522, 798})
_CREDENTIAL = re.compile(
    r"(?i)(pass(?:wd|word)?|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|"
    r"credential|auth)\w*['\"]?\s*[:=]"
)
_END_KEY = re.compile(r"-----END [A-Z ]*PRIVATE KEY(?: BLOCK)?-----")
#: Only files that look like code or configuration are read for excerpts: a report read
#: from elsewhere cannot make the page show, say, a key file or a password database.
CODE_SUFFIXES = frozenset(
    [
        ".py",
        ".pyi",
        ".sql",
        ".js",
        ".jsx",
        ".mjs",
        ".cjs",
        ".ts",
        ".tsx",
        ".java",
        ".kt",
        ".go",
        ".cs",
        ".rb",
        ".php",
        ".rs",
        ".scala",
        ".swift",
        ".c",
        ".h",
        ".cc",
        ".cpp",
        ".hpp",
        ".sh",
        ".bash",
        ".yaml",
        ".yml",
        ".toml",
        ".ini",
        ".cfg",
        ".json",
        ".xml",
        ".tf",
        ".hcl",
        ".txt",
        ".md",
        ".rst",
        ".html",
        ".jinja",
        ".j2",
        ".vue",
        ".svelte",
        ".gradle",
        ".properties",
        ".lock",
    ]
)
CODE_NAMES = frozenset(
    {"Dockerfile", "Containerfile", "Makefile", "Procfile", "Jenkinsfile", "Gemfile", "Pipfile"}
)


def readable_name(name: str) -> bool:
    """Whether a file called ``name`` may be read for an excerpt."""
    if name in CODE_NAMES or name.startswith("Dockerfile"):
        return True
    dot = name.rfind(".")
    return dot > 0 and name[dot:].lower() in CODE_SUFFIXES


@dataclass(frozen=True)
class Excerpt:
    """Lines ``first``.. of a file, already redacted; ``hit`` is the finding's line."""

    first: int
    lines: tuple[str, ...]
    hit: int


def is_secret_finding(finding: Finding) -> bool:
    """Whether the finding is about a hard-coded secret (its excerpt is fully redacted)."""
    return finding.criterion.endswith(".secrets") or finding.cwe in SECRET_CWES


def safe_line(line: str, *, strict: bool) -> str:
    """One line made safe to show: tokens masked; literals emptied when ``strict`` or when
    the line assigns something named like a credential; cut to :data:`MAX_LINE_CHARS`."""
    if strict or _CREDENTIAL.search(line):
        line = redacted_line(line)
    else:
        for token in secret_tokens(line):
            if token:
                line = line.replace(token, "<redacted>")
    line = line.rstrip("\r\n").expandtabs(4)
    if len(line) > MAX_LINE_CHARS:
        line = line[: MAX_LINE_CHARS - 1] + "…"
    return line


class SourceReader:
    """Reads files under ``root`` for excerpts; each file once, at most ``max_files``."""

    def __init__(self, root: str | None, *, max_files: int = 2000) -> None:
        self._root: str | None = None
        if root:
            try:
                real = os.path.realpath(root)
            except (OSError, ValueError):
                real = ""
            if real and os.path.isdir(real) and os.path.dirname(real) != real:
                self._root = real  # never the file system's root
        self._files: dict[str, list[str] | None] = {}
        self._max_files = max_files

    @property
    def available(self) -> bool:
        """Whether the scored root is here to read from."""
        return self._root is not None

    def _open(self, rel: str) -> list[str] | None:
        if self._root is None:
            return None
        candidate = _plain_path(self._root, rel)
        data = _read_regular(candidate) if candidate is not None else None
        if data is None or b"\x00" in data[:8192]:
            return None
        return data.decode("utf-8", errors="replace").splitlines()

    def lines(self, rel: str) -> list[str] | None:
        """The file's lines, or None when it cannot or must not be read."""
        if rel not in self._files:
            if len(self._files) >= self._max_files:
                return None
            self._files[rel] = self._open(rel)
        return self._files[rel]

    def excerpt(self, finding: Finding) -> Excerpt | None:
        """Up to :data:`CONTEXT` lines either side of the finding's line, redacted."""
        if finding.line is None or finding.line < 1:
            return None
        lines = self.lines(finding.path)
        if lines is None or finding.line > len(lines):
            return None
        first = max(1, finding.line - CONTEXT)
        last = min(len(lines), (finding.end_line or finding.line) + CONTEXT, finding.line + 6)
        in_key = _inside_private_key(lines, first)
        strict = is_secret_finding(finding)
        shown: list[str] = []
        for number in range(first, last + 1):
            text = lines[number - 1]
            if PRIVATE_KEY.search(text):
                in_key = True
                shown.append(safe_line(text, strict=strict))
                continue
            if in_key:
                if _END_KEY.search(text):
                    in_key = False
                    shown.append(safe_line(text, strict=strict))
                else:
                    shown.append("<private key redacted>")
                continue
            shown.append(safe_line(text, strict=strict))
        return Excerpt(first=first, lines=tuple(shown), hit=finding.line)


def _inside_private_key(lines: list[str], first: int) -> bool:
    """Whether line ``first`` lies inside a private-key block opened above it."""
    inside = False
    for text in lines[: first - 1]:
        if PRIVATE_KEY.search(text):
            inside = True
        elif inside and _END_KEY.search(text):
            inside = False
    return inside


def _plain_path(root: str, rel: str) -> str | None:
    """``root/rel`` when ``rel`` is a relative path inside ``root`` with a readable name
    and no symbolic link anywhere on the way; None otherwise."""
    pure = PurePosixPath(rel)
    if pure.is_absolute() or any(part in ("..", "") for part in pure.parts) or not pure.parts:
        return None
    if not readable_name(pure.name):
        return None
    candidate = os.path.join(root, *pure.parts)
    # No symbolic link anywhere on the way: the resolved path must be the plain one.
    if os.path.realpath(candidate) != os.path.normpath(candidate):
        return None
    return candidate


def _read_regular(path: str) -> bytes | None:
    """The first :data:`MAX_FILE_BYTES` + 1 bytes of a regular file no larger than
    :data:`MAX_FILE_BYTES`, opened without following a link or blocking on a FIFO."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
