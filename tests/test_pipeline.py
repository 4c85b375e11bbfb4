"""End-to-end tests of the core pipeline with an in-process plugin."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from backend_skills import (
    CheckContext,
    Checker,
    CheckResult,
    FileChecker,
    FileResult,
    Finding,
    Metric,
    RepoChecker,
    RubricSet,
    Severity,
    SourceFile,
    hookimpl,
    score,
)

from .conftest import TreeFactory, make_skill

SKILL = make_skill(
    "demo",
    "Demo skill",
    {
        "id": "demo.todos",
        "name": "No TODO markers",
        "weight": 2,
        "metric": "findings.weighted_per_kloc",
        "anchors": [(0, 100), (50, 0)],
    },
    {
        "id": "demo.readme",
        "name": "README present",
        "metric": "demo.readme",
        "anchors": [(0, 0), (1, 100)],
    },
)


class TodoChecker(FileChecker):
    name = "todo"
    languages: ClassVar[frozenset[str]] = frozenset({"python"})
    feeds = ("demo.todos",)

    def check_file(self, file: SourceFile, options: Mapping[str, Any]) -> FileResult:
        findings = [
            Finding(
                checker=self.name,
                rule="TD001",
                skill="demo",
                criterion="demo.todos",
                severity=Severity.MEDIUM,
                message="TODO left in code",
                path=file.path,
                line=number,
            )
            for number, text in enumerate(file.text.splitlines(), 1)
            if "TODO" in text
        ]
        return FileResult(findings=findings)

    def reduce(self, ctx: CheckContext, results: Mapping[str, FileResult]) -> CheckResult:
        return CheckResult(
            findings=[f for r in results.values() for f in r.findings], files=len(results)
        )


class ReadmeChecker(RepoChecker):
    name = "readme"
    provides = ("demo.readme",)

    def check(self, ctx: CheckContext) -> CheckResult:
        present = any(f.name.lower().startswith("readme") for f in ctx.fileset.files)
        return CheckResult(metrics=[Metric(name="demo.readme", value=1.0 if present else 0.0)])


class BrokenChecker(RepoChecker):
    name = "readme"
    provides = ("demo.readme",)

    def check(self, ctx: CheckContext) -> CheckResult:
        raise RuntimeError("tool exploded\nsecond line")


class DemoPlugin:
    def __init__(self, checkers: Sequence[Checker]) -> None:
        self.checkers = checkers

    @hookimpl
    def backend_skills_rubrics(self) -> Sequence[RubricSet]:
        return [RubricSet(source="demo", version="1", skills=[SKILL])]

    @hookimpl
    def backend_skills_checkers(self) -> Sequence[Checker]:
        return list(self.checkers)


def _score(root: Path, *checkers: Checker) -> Any:
    return score(
        root,
        skills=["demo"],
        isolated=True,
        plugins=[DemoPlugin(checkers)],
    )


def test_scores_move_the_right_way(make_tree: TreeFactory) -> None:
    clean = make_tree({"app.py": "x = 1\n" * 100, "README.md": "# Demo\n"})
    dirty = make_tree({"app.py": "x = 1  # TODO\n" * 5 + "y = 2\n" * 95})
    good = _score(clean, TodoChecker(), ReadmeChecker())
    bad = _score(dirty, TodoChecker(), ReadmeChecker())
    assert good.skill("demo").score == 100.0
    assert bad.skill("demo").score is not None
    assert bad.skill("demo").score < good.skill("demo").score
    todos = bad.criterion("demo.todos")
    assert todos.finding_count == 5
    # 5 medium findings (2 points each) in 100 lines = 100 per kloc -> clamps at 0.
    assert todos.metrics["findings.weighted_per_kloc"] == 100.0
    assert todos.score == 0.0
    assert [f.line for f in bad.findings] == [1, 2, 3, 4, 5]
    assert all(f.path == "app.py" for f in bad.findings)
    # The points lost add up to what the skill is missing.
    lost = sum(c.points_lost for c in bad.skill("demo").criteria)
    assert abs(lost - (100 - bad.skill("demo").score)) < 0.1


def test_failed_checker_is_reported_and_not_assessed(make_tree: TreeFactory) -> None:
    root = make_tree({"app.py": "x = 1\n", "README.md": "# Demo\n"})
    report = _score(root, TodoChecker(), BrokenChecker())
    assert report.complete is False
    runs = {r.name: r for r in report.checkers}
    assert runs["readme"].status == "failed"
    assert runs["readme"].error == "RuntimeError: tool exploded"
    assert runs["todo"].status == "ok"
    readme = report.criterion("demo.readme")
    assert readme.assessed is False
    assert readme.score is None
    # A broken checker never raises the score: the unassessed criterion counts as 0.
    assert report.skill("demo").score is not None
    assert report.skill("demo").score <= 100 * 2 / 3 + 0.1


def test_fingerprints_survive_unrelated_line_moves(make_tree: TreeFactory) -> None:
    before = make_tree({"app.py": "a = 1  # TODO\n"})
    after = make_tree({"app.py": "import os\n\n\na = 1  # TODO\n"})
    first = _score(before, TodoChecker(), ReadmeChecker()).findings
    second = _score(after, TodoChecker(), ReadmeChecker()).findings
    assert [f.line for f in second] == [4]
    assert first[0].fingerprint == second[0].fingerprint


def test_same_tree_gives_identical_json_apart_from_durations(make_tree: TreeFactory) -> None:
    root = make_tree({"app.py": "a = 1  # TODO\n", "b/c.py": "# TODO\n"})

    def normalised() -> dict[str, Any]:
        data = _score(root, TodoChecker(), ReadmeChecker()).model_dump(mode="json")
        data["stats"]["duration_s"] = 0
        for run in data["checkers"]:
            run["duration_s"] = 0
        return data

    assert normalised() == normalised()


def test_an_analysis_crashing_on_one_file_loses_only_that(make_tree: TreeFactory) -> None:
    import ast

    from backend_skills.checkers.analyses import Analysis, Visit
    from backend_skills.checkers.python_ast import PythonAstChecker

    class Fragile(Analysis):
        name = "fragile"

        def visit(self, file: SourceFile, tree: ast.Module, options: Mapping[str, Any]) -> Visit:
            if "boom" in file.text:
                raise ValueError("cannot handle this file")
            return Visit(data={"functions": 1})

        def reduce(self, ctx: CheckContext, data: Mapping[str, dict[str, Any]]) -> CheckResult:
            return CheckResult(notes=[f"analysed {sorted(data)}"])

    root = make_tree({"a.py": "x = 1\n", "b.py": "boom = 1\n"})
    from backend_skills.core.discovery import discover

    fileset = discover(root)
    result = PythonAstChecker([Fragile()]).check(CheckContext(root=fileset.root, fileset=fileset))
    assert result.notes == ["analysed ['a.py']"]
    assert [(s.path, s.reason) for s in result.skipped] == [
        ("b.py", "fragile analysis failed on this file: ValueError: cannot handle this file")
    ]


def test_fingerprints_cannot_be_used_to_test_guesses_of_a_secret() -> None:
    from backend_skills.core.pool import line_hash

    assert line_hash('TOKEN = "hunter2hunter2"') == line_hash('TOKEN = "anyguess12345"')
    # Literals with spaces (SQL, messages) still tell lines apart.
    assert line_hash('q("SELECT a FROM t")') != line_hash('q("SELECT b FROM t")')
    assert line_hash("x  =  1") == line_hash("x = 1")
