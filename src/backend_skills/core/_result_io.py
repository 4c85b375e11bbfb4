"""Results on their way to the report and the cache: secrets masked in every message
(:func:`redact_result`, :func:`redact_file_result`), snippet hashes stored beside the
cached JSON (:func:`dump_snippets`) and restored when it is read (:func:`load_cached`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import ValidationError

from .cache import Entry
from .checker import FileResult
from .models import CheckResult, Finding, Metric, Skip
from .redact import redact_text

_R = TypeVar("_R", FileResult, CheckResult)


def load_cached(model: type[_R], entry: Entry) -> _R | None:
    """A cached result with its findings' snippet hashes restored; None when unreadable."""
    try:
        result = model.model_validate_json(entry.value)
        snippets = json.loads(entry.extra) if entry.extra else []
    except (ValidationError, ValueError):
        return None
    if not isinstance(snippets, list):
        return None
    restore_snippets(result.findings, snippets)
    return result


def load_file_result(entry: Entry) -> FileResult | None:
    """A cached per-file result; None when unreadable."""
    return load_cached(FileResult, entry)


def restore_snippets(findings: Sequence[Finding], snippets: Sequence[object]) -> None:
    """Give findings the snippet hashes stored beside their cached JSON."""
    for finding, digest in zip(findings, snippets, strict=False):
        if isinstance(digest, str) and digest and not finding.snippet_hash:
            finding.snippet_hash = digest


def dump_snippets(snippets: Sequence[str]) -> str:
    """The snippet hashes of a result's findings, as stored in the cache ("" for none)."""
    return json.dumps(list(snippets), separators=(",", ":")) if any(snippets) else ""


def redact_result(result: CheckResult) -> CheckResult:
    """``result`` with secrets masked in every message, skip reason, note and metric
    reason (see :func:`backend_skills.core.redact.redact_text`); the same object when
    nothing needed masking."""
    update: dict[str, Any] = {}
    findings = _redact_findings(result.findings)
    if findings is not None:
        update["findings"] = findings
    skipped = _redact_reasons(result.skipped)
    if skipped is not None:
        update["skipped"] = skipped
    notes = [redact_text(n) for n in result.notes]
    if notes != result.notes:
        update["notes"] = notes
    metrics = _redact_reasons(result.metrics)
    if metrics is not None:
        update["metrics"] = metrics
    reasons = {k: redact_text(v) for k, v in result.not_applicable.items()}
    if reasons != result.not_applicable:
        update["not_applicable"] = reasons
    return result.model_copy(update=update) if update else result


_Reasoned = TypeVar("_Reasoned", Skip, Metric)


def _redact_reasons(items: Sequence[_Reasoned]) -> list[_Reasoned] | None:
    """The skips or metrics with redacted reasons, or None when no reason changed."""
    redacted = [
        i.model_copy(update={"reason": redact_text(i.reason)}) if i.reason else i for i in items
    ]
    if any(a.reason != b.reason for a, b in zip(redacted, items, strict=True)):
        return redacted
    return None


def redact_file_result(result: FileResult) -> FileResult:
    """``result`` with secrets masked in its findings' messages and its skip reason."""
    update: dict[str, Any] = {}
    findings = _redact_findings(result.findings)
    if findings is not None:
        update["findings"] = findings
    if result.skipped is not None:
        reason = redact_text(result.skipped)
        if reason != result.skipped:
            update["skipped"] = reason
    return result.model_copy(update=update) if update else result


def _redact_findings(findings: Sequence[Finding]) -> list[Finding] | None:
    """The findings with redacted messages, or None when no message changed."""
    changed = False
    out = []
    for finding in findings:
        message = redact_text(finding.message)
        if message != finding.message:
            finding = finding.model_copy(update={"message": message})
            changed = True
        out.append(finding)
    return out if changed else None


def load_check_result(entry: Entry) -> CheckResult | None:
    """A cached whole result; None when unreadable."""
    return load_cached(CheckResult, entry)
