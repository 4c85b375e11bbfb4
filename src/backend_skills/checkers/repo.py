"""The ``repo`` checker: documentation, review scaffolding, automation and linters.

Every file is judged by what it says, not by its presence: an empty README earns what no
README earns, a CHANGELOG counts its versioned or dated entries, a LICENSE counts when
its text is recognised as a known licence, a CI workflow counts when it runs the tests.
The checker reads only what discovery already read (``ctx.fileset``); empty files are
found in ``ctx.fileset.skipped`` (reason ``"empty file"``) so a finding can say so.

The precise rule of every heuristic is documented in ``docs/collaboration.md``.
"""

from __future__ import annotations

import bisect
import configparser
import functools
import itertools
import json
import posixpath
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from backend_skills.checkers._ci_commands import (
    Command,
    follow,
    runs_tests,
    split_commands,
    yaml_commands,
)
from backend_skills.core.cache import fileset_shape_digest
from backend_skills.core.checker import CheckContext, Checker, RepoChecker
from backend_skills.core.discovery import FileSet, SourceFile
from backend_skills.core.hookspecs import hookimpl
from backend_skills.core.models import CheckResult, Finding, Metric, Severity, Skip

if TYPE_CHECKING:
    import yaml

SKILL = "collaboration"

README = "collaboration.readme"
DOCS = "collaboration.docs"
CHANGELOG = "collaboration.changelog"
CONTRIBUTING = "collaboration.contributing"
LICENSE = "collaboration.license"
REVIEW = "collaboration.review"
CI = "collaboration.ci"
LINTERS = "collaboration.linters"

#: Largest YAML file parsed (bytes); bigger CI files are skipped with the reason.
MAX_YAML_BYTES = 512 * 1024
#: Most string values collected from one YAML document.
MAX_YAML_STRINGS = 50_000

#: Folders GitHub and GitLab look in for community files, in order of preference.
COMMUNITY_DIRS = ("", ".github", "docs", ".gitlab")
#: Path components that mark documentation folders.
DOC_DIRS = frozenset({"docs", "doc", "documentation", "adr", "adrs", "decisions", "wiki"})
#: Words a documentation page needs (outside headings and code) to count as a page.
DOC_PAGE_MIN_WORDS = 25
#: Words of prose a README needs for its "body" signal.
README_MIN_WORDS = 50
#: Words a section needs below a heading for the heading to count.
SECTION_MIN_WORDS = 10
#: Words of prose a CONTRIBUTING guide needs for its "substance" signal.
CONTRIBUTING_MIN_WORDS = 50


class RepoOptions(BaseModel):
    """``[tool.backend_skills.checkers.repo]``: no options yet (unknown keys are errors)."""

    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------- text model


@dataclass
class Section:
    """A heading and the text below it, up to the next heading of the same or higher level."""

    level: int
    title: str
    line: int
    words: int = 0
    code_blocks: int = 0


@dataclass
class Document:
    """A Markdown, reStructuredText or plain-text document, reduced to what we judge."""

    path: str
    sections: list[Section] = field(default_factory=list)
    code_blocks: list[str] = field(default_factory=list)
    prose_words: int = 0
    links: list[str] = field(default_factory=list)
    directives: list[str] = field(default_factory=list)
    prose: str = ""

    def section_with(self, pattern: re.Pattern[str]) -> Section | None:
        """The first section whose title matches ``pattern`` and that has content."""
        for section in self.sections:
            if pattern.search(section.title) and (
                section.words >= SECTION_MIN_WORDS or section.code_blocks > 0
            ):
                return section
        return None


_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})\s*([\w+-]*)")
_ATX = re.compile(r"^\s{0,3}(#{1,6})(?:\s+(.*))?$")
_UNDERLINE = re.compile(r"^\s*([=\-~^\"'`+*#:._<>])\1{2,}\s*$")
_HTML_HEADING = re.compile(r"<h([1-6])[^<>]*>([^<]*)</h\1>", re.IGNORECASE)
_RST_DIRECTIVE = re.compile(r"^\s*\.\.\s+([\w:-]+)::")
_RST_CODE_DIRECTIVES = frozenset({"code-block", "code", "sourcecode", "prompt", "literalinclude"})
_IMAGE = re.compile(r"!\[[^\[\]]*\]\([^()]*\)")
_MD_LINK = re.compile(r"(?<!!)\[([^\[\]]*)\]\(\s*<?([^()\s<>]+)")
_REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
_RST_LINK = re.compile(r"`[^`<]*<([^>`]+)>`__?")
_RST_TARGET = re.compile(r"^\s*\.\.\s+_[^:]+:\s*(\S+)")
_RST_ROLE = re.compile(r":(?:doc|ref):`([^`]+)`")
_HTML_LINK = re.compile(r"<a\s[^<>]*?href=[\"']([^\"'<>]+)[\"']", re.IGNORECASE)
_BARE_URL = re.compile(r"https?://[^\s<>\"'`)\]]+")
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_HTML_TAG = re.compile(r"<[^<>\n]+>")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_IMAGE_TARGET = re.compile(r"\.(?:png|svg|jpe?g|gif|webp|ico)(?:[?#].*)?$", re.IGNORECASE)
_LOCAL_HOST = re.compile(r"^https?://(?:localhost|127\.0\.0\.1|0\.0\.0\.0)(?:[:/]|$)")


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _strip_markup(line: str) -> str:
    line = _IMAGE.sub(" ", line)
    line = _MD_LINK.sub(lambda m: f" {m.group(1)} ", line)
    line = _BARE_URL.sub(" ", line)
    return _HTML_TAG.sub(" ", line)


def _doc_link(target: str) -> bool:
    """Whether a link target points somewhere a reader can learn more (not a badge)."""
    target = target.strip()
    if not target or target.startswith(("#", "mailto:")):
        return False
    if _IMAGE_TARGET.search(target) or "shields.io" in target or "/badge" in target:
        return False
    return not _LOCAL_HOST.match(target)


