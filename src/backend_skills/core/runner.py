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
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from .cache import (
    Entry,
    FileMemo,
    NewRow,
    ResultCache,
    code_stamp,
    file_key,
    load_stat_records,
    repo_key,
    resolve_cache_dir,
    save_stat_records,
)
from .caps import EXPLOITABLE, TRACE_RULES, also_harms, cap_spec
from .checker import CheckContext, Checker, FileChecker, FileResult, RepoChecker
from .config import ConfigError, Settings
from .coverage import coverage, criterion_kloc, skill_languages, source_lines, unread_reason
from .discovery import (
    CODE_LANGUAGES,
    FileChangedError,
    FileSet,
    RoleOverrides,
    SourceFile,
    discover,
    record_reads,
)
from .models import (
    CheckerRun,
    CheckResult,
    Confidence,
    Criterion,
    CriterionResult,
    Finding,
    FindingSource,
    Metric,
    NotAssessed,
    Report,
    Role,
    Skip,
    Stats,
    ToolInfo,
)
from .plugins import Plugins, load_plugins
from .pool import (
    DEFAULT_MEMORY_LIMIT,
    ERROR,
    LOST,
    OK,
    Outcome,
    Task,
    WorkSpec,
    default_jobs,
    interrupt_guard,
    line_hash,
    memory_ceiling,
    memory_limit_from_env,
    raised_by_checker,
    run_tasks,
)
from .progress import RunProgress, interactive
from .redact import redact_text
from .rubric import Rubric, build_rubric
from .safepath import trusted_import_path
from .scoring import (
    DERIVED_METRICS,
    FINDINGS_COUNT,
    FINDINGS_WEIGHTED_PER_KLOC,
    CriterionInput,
    combine_metrics,
    score_criterion,
    score_overall,
    score_skill,
    weighted_findings,
)
from .suppress import suppression

_log = logging.getLogger(__name__)

#: Roles whose findings never count and whose files are not analysed by default.
EXCLUDED_ROLES = frozenset({Role.VENDORED, Role.GENERATED})


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    detail = text[0] if text else ""
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


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
    job = _FileJob(checker, ctx, _checker_version(checker), _Bounds(timeout_s, limit))
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


#: Keys of a checker's config table that the runner reads itself, not the checker.
RUNNER_KEYS = ("timeout_s", "max_file_bytes")


@dataclass(frozen=True)
class _Bounds:
    timeout_s: float
    max_file_bytes: int | None


def _split_bounds(
    checker: Checker, table: Mapping[str, Any], settings: Settings, source: str
) -> tuple[dict[str, Any], _Bounds]:
    """Take the runner's own keys out of a checker's table and validate them."""
    # A checker that declares a runner key in its own options sees the same value, so its
    # own check (when called directly) never disagrees with the runner's bound.
    own = set(checker.options_model.model_fields) if checker.options_model is not None else set()
    rest = {k: v for k, v in table.items() if k not in RUNNER_KEYS or k in own}
    timeout = table.get("timeout_s", settings.timeout_s)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigError(
            f"{source}: invalid value for 'checkers.{checker.name}.timeout_s':"
            " expected a number of seconds > 0"
        )
    limit = table.get("max_file_bytes", getattr(checker, "max_file_bytes", None))
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ConfigError(
            f"{source}: invalid value for 'checkers.{checker.name}.max_file_bytes':"
            " expected a whole number of bytes >= 1"
        )
    return rest, _Bounds(float(timeout), limit)


