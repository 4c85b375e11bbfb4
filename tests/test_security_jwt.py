"""The JWT readers of the security analysis (BSSEC021): which calls are PyJWT/jose calls,
why a decode skips verification, which argument is the token."""

from __future__ import annotations

import ast

import pytest

from backend_skills.checkers.analyses._security_base import FileContext
from backend_skills.checkers.analyses._security_jwt import (
    JwtChecks,
    jwt_call,
    module_constants,
    token_argument,
)
from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import Role


def _call(code: str) -> ast.Call:
    node = ast.parse(code).body[-1]
    assert isinstance(node, ast.Expr)
    assert isinstance(node.value, ast.Call)
    return node.value


def _checks(code: str) -> JwtChecks:
    file = SourceFile("app/auth.py", "app/auth.py", "python", Role.SOURCE, 0, 0, "", text=code)
    return JwtChecks(FileContext(file), module_constants(ast.parse(code)))


@pytest.mark.parametrize(
    ("qual", "expected"),
    [
        ("jwt.decode", True),
        ("jose.jwt.decode", True),
        ("jwt", True),
        ("app.jwt.decode", True),
        ("json.loads", False),
        ("myjwt_helper.decode", False),
    ],
)
def test_jwt_call(qual: str, expected: bool) -> None:
    assert jwt_call(qual) is expected


@pytest.mark.parametrize(
    ("code", "reasons"),
    [
        (
            'jwt.decode(t, options={"verify_signature": False})',
            ["options={'verify_signature': False}"],
        ),
        ("jwt.decode(t, verify=False)", ["verify=False"]),
        ('jwt.decode(t, key, algorithms=["none"])', ["the 'none' algorithm"]),
        ("VERIFY = False\njwt.decode(t, verify=VERIFY)", ["verify=False"]),
        ('jwt.decode(t, key, algorithms=["HS256"])', []),
        ("VERIFY = False\nVERIFY = True\njwt.decode(t, verify=VERIFY)", []),  # bound twice
    ],
    ids=["options", "verify", "none-algorithm", "constant", "verified", "not-a-constant"],
)
def test_why_a_decode_is_unverified(code: str, reasons: list[str]) -> None:
    assert _checks(code).unverified(_call(code)) == reasons


@pytest.mark.parametrize(
    ("code", "token"),
    [
        ("jwt.decode(raw, key)", "raw"),
        ("jwt.decode(key=k, token=raw)", "raw"),
        ("jwt.decode()", None),
    ],
)
def test_token_argument(code: str, token: str | None) -> None:
    found = token_argument(_call(code))
    assert (found.id if isinstance(found, ast.Name) else found) == token


def test_none_algorithm_signing_is_reported_and_decodes_recorded() -> None:
    code = 'import jwt\njwt.encode({}, "", algorithm="none")\njwt.decode(raw, verify=False)\n'
    checks = _checks(code)
    tree = ast.parse(code)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            checks.on_call(node, ast.unparse(node.func), ast.unparse(node.func).rsplit(".")[-1])
    assert [(f.rule, f.line) for f in checks.ctx.findings] == [("BSSEC021", 2)]
    assert [(call.lineno, reasons) for call, _, reasons in checks.decodes] == [
        (3, ["verify=False"])
    ]
