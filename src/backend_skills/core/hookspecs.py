"""Hook specifications: the plugin API of backend-skills.

A plugin is a module (or object) registered under the ``backend_skills`` entry-point
group that implements some of these hooks with the :data:`hookimpl` marker. The
docstrings below are the hook reference rendered in ``docs/plugins.md``. Hooks are
grouped by lifecycle: *contribution* hooks are called once when the plugin manager is
set up and return what the plugin adds.
"""

from __future__ import annotations

from collections.abc import Sequence

import pluggy

from .checker import Checker, Reporter, RubricSet
from .rule_meta import RuleInfo

PROJECT_NAME = "backend_skills"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


class HookSpecs:
    """Contribution hooks. Every plugin may implement any subset of them."""

    @hookspec
    def backend_skills_checkers(self) -> Sequence[Checker]:
        """Return the checkers this plugin contributes.

        Each checker is an instance of :class:`~backend_skills.core.checker.FileChecker`
        (a pure per-file step plus a reduce; the runner may cache and parallelise it) or
        :class:`~backend_skills.core.checker.RepoChecker` (runs once over the repository).
        Checker names must be unique across plugins; a duplicate is reported and ignored.
        A checker must never import or execute the scored code and never use the network.
        """
        raise NotImplementedError

    @hookspec
    def backend_skills_rubrics(self) -> Sequence[RubricSet]:
        """Return rubric data: skills with their criteria, as :class:`RubricSet` objects.

        A skill whose id is new adds a skill; a skill whose id already exists extends it
        with the new criteria (a criterion id that already exists is reported and ignored).
        Criteria read metrics by name: either a metric some checker lists in ``provides``,
        or one the core derives from findings (``findings.weighted_per_kloc``,
        ``findings.count``).
        """
        raise NotImplementedError

    @hookspec
    def backend_skills_rules(self) -> Sequence[RuleInfo]:
        """Return the rules this plugin's checkers emit, declared once each.

        Each item has ``id``, ``title``, ``skill``, ``criterion``, ``cwe`` (or None) and
        ``help_uri`` (see :class:`~backend_skills.core.rule_meta.RuleInfo`; the built-in
        :class:`backend_skills.rules.Rule` is one). When the report is built, a finding
        whose rule id and skill match a declaration gets what it lacks from it: its CWE
        and a link to the rule's documentation. Unlike the other hooks, this one is
        called only when a report is built, so declaring many rules costs nothing at
        start-up. A rule id declared twice keeps the first declaration (plugins in name
        order) and the duplicate is reported.
        """
        raise NotImplementedError

    @hookspec
    def backend_skills_reporters(self) -> Sequence[Reporter]:
        """Return the output formats this plugin contributes.

        Each reporter has a unique ``name`` (the value of ``--format``) and a
        ``render(report, options) -> str`` method that must not compute scores.
        """
        raise NotImplementedError
