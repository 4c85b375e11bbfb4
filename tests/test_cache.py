"""The on-disk result cache: warm runs analyse nothing, changes invalidate exactly what
they should, damage is repaired with a warning, concurrent runs do not corrupt it."""

from __future__ import annotations

import json
import multiprocessing
import shutil
import sqlite3
import time
import warnings
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from backend_skills import Checker, Report
from backend_skills import cli as cli_module
from backend_skills.cli import cli
from backend_skills.core import discovery
from backend_skills.core.cache import (
    CACHE_DIR_ENV,
    CACHE_DIR_NAME,
    CACHE_FILE,
    PRUNE_AFTER_S,
    CacheWarning,
    FileMemo,
    NewRow,
    ResultCache,
    code_stamp,
    resolve_cache_dir,
)
from backend_skills.core.plugins import Plugins, load_plugins

from .conftest import TreeFactory
from .test_parallel import (
    FactChecker,
    FixturePlugin,
    MarkerChecker,
    PerFileOnly,
    many_files,
    normalised,
    run_score,
)

TREE = {
    "README.md": "# r\n",
    "app/a.py": "x = 1  # MARK\n",
    "app/b.py": "y = 2\n",
    "app/c.py": "z = 3  # MARK\nw = 4  # MARK\n",
}


def cached_score(root: Path, *checkers: Checker, **options: Any) -> Report:
    """A cached run (in this process unless ``jobs`` says otherwise)."""
    options.setdefault("jobs", 1)
    return run_score(root, *checkers, cache=True, **options)


@pytest.fixture(autouse=True)
def _reset_counters(monkeypatch: pytest.MonkeyPatch) -> None:
    MarkerChecker.calls.clear()
    MarkerChecker.prepares = 0
    FactChecker.calls = 0
    monkeypatch.delenv(CACHE_DIR_ENV, raising=False)


def test_warm_run_analyses_nothing_and_gives_the_same_report(make_tree: TreeFactory) -> None:
    root = make_tree(TREE)
    cold = cached_score(root, MarkerChecker(), FactChecker())
    assert sorted(MarkerChecker.calls) == ["app/a.py", "app/b.py", "app/c.py"]
    MarkerChecker.calls.clear()
    warm = cached_score(root, MarkerChecker(), FactChecker())
    assert MarkerChecker.calls == []
    assert normalised(warm) == normalised(cold)
    assert [f.fingerprint for f in warm.findings] == [f.fingerprint for f in cold.findings]
    assert (root / CACHE_DIR_NAME / CACHE_FILE).is_file()


