"""Helpers shared by the CI reporters: which findings to show, escaping, option parsing.

Reporters only read the :class:`~backend_skills.core.models.Report`; nothing here
computes a score. Everything that came from the scored repository (paths, messages,
rule ids) is treated as hostile text and escaped for the target format.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from backend_skills.core.checker import RenderOptions
from backend_skills.core.models import CriterionResult, Finding, Report, Severity, SkillResult

#: Control characters (C0 except tab/newline/carriage return, DEL, C1) and lone surrogates.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
#: Characters not allowed anywhere in an XML 1.0 document.
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_WHITESPACE_RUN = re.compile(r"\s+")


class FormatOptionError(ValueError):
    """A ``--format-option`` value the reporter cannot use (a usage error, exit 2)."""


def option(options: RenderOptions, key: str, default: str | None = None) -> str | None:
    """A ``--format-option`` value (``RenderOptions.extra``) as text, or ``default``."""
    value = options.extra.get(key, default)
    return None if value is None else str(value)


def float_option(options: RenderOptions, key: str, default: float) -> float:
    """A numeric ``--format-option``; a value that is not a number is a ``ValueError``."""
    raw = options.extra.get(key)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise FormatOptionError(f"format option {key}={raw!r}: expected a number") from None


def int_option(options: RenderOptions, key: str, default: int) -> int:
    """A whole-number ``--format-option``; anything else is a ``ValueError``."""
    raw = options.extra.get(key)
    if raw is None or raw == "":
        return default
    try:
        return int(str(raw))
    except ValueError:
        raise FormatOptionError(f"format option {key}={raw!r}: expected a whole number") from None


def path_prefix(options: RenderOptions) -> str:
    """``path_prefix`` option, normalised to ``""`` or ``"some/dir/"``.

    Use it when the scored folder is not the repository root, so that locations in
    SARIF, GitLab and GitHub output are relative to the repository as those tools expect.
    """
    raw = (option(options, "path_prefix") or "").replace("\\", "/").strip("/")
    parts = [p for p in raw.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise FormatOptionError("format option path_prefix must not contain '..'")
    return "/".join(parts) + "/" if parts else ""


def repo_path(finding: Finding, options: RenderOptions) -> str:
    """The finding's POSIX path relative to the repository (prefix applied)."""
    return path_prefix(options) + finding.path.lstrip("/")


def shown_findings(report: Report, options: RenderOptions) -> list[Finding]:
    """Findings CI formats report: counted ones, or every one with ``-v``.

    Findings that cost nothing (e.g. in test files, ``counted: false``) are left out by
    default so CI annotations and code-quality widgets show only what the score charges.
    Order: most severe first, then path, line, rule.
    """
    chosen = report.findings if options.verbose else [f for f in report.findings if f.counted]
    return sorted(chosen, key=lambda f: (-f.severity.rank, f.sort_key()))


def criteria_index(report: Report) -> dict[str, tuple[SkillResult, CriterionResult]]:
    """Criterion id -> (skill, criterion) for every criterion in the report."""
    return {c.id: (s, c) for s in report.skills for c in s.criteria}


def one_line(text: str, limit: int | None = None) -> str:
    """``text`` on one line: control characters removed, whitespace runs collapsed.

    With ``limit``, cut to at most ``limit`` characters, ending with an ellipsis.
    """
    cleaned = _CONTROL.sub("", text)
    cleaned = _WHITESPACE_RUN.sub(" ", cleaned).strip()
    if limit is not None and len(cleaned) > limit:
        cleaned = cleaned[: max(limit - 1, 0)].rstrip() + "…"
    return cleaned


def xml_text(text: str) -> str:
    """``text`` without characters XML 1.0 cannot carry (escaping is left to the writer)."""
    return _XML_INVALID.sub("\ufffd", text)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def md_escape(text: str, limit: int | None = None) -> str:
    """Repository text made inert in GitHub-flavoured Markdown, on one line.

    Backslash-escapes Markdown punctuation (including ``|`` for tables), turns ``<``,
    ``>`` and ``&`` into entities so no HTML gets through, and breaks ``@mentions`` with
    a zero-width space so a report posted as a comment pings nobody.
    """
    flat = one_line(text, limit)
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    flat = _MD_SPECIAL.sub(r"\\\1", flat)
    return flat.replace("@", "@\u200b")