class _FileJob:
    """One file checker during a run: its files, cache keys, outcomes and result."""

    def __init__(self, checker: FileChecker, ctx: CheckContext, version: str, bounds: _Bounds):
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
            self.error = redact_text(_one_line(exc))
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
            result = _load_result(entry) if entry is not None else None
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
                result = FileResult.model_validate_json(outcome.payload)
                payload = outcome.payload
                redacted = redact_file_result(result)
                if redacted is not result:  # a message quoted a secret: never cached as is
                    result, payload = redacted, redacted.model_dump_json()
                _restore_snippets(result.findings, outcome.snippets)
                self.results[path] = result
                key = self.keys.get(path)
                if result.transient:  # e.g. a checker's own time budget: try again next run
                    self.transient = True
                    if result.skipped is not None:
                        self.lost[path] = result.skipped
                elif key is not None:
                    rows.append(NewRow(key, self.checker.name, payload, _dump(outcome.snippets)))
            elif outcome.status == ERROR:
                if self.error is None:
                    self.error = redact_text(outcome.payload)
            else:  # timeout, out of memory, the worker died, the file changed: this file only
                self.runner_skips[path] = outcome.payload
                self.transient = True
                if outcome.status in LOST:
                    self.lost[path] = outcome.payload

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
            self.error = redact_text(_one_line(exc))
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


_R = TypeVar("_R", FileResult, CheckResult)


def _load_cached(model: type[_R], entry: Entry) -> _R | None:
    """A cached result with its findings' snippet hashes restored; None when unreadable."""
    try:
        result = model.model_validate_json(entry.value)
        snippets = json.loads(entry.extra) if entry.extra else []
    except (ValidationError, ValueError):
        return None
    if not isinstance(snippets, list):
        return None
    _restore_snippets(result.findings, snippets)
    return result


def _load_result(entry: Entry) -> FileResult | None:
    return _load_cached(FileResult, entry)


def _restore_snippets(findings: Sequence[Finding], snippets: Sequence[object]) -> None:
    for finding, digest in zip(findings, snippets, strict=False):
        if isinstance(digest, str) and digest and not finding.snippet_hash:
            finding.snippet_hash = digest


def _dump(snippets: Sequence[str]) -> str:
    return json.dumps(list(snippets), separators=(",", ":")) if any(snippets) else ""


class _LineHashes:
    """Hashes of source lines, splitting each file once however many findings it has."""

    def __init__(self) -> None:
        self._lines: dict[str, list[str]] = {}

    def span(self, file: SourceFile | None, first: int | None, last: int | None) -> list[str]:
        """The text of lines ``first`` to ``last`` (1-based, inclusive) of ``file``."""
        if file is None or not first:
            return []
        self.get(file, first)
        return self._lines.get(file.path, [])[first - 1 : max(first, last or first)]

    def get(self, file: SourceFile | None, line: int | None) -> str:
        if file is None or not line:
            return ""
        lines = self._lines.get(file.path)
        if lines is None:
            try:
                text = file.text
            except FileChangedError:  # changed during the run: anchored by line number
                text = ""
            lines = self._lines[file.path] = text.splitlines()
        if line > len(lines):
            return ""
        return line_hash(lines[line - 1])


