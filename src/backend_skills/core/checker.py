"""The checker and reporter contracts that plugins implement.

A checker analyses the repository and returns findings and metrics. Checkers that work
file by file subclass :class:`FileChecker`: a pure per-file step (``check_file``: one
file's text in, a picklable :class:`FileResult` out) and a repository-level ``reduce``.
That shape lets the runner cache per-file results by content and spread files over
processes. Checkers that look at the repository as a whole (hygiene files, git history)
subclass :class:`RepoChecker` and implement ``check``.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from .cache import FileMemo
from .discovery import FileSet, SourceFile
from .models import CheckResult, Finding, Report, Role, Skill


@dataclass(frozen=True)
class CheckContext:
    """What a checker gets: the root, the discovered files and its own options."""

    root: Path
    fileset: FileSet
    options: Mapping[str, Any] = field(default_factory=dict)
    """This checker's table from ``[tool.backend_skills.checkers.<name>]``, validated by
    the checker's ``options_model`` when it has one."""
    count_test_findings: bool = False
    """When true, findings in test files cost points like findings in source files."""
    criteria: frozenset[str] = frozenset()
    """Ids of the criteria in force for this run (empty when unknown). A checker may use
    it to route a finding to the criterion that will be shown (e.g. a SQL-injection
    finding to ``security.injection`` when ``database.query_safety`` is not selected)."""
    config_root: Path | None = None
    """Read the tools' own configuration (``.bandit``, ``[tool.bandit]``, ``.sqlfluff``,
    ``[tool.sqlfluff]``...) from this folder, a trusted checkout of the base branch
    (``--config-root``), instead of from the scored tree. None: from the scored tree."""
    isolated: bool = False
    """Ignore every configuration in the scored tree, the tools' included (``--isolated``):
    inline settings such as ``-- sqlfluff:`` comments and ``noqa`` suppressions too."""
    memo: FileMemo = field(default_factory=FileMemo, compare=False)
    """Facts derived from single files, kept between runs by content hash (see
    :class:`~backend_skills.core.cache.FileMemo`); computes everything when the cache is
    off."""


class FileResult(BaseModel):
    """The outcome of one file for one checker: must be JSON-serialisable (it is cached)."""

    model_config = ConfigDict(extra="forbid")

    findings: list[Finding] = Field(default_factory=list)
    data: dict[str, Any] = Field(
        default_factory=dict, description="Per-file numbers and facts for ``reduce``."
    )
    skipped: str | None = Field(default=None, description="Why the file was not analysed.")
    transient: bool = Field(
        default=False,
        description=(
            "The outcome depends on this run, not on the file (e.g. a time budget ran out "
            "under load): it is not cached, and the next run analyses the file again."
        ),
    )


class Checker(ABC):
    """Base of every checker.

    Class attributes:

    - ``name``: unique, lower-case, used in reports and in config tables.
    - ``provides``: metric names this checker produces; when the checker fails, the
      criteria reading them are *not assessed*.
    - ``feeds``: criterion ids this checker reports findings for; criteria scored from
      findings (metric ``findings.*``) are not assessed when one of their feeders fails.
    - ``options_model``: optional pydantic model validating the checker's config table.
    - ``languages``: the source languages it reads (none for checkers that judge
      repository files or history). Coverage and the denominators of finding densities
      come from it: a skill whose checkers read none of the repository's source code is
      not assessed.
    """

    name: ClassVar[str]
    provides: ClassVar[tuple[str, ...]] = ()
    feeds: ClassVar[tuple[str, ...]] = ()
    languages: ClassVar[frozenset[str]] = frozenset()
    options_model: ClassVar[type[BaseModel] | None] = None

    @property
    def version(self) -> str:
        """Version of the underlying tool (or of backend-skills for our own analyses)."""
        from backend_skills import __version__

        return __version__

    @abstractmethod
    def check(self, ctx: CheckContext) -> CheckResult:
        """Analyse the repository and return findings and metrics."""


