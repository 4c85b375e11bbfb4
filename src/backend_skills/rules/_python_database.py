"""Database rules: the Python analysis (``python_ast``, the ``database`` analysis) and
the schema reader (``sql_schema``: SQL DDL, SQLAlchemy and Django models, migrations).

They have no patterns; their examples run through the real pipeline.
"""

from __future__ import annotations

from backend_skills.core.models import Confidence, Severity

from ._model import Example, Rule

_ORDERS = (
    "CREATE TABLE customers (\n    id BIGINT PRIMARY KEY,\n    email TEXT NOT NULL UNIQUE\n);\n"
)

SQL_INJECTION = Rule(
    id="BSDB001",
    title="SQL built from values",
    skill="database",
    criterion="database.query_safety",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=89,
    checker="python_ast",
    extra_languages=("python",),
    message="SQL passed to execute() at line 2 is built with an f-string from user_id",
    varies=(
        "Confidence is high when a value is a parameter of the function, request data or "
        "`input()`; low when every value is named like a SQL fragment (`where`, `order`, "
        "`columns`...); medium otherwise."
    ),
    rationale=(
        "SQL formatted from values (f-strings, `%`, `+`, `.format`) is SQL injection waiting "
        "for the first value an attacker controls: the value becomes code (CWE-89, OWASP "
        "A03:2021). bandit's B608 reports the same line; the two findings are merged."
    ),
    fix='Pass values as parameters: `cur.execute("SELECT ... WHERE id = %s", (user_id,))`, `text("... = :id")` with bound parameters, or the ORM; build identifiers with `psycopg.sql.Identifier` from an allow-list.',
    examples=(
        Example(
            "python",
            'def find(cur, user_id):\n    cur.execute(f"SELECT name FROM users WHERE id = {user_id}")\n',
            lines=(2,),
            path="app/repository.py",
        ),
        Example(
            "python",
            'def find(cur, user_id):\n    cur.execute("SELECT name FROM users WHERE id = %s", (user_id,))\n',
            path="app/repository.py",
        ),
    ),
)

SELECT_STAR = Rule(
    id="BSDB010",
    title="SELECT * in an application query",
    skill="database",
    criterion="database.query_patterns",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    checker="python_ast",
    extra_languages=("python",),
    message="SELECT * in an application query: name the columns the code reads",
    rationale=(
        "`SELECT *` couples the code to the table's column order, fetches columns nobody "
        "reads (large ones included) and breaks silently when a column is added. In SQL "
        "files sqlfluff's AM04 reports the same thing."
    ),
    fix="Name the columns the code reads: `SELECT id, name FROM users`.",
    examples=(
        Example(
            "python",
            'def users(cur):\n    cur.execute("SELECT * FROM users")\n    return cur.fetchall()\n',
            lines=(2,),
            path="app/repository.py",
        ),
        Example(
            "python",
            'def users(cur):\n    cur.execute("SELECT id, name FROM users")\n    return cur.fetchall()\n',
            path="app/repository.py",
        ),
    ),
)

N_PLUS_ONE = Rule(
    id="BSDB011",
    title="Query inside a loop (N+1)",
    skill="database",
    criterion="database.query_patterns",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    checker="python_ast",
    extra_languages=("python",),
    message="query (execute) issued inside a loop starting at line 2 (N+1 pattern)",
    rationale=(
        "One query per loop iteration multiplies round trips with the data: 1,000 orders "
        "are 1,001 queries, and the page slows down as the table grows."
    ),
    fix="Fetch the rows in one query: a JOIN, `WHERE id = ANY(%s)` / `IN (...)`, `executemany`, or the ORM's `selectinload` / `select_related` / `prefetch_related`.",
    examples=(
        Example(
            "python",
            'def names(cur, ids):\n    for user_id in ids:\n        cur.execute("SELECT name FROM users WHERE id = %s", (user_id,))\n',
            lines=(3,),
            path="app/repository.py",
        ),
        Example(
            "python",
            'def names(cur, ids):\n    cur.execute("SELECT name FROM users WHERE id = ANY(%s)", (list(ids),))\n    return cur.fetchall()\n',
            path="app/repository.py",
        ),
    ),
)