def test_a_warm_run_reads_no_file_and_a_change_reads_only_that_file(
    make_tree: TreeFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(discovery, "RACY_WINDOW_NS", -(10**12))  # trust fresh files
    root = make_tree(TREE)
    cold = cached_score(root, MarkerChecker(), FactChecker())
    read: list[str] = []
    load, read_known = discovery._load, discovery._read_known

    def counting_load(rel: str, *args: Any) -> Any:
        read.append(rel)
        return load(rel, *args)

    def counting_read_known(file: discovery.SourceFile) -> str:
        read.append(file.path)
        return read_known(file)

    monkeypatch.setattr(discovery, "_load", counting_load)
    monkeypatch.setattr(discovery, "_read_known", counting_read_known)

    warm = cached_score(root, MarkerChecker(), FactChecker())
    assert read == []
    assert normalised(warm) == normalised(cold)

    (root / "app/b.py").write_text("y = 2  # MARK\n", encoding="utf-8")
    changed = cached_score(root, MarkerChecker(), FactChecker())
    assert read == ["app/b.py"]
    assert "app/b.py" not in {f.path for f in warm.findings}
    assert "app/b.py" in {f.path for f in changed.findings}


def test_a_file_changed_during_the_run_is_skipped_not_a_checker_failure(
    make_tree: TreeFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backend_skills.core import runner

    monkeypatch.setattr(discovery, "RACY_WINDOW_NS", -(10**12))
    root = make_tree(TREE)
    cached_score(root, FactChecker())  # records every file; MarkerChecker never ran
    real_discover = runner.discover

    def discover_then_edit(*args: Any, **kwargs: Any) -> discovery.FileSet:
        found = real_discover(*args, **kwargs)
        (root / "app/c.py").write_text("edited = True  # MARK\n", encoding="utf-8")
        return found

    monkeypatch.setattr(runner, "discover", discover_then_edit)
    report = cached_score(root, MarkerChecker())

    assert {c.name: c.status for c in report.checkers}["markers"] == "ok"
    (skip,) = [s for s in report.skipped if s.checker == "markers"]
    assert skip.path == "app/c.py"
    assert "app/c.py: changed while it was being scored; run again" in skip.reason
    assert sorted({f.path for f in report.findings}) == ["app/a.py"]


def test_parallel_cold_and_warm_runs_match_a_serial_run(make_tree: TreeFactory) -> None:
    root = make_tree(many_files(30))
    serial = run_score(root, MarkerChecker(), FactChecker(), jobs=1)
    cold = cached_score(root, MarkerChecker(), FactChecker(), jobs=2)
    warm = cached_score(root, MarkerChecker(), FactChecker(), jobs=2)
    assert normalised(cold) == normalised(serial)
    assert normalised(warm) == normalised(serial)


def test_unchanged_tree_reuses_the_whole_result_without_prepare(make_tree: TreeFactory) -> None:
    root = make_tree(TREE)
    cold = cached_score(root, MarkerChecker())
    assert MarkerChecker.prepares == 1
    warm = cached_score(root, MarkerChecker())
    assert MarkerChecker.prepares == 1  # neither prepare nor check_file nor reduce ran
    assert len(MarkerChecker.calls) == 3
    assert normalised(warm) == normalised(cold)
    # Any change to the tree, even to a file the checker does not analyse, runs
    # prepare and reduce again; the per-file results still come from the cache.
    (root / "README.md").write_text("# changed\n", encoding="utf-8")
    cached_score(root, MarkerChecker())
    assert MarkerChecker.prepares == 2
    assert len(MarkerChecker.calls) == 3


def test_per_file_cache_alone_gives_the_same_report(make_tree: TreeFactory) -> None:
    root = make_tree(many_files(20))
    cold = cached_score(root, PerFileOnly(), FactChecker())
    MarkerChecker.calls.clear()
    warm = cached_score(root, PerFileOnly(), FactChecker())
    assert MarkerChecker.calls == []
    assert MarkerChecker.prepares == 2  # not cacheable whole: prepare runs each time
    assert normalised(warm) == normalised(cold)
    parallel = cached_score(root, PerFileOnly(), FactChecker(), jobs=2)
    assert normalised(parallel) == normalised(cold)


def test_a_timed_out_file_is_not_cached(make_tree: TreeFactory) -> None:
    root = make_tree({"a.py": "x = 1  # MARK\n", "slow.py": "y = 2  # MARK\n"})
    first = cached_score(root, MarkerChecker({"slow.py": "sleep"}), timeout_s=0.3)
    assert [s.path for s in first.skipped] == ["slow.py"]
    MarkerChecker.calls.clear()
    second = cached_score(root, MarkerChecker(), timeout_s=0.3)
    assert MarkerChecker.calls == ["slow.py"]  # tried again; a.py came from the cache
    assert sorted(f.path for f in second.findings) == ["a.py", "slow.py"]


def test_a_transient_skip_is_not_cached(make_tree: TreeFactory) -> None:
    root = make_tree({"a.py": "x = 1  # MARK\n", "slow.py": "y = 2  # MARK\n"})
    first = cached_score(root, MarkerChecker({"slow.py": "busy"}))
    assert sorted(f.path for f in first.findings) == ["a.py"]
    MarkerChecker.calls.clear()
    second = cached_score(root, MarkerChecker())
    assert MarkerChecker.calls == ["slow.py"]  # tried again; a.py came from the cache
    assert sorted(f.path for f in second.findings) == ["a.py", "slow.py"]


def test_changing_one_file_reanalyses_only_that_file(make_tree: TreeFactory) -> None:
    root = make_tree(TREE)
    cached_score(root, MarkerChecker())
    MarkerChecker.calls.clear()
    (root / "app/b.py").write_text("y = 2  # MARK\n", encoding="utf-8")
    report = cached_score(root, MarkerChecker())
    assert MarkerChecker.calls == ["app/b.py"]
    assert sorted({f.path for f in report.findings}) == ["app/a.py", "app/b.py", "app/c.py"]


def test_options_and_versions_are_part_of_the_key(make_tree: TreeFactory) -> None:
    root = make_tree(TREE)
    cached_score(root, MarkerChecker())
    MarkerChecker.calls.clear()
    other_options = cached_score(root, MarkerChecker(), checkers={"markers": {"word": "x ="}})
    assert len(MarkerChecker.calls) == 3
    assert [f.path for f in other_options.findings] == ["app/a.py"]
    MarkerChecker.calls.clear()
    cached_score(root, MarkerChecker(version="2"))
    assert len(MarkerChecker.calls) == 3


def test_same_content_at_two_paths_keeps_each_path(make_tree: TreeFactory) -> None:
    root = make_tree({"one/x.py": "a = 1  # MARK\n", "two/x.py": "a = 1  # MARK\n"})
    cached_score(root, MarkerChecker())
    warm = cached_score(root, MarkerChecker())
    assert [f.path for f in warm.findings] == ["one/x.py", "two/x.py"]


def test_no_cache_reads_and_writes_nothing(make_tree: TreeFactory) -> None:
    root = make_tree(TREE)
    run_score(root, MarkerChecker(), jobs=1, cache=False)
    run_score(root, MarkerChecker(), jobs=1, cache=False)
    assert len(MarkerChecker.calls) == 6
    assert not (root / CACHE_DIR_NAME).exists()


def test_cache_folder_is_ignored_by_git_and_by_discovery(make_tree: TreeFactory) -> None:
    root = make_tree(TREE)
    first = cached_score(root, MarkerChecker())
    folder = root / CACHE_DIR_NAME
    assert (folder / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert (folder / "CACHEDIR.TAG").read_text(encoding="utf-8").startswith("Signature: ")
    second = cached_score(root, MarkerChecker())
    assert second.stats.files == first.stats.files


def test_cache_dir_setting_environment_and_precedence(
    make_tree: TreeFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_tree(TREE)
    cached_score(root, MarkerChecker(), cache_dir="build/cache")
    assert (root / "build/cache" / CACHE_FILE).is_file()
    assert not (root / CACHE_DIR_NAME).exists()
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "user-cache"))
    assert resolve_cache_dir(root, None) == tmp_path / "user-cache"
    assert resolve_cache_dir(root, "here") == root / "here"  # the setting beats the variable
    cached_score(root, MarkerChecker())
    assert (tmp_path / "user-cache" / CACHE_FILE).is_file()


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(b"this is not a database at all\n" * 100, id="garbage"),
        pytest.param(b"", id="empty"),
        pytest.param(b"SQLite format 3\x00" + b"\xff" * 4000, id="broken-header"),
    ],
)
def test_a_corrupt_cache_file_is_rebuilt_with_a_warning(
    make_tree: TreeFactory, damage: bytes
) -> None:
    root = make_tree(TREE)
    clean = cached_score(root, MarkerChecker())
    database = root / CACHE_DIR_NAME / CACHE_FILE
    for side in database.parent.glob(f"{CACHE_FILE}-*"):
        side.unlink()
    database.write_bytes(damage)
    MarkerChecker.calls.clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        repaired = cached_score(root, MarkerChecker())
    messages = [str(w.message) for w in caught if issubclass(w.category, CacheWarning)]
    if damage:
        assert len(messages) == 1
        assert "discarded and rebuilt" in messages[0]
    assert normalised(repaired) == normalised(clean)
    assert len(MarkerChecker.calls) == 3
    # rebuilt: the next run is warm and quiet
    MarkerChecker.calls.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        cached_score(root, MarkerChecker())
    assert MarkerChecker.calls == []