def _finalise_findings(
    findings: list[Finding], fileset: FileSet, criteria: set[str], count_tests: bool
) -> list[Finding]:
    """Roles, fingerprints, merging of duplicates and deterministic order."""
    by_path = {f.path: f for f in fileset.files}
    line_hashes = _LineHashes()
    groups: dict[tuple[str, int, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        also = also_harms(finding, criteria)
        if finding.criterion not in criteria:
            if not also:
                continue
            # Listed under a criterion not in force: shown under one it also harms.
            finding = finding.model_copy(
                update={"criterion": also[0], "skill": also[0].split(".", 1)[0]}
            )
            also = also[1:]
        file = by_path.get(finding.path)
        role = file.role if file is not None else finding.role
        if role in EXCLUDED_ROLES:
            continue
        counted = finding.counted and (
            count_tests or role is not Role.TEST or not _role_sensitive(finding)
        )
        finding = finding.model_copy(
            update={
                "role": role,
                "counted": counted,
                "also": sorted({*finding.also, *also} & criteria - {finding.criterion}),
                "snippet_hash": finding.snippet_hash or line_hashes.get(file, finding.line),
            }
        )
        group = groups[(finding.path, finding.line or 0, finding.criterion)]
        for index, other in enumerate(group):
            if (
                other.checker != finding.checker
                and finding.checker not in {s.checker for s in other.sources}
            ) or (TRACE_RULES & {finding.rule, other.rule} and finding.rule not in other.rules):
                # Same place, same criterion, another tool: one finding naming both sources.
                group[index] = _merge(other, finding)
                break
        else:
            group.append(finding)
    ordered = sorted((f for group in groups.values() for f in group), key=Finding.sort_key)
    occurrences: dict[tuple[str, str, str, str], int] = defaultdict(int)
    result = []
    for finding in ordered:  # copies made above: updated in place (copying costs 20 ms)
        if finding.skill == "security" or any(r in EXPLOITABLE for r in finding.rules):
            lines = line_hashes.span(by_path.get(finding.path), finding.line, finding.end_line)
            why = suppression(finding, lines) or finding.suppressed
            if why is not None:  # '# nosec': shown, with its justification, never counted
                finding.suppressed, finding.counted = why, False
        ident = (finding.checker, finding.rule, finding.path, finding.snippet_hash)
        occurrences[ident] += 1
        if occurrences[ident] > 1:
            finding.snippet_hash = f"{finding.snippet_hash}#{occurrences[ident]}"
        finding.fingerprint = finding.computed_fingerprint()
        result.append(finding)
    return result


def _merge(first: Finding, second: Finding) -> Finding:
    """One finding for two tools' reports of one place: the more severe one (on equal
    severity the more confident: a traced sink keeps its evidence), listing
    every tool with its own rule id (so a search for bandit's B608 still finds it) and
    every criterion either harms."""
    confident = {Confidence.LOW: 0, Confidence.MEDIUM: 1, Confidence.HIGH: 2}
    keep, other = (
        (first, second)
        if (first.severity.rank, confident[first.confidence])
        >= (second.severity.rank, confident[second.confidence])
        else (second, first)
    )
    own = FindingSource(checker=keep.checker, rule=keep.rule)
    seen = {(s.checker, s.rule) for s in (*keep.sources, *other.sources)}
    seen |= {(keep.checker, keep.rule), (other.checker, other.rule)}
    rest = sorted(seen - {(own.checker, own.rule)})
    sources = [own, *(FindingSource(checker=c, rule=r) for c, r in rest)]
    also = sorted({*keep.also, *other.also} - {keep.criterion})
    return keep.model_copy(
        update={"sources": sources, "also": also, "counted": first.counted or second.counted}
    )


def _role_sensitive(finding: Finding) -> bool:
    """Findings in tests cost no points by default, except for test-specific criteria."""
    return not finding.criterion.endswith(".tests")


def _code_kloc(fileset: FileSet) -> float:
    lines = sum(
        f.lines for f in fileset.files if f.language in CODE_LANGUAGES and f.role is Role.SOURCE
    )
    return lines / 1000.0


@dataclass
class _CheckerOutcome:
    run: CheckerRun
    result: CheckResult | None


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
) -> list[_CheckerOutcome]:
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
    outcomes: dict[str, _CheckerOutcome] = {}
    file_jobs, repo_jobs = _plan(prepared, settings, rubric, outcomes)
    bar = RunProgress(progress)
    try:
        if cache is not None:
            file_jobs = _reuse_whole_results(file_jobs, cache, outcomes)
        for job in file_jobs:
            with memory_ceiling(memory_limit):
                job.prepare(cache_on=cache is not None)
        if cache is not None:
            _use_file_cache(file_jobs, cache)
        active = [job for job in file_jobs if job.error is None]
        spec, tasks = _tasks(active, memory_limit)
        bar.add_total(sum(len(mine) for mine in tasks))

        def run_repo_checkers() -> None:
            for checker, ctx, version in repo_jobs:
                with memory_ceiling(memory_limit):
                    outcomes[checker.name] = _run_repo_checker(checker, ctx, version, cache)

        jobs = settings.jobs or default_jobs()
        untrusted = [str(fileset.root)]
        results = run_tasks(
            spec,
            [t for mine in tasks for t in mine],
            jobs,
            on_done=bar.advance,
            meanwhile=run_repo_checkers,
            before_fork=cache.close if cache is not None else (lambda: None),
            untrusted=untrusted,
        )
        rows: list[NewRow] = []
        for job, mine in zip(active, tasks, strict=True):
            job.absorb(mine, results, rows)
        with memory_ceiling(memory_limit):
            finished = {id(job): job.finish() for job in file_jobs}
        # A cached per-file result that pydantic accepts may still not be what the
        # checker's reduce expects (a damaged or foreign row): never trusted, the files
        # read from the cache are analysed again and reduce runs once more.
        again = [
            job
            for job in file_jobs
            if job.reduce_failed and (job.from_cache or job.ctx.memo.distrust())
        ]
        if again and cache is not None:
            cache.invalidate([job.keys[p] for job in again for p in job.from_cache])
            for job in again:
                job.retry_cached()
            spec, tasks = _tasks(again, memory_limit)
            results = run_tasks(
                spec,
                [t for mine in tasks for t in mine],
                jobs,
                before_fork=cache.close,
                untrusted=untrusted,
            )
            for job, mine in zip(again, tasks, strict=True):
                job.absorb(mine, results, rows)
                with memory_ceiling(memory_limit):
                    finished[id(job)] = job.finish()
        for job in file_jobs:
            result = finished[id(job)]
            if result is not None and cache is not None:
                result = _keep_whole_result(job, result, rows)
            outcomes[job.checker.name] = _file_outcome(job, result)
        if cache is not None:
            cache.put_many(rows)
    finally:
        bar.close()
        if cache is not None:
            cache.close()
    return [outcomes[checker.name] for checker, _, _ in prepared]


def _contexts(
    checkers: Sequence[Checker],
    fileset: FileSet,
    settings: Settings,
    rubric: Rubric,
    source: str,
    cache: ResultCache | None = None,
) -> list[tuple[Checker, CheckContext, _Bounds]]:
    """Each checker (by name) with its context and bounds; configuration is validated."""
    from backend_skills import __version__

    prepared: list[tuple[Checker, CheckContext, _Bounds]] = []
    in_force = frozenset(c.id for c in rubric.criteria())
    for checker in sorted(checkers, key=lambda c: c.name):
        table, bounds = _split_bounds(
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
    prepared: Sequence[tuple[Checker, CheckContext, _Bounds]],
    settings: Settings,
    rubric: Rubric,
    outcomes: dict[str, _CheckerOutcome],
) -> tuple[list[_FileJob], list[tuple[Checker, CheckContext, str]]]:
    """The file checkers and repository checkers to run; the others are recorded
    skipped in ``outcomes``."""
    file_jobs: list[_FileJob] = []
    repo_jobs: list[tuple[Checker, CheckContext, str]] = []
    for checker, ctx, bounds in prepared:
        version = _checker_version(checker)
        if checker.name in settings.disable_checkers:
            outcomes[checker.name] = _CheckerOutcome(
                _skipped_run(checker, version, "disabled by configuration"), None
            )
        elif not _needed(checker, rubric):
            outcomes[checker.name] = _CheckerOutcome(
                _skipped_run(checker, version, "no selected criterion uses it"), None
            )
        elif isinstance(checker, FileChecker):
            file_jobs.append(_FileJob(checker, ctx, version, bounds))
        else:
            repo_jobs.append((checker, ctx, version))
    return file_jobs, repo_jobs


def _use_file_cache(jobs: Sequence[_FileJob], cache: ResultCache) -> None:
    """Answer per-file work from the cache, in one batched read for every checker."""
    keys = [k for job in jobs if job.error is None for k in job.keys.values()]
    entries = cache.get_many(keys)
    unreadable: list[str] = []
    for job in jobs:
        if job.error is None:
            job.use_cache(entries, unreadable)
    if unreadable:
        cache.invalidate(unreadable)


def _tasks(
    active: Sequence[_FileJob], memory_limit: int | None = DEFAULT_MEMORY_LIMIT
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


def _options_text(ctx: CheckContext, *extra: object) -> str:
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


def _whole_key(job: _FileJob) -> str | None:
    """The key of a file checker's whole result, from its ``cache_inputs``."""
    from backend_skills import __version__

    try:
        inputs = job.checker.cache_inputs(job.ctx)
    except Exception as exc:  # no key: the checker simply runs, uncached
        _log.debug("%s: cache_inputs raised %s; not cached", job.checker.name, _one_line(exc))
        return None
    if inputs is None:
        return None
    return repo_key(
        tool_version=__version__,
        checker=job.checker.name,
        checker_version=job.version,
        code_stamp=code_stamp(job.checker),
        options_key=_options_text(job.ctx, job.bounds.max_file_bytes),
        inputs=inputs,
    )


def _reuse_whole_results(
    jobs: list[_FileJob], cache: ResultCache, outcomes: dict[str, _CheckerOutcome]
) -> list[_FileJob]:
    """Answer file checkers whose inputs did not change from the cache, whole; return
    the jobs left to run."""
    start = time.perf_counter()
    for job in jobs:
        job.whole_key = _whole_key(job)
    keys = [job.whole_key for job in jobs if job.whole_key is not None]
    entries = cache.get_many(keys)
    left = []
    for job in jobs:
        entry = entries.get(job.whole_key) if job.whole_key is not None else None
        result = _load_check_result(entry) if entry is not None else None
        if result is None:
            left.append(job)
            continue
        job.seconds = time.perf_counter() - start
        outcomes[job.checker.name] = _file_outcome(job, result)
    return left


def _keep_whole_result(job: _FileJob, result: CheckResult, rows: list[NewRow]) -> CheckResult:
    """Queue the whole result for the cache (unless a file ran out of time: that may
    differ next time); return it as a warm run will read it."""
    if job.whole_key is None or job.transient:
        return result
    try:
        value = result.model_dump_json()
    except Exception as exc:  # not serialisable: keep the live result, cache nothing
        _log.debug("%s: result not cached: %s", job.checker.name, _one_line(exc))
        return result
    extra = _dump([f.snippet_hash for f in result.findings])
    reloaded = _load_check_result(Entry(value, extra))
    if reloaded is None:
        return result
    rows.append(NewRow(job.whole_key, job.checker.name, value, extra))
    return reloaded


def _file_outcome(job: _FileJob, result: CheckResult | None) -> _CheckerOutcome:
    if result is None:
        return _CheckerOutcome(
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
        return _CheckerOutcome(
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
    return _CheckerOutcome(
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


def lost_files_error(lost: Mapping[str, str]) -> str:
    """The one-line error of a checker that could not analyse some files."""
    first = min(lost)
    more = f" and {len(lost) - 1} more file(s), listed as skipped" if len(lost) > 1 else ""
    return redact_text(f"{first} not analysed: {lost[first]}{more}")


def redact_result(result: CheckResult) -> CheckResult:
    """``result`` with secrets masked in every message, skip reason, note and metric
    reason (see :func:`backend_skills.core.redact.redact_text`); the same object when
    nothing needed masking."""
    update: dict[str, Any] = {}
    findings = _redact_findings(result.findings)
    if findings is not None:
        update["findings"] = findings
    skipped = [s.model_copy(update={"reason": redact_text(s.reason)}) for s in result.skipped]
    if any(a.reason != b.reason for a, b in zip(skipped, result.skipped, strict=True)):
        update["skipped"] = skipped
    notes = [redact_text(n) for n in result.notes]
    if notes != result.notes:
        update["notes"] = notes
    metrics = [
        m.model_copy(update={"reason": redact_text(m.reason)}) if m.reason else m
        for m in result.metrics
    ]
    if any(a.reason != b.reason for a, b in zip(metrics, result.metrics, strict=True)):
        update["metrics"] = metrics
    reasons = {k: redact_text(v) for k, v in result.not_applicable.items()}
    if reasons != result.not_applicable:
        update["not_applicable"] = reasons
    return result.model_copy(update=update) if update else result


def redact_file_result(result: FileResult) -> FileResult:
    """``result`` with secrets masked in its findings' messages and its skip reason."""
    update: dict[str, Any] = {}
    findings = _redact_findings(result.findings)
    if findings is not None:
        update["findings"] = findings
    if result.skipped is not None:
        reason = redact_text(result.skipped)
        if reason != result.skipped:
            update["skipped"] = reason
    return result.model_copy(update=update) if update else result


def _redact_findings(findings: Sequence[Finding]) -> list[Finding] | None:
    """The findings with redacted messages, or None when no message changed."""
    changed = False
    out = []
    for finding in findings:
        message = redact_text(finding.message)
        if message != finding.message:
            finding = finding.model_copy(update={"message": message})
            changed = True
        out.append(finding)
    return out if changed else None


def _run_repo_checker(
    checker: Checker, ctx: CheckContext, version: str, cache: ResultCache | None
) -> _CheckerOutcome:
    """A repository checker, answered from the cache when its inputs are unchanged."""
    from backend_skills import __version__

    start = time.perf_counter()
    key: str | None = None
    if cache is not None and isinstance(checker, RepoChecker):
        try:
            inputs = checker.cache_inputs(ctx)
        except Exception as exc:  # no key, no cache: the check itself still runs
            _log.debug("%s: cache_inputs raised %s; not cached", checker.name, _one_line(exc))
            inputs = None
        if inputs is not None:
            key = repo_key(
                tool_version=__version__,
                checker=checker.name,
                checker_version=version,
                code_stamp=code_stamp(checker),
                options_key=_options_text(ctx),
                inputs=inputs,
            )
            cached = _cached_repo_result(cache, key, checker, ctx.fileset)
            if cached is not None:
                return _repo_outcome(checker, version, start, cached)
    by_reads = isinstance(checker, RepoChecker) and checker.cache_by_reads
    try:
        try:
            with record_reads() as reads:
                result = execute_checker(checker, ctx)
        except BaseException as exc:
            if not raised_by_checker(exc) or not ctx.memo.distrust():
                raise
            # A stored per-file fact may be damaged: once more, every fact recomputed.
            with record_reads() as reads:
                result = execute_checker(checker, ctx)
    except BaseException as exc:  # a crashing checker is reported; the others finish
        if not raised_by_checker(exc):
            raise
        return _CheckerOutcome(
            CheckerRun(
                name=checker.name,
                version=version,
                status="failed",
                duration_s=round(time.perf_counter() - start, 3),
                files=0,
                error=redact_text(_one_line(exc)),
            ),
            None,
        )
    result = redact_result(result)
    if key is not None and cache is not None:
        try:
            value = result.model_dump_json()
        except Exception as exc:  # not serialisable: keep the live result, cache nothing
            _log.debug("%s: result not cached: %s", checker.name, _one_line(exc))
            value = None
        if value is not None:
            snippets = [f.snippet_hash for f in result.findings]
            rows = [NewRow(key, checker.name, value, _dump(snippets))]
            if by_reads:
                rows.append(NewRow(_reads_key(key), checker.name, json.dumps(reads)))
            cache.put_many(rows)
            # What a warm run will read: the same text, so cold and warm runs agree.
            reloaded = _load_check_result(Entry(value, _dump(snippets)))
            if reloaded is not None:
                result = reloaded
    return _repo_outcome(checker, version, start, result)


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
        return _load_check_result(entry) if entry is not None else None
    reads = cache.get_json(_reads_key(key))
    entry = cache.get_many([key]).get(key) if reads is not None else None
    if reads is None or entry is None:
        return None
    current = {f.path: f.sha256 for f in fileset.files}
    if any(current.get(path) != sha for path, sha in reads.items()):
        return None
    return _load_check_result(entry)


def _load_check_result(entry: Entry) -> CheckResult | None:
    return _load_cached(CheckResult, entry)


def _repo_outcome(
    checker: Checker, version: str, start: float, result: CheckResult
) -> _CheckerOutcome:
    return _CheckerOutcome(
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


def score_rubric(
    rubric: Rubric,
    checkers: Sequence[Checker],
    outcomes: Sequence[_CheckerOutcome],
    findings: Sequence[Finding],
    lines: Mapping[str, int],
    code: Mapping[str, int] | None = None,
) -> list[Any]:
    """Criterion inputs from checker outcomes, then the skill results.

    ``lines``: source lines per code language (densities divide by the lines of the
    languages each criterion's checkers read); ``code``: source and migration lines per
    language, which coverage compares with what the skill's checkers read.
    """
    status = {o.run.name: o.run for o in outcomes}
    produced: dict[str, list[Metric]] = defaultdict(list)
    not_applicable: dict[str, str] = {}
    declared_by: dict[str, list[str]] = defaultdict(list)
    valued_by: dict[str, list[str]] = defaultdict(list)
    for outcome in outcomes:
        if outcome.result is None:
            continue
        for metric in outcome.result.metrics:
            produced[metric.name].append(metric)
            if metric.value is not None:
                valued_by[metric.name].append(outcome.run.name)
        for criterion_id, why in outcome.result.not_applicable.items():
            not_applicable.setdefault(criterion_id, why)
            declared_by[criterion_id].append(outcome.run.name)
    metrics = {name: combine_metrics(found) for name, found in produced.items()}
    providers: dict[str, list[Checker]] = defaultdict(list)
    feeders: dict[str, list[Checker]] = defaultdict(list)
    for checker in checkers:
        for name in checker.provides:
            providers[name].append(checker)
        for criterion_id in checker.feeds:
            feeders[criterion_id].append(checker)
    by_criterion: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        for criterion_id in finding.criteria:  # a finding costs every criterion it harms
            by_criterion[criterion_id].append(finding)

    skills = []
    for skill in rubric.skills:
        results: list[CriterionResult] = []
        for criterion in skill.criteria:
            own = by_criterion.get(criterion.id, [])
            kloc = criterion_kloc(feeders.get(criterion.id, ()), lines)
            derived = {
                FINDINGS_WEIGHTED_PER_KLOC: (weighted_findings(own) / kloc) if kloc > 0 else None,
                FINDINGS_COUNT: float(sum(1 for f in own if f.counted)),
            }
            values: dict[str, float | None] = {}
            for name in (criterion.metric, *criterion.show):
                if name in DERIVED_METRICS:
                    values[name] = derived[name]
                else:
                    found = metrics.get(name)
                    values[name] = found.value if found is not None else None
            assessed, reason = _assessment(criterion, providers, feeders, status)
            applicable = True
            if assessed:
                if criterion.id in not_applicable and not _measured_elsewhere(
                    own, valued_by[criterion.metric], declared_by[criterion.id], checkers
                ):
                    applicable, reason = False, not_applicable[criterion.id]
                elif criterion.metric in DERIVED_METRICS and kloc == 0:
                    applicable, reason = False, "no source code to measure"
                elif values.get(criterion.metric) is None:
                    found = metrics.get(criterion.metric)
                    applicable = False
                    reason = (found.reason if found is not None else None) or (
                        f"nothing to measure (metric {criterion.metric} not produced)"
                    )
            results.append(
                score_criterion(
                    CriterionInput(
                        criterion=criterion,
                        metrics=values,
                        assessed=assessed,
                        applicable=applicable,
                        reason=reason,
                        finding_count=len(own),
                        cap=cap_spec(own),
                        kloc=kloc if criterion.metric in DERIVED_METRICS else None,
                    )
                )
            )
        languages, reads_source = skill_languages(skill, checkers, status)
        cov = coverage(languages, reads_source, lines if code is None else code)
        skill_findings = [f for c in skill.criteria for f in by_criterion.get(c.id, [])]
        skills.append(
            score_skill(
                skill,
                results,
                skill.weight,
                cap=cap_spec(skill_findings),
                coverage=cov,
                unread=unread_reason(cov),
            )
        )
    return skills


def _languages_of(checker: Checker | None) -> frozenset[str]:
    return frozenset(getattr(checker, "languages", frozenset())) if checker else frozenset()


def _measured_elsewhere(
    own: Sequence[Finding],
    valued_by: Sequence[str],
    declarers: Sequence[str],
    checkers: Sequence[Checker],
) -> bool:
    """A counted finding, or a value of the criterion's metric, from a checker reading
    other languages than the checkers that found nothing to measure (a Python analysis
    saying "no database access" does not silence a SQL injection found in Java)."""
    by_name = {c.name: c for c in checkers}
    declared = [_languages_of(by_name.get(name)) for name in declarers]
    if not declared or any(not langs for langs in declared):
        return False
    said = frozenset().union(*declared)
    others = [f.checker for f in own if f.counted] + list(valued_by)
    for name in others:
        langs = _languages_of(by_name.get(name))
        if langs and not langs & said:
            return True
    return False


def _assessment(
    criterion: Criterion,
    providers: Mapping[str, Sequence[Checker]],
    feeders: Mapping[str, Sequence[Checker]],
    status: Mapping[str, CheckerRun],
) -> tuple[bool, str | None]:
    if criterion.metric in DERIVED_METRICS:
        needed = list(feeders.get(criterion.id, ()))
        if not needed:
            return False, f"no loaded checker reports findings for {criterion.id}"
    else:
        needed = list(providers.get(criterion.metric, ()))
        if not needed:
            return False, f"no loaded checker provides metric {criterion.metric}"
    for checker in needed:
        run = status.get(checker.name)
        if run is None or run.status != "ok":
            why = run.error if run is not None and run.error else "did not run"
            return False, f"checker {checker.name} {run.status if run else 'missing'}: {why}"
    return True, None


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
    cache = ResultCache(resolve_cache_dir(root, settings.cache_dir)) if settings.cache else None
    known = load_stat_records(cache, root) if cache is not None else {}
    fileset = discover(
        root,
        exclude=settings.exclude,
        use_gitignore=settings.use_gitignore,
        roles=RoleOverrides(**settings.roles.model_dump()),
        max_file_bytes=settings.max_file_bytes,
        known=known,
    )
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
    raw_findings: list[Finding] = []
    skipped: list[Skip] = list(fileset.skipped)
    for outcome in outcomes:
        if outcome.result is not None:
            raw_findings.extend(outcome.result.findings)
            skipped.extend(
                s if s.checker else s.model_copy(update={"checker": outcome.run.name})
                for s in outcome.result.skipped
            )
    criteria_ids = {c.id for c in rubric.criteria()}
    findings = _finalise_findings(raw_findings, fileset, criteria_ids, settings.count_test_findings)
    skills = score_rubric(
        rubric,
        plugins.checkers,
        outcomes,
        findings,
        source_lines(fileset),
        source_lines(fileset, (Role.SOURCE, Role.MIGRATION)),
    )
    overall, level = score_overall(skills)
    unread = [
        NotAssessed(skill=s.id, reason=s.reason or "")
        for s in skills
        if s.score is None and not s.assessed and s.applicable
    ]
    complete = all(o.run.status != "failed" for o in outcomes) and all(
        c.assessed for s in skills if s.id not in {u.skill for u in unread} for c in s.criteria
    )
    return Report(
        tool=ToolInfo(name="backend-skills", version=__version__),
        rubric_version=rubric.version,
        root=root.as_posix(),
        score=overall,
        level=level,
        complete=complete,
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
    )
