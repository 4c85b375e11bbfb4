"""The Python syntax-tree helpers and the SQLAlchemy/Django readers built on them."""

from __future__ import annotations

import ast

import pytest

from backend_skills.checkers.schema._django import django_field
from backend_skills.checkers.schema._pyast import annotation_optional, const_str, ref_key, str_list
from backend_skills.checkers.schema._sqlalchemy import optional_annotation, sa_column


def _expr(source: str) -> ast.expr:
    return ast.parse(source, mode="eval").body


@pytest.mark.parametrize(
    ("source", "value"), [("'x'", "x"), ("op.f('ix_a')", "ix_a"), ("1", None), ("name", None)]
)
def test_const_str(source: str, value: str | None) -> None:
    assert const_str(_expr(source)) == value


@pytest.mark.parametrize(
    ("source", "value"),
    [("['a', 'b']", ["a", "b"]), ("('a', 1)", ["a"]), ("'a'", ["a"]), ("x", [])],
)
def test_str_list(source: str, value: list[str]) -> None:
    assert str_list(_expr(source)) == value


@pytest.mark.parametrize(
    ("target", "key"), [("users.id", "users"), ("auth.Users.id", "users"), ("users", "users")]
)
def test_ref_key(target: str, key: str) -> None:
    assert ref_key(target) == key


@pytest.mark.parametrize(
    ("text", "optional"), [("Optional[int]", True), ("int|None", True), ("int", False)]
)
def test_annotation_optional(text: str, optional: bool) -> None:
    assert annotation_optional(text) is optional


@pytest.mark.parametrize(
    ("source", "optional"),
    [
        ("Mapped[int]", False),
        ("Mapped[str | None]", True),
        ("'Mapped[Optional[str]]'", True),
        ("int", None),
    ],
)
def test_optional_annotation_only_reads_mapped(source: str, optional: bool | None) -> None:
    assert optional_annotation(_expr(source)) is optional


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Column(Integer, primary_key=True)", ("", True, True, None)),
        ("Column('email', String, nullable=False)", ("email", True, False, None)),
        ("Column(ForeignKey('users.id'))", ("", False, False, "users")),
        ("mapped_column(ForeignKey(User.id))", ("", False, False, "user")),
    ],
)
def test_sa_column(source: str, expected: tuple[str, bool, bool, str | None]) -> None:
    call = _expr(source)
    assert isinstance(call, ast.Call)
    col = sa_column(call, None, 1, None)
    assert (col["name"], col["not_null"], col["pk"], col["ref"]) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("models.CharField(max_length=10)", ("title", True, False, None)),
        (
            "models.ForeignKey('auth.User', on_delete=CASCADE, null=True)",
            ("title_id", False, True, "user"),
        ),
        ("models.ForeignKey(Blog, db_index=False, db_column='b')", ("b", True, False, "blog")),
        ("models.ManyToManyField(Tag)", None),
    ],
)
def test_django_field(source: str, expected: tuple[str, bool, bool, str | None] | None) -> None:
    call = _expr(source)
    assert isinstance(call, ast.Call)
    col = django_field("title", call, 1, "Post")
    if expected is None:
        assert col is None
    else:
        assert col is not None
        assert (col["name"], col["not_null"], col["indexed"], col["ref"]) == expected
