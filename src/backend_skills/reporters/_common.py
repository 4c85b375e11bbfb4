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

#: Characters never shown raw, by Unicode category: controls (``Cc``: C0, DEL and C1,
#: so ESC, BEL and CSI among them), format characters (``Cf``: bidi overrides and
#: isolates such as U+202E, zero-width characters, the BOM, tag characters), surrogates
#: (``Cs``: bytes of a path that were not UTF-8), line and paragraph separators (``Zl``,
#: ``Zp``). As of Unicode 15.1; a test checks the class against :mod:`unicodedata`.
_HIDDEN_BEYOND_C0 = (
    "\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff"
    "\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_HIDDEN = re.compile(f"[\x00-\x1f{_HIDDEN_BEYOND_C0}]")
#: The same in JSON text, where writers already escape C0 inside strings (so a raw
#: newline there is between tokens and stays).
_JSON_HIDDEN = re.compile(f"[{_HIDDEN_BEYOND_C0}]")
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: CI log commands recognised anywhere in a line: GitHub's legacy ``##[command]``
#: (``##[error]``, ``##[stop-commands]``) and Azure Pipelines' ``##vso[...]``.
_INLINE_LOG_COMMAND = re.compile(r"(##(?:vso)?)\[", re.IGNORECASE)
#: A line that GitHub reads as a workflow command: ``::`` after leading blanks (the
#: runner trims them), here also after colour codes.
_LINE_LOG_COMMAND = re.compile(r"^([^\S\n]*(?:\x1b\[[0-9;]*m[^\S\n]*)*):(?=:)", re.MULTILINE)
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


def _escape(char: str) -> str:
    named = _NAMED_ESCAPES.get(char)
    if named is not None:
        return named
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (os.fsdecode's surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _escape_match(match: re.Match[str]) -> str:
    return _escape(match[0])


def printable(text: str, limit: int | None = None) -> str:
    """Text from the scored repository made safe to show in a terminal, a CI log or a page.

    Every control character (C0 including newline and tab, DEL, C1, so ESC, BEL and CSI),
    format character (bidi overrides and isolates such as U+202E, zero-width characters,
    the BOM), line or paragraph separator and lone surrogate becomes a visible escape:
    ``\\n``, ``\\x1b``, ``\\u202e``; a byte of a path that was not UTF-8 shows as
    ``\\xff``. The result is one line that no terminal or CI runner interprets. CI log
    commands that work anywhere in a line (``##[error]``, ``##vso[...]``) lose their
    ``[`` to ``\\x5b``; see :func:`defuse_log_lines` for commands at the start of a line.

    With ``limit``, the text is cut to ``limit`` characters, ending with an ellipsis,
    before escaping.
    """
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)].rstrip() + "…"
    if not text.isprintable():
        text = _HIDDEN.sub(_escape_match, text)
    if "##" in text:
        text = _INLINE_LOG_COMMAND.sub(r"\1\\x5b", text)
    return text


def defuse_log_lines(text: str) -> str:
    """``text`` with no line that a CI runner reads as a workflow command.

    GitHub Actions runs a line as a command when it starts with ``::`` once leading
    blanks are trimmed. None of the human-readable formats starts a line with ``::``
    itself, so such a line can only come from repository text that wrapping or a table
    put first: its first ``:`` becomes ``\\x3a``. Applied to the text, compare, JUnit
    and Markdown outputs as a last step.
    """
    return _LINE_LOG_COMMAND.sub(r"\1\\x3a", text)


def one_line(text: str, limit: int | None = None) -> str:
    """Prose on one line: whitespace runs collapsed, then made :func:`printable`.

    For text that may wrap in its source (remediation, reasons, tool messages). Use
    :func:`printable` for names and paths, where a newline must stay visible.
    """
    cleaned = _WHITESPACE_RUN.sub(" ", text).strip()
    return printable(cleaned, limit)


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def json_safe(text: str) -> str:
    """JSON text whose bytes are inert wherever they are shown, with the same meaning.

    Control (C1, DEL), bidi, invisible and separator characters and lone surrogates
    (bytes of a path that were not UTF-8) inside strings become ``\\uXXXX`` escapes (the
    JSON writers already escape C0 controls), and
    the ``[`` of ``##[`` or ``##vso[`` becomes ``\\u005b``: a parser reads back exactly
    the same values, while a terminal or a CI log that prints the file sees nothing it
    would act on. The result encodes to UTF-8 whatever the input held.
    """
    text = _JSON_HIDDEN.sub(_json_escape, text)
    if "##" in text:
        text = _INLINE_LOG_COMMAND.sub(r"\1\\u005b", text)
    return text


def xml_text(text: str) -> str:
    """``text`` without characters XML 1.0 cannot carry (escaping is left to the writer)."""
    return _XML_INVALID.sub("\ufffd", text)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def md_escape(text: str, limit: int | None = None) -> str:
    """Repository text made inert in GitHub-flavoured Markdown, on one line.

    The text is made :func:`printable` first (so a newline shows as ``\\n`` and cannot
    end a table row), then Markdown punctuation is backslash-escaped (including ``|``
    for tables, backticks, ``[``/``]`` for links and images), ``<``, ``>`` and ``&``
    become entities so no HTML gets through, ``://`` is broken so no bare URL becomes a
    link, and ``@mentions`` get a zero-width space so a report posted as a comment pings
    nobody.
    """
    flat = printable(text, limit)
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    flat = _MD_SPECIAL.sub(r"\\\1", flat)
    flat = flat.replace("://", ":\\/\\/")
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
