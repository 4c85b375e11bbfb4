"""The ``repo`` checker's README and documentation-pages criteria."""

from __future__ import annotations

import posixpath
import re
import tomllib
from collections.abc import Callable, Sequence
from pathlib import PurePosixPath

from backend_skills.checkers._repo_ci import (
    load_yaml,
)
from backend_skills.checkers._repo_community import (
    _CHANGELOG_STEMS,
)
from backend_skills.checkers._repo_text import (
    DOC_DIRS,
    DOC_PAGE_MIN_WORDS,
    DOCS,
    README,
    README_MIN_WORDS,
    Document,
    _community_files,
    _finding,
    _join,
    _norm_stem,
    _parent,
    _Part,
    parse_document,
)
from backend_skills.core.discovery import FileSet, SourceFile
from backend_skills.core.models import Metric, Severity

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


def _no_readme(part: _Part, empty: Sequence[str]) -> None:
    if empty:
        message = f"{empty[0]} is empty: write what the project does, how to install and run it, and how it is built"
        part.findings.append(_finding("BSCOL001", README, empty[0], message, severity=Severity.LOW))
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


_DIAGRAM_STARTS = ("graph ", "flowchart", "sequenceDiagram", "@startuml")


def _readme_signals(doc: Document) -> dict[str, bool]:
    """Which of :data:`README_SIGNALS` a README shows."""
    non_install_code = [b for b in doc.code_blocks if not _only_install(b)]
    return {
        "body": doc.prose_words >= README_MIN_WORDS,
        "sections": len(doc.sections) >= 3,
        "install": _shows_install(doc),
        "usage": doc.section_with(_USAGE_HEADING) is not None or bool(non_install_code),
        "links": bool(doc.links),
        "architecture": _shows_architecture(doc),
    }


def _shows_install(doc: Document) -> bool:
    """An install heading, or an install command in a code block or in the prose."""
    return (
        doc.section_with(_INSTALL_HEADING) is not None
        or any(_INSTALL_COMMAND.search(b) for b in doc.code_blocks)
        or _INSTALL_COMMAND.search(doc.prose) is not None
    )


def _shows_architecture(doc: Document) -> bool:
    """An architecture heading, a link to design documents, or a diagram."""
    return (
        doc.section_with(_ARCH_HEADING) is not None
        or any(_ARCH_LINK.search(t) for t in doc.links)
        or any(b.lstrip().startswith(_DIAGRAM_STARTS) for b in doc.code_blocks)
    )


def _readme(fileset: FileSet) -> _Part:
    part = _Part()
    found, empty = _community_files(
        fileset, lambda stem: stem == "README", dirs=("", ".github", "docs")
    )
    if not found:
        _no_readme(part, empty)
        return part
    doc = _main_readme(found)
    part.files.add(doc.path)
    signals = _readme_signals(doc)
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
        part.findings.append(
            _finding(
                "BSCOL001",
                README,
                doc.path,
                f"{doc.path} lacks {_join([_wanted(m, doc) for m in missing])}",
                severity=Severity.LOW if len(met) <= 1 else Severity.INFO,
            )
        )
    return part


def _main_readme(found: Sequence[SourceFile]) -> Document:
    """The README that describes the project: the root one; among several there, the
    longest."""
    top = _parent(found[0].path)
    docs = [parse_document(f.path, f.text) for f in found if _parent(f.path) == top]
    return max(docs, key=lambda d: d.prose_words)


_WANTED = {
    "sections": "at least three headings",
    "install": "an install section or install commands",
    "usage": "a usage section or an example command",
    "links": "a link to further documentation",
    "architecture": "an architecture or overview section",
}


def _wanted(signal: str, doc: Document) -> str:
    """What a README lacking ``signal`` should add."""
    if signal == "body":
        return f"at least {README_MIN_WORDS} words of prose (it has {doc.prose_words})"
    return _WANTED[signal]


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
        if generator is None or not _may_configure_site(f.path, generator):
            continue
        source = _SITE_SOURCES.get(generator, _beside)(f, _parent(f.path))
        if source is not None:
            out.append((f.path, generator, source))
    return out


def _may_configure_site(path: str, generator: str) -> bool:
    """Whether a site configuration file counts where it stands: at most two folders
    down, not in tests or fixtures; Sphinx's ``conf.py`` only in a documentation folder;
    Read the Docs never (a hosting configuration, named beside the generator)."""
    parts = PurePosixPath(path).parts[:-1]
    if path.count("/") > 2 or any(p.lower() in _NOT_DOC_PARENTS for p in parts):
        return False
    if generator == "Sphinx":
        return bool(parts) and parts[-1].lower() in DOC_DIRS | {"source"}
    return generator != "Read the Docs"


def _beside(f: SourceFile, folder: str) -> str | None:
    return folder


def _mkdocs_source(f: SourceFile, folder: str) -> str | None:
    data, _ = load_yaml(f)
    docs_dir = data.get("docs_dir") if isinstance(data, dict) else None
    return _join_path(folder, docs_dir if isinstance(docs_dir, str) else "docs")


def _mdbook_source(f: SourceFile, folder: str) -> str | None:
    try:
        book = tomllib.loads(f.text).get("book", {})
    except (tomllib.TOMLDecodeError, RecursionError):
        book = {}
    src = book.get("src") if isinstance(book, dict) else None
    return _join_path(folder, src if isinstance(src, str) else "src")


#: Where each generator reads its pages, from its configuration file and its folder
#: (any other: the configuration's own folder).
_SITE_SOURCES: dict[str, Callable[[SourceFile, str], str | None]] = {
    "MkDocs": _mkdocs_source,
    "mdBook": _mdbook_source,
    "Docusaurus": lambda f, folder: _join_path(folder, "docs"),
    "Antora": lambda f, folder: _join_path(folder, "modules"),
}


