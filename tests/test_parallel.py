"""Per-file work over worker processes: same report as a serial run, checkers overlap,
failures stay with their checker, a dying worker costs only its file.

The fake checkers here are also used by ``test_cache.py`` and ``test_bounds.py``.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import signal
import sys
import threading
import time
import types
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest

from backend_skills import (
    CheckContext,
    Checker,
    CheckResult,
    FileChecker,
    FileResult,
    Finding,
    Metric,
    RepoChecker,
    Report,
    RubricSet,
    Severity,
    SourceFile,
    hookimpl,
    score,
)
from backend_skills.core.discovery import discover
from backend_skills.core.pool import START_METHOD_ENV, Task, chunked, start_method
from backend_skills.core.progress import RunProgress, interactive

from .conftest import TreeFactory, make_skill

MAIN_PID = os.getpid()

SKILL = make_skill(
    "perf",
    "Performance fixture skill",
    {
        "id": "perf.markers",
        "name": "No MARK comments",
        "metric": "findings.weighted_per_kloc",
        "anchors": [(0, 100), (100, 0)],
    },
    {
        "id": "perf.lines",
        "name": "Lines seen",
        "metric": "perf.lines",
        "anchors": [(0, 0), (1000, 100)],
    },
    {
        "id": "perf.repo",
        "name": "Repository fact",
        "metric": "perf.repo",
        "anchors": [(0, 0), (1, 100)],
    },
)


class MarkerChecker(FileChecker):
    """Finds ``MARK`` comments; per-file data exercises JSON round trips.

    ``actions`` maps a file name to what ``check_file`` does with it first:
    ``sleep`` (10 s), ``spin`` (a pure-Python busy loop), ``raise``, ``die`` (the worker
    process exits; only outside the main process), ``deaf`` (ignores SIGALRM, then spins),
    ``stamp`` (records pid and times in the data), or ``busy`` (a transient skip, as when
    a checker's own time budget runs out).
    """

    name = "markers"
    languages: ClassVar[frozenset[str]] = frozenset({"python"})
    feeds = ("perf.markers",)
    provides = ("perf.lines",)
    calls: ClassVar[list[str]] = []
    """Paths analysed in this process (jobs=1 runs)."""
    prepares: ClassVar[int] = 0

    def prepare(self, ctx: CheckContext) -> dict[str, Any]:
        MarkerChecker.prepares += 1
        return super().prepare(ctx)

    def __init__(self, actions: Mapping[str, str] | None = None, version: str = "1") -> None:
        self.actions = dict(actions or {})
        self._version = version

    @property
    def version(self) -> str:
        return self._version

    def check_file(self, file: SourceFile, options: Mapping[str, Any]) -> FileResult:
        MarkerChecker.calls.append(file.path)
        action = self.actions.get(file.name)
        data: dict[str, Any] = {}
        started = time.time()
        if action == "sleep":
            time.sleep(10)
        elif action == "spin":
            while time.time() - started < 10:
                sum(range(1000))
        elif action == "raise":
            raise ValueError("cannot handle this file\nsecond line")
        elif action == "die":
            if multiprocessing.parent_process() is None:
                raise RuntimeError("refusing to kill the test process")
            os._exit(17)
        elif action == "deaf":
            if multiprocessing.parent_process() is None:
                raise RuntimeError("refusing to ignore alarms in the test process")
            signal.signal(signal.SIGALRM, signal.SIG_IGN)
            while time.time() - started < 30:
                sum(range(1000))
        elif action == "busy":
            data = {"lines": 0, "shape": [], "by_line": {}}
            return FileResult(skipped="over its own time budget", transient=True, data=data)
        elif action == "stamp":
            time.sleep(0.3)
            data["pid"] = os.getpid()
            data["window"] = (started, time.time())
        findings = [
            Finding(
                checker=self.name,
                rule="MK001",
                skill="perf",
                criterion="perf.markers",
                severity=Severity.LOW,
                message=f"marker {options.get('word', 'MARK')}",
                path=file.path,
                line=number,
            )
            for number, line in enumerate(file.text.splitlines(), 1)
            if options.get("word", "MARK") in line
        ]
        data.update(
            {
                "lines": file.lines,
                "shape": (1, 2.5, None),  # a tuple: becomes a list through JSON
                "by_line": {1: "first"},  # an int key: becomes "1" through JSON
            }
        )
        return FileResult(findings=findings, data=data)

    def reduce(self, ctx: CheckContext, results: Mapping[str, FileResult]) -> CheckResult:
        findings = [f for r in results.values() for f in r.findings]
        lines = sum(r.data["lines"] for r in results.values())
        notes = [f"order {','.join(results)}"]
        notes += [
            f"types {type(r.data['shape']).__name__} {sorted(r.data['by_line'])}"
            for r in list(results.values())[:1]
        ]
        return CheckResult(
            findings=findings,
            metrics=[Metric(name="perf.lines", value=float(lines), files=len(results))],
            files=len(results),
            notes=notes,
        )


class FactChecker(RepoChecker):
    """A repository checker; ``inputs`` decides whether it is cacheable."""

    name = "fact"
    provides = ("perf.repo",)
    calls: ClassVar[int] = 0

    def __init__(self, inputs: str | None = None, sleep_s: float = 0.0) -> None:
        self.inputs = inputs
        self.sleep_s = sleep_s
        self.window: tuple[float, float] | None = None

    def cache_inputs(self, ctx: CheckContext) -> str | None:
        return self.inputs

    def check(self, ctx: CheckContext) -> CheckResult:
        FactChecker.calls += 1
        started = time.time()
        time.sleep(self.sleep_s)
        self.window = (started, time.time())
        readme = any(f.name.startswith("README") for f in ctx.fileset.files)
        return CheckResult(
            metrics=[Metric(name="perf.repo", value=1.0 if readme else 0.0)],
            findings=[
                Finding(
                    checker=self.name,
                    rule="FC001",
                    skill="perf",
                    criterion="perf.markers",
                    severity=Severity.INFO,
                    message="a repository-level finding at a line",
                    path="app/m0.py",
                    line=1,
                )
            ],
        )


class FixturePlugin:
    def __init__(self, checkers: Sequence[Checker]) -> None:
        self.checkers = checkers

    @hookimpl
    def backend_skills_rubrics(self) -> Sequence[RubricSet]:
        return [RubricSet(source="perf", version="1", skills=[SKILL])]

    @hookimpl
    def backend_skills_checkers(self) -> Sequence[Checker]:
        return list(self.checkers)


def run_score(root: Path, *checkers: Checker, **options: Any) -> Report:
    """Score the fixture skill only, with the given checkers and settings."""
    options.setdefault("cache", False)
    return score(root, skills=["perf"], isolated=True, plugins=[FixturePlugin(checkers)], **options)


def normalised(report: Report) -> dict[str, Any]:
    """The report as JSON data without timings."""
    data = report.model_dump(mode="json")
    data["stats"]["duration_s"] = 0
    for run in data["checkers"]:
        run["duration_s"] = 0
    return data


def many_files(count: int = 40) -> dict[str, str]:
    """A tree of ``count`` Python files of varied sizes, some with markers."""
    files: dict[str, str] = {"README.md": "# Fixture\n"}
    for i in range(count):
        body = "".join(
            f"value_{j} = {j}  # MARK {i}\n" if (i + j) % 7 == 0 else f"value_{j} = {j}\n"
            for j in range(5 + (i * 13) % 60)
        )
        files[f"app/m{i}.py"] = body
    files["tests/test_m.py"] = "def test_x():\n    assert True  # MARK in a test\n"
    return files


class PerFileOnly(MarkerChecker):
    """Opts out of whole-result caching: prepare and reduce run on every run."""

    def cache_inputs(self, ctx: CheckContext) -> str | None:
        return None


@pytest.fixture(autouse=True)
def _reset_counters() -> None:
    MarkerChecker.calls.clear()
    MarkerChecker.prepares = 0
    FactChecker.calls = 0


def test_parallel_report_is_identical_to_the_serial_one(make_tree: TreeFactory) -> None:
    root = make_tree(many_files())
    serial = run_score(root, MarkerChecker(), FactChecker(), jobs=1)
    parallel = run_score(root, MarkerChecker(), FactChecker(), jobs=2)
    assert normalised(parallel) == normalised(serial)
    assert parallel.to_json().count('"fingerprint"') == len(serial.findings) > 10
    # reduce saw the files in selection (path) order, with JSON-shaped data both ways
    notes = next(r for r in parallel.checkers if r.name == "markers").notes
    order = notes[0].removeprefix("order ").split(",")
    assert order == sorted(order)
    assert notes[1] == "types list ['1']"
    assert (
        parallel.criterion("perf.lines").metrics["perf.lines"]
        == sum(5 + (i * 13) % 60 for i in range(40)) + 2
    )


def test_jobs_1_analyses_in_this_process(make_tree: TreeFactory) -> None:
    root = make_tree({"a.py": "x = 1  # MARK\n", "b.py": "y = 2\n"})
    report = run_score(root, MarkerChecker(), jobs=1)
    assert sorted(MarkerChecker.calls) == ["a.py", "b.py"]
    assert [f.path for f in report.findings] == ["a.py"]


def test_files_are_analysed_in_worker_processes(make_tree: TreeFactory) -> None:
    files = {f"m{i}.py": f"x = {i}\n" for i in range(6)}
    root = make_tree(files)
    checker = MarkerChecker(dict.fromkeys(files, "stamp"))
    report = run_score(root, checker, FactChecker(sleep_s=0.4), jobs=2)
    assert MarkerChecker.calls == []  # nothing ran in this process
    assert report.criterion("perf.lines").score is not None
    assert report.complete


def test_repository_checkers_run_while_files_are_analysed(make_tree: TreeFactory) -> None:
    files = {f"m{i}.py": f"x = {i}\n" for i in range(6)}
    root = make_tree(files)
    windows: list[tuple[float, float]] = []

    class Recording(MarkerChecker):
        def reduce(self, ctx: CheckContext, results: Mapping[str, FileResult]) -> CheckResult:
            windows.extend(tuple(r.data["window"]) for r in results.values())
            return super().reduce(ctx, results)

    fact = FactChecker(sleep_s=0.5)
    run_score(root, Recording(dict.fromkeys(files, "stamp")), fact, jobs=2)
    assert fact.window is not None
    assert len(windows) == 6
    first_file_start = min(w[0] for w in windows)
    last_file_end = max(w[1] for w in windows)
    # The repository check started before the file work ended and the other way round.
    assert fact.window[0] < last_file_end
    assert first_file_start < fact.window[1]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_file_that_raises_fails_its_checker_only(make_tree: TreeFactory, jobs: int) -> None:
    root = make_tree({"a.py": "x = 1\n", "bad.py": "y = 2\n", "README.md": "# r\n"})
    report = run_score(root, MarkerChecker({"bad.py": "raise"}), FactChecker(), jobs=jobs)
    runs = {r.name: r for r in report.checkers}
    assert runs["markers"].status == "failed"
    assert runs["markers"].error == "ValueError: cannot handle this file (in bad.py)"
    assert runs["fact"].status == "ok"
    assert report.complete is False
    assert report.criterion("perf.lines").assessed is False
    assert report.criterion("perf.repo").score == 100.0


def test_a_worker_that_dies_costs_only_its_file(make_tree: TreeFactory) -> None:
    files = {f"m{i}.py": f"x = {i}  # MARK\n" for i in range(8)}
    files["boom.py"] = "z = 0  # MARK\n"
    root = make_tree(files)
    report = run_score(root, MarkerChecker({"boom.py": "die"}), jobs=2)
    runs = {r.name: r for r in report.checkers}
    # A dead worker is a failure, never a success (issue 12): the checker is failed, its
    # criteria are not assessed and the report is incomplete; its other findings stay.
    assert runs["markers"].status == "failed"
    assert runs["markers"].error == (
        "boom.py not analysed: worker process died (exit code 17) while checking it with markers"
    )
    assert report.complete is False
    assert report.criterion("perf.markers").assessed is False
    skipped = {s.path: s for s in report.skipped}
    assert "boom.py" in skipped
    assert skipped["boom.py"].checker == "markers"
    assert "worker process died (exit code 17)" in skipped["boom.py"].reason
    # every other file was analysed, including those in flight when the worker died
    assert sorted(f.path for f in report.findings) == sorted(f"m{i}.py" for i in range(8))
    assert report.criterion("perf.lines").metrics["perf.lines"] == 8.0


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_only_for_long_runs_in_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TERM", "xterm")
    assert interactive(_Terminal()) is True
    assert interactive(io.StringIO()) is False
    monkeypatch.setenv("TERM", "dumb")
    assert interactive(_Terminal()) is False
    monkeypatch.setenv("TERM", "xterm")

    quick = _Terminal()
    bar = RunProgress(True, delay_s=60, stream=quick)
    bar.add_total(3)
    bar.advance(3)
    bar.close()
    assert quick.getvalue() == ""  # finished before the delay: nothing shown

    slow = _Terminal()
    bar = RunProgress(True, delay_s=0, stream=slow)
    bar.add_total(4)
    bar.advance(1)
    bar.advance(1)
    bar.close()
    assert "analysing files" in slow.getvalue()
    assert "2/4" in slow.getvalue()

    off = _Terminal()
    bar = RunProgress(False, delay_s=0, stream=off)
    bar.add_total(2)
    bar.advance(2)
    bar.close()
    assert off.getvalue() == ""


def test_chunks_keep_each_file_together_largest_first(make_tree: TreeFactory) -> None:
    root = make_tree({f"f{i}.py": "x = 1\n" * (1 + i * 7 % 50) for i in range(40)})
    files = discover(root).files
    tasks = [
        Task(n, checker, f)
        for n, (checker, f) in enumerate((c, f) for f in files for c in (0, 1, 2))
    ]
    chunks = chunked(tasks, workers=2)
    flat = [t for chunk in chunks for t in chunk]
    assert sorted(t.id for t in flat) == list(range(len(tasks)))
    for chunk in chunks:
        for path in {t.file.path for t in chunk}:
            assert [t.checker for t in chunk if t.file.path == path] == [0, 1, 2]
    sizes = [t.file.size for t in flat]
    assert sizes == sorted(sizes, reverse=True)
    assert 4 <= len(chunks) <= 40


def test_a_few_files_have_their_checkers_spread_over_the_workers(
    make_tree: TreeFactory,
) -> None:
    root = make_tree({"big.py": "x = 1\n" * 500, "small.py": "y = 2\n", "mid.py": "z = 3\n" * 9})
    files = discover(root).files
    tasks = [Task(n, c, f) for n, (c, f) in enumerate((c, f) for f in files for c in (0, 1, 2))]

    chunks = chunked(tasks, workers=2)

    assert [len(chunk) for chunk in chunks] == [1] * 9  # each checker of each file alone
    assert [c[0].file.path for c in chunks][:3] == ["big.py"] * 3  # largest first


class RedactingChecker(MarkerChecker):
    """Sets its own snippet hash (as a secrets checker does, not to hash the secret)."""

    def check_file(self, file: SourceFile, options: Mapping[str, Any]) -> FileResult:
        result = super().check_file(file, options)
        for finding in result.findings:
            finding.snippet_hash = f"redacted-{finding.line}"
        return result


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_checker_s_own_snippet_hash_survives_workers_and_the_cache(
    make_tree: TreeFactory, jobs: int, tmp_path: Path
) -> None:
    root = make_tree({"a.py": "token = 1  # MARK\n", "b.py": "x = 2\nsecret = 3  # MARK\n"})
    expected = {
        (f.path, f.line): f.model_copy(update={"snippet_hash": f"redacted-{f.line}"})
        .with_fingerprint()
        .fingerprint
        for f in run_score(root, MarkerChecker(), jobs=1).findings
    }
    cold = run_score(root, RedactingChecker(), jobs=jobs, cache=True, cache_dir=str(tmp_path))
    warm = run_score(root, RedactingChecker(), jobs=jobs, cache=True, cache_dir=str(tmp_path))
    for report in (cold, warm):
        assert {(f.path, f.line): f.fingerprint for f in report.findings} == expected


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_other_start_methods_give_the_same_report(
    make_tree: TreeFactory, monkeypatch: pytest.MonkeyPatch, method: str
) -> None:
    root = make_tree(many_files(12))
    serial = run_score(root, MarkerChecker(), FactChecker(), jobs=1)
    monkeypatch.setenv(START_METHOD_ENV, method)
    assert start_method() == method
    other = run_score(root, MarkerChecker(), FactChecker(), jobs=2)
    assert normalised(other) == normalised(serial)
    assert len(MarkerChecker.calls) == 13  # the serial run's files; the pool ran elsewhere


def test_with_another_thread_running_workers_are_still_used(
    make_tree: TreeFactory,
) -> None:
    # e.g. tqdm's monitor thread, left behind by sqlfluff in a long-lived process
    files = {f"m{i}.py": f"x = {i}\n" for i in range(4)}
    root = make_tree(files)
    pids: list[int] = []

    class Local(MarkerChecker):  # defined in a function: cannot be pickled for forkserver
        def reduce(self, ctx: CheckContext, results: Mapping[str, FileResult]) -> CheckResult:
            pids.extend(r.data["pid"] for r in results.values())
            return super().reduce(ctx, results)

    stop = threading.Event()
    helper = threading.Thread(target=stop.wait, daemon=True)
    helper.start()
    try:
        assert start_method() == "fork"  # still: the workers run checker code only
        report = run_score(root, Local(dict.fromkeys(files, "stamp")), FactChecker(), jobs=2)
    finally:
        stop.set()
        helper.join()
    assert report.complete
    assert len(pids) == 4
    assert MAIN_PID not in pids


def test_spawn_without_an_importable_main_runs_here(
    make_tree: TreeFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `python - < script.py`: spawned children would try to re-run "<stdin>" and die
    main = types.ModuleType("__main__")
    main.__file__ = "/nonexistent/<stdin>"
    monkeypatch.setitem(sys.modules, "__main__", main)
    monkeypatch.setenv(START_METHOD_ENV, "spawn")
    root = make_tree({"a.py": "x = 1  # MARK\n", "b.py": "y = 2  # MARK\n"})
    report = run_score(root, MarkerChecker(), FactChecker(), jobs=2)
    assert report.complete
    assert sorted(MarkerChecker.calls) == ["a.py", "b.py"]  # analysed in this process
