"""The ``repo`` checker's CHANGELOG, CONTRIBUTING and LICENSE criteria."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePosixPath

from backend_skills.checkers._repo_license import (
    LICENSE_HEAD,
    LICENSE_RULES,
    _declared_license,
    _license,
    detect_license,
)
from backend_skills.checkers._repo_text import (
    _UNDERLINE,
    CHANGELOG,
    CONTRIBUTING,
    CONTRIBUTING_MIN_WORDS,
    _community_files,
    _finding,
    _join,
    _norm_stem,
    _Part,
    _strip_markup,
    _words,
    parse_document,
)
from backend_skills.core.discovery import FileSet, SourceFile
from backend_skills.core.models import Finding, Metric, Severity

# --------------------------------------------------------------------------- CHANGELOG

_CHANGELOG_STEMS = frozenset(
    {"CHANGELOG", "CHANGES", "HISTORY", "NEWS", "RELEASES", "RELEASE_NOTES", "RELEASE-NOTES"}
)
#: Longest part of a heading searched for a version or date (characters).
MAX_TITLE = 200
_VERSION = re.compile(r"(?<![\w.])v?\d+\.\d+(?:\.\d+)?(?:[-.+]?[0-9A-Za-z.]+)?(?![\w])")
_DATE = re.compile(r"\b(19|20)\d\d-[01]\d-[0-3]\d\b")
_UNRELEASED = re.compile(r"\bunreleased\b", re.IGNORECASE)
_ENTRY_LINE = re.compile(
    r"^(?:version\s+|release\s+)?(?:\[?v?\d+\.\d+|(19|20)\d\d-[01]\d-[0-3]\d)", re.IGNORECASE
)
_FRAGMENT_DIRS = ("changelog.d", "newsfragments", "changes", ".changes", ".changeset")


def count_changelog_entries(text: str) -> tuple[int, int | None]:
    """Versioned, dated or "Unreleased" entries that have content, and the first one's line.

    An entry is a heading whose title holds a version (``1.2.0``, ``v2.1``), an ISO date
    or "Unreleased", or a plain line that starts with one (``1.2.0 (2024-05-01)``); it
    counts when at least three words follow it before the next entry.
    """
    doc = parse_document("", text)
    lines = text.splitlines()
    starts = [s.line - 1 for s in doc.sections if is_entry_title(s.title)]
    heading_lines = {s.line - 1 for s in doc.sections}
    starts += [n for n, line in enumerate(lines) if n not in heading_lines and is_entry_line(line)]
    starts = sorted(set(starts))
    ends = [*starts[1:], len(lines)]  # each entry runs to the next one (one too many if none)
    count = sum(_has_content(lines[s + 1 : e]) for s, e in zip(starts, ends, strict=False))
    return count, (starts[0] + 1 if starts else None)


def is_entry_title(title: str) -> bool:
    """A heading that opens a changelog entry: a version, an ISO date or "Unreleased"."""
    title = title[:MAX_TITLE]  # _VERSION backtracks: quadratic in a run of digits
    return bool(_VERSION.search(title) or _DATE.search(title) or _UNRELEASED.search(title))


def is_entry_line(line: str) -> bool:
    """A plain, unindented line that opens an entry (``1.2.0 (2024-05-01)``), not a
    list item."""
    if line[:1].isspace() or line.lstrip().startswith(("-", "*", "+")):
        return False
    return _ENTRY_LINE.match(line.strip()) is not None


def _has_content(body: Sequence[str]) -> bool:
    """At least three words under an entry (heading underlines left out)."""
    text = "\n".join(ln for ln in body if not _UNDERLINE.match(ln))
    return _words(_strip_markup(text)) >= 3


def _changelog(fileset: FileSet) -> _Part:
    part = _Part()

    def accept(stem: str) -> bool:
        return stem in _CHANGELOG_STEMS

    found, empty = _community_files(fileset, accept, dirs=("", "docs", ".github"))
    best: tuple[int, str] | None = None
    for f in found:
        part.files.add(f.path)
        entries, _ = count_changelog_entries(f.text)
        if best is None or entries > best[0]:
            best = (entries, f.path)
    fragments = [f.path for f in fileset.files if _is_fragment(f)]
    entries = best[0] if best else 0
    if fragments:
        entries += 1  # pending fragments are the next release's entry
        part.notes.append(f"changelog fragments: {len(fragments)} (towncrier or changesets)")
    part.metrics.append(
        Metric(
            name="repo.changelog_entries",
            value=float(entries),
            unit="entries",
            files=len(found),
        )
    )
    if best is not None and best[0] > 0:
        part.notes.append(f"changelog: {best[1]}, {best[0]} versioned or dated entries")
    else:
        _changelog_gap(part, best, empty, bool(fragments))
    return part


def _is_fragment(f: SourceFile) -> bool:
    """A pending changelog fragment (towncrier's ``newsfragments/``, ``changelog.d/``,
    changesets)."""
    parts = PurePosixPath(f.path).parts
    return (
        len(parts) >= 2
        and parts[-2] in _FRAGMENT_DIRS
        and f.language in {"markdown", "rst", "text"}
        and _norm_stem(f.name) not in {"README", "TEMPLATE"}
    )


def _changelog_gap(
    part: _Part, best: tuple[int, str] | None, empty: Sequence[str], fragments: bool
) -> None:
    """The finding of a changelog without entries, an empty one, or none at all."""
    if best is not None:
        part.findings.append(
            _finding(
                "BSCOL003",
                CHANGELOG,
                best[1],
                f"{best[1]} has no versioned or dated entry: add '## [1.0.0] - 2024-05-01' headings "
                "with the changes under each",
                severity=Severity.LOW,
            )
        )
    elif empty:
        part.findings.append(
            _finding("BSCOL003", CHANGELOG, empty[0], f"{empty[0]} is empty", severity=Severity.LOW)
        )
    elif not fragments:
        part.findings.append(
            _finding(
                "BSCOL003",
                CHANGELOG,
                "CHANGELOG.md",
                "no CHANGELOG: add CHANGELOG.md in the Keep a Changelog format",
            )
        )


# --------------------------------------------------------------------------- CONTRIBUTING

CONTRIBUTING_SIGNALS = ("substance", "setup", "tests", "workflow", "style")
_CONTRIB_PATTERNS = {
    "setup": re.compile(
        r"\b(virtualenv|venv|virtual environment|pip install|poetry install|uv sync|pdm install|"
        r"pipenv|conda|requirements[-_]dev|dev(elopment)? (dependencies|environment|setup|tools)|"
        r"make (install|setup|dev)|docker[ -]compose|npm (install|ci)|set ?up|install)\b",
        re.IGNORECASE,
    ),
    "tests": re.compile(
        r"\b(pytest|tox|nox|unittest|make (test|check)|npm (run )?test|go test|cargo test|"
        r"run (the )?tests?|test suite|write tests?|tests? for|add tests?)\b",
        re.IGNORECASE,
    ),
    "workflow": re.compile(
        r"\b(pull requests?|merge requests?|PRs?|fork|branch(es)?|review\w*|issues?|"
        r"commit messages?|conventional commits?|squash|rebase|changelog)\b",
        re.IGNORECASE,
    ),
    "style": re.compile(
        r"\b(lint\w*|format\w*|ruff|black|flake8|pylint|isort|mypy|pyright|pre-commit|"
        r"style guide|code style|coding style|type hints?|eslint|prettier|gofmt|rubocop)\b",
        re.IGNORECASE,
    ),
}


_DEVELOPER_GUIDES = frozenset(
    f"docs/{n}.{e}"
    for n in ("contributing", "development", "developing", "hacking")
    for e in ("md", "rst", "txt")
)


def _no_contributing(part: _Part, empty: Sequence[str]) -> None:
    if empty:
        part.findings.append(
            _finding(
                "BSCOL004",
                CONTRIBUTING,
                empty[0],
                f"{empty[0]} is empty: explain how to set up, test and propose a change",
                severity=Severity.LOW,
            )
        )
    else:
        part.findings.append(
            _finding(
                "BSCOL004",
                CONTRIBUTING,
                "CONTRIBUTING.md",
                "no CONTRIBUTING guide: add CONTRIBUTING.md with set-up, test, style and pull-request steps",
            )
        )
    part.metrics.append(Metric(name="repo.contributing_signals", value=0.0, unit="signals of 5"))


def _contributing_signals(f: SourceFile) -> list[str]:
    """The :data:`CONTRIBUTING_SIGNALS` a guide covers."""
    doc = parse_document(f.path, f.text)
    if doc.prose_words < 15:
        return []  # a title and a sentence is not a guide, whatever words it names
    return [
        s
        for s in CONTRIBUTING_SIGNALS
        if (
            doc.prose_words >= CONTRIBUTING_MIN_WORDS
            if s == "substance"
            else _CONTRIB_PATTERNS[s].search(f.text) is not None
        )
    ]


def _best_guide(found: Sequence[SourceFile]) -> tuple[int, list[str], str]:
    """The guide that covers most signals (the first of equals): (count, signals, path)."""
    best: tuple[int, list[str], str] | None = None
    for f in found:
        met = _contributing_signals(f)
        if best is None or len(met) > best[0]:
            best = (len(met), met, f.path)
    assert best is not None
    return best


def _contributing(fileset: FileSet) -> _Part:
    part = _Part()
    found, empty = _community_files(fileset, lambda stem: stem == "CONTRIBUTING")
    if not found:
        found.extend(f for f in fileset.files if f.path.lower() in _DEVELOPER_GUIDES)
    if not found:
        _no_contributing(part, empty)
        return part
    part.files.update(f.path for f in found)
    count, met, path = _best_guide(found)
    part.metrics.append(
        Metric(name="repo.contributing_signals", value=float(count), unit="signals of 5", files=1)
    )
    part.notes.append(f"contributing guide: {path}; covers {_join(met) or 'nothing we recognise'}")
    missing = [s for s in CONTRIBUTING_SIGNALS if s not in met]
    if missing:
        part.findings.append(_guide_gaps(path, missing, count))
    return part


def _guide_gaps(path: str, missing: Sequence[str], count: int) -> Finding:
    """What a contributing guide covering ``count`` signals does not say."""
    return _finding(
        "BSCOL004",
        CONTRIBUTING,
        path,
        f"{path} does not say {_join([_CONTRIB_WANTED[m] for m in missing])}",
        severity=Severity.LOW if count <= 1 else Severity.INFO,
    )


#: What a guide lacking each signal should say.
_CONTRIB_WANTED = {
    "substance": f"at least {CONTRIBUTING_MIN_WORDS} words of guidance",
    "setup": "how to set up a development environment",
    "tests": "how to run the tests",
    "workflow": "how to propose a change (branch, pull request, review)",
    "style": "which linters and formatters to run",
}


__all__ = [
    "CONTRIBUTING_SIGNALS",
    "LICENSE_HEAD",
    "LICENSE_RULES",
    "MAX_TITLE",
    "_declared_license",
    "_license",
    "count_changelog_entries",
    "detect_license",
]
