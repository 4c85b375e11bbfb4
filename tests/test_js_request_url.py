"""Node's raw request URL is request input (``url.parse(req.url, true).query``)."""

from __future__ import annotations

import pytest

from backend_skills.checkers.polyglot import analyse_source
from backend_skills.core.models import Confidence, Role, Severity

pytest.importorskip("tree_sitter_javascript")

CODE = """const url = require('url');
const pgp = require('pg-promise')();
const db = pgp(process.env.DATABASE_URL);

router.get('/products/search', function (req, res) {
  const params = url.parse(req.url, true).query;
  const q = "SELECT * FROM products WHERE name ILIKE '%" + params.q + "%'";
  db.many(q).then((rows) => res.json(rows));
});
"""


def test_the_query_string_parsed_from_req_url_is_request_input() -> None:
    result = analyse_source("routes/products.js", "javascript", CODE, Role.SOURCE)
    (finding,) = [f for f in result.findings if f.rule == "BSSEC101"]
    assert finding.line == 8
    assert (finding.severity, finding.confidence) == (Severity.HIGH, Confidence.HIGH)
    assert "request input in the same function" in finding.message
