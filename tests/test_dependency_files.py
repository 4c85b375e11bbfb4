"""What dependency files declare: requirements lines, pyproject.toml (PEP 621, PEP 735,
Poetry), Pipfile, and what lock files pin."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_skills.checkers.analyses._dependency_files import (
    locked_names,
    parse_requirement,
    read_declarations,
)
from backend_skills.core.discovery import SourceFile, discover
from backend_skills.core.models import Role


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("requests==2.32.3", ("requests", True, None)),
        ("requests>=2", ("requests", False, None)),
        ("requests[socks]==2.32.3 ; python_version > '3.8'", ("requests", True, None)),
        ("Django==4.*", ("Django", False, None)),  # a wildcard is not a pin
        ("tool @ git+https://x.org/t.git@main", ("tool", False, "git+https://x.org/t.git@main")),
        ("git+https://x.org/t.git#egg=tool", ("tool", False, "git+https://x.org/t.git#egg=tool")),
        (
            "https://x.org/dist/pkg-1.0.tar.gz",
            ("pkg", False, "https://x.org/dist/pkg-1.0.tar.gz"),
        ),
        ("lib @ file:///src/lib", (None, False, None)),
        ("-r base.txt", (None, False, None)),
    ],
)
def test_parse_requirement(text: str, expected: tuple[str | None, bool, str | None]) -> None:
    assert parse_requirement(text) == expected


def _declared(
    tmp_path: Path, files: dict[str, str]
) -> tuple[list[tuple[str, int, bool, str]], list[str]]:
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    notes: list[str] = []
    found = read_declarations(discover(tmp_path), notes)
    return [(d.name, d.line, d.pinned, d.url or "") for d in found], notes


PYPROJECT = """\
[project]
dependencies = ["requests==2.32.3", "click>=8"]

[project.optional-dependencies]
dev = ["pytest"]

[dependency-groups]
lint = ["ruff==0.6.0"]

[tool.poetry.dependencies]
python = "^3.11"
flask = "3.0.0"
httpx = {version = "^0.27"}
tool = {git = "https://x.org/tool.git", rev = "0123456789abcdef0123456789abcdef01234567"}
local = {path = "../local"}
multi = [{version = "1.0", python = "<3.12"}, {version = "1.1", python = ">=3.12"}]

[tool.poetry.group.test.dependencies]
coverage = "*"
"""


def test_pyproject_declarations(tmp_path: Path) -> None:
    found, notes = _declared(tmp_path, {"pyproject.toml": PYPROJECT})
    assert notes == []
    assert found == [
        ("requests", 2, True, ""),
        ("click", 2, False, ""),
        ("pytest", 5, False, ""),
        ("ruff", 8, True, ""),
        ("flask", 12, True, ""),
        ("httpx", 13, False, ""),
        ("tool", 14, False, "https://x.org/tool.git@0123456789abcdef0123456789abcdef01234567"),
        ("multi", 16, True, ""),
        ("coverage", 19, False, ""),
    ]


PIPFILE = """\
[packages]
django = "==4.2.1"
celery = "*"
lib = {git = "https://x.org/lib.git", ref = "main"}
local = {path = "."}

[dev-packages]
pytest = {version = "==8.0.0"}
"""


def test_pipfile_declarations(tmp_path: Path) -> None:
    found, _ = _declared(tmp_path, {"Pipfile": PIPFILE})
    assert found == [
        ("django", 2, True, ""),
        ("celery", 3, False, ""),
        ("lib", 4, False, "https://x.org/lib.git"),
        ("pytest", 8, True, ""),
    ]


def test_invalid_toml_is_noted_and_docs_are_skipped(tmp_path: Path) -> None:
    found, notes = _declared(
        tmp_path,
        {"pyproject.toml": "[project\n", "docs/requirements.txt": "sphinx\n"},
    )
    assert found == []
    assert notes == ["pyproject.toml: not valid TOML; its dependencies were not read"]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("poetry.lock", '[[package]]\nname = "Flask_Login"\n', {"flask-login"}),
        (
            "Pipfile.lock",
            '{"default": {"django": {}}, "develop": {"pytest": {}}}',
            {"django", "pytest"},
        ),
        ("Pipfile.lock", "{not json", None),
    ],
)
def test_locked_names(name: str, text: str, expected: set[str] | None) -> None:
    file = SourceFile(name, name, "other", Role.OTHER, len(text), 1, "", text=text)
    notes: list[str] = []
    assert locked_names(file, notes) == expected
    assert bool(notes) is (expected is None)