def test_damaged_pages_found_while_reading_are_repaired(make_tree: TreeFactory) -> None:
    root = make_tree(many_files(60))
    clean = cached_score(root, MarkerChecker())
    database = root / CACHE_DIR_NAME / CACHE_FILE
    conn = sqlite3.connect(database)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(database.read_bytes())
    page = 4096
    assert len(data) > 4 * page
    data[2 * page :] = b"\xa5" * (len(data) - 2 * page)  # keep the header and schema
    database.write_bytes(bytes(data))
    MarkerChecker.calls.clear()
    with pytest.warns(CacheWarning, match="discarded and rebuilt"):
        repaired = cached_score(root, MarkerChecker())
    assert normalised(repaired) == normalised(clean)
    MarkerChecker.calls.clear()
    cached_score(root, MarkerChecker())
    assert MarkerChecker.calls == []


def test_a_foreign_database_is_replaced(make_tree: TreeFactory) -> None:
    root = make_tree(TREE)
    folder = root / CACHE_DIR_NAME
    folder.mkdir()
    conn = sqlite3.connect(folder / CACHE_FILE)
    conn.execute("CREATE TABLE users (name TEXT)")
    conn.commit()
    conn.close()
    with pytest.warns(CacheWarning, match="not a backend-skills cache"):
        cached_score(root, MarkerChecker())
    conn = sqlite3.connect(folder / CACHE_FILE)
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert tables == {"meta", "results"}


