"""GORM models: gorm.Model, tags, embedded structs and relations."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from backend_skills import Report, score
from backend_skills.checkers.schema import merge_schema, resolve_models
from backend_skills.checkers.schema._gorm import read_gorm
from backend_skills.checkers.schema._models import plural, snake

from .conftest import TreeFactory

MODELS = """
    package store

    import (
        "time"

        "gorm.io/gorm"
    )

    type Timestamps struct {
        CreatedAt time.Time `gorm:"not null"`
        UpdatedAt time.Time
    }

    type User struct {
        ID    uint   `gorm:"primaryKey"`
        Email string `gorm:"uniqueIndex;not null"`
        Bio   *string
        Posts []Post
        Timestamps
    }

    type Post struct {
        gorm.Model
        Title    string `gorm:"size:200"`
        UserID   uint   `gorm:"not null"`
        User     User
        Category Category
        Status   Status
        secret   string
    }

    type Category struct {
        gorm.Model
        Name string
    }

    type Tag struct {
        Label string `gorm:"column:label_text;index:idx_tag;not null"`
        Kind  string `gorm:"index:idx_tag"`
    }

    func (Tag) TableName() string { return "labels" }
"""


def _tables() -> dict[str, Any]:
    facts = read_gorm("store/models.go", textwrap.dedent(MODELS))
    return dict(merge_schema(resolve_models({"store/models.go": ("source", facts)})))


def _score(root: Path) -> Report:
    return score(root, skills=["database"], isolated=True)


@pytest.mark.parametrize(
    ("name", "column"),
    [("UserID", "user_id"), ("ID", "id"), ("HTTPCode", "http_code"), ("birthDate", "birth_date")],
)
def test_column_names_follow_gorm_naming(name: str, column: str) -> None:
    assert snake(name) == column


@pytest.mark.parametrize(
    ("word", "table"), [("user", "users"), ("category", "categories"), ("box", "boxes")]
)
def test_table_names_are_plural(word: str, table: str) -> None:
    assert plural(word) == table


def test_models_tables_and_keys() -> None:
    tables = _tables()
    # Timestamps is embedded in User: its columns, not a table of its own.
    assert sorted(tables) == ["categories", "labels", "posts", "users"]
    assert tables["users"].facts["pk"] == ["id"]
    assert tables["posts"].facts["pk"] == ["id"]  # gorm.Model
    assert "created_at" in tables["users"].columns  # inherited from Timestamps
    assert tables["users"].columns["created_at"]["not_null"] is True


def test_tags_set_nullability_uniqueness_and_indexes() -> None:
    tables = _tables()
    users = tables["users"].columns
    assert users["email"]["not_null"]
    assert users["email"]["unique"]
    assert users["bio"]["not_null"] is False
    posts = tables["posts"].columns
    assert posts["title"]["not_null"] is False  # GORM adds NOT NULL only when tagged
    assert posts["status"]["ref"] is None  # a named type that is no model: a column
    assert "secret" not in posts  # unexported
    assert tables["labels"].indexes == [["label_text", "kind"]]


def test_belongs_to_and_has_many_are_foreign_keys() -> None:
    posts = _tables()["posts"].facts
    assert {"cols": ["user_id"], "ref": "users"} in posts["fks"]
    # Category has no CategoryID field on Post: GORM links nothing it cannot see.
    assert all(fk["ref"] != "categories" for fk in posts["fks"])


def test_unindexed_foreign_key_is_found_at_the_struct(make_tree: TreeFactory) -> None:
    report = _score(make_tree({"store/models.go": MODELS}))
    fk_index = [(f.path, f.line, f.message) for f in report.findings if f.rule == "BSDB103"]
    assert [(p, line) for p, line, _ in fk_index] == [("store/models.go", 22)]  # Post
    assert "(user_id) -> users" in fk_index[0][2]
    constraints = [(f.path, f.line) for f in report.findings if f.rule == "BSDB104"]
    assert constraints == [("store/models.go", 32)]  # Category: nothing NOT NULL
    no_key = [(f.path, f.line) for f in report.findings if f.rule == "BSDB101"]
    assert no_key == [("store/models.go", 37)]  # Tag


def test_indexed_and_constrained_models_are_clean(make_tree: TreeFactory) -> None:
    clean = MODELS.replace(
        'UserID   uint   `gorm:"not null"`', 'UserID   uint   `gorm:"not null;index"`'
    )
    clean = clean.replace("Name string\n", 'Name string `gorm:"not null"`\n')
    clean = clean.replace("type Tag struct {\n", "type Tag struct {\n        ID uint\n")
    report = _score(make_tree({"store/models.go": clean}))
    rules = {"BSDB101", "BSDB102", "BSDB103", "BSDB104"}
    assert [f.rule for f in report.findings if f.rule in rules] == []
