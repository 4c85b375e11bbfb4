"""Documentation sites and pages: where a site reads its pages, which files are pages."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from backend_skills.checkers._repo_docs import (
    _SITE_SOURCES,
    _in_documentation,
    _may_configure_site,
    _mdbook_source,
    _mkdocs_source,
    _top_level_page,
)
from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import Role


def _file(path: str, text: str) -> SourceFile:
    return SourceFile(path, "/x/" + path, "yaml", Role.CONFIG, len(text), 1, "0", text)


@pytest.mark.parametrize(
    ("path", "generator", "counts"),
    [
        ("mkdocs.yml", "MkDocs", True),
        ("docs/conf.py", "Sphinx", True),
        ("docs/source/conf.py", "Sphinx", True),
        ("conf.py", "Sphinx", False),
        ("app/conf.py", "Sphinx", False),
        ("tests/site/mkdocs.yml", "MkDocs", False),
        ("a/b/c/mkdocs.yml", "MkDocs", False),
        (".readthedocs.yml", "Read the Docs", False),
        ("website/docusaurus.config.js", "Docusaurus", True),
    ],
)
def test_may_configure_site(path: str, generator: str, counts: bool) -> None:
    assert _may_configure_site(path, generator) is counts


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("site_name: x\n", "site/docs"),
        ("docs_dir: pages\n", "site/pages"),
        ("docs_dir: ../../outside\n", None),
        ("docs_dir: [1]\n", "site/docs"),
    ],
)
def test_mkdocs_source(text: str, source: str | None) -> None:
    assert _mkdocs_source(_file("site/mkdocs.yml", text), "site") == source


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("[book]\ntitle = 'x'\n", "book/src"),
        ("[book]\nsrc = 'pages'\n", "book/pages"),
        ("[book", "book/src"),
    ],
)
def test_mdbook_source(text: str, source: str) -> None:
    assert _mdbook_source(_file("book/book.toml", text), "book") == source


def test_docusaurus_and_antora_read_fixed_folders() -> None:
    f = _file("web/x", "")
    assert _SITE_SOURCES["Docusaurus"](f, "web") == "web/docs"
    assert _SITE_SOURCES["Antora"](f, "") == "modules"


@pytest.mark.parametrize(
    ("language", "stem", "page"),
    [
        ("markdown", "DEVELOPMENT", True),
        ("rst", "DEPLOYMENT", True),
        ("markdown", "README", False),
        ("markdown", "CHANGELOG", False),
        ("markdown", "AGENTS", False),
        ("text", "NOTES", False),
    ],
)
def test_top_level_page(language: str, stem: str, page: bool) -> None:
    assert _top_level_page(language, stem) is page


@pytest.mark.parametrize(
    ("path", "site_dirs", "inside"),
    [
        ("docs/guide.md", (), True),
        ("api/docs/guide.md", (), True),
        ("site/pages/a.md", ("site/pages/",), True),
        ("src/guide.md", (), False),
        ("tests/docs/fixture.md", (), False),
    ],
)
def test_in_documentation(path: str, site_dirs: tuple[str, ...], inside: bool) -> None:
    assert _in_documentation(path, PurePosixPath(path).parts, site_dirs) is inside
