"""`backend-skills batch`: many repositories, per-repository reports and summaries,
errors recorded per repository, gates, and the Dask executor on a LocalCluster."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from backend_skills import CheckContext, CheckResult, Metric, RepoChecker, RubricSet, hookimpl
from backend_skills.batch import BatchError, RepoResult, collect, read_list, run_batch
from backend_skills.batch._targets import label_targets

from .conftest import make_skill, write_tree
from .test_cli import run_cli

PARENT_PID = os.getpid()

DEMO = make_skill(
    "demo",
    "Demo skill",
    {"id": "demo.probe", "name": "Probe", "metric": "probe.ok", "anchors": [(0, 0), (1, 100)]},
)


class ProbeChecker(RepoChecker):
    """Fails on a repository holding CRASH_ME; kills its worker on one holding KILL_ME."""

    name = "probe"
    provides = ("probe.ok",)

    def check(self, ctx: CheckContext) -> CheckResult:
        if (ctx.root / "KILL_ME").exists():
            if os.getpid() == PARENT_PID:  # never kill the test process itself
                raise RuntimeError("KILL_ME scored in the test process")
            os._exit(9)
        if (ctx.root / "CRASH_ME").exists():
            raise RuntimeError("probe exploded on purpose")
        return CheckResult(metrics=[Metric(name="probe.ok", value=1.0)])


class ProbePlugin:
    @hookimpl
    def backend_skills_checkers(self) -> Sequence[RepoChecker]:
        return [ProbeChecker()]

    @hookimpl
    def backend_skills_rubrics(self) -> Sequence[RubricSet]:
        return [RubricSet(source="probe", version="1", skills=[DEMO])]


def small_repo(root: Path, index: int) -> Path:
    """A tiny service whose scores differ with ``index``."""
    files: dict[str, str] = {
        "app.py": (
            "import os\n\n\ndef handler(request):\n"
            '    """Serve one request."""\n'
            + "    os.system(request.args['c'])\n" * (index % 4)
            + "    return 1\n"
        ),
        "README.md": f"# Service {index}\n\n" + "## Install\n\npip install .\n" * (index % 2),
    }
    if index % 3 == 0:
        files["schema.sql"] = f"create table t{index} (id int primary key, name text not null);\n"
    if index % 5 == 0:
        files["tests/test_app.py"] = "def test_it():\n    assert 1\n"
    root.mkdir(parents=True)
    return write_tree(root, files)


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20 submissions: 18 fine, one with invalid configuration, one that crashes a checker."""
    base = tmp_path_factory.mktemp("cohort")
    for index in range(1, 21):
        small_repo(base / f"student{index:02d}", index)
    (base / "student07" / ".backend-skills.toml").write_text("bogus = 1\n", encoding="utf-8")
    (base / "student13" / "CRASH_ME").write_text("", encoding="utf-8")
    return base


def by_label(results: Sequence[RepoResult]) -> dict[str, RepoResult]:
    return {r.label: r for r in results}


def scores(results: Sequence[RepoResult]) -> dict[str, Any]:
    return {
        r.label: (r.status, r.score, [(s.id, s.score, s.level) for s in r.skills]) for r in results
    }


def test_twenty_repositories_one_invalid_one_crashing(cohort: Path, tmp_path: Path) -> None:
    targets, warnings = collect([str(cohort / "student*")])
    assert warnings == []
    assert len(targets) == 20
    out = tmp_path / "out"
    result = run_batch(targets, out, plugins=[ProbePlugin()], workers=2, cache=False)
    found = by_label(result.results)
    assert len(found) == 20
    bad_config = found["student07"]
    assert bad_config.status == "error"
    assert bad_config.error_kind == "config"
    assert "unknown key 'bogus'" in (bad_config.error or "")
    crashed = found["student13"]
    assert crashed.status == "incomplete"
    assert crashed.error_kind == "checker"
    assert "probe failed" in (crashed.error or "")
    assert "exploded on purpose" in (crashed.error or "")
    others = [r for r in result.results if r.label not in ("student07", "student13")]
    assert len(others) == 18
    assert all(r.status == "complete" and r.complete and r.score is not None for r in others)
    assert len({r.score for r in others}) > 1, "the repositories differ, so must their scores"
    assert result.exit_code() == 3

    # One report per scored repository, in each format; the summaries.
    reports = sorted(p.name for p in (out / "reports").iterdir())
    assert len([n for n in reports if n.endswith(".html")]) == 19
    assert len([n for n in reports if n.endswith(".json")]) == 19
    report = json.loads((out / "reports" / "student01.json").read_text(encoding="utf-8"))
    assert report["score"] == found["student01"].score
    rows = list(csv.DictReader((out / "summary.csv").open(encoding="utf-8")))
    assert [r["roster_identifier"] for r in rows] == [f"student{i:02d}" for i in range(1, 21)]
    row = rows[0]
    assert row["points_available"] == "100"
    assert float(row["points_awarded"]) == pytest.approx(found["student01"].score, abs=0.05)
    assert row["status"] == "complete"
    assert row["report"] == "reports/student01.html"
    assert row["security_level"] in {"novice", "developing", "competent", "proficient", "expert"}
    assert rows[6]["status"] == "error"
    assert "bogus" in rows[6]["error"]
    assert rows[6]["points_awarded"] == ""
    assert rows[12]["status"] == "incomplete"
    assert rows[12]["complete"] == "false"
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"] == {"complete": 18, "incomplete": 1, "error": 1}
    assert [r["label"] for r in summary["results"]] == [f"student{i:02d}" for i in range(1, 21)]
    assert summary["results"][0]["reports"]["html"] == "reports/student01.html"
    board = (out / "index.html").read_text(encoding="utf-8")
    assert board.count('<tr class="repo"') == 20
    assert 'href="reports/student01.html"' in board
    assert 'id="dist-security"' in board