def test_an_unreadable_row_is_a_miss(make_tree: TreeFactory) -> None:
    root = make_tree(TREE)
    clean = cached_score(root, MarkerChecker())
    conn = sqlite3.connect(root / CACHE_DIR_NAME / CACHE_FILE)
    conn.execute("UPDATE results SET value = '{\"findings\": 12'")
    conn.commit()
    conn.close()
    MarkerChecker.calls.clear()
    again = cached_score(root, MarkerChecker())
    assert len(MarkerChecker.calls) == 3
    assert normalised(again) == normalised(clean)


def test_an_unusable_cache_folder_is_bypassed_with_a_warning(make_tree: TreeFactory) -> None:
    root = make_tree(TREE)
    (root / "blocker").write_text("a file where the folder should be\n", encoding="utf-8")
    with pytest.warns(CacheWarning, match="continuing without the cache"):
        report = cached_score(root, MarkerChecker(), cache_dir="blocker/cache")
    assert report.complete is False or report.findings  # the run itself went on
    assert len(MarkerChecker.calls) == 3


def _concurrent_run(root: str, out: str) -> None:
    report = run_score(Path(root), MarkerChecker(), FactChecker(), jobs=1, cache=True)
    Path(out).write_text(report.model_dump_json(), encoding="utf-8")


