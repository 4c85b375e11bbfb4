"""What the pattern rules' data flow reads as constant or not: a ternary's condition is
not its value, quoting and numeric conversions sanitise, a reassigned parameter keeps
the caller's value."""

from __future__ import annotations

import pytest

from backend_skills.checkers.polyglot import analyse_source
from backend_skills.core.models import Role

pytest.importorskip("tree_sitter_go")
pytest.importorskip("tree_sitter_javascript")


def lines(path: str, language: str, code: str, rule: str) -> list[int]:
    result = analyse_source(path, language, code, Role.SOURCE)
    return [f.line for f in result.findings if f.rule == rule]


def test_a_ternary_of_two_literals_is_constant_whatever_its_condition() -> None:
    # NodeBB: ORDER BY ${sort} with sort = options.reverse ? 'DESC' : 'ASC'
    code = """const { Pool } = require('pg');
router.get('/items', async (req, res) => {
  const sort = req.query.reverse ? 'DESC' : 'ASC';
  const rows = await pool.query(`SELECT * FROM items ORDER BY score ${sort}`);
  const picked = req.query.desc ? req.query.column : 'score';
  await pool.query(`SELECT * FROM items ORDER BY ${picked}`);
  res.json(rows);
});
"""
    assert lines("src/items.js", "javascript", code, "BSSEC101") == [6]


def test_quoting_and_numeric_conversions_sanitise_go_sql() -> None:
    # miniflux: a column name quoted with pq.QuoteIdentifier; an id through strconv.
    code = """package storage

import "database/sql"

func (s *Storage) Exists(field, value string, id int64, r *http.Request) bool {
	var ok bool
	query := `SELECT true FROM users WHERE ` + pq.QuoteIdentifier(field) + `=$1`
	s.db.QueryRow(query, value).Scan(&ok)
	s.db.QueryRow("SELECT true FROM users WHERE id = " + strconv.FormatInt(id, 10)).Scan(&ok)
	s.db.QueryRow("SELECT true FROM users WHERE name = '" + r.FormValue("name") + "'").Scan(&ok)
	return ok
}
"""
    assert lines("internal/storage/user.go", "go", code, "BSSEC101") == [10]


def test_a_parameter_reassigned_from_itself_keeps_the_callers_value() -> None:
    # go-test-bench: payload = "http://" + payload before http.Get(payload)
    code = """package ssrf

import "net/http"

func fetch(payload string) (*http.Response, error) {
	if !strings.HasPrefix(payload, "http") {
		payload = "http://" + payload
	}
	return http.Get(payload)
}
"""
    assert lines("internal/ssrf/ssrf.go", "go", code, "BSSEC116") == [9]
