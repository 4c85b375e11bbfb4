"""Keeping secrets out of reports, fingerprints included.

A finding about a hard-coded secret names the place and the kind of secret, never its
value. The runner fingerprints a finding from a hash of its source line; for a secret,
that hash would let anyone holding the report test guesses of the value, so checkers set
the finding's ``snippet_hash`` from the line with every string literal emptied instead.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

#: A Python string literal on one line (prefixes and triple quotes are close enough here:
#: the aim is to drop the characters between quotes, not to tokenise).
_STRING = re.compile(r"""(?P<q>'''|\"\"\"|'|")(?:\\.|(?!(?P=q)).)*(?P=q)""")


def redacted_line(line: str, secrets: Iterable[str] = ()) -> str:
    """``line`` with string literal contents and any of ``secrets`` replaced."""
    for secret in secrets:
        if secret:
            line = line.replace(secret, "<redacted>")
    return _STRING.sub(lambda m: m.group("q") * 2, line)


def redacted_snippet_hash(text: str, line: int, secrets: Iterable[str] = ()) -> str:
    """The fingerprint anchor of ``line`` (1-based) in ``text`` without any secret in it."""
    lines = text.splitlines()
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    normalised = " ".join(redacted_line(source, secrets).split())
    return hashlib.sha256(f"redacted:{normalised}".encode()).hexdigest()[:16]
