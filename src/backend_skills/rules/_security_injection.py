"""Injection rules in Java, C#, Go, JavaScript and TypeScript: SQL, commands, code (NoSQL:
:mod:`._security_nosql`)."""

from __future__ import annotations

from backend_skills.core.models import Confidence, Severity

from ._model import Example, Pattern, Rule
from ._security_nosql import NOSQL  # its own module; importable from here too

JS = ("javascript", "typescript")
#: A Go context argument (``ctx``, ``reqCtx``, ``context.Background()``, ``r.Context()``):
#: pgx and sqlx take it before the SQL.
#: A JavaScript file that talks to a SQL database: SQL text, or a SQL driver, query
#: builder or ORM imported (``commandBus.execute(command)`` elsewhere is not a query).
_JS_SQL_FILE = (
    r"(?i:\bselect\b[^;]{0,200}?\bfrom\b|\binsert\s+into\b|\bdelete\s+from\b"
    r"|\bupdate\s+[\w\".`\[\]]+\s+set\b|\bcreate\s+table\b)"
    r"|['\"](?:mysql2?(?:/promise)?|pg|pg-promise|pg-pool|sqlite3?|better-sqlite3|mssql|tedious"
    r"|oracledb|knex|sequelize|typeorm|slonik|postgres|@databases/\w+|@prisma/client"
    r"|@mikro-orm/\w+|objection|bookshelf|kysely|drizzle-orm(?:/\w+)?|@vercel/postgres"
    r"|@neondatabase/serverless|@planetscale/database|mariadb|alasql)['\"]"
    r"|\bsequelize\b|\bknex\b|\bprisma\b|\bdb\.(?:query|execute|run|all|get)\("
)
_GO_CONTEXT = r"(?i)ctx$|^context\\.|\\.Context\\(\\)$"
#: Go files importing a SQL driver or library (the plain ``Query``/``Exec`` names count there).
_GO_SQL_IMPORTS = r"database/sql|jmoiron/sqlx|gorm\.io|jackc/pgx|go-sql-driver|lib/pq"
#: A receiver named as a database handle (``db``, ``s.db``, ``tx``, ``r.conn``, ``pool``):
#: the SQL calls of a package's files that leave the driver's import to another file.
_GO_DB_RECEIVER = r"(?i)(^|\\.)(db|sqldb|database|tx|conn|pool|sqlx)$"
#: A receiver that is a prepared statement: named so (``stmt``), or a field named for its
#: query (``c.q.UpdateSettings.Exec(b)``: goyesql/dotsql-style query structs of
#: ``*sqlx.Stmt``), not a handle (``s.DB``, ``a.ReadDB``, ``r.Conn``).
_GO_STATEMENT = (
    r"([Ss]tmt|STMT|[Ss]tatement|[Pp]repared)$"
    r"|\\.(?!\\w*(DB|Db|Conn|Pool|Tx|Database|Sql|SQL)$)[A-Z][a-z]+[A-Z]\\w*$"
)

