"""The on-disk result cache: per-file checker results keyed by content, in SQLite.

A re-run on an unchanged repository reads every per-file result from here instead of
analysing the file again; that is what makes a warm run nearly instant.

- **Where**: ``<root>/.backend-skills-cache/cache.sqlite3`` by default. The ``cache_dir``
  setting (or ``--cache-dir``) moves it; a relative ``cache_dir`` is relative to the
  scored root. When neither is given, ``BACKEND_SKILLS_CACHE_DIR`` is used. The folder
  gets a ``.gitignore`` holding ``*`` and a ``CACHEDIR.TAG`` so that git and backup
  tools leave it alone.
- **Keys**: see :func:`file_key` and :func:`repo_key`. Everything a per-file result
  depends on is in the key: the backend-skills version, the checker's name, version and
  code stamp, the prepared options, and the file's path, language, role and content hash.
- **Concurrency**: WAL journal and a busy timeout; each run writes its new rows in one
  transaction, so two runs on the same root never corrupt the file (the last writer of
  an identical key wins, with an identical value).
- **Damage**: a file that is not a SQLite database, a database that is not ours, or one
  written by an incompatible version is discarded and rebuilt with a
  :class:`CacheWarning`; a row that cannot be read is a miss. The cache never makes a
  run fail: when it cannot be used at all the run goes on without it.
- **Size**: rows not used for :data:`PRUNE_AFTER_S` are deleted after a run that wrote.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeGuard, TypeVar

from ._cache_keys import _digest
from ._cache_keys import _stamp_of_package as _stamp_of_package
from ._cache_keys import code_stamp as code_stamp
from ._cache_keys import file_key as file_key
from ._cache_keys import fileset_digest as fileset_digest
from ._cache_keys import fileset_shape_digest as fileset_shape_digest
from ._cache_keys import repo_key as repo_key
from ._cache_keys import whole_fileset_digest as whole_fileset_digest

#: Default folder name, created at the scored root.
CACHE_DIR_NAME = ".backend-skills-cache"
#: The database file inside the cache folder.
CACHE_FILE = "cache.sqlite3"
#: Environment variable naming the cache folder when the configuration does not.
CACHE_DIR_ENV = "BACKEND_SKILLS_CACHE_DIR"
#: Identifies our databases (``meta`` table); a different value means a foreign file.
CACHE_FORMAT = "backend-skills-result-cache"
#: Bumped when the table layout or the meaning of a row changes.
CACHE_SCHEMA = "1"
#: Rows not read or written for this long are deleted (seconds).
PRUNE_AFTER_S = 30 * 24 * 3600
#: A row read by a run gets its access time refreshed when older than this.
TOUCH_AFTER_S = 24 * 3600
#: How long a run waits for another run's write transaction (milliseconds).
BUSY_TIMEOUT_MS = 30_000

_OUR_TABLES = frozenset({"meta", "results"})
_SIDE_FILES = (CACHE_FILE, f"{CACHE_FILE}-wal", f"{CACHE_FILE}-shm", f"{CACHE_FILE}-journal")
_MARKER_FILES = (".gitignore", "CACHEDIR.TAG", "cache.lock")
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by backend-skills.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)


class CacheWarning(UserWarning):
    """The cache could not be used as is (discarded and rebuilt, or bypassed)."""


def resolve_cache_dir(root: Path, setting: str | None) -> Path:
    """The cache folder for ``root``.

    ``setting`` (the ``cache_dir`` setting or ``--cache-dir``) wins; a relative value is
    relative to ``root``. Otherwise ``BACKEND_SKILLS_CACHE_DIR`` (relative to the
    current folder), otherwise ``<root>/.backend-skills-cache``.
    """
    if setting:
        path = Path(setting).expanduser()
        # A relative value is joined without resolving: a symbolic link the repository
        # planted on the way is then seen (and refused) by ResultCache, not followed.
        return path.resolve() if path.is_absolute() else root / path
    env = os.environ.get(CACHE_DIR_ENV, "").strip()
    if env:
        return Path(env).expanduser().resolve()
    return root / CACHE_DIR_NAME


def _check_ours(conn: sqlite3.Connection, tables: set[str]) -> None:
    """Raise :class:`_Foreign` unless the database is a cache of this format and schema
    (or empty)."""
    if tables and not tables <= _OUR_TABLES:
        raise _Foreign("not a backend-skills cache (unknown tables)")
    if "meta" in tables:
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("format") != CACHE_FORMAT:
            raise _Foreign("not a backend-skills cache (unknown format)")
        if meta.get("schema") != CACHE_SCHEMA:
            raise _Foreign(f"written by an incompatible version (schema {meta.get('schema')})")


@dataclass(frozen=True, slots=True)
class Entry:
    """A cached row: the result JSON and the side data stored with it."""

    value: str
    extra: str


@dataclass(slots=True)
class NewRow:
    """A row to write."""

    key: str
    checker: str
    value: str
    extra: str = ""


class ResultCache:
    """The SQLite result cache of one folder. Never raises on a damaged file.

    Problems are reported as :class:`CacheWarning` (``warnings.warn``) and collected in
    :attr:`problems`; when the cache cannot be used at all, :attr:`usable` is false and
    every operation is a no-op.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / CACHE_FILE
        self.problems: list[str] = []
        self._conn: sqlite3.Connection | None = None
        self._disabled = False
        self._to_touch: list[str] = []
        self._opened_inode: int | None = None

    # ----------------------------------------------------------------- lifecycle

    @property
    def usable(self) -> bool:
        """False once the cache has been given up for this run."""
        return not self._disabled

    def _warn(self, message: str, stacklevel: int = 3) -> None:
        self.problems.append(message)
        warnings.warn(message, CacheWarning, stacklevel=stacklevel)

    def _give_up(self, why: str) -> None:
        self._warn(
            f"cache {self.directory}: {why}; continuing without the cache"
            " (--cache-dir DIR moves it, --no-cache turns it off)"
        )
        self.close()
        self._disabled = True

    def _prepare_folder(self) -> None:
        unsafe = unsafe_cache_path(self.directory)
        if unsafe is not None:
            raise _Unsafe(unsafe)
        self.directory.mkdir(parents=True, exist_ok=True)
        unsafe = unsafe_cache_path(self.directory)  # created meanwhile: check again
        if unsafe is not None:
            raise _Unsafe(unsafe)
        _create_new(
            self.directory / ".gitignore",
            "# Created by backend-skills: this folder is a cache.\n*\n",
        )
        _create_new(self.directory / "CACHEDIR.TAG", _CACHEDIR_TAG)

    def _connection(self) -> sqlite3.Connection | None:
        if self._disabled:
            return None
        if self._conn is not None:
            return self._conn
        if not self._folder_ready():
            return None
        for attempt in range(2):
            inode = self._inode()
            why = self._try_open()
            if why is None:
                return self._conn  # opened, or given up (None)
            self.close()
            if attempt == 0 and not self._rebuild(why, inode):
                return None
        self._give_up("cannot be rebuilt")
        return None

    def _try_open(self) -> str | None:
        """Open the database: None when it opened (or the cache was given up: busy, or
        not openable), else why the file is damaged."""
        try:
            self._conn = self._open()
            self._opened_inode = self._inode()
            return None
        except _Foreign as exc:
            return str(exc)
        except sqlite3.DatabaseError as exc:
            if not _is_busy(exc):
                return f"unreadable ({_one_line(exc)})"
            self._give_up(f"busy ({_one_line(exc)})")
        except OSError as exc:
            self._give_up(f"cannot open ({exc.strerror or exc})")
        return None

    def _rebuild(self, why: str, inode: int | None) -> bool:
        """Discard the damaged database (it is rebuilt on the next open); False when it
        cannot be removed (the cache is then given up)."""
        self._warn(f"cache file {self.path} is {why}: discarded and rebuilt", stacklevel=4)
        if self._discard(inode):
            return True
        self._give_up("cannot remove the damaged cache file")
        return False

    def _folder_ready(self) -> bool:
        """Create the cache folder if needed; give up (with a warning) when it is unsafe
        or cannot be created."""
        try:
            self._prepare_folder()
        except _Unsafe as exc:
            self._give_up(str(exc))
            return False
        except OSError as exc:
            self._give_up(f"cannot create the folder ({exc.strerror or exc})")
            return False
        return True

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            tables = {
                row[0]
                for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            _check_ours(conn, tables)
            # WAL when the file system allows it (shared memory); else the default journal
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
            conn.execute("PRAGMA synchronous = NORMAL")
            if tables != _OUR_TABLES:
                _create_tables(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _inode(self) -> int | None:
        try:
            return self.path.stat().st_ino
        except OSError:
            return None

    def _discard(self, inode: int | None) -> bool:
        """Delete the damaged database whose inode is ``inode``; False when impossible."""
        with _folder_lock(self.directory):
            if inode is None or self._inode() != inode:
                return True  # gone, or another run rebuilt it meanwhile
            for name in _SIDE_FILES:
                try:
                    (self.directory / name).unlink()
                except FileNotFoundError:
                    pass
                except OSError:
                    return False
        return True

    def close(self) -> None:
        """Write pending access times and close the connection."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            if self._to_touch:
                with _transaction(conn):
                    _stage_keys(conn, self._to_touch)
                    conn.execute(
                        "UPDATE results SET atime = ? WHERE key IN (SELECT key FROM temp.wanted)",
                        (int(time.time()),),
                    )
        except sqlite3.Error:
            pass  # access times are a pruning hint only
        finally:
            self._to_touch = []
            conn.close()

    # ------------------------------------------------------------------ reading

    def get_many(self, keys: Sequence[str]) -> dict[str, Entry]:
        """The cached rows among ``keys`` (missing and unreadable rows are left out)."""
        found: dict[str, Entry] = {}
        if not keys:
            return found
        conn = self._connection()
        if conn is None:
            return found
        stale = int(time.time()) - TOUCH_AFTER_S
        try:
            with _transaction(conn, write=False):
                _stage_keys(conn, keys)
                rows = conn.execute(
                    "SELECT r.key, r.value, r.extra, r.atime FROM results AS r"
                    " JOIN temp.wanted AS w ON w.key = r.key"
                ).fetchall()
            for key, value, extra, atime in rows:
                if isinstance(value, str) and isinstance(extra, str):
                    found[key] = Entry(value, extra)
                    if isinstance(atime, int) and atime < stale:
                        self._to_touch.append(key)
        except sqlite3.DatabaseError as exc:
            if _is_busy(exc):
                self._give_up(f"busy ({_one_line(exc)})")
            else:
                self._recover(exc)
            return {}
        return found

    # ------------------------------------------------------------------ writing

    def put_many(self, rows: Sequence[NewRow]) -> None:
        """Store ``rows`` in one transaction, then prune rows unused for a long time."""
        if not rows:
            return
        conn = self._connection()
        if conn is None:
            return
        now = int(time.time())
        try:
            with _transaction(conn):
                conn.executemany(
                    "INSERT OR REPLACE INTO results (key, checker, value, extra, atime)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [(r.key, r.checker, r.value, r.extra, now) for r in rows],
                )
                conn.execute("DELETE FROM results WHERE atime < ?", (now - PRUNE_AFTER_S,))
        except sqlite3.DatabaseError as exc:
            if _is_busy(exc):
                self._warn(f"cache {self.directory}: busy ({_one_line(exc)}); results not saved")
                return
            self._recover(exc)

    def get_json(self, key: str) -> dict[str, Any] | None:
        """The JSON object stored under ``key``; None when missing or unreadable."""
        entry = self.get_many([key]).get(key)
        if entry is None:
            return None
        try:
            data = json.loads(entry.value)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def invalidate(self, keys: Sequence[str]) -> None:
        """Delete rows that turned out unreadable."""
        conn = self._connection()
        if conn is None or not keys:
            return
        try:
            with _transaction(conn):
                _stage_keys(conn, keys)
                conn.execute("DELETE FROM results WHERE key IN (SELECT key FROM temp.wanted)")
        except sqlite3.Error:
            pass

    def _recover(self, exc: BaseException) -> None:
        self._to_touch = []
        self.close()
        self._warn(f"cache file {self.path} is damaged ({_one_line(exc)}): discarded and rebuilt")
        if not self._discard(self._opened_inode):
            self._give_up("cannot remove the damaged cache file")

    # --------------------------------------------------------------- inspection

    def stats(self) -> dict[str, int]:
        """Rows per checker (for ``backend-skills cache info``)."""
        conn = self._connection()
        if conn is None:
            return {}
        try:
            return dict(
                conn.execute(
                    "SELECT checker, COUNT(*) FROM results GROUP BY checker ORDER BY checker"
                ).fetchall()
            )
        except sqlite3.DatabaseError as exc:
            self._recover(exc)
            return {}


class _Foreign(Exception):
    """The file is a database, but not a cache of ours (or not of this schema)."""


class _Unsafe(Exception):
    """The cache folder or one of its files is a symbolic link (never followed)."""


def _create_tables(conn: sqlite3.Connection) -> None:
    """The tables of a new (or partly created) cache, and its format and schema."""
    with _transaction(conn):
        conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS results ("
            " key TEXT PRIMARY KEY, checker TEXT NOT NULL,"
            " value TEXT NOT NULL, extra TEXT NOT NULL, atime INTEGER NOT NULL)"
        )
        conn.execute("CREATE INDEX IF NOT EXISTS results_atime ON results (atime)")
        conn.executemany(
            "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
            [("format", CACHE_FORMAT), ("schema", CACHE_SCHEMA)],
        )


def unsafe_cache_path(directory: Path) -> str | None:
    """Why ``directory`` must not be used as a cache (None: it may).

    A scored repository can commit a ``.backend-skills-cache`` symbolic link, or links
    named like the cache's files, to make the cache write elsewhere. Symbolic links are
    never followed: the folder's path must be its real path (callers pass a path whose
    existing part is already resolved) and none of the cache's files may be a link.
    """
    absolute = Path(os.path.abspath(directory))
    existing = absolute
    while not os.path.lexists(existing) and existing.parent != existing:
        existing = existing.parent
    if os.path.realpath(existing) != str(existing):
        return f"{existing} is (or is inside) a symbolic link; not followed"
    if absolute.is_dir():
        for name in (*_SIDE_FILES, *_MARKER_FILES):
            target = absolute / name
            if target.is_symlink() or (target.exists() and not target.is_file()):
                return f"{name} in the cache folder is not a regular file; not followed"
    return None


def _create_new(path: Path, text: str) -> None:
    """Write ``path`` unless it exists, never through a symbolic link."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o644)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)


def clear_cache(directory: Path) -> list[Path]:
    """Delete the cache files in ``directory`` (and the folder when nothing else is in
    it). Only our own files are removed, never anything else a user put there.

    Returns the paths removed.
    """
    removed: list[Path] = []
    if not directory.is_dir():
        return removed
    for name in (*_SIDE_FILES, *_MARKER_FILES):
        target = directory / name
        if target.is_file() and not target.is_symlink():
            target.unlink()
            removed.append(target)
    with contextlib.suppress(OSError):
        directory.rmdir()  # only when empty
        removed.append(directory)
    return removed


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection, *, write: bool = True) -> Iterator[None]:
    """A transaction: ``BEGIN IMMEDIATE`` to write (takes the write lock at once, waiting
    up to the busy timeout), a deferred ``BEGIN`` to read one consistent snapshot."""
    conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        yield
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextlib.contextmanager
def _folder_lock(directory: Path) -> Iterator[None]:
    """An advisory lock serialising the rebuild of a damaged cache (POSIX only)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: rebuilds are rare; go ahead
        yield
        return
    try:
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(directory / "cache.lock", flags, 0o644)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _stage_keys(conn: sqlite3.Connection, keys: Sequence[str]) -> None:
    """Put ``keys`` in this connection's temporary ``wanted`` table: queries join it
    instead of building ``IN (?, ?, ...)`` text, whatever the number of keys."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (key TEXT PRIMARY KEY)")
    conn.execute("DELETE FROM temp.wanted")
    conn.executemany("INSERT OR IGNORE INTO temp.wanted (key) VALUES (?)", [(k,) for k in keys])


