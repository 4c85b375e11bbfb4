"""TypeORM entities: @Entity, columns (NOT NULL by default), relations and indexes."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from backend_skills import Report, score
from backend_skills.checkers.schema import merge_schema, resolve_models
from backend_skills.checkers.schema._typeorm import read_typeorm

from .conftest import TreeFactory

BASE = """
    import { PrimaryGeneratedColumn, CreateDateColumn } from 'typeorm';

    export abstract class Base {
      @PrimaryGeneratedColumn()
      id: number;

      @CreateDateColumn()
      createdAt: Date;
    }
"""

USER = """
    import { Entity, Column, Index, OneToMany } from 'typeorm';
    import { Base } from './base';

    @Entity('users')
    @Index(['lastName', 'firstName'])
    export class UserEntity extends Base {
      @Column({ unique: true })
      email: string;

      @Column({ nullable: true, length: 40 })
      firstName?: string;

      @Column({ nullable: true })
      lastName?: string;

      @OneToMany(() => Article, (a) => a.author)
      articles: Article[];

      greet(): string {
        return 'hi';
      }
    }
"""

ARTICLE = """
    import { Entity, Column, ManyToOne, JoinColumn, PrimaryGeneratedColumn } from 'typeorm';

    @Entity()
    export class Article {
      @PrimaryGeneratedColumn('uuid')
      id: string;

      @Column({ nullable: true })
      body: string;

      @ManyToOne(() => UserEntity, (u) => u.articles)
      @JoinColumn({ name: 'author_id' })
      author: UserEntity;

      @ManyToOne(() => Article)
      parent: Article;
    }
"""


def _files() -> dict[str, str]:
    return {
        "src/base.ts": BASE,
        "src/user.entity.ts": USER,
        "src/article.entity.ts": ARTICLE,
    }


def _tables() -> dict[str, Any]:
    files = {
        path: ("source", read_typeorm(path, textwrap.dedent(text)))
        for path, text in _files().items()
    }
    return dict(merge_schema(resolve_models(files)))


def _score(root: Path) -> Report:
    return score(root, skills=["database"], isolated=True)


def test_entities_inherit_columns_from_their_base_class() -> None:
    tables = _tables()
    assert sorted(tables) == ["article", "users"]  # Base is abstract, no @Entity
    assert tables["users"].facts["pk"] == ["id"]
    assert tables["users"].columns["createdat"]["not_null"] is True


def test_columns_are_not_null_unless_nullable() -> None:
    users = _tables()["users"].columns
    assert users["email"]["not_null"]
    assert users["email"]["unique"]
    assert users["firstname"]["not_null"] is False
    assert "articles" not in users
    assert "greet" not in users
    assert _tables()["users"].indexes == [["lastName", "firstName"]]


def test_many_to_one_is_a_nullable_foreign_key_column() -> None:
    article = _tables()["article"]
    assert article.facts["fks"] == [
        {"cols": ["author_id"], "ref": "users"},
        {"cols": ["parentId"], "ref": "article"},
    ]
    assert article.columns["author_id"]["not_null"] is False


def test_unindexed_foreign_keys_are_found_at_the_entity(make_tree: TreeFactory) -> None:
    report = _score(make_tree(_files()))
    found = sorted((f.rule, f.path, f.line) for f in report.findings if f.rule < "BSDB105")
    assert found == [
        ("BSDB103", "src/article.entity.ts", 4),
        ("BSDB104", "src/article.entity.ts", 4),  # every non-key column nullable
    ]


def test_indexed_relations_are_clean(make_tree: TreeFactory) -> None:
    clean = (
        ARTICLE.replace(
            "@JoinColumn({ name: 'author_id' })",
            "@Index()\n      @JoinColumn({ name: 'author_id' })",
        )
        .replace("@ManyToOne(() => Article)", "@Index()\n      @ManyToOne(() => Article)")
        .replace("{ nullable: true })\n      body", "{ nullable: false })\n      body")
        .replace("import {", "import { Index,")
    )
    report = _score(make_tree({**_files(), "src/article.entity.ts": clean}))
    rules = {"BSDB101", "BSDB102", "BSDB103", "BSDB104"}
    assert [f.rule for f in report.findings if f.rule in rules] == []
