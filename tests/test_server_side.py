"""The server_side analysis: annotations, docstrings, error handling, tests, frameworks."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from backend_skills import Finding, Report, score
from backend_skills.checkers.analyses.server_side import (
    ServerSideAnalysis,
    _annotation_counts,
    _docstring_counts,
    _test_counts,
)
from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import Role

from .conftest import TreeFactory


def _tree(code: str) -> ast.Module:
    return ast.parse(textwrap.dedent(code))


def _findings(code: str) -> list[Finding]:
    text = textwrap.dedent(code)
    file = SourceFile(
        path="app.py",
        abspath=Path("app.py"),
        language="python",
        role=Role.SOURCE,
        size=len(text),
        lines=text.count("\n"),
        sha256="",
        text=text,
    )
    return ServerSideAnalysis().visit(file, ast.parse(text), {}).findings


def _score(root: Path) -> Report:
    return score(root, skills=["server_side"], isolated=True)


# --------------------------------------------------------------------------- annotations


def test_fully_annotated_signatures_count_every_slot() -> None:
    slots, annotated = _annotation_counts(
        _tree(
            """
            def f(a: int, /, b: str, *args: int, c: float = 1.0, **kw: str) -> None: ...

            class C:
                def __init__(self, x: int) -> None: ...
                def method(self, y: int) -> int: ...
                @classmethod
                def build(cls) -> "C": ...
                @staticmethod
                def helper(z: int) -> int: ...
            """
        )
    )
    # f: 5 params + return; __init__: x (its return is not required); method: y +
    # return; build: return; helper: z + return.
    assert (slots, annotated) == (12, 12)


def test_self_cls_and_init_return_are_not_required() -> None:
    slots, annotated = _annotation_counts(
        _tree(
            """
            class C:
                def __init__(self, x: int): ...
                def method(self) -> int: ...
            """
        )
    )
    assert (slots, annotated) == (2, 2)


def test_missing_annotations_are_counted() -> None:
    slots, annotated = _annotation_counts(
        _tree(
            """
            def f(a, b: int):
                def inner(c):
                    return c
                return inner

            class C:
                @staticmethod
                def helper(z):
                    return z
            """
        )
    )
    # f: a, b, return; inner: c, return; helper: z (not skipped: static), return.
    assert (slots, annotated) == (7, 1)


def test_fully_annotated_codebase_scores_at_least_80(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "app/service.py": """
                def add(a: int, b: int) -> int:
                    return a + b


                class Store:
                    def __init__(self, name: str) -> None:
                        self.name = name

                    def get(self, key: str, default: int | None = None) -> int | None:
                        return default
            """,
        }
    )
    criterion = _score(root).criterion("server_side.type_annotations")
    assert criterion.metrics["server_side.annotation_coverage"] == 1.0
    assert criterion.score is not None
    assert criterion.score >= 80


def test_untyped_codebase_scores_low(make_tree: TreeFactory) -> None:
    root = make_tree({"app.py": "def add(a, b):\n    return a + b\n"})
    criterion = _score(root).criterion("server_side.type_annotations")
    assert criterion.score == 0.0


# --------------------------------------------------------------------------- docstrings


def test_public_api_docstrings_are_counted() -> None:
    public, documented = _docstring_counts(
        _tree(
            '''
            """Module docstring."""

            def documented() -> None:
                """Does a thing."""

            def undocumented() -> None:
                pass

            class Public:
                """A class."""

                def method(self) -> None:
                    pass

                def _private(self) -> None:
                    pass

                def __repr__(self) -> str:
                    return ""

            class _Hidden:
                def method(self) -> None:
                    pass
            '''
        )
    )
    # module, documented, undocumented, Public, Public.method
    assert (public, documented) == (5, 3)


def test_empty_docstrings_overloads_and_setters_do_not_count() -> None:
    public, documented = _docstring_counts(
        _tree(
            '''
            from typing import overload

            @overload
            def f(a: int) -> int: ...
            def f(a: object) -> object:
                """"""

            class C:
                """C."""

                @property
                def value(self) -> int:
                    """The value."""
                    return 1

                @value.setter
                def value(self, new: int) -> None:
                    pass
            '''
        )
    )
    # module (no docstring), f (empty docstring), C, C.value getter
    assert (public, documented) == (4, 2)


def test_module_without_public_definitions_is_not_counted() -> None:
    assert _docstring_counts(_tree("import os\nVALUE = 1\n")) == (0, 0)
    assert _docstring_counts(_tree("def _helper():\n    pass\n")) == (0, 0)


def test_documented_code_scores_above_undocumented(make_tree: TreeFactory) -> None:
    documented = make_tree({"app.py": '"""App."""\n\n\ndef run() -> None:\n    """Run it."""\n'})
    bare = make_tree({"app.py": "def run() -> None:\n    pass\n"})
    good = _score(documented).criterion("server_side.docstrings")
    bad = _score(bare).criterion("server_side.docstrings")
    assert good.score == 100.0
    assert bad.score == 0.0


def test_no_public_api_makes_docstrings_not_applicable(make_tree: TreeFactory) -> None:
    root = make_tree({"app.py": "VALUE = 1\n"})
    criterion = _score(root).criterion("server_side.docstrings")
    assert criterion.applicable is False
    assert criterion.reason == "no public modules, classes or functions in Python source files"


# --------------------------------------------------------------------------- error handling


def test_bare_except_is_reported_at_its_line() -> None:
    findings = _findings(
        """
        def f():
            try:
                return 1
            except:
                return 2
        """
    )
    assert [(f.rule, f.line, f.severity.value) for f in findings] == [("BSSRV001", 5, "medium")]


def test_bare_except_pass_is_high() -> None:
    findings = _findings("try:\n    x = 1\nexcept:\n    pass\n")
    assert [(f.rule, f.line, f.severity.value) for f in findings] == [("BSSRV001", 3, "high")]
    assert "silently" in findings[0].message


def test_broad_except_pass_is_reported() -> None:
    findings = _findings(
        """
        for item in range(3):
            try:
                print(item)
            except (ValueError, Exception):
                continue
        """
    )
    assert [(f.rule, f.line) for f in findings] == [("BSSRV002", 5)]


def test_broad_except_that_swallows_is_reported() -> None:
    findings = _findings(
        """
        def load():
            try:
                return open("x").read()
            except Exception:
                return None
        """
    )
    assert [(f.rule, f.line) for f in findings] == [("BSSRV003", 5)]


@pytest.mark.parametrize(
    "handler",
    [
        "except ValueError:\n    pass",
        "except KeyError:\n    return None",
        "except Exception:\n    raise",
        "except:\n    cleanup()\n    raise",
        "except Exception as exc:\n    raise RuntimeError('x') from exc",
        "except Exception:\n    logger.exception('failed')\n    return None",
        "except Exception:\n    logging.error('failed')",
        "except Exception as exc:\n    return {'error': str(exc)}",
    ],
)
def test_deliberate_handlers_are_not_reported(handler: str) -> None:
    code = "def f():\n    try:\n        work()\n" + textwrap.indent(handler, "    ") + "\n"
    assert _findings(code) == []


def test_error_findings_in_tests_do_not_cost_points(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "app.py": "def f() -> int:\n    return 1\n",
            "tests/test_app.py": "def test_f():\n    try:\n        assert 1\n    except:\n        pass\n",
        }
    )
    report = _score(root)
    # The analysis only reports handlers in source files.
    assert not [f for f in report.findings if f.criterion == "server_side.error_handling"]
    assert report.criterion("server_side.error_handling").score == 100.0


# --------------------------------------------------------------------------- tests


def test_test_functions_need_an_assertion() -> None:
    counts = _test_counts(
        _tree(
            """
            import pytest
            import unittest

            def test_assert():
                assert 1 == 1

            def test_raises():
                with pytest.raises(ValueError):
                    int("x")

            def test_nothing():
                print("no check")

            def helper():
                assert True

            class TestThing:
                def test_method(self):
                    assert True

                def not_a_test(self):
                    assert True

            class Legacy(unittest.TestCase):
                def test_equal(self):
                    self.assertEqual(1, 1)
            """
        )
    )
    assert counts == {"tests": 4, "without_assert": 1}


def test_tests_are_found_by_test_functions_not_folder_names(make_tree: TreeFactory) -> None:
    source = {"app.py": "def a() -> int:\n    return 1\n\n\ndef b() -> int:\n    return 2\n"}
    empty_folder = make_tree(
        {**source, "tests/__init__.py": "# tests\n", "tests/helpers.py": "X = 1\n"}
    )
    with_tests = make_tree(
        {
            **source,
            "test_app.py": "from app import a\n\n\ndef test_a():\n    assert a() == 1\n",
        }
    )
    empty = _score(empty_folder).criterion("server_side.tests")
    tested = _score(with_tests).criterion("server_side.tests")
    assert empty.metrics["server_side.test_ratio"] == 0.0
    assert empty.score == 0.0
    assert tested.metrics["server_side.test_ratio"] == 0.5
    assert tested.metrics["server_side.test_files"] == 1
    assert tested.score is not None
    assert tested.score > 50


def test_tests_without_assertions_earn_nothing(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "app.py": "def a() -> int:\n    return 1\n",
            "tests/test_app.py": "def test_a():\n    print('ran')\n",
        }
    )
    report = _score(root)
    assert report.criterion("server_side.tests").score == 0.0
    run = next(c for c in report.checkers if c.name == "python_ast")
    assert any("1 test functions without any assertion not counted" in n for n in run.notes)


# --------------------------------------------------------------------------- frameworks


def test_framework_is_noted(make_tree: TreeFactory) -> None:
    root = make_tree(
        {"app.py": "from fastapi import FastAPI\n\napp = FastAPI()\n", "cli.py": "import os\n"}
    )
    run = next(c for c in _score(root).checkers if c.name == "python_ast")
    assert "web framework: FastAPI (1 files)" in run.notes


def test_no_framework_is_noted(make_tree: TreeFactory) -> None:
    root = make_tree({"cli.py": "import argparse\n"})
    run = next(c for c in _score(root).checkers if c.name == "python_ast")
    assert "web framework: none detected" in run.notes


def test_no_python_source_makes_the_criteria_not_applicable(make_tree: TreeFactory) -> None:
    root = make_tree({"db/schema.sql": "CREATE TABLE t (id INT PRIMARY KEY);\n"})
    report = _score(root)
    for criterion in ("server_side.type_annotations", "server_side.tests"):
        result = report.criterion(criterion)
        assert result.applicable is False, criterion
