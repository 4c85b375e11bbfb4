"""The runner: discover -> check -> score -> Report.

It ties the pieces together and owns the rules that apply to every checker: a checker
that raises is reported failed while the others finish, findings get the role of their
file and a stable fingerprint, duplicates at one location are merged, and criteria whose
checker failed are marked not assessed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ._assess import CheckerOutcome, score_rubric
from ._file_job import (
    Bounds,
    FileJob,
    TaskPool,
    dump_snippets,
    load_check_result,
    make_tasks,
    one_line,
    options_text,
    prepare_file_jobs,
    record_file_outcomes,
    redact_result,
    retry_failed_reduces,
    split_bounds,
)
from ._findings import finalise_findings
from .cache import (
    Entry,
    FileMemo,
    NewRow,
    ResultCache,
    code_stamp,
    load_stat_records,
    repo_key,
    resolve_cache_dir,
    save_stat_records,
)
from .checker import CheckContext, Checker, FileChecker, RepoChecker
from .config import ConfigError, Settings
from .coverage import source_lines
from .discovery import (
    CODE_LANGUAGES,
    FileSet,
    RoleOverrides,
    discover,
    record_reads,
)
from .models import (
    CheckerRun,
    CheckResult,
    Endpoint,
    Finding,
    NotAssessed,
    Report,
    Role,
    SkillResult,
    Skip,
    Stats,
    ToolInfo,
)
from .plugins import Plugins, load_plugins
from .pool import (
    DEFAULT_MEMORY_LIMIT,
    Task,
    WorkSpec,
    default_jobs,
    interrupt_guard,
    memory_ceiling,
    memory_limit_from_env,
    raised_by_checker,
    run_tasks,
)
from .progress import RunProgress, interactive
from .redact import redact_text
from .rubric import Rubric, build_rubric
from .rule_meta import complete_findings, declared_rules
from .safepath import trusted_import_path
from .scoring import (
    score_overall,
)

_log = logging.getLogger(__name__)


def _checker_version(checker: Checker) -> str:
    try:
        return str(checker.version)
    except Exception:  # a broken tool install must not stop the report
        return "unknown"


def _needed(checker: Checker, rubric: Rubric) -> bool:
    """Whether any criterion in force reads what ``checker`` produces."""
    metrics = {m for c in rubric.criteria() for m in (c.metric, *c.show)}
    criteria = {c.id for c in rubric.criteria()}
    return bool(set(checker.provides) & metrics or set(checker.feeds) & criteria)


def validate_checker_options(
    checker: Checker, options: Mapping[str, Any], source: str
) -> dict[str, Any]:
    """Validate the checker's config table with its ``options_model``."""
    if checker.options_model is None:
        return dict(options)
    try:
        model = checker.options_model.model_validate(dict(options))
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        where = f"checkers.{checker.name}.{key}" if key else f"checkers.{checker.name}"
        if err["type"] == "extra_forbidden":
            raise ConfigError(f"{source}: unknown key '{where}'") from None
        raise ConfigError(f"{source}: invalid value for '{where}': {err['msg']}") from None
    return model.model_dump()


def execute_checker(
    checker: Checker,
    ctx: CheckContext,
    *,
    timeout_s: float = 60.0,
    max_file_bytes: int | None = None,
) -> CheckResult:
    """Run one checker in this process, without the cache.

    The same rules as a full run: a file checker's files are bounded by ``timeout_s``
    and ``max_file_bytes`` (or the checker's own ``max_file_bytes``) and skipped with a
    reason beyond them, and per-file results go through JSON exactly as in a parallel or
    cached run. Raises what the checker raises (as :class:`CheckerError` for per-file
    failures).
    """
    if not isinstance(checker, FileChecker):
        return checker.check(ctx)
    limit = max_file_bytes if max_file_bytes is not None else checker.max_file_bytes
    job = FileJob(checker, ctx, _checker_version(checker), Bounds(timeout_s, limit))
    job.prepare(cache_on=False)
    if job.error is not None:
        raise CheckerError(job.error)
    spec = WorkSpec([checker], [job.options], [timeout_s])
    tasks = [Task(i, 0, f) for i, f in enumerate(job.todo)]
    outcomes = run_tasks(spec, tasks, 1)
    job.absorb(tasks, outcomes, [])
    result = job.finish()
    if result is None:
        raise CheckerError(job.error or "failed")
    return result


