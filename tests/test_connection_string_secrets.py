"""A password in a connection string (BSSEC110): a real one is a high-confidence
vulnerability; a development default (this machine's server, a well-known default
password) is reported with low confidence and never caps the security score; a
placeholder (``YourPassword``, ``<your-password>``, ``$(VAR)``) is not a finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_skills import score
from backend_skills.checkers.polyglot import analyse_source
from backend_skills.core.models import Confidence, Role


def _password_findings(line: str) -> list[tuple[int, Confidence]]:
    code = f'class Db {{\n  const string Conn = "{line}";\n}}\n'
    result = analyse_source("src/Db.cs", "csharp", code, Role.SOURCE)
    return [(f.line or 0, f.confidence) for f in result.findings if f.rule == "BSSEC110"]


@pytest.mark.parametrize(
    "connection",
    [
        "Server=db.internal;Database=app;User Id=sa;Password=Sup3rS3cret!;",
        "Host=pg.prod.acme.io;Username=app;Password=q7#Lp$2vX;",
    ],
)
def test_a_real_password_is_a_high_confidence_finding(connection: str) -> None:
    assert _password_findings(connection) == [(2, Confidence.HIGH)]


@pytest.mark.parametrize(
    "connection",
    [
        "Server=localhost,1433;Database=app;User Id=sa;Password=Sup3rS3cret!;",
        r"Server=(localdb)\\mssqllocaldb;Database=app;User Id=sa;Password=Sup3rS3cret!;",
        "Data Source=127.0.0.1;Initial Catalog=app;User Id=sa;Password=Sup3rS3cret!;",
        "Server=db;Database=app;User Id=sa;Password=Pass@word1;",
    ],
)
def test_a_development_default_is_reported_with_low_confidence(connection: str) -> None:
    assert _password_findings(connection) == [(2, Confidence.LOW)]


@pytest.mark.parametrize(
    "connection",
    [
        "Server=db;Database=app;User Id=sa;Password=YourPassword;",
        "Server=db;Database=app;User Id=sa;Password=<your-password>;",
        "Server=db;Database=app;User Id=sa;Password=$(DB_PASSWORD);",
        "Server=db;Database=app;User Id=sa;Password=%DB_PASSWORD%;",
        "Server=db;Database=app;User Id=sa;Password={0};",
        "Server=db;Database=app;User Id=sa;Password=your_strong_password_here;",
    ],
)
def test_a_placeholder_is_not_a_finding(connection: str) -> None:
    assert _password_findings(connection) == []


def test_a_password_with_a_dollar_sign_is_read_whole() -> None:
    """``$`` starts a variable only at the start of the value (``$(VAR)``, ``${VAR}``)."""
    assert _password_findings("Server=db;User Id=sa;Password=x$9Lk2vQ7;") == [(2, Confidence.HIGH)]


def _service(tmp_path: Path, connection: str) -> Path:
    src = tmp_path / "src"
    src.mkdir(parents=True)
    (src / "DesignTimeFactory.cs").write_text(
        "namespace App;\n\n"
        "/// <summary>Creates the context for `dotnet ef` at design time.</summary>\n"
        "public class DesignTimeFactory\n{\n"
        "    /// <summary>The connection string for migrations.</summary>\n"
        "    public string Create() =>\n"
        '        Environment.GetEnvironmentVariable("DB")\n'
        f'            ?? "{connection}";\n'
        "}\n"
    )
    return tmp_path


def test_a_local_default_does_not_cap_security_but_a_real_password_does(
    tmp_path: Path,
) -> None:
    local = score(
        _service(tmp_path / "local", "Server=localhost,1433;User Id=sa;Password=Str0ng!Pass;"),
        skills=["security"],
    )
    real = score(
        _service(tmp_path / "real", "Server=sql.acme.io;User Id=sa;Password=Str0ng!Pass;"),
        skills=["security"],
    )
    local_security = next(s for s in local.skills if s.id == "security")
    real_security = next(s for s in real.skills if s.id == "security")
    assert local_security.cap is None
    assert real_security.cap is not None
    assert local_security.score is not None
    assert real_security.score is not None
    assert local_security.score > real_security.score
