"""Committed environment files (``.env``, ``.env.production``, ``docker.env``): a
credential written in one is in the repository for everyone who can read it.

Each ``NAME=value`` line (``export`` allowed, quotes and a trailing ``# comment``
stripped) is judged as a literal given to ``NAME`` in code is (BSSEC109, the language
rules' hard-coded credential): a secret's name and a value that is no placeholder, no
label, no reference (``${OTHER}``) and no URL without a password. Templates
(``.env.example``, ``.env.sample``...) are not read (discovery gives them no language).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from backend_skills.rules._engine import Match, secret_value

#: ``NAME=value`` (``export NAME=value``), the value quoted or not.
_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*=\s*(.*?)\s*$")
_QUOTED = re.compile(r"""^(["'])(.*)\1\s*(?:#.*)?$""")


def _value(raw: str) -> str:
    """The value of a line's right-hand side: unquoted, without a trailing comment."""
    quoted = _QUOTED.match(raw)
    if quoted is not None:
        return quoted.group(2)
    return re.split(r"\s+#", raw, maxsplit=1)[0].strip()


def dotenv_matches(text: str) -> Iterator[Match]:
    """BSSEC109 matches of a committed environment file, one per credential line."""
    from backend_skills.rules import get

    rule = get("BSSEC109")
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        found = _ASSIGNMENT.match(line)
        if found is None:
            continue
        name, value = found.group(1), _value(found.group(2))
        if not value or "${" in value or value.startswith("$"):
            continue  # empty, or a reference to another variable
        if secret_value(name, f'"{value}"'):
            yield Match(
                rule=rule,
                line=number,
                end_line=number,
                column=found.start(2) + 1,
                name=name,
                secret=value,
            )
