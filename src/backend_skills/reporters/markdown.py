"""Markdown reporter: for GitHub's job summary, a pull-request comment or a wiki page.

A summary table of skills and levels, the criteria that cost most points with what to
do, and the top findings; every criterion's arithmetic folded away in ``<details>``.
Text from the scored repository is escaped (see :func:`._common.md_escape`): it cannot
end a table row, open a link, an image or HTML, or show a control or bidi character. The
output stays under a byte budget: 65,000 by default (GitHub comments take 65,536
characters), 1,000,000 with ``-v`` (the job summary takes 1 MiB), or
``markdown_max_bytes``; beyond it whole lines are dropped and a note says so.
"""

from __future__ import annotations

from backend_skills.core.checker import RenderOptions, Reporter
from backend_skills.core.models import Report, Severity

from ._common import (
    costliest_criteria,
    coverage_lines,
    defuse_log_lines,
    int_option,
    level_of,
    md_escape,
    overall_basis,
    repo_path,
    score_text,
    severity_counts,
    shown_findings,
    skill_score_note,
    sources_suffix,
)

DEFAULT_MAX_BYTES = 65_000
VERBOSE_MAX_BYTES = 1_000_000
DEFAULT_TOP_FINDINGS = 20
TOP_CRITERIA = 10
_ICON = {
    Severity.CRITICAL: "🔴",
    Severity.HIGH: "🟠",
    Severity.MEDIUM: "🟡",
    Severity.LOW: "🔵",
    Severity.INFO: "⚪",
}


def _fit(lines: list[str], max_bytes: int) -> str:
    """Join ``lines``; beyond ``max_bytes`` drop whole lines and add a note."""
    text = "\n".join(lines) + "\n"
    if len(text.encode("utf-8")) <= max_bytes:
        return text
    reserve = 400
    kept: list[str] = []
    size = 0
    for line in lines:
        cost = len(line.encode("utf-8")) + 1
        if size + cost > max_bytes - reserve:
            break
        kept.append(line)
        size += cost
    dropped = len(lines) - len(kept)
    open_details = sum(line.count("<details>") - line.count("</details>") for line in kept)
    tail = ["", "</details>"] * max(open_details, 0)
    tail += [
        "",
        f"_Report truncated to fit {max_bytes:,} bytes: {dropped:,} lines left out. "
        "The JSON report has everything._",
    ]
    return "\n".join(kept + tail) + "\n"


