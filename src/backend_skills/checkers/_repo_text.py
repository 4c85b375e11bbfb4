"""Shared text model of the ``repo`` checker: criteria ids, Markdown/reST parsing, finding helpers."""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from backend_skills.core.discovery import FileSet, SourceFile
from backend_skills.core.models import Finding, Metric, Severity, Skip

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


class _Scanner:
    """One pass over a document's lines, sorting them into headings, code and prose."""

    def __init__(self, lines: Sequence[str], doc: Document) -> None:
        self.lines = lines
        self.doc = doc
        self.headings: list[tuple[int, int, str]] = []  # (line index, level, title)
        self.prose_at: list[tuple[int, str]] = []  # (line index, prose text)
        self.code_at: list[int] = []  # line index where each code block starts
        self.underline_levels: dict[str, int] = {}
        self.fence: str | None = None
        self.buffer: list[str] = []
        self.literal_indent: int | None = None  # inside an rst literal block
        self.expect_literal = False

    def scan(self) -> None:
        i = 0
        while i < len(self.lines):
            i = self._line(i)
        if self.buffer:
            self.doc.code_blocks.append("\n".join(self.buffer).rstrip())

    def _line(self, i: int) -> int:
        """Consume the line at ``i`` (and any it owns); the index of the next line."""
        line = self.lines[i]
        stripped = line.strip()
        if self._in_code(i, line, stripped) or self._opens_block(i, line):
            return i + 1
        if self._setext_heading(i, line, stripped):
            return i + 2
        if not self._rst_markup(line):
            self._prose(i, line, stripped)
        return i + 1

    def _in_code(self, i: int, line: str, stripped: str) -> bool:
        """Whether the line belongs to a fenced or literal code block."""
        if self.fence is not None:
            self._in_fence(line, stripped)
            return True
        if self.literal_indent is not None and self._in_literal(line, stripped):
            return True
        return self.expect_literal and bool(stripped) and self._opens_literal(i, line)

    def _opens_block(self, i: int, line: str) -> bool:
        """A code fence that opens, or an ATX heading (``## Title``)."""
        fenced = _FENCE.match(line)
        if fenced:
            self.fence = fenced.group(1)
            self.code_at.append(i)
            self.buffer = []
            return True
        atx = _ATX.match(line)
        if atx:
            self.headings.append((i, len(atx.group(1)), _atx_title(atx.group(2) or "")))
        return atx is not None

    def _rst_markup(self, line: str) -> bool:
        """An overline or thematic break, or a reST directive (recorded)."""
        if _UNDERLINE.match(line):
            return True
        directive = _RST_DIRECTIVE.match(line)
        if directive:
            name = directive.group(1).lower()
            self.doc.directives.append(name)
            if name in _RST_CODE_DIRECTIVES:
                self.expect_literal = True
        return directive is not None

    def _in_fence(self, line: str, stripped: str) -> None:
        fence = self.fence or ""
        if stripped.startswith(fence) and set(stripped) <= set(fence[0]):
            self.doc.code_blocks.append("\n".join(self.buffer).rstrip())
            self.fence, self.buffer = None, []
        else:
            self.buffer.append(line)

    def _in_literal(self, line: str, stripped: str) -> bool:
        """Whether the line continues the rst literal block (else the block is closed)."""
        indent = len(line) - len(line.lstrip())
        if not stripped or indent > (self.literal_indent or 0):
            self.buffer.append(line)
            return True
        self.doc.code_blocks.append("\n".join(self.buffer).rstrip())
        self.literal_indent, self.buffer = None, []
        return False

    def _opens_literal(self, i: int, line: str) -> bool:
        """After ``::`` or a code directive: whether this indented line opens a literal block."""
        self.expect_literal = False
        base = _last_indent(self.lines, i)
        indent = len(line) - len(line.lstrip())
        if indent <= base:
            return False
        self.literal_indent = base
        self.code_at.append(i)
        self.buffer = [line]
        return True

    def _setext_heading(self, i: int, line: str, stripped: str) -> bool:
        nxt = self.lines[i + 1] if i + 1 < len(self.lines) else ""
        under = _UNDERLINE.match(nxt)
        if (
            not stripped
            or not under
            or _UNDERLINE.match(line)
            or stripped.startswith(("-", "*", ">"))
        ):
            return False
        char = under.group(1)
        level = self.underline_levels.setdefault(char, len(self.underline_levels) + 1)
        self.headings.append((i, level, stripped))
        return True

    def _prose(self, i: int, line: str, stripped: str) -> None:
        for html in _HTML_HEADING.finditer(line if len(line) <= 2000 else ""):
            self.headings.append((i, int(html.group(1)), _HTML_TAG.sub("", html.group(2))))
        if stripped.endswith("::") and not stripped.startswith(".."):
            self.expect_literal = True
        self.prose_at.append((i, line))


def _link_targets(prose_at: Sequence[tuple[int, str]]) -> list[str]:
    """Every link target in the prose: Markdown, HTML, reST, reference definitions, bare URLs."""
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
    return targets


def _sections(scan: _Scanner, line_words: Sequence[int], line_count: int) -> list[Section]:
    """Each heading owns the prose and code up to the next heading of the same or a
    higher level. Prefix sums keep this linear: a file of many headings costs no more
    than its size."""
    headings = scan.headings
    prose_index = [n for n, _ in scan.prose_at]
    cumulative = [0, *itertools.accumulate(line_words)]
    ends: list[int] = [line_count] * len(headings)
    open_headings: list[int] = []  # indexes of headings still waiting for their end
    for index, (start, level, _) in enumerate(headings):
        while open_headings and headings[open_headings[-1]][1] >= level:
            ends[open_headings.pop()] = start
        open_headings.append(index)
    sections: list[Section] = []
    for index, (start, level, title) in enumerate(headings):
        end = ends[index]
        low = bisect.bisect_right(prose_index, start)
        high = bisect.bisect_left(prose_index, end)
        words = cumulative[high] - cumulative[low]
        blocks = bisect.bisect_left(scan.code_at, end) - bisect.bisect_right(scan.code_at, start)
        sections.append(
            Section(level=level, title=title, line=start + 1, words=words, code_blocks=blocks)
        )
    return sections


def parse_document(path: str, text: str) -> Document:
    """Headings with their content, code blocks, prose word count and links.

    Understands Markdown (ATX and setext headings, fenced code), reStructuredText
    (underlined titles, ``::`` literal blocks, ``code-block`` directives) and HTML
    headings; anything else is prose.
    """
    lines = text.splitlines()
    doc = Document(path=path)
    scan = _Scanner(lines, doc)
    scan.scan()
    prose_lines = [_INLINE_CODE.sub(lambda m: m.group(0).strip("`"), p) for _, p in scan.prose_at]
    doc.prose = "\n".join(prose_lines)
    line_words = [_words(_strip_markup(p)) for p in prose_lines]
    doc.prose_words = sum(line_words)
    doc.links = [t for t in _link_targets(scan.prose_at) if _doc_link(t)]
    doc.sections = _sections(scan, line_words, len(lines))
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
