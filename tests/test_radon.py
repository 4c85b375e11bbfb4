"""The radon checker: parity with radon, bounds per file, findings and roles."""

from __future__ import annotations

import ast
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from radon.complexity import cc_visit
from radon.metrics import mi_visit
from radon.raw import analyze

import backend_skills
from backend_skills import Report, score
from backend_skills.checkers.radon import RadonChecker, cc_rank, mi_rank, raw_metrics
from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import Role

from .conftest import TreeFactory

FIXTURES = Path(__file__).parent / "fixtures" / "radon"
PACKAGE = Path(backend_skills.__file__).parent
PARITY_FILES = sorted(FIXTURES.glob("*.py")) + sorted(PACKAGE.rglob("*.py"))


def _source(path: str, text: str, role: Role = Role.SOURCE) -> SourceFile:
    return SourceFile(
        path=path,
        abspath=Path(path),
        language="python",
        role=role,
        size=len(text.encode()),
        lines=text.count("\n"),
        sha256="",
        text=text,
    )


def _check(text: str, **options: Any) -> Any:
    checker = RadonChecker()
    opts: Mapping[str, Any] = {
        "max_file_bytes": 1_000_000,
        "time_budget_s": 20.0,
        "max_function_sloc": 50,
        "max_module_sloc": 500,
        **options,
    }
    return checker.check_file(_source("app.py", text), opts)


def _radon(root: Path, **config: Any) -> Report:
    return score(root, skills=["server_side"], isolated=True, **config)


# --------------------------------------------------------------------------- parity


