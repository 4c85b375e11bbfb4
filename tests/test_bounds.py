"""Bounded work per file: a size limit and a time limit for every file checker, each
configurable per checker; a file over a bound is skipped with the reason and the
checker's other files are unaffected."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import ClassVar

import pytest

from backend_skills import CheckContext, CheckResult, ConfigError, FileResult
from backend_skills.core.checker import CheckContext as Ctx
from backend_skills.core.discovery import discover
from backend_skills.core.runner import execute_checker

from .conftest import TreeFactory
from .test_parallel import FactChecker, MarkerChecker, run_score

SLOW_TREE = {
    "a.py": "x = 1  # MARK\n",
    "slow.py": "y = 2  # MARK\n",
    "z.py": "z = 3  # MARK\n",
}


class SmallFilesOnly(MarkerChecker):
    """A checker with a size limit of its own."""

    name = "markers"
    max_file_bytes: ClassVar[int | None] = 100


class SeesOnlyAnalysed(MarkerChecker):
    """Fails loudly if ``reduce`` gets a file the runner skipped."""

    def reduce(self, ctx: CheckContext, results: Mapping[str, FileResult]) -> CheckResult:
        assert "slow.py" not in results
        assert "big.py" not in results
        return super().reduce(ctx, results)


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("action", ["sleep", "spin"])
def test_a_slow_file_is_skipped_and_the_others_are_analysed(
    make_tree: TreeFactory, jobs: int, action: str
) -> None:
    root = make_tree(SLOW_TREE)
    started = time.monotonic()
    report = run_score(
        root, SeesOnlyAnalysed({"slow.py": action}), FactChecker(), jobs=jobs, timeout_s=0.5
    )
    assert time.monotonic() - started < 5  # not the 10 s the file would take
    run = next(r for r in report.checkers if r.name == "markers")
    # Issue 12: a file not analysed for time must not raise the score. The checker's
    # criteria are not assessed and the report is incomplete; its other findings stay.
    assert run.status == "failed"
    assert run.error == "slow.py not analysed: exceeded the 0.5 s per-file time limit in markers"
    assert not report.complete
    assert report.criterion("perf.markers").assessed is False
    skipped = [s for s in report.skipped if s.checker == "markers"]
    assert [(s.path, s.reason) for s in skipped] == [
        ("slow.py", "exceeded the 0.5 s per-file time limit in markers")
    ]
    assert [f.path for f in report.findings if f.checker == "markers"] == ["a.py", "z.py"]
    assert report.criterion("perf.lines").metrics["perf.lines"] == 2.0


def test_time_limit_per_checker_from_its_config_table(make_tree: TreeFactory) -> None:
    root = make_tree(SLOW_TREE)
    report = run_score(
        root,
        MarkerChecker({"slow.py": "sleep"}),
        jobs=1,
        timeout_s=60,
        checkers={"markers": {"timeout_s": 0.3}},
    )
    assert [s.reason for s in report.skipped if s.path == "slow.py"] == [
        "exceeded the 0.3 s per-file time limit in markers"
    ]


def test_a_worker_deaf_to_the_alarm_is_stopped_by_the_hard_limit(
    make_tree: TreeFactory,
) -> None:
    root = make_tree({**SLOW_TREE, "deaf.py": "w = 4  # MARK\n"})
    started = time.monotonic()
    report = run_score(root, MarkerChecker({"deaf.py": "deaf"}), jobs=2, timeout_s=0.4)
    # hard limit 0.4 * 1.5 + 1 = 1.6 s, once in the pool and once alone
    assert time.monotonic() - started < 10
    reasons = {s.path: s.reason for s in report.skipped if s.checker == "markers"}
    assert list(reasons) == ["deaf.py"]
    assert "over the 1.6 s hard time limit" in reasons["deaf.py"]
    assert sorted(f.path for f in report.findings) == ["a.py", "slow.py", "z.py"]


def test_size_limit_of_the_checker_and_its_override(make_tree: TreeFactory) -> None:
    big = "value = 1  # MARK\n" * 20  # 360 bytes
    root = make_tree({"big.py": big, "small.py": "x = 1  # MARK\n"})
    report = run_score(root, SmallFilesOnly(), jobs=1)
    assert [(s.path, s.reason) for s in report.skipped if s.checker == "markers"] == [
        ("big.py", "larger than the 100-byte limit of markers (360 bytes)")
    ]
    assert {f.path for f in report.findings} == {"small.py"}
    raised = run_score(
        root, SmallFilesOnly(), jobs=1, checkers={"markers": {"max_file_bytes": 1000}}
    )
    assert not [s for s in raised.skipped if s.checker == "markers"]
    assert {f.path for f in raised.findings} == {"big.py", "small.py"}


def test_reduce_never_sees_a_file_over_a_bound(make_tree: TreeFactory) -> None:
    root = make_tree({"big.py": "v = 1\n" * 100, "slow.py": "s = 1\n", "ok.py": "o = 1\n"})
    report = run_score(
        root,
        SeesOnlyAnalysed({"slow.py": "sleep"}),
        FactChecker(),
        jobs=2,
        timeout_s=0.3,
        checkers={"markers": {"max_file_bytes": 200}},
    )
    assert not report.complete  # slow.py ran out of time (issue 12); big.py is a size skip
    assert {s.path for s in report.skipped} == {"big.py", "slow.py"}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"timeout_s": 0}, "checkers.markers.timeout_s"),
        ({"timeout_s": "soon"}, "checkers.markers.timeout_s"),
        ({"max_file_bytes": -5}, "checkers.markers.max_file_bytes"),
        ({"max_file_bytes": 1.5}, "checkers.markers.max_file_bytes"),
    ],
)
def test_invalid_bounds_are_configuration_errors(
    make_tree: TreeFactory, table: dict[str, object], message: str
) -> None:
    root = make_tree({"a.py": "x = 1\n"})
    with pytest.raises(ConfigError, match=message):
        run_score(root, MarkerChecker(), checkers={"markers": table})


def test_execute_checker_applies_the_same_bounds(make_tree: TreeFactory) -> None:
    root = make_tree(SLOW_TREE)
    fileset = discover(root)
    result = execute_checker(
        MarkerChecker({"slow.py": "sleep"}), Ctx(root=root, fileset=fileset), timeout_s=0.3
    )
    assert [(s.path, s.reason) for s in result.skipped] == [
        ("slow.py", "exceeded the 0.3 s per-file time limit in markers")
    ]
    assert result.files == 2
