"""The sqlfluff checker: dialect resolution, config layering, skips and parse failures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from backend_skills import Report, score
from backend_skills.checkers.sqlfluff import SqlfluffChecker, infer_dialect
from backend_skills.core.checker import CheckContext
from backend_skills.core.discovery import discover

from .conftest import TreeFactory

CLEAN_SQL = """
select
    id,
    email
from users
where id = 1;
"""


def _score(root: Path, **kwargs: Any) -> Report:
    # Not isolated: these trees' own sqlfluff configuration is what is under test
    # (and they have no backend-skills configuration).
    return score(root, skills=["database"], **kwargs)


def _prepared(root: Path, options: dict[str, Any] | None = None) -> dict[str, Any]:
    ctx = CheckContext(root=root, fileset=discover(root), options=options or {})
    return SqlfluffChecker().prepare(ctx)


def _notes(report: Report) -> list[str]:
    return next(r.notes for r in report.checkers if r.name == "sqlfluff")


@pytest.mark.parametrize(
    ("files", "dialect", "evidence"),
    [
        ({"requirements.txt": "psycopg2-binary==2.9.9\n"}, "postgres", "psycopg2-binary"),
        ({"app/db.py": "import pymysql\n"}, "mysql", "import pymysql"),
        ({"app/db.py": "import sqlite3\n"}, "sqlite", "import sqlite3"),
        (
            {"pyproject.toml": '[project]\ndependencies = ["asyncpg>=0.29"]\n'},
            "postgres",
            "asyncpg",
        ),
        (
            {"settings.py": "DATABASES = {'default': {'ENGINE': 'django.db.backends.mysql'}}\n"},
            "mysql",
            "Django engine",
        ),
        ({"config.py": 'URL = "snowflake://acct/db"\n'}, "snowflake", "snowflake://"),
        (
            {
                "dbt_project.yml": "name: shop\nprofile: shop\n",
                "profiles.yml": "shop:\n  outputs:\n    dev:\n      type: bigquery\n",
            },
            "bigquery",
            "dbt profile type bigquery",
        ),
        ({"docker-compose.yml": "services:\n  db:\n    image: postgres:16\n"}, "postgres", "image"),
    ],
)
def test_dialect_is_inferred_from_evidence(
    make_tree: TreeFactory, files: dict[str, str], dialect: str, evidence: str
) -> None:
    root = make_tree({**files, "q.sql": CLEAN_SQL})
    found, why = infer_dialect(discover(root))
    assert found == dialect
    assert evidence in why


def test_no_evidence_means_ansi_and_the_report_says_why(make_tree: TreeFactory) -> None:
    root = make_tree({"q.sql": CLEAN_SQL})
    report = _score(root)
    assert any(
        "SQL dialect ansi (no dialect configured and no database evidence found)" in n
        for n in _notes(report)
    )


def test_repository_sqlfluff_config_beats_evidence(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            ".sqlfluff": "[sqlfluff]\ndialect = tsql\n",
            "requirements.txt": "psycopg2\n",
            "q.sql": CLEAN_SQL,
        }
    )
    options = _prepared(root)
    assert options["dialect"] == "tsql"
    assert options["why"] == "set by .sqlfluff"
    report = _score(root)
    assert any(n.startswith("SQL dialect tsql") for n in _notes(report))


def test_pyproject_tool_sqlfluff_is_read(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "pyproject.toml": '[tool.sqlfluff.core]\ndialect = "sqlite"\n',
            "q.sql": CLEAN_SQL,
        }
    )
    assert _prepared(root)["dialect"] == "sqlite"


def test_checker_option_beats_repository_config(make_tree: TreeFactory) -> None:
    root = make_tree({".sqlfluff": "[sqlfluff]\ndialect = tsql\n", "q.sql": CLEAN_SQL})
    report = score(
        root,
        skills=["database"],
        config={"checkers": {"sqlfluff": {"dialect": "postgres"}}},
    )
    assert any(
        "SQL dialect postgres (set in [tool.backend_skills.checkers.sqlfluff])" in n
        for n in _notes(report)
    )


def test_rule_configuration_in_the_repository_is_honoured(make_tree: TreeFactory) -> None:
    upper = "SELECT\n    id,\n    email\nFROM users\nWHERE id = 1;\n"
    plain = make_tree({"q.sql": upper})
    lower_policy = make_tree(
        {
            ".sqlfluff": (
                "[sqlfluff]\ndialect = ansi\n"
                "[sqlfluff:rules:capitalisation.keywords]\ncapitalisation_policy = lower\n"
            ),
            "q.sql": upper,
        }
    )
    # Consistent upper case is fine by default; the repository's policy makes it wrong.
    assert not [f for f in _score(plain).findings if f.rule == "CP01"]
    flagged = [f.line for f in _score(lower_policy).findings if f.rule == "CP01"]
    assert flagged == [1, 4, 5]


def test_nested_config_applies_below_its_folder_only(make_tree: TreeFactory) -> None:
    upper = "SELECT id FROM users;\n"
    root = make_tree(
        {
            "a/q.sql": upper,
            "b/.sqlfluff": (
                "[sqlfluff:rules:capitalisation.keywords]\ncapitalisation_policy = lower\n"
            ),
            "b/q.sql": upper,
        }
    )
    report = _score(root)
    cp01 = {f.path for f in report.findings if f.rule == "CP01"}
    assert cp01 == {"b/q.sql"}


def test_config_in_the_current_directory_is_not_used(
    make_tree: TreeFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".sqlfluff").write_text(
        "[sqlfluff]\ndialect = tsql\n"
        "[sqlfluff:rules:capitalisation.keywords]\ncapitalisation_policy = lower\n",
        encoding="utf-8",
    )
    root = make_tree({"q.sql": "SELECT id FROM users;\n"})
    monkeypatch.chdir(elsewhere)
    report = _score(root)
    assert not [f for f in report.findings if f.rule == "CP01"]
    assert any(n.startswith("SQL dialect ansi") for n in _notes(report))


def test_findings_carry_rule_code_description_and_position(make_tree: TreeFactory) -> None:
    root = make_tree({"q.sql": "select id from users;\nSELECT email FROM users;\n"})
    report = _score(root)
    cp01 = sorted((f.line, f.column) for f in report.findings if f.rule == "CP01")
    assert cp01 == [(2, 1), (2, 14)]
    finding = next(f for f in report.findings if f.rule == "CP01")
    assert finding.checker == "sqlfluff"
    assert finding.skill == "database"
    assert finding.criterion == "database.sql_style"
    assert "lower case" in finding.message


def test_unparsable_sql_is_a_finding_and_a_metric(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "good.sql": CLEAN_SQL,
            "bad.sql": "select id from users where;\n",
        }
    )
    report = _score(root)
    prs = [f for f in report.findings if f.rule == "PRS"]
    assert [(f.path, f.line) for f in prs] == [("bad.sql", 1)]
    assert prs[0].criterion == "database.sql_parse"
    assert "unparsable" in prs[0].message
    parse = report.criterion("database.sql_parse")
    assert parse.metrics["sql.parse_error_share"] == 0.5
    assert parse.score is not None
    assert parse.score < 50


def test_file_over_the_size_limit_is_skipped_not_counted_clean(make_tree: TreeFactory) -> None:
    big = "create table big (\n    id integer\n);\n" + "select 1;\n" * 2500  # > 20,000 bytes
    root = make_tree({"big.sql": big})
    report = _score(root)
    skips = [s for s in report.skipped if s.path == "big.sql"]
    assert len(skips) == 1
    assert skips[0].checker == "sqlfluff"
    assert "large_file_skip_byte_limit" in skips[0].reason
    style = report.criterion("database.sql_style")
    assert not style.applicable
    assert style.reason is not None
    assert "could be analysed" in style.reason
    # The schema is still read by the fallback reader: the table has no primary key.
    assert [(f.rule, f.line) for f in report.findings if f.rule == "BSDB101"] == [("BSDB101", 1)]


def test_size_limit_can_be_raised_in_the_checker_options(make_tree: TreeFactory) -> None:
    root = make_tree({"big.sql": "select 1;\n" * 2100})
    report = score(
        root,
        skills=["database"],
        config={"checkers": {"sqlfluff": {"large_file_skip_byte_limit": 0}}},
    )
    assert not [s for s in report.skipped if s.path == "big.sql"]
    assert report.criterion("database.sql_style").applicable


def test_dbt_model_with_builtins_is_analysed(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "dbt_project.yml": "name: shop\n",
            "models/orders.sql": (
                "select\n    id,\n    amount\nfrom {{ ref('stg_orders') }}\n"
                "where amount > {{ var('min_amount', 0) }}\n"
            ),
        }
    )
    report = _score(root)
    assert not [s for s in report.skipped if s.path == "models/orders.sql"]
    assert report.criterion("database.sql_style").metrics["sql.files_analysed"] == 1.0


def test_broken_jinja_is_skipped_with_the_reason(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "models/a.sql": "select {% if %} 1\n",
            "models/b.sql": "select id from {{ unknown_macro_call() }}\n",
            "models/c.sql": CLEAN_SQL,
        }
    )
    report = _score(root)
    skipped = {s.path: s.reason for s in report.skipped if s.checker == "sqlfluff"}
    assert set(skipped) == {"models/a.sql", "models/b.sql"}
    assert all(r.startswith("not analysed: templating failed") for r in skipped.values())
    assert report.criterion("database.sql_style").metrics["sql.files_analysed"] == 1.0
    assert any("2 of 3 SQL file(s) not analysed" in n for n in _notes(report))


def test_dbt_templater_and_library_path_are_never_run(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            ".sqlfluff": (
                "[sqlfluff]\ndialect = postgres\ntemplater = dbt\n"
                "[sqlfluff:templater:jinja]\nlibrary_path = macros_py\n"
            ),
            "macros_py/__init__.py": "raise SystemExit('scored code must not run')\n",
            "q.sql": CLEAN_SQL,
        }
    )
    report = _score(root)
    notes = " ".join(_notes(report))
    assert "templater 'dbt' is not run" in notes
    assert "library_path ignored" in notes
    assert report.criterion("database.sql_style").metrics["sql.files_analysed"] == 1.0


def test_sql_in_tests_and_docs_does_not_count(make_tree: TreeFactory) -> None:
    messy = "SELECT id from users;\n"
    root = make_tree({"tests/fixture.sql": messy, "docs/example.sql": messy, "q.sql": CLEAN_SQL})
    report = _score(root)
    assert report.criterion("database.sql_style").metrics["sql.violations_per_100_lines"] == 0
    shown = [f for f in report.findings if f.rule == "CP01"]
    assert shown
    assert all(not f.counted for f in shown)


def test_style_density_moves_the_score(make_tree: TreeFactory) -> None:
    clean = _score(make_tree({"q.sql": CLEAN_SQL}))
    messy = _score(make_tree({"q.sql": "SELECT id, email from users WHERE id=1\n"}))
    clean_score = clean.criterion("database.sql_style").score
    messy_score = messy.criterion("database.sql_style").score
    assert clean_score == 100.0
    assert messy_score is not None
    assert messy_score < 60


def _lint_in_worker(args: tuple[Any, dict[str, Any]]) -> str:
    file, options = args
    return SqlfluffChecker().check_file(file, options).model_dump_json()


def test_check_file_is_pure_and_runs_in_a_worker_process(make_tree: TreeFactory) -> None:
    import json
    from concurrent.futures import ProcessPoolExecutor

    root = make_tree({"requirements.txt": "asyncpg\n", "q.sql": "SELECT id from users;\n"})
    fileset = discover(root)
    checker = SqlfluffChecker()
    ctx = CheckContext(root=root, fileset=fileset)
    options = checker.prepare(ctx)
    json.dumps(options)  # sent to workers and part of the cache key
    (file,) = checker.select(ctx)
    here = checker.check_file(file, options).model_dump_json()
    with ProcessPoolExecutor(1) as pool:
        there = pool.submit(_lint_in_worker, (file, options)).result(timeout=120)
    assert here == there
    assert json.loads(here)["findings"]
    assert json.loads(here)["data"]["dialect"] == "postgres"


def test_editing_the_sqlfluff_config_changes_the_cache_key(make_tree: TreeFactory) -> None:
    checker = SqlfluffChecker()
    first = make_tree({".sqlfluff": "[sqlfluff]\ndialect = ansi\n", "q.sql": CLEAN_SQL})
    second = make_tree(
        {
            ".sqlfluff": "[sqlfluff]\ndialect = ansi\nexclude_rules = LT01\n",
            "q.sql": CLEAN_SQL,
        }
    )
    assert checker.options_key(_prepared(first)) != checker.options_key(_prepared(second))
    assert checker.options_key(_prepared(first)) == checker.options_key(_prepared(first))
