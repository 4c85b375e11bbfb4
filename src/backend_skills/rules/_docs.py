"""Text made from the registry: ``docs/rules-reference.md`` and ``backend-skills rules``.

Both read only :data:`backend_skills.rules.RULES`; nothing about a rule is written
twice. ``python docs/gen.py`` writes the reference page and ``tests/test_rules_registry.py``
fails when the page in the repository is stale.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ._model import Example, Rule

SKILL_NAMES = {
    "security": "Web security",
    "database": "Database",
    "server_side": "Server-side programming",
    "scalability": "Scalability",
    "collaboration": "Collaboration",
}
SKILL_ORDER = tuple(SKILL_NAMES)

#: Code fence info strings by example language.
FENCE = {
    "csharp": "csharp",
    "go": "go",
    "gomod": "text",
    "groovy": "groovy",
    "java": "java",
    "javascript": "javascript",
    "json": "json",
    "properties": "properties",
    "python": "python",
    "sql": "sql",
    "typescript": "typescript",
    "xml": "xml",
    "yaml": "yaml",
}
_FENCE_BY_SUFFIX = {
    ".md": "markdown",
    ".yml": "yaml",
    ".yaml": "yaml",
    ".toml": "toml",
    ".py": "python",
    ".sql": "sql",
    ".txt": "text",
}
#: Examples longer than this are shown cut (the test suite runs them in full).
MAX_EXAMPLE_LINES = 40


def emitted_by(rule: Rule) -> list[str]:
    """The checkers that emit ``rule``: ``polyglot`` runs the patterns and measures the
    tree-sitter languages, ``rule.checker`` the rest (a rule can have both)."""
    names = [rule.checker] if rule.checker else []
    return [*names, "polyglot"] if rule.patterns or not rule.checker else names


def cwe_link(cwe: int) -> str:
    """A Markdown link to the CWE's definition."""
    return f"[CWE-{cwe}](https://cwe.mitre.org/data/definitions/{cwe}.html)"


def ordered(rules: Iterable[Rule]) -> list[Rule]:
    """Rules by skill (the rubric's order), then id."""
    rank = {skill: i for i, skill in enumerate(SKILL_ORDER)}
    return sorted(rules, key=lambda r: (rank.get(r.skill, len(rank)), r.skill, r.id))


def example_files(example: Example) -> list[tuple[str, str]]:
    """(path, content) of every file of the example, the main one first."""
    files = [(example.path, example.code)] if example.code else []
    return files + sorted((p, c) for p, c in example.files.items() if p != example.path)


def where(example: Example) -> str:
    """Where an anti-pattern example fires, in words."""
    lines = [n for n in example.lines if n]
    place = f"`{example.path}`" if example.path else "the example"
    if not lines:
        return f"fires on {place}"
    label = "line" if len(lines) == 1 else "lines"
    return f"fires at {label} {', '.join(map(str, lines))} of {place}"


def _fence(text: str, info: str) -> list[str]:
    longest = max((len(m) for m in re.findall(r"`{3,}", text)), default=0)
    fence = "`" * max(3, longest + 1)
    body = text.rstrip("\n").split("\n")
    if len(body) > MAX_EXAMPLE_LINES:
        cut = len(body) - MAX_EXAMPLE_LINES + 5
        body = [*body[: MAX_EXAMPLE_LINES - 5], f"... ({cut} more lines)"]
    return [f"{fence}{info}", *body, fence]


def _info(language: str, path: str) -> str:
    for suffix, info in _FENCE_BY_SUFFIX.items():
        if path.endswith(suffix):
            return info
    return FENCE.get(language, "text")


def _example_md(example: Example) -> list[str]:
    head = (
        f"**Anti-pattern** ({example.language}; {where(example)}):"
        if example.lines
        else f"**Best practice** ({example.language}; stays quiet):"
    )
    out = [head, ""]
    files = example_files(example)
    if not files:
        out += ["*(an empty repository)*", ""]
    for path, content in files:
        if len(files) > 1 or example.files or not example.code:
            out += [f"`{path}`:", ""]
        out += [*_fence(content, _info(example.language, path)), ""]
    if example.lines and not example.code and example.path:
        out += [f"The finding is reported on `{example.path}`, which is missing.", ""]
    return out


def _rule_md(rule: Rule) -> list[str]:
    cwe = cwe_link(rule.cwe) if rule.cwe is not None else "none"
    checkers = emitted_by(rule)
    out = [
        f"### {rule.id}",
        "",
        f"**{rule.title}**",
        "",
        "| | |",
        "| --- | --- |",
        f"| Skill / criterion | `{rule.skill}` / `{rule.criterion}` |",
        f"| Severity | {rule.severity.value} |",
        f"| Confidence | {rule.confidence.value} |",
        f"| CWE | {cwe} |",
        f"| Languages | {', '.join(rule.languages)} |",
        f"| Emitted by | {', '.join(f'`{c}`' for c in checkers)} checker{'s' * (len(checkers) > 1)} |",
        "",
    ]
    if rule.varies:
        out += [f"**Severity and confidence vary.** {rule.varies}", ""]
    if rule.taint:
        out += [
            "**Vulnerability or hotspot.** With request input in the same function the "
            "finding has the severity and confidence above; otherwise it is a hotspot to "
            "review, one severity lower, with medium confidence.",
            "",
        ]
    out += [f"**Why it matters.** {rule.rationale}", "", f"**How to fix.** {rule.fix}", ""]
    for example in rule.examples:
        out += _example_md(example)
    return out


