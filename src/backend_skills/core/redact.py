"""Keeping secrets out of reports, the cache and fingerprints.

The patterns of well-known secrets, and the functions that mask them, live here so that
the core can apply them to everything a checker writes (see
:func:`backend_skills.core.runner.redact_result`), whoever wrote the checker.
``backend_skills.checkers._redact`` re-exports them for the built-in checkers.

- :func:`secret_tokens` finds secret-looking tokens on a line (keys, tokens, URL
  passwords); :func:`redacted_line` and :func:`redacted_snippet_hash` anchor a finding's
  fingerprint on a line with no secret in it;
- :func:`redact_text` masks secrets in a message that quotes repository text (a parse
  error quoting SQL, a commit subject, a plugin's message): recognisable tokens, URL
  passwords, private key blocks, SQL ``IDENTIFIED BY``/``PASSWORD`` literals and the
  values of ``password=``/``secret_key:``-style assignments.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

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

#: What :func:`redact_text` masks besides :func:`secret_tokens`, each with the group
#: that holds the secret.
_PRIVATE_KEY_BLOCK = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY(?: BLOCK)?-----.{0,20000}?(?:-----END [A-Z ]*-----|\Z)",
    re.S,
)
#: The secret half of an AWS key pair (masked when a key id is in the same text).
_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
_SQL_PASSWORD = re.compile(
    r"\bIDENTIFIED\s+(?:BY|WITH\s+\w+\s+(?:BY|AS))\s*"
    r"(?:'((?:[^'\\]|\\.|''){1,500})'|\"((?:[^\"\\]|\\.){1,500})\"|([^\s;]{1,500}))"
    r"|\bPASSWORD\s*(?:=\s*)?(?:'((?:[^'\\]|\\.|''){1,500})'|\"((?:[^\"\\]|\\.){1,500})\")",
    re.I,
)
_ASSIGNED_SECRET = re.compile(
    r"""(?<![A-Za-z0-9])(?:[A-Za-z0-9]{1,40}[_.-])?"""
    r"""(?:password|passwd|pwd|secret|secret[_-]?key|access[_-]?key|api[_-]?key|"""
    r"""auth[_-]?token|token|private[_-]?key|credentials?)"""
    r"""["']?\s{0,5}[:=]\s{0,5}(?:'([^'\s]{4,500})'|"([^"\s]{4,500})"|([^\s'",;)}\]]{4,500}))""",
    re.I,
)
#: Lower-case fragments of which anything :func:`redact_text` masks holds at least one;
#: most messages hold none and cost a few substring searches.
_HINTS = (
    "://", "gh", "github_pat_", "xox", "_live_", "aiza", "sg.", "private key", "identified",
    "passw", "pwd", "secret", "key", "token", "credential",
    "akia", "asia", "abia", "acca", "agpa", "aida", "aroa", "anpa", "anva", "aipa",
)  # fmt: skip

REDACTED = "<redacted>"


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
            line = line.replace(secret, REDACTED)
    return _STRING.sub(lambda m: m.group("q") * 2, line)


def redacted_snippet_hash(lines: Sequence[str], line: int, secrets: Iterable[str] = ()) -> str:
    """The fingerprint anchor of ``line`` (1-based) of ``lines``, with no secret in it."""
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    normalised = " ".join(redacted_line(source, secrets).split())
    return hashlib.sha256(f"redacted:{normalised}".encode()).hexdigest()[:16]


def _mask_groups(match: re.Match[str]) -> str:
    text = match.group()
    start = match.start()
    out: list[str] = []
    last = 0
    for index in range(1, (match.lastindex or 0) + 1):
        if match.group(index) is None:
            continue
        begin, end = match.span(index)
        out.append(text[last : begin - start])
        out.append(REDACTED)
        last = end - start
    out.append(text[last:])
    return "".join(out)


def redact_text(text: str) -> str:
    """``text`` with every secret it may quote masked as ``<redacted>``.

    For messages, skip reasons, notes and errors, whoever wrote them. Unlike
    :func:`redacted_line` it keeps string literals that hold no secret, so a message stays
    readable. Linear in the length of ``text``; repeated messages (most tools' messages
    are a few fixed texts) are answered from a small memo.
    """
    if not text:
        return text
    if len(text) > 512:
        return _redact(text)
    return _redact_short(text)


@lru_cache(maxsize=8192)
def _redact_short(text: str) -> str:
    return _redact(text)


def _redact(text: str) -> str:
    lowered = text.lower()
    if not any(hint in lowered for hint in _HINTS):
        return text
    if "PRIVATE KEY" in text:
        text = _PRIVATE_KEY_BLOCK.sub(REDACTED, text)
    if AWS_KEY.search(text):  # a key id: the 40-character secret of the pair is near
        text = _AWS_SECRET.sub(REDACTED, text)
    for secret in sorted(set(secret_tokens(text)), key=len, reverse=True):
        if secret:
            text = text.replace(secret, REDACTED)
    text = _SQL_PASSWORD.sub(_mask_groups, text)
    return _ASSIGNED_SECRET.sub(_mask_groups, text)