def _is_busy(exc: BaseException) -> bool:
    """A lock held by another run (not damage)."""
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def dumps_extra(data: Mapping[str, object]) -> str:
    """Compact JSON for the ``extra`` column."""
    return json.dumps(data, separators=(",", ":"), sort_keys=True)


# ------------------------------------------------------------ discovery's stat records


def _stat_records_key(root: Path) -> str:
    # "2": the seventh field holds marks (generated header, Alembic revision), not a flag;
    # "3": YAML headers are read for the generated mark too.
    return _digest("discovery stat records 3", CACHE_SCHEMA, root.as_posix())


def load_stat_records(cache: ResultCache, root: Path) -> dict[str, list[Any]]:
    """The stat records discovery left for ``root`` last time (empty when none or
    unreadable); see :func:`backend_skills.core.discovery.discover`."""
    return {
        path: record
        for path, record in (cache.get_json(_stat_records_key(root)) or {}).items()
        if isinstance(record, list) and len(record) == _STAT_RECORD_LENGTH
    }


def save_stat_records(cache: ResultCache, root: Path, records: Mapping[str, list[Any]]) -> None:
    """Keep discovery's stat records of ``root`` for the next run."""
    value = json.dumps(records, separators=(",", ":"), sort_keys=True)
    cache.put_many([NewRow(_stat_records_key(root), "discovery (stat records)", value)])


