"""Limits on checker code: the memory ceiling from the environment and skip reasons."""

from __future__ import annotations

import pytest

from backend_skills.core._limits import (
    DEFAULT_MEMORY_LIMIT,
    MEMORY_LIMIT_ENV,
    FileTimeout,
    memory_limit_from_env,
    memory_reason,
    raised_by_checker,
    timeout_reason,
)


@pytest.mark.parametrize(
    ("raw", "limit"),
    [
        ("", DEFAULT_MEMORY_LIMIT),
        ("  ", DEFAULT_MEMORY_LIMIT),
        ("512", 512 * 1024**2),
        ("0", None),
        ("-3", None),
        ("lots", DEFAULT_MEMORY_LIMIT),
    ],
)
def test_memory_limit_from_env(
    monkeypatch: pytest.MonkeyPatch, raw: str, limit: int | None
) -> None:
    monkeypatch.setenv(MEMORY_LIMIT_ENV, raw)
    assert memory_limit_from_env() == limit


@pytest.mark.parametrize(
    ("limit", "reason"),
    [
        (2 * 1024**3, "exceeded the 2 GiB memory limit of a worker in bandit (memory limit)"),
        (768 * 1024**2, "exceeded the 768 MiB memory limit of a worker in bandit (memory limit)"),
        (None, "ran out of memory in bandit (memory limit)"),
    ],
)
def test_memory_reason(limit: int | None, reason: str) -> None:
    assert memory_reason(limit, "bandit") == reason


def test_timeout_reason() -> None:
    assert timeout_reason(2.5, "radon") == "exceeded the 2.5 s per-file time limit in radon"


@pytest.mark.parametrize(
    ("exc", "checkers"),
    [
        (ValueError("x"), True),
        (SystemExit(1), True),
        (KeyboardInterrupt(), True),  # raised by the checker itself: no Ctrl-C was seen
        (FileTimeout(), False),
    ],
)
def test_raised_by_checker(exc: BaseException, checkers: bool) -> None:
    assert raised_by_checker(exc) is checkers
