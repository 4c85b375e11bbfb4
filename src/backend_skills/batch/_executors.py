"""Where the repositories of a batch are scored: local worker processes, or a Dask
distributed cluster.

Both call :func:`._work.score_one` once per repository and hand each
:class:`~._work.RepoResult` to ``on_done`` as it arrives, so the summary is the same
whichever executor ran the work.

**Local** (default): a pool of ``workers`` processes, each scoring one repository at a
time with one process of its own (``jobs=1``): on small repositories most of the time is
start-up and per-repository overhead, which several repositories side by side hide
better than several processes per repository. A worker that dies (out of memory, killed)
costs only the repositories it was scoring: they are retried one at a time in a fresh
process, and one that kills its worker again is recorded as an error.

**Dask**: ``dask.distributed`` (the optional extra ``backend-skills[dask]``), imported
only on this path. Each repository is one task; the workers must have backend-skills
installed and see the repositories at the same paths (shared storage).
"""

from __future__ import annotations

import importlib
import multiprocessing
import tempfile
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path
from typing import Any

from backend_skills.core.pool import start_method

from ._targets import Target
from ._work import ERROR, Job, RepoResult, score_one

OnDone = Callable[[RepoResult], None]


class BatchError(Exception):
    """The batch cannot run at all (a usage or environment problem, exit 2)."""


def _died(job: Job, why: str) -> RepoResult:
    target = job.target
    return RepoResult(
        label=target.label,
        path=target.path,
        slug=target.slug,
        status=ERROR,
        error_kind="worker",
        error=why,
    )


def run_local(jobs: Sequence[Job], workers: int, on_done: OnDone) -> None:
    """Score ``jobs`` over ``workers`` local processes (in this process when 1)."""
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            on_done(score_one(job))
        return
    method = start_method()
    if method == "fork":
        warm_up(jobs[0])
    context = multiprocessing.get_context(method)
    broken: list[Job] = []
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context) as pool:
        futures: dict[Future[RepoResult], Job] = {pool.submit(score_one, job): job for job in jobs}
        for future in as_completed(futures):
            try:
                on_done(future.result())
            except BrokenProcessPool:
                broken.append(futures[future])
    # Each repository whose worker died, alone in a fresh process: the culprit dies again.
    for job in broken:
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as alone:
            try:
                on_done(alone.submit(score_one, job).result())
            except BrokenProcessPool:
                on_done(
                    _died(job, "the worker process died while scoring it (out of memory or killed)")
                )


def warm_up(job: Job) -> None:
    """Score a tiny synthetic repository here, so forked workers start with the checkers'
    libraries imported and initialised (about 2 s of CPU each on small repositories)
    instead of paying for it once per worker. Its result is discarded."""
    with tempfile.TemporaryDirectory(prefix="backend-skills-warm-") as folder:
        root = Path(folder)
        (root / "app.py").write_text(
            'import os\n\n\ndef handler(request):\n    """Serve."""\n'
            "    return os.system(request.args['c'])\n",
            encoding="utf-8",
        )
        (root / "schema.sql").write_text("create table t (id int primary key);\n", "utf-8")
        (root / "README.md").write_text("# warm-up\n", encoding="utf-8")
        target = Target(label="warm-up", path=str(root), slug="warm-up")
        score_one(replace(job, target=target, cache=False, config_file=None, isolated=True))


def run_dask(jobs: Sequence[Job], scheduler: Any, on_done: OnDone) -> None:
    """Score ``jobs`` on the Dask cluster at ``scheduler`` (an address or a ``Client``)."""
    try:
        distributed: Any = importlib.import_module("distributed")
    except ImportError:
        raise BatchError(
            "--executor dask needs Dask distributed: pip install 'backend-skills[dask]'"
        ) from None
    own = not isinstance(scheduler, distributed.Client)
    try:
        client = distributed.Client(scheduler, timeout="20s") if own else scheduler
    except (OSError, TimeoutError, ValueError) as exc:
        raise BatchError(f"cannot connect to the Dask scheduler at {scheduler}: {exc}") from None
    try:
        run_id = uuid.uuid4().hex[:8]
        keys = [f"backend-skills-{run_id}-{n}" for n in range(len(jobs))]
        futures = client.map(score_one, list(jobs), key=keys, pure=False, retries=0)
        by_key = dict(zip(keys, jobs, strict=True))
        for future in distributed.as_completed(futures):
            job = by_key[future.key]
            try:
                on_done(future.result())
            except Exception as exc:  # the task died with its worker (KilledWorker, ...)
                text = f"{type(exc).__name__}: {exc}".splitlines()[0]
                on_done(_died(job, f"the Dask task failed: {text}"))
    finally:
        if own:
            client.close()