_STAT_RECORD_LENGTH = 8


# ------------------------------------------------------------------ per-file memo

_T = TypeVar("_T")


class FileMemo:
    """Facts a checker derives from single files, kept between runs by content hash.

    ``prepare``, ``reduce`` and ``check`` run in the parent process and again whenever
    anything in the tree changes; a fact they need from every file (the imports that
    hint at a SQL dialect, ...) would be recomputed from every file's text each time.
    :meth:`per_file` computes it only for files whose content changed since the last
    run and takes the others from the cache. Values must be JSON-shaped: they are
    returned as JSON gives them back (tuples become lists) in every run alike.
    """

    def __init__(
        self, cache: ResultCache | None = None, scope: str = "", owner: str = "memo"
    ) -> None:
        self._cache = cache
        self._scope = scope
        self._owner = owner
        """Shown by ``backend-skills cache info`` (the checker's name)."""
        self._trusted = True

    def distrust(self) -> bool:
        """Recompute every fact from now on instead of reading stored ones (a checker
        failed: a stored value may be damaged). False when nothing was read from a
        cache, so that trying again would change nothing."""
        if self._cache is None or not self._trusted:
            return False
        self._trusted = False
        return True

    def per_file(
        self, name: str, files: Iterable[SourceFileLike], compute: Callable[[Any], _T]
    ) -> dict[str, _T]:
        """``compute(file)`` for each of ``files``, by path, recomputed when the file's
        content, role or language changed; ``name`` names the fact
        (change it when ``compute`` changes meaning; the checker's version and code
        are part of the key already)."""
        if self._cache is None:
            return {f.path: json.loads(json.dumps(compute(f))) for f in files}
        key = _digest("memo", self._scope, name)
        stored = (self._cache.get_json(key) or {}) if self._trusted else {}
        values: dict[str, _T] = {}
        kept: dict[str, list[Any]] = {}
        changed = False
        for f in files:
            signature = _memo_signature(f)
            old = stored.get(f.path)
            if _is_memo(old, signature):
                value = old[1]
            else:
                value = json.loads(json.dumps(compute(f)))
                changed = True
            values[f.path] = value
            kept[f.path] = [signature, value]
        if changed or len(kept) != len(stored):
            text = json.dumps(kept, separators=(",", ":"))
            self._cache.put_many([NewRow(key, f"{self._owner} (per-file facts)", text)])
        return values


def _memo_signature(f: SourceFileLike) -> str:
    """What a stored fact of ``f`` is valid for. The path is the key; the role and
    language are facts a computation may use (a role override changes them without
    changing the content)."""
    return f"{f.sha256}:{getattr(f.role, 'value', f.role)}:{f.language}"


def _is_memo(old: object, signature: str) -> TypeGuard[list[Any]]:
    """Whether ``old`` is a stored ``[signature, value]`` pair for ``signature``."""
    return isinstance(old, list) and len(old) == 2 and old[0] == signature


class SourceFileLike(Protocol):
    """What :class:`FileMemo` needs of a file."""

    @property
    def path(self) -> str: ...  # pragma: no cover - protocol

    @property
    def sha256(self) -> str: ...  # pragma: no cover - protocol

    @property
    def role(self) -> object: ...  # pragma: no cover - protocol

    @property
    def language(self) -> str: ...  # pragma: no cover - protocol