def parse_document(path: str, text: str) -> Document:
    """Headings with their content, code blocks, prose word count and links.

    Understands Markdown (ATX and setext headings, fenced code), reStructuredText
    (underlined titles, ``::`` literal blocks, ``code-block`` directives) and HTML
    headings; anything else is prose.
    """
    lines = text.splitlines()
    doc = Document(path=path)
    headings: list[tuple[int, int, str]] = []  # (line index, level, title)
    prose_at: list[tuple[int, str]] = []  # (line index, prose text)
    code_at: list[int] = []  # line index where each code block starts
    underline_levels: dict[str, int] = {}
    fence: str | None = None
    buffer: list[str] = []
    literal_indent: int | None = None  # inside an rst literal block
    expect_literal = False
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if fence is not None:
            if stripped.startswith(fence) and set(stripped) <= set(fence[0]):
                doc.code_blocks.append("\n".join(buffer).rstrip())
                fence, buffer = None, []
            else:
                buffer.append(line)
            i += 1
            continue
        if literal_indent is not None:
            indent = len(line) - len(line.lstrip())
            if not stripped or indent > literal_indent:
                buffer.append(line)
                i += 1
                continue
            doc.code_blocks.append("\n".join(buffer).rstrip())
            literal_indent, buffer = None, []
        if expect_literal and stripped:
            expect_literal = False
            base = _last_indent(lines, i)
            indent = len(line) - len(line.lstrip())
            if indent > base:
                literal_indent = base
                code_at.append(i)
                buffer = [line]
                i += 1
                continue
        fenced = _FENCE.match(line)
        if fenced:
            fence = fenced.group(1)
            code_at.append(i)
            buffer = []
            i += 1
            continue
        atx = _ATX.match(line)
        if atx:
            headings.append((i, len(atx.group(1)), _atx_title(atx.group(2) or "")))
            i += 1
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        under = _UNDERLINE.match(nxt)
        if (
            stripped
            and under
            and not _UNDERLINE.match(line)
            and not stripped.startswith(("-", "*", ">"))
        ):
            char = under.group(1)
            level = underline_levels.setdefault(char, len(underline_levels) + 1)
            headings.append((i, level, stripped))
            i += 2
            continue
        if _UNDERLINE.match(line):  # an rst overline or a thematic break
            i += 1
            continue
        directive = _RST_DIRECTIVE.match(line)
        if directive:
            name = directive.group(1).lower()
            doc.directives.append(name)
            if name in _RST_CODE_DIRECTIVES:
                expect_literal = True
            i += 1
            continue
        for html in _HTML_HEADING.finditer(line if len(line) <= 2000 else ""):
            headings.append((i, int(html.group(1)), _HTML_TAG.sub("", html.group(2))))
        if stripped.endswith("::") and not stripped.startswith(".."):
            expect_literal = True
        prose_at.append((i, line))
        i += 1
    if buffer:
        doc.code_blocks.append("\n".join(buffer).rstrip())

    prose_lines = [_INLINE_CODE.sub(lambda m: m.group(0).strip("`"), p) for _, p in prose_at]
    doc.prose = "\n".join(prose_lines)
    line_words = [_words(_strip_markup(p)) for p in prose_lines]
    doc.prose_words = sum(line_words)
    link_text = "\n".join(_INLINE_CODE.sub(" ", p) for _, p in prose_at)
    targets: list[str] = []
    raw_prose = "\n".join(p for _, p in prose_at)
    for pattern in (_MD_LINK, _HTML_LINK):
        targets.extend(m.group(m.lastindex or 1) for m in pattern.finditer(link_text))
    # reStructuredText links live in backticks, which Markdown uses for code.
    targets.extend(m.group(1) for m in _RST_LINK.finditer(raw_prose))
    targets.extend(m.group(1) for m in _RST_ROLE.finditer(raw_prose))
    for raw in link_text.splitlines():
        for pattern in (_REF_DEF, _RST_TARGET):
            found = pattern.match(raw)
            if found:
                targets.append(found.group(1))
    without_links = _MD_LINK.sub(" ", _IMAGE.sub(" ", link_text))
    targets.extend(_BARE_URL.findall(without_links))
    doc.links = [t for t in targets if _doc_link(t)]

    # Sections: each heading owns the prose and code up to the next heading of the
    # same or a higher level.
    # Prefix sums keep this linear: a file of many headings costs no more than its size.
    prose_index = [n for n, _ in prose_at]
    cumulative = [0, *itertools.accumulate(line_words)]
    ends: list[int] = [len(lines)] * len(headings)
    open_headings: list[int] = []  # indexes of headings still waiting for their end
    for index, (start, level, _) in enumerate(headings):
        while open_headings and headings[open_headings[-1]][1] >= level:
            ends[open_headings.pop()] = start
        open_headings.append(index)
    for index, (start, level, title) in enumerate(headings):
        end = ends[index]
        low = bisect.bisect_right(prose_index, start)
        high = bisect.bisect_left(prose_index, end)
        words = cumulative[high] - cumulative[low]
        blocks = bisect.bisect_left(code_at, end) - bisect.bisect_right(code_at, start)
        doc.sections.append(
            Section(level=level, title=title, line=start + 1, words=words, code_blocks=blocks)
        )
    return doc


def _atx_title(text: str) -> str:
    """An ATX heading's text without the optional closing run of ``#``."""
    title = text.strip()
    bare = title.rstrip("#")
    if bare != title and (not bare or bare[-1].isspace()):
        title = bare.rstrip()
    return title


def _last_indent(lines: Sequence[str], index: int) -> int:
    """Indent of the last non-blank line before ``index``."""
    for back in range(index - 1, -1, -1):
        if lines[back].strip():
            return len(lines[back]) - len(lines[back].lstrip())
    return 0


# --------------------------------------------------------------------------- finding files


def _norm_stem(name: str) -> str:
    """``CODE-OF-CONDUCT.md`` -> ``CODE_OF_CONDUCT``; ``LICENSE-MIT`` -> ``LICENSE_MIT``."""
    stem = name.split(".", 1)[0] if not name.startswith(".") else name
    return stem.upper().replace("-", "_")


def _parent(path: str) -> str:
    # str(PurePosixPath(path).parent) with "." as "", for discovery's relative POSIX
    # paths; without building a path object (41,000 calls per run on Django).
    return path.rpartition("/")[0]


def _community_files(
    fileset: FileSet, accept: Callable[[str], bool], dirs: Sequence[str] = COMMUNITY_DIRS
) -> tuple[list[SourceFile], list[str]]:
    """Files in ``dirs`` whose normalised stem ``accept`` takes, in folder order, and the
    paths of matching files that are empty."""
    order = {d: n for n, d in enumerate(dirs)}
    found = [f for f in fileset.files if _parent(f.path) in order and accept(_norm_stem(f.name))]
    found.sort(key=lambda f: (order[_parent(f.path)], f.path))
    empty = sorted(
        s.path
        for s in fileset.skipped
        if s.reason == "empty file"
        and _parent(s.path) in order
        and accept(_norm_stem(PurePosixPath(s.path).name))
    )
    return found, empty


def _finding(
    rule: str,
    criterion: str,
    path: str,
    message: str,
    *,
    severity: Severity = Severity.INFO,
    line: int | None = None,
) -> Finding:
    return Finding(
        checker="repo",
        rule=rule,
        skill=SKILL,
        criterion=criterion,
        severity=severity,
        message=message,
        path=path,
        line=line,
    )


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


@dataclass
class _Part:
    """What one criterion's evaluation produced."""

    metrics: list[Metric] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    files: set[str] = field(default_factory=set)


# --------------------------------------------------------------------------- README

README_SIGNALS = ("body", "sections", "install", "usage", "links", "architecture")

_INSTALL_HEADING = re.compile(
    r"\b(install\w*|set ?up|getting started|quick ?start|requirements|prerequisites|"
    r"build(ing)?|deploy\w*|running locally|local development)\b",
    re.IGNORECASE,
)
_INSTALL_COMMAND = re.compile(
    r"\b(pip3? install|pipx install|poetry install|uv (sync|pip install|add|tool install)|"
    r"pdm (install|sync)|pipenv install|conda (env )?(create|install)|npm (install|ci)|"
    r"yarn( install)?$|pnpm install|docker[ -]compose up|docker compose up|docker (run|build)|"
    r"make (install|setup|dev|build)|go (install|get)|cargo (install|build)|brew install|"
    r"apt(-get)? install|git clone|python3? -m venv|virtualenv|helm install|kubectl apply)\b",
    re.IGNORECASE | re.MULTILINE,
)
_USAGE_HEADING = re.compile(
    r"\b(usage|using|how to|examples?|run(ning)?|quick ?start|getting started|tutorial|"
    r"commands?|cli|api|endpoints?|configur\w*|use)\b",
    re.IGNORECASE,
)
_ARCH_HEADING = re.compile(
    r"\b(architecture|design|overview|how it works|structure|layout|components?|internals|"
    r"modules?|directory|folders?|organi[sz]ation|stack|technolog\w+)\b",
    re.IGNORECASE,
)
_ARCH_LINK = re.compile(r"(architecture|design|adr)", re.IGNORECASE)