def test_two_concurrent_runs_do_not_corrupt_the_cache(make_tree: TreeFactory) -> None:
    root = make_tree(many_files(150))
    context = multiprocessing.get_context("fork")
    for round_ in range(3):
        if round_:
            for i in range(0, 150, 2):  # new content: both runs write many rows at once
                path = root / f"app/m{i}.py"
                path.write_text(path.read_text() + f"extra_{round_} = 1  # MARK\n")
        outs = [root.parent / f"out{round_}-{n}.json" for n in range(2)]
        runs = [context.Process(target=_concurrent_run, args=(str(root), str(o))) for o in outs]
        for process in runs:
            process.start()
        for process in runs:
            process.join(60)
            assert process.exitcode == 0
        assert outs[0].read_text() != ""
    conn = sqlite3.connect(root / CACHE_DIR_NAME / CACHE_FILE)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()
    MarkerChecker.calls.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        warm = cached_score(root, MarkerChecker(), FactChecker())
    assert MarkerChecker.calls == []
    assert normalised(warm) == normalised(run_score(root, MarkerChecker(), FactChecker(), jobs=1))


def test_repository_checkers_are_cached_by_their_inputs(make_tree: TreeFactory) -> None:
    root = make_tree(TREE)
    first = cached_score(root, MarkerChecker(), FactChecker(inputs="head-1"))
    warm = cached_score(root, MarkerChecker(), FactChecker(inputs="head-1"))
    assert FactChecker.calls == 1
    assert normalised(warm) == normalised(first)
    cached_score(root, MarkerChecker(), FactChecker(inputs="head-2"))
    assert FactChecker.calls == 2
    cached_score(root, MarkerChecker(), FactChecker(inputs=None))
    cached_score(root, MarkerChecker(), FactChecker(inputs=None))
    assert FactChecker.calls == 4  # not cacheable: runs every time


def test_rows_unused_for_long_are_pruned(tmp_path: Path) -> None:
    store = ResultCache(tmp_path / "c")
    store.put_many([NewRow("old", "markers", "{}"), NewRow("kept", "markers", "{}")])
    store.close()
    conn = sqlite3.connect(tmp_path / "c" / CACHE_FILE)
    conn.execute(
        "UPDATE results SET atime = ? WHERE key = 'old'", (int(time.time()) - PRUNE_AFTER_S - 5,)
    )
    conn.commit()
    conn.close()
    store = ResultCache(tmp_path / "c")
    store.put_many([NewRow("new", "markers", "{}")])
    assert sorted(store.get_many(["old", "kept", "new"])) == ["kept", "new"]
    store.close()