def test_a_dying_worker_costs_only_its_repository(tmp_path: Path) -> None:
    for index in range(4):
        small_repo(tmp_path / f"r{index}", index)
    (tmp_path / "r2" / "KILL_ME").write_text("", encoding="utf-8")
    targets, _ = collect([str(tmp_path / "r*")])
    result = run_batch(targets, tmp_path / "out", plugins=[ProbePlugin()], workers=2, cache=False)
    found = by_label(result.results)
    assert found["r2"].status == "error"
    assert found["r2"].error_kind == "worker"
    assert all(found[name].status == "complete" for name in ("r0", "r1", "r3"))


def test_cli_batch_writes_reports_and_summaries(cohort: Path, tmp_path: Path) -> None:
    listing = tmp_path / "roster.txt"
    lines = [
        "# label, path",
        "alice\t" + str(cohort / "student01"),
        "bob," + str(cohort / "student07"),
    ]
    lines += [str(cohort / "student02"), "", "ghost\t" + str(tmp_path / "missing")]
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(
        "batch", "--from", listing, str(cohort / "student03"), "-o", out, "-f", "html",
        "-f", "json", "-f", "markdown", "--no-cache",
    )  # fmt: skip
    assert result.returncode == 3, result.stderr
    assert "bob: not scored (config)" in result.stderr
    assert "ghost: not scored (missing)" in result.stderr
    assert "Traceback" not in result.stderr
    rows = {r["roster_identifier"]: r for r in csv.DictReader((out / "summary.csv").open())}
    assert set(rows) == {"alice", "bob", "student02", "ghost", "student03"}
    assert rows["alice"]["status"] == "complete"
    assert (out / "reports" / "alice.html").is_file()
    assert (out / "reports" / "alice.md").is_file()
    assert (out / "reports" / "student03.json").is_file()
    assert not (out / "reports" / "bob.html").exists()


def test_cli_batch_gates_per_repository_and_on_the_mean(cohort: Path, tmp_path: Path) -> None:
    paths = [str(cohort / f"student{i:02d}") for i in (1, 2, 3)]
    ok = run_cli("batch", *paths, "-o", tmp_path / "a", "--fail-under", "1", "-f", "json")
    assert ok.returncode == 0, ok.stderr
    failing = run_cli("batch", *paths, "-o", tmp_path / "b", "--fail-under", "99", "-f", "json")
    assert failing.returncode == 1, failing.stderr
    assert "gate failed: student01: overall score" in failing.stderr
    assert "gate failed: mean overall score" in failing.stderr
    rows = list(csv.DictReader((tmp_path / "b" / "summary.csv").open()))
    assert {r["passed"] for r in rows} == {"false"}
    summary = json.loads((tmp_path / "b" / "summary.json").read_text())
    assert summary["passed"] is False
    assert summary["summary_gate_failures"][0].startswith("mean overall score")
    unknown = run_cli("batch", *paths, "-o", tmp_path / "c", "--fail-under", "nope=3")
    assert unknown.returncode == 2
    assert "unknown skill 'nope'" in unknown.stderr
    nothing = run_cli("batch", "-o", tmp_path / "d")
    assert nothing.returncode == 2
    assert "no repositories" in nothing.stderr


def test_list_files_labels_comments_and_relative_paths(tmp_path: Path) -> None:
    listing = tmp_path / "lists" / "roster.csv"
    listing.parent.mkdir()
    listing.write_text(
        "# a comment\n\nalice,../subs/a\nbob\t../subs/b,with,commas\n../subs/c\n",
        encoding="utf-8",
    )
    entries = read_list(listing)
    assert entries == [
        ("alice", str(tmp_path / "subs" / "a")),
        ("bob", str(tmp_path / "subs" / "b,with,commas")),
        (None, str(tmp_path / "subs" / "c")),
    ]
    targets = label_targets(
        [("a b/c", "/x/1"), ("a b/c", "/x/2"), (None, "/x/1"), ("../..", "/x/3")]
    )
    assert [(t.label, t.slug) for t in targets] == [
        ("a b/c", "a_b_c"),
        ("a b/c", "a_b_c-2"),
        ("../..", "repository"),
    ]


