"""Our rules, declared once as data (:class:`Rule`), and the engine that runs patterns.

:data:`RULES` holds every rule of ours, by id: the pattern and measured rules of the
tree-sitter languages (:data:`POLYGLOT_RULES`) and the rules the Python-side checkers
emit (``python_ast``, ``radon``, the schema reader, ``repo``; languages ``python``,
``sql`` and ``repository``). A checker emits a finding by rule id; what is the same for
every finding of a rule reaches the report from here:

- the runner fills in a finding's missing CWE and its ``help_uri`` through the
  ``backend_skills_rules`` hook (the built-in ``rubrics`` plugin returns :data:`RULES`),
  so ``core`` never imports this package;
- the SARIF reporter describes our rules from their declarations;
- ``docs/rules-reference.md`` and ``backend-skills rules`` are generated from them
  (:mod:`backend_skills.rules._docs`);
- ``tests/test_rules_registry.py`` runs every example and fails when a checker emits an
  id not declared here.
"""

from __future__ import annotations

from . import (
    _authorization,
    _collaboration,
    _nosql,
    _nosql_keyvalue,
    _python_database,
    _python_scalability,
    _python_security,
    _python_server_side,
    _resilience,
    _scalability,
    _security_crypto,
    _security_injection,
    _security_other,
    _security_paths,
    _server_side,
)
from ._model import Example, Pattern, Rule

_ALL: tuple[Rule, ...] = tuple(
    rule
    for module in (
        _security_injection,
        _security_crypto,
        _security_other,
        _security_paths,
        _server_side,
        _scalability,
        _python_security,
        _authorization,
        _python_database,
        _python_server_side,
        _python_scalability,
        _collaboration,
        _nosql,
        _nosql_keyvalue,
        _resilience,
    )
    for rule in module.RULES
)
RULES: dict[str, Rule] = {rule.id: rule for rule in _ALL}
if len(RULES) != len(_ALL):  # pragma: no cover - a declaration error, caught by the tests
    raise RuntimeError("two rules share an id")

#: Languages of the rules the Python-side checkers emit (``repository``: about the
#: repository as a whole, not a file of some language).
PYTHON_SIDE_LANGUAGES = frozenset({"python", "sql", "repository"})

#: Rules of the tree-sitter languages (patterns, measurements, manifests), by id.
POLYGLOT_RULES: dict[str, Rule] = {
    rule_id: rule
    for rule_id, rule in RULES.items()
    if not set(rule.languages) <= PYTHON_SIDE_LANGUAGES
}

#: Rules matched by patterns over a file (security), in id order.
PATTERN_RULES: tuple[Rule, ...] = tuple(r for _, r in sorted(RULES.items()) if r.patterns)


def get(rule_id: str) -> Rule:
    """The rule with id ``rule_id`` (KeyError when unknown)."""
    return RULES[rule_id]


def find(rule_id: str) -> Rule | None:
    """The rule with id ``rule_id`` in any case (``bssec001``), or None."""
    return RULES.get(rule_id.strip().upper())


__all__ = [
    "PATTERN_RULES",
    "POLYGLOT_RULES",
    "PYTHON_SIDE_LANGUAGES",
    "RULES",
    "Example",
    "Pattern",
    "Rule",
    "find",
    "get",
]
