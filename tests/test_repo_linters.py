"""pre-commit hooks read from a configuration document."""

from __future__ import annotations

import pytest

from backend_skills.checkers._repo_linters import pre_commit_hooks


@pytest.mark.parametrize(
    ("data", "hooks"),
    [
        (
            {
                "repos": [
                    {"repo": "x", "hooks": [{"id": "ruff"}, {"id": "mypy", "entry": "mypy src"}]},
                    {"repo": "local", "hooks": [{"id": "t", "entry": ["not", "text"]}]},
                ]
            },
            [("ruff", None), ("mypy", "mypy src"), ("t", None)],
        ),
        ({"repos": [{"hooks": "ruff"}, "oops", {"hooks": [{"id": 3}, "x"]}]}, []),
        ({"repos": "nope"}, []),
        (["not", "a", "mapping"], []),
        (None, []),
    ],
)
def test_pre_commit_hooks(data: object, hooks: list[tuple[str, str | None]]) -> None:
    assert pre_commit_hooks(data) == hooks
