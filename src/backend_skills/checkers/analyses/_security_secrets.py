"""Hard-coded secrets (BSSEC001-BSSEC005).

``BSSEC001``: a string literal bound to a secret's name (assigned, stored under a dict
key, passed as a keyword). ``BSSEC002``-``BSSEC005``: secrets recognised by their format
anywhere in the text (AWS key ids, private key blocks, token formats, credentials in a
URL), with low confidence for examples and development defaults (a docstring, a comment,
the default of an environment lookup, ``amqp://guest:guest@localhost``).

Secrets are kept as data (no value) and become findings in ``reduce``
(:func:`secret_findings`), whose fingerprint anchor is the line with its literals removed:
no value, and no hash of a value, reaches a report.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from typing import Any

from backend_skills.core.models import Confidence, Finding, Severity

from .._redact import redacted_snippet_hash
from ._secret_names import dev_default_url, literal_secret, name_words, secret_name, text_secrets
from ._security_base import SECRETS, SKILL, FileContext, const_str, keyword

_ENV_LOOKUPS = frozenset({"getenv", "env", "config", "get_env", "getenv_or_default"})
_ENV_OWNERS = frozenset({"environ", "env", "os"})


def _last_name(node: ast.AST) -> str:
    """``x`` for ``x`` and ``a.x``; empty for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def env_lookup(call: ast.Call) -> bool:
    """``os.getenv``, ``os.environ.get``/``setdefault``, ``env(...)``, ``env.str(...)``,
    ``config(...)`` (python-decouple)."""
    func = call.func
    name = _last_name(func)
    owner = _last_name(func.value) if isinstance(func, ast.Attribute) else ""
    if not (owner in _ENV_OWNERS or name in _ENV_LOOKUPS):
        return False
    return name in _ENV_LOOKUPS or name in {"get", "setdefault"} or owner == "env"


def env_default(call: ast.Call) -> ast.expr | None:
    """The default value of an environment lookup: ``os.getenv("X", d)``,
    ``os.environ.get("X", d)``, ``env("X", default=d)``, ``env.str("X", default=d)``,
    ``config("X", default=d)`` (python-decouple)."""
    if not env_lookup(call):
        return None
    default = keyword(call, "default")
    if default is not None:
        return default.value
    return call.args[1] if len(call.args) > 1 else None


def documentation_lines(node: ast.AST) -> range:
    """The lines of a value that documents or defaults rather than configures: a
    docstring or bare string, or the default of an environment lookup (empty otherwise)."""
    if (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    ):
        return range(node.lineno, (node.end_lineno or 0) + 1)
    default = env_default(node) if isinstance(node, ast.Call) else None
    if default is not None:
        return range(default.lineno, (default.end_lineno or default.lineno) + 1)
    return range(0)


#: A literal stored under this many keys of one dict labels them (a form's fieldset,
#: ``{"smtp_host": "mail_settings", ..., "smtp_password": "mail_settings"}``): no secret.
_SHARED = 3


class SecretChecks:
    """Secrets of one file, as data (rule, place, message; never the value)."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.items: list[dict[str, Any]] = []
        self.dev_default_lines: set[int] = set()  # env-lookup defaults, docstrings
        self._maybe_defaults: list[ast.AST] = []

    def note_defaults(self, node: ast.AST) -> None:
        self.dev_default_lines.update(documentation_lines(node))

    def note_defaults_later(self, nodes: Iterable[ast.AST]) -> None:
        """:meth:`note_defaults` for ``nodes`` if :meth:`finish` needs them (only a
        secret found by its format asks whether its line documents or defaults)."""
        self._maybe_defaults.extend(nodes)

    def _secret(self, node: ast.AST, name: str, how: str) -> None:
        signing = name_words(name)[-2:] == ["secret", "key"]
        self.items.append(
            {
                "rule": "BSSEC001",
                "line": getattr(node, "lineno", 1),
                "end_line": getattr(node, "end_lineno", None),
                "column": getattr(node, "col_offset", 0) + 1,
                "message": f"Hard-coded secret {how} '{name}' (value redacted)",
                "severity": (Severity.HIGH if signing else Severity.MEDIUM).value,
                "confidence": self.ctx.dev_confidence(Confidence.MEDIUM).value,
                "cwe": 798,
            }
        )

    def bound(self, name: str, value: ast.AST, how: str) -> None:
        """A literal bound to ``name``: a secret when the name and the value say so."""
        literal = const_str(value)
        if literal is not None and secret_name(name) and literal_secret(literal, name):
            self._secret(value, name, how)  # the literal's line, as bandit's B105

    def on_dict(self, node: ast.Dict) -> None:
        literals = [const_str(value) for value in node.values]
        for key, value, literal in zip(node.keys, node.values, literals, strict=True):
            name = const_str(key)
            if name and not (literal and literals.count(literal) >= _SHARED):
                self.bound(name, value, "stored under")

    def on_call(self, node: ast.Call) -> None:
        for kw in node.keywords:
            if kw.arg:
                self.bound(kw.arg, kw.value, "passed as")

    def finish(self) -> None:
        """Add the secrets recognised by their format (BSSEC002-BSSEC005) anywhere in the
        text; a literal a pattern recognises is reported once, by the pattern's rule."""
        text = self.ctx.file.text
        patterned = list(text_secrets(text))
        text_lines = text.splitlines()
        lines = {line for line, *_ in patterned}
        if patterned:
            for node in self._maybe_defaults:
                self.note_defaults(node)
        self._maybe_defaults = []
        self.items = [s for s in self.items if s["line"] not in lines]
        for line, column, rule, message, value in patterned:
            example = self._example_secret(line, rule, value, text_lines)
            self.items.append(
                {
                    "rule": rule,
                    "line": line,
                    "end_line": line,
                    "column": column,
                    "message": message,
                    "severity": Severity.HIGH.value,
                    "confidence": (Confidence.LOW if example else Confidence.HIGH).value,
                    "cwe": 798,
                }
            )
        self.items.sort(key=lambda s: (s["line"], s["rule"], s["column"]))

    def _example_secret(self, line: int, rule: str, value: str, lines: list[str]) -> bool:
        """A pattern match that is an example or a development default, not a credential:
        AWS's documented ``...EXAMPLE`` keys, a value in a docstring, a bare string or a
        comment, the default of an environment lookup (``env("X", default=...)``,
        ``os.getenv("X", ...)``), or credentials in a URL to a local or example host or
        well-known development defaults (``amqp://guest:guest@localhost``)."""
        if value.endswith("EXAMPLE") or line in self.dev_default_lines:
            return True
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        if text.lstrip().startswith("#"):
            return True
        return rule == "BSSEC005" and dev_default_url(value)


def secret_findings(path: str, text: str, items: Iterable[Mapping[str, Any]]) -> list[Finding]:
    """Findings of one file's secrets, anchored on the line with its literals removed."""
    findings = []
    lines = text.splitlines()
    for item in items:
        line = int(item["line"])
        findings.append(
            Finding(
                checker="python_ast",
                rule=str(item["rule"]),
                skill=SKILL,
                criterion=SECRETS,
                severity=Severity(item["severity"]),
                confidence=Confidence(item["confidence"]),
                message=str(item["message"]),
                path=path,
                line=line,
                end_line=item.get("end_line") or line,
                column=item.get("column"),
                cwe=item.get("cwe"),
                snippet_hash=redacted_snippet_hash(lines, line),
            )
        )
    return findings
