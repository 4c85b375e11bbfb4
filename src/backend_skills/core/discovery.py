"""One walk over the scored root: which files exist, what language and role each has.

Discovery never leaves the root: symbolic links are not followed (a link is recorded as
skipped with the reason), ``.gitignore`` files at every level and configured excludes
are honoured, and tool or environment folders (``.git``, ``.venv``, ``node_modules``,
caches) are not entered. Each kept text file is read once, here; checkers get the text
from the :class:`SourceFile` instead of reading the disk again.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import os
import re
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pathspec

from ._roles import (
    ALEMBIC_HEAD,
    GENERATED_HEAD,
    MARKED_LANGUAGES,
    _alembic_revision,
    _looks_generated,
)
from ._roles import (
    CODE_LANGUAGES as CODE_LANGUAGES,
)
from ._roles import (
    CONFIG_LANGUAGES as CONFIG_LANGUAGES,
)
from ._roles import (
    DOC_LANGUAGES as DOC_LANGUAGES,
)
from ._roles import (
    LANGUAGE_BY_NAME as LANGUAGE_BY_NAME,
)
from ._roles import (
    LANGUAGE_BY_SUFFIX as LANGUAGE_BY_SUFFIX,
)
from ._roles import (
    classify_role as classify_role,
)
from ._roles import (
    detect_language as detect_language,
)
from ._text_decode import _count_lines, _decode, _text_of
from .models import Role, Skip

#: Folder names never entered: version control, environments, caches, build output.
ALWAYS_EXCLUDED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".env",
        "env",
        "node_modules",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
        ".backend-skills-cache",
        "site-packages",
        ".eggs",
        ".idea",
        ".vscode",
    }
)

#: Largest file read at all (bytes). Checkers may set lower limits of their own.
DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024


class FileChangedError(OSError):
    """A file's content changed between discovery and the moment a checker read it."""


class SourceFile:
    """One discovered text file: where it is, what it is, and its text.

    The text is read lazily: discovery hands out files whose content it already knows
    from the stat records of an earlier run (same size, modification and change time,
    inode) without reading them, and the first access to :attr:`text` reads the file
    then, checking that its bytes still have :attr:`sha256` (a file changed since
    discovery raises :class:`FileChangedError` rather than be scored under the wrong
    cache key). Files discovery did read keep their text from that read.
    """

    __slots__ = ("_abspath", "_lines", "_size", "_text", "language", "path", "role", "sha256")

    path: str
    """POSIX path relative to the scored root."""
    language: str
    role: Role
    sha256: str

    def __init__(
        self,
        path: str,
        abspath: Path | str,
        language: str,
        role: Role,
        size: int,
        lines: int,
        sha256: str,
        text: str | None = None,
    ) -> None:
        self.path = path
        self._abspath = abspath
        self.language = language
        self.role = role
        self._size = size
        self._lines = lines
        self.sha256 = sha256
        self._text = text

    def __repr__(self) -> str:
        return f"SourceFile(path={self.path!r}, language={self.language!r}, role={self.role!r})"

    @property
    def abspath(self) -> Path:
        """The absolute path on disk."""
        if isinstance(self._abspath, str):  # discovery passes text: most are never asked
            self._abspath = Path(self._abspath)
        return self._abspath

    @property
    def name(self) -> str:
        """The file name without folders."""
        return self.path.rpartition("/")[2]  # PurePosixPath(path).name, 10x cheaper

    @property
    def size(self) -> int:
        """Size in bytes (a fact of the content: see :func:`record_reads`)."""
        self._used()
        return self._size

    @property
    def lines(self) -> int:
        """Number of lines (a fact of the content: see :func:`record_reads`)."""
        self._used()
        return self._lines

    @property
    def text(self) -> str:
        """The decoded text (read from disk on first use when discovery did not read it)."""
        self._used()
        if self._text is None:
            self._text = _read_known(self)
        return self._text

    def _used(self) -> None:
        """Its content is being used: note it for :func:`record_reads`, if recording."""
        if _read_logs:
            _read_logs[-1][self.path] = self.sha256

    @property
    def text_loaded(self) -> bool:
        """Whether the text is in memory already (reading it costs no disk access)."""
        return self._text is not None


_read_logs: list[dict[str, str]] = []


