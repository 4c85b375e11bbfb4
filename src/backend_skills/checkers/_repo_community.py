"""The ``repo`` checker's CHANGELOG, CONTRIBUTING and LICENSE criteria."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Sequence
from pathlib import PurePosixPath

from backend_skills.checkers._repo_text import (
    _UNDERLINE,
    CHANGELOG,
    CONTRIBUTING,
    CONTRIBUTING_MIN_WORDS,
    LICENSE,
    _community_files,
    _finding,
    _join,
    _norm_stem,
    _parent,
    _Part,
    _strip_markup,
    _words,
    parse_document,
)
from backend_skills.core.discovery import FileSet, SourceFile
from backend_skills.core.models import Metric, Severity

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
    starts: list[int] = []
    heading_lines = {s.line - 1 for s in doc.sections}
    for s in doc.sections:
        title = s.title[:MAX_TITLE]  # _VERSION backtracks: quadratic in a run of digits
        if _VERSION.search(title) or _DATE.search(title) or _UNRELEASED.search(title):
            starts.append(s.line - 1)
    for n, line in enumerate(lines):
        if n in heading_lines or line[:1].isspace():
            continue
        if _ENTRY_LINE.match(line.strip()) and not line.lstrip().startswith(("-", "*", "+")):
            starts.append(n)
    starts = sorted(set(starts))
    count = 0
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(lines)
        body = "\n".join(ln for ln in lines[start + 1 : end] if not _UNDERLINE.match(ln))
        if _words(_strip_markup(body)) >= 3:
            count += 1
    return count, (starts[0] + 1 if starts else None)


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
    fragments = [
        f.path
        for f in fileset.files
        if len(PurePosixPath(f.path).parts) >= 2
        and PurePosixPath(f.path).parts[-2] in _FRAGMENT_DIRS
        and f.language in {"markdown", "rst", "text"}
        and _norm_stem(f.name) not in {"README", "TEMPLATE"}
    ]
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
    elif best is not None:
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
    return part


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


def _contributing(fileset: FileSet) -> _Part:
    part = _Part()
    found, empty = _community_files(fileset, lambda stem: stem == "CONTRIBUTING")
    if not found:
        found.extend(f for f in fileset.files if f.path.lower() in _DEVELOPER_GUIDES)
    if not found:
        _no_contributing(part, empty)
        return part
    best: tuple[int, list[str], str] | None = None
    for f in found:
        part.files.add(f.path)
        met = _contributing_signals(f)
        if best is None or len(met) > best[0]:
            best = (len(met), met, f.path)
    assert best is not None
    count, met, path = best
    part.metrics.append(
        Metric(name="repo.contributing_signals", value=float(count), unit="signals of 5", files=1)
    )
    part.notes.append(f"contributing guide: {path}; covers {_join(met) or 'nothing we recognise'}")
    missing = [s for s in CONTRIBUTING_SIGNALS if s not in met]
    if missing:
        wanted = {
            "substance": f"at least {CONTRIBUTING_MIN_WORDS} words of guidance",
            "setup": "how to set up a development environment",
            "tests": "how to run the tests",
            "workflow": "how to propose a change (branch, pull request, review)",
            "style": "which linters and formatters to run",
        }
        part.findings.append(
            _finding(
                "BSCOL004",
                CONTRIBUTING,
                path,
                f"{path} does not say {_join([wanted[m] for m in missing])}",
                severity=Severity.LOW if count <= 1 else Severity.INFO,
            )
        )
    return part


# --------------------------------------------------------------------------- LICENSE


def _norm_license(text: str) -> str:
    text = text.lower().replace("“", '"').replace("”", '"').replace("’", "'")
    return re.sub(r"[^a-z0-9.,']+", " ", text)


_N = _norm_license
#: Characters (normalised) at the start of a licence file where its title must appear.
LICENSE_HEAD = 400
_PERMISSION = "Permission is hereby granted, free of charge, to any person obtaining a copy"
_ISC_GRANT = (
    "Permission to use, copy, modify, and",
    "distribute this software for any purpose with or without fee is hereby granted",
)
_BSD = "Redistribution and use in source and binary forms"
#: (SPDX id, phrases that must all appear, whether they must appear in the first
#: :data:`LICENSE_HEAD` characters), most specific first. Titles are looked for at the
#: head only: the MPL and EPL texts mention the GPL in their bodies.
LICENSE_RULES: tuple[tuple[str, tuple[str, ...], bool], ...] = tuple(
    (spdx, tuple(_N(p).strip() for p in phrases), head)
    for spdx, phrases, head in (
        ("AGPL-3.0", ("GNU AFFERO GENERAL PUBLIC LICENSE", "Version 3"), True),
        ("LGPL-3.0", ("GNU LESSER GENERAL PUBLIC LICENSE", "Version 3"), True),
        ("LGPL-2.1", ("GNU LESSER GENERAL PUBLIC LICENSE", "Version 2.1"), True),
        ("LGPL-2.0", ("GNU LIBRARY GENERAL PUBLIC LICENSE",), True),
        ("GPL-3.0", ("GNU GENERAL PUBLIC LICENSE", "Version 3"), True),
        ("GPL-2.0", ("GNU GENERAL PUBLIC LICENSE", "Version 2"), True),
        ("Apache-2.0", ("Apache License", "Version 2.0"), True),
        ("MPL-2.0", ("Mozilla Public License", "2.0"), True),
        ("EPL-2.0", ("Eclipse Public License", "2.0"), True),
        ("BSL-1.0", ("Boost Software License",), True),
        ("EUPL-1.2", ("European Union Public Licence", "1.2"), True),
        ("CC0-1.0", ("CC0 1.0 Universal",), True),
        (
            "Unlicense",
            ("This is free and unencumbered software released into the public domain",),
            False,
        ),
        (
            "Zlib",
            (
                "provided 'as-is', without any express or implied warranty",
                "Altered source versions must be plainly marked",
            ),
            False,
        ),
        (
            "MIT",
            (
                _PERMISSION,
                "The above copyright notice and this permission notice shall be included",
            ),
            False,
        ),
        ("MIT-0", (_PERMISSION,), False),
        (
            "ISC",
            (
                *_ISC_GRANT,
                "provided that the above copyright notice and this permission notice "
                "appear in all copies",
            ),
            False,
        ),
        ("0BSD", _ISC_GRANT, False),
        ("BSD-4-Clause", (_BSD, "All advertising materials mentioning features"), False),
        ("BSD-3-Clause", (_BSD, "endorse or promote products derived from this software"), False),
        ("BSD-2-Clause", (_BSD,), False),
    )
)
_SPDX_TAG = re.compile(r"SPDX-License-Identifier:\s*([\w.+-]+(?:\s+(?:OR|AND|WITH)\s+[\w.+-]+)*)")


def detect_license(text: str) -> str | None:
    """The SPDX id of a licence text, or None when it is not one we recognise."""
    tag = _SPDX_TAG.search(text)
    if tag:
        return tag.group(1).strip()
    norm = _norm_license(text)
    head = norm[:LICENSE_HEAD]
    for spdx, required, in_head in LICENSE_RULES:
        where = head if in_head else norm
        if all(p in where for p in required):
            return spdx
    return None


def _declared_license(fileset: FileSet) -> tuple[str, str] | None:
    """A licence declared in package metadata: (value, where)."""
    pyproject = fileset.get("pyproject.toml")
    if pyproject is not None:
        try:
            project = tomllib.loads(pyproject.text).get("project", {})
        except (tomllib.TOMLDecodeError, RecursionError):
            project = {}
        if isinstance(project, dict):
            value = project.get("license")
            if isinstance(value, dict):
                value = value.get("text") or value.get("file")
            if isinstance(value, str) and value.strip():
                return value.strip()[:60], "pyproject.toml [project] license"
            for classifier in project.get("classifiers", []) or []:
                if isinstance(classifier, str) and classifier.startswith("License ::"):
                    return classifier.split("::")[-1].strip(), "pyproject.toml classifiers"
    setup_cfg = fileset.get("setup.cfg")
    if setup_cfg is not None:
        match = re.search(r"^license\s*=\s*(\S.*)$", setup_cfg.text, re.MULTILINE)
        if match:
            return match.group(1).strip()[:60], "setup.cfg license"
    package = fileset.get("package.json")
    if package is not None:
        try:
            data = json.loads(package.text)
        except (ValueError, RecursionError):
            data = None
        if isinstance(data, dict) and isinstance(data.get("license"), str):
            return str(data["license"])[:60], "package.json license"
    return None


def _license(fileset: FileSet) -> _Part:
    part = _Part()

    def accept(stem: str) -> bool:
        return stem.startswith(("LICENSE", "LICENCE", "COPYING"))

    found, empty = _community_files(fileset, accept, dirs=("",))
    reuse = [f for f in fileset.files if _parent(f.path) == "LICENSES"]
    recognised: list[tuple[str, str]] = []
    unrecognised: list[tuple[str, int]] = []
    for f in [*found, *reuse]:
        part.files.add(f.path)
        spdx = detect_license(f.text)
        if spdx is None and _parent(f.path) == "LICENSES":
            spdx = PurePosixPath(f.path).stem  # REUSE names each file by its SPDX id
        if spdx:
            recognised.append((spdx, f.path))
        else:
            unrecognised.append((f.path, _words(f.text)))
    declared = _declared_license(fileset)
    if recognised:
        level = 3.0
        part.notes.append("licence: " + ", ".join(f"{spdx} ({path})" for spdx, path in recognised))
    elif any(words >= 50 for _, words in unrecognised):
        level = 2.0
        path = next(p for p, w in unrecognised if w >= 50)
        part.findings.append(
            _finding(
                "BSCOL005",
                LICENSE,
                path,
                f"{path} is not a licence text we recognise: use the unmodified text of an "
                "OSI-approved licence (https://spdx.org/licenses/) or add an SPDX-License-Identifier line",
            )
        )
    elif unrecognised or declared:
        level = 1.0
        if unrecognised:
            path = unrecognised[0][0]
            message = f"{path} is too short to be a licence: put the full licence text in it"
        else:
            assert declared is not None
            path = "LICENSE"
            message = (
                f"licence {declared[0]!r} is declared in {declared[1]} but there is no LICENSE "
                "file: add LICENSE with the full licence text"
            )
        part.findings.append(_finding("BSCOL005", LICENSE, path, message, severity=Severity.LOW))
    else:
        level = 0.0
        if empty:
            part.findings.append(
                _finding(
                    "BSCOL005",
                    LICENSE,
                    empty[0],
                    f"{empty[0]} is empty: put the full text of the licence in it",
                    severity=Severity.LOW,
                )
            )
        else:
            part.findings.append(
                _finding(
                    "BSCOL005",
                    LICENSE,
                    "LICENSE",
                    "no LICENSE file: add LICENSE with the full text of the licence (e.g. MIT or Apache-2.0)",
                )
            )
    part.metrics.append(
        Metric(name="repo.license", value=level, unit="level of 3", files=len(part.files))
    )
    return part
