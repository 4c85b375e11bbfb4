"""Hard-coded credential findings on values that are not secrets (labels, header names,
names echoing their variable, templates, development fallbacks), and the secrets that
must stay findings (``password = "secret"``, ``jwtSecret: "keyboard cat"``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_skills import score
from backend_skills.checkers.analyses._secret_names import (
    connection_password_confidence,
    label_name,
    label_value,
    literal_secret,
    secret_name,
)
from backend_skills.checkers.polyglot import analyse_source
from backend_skills.core.models import Confidence, Finding, Report, Role
from backend_skills.rules._engine import secret_value

_SECRET_RULES = {"BSSEC001", "BSSEC109", "BSSEC110", "B105", "B106", "B107"}


def _secrets(report: Report) -> list[Finding]:
    return [f for f in report.findings if set(f.rules) & _SECRET_RULES]


def _security(report: Report) -> tuple[float | None, object]:
    security = next(s for s in report.skills if s.id == "security")
    return security.score, security.cap


# --------------------------------------------------------------- 1. development fallbacks


@pytest.mark.parametrize(
    "line",
    [
        # the password repeats the user name before it: find() met "postgres" there first
        '?? "Host=localhost;Database=fsh-tenant;Username=postgres;Password=postgres";',
        '"Host=127.0.0.1;Port=59999;Database=fsh;Username=nope;Password=nope;Timeout=2";',
        'builder.UseNpgsql("Host=arch;Database=arch;Username=arch;Password=arch");',
    ],
)
def test_a_development_fallback_is_low_confidence(line: str) -> None:
    code = f"class Db {{\n  string Conn() => Env()\n    {line}\n}}\n"
    result = analyse_source("src/Db.cs", "csharp", code, Role.SOURCE)
    found = [(f.line, f.confidence) for f in result.findings if f.rule == "BSSEC110"]
    assert found == [(3, Confidence.LOW)]


def test_a_password_equal_to_the_user_is_a_development_default() -> None:
    line = "Server=db.acme.io;User Id=app;Password=app;"
    assert connection_password_confidence(line, "app") is Confidence.LOW
    line = "Server=db.acme.io;User Id=app;Password=Q7#Lp2vXr;"
    assert connection_password_confidence(line, "Q7#Lp2vXr") is Confidence.HIGH


def test_an_ef_design_time_fallback_does_not_cap_security(tmp_path: Path) -> None:
    data = tmp_path / "src" / "Data"
    data.mkdir(parents=True)
    (data / "TenantDbContextFactory.cs").write_text(
        "namespace App.Data;\n\n"
        "public sealed class TenantDbContextFactory : IDesignTimeDbContextFactory<TenantDbContext>\n"
        "{\n"
        "    public TenantDbContext CreateDbContext(string[] args)\n"
        "    {\n"
        '        var connectionString = configuration["DatabaseOptions:ConnectionString"]\n'
        '            ?? "Host=localhost;Database=fsh-tenant;Username=postgres;Password=postgres";\n'
        "        return new TenantDbContext(Options(connectionString));\n"
        "    }\n"
        "}\n"
    )
    report = score(tmp_path, skills=["security"])
    found = [(f.path, f.line, f.confidence) for f in _secrets(report)]
    assert found == [("src/Data/TenantDbContextFactory.cs", 8, Confidence.LOW)]
    assert _security(report)[1] is None


# ------------------------------------------------------------ 2. inside one string literal


def test_a_password_property_after_a_string_is_not_a_connection_string() -> None:
    code = (
        "class TodoClient {\n"
        "  async Task<bool> Login(string email, string password) {\n"
        '    var response = await client.PostAsJsonAsync("auth/login", '
        "new UserInfo { Email = email, Password = password });\n"
        "    return response.IsSuccessStatusCode;\n"
        "  }\n"
        '  const string Conn = @"Server=db.acme.io;User Id=sa;Password=Sup3rS3cret;";\n'
        "}\n"
    )
    result = analyse_source("src/TodoClient.cs", "csharp", code, Role.SOURCE)
    assert [f.line for f in result.findings if f.rule == "BSSEC110"] == [6]


# --------------------------------------------------- 3. labels, header names and echoes


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("JwtTokenCheck", "JwtToken"),  # go-admin: a check's name
        ("HEADER_KEY_TOKEN", "Authorization"),  # ghostfolio: a header's name
        ("PROPERTY_API_KEY_GHOSTFOLIO", "API_KEY_GHOSTFOLIO"),  # a property's name
        ("USER_TOKEN", "ApolloUserToken"),  # apollo: a request attribute's name
        ("CREATE_ACCESS_KEY", "AccessKey.Create"),  # apollo: an event's name
        ("TOKEN_STATUS_ACTIVE", "active"),  # apollo: a status
        ("API_KEY_HEADER_NAME", "X-Api-Key"),
        ("passwordReset", "{base}/reset"),  # a template
    ],
)
def test_labels_are_not_secrets_in_any_language(name: str, value: str) -> None:
    assert not secret_value(name, f'"{value}"')
    assert not (secret_name(name) and literal_secret(value, name))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("password", "secret"),
        ("password", "MyPassword"),
        ("jwtSecret", "secret-key"),
        ("SECRET_KEY", "super_secret_key"),
        ("STATE_SECRET", "Xq8vLz1Pq"),  # "state" first, but a secret's last word
        ("JWT_SECRET_KEY", "SecretKeyOfDoomThatMustBeLong"),  # shares words, no echo
        ("apiKey", "AbCdEf123456"),
        ("tokenStatusSecret", "k9Lw2xQ"),
    ],
)
def test_secrets_stay_secrets(name: str, value: str) -> None:
    assert secret_value(name, f'"{value}"')
    assert secret_name(name)
    assert literal_secret(value, name)


def test_label_helpers() -> None:
    assert label_name("token_status")
    assert label_name("JwtTokenCheck")
    assert not label_name("state_secret")
    assert not label_name("password")
    assert label_value("USER_TOKEN", "ApolloUserToken")
    assert not label_value("password", "MyPassword")  # one shared word: a weak password
    assert not label_value("SECRET_KEY", "secret-key")  # lower case: a value, not a name


def _python_tree(tmp_path: Path, code: str) -> Path:
    (tmp_path / "app").mkdir(parents=True)
    (tmp_path / "app" / "views.py").write_text(code)
    return tmp_path


def test_python_status_fieldset_and_template_values_are_not_secrets(tmp_path: Path) -> None:
    code = (
        "def status(source, token):\n"
        "    if token is None:\n"
        '        source.token_status = "missing"\n'
        "    else:\n"
        '        source.token_status = "valid"\n'
        "    return source\n"
        "\n"
        "FIELDSETS = {\n"
        '    "smtp_host": "mail_settings",\n'
        '    "smtp_username": "mail_settings",\n'
        '    "smtp_password": "mail_settings",\n'
        "}\n"
        "\n"
        "class urls:\n"
        '    base = "{self.event.urls.speakers}{self.code}/"\n'
        '    password_reset = "{base}reset"\n'
        "\n"
        'DB = {"user": "app", "password": "app1pass"}\n'
        'password = "secret"\n'
    )
    report = score(_python_tree(tmp_path, code), skills=["security"])
    ours = sorted({f.line for f in _secrets(report) if f.rule == "BSSEC001"})
    assert ours == [18, 19]


# ---------------------------------------------------------------- 4. ruff's noqa codes


def test_ruff_noqa_s105_silences_like_nosec(tmp_path: Path) -> None:
    code = (
        'password_reset = "reset-it-now"  # noqa: S105  -- URL pattern, not a password\n'
        'token_name = "Migrated legacy API token x"  # noqa: S105\n'
        'db_password = "hunter2hunter2"  # noqa: E501\n'
        'api_token = "9f8e7d6c5b4a"  # noqa\n'
    )
    report = score(_python_tree(tmp_path, code), skills=["security"])
    by_line = {f.line: f for f in _secrets(report)}
    assert by_line[1].suppressed == "# noqa: S105: URL pattern, not a password"
    assert not by_line[1].counted
    assert by_line[3].counted
    assert by_line[3].suppressed is None
    assert by_line[4].counted
    assert by_line[4].suppressed is None


def test_nosec_b105_also_silences_our_finding_of_the_literal(tmp_path: Path) -> None:
    code = 'class Urls:\n    password_reset = "reset-it-now"  # nosec B105 - a route\n'
    report = score(_python_tree(tmp_path, code), skills=["security"])
    found = _secrets(report)
    assert found
    assert all(not f.counted for f in found)


# ------------------------------------------------- 5. environment defaults (ORM CLI files)


def test_an_environment_default_is_low_confidence() -> None:
    code = (
        "// this configuration is for migrations only\n"
        "if (!process.env.JWT_SECRET) {\n"
        '  process.env.JWT_SECRET = "securekey";\n'
        "}\n"
        'config.jwtSecret = "securekey";\n'
    )
    result = analyse_source("knexfile.js", "javascript", code, Role.SOURCE)
    found = [(f.line, f.confidence) for f in result.findings if f.rule == "BSSEC109"]
    assert found == [(3, Confidence.LOW), (5, Confidence.MEDIUM)]


# --------------------------------------------------------- 6. express-session's secret


def test_a_session_secret_of_words_is_a_credential(tmp_path: Path) -> None:
    (tmp_path / "app.js").write_text(
        "const session = require('express-session');\n"
        "app.use(session(\n"
        "    {\n"
        '        secret: "a very good and secure secret",\n'
        "        resave: false,\n"
        "    }\n"
        "));\n"
    )
    report = score(tmp_path, skills=["security"])
    assert [(f.rule, f.path, f.line) for f in _secrets(report)] == [("BSSEC109", "app.js", 4)]


def test_a_long_value_is_judged_in_linear_time() -> None:
    """A JWT-like run of letters ending in a character the label pattern refuses: the old
    pattern (an optional separator inside a repeated group) backtracked exponentially
    and held one TypeScript test file past the 60 s per-file limit."""
    from backend_skills.checkers.analyses._secret_names import label_value

    value = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9eyJzdWIiOiIxMjM0NTY3ODkw" * 3 + "="
    assert label_value("authorization", value) is False