@contextlib.contextmanager
def record_reads() -> Iterator[dict[str, str]]:
    """Record which files' content (text, size or line count) is used in the block.

    Yields a dictionary that fills with the path and content hash of every such file
    (in this process). The runner uses it to cache a repository checker by the files it
    actually read.
    """
    log: dict[str, str] = {}
    _read_logs.append(log)
    try:
        yield log
    finally:
        del _read_logs[next(i for i, x in enumerate(_read_logs) if x is log)]


def _read_known(file: SourceFile) -> str:
    try:
        with open(file.abspath, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise FileChangedError(
            f"{file.path}: cannot read it any more ({exc.strerror or exc})"
        ) from exc
    if hashlib.sha256(data).hexdigest() != file.sha256:
        raise FileChangedError(f"{file.path}: changed while it was being scored; run again")
    return _decode(data, file.language)


@dataclass(slots=True)
class FileSet:
    """Everything discovery found under the root."""

    root: Path
    files: list[SourceFile]
    skipped: list[Skip]
    dirs: list[str] = field(default_factory=list)
    """Relative POSIX paths of every folder entered (for presence checks such as ``docs/``)."""
    stat_records: dict[str, StatRecord] = field(default_factory=dict)
    """What reading each file showed, by path, for the next run's ``known`` (files
    modified within the last few seconds are left out: see :func:`discover`)."""

    def by_language(self, language: str) -> list[SourceFile]:
        """Files of ``language``, in path order."""
        return [f for f in self.files if f.language == language]

    def by_role(self, *roles: Role) -> list[SourceFile]:
        """Files whose role is one of ``roles``, in path order."""
        return [f for f in self.files if f.role in roles]

    def get(self, path: str) -> SourceFile | None:
        """The file at relative POSIX ``path``, if discovered."""
        for f in self.files:
            if f.path == path:
                return f
        return None

    def lines_by_language(self) -> dict[str, int]:
        """Total lines per language."""
        totals: dict[str, int] = {}
        for f in self.files:
            totals[f.language] = totals.get(f.language, 0) + f.lines
        return dict(sorted(totals.items()))

    def files_by_role(self) -> dict[str, int]:
        """Number of files per role."""
        totals: dict[str, int] = {}
        for f in self.files:
            totals[f.role.value] = totals.get(f.role.value, 0) + 1
        return dict(sorted(totals.items()))


@dataclass(frozen=True, slots=True)
class RoleOverrides:
    """User globs that force a role, checked before the built-in rules."""

    test: Sequence[str] = ()
    migration: Sequence[str] = ()
    generated: Sequence[str] = ()
    vendored: Sequence[str] = ()
    docs: Sequence[str] = ()

    def match(self, path: str) -> Role | None:
        """The forced role for ``path``, if any glob matches."""
        if not (self.vendored or self.generated or self.migration or self.test or self.docs):
            return None
        for role, globs in (
            (Role.VENDORED, self.vendored),
            (Role.GENERATED, self.generated),
            (Role.MIGRATION, self.migration),
            (Role.TEST, self.test),
            (Role.DOCS, self.docs),
        ):
            if any(_glob_match(path, g) for g in globs):
                return role
        return None


def _glob_match(path: str, pattern: str) -> bool:
    pattern = pattern.rstrip("/")
    return (
        fnmatch.fnmatchcase(path, pattern)
        or fnmatch.fnmatchcase(path, pattern + "/*")
        or PurePosixPath(path).match(pattern)
    )


#: Longest ignore pattern applied (characters); longer ones are ignored with a note.
MAX_PATTERN_CHARS = 1024
#: Most ``*`` runs in one ignore pattern (a leading ``**/`` and a trailing ``/**`` are
#: free). pathspec matches patterns with backtracking regular expressions: each run is
#: a nested loop over the path, so a pattern such as ``*a*a*a*a*b`` takes time that
#: grows as a power of the path length. Two runs keep every check under a few ms.
MAX_PATTERN_WILDCARDS = 2
#: Folders nested deeper than this are not entered (recorded as skipped).
MAX_DEPTH = 128
_STAR_RUNS = re.compile(r"\*+")


def pattern_problem(pattern: str) -> str | None:
    """Why a gitignore-style ``pattern`` is not applied (None: it is applied)."""
    if len(pattern) > MAX_PATTERN_CHARS:
        return f"longer than {MAX_PATTERN_CHARS} characters"
    core = pattern.strip()
    core = core.removeprefix("!").removeprefix("/").removeprefix("**/")
    core = core.removesuffix("/").removesuffix("/**")
    runs = len(_STAR_RUNS.findall(core.replace("\\*", "")))
    if runs > MAX_PATTERN_WILDCARDS:
        return f"more than {MAX_PATTERN_WILDCARDS} wildcards ('*' runs): too costly to match"
    return None


def compile_patterns(
    lines: Iterable[str], source: str
) -> tuple[pathspec.PathSpec[Any] | None, list[Skip]]:
    """A gitignore spec from ``lines``; patterns it cannot use are left out, each with a
    :class:`Skip` naming ``source`` and the line (git accepts lines pathspec rejects,
    such as ``!`` alone, a lone ``\\`` or a reversed range ``[z-a]``)."""
    kept: list[Any] = []
    notes: list[Skip] = []
    for number, line in enumerate(lines, 1):
        problem = pattern_problem(line)
        if problem is None:
            try:
                kept.extend(pathspec.GitIgnoreSpec.from_lines([line]).patterns)
                continue
            except Exception as exc:  # pathspec and re raise several kinds
                problem = f"not a valid pattern ({type(exc).__name__})"
        notes.append(Skip(path=source, reason=f"line {number} ignored: {problem}"))
    return (pathspec.GitIgnoreSpec(kept) if kept else None), notes


class _IgnoreStack:
    """The ``.gitignore`` files in force for the folder being walked."""

    def __init__(self) -> None:
        self._specs: list[tuple[str, pathspec.PathSpec[Any]]] = []

    def push(self, rel_dir: str, spec: pathspec.PathSpec[Any]) -> None:
        self._specs.append((rel_dir, spec))

    def pop_to(self, rel_dir: str) -> None:
        while self._specs and not _is_within(rel_dir, self._specs[-1][0]):
            self._specs.pop()

    def ignored(self, rel_path: str, is_dir: bool) -> bool:
        result = False
        for base, spec in self._specs:
            sub = rel_path[len(base) + 1 :] if base else rel_path
            candidate = sub + "/" if is_dir else sub
            # Later (deeper) files override earlier ones, negations included.
            verdict = spec.check_file(candidate)
            if verdict.include is not None:
                result = bool(verdict.include)
        return result


def _is_within(path: str, base: str) -> bool:
    return base == "" or path == base or path.startswith(base + "/")


#: A stat record: ``[size, mtime_ns, ctime_ns, inode, sha256 | None, lines,
#: marks, skip_reason | None]``; marks: 1 a generated header, 2 an Alembic revision
#: script. JSON-shaped so that the cache can keep it.
StatRecord = list[Any]

#: Files changed less than this long before discovery started are not recorded: a
#: file system with coarse timestamps could give a later edit the same stat signature.
RACY_WINDOW_NS = 2_000_000_000


def discover(
    root: Path,
    *,
    exclude: Sequence[str] = (),
    use_gitignore: bool = True,
    roles: RoleOverrides | None = None,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    known: Mapping[str, StatRecord] | None = None,
) -> FileSet:
    """Walk ``root`` once and return the :class:`FileSet`.

    ``exclude`` holds gitignore-style patterns relative to the root. Files we have no
    language for are not read. Binary, undecodable, empty, oversized files and symbolic
    links are recorded in ``skipped`` with a reason.

    ``known`` holds an earlier run's :attr:`FileSet.stat_records`. A file whose size,
    modification time, change time and inode match its record is not read: its hash,
    line count and role come from the record and its text is read only if a checker
    asks for it. Like git's index, records are trusted only for files that had not
    changed for :data:`RACY_WINDOW_NS` when they were recorded.
    """
    walker = _Walker(root.resolve(), roles or RoleOverrides(), max_file_bytes, known or {})
    exclude_spec, notes = compile_patterns(exclude, "configuration: exclude")
    walker.skipped.extend(notes)
    walker.exclude_spec = exclude_spec
    walker.use_gitignore = use_gitignore
    return walker.walk()


class _Walker:
    """The state of one :func:`discover` walk."""

    def __init__(
        self,
        root: Path,
        roles: RoleOverrides,
        max_file_bytes: int,
        known: Mapping[str, StatRecord],
    ) -> None:
        self.root = root
        self.root_text = str(root)
        self.roles = roles
        self.max_file_bytes = max_file_bytes
        self.known = known
        self.trust_before = time.time_ns() - RACY_WINDOW_NS
        self.records: dict[str, StatRecord] = {}
        self.ignores = _IgnoreStack()
        self.files: list[SourceFile] = []
        self.skipped: list[Skip] = []
        self.dirs_seen: list[str] = []
        self.exclude_spec: pathspec.PathSpec[Any] | None = None
        self.use_gitignore = True

    def walk(self) -> FileSet:
        stack: list[str] = [""]
        while stack:
            rel_dir = stack.pop()
            self.ignores.pop_to(rel_dir)
            entries = self._list(rel_dir)
            if entries is None:
                continue
            if self.use_gitignore:
                self._push_gitignore(rel_dir, entries)
            depth = rel_dir.count("/") + 1 if rel_dir else 0
            children: list[str] = []
            for entry in entries:
                rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                if self._entry(entry, rel, depth):
                    children.append(rel)  # entered next, unless it holds a pyvenv.cfg
            stack.extend(reversed(children))
        self.files.sort(key=lambda f: f.path)
        self.skipped.sort(key=lambda s: (s.path, s.reason))
        self.dirs_seen.sort()
        return FileSet(
            root=self.root,
            files=self.files,
            skipped=self.skipped,
            dirs=self.dirs_seen,
            stat_records=self.records,
        )

    def _list(self, rel_dir: str) -> list[os.DirEntry[str]] | None:
        """The folder's entries, or None when it cannot be listed or is a virtual environment."""
        try:
            path = os.path.join(self.root_text, rel_dir) if rel_dir else self.root_text
            with os.scandir(path) as it:
                entries = list(it)  # any order: the results are sorted at the end
        except OSError as exc:
            reason = f"cannot list: {exc.strerror}"
            self.skipped.append(Skip(path=display_path(rel_dir) or ".", reason=reason))
            if rel_dir:
                self.dirs_seen.append(display_path(rel_dir))
            return None
        if rel_dir:
            if any(e.name == "pyvenv.cfg" for e in entries):  # a virtual environment
                return None
            self.dirs_seen.append(display_path(rel_dir))
        return entries

    def _push_gitignore(self, rel_dir: str, entries: Sequence[os.DirEntry[str]]) -> None:
        for e in entries:
            # A .gitignore that is a symbolic link is not followed, so not applied.
            if e.name == ".gitignore" and e.is_file(follow_symlinks=False):
                source = f"{rel_dir}/.gitignore" if rel_dir else ".gitignore"
                spec, notes = _read_ignore_file(e.path, display_path(source))
                self.skipped.extend(notes)
                if spec is not None:
                    self.ignores.push(rel_dir, spec)

    def _excluded(self, entry: os.DirEntry[str], rel: str, is_dir: bool) -> bool:
        if is_dir and entry.name in ALWAYS_EXCLUDED_DIRS:
            return True
        if self.exclude_spec is not None and self.exclude_spec.match_file(
            rel + "/" if is_dir else rel
        ):
            return True
        return self.ignores.ignored(rel, is_dir)

    def _entry(self, entry: os.DirEntry[str], rel: str, depth: int) -> bool:
        """Record one entry; True for a folder to enter."""
        try:
            is_link = entry.is_symlink()
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError as exc:
            self.skipped.append(Skip(path=display_path(rel), reason=f"cannot stat: {exc.strerror}"))
            return False
        if self._excluded(entry, rel, is_dir):
            return False
        shown = display_path(rel)
        if is_link:
            self.skipped.append(
                Skip(path=shown, reason=_symlink_reason(self.root, Path(entry.path)))
            )
            return False
        if is_dir:
            if depth >= MAX_DEPTH:
                reason = f"folder nested more than {MAX_DEPTH} levels deep; not entered"
                self.skipped.append(Skip(path=shown, reason=reason))
                return False
            return True
        if not entry.is_file(follow_symlinks=False):
            self.skipped.append(Skip(path=shown, reason="not a regular file"))
            return False
        self._file(entry, shown)
        return False

    def _file(self, entry: os.DirEntry[str], shown: str) -> None:
        language = detect_language(entry.name)
        if language is None:
            return
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError as exc:
            self.skipped.append(Skip(path=shown, reason=f"cannot read: {exc.strerror or exc}"))
            return
        if st.st_size > self.max_file_bytes:
            reason = f"file larger than {self.max_file_bytes} bytes ({st.st_size} bytes)"
            self.skipped.append(Skip(path=shown, reason=reason))
            return
        signature = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
        record = self.known.get(shown)
        if record is not None and record[:4] == signature:
            loaded = _from_record(shown, entry.path, language, self.roles, record)
        else:
            loaded, record = _load(shown, entry.path, language, self.roles, signature)
        if record is not None and max(st.st_mtime_ns, st.st_ctime_ns) < self.trust_before:
            self.records[shown] = record
        if isinstance(loaded, Skip):
            self.skipped.append(loaded)
        else:
            self.files.append(loaded)


def display_path(rel: str) -> str:
    """``rel`` as reports can carry it: a name that is not valid UTF-8 (its undecodable
    bytes are lone surrogates after ``os.fsdecode``) gets them as ``\\xNN`` escapes."""
    if rel.isascii():
        return rel
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return rel


def _read_ignore_file(path: str, source: str) -> tuple[pathspec.PathSpec[Any] | None, list[Skip]]:
    """The spec of one ``.gitignore`` (read without following a symbolic link)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as fh:
            data = fh.read(DEFAULT_MAX_FILE_BYTES + 1)
    except OSError as exc:
        return None, [Skip(path=source, reason=f"cannot read: {exc.strerror or exc}")]
    if len(data) > DEFAULT_MAX_FILE_BYTES:
        return None, [Skip(path=source, reason="ignore file too large; not applied")]
    return compile_patterns(data.decode("utf-8", "replace").splitlines(), source)


def _symlink_reason(root: Path, link: Path) -> str:
    try:
        target = link.resolve(strict=True)
    except RuntimeError:
        return "symlink loop"
    except OSError:
        return "broken symlink"
    if not target.is_relative_to(root):
        return "symlink points outside the root; not followed"
    return "symlink inside the root; its target is scored in place"


def _from_record(
    rel: str, path: str, language: str, roles: RoleOverrides, record: StatRecord
) -> SourceFile | Skip:
    size, _mtime, _ctime, _inode, sha256, lines, marks, skip = record
    if skip is not None:
        return Skip(path=rel, reason=str(skip))
    head = (GENERATED_HEAD if int(marks) & 1 else b"") + (ALEMBIC_HEAD if int(marks) & 2 else b"")
    role = roles.match(rel) or classify_role(rel, language, head)
    return SourceFile(
        path=rel,
        abspath=path,
        language=language,
        role=role,
        size=int(size),
        lines=int(lines),
        sha256=str(sha256),
    )


def _load(
    rel: str,
    path: str,
    language: str,
    roles: RoleOverrides,
    signature: list[int],
) -> tuple[SourceFile | Skip, StatRecord | None]:
    """Read a file; the result and its stat record (None: do not record)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return Skip(path=rel, reason=f"cannot read: {exc.strerror or exc}"), None
    if len(data) != signature[0]:  # changed between stat and read: do not record
        signature = [-1, *signature[1:]]

    def skip(reason: str) -> tuple[Skip, StatRecord]:
        return Skip(path=rel, reason=reason), [*signature, None, 0, False, reason]

    text, problem = _text_of(data, language)
    if problem is not None:
        return skip(problem)
    head = data[:1024]
    marks = int(language in MARKED_LANGUAGES and _looks_generated(head))
    marks |= 2 if language == "python" and _alembic_revision(head) else 0
    role = roles.match(rel) or classify_role(rel, language, head)
    sha256 = hashlib.sha256(data).hexdigest()
    lines = _count_lines(text)
    file = SourceFile(
        path=rel,
        abspath=path,
        language=language,
        role=role,
        size=len(data),
        lines=lines,
        sha256=sha256,
        text=text,
    )
    return file, [*signature, sha256, lines, marks, None]