def _readme(fileset: FileSet) -> _Part:
    part = _Part()
    found, empty = _community_files(
        fileset, lambda stem: stem == "README", dirs=("", ".github", "docs")
    )
    if not found:
        if empty:
            message = f"{empty[0]} is empty: write what the project does, how to install and run it, and how it is built"
            part.findings.append(
                _finding("BSCOL001", README, empty[0], message, severity=Severity.LOW)
            )
        else:
            part.findings.append(
                _finding(
                    "BSCOL001",
                    README,
                    "README.md",
                    "no README: add README.md at the root with install, usage and architecture sections",
                )
            )
        part.metrics += [
            Metric(name="repo.readme_signals", value=0.0, unit="signals of 6"),
            Metric(name="repo.readme_words", value=0.0, unit="words"),
        ]
        return part
    # Prefer the root README; among several there, the longest.
    top = _parent(found[0].path)
    candidates = [f for f in found if _parent(f.path) == top]
    docs = [parse_document(f.path, f.text) for f in candidates]
    doc = max(docs, key=lambda d: d.prose_words)
    part.files.add(doc.path)
    non_install_code = [b for b in doc.code_blocks if not _only_install(b)]
    signals = {
        "body": doc.prose_words >= README_MIN_WORDS,
        "sections": len(doc.sections) >= 3,
        "install": doc.section_with(_INSTALL_HEADING) is not None
        or any(_INSTALL_COMMAND.search(b) for b in doc.code_blocks)
        or _INSTALL_COMMAND.search(doc.prose) is not None,
        "usage": doc.section_with(_USAGE_HEADING) is not None or bool(non_install_code),
        "links": bool(doc.links),
        "architecture": doc.section_with(_ARCH_HEADING) is not None
        or any(_ARCH_LINK.search(t) for t in doc.links)
        or any(
            b.lstrip().startswith(("graph ", "flowchart", "sequenceDiagram", "@startuml"))
            for b in doc.code_blocks
        ),
    }
    met = [s for s in README_SIGNALS if signals[s]]
    missing = [s for s in README_SIGNALS if not signals[s]]
    part.metrics += [
        Metric(name="repo.readme_signals", value=float(len(met)), unit="signals of 6", files=1),
        Metric(name="repo.readme_words", value=float(doc.prose_words), unit="words", files=1),
    ]
    part.notes.append(
        f"README: {doc.path}, {doc.prose_words} words of prose, "
        f"{len(doc.sections)} headings; has {_join(met) or 'none of the signals'}"
    )
    if missing:
        wanted = {
            "body": f"at least {README_MIN_WORDS} words of prose (it has {doc.prose_words})",
            "sections": "at least three headings",
            "install": "an install section or install commands",
            "usage": "a usage section or an example command",
            "links": "a link to further documentation",
            "architecture": "an architecture or overview section",
        }
        part.findings.append(
            _finding(
                "BSCOL001",
                README,
                doc.path,
                f"{doc.path} lacks {_join([wanted[m] for m in missing])}",
                severity=Severity.LOW if len(met) <= 1 else Severity.INFO,
            )
        )
    return part


def _only_install(block: str) -> bool:
    commands = [c for c in block.splitlines() if c.strip() and not c.strip().startswith("#")]
    return bool(commands) and all(_INSTALL_COMMAND.search(c) for c in commands)


# --------------------------------------------------------------------------- docs

_HYGIENE_STEMS = frozenset(
    {
        "CHANGELOG",
        "CHANGES",
        "HISTORY",
        "NEWS",
        "RELEASES",
        "RELEASE_NOTES",
        "CONTRIBUTING",
        "LICENSE",
        "LICENCE",
        "COPYING",
        "CODE_OF_CONDUCT",
        "SECURITY",
        "CODEOWNERS",
    }
)
#: Folders whose documentation is not the project's own (test fixtures, sample data).
_NOT_DOC_PARENTS = frozenset(
    {"tests", "test", "testing", "fixtures", "testdata", "__tests__", "node_modules"}
)
_AUTODOC = re.compile(r"^(auto\w+|automodule|autoclass|autofunction)$")
_MKDOCSTRINGS = re.compile(r"^:::\s+[\w.]+", re.MULTILINE)


#: Top-level pages that are not documentation pages (community, legal and agent files).
_NOT_TOP_LEVEL_DOCS = frozenset(
    {
        "AUTHORS",
        "CONTRIBUTORS",
        "MAINTAINERS",
        "NOTICE",
        "SUPPORT",
        "GOVERNANCE",
        "CITATION",
        "FUNDING",
        "HALL_OF_FAME",
        "THANKS",
        "TODO",
        "AGENTS",
        "CLAUDE",
        "GEMINI",
        "COPILOT_INSTRUCTIONS",
        "PULL_REQUEST_TEMPLATE",
        "ISSUE_TEMPLATE",
        "RELEASE_NOTES",
        "RELEASE-NOTES",
    }
)
_TOP_LEVEL_DOC_LANGUAGES = frozenset({"markdown", "rst"})
#: Site configuration file names (anywhere up to two folders down) -> generator.
_SITE_NAMES = {
    "mkdocs.yml": "MkDocs",
    "mkdocs.yaml": "MkDocs",
    "conf.py": "Sphinx",
    "docusaurus.config.js": "Docusaurus",
    "docusaurus.config.ts": "Docusaurus",
    "docusaurus.config.mjs": "Docusaurus",
    "book.toml": "mdBook",
    "antora.yml": "Antora",
    ".readthedocs.yml": "Read the Docs",
    ".readthedocs.yaml": "Read the Docs",
}


def _site_sources(fileset: FileSet) -> list[tuple[str, str, str]]:
    """Documentation sites: (configuration path, generator, source folder).

    Sphinx counts only for a ``conf.py`` in a documentation folder; MkDocs reads
    ``docs_dir`` (default ``docs``) and mdBook ``[book] src`` (default ``src``), relative
    to the configuration file; Docusaurus uses ``docs`` beside its configuration and
    Antora the ``modules`` folder beside ``antora.yml``.
    """
    out: list[tuple[str, str, str]] = []
    for f in fileset.files:
        generator = _SITE_NAMES.get(f.name)
        if generator is None or f.path.count("/") > 2:
            continue
        folder = _parent(f.path)
        parts = PurePosixPath(f.path).parts[:-1]
        if any(p.lower() in _NOT_DOC_PARENTS for p in parts):
            continue
        source: str | None = folder
        if generator == "Sphinx":
            if not parts or parts[-1].lower() not in DOC_DIRS | {"source"}:
                continue
        elif generator == "MkDocs":
            data, _ = load_yaml(f)
            docs_dir = data.get("docs_dir") if isinstance(data, dict) else None
            source = _join_path(folder, docs_dir if isinstance(docs_dir, str) else "docs")
        elif generator == "mdBook":
            try:
                book = tomllib.loads(f.text).get("book", {})
            except (tomllib.TOMLDecodeError, RecursionError):
                book = {}
            src = book.get("src") if isinstance(book, dict) else None
            source = _join_path(folder, src if isinstance(src, str) else "src")
        elif generator == "Docusaurus":
            source = _join_path(folder, "docs")
        elif generator == "Antora":
            source = _join_path(folder, "modules")
        elif generator == "Read the Docs":
            continue  # a hosting configuration: named beside the generator, not a site
        if source is not None:
            out.append((f.path, generator, source))
    return out


def _join_path(folder: str, relative: str) -> str | None:
    """``folder/relative`` normalised, or None when it leaves the root."""
    joined = posixpath.normpath(posixpath.join(folder, relative.strip()))
    if joined.startswith(("..", "/")):
        return None
    return "" if joined == "." else joined


