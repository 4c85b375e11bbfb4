"""Password and credential readers of the security analysis (BSSEC020, BSSEC022)."""

from __future__ import annotations

import ast

import pytest

from backend_skills.checkers.analyses._security_base import FileContext
from backend_skills.checkers.analyses._security_crypto import (
    algorithm_name,
    compared_credential,
    hashed_arguments,
    imported_hashers,
    mentions_password,
    password_hash_name,
)
from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import Role


def _expr(code: str) -> ast.expr:
    node = ast.parse(code).body[-1]
    assert isinstance(node, ast.Expr)
    return node.value


def _ctx(code: str = "") -> FileContext:
    file = SourceFile("app/a.py", "app/a.py", "python", Role.SOURCE, 0, 0, "", text=code)
    return FileContext(file)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("password_hash", True),
        ("hashed_pw", True),
        ("passwordDigest", True),
        ("password", False),
        ("file_hash", False),
    ],
)
def test_password_hash_name(name: str, expected: bool) -> None:
    assert password_hash_name(name) is expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [("user.password.encode()", True), ('data["passwd"]', True), ("filename", False)],
)
def test_mentions_password(code: str, expected: bool) -> None:
    assert mentions_password(_expr(code)) is expected


@pytest.mark.parametrize(
    ("code", "credential"),
    [
        ("token == expected", "token"),
        ("request.headers['X-Signature'] != signature", "X-Signature"),
        ('token == "abc"', None),  # a literal: bandit's B105
        ("len(token) == size", None),
        ("token is None", None),
        ("a == b == token", None),  # more than one operator
        ("name == other", None),
    ],
)
def test_compared_credential(code: str, credential: str | None) -> None:
    node = _expr(code)
    assert isinstance(node, ast.Compare)
    assert compared_credential(_ctx(), node) == credential


@pytest.mark.parametrize(
    ("code", "qual", "hashed", "algorithm"),
    [
        ("hashlib.sha256(pw)", "hashlib.sha256", ["pw"], "sha256"),
        ('hashlib.new("md5", pw)', "hashlib.new", ["pw"], "md5"),
        ("hashlib.new(name, data=pw)", "hashlib.new", ["pw"], "new"),
        ("h.update(pw)", "h.update", ["pw"], "a fast hash"),
    ],
)
def test_hashed_arguments_and_algorithm(
    code: str, qual: str, hashed: list[str], algorithm: str
) -> None:
    call = _expr(code)
    assert isinstance(call, ast.Call)
    assert [ast.unparse(a) for a in hashed_arguments(call, qual)] == hashed
    assert algorithm_name(call, qual, fast=not qual.endswith("update")) == algorithm


def test_imported_hashers() -> None:
    modules = {"passlib.context", "argon2", "os", "argon2x", "bcrypt"}  # bcrypt: by its calls
    assert imported_hashers(modules) == {"passlib", "argon2"}