SQL = Rule(
    id="BSSEC101",
    title="SQL built from strings reaches a database call",
    skill="database",
    criterion="database.query_safety",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=89,
    taint=True,
    message="SQL built by concatenation, formatting or interpolation is passed to `{name}`",
    rationale=(
        "A query pasted together from strings lets whoever controls one of the strings "
        "rewrite the query (SQL injection, OWASP A03:2021): read other users' rows, bypass "
        "a login, drop tables. It counts under database query safety and in the injection "
        "criterion of web security."
    ),
    fix=(
        "Keep the SQL text constant and pass values as parameters: JDBC PreparedStatement "
        "with ? and setString, JdbcTemplate.query(sql, mapper, args), JPA setParameter; "
        "SqlCommand.Parameters.AddWithValue, EF Core FromSqlInterpolated/FromSql; Go "
        'db.Query("... WHERE id = $1", id); node drivers\' placeholders (query(sql, [id])), '
        "knex bindings, sequelize replacements."
    ),
    patterns=(
        Pattern(
            languages=("java",),
            query="""(method_invocation name: (identifier) @name
              (#any-of? @name "executeQuery" "executeUpdate" "executeLargeUpdate"
                 "prepareStatement" "prepareCall" "createQuery" "createNativeQuery" "createSQLQuery")
              arguments: (argument_list . (_) @arg)) @match""",
            when="dynamic",
            needles=("execute", "prepare", "create"),
        ),
        Pattern(  # execute and addBatch are JDBC's on a statement (not a shell or a bus)
            languages=("java",),
            query="""(method_invocation object: (_) @object name: (identifier) @name
              (#any-of? @name "execute" "addBatch")
              (#match? @object "(?i)(stmt|statement|^p?s$|^st$|^cs$|conn|connection|jdbc|batch)$|createStatement")
              arguments: (argument_list . (_) @arg)) @match""",
            when="dynamic",
            needles=("execute", "addBatch"),
        ),
        Pattern(
            languages=("java",),
            query="""(method_invocation object: (_) @object name: (identifier) @name
              (#any-of? @name "query" "queryForObject" "queryForList" "queryForMap" "queryForRowSet"
                 "queryForStream" "update" "batchUpdate" "execute")
              (#match? @object "(?i)jdbc|template")
              arguments: (argument_list . (_) @arg)) @match""",
            when="dynamic",
            needles=("emplate", "dbc"),
        ),
        Pattern(
            languages=("csharp",),
            query="""(object_creation_expression type: (_) @name
              (#match? @name "(Sql|Npgsql|MySql|Sqlite|Oracle|OleDb|Odbc)(Command|DataAdapter)$")
              arguments: (argument_list . (argument (_) @arg))) @match""",
            when="dynamic",
            needles=("Command", "DataAdapter"),
        ),
        Pattern(
            languages=("csharp",),
            query="""(assignment_expression left: (_) @name (#match? @name "CommandText$") right: (_) @arg) @match""",
            when="dynamic",
            needles=("CommandText",),
        ),
        Pattern(
            languages=("csharp",),
            query="""(invocation_expression function: (member_access_expression name: (_) @name
              (#match? @name "^(FromSqlRaw|ExecuteSqlRaw|ExecuteSqlRawAsync|SqlQueryRaw|ExecuteSqlCommand|ExecuteSqlCommandAsync)$"))
              arguments: (argument_list . (argument (_) @arg))) @match""",
            when="dynamic",
            needles=("Sql",),
        ),
        Pattern(
            languages=("csharp",),
            query="""(invocation_expression function: (member_access_expression name: (_) @name
              (#match? @name "^(FromSql|ExecuteSql|ExecuteSqlAsync|SqlQuery)$"))
              arguments: (argument_list . (argument [(identifier) (binary_expression)
                 (invocation_expression) (member_access_expression)] @arg))) @match""",
            when="dynamic",
            unless_function=r"\bFormattableString\b",
            needles=("Sql",),
        ),
        Pattern(
            languages=("csharp",),
            query="""(invocation_expression function: (member_access_expression expression: (_) @object
              name: (_) @name (#match? @name "^(Query|QueryAsync|QueryFirst\\w*|QuerySingle\\w*|Execute|ExecuteAsync|ExecuteScalar\\w*|QueryMultiple\\w*)$"))
              (#match? @object "(?i)conn|db|connection|transaction")
              arguments: (argument_list . (argument (_) @arg))) @match""",
            when="dynamic",
            needles=("Query", "Execute"),
        ),
        Pattern(
            languages=("go",),
            query=f"""(call_expression function: (selector_expression operand: (_) @receiver
              field: (field_identifier) @name
              (#any-of? @name "Query" "QueryRow" "Exec" "Prepare" "Raw" "Queryx" "QueryRowx" "MustExec"))
              (#not-match? @receiver "{_GO_STATEMENT}")
              arguments: (argument_list . (_) @arg (#not-match? @arg "{_GO_CONTEXT}"))) @match""",
            when="dynamic",
            needles=("Query", "Exec", "Prepare", "Raw"),
            file_text=_GO_SQL_IMPORTS,
        ),
        Pattern(  # a file of the package that does not import the driver: a database receiver
            languages=("go",),
            query=f"""(call_expression function: (selector_expression operand: (_) @receiver
              field: (field_identifier) @name
              (#any-of? @name "Query" "QueryRow" "Exec" "Prepare" "Raw" "Queryx" "QueryRowx" "MustExec"
                 "NamedExec" "NamedQuery"))
              (#match? @receiver "{_GO_DB_RECEIVER}")
              arguments: (argument_list . (_) @arg (#not-match? @arg "{_GO_CONTEXT}"))) @match""",
            when="dynamic",
            needles=("Query", "Exec", "Prepare", "Raw"),
            unless_file=_GO_SQL_IMPORTS,
        ),
        Pattern(  # sqlx and scany: Get(&dest, sql, args...), Select(&dest, sql, args...)
            languages=("go",),
            query=f"""(call_expression function: (selector_expression operand: (_) @receiver
              field: (field_identifier) @name (#any-of? @name "Get" "Select"))
              (#match? @receiver "{_GO_DB_RECEIVER}")
              arguments: (argument_list . (unary_expression operator: "&") . (_) @arg)) @match""",
            when="dynamic",
            needles=("Get(&", "Select(&"),
        ),
        Pattern(  # pgx and sqlx take the context first: Exec(ctx, sql, args...)
            languages=("go",),
            query=f"""(call_expression function: (selector_expression operand: (_) @receiver
              field: (field_identifier) @name
              (#any-of? @name "Query" "QueryRow" "Exec" "Prepare" "Queryx" "QueryRowx" "MustExec"
                 "Select" "Get" "SendBatch"))
              (#not-match? @receiver "{_GO_STATEMENT}")
              arguments: (argument_list . (_) @context (#match? @context "{_GO_CONTEXT}")
                . (_) @arg)) @match""",
            when="dynamic",
            needles=("Query", "Exec", "Prepare", "Select", "Get"),
            file_text=r"jmoiron/sqlx|jackc/pgx|georgysavva/scany",
        ),
        Pattern(
            languages=("go",),
            query=f"""(call_expression function: (selector_expression operand: (_) @object
              (#not-match? @object "{_GO_STATEMENT}") field: (field_identifier) @name
              (#any-of? @name "QueryContext" "QueryRowContext" "ExecContext" "PrepareContext"))
              arguments: (argument_list . (_) . (_) @arg)) @match""",
            when="dynamic",
            needles=("Context",),
            file_text=_GO_SQL_IMPORTS,
        ),
        Pattern(
            languages=JS,
            query="""(call_expression function: (member_expression property: (property_identifier) @name
              (#any-of? @name "query" "execute" "raw" "whereRaw" "orderByRaw" "havingRaw" "joinRaw"
                 "$queryRawUnsafe" "$executeRawUnsafe" "unsafe"))
              arguments: (arguments . (_) @arg)
              (#not-match? @arg "^[{][\\\\s\\\\S]*\\\\b(query|mutation|document)\\\\s*:")
              (#not-match? @arg "(?i)^[\\\\w$.]*\\\\.(query|q|search|term|terms|keywords?|text)$")) @match""",
            when="dynamic",
            needles=(".query(", ".execute(", "Raw(", ".raw(", "Unsafe(", ".unsafe("),
            file_text=_JS_SQL_FILE,
            # a client's query options ({ query: gql`...` }) are not SQL; a GraphQL server's
            # resolvers (import ... from 'graphql') are read like any other code
            unless_file=r"(?m)^\s*import\s+\{[^}]*\}\s+from\s+['\"](?:@tanstack|@apollo/client|urql|graphql-request)",
        ),
        Pattern(  # pg-promise: db.one, db.many, db.any, t.none...
            languages=JS,
            query="""(call_expression function: (member_expression object: (_) @receiver
                property: (property_identifier) @name
                (#any-of? @name "one" "many" "any" "none" "oneOrNone" "manyOrNone" "result" "multi"
                   "multiResult"))
              (#match? @receiver "(?i)(^|[.])([a-z]*db|database|conn|connection|client|pool|t|tx|task|sqlite)$")
              arguments: (arguments . (_) @arg)) @match""",
            when="dynamic",
            needles=(".one(", ".many(", ".any(", ".none(", "OrNone(", ".result(", ".multi"),
            file_text=r"['\"]pg-promise['\"]",
        ),
        Pattern(  # sqlite3's names, looked for only in files that import it
            languages=JS,
            query="""(call_expression function: (member_expression object: (_) @receiver
                property: (property_identifier) @name
                (#any-of? @name "all" "get" "run" "exec" "each" "prepare"))
              (#match? @receiver "(?i)(^|[.])([a-z]*db|database|conn|connection|sqlite)$")
              arguments: (arguments . (_) @arg)) @match""",
            when="dynamic",
            needles=(".all(", ".get(", ".run(", ".exec(", ".each(", ".prepare("),
            file_text=r"['\"](?:sqlite3?|better-sqlite3)['\"]",
        ),
        Pattern(  # Sequelize.literal(`balance - ${amount}`): raw SQL inside an ORM query
            languages=JS,
            query="""(call_expression function: (member_expression object: (identifier) @o
                (#match? @o "^(Sequelize|sequelize|db)$")
                property: (property_identifier) @name (#eq? @name "literal"))
              arguments: (arguments . (_) @arg)) @match""",
            when="dynamic",
            needles=(".literal(",),
        ),
    ),
    examples=(
        Example(
            "javascript",
            """const pgp = require('pg-promise')();
const db = pgp(process.env.DATABASE_URL);
const sqlite3 = require('sqlite3');
const sdb = new sqlite3.Database('app.db');

router.get('/products/:id', (req, res) => {
  db.one("SELECT * FROM products WHERE id = '" + req.params.id + "'").then((p) => res.json(p));
  sdb.all(`SELECT * FROM users WHERE name = '${req.query.name}'`, (e, rows) => res.json(rows));
  Promise.all([db.one('SELECT 1')]).then(() => /x/.exec(req.query.name));
});
router.post('/transfer', async (req, res) => {
  await Account.update({ balance: Sequelize.literal(`balance - ${req.body.amount}`) }, { where: { id: 1 } });
});
""",
            lines=(7, 8, 12),
        ),
        Example(
            "javascript",
            """const pgp = require('pg-promise')();
const db = pgp(process.env.DATABASE_URL);
const sqlite3 = require('sqlite3');
const sdb = new sqlite3.Database('app.db');

router.get('/products/:id', (req, res) => {
  db.one('SELECT * FROM products WHERE id = $1', [req.params.id]).then((p) => res.json(p));
  sdb.all('SELECT * FROM users WHERE name = ?', [req.query.name], (e, rows) => res.json(rows));
  cache.get(req.query.key);
});
router.post('/transfer', async (req, res) => {
  await Account.update({ balance: Sequelize.literal('balance - 1') }, { where: { id: 1 } });
});
""",
        ),
        Example(
            "typescript",
            """import { GraphQLList, GraphQLString } from 'graphql';
import db from '../models';

export const posts = {
  type: new GraphQLList(Post),
  args: { search: { type: GraphQLString } },
  resolve: async (_root: unknown, args: { search: string }) => {
    const query = `SELECT * FROM posts WHERE title LIKE '%${args.search}%'`;
    return db.sequelize.query(query);
  },
};
""",
            lines=(9,),
        ),
        Example(
            "typescript",
            """import { Pool } from 'pg';
import { gql } from 'graphql-tag';
import { client } from './apollo';

const pool = new Pool();

export async function loadPosts(search: string) {
  const filter = gql`query Posts($search: String) { posts(search: "${search}") { id } }`;
  const local = await pool.query('SELECT id FROM posts WHERE title = $1', [search]);
  return [local, await client.query({ query: filter, variables: { search } })];
}
""",
        ),
        Example(
            "javascript",
            """const knex = require('knex');

module.exports = {
  Query: {
    async search(obj, args, context) {
      return WIKI.data.searchEngine.query(args.query, args);
    },
  },
};
""",
        ),
        Example(
            "java",
            """class Repo {
  ResultSet find(Statement st, @RequestParam String name) throws Exception {
    String sql = "SELECT * FROM users WHERE name = '" + name + "'";
    return st.executeQuery(sql);
  }
  List<User> all(JdbcTemplate jdbcTemplate, String order) {
    return jdbcTemplate.query("SELECT * FROM users ORDER BY " + order, mapper);
  }
}
""",
            lines=(4, 7),
        ),
        Example(
            "java",
            """class DeployService {
  void start(App app, Statement stmt, ExecuteShellUtil shell) throws Exception {
    shell.execute(app.getStartScript());
    stmt.execute("DELETE FROM deploys WHERE app = '" + app.getName() + "'");
  }
}
""",
            lines=(4,),
        ),
        Example(
            "java",
            """class Repo {
  static final String BY_NAME = "SELECT * FROM users WHERE name = ?";
  ResultSet find(Connection c, String name) throws Exception {
    PreparedStatement ps = c.prepareStatement(BY_NAME);
    ps.setString(1, name);
    return ps.executeQuery();
  }
  List<User> all(JdbcTemplate jdbcTemplate) {
    return jdbcTemplate.query("SELECT * FROM users WHERE active = ?", mapper, true);
  }
}
""",
        ),
        Example(
            "csharp",
            """class Repo {
  public List<User> Find(SqlConnection conn, [FromQuery] string name) {
    var cmd = new SqlCommand("SELECT * FROM Users WHERE Name = '" + name + "'", conn);
    var users = db.Users.FromSqlRaw($"SELECT * FROM Users WHERE Name = '{name}'").ToList();
    return users;
  }
}
""",
            lines=(3, 4),
        ),
        Example(
            "csharp",
            """class ProductsController : ControllerBase {
  [HttpGet("search")]
  public IActionResult Search(string keyword) {
    var query = $"SELECT * FROM Products WHERE name LIKE '%{keyword}%'";
    return Ok(_context.Products.FromSql(query).ToList());
  }
  public IActionResult Safe(string keyword) =>
    Ok(_context.Products.FromSql($"SELECT * FROM Products WHERE name = {keyword}").ToList());
}
""",
            lines=(5,),
        ),
        Example(
            "csharp",
            """class Repo {
  public List<User> Find(SqlConnection conn, string name) {
    var cmd = new SqlCommand("SELECT * FROM Users WHERE Name = @name", conn);
    cmd.Parameters.AddWithValue("@name", name);
    return db.Users.FromSqlInterpolated($"SELECT * FROM Users WHERE Name = {name}").ToList();
  }
}
""",
        ),
        Example(
            "csharp",
            """class ProductsController {
  public IActionResult Search(string keyword) {
    var query = $"SELECT * From Products WHERE name LIKE '%{keyword}%'";
    return Ok(_context.Products.FromSql(query).ToList());
  }
}
""",
            lines=(4,),
        ),
        Example(
            "csharp",
            """class ProductsController {
  public IActionResult Search(string keyword) {
    // EF Core 7+: an interpolated string literal becomes a FormattableString, sent as parameters.
    return Ok(_context.Products.FromSql($"SELECT * From Products WHERE name LIKE {keyword}").ToList());
  }
}
""",
        ),
        Example(
            "go",
            """package store

import "database/sql"

func Find(db *sql.DB, r *http.Request) (*sql.Rows, error) {
	name := r.URL.Query().Get("name")
	query := fmt.Sprintf("SELECT * FROM users WHERE name = '%s'", name)
	return db.Query(query)
}
""",
            lines=(8,),
        ),
        Example(  # the driver is imported by another file of the package
            "go",
            """package database

func (d *Database) FindUser(r *http.Request) (User, error) {
	var u User
	name := r.URL.Query().Get("name")
	err := d.db.Get(&u, fmt.Sprintf("SELECT * FROM users WHERE name = '%s'", name))
	_, err = d.db.Exec("UPDATE users SET seen = now() WHERE name = '" + name + "'")
	return u, err
}
""",
            lines=(6, 7),
        ),
        Example(
            "go",
            """package database

func (d *Database) FindUser(r *http.Request) (User, error) {
	var u User
	name := r.URL.Query().Get("name")
	err := d.db.Get(&u, "SELECT * FROM users WHERE name = $1", name)
	err = d.cache.Get(&u, "user:"+name)
	_, err = d.runner.Exec("rebuild-" + name)
	return u, err
}
""",
        ),
        Example(
            "go",
            """package store

import "database/sql"

const byName = "SELECT * FROM users WHERE name = $1"

func Find(db *sql.DB, name string) (*sql.Rows, error) {
	return db.Query(byName, name)
}

func Get(db *sql.DB, id string) *sql.Row {
	stmt, _ := db.Prepare("SELECT * FROM users WHERE id = $1")
	return stmt.QueryRow(id)
}
""",
        ),
        Example(
            "go",
            """package core

import (
	"encoding/json"

	"github.com/jmoiron/sqlx"
)

type Queries struct {
	UpdateSettings *sqlx.Stmt `query:"update-settings"`
}

func (c *Core) Save(s Settings, name string) error {
	b, _ := json.Marshal(s)
	if _, err := c.q.UpdateSettings.Exec(b); err != nil {
		return err
	}
	_, err := c.ReadDB.Exec("UPDATE settings SET name = '" + name + "'")
	return err
}
""",
            lines=(18,),
        ),
        Example(
            "go",
            """package store

import "database/sql"

func (m *Repo) Update(ctx context.Context, a *Article) error {
	stmt, err := m.Conn.PrepareContext(ctx, "UPDATE article SET title = ? WHERE id = ?")
	if err != nil {
		return err
	}
	_, err = stmt.ExecContext(ctx, a.Title, a.ID)
	row := stmt.QueryRow(a.ID)
	return row.Err()
}
""",
        ),
        Example(
            "go",
            """package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

func Find(ctx context.Context, pool *pgxpool.Pool, name string) error {
	_, err := pool.Exec(ctx, fmt.Sprintf("DELETE FROM users WHERE name = '%s'", name))
	return err
}
""",
            lines=(11,),
        ),
        Example(
            "go",
            """package store

import (
	"context"

	sq "github.com/Masterminds/squirrel"
	"github.com/jackc/pgx/v5/pgxpool"
)

func Find(ctx context.Context, pool *pgxpool.Pool, name string) error {
	_, err := pool.Exec(ctx, "DELETE FROM users WHERE name = $1", name)
	if err != nil {
		return err
	}
	sql, args, err := sq.Select("id").From("users").Where(sq.Eq{"name": name}).ToSql()
	if err != nil {
		return err
	}
	_, err = pool.Query(ctx, sql, args...)
	return err
}
""",
        ),
        Example(
            "typescript",
            """import { sql, DatabasePool } from 'slonik';

export class UserController {
  constructor(private readonly pool: DatabasePool, private readonly commandBus: CommandBus) {}

  async find(@Query() query: FindUsersRequest) {
    const statement = sql.type(userSchema)`SELECT * FROM users WHERE country = ${query.country}
      AND ${query.street ? sql`street = ${query.street}` : true} LIMIT ${query.limit}`;
    return this.pool.query(statement);
  }
}
""",
        ),
        Example(
            "typescript",
            """@Controller('users')
export class CreateUserHttpController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  async create(@Body() body: CreateUserRequestDto) {
    const command = new CreateUserCommand(body);
    return this.commandBus.execute(command);
  }
}
""",
        ),
        Example(
            "javascript",
            """const Cursor = require('pg-cursor');

module.exports = function (module) {
  module.scan = async function (client, key, match) {
    const byText = client.query(new Cursor('SELECT value FROM zset WHERE key = ' + key));
    const bound = client.query(new Cursor('SELECT value FROM zset WHERE key = $1 AND value LIKE $2', [key, match]));
    return module.pool.query({ text: 'SELECT data FROM hash WHERE key = $1', values: [key] });
  };
};
""",
            lines=(5,),
        ),
        Example(
            "go",
            """package api

import (
	"database/sql"
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"
)

type Search struct{ Name string }

func Find(db *sql.DB) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in Search
		if err := c.ShouldBindJSON(&in); err != nil {
			return
		}
		rows, _ := db.Query("SELECT * FROM users WHERE name = '" + in.Name + "'")
		defer rows.Close()
	}
}

func Delete(db *sql.DB, w http.ResponseWriter, r *http.Request) {
	var in Search
	_ = json.NewDecoder(r.Body).Decode(&in)
	db.Exec("DELETE FROM users WHERE name = '" + in.Name + "'")
	db.Exec("DELETE FROM users WHERE name = $1", in.Name)
}
""",
            lines=(19, 27),
        ),
        Example(
            "javascript",
            """const mysql = require('mysql');

app.get('/users/:id', (req, res) => {
  const { id, order: sortBy = 'name' } = req.params;
  const [first] = req.query.ids;
  const { limit } = { limit: 10 };
  connection.query('SELECT * FROM users WHERE id = ' + id, (err, rows) => res.json(rows));
  connection.query('SELECT * FROM users ORDER BY ' + sortBy + ' LIMIT ' + limit, (e, r) => res.json(r));
  connection.query('SELECT * FROM users WHERE id = ' + first, (err, rows) => res.json(rows));
  connection.query('SELECT * FROM users LIMIT ' + limit, (err, rows) => res.json(rows));
});
""",
            lines=(7, 8, 9),
        ),
        Example(
            "javascript",
            """app.get('/users', (req, res) => {
  connection.query(`SELECT * FROM users WHERE name = '${req.query.name}'`, (err, rows) => res.json(rows));
});
""",
            lines=(2,),
        ),
        Example(
            "javascript",
            """app.get('/users', (req, res) => {
  connection.query('SELECT * FROM users WHERE name = ?', [req.query.name], (err, rows) => res.json(rows));
});
""",
        ),
        Example(
            "typescript",
            """export async function find(name: string) {
  return sequelize.query("SELECT * FROM users WHERE name = '" + name + "'");
}
""",
            lines=(2,),
        ),
    ),
)

