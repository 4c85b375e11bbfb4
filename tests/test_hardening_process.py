"""Hardening of the process model against a hostile repository (issue 12).

- the scored repository's modules are never imported by our own processes, whatever the
  start method, the working folder or the entry point;
- workers are bounded (count and memory) whatever the repository's configuration says;
- a dead worker, a checker raising ``SystemExit``/``KeyboardInterrupt``, or a file not
  analysed for time or memory makes the report incomplete, never a better score;
- a cached row that is not a valid result is recomputed;
- every message a checker writes is redacted before it reaches a report or the cache.
"""

from __future__ import annotations

import ctypes
import json
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import pytest

from backend_skills import (
    CheckContext,
    CheckResult,
    FileChecker,
    FileResult,
    Finding,
    Metric,
    RepoChecker,
    Severity,
    Skip,
    SourceFile,
    score,
)
from backend_skills.core.discovery import discover
from backend_skills.core.pool import default_jobs

from .conftest import TreeFactory
from .test_formats import render
from .test_parallel import (
    FactChecker,
    FixturePlugin,
    MarkerChecker,
    PerFileOnly,
    normalised,
    run_score,
)

START_METHODS = [
    m for m in ("fork", "forkserver", "spawn") if m in multiprocessing.get_all_start_methods()
]

#: Stdlib and library names a hostile repository shadows; each writes a marker when
#: imported (and then behaves as an empty module).
SHADOWED = (
    "multiprocessing/__init__.py",
    "tomllib.py",
    "json.py",
    "yaml.py",
    "concurrent/__init__.py",
    "pydantic.py",
    "encodings/__init__.py",
    "signal.py",
)


def hostile_tree(make_tree: TreeFactory, markers: Path) -> Path:
    plant = textwrap.dedent(
        f"""
        import os as _os
        _os.makedirs({str(markers)!r}, exist_ok=True)
        open(_os.path.join({str(markers)!r}, __name__ + "." + str(_os.getpid())), "w").close()
        """
    )
    files: dict[str, str] = dict.fromkeys(SHADOWED, plant)
    for i in range(6):  # enough files for a pool of workers
        files[f"app/m{i}.py"] = (
            f"import subprocess\n\ndef run{i}(cmd):\n    return subprocess.call(cmd, shell=True)\n"
        )
    files["db/schema.sql"] = "CREATE TABLE t (id INT PRIMARY KEY);\n"
    return make_tree(files)


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


@pytest.mark.parametrize("method", START_METHODS)
@pytest.mark.parametrize("entry", ["module", "script", "api"])
def test_the_scored_repository_is_never_imported(
    make_tree: TreeFactory, tmp_path: Path, method: str, entry: str
) -> None:
    markers = tmp_path / "markers"
    root = hostile_tree(make_tree, markers)
    host = tmp_path / "host.py"
    host.write_text(
        "import sys, backend_skills\n"
        "r = backend_skills.score('.', jobs=2, cache=False)\n"
        "print(r.complete, len(r.findings))\n",
        encoding="utf-8",
    )
    command = {
        "module": [
            sys.executable,
            "-m",
            "backend_skills",
            "score",
            ".",
            "--jobs",
            "2",
            "--no-cache",
            "--format",
            "json",
        ],
        "script": [
            _bin("backend-skills"),
            "score",
            ".",
            "--jobs",
            "2",
            "--no-cache",
            "--format",
            "json",
        ],
        "api": [sys.executable, str(host)],
    }[entry]
    env = {**os.environ, "BACKEND_SKILLS_START_METHOD": method}
    env.pop("PYTHONSAFEPATH", None)
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    planted = sorted(p.name for p in markers.iterdir()) if markers.exists() else []
    assert planted == [], planted
    if entry != "api":
        report = json.loads(done.stdout)
        assert report["complete"] is True
        assert any(f["rule"] == "B602" for f in report["findings"])  # workers did the work


# ----------------------------------------------------------------- bounded workers


