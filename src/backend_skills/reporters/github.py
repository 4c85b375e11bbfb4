"""GitHub Actions reporter: workflow-command annotations (``::error file=...::``).

Print it in a workflow step and GitHub turns each line into an annotation on the file
and line. Values are escaped as the runner expects (``%``, ``\\r``, ``\\n`` in the
message; additionally ``:`` and ``,`` in properties), other control, bidi and invisible
characters become visible escapes (:func:`._common.printable`), so no repository text
can end a command early or start one of its own; every line starts with a command of
ours or is our own summary. Output stays within GitHub's limit of 10 annotations of each
kind per step: the most severe findings are annotated and one summary notice tells how
many were not.
"""

from __future__ import annotations

import re

from backend_skills.core.checker import RenderOptions, Reporter
from backend_skills.core.models import Finding, Report, Severity

from ._common import (
    criteria_index,
    printable,
    repo_path,
    score_text,
    shown_findings,
    sources_suffix,
)

#: GitHub shows at most this many annotations of each kind (error/warning/notice) per step.
MAX_PER_KIND = 10
#: Characters in one annotation message beyond which it is cut.
MAX_MESSAGE = 4000

COMMAND: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
    Severity.INFO: "notice",
}
_LINE_BREAK = re.compile(r"([\r\n])")


def escape_data(text: str) -> str:
    """Escape a workflow-command message: ``%``, ``\\r`` and ``\\n`` as GitHub decodes them;
    every other control, bidi or invisible character as a visible escape."""
    shown = "".join(
        piece if piece in ("\r", "\n") else printable(piece) for piece in _LINE_BREAK.split(text)
    )
    return shown.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow-command property value: as data, plus ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(kind: str, message: str, **properties: str | int | None) -> str:
    """One ``::kind prop=value,...::message`` line with every value escaped."""
    props = ",".join(
        f"{key}={escape_property(str(value))}"
        for key, value in properties.items()
        if value is not None and value != ""
    )
    return f"::{kind}{' ' + props if props else ''}::{escape_data(message)}"


class GithubReporter(Reporter):
    """Annotations for GitHub Actions logs and pull-request diffs."""

    name = "github"
    description = "GitHub Actions workflow-command annotations (::error file=...,line=...::)."
    suffix = ".txt"

    def render(self, report: Report, options: RenderOptions) -> str:
        """A summary line, then up to 10 annotations per kind, then a notice for the rest."""
        criteria = criteria_index(report)
        findings = shown_findings(report, options)
        lines = [
            f"backend-skills: overall {score_text(report.score)} "
            f"({report.level.value if report.level else 'n/a'}), "
            f"{len(findings)} finding{'s' if len(findings) != 1 else ''} to annotate"
        ]
        for run in report.checkers:
            if run.status == "failed":
                lines.append(
                    annotation(
                        "error",
                        f"checker {run.name} failed: {run.error or 'unknown error'}; "
                        "the criteria it feeds are not assessed",
                        title="backend-skills: report incomplete",
                    )
                )
        used = dict.fromkeys(("error", "warning", "notice"), 0)
        used["error"] += len(lines) - 1
        chosen: list[Finding] = []
        for finding in findings:
            kind = COMMAND[finding.severity]
            if used[kind] < MAX_PER_KIND:
                used[kind] += 1
                chosen.append(finding)
        left_out = len(findings) - len(chosen)
        if left_out and used["notice"] >= MAX_PER_KIND:
            # Keep one notice for the summary: drop the last annotated notice.
            last = max(i for i, f in enumerate(chosen) if COMMAND[f.severity] == "notice")
            chosen.pop(last)
            left_out += 1
        for finding in chosen:
            found = criteria.get(finding.criterion)
            name = found[1].name if found else finding.criterion
            message = f"{finding.message}{sources_suffix(finding)}"
            if len(message) > MAX_MESSAGE:
                message = message[: MAX_MESSAGE - 1] + "…"
            lines.append(
                annotation(
                    COMMAND[finding.severity],
                    message,
                    file=repo_path(finding, options),
                    line=finding.line,
                    endLine=finding.end_line
                    if finding.end_line and finding.line and finding.end_line >= finding.line
                    else None,
                    col=finding.column if finding.column and finding.column >= 1 else None,
                    title=f"{finding.rule} {name} ({finding.severity.value})",
                )
            )
        if left_out:
            lines.append(
                annotation(
                    "notice",
                    f"{left_out} more finding{'s' if left_out != 1 else ''} not annotated: "
                    f"GitHub shows at most {MAX_PER_KIND} annotations of each kind per step. "
                    "See the full report (text, JSON or SARIF).",
                    title="backend-skills",
                )
            )
        return "\n".join(lines) + "\n"
