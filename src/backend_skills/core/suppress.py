"""``# nosec`` suppressions: honoured (the finding costs nothing) and shown with their reason.

bandit's CLI silences a finding whose line carries ``# nosec`` (every test) or
``# nosec B608`` (the tests named). We do the same for bandit's findings and for our own
security findings at that line (so one comment silences a place that two tools reported),
but the silenced finding stays in the report, not counted, with ``suppressed`` set to the
comment's justification: a reviewer sees what was waved through and why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .models import Finding

_NOSEC = re.compile(r"#\s*nosec\b:?(?P<rest>[^#]*)", re.IGNORECASE)
_RULE_ID = re.compile(r"\b([A-Z]{1,8}\d{3,4})\b")
_SEPARATORS = " \t-:;,.=>"
#: gosec's rule ids (``// #nosec G402 -- why``) and ours for the same flaw: a Go service's
#: existing gosec suppressions silence our finding at that line too.
_GOSEC = {
    "G101": ("BSSEC109", "BSSEC110"),
    "G107": ("BSSEC116",),
    "G201": ("BSSEC101",),
    "G202": ("BSSEC101",),
    "G204": ("BSSEC102",),
    "G304": ("BSSEC119",),
    "G401": ("BSSEC104", "BSSEC105"),
    "G402": ("BSSEC106",),
    "G405": ("BSSEC105",),
    "G501": ("BSSEC104",),
    "G502": ("BSSEC105",),
    "G503": ("BSSEC105",),
    "G505": ("BSSEC104",),
}


def _parse(line: str) -> tuple[set[str], str] | None:
    found = _NOSEC.search(line)
    if found is None:
        return None
    rest = found.group("rest")
    ids = set(_RULE_ID.findall(rest))
    why = _RULE_ID.sub(" ", rest)
    why = " ".join(why.split()).strip(_SEPARATORS)
    return ids, why


def nosec_justification(lines: Sequence[str]) -> str | None:
    """The text of the first ``# nosec`` comment on ``lines``: ``# nosec B608: why``."""
    for line in lines:
        parsed = _parse(line)
        if parsed is not None:
            ids, why = parsed
            named = f" {', '.join(sorted(ids))}" if ids else ""
            return f"# nosec{named}: {why}" if why else f"# nosec{named} (no justification given)"
    return None


def suppression(finding: Finding, lines: Sequence[str]) -> str | None:
    """Why ``finding`` is suppressed by a ``# nosec`` on its lines, or None.

    A bare ``# nosec`` silences every finding at the line; ``# nosec B608`` only findings
    that any tool reported under one of the named rule ids (gosec's ``#nosec G402``: ours
    for the same flaw).
    """
    for line in lines:
        parsed = _parse(line)
        if parsed is None:
            continue
        ids, _ = parsed
        named = ids.union(*(_GOSEC.get(i, ()) for i in ids))
        if not ids or named & set(finding.rules):
            return nosec_justification([line])
    return None