def _doc_pages(fileset: FileSet) -> _Part:
    part = _Part()
    pages: list[str] = []
    top_level: list[str] = []
    thin: list[tuple[str, int]] = []
    sites = _site_sources(fileset)
    site_dirs = tuple(source + "/" for _, _, source in sites if source)

    def judge(f: SourceFile) -> bool:
        part.files.add(f.path)
        doc = parse_document(f.path, f.text)
        generated = any(_AUTODOC.match(d) for d in doc.directives) or bool(
            _MKDOCSTRINGS.search(f.text)
        )
        if doc.prose_words >= DOC_PAGE_MIN_WORDS or generated:
            return True
        thin.append((f.path, doc.prose_words))
        return False

    for f in fileset.files:
        if f.language not in {"markdown", "rst", "text", "html"}:
            continue
        parts = PurePosixPath(f.path).parts
        stem = _norm_stem(f.name)
        if len(parts) == 1:
            # A top-level page beside the README (development.md, deployment.md, FAQ.md).
            if (
                f.language in _TOP_LEVEL_DOC_LANGUAGES
                and not stem.startswith("README")
                and stem not in _HYGIENE_STEMS | _CHANGELOG_STEMS | _NOT_TOP_LEVEL_DOCS
                and judge(f)
            ):
                top_level.append(f.path)
            continue
        in_doc_dir = any(p.lower() in DOC_DIRS for p in parts[:-1])
        in_site = bool(site_dirs) and f.path.startswith(site_dirs)
        if not (in_doc_dir or in_site):
            continue
        if any(p.lower() in _NOT_DOC_PARENTS for p in parts[:-1]):
            continue  # documentation of a test fixture is not the project's
        if stem in _HYGIENE_STEMS or f.name.lower() in {"requirements.txt"}:
            continue
        if judge(f):
            pages.append(f.path)
    # A site configuration counts as one page when its source folder holds files
    # (AsciiDoc pages, which discovery does not read, included through the folder).
    with_content = [
        (path, generator)
        for path, generator, source in sites
        if any(d == source or d.startswith(source + "/") for d in fileset.dirs)
        or any(p.startswith(source + "/") for p in pages)
    ]
    empty_sites = [path for path, _, _ in sites if path not in {p for p, _ in with_content}]
    site_names = sorted({generator for _, generator in with_content})
    empty_pages = [
        s.path
        for s in fileset.skipped
        if s.reason == "empty file"
        and any(p.lower() in DOC_DIRS for p in PurePosixPath(s.path).parts[:-1])
        and not any(p.lower() in _NOT_DOC_PARENTS for p in PurePosixPath(s.path).parts[:-1])
    ]
    count = len(pages) + len(top_level) + (1 if with_content else 0)
    part.metrics.append(
        Metric(
            name="repo.doc_pages",
            value=float(count),
            unit="pages",
            files=len(pages) + len(top_level),
        )
    )
    if count:
        where = sorted({_doc_root(p) for p in pages})
        part.notes.append(
            f"documentation: {len(pages) + len(top_level)} page(s) with at least "
            f"{DOC_PAGE_MIN_WORDS} words"
            + (f" under {_join(where)}" if where else "")
            + (f"; top-level pages {_join(top_level[:6])}" if top_level else "")
            + (
                f"; site built with {_join(site_names)} ({_join([p for p, _ in with_content])}, "
                "counted as one page)"
                if site_names
                else ""
            )
        )
    for path, words in thin[:5]:
        part.findings.append(
            _finding(
                "BSCOL002",
                DOCS,
                path,
                f"{path} has {words} words of prose: a page needs at least "
                f"{DOC_PAGE_MIN_WORDS} to count as documentation",
            )
        )
    for path in empty_sites[:2]:
        part.findings.append(
            _finding(
                "BSCOL002",
                DOCS,
                path,
                f"{path} configures a documentation site whose source folder holds no pages: "
                "it is not counted",
                severity=Severity.LOW,
            )
        )
    for path in empty_pages[:5]:
        part.findings.append(
            _finding("BSCOL002", DOCS, path, f"{path} is empty", severity=Severity.LOW)
        )
    if not count and not thin and not empty_pages and not empty_sites:
        part.findings.append(
            _finding(
                "BSCOL002",
                DOCS,
                "docs",
                "no documentation beyond the README: add docs/ with pages on architecture, "
                "configuration and operations (or top-level pages such as development.md)",
            )
        )
    return part


def _doc_root(path: str) -> str:
    parts = PurePosixPath(path).parts
    for n, p in enumerate(parts[:-1]):
        if p.lower() in DOC_DIRS:
            return "/".join(parts[: n + 1]) + "/"
    return path


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


def _contributing(fileset: FileSet) -> _Part:
    part = _Part()
    found, empty = _community_files(fileset, lambda stem: stem == "CONTRIBUTING")
    if not found:
        for f in fileset.files:
            if f.path.lower() in {
                f"docs/{n}.{e}"
                for n in ("contributing", "development", "developing", "hacking")
                for e in ("md", "rst", "txt")
            }:
                found.append(f)
    if not found:
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
        part.metrics.append(
            Metric(name="repo.contributing_signals", value=0.0, unit="signals of 5")
        )
        return part
    best: tuple[int, list[str], str] | None = None
    for f in found:
        part.files.add(f.path)
        doc = parse_document(f.path, f.text)
        text = f.text
        met = [
            s
            for s in CONTRIBUTING_SIGNALS
            if (
                doc.prose_words >= CONTRIBUTING_MIN_WORDS
                if s == "substance"
                else _CONTRIB_PATTERNS[s].search(text) is not None
            )
        ]
        if doc.prose_words < 15:
            met = []  # a title and a sentence is not a guide, whatever words it names
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


# --------------------------------------------------------------------------- review scaffolding

REVIEW_ITEMS = (
    "CODEOWNERS",
    "pull request template",
    "issue templates",
    "code of conduct",
    "security policy",
    "dependency updates",
    "labeler",
)
#: Items at which the criterion is full (its last anchor); more are noted, not needed.
REVIEW_FULL = 5
#: Dependency-update bot configurations (Dependabot, Renovate), by path.
_DEPENDENCY_BOTS = (
    ".github/dependabot.yml",
    ".github/dependabot.yaml",
    "renovate.json",
    "renovate.json5",
    ".renovaterc",
    ".renovaterc.json",
    ".renovaterc.json5",
    ".github/renovate.json",
    ".github/renovate.json5",
    ".gitlab/renovate.json",
    ".gitlab/renovate.json5",
)
#: Pull-request labelling configurations (actions/labeler, the GitLab/Prow equivalents).
_LABELERS = (".github/labeler.yml", ".github/labeler.yaml", ".github/auto_label.yml")
_SECURITY_CHANNEL = re.compile(
    r"(@|\breport\w*|\badvisor\w*|\bdisclos\w*|\bcontact\w*|\bvulnerab\w*|\bsecurity/advisories)",
    re.IGNORECASE,
)
_CODEOWNERS_RULE = re.compile(r"^\s*[^#\s]\S*\s+(@[\w./-]+|[\w.+-]+@[\w.-]+)", re.MULTILINE)