class CheckerError(Exception):
    """A checker failed on a file (the message names it)."""


def _code_kloc(fileset: FileSet) -> float:
    lines = sum(
        f.lines for f in fileset.files if f.language in CODE_LANGUAGES and f.role is Role.SOURCE
    )
    return lines / 1000.0


def run_checkers(
    checkers: Sequence[Checker],
    fileset: FileSet,
    settings: Settings,
    rubric: Rubric,
    source: str,
    *,
    cache: ResultCache | None = None,
    progress: bool = False,
    memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
) -> list[CheckerOutcome]:
    """Run every needed checker; failures are caught and reported per checker.

    File checkers: ``prepare`` once, then ``check_file`` for every selected file not
    answered by the cache, over ``settings.jobs`` worker processes (all checkers' files
    in one pool), then ``reduce`` in this process. Repository checkers run in this
    process meanwhile. The outcome is the same as a serial run, whatever the number of
    jobs and whatever the cache held. Cache problems are warnings
    (:class:`~backend_skills.core.cache.CacheWarning`), never errors. Without ``cache``,
    nothing is read from or written to a cache.
    """
    prepared = _contexts(checkers, fileset, settings, rubric, source, cache)
    outcomes: dict[str, CheckerOutcome] = {}
    file_jobs, repo_jobs = _plan(prepared, settings, rubric, outcomes)
    bar = RunProgress(progress)
    try:
        file_jobs = prepare_file_jobs(file_jobs, cache, outcomes, memory_limit)
        active = [job for job in file_jobs if job.error is None]
        spec, tasks = make_tasks(active, memory_limit)
        bar.add_total(sum(len(mine) for mine in tasks))

        pool = TaskPool(settings.jobs or default_jobs(), [str(fileset.root)], cache, memory_limit)
        results = pool.run(
            spec,
            tasks,
            on_done=bar.advance,
            meanwhile=partial(_run_repo_checkers, repo_jobs, outcomes, cache, memory_limit),
        )
        rows: list[NewRow] = []
        for job, mine in zip(active, tasks, strict=True):
            job.absorb(mine, results, rows)
        with memory_ceiling(memory_limit):
            finished = {id(job): job.finish() for job in file_jobs}
        if cache is not None:
            retry_failed_reduces(file_jobs, finished, rows, pool, cache)
        record_file_outcomes(file_jobs, finished, rows, cache, outcomes)
    finally:
        bar.close()
        if cache is not None:
            cache.close()
    return [outcomes[checker.name] for checker, _, _ in prepared]


def _run_repo_checkers(
    repo_jobs: Sequence[tuple[Checker, CheckContext, str]],
    outcomes: dict[str, CheckerOutcome],
    cache: ResultCache | None,
    memory_limit: int | None,
) -> None:
    """Run the repository checkers in this process (while the workers analyse files)."""
    for checker, ctx, version in repo_jobs:
        with memory_ceiling(memory_limit):
            outcomes[checker.name] = _run_repo_checker(checker, ctx, version, cache)


def _contexts(
    checkers: Sequence[Checker],
    fileset: FileSet,
    settings: Settings,
    rubric: Rubric,
    source: str,
    cache: ResultCache | None = None,
) -> list[tuple[Checker, CheckContext, Bounds]]:
    """Each checker (by name) with its context and bounds; configuration is validated."""
    from backend_skills import __version__

    prepared: list[tuple[Checker, CheckContext, Bounds]] = []
    in_force = frozenset(c.id for c in rubric.criteria())
    for checker in sorted(checkers, key=lambda c: c.name):
        table, bounds = split_bounds(
            checker, settings.checkers.get(checker.name, {}), settings, source
        )
        options = validate_checker_options(checker, table, source)
        ctx = CheckContext(
            root=fileset.root,
            fileset=fileset,
            options=options,
            count_test_findings=settings.count_test_findings,
            criteria=in_force,
            config_root=Path(settings.config_root) if settings.config_root else None,
            isolated=settings.isolated,
            memo=FileMemo(
                cache,
                "\x1f".join(
                    (__version__, checker.name, _checker_version(checker), code_stamp(checker))
                )
                if cache is not None
                else "",
                checker.name,
            ),
        )
        prepared.append((checker, ctx, bounds))
    unknown = set(settings.checkers) - {c.name for c in checkers}
    if unknown:
        raise ConfigError(f"{source}: unknown checker 'checkers.{sorted(unknown)[0]}'")
    return prepared