class Hostile(MarkerChecker):
    """MarkerChecker with more ways to misbehave on a file (``actions``):
    ``hog`` asks for 3 GiB of memory, ``kill`` gets the worker SIGKILLed (as the OOM
    killer does), ``segv`` crashes it, ``exit`` raises SystemExit, ``interrupt`` raises
    KeyboardInterrupt."""

    def check_file(self, file: SourceFile, options: Mapping[str, Any]) -> FileResult:
        action = self.actions.get(file.name)
        if action == "hog":
            hoard = bytes(3 * 1024**3)  # address space only: calloc'd pages are not touched
            del hoard
        elif action in ("kill", "segv"):
            if multiprocessing.parent_process() is None:
                raise RuntimeError("refusing to kill the test process")
            if action == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            ctypes.string_at(0)  # a NULL read: SIGSEGV
        elif action == "exit":
            sys.exit(3)
        elif action == "interrupt":
            raise KeyboardInterrupt
        return super().check_file(file, options)


def _tree(make_tree: TreeFactory, count: int = 6) -> Path:
    files = {f"m{i}.py": f"x = {i}  # MARK\n" for i in range(count)}
    files["bad.py"] = "z = 0  # MARK\n"
    return make_tree(files)


def test_repository_configuration_cannot_raise_the_number_of_workers(
    make_tree: TreeFactory,
) -> None:
    files = {f"m{i:02}.py": f"x = {i}  # MARK\n" for i in range(12)}
    # The largest value the configuration accepts (100000 is refused as out of range):
    # the pool still starts no more workers than the machine has cores.
    files[".backend-skills.toml"] = "jobs = 1024\n"
    root = make_tree(files)
    report = score(
        root,
        skills=["perf"],
        plugins=[FixturePlugin([Hostile(dict.fromkeys(files, "stamp")), FactChecker()])],
        cache=False,
    )
    # MarkerChecker's "stamp" records the worker's pid in each file's data: reduce's notes
    # do not show it, so read it from a second, serial look at the per-file results.
    assert report.complete
    pids = _worker_pids(root, files)
    assert 1 <= len(pids) <= default_jobs()


def _worker_pids(root: Path, files: Mapping[str, str]) -> set[int]:
    seen: set[int] = set()

    class Pids(Hostile):
        def reduce(self, ctx: CheckContext, results: Mapping[str, FileResult]) -> CheckResult:
            seen.update(int(r.data["pid"]) for r in results.values() if "pid" in r.data)
            return super().reduce(ctx, results)

    score(
        root,
        skills=["perf"],
        plugins=[FixturePlugin([Pids(dict.fromkeys(files, "stamp")), FactChecker()])],
        cache=False,
    )
    return seen


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_file_over_the_memory_ceiling_is_skipped_for_that_reason(
    make_tree: TreeFactory, jobs: int
) -> None:
    root = _tree(make_tree)
    report = run_score(root, Hostile({"bad.py": "hog"}), FactChecker(), jobs=jobs)
    run = {r.name: r for r in report.checkers}["markers"]
    skipped = {s.path: s.reason for s in report.skipped}
    assert "memory limit" in skipped["bad.py"], skipped
    assert "2 GiB" in skipped["bad.py"]
    assert run.status == "failed"
    assert "bad.py not analysed" in (run.error or "")
    assert report.complete is False
    assert sorted(f.path for f in report.findings if f.checker == "markers") == [
        f"m{i}.py" for i in range(6)
    ]
    assert {r.name: r for r in report.checkers}["fact"].status == "ok"


def test_the_memory_ceiling_is_the_callers_choice(make_tree: TreeFactory) -> None:
    root = _tree(make_tree)
    hog = Hostile({"bad.py": "hog"})
    report = run_score(root, hog, FactChecker(), jobs=2, max_memory_mb=8192)
    assert report.complete  # 3 GiB fit under an 8 GiB ceiling
    report = run_score(root, hog, FactChecker(), jobs=2, max_memory_mb=0)
    assert report.complete  # no ceiling


# ------------------------------------------------------- failures are never success


@pytest.mark.parametrize(
    ("action", "how"),
    [("kill", "signal 9: SIGKILL, out of memory?"), ("segv", "signal 11: SIGSEGV")],
)
def test_a_dead_worker_fails_its_checker_and_never_raises_the_score(
    make_tree: TreeFactory, action: str, how: str
) -> None:
    root = _tree(make_tree)
    full = run_score(root, Hostile(), FactChecker(), jobs=2)
    report = run_score(root, Hostile({"bad.py": action}), FactChecker(), jobs=2)
    runs = {r.name: r for r in report.checkers}
    assert runs["markers"].status == "failed"
    assert runs["markers"].error == (
        f"bad.py not analysed: worker process died ({how}) while checking it with markers"
    )
    assert runs["fact"].status == "ok"
    assert report.complete is False
    assert report.criterion("perf.markers").assessed is False
    # the other files' findings are kept
    assert sorted(f.path for f in report.findings if f.checker == "markers") == [
        f"m{i}.py" for i in range(6)
    ]
    assert report.score is not None
    assert full.score is not None
    assert report.score <= full.score