RAW_SQL_OUTSIDE = Rule(
    id="BSDB020",
    title="Raw SQL outside the data-access layer",
    skill="database",
    criterion="database.data_access",
    severity=Severity.LOW,
    confidence=Confidence.MEDIUM,
    checker="python_ast",
    extra_languages=("python",),
    message="1 raw SQL call(s) outside a data-access module: move them behind a repository/DAO module or the ORM",
    rationale=(
        "SQL scattered through handlers and services is hard to review, test and change: a "
        "schema change means hunting through the whole code base. A data-access layer "
        "(repositories, DAOs, the ORM) keeps every statement in one place."
    ),
    fix="Move the SQL into a data-access module (`app/repositories/users.py` with `get_user(conn, user_id)`) or use the ORM, and call it from the handler.",
    examples=(
        Example(
            "python",
            'import sqlite3\n\n\ndef show(conn, user_id):\n    return conn.execute("SELECT name FROM users WHERE id = ?", (user_id,)).fetchone()\n',
            lines=(5,),
            path="app/views.py",
        ),
        Example(
            "python",
            'import sqlite3\n\n\ndef show(conn, user_id):\n    return conn.execute("SELECT name FROM users WHERE id = ?", (user_id,)).fetchone()\n',
            path="app/repositories/users.py",
        ),
    ),
)

NO_PRIMARY_KEY = Rule(
    id="BSDB101",
    title="Table without a primary key",
    skill="database",
    criterion="database.primary_keys",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    checker="sqlfluff",
    extra_languages=("python", "sql"),
    message="table events has no primary key",
    rationale=(
        "Without a primary key rows cannot be addressed one by one: duplicates creep in, "
        "updates and deletes hit several rows, replication and most ORMs need one."
    ),
    fix="Give the table a primary key: `id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY` (or a natural key), or `primary_key=True` on the model column, added through a migration.",
    examples=(
        Example(
            "sql",
            "CREATE TABLE events (\n    name TEXT NOT NULL,\n    happened_at TIMESTAMP NOT NULL\n);\n",
            lines=(1,),
            path="schema.sql",
        ),
        Example(
            "sql",
            "CREATE TABLE events (\n    id BIGINT PRIMARY KEY,\n    name TEXT NOT NULL\n);\n",
            path="schema.sql",
        ),
    ),
)

NO_FOREIGN_KEY = Rule(
    id="BSDB102",
    title="Reference column without a foreign key",
    skill="database",
    criterion="database.foreign_keys",
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    checker="sqlfluff",
    extra_languages=("python", "sql"),
    message="table orders: column(s) look like references but declare no foreign key: customer_id",
    rationale=(
        "A column named `<table>_id` that points at another table without a foreign key "
        "lets orphan rows in: the database cannot keep the reference true, so every reader "
        "must."
    ),
    fix='Declare the reference: `customer_id BIGINT NOT NULL REFERENCES customers (id)` (or `ForeignKey("customers.id")` / `models.ForeignKey`), in a migration after cleaning up orphans.',
    examples=(
        Example(
            "sql",
            _ORDERS
            + "\nCREATE TABLE orders (\n    id BIGINT PRIMARY KEY,\n    customer_id BIGINT NOT NULL\n);\n",
            lines=(6,),
            path="schema.sql",
        ),
        Example(
            "sql",
            _ORDERS
            + "\nCREATE TABLE orders (\n    id BIGINT PRIMARY KEY,\n    customer_id BIGINT NOT NULL REFERENCES customers (id)\n);\n"
            "CREATE INDEX ix_orders_customer_id ON orders (customer_id);\n",
            path="schema.sql",
        ),
    ),
)

FK_INDEX = Rule(
    id="BSDB103",
    title="Foreign key without an index",
    skill="database",
    criterion="database.fk_indexes",
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    checker="sqlfluff",
    extra_languages=("python", "sql"),
    message="table orders: foreign key(s) without an index on their columns: customer_id",
    varies="MySQL and MariaDB index foreign keys themselves: not reported there.",
    rationale=(
        "Joins and lookups by a foreign key, and every delete of the referenced row, scan "
        "the whole referencing table when its columns have no index (PostgreSQL, SQLite "
        "and SQL Server do not create one)."
    ),
    fix="Index the foreign key's columns: `CREATE INDEX ix_orders_customer_id ON orders (customer_id)` (or `index=True` / `op.create_index`).",
    examples=(
        Example(
            "sql",
            _ORDERS
            + "\nCREATE TABLE orders (\n    id BIGINT PRIMARY KEY,\n    customer_id BIGINT NOT NULL REFERENCES customers (id)\n);\n",
            lines=(6,),
            path="schema.sql",
        ),
        NO_FOREIGN_KEY.examples[1],
    ),
)

