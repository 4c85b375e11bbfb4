"""Schema design: DDL and ORM readers, merging, and the per-table findings."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from backend_skills import Report, score
from backend_skills.checkers.sql_schema import (
    SchemaFacts,
    evaluate_schema,
    naming_style,
    read_ddl,
    read_python_schema,
)

from .conftest import TreeFactory


def _ddl(text: str) -> SchemaFacts:
    return read_ddl(textwrap.dedent(text).lstrip("\n"))


def _py(text: str) -> SchemaFacts:
    return read_python_schema(ast.parse(textwrap.dedent(text)))


def _metrics(files: dict[str, SchemaFacts], mysql: bool = False) -> dict[str, float | None]:
    report = evaluate_schema({p: ("source", f) for p, f in files.items()}, mysql)
    return {m.name: m.value for m in report.metrics}


def _score(root: Path) -> Report:
    return score(root, skills=["database"], isolated=True)


def test_columns_and_table_constraints_are_read() -> None:
    facts = _ddl(
        """
        CREATE TABLE IF NOT EXISTS shop.orders (
            id bigserial PRIMARY KEY,
            customer_id integer NOT NULL REFERENCES shop.customers (id) ON DELETE CASCADE,
            total numeric(10, 2) CHECK (total >= 0),
            code text UNIQUE,
            note text DEFAULT 'a;b (not) null',
            CONSTRAINT orders_pair UNIQUE (customer_id, code),
            CONSTRAINT orders_ref FOREIGN KEY (code) REFERENCES codes (code)
        );
        """
    )
    (table,) = facts["tables"]
    assert (table["name"], table["key"], table["line"]) == ("shop.orders", "orders", 1)
    cols = {c["name"]: c for c in table["columns"]}
    assert list(cols) == ["id", "customer_id", "total", "code", "note"]
    assert cols["id"]["pk"]
    assert cols["customer_id"]["not_null"]
    assert cols["customer_id"]["ref"] == "customers"
    assert cols["total"]["check"]
    assert cols["code"]["unique"]
    assert not cols["note"]["not_null"]  # the words are inside a string literal
    assert table["uniques"] == [["customer_id", "code"]]
    assert table["fks"] == [{"cols": ["code"], "ref": "codes"}]


def test_pg_dump_style_constraints_in_alter_table_are_applied() -> None:
    facts = _ddl(
        """
        CREATE TABLE public.users (
            id integer NOT NULL,
            email text NOT NULL
        );
        CREATE TABLE public.posts (
            id integer NOT NULL,
            user_id integer NOT NULL
        );
        ALTER TABLE ONLY public.users
            ADD CONSTRAINT users_pkey PRIMARY KEY (id);
        ALTER TABLE ONLY public.posts
            ADD CONSTRAINT posts_pkey PRIMARY KEY (id);
        ALTER TABLE ONLY public.posts
            ADD CONSTRAINT posts_user_fk FOREIGN KEY (user_id) REFERENCES public.users(id);
        CREATE INDEX posts_user_id_idx ON public.posts USING btree (user_id);
        """
    )
    metrics = _metrics({"dump.sql": facts})
    assert metrics["schema.pk_share"] == 1.0
    assert metrics["schema.fk_declared_share"] == 1.0
    assert metrics["schema.fk_index_share"] == 1.0


def test_mysql_inline_keys_and_backticks() -> None:
    facts = _ddl(
        """
        CREATE TABLE `items` (
          `id` int NOT NULL AUTO_INCREMENT,
          `key` varchar(10) NOT NULL,
          `owner_id` int DEFAULT NULL,
          PRIMARY KEY (`id`),
          KEY `ix_owner` (`owner_id`),
          CONSTRAINT `fk_owner` FOREIGN KEY (`owner_id`) REFERENCES `owners` (`id`)
        ) ENGINE=InnoDB;
        """
    )
    (table,) = facts["tables"]
    assert table["name"] == "items"
    assert [c["name"] for c in table["columns"]] == ["id", "key", "owner_id"]
    assert table["pk"] == ["id"]
    assert table["indexes"] == [["owner_id"]]
    assert table["fks"] == [{"cols": ["owner_id"], "ref": "owners"}]


def test_temporary_tables_and_create_table_as_are_not_schema() -> None:
    facts = _ddl(
        """
        CREATE TEMP TABLE scratch (a int);
        CREATE TABLE copy AS SELECT * FROM users;
        CREATE TABLE copy2 (a, b) AS SELECT a, b FROM users;
        -- CREATE TABLE commented (a int);
        /* CREATE TABLE also_commented (a int); */
        CREATE TABLE kept (id int PRIMARY KEY);
        """
    )
    assert [t["key"] for t in facts["tables"]] == ["kept"]
    assert facts["tables"][0]["line"] == 6


def test_index_on_a_composite_key_serves_only_its_leading_column() -> None:
    facts = _ddl(
        """
        create table a (id int primary key);
        create table b (id int primary key);
        create table a_b (
            a_id int not null references a (id),
            b_id int not null references b (id),
            primary key (a_id, b_id)
        );
        """
    )
    report = evaluate_schema({"s.sql": ("source", facts)})
    metrics = {m.name: m.value for m in report.metrics}
    assert metrics["schema.fk_index_share"] == 0.5
    (missing,) = [f for f in report.findings if f.rule == "BSDB103"]
    assert "(b_id) -> b" in missing.message
    assert missing.line == 3


def test_mysql_indexes_foreign_keys_itself() -> None:
    facts = _ddl(
        """
        create table a (id int primary key);
        create table c (id int primary key, a_id int not null, foreign key (a_id) references a (id));
        """
    )
    assert _metrics({"s.sql": facts})["schema.fk_index_share"] == 0.0
    assert _metrics({"s.sql": facts}, mysql=True)["schema.fk_index_share"] == 1.0


def test_reference_columns_count_only_when_they_match_a_table() -> None:
    facts = _ddl(
        """
        create table users (id int primary key, name text not null);
        create table categories (id int primary key, name text not null);
        create table posts (
            id int primary key,
            user_id int not null,
            category_id int references categories (id),
            stripe_customer_id text,
            posts_id int
        );
        """
    )
    report = evaluate_schema({"s.sql": ("source", facts)})
    metrics = {m.name: m.value for m in report.metrics}
    # user_id (undeclared) and category_id (declared); stripe_customer_id matches no table;
    # posts_id is the table's own name.
    assert metrics["schema.fk_declared_share"] == 0.5
    (finding,) = [f for f in report.findings if f.rule == "BSDB102"]
    assert "user_id -> users" in finding.message
    assert "stripe" not in finding.message


def test_constraints_share_counts_tables_with_a_not_null_unique_or_check() -> None:
    facts = _ddl(
        """
        create table a (id int primary key, x text);
        create table b (id int primary key, x text not null);
        create table c (id int primary key, x text unique);
        create table d (id int primary key, x int, check (x > 0));
        create table e (a_id int, b_id int, primary key (a_id, b_id));
        """
    )
    report = evaluate_schema({"s.sql": ("source", facts)})
    assert {m.name: m.value for m in report.metrics}["schema.constraint_share"] == 0.8
    assert [f.message for f in report.findings if f.rule == "BSDB104"] == [
        "table a declares no NOT NULL, UNIQUE or CHECK constraint beyond its key"
    ]


@pytest.mark.parametrize(
    ("name", "style"),
    [
        ("user_id", "snake_case"),
        ("userId", "camelCase"),
        ("UserAccount", "PascalCase"),
        ("USER_ID", "UPPER_CASE"),
        ("email", "lower"),
        ("user-id", "mixed"),
    ],
)
def test_naming_styles(name: str, style: str) -> None:
    assert naming_style(name) == style


def test_naming_consistency_uses_the_dominant_style() -> None:
    facts = _ddl(
        """
        create table user_accounts (id int primary key, created_at date not null,
            updated_at date, lastLogin date);
        """
    )
    report = evaluate_schema({"s.sql": ("source", facts)})
    metrics = {m.name: m.value for m in report.metrics}
    assert metrics["schema.naming_consistency"] == 0.8
    (finding,) = [f for f in report.findings if f.rule == "BSDB105"]
    assert "lastLogin" in finding.message
    assert "snake_case" in finding.message


def test_sqlalchemy_declarative_models() -> None:
    facts = _py(
        """
        from typing import Optional

        import sqlalchemy as sa
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


        class Base(DeclarativeBase):
            pass


        class User(Base):
            __tablename__ = "users"
            id: Mapped[int] = mapped_column(primary_key=True)
            email: Mapped[str] = mapped_column(sa.String(200), unique=True)
            nickname: Mapped[Optional[str]]
            bio: Mapped[str | None] = mapped_column(sa.Text)


        class Post(Base):
            __tablename__ = "posts"
            id = sa.Column(sa.Integer, primary_key=True)
            author_id = sa.Column(sa.ForeignKey("users.id"), index=True)
            title = sa.Column("heading", sa.String, nullable=False)
            __table_args__ = (sa.CheckConstraint("length(heading) > 0"),)
        """
    )
    users, posts = facts["tables"]
    assert (users["key"], users["line"], users["pk"]) == ("users", 12, ["id"])
    cols = {c["name"]: c for c in users["columns"]}
    assert cols["email"]["not_null"]
    assert cols["email"]["unique"]
    assert not cols["nickname"]["not_null"]
    assert not cols["bio"]["not_null"]
    pcols = {c["name"]: c for c in posts["columns"]}
    assert pcols["author_id"]["ref"] == "users"
    assert pcols["author_id"]["indexed"]
    assert not pcols["author_id"]["not_null"]
    assert pcols["heading"]["not_null"]
    assert posts["checks"] == 1


def test_sqlalchemy_table_and_sqlmodel() -> None:
    facts = _py(
        """
        from typing import Optional
        import sqlalchemy as sa
        from sqlmodel import Field, SQLModel

        metadata = sa.MetaData()
        tags = sa.Table(
            "tags",
            metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("label", sa.Text, nullable=False),
            sa.UniqueConstraint("label"),
        )


        class Hero(SQLModel, table=True):
            id: Optional[int] = Field(default=None, primary_key=True)
            name: str
            team_id: Optional[int] = Field(default=None, foreign_key="team.id")
        """
    )
    by_key = {t["key"]: t for t in facts["tables"]}
    assert by_key["tags"]["pk"] == ["id"]
    assert by_key["tags"]["uniques"] == [["label"]]
    hero = by_key["hero"]
    assert hero["pk"] == ["id"]
    cols = {c["name"]: c for c in hero["columns"]}
    assert cols["name"]["not_null"]
    assert cols["team_id"]["ref"] == "team"


def test_alembic_upgrade_only_with_batch_operations() -> None:
    facts = _py(
        """
        import sqlalchemy as sa
        from alembic import op

        revision = "2"
        down_revision = "1"


        def upgrade():
            op.create_table(
                "orders",
                sa.Column("id", sa.Integer(), nullable=False),
                sa.Column("user_id", sa.Integer(), nullable=False),
                sa.PrimaryKeyConstraint("id"),
                sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
            )
            op.create_index(op.f("ix_orders_user_id"), "orders", ["user_id"], unique=False)
            op.create_foreign_key("fk_x", "payments", "orders", ["order_id"], ["id"])
            with op.batch_alter_table("payments") as batch_op:
                batch_op.create_index("ix_payments_order_id", ["order_id"])
                batch_op.add_column(sa.Column("amount", sa.Integer(), nullable=False))


        def downgrade():
            op.create_table("resurrected", sa.Column("x", sa.Integer()))
        """
    )
    assert [t["key"] for t in facts["tables"]] == ["orders"]
    orders = facts["tables"][0]
    assert orders["pk"] == ["id"]
    assert orders["fks"] == [{"cols": ["user_id"], "ref": "users"}]
    changes = [(c["table"], c["kind"], c["cols"], c["ref"]) for c in facts["changes"]]
    assert changes == [
        ("orders", "index", ["user_id"], None),
        ("payments", "fk", ["order_id"], "orders"),
        ("payments", "index", ["order_id"], None),
        ("payments", "column", ["amount"], None),
    ]


def test_django_models_and_migrations() -> None:
    models = _py(
        """
        from django.conf import settings
        from django.db import models


        class Stamped(models.Model):
            created = models.DateTimeField(auto_now_add=True)

            class Meta:
                abstract = True


        class Article(Stamped):
            title = models.CharField(max_length=200)
            slug = models.SlugField(unique=True)
            author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
            editor = models.ForeignKey("auth.User", null=True, db_index=False,
                                       on_delete=models.SET_NULL)
            tags = models.ManyToManyField("Tag")

            class Meta:
                db_table = "articles"
        """
    )
    (article,) = models["tables"]
    assert (article["name"], article["key"], article["origin"]) == ("articles", "article", "django")
    assert article["implicit_pk"]
    cols = {c["name"]: c for c in article["columns"]}
    assert set(cols) == {"title", "slug", "author_id", "editor_id"}
    assert cols["author_id"]["ref"] == "user"
    assert cols["author_id"]["indexed"]
    assert not cols["editor_id"]["indexed"]
    assert not cols["editor_id"]["not_null"]
    assert cols["title"]["not_null"]
    migration = _py(
        """
        from django.db import migrations, models


        class Migration(migrations.Migration):
            operations = [
                migrations.CreateModel(
                    name="Tag",
                    fields=[
                        ("id", models.BigAutoField(primary_key=True, serialize=False)),
                        ("label", models.CharField(max_length=50, unique=True)),
                    ],
                ),
            ]
        """
    )
    (tag,) = migration["tables"]
    assert (tag["key"], tag["pk"]) == ("tag", ["id"])


def test_model_and_migration_of_one_table_merge(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "app/models.py": """
                import sqlalchemy as sa
                from sqlalchemy.orm import DeclarativeBase


                class Base(DeclarativeBase):
                    pass


                class Order(Base):
                    __tablename__ = "orders"
                    id = sa.Column(sa.Integer, primary_key=True)
                    customer_id = sa.Column(sa.Integer, sa.ForeignKey("customers.id"))


                class Customer(Base):
                    __tablename__ = "customers"
                    id = sa.Column(sa.Integer, primary_key=True)
                    email = sa.Column(sa.Text, nullable=False, unique=True)
            """,
            "migrations/versions/0001_init.py": """
                import sqlalchemy as sa
                from alembic import op

                revision = "0001"
                down_revision = None


                def upgrade():
                    op.create_table("orders", sa.Column("id", sa.Integer(), primary_key=True))
                    op.create_index("ix_orders_customer_id", "orders", ["customer_id"])


                def downgrade():
                    op.drop_table("orders")
            """,
        }
    )
    report = _score(root)
    assert report.criterion("database.primary_keys").metrics["schema.tables"] == 2.0
    # The index created by the migration serves the foreign key declared in the model.
    assert report.criterion("database.fk_indexes").metrics["schema.fk_index_share"] == 1.0
    # The model (source) is where the table's findings point.
    constraints = [f for f in report.findings if f.rule == "BSDB104"]
    assert [(f.path, f.line) for f in constraints] == [("app/models.py", 9)]


def test_tables_in_tests_are_not_the_schema(make_tree: TreeFactory) -> None:
    root = make_tree({"tests/fixtures/seed.sql": "create table t (a int);\n"})
    report = _score(root)
    assert not report.criterion("database.primary_keys").applicable
    assert not [f for f in report.findings if f.rule == "BSDB101"]


def test_schema_criteria_move_with_the_schema(make_tree: TreeFactory) -> None:
    good = make_tree(
        {"schema.sql": "create table t (\n    id int primary key,\n    x text not null\n);\n"}
    )
    bad = make_tree({"schema.sql": "create table t (\n    id int,\n    x text\n);\n"})
    good_report, bad_report = _score(good), _score(bad)
    for criterion in ("database.primary_keys", "database.constraints"):
        assert good_report.criterion(criterion).score == 100.0
        assert bad_report.criterion(criterion).score == 0.0
    bad_score = bad_report.skill("database").score
    good_score = good_report.skill("database").score
    assert bad_score is not None
    assert good_score is not None
    assert bad_score < good_score


def test_missing_primary_key_names_a_candidate_key() -> None:
    facts = _ddl(
        """
        create table device_inbox (
            user_id text not null,
            device_id text not null,
            body text
        );
        create unique index device_inbox_key on device_inbox (user_id, device_id);
        """
    )
    report = evaluate_schema({"s.sql": ("source", facts)})
    (finding,) = [f for f in report.findings if f.rule == "BSDB101"]
    assert "unique key (user_id, device_id)" in finding.message


def test_huge_schema_dump_is_read_and_findings_are_capped() -> None:
    ddl = "".join(
        f"create table t{i} (\n    id int primary key,\n    note text\n);\n" for i in range(600)
    )
    report = evaluate_schema({"dump.sql": ("source", read_ddl(ddl))})
    metrics = {m.name: m.value for m in report.metrics}
    assert metrics["schema.tables"] == 600
    assert metrics["schema.constraint_share"] == 0.0
    assert len([f for f in report.findings if f.rule == "BSDB104"]) == 500
    assert any("100 more BSDB104" in n for n in report.notes)
