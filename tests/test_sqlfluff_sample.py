"""sqlfluff lints a stable sample of the SQL files of a SQL-heavy repository
(``max_linted_files``); the schema is still read from every file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from backend_skills import ConfigError, Report, score
from backend_skills.checkers.sqlfluff import SqlfluffChecker, in_sample, sample_bits
from backend_skills.cli import cli
from backend_skills.core.checker import CheckContext
from backend_skills.core.discovery import discover

from .conftest import TreeFactory

FILES = 12


def _sql(i: int) -> str:
    # A table with a primary key (schema) and a capitalisation lapse (a style finding).
    return f"create table t{i:02d} (\n    id integer primary key\n);\n\nselect id From t{i:02d};\n"


def _tree(make_tree: TreeFactory, count: int = FILES) -> Path:
    return make_tree({f"db/q{i:02d}.sql": _sql(i) for i in range(count)})


def _score(root: Path, max_linted_files: int | None = None, **kwargs: Any) -> Report:
    table: dict[str, Any] = {}
    if max_linted_files is not None:
        table["max_linted_files"] = max_linted_files
    return score(
        root,
        skills=["database"],
        config={"checkers": {"sqlfluff": table}},
        **kwargs,
    )


def _linted(report: Report) -> set[str]:
    return {f.path for f in report.findings if f.checker == "sqlfluff" and f.rule == "CP01"}


def _sample_skips(report: Report) -> dict[str, str]:
    return {
        s.path: s.reason
        for s in report.skipped
        if s.checker == "sqlfluff" and s.reason.startswith("not linted")
    }


def _notes(report: Report) -> list[str]:
    return next(r.notes for r in report.checkers if r.name == "sqlfluff")


def _prepared(root: Path, max_linted_files: int) -> dict[str, Any]:
    ctx = CheckContext(
        root=root, fileset=discover(root), options={"max_linted_files": max_linted_files}
    )
    return SqlfluffChecker().prepare(ctx)


def test_sample_size_is_the_smallest_power_of_two_rate_under_the_limit() -> None:
    assert sample_bits(12, 0) == 0  # 0: every file
    assert sample_bits(12, 12) == 0
    assert sample_bits(13, 12) == 1
    assert sample_bits(12, 3) == 2
    assert sample_bits(13, 3) == 3
    assert sample_bits(1232, 400) == 2
    assert sample_bits(5000, 1) == 13  # 5000 / 2**13 <= 1 < 5000 / 2**12


def test_the_sample_is_nested_and_near_its_rate() -> None:
    paths = [f"src/Sql/dbo/Stored Procedures/Proc_{i}.sql" for i in range(4000)]
    for bits in (1, 2, 3, 4):
        sample = {p for p in paths if in_sample(p, bits)}
        larger = {p for p in paths if in_sample(p, bits - 1)}
        assert sample < larger
        expected = len(paths) / 2**bits
        assert 0.8 * expected < len(sample) < 1.2 * expected


def test_the_sample_does_not_depend_on_pythons_hash_seed() -> None:
    code = (
        "from backend_skills.checkers.sqlfluff import in_sample;"
        "print(sum(in_sample(f'db/q{i}.sql', 2) << i for i in range(64)))"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={"PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert seen == {str(sum(in_sample(f"db/q{i}.sql", 2) << i for i in range(64))) + "\n"}


def test_only_the_sample_is_linted_and_every_schema_is_read(make_tree: TreeFactory) -> None:
    root = _tree(make_tree)
    report = _score(root, max_linted_files=3)
    paths = [f"db/q{i:02d}.sql" for i in range(FILES)]
    sample = {p for p in paths if in_sample(p, 2)}  # 12 / 2**2 <= 3
    assert 0 < len(sample) < FILES
    # Findings only in sampled files, one style lapse in each.
    assert _linted(report) == sample
    assert {f.path for f in report.findings if f.checker == "sqlfluff" and f.rule != "BSDB101"} <= (
        sample
    )
    # Every other file is listed as skipped, naming the sample and the option.
    skips = _sample_skips(report)
    assert set(skips) == set(paths) - sample
    assert set(skips.values()) == {
        f"not linted: sqlfluff lints a sample of {len(sample)} of {FILES} SQL files "
        "(max_linted_files)"
    }
    # The note says where the figures come from and how to lint everything.
    notes = _notes(report)
    assert any(
        f"sample of {len(sample)} of {FILES} SQL files (1 in 4" in n
        and "max_linted_files = 3" in n
        and "max_linted_files = 0 to lint every file" in n
        for n in notes
    ), notes
    assert any(
        f"{FILES - len(sample)} of {FILES} SQL file(s) not analysed by sqlfluff" in n
        and f"not linted: outside the sample ({FILES - len(sample)})" in n
        for n in notes
    ), notes
    # The style figures are over the sample, unsampled files are not counted as failures.
    style = report.criterion("database.sql_style")
    assert style.metrics["sql.files_analysed"] == len(sample)
    lines = sum(_sql(i).count("\n") for i in range(FILES) if f"db/q{i:02d}.sql" in sample)
    assert style.metrics["sql.violations_per_100_lines"] == round(100 * len(sample) / lines, 4)
    assert report.criterion("database.sql_parse").metrics["sql.parse_error_share"] == 0
    # The schema is read from every file: all twelve tables, all with a primary key.
    keys = report.criterion("database.primary_keys")
    assert keys.metrics["schema.tables"] == FILES
    assert keys.metrics["schema.pk_share"] == 1.0


def test_an_unsampled_table_without_a_key_is_still_found(make_tree: TreeFactory) -> None:
    files = {f"db/q{i:02d}.sql": _sql(i) for i in range(FILES)}
    unsampled = next(p for p in sorted(files) if not in_sample(p, 2))
    files[unsampled] = "create table orphan (\n    name text\n);\n"
    report = _score(make_tree(files), max_linted_files=3)
    assert unsampled in _sample_skips(report)
    assert [(f.path, f.line) for f in report.findings if f.rule == "BSDB101"] == [(unsampled, 1)]


def test_max_linted_files_zero_lints_every_file(make_tree: TreeFactory) -> None:
    root = _tree(make_tree)
    report = _score(root, max_linted_files=0)
    assert _linted(report) == {f"db/q{i:02d}.sql" for i in range(FILES)}
    assert not _sample_skips(report)
    assert not any("sample" in n for n in _notes(report))
    assert report.criterion("database.sql_style").metrics["sql.files_analysed"] == FILES


def test_under_the_default_limit_every_file_is_linted(make_tree: TreeFactory) -> None:
    report = _score(_tree(make_tree))
    assert len(_linted(report)) == FILES
    assert not _sample_skips(report)


def test_the_sample_is_the_same_on_every_run_and_on_a_warm_run(
    make_tree: TreeFactory, tmp_path: Path
) -> None:
    root = _tree(make_tree)
    first = _score(root, max_linted_files=3, cache=False)
    second = _score(root, max_linted_files=3, cache=False, jobs=2)
    cache = tmp_path / "cache"
    cold = _score(root, max_linted_files=3, cache_dir=str(cache))
    warm = _score(root, max_linted_files=3, cache_dir=str(cache))
    assert _linted(first) == _linted(second) == _linted(cold) == _linted(warm)
    assert _sample_skips(first) == _sample_skips(warm)
    assert first.criterion("database.sql_style").score == warm.criterion("database.sql_style").score
    # One more file, still within the same power of two: the cached results stay valid
    # (same rate, same key), and the files sampled before are sampled again.
    (root / "db" / "q12.sql").write_text(_sql(12))
    grown = _score(root, max_linted_files=4, cache_dir=str(cache))
    assert _linted(grown) - {"db/q12.sql"} == _linted(first)


def test_the_rate_is_part_of_the_cache_key_and_the_file_count_is_not(
    make_tree: TreeFactory,
) -> None:
    checker = SqlfluffChecker()
    twelve, thirteen = _tree(make_tree, 12), _tree(make_tree, 13)
    assert _prepared(twelve, 4)["sample_bits"] == _prepared(thirteen, 4)["sample_bits"] == 2
    assert checker.options_key(_prepared(twelve, 4)) == checker.options_key(_prepared(thirteen, 4))
    assert checker.options_key(_prepared(twelve, 3)) == checker.options_key(_prepared(twelve, 4))
    assert checker.options_key(_prepared(twelve, 2)) != checker.options_key(_prepared(twelve, 3))
    assert checker.options_key(_prepared(twelve, 0)) != checker.options_key(_prepared(twelve, 3))


@pytest.mark.parametrize("value", ["-1", "true", "'400'", "2.5"])
def test_an_invalid_max_linted_files_names_the_file_and_key(
    make_tree: TreeFactory, value: str
) -> None:
    root = make_tree(
        {
            ".backend-skills.toml": f"[checkers.sqlfluff]\nmax_linted_files = {value}\n",
            "q.sql": _sql(0),
        }
    )
    with pytest.raises(ConfigError, match=r"checkers\.sqlfluff\.max_linted_files"):
        score(root, skills=["database"])
    result = CliRunner().invoke(cli, ["score", str(root), "--no-cache"])
    assert result.exit_code == 2
    assert ".backend-skills.toml: invalid value for 'checkers.sqlfluff.max_linted_files'" in (
        result.output
    )


TSQL_TABLE = """CREATE TABLE [dbo].[Event] (
    [Id] UNIQUEIDENTIFIER NOT NULL,
    [OrganizationId] UNIQUEIDENTIFIER NULL,
    CONSTRAINT [PK_Event] PRIMARY KEY CLUSTERED ([Id] ASC),
    CONSTRAINT [FK_Event_Organization] FOREIGN KEY ([OrganizationId])
        REFERENCES [dbo].[Organization] ([Id])
);