COMMAND = Rule(
    id="BSSEC102",
    title="Command execution with non-constant input",
    skill="security",
    criterion="security.injection",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=78,
    taint=True,
    message="a command built from non-constant input runs through `{name}`",
    rationale=(
        "Running a command line that contains data (OS command injection, CWE-78) lets the "
        "data add its own commands (`; rm -rf /`), and through a shell every metacharacter "
        "counts."
    ),
    fix=(
        'Run a fixed program with an argument list and no shell (ProcessBuilder("convert", '
        'file), exec.Command("convert", file), execFile/spawn without shell: true), and '
        "check the arguments against an allow-list."
    ),
    patterns=(
        Pattern(
            languages=("java",),
            query="""(method_invocation name: (identifier) @name (#eq? @name "exec")
              arguments: (argument_list . (_) @arg)) @match""",
            when="dynamic",
            file_text=r"\bRuntime\b",
            needles=("exec",),
        ),
        Pattern(
            languages=("java",),
            query="""(object_creation_expression type: (type_identifier) @name (#eq? @name "ProcessBuilder")
              arguments: (argument_list (_) @arg)) @match""",
            when="dynamic",
            needles=("ProcessBuilder",),
        ),
        Pattern(
            languages=("java",),
            query="""(method_invocation name: (identifier) @name (#eq? @name "command")
              arguments: (argument_list (_) @arg)) @match""",
            when="dynamic",
            file_text=r"\bProcessBuilder\b",
            needles=("command",),
        ),
        Pattern(
            languages=("csharp",),
            query="""(invocation_expression function: (member_access_expression name: (identifier) @name (#eq? @name "Start"))
              arguments: (argument_list (argument (_) @arg))) @match""",
            when="dynamic",
            text=r"^(?:System\.Diagnostics\.)?Process\.Start",
            needles=("Process",),
        ),
        Pattern(
            languages=("csharp",),
            query="""(object_creation_expression type: (_) @name (#match? @name "ProcessStartInfo$")
              arguments: (argument_list (argument (_) @arg))) @match""",
            when="dynamic",
            needles=("ProcessStartInfo",),
        ),
        Pattern(
            languages=("csharp",),
            query="""(initializer_expression (assignment_expression left: (identifier) @name
               (#any-of? @name "FileName" "Arguments") right: (_) @arg) @match)""",
            when="dynamic",
            file_text=r"ProcessStartInfo",
            needles=("FileName", "Arguments"),
        ),
        Pattern(  # psi.Arguments = $"-c \"{command}\"" after new ProcessStartInfo()
            languages=("csharp",),
            query="""(expression_statement (assignment_expression left: (member_access_expression
               name: (identifier) @name (#any-of? @name "FileName" "Arguments")) right: (_) @arg) @match)""",
            when="dynamic",
            file_text=r"ProcessStartInfo",
            needles=(".FileName", ".Arguments"),
        ),
        Pattern(
            languages=("go",),
            query="""(call_expression function: (selector_expression operand: (identifier) @pkg (#eq? @pkg "exec")
              field: (field_identifier) @name (#any-of? @name "Command" "CommandContext"))
              arguments: (argument_list (_) @arg)) @match""",
            when="dynamic",
            text=r"\(\s*(?:ctx\s*,\s*)?(?:\"(?:/bin/|/usr/bin/)?(?:ba|z)?sh\"\s*,\s*\"-c\"|\"cmd(?:\.exe)?\"\s*,\s*\"/[cC]\"|[^\"\s])",
            needles=("exec.Command",),
        ),
        Pattern(
            languages=JS,
            query="""(call_expression function: [(identifier) @name
                (member_expression property: (property_identifier) @name)]
              (#any-of? @name "exec" "execSync")
              arguments: (arguments . (_) @arg)) @match""",
            when="dynamic",
            text=r"^(?:exec|execSync|(?:child_process|childProcess|cp|proc|shell|require\(['\"]child_process['\"]\))\s*\.\s*(?:exec|execSync))\s*\(",
            file_text=r"child_process",
            needles=("exec",),
        ),
        Pattern(
            languages=JS,
            query="""(call_expression function: [(identifier) @name
                (member_expression property: (property_identifier) @name)]
              (#any-of? @name "spawn" "spawnSync" "execFile" "execFileSync")
              arguments: (arguments (_) @arg)) @match""",
            when="dynamic",
            text=r"shell\s*:\s*true",
            file_text=r"child_process",
            needles=("spawn", "execFile"),
        ),
    ),
    examples=(
        Example(
            "java",
            """class Ping {
  @GetMapping("/ping")
  String ping(@RequestParam String host) throws Exception {
    Process p = Runtime.getRuntime().exec("ping -c 1 " + host);
    new ProcessBuilder("sh", "-c", "ping " + host).start();
    return "ok";
  }
}
""",
            lines=(4, 5),
        ),
        Example(
            "java",
            """class Cowsay {
  static String run(String input) {
    ProcessBuilder processBuilder = new ProcessBuilder();
    String cmd = "/usr/games/cowsay '" + input + "'";
    processBuilder.command("bash", "-c", cmd);
    return "ok";
  }
}
""",
            lines=(5,),
        ),
        Example(
            "java",
            """class Ping {
  String ping(String host) throws Exception {
    Process p = Runtime.getRuntime().exec(new String[] {"ping", "-c", "1", "localhost"});
    new ProcessBuilder("ping", "-c", "1", "localhost").start();
    return "ok";
  }
}
""",
        ),
        Example(
            "csharp",
            """class Ping {
  public void Run([FromQuery] string host) {
    Process.Start("cmd.exe", "/c ping " + host);
  }
}
""",
            lines=(3,),
        ),
        Example(
            "csharp",
            """class Ping {
  public void Run() {
    Process.Start("ping", "localhost");
  }
}
""",
        ),
        Example(
            "csharp",
            """class Shell {
  public string Run([FromQuery] string command) {
    var processInfo = new ProcessStartInfo();
    processInfo.FileName = "/bin/bash";
    processInfo.Arguments = $"-c \\"{command}\\"";
    return Process.Start(processInfo).StandardOutput.ReadToEnd();
  }
}
""",
            lines=(5,),
        ),
        Example(
            "csharp",
            """class Shell {
  public string Uptime() {
    var processInfo = new ProcessStartInfo();
    processInfo.FileName = "/usr/bin/uptime";
    processInfo.Arguments = "-p";
    return Process.Start(processInfo).StandardOutput.ReadToEnd();
  }
}
""",
        ),
        Example(
            "go",
            """package main

func ping(w http.ResponseWriter, r *http.Request) {
	host := r.URL.Query().Get("host")
	out, _ := exec.Command("sh", "-c", "ping -c 1 "+host).Output()
	w.Write(out)
}
""",
            lines=(5,),
        ),
        Example(
            "go",
            """package main

func ping(host string) ([]byte, error) {
	return exec.Command("ping", "-c", "1", host).Output()
}
""",
        ),
        Example(
            "javascript",
            """const { exec } = require('child_process');
app.get('/ping', (req, res) => {
  exec('ping -c 1 ' + req.query.host, (err, out) => res.send(out));
});
""",
            lines=(3,),
        ),
        Example(
            "javascript",
            """const { execFile } = require('child_process');
app.get('/ping', (req, res) => {
  execFile('ping', ['-c', '1', req.query.host], (err, out) => res.send(out));
  const m = /a(b)/.exec(req.query.host);
});
""",
        ),
    ),
)

