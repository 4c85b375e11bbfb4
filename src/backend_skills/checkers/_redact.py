"""Keeping secrets out of reports, fingerprints included.

A finding about a hard-coded secret names the place and the kind of secret, never its
value. The runner fingerprints a finding from a hash of its source line; for a line that
holds a secret, that hash would let anyone holding the report test guesses of the value.
So our checkers set the finding's ``snippet_hash`` themselves, from the line with every
string literal emptied and every secret-looking token masked (:func:`redacted_snippet_hash`).

The patterns of well-known secrets live in :mod:`backend_skills.core.redact` (the runner
also masks them in every message, whoever wrote it); they are re-exported here for the
built-in checkers: the security analysis reports them (rules BSSEC002-BSSEC005).
"""

from __future__ import annotations

import re

from ..core.redact import (
    AWS_KEY,
    PRIVATE_KEY,
    REDACTED,
    TOKENS,
    URL_CREDENTIALS,
    redact_text,
    redacted_line,
    redacted_snippet_hash,
    secret_tokens,
)

__all__ = [
    "AWS_KEY",
    "AWS_SECRET",
    "PASSWORD_CLAUSE",
    "PRIVATE_KEY",
    "REDACTED",
    "TOKENS",
    "URL_CREDENTIALS",
    "redact_text",
    "redacted_line",
    "redacted_message",
    "redacted_snippet_hash",
    "secret_tokens",
]

#: A password or secret handed to a SQL statement or a setting, value in group 2:
#: ``IDENTIFIED BY 'pw'``, ``PASSWORD 'pw'``, ``password=pw``, ``aws_secret_access_key=...``.
PASSWORD_CLAUSE = re.compile(
    r"(?i)(\bidentified\s+(?:with\s+\w+\s+)?by\s+(?:password\s+)?"
    r"|\b(?:\w{0,40}(?:password|passwd|pwd|secret|token|credentials?|api_?key|access_key_id)"
    r"(?:\s*[=:]\s*|\s+(?=['\"]))))"
    r"('[^']{0,500}'?|\"[^\"]{0,500}\"?|[^\s'\",;)]{1,500})"
)
#: A 40-character AWS secret access key (mixed case and digits, base64 alphabet).
AWS_SECRET = re.compile(
    r"(?<![A-Za-z0-9/+])(?=[A-Za-z0-9/+]{0,39}[0-9])(?=[A-Za-z0-9/+]{0,39}[a-z])"
    r"(?=[A-Za-z0-9/+]{0,39}[A-Z])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"
)


def redacted_message(text: str) -> str:
    """A tool's message that may quote repository text, with no secret left in it:
    password clauses and settings, key-shaped tokens and string literal contents go."""
    text = PASSWORD_CLAUSE.sub(lambda m: f"{m.group(1)}<redacted>", text)
    text = AWS_SECRET.sub("<redacted>", text)
    return redacted_line(text)
