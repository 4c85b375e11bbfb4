"""Scoring one repository of a batch: what a worker (a local process or a Dask worker)
receives and returns.

:func:`score_one` never raises: a missing folder, invalid configuration or an internal
error becomes a :class:`RepoResult` with ``status="error"``; a checker that fails makes
the report incomplete as in ``backend-skills score``. The reports are rendered where the
repository is (the HTML report reads code excerpts from it) and sent back as text, so
the same summary is written whichever executor ran the work.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backend_skills.core.checker import RenderOptions
from backend_skills.core.config import ConfigError, resolve_settings
from backend_skills.core.models import Report
from backend_skills.core.plugins import Plugins, load_plugins

from ._targets import Target

#: Status of a repository in the summary.
COMPLETE = "complete"
INCOMPLETE = "incomplete"
ERROR = "error"


@dataclass(frozen=True)
class Job:
    """Everything a worker needs to score one repository (picklable)."""

    target: Target
    formats: tuple[str, ...] = ("json",)
    format_options: tuple[tuple[str, str], ...] = ()
    verbose: int = 0
    config_file: str | None = None
    isolated: bool = False
    skills: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    disable_plugins: tuple[str, ...] = ()
    jobs: int = 1
    cache: bool = True
    cache_dir: str | None = None
    plugins: tuple[object, ...] = ()


@dataclass(frozen=True)
class SkillRow:
    """One skill of one repository, as the summaries show it."""

    id: str
    name: str
    score: float | None
    level: str | None
    applicable: bool
    coverage: float | None = None


@dataclass
class RepoResult:
    """The outcome for one repository."""

    label: str
    path: str
    slug: str
    status: str
    error_kind: str | None = None
    """``missing``, ``config``, ``crash`` or ``worker`` when ``status`` is ``error``."""
    error: str | None = None
    commit: str | None = None
    score: float | None = None
    level: str | None = None
    complete: bool = False
    skills: list[SkillRow] = field(default_factory=list)
    coverage: float | None = None
    findings: int = 0
    counted_findings: int = 0
    duration_s: float = 0.0
    warnings: list[str] = field(default_factory=list)
    rendered: dict[str, str] = field(default_factory=dict)
    reports: dict[str, str] = field(default_factory=dict)
    """Format -> report file, relative to the output folder (set by the client)."""
    gate_failures: list[str] = field(default_factory=list)


def read_commit(root: Path) -> str | None:
    """The commit ``HEAD`` points to, through the git checker's hardened invocation
    (no hooks, no repository-configured programs); None without git or history."""
    if not os.path.lexists(root / ".git"):
        return None
    from backend_skills.checkers.git import GitError, run_git

    try:
        text = run_git(root, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], 10.0)
    except GitError:
        return None
    value = text.strip()
    return value if value and all(c in "0123456789abcdef" for c in value) else None


_plugins_cache: dict[tuple[Any, ...], Plugins] = {}
_plugins_lock = threading.Lock()
#: Scoring runs one at a time per process: bandit keeps state in module globals, so
#: threads of one Dask worker must not score side by side (local workers are processes).
_score_lock = threading.Lock()


def _plugins(job: Job, disable: tuple[str, ...]) -> Plugins:
    key = (disable, tuple(type(p).__qualname__ for p in job.plugins))
    with _plugins_lock:
        loaded = _plugins_cache.get(key)
        if loaded is None:
            loaded = load_plugins(disable=disable, extra=job.plugins)
            _plugins_cache[key] = loaded
        return loaded


def _one_line(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _cache_dir(setting: str | None) -> str | None:
    """``--cache-dir`` with ``{host}`` replaced by this machine's name."""
    if setting is None:
        return None
    return setting.replace("{host}", socket.gethostname() or "host")