def test_summaries_escape_hostile_labels(tmp_path: Path) -> None:
    repo = small_repo(tmp_path / "r", 1)
    hostile = '=HYPERLINK("http://x")<img src=x onerror=alert(1)>'
    targets = label_targets([(hostile, str(repo))])
    run_batch(targets, tmp_path / "out", formats=["json"], workers=1, cache=False)
    row = next(csv.DictReader((tmp_path / "out" / "summary.csv").open()))
    assert row["roster_identifier"].startswith("'=HYPERLINK")
    board = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "<img" not in board
    assert "&lt;img src=x onerror=alert(1)&gt;" in board
    files = os.listdir(tmp_path / "out" / "reports")
    assert all("/" not in f and "<" not in f and not f.startswith(".") for f in files)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_commit_is_read_without_repository_hooks(tmp_path: Path) -> None:
    repo = small_repo(tmp_path / "r", 1)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "a",
        "GIT_AUTHOR_EMAIL": "a@example.com",
        "GIT_COMMITTER_NAME": "a",
        "GIT_COMMITTER_EMAIL": "a@example.com",
    }
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "Add the service"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True, env=env)
    head = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()
    targets, _ = collect([str(repo)])
    result = run_batch(targets, tmp_path / "out", formats=["json"], workers=1, cache=False)
    assert result.results[0].commit == head
    row = next(csv.DictReader((tmp_path / "out" / "summary.csv").open()))
    assert row["commit"] == head


def test_dask_executor_without_dask_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    real = importlib.import_module

    def fake(name: str, package: str | None = None) -> Any:
        if name == "distributed":
            raise ImportError("No module named 'distributed'")
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", fake)
    targets, _ = collect([str(small_repo(tmp_path / "r", 1))])
    with pytest.raises(BatchError, match=r"pip install 'backend-skills\[dask\]'"):
        run_batch(targets, tmp_path / "out", executor="dask", scheduler="tcp://127.0.0.1:1")


def test_dask_local_cluster_gives_identical_scores(cohort: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    paths = [str(cohort / f"student{i:02d}") for i in (1, 2, 3, 4, 5, 6, 7)]
    local = run_cli("batch", *paths, "-o", tmp_path / "local", "-f", "json", "--no-cache")
    assert local.returncode == 3, local.stderr  # student07's configuration is invalid
    with (
        distributed.LocalCluster(
            n_workers=1,
            threads_per_worker=2,
            processes=False,
            protocol="tcp://",
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
    ):
        remote = run_cli(
            "batch", *paths, "-o", tmp_path / "dask", "-f", "json", "--no-cache",
            "--executor", "dask", "--scheduler", cluster.scheduler_address,
        )  # fmt: skip
    assert remote.returncode == 3, remote.stderr
    first = json.loads((tmp_path / "local" / "summary.json").read_text())["results"]
    second = json.loads((tmp_path / "dask" / "summary.json").read_text())["results"]

    def key(rows: list[dict[str, Any]]) -> list[Any]:
        return [
            (r["label"], r["status"], r["error_kind"], r["score"], r["level"], r["skills"])
            for r in rows
        ]

    assert key(first) == key(second)
    assert sum(1 for r in second if r["status"] == "complete") == 6
    for name in ("student01", "student06"):
        a = json.loads((tmp_path / "local" / "reports" / f"{name}.json").read_text())
        b = json.loads((tmp_path / "dask" / "reports" / f"{name}.json").read_text())
        assert a["skills"] == b["skills"]
        assert a["findings"] == b["findings"]


def test_bad_format_option_is_one_usage_error(tmp_path: Path) -> None:
    targets, _ = collect([str(small_repo(tmp_path / "r", 1))])
    with pytest.raises(BatchError, match="badge_skill='nope'"):
        run_batch(
            targets, tmp_path / "out", formats=["badge"], format_options={"badge_skill": "nope"}
        )
    assert not (tmp_path / "out").exists()
    result = run_batch(
        targets,
        tmp_path / "ok",
        formats=["badge"],
        format_options={"badge_skill": "security"},
        workers=1,
        cache=False,
    )
    assert result.results[0].status == "complete"
    badge = json.loads((tmp_path / "ok" / "reports" / "r.json").read_text(encoding="utf-8"))
    assert badge["label"] == "Web security"


def test_overall_coverage_is_the_weighted_mean_of_the_skills() -> None:
    from backend_skills.batch._work import overall_coverage

    assert overall_coverage([]) is None
    assert overall_coverage([(1.0, 1.0), (0.5, 3.0)]) == pytest.approx(0.625)
    assert overall_coverage([(1.0, 0.0), (0.5, 0.0)]) == pytest.approx(0.75)
