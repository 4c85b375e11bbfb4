"""Deserialisation, XML parsers, hard-coded secrets and insecure configuration.

The rules live in one module per family (:mod:`._security_data`, :mod:`._security_secrets`,
:mod:`._security_web`, :mod:`._security_deps`); this module gathers them in their
registry order and keeps their names importable from here.
"""

from __future__ import annotations

from ._model import Rule
from ._security_data import DESERIALIZATION, XXE
from ._security_deps import DEPENDENCY_PINNING, KNOWN_VULNERABLE
from ._security_secrets import LITERAL_KEY, SECRET, SECRET_NEEDLES, TOKEN, TOKEN_NEEDLES
from ._security_web import COOKIE, CORS, CSRF, EXPOSURE, REDIRECT_SSRF, XSS_ESCAPING_OFF

JS = ("javascript", "typescript")
CODE = ("java", "csharp", "go", "javascript", "typescript")

RULES: tuple[Rule, ...] = (
    DESERIALIZATION,
    XXE,
    SECRET,
    TOKEN,
    LITERAL_KEY,
    CSRF,
    CORS,
    EXPOSURE,
    XSS_ESCAPING_OFF,
    REDIRECT_SSRF,
    COOKIE,
    DEPENDENCY_PINNING,
    KNOWN_VULNERABLE,
)

__all__ = [
    "CODE",
    "COOKIE",
    "CORS",
    "CSRF",
    "DEPENDENCY_PINNING",
    "DESERIALIZATION",
    "EXPOSURE",
    "JS",
    "KNOWN_VULNERABLE",
    "LITERAL_KEY",
    "REDIRECT_SSRF",
    "RULES",
    "SECRET",
    "SECRET_NEEDLES",
    "TOKEN",
    "TOKEN_NEEDLES",
    "XSS_ESCAPING_OFF",
    "XXE",
]
