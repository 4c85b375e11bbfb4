"""Example plugin: unfinished-work markers (TODO, FIXME, XXX, HACK) in Python source."""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any, ClassVar

from backend_skills import (
    CheckContext,
    Checker,
    CheckResult,
    FileChecker,
    FileResult,
    Finding,
    Role,
    RubricSet,
    Severity,
    SourceFile,
    hookimpl,
)
from backend_skills.core.rubric import parse_rubric

__version__ = "0.1.0"

CRITERION = "server_side.todo_markers"
MARKER = re.compile(r"\b(TODO|FIXME|XXX|HACK)\b[:\s]?(.*)")
SEVERITY = {"FIXME": Severity.LOW, "HACK": Severity.LOW, "XXX": Severity.LOW, "TODO": Severity.INFO}


class TodoChecker(FileChecker):
    """Reports unfinished-work markers found in comments (never in strings)."""

    name = "todos"
    languages: ClassVar[frozenset[str]] = frozenset({"python"})
    feeds = (CRITERION,)

    @property
    def version(self) -> str:
        """The plugin's version."""
        return __version__

    def select(self, ctx: CheckContext) -> list[SourceFile]:
        """Source files only: markers in tests and migrations are not scored."""
        return [f for f in super().select(ctx) if f.role is Role.SOURCE]

    def check_file(self, file: SourceFile, options: Mapping[str, Any]) -> FileResult:
        """One finding per marker comment; a file that cannot be tokenized is skipped."""
        findings = []
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(file.text).readline))
        except (tokenize.TokenError, SyntaxError) as exc:
            return FileResult(skipped=f"cannot tokenize: {exc}")
        for token in tokens:
            if token.type != tokenize.COMMENT:
                continue
            match = MARKER.search(token.string)
            if match is None:
                continue
            marker, rest = match.group(1), match.group(2).strip()
            findings.append(
                Finding(
                    checker=self.name,
                    rule=f"TODO-{marker}",
                    skill="server_side",
                    criterion=CRITERION,
                    severity=SEVERITY[marker],
                    message=f"{marker} marker: {rest[:80]}" if rest else f"{marker} marker",
                    path=file.path,
                    line=token.start[0],
                    column=token.start[1] + 1,
                )
            )
        return FileResult(findings=findings)

    def reduce(self, ctx: CheckContext, results: Mapping[str, FileResult]) -> CheckResult:
        """Collect the findings; the core derives the density metric from them."""
        return CheckResult(
            findings=[f for path in sorted(results) for f in results[path].findings],
            files=len(results),
        )


@hookimpl
def backend_skills_checkers() -> Sequence[Checker]:
    """The TODO checker."""
    return [TodoChecker()]


@hookimpl
def backend_skills_rubrics() -> Sequence[RubricSet]:
    """The ``server_side.todo_markers`` criterion, extending the built-in skill."""
    text = resources.files(__name__).joinpath("rubric.toml").read_text(encoding="utf-8")
    return [RubricSet(source="todos", version=__version__, skills=[parse_rubric(text, "todos")])]
