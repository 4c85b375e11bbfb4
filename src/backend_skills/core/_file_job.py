"""The file checkers of a run: each one's files, cache keys, per-file outcomes and
result (:class:`FileJob`), their preparation, the worker pool and their outcomes.

Part of the runner (:mod:`backend_skills.core.runner`), with the rules every result
follows on its way to the report and the cache: secrets masked in every message
(:func:`redact_result`), snippet hashes kept beside the cached JSON.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._assess import CheckerOutcome
from ._result_io import (
    dump_snippets,
    load_cached,
    load_check_result,
    load_file_result,
    redact_file_result,
    redact_result,
    restore_snippets,
)
from .cache import Entry, NewRow, ResultCache, code_stamp, file_key, repo_key
from .checker import CheckContext, Checker, FileChecker, FileResult
from .config import ConfigError, Settings
from .discovery import SourceFile
from .models import CheckerRun, CheckResult, Skip
from .pool import (
    DEFAULT_MEMORY_LIMIT,
    ERROR,
    LOST,
    OK,
    Outcome,
    Task,
    WorkSpec,
    memory_ceiling,
    raised_by_checker,
    run_tasks,
)
from .redact import redact_text

_log = logging.getLogger(__name__)

__all__ = [
    "Bounds",
    "FileJob",
    "TaskPool",
    "dump_snippets",
    "load_cached",
    "load_check_result",
    "load_file_result",
    "make_tasks",
    "one_line",
    "options_text",
    "prepare_file_jobs",
    "record_file_outcomes",
    "redact_file_result",
    "redact_result",
    "restore_snippets",
    "retry_failed_reduces",
    "split_bounds",
]


def one_line(exc: BaseException) -> str:
    """An exception as ``Type: first line of its message``."""
    text = str(exc).strip().splitlines()
    detail = text[0] if text else ""
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


#: Keys of a checker's config table that the runner reads itself, not the checker.
RUNNER_KEYS = ("timeout_s", "max_file_bytes")


@dataclass(frozen=True)
class Bounds:
    """The runner's limits for one file checker: seconds per file and bytes per file."""

    timeout_s: float
    max_file_bytes: int | None


def split_bounds(
    checker: Checker, table: Mapping[str, Any], settings: Settings, source: str
) -> tuple[dict[str, Any], Bounds]:
    """Take the runner's own keys out of a checker's table and validate them."""
    # A checker that declares a runner key in its own options sees the same value, so its
    # own check (when called directly) never disagrees with the runner's bound.
    own = set(checker.options_model.model_fields) if checker.options_model is not None else set()
    rest = {k: v for k, v in table.items() if k not in RUNNER_KEYS or k in own}
    timeout = table.get("timeout_s", settings.timeout_s)
    if not _positive_number(timeout):
        raise ConfigError(
            f"{source}: invalid value for 'checkers.{checker.name}.timeout_s':"
            " expected a number of seconds > 0"
        )
    limit = table.get("max_file_bytes", getattr(checker, "max_file_bytes", None))
    if limit is not None and not (_positive_number(limit) and isinstance(limit, int)):
        raise ConfigError(
            f"{source}: invalid value for 'checkers.{checker.name}.max_file_bytes':"
            " expected a whole number of bytes >= 1"
        )
    return rest, Bounds(float(timeout), limit)


def _positive_number(value: object) -> bool:
    """An int or float above 0 (a bool is not a number here)."""
    return not isinstance(value, bool) and isinstance(value, int | float) and value > 0


