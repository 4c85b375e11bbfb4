"""Results on their way to the cache: secrets masked, snippet hashes kept beside the JSON."""

from __future__ import annotations

from backend_skills.core._result_io import (
    dump_snippets,
    load_file_result,
    redact_file_result,
    redact_result,
    restore_snippets,
)
from backend_skills.core.cache import Entry
from backend_skills.core.checker import FileResult
from backend_skills.core.models import CheckResult, Confidence, Finding, Metric, Severity, Skip

_SECRET = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"


def _finding(message: str = "plain", snippet_hash: str = "") -> Finding:
    return Finding(
        checker="c",
        rule="R1",
        skill="security",
        criterion="security.secrets",
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        message=message,
        path="a.py",
        line=1,
        snippet_hash=snippet_hash,
    )


def test_snippets_round_trip_through_the_cache_row() -> None:
    result = FileResult(findings=[_finding(), _finding()])
    entry = Entry(result.model_dump_json(), dump_snippets(["h1", ""]))
    loaded = load_file_result(entry)
    assert loaded is not None
    assert [f.snippet_hash for f in loaded.findings] == ["h1", ""]


def test_no_snippet_is_stored_as_empty_text() -> None:
    assert dump_snippets(["", ""]) == ""


def test_restore_keeps_a_checker_own_hash() -> None:
    findings = [_finding(snippet_hash="own")]
    restore_snippets(findings, ["stored"])
    assert findings[0].snippet_hash == "own"


def test_unreadable_rows_are_misses() -> None:
    assert load_file_result(Entry("{not json", "")) is None
    assert load_file_result(Entry(FileResult().model_dump_json(), '{"not": "a list"}')) is None


def test_secrets_are_masked_everywhere_and_clean_results_are_kept_as_they_are() -> None:
    result = CheckResult(
        findings=[_finding(f"token {_SECRET} found")],
        skipped=[Skip(path="a.py", reason=f"bad {_SECRET}")],
        notes=[f"note {_SECRET}"],
        metrics=[Metric(name="m", value=None, reason=f"why {_SECRET}")],
        not_applicable={"c": f"because {_SECRET}"},
    )
    masked = redact_result(result)
    assert _SECRET not in masked.model_dump_json()
    assert "token" in masked.findings[0].message
    clean = CheckResult(findings=[_finding()], notes=["fine"])
    assert redact_result(clean) is clean


def test_file_results_mask_messages_and_skip_reasons() -> None:
    result = FileResult(findings=[_finding(f"x {_SECRET}")], skipped=f"y {_SECRET}")
    masked = redact_file_result(result)
    assert _SECRET not in masked.model_dump_json()
    clean = FileResult(findings=[_finding()])
    assert redact_file_result(clean) is clean