def _review(fileset: FileSet) -> _Part:
    part = _Part()
    present: dict[str, str] = {}
    placeholders: list[str] = []

    def consider(item: str, files: Iterable[SourceFile], ok: Callable[[SourceFile], bool]) -> None:
        for f in files:
            part.files.add(f.path)
            if ok(f):
                present.setdefault(item, f.path)
            else:
                placeholders.append(f.path)

    owners = [
        f
        for f in fileset.files
        if f.name == "CODEOWNERS" and _parent(f.path) in ("", ".github", "docs", ".gitlab")
    ]
    consider("CODEOWNERS", owners, lambda f: _CODEOWNERS_RULE.search(f.text) is not None)

    def is_pr(f: SourceFile) -> bool:
        lower = f.path.lower()
        return (
            _parent(lower) in ("", ".github", "docs")
            and _norm_stem(f.name) == "PULL_REQUEST_TEMPLATE"
        ) or _parent(lower) in (".github/pull_request_template", ".gitlab/merge_request_templates")

    def is_issue(f: SourceFile) -> bool:
        lower = f.path.lower()
        if _parent(lower) in (".github/issue_template", ".gitlab/issue_templates"):
            return f.name.lower() not in ("config.yml", "config.yaml")
        return _parent(lower) in ("", ".github", "docs") and _norm_stem(f.name) == "ISSUE_TEMPLATE"

    consider(
        "pull request template",
        [f for f in fileset.files if is_pr(f)],
        lambda f: _words(f.text) >= 10,
    )
    consider(
        "issue templates", [f for f in fileset.files if is_issue(f)], lambda f: _words(f.text) >= 10
    )
    coc, _ = _community_files(fileset, lambda stem: stem == "CODE_OF_CONDUCT")
    consider("code of conduct", coc, lambda f: _words(f.text) >= 50)
    security, _ = _community_files(fileset, lambda stem: stem == "SECURITY")
    consider(
        "security policy",
        security,
        lambda f: _words(f.text) >= 20 and _SECURITY_CHANNEL.search(f.text) is not None,
    )
    consider(
        "dependency updates",
        [f for f in (fileset.get(p) for p in _DEPENDENCY_BOTS) if f is not None],
        _dependency_bot_configured,
    )
    consider(
        "labeler",
        [f for f in (fileset.get(p) for p in _LABELERS) if f is not None],
        _labeler_configured,
    )
    for s in fileset.skipped:
        if s.reason == "empty file" and (
            s.path in _DEPENDENCY_BOTS
            or s.path in _LABELERS
            or PurePosixPath(s.path).name == "CODEOWNERS"
            or _norm_stem(PurePosixPath(s.path).name)
            in {"PULL_REQUEST_TEMPLATE", "ISSUE_TEMPLATE", "CODE_OF_CONDUCT", "SECURITY"}
            or _parent(s.path).lower()
            in (".github/issue_template", ".github/pull_request_template")
        ):
            placeholders.append(s.path)
    part.metrics.append(
        Metric(
            name="repo.review_items",
            value=float(len(present)),
            unit=f"items of {len(REVIEW_ITEMS)}",
            files=len(present),
        )
    )
    if present:
        part.notes.append(
            "review scaffolding: " + ", ".join(f"{k} ({v})" for k, v in present.items())
        )
    for path in sorted(set(placeholders) - set(present.values()))[:5]:
        part.findings.append(
            _finding(
                "BSCOL006",
                REVIEW,
                path,
                f"{path} is empty or too short to guide anyone: it is not counted",
                severity=Severity.LOW,
            )
        )
    missing = [i for i in REVIEW_ITEMS if i not in present]
    if missing and len(present) < REVIEW_FULL:
        where = {
            "CODEOWNERS": ".github/CODEOWNERS",
            "pull request template": ".github/pull_request_template.md",
            "issue templates": ".github/ISSUE_TEMPLATE/bug_report.md",
            "code of conduct": "CODE_OF_CONDUCT.md",
            "security policy": "SECURITY.md",
            "dependency updates": ".github/dependabot.yml",
            "labeler": ".github/labeler.yml",
        }
        part.findings.append(
            _finding(
                "BSCOL006",
                REVIEW,
                where[missing[0]],
                f"no {_join(missing)}: add {_join([where[m] for m in missing])}",
            )
        )
    return part


def _dependency_bot_configured(f: SourceFile) -> bool:
    """Dependabot with at least one ``updates`` entry naming an ecosystem, or a Renovate
    configuration that says something (``extends``, ``packageRules``, a schedule ...)."""
    if "dependabot" in f.name:
        data, _ = load_yaml(f)
        updates = data.get("updates") if isinstance(data, dict) else None
        return isinstance(updates, list) and any(
            isinstance(u, dict) and u.get("package-ecosystem") for u in updates
        )
    if f.name.endswith(".json5"):
        return re.search(r"\b(extends|packageRules|schedule|enabledManagers)\b", f.text) is not None
    try:
        data = json.loads(f.text)
    except (ValueError, RecursionError):
        return False
    return isinstance(data, dict) and bool(data)


def _labeler_configured(f: SourceFile) -> bool:
    """A labeler configuration with at least one label rule."""
    data, _ = load_yaml(f)
    return isinstance(data, dict) and bool(data)


# --------------------------------------------------------------------------- CI


@functools.cache
def _tolerant_loader() -> type[yaml.SafeLoader]:
    """A safe loader that reads unknown tags (GitLab's ``!reference``) as plain data.

    Built on first use: PyYAML takes 8 ms to import, which a warm run never needs."""
    import yaml

    class TolerantLoader(yaml.SafeLoader):
        pass

    def plain(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            return loader.construct_scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node)
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node)
        return None

    TolerantLoader.add_multi_constructor("!", plain)
    return TolerantLoader


def load_yaml(f: SourceFile) -> tuple[Any, str | None]:
    """The YAML document in ``f`` (first one), or None and a one-line reason."""
    if f.size > MAX_YAML_BYTES:
        return None, f"YAML file larger than {MAX_YAML_BYTES} bytes; not parsed"
    import yaml

    try:
        docs = list(yaml.load_all(f.text, Loader=_tolerant_loader()))  # nosec B506 - SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.context_mark or exc.problem_mark
        line = min(mark.line + 1, max(f.lines, 1)) if mark is not None else None
        where = f" at line {line}" if line is not None else ""
        return None, f"invalid YAML{where}: {exc.problem or 'parse error'}"
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        return None, f"invalid YAML: {type(exc).__name__}"
    data = next((d for d in docs if d is not None), None)
    return data, None


_LABEL_KEYS = frozenset({"name", "description", "displayname", "title", "label", "summary"})


def yaml_strings(data: Any) -> list[str]:
    """Every string value in a YAML document (not keys, not labels such as ``name``).

    Shared anchors are visited once, so an alias bomb costs nothing.
    """
    out: list[str] = []
    seen: set[int] = set()
    stack: list[Any] = [data]
    while stack and len(out) < MAX_YAML_STRINGS:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict | list):
            if id(item) in seen:
                continue
            seen.add(id(item))
            if isinstance(item, dict):
                for key, value in item.items():
                    if isinstance(key, str) and key.lower() in _LABEL_KEYS:
                        continue
                    stack.append(value)
            else:
                stack.extend(item)
    return out


CI_SYSTEMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\.github/workflows/[^/]+\.ya?ml$"), "GitHub Actions"),
    (re.compile(r"^(\.gitlab-ci\.ya?ml|\.gitlab/ci/.+\.ya?ml)$"), "GitLab CI"),
    (re.compile(r"^\.circleci/config\.ya?ml$"), "CircleCI"),
    (re.compile(r"^(.+/)?Jenkinsfile$"), "Jenkins"),
    (
        re.compile(r"^(azure-pipelines[\w.-]*|\.azure-pipelines/[^/]+|\.pipelines/[^/]+)\.ya?ml$"),
        "Azure Pipelines",
    ),
    (re.compile(r"^\.travis\.ya?ml$"), "Travis CI"),
    (re.compile(r"^bitbucket-pipelines\.ya?ml$"), "Bitbucket Pipelines"),
    (re.compile(r"^\.drone\.ya?ml$"), "Drone"),
    (re.compile(r"^(\.woodpecker\.ya?ml|\.woodpecker/[^/]+\.ya?ml)$"), "Woodpecker"),
    (re.compile(r"^\.buildkite/pipeline\.ya?ml$"), "Buildkite"),
)