GO
CREATE NONCLUSTERED INDEX [IX_Event_OrganizationId]
    ON [dbo].[Event]([OrganizationId] ASC);

GO
IF NOT EXISTS (SELECT name FROM sys.indexes WHERE name = 'IX_Event_Id')
BEGIN
    CREATE UNIQUE NONCLUSTERED INDEX [IX_Event_Id] ON [dbo].[Event]([Id] ASC)
END
GO
"""


def test_an_unsampled_file_gives_the_schema_a_linted_one_gives(make_tree: TreeFactory) -> None:
    # T-SQL has no semicolons between batches (GO) or inside IF ... BEGIN ... END: the
    # DDL reader used for unsampled files finds the same indexes as sqlfluff's tree.
    root = make_tree({".sqlfluff": "[sqlfluff]\ndialect = tsql\n", "db/event.sql": TSQL_TABLE})
    file = next(f for f in discover(root).files if f.path == "db/event.sql")
    linted_options = _prepared(root, 0)
    bits = next(b for b in range(1, 20) if not in_sample(file.path, b))
    checker = SqlfluffChecker()
    linted = checker.check_file(file, linted_options)
    unsampled = checker.check_file(file, {**linted_options, "sample_bits": bits})
    assert linted.skipped is None
    assert unsampled.skipped is not None
    assert unsampled.skipped.startswith("not linted")
    assert not unsampled.findings
    assert unsampled.data["schema"] == linted.data["schema"]
    changes = unsampled.data["schema"]["changes"]
    assert [(c["kind"], c["line"]) for c in changes if c["kind"] in ("index", "unique")] == [
        ("index", 10),
        ("unique", 16),
    ]
