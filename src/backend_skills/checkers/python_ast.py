"""The ``python_ast`` checker: one parse per Python file, shared by all our analyses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from backend_skills.core.checker import CheckContext, Checker, FileChecker, FileResult
from backend_skills.core.discovery import SourceFile
from backend_skills.core.hookspecs import hookimpl
from backend_skills.core.models import CheckResult, Role, Skip

from ._python import parse_python
from .analyses import Analysis, all_analyses

#: Key of the per-file data holding analyses that raised on the file (name -> error).
_FAILURES = "_failures"


class PythonAstChecker(FileChecker):
    """Runs every analysis in :mod:`backend_skills.checkers.analyses` over one AST per file."""

    name = "python_ast"
    languages: ClassVar[frozenset[str]] = frozenset({"python"})

    def __init__(self, analyses: Sequence[Analysis] | None = None) -> None:
        self.analyses = list(analyses) if analyses is not None else all_analyses()

    @property
    def provides(self) -> tuple[str, ...]:  # type: ignore[override]
        """Union of the analyses' metrics."""
        return tuple(m for a in self.analyses for m in a.provides)

    @property
    def feeds(self) -> tuple[str, ...]:  # type: ignore[override]
        """Union of the analyses' criteria."""
        return tuple(c for a in self.analyses for c in a.feeds)

    def select(self, ctx: CheckContext) -> list[SourceFile]:
        """Python files of every role but vendored and generated (tests are counted too)."""
        return [
            f
            for f in ctx.fileset.files
            if f.language == "python" and f.role not in (Role.VENDORED, Role.GENERATED)
        ]

    def check_file(self, file: SourceFile, options: Mapping[str, Any]) -> FileResult:
        """Parse once, then let each analysis visit the tree."""
        tree = parse_python(file.text, file.path)
        if isinstance(tree, str):
            return FileResult(skipped=tree)
        result = FileResult()
        failures: dict[str, str] = {}
        for analysis in self.analyses:
            try:
                visit = analysis.visit(file, tree, options)
            except Exception as exc:  # one analysis failing on one file loses only that
                failures[analysis.name] = f"{type(exc).__name__}: {exc}".splitlines()[0]
                continue
            result.findings.extend(visit.findings)
            result.data[analysis.name] = visit.data
        if failures:
            result.data[_FAILURES] = failures
        return result

    def reduce(self, ctx: CheckContext, results: Mapping[str, FileResult]) -> CheckResult:
        """Each analysis reduces its own slice of the per-file data."""
        combined = CheckResult(files=len(results))
        for path in sorted(results):
            res = results[path]
            combined.findings.extend(res.findings)
            if res.skipped is not None:
                combined.skipped.append(Skip(path=path, reason=res.skipped, checker=self.name))
            for analysis_name, error in sorted(res.data.get(_FAILURES, {}).items()):
                combined.skipped.append(
                    Skip(
                        path=path,
                        reason=f"{analysis_name} analysis failed on this file: {error}",
                        checker=self.name,
                    )
                )
        for analysis in self.analyses:
            data = {
                path: res.data[analysis.name]
                for path, res in sorted(results.items())
                if res.skipped is None and analysis.name in res.data
            }
            part = analysis.reduce(ctx, data)
            combined.findings.extend(part.findings)
            combined.metrics.extend(part.metrics)
            combined.skipped.extend(part.skipped)
            combined.notes.extend(part.notes)
            combined.endpoints.extend(part.endpoints)
            for criterion, why in part.not_applicable.items():
                combined.not_applicable.setdefault(criterion, why)
        return combined


@hookimpl
def backend_skills_checkers() -> Sequence[Checker]:
    """The ``python_ast`` checker."""
    return [PythonAstChecker()]
