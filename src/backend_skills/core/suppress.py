"""``# nosec`` suppressions: honoured (the finding costs nothing) and shown with their reason.

ruff's ``# noqa: S105``/``S106``/``S107`` (flake8-bandit's hard-coded password codes) count
as bandit's ``# nosec B105``/``B106``/``B107``; those also silence our own hard-coded
secret finding of that literal (BSSEC001, BSSEC109).

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


#: ruff's noqa comment naming S105 (its flake8-bandit code for a hard-coded password)
#: silences as bandit's nosec B105; either also silences our own finding of that literal.
_NOQA = re.compile(r"#\s*noqa\s*:\s*(?P<codes>[A-Z]+\d+(?:[\s,]+[A-Z]+\d+)*)(?P<rest>[^#]*)", re.I)
_RUFF_AS_BANDIT = {"S105": "B105", "S106": "B106", "S107": "B107"}
#: bandit's hard-coded password ids and ours for the same literal.
_BANDIT = dict.fromkeys(("B105", "B106", "B107"), ("BSSEC001", "BSSEC109"))


def _why(rest: str) -> str:
    return " ".join(_RULE_ID.sub(" ", rest).split()).strip(_SEPARATORS)


def _parse(line: str) -> tuple[set[str], str] | None:
    found = _NOSEC.search(line)
    if found is None:
        noqa = _NOQA.search(line)
        codes = noqa.group("codes").upper().replace(",", " ").split() if noqa else []
        ids = {_RUFF_AS_BANDIT[code] for code in codes if code in _RUFF_AS_BANDIT}
        if noqa is None or not ids:
            return None  # a bare noqa, or ruff's other codes: lint, not a security review
        return ids, _why(noqa.group("rest"))
    rest = found.group("rest")
    return set(_RULE_ID.findall(rest)), _why(rest)


def nosec_justification(lines: Sequence[str]) -> str | None:
    """The text of the first ``# nosec`` comment on ``lines``: ``# nosec B608: why``."""
    for line in lines:
        parsed = _parse(line)
        if parsed is not None:
            ids, why = parsed
            named = f" {', '.join(sorted(ids))}" if ids else ""
            noqa = _NOSEC.search(line) is None
            if noqa:  # as written: S105, not B105
                named = ": " + ", ".join(sorted(f"S{i[1:]}" for i in ids))
            comment = f"# {'noqa' if noqa else 'nosec'}{named}"
            return f"{comment}: {why}" if why else f"{comment} (no justification given)"
    return None


def suppression(finding: Finding, lines: Sequence[str]) -> str | None:
    """Why ``finding`` is suppressed by a ``# nosec`` on its lines, or None.

    A bare ``# nosec`` silences every finding at the line; ``# nosec B608`` only findings
    that any tool reported under one of the named rule ids (gosec's ``#nosec G402`` and
    bandit's ``# nosec B105``: ours for the same flaw).
    """
    for line in lines:
        parsed = _parse(line)
        if parsed is None:
            continue
        ids, _ = parsed
        named = ids.union(*(_GOSEC.get(i, ()) for i in ids), *(_BANDIT.get(i, ()) for i in ids))
        if not ids or named & set(finding.rules):
            return nosec_justification([line])
    return None
