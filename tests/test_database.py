"""End-to-end: the database skill on whole repositories, as a user runs it."""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest

from backend_skills import (
    CheckContext,
    Checker,
    CheckResult,
    Confidence,
    FileChecker,
    FileResult,
    Finding,
    Report,
    Severity,
    SourceFile,
    hookimpl,
    score,
)

from .conftest import TreeFactory

FIXTURES = Path(__file__).parent / "fixtures" / "database"


def _score(root: Path, **kwargs: Any) -> Report:
    return score(root, skills=["database"], isolated=True, **kwargs)


def _copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target)
    return target


def test_careless_schema_is_reported_table_by_table_and_scores_below_45() -> None:
    report = _score(FIXTURES / "careless")
    skill = report.skill("database")
    assert skill.applicable
    assert skill.score is not None
    assert skill.score < 45
    no_pk = sorted((f.line, f.message) for f in report.findings if f.rule == "BSDB101")
    # One finding per table without a primary key, at the CREATE TABLE line.
    assert [line for line, _ in no_pk] == [1, 7, 14]
    assert "users" in no_pk[0][1]
    assert "Orders" in no_pk[1][1]
    assert "order_lines" in no_pk[2][1]
    assert report.criterion("database.primary_keys").metrics["schema.pk_share"] == 0.25
    # Inconsistent keyword case is a sqlfluff capitalisation finding, at its line.
    case = [f for f in report.findings if f.rule == "CP01"]
    assert case
    assert {f.line for f in case} >= {7, 14, 20, 25}
    assert all(f.criterion == "database.sql_style" for f in case)
    # SELECT * (sqlfluff AM04) is a query-pattern finding at each query.
    stars = sorted(f.line for f in report.findings if f.rule == "AM04")
    assert stars == [25, 27, 29]
    assert report.criterion("database.query_patterns").score == 0.0
    # Schema without a migration tool.
    assert report.criterion("database.migrations").score == 0.0
    assert any(f.rule == "BSDB300" for f in report.findings)


def test_clean_postgres_service_scores_at_least_70_with_few_style_findings() -> None:
    report = _score(FIXTURES / "clean")
    skill = report.skill("database")
    assert skill.score is not None
    assert skill.score >= 70
    style = [f for f in report.findings if f.criterion == "database.sql_style"]
    assert len(style) <= 5
    assert report.criterion("database.primary_keys").score == 100.0
    assert report.criterion("database.fk_indexes").metrics["schema.fk_index_share"] == 1.0
    assert report.criterion("database.migration_reversibility").score == 100.0
    assert report.criterion("database.query_safety").metrics["db.parameterised_share"] == 1.0
    runs = {r.name: r for r in report.checkers}
    assert any("SQL dialect postgres" in n and "psycopg" in n for n in runs["sqlfluff"].notes)


def test_injecting_one_f_string_query_lowers_query_safety_and_points_at_the_line(
    tmp_path: Path,
) -> None:
    before = _score(FIXTURES / "clean")
    root = _copy("clean", tmp_path)
    repo = root / "app" / "repository.py"
    text = repo.read_text(encoding="utf-8")
    injected = (
        "\n\ndef search_customers(conn: psycopg.Connection, name: str) -> list[int]:\n"
        "    rows = conn.execute(\n"
        "        f\"SELECT id FROM customers WHERE display_name LIKE '%{name}%'\"\n"
        "    ).fetchall()\n"
        "    return [int(r[0]) for r in rows]\n"
    )
    repo.write_text(text + injected, encoding="utf-8")
    line = (text + injected).splitlines().index(
        "        f\"SELECT id FROM customers WHERE display_name LIKE '%{name}%'\""
    ) + 1
    after = _score(root)
    safety_before = before.criterion("database.query_safety")
    safety_after = after.criterion("database.query_safety")
    assert safety_before.score == 100.0
    assert safety_after.score is not None
    assert safety_after.score < safety_before.score - 20
    found = [f for f in after.findings if f.criterion == "database.query_safety"]
    assert len(found) == 1
    assert found[0].path == "app/repository.py"
    assert found[0].line == line
    assert found[0].rule == "BSDB001"
    assert "name" in found[0].message
    assert after.skill("database").score is not None
    assert before.skill("database").score is not None
    assert after.skill("database").score < before.skill("database").score