class RepoChecker(Checker):
    """A checker that looks at the repository as a whole (runs once)."""

    cache_by_reads: ClassVar[bool] = False
    """When true, the runner also records which discovered files' content (``text``,
    ``size``, ``lines``) :meth:`check` uses, and reuses the cached result only while
    none of those files changed. Pair it with ``cache_inputs`` returning
    :func:`backend_skills.core.cache.fileset_shape_digest` for a checker that reads
    discovered files only: editing a file it never read then does not run it again."""

    def cache_inputs(self, ctx: CheckContext) -> str | None:
        """A text naming everything :meth:`check` reads, or None when not cacheable.

        When it returns a text, the runner caches the result keyed by it (with the
        checker's name, version and options) and skips :meth:`check` on a re-run whose
        text is the same: e.g. the commit ``HEAD`` points to for git history, or
        :func:`backend_skills.core.cache.fileset_digest` of the files it reads. It
        must be much cheaper than :meth:`check`. The default: not cacheable.
        """
        return None


class FileChecker(Checker):
    """A checker written as a pure per-file step plus a repository-level reduce."""

    max_file_bytes: ClassVar[int | None] = None
    """Files larger than this are skipped with a reason (None: no limit of its own)."""

    def select(self, ctx: CheckContext) -> list[SourceFile]:
        """Files this checker analyses: its languages, without vendored or generated code."""
        return [
            f
            for f in ctx.fileset.files
            if f.language in self.languages and f.role not in (Role.VENDORED, Role.GENERATED)
        ]

    def prepare(self, ctx: CheckContext) -> dict[str, Any]:
        """Resolve, once per run, the options every ``check_file`` call receives.

        Override to fold in what the per-file step needs from the repository as a
        whole (the user's own tool configuration, an inferred SQL dialect, ...). The
        result must be JSON-serialisable: it is part of the cache key and is sent to
        worker processes. The default is the checker's validated config table.
        """
        return dict(ctx.options)

    def options_key(self, options: Mapping[str, Any]) -> str:
        """A stable text of the prepared options (part of the per-file cache key)."""
        return json.dumps(dict(options), sort_keys=True, default=str)

    @abstractmethod
    def check_file(self, file: SourceFile, options: Mapping[str, Any]) -> FileResult:
        """Analyse one file with the options from :meth:`prepare`.

        Pure: the result depends only on the file's content and ``options`` (it is
        cached by content hash and may run in a worker process, never a thread).
        """

    @abstractmethod
    def reduce(self, ctx: CheckContext, results: Mapping[str, FileResult]) -> CheckResult:
        """Combine per-file results (keyed by relative path) into repository metrics."""

    def cache_inputs(self, ctx: CheckContext) -> str | None:
        """A text naming what :meth:`prepare` and :meth:`reduce` read, or None.

        The default is a digest of everything discovery found (every file's path,
        language, role and content hash, every folder and skip reason): when it, the
        options and the checker's version are unchanged, the runner reuses the
        checker's whole last result from the cache without calling :meth:`prepare`,
        :meth:`check_file` or :meth:`reduce`. Override it when they read anything
        else (a configuration file outside the root, an environment variable): return
        the default plus that, or None to always run them. Per-file results are cached
        either way.
        """
        from .cache import whole_fileset_digest

        return whole_fileset_digest(ctx.fileset)

    def check(self, ctx: CheckContext) -> CheckResult:
        """Serial fallback: every selected file in turn, then ``reduce``."""
        options = self.prepare(ctx)
        results = {f.path: self.check_file(f, options) for f in self.select(ctx)}
        return self.reduce(ctx, results)


@dataclass(frozen=True)
class RenderOptions:
    """How a reporter should render."""

    color: bool = False
    verbose: int = 0
    max_findings: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


class Reporter(ABC):
    """An output format. Reporters only render; they never compute scores."""

    name: ClassVar[str]
    description: ClassVar[str] = ""
    suffix: ClassVar[str] = ".txt"

    @abstractmethod
    def render(self, report: Report, options: RenderOptions) -> str:
        """The report as text in this format."""


@dataclass(frozen=True)
class RubricSet:
    """Skills contributed by one plugin, with the version of that rubric data."""

    source: str
    version: str
    skills: Sequence[Skill]