def test_code_stamp_changes_when_the_checker_code_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "stamp_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "helper.py").write_text("X = 1\n", encoding="utf-8")
    (package / "mod.py").write_text("class Thing:\n    pass\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib

    module = importlib.import_module("stamp_pkg.mod")
    before = code_stamp(module.Thing())
    (package / "helper.py").write_text("X = 22\n", encoding="utf-8")
    from backend_skills.core import cache

    cache._stamp_of_package.cache_clear()
    assert code_stamp(module.Thing()) != before


def test_cli_cache_clear_and_info(make_tree: TreeFactory, tmp_path: Path) -> None:
    root = make_tree(TREE)
    cached_score(root, MarkerChecker())
    runner = CliRunner()
    info = runner.invoke(cli, ["cache", "info", str(root)])
    assert info.exit_code == 0
    assert "markers: 4 entries" in info.output  # 3 files and the whole result
    cleared = runner.invoke(cli, ["cache", "clear", str(root)])
    assert cleared.exit_code == 0
    assert not (root / CACHE_DIR_NAME).exists()
    again = runner.invoke(cli, ["cache", "clear", str(root)])
    assert again.exit_code == 0
    assert "no cache" in again.output


def test_cli_cache_clear_leaves_other_files_in_a_custom_folder(
    make_tree: TreeFactory, tmp_path: Path
) -> None:
    root = make_tree(TREE)
    folder = tmp_path / "shared"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine\n", encoding="utf-8")
    cached_score(root, MarkerChecker(), cache_dir=str(folder))
    result = CliRunner().invoke(cli, ["cache", "clear", str(root), "--cache-dir", str(folder)])
    assert result.exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == ["keep.txt"]


def test_cli_score_accepts_cache_dir_and_reports_damage_on_stderr(
    make_tree: TreeFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def with_fixture_plugin(**kwargs: Any) -> Plugins:
        return load_plugins(extra=[FixturePlugin([MarkerChecker(), FactChecker()])], **kwargs)

    monkeypatch.setattr(cli_module, "load_plugins", with_fixture_plugin)
    root = make_tree(TREE)
    folder = tmp_path / "cli-cache"
    folder.mkdir()
    (folder / CACHE_FILE).write_bytes(b"garbage" * 100)
    args = ["score", str(root), "--isolated", "--skill", "perf", "-f", "json", "-j", "1"]
    result = CliRunner().invoke(cli, [*args, "--cache-dir", str(folder)])
    assert result.exit_code == 0, result.output
    assert "backend-skills: warning: cache file" in result.stderr
    assert "discarded and rebuilt" in result.stderr
    assert (folder / ".gitignore").is_file()
    assert not (root / CACHE_DIR_NAME).exists()
    MarkerChecker.calls.clear()
    warm = CliRunner().invoke(cli, [*args, "--cache-dir", str(folder)])
    assert warm.exit_code == 0
    assert MarkerChecker.calls == []
    assert "warning: cache" not in warm.stderr
    assert json.loads(warm.stdout)["findings"] == json.loads(result.stdout)["findings"]


def test_the_repository_files_checker_is_reused_while_no_file_changes(
    make_tree: TreeFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backend_skills import score
    from backend_skills.checkers.repo import RepoFilesChecker

    root = make_tree({"README.md": "# Service\n\nInstall with pip.\n", "app.py": "x = 1\n"})
    options: dict[str, Any] = {"skills": ["collaboration"], "isolated": True, "jobs": 1}
    cold = score(root, cache_dir=str(tmp_path / "c"), **options)

    def must_not_run(self: RepoFilesChecker, ctx: Any) -> Any:
        raise AssertionError("check ran although no discovered file changed")

    monkeypatch.setattr(RepoFilesChecker, "check", must_not_run)
    warm = score(root, cache_dir=str(tmp_path / "c"), **options)
    assert normalised(warm) == normalised(cold)
    # Code it never read: still reused. A file it read, or a new file: it runs again.
    (root / "app.py").write_text("x = 2\n", encoding="utf-8")
    edited_code = score(root, cache_dir=str(tmp_path / "c"), **options)
    assert {r.name: r.status for r in edited_code.checkers}["repo"] == "ok"
    (root / "README.md").write_text("# Service\n\nChanged.\n", encoding="utf-8")
    changed = score(root, cache_dir=str(tmp_path / "c"), **options)
    assert {r.name: r.status for r in changed.checkers}["repo"] == "failed"
    monkeypatch.undo()
    score(root, cache_dir=str(tmp_path / "c"), **options)
    monkeypatch.setattr(RepoFilesChecker, "check", must_not_run)
    (root / "CONTRIBUTING.md").write_text("# Contributing\n", encoding="utf-8")
    added = score(root, cache_dir=str(tmp_path / "c"), **options)
    assert {r.name: r.status for r in added.checkers}["repo"] == "failed"


def test_a_ci_script_the_repository_checker_read_is_an_input(
    make_tree: TreeFactory, tmp_path: Path
) -> None:
    from backend_skills import score

    workflow = """
        on: push
        jobs:
          test:
            runs-on: ubuntu-latest
            steps:
              - run: ./scripts/check.sh
        """
    root = make_tree(
        {
            ".github/workflows/ci.yml": workflow,
            "scripts/check.sh": "#!/bin/sh\nruff check .\n",
            "app.py": "x = 1\n",
        }
    )
    options: dict[str, Any] = {"skills": ["collaboration"], "isolated": True, "jobs": 1}
    first = score(root, cache_dir=str(tmp_path / "c"), **options)
    (root / "scripts/check.sh").write_text("#!/bin/sh\npytest\n", encoding="utf-8")
    second = score(root, cache_dir=str(tmp_path / "c"), **options)
    uncached = score(root, cache=False, **options)
    assert normalised(second) == normalised(uncached)
    assert normalised(second) != normalised(first)  # the script's change was seen


def test_reading_a_row_refreshes_its_access_time_at_most_daily(tmp_path: Path) -> None:
    store = ResultCache(tmp_path / "c")
    store.put_many([NewRow(f"k{i}", "markers", "{}") for i in range(1200)])
    store.close()
    two_days_ago = int(time.time()) - 2 * 24 * 3600
    conn = sqlite3.connect(tmp_path / "c" / CACHE_FILE)
    conn.execute("UPDATE results SET atime = ?", (two_days_ago,))
    conn.commit()
    conn.close()
    store = ResultCache(tmp_path / "c")
    assert len(store.get_many([f"k{i}" for i in range(0, 1200, 2)] + ["missing"])) == 600
    store.close()
    conn = sqlite3.connect(tmp_path / "c" / CACHE_FILE)
    fresh = conn.execute("SELECT COUNT(*) FROM results WHERE atime > ?", (two_days_ago,))
    assert fresh.fetchone() == (600,)
    conn.close()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_staged_files_hook_keeps_results_in_the_repository_cache(tmp_path: Path) -> None:
    from backend_skills.core.config import resolve_settings
    from backend_skills.staged import check_files

    from .test_precommit import git, make_repo

    root = make_repo(tmp_path / "svc")
    main = root / "app" / "main.py"
    main.write_text(main.read_text(encoding="utf-8") + "\n\ndef ok():\n    return 1\n")
    git(root, "add", "app/main.py")
    settings, _ = resolve_settings(root, isolated=True, overrides={"jobs": 1})
    plugins = load_plugins()
    first = check_files(root, settings, plugins)
    store = ResultCache(resolve_cache_dir(root, None))
    rows = sum(store.stats().values())
    store.close()
    assert rows > 0  # the snapshots' results were kept, not thrown away with them
    second = check_files(root, settings, plugins)
    assert second.new == first.new
    assert not first.failed
    store = ResultCache(resolve_cache_dir(root, None))
    assert sum(store.stats().values()) == rows  # nothing new to store: all from the cache
    store.close()


def test_file_memo_recomputes_only_files_whose_content_changed(
    make_tree: TreeFactory, tmp_path: Path
) -> None:
    root = make_tree({"a.py": "import psycopg\n", "b.py": "x = 1\n"})
    cache = ResultCache(tmp_path / "memo-cache")
    calls: list[str] = []

    def imports(file: discovery.SourceFile) -> list[object]:
        calls.append(file.path)
        return [file.text.count("import"), ("tuple", 1)]

    first = FileMemo(cache, "checker").per_file("imports", discovery.discover(root).files, imports)
    assert calls == ["a.py", "b.py"]
    assert first == {"a.py": [1, ["tuple", 1]], "b.py": [0, ["tuple", 1]]}  # JSON-shaped

    calls.clear()
    (root / "b.py").write_text("import os\n", encoding="utf-8")
    files = discovery.discover(root).files
    second = FileMemo(cache, "checker").per_file("imports", files, imports)
    assert calls == ["b.py"]
    assert second == {"a.py": [1, ["tuple", 1]], "b.py": [1, ["tuple", 1]]}

    calls.clear()
    as_tests = discovery.discover(root, roles=discovery.RoleOverrides(test=["a.py"])).files
    FileMemo(cache, "checker").per_file("imports", as_tests, imports)
    assert calls == ["a.py"]  # same content, another role: computed again

    calls.clear()
    FileMemo(cache, "another checker").per_file("imports", files, imports)
    assert calls == ["a.py", "b.py"]  # scopes do not share facts
    assert FileMemo().per_file("imports", files, imports) == second  # no cache: computed
    cache.close()