class FileJob:
    """One file checker during a run: its files, cache keys, outcomes and result."""

    def __init__(self, checker: FileChecker, ctx: CheckContext, version: str, bounds: Bounds):
        self.checker = checker
        self.ctx = ctx
        self.version = version
        self.bounds = bounds
        self.error: str | None = None
        self.options: dict[str, Any] = {}
        self.seconds = 0.0
        self.files: list[SourceFile] = []
        self.keys: dict[str, str] = {}
        self.results: dict[str, FileResult] = {}
        self.runner_skips: dict[str, str] = {}
        self.todo: list[SourceFile] = []
        self.whole_key: str | None = None
        self.transient = False
        """A file ran out of time or lost its worker: the result may differ next time."""
        self.lost: dict[str, str] = {}
        """Files not analysed for want of time or memory, or because their worker died:
        the result is partial, so the checker is reported failed (its findings kept)."""
        self.reduce_failed = False
        self.from_cache: set[str] = set()
        """Files whose result came from the cache (recomputed when ``reduce`` fails)."""

    def prepare(self, *, cache_on: bool) -> None:
        """``prepare`` and ``select``; size bounds; cache keys."""
        from backend_skills import __version__

        start = time.perf_counter()
        try:
            self.options = dict(self.checker.prepare(self.ctx))
            options_key = self.checker.options_key(self.options)
            selected = list(self.checker.select(self.ctx))
        except BaseException as exc:  # reported as a failed checker
            if not raised_by_checker(exc):
                raise
            self.seconds += time.perf_counter() - start
            if self.ctx.memo.distrust():  # a damaged stored fact? once more, recomputed
                self.prepare(cache_on=cache_on)
                return
            self.error = redact_text(one_line(exc))
            return
        stamp = code_stamp(self.checker) if cache_on else ""
        limit = self.bounds.max_file_bytes
        for file in selected:
            if limit is not None and file.size > limit:
                self.runner_skips[file.path] = (
                    f"larger than the {limit:,}-byte limit of {self.checker.name}"
                    f" ({file.size:,} bytes)"
                )
                continue
            self.files.append(file)
            if cache_on:
                self.keys[file.path] = file_key(
                    tool_version=__version__,
                    checker=self.checker.name,
                    checker_version=self.version,
                    code_stamp=stamp,
                    options_key=options_key,
                    path=file.path,
                    language=file.language,
                    role=file.role.value,
                    sha256=file.sha256,
                )
        self.todo = list(self.files)
        self.seconds += time.perf_counter() - start

    def use_cache(self, entries: Mapping[str, Entry], unreadable: list[str]) -> None:
        """Take the cached results; what is left in :attr:`todo` must be analysed."""
        todo = []
        for file in self.files:
            key = self.keys.get(file.path)
            entry = entries.get(key) if key is not None else None
            result = load_file_result(entry) if entry is not None else None
            if result is None:
                if entry is not None and key is not None:
                    unreadable.append(key)
                todo.append(file)
            else:
                self.results[file.path] = result
                self.from_cache.add(file.path)
        self.todo = todo

    def retry_cached(self) -> None:
        """Analyse again the files whose results came from the cache."""
        self.todo = [f for f in self.files if f.path in self.from_cache]
        for path in self.from_cache:
            self.results.pop(path, None)
        self.from_cache = set()
        self.error = None
        self.reduce_failed = False
        self.ctx.memo.distrust()

    def absorb(
        self, tasks: Sequence[Task], outcomes: Mapping[int, Outcome], rows: list[NewRow]
    ) -> None:
        """Take the outcomes of this job's tasks; queue new cache rows."""
        for task in tasks:
            outcome = outcomes.get(task.id)
            path = task.file.path
            if outcome is None:
                self.runner_skips[path] = "not analysed (worker error)"
                self.transient = True
                continue
            self.seconds += outcome.seconds
            if outcome.status == OK:
                row = self._absorb_result(path, outcome)
                rows.extend([row] if row is not None else [])
            elif outcome.status == ERROR:
                if self.error is None:
                    self.error = redact_text(outcome.payload)
            else:  # timeout, out of memory, the worker died, the file changed: this file only
                self.runner_skips[path] = outcome.payload
                self.transient = True
                if outcome.status in LOST:
                    self.lost[path] = outcome.payload

    def _absorb_result(self, path: str, outcome: Outcome) -> NewRow | None:
        """Keep a file's result (secrets masked); the cache row to write, if any."""
        result = FileResult.model_validate_json(outcome.payload)
        payload = outcome.payload
        redacted = redact_file_result(result)
        if redacted is not result:  # a message quoted a secret: never cached as is
            result, payload = redacted, redacted.model_dump_json()
        restore_snippets(result.findings, outcome.snippets)
        self.results[path] = result
        key = self.keys.get(path)
        if result.transient:  # e.g. a checker's own time budget: try again next run
            self.transient = True
            if result.skipped is not None:
                self.lost[path] = result.skipped
            return None
        if key is None:
            return None
        return NewRow(key, self.checker.name, payload, dump_snippets(outcome.snippets))

    def finish(self) -> CheckResult | None:
        """``reduce`` over every file's result, in selection order; None when failed."""
        if self.error is not None:
            return None
        start = time.perf_counter()
        ordered = {f.path: self.results[f.path] for f in self.files if f.path in self.results}
        try:
            result = redact_result(self.checker.reduce(self.ctx, ordered))
        except BaseException as exc:
            if not raised_by_checker(exc):
                raise
            self.error = redact_text(one_line(exc))
            self.reduce_failed = True
            return None
        finally:
            self.seconds += time.perf_counter() - start
        if self.runner_skips:
            result = result.model_copy(
                update={
                    "skipped": [
                        *result.skipped,
                        *(
                            Skip(path=path, reason=redact_text(why), checker=self.checker.name)
                            for path, why in sorted(self.runner_skips.items())
                        ),
                    ]
                }
            )
        return result


