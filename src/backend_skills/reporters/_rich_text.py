"""The text report, rendered with rich (imported only when a text report is rendered).

Everything that comes from the scored repository (paths, messages, rule ids, reasons,
errors) is made :func:`~._common.printable` (control, bidi and invisible characters
become visible escapes) and inserted as plain ``Text``, so it can never be interpreted
as markup nor reach the terminal as an escape sequence; the rendered report then goes
through :func:`~._common.defuse_log_lines` so that no wrapped line starts a CI command.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from backend_skills.core.checker import RenderOptions
from backend_skills.core.models import (
    CheckerRun,
    CriterionResult,
    Finding,
    Report,
    Severity,
    SkillResult,
)

from . import _endpoints as inventory
from ._common import (
    costliest_criteria,
    coverage_lines,
    defuse_log_lines,
    overall_basis,
    printable,
    skill_score_note,
    sources_suffix,
)

_LEVEL_STYLE = {
    "novice": "bold red",
    "developing": "red",
    "competent": "yellow",
    "proficient": "green",
    "expert": "bold green",
}
_SEVERITY_STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
DEFAULT_MAX_FINDINGS = 15
_TRAILING_BLANKS = re.compile(r"[ \t]+((?:\x1b\[[0-9;]*m)*)$", re.MULTILINE)


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def _level(level: str | None, applicable: bool = True, assessed: bool = True) -> Text:
    if not assessed:
        return Text("not assessed", style="magenta")
    if not applicable or level is None:
        return Text("not applicable", style="dim")
    return Text(level, style=_LEVEL_STYLE.get(level, ""))


def _metric_text(criterion: CriterionResult) -> str:
    value = criterion.metrics.get(criterion.metric)
    shown = "n/a" if value is None else f"{value:g}"
    return f"{criterion.metric} = {shown}"


class RichText:
    """Renders the text report."""

    def render(self, report: Report, options: RenderOptions) -> str:
        """Render with colour when ``options.color`` is set."""
        buffer = io.StringIO()
        console = Console(
            file=buffer,
            width=int(options.extra.get("width", 110)),
            force_terminal=options.color,
            no_color=not options.color,
            color_system="standard" if options.color else None,
            highlight=False,
            emoji=False,
        )
        self._header(console, report)
        self._skills_table(console, report)
        for skill in report.skills:
            self._skill(console, skill, options)
        self._fix_first(console, report)
        self._endpoints(console, report, options)
        self._findings(console, report, options)
        self._checkers(console, report, options)
        # rich pads table cells and wrapped lines to the full width: drop the trailing
        # blanks (before any closing colour codes) so that the text diffs and pastes cleanly.
        return defuse_log_lines(_TRAILING_BLANKS.sub(r"\1", buffer.getvalue()))

    def _header(self, console: Console, report: Report) -> None:
        title = Text(f"{report.tool.name} {report.tool.version}", style="bold")
        title.append(f"  rubric {report.rubric_version}  ", style="dim")
        title.append(printable(report.root))
        console.print(title)
        overall = Text("Overall: ", style="bold")
        overall.append(_score(report.score), style="bold")
        overall.append(" ")
        overall.append_text(_level(report.level.value if report.level else None))
        basis = overall_basis(report)
        if basis:
            overall.append(f" ({basis})")
        lines = report.stats.lines
        sizes = [f"{n} {lang} lines" for lang, n in lines.items() if lang in ("python", "sql")]
        overall.append(
            f"   ({', '.join([f'{report.stats.files} files', *sizes])}"
            f"; {report.stats.duration_s:.1f}s)",
            style="dim",
        )
        console.print(overall)
        for line in coverage_lines(report):
            console.print(Text(line, style="dim"))
        if not report.complete:
            failed = [printable(c.name) for c in report.checkers if c.status == "failed"]
            console.print(
                Text(
                    "INCOMPLETE: "
                    + (f"checker(s) failed: {', '.join(failed)}; " if failed else "")
                    + "criteria they feed are not assessed.",
                    style="bold magenta",
                )
            )
        console.print()

    def _skills_table(self, console: Console, report: Report) -> None:
        table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
        table.add_column("Skill")
        table.add_column("Score", justify="right")
        table.add_column("Level")
        table.add_column("Next")
        for skill in report.skills:
            nxt = ""
            if skill.next_level is not None and skill.score is not None:
                gap = skill.next_level.score_needed - skill.score
                nxt = f"+{gap:.1f} to {skill.next_level.level.value}"
            table.add_row(
                Text(printable(skill.name)),
                " ".join(filter(None, (_score(skill.score), skill_score_note(skill)))),
                _level(
                    skill.level.value if skill.level else None,
                    skill.applicable,
                    skill.score is not None or skill.assessed,
                ),
                Text(nxt, style="dim"),
            )
        console.print(table)
        console.print()

    def _skill(self, console: Console, skill: SkillResult, options: RenderOptions) -> None:
        console.print(_skill_heading(skill))
        if skill.cap is not None:
            console.print(
                Text(
                    f"  {printable(skill.cap.reason)}; to lift: {printable(skill.cap.lift)}",
                    style="red",
                )
            )
        if not skill.applicable or skill.score is None:
            console.print(Text(f"  {printable(skill.reason or '')}", style="dim"))
            console.print()
            return
        console.print(_criteria_table(skill))
        if options.verbose:
            for c in skill.criteria:
                if c.points_lost > 0:
                    console.print(
                        Text(f"  - {printable(c.name)}: {printable(c.remediation)}", style="dim")
                    )
        console.print()

    def _fix_first(self, console: Console, report: Report) -> None:
        costly = costliest_criteria(report, 5)
        if not costly:
            return
        console.print(Text("What to fix first", style="bold underline"))
        for _, skill, c in costly:
            line = Text(f"  {printable(c.name)} ", style="bold")
            line.append(f"({printable(skill.name)}, -{c.points_lost:.1f} points)", style="dim")
            console.print(line)
            console.print(Padding(Text(printable(c.remediation)), (0, 0, 0, 4), expand=False))
        console.print()

    def _endpoints(self, console: Console, report: Report, options: RenderOptions) -> None:
        endpoints = inventory.endpoints_of(report)
        if not endpoints:
            return
        console.print(Text(inventory.summary(endpoints), style="bold underline"))
        rows = inventory.ordered(endpoints)
        limit = len(rows) if options.verbose else inventory.DEFAULT_ROWS
        table = Table(show_edge=False, pad_edge=False, box=None, header_style="dim")
        table.add_column("  Method", no_wrap=True)
        table.add_column("Path", overflow="fold", ratio=3)
        table.add_column("Access control", overflow="fold", ratio=2)
        table.add_column("Where (handler)", overflow="fold", ratio=4)
        for endpoint in rows[:limit]:
            protection = endpoint.access_control or "none"
            table.add_row(
                Text("  " + printable(endpoint.method), style="bold" if endpoint.public else ""),
                Text(printable(endpoint.path or "?")),
                Text(printable(protection), style="red" if endpoint.public else "green"),
                Text(
                    f"{printable(inventory.where(endpoint))} ({printable(endpoint.handler)})",
                    style="dim",
                ),
            )
        console.print(table)
        if len(rows) > limit:
            console.print(
                Text(f"  ... {len(rows) - limit} more (use -v or --format json)", style="dim")
            )
        console.print()

    def _findings(self, console: Console, report: Report, options: RenderOptions) -> None:
        counted = [f for f in report.findings if f.counted]
        if not report.findings:
            return
        limit = _findings_limit(options, len(counted))
        ranked = sorted(counted, key=lambda f: (-f.severity.rank, f.sort_key()))[:limit]
        console.print(
            Text(
                f"Findings ({len(counted)} counted, {len(report.findings) - len(counted)} shown "
                "without cost, e.g. in tests)",
                style="bold underline",
            )
        )
        for finding in ranked:
            console.print(self._finding_line(finding))
        hidden = len(counted) - len(ranked)
        if hidden > 0:
            console.print(Text(f"  ... {hidden} more (use -v or --format json)", style="dim"))
        self._suppressed(console, [f for f in report.findings if f.suppressed], limit)
        console.print()

    def _suppressed(self, console: Console, suppressed: Sequence[Finding], limit: int) -> None:
        """The findings silenced in the code (``# nosec``...), listed apart."""
        if not suppressed:
            return
        console.print(Text(f"  Suppressed ({len(suppressed)}, not counted):", style="dim"))
        for finding in suppressed[: limit or None]:
            console.print(self._finding_line(finding))

    @staticmethod
    def _finding_line(finding: Finding) -> Text:
        where = printable(finding.path) + (f":{finding.line}" if finding.line else "")
        line = Text("  ")
        line.append(f"{finding.severity.value.upper():9}", style=_SEVERITY_STYLE[finding.severity])
        line.append(where, style="bold")
        line.append(f"  {printable(finding.rule)} ")
        line.append(printable(finding.message + sources_suffix(finding)))
        line.append(f"  [{printable(', '.join(finding.criteria))}]", style="dim")
        return line

    def _checkers(self, console: Console, report: Report, options: RenderOptions) -> None:
        parts = [_checker_summary(run) for run in report.checkers]
        console.print(Text("Checkers: " + "; ".join(parts), style="dim"))
        for run in report.checkers:
            for line in _checker_lines(run, options.verbose):
                console.print(line)
        for plugin in report.plugins:
            if plugin.status == "failed":
                console.print(
                    Text(
                        f"  plugin {printable(plugin.name)} failed to load: "
                        f"{printable(plugin.error or '')}",
                        style="magenta",
                    )
                )
        if report.skipped:
            _print_skipped(console, report, options)


def _print_skipped(console: Console, report: Report, options: RenderOptions) -> None:
    """The skipped files: listed with -v, else counted."""
    if not options.verbose:
        console.print(
            Text(f"Skipped: {len(report.skipped)} files or parts (use -v to list)", style="dim")
        )
        return
    console.print(Text(f"Skipped ({len(report.skipped)}):", style="dim"))
    for skip in report.skipped:
        who = f"{printable(skip.checker)}: " if skip.checker else ""
        console.print(Text(f"  {printable(skip.path)}: {who}{printable(skip.reason)}", style="dim"))


def _skill_heading(skill: SkillResult) -> Text:
    """A skill's name, score, level and score note."""
    heading = Text(f"{printable(skill.name)} ", style="bold underline")
    heading.append(f"{_score(skill.score)} ")
    heading.append_text(
        _level(
            skill.level.value if skill.level else None,
            skill.applicable,
            skill.score is not None or skill.assessed,
        )
    )
    heading.append(" " + skill_score_note(skill) if skill_score_note(skill) else "", style="dim")
    return heading


def _measured(c: CriterionResult) -> str:
    """What a criterion measured (or why not), its cap and its finding count."""
    measured = printable(_metric_text(c) if c.applicable and c.assessed else (c.reason or ""))
    if c.cap is not None and c.score is not None and c.cap.value <= c.cap.uncapped:
        rules = printable(", ".join(c.cap.findings[0].rules))
        measured += f"  (capped from {c.cap.uncapped:.1f}: {rules} ...)"
    if c.finding_count:
        measured += f"  [{c.finding_count} finding{'s' if c.finding_count != 1 else ''}]"
    return measured


def _criteria_table(skill: SkillResult) -> Table:
    """One row per criterion of an assessed skill: score, level, points lost, measure."""
    table = Table(show_edge=False, pad_edge=False, box=None, header_style="dim")
    table.add_column("  Criterion")
    table.add_column("Score", justify="right")
    table.add_column("Level")
    table.add_column("Lost", justify="right")
    table.add_column("Measured")
    for c in skill.criteria:
        table.add_row(
            Text("  " + printable(c.name)),
            _score(c.score),
            _level(c.level.value if c.level else None, c.applicable, c.assessed),
            f"{c.points_lost:.1f}" if c.points_lost else "",
            Text(_measured(c), style="dim"),
        )
    return table


def _findings_limit(options: RenderOptions, counted: int) -> int:
    """How many counted findings are listed: ``--max-findings``, else all with ``-v``,
    else :data:`DEFAULT_MAX_FINDINGS`."""
    if options.max_findings is not None:
        return options.max_findings
    return counted if options.verbose else DEFAULT_MAX_FINDINGS


def _checker_summary(run: CheckerRun) -> str:
    state = run.status if run.status != "ok" else f"{run.files} files, {run.duration_s:.1f}s"
    return f"{printable(run.name)} {printable(run.version)} ({state})"


def _checker_lines(run: CheckerRun, verbose: int) -> list[Text]:
    """A failed checker's error, and (verbose) its notes."""
    lines: list[Text] = []
    if run.status == "failed":
        error = f"  {printable(run.name)} failed: {printable(run.error or '')}"
        lines.append(Text(error, style="magenta"))
    if verbose:
        lines.extend(
            Text(f"  {printable(run.name)}: {printable(note)}", style="dim") for note in run.notes
        )
    return lines