def _plan(
    prepared: Sequence[tuple[Checker, CheckContext, Bounds]],
    settings: Settings,
    rubric: Rubric,
    outcomes: dict[str, CheckerOutcome],
) -> tuple[list[FileJob], list[tuple[Checker, CheckContext, str]]]:
    """The file checkers and repository checkers to run; the others are recorded
    skipped in ``outcomes``."""
    file_jobs: list[FileJob] = []
    repo_jobs: list[tuple[Checker, CheckContext, str]] = []
    for checker, ctx, bounds in prepared:
        version = _checker_version(checker)
        if checker.name in settings.disable_checkers:
            outcomes[checker.name] = CheckerOutcome(
                _skipped_run(checker, version, "disabled by configuration"), None
            )
        elif not _needed(checker, rubric):
            outcomes[checker.name] = CheckerOutcome(
                _skipped_run(checker, version, "no selected criterion uses it"), None
            )
        elif isinstance(checker, FileChecker):
            file_jobs.append(FileJob(checker, ctx, version, bounds))
        else:
            repo_jobs.append((checker, ctx, version))
    return file_jobs, repo_jobs


def _run_repo_checker(
    checker: Checker, ctx: CheckContext, version: str, cache: ResultCache | None
) -> CheckerOutcome:
    """A repository checker, answered from the cache when its inputs are unchanged."""
    start = time.perf_counter()
    key: str | None = None
    if cache is not None and isinstance(checker, RepoChecker):
        key = _repo_cache_key(checker, ctx, version)
        cached = _cached_repo_result(cache, key, checker, ctx.fileset) if key else None
        if cached is not None:
            return _repo_outcome(checker, version, start, cached)
    return _execute_repo_checker(checker, ctx, version, start, (cache, key))


def _execute_repo_checker(
    checker: Checker,
    ctx: CheckContext,
    version: str,
    start: float,
    store: tuple[ResultCache | None, str | None],
) -> CheckerOutcome:
    """Run a repository checker; keep its result in the cache under ``store``'s key."""
    cache, key = store
    try:
        result, reads = _execute_recording_reads(checker, ctx)
    except BaseException as exc:  # a crashing checker is reported; the others finish
        if not raised_by_checker(exc):
            raise
        return _failed_repo_checker(checker, version, start, exc)
    result = redact_result(result)
    if key is not None and cache is not None:
        by_reads = isinstance(checker, RepoChecker) and checker.cache_by_reads
        result = _store_repo_result(cache, key, checker, result, reads if by_reads else None)
    return _repo_outcome(checker, version, start, result)


def _failed_repo_checker(
    checker: Checker, version: str, start: float, exc: BaseException
) -> CheckerOutcome:
    run = CheckerRun(
        name=checker.name,
        version=version,
        status="failed",
        duration_s=round(time.perf_counter() - start, 3),
        files=0,
        error=redact_text(one_line(exc)),
    )
    return CheckerOutcome(run, None)


def _repo_cache_key(checker: RepoChecker, ctx: CheckContext, version: str) -> str | None:
    """The cache key of a repository checker's result, from its ``cache_inputs``."""
    from backend_skills import __version__

    try:
        inputs = checker.cache_inputs(ctx)
    except Exception as exc:  # no key, no cache: the check itself still runs
        _log.debug("%s: cache_inputs raised %s; not cached", checker.name, one_line(exc))
        return None
    if inputs is None:
        return None
    return repo_key(
        tool_version=__version__,
        checker=checker.name,
        checker_version=version,
        code_stamp=code_stamp(checker),
        options_key=options_text(ctx),
        inputs=inputs,
    )


