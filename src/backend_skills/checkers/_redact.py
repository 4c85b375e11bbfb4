"""Keeping secrets out of reports, fingerprints included.

A finding about a hard-coded secret names the place and the kind of secret, never its
value. The runner fingerprints a finding from a hash of its source line; for a line that
holds a secret, that hash would let anyone holding the report test guesses of the value.
So our checkers set the finding's ``snippet_hash`` themselves, from the line with every
string literal emptied and every secret-looking token masked (:func:`redacted_snippet_hash`).

The patterns of well-known secrets live here too: the security analysis reports them
(rules BSSEC002-BSSEC005) and this module masks them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence

#: AWS access key ids.
AWS_KEY = re.compile(
    r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}(?![A-Z0-9])"
)
#: The first line of a PEM/OpenSSH/PGP private key.
PRIVATE_KEY = re.compile(
    r"-----BEGIN (?:(?:RSA|DSA|EC|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY(?: BLOCK)?-----"
)
#: Tokens with a recognisable format: (what it is, pattern).
TOKENS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("GitHub token", re.compile(r"(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36}(?![A-Za-z0-9])")),
    ("GitHub token", re.compile(r"github_pat_[A-Za-z0-9_]{60,}")),
    ("Slack token", re.compile(r"xox[abprs]-[A-Za-z0-9-]{10,}")),
    ("Stripe live key", re.compile(r"(?:sk|rk)_live_[0-9A-Za-z]{20,}")),
    ("Google API key", re.compile(r"AIza[0-9A-Za-z_\-]{35}")),
    ("SendGrid API key", re.compile(r"SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}")),
)
#: user:password@ in a URL (group 1: the password). The look-behind starts the scheme at
#: a word boundary, so a long run of letters is scanned once, not once per letter.
URL_CREDENTIALS = re.compile(
    r"(?<![a-z0-9+.\-])[a-z][a-z0-9+.\-]*://[^/\s:@'\"]+:([^/\s@'\"]+)@[^\s'\"]+", re.I
)

#: A Python string literal on one line (prefixes and triple quotes are close enough here:
#: the aim is to drop the characters between quotes, not to tokenise).
_STRING = re.compile(r"""(?P<q>'''|\"\"\"|'|")(?:\\.|(?!(?P=q)).)*(?P=q)""")


def secret_tokens(line: str) -> list[str]:
    """Secret-looking tokens on ``line`` (keys, tokens, URL passwords), quoted or not."""
    found = [m.group() for m in AWS_KEY.finditer(line)]
    for _, pattern in TOKENS:
        found.extend(m.group() for m in pattern.finditer(line))
    found.extend(m.group(1) for m in URL_CREDENTIALS.finditer(line))
    return found


def redacted_line(line: str, secrets: Iterable[str] = ()) -> str:
    """``line`` with ``secrets``, secret-looking tokens and string literal contents removed."""
    for secret in (*secrets, *secret_tokens(line)):
        if secret:
            line = line.replace(secret, "<redacted>")
    return _STRING.sub(lambda m: m.group("q") * 2, line)


def redacted_snippet_hash(lines: Sequence[str], line: int, secrets: Iterable[str] = ()) -> str:
    """The fingerprint anchor of ``line`` (1-based) of ``lines``, with no secret in it."""
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    normalised = " ".join(redacted_line(source, secrets).split())
    return hashlib.sha256(f"redacted:{normalised}".encode()).hexdigest()[:16]


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