def lost_files_error(lost: Mapping[str, str]) -> str:
    """The one-line error of a checker that could not analyse some files."""
    first = min(lost)
    more = f" and {len(lost) - 1} more file(s), listed as skipped" if len(lost) > 1 else ""
    return redact_text(f"{first} not analysed: {lost[first]}{more}")


def use_file_cache(jobs: Sequence[FileJob], cache: ResultCache) -> None:
    """Answer per-file work from the cache, in one batched read for every checker."""
    keys = [k for job in jobs if job.error is None for k in job.keys.values()]
    entries = cache.get_many(keys)
    unreadable: list[str] = []
    for job in jobs:
        if job.error is None:
            job.use_cache(entries, unreadable)
    if unreadable:
        cache.invalidate(unreadable)


def make_tasks(
    active: Sequence[FileJob], memory_limit: int | None = DEFAULT_MEMORY_LIMIT
) -> tuple[WorkSpec, list[list[Task]]]:
    """What the workers need, and each job's tasks (ids unique across jobs)."""
    spec = WorkSpec(
        [job.checker for job in active],
        [job.options for job in active],
        [job.bounds.timeout_s for job in active],
        memory_limit,
    )
    tasks: list[list[Task]] = []
    next_id = 0
    for index, job in enumerate(active):
        tasks.append([Task(next_id + n, index, file) for n, file in enumerate(job.todo)])
        next_id += len(job.todo)
    return spec, tasks


def options_text(ctx: CheckContext, *extra: object) -> str:
    """Everything of the context besides the files that a checker's result may depend on."""
    return json.dumps(
        {
            "options": dict(ctx.options),
            "count_test_findings": ctx.count_test_findings,
            "criteria": sorted(getattr(ctx, "criteria", ()) or ()),
            "extra": list(extra),
        },
        sort_keys=True,
        default=str,
    )


def whole_key(job: FileJob) -> str | None:
    """The key of a file checker's whole result, from its ``cache_inputs``."""
    from backend_skills import __version__

    try:
        inputs = job.checker.cache_inputs(job.ctx)
    except Exception as exc:  # no key: the checker simply runs, uncached
        _log.debug("%s: cache_inputs raised %s; not cached", job.checker.name, one_line(exc))
        return None
    if inputs is None:
        return None
    return repo_key(
        tool_version=__version__,
        checker=job.checker.name,
        checker_version=job.version,
        code_stamp=code_stamp(job.checker),
        options_key=options_text(job.ctx, job.bounds.max_file_bytes),
        inputs=inputs,
    )


def record_file_outcomes(
    file_jobs: Sequence[FileJob],
    finished: Mapping[int, CheckResult | None],
    rows: list[NewRow],
    cache: ResultCache | None,
    outcomes: dict[str, CheckerOutcome],
) -> None:
    """Each file checker's outcome; its whole result and the new rows go to the cache."""
    for job in file_jobs:
        result = finished[id(job)]
        if result is not None and cache is not None:
            result = _keep_whole_result(job, result, rows)
        outcomes[job.checker.name] = _file_outcome(job, result)
    if cache is not None:
        cache.put_many(rows)


def prepare_file_jobs(
    file_jobs: list[FileJob],
    cache: ResultCache | None,
    outcomes: dict[str, CheckerOutcome],
    memory_limit: int | None,
) -> list[FileJob]:
    """``prepare`` every file checker the cache does not answer whole, and take the
    per-file results the cache holds; return the jobs left to run."""
    if cache is not None:
        file_jobs = _reuse_whole_results(file_jobs, cache, outcomes)
    for job in file_jobs:
        with memory_ceiling(memory_limit):
            job.prepare(cache_on=cache is not None)
    if cache is not None:
        use_file_cache(file_jobs, cache)
    return file_jobs


