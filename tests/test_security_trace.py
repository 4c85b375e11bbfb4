"""Vulnerability or hotspot: request input traced to a sink, and development defaults.

DESIGN section 5: a dangerous sink fed by request input (in the handler or one call away)
is a vulnerability and caps security; without that evidence it is a hotspot, which does
not cap. Credentials that are development defaults or examples are not secrets.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from backend_skills import Report, score
from backend_skills.checkers.analyses._secret_names import dev_default_url, literal_secret
from backend_skills.checkers.analyses._security_trace import callee_is_here, fed_by_call

from .conftest import TreeFactory


def security(root: Path) -> Report:
    return score(root, skills=["security", "database"], isolated=True)  # type: ignore[arg-type]


def d(text: str) -> str:
    return textwrap.dedent(text).lstrip()


UTILS = d(
    """
    import subprocess


    def disk_usage(parameters: str):
        command = "df -h " + parameters
        result = subprocess.run(
            command, stdout=subprocess.PIPE, shell=True
        )
        return result.stdout
    """
)

ROUTES = d(
    """
    from fastapi import APIRouter, Depends

    from app.utils import disk_usage

    router = APIRouter()


    @router.get("/disk")
    def disk(parameters: str = "", db=Depends(get_db)):
        return {"usage": disk_usage(parameters)}
    """
)

JOBS = d(
    """
    import subprocess

    from django.conf import settings


    def backup():
        subprocess.run("pg_dump " + settings.DATABASE_NAME, shell=True)
    """
)


def test_a_shell_call_fed_by_a_route_parameter_one_call_away_is_a_vulnerability(
    make_tree: TreeFactory,
) -> None:
    report = security(
        make_tree({"app/__init__.py": "", "app/utils.py": UTILS, "app/api.py": ROUTES})
    )
    (shell,) = [f for f in report.findings if "B602" in f.rules]
    assert "BSSEC050" in shell.rules
    assert (shell.path, shell.line) == ("app/utils.py", 7)  # bandit's line: shell=True
    assert shell.confidence == "high"
    cap = report.skill("security").cap
    assert cap is not None
    assert cap.value == 47.5
    assert [f.kind for f in cap.findings] == ["vulnerability"]


def test_a_shell_call_fed_by_settings_is_a_hotspot_that_does_not_cap(
    make_tree: TreeFactory,
) -> None:
    report = security(make_tree({"app/__init__.py": "", "app/jobs.py": JOBS}))
    (shell,) = [f for f in report.findings if "B602" in f.rules]
    assert shell.rules == ["B602"]
    assert report.skill("security").cap is None
    # The same function called from a view with a constant is still not fed by input.
    views = "from app.jobs import backup\n\ndef view(request):\n    backup()\n"
    report = security(
        make_tree({"app/__init__.py": "", "app/jobs.py": JOBS, "app/views.py": views})
    )
    assert report.skill("security").cap is None


FLASK = d(
    """
    import pickle
    import sqlite3

    import jwt
    from flask import Flask, request

    app = Flask(__name__)


    def check(token):
        return jwt.decode(token, verify=False)


    @app.route("/search", methods=["POST"])
    def search():
        term = request.json["q"]
        query = "SELECT * FROM users WHERE name = '%s'" % term
        rows = sqlite3.connect("db").cursor().execute(query)
        return {"rows": list(rows)}


    @app.route("/profile")
    def profile():
        check(request.headers.get("Authorization"))
        return pickle.loads(request.data)
    """
)


def test_request_input_traced_to_sql_pickle_and_an_unverified_jwt(
    make_tree: TreeFactory,
) -> None:
    report = security(make_tree({"app.py": FLASK}))
    by_line = {f.line: f for f in report.findings if f.path == "app.py" and f.severity == "high"}
    sql = by_line[17]
    assert {"BSSEC053", "BSDB001"} <= set(sql.rules)
    assert sql.confidence == "high"
    assert "security.injection" in sql.also
    assert "BSSEC052" in by_line[25].rules
    jwt_finding = by_line[11]
    assert jwt_finding.rule == "BSSEC021"
    assert jwt_finding.severity == "high"
    assert "request input passed by app.py" in jwt_finding.message
    cap = report.skill("security").cap
    assert cap is not None
    assert cap.value == 25.0  # three vulnerabilities: novice


IDP = d(
    """
    import jwt


    class GoogleTokens:
        def __init__(self, id_token):
            self.id_token = id_token

        def decode(self):
            # The id_token comes from Google's token endpoint over TLS, not from a client.
            return jwt.decode(jwt=self.id_token, options={"verify_signature": False})
    """
)


def test_an_unverified_jwt_not_from_the_request_is_a_hotspot(make_tree: TreeFactory) -> None:
    report = security(make_tree({"app/google.py": IDP}))
    (finding,) = [f for f in report.findings if f.rule == "BSSEC021"]
    assert finding.severity == "medium"
    assert "hotspot" in finding.message
    assert report.skill("security").cap is None


def test_a_module_constant_switching_verification_off_is_read(make_tree: TreeFactory) -> None:
    deps = d(
        """
        from fastapi import Depends
        from fastapi.security import OAuth2PasswordBearer
        from jose import jwt

        VERIFY = False
        scheme = OAuth2PasswordBearer(tokenUrl="token")


        async def current_user(token: str = Depends(scheme)):
            return jwt.decode(token, "k", options={"verify_signature": VERIFY})
        """
    )
    report = security(make_tree({"app/deps.py": deps}))
    (finding,) = [f for f in report.findings if f.rule == "BSSEC021"]
    assert finding.severity == "high"
    assert finding.confidence == "high"
    assert report.skill("security").cap is not None


SETTINGS = d(
    """
    import os

    from config.env import env

    CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="amqp://guest:guest@localhost//")
    CACHE_URL = os.getenv("CACHE_URL", "redis://user:Xk29sLq81mZ@cache.internal:6379")
    JWT_AUTH = {
        "JWT_GET_USER_SECRET_KEY": "app.authentication.services.user_jwt_secret_key",
    }


    def presign():
        \"\"\"Returns fields such as
        'x-amz-credential': 'AKIASOZLZI5FJDJ6XTSZ/20220405/eu-central-1/s3/aws4_request'
        \"\"\"
    """
)


def test_development_defaults_and_examples_do_not_cap(make_tree: TreeFactory) -> None:
    report = security(make_tree({"config/settings/base.py": SETTINGS}))
    secrets = [f for f in report.findings if f.criterion == "security.secrets"]
    assert {f.rule for f in secrets} >= {"BSSEC005", "BSSEC002"}  # still shown
    assert all(f.confidence == "low" for f in secrets if f.rule.startswith("BSSEC"))
    # A dotted path is not a secret (bandit's B105 on the key's name stays, low severity).
    assert not any(f.line == 8 and "BSSEC001" in f.rules for f in secrets)
    assert report.skill("security").cap is None


def test_a_real_credential_in_a_url_still_caps(make_tree: TreeFactory) -> None:
    settings = 'DATABASE_URL = "postgres://app:Xk29sLq81mZ@db.prod.acme.io:5432/app"\n'
    report = security(make_tree({"config/settings/base.py": settings}))
    (finding,) = [f for f in report.findings if f.rule == "BSSEC005"]
    assert finding.confidence == "high"
    assert report.skill("security").cap is not None


def test_dev_default_url_and_dotted_paths() -> None:
    assert dev_default_url("amqp://guest:guest@localhost//")
    assert dev_default_url("postgresql://postgres:postgres@db:5432/app")
    assert dev_default_url("redis://u:Xk29sLq81mZ@127.0.0.1:6379/0")
    assert dev_default_url("https://user:Xk29sLq81mZ@api.example.com/")
    assert not dev_default_url("postgres://app:Xk29sLq81mZ@db.prod.acme.io:5432/app")
    assert not literal_secret("app.auth.services.user_jwt_secret_key", "SECRET_KEY")
    assert literal_secret("Xk29sLq81mZ.Qp", "SECRET_KEY")


def test_a_url_written_out_as_syntax_is_no_password() -> None:
    from backend_skills.checkers.analyses._secret_names import text_secrets

    help_text = (
        'HELP = "DATABASE_URL: postgresql://[user[:password]@][netloc][:port][/dbname]"\n'
        'REAL = "postgres://app:Xk29sLq81mZ@db.prod.acme.io:5432/app"\n'
    )
    found = [(line, rule) for line, _, rule, _, _ in text_secrets(help_text)]
    assert found == [(2, "BSSEC005")]


def test_language_rule_credentials_weigh_as_pythons(make_tree: TreeFactory) -> None:
    # A sample password and a dev database default do not cap; a signing key weighs half.
    source = d(
        """
        public static class AuthorizationConstants
        {
            public const string DEFAULT_PASSWORD = "Pass@word1";
            public const string DB_PASSWORD = "postgres";
            public const string ADMIN_PASSWORD = "Tr0ub4dor-and-3";
            public const string JWT_SECRET_KEY = "SecretKeyOfDoomThatMustBeLong";
        }
        """
    )
    report = security(make_tree({"src/Constants.cs": source}))
    found = {f.line: f for f in report.findings if f.rule == "BSSEC109"}
    assert found[3].confidence == "low"
    assert found[4].confidence == "low"
    assert found[5].severity == "medium"
    assert found[6].severity == "high"
    assert report.skill("security").cap is None


def test_a_key_in_a_go_test_helper_package_does_not_cap(make_tree: TreeFactory) -> None:
    # Go's convention (net/http/httptest): a package named <x>test holds test helpers.
    key = "-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEAvMAHb0IoLvoYuW2kA\\n"
    source = f'package apitest\n\nconst privateKeyPEM = "{key}"\n'
    helper = security(make_tree({"go.mod": "module x\n", "app/sdk/apitest/keystore.go": source}))
    (finding,) = [f for f in helper.findings if f.rule == "BSSEC110"]
    assert finding.role == "test"
    assert helper.skill("security").cap is None
    served = security(
        make_tree(
            {"go.mod": "module x\n", "app/auth/keystore.go": source.replace("apitest", "auth")}
        )
    )
    assert served.skill("security").cap is not None


def test_a_class_method_called_with_request_input_from_another_module(
    make_tree: TreeFactory,
) -> None:
    dao = d(
        """
        class Student:
            @staticmethod
            async def create(conn, name: str):
                q = "INSERT INTO students (name) VALUES ('%(name)s')" % {"name": name}
                async with conn.cursor() as cur:
                    await cur.execute(q)
        """
    )
    views = d(
        """
        from app.dao.student import Student


        async def students(request):
            data = await request.post()
            await Student.create(request.app["db"], data["name"])
        """
    )
    tree = {"app/__init__.py": "", "app/dao/__init__.py": "", "app/dao/student.py": dao}
    alone = security(make_tree(tree))
    assert not any("BSSEC053" in f.rules for f in alone.findings)  # a parameter: a hotspot
    assert alone.skill("security").cap is None
    fed = security(make_tree({**tree, "app/views.py": views}))
    (sql,) = [f for f in fed.findings if "BSSEC053" in f.rules]
    assert (sql.path, sql.line) == ("app/dao/student.py", 4)
    assert fed.skill("security").cap is not None


# --------------------------------------------------------------------------- one call away


@pytest.mark.parametrize(
    ("path", "callee_module", "expected"),
    [
        ("app/utils.py", "", True),  # self.f() / a local f()
        ("app/utils.py", "app.utils", True),
        ("src/app/utils.py", "app.utils", True),  # imported from a source root
        ("app/dao/student.py", "app.dao.student.Student", True),  # a class's method
        ("app/dao/student.py", "app.dao.student.helpers", False),
        ("app/other.py", "app.utils", False),
    ],
)
def test_a_call_reaches_the_file_it_names(path: str, callee_module: str, expected: bool) -> None:
    assert callee_is_here(path, callee_module) is expected


def test_fed_by_call_needs_input_in_a_parameter_the_sink_uses() -> None:
    sink = {"function": "run", "origins": ["cmd"], "params": ["cmd", "cwd"]}
    into_cmd = {"run": [("app/views.py", "app.utils", ((0,), ()))]}
    into_cwd = {"run": [("app/views.py", "app.utils", ((1,), ()))]}
    by_keyword = {"run": [("app/views.py", "app.utils", ((), ("cmd",)))]}
    assert fed_by_call("app/utils.py", sink, into_cmd) == "app/views.py"
    assert fed_by_call("app/utils.py", sink, into_cwd) is None
    assert fed_by_call("app/utils.py", sink, by_keyword) == "app/views.py"
    assert fed_by_call("app/other.py", sink, into_cmd) is None


LAMBDA = d(
    """
    import os
    from urllib import parse


    def lambda_handler(event, context):
        filename = parse.unquote_plus(event["Records"][0]["s3"]["object"]["key"])
        os.system("touch /tmp/{} /tmp/{}.txt".format(filename, filename))
        return {"status": "ok"}
    """
)


def test_the_event_of_a_serverless_handler_is_request_input(make_tree: TreeFactory) -> None:
    """AWS Lambda's ``(event, context)``: the event is what the caller sent, so a shell
    command built from it is a vulnerability that caps security; the same code in a
    function taking a plain name stays a hotspot."""
    report = security(make_tree({"functions/uploads.py": LAMBDA}))
    (shell,) = [f for f in report.findings if "B605" in f.rules]
    assert "BSSEC050" in shell.rules
    assert (shell.path, shell.line) == ("functions/uploads.py", 7)
    assert report.skill("security").cap is not None
    helper = LAMBDA.replace("lambda_handler(event, context)", "touch(event, count)")
    report = security(make_tree({"functions/uploads.py": helper}))
    (shell,) = [f for f in report.findings if "B605" in f.rules]
    assert "BSSEC050" not in shell.rules
    assert report.skill("security").cap is None


SQLALCHEMY_VIEWS = d(
    """
    from sqlalchemy import select, text, update
    from sqlalchemy import update as sqlalchemy_update
    from starlette.requests import Request

    from app.db import Session, User


    async def login(request: Request):
        email = request.query_params["email"]
        async with Session() as session:
            user = (await session.execute(select(User).where(User.email == email))).scalar()
            await session.execute(update(User).where(User.id == user.id).values(name=email))
            statement = select(User).where(User.email == email).order_by(User.id)
            await session.execute(statement)
            await session.execute(select(User).where(text(f"email = '{email}'")))
            query = sqlalchemy_update(User).where(User.id == user.id).values(name=email)
            await session.execute(query)
            await session.execute(User.__table__.select().where(User.email == email))
            return user
    """
)


def test_sqlalchemy_statements_bind_request_values_and_text_does_not(
    make_tree: TreeFactory,
) -> None:
    # select()/update() put the values they take in bound parameters: not injection;
    # text() of an f-string inside one is SQL text built from the request.
    report = security(make_tree({"app/__init__.py": "", "app/views.py": SQLALCHEMY_VIEWS}))
    traced = [f for f in report.findings if "BSSEC053" in f.rules]
    assert [(f.path, f.line) for f in traced] == [("app/views.py", 15)]
    assert traced[0].confidence == "high"
