"""Per-file work, in this process or spread over worker processes, with time limits.

The runner turns every (file checker, file) pair that the cache does not answer into a
:class:`Task`. :func:`run_tasks` runs them:

- ``jobs == 1`` (or a single task): in this process, one after another (debuggers and
  tests use this path);
- otherwise on a :class:`~concurrent.futures.ProcessPoolExecutor` (never threads: the
  tools keep per-process global state). Tasks go in chunks, largest files first, so the
  pool stays busy to the end with little inter-process traffic. Workers receive the
  file's text with the task and never read the disk.

Every ``check_file`` call runs under a time limit: ``SIGALRM`` interrupts it after
``timeout_s`` (the file is then reported skipped with the reason, and the checker's other
files are unaffected). In a worker, a hard limit backs it up for code that does not
return to the interpreter (a long C call): ``faulthandler`` ends the worker after
1.5 x the limit + 1 s; the pool notices, the files in flight are retried one at a time,
and the one that kills its worker again is reported skipped. The time limit needs
``SIGALRM`` (POSIX) and, in this process, the main thread; without them files run
without a limit.

Results cross process boundaries as JSON text (``FileResult.model_dump_json``), the very
text the cache stores, so a cold run, a warm run and a serial run give ``reduce``
identical input.
"""

from __future__ import annotations

import contextlib
import faulthandler
import gc
import os
import signal
import sys
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, Final

from ._limits import (
    DEFAULT_MEMORY_LIMIT,
    MEMORY_LIMIT_ENV,
    FileTimeout,
    _on_alarm,
    alarm_handler,
    can_limit_here,
    interrupt_guard,
    limit_memory,
    memory_ceiling,
    memory_limit_from_env,
    memory_reason,
    raised_by_checker,
    timeout_reason,
)
from ._task import (
    CHANGED,
    DIED,
    ERROR,
    LOST,
    MEMORY,
    OK,
    TIMEOUT,
    Outcome,
    Task,
    WorkSpec,
    _one_line,
    analyse,
    line_hash,
    snippet_hashes,
)
from .safepath import safe_worker_start

if TYPE_CHECKING:  # multiprocessing and the executor: imported when a pool starts (5 ms)
    from concurrent.futures import Future, ProcessPoolExecutor

#: Overrides the start method of worker processes (``fork``, ``forkserver``, ``spawn``).
START_METHOD_ENV: Final = "BACKEND_SKILLS_START_METHOD"

#: Rounds of pool restarts before the remaining files are given up.
_MAX_ROUNDS = 6
#: Chunks per worker the work is cut into (more: better balance, more traffic).
_CHUNKS_PER_WORKER = 16
_MAX_CHUNK_FILES = 64
#: Garbage collector thresholds in workers (the default is 700, 10, 10).
_WORKER_GC_THRESHOLDS = (50_000, 20, 20)


# --------------------------------------------------------------------------- workers

_worker_spec: WorkSpec | None = None
_worker_slots: Any = None
_worker_slot = 0
_worker_devnull: IO[str] | None = None
_inherited: Mapping[int, Task] = {}
"""With ``fork``, the tasks of the round, set just before the workers are forked: chunks
then name task ids only and the files' texts are shared, not pickled through pipes."""


def _init_worker(spec: WorkSpec, slots: Any, counter: Any) -> None:
    global _worker_spec, _worker_slots, _worker_slot, _worker_devnull
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    signal.signal(signal.SIGALRM, _on_alarm)
    # A crash is reported by the pool (the file is retried alone, then skipped with the
    # signal): no fatal-error traceback from a parent's faulthandler into the user's log.
    faulthandler.disable()
    # What a forked worker inherits (the parent's files, models, modules) lives as long
    # as the worker: keep the collector from scanning it again and again, and from
    # writing to (so copying) the pages it shares with the parent. Parsing allocates
    # many short-lived objects: fewer young collections made bandit + our analyses
    # 12% faster on Django for about 70 MiB more peak memory per worker.
    gc.freeze()
    gc.set_threshold(*_WORKER_GC_THRESHOLDS)
    _worker_spec = spec
    _worker_slots = slots
    with counter.get_lock():
        _worker_slot = counter.value
        counter.value += 1
    _worker_devnull = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the worker
    # The memory ceiling holds for the worker's whole life (it exits with the pool).
    limit_memory(spec.memory_limit)


