"""Task-file parsers: Makefile rules, tox environments, nox sessions."""

from __future__ import annotations

import pytest

from backend_skills.checkers._ci_task_files import (
    _tox_ini,
    _tox_pyproject,
    make_rule,
    make_targets,
    nox_sessions,
)


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("test: build lint", (["test"], ["build", "lint"], "")),
        ("test:: ; pytest -q", (["test"], [], "pytest -q")),
        (".PHONY: test lint", ([], ["test", "lint"], "")),
        ("all test: deps", (["all", "test"], ["deps"], "")),
        ("PY := python3", None),
        ("VAR ::= x", None),
        ("$(OUT): src", None),
    ],
)
def test_make_rule(line: str, rule: tuple[list[str], list[str], str] | None) -> None:
    assert make_rule(line) == rule


def test_make_targets_collects_recipes_and_shared_rules() -> None:
    text = ".PHONY: test\ntest: lint\n\tpytest -q\nlint:\n\truff check .\nci: ; make test\n"
    assert make_targets(text) == {
        "test": (["lint"], ["pytest -q"]),
        "lint": ([], ["ruff check ."]),
        "ci": ([], ["make test"]),
    }


def test_tox_ini_environments_inherit_testenv_commands() -> None:
    text = "[tox]\nenvlist=py\n[testenv]\ncommands = pytest\n[testenv:lint]\ncommands =\n  ruff check .\n[testenv:cov]\n"
    assert _tox_ini(text, "") == {"py": ["pytest"], "lint": ["ruff check ."], "cov": ["pytest"]}


def test_tox_pyproject_reads_word_lists_and_strings() -> None:
    text = (
        "[tool.tox.env_run_base]\ncommands = [['pytest', '-q']]\n"
        "[tool.tox.env.lint]\ncommands = ['ruff check .', 3]\n"
        "[tool.tox.env.docs]\ncommands = 'not a list'\n"
    )
    assert _tox_pyproject(text) == {
        "py": ["pytest -q"],
        "lint": ["ruff check ."],
        "docs": ["pytest -q"],
    }


def test_nox_sessions_keep_literal_run_words_only() -> None:
    text = (
        "import nox\n"
        "@nox.session(name='unit')\n"
        "def tests(session):\n"
        "    session.install('.')\n"
        "    session.run('pytest', *session.posargs)\n"
        "    session.run(ARGS)\n"
        "@nox.session\n"
        "def lint(session):\n"
        "    session.run_always('ruff', 'check')\n"
        "def helper(session):\n"
        "    session.run('x')\n"
    )
    assert nox_sessions(text) == {"unit": ["pytest"], "lint": ["ruff check"]}
