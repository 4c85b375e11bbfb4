"""The SQL tokenizer and token-run helpers the DDL reader is built on."""

from __future__ import annotations

import pytest

from backend_skills.checkers.schema._sql_tokens import (
    column_list,
    qualified_name,
    skip_if_not_exists,
    split_top,
    statements,
    tokenize,
)


@pytest.mark.parametrize(
    ("sql", "kinds"),
    [
        ("select 'a;b' from t", ["word", "string", "word", "word"]),
        (
            'create table "my table" (a int)',
            ["word", "word", "qident", "punct", "word", "word", "punct"],
        ),
        ("do $$ begin; end $$;", ["word", "dollar", "punct"]),
        ("a -- comment\n/* block */ b", ["word", "word"]),
        ("{{ ref('x') }} y", ["tmpl", "word"]),
    ],
)
def test_tokens_keep_strings_quotes_and_templates_whole(sql: str, kinds: list[str]) -> None:
    assert [t.kind for t in tokenize(sql)] == kinds


def test_tokens_carry_their_line_from_the_base_line() -> None:
    tokens = tokenize("a\n\nb", base_line=10)
    assert [(t.text, t.line) for t in tokens] == [("a", 10), ("b", 12)]


def test_statements_split_at_top_level_semicolons_only() -> None:
    parts = list(statements(tokenize("create function f() as $$ a; b $$; select (1;2); ;")))
    assert [" ".join(t.text for t in p) for p in parts] == [
        "create function f ( ) as $$ a; b $$",
        "select ( 1 ; 2 )",
    ]


def test_split_top_ignores_nested_commas() -> None:
    parts = split_top(tokenize("a int, b numeric(10, 2), c text"))
    assert [p[0].text for p in parts] == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("sql", "name", "after"),
    [("public.users (", "public.users", 3), ('"Users" x', '"Users"', 1), ("(a)", "", 0)],
)
def test_qualified_name(sql: str, name: str, after: int) -> None:
    assert qualified_name(tokenize(sql), 0) == (name, after)


def test_column_list_gives_expressions_as_empty_names() -> None:
    tokens = tokenize('(a, lower(b), "C") rest')
    assert column_list(tokens, 0) == (["a", "", "C"], 10)  # the index after ")"
    assert column_list(tokens, 10) == ([], 10)  # no list there


@pytest.mark.parametrize(("sql", "index"), [("if not exists t", 3), ("t", 0), ("if t", 0)])
def test_skip_if_not_exists(sql: str, index: int) -> None:
    assert skip_if_not_exists(tokenize(sql), 0) == index