#: Top-level keys that make a YAML file a pipeline, per system.
_PIPELINE_KEYS = {
    "GitHub Actions": {"jobs"},
    "CircleCI": {"jobs", "workflows"},
    "Azure Pipelines": {"steps", "jobs", "stages", "extends"},
    "Travis CI": {"script", "jobs", "matrix", "install"},
    "Bitbucket Pipelines": {"pipelines"},
    "Drone": {"steps", "pipeline"},
    "Woodpecker": {"steps", "pipeline"},
    "Buildkite": {"steps"},
}

LINT_COMMAND = re.compile(
    r"\b(ruff|flake8|pylint|mypy|pyright|pytype|black|isort|pre-commit(\s+run|/action)|prek\s+run|"
    r"eslint|prettier|golangci-lint|gofmt|go\s+vet|rubocop|cargo\s+(clippy|fmt)|sqlfluff|"
    r"shellcheck|hadolint|yamllint|bandit|tsc|biome)\b",
    re.IGNORECASE,
)
_INSTALL_STEP = re.compile(
    r"\b(pip3?|pipx|uv\s+pip|uv\s+tool|poetry|pdm|conda|npm|yarn|pnpm|apt(-get)?|brew|gem|go)\s+"
    r"(install|add|get)\b",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"\n|&&|\|\||;|\|")


def commands_in(strings: Iterable[str]) -> list[str]:
    """Single commands from CI strings, without package installs (``pip install pytest``
    names pytest but does not run it)."""
    out = []
    for s in strings:
        for command in _SPLIT.split(s):
            command = command.strip()
            if command and not command.startswith("#") and not _INSTALL_STEP.search(command):
                out.append(command)
    return out


def _strip_groovy_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.DOTALL)
    return re.sub(r"(?m)^\s*//.*$", " ", text)


@dataclass
class Pipeline:
    """One CI configuration file and what it runs."""

    path: str
    system: str
    commands: int = 0
    tests: list[str] = field(default_factory=list)
    linters: list[str] = field(default_factory=list)
    through: list[str] = field(default_factory=list)


def _ci_commands(f: SourceFile, system: str) -> tuple[list[Command] | None, str | None]:
    """Commands in a CI file (each in its working directory), or None with a reason when
    it is not a pipeline."""
    if system == "Jenkins":
        text = _strip_groovy_comments(f.text)
        if not re.search(r"\b(pipeline|node)\s*(\([^)]*\))?\s*\{|\bstage\s*\(", text):
            return None, "has no pipeline, node or stage block"
        strings = re.findall(
            r"(?:sh|bat|powershell)\s*\(?\s*(?:'''|\"\"\"|'|\")(.*?)(?:'''|\"\"\"|'|\")",
            text,
            re.DOTALL,
        )
        return [c for s in (strings or [text]) for c in split_commands(s)], None
    data, problem = load_yaml(f)
    if problem is not None:
        return None, problem
    if not isinstance(data, dict) or not data:
        return None, "is not a pipeline (no jobs or steps)"
    if system == "GitLab CI":
        ok = "include" in data or any(
            isinstance(v, dict) and ({"script", "trigger", "extends", "run"} & set(v))
            for v in data.values()
        )
    else:
        ok = bool(_PIPELINE_KEYS.get(system, set()) & set(data))
    if not ok:
        return None, "is not a pipeline (no jobs or steps)"
    return yaml_commands(data), None


#: Pipeline file names that say they test or build (chosen for a "runs no tests" finding).
_TESTISH_PIPELINE = re.compile(
    r"test|\bci\b|check|build|main|pull|push|verify|python|node|go|java", re.I
)


def _tested_through(leaves: Sequence[Command]) -> list[str]:
    """The files a pipeline's test commands were found in (scripts, Makefile targets)."""
    out: list[str] = []
    for leaf in leaves:
        if leaf.via and runs_tests(leaf.text):
            for step in leaf.via:
                if step not in out:
                    out.append(step)
    return out


def _ci(fileset: FileSet) -> tuple[_Part, list[str]]:
    """The CI criterion's part and every command the pipelines run (for the linters)."""
    part = _Part()
    pipelines: list[Pipeline] = []
    all_commands: list[str] = []
    for f in fileset.files:
        system = next((name for pattern, name in CI_SYSTEMS if pattern.match(f.path)), None)
        if system is None:
            continue
        part.files.add(f.path)
        commands, problem = _ci_commands(f, system)
        if commands is None:
            if problem and problem.startswith(("invalid YAML", "YAML file larger")):
                part.skipped.append(Skip(path=f.path, reason=problem, checker="repo"))
            line = None
            found = re.search(r"line (\d+)", problem or "")
            if found:
                line = int(found.group(1))
            part.findings.append(
                _finding(
                    "BSCOL007",
                    CI,
                    f.path,
                    f"{f.path} {problem}: it is not counted as CI",
                    severity=Severity.LOW,
                    line=line,
                )
            )
            continue
        leaves = follow(commands, fileset)
        all_commands.extend(leaf.text for leaf in leaves)
        pipeline = Pipeline(path=f.path, system=system, commands=len(commands))
        for leaf in leaves:
            runner = runs_tests(leaf.text)
            if runner:
                pipeline.tests.append(runner)
            lint = LINT_COMMAND.search(leaf.text)
            if lint:
                pipeline.linters.append(lint.group(0).split()[0].lower())
        pipeline.through = _tested_through(leaves)
        pipelines.append(pipeline)
    empty_ci = [
        s.path
        for s in fileset.skipped
        if s.reason == "empty file" and any(p.match(s.path) for p, _ in CI_SYSTEMS)
    ]
    runs_tests_ = [p for p in pipelines if p.tests]
    runs_lint = [p for p in pipelines if p.linters]
    if runs_tests_ and runs_lint:
        level = 3.0
    elif runs_tests_:
        level = 2.0
    elif pipelines:
        level = 1.0
    else:
        level = 0.0
    part.metrics.append(
        Metric(name="repo.ci_level", value=level, unit="level of 3", files=len(pipelines))
    )
    for p in pipelines:
        tests = _join(sorted(set(p.tests))) or "no test runner"
        through = f" (through {_join(p.through[:4])})" if p.through else ""
        linters = _join(sorted(set(p.linters))) or "none"
        part.notes.append(f"CI: {p.system} ({p.path}) runs {tests}{through}; linters: {linters}")
    if pipelines and not runs_tests_:
        # Name the pipeline most likely meant to test: by its name, else the busiest one.
        first = max(
            pipelines,
            key=lambda p: (
                bool(_TESTISH_PIPELINE.search(PurePosixPath(p.path).stem)),
                p.commands,
            ),
        )
        others = len(pipelines) - 1
        part.findings.append(
            _finding(
                "BSCOL007",
                CI,
                first.path,
                f"{first.path} does not run the tests"
                + (f" (nor do the {others} other pipeline(s))" if others else "")
                + ": add a step that runs them (e.g. `run: pytest`, `run: make test`)",
                severity=Severity.LOW,
            )
        )
    elif runs_tests_ and not runs_lint:
        part.findings.append(
            _finding(
                "BSCOL007",
                CI,
                runs_tests_[0].path,
                f"{runs_tests_[0].path} runs the tests but no linter or type checker: add a step "
                "such as `run: ruff check .` or `pre-commit run --all-files`",
            )
        )
    elif not part.files:
        path = empty_ci[0] if empty_ci else ".github/workflows/ci.yml"
        message = (
            f"{path} is empty: it runs nothing"
            if empty_ci
            else "no CI configuration: add .github/workflows/ci.yml (or .gitlab-ci.yml) that "
            "installs the project and runs the tests and linters on every push"
        )
        part.findings.append(
            _finding(
                "BSCOL007",
                CI,
                path,
                message,
                severity=Severity.LOW if empty_ci else Severity.INFO,
            )
        )
    return part, all_commands