def _work_chunk(items: Sequence[Task | int]) -> list[Outcome]:
    spec = _worker_spec
    devnull = _worker_devnull
    if spec is None or devnull is None:
        raise RuntimeError("worker not initialised")
    outcomes = []
    for item in items:
        task = _inherited[item] if isinstance(item, int) else item
        _worker_slots[_worker_slot] = task.id
        hard = spec.timeouts[task.checker] * 1.5 + 1.0
        faulthandler.dump_traceback_later(hard, exit=True, file=devnull)
        try:
            outcomes.append(analyse(spec, task, limit=True))
        finally:
            faulthandler.cancel_dump_traceback_later()
            _worker_slots[_worker_slot] = -1
    return outcomes


# ------------------------------------------------------------------------ the driver


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def start_method() -> str:
    """How worker processes start: ``BACKEND_SKILLS_START_METHOD`` when set, else
    ``fork`` on POSIX systems but macOS, else ``spawn``.

    ``fork`` is the fastest, needs nothing to be picklable and never re-runs the
    caller's ``__main__`` (``spawn`` and ``forkserver`` do, which breaks scripts without
    a main guard and code read from standard input). Its known risk, a lock held by
    another thread of the parent at the moment of the fork (a long-lived process that
    ran sqlfluff keeps tqdm's monitor thread), is bounded: workers run only checker
    code, and a worker stuck on such a lock is ended by the hard time limit like any
    other stuck worker.
    """
    import multiprocessing

    available = multiprocessing.get_all_start_methods()
    wanted = os.environ.get(START_METHOD_ENV, "").strip()
    if wanted in available:
        return wanted
    if "fork" in available and sys.platform != "darwin":
        return "fork"
    return "spawn"


def _main_is_importable() -> bool:
    """Whether ``spawn``/``forkserver`` children can re-import ``__main__`` (they must)."""
    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__spec__", None) is not None:
        return True
    path = getattr(main, "__file__", None)
    return path is None or os.path.isfile(path)