def score_one(job: Job) -> RepoResult:
    """Score ``job.target``; errors are recorded in the result, never raised."""
    started = time.perf_counter()
    target = job.target
    result = RepoResult(label=target.label, path=target.path, slug=target.slug, status=ERROR)
    root = Path(target.path)
    try:
        if not root.is_dir():
            result.error_kind = "missing"
            result.error = (
                f"{target.path}: not a folder" if root.exists() else f"{target.path}: not found"
            )
            return result
        result.commit = read_commit(root)
        with _score_lock:
            report, plugins = _score(job, root, result)
        _fill(result, report)
        _render(job, plugins, report, result)
    except ConfigError as exc:
        result.status, result.error_kind, result.error = ERROR, "config", str(exc)
    except FileNotFoundError as exc:
        result.status, result.error_kind, result.error = ERROR, "missing", _one_line(exc)
    except Exception as exc:  # one repository's failure must not stop the batch
        result.status, result.error_kind = ERROR, "crash"
        result.error = f"internal error: {_one_line(exc)}"
    finally:
        result.duration_s = round(time.perf_counter() - started, 3)
    return result


def _score(job: Job, root: Path, result: RepoResult) -> tuple[Report, Plugins]:
    from backend_skills.core.runner import run

    overrides: dict[str, Any] = {"jobs": job.jobs, "skills": list(job.skills) or None}
    if not job.cache:
        overrides["cache"] = False
    if job.cache_dir is not None:
        overrides["cache_dir"] = _cache_dir(job.cache_dir)
    config_file = Path(job.config_file) if job.config_file else None
    settings, used = resolve_settings(
        root, config_file=config_file, isolated=job.isolated, overrides=overrides
    )
    settings = settings.model_copy(
        update={
            "exclude": [*settings.exclude, *job.exclude],
            "disable_plugins": [*settings.disable_plugins, *job.disable_plugins],
        }
    )
    plugins = _plugins(job, tuple(sorted(settings.disable_plugins)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = run(
            root, settings, plugins=plugins, config_source=str(used) if used else "configuration"
        )
    result.warnings.extend(str(w.message).splitlines()[0] for w in caught if str(w.message))
    return report, plugins


def _fill(result: RepoResult, report: Report) -> None:
    result.score = report.score
    result.level = report.level.value if report.level else None
    result.complete = report.complete
    result.status = COMPLETE if report.complete else INCOMPLETE
    if not report.complete:
        result.error_kind, result.error = _incomplete_reason(report)
    result.findings = len(report.findings)
    result.counted_findings = sum(1 for f in report.findings if f.counted)
    result.skills = [
        SkillRow(
            id=skill.id,
            name=skill.name,
            score=skill.score,
            level=skill.level.value if skill.level else None,
            applicable=skill.applicable,
            coverage=_coverage_share(skill),
        )
        for skill in report.skills
    ]
    weights = {skill.id: skill.weight for skill in report.skills}
    result.coverage = overall_coverage(
        [(row.coverage, weights[row.id]) for row in result.skills if row.coverage is not None]
    )


def _incomplete_reason(report: Report) -> tuple[str, str]:
    """(error kind, message) of an incomplete report: the failed checkers, or why not."""
    failed = [c for c in report.checkers if c.status == "failed"]
    if not failed:
        return "not-assessed", "some criteria were not assessed"
    return "checker", "; ".join(
        f"checker {c.name} failed: {c.error or 'unknown error'}" for c in failed
    )


def overall_coverage(shares: list[tuple[float, float]]) -> float | None:
    """The skills' coverage shares averaged by skill weight (plainly when weights are 0)."""
    if not shares:
        return None
    total = sum(w for _, w in shares)
    if total > 0:
        return round(sum(s * w for s, w in shares) / total, 4)
    return round(sum(s for s, _ in shares) / len(shares), 4)


def _coverage_share(skill: Any) -> float | None:
    """The skill's coverage share (0-1) when the report carries one (newer reports)."""
    coverage = getattr(skill, "coverage", None)
    if coverage is None:
        return None
    share = (
        coverage.get("share") if isinstance(coverage, dict) else getattr(coverage, "share", None)
    )
    if isinstance(share, int | float) and not isinstance(share, bool):
        return float(share)
    return None


def _render(job: Job, plugins: Plugins, report: Report, result: RepoResult) -> None:
    from backend_skills.reporters._common import FormatOptionError

    options = RenderOptions(verbose=job.verbose, extra=dict(job.format_options))
    for name in job.formats:
        reporter = plugins.reporters.get(name)
        if reporter is None:
            raise ConfigError(f"unknown format {name!r}")
        try:
            result.rendered[name] = reporter.render(report, options)
        except FormatOptionError as exc:
            raise ConfigError(f"--format {name}: {exc}") from None