def reference_markdown(rules: Iterable[Rule]) -> str:
    """The whole ``docs/rules-reference.md`` page."""
    listed = ordered(rules)
    lines = [
        "# Rules reference",
        "",
        "<!-- generated by docs/gen.py from backend_skills/rules; do not edit -->",
        "",
        "Every rule of backend-skills, declared once in `src/backend_skills/rules/`: what it",
        "matches, why it matters, how to fix it, and examples that the test suite runs (each",
        "anti-pattern must fire at the lines given, each best practice must stay quiet).",
        "Rules of third-party tools (bandit's `B...`, sqlfluff's codes) are documented by",
        "those tools. `backend-skills rules [ID]` shows the same in the terminal.",
        "",
        "Severity and confidence are each rule's defaults; where a finding's differ (a",
        "dev-only settings file, a complexity rank), the rule says so. How findings turn",
        "into scores: [scoring.md](scoring.md); the criteria: [rubrics-reference.md](rubrics-reference.md).",
        "",
        "| Rule | Title | Criterion | Severity | CWE | Languages |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for rule in listed:
        cwe = str(rule.cwe) if rule.cwe is not None else ""
        lines.append(
            f"| [{rule.id}](#{rule.anchor}) | {rule.title} | `{rule.criterion}` | "
            f"{rule.severity.value} | {cwe} | {', '.join(rule.languages)} |"
        )
    lines.append("")
    skill = None
    for rule in listed:
        if rule.skill != skill:
            skill = rule.skill
            lines += [f"## {SKILL_NAMES.get(skill, skill)} (`{skill}`)", ""]
        lines += _rule_md(rule)
    return "\n".join(lines).rstrip("\n") + "\n"


def rule_summary(rule: Rule) -> dict[str, Any]:
    """One line of ``backend-skills rules --format json``."""
    return {
        "id": rule.id,
        "title": rule.title,
        "skill": rule.skill,
        "criterion": rule.criterion,
        "severity": rule.severity.value,
        "confidence": rule.confidence.value,
        "cwe": rule.cwe,
        "languages": list(rule.languages),
        "help_uri": rule.help_uri,
    }


def rule_details(rule: Rule) -> dict[str, Any]:
    """``backend-skills rules ID --format json``: everything the registry declares."""
    return {
        **rule_summary(rule),
        "checker": ", ".join(emitted_by(rule)),
        "message": rule.message,
        "varies": rule.varies,
        "taint": rule.taint,
        "rationale": rule.rationale,
        "fix": rule.fix,
        "examples": [
            {
                "kind": "anti-pattern" if e.lines else "best-practice",
                "language": e.language,
                "path": e.path,
                "lines": list(e.lines),
                "code": e.code,
                "files": dict(e.files),
            }
            for e in rule.examples
        ],
    }


def explain_text(rule: Rule) -> str:
    """``backend-skills rules ID``: the rule in plain text."""
    cwe = f"CWE-{rule.cwe}" if rule.cwe is not None else "none"
    out = [
        f"{rule.id}: {rule.title}",
        "",
        f"Skill / criterion: {rule.skill} / {rule.criterion}",
        f"Severity: {rule.severity.value}   Confidence: {rule.confidence.value}   CWE: {cwe}",
        f"Languages: {', '.join(rule.languages)}   Checker: {', '.join(emitted_by(rule))}",
        f"Reported as: {rule.message}",
        "",
        "Why it matters",
        f"  {rule.rationale}",
    ]
    if rule.varies:
        out += ["", "Severity and confidence vary", f"  {rule.varies}"]
    out += ["", "How to fix", f"  {rule.fix}"]
    for example in rule.examples:
        head = (
            f"Anti-pattern ({example.language}; {where(example)})"
            if example.lines
            else f"Best practice ({example.language}; stays quiet)"
        )
        out += ["", head]
        files = example_files(example)
        if example.lines and not example.code and example.path:
            out.append(f"  (reported on {example.path}, which is missing)")
        for path, content in files:
            if len(files) > 1 or not example.code:
                out.append(f"  --- {path}")
            body = content.rstrip("\n").split("\n")
            if len(body) > MAX_EXAMPLE_LINES:
                body = [
                    *body[: MAX_EXAMPLE_LINES - 5],
                    f"... ({len(body) - MAX_EXAMPLE_LINES + 5} more lines)",
                ]
            out += [f"    {line}".rstrip() for line in body]
    out += ["", f"Documentation: {rule.help_uri}"]
    return "\n".join(out) + "\n"
