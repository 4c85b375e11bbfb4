"""SQL dialect evidence from single files."""

from __future__ import annotations

import pytest

from backend_skills.checkers._sql_dialect import _file_evidence, _hinting
from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import Role


def _file(path: str, language: str, text: str, role: Role = Role.SOURCE) -> SourceFile:
    return SourceFile(path, "/x/" + path, language, role, len(text), 1, "0", text)


@pytest.mark.parametrize(
    ("path", "language", "text", "role", "dialect", "weight"),
    [
        ("app/db.py", "python", "import psycopg2\n", Role.SOURCE, "postgres", 2.0),
        ("tests/db.py", "python", "import psycopg2\n", Role.TEST, "postgres", 1.0),
        (".env.yaml", "yaml", "url: mysql+pymysql://u@h/db\n", Role.CONFIG, "mysql", 2.0),
        ("requirements.txt", "requirements", "psycopg2-binary==2.9\n", Role.CONFIG, "postgres", 3),
        (
            "docker-compose.yml",
            "yaml",
            "services:\n  db:\n    image: postgres:16\n",
            Role.CONFIG,
            "postgres",
            2,
        ),
    ],
)
def test_file_evidence(
    path: str, language: str, text: str, role: Role, dialect: str, weight: float
) -> None:
    evidence = _file_evidence(_file(path, language, text, role), has_dbt=False)
    assert [dialect, weight] in [e[:2] for e in evidence]
    assert all(path in e[2] for e in evidence)


def test_a_url_needs_a_scheme_separator_and_a_url_language() -> None:
    assert _file_evidence(_file("a.sql", "sql", "-- mysql://x\n"), has_dbt=False) == []


def test_only_the_first_200_sql_files_give_syntax_hints() -> None:
    files = [_file(f"q{i}.sql", "sql", "select 1") for i in range(205)]
    files.insert(3, _file("app.py", "python", "x = 1"))
    kept = _hinting(files)
    assert len(kept) == 201
    assert kept[-1].path == "q199.sql"
    assert any(f.path == "app.py" for f in kept)
