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
    "PRIVATE_KEY",
    "REDACTED",
    "TOKENS",
    "URL_CREDENTIALS",
    "redact_text",
    "redacted_line",
    "redacted_snippet_hash",
    "secret_tokens",
]