def test_a_checker_out_of_its_own_time_budget_never_raises_the_score(
    make_tree: TreeFactory,
) -> None:
    root = _tree(make_tree)
    full = run_score(root, Hostile(), jobs=1)
    report = run_score(root, Hostile({"bad.py": "busy"}), jobs=1)
    run = {r.name: r for r in report.checkers}["markers"]
    assert run.status == "failed"
    assert run.error == "bad.py not analysed: over its own time budget"
    assert report.complete is False
    assert report.score is not None
    assert full.score is not None
    assert report.score <= full.score


def test_a_padded_file_over_the_time_limit_makes_the_report_incomplete(
    make_tree: TreeFactory,
) -> None:
    """Real bandit: a file it cannot finish in time does not make security better."""
    root = make_tree(
        {
            "app/views.py": "import subprocess\n\n"
            "def run(cmd):\n    return subprocess.call(cmd, shell=True)\n",
            "app/other.py": "def ok():\n    return 1\n",
        }
    )
    full = score(root, skills=["security"], isolated=True, cache=False, jobs=1)
    starved = score(
        root,
        skills=["security"],
        isolated=True,
        cache=False,
        jobs=1,
        checkers={"bandit": {"timeout_s": 0.0001}},
    )
    bandit = {r.name: r for r in starved.checkers}["bandit"]
    assert bandit.status == "failed"
    assert "per-file time limit" in (bandit.error or "")
    assert starved.complete is False
    assert full.score is not None
    assert starved.score is not None
    assert starved.score <= full.score


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize(
    ("action", "error"),
    [("exit", "SystemExit: 3 (in bad.py)"), ("interrupt", "KeyboardInterrupt (in bad.py)")],
)
def test_a_checker_raising_a_base_exception_fails_alone(
    make_tree: TreeFactory, jobs: int, action: str, error: str
) -> None:
    root = _tree(make_tree)
    report = run_score(root, Hostile({"bad.py": action}), FactChecker(), jobs=jobs)
    runs = {r.name: r for r in report.checkers}
    assert runs["markers"].status == "failed"
    assert runs["markers"].error == error
    assert runs["fact"].status == "ok"
    assert report.complete is False


class ExitingRepoChecker(FactChecker):
    name = "exiting"
    provides = ("perf.repo",)

    def check(self, ctx: CheckContext) -> CheckResult:
        raise SystemExit("repository checker gave up")


def test_a_repository_checker_raising_system_exit_fails_alone(make_tree: TreeFactory) -> None:
    root = _tree(make_tree)
    report = run_score(root, Hostile(), ExitingRepoChecker(), jobs=1)
    runs = {r.name: r for r in report.checkers}
    assert runs["exiting"].status == "failed"
    assert runs["exiting"].error == "SystemExit: repository checker gave up"
    assert runs["markers"].status == "ok"
    assert report.complete is False


def test_the_users_ctrl_c_still_stops_the_run(make_tree: TreeFactory) -> None:
    root = _tree(make_tree)

    class Interrupted(Hostile):
        def check_file(self, file: SourceFile, options: Mapping[str, Any]) -> FileResult:
            if file.name == "bad.py":
                os.kill(os.getpid(), signal.SIGINT)  # a real signal to this process
                time.sleep(1)
            return super().check_file(file, options)

    with pytest.raises(KeyboardInterrupt):
        run_score(root, Interrupted(), jobs=1)


# ------------------------------------------------------------------------ the cache