class MarkdownReporter(Reporter):
    """GitHub-flavoured Markdown summary."""

    name = "markdown"
    description = "Markdown summary for GitHub job summaries and pull-request comments."
    suffix = ".md"

    def render(self, report: Report, options: RenderOptions) -> str:
        """The Markdown document, within the byte budget."""
        default_budget = VERBOSE_MAX_BYTES if options.verbose else DEFAULT_MAX_BYTES
        budget = max(int_option(options, "markdown_max_bytes", default_budget), 1000)
        lines: list[str] = []
        self._header(report, lines)
        self._skills(report, lines)
        self._costly(report, lines)
        self._findings(report, options, lines)
        self._criteria(report, lines)
        lines += [
            "",
            f"<sub>{md_escape(report.tool.name)} {md_escape(report.tool.version)}, "
            f"rubric {md_escape(report.rubric_version)}. Scores are 0-100; levels: novice "
            "&lt;40, developing 40-59.9, competent 60-74.9, proficient 75-89.9, expert "
            "90+.</sub>",
        ]
        return defuse_log_lines(_fit(lines, budget))

    @staticmethod
    def _header(report: Report, lines: list[str]) -> None:
        level = report.level.value if report.level else "n/a"
        lines += [f"## backend-skills: {score_text(report.score)} / 100 ({level})", ""]
        basis = overall_basis(report)
        lines += [f"> Overall score from {md_escape(basis)}.", ""] if basis else []
        lines += [md_escape(line) + "  " for line in coverage_lines(report)]
        if not report.complete:
            failed = [md_escape(c.name) for c in report.checkers if c.status == "failed"]
            detail = f" Checker(s) failed: {', '.join(failed)}." if failed else ""
            lines += [
                f"> **Report incomplete.**{detail} The criteria they feed are not assessed "
                "and count as 0.",
                "",
            ]
        code_lines = ", ".join(
            f"{n:,} {md_escape(lang)} lines"
            for lang, n in report.stats.lines.items()
            if lang in ("python", "sql")
        )
        counted = sum(1 for f in report.findings if f.counted)
        lines += [
            f"{report.stats.files:,} files"
            + (f" ({code_lines})" if code_lines else "")
            + f" · {counted:,} counted finding{'s' if counted != 1 else ''}",
            "",
        ]

    @staticmethod
    def _skills(report: Report, lines: list[str]) -> None:
        if not report.skills:
            lines += ["_No skill was scored._", ""]
            return
        lines += ["| Skill | Score | Level | Next level |", "| --- | ---: | --- | --- |"]
        for skill in report.skills:
            nxt = ""
            if skill.next_level is not None and skill.score is not None:
                gap = skill.next_level.score_needed - skill.score
                nxt = f"+{gap:.1f} to {skill.next_level.level.value}"
            elif (not skill.applicable or skill.score is None) and skill.reason:
                nxt = md_escape(skill.reason, 120)
            note = skill_score_note(skill)
            lines.append(
                f"| {md_escape(skill.name)} | "
                f"{' '.join(filter(None, (score_text(skill.score), md_escape(note))))} "
                f"| {level_of(skill)} | {nxt} |"
            )
        lines.append("")
        for skill in report.skills:
            if skill.cap is not None:
                lines += [
                    f"> **{md_escape(skill.name)}** {md_escape(skill.cap.reason, 600)}. "
                    f"To lift it: {md_escape(skill.cap.lift, 400)}.",
                    "",
                ]

    @staticmethod
    def _costly(report: Report, lines: list[str]) -> None:
        costly = costliest_criteria(report, TOP_CRITERIA)
        if not costly:
            return
        lines += [
            "### What costs most points",
            "",
            "| Criterion | Skill | Score | Points lost | What to do |",
            "| --- | --- | ---: | ---: | --- |",
        ]
        for _, skill, c in costly:
            lines.append(
                f"| {md_escape(c.name)} | {md_escape(skill.name)} | {score_text(c.score)} "
                f"| {c.points_lost:.1f} | {md_escape(c.remediation, 400)} |"
            )
        lines.append("")

    @staticmethod
    def _findings(report: Report, options: RenderOptions, lines: list[str]) -> None:
        shown = shown_findings(report, options)
        if not shown:
            return
        limit = options.max_findings
        if limit is None:
            limit = len(shown) if options.verbose else DEFAULT_TOP_FINDINGS
        counts = severity_counts(shown)
        summary = ", ".join(f"{n} {sev.value}" for sev, n in counts.items() if n)
        uncounted = len(report.findings) - sum(1 for f in report.findings if f.counted)
        lines += [
            "### Top findings" if limit < len(shown) else "### Findings",
            "",
            f"{len(shown):,} finding{'s' if len(shown) != 1 else ''} ({summary})"
            + (
                f"; {uncounted:,} more shown without cost (e.g. in tests)"
                if uncounted and not options.verbose
                else ""
            )
            + (f". The {limit} most severe:" if limit < len(shown) else "."),
            "",
            "| Severity | Where | Rule | Finding | Criterion |",
            "| --- | --- | --- | --- | --- |",
        ]
        for finding in shown[:limit]:
            where = repo_path(finding, options) + (f":{finding.line}" if finding.line else "")
            lines.append(
                f"| {_ICON[finding.severity]} {finding.severity.value} | {md_escape(where, 200)} "
                f"| {md_escape(finding.rule, 40)} "
                f"| {md_escape(finding.message + sources_suffix(finding), 300)} "
                f"| {md_escape(', '.join(finding.criteria))} |"
            )
        if limit < len(shown):
            lines += ["", f"_{len(shown) - limit:,} more in the full report._"]
        lines.append("")

    @staticmethod
    def _criteria(report: Report, lines: list[str]) -> None:
        if not report.skills:
            return
        lines += ["<details><summary>Every criterion</summary>", ""]
        for skill in report.skills:
            lines += [
                f"#### {md_escape(skill.name)}: {score_text(skill.score)} ({level_of(skill)})",
                "",
                "| Criterion | Score | Level | Measured | Points lost |",
                "| --- | ---: | --- | --- | ---: |",
            ]
            for c in skill.criteria:
                if c.applicable and c.assessed:
                    value = c.metrics.get(c.metric)
                    measured = f"{c.metric} = {'n/a' if value is None else f'{value:g}'}"
                else:
                    measured = c.reason or ""
                lines.append(
                    f"| {md_escape(c.name)} | {score_text(c.score)} | {level_of(c)} "
                    f"| {md_escape(measured, 200)} | {c.points_lost:.1f} |"
                )
            lines.append("")
        lines += ["</details>"]