def chunked(tasks: Sequence[Task], workers: int) -> list[list[Task]]:
    """Tasks in chunks of similar size, largest files first.

    The tasks of one file (one per checker) stay together in one chunk, so one worker
    handles them one after the other and per-process memos (a parsed tree) are reused.
    With fewer than two files per worker (a re-run after a small change), every task is
    a chunk of its own instead, so that one file's checkers run side by side.
    """
    ordered = sorted(tasks, key=lambda t: (-t.file.size, t.file.path, t.checker))
    if len({t.file.path for t in ordered}) < 2 * workers:
        return [[task] for task in ordered]
    total = sum(t.file.size for t in ordered)
    target = max(total // max(workers * _CHUNKS_PER_WORKER, 1), 1)
    chunks: list[list[Task]] = []
    current: list[Task] = []
    size = 0
    for task in ordered:
        if _ends_chunk(current, size, target, task):
            chunks.append(current)
            current, size = [], 0
        current.append(task)
        size += task.file.size
    if current:
        chunks.append(current)
    return chunks


def _ends_chunk(current: Sequence[Task], size: int, target: int, task: Task) -> bool:
    """Whether ``task`` starts a new chunk: the current one is full (in bytes or files)
    and ``task`` belongs to another file."""
    if not current or task.file.path == current[-1].file.path:
        return False
    return size >= target or len(current) >= _MAX_CHUNK_FILES


class PoolUnavailable(Exception):
    """Worker processes could not be started (the runner falls back to this process)."""


def run_tasks(
    spec: WorkSpec,
    tasks: Sequence[Task],
    jobs: int,
    *,
    on_done: Callable[[int], None] = lambda n: None,
    meanwhile: Callable[[], None] = lambda: None,
    before_fork: Callable[[], None] = lambda: None,
    untrusted: Sequence[str] = (),
) -> dict[int, Outcome]:
    """Run ``tasks``; return the outcome of each by task id.

    ``untrusted``: folders (the scored root) no worker may import from, whatever the
    start method (see :mod:`backend_skills.core.safepath`).

    ``meanwhile`` runs in this process while the workers are busy (repository checkers);
    ``on_done(n)`` is called as files finish (progress; it may be called from another
    thread); ``before_fork`` runs just before worker processes are started (close files
    and connections that must not be shared with children).
    """
    jobs = min(jobs, default_jobs())  # never more workers than cores, whoever asked
    if jobs <= 1 or len(tasks) <= 1:
        meanwhile()
        return _run_here(spec, tasks, on_done)
    before_fork()
    try:
        with safe_worker_start(untrusted):
            return _run_pool(spec, tasks, jobs, on_done, meanwhile)
    except PoolUnavailable:  # raised before anything ran: do it all here
        meanwhile()
        return _run_here(spec, tasks, on_done)


def _run_here(
    spec: WorkSpec, tasks: Sequence[Task], on_done: Callable[[int], None]
) -> dict[int, Outcome]:
    outcomes: dict[int, Outcome] = {}
    with alarm_handler() as limit:
        for task in tasks:
            with memory_ceiling(spec.memory_limit):
                outcomes[task.id] = analyse(spec, task, limit=limit)
            on_done(1)
    return outcomes


def _run_pool(
    spec: WorkSpec,
    tasks: Sequence[Task],
    jobs: int,
    on_done: Callable[[int], None],
    meanwhile: Callable[[], None],
) -> dict[int, Outcome]:
    run = _PoolRun(spec, on_done, meanwhile, queue=list(tasks))
    for _ in range(_MAX_ROUNDS):
        if run.queue:
            run.pool_round(jobs)
        elif run.alone:
            run.retry_alone()
        else:
            break
    return run.finish()


@dataclass
class _PoolRun:
    """The rounds of one :func:`run_tasks`: pools over the queue, restarted when a worker
    dies; the files that were in flight then are retried alone."""

    spec: WorkSpec
    on_done: Callable[[int], None]
    meanwhile: Callable[[], None] | None
    """Until the first pool ran (it runs while that pool works), then None."""
    queue: list[Task] = field(default_factory=list)
    alone: list[Task] = field(default_factory=list)
    """Tasks in flight when a worker died: each is retried in a pool of its own."""
    outcomes: dict[int, Outcome] = field(default_factory=dict)

    def pool_round(self, jobs: int) -> None:
        workers = min(jobs, len(self.queue))
        try:
            done, failed, inflight = _round(
                self.spec, self.queue, workers, self.on_done, self.meanwhile
            )
        except PoolUnavailable:
            if self.meanwhile is not None:
                raise  # nothing ran yet: the caller runs everything here
            self.outcomes.update(_run_here(self.spec, self.queue, self.on_done))
            self.queue = []
            return
        self.meanwhile = None
        self.outcomes.update(done)
        self.queue = [t for t in failed if t.id not in inflight]
        self.alone += [t for t in failed if t.id in inflight]

    def retry_alone(self) -> None:
        """Files that were in flight when a worker died: one at a time, alone."""
        suspects, self.alone = self.alone, []
        self.outcomes.update(_retry_alone(self.spec, suspects, self.on_done))

    def finish(self) -> dict[int, Outcome]:
        if self.meanwhile is not None:
            self.meanwhile()
        for task in [*self.queue, *self.alone]:
            self.outcomes.setdefault(
                task.id,
                Outcome(task.id, DIED, "worker processes kept dying; file not analysed"),
            )
        return self.outcomes


def _retry_alone(
    spec: WorkSpec, suspects: Sequence[Task], on_done: Callable[[int], None]
) -> dict[int, Outcome]:
    """Each task in a pool of its own: one that kills its worker again is skipped."""
    outcomes: dict[int, Outcome] = {}
    for task in suspects:
        started = time.perf_counter()
        try:
            done, failed, _ = _round(spec, [task], 1, on_done, None)
        except PoolUnavailable:  # never retried here: it may take the process down
            done, failed = {}, [task]
        outcomes.update(done)
        if failed:
            hard = spec.timeouts[task.checker] * 1.5 + 1.0
            how = _death(_last_exitcodes, time.perf_counter() - started >= hard, hard)
            outcomes[task.id] = Outcome(
                task.id,
                DIED,
                f"worker process died ({how}) while checking it with"
                f" {spec.checkers[task.checker].name}",
            )
            on_done(1)
    return outcomes


def _death(exitcodes: Sequence[int], out_of_time: bool, hard: float) -> str:
    """How a worker died, from its exit code."""
    if out_of_time:
        return f"over the {hard:g} s hard time limit"
    code = next((c for c in exitcodes if c not in (0, -signal.SIGTERM)), None)
    if code is None:
        return "crashed"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = "unknown"
        hint = ", out of memory?" if -code == signal.SIGKILL else ""
        return f"signal {-code}: {name}{hint}"
    return f"exit code {code}"


_last_exitcodes: list[int] = []
"""Exit codes of the workers of the last pool that broke (set by :func:`_round_with`)."""


def _round(
    spec: WorkSpec,
    tasks: Sequence[Task],
    workers: int,
    on_done: Callable[[int], None],
    meanwhile: Callable[[], None] | None,
) -> tuple[dict[int, Outcome], list[Task], set[int]]:
    """One pool: returns the outcomes, the tasks lost to a broken pool, and the ids of
    the tasks that were in flight when it broke. Raises :class:`PoolUnavailable` when
    no worker can be started (with ``spawn``: the checkers cannot be pickled, or
    ``__main__`` cannot be re-imported); the caller then runs the tasks here.
    """
    method = start_method()
    if method != "fork" and not _main_is_importable():
        raise PoolUnavailable(f"{method} cannot re-import __main__")
    return _round_with(method, spec, tasks, workers, on_done, meanwhile)


def _round_with(
    method: str,
    spec: WorkSpec,
    tasks: Sequence[Task],
    workers: int,
    on_done: Callable[[int], None],
    meanwhile: Callable[[], None] | None,
) -> tuple[dict[int, Outcome], list[Task], set[int]]:
    global _inherited
    inherit = method == "fork"
    executor, slots = _start_pool(method, spec, workers)
    if inherit:
        _inherited = {t.id: t for t in tasks}
    try:
        futures = _submit(executor, tasks, workers, inherit, on_done)
        failed = _unsubmitted(tasks, futures)
        if meanwhile is not None:
            meanwhile()
        outcomes = _collect(futures, failed)
        inflight = _in_flight(slots) if failed else set()
    except BaseException:
        _terminate(executor)
        raise
    finally:
        processes = list((getattr(executor, "_processes", None) or {}).values())
        executor.shutdown(wait=True, cancel_futures=True)
        _inherited = {}
    if failed:
        _last_exitcodes[:] = _exitcodes(processes)
    return outcomes, failed, inflight


def _start_pool(method: str, spec: WorkSpec, workers: int) -> tuple[ProcessPoolExecutor, Any]:
    """A process pool started with ``method``, and the shared array in which each worker
    writes the id of the task it is running (-1: none). :class:`PoolUnavailable` when
    the operating system refuses."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context(method)
    try:
        slots = context.Array("q", [-1] * workers, lock=False)
        counter = context.Value("i", 0)
        executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(spec, slots, counter),
        )
    except (OSError, ValueError) as exc:
        raise PoolUnavailable(_one_line(exc)) from exc
    return executor, slots


def _unsubmitted(
    tasks: Sequence[Task], futures: Mapping[Future[list[Outcome]], list[Task]]
) -> list[Task]:
    """The tasks a pool that broke while they were submitted never took."""
    submitted = {t.id for chunk in futures.values() for t in chunk}
    return [t for t in tasks if t.id not in submitted]


def _in_flight(slots: Any) -> set[int]:
    """The ids of the tasks the workers were running (from their shared slots)."""
    return {int(v) for v in slots if v >= 0}


def _exitcodes(processes: Sequence[Any]) -> list[int]:
    return [p.exitcode for p in processes if isinstance(getattr(p, "exitcode", None), int)]


def _submit(
    executor: ProcessPoolExecutor,
    tasks: Sequence[Task],
    workers: int,
    inherit: bool,
    on_done: Callable[[int], None],
) -> dict[Future[list[Outcome]], list[Task]]:
    """Submit every chunk; the futures with their tasks. A pool that breaks while
    submitting keeps what it took (the caller retries the rest)."""
    from concurrent.futures.process import BrokenProcessPool

    futures: dict[Future[list[Outcome]], list[Task]] = {}
    try:
        with warnings.catch_warnings():
            # Python 3.12+ warns when forking a process that has other threads; see
            # start_method() for why that is acceptable here.
            warnings.filterwarnings("ignore", ".*fork.*deadlock", DeprecationWarning)
            for chunk in chunked(tasks, workers):
                payload: list[Task] | list[int] = [t.id for t in chunk] if inherit else chunk
                future = executor.submit(_work_chunk, payload)
                futures[future] = chunk
                future.add_done_callback(_progress_callback(on_done, len(chunk)))
    except BrokenProcessPool:
        pass  # the futures already submitted say so
    except Exception as exc:  # e.g. the spec cannot be pickled for spawn
        if not futures:
            raise PoolUnavailable(_one_line(exc)) from exc
    return futures


def _collect(
    futures: Mapping[Future[list[Outcome]], list[Task]], failed: list[Task]
) -> dict[int, Outcome]:
    """Wait for every chunk; tasks lost to a broken pool go to ``failed``."""
    from concurrent.futures import as_completed
    from concurrent.futures.process import BrokenProcessPool

    outcomes: dict[int, Outcome] = {}
    for future in as_completed(futures):
        try:
            for outcome in future.result():
                outcomes[outcome.id] = outcome
        except BrokenProcessPool:
            failed.extend(futures[future])
        except Exception as exc:  # the chunk could not be sent or its result read
            for task in futures[future]:
                outcomes[task.id] = Outcome(
                    task.id, ERROR, f"worker error: {_one_line(exc)} (in {task.file.path})"
                )
    return outcomes


def _progress_callback(
    on_done: Callable[[int], None], count: int
) -> Callable[[Future[list[Outcome]]], None]:
    def callback(future: Future[list[Outcome]]) -> None:
        if not future.cancelled() and future.exception() is None:
            on_done(count)

    return callback


def _terminate(executor: ProcessPoolExecutor) -> None:
    """Stop the workers now (Ctrl-C): they ignore SIGINT and would finish their chunk."""
    processes = getattr(executor, "_processes", None) or {}
    for process in list(processes.values()):
        with contextlib.suppress(Exception):
            process.terminate()


__all__ = [
    "CHANGED",
    "DEFAULT_MEMORY_LIMIT",
    "DIED",
    "ERROR",
    "LOST",
    "MEMORY",
    "MEMORY_LIMIT_ENV",
    "OK",
    "START_METHOD_ENV",
    "TIMEOUT",
    "FileTimeout",
    "Outcome",
    "PoolUnavailable",
    "Task",
    "WorkSpec",
    "analyse",
    "can_limit_here",
    "chunked",
    "default_jobs",
    "interrupt_guard",
    "limit_memory",
    "line_hash",
    "memory_ceiling",
    "memory_limit_from_env",
    "memory_reason",
    "raised_by_checker",
    "run_tasks",
    "snippet_hashes",
    "start_method",
    "timeout_reason",
]
