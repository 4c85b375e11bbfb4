"""The database analysis: query safety, query patterns, data-access layer, migrations."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_skills import Confidence, Finding, Report, score

from .conftest import TreeFactory


def _score(root: Path) -> Report:
    return score(root, skills=["database"], isolated=True)


def _findings(report: Report, rule: str) -> list[Finding]:
    return [f for f in report.findings if f.rule == rule]


def _module(body: str) -> dict[str, str]:
    return {"app/repository.py": "import sqlite3\nfrom sqlalchemy import text\n\n" + body}


SAFE = """
TABLE = "users"
ORDER_COLUMNS = {"name": "name", "age": "age"}
SORTS = {"asc": "ASC", "desc": "DESC"}


def safe(conn, user_id, ids, sort, direction):
    conn.execute("SELECT id FROM users WHERE id = ?", (user_id,))
    conn.execute(f"SELECT id FROM {TABLE} WHERE id = ?", (user_id,))
    conn.execute("SELECT id FROM {} WHERE id = ?".format(TABLE), (user_id,))
    marks = ", ".join(["?"] * len(ids))
    conn.execute(f"SELECT id FROM users WHERE id IN ({marks})", ids)
    conn.execute(f"SELECT id FROM users LIMIT {int(user_id)}")
    conn.execute(f"SELECT id FROM users ORDER BY {ORDER_COLUMNS[sort]} {SORTS[direction]}")
    conn.execute(text("SELECT id FROM users WHERE id = :id"), {"id": user_id})
    query = "SELECT id FROM users WHERE id = %s"
    query += " AND active"
    conn.execute(query, (user_id,))
"""


def test_parameterised_and_constant_sql_is_not_flagged(make_tree: TreeFactory) -> None:
    report = _score(make_tree(_module(SAFE)))
    # bandit (when installed) may still flag the f-strings by their text; we do not.
    assert _findings(report, "BSDB001") == []
    safety = report.criterion("database.query_safety")
    assert safety.metrics["db.parameterised_share"] == 1.0


def test_psycopg_sql_composition_is_safe(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "app/db.py": """
                from psycopg import sql


                def count(conn, table):
                    query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
                    return conn.execute(query).fetchone()
            """
        }
    )
    assert _findings(_score(root), "BSDB001") == []


UNSAFE = """
def unsafe(conn, session, request, name, column):
    conn.execute(f"SELECT id FROM users WHERE name = '{name}'")
    conn.executemany("UPDATE users SET flag = 1 WHERE name = '%s'" % name, [])
    session.execute(text(f"DELETE FROM users WHERE id = {request.args['id']}"))
    conn.execute("SELECT id FROM users ORDER BY " + column)
    where = build_where()
    conn.execute(f"SELECT id FROM users WHERE {where}")
    User.objects.raw(f"SELECT * FROM app_user WHERE name = '{name}'")
    User.objects.extra(where=[f"name = '{name}'"])
