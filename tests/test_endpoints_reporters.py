"""Every report that lists the endpoint inventory lists the unprotected endpoints first:
writes without access control, then reads without it, then the protected ones."""

from __future__ import annotations

import re

import pytest

from backend_skills import Report, score
from backend_skills.core.checker import RenderOptions
from backend_skills.reporters._html_endpoints import ordered, section
from backend_skills.reporters.html import HtmlReporter
from backend_skills.reporters.markdown import MarkdownReporter
from backend_skills.reporters.text import TextReporter

from .conftest import TreeFactory

pytest.importorskip("tree_sitter")
pytest.importorskip("tree_sitter_javascript")

APP = """\
const express = require('express');
const app = express();
app.post('/a-protected', requireAuth, create);
app.get('/b-open-read', list);
app.delete('/c-open-write/:id', remove);
app.get('/d-protected-read', requireAuth, show);
app.put('/e-open-write', update);
module.exports = app;
"""
EXPECTED = [
    "/c-open-write/:id",
    "/e-open-write",
    "/b-open-read",
    "/a-protected",
    "/d-protected-read",
]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    root = tmp_path_factory.mktemp("shop")
    (root / "src").mkdir()
    (root / "src" / "app.js").write_text(APP, encoding="utf-8")
    (root / "package.json").write_text('{"dependencies": {"express": "4.19.2"}}\n')
    return score(root, skills=["security"], isolated=True, cache=False)


def positions(page: str) -> list[str]:
    found = [(page.index(p), p) for p in EXPECTED if p in page]
    assert len(found) == len(EXPECTED), found
    return [p for _, p in sorted(found)]


def test_inventory_in_source_order_is_not_already_sorted(report: Report) -> None:
    assert [e.path for e in report.endpoints] != EXPECTED  # the test below can fail


@pytest.mark.parametrize(
    ("reporter", "heading"),
    [
        (HtmlReporter, 'id="endpoints-table"'),
        (MarkdownReporter, "### Endpoints:"),
        (TextReporter, "Endpoints:"),
    ],
)
def test_reports_list_unprotected_endpoints_first(
    report: Report, reporter: type, heading: str
) -> None:
    page = reporter().render(report, RenderOptions()).replace("\\", "")  # Markdown escapes
    inventory = page[page.index(heading) :]
    inventory = inventory[: min(inventory.index(p) for p in EXPECTED) + 2000]
    assert positions(inventory) == EXPECTED


def test_html_marks_unprotected_rows_and_counts_them(report: Report) -> None:
    page = HtmlReporter().render(report, RenderOptions())
    table = page[page.index('id="endpoints-table"') :]
    rows = re.findall(r"<tr( class=\"unprotected\")?><td", table)
    assert rows[:3] == [' class="unprotected"'] * 3
    assert rows[3:5] == ["", ""]
    assert "3 without access control (2 write endpoints), listed first." in page


def test_html_section_keeps_rows_of_another_shape() -> None:
    rows = [{"method": "GET", "path": "/x"}, "not a mapping", {"method": "POST", "public": True}]
    assert ordered(rows)[0] == {"method": "POST", "public": True}
    html = section(rows)
    assert '<td colspan="3">not a mapping</td>' in html
    assert section([]) == ""


def test_html_section_is_bounded(make_tree: TreeFactory) -> None:
    del make_tree
    rows = [{"method": "GET", "path": f"/p{i}", "public": False} for i in range(1005)]
    html = section(rows)
    assert html.count("<tr><td") == 1000
    assert "5 more in the JSON report." in html
