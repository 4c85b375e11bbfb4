"""One task: a file checked by one checker, and what came of it.

:func:`analyse` runs ``check_file`` (under the time limit when asked) and turns every way
it can end into an :class:`Outcome`: the result as JSON text (the very text the cache
stores) with the hash of each finding's line, or a one-line reason (time, memory, a
file changed during the run, a checker's error).
"""

from __future__ import annotations

import gc
import hashlib
import re
import signal
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from ._limits import (
    DEFAULT_MEMORY_LIMIT,
    FileTimeout,
    memory_reason,
    raised_by_checker,
    timeout_reason,
)
from .checker import FileChecker, FileResult
from .discovery import FileChangedError, SourceFile

OK: Final = "ok"
TIMEOUT: Final = "timeout"
ERROR: Final = "error"
DIED: Final = "died"
MEMORY: Final = "memory"
CHANGED: Final = "changed"
#: Outcomes of files a checker could not analyse for want of time or memory, or because
#: its worker died: the checker's result is then partial (see the runner).
LOST: Final = frozenset({TIMEOUT, DIED, MEMORY})


@dataclass(frozen=True, slots=True)
class Task:
    """One file for one checker."""

    id: int
    checker: int
    """Index into :attr:`WorkSpec.checkers`."""
    file: SourceFile


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to a task. ``payload``: the FileResult JSON (ok) or the reason."""

    id: int
    status: str
    payload: str
    snippets: tuple[str, ...] = ()
    """Per finding, the hash of its normalised source line ("" when none)."""
    seconds: float = 0.0


@dataclass(frozen=True)
class WorkSpec:
    """What every worker needs: the checkers, their prepared options and time limits."""

    checkers: Sequence[FileChecker]
    options: Sequence[Mapping[str, Any]]
    timeouts: Sequence[float]
    memory_limit: int | None = DEFAULT_MEMORY_LIMIT
    """Bytes of address space each worker may use (None: no ceiling)."""


#: Quoted literals that look like a credential: 8+ characters without spaces. They are
#: blanked before hashing so a fingerprint can never be used to test guesses of a
#: secret's value. Literals with spaces (SQL, messages) still tell lines apart.
_TOKEN_LITERAL = re.compile(r"""(?P<q>['"])[^\s'"]{8,}(?P=q)""")


def line_hash(line: str) -> str:
    """Hash of one source line, whitespace normalised and token-like literals blanked."""
    normalised = _TOKEN_LITERAL.sub(r"\g<q>\g<q>", " ".join(line.split()))
    return hashlib.sha256(normalised.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def snippet_hashes(file: SourceFile, result: FileResult) -> tuple[str, ...]:
    """Per finding of ``result``, its ``snippet_hash`` (which JSON leaves out): the
    checker's own when it set one, else the :func:`line_hash` of its line in ``file``."""
    if not result.findings:
        return ()
    lines: list[str] | None = None
    hashes: list[str] = []
    for finding in result.findings:
        if finding.snippet_hash:  # the checker's own (e.g. redacted): kept as it is
            hashes.append(finding.snippet_hash)
            continue
        if finding.path != file.path or not finding.line:
            hashes.append("")
            continue
        if lines is None:
            lines = file.text.splitlines()
        hashes.append(line_hash(lines[finding.line - 1]) if finding.line <= len(lines) else "")
    return tuple(hashes)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def analyse(spec: WorkSpec, task: Task, *, limit: bool) -> Outcome:
    """Run one task; ``limit`` arms the SIGALRM time limit (main thread only)."""
    checker = spec.checkers[task.checker]
    start = time.perf_counter()
    try:
        result = _check(spec, task, limit)
    except FileTimeout:
        reason = timeout_reason(spec.timeouts[task.checker], checker.name)
        return _failed(task, TIMEOUT, reason, start)
    except FileChangedError as exc:  # edited or deleted during the run: not the checker's bug
        return _failed(task, CHANGED, f"not analysed: {exc}", start)
    except MemoryError:
        gc.collect()
        return _failed(task, MEMORY, memory_reason(spec.memory_limit, checker.name), start)
    except BaseException as exc:  # reported as a checker failure naming the file
        if not raised_by_checker(exc):
            raise
        return _failed(task, ERROR, f"{_one_line(exc)} (in {task.file.path})", start)
    return _encoded(task, result, start)


def _check(spec: WorkSpec, task: Task, limit: bool) -> object:
    """``check_file`` on the task's file, with the time limit armed when ``limit``."""
    if limit:
        signal.setitimer(signal.ITIMER_REAL, spec.timeouts[task.checker])
    try:
        return spec.checkers[task.checker].check_file(task.file, spec.options[task.checker])
    finally:
        if limit:
            signal.setitimer(signal.ITIMER_REAL, 0)


def _encoded(task: Task, result: object, start: float) -> Outcome:
    """A checker's result as the JSON text workers send and the cache stores."""
    if not isinstance(result, FileResult):
        kind = type(result).__name__
        reason = f"check_file returned {kind}, not FileResult (in {task.file.path})"
        return _failed(task, ERROR, reason, start)
    try:
        text = result.model_dump_json()
    except Exception as exc:  # non-JSON data breaks the cache contract
        reason = f"result is not JSON-serialisable: {_one_line(exc)} (in {task.file.path})"
        return _failed(task, ERROR, reason, start)
    try:
        hashes = snippet_hashes(task.file, result)
    except FileChangedError as exc:
        return _failed(task, CHANGED, f"not analysed: {exc}", start)
    return Outcome(task.id, OK, text, hashes, _since(start))


def _failed(task: Task, status: str, reason: str, start: float) -> Outcome:
    return Outcome(task.id, status, reason, (), _since(start))


def _since(start: float) -> float:
    return time.perf_counter() - start
