"""Rendering of a :class:`~backend_skills.core.baseline.Comparison` (``backend-skills compare``).

Text for the terminal, Markdown for a pull-request comment or job summary, JSON for
machines. Like reporters, these only read what the core computed. Both reports are
untrusted (either may come from a pull request): every string taken from them is made
:func:`~._common.printable` in text, :func:`~._common.md_escape`-d in Markdown, and the
JSON goes through :func:`~._common.json_safe`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from pydantic_core import PydanticSerializationError

from backend_skills.core.baseline import Comparison, ScoreDelta
from backend_skills.core.models import Finding

from ._common import defuse_log_lines, json_safe, md_escape, printable, score_text

#: Findings listed per section before "... N more".
MAX_LISTED = 50
COMPARE_FORMATS = ("text", "markdown", "json")


def _delta_text(delta: ScoreDelta) -> str:
    return "" if delta.delta is None else f"{delta.delta:+.1f}"


def _level_text(delta: ScoreDelta) -> str:
    old = delta.old_level.value if delta.old_level else "n/a"
    new = delta.new_level.value if delta.new_level else "n/a"
    return new if old == new else f"{old} -> {new}"


def _where(finding: Finding) -> str:
    return finding.path + (f":{finding.line}" if finding.line else "")


def render_text(comparison: Comparison) -> str:
    """Plain text (no colour): deltas, new and fixed findings, warnings."""
    old, new = comparison.old, comparison.new
    lines = [
        f"old: {printable(old.root)} (score {score_text(old.score)}, rubric "
        f"{printable(old.rubric_version)}, backend-skills {printable(old.tool_version)})",
        f"new: {printable(new.root)} (score {score_text(new.score)}, rubric "
        f"{printable(new.rubric_version)}, backend-skills {printable(new.tool_version)})",
        "",
        f"Overall: {score_text(comparison.overall.old)} -> {score_text(comparison.overall.new)}"
        f" {_delta_text(comparison.overall)} ({_level_text(comparison.overall)})".rstrip(),
    ]
    if comparison.skills:
        lines += ["", "Skills"]
        names = [printable(d.name, 60) for d in comparison.skills]
        width = max(len(name) for name in names)
        for name, d in zip(names, comparison.skills, strict=True):
            lines.append(
                f"  {name:{width}}  {score_text(d.old):>5} -> {score_text(d.new):>5}  "
                f"{_delta_text(d):>6}  {_level_text(d)}"
            )
    changed = [d for d in comparison.criteria if d.changed]
    lines += ["", f"Criteria that changed ({len(changed)} of {len(comparison.criteria)})"]
    for d in changed:
        lines.append(
            f"  {printable(d.id, 80):40} {score_text(d.old):>5} -> {score_text(d.new):>5}  "
            f"{_delta_text(d):>6}  {_level_text(d)}"
        )
    for title, findings in (
        ("New findings", comparison.new_findings),
        ("Fixed findings", comparison.fixed_findings),
    ):
        lines += ["", f"{title} ({len(findings)})", *_text_findings(findings)]
    lines += ["", f"Unchanged findings: {comparison.unchanged_findings}"]
    lines += [f"warning: {printable(w)}" for w in comparison.warnings]
    return defuse_log_lines("\n".join(lines) + "\n")


def render_markdown(comparison: Comparison) -> str:
    """GitHub-flavoured Markdown with escaped repository text."""
    overall = comparison.overall
    lines = [
        f"## backend-skills: {score_text(overall.old)} → {score_text(overall.new)}"
        + (f" ({_delta_text(overall)})" if overall.delta is not None else ""),
        "",
    ]
    lines += [f"> ⚠️ {md_escape(w)}" for w in comparison.warnings]
    if comparison.warnings:
        lines.append("")
    lines += _markdown_skills(comparison.skills)
    lines += _markdown_criteria([d for d in comparison.criteria if d.changed])
    for title, findings in (
        ("New findings", comparison.new_findings),
        ("Fixed findings", comparison.fixed_findings),
    ):
        lines += [f"### {title} ({len(findings)})", "", *_markdown_findings(findings)]
    lines.append(f"{comparison.unchanged_findings} findings unchanged.")
    return defuse_log_lines("\n".join(lines) + "\n")


def _markdown_skills(deltas: Sequence[ScoreDelta]) -> list[str]:
    """A table of the skills' scores, old and new (nothing when there are none)."""
    if not deltas:
        return []
    lines = ["| Skill | Old | New | Change | Level |", "| --- | ---: | ---: | ---: | --- |"]
    lines += [
        f"| {md_escape(d.name)} | {score_text(d.old)} | {score_text(d.new)} "
        f"| {_delta_text(d)} | {md_escape(_level_text(d))} |"
        for d in deltas
    ]
    return [*lines, ""]


def _markdown_criteria(changed: Sequence[ScoreDelta]) -> list[str]:
    """A folded table of the criteria whose score changed (nothing when none did)."""
    if not changed:
        return []
    lines = [
        "<details><summary>Criteria that changed</summary>",
        "",
        "| Criterion | Old | New | Change |",
        "| --- | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {md_escape(d.name)} ({md_escape(d.id)}) | {score_text(d.old)} "
        f"| {score_text(d.new)} | {_delta_text(d)} |"
        for d in changed
    ]
    return [*lines, "", "</details>", ""]


def _text_findings(findings: Sequence[Finding]) -> list[str]:
    """The first :data:`MAX_LISTED` findings, one plain line each, and how many more."""
    lines = [
        f"  {finding.severity.value.upper():8} {printable(_where(finding), 200)}  "
        f"{printable(finding.rule, 40)} {printable(finding.message, 200)}  "
        f"[{printable(finding.criterion, 80)}]" + ("" if finding.counted else " (no cost)")
        for finding in findings[:MAX_LISTED]
    ]
    if len(findings) > MAX_LISTED:
        lines.append(f"  ... {len(findings) - MAX_LISTED} more (use --format json)")
    return lines


def _markdown_findings(findings: Sequence[Finding]) -> list[str]:
    """A table of the first :data:`MAX_LISTED` findings and how many more ("None." when
    there is none), followed by a blank line."""
    if not findings:
        return ["None.", ""]
    lines = ["| Severity | Where | Rule | Finding |", "| --- | --- | --- | --- |"]
    lines += [
        f"| {finding.severity.value} | {md_escape(_where(finding), 200)} "
        f"| {md_escape(finding.rule, 40)} | {md_escape(finding.message, 300)} |"
        for finding in findings[:MAX_LISTED]
    ]
    if len(findings) > MAX_LISTED:
        lines += ["", f"_{len(findings) - MAX_LISTED} more in the JSON comparison._"]
    lines.append("")
    return lines


def render(comparison: Comparison, fmt: str) -> str:
    """The comparison in ``fmt`` (one of :data:`COMPARE_FORMATS`)."""
    if fmt == "json":
        try:
            text = comparison.to_json()
        except PydanticSerializationError:  # a lone surrogate: see reporters/json.py
            text = json.dumps(comparison.model_dump(mode="json"), indent=2, ensure_ascii=False)
            text += "\n"
        return json_safe(text)
    if fmt == "markdown":
        return render_markdown(comparison)
    return render_text(comparison)
