"""The batch driver: score every target, write each report as it arrives, then the
summaries."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backend_skills.core.pool import default_jobs
from backend_skills.core.progress import interactive

from ._executors import BatchError, run_dask, run_local
from ._summary import (
    Gates,
    repo_gate_failures,
    summary_gate_failures,
    to_csv,
    to_html,
    to_json,
    write_text,
)
from ._targets import Target
from ._work import COMPLETE, Job, RepoResult

#: Exit codes, as for ``backend-skills score``.
EXIT_OK, EXIT_GATE, EXIT_INCOMPLETE = 0, 1, 3


@dataclass
class BatchResult:
    """What a batch produced: one result per target (in the order given) and the files."""

    results: list[RepoResult]
    summary_failures: list[str]
    files: dict[str, Path] = field(default_factory=dict)
    duration_s: float = 0.0

    @property
    def not_complete(self) -> list[RepoResult]:
        """Repositories not scored, or whose report is incomplete."""
        return [r for r in self.results if r.status != COMPLETE]

    @property
    def gate_failed(self) -> bool:
        """Whether a repository or the summary failed a threshold."""
        return bool(self.summary_failures) or any(r.gate_failures for r in self.results)

    def exit_code(self) -> int:
        """3 when a repository was not scored or is incomplete, else 1 when a threshold
        failed, else 0."""
        if self.not_complete:
            return EXIT_INCOMPLETE
        return EXIT_GATE if self.gate_failed else EXIT_OK


class _Progress:
    """``scored alice ━━━━ 12/20 0:00:31`` on standard error, when interactive.

    The display starts with the first finished repository, so its refresh thread never
    exists while local workers are being forked.
    """

    def __init__(self, total: int, enabled: bool) -> None:
        self._lock = threading.Lock()
        self._total = total
        self._enabled = enabled
        self._progress: Any = None
        self._task: Any = None

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        self._progress = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task = self._progress.add_task("scoring repositories", total=self._total)
        self._progress.start()

    def advance(self, label: str) -> None:
        with self._lock:
            if not self._enabled:
                return
            if self._progress is None:
                self._start()
            self._progress.update(self._task, advance=1, description=f"scored {label[:30]}")

    def close(self) -> None:
        with self._lock:
            self._enabled = False
            if self._progress is not None:
                self._progress.stop()
                self._progress = None


def report_names(slug: str, formats: Sequence[str], suffixes: Mapping[str, str]) -> dict[str, str]:
    """Report file name per format: ``SLUG.html``; ``SLUG.FORMAT.json`` when two formats
    share a suffix."""
    names: dict[str, str] = {}
    for name in formats:
        suffix = suffixes.get(name, ".txt")
        shared = sum(1 for other in formats if suffixes.get(other, ".txt") == suffix) > 1
        names[name] = f"{slug}.{name}{suffix}" if shared else f"{slug}{suffix}"
    return names


def _check_format_options(
    loaded: Any, formats: Sequence[str], options: Mapping[str, str], verbose: int
) -> None:
    """Render an empty report (every rubric skill, nothing scored) in each format once, so
    a bad ``--format-option`` is one usage error rather than the same error recorded for
    every repository."""
    from backend_skills.core.checker import RenderOptions
    from backend_skills.core.models import Report, SkillResult, Stats, ToolInfo

    empty = Report(
        tool=ToolInfo(name="backend-skills", version="0"),
        rubric_version="0",
        root="",
        score=None,
        level=None,
        complete=True,
        skills=[
            SkillResult(
                id=skill.id,
                name=skill.name,
                score=None,
                level=None,
                applicable=False,
                assessed=True,
                weight=skill.weight,
                criteria=[],
            )
            for skill in {s.id: s for r in loaded.rubrics for s in r.skills}.values()
        ],
        findings=[],
        checkers=[],
        skipped=[],
        stats=Stats(files=0, lines={}, duration_s=0.0),
    )
    for name in formats:
        problem = _format_problem(
            loaded.reporters[name], empty, RenderOptions(verbose=verbose, extra=dict(options))
        )
        if problem is not None:
            raise BatchError(f"--format {name}: {problem}")


def _format_problem(reporter: Any, report: Any, options: Any) -> str | None:
    """The format-option error ``reporter`` raises on ``report``, if any.

    A plugin format that cannot render an empty report for another reason is not judged
    here: each repository's own rendering records what goes wrong with it.
    """
    from backend_skills.reporters._common import FormatOptionError

    try:
        reporter.render(report, options)
    except FormatOptionError as exc:
        return str(exc)
    except Exception:  # judged per repository instead, see the docstring
        return None
    return None


def _validate(
    loaded: Any, formats: Sequence[str], gates: Gates, options: Mapping[str, str], verbose: int
) -> None:
    """Usage errors before anything is scored: unknown formats, gated skills, options."""
    unknown = [f for f in formats if f not in loaded.reporters]
    if unknown:
        known = ", ".join(sorted(loaded.reporters)) or "none"
        raise BatchError(f"unknown format {unknown[0]!r} (available: {known})")
    rubric_skills = {s.id for r in loaded.rubrics for s in r.skills}
    unknown_gates = sorted(set(gates.skills) - rubric_skills)
    if unknown_gates:
        raise BatchError(f"--fail-under: unknown skill {unknown_gates[0]!r}")
    _check_format_options(loaded, formats, options, verbose)


def _execute(
    executor: str, jobs: Sequence[Job], workers: int | None, scheduler: Any, done: Any
) -> None:
    if executor == "dask":
        if scheduler is None:
            raise BatchError("--executor dask needs --scheduler ADDRESS")
        run_dask(jobs, scheduler, done)
    elif executor == "local":
        run_local(jobs, workers or default_jobs(), done)
    else:
        raise BatchError(f"unknown executor {executor!r} (local or dask)")


def _write_summaries(
    out_dir: Path,
    results: Sequence[RepoResult],
    gates: Gates,
    failures: Sequence[str],
    title: str,
    duration: float,
) -> dict[str, Path]:
    from backend_skills import __version__

    files = {
        "csv": out_dir / "summary.csv",
        "json": out_dir / "summary.json",
        "html": out_dir / "index.html",
    }
    tool = {"name": "backend-skills", "version": __version__}
    write_text(files["csv"], to_csv(results, gates))
    write_text(files["json"], to_json(results, gates, failures, tool, duration))
    write_text(files["html"], to_html(results, gates, failures, title))
    return files


def run_batch(
    targets: Sequence[Target],
    out_dir: Path,
    *,
    formats: Sequence[str] = ("html", "json"),
    format_options: Mapping[str, str] | None = None,
    verbose: int = 0,
    config_file: Path | None = None,
    isolated: bool = False,
    skills: Iterable[str] = (),
    exclude: Iterable[str] = (),
    disable_plugins: Iterable[str] = (),
    workers: int | None = None,
    repo_jobs: int = 1,
    cache: bool = True,
    cache_dir: str | None = None,
    executor: str = "local",
    scheduler: Any = None,
    gates: Gates | None = None,
    plugins: Iterable[object] = (),
    progress: bool = False,
    title: str = "backend-skills batch",
) -> BatchResult:
    """Score ``targets``; write their reports under ``out_dir/reports`` and the summaries.

    ``executor`` is ``local`` (``workers`` processes, default: the number of cores) or
    ``dask`` (``scheduler``: an address or a ``distributed.Client``). Per-repository
    failures are recorded in the results; :class:`BatchError` means nothing could run.
    """
    from backend_skills.core.plugins import load_plugins

    started = time.perf_counter()
    gates = gates or Gates()
    extra_plugins = tuple(plugins)
    loaded = load_plugins(disable=disable_plugins, extra=extra_plugins)
    _validate(loaded, formats, gates, format_options or {}, verbose)
    suffixes = {name: reporter.suffix for name, reporter in loaded.reporters.items()}
    jobs = [
        Job(
            target=target,
            formats=tuple(formats),
            format_options=tuple(sorted((format_options or {}).items())),
            verbose=verbose,
            config_file=str(config_file.resolve()) if config_file else None,
            isolated=isolated,
            skills=tuple(skills),
            exclude=tuple(exclude),
            disable_plugins=tuple(disable_plugins),
            jobs=repo_jobs,
            cache=cache,
            cache_dir=cache_dir,
            plugins=extra_plugins,
        )
        for target in targets
    ]
    out_dir = Path(out_dir)
    reports_dir = out_dir / "reports"
    by_slug: dict[str, RepoResult] = {}
    bar = _Progress(len(jobs), progress and interactive())

    def done(result: RepoResult) -> None:
        names = report_names(result.slug, formats, suffixes)
        for name, text in result.rendered.items():
            write_text(reports_dir / names[name], text)
            result.reports[name] = f"reports/{names[name]}"
        result.rendered = {}
        result.gate_failures = repo_gate_failures(result, gates)
        by_slug[result.slug] = result
        bar.advance(result.label)

    try:
        _execute(executor, jobs, workers, scheduler, done)
    finally:
        bar.close()
    results = [by_slug[t.slug] for t in targets if t.slug in by_slug]
    failures = summary_gate_failures(results, gates)
    duration = time.perf_counter() - started
    files = _write_summaries(out_dir, results, gates, failures, title, duration)
    return BatchResult(results=results, summary_failures=failures, files=files, duration_s=duration)