# --------------------------------------------------------------------------- linters

LINT_SIGNALS = ("linter", "formatter", "type checker", "git hooks", "editorconfig")

#: Tool -> kind. A tool may be both a linter and a formatter (``ruff format``, biome).
TOOL_KINDS: dict[str, tuple[str, ...]] = {
    "ruff": ("linter",),
    "ruff-check": ("linter",),
    "ruff-format": ("formatter",),
    "flake8": ("linter",),
    "pylint": ("linter",),
    "pycodestyle": ("linter",),
    "pyflakes": ("linter",),
    "pydocstyle": ("linter",),
    "bandit": ("linter",),
    "sqlfluff": ("linter",),
    "sqlfluff-lint": ("linter",),
    "sqlfluff-fix": ("formatter",),
    "eslint": ("linter",),
    "golangci-lint": ("linter",),
    "go-vet": ("linter",),
    "rubocop": ("linter", "formatter"),
    "shellcheck": ("linter",),
    "hadolint": ("linter",),
    "yamllint": ("linter",),
    "markdownlint": ("linter",),
    "stylelint": ("linter",),
    "clippy": ("linter",),
    "biome": ("linter", "formatter"),
    "black": ("formatter",),
    "isort": ("formatter",),
    "autopep8": ("formatter",),
    "yapf": ("formatter",),
    "prettier": ("formatter",),
    "gofmt": ("formatter",),
    "rustfmt": ("formatter",),
    "clang-format": ("formatter",),
    "docformatter": ("formatter",),
    "mypy": ("type checker",),
    "pyright": ("type checker",),
    "basedpyright": ("type checker",),
    "pytype": ("type checker",),
    "pyre": ("type checker",),
    "tsc": ("type checker",),
}
#: Dedicated config files (by name, at the root or one folder down) -> tool.
CONFIG_FILES = {
    "ruff.toml": "ruff",
    ".ruff.toml": "ruff",
    ".flake8": "flake8",
    ".pylintrc": "pylint",
    "pylintrc": "pylint",
    "mypy.ini": "mypy",
    ".mypy.ini": "mypy",
    ".isort.cfg": "isort",
    "pyrightconfig.json": "pyright",
    ".sqlfluff": "sqlfluff",
    ".golangci.yml": "golangci-lint",
    ".golangci.yaml": "golangci-lint",
    ".golangci.toml": "golangci-lint",
    ".rubocop.yml": "rubocop",
    ".eslintrc": "eslint",
    ".eslintrc.json": "eslint",
    ".eslintrc.js": "eslint",
    ".eslintrc.cjs": "eslint",
    ".eslintrc.yml": "eslint",
    ".eslintrc.yaml": "eslint",
    "eslint.config.js": "eslint",
    "eslint.config.mjs": "eslint",
    "eslint.config.cjs": "eslint",
    ".prettierrc": "prettier",
    ".prettierrc.json": "prettier",
    ".prettierrc.yml": "prettier",
    ".prettierrc.yaml": "prettier",
    "prettier.config.js": "prettier",
    "rustfmt.toml": "rustfmt",
    ".rustfmt.toml": "rustfmt",
    ".yamllint": "yamllint",
    ".yamllint.yml": "yamllint",
    ".yamllint.yaml": "yamllint",
    "biome.json": "biome",
    ".markdownlint.json": "markdownlint",
    ".markdownlint.yaml": "markdownlint",
    ".stylelintrc.json": "stylelint",
}
#: ``[tool.X]`` tables in pyproject.toml -> tool.
PYPROJECT_TOOLS = {
    "ruff": "ruff",
    "black": "black",
    "isort": "isort",
    "mypy": "mypy",
    "pylint": "pylint",
    "pyright": "pyright",
    "basedpyright": "basedpyright",
    "flake8": "flake8",
    "pytype": "pytype",
    "sqlfluff": "sqlfluff",
    "pydocstyle": "pydocstyle",
    "autopep8": "autopep8",
    "yapf": "yapf",
    "docformatter": "docformatter",
    "bandit": "bandit",
}
#: ``[section]`` names in setup.cfg / tox.ini -> tool.
INI_SECTIONS = {
    "flake8": "flake8",
    "mypy": "mypy",
    "isort": "isort",
    "pycodestyle": "pycodestyle",
    "pydocstyle": "pydocstyle",
    "yapf": "yapf",
    "pylint": "pylint",
    "tool:isort": "isort",
    "pylint.main": "pylint",
    "pylint.messages control": "pylint",
}
_TOOL_IN_COMMAND = re.compile(
    r"\b(ruff\s+format|ruff|flake8|pylint|pycodestyle|pydocstyle|mypy|basedpyright|pyright|"
    r"pytype|black|isort|autopep8|yapf|bandit|sqlfluff|eslint|prettier|golangci-lint|gofmt|"
    r"rubocop|cargo\s+clippy|cargo\s+fmt|shellcheck|hadolint|yamllint|biome)\b",
    re.IGNORECASE,
)
#: pre-commit hook ids that are not the tool's own name.
_HOOK_ALIASES = {
    "golangci-lint-full": "golangci-lint",
    "golangci-lint-config-verify": "golangci-lint",
    "go-fmt": "gofmt",
    "fmt": "rustfmt",
    "flake8-docstrings": "flake8",
    "pretty-format-yaml": "prettier",
}


