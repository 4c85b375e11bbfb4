"""Line evidence in the other languages' files (:mod:`._polyglot_evidence`): which
NoSQL store a file uses, where retries and shutdown handling are, and which lines are
too long to judge."""

from __future__ import annotations

from pathlib import Path

from backend_skills.checkers.analyses._polyglot_evidence import (
    RESILIENCE_KINDS,
    FileEvidence,
    _record,
    _too_long,
    scan,
)
from backend_skills.core.discovery import discover


def test_too_long_judges_the_line_of_the_offset() -> None:
    text = "short\n" + "x" * 2500 + "\nshort again"
    assert not _too_long(text, 2)
    assert _too_long(text, 10)
    assert not _too_long(text, len(text) - 3)


def test_record_keeps_each_store_once_and_the_first_mongodb_line() -> None:
    evidence = FileEvidence()
    _record(evidence, "mongodb", 4)
    _record(evidence, "mongodb", 9)
    _record(evidence, "redis", 2)
    _record(evidence, "retries", 7)
    assert (evidence.stores, evidence.site, evidence.retries) == (["mongodb", "redis"], 4, [7])


def test_scan_reports_lines_per_file_and_skips_browser_fetches(tmp_path: Path) -> None:
    (tmp_path / "server").mkdir()
    (tmp_path / "server" / "client.js").write_text(
        "const axiosRetry = require('axios-retry');\n"
        "await axios.get(url);\n"
        "process.on('SIGTERM', () => server.close());\n",
        encoding="utf-8",
    )
    (tmp_path / "frontend").mkdir()
    (tmp_path / "frontend" / "api.js").write_text("fetch('/api/items');\n", encoding="utf-8")
    found = scan(discover(tmp_path).files, RESILIENCE_KINDS)
    assert set(found) == {"server/client.js"}
    evidence = found["server/client.js"]
    assert (evidence.retries, evidence.outgoing, evidence.shutdown) == ([1], [2], [3])