def test_pure_library_without_a_database_is_not_applicable(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "pyproject.toml": '[project]\nname = "textkit"\ndependencies = ["regex"]\n',
            "src/textkit/__init__.py": '"""Text helpers."""\n',
            "src/textkit/words.py": """
                import re

                WORD = re.compile(r"\\w+")


                def words(text: str) -> list[str]:
                    return WORD.findall(text)


                def select_longest(items: list[str]) -> str:
                    return max(items, key=len)
            """,
            "tests/test_words.py": """
                from textkit.words import words


                def test_words() -> None:
                    assert words("a b") == ["a", "b"]
            """,
        }
    )
    report = _score(root)
    skill = report.skill("database")
    assert skill.applicable is False
    assert skill.score is None
    assert all(not c.applicable and c.assessed for c in skill.criteria)
    assert all(c.reason for c in skill.criteria)
    assert report.criterion("database.query_safety").reason == (
        "no database access found in the Python code"
    )
    assert report.criterion("database.sql_style").reason == "no SQL files"
    assert report.complete


class FakeBanditChecker(FileChecker):
    """Stands in for bandit: a B608-like finding on every line that builds SQL text."""

    name = "fake_bandit"
    languages: ClassVar[frozenset[str]] = frozenset({"python"})
    feeds = ("database.query_safety",)

    def check_file(self, file: SourceFile, options: Mapping[str, Any]) -> FileResult:
        return FileResult(
            findings=[
                Finding(
                    checker=self.name,
                    rule="B608",
                    skill="database",
                    criterion="database.query_safety",
                    severity=Severity.MEDIUM,
                    confidence=Confidence.MEDIUM,
                    message="Possible SQL injection vector through string-based query construction.",
                    path=file.path,
                    line=number,
                    cwe=89,
                )
                for number, text in enumerate(file.text.splitlines(), 1)
                if 'f"SELECT' in text
            ]
        )

    def reduce(self, ctx: CheckContext, results: Mapping[str, FileResult]) -> CheckResult:
        return CheckResult(findings=[f for r in results.values() for f in r.findings])


class FakeBanditPlugin:
    @hookimpl
    def backend_skills_checkers(self) -> Sequence[Checker]:
        return [FakeBanditChecker()]


def test_bandit_and_our_finding_at_the_same_line_merge_into_one(
    make_tree: TreeFactory,
) -> None:
    root = make_tree(
        {
            "app/db.py": """
                import sqlite3


                def find(conn: sqlite3.Connection, name: str) -> list[tuple[int]]:
                    return conn.execute(f"SELECT id FROM users WHERE name = '{name}'").fetchall()
            """,
        }
    )
    report = _score(root, plugins=[FakeBanditPlugin()])
    found = [f for f in report.findings if f.criterion == "database.query_safety"]
    assert len(found) == 1
    merged = found[0]
    assert merged.line == 5
    assert {(s.checker, s.rule) for s in merged.sources} >= {
        ("python_ast", "BSDB001"),
        ("fake_bandit", "B608"),
    }
    # Ours is the more severe of the two and is the one kept.
    assert merged.checker == "python_ast"
    assert merged.rule == "BSDB001"
    assert report.criterion("database.query_safety").finding_count == 1


@pytest.mark.parametrize("shape", ["percent", "concat", "format", "variable"])
def test_each_string_building_shape_is_caught_at_its_line(
    make_tree: TreeFactory, shape: str
) -> None:
    build = {
        "percent": 'sql = "DELETE FROM users WHERE id = %s" % user_id',
        "concat": 'sql = "DELETE FROM users WHERE id = " + user_id',
        "format": 'sql = "DELETE FROM users WHERE id = {}".format(user_id)',
        "variable": 'sql = f"DELETE FROM users WHERE id = {user_id}"',
    }[shape]
    root = make_tree(
        {
            "app/store.py": f"""
                import sqlite3


                def delete(conn: sqlite3.Connection, user_id: str) -> None:
                    {build}
                    conn.execute(sql)
            """,
        }
    )
    report = _score(root)
    found = [f for f in report.findings if f.rule == "BSDB001"]
    assert [(f.path, f.line) for f in found] == [("app/store.py", 5)]
    assert found[0].confidence == Confidence.HIGH  # the value is a parameter
    assert "line 6" in found[0].message


def test_naming_orm_markers_without_declaring_tables_is_not_a_schema(
    make_tree: TreeFactory,
) -> None:
    """A tool that merely mentions `__tablename__` or `op.create_table` has no schema."""
    root = make_tree(
        {
            "lint/markers.py": """
                MARKERS = ("__tablename__", "op.create_table(", "models.Model")


                def mentions_schema(text: str) -> bool:
                    return any(marker in text for marker in MARKERS)
                """,
        }
    )
    report = score(root, skills=["database"], isolated=True)
    assert report.skill("database").applicable is False
    assert report.criterion("database.migrations").applicable is False