NO_CONSTRAINTS = Rule(
    id="BSDB104",
    title="Table without constraints",
    skill="database",
    criterion="database.constraints",
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    checker="sqlfluff",
    extra_languages=("python", "sql"),
    message="table notes declares no NOT NULL, UNIQUE or CHECK constraint beyond its key",
    rationale=(
        "A table whose columns may all be NULL and carry no UNIQUE or CHECK accepts any "
        "row: the rules of the data live only in the code, and every writer must repeat "
        "them."
    ),
    fix="Mark required columns `NOT NULL`, add `UNIQUE` on natural keys (e-mail, slug) and `CHECK` on ranges (`CHECK (amount >= 0)`).",
    examples=(
        Example(
            "sql",
            "CREATE TABLE notes (\n    id BIGINT PRIMARY KEY,\n    body TEXT,\n    author TEXT\n);\n",
            lines=(1,),
            path="schema.sql",
        ),
        Example(
            "sql",
            "CREATE TABLE notes (\n    id BIGINT PRIMARY KEY,\n    body TEXT NOT NULL,\n    author TEXT\n);\n",
            path="schema.sql",
        ),
    ),
)

NAMING = Rule(
    id="BSDB105",
    title="Names not in the schema's dominant style",
    skill="database",
    criterion="database.naming",
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    checker="sqlfluff",
    extra_languages=("python", "sql"),
    message="table orders: names not in the dominant snake_case style: createdAt",
    rationale=(
        "Mixed naming styles (`created_at` next to `updatedAt`) make every query a guess "
        "and force quoting in databases that fold case."
    ),
    fix="Rename the identifiers to the schema's dominant style in a migration (`ALTER TABLE ... RENAME COLUMN ...`), and update the code that uses them.",
    examples=(
        Example(
            "sql",
            "CREATE TABLE orders (\n    order_id BIGINT PRIMARY KEY,\n    total_amount INT NOT NULL,\n"
            "    shipping_address TEXT,\n    createdAt TIMESTAMP\n);\n",
            lines=(1,),
            path="schema.sql",
        ),
        Example(
            "sql",
            "CREATE TABLE orders (\n    order_id BIGINT PRIMARY KEY,\n    total_amount INT NOT NULL,\n"
            "    shipping_address TEXT,\n    created_at TIMESTAMP\n);\n",
            path="schema.sql",
        ),
    ),
)

NO_MIGRATIONS = Rule(
    id="BSDB300",
    title="Schema without migrations",
    skill="database",
    criterion="database.migrations",
    severity=Severity.LOW,
    confidence=Confidence.MEDIUM,
    checker="python_ast",
    extra_languages=("python", "sql"),
    message="the schema is defined here but no migration tool manages its changes",
    rationale=(
        "A schema changed by hand, outside a migration tool, differs between environments "
        "and cannot be reproduced, reviewed or rolled back."
    ),
    fix="Manage schema changes with a migration tool (Alembic, Django migrations, Flyway, Liquibase, golang-migrate, dbmate), starting with a baseline migration of the current schema.",
    examples=(
        Example(
            "sql",
            "CREATE TABLE users (\n    id BIGINT PRIMARY KEY,\n    email TEXT NOT NULL\n);\n",
            lines=(1,),
            path="schema.sql",
        ),
        Example(
            "sql",
            "CREATE TABLE users (\n    id BIGINT PRIMARY KEY,\n    email TEXT NOT NULL\n);\n",
            path="db/migrations/V1__users.sql",
            files={"db/migrations/U1__users.sql": "DROP TABLE users;\n"},
        ),
    ),
)

IRREVERSIBLE = Rule(
    id="BSDB301",
    title="Migration that cannot be rolled back",
    skill="database",
    criterion="database.migration_reversibility",
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    checker="python_ast",
    extra_languages=("python", "sql"),
    message="Alembic migration cannot be rolled back: downgrade() does nothing",
    rationale=(
        "A migration without a way back turns a bad deploy into an outage: the previous "
        "release cannot run against the new schema, and the fix has to be written under "
        "pressure."
    ),
    fix="Write the downgrade with every upgrade (Alembic `def downgrade(): op.drop_table(...)`, Django `RunPython(forward, reverse_code=...)`, `RunSQL(sql, reverse_sql=...)`, a `.down.sql` or Flyway `U` script).",
    examples=(
        Example(
            "python",
            'from alembic import op\n\nrevision = "0001"\ndown_revision = None\n\n\ndef upgrade():\n'
            '    op.create_table("users")\n\n\ndef downgrade():\n    pass\n',
            lines=(11,),
            path="migrations/versions/0001_users.py",
        ),
        Example(
            "python",
            'from alembic import op\n\nrevision = "0001"\ndown_revision = None\n\n\ndef upgrade():\n'
            '    op.create_table("users")\n\n\ndef downgrade():\n    op.drop_table("users")\n',
            path="migrations/versions/0001_users.py",
        ),
    ),
)

RULES = (
    SQL_INJECTION,
    SELECT_STAR,
    N_PLUS_ONE,
    RAW_SQL_OUTSIDE,
    NO_PRIMARY_KEY,
    NO_FOREIGN_KEY,
    FK_INDEX,
    NO_CONSTRAINTS,
    NAMING,
    NO_MIGRATIONS,
    IRREVERSIBLE,
)
