"""Our rules, declared once as data (:class:`Rule`), and the engine that runs patterns.

:data:`RULES` holds every rule declared here, by id. Reports, ``docs/languages.md`` and
the tests read rules from it; a checker emits a finding by rule id and takes the rest
(title, criterion, severity, CWE) from the declaration.
"""

from __future__ import annotations

from . import (
    _collaboration,
    _python_database,
    _python_scalability,
    _python_security,
    _python_server_side,
    _scalability,
    _security_crypto,
    _security_injection,
    _security_other,
    _server_side,
)
from ._model import Example, Pattern, Rule

RULES: dict[str, Rule] = {
    rule.id: rule
    for module in (
        _security_injection,
        _security_crypto,
        _security_other,
        _server_side,
        _scalability,
        _python_security,
        _python_database,
        _python_server_side,
        _python_scalability,
        _collaboration,
    )
    for rule in module.RULES
}

#: Rules matched by patterns over a file (security), in id order.
PATTERN_RULES: tuple[Rule, ...] = tuple(r for _, r in sorted(RULES.items()) if r.patterns)


def get(rule_id: str) -> Rule:
    """The rule with id ``rule_id`` (KeyError when unknown)."""
    return RULES[rule_id]


__all__ = ["PATTERN_RULES", "RULES", "Example", "Pattern", "Rule", "get"]
