"""The fast pre-commit gate: new findings in the files a commit changes.

``backend-skills hook`` checks only the given files (pre-commit passes the staged ones),
and fails when they bring findings at or above a severity that were not there before.
"Before" is the same files at a git revision (``HEAD`` by default) or a baseline report.
It never scores the repository from a handful of files: no score or level is computed
for the gate, only findings are compared, by fingerprint.

How it works (docs/pre-commit.md):

1. The selected code files are read from the git index (what will be committed; a
   file not in the index is read from the working tree). The same paths are read at the
   revision. Files whose tools configure the checkers (``pyproject.toml``, ``.sqlfluff``,
   ``.bandit``, ``setup.cfg``, requirements and lock files, ``.gitignore``...) are
   copied along so every checker sees the same options as in a full run.
2. Both snapshots are written to temporary folders with the same relative paths and
   scored by the normal runner with the repository's settings; repository-level
   checkers (hygiene files, git history) are skipped: they judge the repository, not
   a commit, and the whole-repository hook covers them.
3. Findings are compared by fingerprint (path, rule, normalised line text), so lines
   that merely moved are not new.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ._git import GitError, run_git_bytes
from .core.baseline import NewFindings, new_findings
from .core.cache import resolve_cache_dir
from .core.checker import FileChecker
from .core.config import Settings
from .core.discovery import CODE_LANGUAGES, detect_language, display_path
from .core.models import CheckerRun, Report, Severity
from .core.plugins import Plugins
from .core.runner import run

#: Languages of the files copied next to the checked ones because checkers read their
#: configuration from them (see core/discovery.py for the names behind each language).
CONTEXT_LANGUAGES = frozenset({"toml", "ini", "yaml", "lock", "requirements", "ignore"})
#: Time limit of each git call (seconds).
GIT_TIMEOUT_S = 300.0
#: Git file modes of regular files (symbolic links and submodules are not read).
_REGULAR_MODES = frozenset({"100644", "100755"})


class StagedError(Exception):
    """The gate cannot run (not a git repository, unknown revision...); one line."""


@dataclass
class GateResult:
    """The outcome of :func:`check_files`."""

    checked: list[str]
    """Code files compared (relative POSIX paths)."""
    reference: str
    """What they were compared with: ``HEAD``, another revision, or a baseline file."""
    new: NewFindings = field(default_factory=lambda: NewFindings(findings=[]))
    failed: list[CheckerRun] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """Run git with the same hardening as the history checker (backend_skills._git):
    no hook, fsmonitor, pager, driver or transport the repository configures runs."""
    if shutil.which("git") is None:
        raise StagedError("git is not installed (the hook reads the staged files from git)")
    try:
        return run_git_bytes(root, args, GIT_TIMEOUT_S, stdin=stdin, contain=False)
    except GitError as exc:
        raise StagedError(f"git {args[0]}: {exc}") from None


def _is_git_worktree(root: Path) -> bool:
    try:
        return _git(root, "rev-parse", "--is-inside-work-tree").strip() == b"true"
    except StagedError:
        return False


def _split_z(data: bytes) -> list[str]:
    return [os.fsdecode(item) for item in data.split(b"\0") if item]


def staged_paths(root: Path) -> list[str]:
    """Files added, copied, modified or renamed in the index, relative to ``root``."""
    out = _git(root, "diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR", "--relative")
    return sorted(_split_z(out))


def relative_paths(root: Path, files: Iterable[str], cwd: Path | None = None) -> list[str]:
    """``files`` (relative to ``cwd`` or absolute) as POSIX paths relative to ``root``.

    Files outside ``root`` are left out.
    """
    base = (cwd or Path.cwd()).resolve()
    root = root.resolve()
    result: set[str] = set()
    for name in files:
        path = Path(name)
        full = path if path.is_absolute() else base / path
        try:
            rel = Path(os.path.normpath(full)).relative_to(root)
        except ValueError:
            continue
        if rel.parts:
            result.add(rel.as_posix())
    return sorted(result)


def _language(path: str) -> str | None:
    return detect_language(PurePosixPath(path).name)


def is_code(path: str) -> bool:
    """Whether ``path`` is a code file (its findings are what the gate compares)."""
    return _language(path) in CODE_LANGUAGES


def _is_context(path: str) -> bool:
    return _language(path) in CONTEXT_LANGUAGES


def _entries(root: Path, listing: bytes, *, from_tree: bool) -> dict[str, str]:
    """Path -> blob id of regular files from ``ls-files -s -z`` or ``ls-tree -r -z``."""
    entries: dict[str, str] = {}
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        fields = meta.decode("ascii", "replace").split()
        if from_tree:
            if len(fields) != 3 or fields[1] != "blob":
                continue
            mode, sha = fields[0], fields[2]
        else:
            if len(fields) != 3 or fields[2] != "0":  # stage 0 only (no merge conflicts)
                continue
            mode, sha = fields[0], fields[1]
        if mode in _REGULAR_MODES:
            entries[os.fsdecode(raw_path)] = sha
    return entries


def index_entries(root: Path) -> dict[str, str]:
    """Regular files in the git index, relative to ``root``."""
    return _entries(root, _git(root, "ls-files", "-s", "-z"), from_tree=False)


def revision_entries(root: Path, revision: str) -> dict[str, str] | None:
    """Regular files at ``revision`` relative to ``root``; None when it does not exist."""
    try:
        _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except StagedError:
        return None
    return _entries(root, _git(root, "ls-tree", "-r", "-z", revision), from_tree=True)


def read_blobs(root: Path, shas: Collection[str]) -> dict[str, bytes]:
    """Contents of the blobs ``shas``, read with one ``git cat-file --batch``."""
    unique = sorted(set(shas))
    if not unique:
        return {}
    out = _git(root, "cat-file", "--batch", stdin="".join(f"{s}\n" for s in unique).encode())
    blobs: dict[str, bytes] = {}
    pos = 0
    for sha in unique:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) != 3:  # "<sha> missing"
            continue
        size = int(header[2])
        blobs[sha] = out[pos : pos + size]
        pos += size + 1
    return blobs


def _safe(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return bool(parts) and not path.startswith("/") and ".." not in parts and "\0" not in path


def write_tree(dest: Path, files: Mapping[str, bytes]) -> None:
    """Write ``files`` (relative POSIX path -> bytes) under ``dest``."""
    for rel, data in files.items():
        if not _safe(rel):
            continue
        target = dest.joinpath(*PurePosixPath(rel).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _snapshot(
    entries: Mapping[str, str], paths: Iterable[str], blobs: Mapping[str, bytes]
) -> dict[str, bytes]:
    return {p: blobs[entries[p]] for p in paths if p in entries and entries[p] in blobs}


def file_checkers_only(settings: Settings, plugins: Plugins) -> Settings:
    """``settings`` with every repository-level checker disabled."""
    repo_level = [c.name for c in plugins.checkers if not isinstance(c, FileChecker)]
    return settings.model_copy(
        update={"disable_checkers": sorted({*settings.disable_checkers, *repo_level})}
    )


def _revision_entries(root: Path, against: str, result: GateResult) -> dict[str, str] | None:
    """The tree of ``against``; None (with a note in ``result``) before the first commit."""
    found = revision_entries(root, against)
    if found is not None:
        return found
    if against != "HEAD":
        raise StagedError(f"unknown git revision {against!r}")
    # Nothing to compare with: the first commit sets the starting point.
    result.notes.append(
        "no commit yet: nothing to compare the staged files with, so they are not "
        "gated (the first commit sets the starting point; pass --baseline to gate it)"
    )
    result.checked = []
    return None


def _add_unstaged(
    root: Path, code: Sequence[str], index: Mapping[str, str], after_files: dict[str, bytes]
) -> None:
    """Files named on the command line but not staged are read from the working tree."""
    for path in code:
        if path not in index:
            full = root.joinpath(*PurePosixPath(path).parts)
            if full.is_file() and not full.is_symlink():
                after_files[path] = full.read_bytes()


def _gated_settings(root: Path, settings: Settings, plugins: Plugins) -> Settings:
    gated = file_checkers_only(settings, plugins)
    if gated.cache:
        # The snapshots live in a temporary folder: keep their results in the
        # repository's own cache (where `score` leaves them too), so that re-runs are
        # warm instead of starting from an empty cache in a folder deleted afterwards.
        cache_dir = resolve_cache_dir(root, settings.cache_dir)
        gated = gated.model_copy(update={"cache_dir": str(cache_dir)})
    return gated


def _score_snapshots(
    gated: Settings,
    plugins: Plugins,
    config_source: str,
    after_files: Mapping[str, bytes],
    before_files: Mapping[str, bytes] | None,
) -> tuple[Report, Report | None]:
    """Score the staged snapshot (and the one before, when there is no baseline)."""
    with tempfile.TemporaryDirectory(prefix="backend-skills-hook-") as tmp:
        after_root = Path(tmp) / "after"
        after_root.mkdir()
        write_tree(after_root, after_files)
        after = run(after_root, gated, plugins=plugins, config_source=config_source)
        if before_files is None:
            return after, None
        before_root = Path(tmp) / "before"
        before_root.mkdir()
        write_tree(before_root, before_files)
        return after, run(before_root, gated, plugins=plugins, config_source=config_source)


def _selected_code(root: Path, files: Sequence[str] | None) -> list[str]:
    """The code files to gate: those named (relative to ``root``), else the staged ones."""
    selected = (
        relative_paths(root, files) if files is not None and len(files) > 0 else staged_paths(root)
    )
    return [p for p in selected if is_code(p) and _safe(p)]


def _snapshots(
    root: Path, code: Sequence[str], against: str | None, result: GateResult
) -> tuple[dict[str, bytes], dict[str, bytes] | None] | None:
    """The files to score now (the index, with unstaged named files), and at ``against``
    (None without a revision); each with the context files the checkers read. None
    (with a note in ``result``) when ``against`` has no tree yet."""
    index = index_entries(root)
    wanted = [*code, *(p for p in index if _is_context(p))]
    before_entries: dict[str, str] = {}
    if against is not None:
        found = _revision_entries(root, against, result)
        if found is None:
            return None
        before_entries = found
    shas = [entries[p] for entries in (index, before_entries) for p in wanted if p in entries]
    blobs = read_blobs(root, shas)
    after_files = _snapshot(index, wanted, blobs)
    _add_unstaged(root, code, index, after_files)
    before_files = _snapshot(before_entries, wanted, blobs) if against is not None else None
    return after_files, before_files


def _failed_runs(report: Report | None) -> list[CheckerRun]:
    return [r for r in report.checkers if r.status == "failed"] if report is not None else []


def check_files(
    root: Path,
    settings: Settings,
    plugins: Plugins,
    *,
    files: Sequence[str] | None = None,
    against: str = "HEAD",
    baseline: Report | None = None,
    baseline_name: str = "baseline",
    min_severity: Severity = Severity.MEDIUM,
    config_source: str = "configuration",
) -> GateResult:
    """New findings at or above ``min_severity`` in ``files`` (default: the staged files).

    Compared with the same files at git revision ``against``, or with ``baseline`` when
    given. Raises :class:`StagedError` when git cannot answer.
    """
    root = root.resolve()
    if not _is_git_worktree(root):
        raise StagedError(
            f"{root}: not inside a git working tree (use `backend-skills score --baseline` "
            "outside git)"
        )
    code = _selected_code(root, files)
    reference = baseline_name if baseline is not None else against
    result = GateResult(checked=code, reference=reference)
    if not code:
        return result
    snapshots = _snapshots(root, code, against if baseline is None else None, result)
    if snapshots is None:
        return result
    gated = _gated_settings(root, settings, plugins)
    after, before = _score_snapshots(gated, plugins, config_source, *snapshots)
    baseline = before if before is not None else baseline
    if baseline is None:  # unreachable: given, or scored above
        raise StagedError("no baseline to compare with")
    result.failed += _failed_runs(before) + _failed_runs(after)
    result.new = new_findings(baseline, after, min_severity, paths={display_path(p) for p in code})
    return result
