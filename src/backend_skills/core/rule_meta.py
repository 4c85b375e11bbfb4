"""Rule declarations contributed by plugins, and what a finding takes from them.

Checkers emit findings by rule id; what is the same for every finding of a rule (its
CWE, where it is documented) is declared once, with the rule, and filled in here when
the report is built. The core does not know the built-in rule registry
(:mod:`backend_skills.rules`): the declarations arrive through the
``backend_skills_rules`` hook, like any plugin's, and the hook is called lazily, when
the first report is built, not when plugins are loaded.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Iterable, Mapping
from typing import Protocol, runtime_checkable

import pluggy

from .models import Finding

logger = logging.getLogger(__name__)


@runtime_checkable
class RuleInfo(Protocol):
    """What the core reads from a rule declaration."""

    @property
    def id(self) -> str:
        """The rule id findings carry (``BSSEC001``)."""

    @property
    def title(self) -> str:
        """A short name (``Hard-coded secret``)."""

    @property
    def skill(self) -> str:
        """The skill the rule's findings belong to."""

    @property
    def criterion(self) -> str:
        """The criterion the rule's findings belong to."""

    @property
    def cwe(self) -> int | None:
        """The CWE the rule stands for, if one applies."""

    @property
    def help_uri(self) -> str:
        """Where the rule is documented."""


_DECLARED: weakref.WeakKeyDictionary[pluggy.PluginManager, dict[str, RuleInfo]] = (
    weakref.WeakKeyDictionary()
)


def declared_rules(manager: pluggy.PluginManager) -> Mapping[str, RuleInfo]:
    """Every rule declared through ``backend_skills_rules``, by id (asked once per manager).

    Plugins are asked one at a time (in name order), so one raising hook or a bad item
    loses only itself; each problem is logged as a warning of one line.
    """
    known = _DECLARED.get(manager)
    if known is not None:
        return known
    rules: dict[str, RuleInfo] = {}
    for name, plugin in sorted(manager.list_name_plugin(), key=lambda item: str(item[0])):
        impl = getattr(plugin, "backend_skills_rules", None)
        if impl is None or not manager.parse_hookimpl_opts(plugin, "backend_skills_rules"):
            continue
        try:
            contributed = list(impl())
        except Exception as exc:  # a broken plugin must not stop the report
            logger.warning(
                "plugin %s: backend_skills_rules raised %s: %s", name, type(exc).__name__, exc
            )
            continue
        for rule in contributed:
            if not isinstance(rule, RuleInfo):
                logger.warning("plugin %s: %r is not a rule declaration", name, rule)
            elif rule.id in rules:
                logger.warning("plugin %s: rule %r already declared; ignored", name, rule.id)
            else:
                rules[rule.id] = rule
    _DECLARED[manager] = rules
    return rules


def complete_findings(findings: Iterable[Finding], rules: Mapping[str, RuleInfo]) -> None:
    """Fill in, from each finding's rule declaration, the CWE and help link it lacks.

    Only a finding whose rule id *and* skill match a declaration is completed (another
    tool's id that happens to be the same is left alone); what a checker set is kept.
    The findings are updated in place.
    """
    for finding in findings:
        rule = rules.get(finding.rule)
        if rule is None or rule.skill != finding.skill:
            continue
        if finding.cwe is None and rule.cwe is not None:
            finding.cwe = rule.cwe
        if not finding.help_uri:
            finding.help_uri = rule.help_uri