EVAL = Rule(
    id="BSSEC103",
    title="eval or new Function on non-constant input",
    skill="security",
    criterion="security.injection",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=95,
    taint=True,
    message="`{name}` runs code built from non-constant input",
    rationale=(
        "eval, new Function, a string passed to setTimeout/setInterval and vm.runIn*Context "
        "compile their argument as JavaScript: whoever controls it runs code in the server "
        "process (CWE-95)."
    ),
    fix="Parse data with JSON.parse or an explicit parser; look functions up in a map instead of building their names.",
    patterns=(
        Pattern(
            languages=JS,
            query="""(call_expression function: (identifier) @name
              (#any-of? @name "eval" "setTimeout" "setInterval" "Function")
              arguments: (arguments . (_) @arg)) @match""",
            when="dynamic",
            needles=("eval(", "setTimeout(", "setInterval(", "Function("),
            text=r"^(?:eval|Function)\s*\(|^set(?:Timeout|Interval)\s*\(\s*(?:[`'\"]|\w+\s*\+)",
        ),
        Pattern(
            languages=JS,
            query="""(new_expression constructor: (identifier) @name (#eq? @name "Function")
              arguments: (arguments (_) @arg)) @match""",
            when="dynamic",
            needles=("new Function",),
        ),
        Pattern(
            languages=JS,
            query="""(call_expression function: (member_expression property: (property_identifier) @name
              (#any-of? @name "runInNewContext" "runInThisContext" "runInContext" "compileFunction"))
              arguments: (arguments . (_) @arg)) @match""",
            when="dynamic",
            needles=("runIn", "compileFunction"),
        ),
    ),
    examples=(
        Example(
            "javascript",
            """app.post('/calc', (req, res) => {
  const result = eval(req.body.expression);
  const f = new Function('x', req.body.code);
  res.json({ result });
});
""",
            lines=(2, 3),
        ),
        Example(
            "javascript",
            """app.post('/calc', (req, res) => {
  const data = JSON.parse(req.body.payload);
  setTimeout(() => refresh(data), 1000);
  res.json(eval('1 + 1'));
});
""",
        ),
        Example(
            "typescript",
            """export function run(code: string) {
  return eval(code);
}
""",
            lines=(2,),
        ),
    ),
)

RULES = (SQL, COMMAND, EVAL, NOSQL)