def _execute_recording_reads(
    checker: Checker, ctx: CheckContext
) -> tuple[CheckResult, dict[str, str]]:
    """Run the checker, recording the files it reads; once more, with every stored
    per-file fact recomputed, when it fails after reading stored facts."""
    try:
        with record_reads() as reads:
            result = execute_checker(checker, ctx)
    except BaseException as exc:
        if not raised_by_checker(exc) or not ctx.memo.distrust():
            raise
        # A stored per-file fact may be damaged: once more, every fact recomputed.
        with record_reads() as reads:
            result = execute_checker(checker, ctx)
    return result, reads


def _store_repo_result(
    cache: ResultCache,
    key: str,
    checker: Checker,
    result: CheckResult,
    reads: Mapping[str, str] | None,
) -> CheckResult:
    """Cache a repository checker's result (with the files it read when it is cached by
    its reads); return it as a warm run will read it."""
    try:
        value = result.model_dump_json()
    except Exception as exc:  # not serialisable: keep the live result, cache nothing
        _log.debug("%s: result not cached: %s", checker.name, one_line(exc))
        return result
    snippets = [f.snippet_hash for f in result.findings]
    rows = [NewRow(key, checker.name, value, dump_snippets(snippets))]
    if reads is not None:
        rows.append(NewRow(_reads_key(key), checker.name, json.dumps(reads)))
    cache.put_many(rows)
    # What a warm run will read: the same text, so cold and warm runs agree.
    reloaded = load_check_result(Entry(value, dump_snippets(snippets)))
    return reloaded if reloaded is not None else result


def _reads_key(key: str) -> str:
    """Where the files a checker cached by its reads read are kept, next to ``key``."""
    return hashlib.sha256(f"reads\x1f{key}".encode()).hexdigest()


def _cached_repo_result(
    cache: ResultCache, key: str, checker: RepoChecker, fileset: FileSet
) -> CheckResult | None:
    """The cached result under ``key``; for a checker cached by its reads, only while
    every file it read still has the content it had."""
    if not checker.cache_by_reads:
        entry = cache.get_many([key]).get(key)
        return load_check_result(entry) if entry is not None else None
    reads = cache.get_json(_reads_key(key))
    entry = cache.get_many([key]).get(key) if reads is not None else None
    if reads is None or entry is None:
        return None
    current = {f.path: f.sha256 for f in fileset.files}
    if any(current.get(path) != sha for path, sha in reads.items()):
        return None
    return load_check_result(entry)


def _repo_outcome(
    checker: Checker, version: str, start: float, result: CheckResult
) -> CheckerOutcome:
    return CheckerOutcome(
        CheckerRun(
            name=checker.name,
            version=version,
            status="ok",
            duration_s=round(time.perf_counter() - start, 3),
            files=result.files,
            notes=list(result.notes),
        ),
        result,
    )


def _skipped_run(checker: Checker, version: str, why: str) -> CheckerRun:
    return CheckerRun(
        name=checker.name, version=version, status="skipped", duration_s=0.0, files=0, error=why
    )