"""


def test_sql_built_from_values_is_flagged_at_each_line(make_tree: TreeFactory) -> None:
    report = _score(make_tree(_module(UNSAFE)))
    found = {f.line: f for f in _findings(report, "BSDB001")}
    assert sorted(found) == [6, 7, 8, 9, 11, 12, 13]
    assert all(f.criterion == "database.query_safety" for f in found.values())
    assert all(f.cwe == 89 for f in found.values())
    assert found[6].confidence == Confidence.HIGH  # a parameter
    assert found[8].confidence == Confidence.HIGH  # request data
    assert "text()" in found[8].message
    assert found[9].confidence == Confidence.MEDIUM  # a parameter named like a fragment
    assert found[11].confidence == Confidence.LOW  # a SQL fragment built elsewhere
    assert "% formatting" in found[7].message
    assert "+ concatenation" in found[9].message
    assert "raw()" in found[12].message
    assert "extra()" in found[13].message
    assert report.criterion("database.query_safety").metrics["db.parameterised_share"] == 0.0


def test_sql_from_a_caller_is_not_guessed(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "app/db.py": """
                import psycopg


                def run(conn, sql, params):
                    return conn.execute(sql, params).fetchall()
            """
        }
    )
    report = _score(root)
    assert _findings(report, "BSDB001") == []
    runs = {r.name: r for r in report.checkers}
    assert any("1 not resolved" in n for n in runs["python_ast"].notes)


def test_non_sql_execute_calls_are_ignored(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "app/jobs.py": """
                import sqlite3


                def go(executor, job, path):
                    executor.execute(f"{job}")
                    executor.execute(f"rm -rf {path}")
                    client.fetch(f"https://example.org/{path}")
            """
        }
    )
    assert _findings(_score(root), "BSDB001") == []


def test_select_star_in_application_queries(make_tree: TreeFactory) -> None:
    root = make_tree(
        _module(
            '''
def read(conn, user_id):
    """Docstrings may say SELECT * FROM users without being a query."""
    conn.execute("SELECT * FROM users WHERE id = ?", (user_id,))
    conn.execute("SELECT u.* FROM users u WHERE id = ?", (user_id,))
    conn.execute("SELECT count(*) FROM users")
    conn.execute("SELECT id FROM users WHERE EXISTS (SELECT * FROM orders)")
'''
        )
    )
    report = _score(root)
    stars = _findings(report, "BSDB010")
    assert [f.line for f in stars] == [7, 8]
    assert all(f.criterion == "database.query_patterns" for f in stars)


def test_queries_inside_loops_are_the_n_plus_1_shape(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "app/repository.py": """
                STATEMENTS = ["CREATE TABLE a (id int)", "CREATE TABLE b (id int)"]


                def per_row(conn, session, user_ids, posts):
                    for user_id in user_ids:
                        conn.execute("SELECT id FROM orders WHERE user_id = ?", (user_id,))
                    names = [session.get(User, i) for i in user_ids]
                    for post in posts:
                        Comment.objects.filter(post=post).count()
                    for statement in STATEMENTS:
                        conn.execute(statement)
                    for chunk in [1, 2]:
                        conn.execute("SELECT 1")
                    conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in user_ids])
                    return names
            """
        }
    )
    report = _score(root)
    loops = _findings(report, "BSDB011")
    assert [f.line for f in loops] == [6, 7, 9]
    assert "loop starting at line 5" in loops[0].message
    assert "comprehension" in loops[1].message
    assert all(f.confidence == Confidence.MEDIUM for f in loops)


def test_patterns_are_not_reported_in_migrations(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "migrations/versions/0001_backfill.py": """
                from alembic import op

                revision = "0001"
                down_revision = None


                def upgrade():
                    conn = op.get_bind()
                    for row in conn.execute("SELECT * FROM users").fetchall():
                        conn.execute("UPDATE users SET x = 1 WHERE id = :id", {"id": row.id})


                def downgrade():
                    op.execute("UPDATE users SET x = NULL")
            """,
            "app/db.py": "import sqlite3\n",
        }
    )
    report = _score(root)
    assert _findings(report, "BSDB010") == []
    assert _findings(report, "BSDB011") == []


def test_data_access_layer_share(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "app/repositories/users.py": """
                def get(conn, user_id):
                    return conn.execute("SELECT id FROM users WHERE id = ?", (user_id,))


                def delete(conn, user_id):
                    conn.execute("DELETE FROM users WHERE id = ?", (user_id,))
            """,
            "app/views.py": """
                import sqlite3


                def index(conn):
                    return conn.execute("SELECT id, name FROM users").fetchall()
            """,
        }
    )
    report = _score(root)
    access = report.criterion("database.data_access")
    assert access.metrics["db.dal_share"] == pytest.approx(2 / 3, abs=1e-3)
    (finding,) = _findings(report, "BSDB020")
    assert (finding.path, finding.line) == ("app/views.py", 5)


def test_orm_only_access_is_a_data_access_layer(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "shop/views.py": """
                from django.shortcuts import render

                from .models import Article


                def index(request):
                    return render(request, "index.html", {"a": Article.objects.order_by("-id")})
            """,
            "shop/models.py": """
                from django.db import models


                class Article(models.Model):
                    title = models.CharField(max_length=200)
            """,
        }
    )
    report = _score(root)
    assert report.criterion("database.data_access").metrics["db.dal_share"] == 1.0


@pytest.mark.parametrize(
    ("files", "reversible"),
    [
        (
            {
                "migrations/versions/1.py": """
                    from alembic import op

                    revision = "1"
                    down_revision = None


                    def upgrade():
                        op.create_table("t")


                    def downgrade():
                        op.drop_table("t")
                """
            },
            1.0,
        ),
        (
            {
                "migrations/versions/1.py": """
                    from alembic import op

                    revision = "1"
                    down_revision = None


                    def upgrade():
                        op.create_table("t")


                    def downgrade():
                        pass
                """
            },
            0.0,
        ),
        (
            {
                "shop/migrations/0002_backfill.py": """
                    from django.db import migrations


                    def forward(apps, schema_editor):
                        pass


                    class Migration(migrations.Migration):
                        operations = [migrations.RunPython(forward)]
                """,
                "shop/migrations/0003_sql.py": """
                    from django.db import migrations


                    class Migration(migrations.Migration):
                        operations = [migrations.RunSQL("UPDATE t SET x = 1", "SELECT 1")]
                """,
            },
            0.5,
        ),
        (
            {
                "db/migration/V1__init.sql": "create table t (id int primary key);\n",
                "db/migration/U1__init.sql": "drop table t;\n",
                "db/migration/V2__more.sql": "create table u (id int primary key);\n",
            },
            0.5,
        ),
        (
            {
                "migrations/000001_init.up.sql": "create table t (id int primary key);\n",
                "migrations/000001_init.down.sql": "drop table t;\n",
                "migrations/000002_more.up.sql": "create table u (id int primary key);\n",
            },
            0.5,
        ),
        (
            {
                "db/migrations/20240101_init.sql": (
                    "-- migrate:up\ncreate table t (id int primary key);\n\n"
                    "-- migrate:down\ndrop table t;\n"
                ),
                "db/migrations/20240102_more.sql": (
                    "-- migrate:up\ncreate table u (id int primary key);\n\n-- migrate:down\n"
                ),
            },
            0.5,
        ),
        (
            {
                "db/changelog/db.changelog-master.xml": """
                    <databaseChangeLog>
                      <changeSet id="1" author="a">
                        <createTable tableName="t"><column name="id" type="int"/></createTable>
                      </changeSet>
                      <changeSet id="2" author="a">
                        <sql>update t set id = 1</sql>
                      </changeSet>
                      <changeSet id="3" author="a">
                        <sql>update t set id = 2</sql>
                        <rollback><sql>update t set id = 1</sql></rollback>
                      </changeSet>
                      <changeSet id="4" author="a">
                        <dropTable tableName="t"/>
                      </changeSet>
                    </databaseChangeLog>
                """
            },
            0.5,
        ),
        (
            {
                "db/changelog.sql": (
                    "--liquibase formatted sql\n"
                    "--changeset a:1\ncreate table t (id int primary key);\n"
                    "--rollback drop table t;\n"
                    "--changeset a:2\nalter table t add column x int;\n"
                ),
            },
            0.5,
        ),
    ],
)
def test_migration_tools_and_reversibility(
    make_tree: TreeFactory, files: dict[str, str], reversible: float
) -> None:
    report = _score(make_tree(files))
    assert report.criterion("database.migrations").score == 100.0
    share = report.criterion("database.migration_reversibility").metrics
    assert share["migrations.reversible_share"] == reversible
    irreversible = _findings(report, "BSDB301")
    assert bool(irreversible) == (reversible < 1.0)


def test_irreversible_django_migration_points_at_the_operation(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "shop/migrations/0002_backfill.py": """
                from django.db import migrations


                def forward(apps, schema_editor):
                    pass


                class Migration(migrations.Migration):
                    dependencies = [("shop", "0001_initial")]
                    operations = [
                        migrations.RunPython(forward),
                    ]
            """
        }
    )
    (finding,) = _findings(_score(root), "BSDB301")
    assert (finding.path, finding.line) == ("shop/migrations/0002_backfill.py", 11)
    assert "RunPython without reverse_code" in finding.message


def test_schema_without_migrations_and_database_without_schema(make_tree: TreeFactory) -> None:
    unmanaged = _score(make_tree({"schema.sql": "create table t (id int primary key);\n"}))
    assert unmanaged.criterion("database.migrations").score == 0.0
    (finding,) = _findings(unmanaged, "BSDB300")
    assert (finding.path, finding.line) == ("schema.sql", 1)
    client = _score(
        make_tree(
            {
                "app/report.py": """
                    import psycopg


                    def totals(conn):
                        return conn.execute("SELECT sum(amount) FROM payments").fetchone()
                """
            }
        )
    )
    migrations = client.criterion("database.migrations")
    assert not migrations.applicable
    assert migrations.reason is not None
    assert "no schema defined" in migrations.reason
    assert client.criterion("database.query_safety").applicable


def test_numbered_sql_scripts_are_a_home_grown_migration_tool(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "app/schema/delta/01/users.sql": "create table users (id int primary key);\n",
            "app/schema/delta/02/posts.sql": "create table posts (id int primary key);\n",
            "app/schema/delta/02/index.sql": "create index ix on posts (id);\n",
            "tests/migrations/001_fixture.sql": "create table t (id int);\n",
        }
    )
    report = _score(root)
    assert report.criterion("database.migrations").score == 100.0
    assert report.criterion("database.migrations").metrics["migrations.count"] == 3.0
    assert report.criterion("database.migration_reversibility").score == 0.0
    (finding,) = _findings(report, "BSDB301")
    assert finding.path == "app/schema/delta/01/users.sql"
    assert "3 numbered SQL migration script(s) under app/schema/delta/" in finding.message


def test_sql_only_in_tests_and_docs_leaves_the_skill_not_applicable(
    make_tree: TreeFactory,
) -> None:
    root = make_tree(
        {
            "tests/fixtures/seed.sql": "select * from t;\n",
            "docs/example.sql": "create table t (id int);\n",
            "lib/core.py": "def add(a: int, b: int) -> int:\n    return a + b\n",
        }
    )
    skill = _score(root).skill("database")
    assert not skill.applicable
    assert skill.reason is not None


def test_a_module_name_is_not_resolved_to_another_functions_local(
    make_tree: TreeFactory,
) -> None:
    # ``query`` in ``find`` is the module's constant SQL, whatever ``search`` assigns
    # to its own local of the same name.
    report = _score(
        make_tree(
            _module(
                """
query = "SELECT id FROM users WHERE id = ?"


def find(conn, user_id):
    return conn.execute(query, (user_id,))


def search(conn, name):
    query = "SELECT id FROM users WHERE name = '" + name + "'"
    return conn.execute(query)
"""
            )
        )
    )
    messages = [f.message for f in _findings(report, "BSDB001")]
    assert len(messages) == 1
    assert "execute() at line 14" in messages[0]
