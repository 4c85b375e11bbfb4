"""Migrations outside Python: EF Core, goose, Knex, Sequelize, TypeORM and Prisma Migrate."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_skills import Report, score
from backend_skills.checkers.analyses._migration_code import block_after, is_empty_body

from .conftest import TreeFactory

REVERSIBILITY = "database.migration_reversibility"


def _score(root: Path) -> Report:
    return score(root, skills=["database"], isolated=True)


def _irreversible(report: Report) -> list[tuple[str, int, str]]:
    return sorted((f.path, f.line or 0, f.message) for f in report.findings if f.rule == "BSDB301")


EF_UP = """
    using Microsoft.EntityFrameworkCore.Migrations;

    public partial class {name} : Migration
    {{
        protected override void Up(MigrationBuilder migrationBuilder)
        {{
            migrationBuilder.AddColumn<string>(name: "Note", table: "Orders", nullable: true);
        }}

        protected override void Down(MigrationBuilder migrationBuilder)
        {{
            {down}
        }}
    }}
"""


def test_ef_core_migration_with_an_empty_down_is_irreversible(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "src/Data/Migrations/20240101_Init.cs": EF_UP.format(
                name="Init", down='migrationBuilder.DropColumn(name: "Note", table: "Orders");'
            ),
            "src/Data/Migrations/20240102_Note.cs": EF_UP.format(
                name="Note", down="// nothing to undo"
            ),
            "src/Data/Migrations/20240102_Note.Designer.cs": "partial class Note : Migration {}",
            # A migration that changes nothing needs no Down() either.
            "src/Data/Migrations/20240103_Empty.cs": EF_UP.format(name="Empty", down="").replace(
                'migrationBuilder.AddColumn<string>(name: "Note", table: "Orders", nullable: true);',
                "",
            ),
        }
    )
    report = _score(root)
    assert _irreversible(report) == [
        (
            "src/Data/Migrations/20240102_Note.cs",
            10,
            "ef core migration cannot be rolled back: Down() is empty",
        )
    ]
    criterion = report.criterion(REVERSIBILITY)
    assert criterion.metrics["migrations.reversible_share"] == pytest.approx(2 / 3, abs=1e-3)
    assert report.criterion("database.migrations").metrics["migrations.count"] == 3.0


def test_goose_sql_without_a_down_section_loses_reversibility(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "db/migrations/00001_users.sql": """
                -- +goose Up
                CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);

                -- +goose Down
                DROP TABLE users;
            """,
            "db/migrations/00002_email.sql": """
                -- +goose Up
                CREATE INDEX ix_users_email ON users (email);

                -- +goose Down
                -- +goose StatementBegin
                -- +goose StatementEnd
            """,
        }
    )
    report = _score(root)
    assert _irreversible(report) == [
        (
            "db/migrations/00002_email.sql",
            4,
            "goose migration cannot be rolled back: empty -- +goose Down section",
        )
    ]
    assert report.criterion(REVERSIBILITY).metrics["migrations.reversible_share"] == 0.5


@pytest.mark.parametrize(
    ("tool", "down", "reversible"),
    [
        (
            "knex",
            "exports.down = function (knex) { return knex.schema.dropTable('users'); };",
            True,
        ),
        ("knex", "exports.down = function (knex) {};", False),
        ("knex", "exports.down = (knex) => knex.schema.dropTable('users');", True),
        ("knex", "", False),
        (
            "sequelize",
            "down: async (queryInterface) => { await queryInterface.dropTable('users'); },",
            True,
        ),
        ("sequelize", "down: async (queryInterface) => {},", False),
    ],
)
def test_knex_and_sequelize_down_migrations(
    make_tree: TreeFactory, tool: str, down: str, reversible: bool
) -> None:
    if tool == "knex":
        text = f"exports.up = function (knex) {{ return knex.schema.createTable('users'); }};\n{down}\n"
    else:
        text = (
            "module.exports = {\n"
            "  up: async (queryInterface, Sequelize) => { await queryInterface.createTable('users', {}); },\n"
            f"  {down}\n"
            "};\n"
        )
    report = _score(make_tree({"migrations/20240101_users.js": text, "db/schema.sql": ""}))
    share = report.criterion(REVERSIBILITY).metrics["migrations.reversible_share"]
    assert share == (1.0 if reversible else 0.0)
    notes = " ".join(n for c in report.checkers for n in c.notes)
    assert f"migrations: 1 ({tool})" in notes


def test_typeorm_migration_with_an_empty_down(make_tree: TreeFactory) -> None:
    migration = """
        import { MigrationInterface, QueryRunner } from 'typeorm';

        export class Users1700000000000 implements MigrationInterface {
          public async up(queryRunner: QueryRunner): Promise<void> {
            await queryRunner.query('CREATE TABLE users (id serial PRIMARY KEY)');
          }

          public async down(queryRunner: QueryRunner): Promise<void> {}
        }
    """
    report = _score(make_tree({"src/migrations/1700000000000-Users.ts": migration}))
    assert _irreversible(report) == [
        (
            "src/migrations/1700000000000-Users.ts",
            8,
            "typeorm migration cannot be rolled back: down() is empty",
        )
    ]


def test_prisma_migrations_are_managed_and_reversibility_does_not_apply(
    make_tree: TreeFactory,
) -> None:
    root = make_tree(
        {
            "prisma/schema.prisma": "model User {\n  id Int @id\n  email String @unique\n}\n",
            "prisma/migrations/20240101000000_init/migration.sql": (
                'CREATE TABLE "User" ("id" INTEGER NOT NULL, "email" TEXT NOT NULL, '
                'CONSTRAINT "User_pkey" PRIMARY KEY ("id"));\n'
            ),
            "prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n',
        }
    )
    report = _score(root)
    assert report.criterion("database.migrations").score == 100.0
    reversibility = report.criterion(REVERSIBILITY)
    assert not reversibility.applicable
    assert "Prisma Migrate has no down migrations" in (reversibility.reason or "")
    assert _irreversible(report) == []


def test_entities_without_any_migration_tool_are_unmanaged(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "src/user.entity.ts": """
                import { Entity, PrimaryGeneratedColumn } from 'typeorm';

                @Entity()
                export class User {
                  @PrimaryGeneratedColumn()
                  id: number;
                }
            """
        }
    )
    report = _score(root)
    assert report.criterion("database.migrations").score == 0.0
    (finding,) = [f for f in report.findings if f.rule == "BSDB300"]
    assert (finding.path, finding.line) == ("src/user.entity.ts", 3)


@pytest.mark.parametrize(
    ("body", "empty"),
    [
        ("", True),
        ("  // nothing\n  /* to do */ ", True),
        ("return Promise.resolve();", True),
        ("await knex.schema.dropTable('t');", False),
        ('migrationBuilder.DropTable(name: "T");', False),
    ],
)
def test_empty_bodies(body: str, empty: bool) -> None:
    assert is_empty_body(body) is empty


def test_block_after_matches_nested_braces() -> None:
    text = "void Down() { if (x) { y(); } z(); } tail"
    assert block_after(text, 0) == " if (x) { y(); } z(); "
    assert block_after("no braces", 0) is None


def test_a_knex_migration_of_module_level_functions_and_its_runner(
    make_tree: TreeFactory,
) -> None:
    """hedgedoc: ``const up = async function (knex) {...}; const down = ...;
    module.exports = { up, down }`` is a reversible knex migration; the service code that
    runs ``knex.migrate.up()`` declares no migration."""
    migration = (
        "const up = async function (knex) {\n"
        "  await knex.schema.createTable('users', (table) => { table.increments('id'); });\n"
        "};\n\n"
        "const down = async function (knex) {\n"
        "  await knex.schema.dropTable('users');\n"
        "};\n\n"
        "module.exports = { up, down };\n"
    )
    runner = (
        "export async function runMigrations(knex) {\n"
        "  const [done, pending] = await knex.migrate.list();\n"
        "  for (const migration of pending) {\n"
        "    await knex.migrate.up();\n"
        "  }\n"
        "}\n"
    )
    report = _score(
        make_tree(
            {
                "backend/src/database/migrations/20250312_initial.js": migration,
                "backend/src/migrate.ts": runner,
                "db/schema.sql": "",
            }
        )
    )
    assert report.criterion(REVERSIBILITY).metrics["migrations.reversible_share"] == 1.0
    notes = " ".join(n for c in report.checkers for n in c.notes)
    assert "migrations: 1 (knex)" in notes