@pytest.mark.parametrize(
    "value",
    [
        '{"findings": [], "data": {}}',  # valid JSON and FileResult, not what reduce needs
        '{"findings": [], "data": {"lines": "many", "shape": 1, "by_line": {}}}',
        '{"findings": 5}',
        "[]",
        '{"findings": [{"checker": 1}]}',
    ],
)
def test_a_cached_row_that_is_not_a_valid_result_is_recomputed(
    make_tree: TreeFactory, tmp_path: Path, value: str
) -> None:
    root = _tree(make_tree)
    cache_dir = tmp_path / "c"
    cold = run_score(
        root, PerFileOnly(), FactChecker(), jobs=1, cache=True, cache_dir=str(cache_dir)
    )
    with sqlite3.connect(cache_dir / "cache.sqlite3") as db:
        changed = db.execute("UPDATE results SET value = ? WHERE checker = 'markers'", (value,))
        assert changed.rowcount == 7
    MarkerChecker.calls.clear()
    warm = run_score(
        root, PerFileOnly(), FactChecker(), jobs=1, cache=True, cache_dir=str(cache_dir)
    )
    assert {r.name: r.status for r in warm.checkers}["markers"] == "ok"
    assert warm.complete
    assert normalised(warm) == normalised(cold)
    assert sorted(MarkerChecker.calls) == sorted(f.path for f in discover(root).files)
    MarkerChecker.calls.clear()
    again = run_score(
        root, PerFileOnly(), FactChecker(), jobs=1, cache=True, cache_dir=str(cache_dir)
    )
    assert MarkerChecker.calls == []  # the recomputed rows were stored
    assert normalised(again) == normalised(cold)


# ---------------------------------------------------------------------- redaction

AWS = "AKIAIOSFODNN7EXAMPLE"
GITHUB = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
URL_PASSWORD = "hunter2hunter2"
SECRETS = (AWS, AWS_SECRET, GITHUB, URL_PASSWORD, "Sup3rS3cret")


class Quoting(FileChecker):
    """A third-party checker that quotes repository text verbatim everywhere."""

    name = "quoting"
    languages: ClassVar[frozenset[str]] = frozenset({"python", "sql"})
    feeds = ("perf.markers",)

    def check_file(self, file: SourceFile, options: Mapping[str, Any]) -> FileResult:
        findings = [
            Finding(
                checker=self.name,
                rule="Q001",
                skill="perf",
                criterion="perf.markers",
                severity=Severity.HIGH,
                message=f"suspicious line: {line.strip()}",
                path=file.path,
                line=number,
            )
            for number, line in enumerate(file.text.splitlines(), 1)
        ]
        if file.name == "boom.py":
            raise ValueError(f"cannot parse {file.text.splitlines()[0]}")
        skipped = f"unparsable: {file.text.strip()}" if file.language == "sql" else None
        return FileResult(findings=[] if skipped else findings, skipped=skipped)

    def reduce(self, ctx: CheckContext, results: Mapping[str, FileResult]) -> CheckResult:
        findings = [f for r in results.values() for f in r.findings]
        return CheckResult(
            findings=findings,
            skipped=[Skip(path=path, reason=r.skipped) for path, r in results.items() if r.skipped],
            files=len(results),
            notes=[f"first line seen: {findings[0].message}"] if findings else [],
        )


class QuotingRepo(RepoChecker):
    name = "quoting-repo"
    provides = ("perf.repo",)

    def check(self, ctx: CheckContext) -> CheckResult:
        return CheckResult(
            metrics=[Metric(name="perf.repo", value=1.0)],
            notes=[f"remote is https://deploy:{URL_PASSWORD}@example.com/x.git"],
            findings=[
                Finding(
                    checker=self.name,
                    rule="QR1",
                    skill="perf",
                    criterion="perf.markers",
                    severity=Severity.LOW,
                    message=f"commit subject: add key {AWS}",
                    path="app/settings.py",
                    line=1,
                )
            ],
        )

    def cache_inputs(self, ctx: CheckContext) -> str | None:
        return "fixed"


@pytest.mark.parametrize("jobs", [1, 2])
def test_no_checker_can_copy_a_secret_into_a_report_or_the_cache(
    make_tree: TreeFactory, tmp_path: Path, jobs: int
) -> None:
    root = make_tree(
        {
            "app/settings.py": f'AWS_KEY = "{AWS}"\nTOKEN = "{GITHUB}"\n'
            f'DB = "postgres://app:{URL_PASSWORD}@db/app"\n',
            "app/more.py": f"# {GITHUB}\n",
            "db/users.sql": "ALTER USER app IDENTIFIED BY 'Sup3rS3cret';\n",
            "db/keys.sql": f"INSERT INTO k VALUES ('{AWS}', '{AWS_SECRET}');\n",
        }
    )
    cache_dir = tmp_path / "cache"
    reports = [
        run_score(root, Quoting(), QuotingRepo(), jobs=jobs, cache=True, cache_dir=str(cache_dir))
        for _ in range(2)  # cold, then warm from the cache
    ]
    for report in reports:
        assert [f for f in report.findings if f.checker == "quoting"]  # messages kept...
        for fmt in ("json", "text", "sarif", "markdown"):
            out = render(report, fmt)
            for secret in SECRETS:
                assert secret not in out, (fmt, secret)  # ...without the secrets
        assert "<redacted>" in render(report, "json")
    stored = b"".join(p.read_bytes() for p in cache_dir.iterdir() if p.is_file())
    assert stored
    for secret in SECRETS:
        assert secret.encode() not in stored, secret