@pytest.mark.parametrize("path", PARITY_FILES, ids=lambda p: p.name)
def test_raw_counter_matches_radon_raw_analyze(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    ours, _ = raw_metrics(text)
    assert tuple(ours) == tuple(analyze(text))


@pytest.mark.parametrize("path", PARITY_FILES, ids=lambda p: p.name)
def test_maintainability_and_blocks_match_radon(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    result = _check(text)
    assert result.skipped is None
    assert result.data["mi"] == pytest.approx(mi_visit(text, True), abs=1e-3)
    expected = sorted((b.lineno, b.complexity) for b in cc_visit(text) if hasattr(b, "is_method"))
    assert sorted((b[2], b[4]) for b in result.data["blocks"]) == expected


def test_fixture_files_cover_the_tricky_statements() -> None:
    # The parity fixtures are only worth something if they hold what radon treats
    # specially: semicolons, colons mid-line, continuations, multi-line strings.
    text = "\n".join(p.read_text() for p in sorted(FIXTURES.glob("*.py")))
    for construct in ("; ", "if x: ", "\\\n", '"""\n', "'''", "lambda", "match "):
        assert construct in text, construct


def test_code_lines_exclude_blanks_comments_and_docstrings() -> None:
    text = '"""Doc\nstring."""\n\n# comment\nx = 1\n\n\ndef f():\n    """Doc."""\n    return x\n'
    metrics, code = raw_metrics(text)
    assert metrics.sloc == 3
    assert [n for n in range(1, len(code)) if code[n]] == [5, 8, 10]


def test_raw_counter_is_linear_on_a_large_literal_table() -> None:
    rows = "".join(f'    ("key{i}", {i}, "value {i}"),\n' for i in range(10_000))
    text = f"TABLE = [\n{rows}]\n"
    start = time.perf_counter()
    metrics, _ = raw_metrics(text)
    elapsed = time.perf_counter() - start
    assert metrics.loc == 10_002
    assert metrics.sloc == 10_002
    assert metrics.lloc == 1
    # radon.raw.analyze re-tokenizes the statement for every line (minutes here).
    assert elapsed < 5.0
    small = f"TABLE = [\n{''.join(rows.splitlines(True)[:200])}]\n"
    assert tuple(raw_metrics(small)[0]) == tuple(analyze(small))


# --------------------------------------------------------------------------- ranks and findings


def _branches(name: str, count: int) -> str:
    lines = [f"def {name}(value):", "    total = 0"]
    lines += [f"    if value > {i}:\n        total += {i}" for i in range(count)]
    lines.append("    return total")
    return "\n".join(lines) + "\n"


def test_ranks_follow_radon() -> None:
    assert [cc_rank(c) for c in (1, 5, 6, 10, 11, 20, 21, 30, 31, 40, 41)] == list("AABBCCDDEEF")
    assert [mi_rank(m) for m in (100, 20, 19.5, 19, 10, 9.5, 9, 0)] == list("AAABBBCC")


def test_function_ranked_c_is_a_finding_at_its_line() -> None:
    text = "import os\n\n\n" + _branches("classify", 20)
    result = _check(text)
    [finding] = [f for f in result.findings if f.rule == "BSRAD001"]
    assert finding.line == 4
    assert finding.criterion == "server_side.complexity"
    assert "`classify`" in finding.message
    assert "complexity 21" in finding.message
    assert "rank D" in finding.message


def test_function_ranked_b_is_not_a_finding() -> None:
    result = _check(_branches("simple", 9))  # complexity 10: rank B
    assert [b[4] for b in result.data["blocks"]] == [10]
    assert not [f for f in result.findings if f.rule == "BSRAD001"]


def test_methods_are_named_with_their_class() -> None:
    method = _branches("handle", 12).replace("\n", "\n    ")
    result = _check(f"class Router:\n    {method}")
    [finding] = [f for f in result.findings if f.rule == "BSRAD001"]
    assert "method `Router.handle`" in finding.message
    assert finding.line == 2


def test_long_function_and_module_findings() -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(12))
    text = f"def long_one():\n{body}    return 1\n\n\ndef short():\n    return 2\n"
    result = _check(text, max_function_sloc=10, max_module_sloc=12)
    rules = {(f.rule, f.line) for f in result.findings}
    assert ("BSRAD003", 1) in rules
    assert ("BSRAD004", None) in rules
    assert ("BSRAD003", 17) not in rules
    sizes = {b[0]: b[5] for b in result.data["blocks"]}
    assert sizes == {"long_one": 14, "short": 2}


def test_short_code_has_no_size_findings() -> None:
    result = _check("def f():\n    return 1\n")
    assert not [f for f in result.findings if f.rule in ("BSRAD003", "BSRAD004")]


def test_low_maintainability_file_is_a_finding() -> None:
    functions = "\n\n".join(_branches(f"f{i}", 25) for i in range(8))
    result = _check(functions)
    assert result.data["mi"] <= 19
    assert [f.rule for f in result.findings].count("BSRAD002") == 1


# --------------------------------------------------------------------------- bounds


def test_file_over_the_size_limit_is_skipped_with_the_reason() -> None:
    result = _check("x = 1\n" * 100, max_file_bytes=50)
    assert result.skipped == "radon: file larger than 50 bytes (600 bytes)"


def test_time_budget_skips_the_file_with_the_reason() -> None:
    result = _check(_branches("f", 30) * 20, time_budget_s=1e-9)
    assert result.skipped is not None
    assert result.skipped.startswith("radon: time budget of 1e-09 s exceeded")


def test_size_limit_from_configuration_end_to_end(make_tree: TreeFactory) -> None:
    root = make_tree({"app.py": "def f():\n    return 1\n", "big.py": "x = 1\n" * 400})
    report = _radon(root, checkers={"radon": {"max_file_bytes": 1000}})
    skipped = {s.path: s.reason for s in report.skipped if s.checker == "radon"}
    assert skipped == {"big.py": "larger than the 1,000-byte limit of radon (2,400 bytes)"}
    assert report.criterion("server_side.complexity").applicable


def test_syntax_error_is_skipped_not_raised(make_tree: TreeFactory) -> None:
    root = make_tree({"app.py": "def f(:\n    pass\n", "ok.py": "def g():\n    return 1\n"})
    report = _radon(root)
    reasons = [s.reason for s in report.skipped if s.path == "app.py" and s.checker == "radon"]
    assert reasons
    assert reasons[0].startswith("syntax error")
    assert report.complete


# --------------------------------------------------------------------------- roles and scores


def test_tests_and_migrations_do_not_count(make_tree: TreeFactory) -> None:
    complex_code = _branches("huge", 25)
    root = make_tree(
        {
            "app/service.py": "def simple(a: int) -> int:\n    return a\n",
            "tests/test_service.py": complex_code,
            "migrations/0001_initial.py": complex_code,
        }
    )
    report = _radon(root)
    assert not [f for f in report.findings if f.checker == "radon"]
    complexity = report.criterion("server_side.complexity")
    assert complexity.score == 100.0
    assert complexity.metrics["radon.blocks"] == 1
    radon_run = next(c for c in report.checkers if c.name == "radon")
    assert any("1 test and 1 migration files are not counted" in n for n in radon_run.notes)


def test_complex_code_scores_below_simple_code(make_tree: TreeFactory) -> None:
    simple = make_tree({"app.py": "def f(a: int) -> int:\n    return a\n"})
    complex_ = make_tree({"app.py": _branches("f", 22) + "\n\ndef g():\n    return 1\n"})
    good = _radon(simple)
    bad = _radon(complex_)
    for criterion in ("server_side.complexity", "server_side.worst_block"):
        good_score = good.criterion(criterion).score
        bad_score = bad.criterion(criterion).score
        assert good_score is not None
        assert bad_score is not None
        assert bad_score < good_score
    assert bad.criterion("server_side.complexity").metrics["radon.cc_share_c_or_worse"] == 0.5
    assert bad.criterion("server_side.worst_block").metrics["radon.cc_worst"] == 23


def test_no_source_files_makes_radon_criteria_not_applicable(make_tree: TreeFactory) -> None:
    root = make_tree({"tests/test_x.py": "def test_x():\n    assert True\n"})
    report = _radon(root)
    for criterion in ("server_side.complexity", "server_side.maintainability"):
        result = report.criterion(criterion)
        assert result.applicable is False
        assert result.reason == "no Python source files analysed"


def test_module_without_functions_has_no_complexity_to_measure(make_tree: TreeFactory) -> None:
    root = make_tree({"settings.py": "DEBUG = False\nNAME = 'x'\n"})
    report = _radon(root)
    complexity = report.criterion("server_side.complexity")
    assert complexity.applicable is False
    assert complexity.reason == "no functions or methods in Python source files"
    assert report.criterion("server_side.maintainability").applicable


def test_unknown_option_is_a_configuration_error(make_tree: TreeFactory) -> None:
    root = make_tree({"app.py": "x = 1\n"})
    with pytest.raises(backend_skills.ConfigError, match=r"checkers\.radon\.max_cc"):
        _radon(root, checkers={"radon": {"max_cc": 3}})


def test_one_parse_per_file(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real_parse = ast.parse

    def counting_parse(source: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append("parse")
        return real_parse(source, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", counting_parse)
    result = _check(_branches("f", 3))
    assert result.skipped is None
    assert calls == ["parse"]


def test_raising_the_size_limit_in_configuration_lets_bigger_files_through(
    make_tree: TreeFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The runner and the checker agree on a limit above the checker's own default."""
    from backend_skills.checkers.radon import RadonChecker

    monkeypatch.setattr(RadonChecker, "max_file_bytes", 1000)
    root = make_tree({"big.py": "x = 1\n" * 400})  # 2,400 bytes: over the default
    blocked = _radon(root, jobs=1, cache=False)
    assert [s.path for s in blocked.skipped if s.checker == "radon"] == ["big.py"]
    raised = _radon(root, jobs=1, cache=False, checkers={"radon": {"max_file_bytes": 10_000}})
    assert not [s for s in raised.skipped if s.checker == "radon"]
