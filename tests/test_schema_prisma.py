"""Prisma schema files: models, optional fields, @id/@unique/@@index and relations."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from backend_skills import Report, score
from backend_skills.checkers.schema import merge_schema, resolve_models
from backend_skills.checkers.schema._prisma import read_prisma

from .conftest import TreeFactory

SCHEMA = """
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    enum Role {
      USER
      ADMIN
    }

    model User {
      id       Int     @id @default(autoincrement())
      email    String  @unique
      name     String?
      role     Role    @default(USER)
      posts    Post[]
    }

    model Post {
      id        Int      @id @default(autoincrement())
      title     String
      author    User     @relation(fields: [authorId], references: [id])
      authorId  Int      @map("author_id")
      tags      String[]

      @@map("posts")
    }

    model Note {
      slug  String?
      body  String?
    }
"""


def _tables() -> dict[str, Any]:
    facts = read_prisma("prisma/schema.prisma", textwrap.dedent(SCHEMA))
    return dict(merge_schema(resolve_models({"prisma/schema.prisma": ("other", facts)})))


def _score(root: Path) -> Report:
    return score(root, skills=["database"], isolated=True)


def test_models_become_tables_with_their_mapped_names() -> None:
    tables = _tables()
    assert sorted(t.facts["name"] for t in tables.values()) == ["Note", "User", "posts"]
    assert tables["user"].facts["pk"] == ["id"]


def test_optional_fields_are_nullable_and_relations_are_no_columns() -> None:
    tables = _tables()
    user = tables["user"].columns
    assert user["email"]["not_null"]
    assert user["email"]["unique"]
    assert user["name"]["not_null"] is False
    assert user["role"]["not_null"] is True  # an enum is a column
    assert "posts" not in user
    posts = tables["posts"].columns
    assert "author" not in posts
    assert "tags" not in posts
    assert posts["author_id"]["ref"] == "user"
    assert tables["posts"].facts["fks"] == [{"cols": ["author_id"], "ref": "user"}]


def test_findings_point_at_the_model_line(make_tree: TreeFactory) -> None:
    report = _score(make_tree({"prisma/schema.prisma": SCHEMA}))
    found = sorted((f.rule, f.path, f.line) for f in report.findings if f.rule < "BSDB105")
    assert found == [
        ("BSDB101", "prisma/schema.prisma", 29),  # Note: no @id
        ("BSDB103", "prisma/schema.prisma", 19),  # posts.author_id without @@index
        ("BSDB104", "prisma/schema.prisma", 29),  # Note: every field optional
    ]


def test_an_indexed_schema_is_clean(make_tree: TreeFactory) -> None:
    clean = (
        SCHEMA.replace('@@map("posts")', '@@map("posts")\n      @@index([authorId])')
        .replace("slug  String?", "slug  String  @id")
        .replace("body  String?", "body  String")
    )
    report = _score(make_tree({"prisma/schema.prisma": clean}))
    rules = {"BSDB101", "BSDB102", "BSDB103", "BSDB104"}
    assert [f.rule for f in report.findings if f.rule in rules] == []
    assert report.criterion("database.fk_indexes").score == 100.0