@dataclass(frozen=True)
class TaskPool:
    """How a run's per-file tasks go to worker processes."""

    jobs: int
    untrusted: list[str]
    cache: ResultCache | None
    memory_limit: int | None

    def run(
        self,
        spec: WorkSpec,
        tasks: Sequence[Sequence[Task]],
        on_done: Callable[[int], None] = lambda n: None,
        meanwhile: Callable[[], None] = lambda: None,
    ) -> dict[int, Outcome]:
        """Every job's tasks over the worker processes."""
        cache = self.cache
        return run_tasks(
            spec,
            [t for mine in tasks for t in mine],
            self.jobs,
            on_done=on_done,
            meanwhile=meanwhile,
            before_fork=cache.close if cache is not None else (lambda: None),
            untrusted=self.untrusted,
        )


def retry_failed_reduces(
    file_jobs: Sequence[FileJob],
    finished: dict[int, CheckResult | None],
    rows: list[NewRow],
    pool: TaskPool,
    cache: ResultCache,
) -> None:
    """A cached per-file result that pydantic accepts may still not be what the
    checker's reduce expects (a damaged or foreign row): never trusted, the files read
    from the cache are analysed again and reduce runs once more."""
    again = [
        job
        for job in file_jobs
        if job.reduce_failed and (job.from_cache or job.ctx.memo.distrust())
    ]
    if not again:
        return
    cache.invalidate([job.keys[p] for job in again for p in job.from_cache])
    for job in again:
        job.retry_cached()
    spec, tasks = make_tasks(again, pool.memory_limit)
    results = pool.run(spec, tasks)
    for job, mine in zip(again, tasks, strict=True):
        job.absorb(mine, results, rows)
        with memory_ceiling(pool.memory_limit):
            finished[id(job)] = job.finish()


def _reuse_whole_results(
    jobs: list[FileJob], cache: ResultCache, outcomes: dict[str, CheckerOutcome]
) -> list[FileJob]:
    """Answer file checkers whose inputs did not change from the cache, whole; return
    the jobs left to run."""
    start = time.perf_counter()
    for job in jobs:
        job.whole_key = whole_key(job)
    keys = [job.whole_key for job in jobs if job.whole_key is not None]
    entries = cache.get_many(keys)
    left = []
    for job in jobs:
        entry = entries.get(job.whole_key) if job.whole_key is not None else None
        result = load_check_result(entry) if entry is not None else None
        if result is None:
            left.append(job)
            continue
        job.seconds = time.perf_counter() - start
        outcomes[job.checker.name] = _file_outcome(job, result)
    return left


def _keep_whole_result(job: FileJob, result: CheckResult, rows: list[NewRow]) -> CheckResult:
    """Queue the whole result for the cache (unless a file ran out of time: that may
    differ next time); return it as a warm run will read it."""
    if job.whole_key is None or job.transient:
        return result
    try:
        value = result.model_dump_json()
    except Exception as exc:  # not serialisable: keep the live result, cache nothing
        _log.debug("%s: result not cached: %s", job.checker.name, one_line(exc))
        return result
    extra = dump_snippets([f.snippet_hash for f in result.findings])
    reloaded = load_check_result(Entry(value, extra))
    if reloaded is None:
        return result
    rows.append(NewRow(job.whole_key, job.checker.name, value, extra))
    return reloaded


def _file_outcome(job: FileJob, result: CheckResult | None) -> CheckerOutcome:
    if result is None:
        return CheckerOutcome(
            CheckerRun(
                name=job.checker.name,
                version=job.version,
                status="failed",
                duration_s=round(job.seconds, 3),
                files=0,
                error=job.error,
            ),
            None,
        )
    if job.lost:
        # A file not analysed for time or memory, or whose worker died, would otherwise
        # make the score better than analysing it: the checker's findings on the other
        # files are kept and shown, but the criteria it feeds are not assessed.
        return CheckerOutcome(
            CheckerRun(
                name=job.checker.name,
                version=job.version,
                status="failed",
                duration_s=round(job.seconds, 3),
                files=result.files,
                error=lost_files_error(job.lost),
                notes=list(result.notes),
            ),
            result,
        )
    return CheckerOutcome(
        CheckerRun(
            name=job.checker.name,
            version=job.version,
            status="ok",
            duration_s=round(job.seconds, 3),
            files=result.files,
            notes=list(result.notes),
        ),
        result,
    )
