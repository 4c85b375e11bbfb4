"""The ``repo`` checker: documentation, review scaffolding, automation and linters.

Every file is judged by what it says, not by its presence: an empty README earns what no
README earns, a CHANGELOG counts its versioned or dated entries, a LICENSE counts when
its text is recognised as a known licence, a CI workflow counts when it runs the tests.
The checker reads only what discovery already read (``ctx.fileset``); empty files are
found in ``ctx.fileset.skipped`` (reason ``"empty file"``) so a finding can say so.

The precise rule of every heuristic is documented in ``docs/collaboration.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from backend_skills.checkers._repo_ci import (
    _ci,
    _review,
)
from backend_skills.checkers._repo_community import (
    _changelog,
    _contributing,
    _license,
    count_changelog_entries,
    detect_license,
)
from backend_skills.checkers._repo_docs import (
    _doc_pages,
    _readme,
)
from backend_skills.checkers._repo_linters import (
    _linters,
)
from backend_skills.checkers._repo_text import (
    CHANGELOG,
    CI,
    CONTRIBUTING,
    DOCS,
    LICENSE,
    LINTERS,
    README,
    REVIEW,
    parse_document,
)
from backend_skills.core.cache import fileset_shape_digest
from backend_skills.core.checker import CheckContext, Checker, RepoChecker
from backend_skills.core.hookspecs import hookimpl
from backend_skills.core.models import CheckResult

__all__ = [
    "RepoFilesChecker",
    "RepoOptions",
    "backend_skills_checkers",
    "count_changelog_entries",
    "detect_license",
    "parse_document",
]


class RepoOptions(BaseModel):
    """``[tool.backend_skills.checkers.repo]``: no options yet (unknown keys are errors)."""

    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------- the checker


class RepoFilesChecker(RepoChecker):
    """Judges documentation, review scaffolding, CI and linter configuration by content."""

    name = "repo"
    provides: ClassVar[tuple[str, ...]] = (
        "repo.readme_signals",
        "repo.readme_words",
        "repo.doc_pages",
        "repo.changelog_entries",
        "repo.contributing_signals",
        "repo.license",
        "repo.review_items",
        "repo.ci_level",
        "repo.lint_signals",
    )
    feeds: ClassVar[tuple[str, ...]] = (
        README,
        DOCS,
        CHANGELOG,
        CONTRIBUTING,
        LICENSE,
        REVIEW,
        CI,
        LINTERS,
    )
    options_model = RepoOptions

    cache_by_reads = True

    def cache_inputs(self, ctx: CheckContext) -> str | None:
        """Everything ``check`` reads is discovered files (and folders): while the
        names, roles, folders and the files it read are unchanged, the runner reuses
        the last result (1.1 s per run on Django's docs). Editing code that no CI
        command names does not run it again."""
        return fileset_shape_digest(ctx.fileset)

    def check(self, ctx: CheckContext) -> CheckResult:
        """Evaluate every criterion from the discovered files."""
        fileset = ctx.fileset
        ci_part, ci_commands = _ci(fileset)
        parts = [
            _readme(fileset),
            _doc_pages(fileset),
            _changelog(fileset),
            _contributing(fileset),
            _license(fileset),
            _review(fileset),
            ci_part,
            _linters(fileset, ci_commands),
        ]
        result = CheckResult()
        files: set[str] = set()
        for part in parts:
            result.metrics.extend(part.metrics)
            result.findings.extend(part.findings)
            result.notes.extend(part.notes)
            result.skipped.extend(part.skipped)
            files |= part.files
        result.files = len(files)
        return result


@hookimpl
def backend_skills_checkers() -> Sequence[Checker]:
    """The ``repo`` checker."""
    return [RepoFilesChecker()]
