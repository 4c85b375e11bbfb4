"""The ``polyglot`` checker's findings: pattern rule matches (hotspots one severity lower,
cross-file request input raising them back), and the measured rules (complexity,
function and file size, error handling)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from backend_skills.core.models import Confidence, Finding, Severity

from ._polyglot_metrics import CC_C_THRESHOLD, NAME
from ._redact import redacted_snippet_hash
from .analyses._secret_names import (
    connection_password_confidence,
    credential_weight,
    key_material_after,
)

if TYPE_CHECKING:
    from .polyglot import PolyglotOptions

_SEVERITY_BY_CC = ((30, Severity.HIGH), (20, Severity.MEDIUM), (10, Severity.LOW))
_LOWER = {
    Severity.CRITICAL: Severity.HIGH,
    Severity.HIGH: Severity.MEDIUM,
    Severity.MEDIUM: Severity.LOW,
    Severity.LOW: Severity.LOW,
    Severity.INFO: Severity.INFO,
}


def rule_finding(path: str, match: Any, lines: Sequence[str]) -> Finding:
    rule = match.rule
    severity, confidence = rule.severity, rule.confidence
    message = rule.message.format(name=match.name or "?") if rule.message else rule.title
    if rule.id == "BSSEC109":  # weighed as Python's BSSEC001 (docs/security.md)
        severity, confidence = credential_weight(match.name, match.secret, severity, confidence)
    elif (line := _connection_line(match, lines)) is not None:  # a development default: LOW
        confidence = connection_password_confidence(line, match.secret) or confidence
    if match.exploitable is True:
        message += ", with request input in the same function"
    elif match.exploitable is False:
        severity, confidence = _LOWER[severity], Confidence.MEDIUM
        message += " (hotspot: no request input seen in this function; review it)"
    finding = Finding(
        checker=NAME,
        rule=rule.id,
        skill=rule.skill,
        criterion=rule.criterion,
        severity=severity,
        confidence=confidence,
        message=message,
        path=path,
        line=match.line,
        end_line=match.end_line,
        column=match.column,
        cwe=rule.cwe,
    )
    if rule.criterion == "security.secrets" or match.secret:
        secrets = [match.secret] if match.secret else []
        finding.snippet_hash = redacted_snippet_hash(lines, match.line, secrets)
    return finding


def _connection_line(match: Any, lines: Sequence[str]) -> str | None:
    """The line of ``match`` when it is a password in a connection string
    (``...;Password=<the secret>``), else None (a token, or another rule)."""
    if match.rule.id != "BSSEC110" or not match.secret or not 0 < match.line <= len(lines):
        return None
    line = lines[match.line - 1]
    at = line.find(match.secret)
    return line if at > 0 and _PASSWORD_IS.search(line, 0, at) else None


#: ``Password=`` right before a connection string's password.
_PASSWORD_IS = re.compile(r"\b(?:Password|Pwd)\s*=\s*$", re.I)


def kept_line_matches(matches: Sequence[Any], lines: Sequence[str]) -> list[Any]:
    """``matches`` of the line rules without placeholders: a password in a connection
    string that stands for one (``Password=YourPassword``, ``Password=<your-password>``),
    a private key's header with no key after it (``-----BEGIN PRIVATE KEY----- X``, a
    comment or a form's placeholder explaining the format)."""
    kept = []
    for m in matches:
        line = _connection_line(m, lines)
        if line is not None and connection_password_confidence(line, m.secret) is None:
            continue
        header = m.rule.id == "BSSEC110" and m.secret.startswith("-----BEGIN")
        if header and not _key_follows(lines, m.line, m.secret):
            continue
        kept.append(m)
    return kept


def _key_follows(lines: Sequence[str], number: int, header: str) -> bool:
    """Key material follows the private key's ``header`` on line ``number`` (on the same
    line after escaped line breaks, or on the next lines)."""
    if not 0 < number <= len(lines):
        return False
    first = lines[number - 1]
    after = first[first.find(header) + len(header) :] if header in first else first
    return key_material_after("\n".join([after, *lines[number : number + 4]]))


def cross_file_feeds(taint: Mapping[str, Mapping[str, Any]]) -> dict[Any, Any]:
    from backend_skills.rules._taint_join import join

    return join(taint) if taint else {}


def upgraded(finding: Finding, fed: Mapping[Any, Any]) -> Finding:
    """A taint rule's hotspot fed with request input from another file: the vulnerability
    (the rule's severity and confidence), naming where the input comes from."""
    feed = fed.get((finding.path, finding.rule, finding.line, finding.column))
    if feed is None:
        return finding
    from backend_skills.rules import get

    rule = get(finding.rule)
    message = finding.message.split(" (hotspot:", 1)[0]
    return finding.model_copy(
        update={
            "severity": rule.severity,
            "confidence": rule.confidence,
            "message": f"{message}, with request input passed from {feed.describe()}",
        }
    )


def measure_findings(path: str, measured: Any, opts: PolyglotOptions) -> list[Finding]:
    from backend_skills.rules import get

    findings: list[Finding] = []
    for function in measured.functions:
        if function.complexity > CC_C_THRESHOLD:
            severity = next(s for limit, s in _SEVERITY_BY_CC if function.complexity > limit)
            findings.append(
                _measured(
                    path,
                    "BSSRV110",
                    f"function `{function.name}` has cyclomatic complexity {function.complexity};"
                    " split it into smaller functions",
                    function.line,
                    function.end_line,
                    severity,
                )
            )
        if function.sloc > opts.max_function_sloc:
            findings.append(
                _measured(
                    path,
                    "BSSRV111",
                    f"function `{function.name}` has {function.sloc} source lines"
                    f" (limit {opts.max_function_sloc})",
                    function.line,
                    function.end_line,
                )
            )
    if measured.sloc > opts.max_module_sloc:
        findings.append(
            _measured(
                path,
                "BSSRV112",
                f"file has {measured.sloc} source lines (limit {opts.max_module_sloc})",
                1,
                None,
            )
        )
    for issue in measured.issues:
        rule = get(issue.rule)
        findings.append(
            _measured(
                path,
                issue.rule,
                rule.message.format(name=issue.detail or "?"),
                issue.line,
                issue.end_line,
                column=issue.column,
            )
        )
    return findings


def _measured(
    path: str,
    rule_id: str,
    message: str,
    line: int,
    end_line: int | None,
    severity: Severity | None = None,
    column: int | None = None,
) -> Finding:
    from backend_skills.rules import get

    rule = get(rule_id)
    return Finding(
        checker=NAME,
        rule=rule_id,
        skill=rule.skill,
        criterion=rule.criterion,
        severity=severity or rule.severity,
        confidence=rule.confidence,
        message=message,
        path=path,
        line=line,
        end_line=end_line,
        column=column,
        cwe=rule.cwe,
    )