def severity_counts(findings: Iterable[Finding]) -> dict[Severity, int]:
    """Number of findings per severity, most severe first, zero counts included."""
    counts = dict.fromkeys(Severity, 0)
    for finding in findings:
        counts[finding.severity] += 1
    return counts


def score_text(value: float | None) -> str:
    """A score with one decimal, or ``n/a``."""
    return "n/a" if value is None else f"{value:.1f}"


def sources_suffix(finding: Finding) -> str:
    """`` (also reported by bandit B608)`` when other tools reported the same location,
    each with its own rule id, and `` [suppressed: why]`` for a suppressed finding."""
    others = [
        f"{s.checker} {s.rule}"
        for s in finding.sources
        if (s.checker, s.rule) != (finding.checker, finding.rule)
    ]
    text = f" (also reported by {', '.join(others)})" if others else ""
    if finding.suppressed:
        text += f" [suppressed: {finding.suppressed}]"
    return text


def level_of(item: SkillResult | CriterionResult) -> str:
    """The level name, or why there is none."""
    if not item.assessed:
        return "not assessed"
    if not item.applicable or item.level is None:
        return "not applicable"
    return item.level.value


def costliest_criteria(
    report: Report, limit: int
) -> list[tuple[float, SkillResult, CriterionResult]]:
    """The ``limit`` criteria that cost the overall score most: (points lost weighted by
    the skill's weight, skill, criterion), largest first, ties by criterion id."""
    return sorted(
        (
            (c.points_lost * s.weight, s, c)
            for s in report.skills
            for c in s.criteria
            if c.points_lost > 0 and s.applicable
        ),
        key=lambda item: (-item[0], item[2].id),
    )[:limit]


def overall_basis(report: Report) -> str:
    """``3 of 5 skills; security and scalability not assessed: ...`` when the overall
    score stands on fewer skills than the report has (empty otherwise)."""
    if not report.not_assessed:
        return ""
    scored = sum(1 for s in report.skills if s.score is not None)
    names = [n.skill for n in report.not_assessed]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    reasons = sorted({n.reason.removeprefix("not assessed: ") for n in report.not_assessed})
    return f"{scored} of {len(report.skills)} skills; {listed} not assessed: {'; '.join(reasons)}"


def coverage_lines(report: Report) -> list[str]:
    """``Source read: python (4,210 lines); not read: java (12,400 lines)``."""
    read: dict[str, int] = {}
    not_read: dict[str, int] = {}
    for skill in report.skills:
        cov = skill.coverage
        if cov is None or not cov.reads_source:
            continue
        read.update(cov.languages_read)
        not_read.update(cov.languages_not_read)
    for lang in read:
        not_read.pop(lang, None)
    if not read and not not_read:
        return []

    def listing(langs: dict[str, int]) -> str:
        return ", ".join(f"{k} ({v:,} lines)" for k, v in langs.items()) or "none"

    unread = f"; not read: {listing(not_read)}" if not_read else ""
    return [f"Source read: {listing(read)}{unread}"]


def skill_score_note(skill: SkillResult) -> str:
    """``(capped from 81.2)``, ``(62% of source read)`` beside a skill's score."""
    notes = []
    if skill.cap is not None and skill.score is not None and skill.cap.value < skill.cap.uncapped:
        notes.append(f"capped from {skill.cap.uncapped:.1f}")
    cov = skill.coverage
    if skill.score is not None and cov is not None and cov.share is not None and cov.share < 1:
        pct = min(int(cov.share * 100), 99)  # never "100%" when something was not read
        notes.append(f"{pct}% of source read" if pct >= 1 else "<1% of source read")
    return f"({'; '.join(notes)})" if notes else ""
