"""HTML reporter: one self-contained page a reviewer, a student or a panel can read.

The overall score and level, a radar chart of the skills, every criterion's arithmetic
with a bar, what to fix first, the findings grouped by skill and file with a short
redacted code excerpt, filters by severity and skill, coverage, the endpoint inventory
(when the report has one), skipped files and the checkers that ran.

The file makes no network request: styles, the one script and the SVG charts are
inline and a Content-Security-Policy forbids loading anything (see :mod:`._html_page`).
Everything from the scored repository is HTML-escaped, attributes included. Without
JavaScript the page shows every finding; the script only adds the filters. Excerpts are
read from the report's ``root`` when it is present (see :mod:`._excerpt`);
``--format-option html_excerpts=0`` leaves them out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from backend_skills.core.checker import RenderOptions, Reporter
from backend_skills.core.models import CriterionResult, Finding, Report, Severity, SkillResult

from . import _html_endpoints
from ._common import (
    FormatOptionError,
    costliest_criteria,
    int_option,
    level_of,
    option,
    score_text,
    severity_counts,
    sources_suffix,
)
from ._excerpt import SourceReader
from ._html_page import h, page
from ._svg import Axis, radar, score_bar

#: Findings shown by default (``html_max_findings`` or ``--max-findings`` changes it).
DEFAULT_MAX_FINDINGS = 5000
#: Findings that get a code excerpt, at most.
MAX_EXCERPTS = 1000
#: Skipped files listed, at most.
MAX_SKIPPED = 1000
TOP_CRITERIA = 10


def level_badge(level: str) -> str:
    """A coloured badge for a level name (or ``n/a``, ``not assessed``...)."""
    css = (
        f"lv-{level}"
        if level in {"novice", "developing", "competent", "proficient", "expert"}
        else ""
    )
    return f'<span class="badge {css}">{h(level)}</span>'


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g}"


_plain = _html_endpoints.plain


def _bool_option(options: RenderOptions, key: str, default: bool) -> bool:
    raw = option(options, key)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise FormatOptionError(f"format option {key}={raw!r}: expected true or false")


class _Excerpts:
    """Excerpt HTML for findings, at most ``budget`` of them."""

    def __init__(self, reader: SourceReader, budget: int) -> None:
        self._reader = reader
        self._left = budget

    def html(self, finding: Finding) -> str:
        """``<pre>`` with the lines around the finding (its own line marked), or ``""``."""
        if self._left <= 0 or not self._reader.available:
            return ""
        excerpt = self._reader.excerpt(finding)
        if excerpt is None:
            return ""
        self._left -= 1
        rows = []
        for offset, text in enumerate(excerpt.lines):
            number = excerpt.first + offset
            line = f"{number:>5}  {h(text)}"
            rows.append(f'<span class="hit">{line}</span>' if number == excerpt.hit else line)
        return '<pre class="excerpt"><code>' + "\n".join(rows) + "</code></pre>"


def finding_row(finding: Finding, excerpt_html: str) -> str:
    """One finding as a table row; its ``data-*`` attributes drive the filters."""
    note = ""
    if not finding.counted:
        note = f' <span class="muted">(costs nothing: {h(finding.role.value)} file)</span>'
    cwe = f' <span class="muted">CWE-{finding.cwe}</span>' if finding.cwe else ""
    severity = h(finding.severity.value)
    return (
        f'<tr class="finding" data-severity="{severity}" data-skill="{h(finding.skill)}" '
        f'data-counted="{1 if finding.counted else 0}">'
        f'<td><span class="sev sev-{severity}">{severity}</span></td>'
        f'<td class="num">{finding.line or ""}</td>'
        f"<td><code>{h(finding.rule, 60)}</code>{cwe}</td>"
        f'<td class="wrap">{h(finding.message + sources_suffix(finding), 1000)}'
        f"{note}{excerpt_html}</td>"
        f'<td><a href="#crit-{h(finding.criterion)}" class="mono">'
        f"{h(finding.criterion)}</a></td></tr>"
    )


class HtmlReporter(Reporter):
    """A self-contained HTML page (inline CSS, SVG charts, a hashed inline script)."""

    name = "html"
    description = "Self-contained HTML page: charts, arithmetic, filterable findings."
    suffix = ".html"

    def render(self, report: Report, options: RenderOptions) -> str:
        """The whole page as text."""
        limit = options.max_findings
        if limit is None:
            limit = int_option(options, "html_max_findings", DEFAULT_MAX_FINDINGS)
        excerpts = _bool_option(options, "html_excerpts", True)
        reader = SourceReader(report.root if excerpts else None)
        body: list[str] = []
        self._header(report, body)
        self._skills(report, body)
        self._fix_first(report, body)
        self._criteria(report, body)
        self._findings(report, body, max(limit, 0), reader)
        inventory = _html_endpoints.section(getattr(report, "endpoints", None))
        if inventory:
            body.append(inventory)
        self._skipped(report, body)
        self._checkers(report, body)
        body.append(
            '<footer class="muted"><p>Levels: novice &lt;40, developing 40-59.9, competent '
            "60-74.9, proficient 75-89.9, expert 90+. Scores are 0-100. "
            f"{h(report.tool.name)} {h(report.tool.version)}, rubric "
            f"{h(report.rubric_version)}, report schema {report.schema_version}.</p></footer>"
        )
        level = report.level.value if report.level else "n/a"
        title = f"backend-skills: {score_text(report.score)} ({level}) - {report.root}"
        return page(title, "\n".join(body))

    # ------------------------------------------------------------------ sections

    @staticmethod
    def _header(report: Report, body: list[str]) -> None:
        body.append('<header id="summary">')
        body.append("<h1>backend-skills report</h1>")
        body.append(f'<p class="muted wrap mono" id="root">{h(report.root)}</p>')
        body.append('<div class="hero">')
        body.append(_headline(report))
        axes = [Axis(s.name, s.score) for s in report.skills]
        if axes:
            body.append(f"<div>{radar(axes)}</div>")
        body.append("</div>")
        if not report.complete:
            body.append(_incomplete_note(report))
        body.append(_nav(report))
        body.append("</header>")

    @staticmethod
    def _coverage_cell(skill: SkillResult) -> str:
        coverage = getattr(skill, "coverage", None)
        if coverage is None:
            return '<td class="muted">-</td>'
        data = _plain(coverage)
        if not isinstance(data, Mapping):
            return f"<td>{h(data, 80)}</td>"
        share = data.get("share")
        parts = []
        if isinstance(share, int | float):
            parts.append(f"{share * 100:.0f}%" if share <= 1 else f"{share:.0f}%")
        elif data.get("reads_source") is False:
            parts.append("repository files")
        else:
            parts.append("-")
        not_read = data.get("languages_not_read")
        if isinstance(not_read, Mapping) and not_read:
            listed = ", ".join(
                f"{h(k)} {v:,}" if isinstance(v, int) else h(k) for k, v in sorted(not_read.items())
            )
            parts.append(f'<br><span class="muted">not read: {listed} lines</span>')
        return f"<td>{''.join(parts)}</td>"

    def _skills(self, report: Report, body: list[str]) -> None:
        body.append('<section id="skills"><h2>Skills</h2>')
        if not report.skills:
            body.append("<p>No skill was scored.</p></section>")
            return
        has_coverage = any(getattr(s, "coverage", None) is not None for s in report.skills)
        body.append(
            '<table id="skills-table"><thead><tr><th>Skill</th><th class="num">Score</th>'
            "<th>Level</th><th>Weight</th>"
            + ("<th>Coverage</th>" if has_coverage else "")
            + "<th>Next level</th></tr></thead><tbody>"
        )
        for skill in report.skills:
            nxt = _skill_next(skill)
            body.append(
                f'<tr><td><a href="#skill-{h(skill.id)}">{h(skill.name)}</a></td>'
                f'<td class="num">{score_text(skill.score)}</td>'
                f"<td>{level_badge(level_of(skill))}</td><td>{skill.weight:g}</td>"
                + (self._coverage_cell(skill) if has_coverage else "")
                + f"<td>{nxt}</td></tr>"
            )
        body.append("</tbody></table></section>")

    @staticmethod
    def _fix_first(report: Report, body: list[str]) -> None:
        body.append('<section id="fix-first"><h2>What to fix first</h2>')
        costly = costliest_criteria(report, TOP_CRITERIA)
        if not costly:
            body.append("<p>No criterion loses points.</p></section>")
            return
        body.append(
            '<p class="muted">The criteria that cost the overall score most (points lost '
            "times the skill's weight), with what to do.</p><ol>"
        )
        for _, skill, c in costly:
            target = ""
            if c.next_level is not None and c.next_level.metric_target is not None:
                target = (
                    f" Reach {h(c.metric)} = {c.next_level.metric_target:g} for "
                    f"{h(c.next_level.level.value)}."
                )
            body.append(
                f'<li><strong><a href="#crit-{h(c.id)}">{h(c.name)}</a></strong> '
                f'<span class="muted">({h(skill.name)}; score {score_text(c.score)}, '
                f"{c.points_lost:.1f} points lost; {c.finding_count} finding"
                f"{'s' if c.finding_count != 1 else ''})</span><br>{h(c.remediation)}{target}</li>"
            )
        body.append("</ol></section>")

    @staticmethod
    def _criteria(report: Report, body: list[str]) -> None:
        body.append('<section id="criteria"><h2>Criteria and their arithmetic</h2>')
        for skill in report.skills:
            body.append(
                f'<div class="skill" id="skill-{h(skill.id)}"><h3>{h(skill.name)}: '
                f"{score_text(skill.score)} {level_badge(level_of(skill))}</h3>"
            )
            if skill.reason:
                body.append(f'<p class="muted">{h(skill.reason)}</p>')
            body.append(
                '<table class="criteria"><thead><tr><th>Criterion</th><th>Score</th>'
                '<th class="num">Weight</th><th>Measured</th><th>Anchors<br><span class="muted nowrap">metric → score</span></th>'
                '<th class="num">Points lost</th><th>Next level</th></tr></thead><tbody>'
            )
            body.extend(_criterion_row(c) for c in skill.criteria)
            body.append("</tbody></table>")
            body.append("<details><summary>Why these criteria matter and what to do</summary><dl>")
            for c in skill.criteria:
                body.append(
                    f"<dt><strong>{h(c.name)}</strong></dt><dd>{h(c.rationale)}"
                    f"<br><em>What to do:</em> {h(c.remediation)}</dd>"
                )
            body.append("</dl></details></div>")
        body.append("</section>")

    def _findings(self, report: Report, body: list[str], limit: int, reader: SourceReader) -> None:
        findings = sorted(report.findings, key=lambda f: (-f.severity.rank, f.sort_key()))
        body.append('<section id="findings"><h2>Findings</h2>')
        if not findings:
            body.append("<p>No findings.</p></section>")
            return
        shown = findings[:limit]
        self._findings_intro(findings, shown, reader, body)
        skill_names = {s.id: s.name for s in report.skills}
        self._filters(shown, skill_names, body)
        by_skill: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
        for finding in shown:
            by_skill[finding.skill][finding.path].append(finding)
        order = [s.id for s in report.skills] + sorted(set(by_skill) - set(skill_names))
        excerpts = _Excerpts(reader, MAX_EXCERPTS)
        for skill_id in order:
            files = by_skill.get(skill_id)
            if files:
                name = skill_names.get(skill_id, skill_id)
                self._skill_findings(skill_id, name, files, excerpts, body)
        body.append("</section>")

    @staticmethod
    def _findings_intro(
        findings: list[Finding], shown: list[Finding], reader: SourceReader, body: list[str]
    ) -> None:
        counts = severity_counts(shown)
        summary = ", ".join(f"{n} {sev.value}" for sev, n in counts.items() if n)
        body.append(
            f'<p><span id="shown-count">{len(shown)}</span> of {len(findings):,} findings shown'
            f" ({summary}).</p>"
        )
        if len(shown) < len(findings):
            body.append(
                f'<p class="warn">{len(findings) - len(shown):,} less severe findings left out '
                "(the JSON report has every one; html_max_findings raises the limit).</p>"
            )
        if not reader.available:
            body.append(
                '<p class="muted">Code excerpts are not shown: the scored folder is not '
                "available here.</p>"
            )

    @staticmethod
    def _skill_findings(
        skill_id: str,
        name: str,
        files: Mapping[str, list[Finding]],
        excerpts: _Excerpts,
        body: list[str],
    ) -> None:
        total = sum(len(v) for v in files.values())
        body.append(
            f'<div class="skill-findings" data-skill="{h(skill_id)}"><h3>{h(name)} ({total})</h3>'
        )
        for path in sorted(files, key=lambda p: (-max(f.severity.rank for f in files[p]), p)):
            group = sorted(files[path], key=lambda f: f.sort_key())
            body.append(
                f'<details class="file-group" open><summary><code class="wrap">{h(path)}'
                f'</code> (<span class="visible-count">{len(group)}</span>)</summary>'
                '<table class="findings"><thead><tr><th>Severity</th><th class="num">Line'
                "</th><th>Rule</th><th>Finding</th><th>Criterion</th></tr></thead><tbody>"
            )
            body.extend(finding_row(finding, excerpts.html(finding)) for finding in group)
            body.append("</tbody></table></details>")
        body.append("</div>")

    @staticmethod
    def _filters(
        findings: Iterable[Finding], skill_names: Mapping[str, str], body: list[str]
    ) -> None:
        present = list(findings)
        severities = [s for s in Severity if any(f.severity is s for f in present)]
        skills = sorted({f.skill for f in present}, key=lambda s: (s not in skill_names, s))
        body.append('<form id="filters" hidden><fieldset><legend>Severity</legend>')
        body.extend(
            f'<label><input type="checkbox" name="severity" value="{h(s.value)}" checked> '
            f"{h(s.value)}</label>"
            for s in severities
        )
        body.append("</fieldset><fieldset><legend>Skill</legend>")
        body.extend(
            f'<label><input type="checkbox" name="skill" value="{h(s)}" checked> '
            f"{h(skill_names.get(s, s))}</label>"
            for s in skills
        )
        body.append(
            '</fieldset><fieldset><legend>Cost</legend><label><input type="checkbox" '
            'name="counted" value="1"> only findings that cost points</label></fieldset>'
            '<button type="reset">Show all</button></form>'
        )

    @staticmethod
    def _skipped(report: Report, body: list[str]) -> None:
        body.append(f'<section id="skipped"><h2>Skipped files ({len(report.skipped):,})</h2>')
        if not report.skipped:
            body.append("<p>Nothing was skipped.</p></section>")
            return
        body.append(
            '<details><summary>Files not analysed, with the reason</summary><table id="skipped-table">'
            "<thead><tr><th>Path</th><th>Checker</th><th>Reason</th></tr></thead><tbody>"
        )
        for skip in report.skipped[:MAX_SKIPPED]:
            body.append(
                f'<tr><td class="wrap"><code>{h(skip.path, 300)}</code></td>'
                f'<td>{h(skip.checker or "discovery")}</td><td class="wrap">{h(skip.reason, 400)}</td></tr>'
            )
        body.append("</tbody></table>")
        if len(report.skipped) > MAX_SKIPPED:
            body.append(f"<p>{len(report.skipped) - MAX_SKIPPED:,} more in the JSON report.</p>")
        body.append("</details></section>")

    @staticmethod
    def _checkers(report: Report, body: list[str]) -> None:
        body.append(
            '<section id="checkers"><h2>Checkers</h2><table id="checkers-table"><thead><tr>'
            '<th>Checker</th><th>Version</th><th>Status</th><th class="num">Files</th>'
            '<th class="num">Seconds</th><th>Notes</th></tr></thead><tbody>'
        )
        for run in report.checkers:
            status = "novice" if run.status == "failed" else ""
            notes = "; ".join([*([run.error] if run.error else []), *run.notes])
            body.append(
                f"<tr><td>{h(run.name)}</td><td>{h(run.version)}</td>"
                f'<td><span class="badge {"lv-" + status if status else ""}">{h(run.status)}</span></td>'
                f'<td class="num">{run.files:,}</td><td class="num">{run.duration_s:.2f}</td>'
                f'<td class="wrap">{h(notes, 600)}</td></tr>'
            )
        body.append("</tbody></table>")
        failed_plugins = [p for p in report.plugins if p.status == "failed"]
        if failed_plugins:
            body.append(
                '<p class="warn">Plugins that failed to load: '
                + "; ".join(f"{h(p.name)} ({h(p.error or '', 200)})" for p in failed_plugins)
                + "</p>"
            )
        body.append("</section>")


def _skill_next(skill: SkillResult) -> str:
    """What a skill needs for its next level (or why it has no score)."""
    if skill.next_level is None or skill.score is None:
        return f'<span class="muted">{h(skill.reason, 300)}</span>' if skill.reason else ""
    gap = skill.next_level.score_needed - skill.score
    text = f"+{gap:.1f} to {h(skill.next_level.level.value)}"
    if skill.next_level.criteria:
        gains = ", ".join(h(c) for c in skill.next_level.criteria[:3])
        text += f'<br><span class="muted">gain most from: {gains}</span>'
    return text


def _headline(report: Report) -> str:
    """The overall score, level and counts at the top of the page."""
    level = report.level.value if report.level else "n/a"
    code = ", ".join(f"{n:,} {h(lang)}" for lang, n in sorted(report.stats.lines.items()) if n)
    counted = sum(1 for f in report.findings if f.counted)
    plural = "s" if counted != 1 else ""
    lines = f" ({code} lines)" if code else ""
    return (
        f'<div class="headline"><div class="score-big" id="overall-score">{score_text(report.score)}</div>'
        f"<div>out of 100 · {level_badge(level)}</div>"
        f'<p class="muted">{report.stats.files:,} files{lines}'
        f"<br>{counted:,} counted finding{plural} of "
        f"{len(report.findings):,}<br>scored in {report.stats.duration_s:.1f} s</p></div>"
    )


def _incomplete_note(report: Report) -> str:
    """The warning of an incomplete report, naming the checkers that failed."""
    failed = [c for c in report.checkers if c.status == "failed"]
    detail = "; ".join(f"{c.name}: {c.error or 'failed'}" for c in failed)
    return (
        '<p class="warn" id="incomplete"><strong>Report incomplete.</strong> '
        + (f"Checker(s) failed ({h(detail, 600)}). " if failed else "")
        + "The criteria they feed are not assessed and count as 0.</p>"
    )


def _nav(report: Report) -> str:
    """Links to the sections of the page (endpoints only when the report has some)."""
    return (
        '<nav class="no-print"><a href="#skills">Skills</a> · <a href="#fix-first">What to '
        'fix first</a> · <a href="#criteria">Criteria</a> · <a href="#findings">Findings</a>'
        + (' · <a href="#endpoints">Endpoints</a>' if getattr(report, "endpoints", None) else "")
        + ' · <a href="#skipped">Skipped files</a> · <a href="#checkers">Checkers</a></nav>'
    )


def _measured(c: CriterionResult) -> str:
    """What a criterion measured (its metrics), or why it was not assessed."""
    if not (c.applicable and c.assessed):
        return f'<span class="muted">{h(c.reason or level_of(c))}</span>'
    shown = [f"<code>{h(name)}</code> = {_num(value)}" for name, value in c.metrics.items()]
    return "<br>".join(shown) or f"<code>{h(c.metric)}</code>"


def _criterion_next(c: CriterionResult) -> str:
    if c.next_level is None:
        return ""
    text = f"{h(c.next_level.level.value)} at {c.next_level.score_needed:g}"
    if c.next_level.metric_target is not None:
        text += f" ({h(c.metric)} = {c.next_level.metric_target:g})"
    return text


def _criterion_row(c: CriterionResult) -> str:
    """A criterion's row: score, weight, what was measured, anchors, points, next level."""
    anchors = "<br>".join(
        f'<span class="nowrap">{a.value:g} → {a.score:g}</span>' for a in c.anchors
    )
    marks = [c.next_level.score_needed] if c.next_level else []
    descriptor = f'<br><span class="muted">{h(c.descriptor)}</span>' if c.descriptor else ""
    return (
        f'<tr id="crit-{h(c.id)}"><td><strong>{h(c.name)}</strong><br>'
        f'<span class="muted mono">{h(c.id)}</span>{descriptor}'
        f"</td><td>{score_bar(c.score, marks=marks)} {score_text(c.score)}<br>"
        f"{level_badge(level_of(c))}</td>"
        f'<td class="num">{c.weight:g}</td><td>{_measured(c)}</td>'
        f'<td class="mono">{anchors}</td>'
        f'<td class="num">{c.points_lost:.1f}</td><td>{_criterion_next(c)}</td></tr>'
    )
