"""bandit findings: password messages without the secret, and issue locations."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from backend_skills.checkers.bandit import _location, redact_password_text

_TEXT = "Possible hardcoded password: 'Sup3rS3cretValue'"


@pytest.mark.parametrize(
    ("test_id", "lines", "message"),
    [
        (
            "B105",
            ["db_password = 'Sup3rS3cretValue'"],
            "Possible hardcoded password assigned to 'db_password' (value redacted)",
        ),
        (
            "B105",
            ["if password == 'Sup3rS3cretValue':"],
            "Possible hardcoded password compared with 'password' (value redacted)",
        ),
        (
            "B106",
            ["connect(passwd='Sup3rS3cretValue')"],
            "Possible hardcoded password passed as argument 'passwd' (value redacted)",
        ),
        (
            "B107",
            ["def f(token='Sup3rS3cretValue'):"],
            "Possible hardcoded password as the default of argument 'token' (value redacted)",
        ),
        ("B105", ["x = 'Sup3rS3cretValue'"], "Possible hardcoded password (value redacted)"),
    ],
)
def test_password_messages_name_the_variable_never_the_value(
    test_id: str, lines: list[str], message: str
) -> None:
    text, value = redact_password_text(test_id, _TEXT, lines)
    assert text == message
    assert value == "Sup3rS3cretValue"
    assert value not in text


def test_a_name_that_holds_the_value_is_not_shown() -> None:
    text, _ = redact_password_text(
        "B105", "Possible hardcoded password: 'pass'", ["password = 'pass'"]
    )
    assert text == "Possible hardcoded password (value redacted)"


@pytest.mark.parametrize(
    ("lineno", "linerange", "col", "where"),
    [
        (3, [3, 4], 4, (3, 4, 5)),
        (5, [2, 3], 0, (5, 5, 1)),
        (7, None, -1, (7, 7, None)),
        (0, [], None, (None, None, None)),
        (2, [0, "x", 2], 8, (2, 2, 9)),
    ],
)
def test_location(lineno: int, linerange: object, col: object, where: tuple[object, ...]) -> None:
    issue = SimpleNamespace(lineno=lineno, linerange=linerange, col_offset=col)
    assert _location(issue) == where