@dataclass
class _Tools:
    """Tools found and where the evidence is."""

    evidence: dict[str, list[str]] = field(default_factory=dict)

    def add(self, tool: str, where: str) -> None:
        tool = tool.lower()
        if tool in TOOL_KINDS:
            places = self.evidence.setdefault(tool, [])
            if where not in places:
                places.append(where)

    def kinds(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for tool in sorted(self.evidence):
            for kind in TOOL_KINDS[tool]:
                out.setdefault(kind, []).append(tool)
        return out


def _tool_from_command(command: str) -> str:
    tool = " ".join(command.lower().split())
    return {"ruff format": "ruff-format", "cargo clippy": "clippy", "cargo fmt": "rustfmt"}.get(
        tool, tool
    )


def editorconfig_has_settings(text: str) -> bool:
    """Whether an .editorconfig has a ``[glob]`` section with at least one ``key = value``."""
    in_section = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            in_section = True
        elif in_section and "=" in line and line.split("=", 1)[1].strip():
            return True
    return False


def _shallow(path: str) -> bool:
    return path.count("/") <= 1


def _linters(fileset: FileSet, ci_commands: Sequence[str]) -> _Part:
    part = _Part()
    tools = _Tools()
    hooks: list[str] = []
    editorconfig = False
    for f in fileset.files:
        if not _shallow(f.path):
            continue
        if f.name in CONFIG_FILES:
            part.files.add(f.path)
            tools.add(CONFIG_FILES[f.name], f.path)
        elif f.name == "pyproject.toml":
            part.files.add(f.path)
            try:
                table = tomllib.loads(f.text).get("tool", {})
            except (tomllib.TOMLDecodeError, RecursionError) as exc:
                detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                part.skipped.append(
                    Skip(path=f.path, reason=f"invalid TOML: {detail}", checker="repo")
                )
                continue
            if isinstance(table, dict):
                for key, tool in PYPROJECT_TOOLS.items():
                    if key in table:
                        tools.add(tool, f"{f.path} [tool.{key}]")
                ruff = table.get("ruff")
                if isinstance(ruff, dict) and "format" in ruff:
                    tools.add("ruff-format", f"{f.path} [tool.ruff.format]")
        elif f.name in ("setup.cfg", "tox.ini"):
            part.files.add(f.path)
            parser = configparser.ConfigParser(strict=False, interpolation=None)
            try:
                parser.read_string(f.text)
            except (configparser.Error, ValueError):
                continue
            for section in parser.sections():
                name = section.lower()
                ini_tool = INI_SECTIONS.get(name) or ("mypy" if name.startswith("mypy-") else None)
                if ini_tool:
                    tools.add(ini_tool, f"{f.path} [{section}]")
        elif f.name == "tsconfig.json" and re.search(r'"strict"\s*:\s*true', f.text):
            part.files.add(f.path)
            tools.add("tsc", f"{f.path} strict")
    pre_commit = fileset.get(".pre-commit-config.yaml") or fileset.get(".pre-commit-config.yml")
    if pre_commit is not None:
        part.files.add(pre_commit.path)
        data, problem = load_yaml(pre_commit)
        if problem is not None:
            part.skipped.append(Skip(path=pre_commit.path, reason=problem, checker="repo"))
            part.findings.append(
                _finding(
                    "BSCOL008",
                    LINTERS,
                    pre_commit.path,
                    f"{pre_commit.path}: {problem}",
                    severity=Severity.LOW,
                )
            )
        elif isinstance(data, dict) and isinstance(data.get("repos"), list):
            for repo in data["repos"]:
                if not isinstance(repo, dict) or not isinstance(repo.get("hooks"), list):
                    continue
                for hook in repo["hooks"]:
                    if not isinstance(hook, dict) or not isinstance(hook.get("id"), str):
                        continue
                    hook_id = str(hook["id"])
                    hooks.append(hook_id)
                    tools.add(_HOOK_ALIASES.get(hook_id, hook_id), pre_commit.path)
                    entry = hook.get("entry")
                    if isinstance(entry, str):
                        for m in _TOOL_IN_COMMAND.finditer(entry):
                            tools.add(_tool_from_command(m.group(1)), pre_commit.path)
    lefthook = next(
        (
            fileset.get(n)
            for n in ("lefthook.yml", ".lefthook.yml", "lefthook.yaml")
            if fileset.get(n)
        ),
        None,
    )
    if lefthook is not None:
        part.files.add(lefthook.path)
        data, _ = load_yaml(lefthook)
        if isinstance(data, dict) and any(k.startswith("pre-") for k in data if isinstance(k, str)):
            commands = commands_in(yaml_strings(data))
            hooks.extend(commands)
            for command in commands:
                for m in _TOOL_IN_COMMAND.finditer(command):
                    tools.add(_tool_from_command(m.group(1)), lefthook.path)
    package = fileset.get("package.json")
    package_scripts: list[str] = []
    if package is not None:
        try:
            pkg = json.loads(package.text)
        except (ValueError, RecursionError):
            pkg = None
        if isinstance(pkg, dict):
            scripts = pkg.get("scripts")
            if isinstance(scripts, dict):
                package_scripts = [str(v) for v in scripts.values()]
            if ".husky" in fileset.dirs and "husky" in package.text:
                hooks.append("husky")
    # Tools the automation runs: CI steps (with Makefile recipes), tox, nox, npm scripts.
    runners: list[tuple[str, Sequence[str]]] = [("CI", ci_commands)]
    for name in ("tox.ini", "noxfile.py", "Makefile"):
        runner = fileset.get(name)
        if runner is not None:
            runners.append((name, commands_in([runner.text])))
    runners.append(("package.json scripts", commands_in(package_scripts)))
    for where, run_commands in runners:
        for command in run_commands:
            for m in _TOOL_IN_COMMAND.finditer(command):
                tools.add(_tool_from_command(m.group(1)), where)
    editor = fileset.get(".editorconfig")
    if editor is not None:
        part.files.add(editor.path)
        editorconfig = editorconfig_has_settings(editor.text)
    kinds = tools.kinds()
    signals = {
        "linter": bool(kinds.get("linter")),
        "formatter": bool(kinds.get("formatter")),
        "type checker": bool(kinds.get("type checker")),
        "git hooks": bool(hooks),
        "editorconfig": editorconfig,
    }
    met = [s for s in LINT_SIGNALS if signals[s]]
    part.metrics.append(
        Metric(
            name="repo.lint_signals",
            value=float(len(met)),
            unit="signals of 5",
            files=len(part.files),
        )
    )
    if tools.evidence:
        part.notes.append(
            "linters and formatters: "
            + "; ".join(f"{t} ({', '.join(w[:2])})" for t, w in sorted(tools.evidence.items()))
        )
    if hooks:
        part.notes.append(f"git hooks: {len(hooks)} configured")
    missing = [s for s in LINT_SIGNALS if not signals[s]]
    if missing:
        advice = {
            "linter": "a linter ([tool.ruff] in pyproject.toml)",
            "formatter": "a formatter (ruff format or black)",
            "type checker": "a type checker ([tool.mypy] in pyproject.toml)",
            "git hooks": "git hooks (.pre-commit-config.yaml running them)",
            "editorconfig": "an .editorconfig",
        }
        path = {
            "linter": "pyproject.toml",
            "formatter": "pyproject.toml",
            "type checker": "pyproject.toml",
            "git hooks": ".pre-commit-config.yaml",
            "editorconfig": ".editorconfig",
        }[missing[0]]
        part.findings.append(
            _finding(
                "BSCOL008",
                LINTERS,
                path,
                f"not configured: {_join([advice[m] for m in missing])}",
                severity=Severity.LOW if len(met) <= 1 else Severity.INFO,
            )
        )
    return part


# --------------------------------------------------------------------------- the checker


class RepoFilesChecker(RepoChecker):
    """Judges documentation, review scaffolding, CI and linter configuration by content."""

    name = "repo"
    provides: ClassVar[tuple[str, ...]] = (
        "repo.readme_signals",
        "repo.readme_words",
        "repo.doc_pages",
        "repo.changelog_entries",
        "repo.contributing_signals",
        "repo.license",
        "repo.review_items",
        "repo.ci_level",
        "repo.lint_signals",
    )
    feeds: ClassVar[tuple[str, ...]] = (
        README,
        DOCS,
        CHANGELOG,
        CONTRIBUTING,
        LICENSE,
        REVIEW,
        CI,
        LINTERS,
    )
    options_model = RepoOptions

    cache_by_reads = True

    def cache_inputs(self, ctx: CheckContext) -> str | None:
        """Everything ``check`` reads is discovered files (and folders): while the
        names, roles, folders and the files it read are unchanged, the runner reuses
        the last result (1.1 s per run on Django's docs). Editing code that no CI
        command names does not run it again."""
        return fileset_shape_digest(ctx.fileset)

    def check(self, ctx: CheckContext) -> CheckResult:
        """Evaluate every criterion from the discovered files."""
        fileset = ctx.fileset
        ci_part, ci_commands = _ci(fileset)
        parts = [
            _readme(fileset),
            _doc_pages(fileset),
            _changelog(fileset),
            _contributing(fileset),
            _license(fileset),
            _review(fileset),
            ci_part,
            _linters(fileset, ci_commands),
        ]
        result = CheckResult()
        files: set[str] = set()
        for part in parts:
            result.metrics.extend(part.metrics)
            result.findings.extend(part.findings)
            result.notes.extend(part.notes)
            result.skipped.extend(part.skipped)
            files |= part.files
        result.files = len(files)
        return result


@hookimpl
def backend_skills_checkers() -> Sequence[Checker]:
    """The ``repo`` checker."""
    return [RepoFilesChecker()]
