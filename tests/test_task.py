"""One task's outcome: every way ``check_file`` can end becomes a one-line outcome."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from backend_skills.core._limits import FileTimeout
from backend_skills.core._task import (
    CHANGED,
    ERROR,
    MEMORY,
    OK,
    TIMEOUT,
    Task,
    WorkSpec,
    analyse,
    line_hash,
)
from backend_skills.core.checker import CheckContext, FileChecker, FileResult
from backend_skills.core.discovery import FileChangedError, SourceFile
from backend_skills.core.models import CheckResult, Confidence, Finding, Role, Severity


def _file(text: str = "x = 1\npassword = 'hunter2hunter2'\n") -> SourceFile:
    return SourceFile(
        "app/m.py", "/nowhere/app/m.py", "python", Role.SOURCE, len(text), 2, "0", text
    )


class _Checker(FileChecker):
    name = "probe"

    def __init__(self, behaviour: Any) -> None:
        self.behaviour = behaviour

    def check_file(self, file: SourceFile, options: Mapping[str, Any]) -> FileResult:
        if isinstance(self.behaviour, BaseException):
            raise self.behaviour
        return self.behaviour  # type: ignore[no-any-return]

    def reduce(self, ctx: CheckContext, results: Mapping[str, FileResult]) -> CheckResult:
        return CheckResult()  # pragma: no cover - never reduced here


def _run(behaviour: Any, memory_limit: int | None = 1024**3) -> tuple[str, str, tuple[str, ...]]:
    spec = WorkSpec([_Checker(behaviour)], [{}], [5.0], memory_limit)
    outcome = analyse(spec, Task(7, 0, _file()), limit=False)
    assert outcome.id == 7
    assert outcome.seconds >= 0
    return outcome.status, outcome.payload, outcome.snippets


def _finding(line: int | None, snippet_hash: str = "") -> Finding:
    return Finding(
        checker="probe",
        rule="R1",
        skill="security",
        criterion="security.secrets",
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        message="m",
        path="app/m.py",
        line=line,
        snippet_hash=snippet_hash,
    )


def test_a_result_is_sent_as_json_with_the_hash_of_each_finding_line() -> None:
    result = FileResult(findings=[_finding(2), _finding(None), _finding(9), _finding(1, "own")])
    status, payload, snippets = _run(result)
    assert status == OK
    assert len(json.loads(payload)["findings"]) == 4
    assert snippets == (line_hash("password = 'hunter2hunter2'"), "", "", "own")


def test_line_hash_blanks_token_literals_and_whitespace() -> None:
    assert line_hash("a =  'hunter2hunter2'") == line_hash("a = 'other-secret-value'")
    assert line_hash("a = 'two words'") != line_hash("a = 'other words'")


@pytest.mark.parametrize(
    ("behaviour", "status", "reason"),
    [
        (FileTimeout(), TIMEOUT, "exceeded the 5 s per-file time limit in probe"),
        (FileChangedError("app/m.py changed"), CHANGED, "not analysed: app/m.py changed"),
        (
            MemoryError(),
            MEMORY,
            "exceeded the 1 GiB memory limit of a worker in probe (memory limit)",
        ),
        (ValueError("bad\nsecond line"), ERROR, "ValueError: bad (in app/m.py)"),
        (SystemExit(3), ERROR, "SystemExit: 3 (in app/m.py)"),
        ({"not": "a result"}, ERROR, "check_file returned dict, not FileResult (in app/m.py)"),
    ],
)
def test_each_failure_is_one_line_naming_the_file(behaviour: Any, status: str, reason: str) -> None:
    got_status, payload, snippets = _run(behaviour)
    assert (got_status, payload, snippets) == (status, reason, ())


def test_memory_error_without_a_ceiling_says_so() -> None:
    status, payload, _ = _run(MemoryError(), memory_limit=None)
    assert (status, payload) == (MEMORY, "ran out of memory in probe (memory limit)")


def test_a_result_that_is_not_json_is_an_error() -> None:
    status, payload, _ = _run(FileResult(data={"x": object()}))
    assert status == ERROR
    assert payload.startswith("result is not JSON-serialisable: ")
    assert payload.endswith("(in app/m.py)")
