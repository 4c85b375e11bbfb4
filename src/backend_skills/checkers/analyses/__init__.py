"""Our own Python analyses, all fed by one parse per file.

The ``python_ast`` checker parses each Python file once and hands the same tree to
every analysis listed in :data:`ANALYSES`. An analysis has two halves:

- ``visit(file, tree, options)`` -> :class:`Visit`: findings and JSON-serialisable
  per-file data (pure; it is cached by file content and may run in another process);
- ``reduce(ctx, data)`` -> :class:`~backend_skills.core.models.CheckResult`: repository
  metrics, not-applicable reasons and notes from every file's data (``data`` maps the
  relative path to what ``visit`` returned for that file).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from backend_skills.core.checker import CheckContext
from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import CheckResult, Finding


@dataclass
class Visit:
    """What an analysis found in one file."""

    findings: list[Finding] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


class Analysis:
    """Base of an analysis run by the ``python_ast`` checker."""

    name: ClassVar[str]
    provides: ClassVar[tuple[str, ...]] = ()
    feeds: ClassVar[tuple[str, ...]] = ()

    def visit(self, file: SourceFile, tree: ast.Module, options: Mapping[str, Any]) -> Visit:
        """Analyse one parsed file."""
        raise NotImplementedError

    def reduce(self, ctx: CheckContext, data: Mapping[str, dict[str, Any]]) -> CheckResult:
        """Repository-level metrics from every file's data."""
        raise NotImplementedError


def all_analyses() -> list[Analysis]:
    """The analyses the ``python_ast`` checker runs, in a fixed order."""
    from .database import DatabaseAnalysis
    from .nosql import NoSqlAnalysis
    from .resilience import ResilienceAnalysis
    from .scalability import ScalabilityAnalysis
    from .security import SecurityAnalysis
    from .server_side import ServerSideAnalysis

    return [
        ServerSideAnalysis(),
        ScalabilityAnalysis(),
        DatabaseAnalysis(),
        SecurityAnalysis(),
        NoSqlAnalysis(),
        ResilienceAnalysis(),
    ]
