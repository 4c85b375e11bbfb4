"""Committed environment files: their credentials are BSSEC109 findings (templates are
not read), weighed as literals in code are, and they cap like them."""

from __future__ import annotations

from backend_skills import score
from backend_skills.checkers._dotenv import dotenv_matches
from backend_skills.core._roles import detect_language
from tests.conftest import TreeFactory

ENV = """\
# local settings
PORT=4000
JWT_SECRET=apple
DB_PASSWORD="s3cr3t-Pass" # the staging one
API_KEY=${OTHER_KEY}
SECRET_KEY=
ADMIN_PASSWORD=changethis
# TOKEN=abc123
export APP_SECRET_KEY='long-and-random-8f3a9c'
REDIS_URL=redis://localhost:6379
"""


def test_credential_lines_of_an_environment_file() -> None:
    found = [(m.line, m.name, m.secret) for m in dotenv_matches(ENV)]
    assert found == [
        (3, "JWT_SECRET", "apple"),
        (4, "DB_PASSWORD", "s3cr3t-Pass"),
        (9, "APP_SECRET_KEY", "long-and-random-8f3a9c"),
    ]


def test_environment_files_and_not_their_templates_are_read() -> None:
    assert detect_language(".env") == "dotenv"
    assert detect_language(".env.production") == "dotenv"
    assert detect_language("docker.env") == "dotenv"
    assert detect_language(".env.example") is None
    assert detect_language(".env.sample") is None
    assert detect_language(".envrc") is None


def test_committed_credentials_are_reported_without_their_value_and_cap(
    make_tree: TreeFactory,
) -> None:
    app = 'const express = require("express");\nconst app = express();\n'
    tree = {"server/index.js": app, "server/.env": ENV, "server/.env.example": ENV}
    report = score(make_tree(tree), skills=["security"], isolated=True, cache=False)
    found = [f for f in report.findings if f.rule == "BSSEC109"]
    assert sorted((f.path, f.line) for f in found) == [
        ("server/.env", 3),
        ("server/.env", 4),
        ("server/.env", 9),
    ]
    assert all("apple" not in f.message and "s3cr3t" not in f.message for f in found)
    assert all(f.counted for f in found)
    cap = report.skill("security").cap
    assert cap is not None  # two signing secrets (a JWT secret, a secret key) in a committed file
    assert {c.path for c in cap.findings} == {"server/.env"}


def test_a_development_environment_file_is_reported_but_does_not_cap(
    make_tree: TreeFactory,
) -> None:
    app = 'const express = require("express");\nconst app = express();\n'
    tree = {"server/index.js": app, "server/.env.development": ENV}
    report = score(make_tree(tree), skills=["security"], isolated=True, cache=False)
    assert len([f for f in report.findings if f.rule == "BSSEC109"]) == 3
    assert report.skill("security").cap is None