def run(
    root: Path,
    settings: Settings | None = None,
    *,
    plugins: Plugins | None = None,
    config_source: str = "configuration",
    progress: bool = False,
    max_memory: int | str | None = "default",
) -> Report:
    """Score the repository at ``root`` and return the :class:`Report`.

    Raises :class:`ConfigError` for invalid configuration and ``FileNotFoundError`` when
    ``root`` is not a folder. Checker failures do not raise: they make the report
    incomplete. ``progress`` shows a progress display on standard error when the run
    is long and standard error is a terminal.

    ``max_memory``: the memory ceiling of every worker process, in bytes (None: no
    ceiling); by default ``BACKEND_SKILLS_MAX_MEMORY_MB`` or 2 GiB. It is the caller's
    choice only: no configuration file can change it. While the run lasts, nothing can
    be imported from ``root`` (see :mod:`backend_skills.core.safepath`).
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: not a folder")
    root = root.resolve()
    limit = memory_limit_from_env() if isinstance(max_memory, str) else max_memory
    with trusted_import_path([root]), interrupt_guard():
        return _run(root, settings, plugins, config_source, progress, limit)


def _run(
    root: Path,
    settings: Settings | None,
    plugins: Plugins | None,
    config_source: str,
    progress: bool,
    memory_limit: int | None,
) -> Report:
    from backend_skills import __version__

    started = time.perf_counter()
    settings = settings or Settings()
    plugins = plugins or load_plugins(disable=settings.disable_plugins)
    rubric = build_rubric(plugins.rubrics, settings, config_source)
    cache, known = _open_cache(root, settings)
    fileset = _discover(root, settings, known)
    outcomes = run_checkers(
        plugins.checkers,
        fileset,
        settings,
        rubric,
        config_source,
        cache=cache,
        progress=progress and interactive(),
        memory_limit=memory_limit,
    )
    if cache is not None and fileset.stat_records != known:
        save_stat_records(cache, root, fileset.stat_records)
        cache.close()
    raw_findings, skipped, endpoints = _collect_results(outcomes, fileset)
    criteria_ids = {c.id for c in rubric.criteria()}
    findings = finalise_findings(raw_findings, fileset, criteria_ids, settings.count_test_findings)
    complete_findings(findings, declared_rules(plugins.manager))  # CWE, help link
    skills = score_rubric(
        rubric,
        plugins.checkers,
        outcomes,
        findings,
        source_lines(fileset),
        source_lines(fileset, (Role.SOURCE, Role.MIGRATION)),
    )
    overall, level = score_overall(skills)
    unread = _unread_skills(skills)
    return Report(
        tool=ToolInfo(name="backend-skills", version=__version__),
        rubric_version=rubric.version,
        root=root.as_posix(),
        score=overall,
        level=level,
        complete=_complete(outcomes, skills, unread),
        skills=skills,
        findings=findings,
        checkers=[o.run for o in outcomes],
        skipped=sorted(skipped, key=lambda s: (s.path, s.checker or "", s.reason)),
        stats=Stats(
            files=len(fileset.files),
            lines=fileset.lines_by_language(),
            files_by_role=fileset.files_by_role(),
            duration_s=round(time.perf_counter() - started, 3),
        ),
        plugins=plugins.info,
        not_assessed=unread,
        endpoints=sorted(endpoints, key=Endpoint.sort_key),
    )


def _open_cache(root: Path, settings: Settings) -> tuple[ResultCache | None, dict[str, list[Any]]]:
    """The result cache (None when turned off) and the stat records it holds for
    ``root``."""
    if not settings.cache:
        return None, {}
    cache = ResultCache(resolve_cache_dir(root, settings.cache_dir))
    return cache, load_stat_records(cache, root)


def _discover(root: Path, settings: Settings, known: dict[str, list[Any]]) -> FileSet:
    """The files to score, as the settings select them (``known``: last run's stat
    records, which spare re-reading unchanged files)."""
    return discover(
        root,
        exclude=settings.exclude,
        use_gitignore=settings.use_gitignore,
        roles=RoleOverrides(**settings.roles.model_dump()),
        max_file_bytes=settings.max_file_bytes,
        known=known,
    )


def _collect_results(
    outcomes: Sequence[CheckerOutcome], fileset: FileSet
) -> tuple[list[Finding], list[Skip], list[Endpoint]]:
    """Every checker's findings, every skipped file (each naming its checker) and every
    endpoint of the inventory."""
    raw_findings: list[Finding] = []
    skipped: list[Skip] = list(fileset.skipped)
    endpoints: list[Endpoint] = []
    for outcome in outcomes:
        if outcome.result is not None:
            raw_findings.extend(outcome.result.findings)
            endpoints.extend(outcome.result.endpoints)
            skipped.extend(
                s if s.checker else s.model_copy(update={"checker": outcome.run.name})
                for s in outcome.result.skipped
            )
    return raw_findings, skipped, endpoints


def _unread_skills(skills: Sequence[SkillResult]) -> list[NotAssessed]:
    """The skills not assessed because their checkers read none of the code."""
    return [
        NotAssessed(skill=s.id, reason=s.reason or "")
        for s in skills
        if s.score is None and not s.assessed and s.applicable
    ]


def _complete(
    outcomes: Sequence[CheckerOutcome],
    skills: Sequence[SkillResult],
    unread: Sequence[NotAssessed],
) -> bool:
    """No checker failed, and every criterion of a skill that was read is assessed."""
    unread_ids = {u.skill for u in unread}
    return all(o.run.status != "failed" for o in outcomes) and all(
        c.assessed for s in skills if s.id not in unread_ids for c in s.criteria
    )
