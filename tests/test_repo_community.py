"""CHANGELOG entries: which headings and lines open one, and which count."""

from __future__ import annotations

import pytest

from backend_skills.checkers._repo_community import (
    count_changelog_entries,
    is_entry_line,
    is_entry_title,
)


@pytest.mark.parametrize(
    ("title", "entry"),
    [
        ("[1.2.0] - 2024-05-01", True),
        ("v2.1", True),
        ("2024-05-01", True),
        ("Unreleased", True),
        ("Changelog", False),
        ("Version history", False),
    ],
)
def test_is_entry_title(title: str, entry: bool) -> None:
    assert is_entry_title(title) is entry


@pytest.mark.parametrize(
    ("line", "entry"),
    [
        ("1.2.0 (2024-05-01)", True),
        ("Version 3.0", True),
        ("2023-01-02 release", True),
        ("- 1.2.0 fixed things", False),
        ("  1.2.0 indented", False),
        ("Fixed 1.2.0 regressions", False),
    ],
)
def test_is_entry_line(line: str, entry: bool) -> None:
    assert is_entry_line(line) is entry


@pytest.mark.parametrize(
    ("text", "counted"),
    [
        ("", (0, None)),
        ("# Changelog\n\nNothing yet.\n", (0, None)),
        ("# Changelog\n\n## 1.0.0\n\n- Add the first endpoint\n", (1, 3)),
        ("## 2.0.0\n\n## 1.0.0\n- Add a, b and c\n", (1, 1)),
        ("1.1.0\n=====\nFixed the login bug\n\n1.0.0\n=====\nFirst\n", (1, 1)),
    ],
)
def test_count_changelog_entries(text: str, counted: tuple[int, int | None]) -> None:
    assert count_changelog_entries(text) == counted
