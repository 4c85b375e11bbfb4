"""The rule declaration: one rule of ours, declared once, as data.

A :class:`Rule` carries everything a report, the documentation and the tests need: its
id, title, skill and criterion, default severity and confidence, CWE, the languages it
covers, why it matters, how to fix it, and examples. Every rule has at least one
anti-pattern example that must fire (at the lines given) and one best-practice example
that must stay quiet; the test suite runs them all and fails for a rule without them.

How a rule matches is data too: :class:`Pattern` holds a tree-sitter query over the
already-parsed tree (or a regular expression for configuration files), with the
conditions a match must meet (see :mod:`backend_skills.rules._engine`). Rules whose
matching is a measurement (complexity, function size, error handling) have no patterns:
the checker that measures emits them, and their examples run through that checker.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from backend_skills.core.models import Confidence, Severity

When = Literal["always", "dynamic", "secret"]

#: The generated rules reference, where every rule has a section (anchor: its id in
#: lower case).
DOCS_URL = "https://github.com/backend-skills/backend-skills/blob/main/docs/rules-reference.md"


@dataclass(frozen=True, eq=False)
class Pattern:
    """How a rule matches in some languages.

    - ``query``: a tree-sitter query; the ``@match`` capture is the reported node,
      ``@name`` (optional) names the sink in the message, ``@arg`` the argument that
      must not be constant (``when="dynamic"``), ``@value`` the literal a secret rule
      looks at (``when="secret"``).
    - ``regex``: for configuration files, a regular expression matched line by line.
    - ``text``: a regular expression the ``@match`` node's text must match.
    - ``file_text`` / ``unless_file``: a regular expression the whole file must (not) match.
    - ``needles``: strings, one of which the reported construct contains (a sink's name,
      a type, a key). The pattern runs only on files that contain one, and only on the
      parts of the tree around their occurrences: most files contain no sink, and a
      sink is a few paths of the tree, not all of it.
    """

    languages: tuple[str, ...]
    query: str = ""
    regex: str = ""
    when: When = "always"
    text: str = ""
    file_text: str = ""
    unless_file: str = ""
    needles: tuple[str, ...] = ()
    scope: str = ""
    """A regular expression the header of the function holding the match (its text up
    to the body) must match: ``\\basync\\b`` for "inside an async function"."""
    unless_function: str = ""
    """A regular expression that, found anywhere in the function holding the match,
    silences it (``WhenAll(``: ``.Result`` of tasks already awaited together)."""
    ignore_case: bool = False
    """Look for the needles in the lower-cased text (give them in lower case)."""


@dataclass(frozen=True, eq=False)
class Example:
    """A snippet in one language: it fires at ``lines`` (1-based), or nowhere when empty."""

    language: str
    code: str
    lines: tuple[int, ...] = ()
    path: str = ""
    """File name to give the snippet (default: ``example`` plus the language's suffix)."""
    files: Mapping[str, str] = field(default_factory=dict)
    """Other files of the example's tree (path -> content), for rules that read more than
    one file: a migration next to its models, a README next to its docs folder. A
    repository-level example may have no ``code`` at all: then ``path`` names where the
    finding is expected and ``lines`` is ``(0,)`` for a finding without a line."""


@dataclass(frozen=True, eq=False)
class Rule:
    """One rule of ours, declared once."""

    id: str
    title: str
    skill: str
    criterion: str
    severity: Severity
    confidence: Confidence
    rationale: str
    fix: str
    examples: tuple[Example, ...]
    patterns: tuple[Pattern, ...] = ()
    cwe: int | None = None
    message: str = ""
    """The finding's message; ``{name}`` is replaced by the sink's name (never a value)."""
    taint: bool = False
    """When true, a match is a *vulnerability* (the default severity and confidence) only
    when request input appears in the same function, and a *hotspot* to review (one
    severity lower, medium confidence) otherwise."""
    extra_languages: tuple[str, ...] = field(default=())
    """Languages covered by the checker that measures the rule (rules without patterns):
    ``python``, ``sql``, or ``repository`` for rules about the repository as a whole."""
    checker: str = ""
    """The checker that emits the rule when it has no patterns (``python_ast``, ``radon``,
    ``sql_schema``, ``repo``, ``polyglot``); empty for pattern rules, except for a rule
    that a Python analysis also emits (``python_ast``, with Python examples)."""
    varies: str = ""
    """When a finding's severity or confidence differs from the defaults, and why."""

    @property
    def anchor(self) -> str:
        """The rule's anchor in ``docs/rules-reference.md``."""
        return self.id.lower()

    @property
    def help_uri(self) -> str:
        """Where the rule is documented: its section of the rules reference."""
        return f"{DOCS_URL}#{self.anchor}"

    @property
    def languages(self) -> tuple[str, ...]:
        """Every language some pattern (or the measuring checker) covers, sorted."""
        found = {lang for p in self.patterns for lang in p.languages}
        return tuple(sorted(found | set(self.extra_languages)))

    @property
    def firing(self) -> tuple[Example, ...]:
        """Anti-pattern examples (they must fire)."""
        return tuple(e for e in self.examples if e.lines)

    @property
    def quiet(self) -> tuple[Example, ...]:
        """Best-practice examples (they must stay quiet)."""
        return tuple(e for e in self.examples if not e.lines)