def test_a_checker_error_quoting_a_secret_is_redacted(make_tree: TreeFactory) -> None:
    root = make_tree({"boom.py": f"TOKEN = '{GITHUB}'\n"})
    report = run_score(root, Quoting(), jobs=1)
    run = {r.name: r for r in report.checkers}["quoting"]
    assert run.status == "failed"
    assert GITHUB not in (run.error or "")
    assert "<redacted>" in (run.error or "")


class HoggingRepoChecker(FactChecker):
    name = "hogging"

    def check(self, ctx: CheckContext) -> CheckResult:
        hoard = bytes(3 * 1024**3)  # address space only
        del hoard
        return super().check(ctx)


def test_checker_code_run_in_this_process_has_the_memory_ceiling_too(
    make_tree: TreeFactory,
) -> None:
    root = _tree(make_tree)
    report = run_score(root, Hostile(), HoggingRepoChecker(), jobs=2)
    runs = {r.name: r for r in report.checkers}
    assert runs["hogging"].status == "failed"
    assert runs["hogging"].error == "MemoryError"
    assert runs["markers"].status == "ok"
    assert report.complete is False


class MemoUser(MarkerChecker):
    """Uses a per-file fact kept in the cache (a line count) in ``prepare``."""

    def cache_inputs(self, ctx: CheckContext) -> str | None:
        return None

    def prepare(self, ctx: CheckContext) -> dict[str, Any]:
        counts = ctx.memo.per_file("lines", ctx.fileset.files, lambda f: f.lines)
        return {"total": sum(counts.values()) + 0}


class MemoRepoUser(FactChecker):
    def check(self, ctx: CheckContext) -> CheckResult:
        counts = ctx.memo.per_file("lines", ctx.fileset.files, lambda f: f.lines)
        assert sum(counts.values()) >= 0
        return super().check(ctx)


def test_a_damaged_per_file_fact_in_the_cache_is_recomputed(
    make_tree: TreeFactory, tmp_path: Path
) -> None:
    root = _tree(make_tree)
    cache_dir = tmp_path / "c"
    options: dict[str, Any] = {"jobs": 1, "cache": True, "cache_dir": str(cache_dir)}
    cold = run_score(root, MemoUser(), MemoRepoUser(), **options)
    assert cold.complete
    with sqlite3.connect(cache_dir / "cache.sqlite3") as db:
        rows = db.execute(
            "SELECT key, value FROM results WHERE checker LIKE '%per-file facts%'"
        ).fetchall()
        assert len(rows) == 2
        for key, value in rows:
            damaged = {path: [sig, "many"] for path, (sig, _) in json.loads(value).items()}
            db.execute("UPDATE results SET value = ? WHERE key = ?", (json.dumps(damaged), key))
    warm = run_score(root, MemoUser(), MemoRepoUser(), **options)
    runs = {r.name: r.status for r in warm.checkers}
    assert (runs["markers"], runs["fact"]) == ("ok", "ok")
    assert normalised(warm) == normalised(cold)


def test_the_users_own_installation_inside_the_repository_stays_importable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A virtual environment or editable install inside the scored folder is the user's
    (put on the path by its own .pth files): only the root, the working folder inside
    it, ``''`` and relative entries are taken off."""
    from backend_skills.core.safepath import trusted_import_path

    root = tmp_path / "repo"
    venv = root / ".venv" / "lib" / "site-packages"
    venv.mkdir(parents=True)
    monkeypatch.chdir(root)
    monkeypatch.setattr(sys, "path", ["", str(root), "lib", str(venv), *sys.path])
    before = list(sys.path)
    with trusted_import_path([root]):
        assert str(venv) in sys.path
        assert "" not in sys.path
        assert str(root) not in sys.path
        assert "lib" not in sys.path
    assert sys.path == before
