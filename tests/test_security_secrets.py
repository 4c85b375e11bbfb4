"""Secret readers of the security analysis: environment lookups whose default is a
development value, and lines that document rather than configure."""

from __future__ import annotations

import ast

import pytest

from backend_skills.checkers.analyses._security_secrets import (
    documentation_lines,
    env_default,
    env_lookup,
)


def _call(code: str) -> ast.Call:
    node = ast.parse(code).body[-1]
    assert isinstance(node, ast.Expr)
    assert isinstance(node.value, ast.Call)
    return node.value


@pytest.mark.parametrize(
    ("code", "default"),
    [
        ('os.getenv("KEY", "dev-key")', "'dev-key'"),
        ('os.environ.get("KEY", "dev-key")', "'dev-key'"),
        ('os.environ.setdefault("KEY", "dev-key")', "'dev-key'"),
        ('env("KEY", default="dev-key")', "'dev-key'"),
        ('env.str("KEY", default="dev-key")', "'dev-key'"),
        ('config("KEY", default="dev-key")', "'dev-key'"),
        ('os.getenv("KEY")', None),
        ('cache.get("KEY", "fallback")', None),  # not the environment
        ('settings.get("KEY", "fallback")', None),
    ],
)
def test_env_default(code: str, default: str | None) -> None:
    found = env_default(_call(code))
    assert (ast.unparse(found) if found is not None else None) == default


@pytest.mark.parametrize(
    ("code", "expected"),
    [("os.getenv('A')", True), ("environ.get('A')", True), ("requests.get(url)", False)],
)
def test_env_lookup(code: str, expected: bool) -> None:
    assert env_lookup(_call(code)) is expected


def test_documentation_lines_are_docstrings_and_env_defaults() -> None:
    tree = ast.parse('"""Doc\nstring"""\nKEY = os.getenv(\n    "KEY",\n    "dev",\n)\nx = f(1)\n')
    lines: set[int] = set()
    for node in ast.walk(tree):
        lines.update(documentation_lines(node))
    assert lines == {1, 2, 5}


def test_the_substring_prefilters_name_live_patterns_and_keep_their_matches() -> None:
    from backend_skills.checkers.analyses._secret_names import _NEEDS, text_secrets
    from backend_skills.core.redact import AWS_KEY, TOKENS, URL_CREDENTIALS

    sources = {p.pattern for p in (AWS_KEY, URL_CREDENTIALS, *(p for _, p in TOKENS))}
    assert set(_NEEDS) <= sources  # a stale entry would filter nothing (and hide a typo)
    text = "\n".join(
        [
            "key = 'ASIA" + "Q" * 16 + "'",
            "token = 'ghr_" + "a1" * 18 + "'",
            "stripe = 'rk_live_" + "x" * 24 + "'",
            "url = 'postgres://app:s3cret@db.internal/app'",
        ]
    )
    assert [(line, rule) for line, _, rule, _, _ in text_secrets(text)] == [
        (1, "BSSEC002"),
        (2, "BSSEC004"),
        (3, "BSSEC004"),
        (4, "BSSEC005"),
    ]
    assert list(text_secrets(text.replace("://", ":/"))) == list(text_secrets(text))[:3]