def _join_path(folder: str, relative: str) -> str | None:
    """``folder/relative`` normalised, or None when it leaves the root."""
    joined = posixpath.normpath(posixpath.join(folder, relative.strip()))
    if joined.startswith(("..", "/")):
        return None
    return "" if joined == "." else joined


def _under_not_doc(parts: Sequence[str]) -> bool:
    """Whether a folder of the path holds tests or fixtures, whose docs are not the project's."""
    return any(p.lower() in _NOT_DOC_PARENTS for p in parts[:-1])


def _page_kind(f: SourceFile, site_dirs: tuple[str, ...]) -> str | None:
    """``"top"`` for a top-level page beside the README, ``"page"`` for a page of a
    documentation folder or site, None for a file that is not a documentation page."""
    if f.language not in {"markdown", "rst", "text", "html"}:
        return None
    parts = PurePosixPath(f.path).parts
    stem = _norm_stem(f.name)
    if len(parts) == 1:
        return "top" if _top_level_page(f.language, stem) else None
    if not _in_documentation(f.path, parts, site_dirs):
        return None
    if stem in _HYGIENE_STEMS or f.name.lower() in {"requirements.txt"}:
        return None
    return "page"


def _top_level_page(language: str, stem: str) -> bool:
    """A top-level page beside the README (development.md, deployment.md, FAQ.md), not a
    community, legal or agent file."""
    return (
        language in _TOP_LEVEL_DOC_LANGUAGES
        and not stem.startswith("README")
        and stem not in _HYGIENE_STEMS | _CHANGELOG_STEMS | _NOT_TOP_LEVEL_DOCS
    )


def _in_documentation(path: str, parts: Sequence[str], site_dirs: tuple[str, ...]) -> bool:
    """Under a documentation folder or a site's source folder, and not in a test fixture
    (whose documentation is not the project's)."""
    in_doc_dir = any(p.lower() in DOC_DIRS for p in parts[:-1])
    in_site = bool(site_dirs) and path.startswith(site_dirs)
    return (in_doc_dir or in_site) and not _under_not_doc(parts)


def _doc_findings(
    part: _Part,
    thin: Sequence[tuple[str, int]],
    empty_sites: Sequence[str],
    empty_pages: Sequence[str],
    count: int,
) -> None:
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


def _judge_page(f: SourceFile, part: _Part, thin: list[tuple[str, int]]) -> bool:
    """Whether a documentation page has enough prose (or is generated API documentation);
    a thin page is recorded in ``thin``."""
    part.files.add(f.path)
    doc = parse_document(f.path, f.text)
    generated = any(_AUTODOC.match(d) for d in doc.directives) or bool(_MKDOCSTRINGS.search(f.text))
    if doc.prose_words >= DOC_PAGE_MIN_WORDS or generated:
        return True
    thin.append((f.path, doc.prose_words))
    return False


def _site_has_content(source: str, fileset: FileSet, pages: Sequence[str]) -> bool:
    return any(d == source or d.startswith(source + "/") for d in fileset.dirs) or any(
        p.startswith(source + "/") for p in pages
    )


def _empty_doc_page(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return any(p.lower() in DOC_DIRS for p in parts[:-1]) and not _under_not_doc(parts)


def _doc_note(
    pages: Sequence[str],
    top_level: Sequence[str],
    site_names: Sequence[str],
    with_content: Sequence[tuple[str, str]],
) -> str:
    where = sorted({_doc_root(p) for p in pages})
    return (
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


def _doc_pages(fileset: FileSet) -> _Part:
    part = _Part()
    thin: list[tuple[str, int]] = []
    sites = _site_sources(fileset)
    pages, top_level = _judged_pages(fileset, sites, part, thin)
    with_content = _sites_with_content(sites, fileset, pages)
    empty_sites = [path for path, _, _ in sites if path not in {p for p, _ in with_content}]
    site_names = sorted({generator for _, generator in with_content})
    empty_pages = [
        s.path for s in fileset.skipped if s.reason == "empty file" and _empty_doc_page(s.path)
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
        part.notes.append(_doc_note(pages, top_level, site_names, with_content))
    _doc_findings(part, thin, empty_sites, empty_pages, count)
    return part


def _judged_pages(
    fileset: FileSet,
    sites: Sequence[tuple[str, str, str]],
    part: _Part,
    thin: list[tuple[str, int]],
) -> tuple[list[str], list[str]]:
    """The documentation pages with enough prose: under documentation folders or site
    sources, and top-level. Thin pages go to ``thin``."""
    pages: list[str] = []
    top_level: list[str] = []
    site_dirs = tuple(source + "/" for _, _, source in sites if source)
    for f in fileset.files:
        kind = _page_kind(f, site_dirs)
        if kind is not None and _judge_page(f, part, thin):
            (top_level if kind == "top" else pages).append(f.path)
    return pages, top_level


def _sites_with_content(
    sites: Sequence[tuple[str, str, str]], fileset: FileSet, pages: Sequence[str]
) -> list[tuple[str, str]]:
    """(configuration, generator) of the sites whose source folder holds files. Such a
    site counts as one page (AsciiDoc pages, which discovery does not read, included
    through the folder)."""
    return [
        (path, generator)
        for path, generator, source in sites
        if _site_has_content(source, fileset, pages)
    ]


def _doc_root(path: str) -> str:
    parts = PurePosixPath(path).parts
    for n, p in enumerate(parts[:-1]):
        if p.lower() in DOC_DIRS:
            return "/".join(parts[: n + 1]) + "/"
    return path
