"""Scalability rules of the tree-sitter languages.

Blocking calls in asynchronous code are patterns (``BSSCL101``, ``BSSCL102``,
``BSSCL106``); unbounded list endpoints, hard-coded endpoints and direct connections
(``BSSCL103``-``BSSCL105``) are judged per handler and per file by
:mod:`backend_skills.checkers._polyglot_scalability`, which counts the same facts for
the metrics of ``scalability.pagination``, ``scalability.configuration`` and
``scalability.pooling``.
"""

from __future__ import annotations

from backend_skills.core.models import Confidence, Severity

from ._model import Example, Pattern, Rule

JS = ("javascript", "typescript")
LANGS = ("csharp", "go", "java", "javascript", "typescript")

SYNC_OVER_ASYNC = Rule(
    id="BSSCL101",
    title="Blocking on a task inside an async method (.Result, .Wait(), GetResult())",
    skill="scalability",
    criterion="scalability.async_blocking",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    message="`{name}` blocks a thread-pool thread inside an async method",
    rationale=(
        "Waiting synchronously for a task (`.Result`, `.Wait()`, `GetAwaiter().GetResult()`) "
        "inside async code holds a thread-pool thread for the whole wait: under load the "
        "pool starves and requests queue (sync over async), and with a synchronisation "
        "context it deadlocks."
    ),
    fix="`await` the task instead, and make the callers async all the way up.",
    patterns=(
        Pattern(
            languages=("csharp",),
            query="""(member_access_expression name: (identifier) @name (#eq? @name "Result")) @match""",
            scope=r"\basync\b",
            unless_function=r"\bWhenAll\s*\(",
            needles=(".Result",),
        ),
        Pattern(
            languages=("csharp",),
            query="""(invocation_expression function: (member_access_expression name: (identifier) @name
              (#any-of? @name "Wait" "GetResult" "WaitAll"))) @match""",
            text=r"\.Wait\(\s*\)|GetAwaiter\(\)\s*\.\s*GetResult\(|Task\.WaitAll\(",
            scope=r"\basync\b",
            needles=("Wait", "GetResult"),
        ),
    ),
    examples=(
        Example(
            "csharp",
            """class S {
  public async Task<int> CountAsync() {
    var items = _repo.ListAsync().Result;
    _cache.RefreshAsync().Wait();
    return items.Count;
  }
}
""",
            lines=(3, 4),
        ),
        Example(
            "csharp",
            """class S {
  public async Task<int> CountAsync() {
    var items = await _repo.ListAsync();
    return items.Count;
  }
  public int Count() { return validation.Result; }
  public async Task<int> BothAsync() {
    var a = _repo.CountAsync();
    var b = _cache.CountAsync();
    await Task.WhenAll(a, b);
    return a.Result + b.Result;
  }
}
""",
        ),
    ),
)

SYNC_IO_IN_HANDLER = Rule(
    id="BSSCL102",
    title="Synchronous file or process call in a request handler or async function (Node)",
    skill="scalability",
    criterion="scalability.async_blocking",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    message="`{name}` blocks the event loop inside a request handler or async function",
    rationale=(
        "Node serves every request on one event loop: a synchronous call (`fs.readFileSync`, "
        "`execSync`, `crypto.pbkdf2Sync`) inside a handler stops every other request until it "
        "returns."
    ),
    fix="Use the promise API (`await fs.promises.readFile(...)`, `util.promisify(exec)`), or do the work once at start-up.",
    patterns=(
        Pattern(
            languages=JS,
            query="""(call_expression function: [(identifier) @name
                (member_expression property: (property_identifier) @name)]
              (#match? @name "Sync$")) @match""",
            scope=r"\basync\b|\(\s*req\b|\breq\s*,\s*res\b|\bctx\b",
            needles=("Sync(",),
        ),
    ),
    examples=(
        Example(
            "javascript",
            """app.get('/report', (req, res) => {
  const template = fs.readFileSync('report.html', 'utf8');
  res.send(template);
});
""",
            lines=(2,),
        ),
        Example(
            "javascript",
            """const template = fs.readFileSync('report.html', 'utf8');
app.get('/report', async (req, res) => {
  const data = await fs.promises.readFile('data.json', 'utf8');
  res.send(template + data);
});
""",
        ),
    ),
)

REACTIVE_BLOCKING = Rule(
    id="BSSCL106",
    title="Blocking call inside a reactive method (Java `.block()`, `Thread.sleep`)",
    skill="scalability",
    criterion="scalability.async_blocking",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    message="`{name}` blocks an event-loop thread inside a method returning Mono or Flux",
    rationale=(
        "WebFlux and Reactor serve every request on a few event-loop threads: `.block()`, "
        "`.blockFirst()`, `.blockLast()` or `Thread.sleep` inside a method that returns a "
        "`Mono` or `Flux` parks one of them until the call returns (Reactor raises "
        "IllegalStateException on its non-blocking threads), and throughput collapses."
    ),
    fix=(
        "Compose instead of waiting: `flatMap`/`zipWith` the publisher, `Mono.delay` instead "
        "of `Thread.sleep`, and move unavoidable blocking I/O to "
        "`subscribeOn(Schedulers.boundedElastic())`."
    ),
    patterns=(
        Pattern(
            languages=("java",),
            query="""(method_invocation name: (identifier) @name
              (#any-of? @name "block" "blockFirst" "blockLast" "blockOptional" "sleep")) @match""",
            text=r"\.block(?:First|Last|Optional)?\s*\(|\bThread\.sleep\s*\(",
            scope=r"\b(?:Mono|Flux)\s*<",
            needles=("block", "sleep"),
        ),
    ),
    examples=(
        Example(
            "java",
            """class OrderHandler {
  Mono<Order> get(String id) {
    User user = users.find(id).block();
    return orders.forUser(user);
  }
}
""",
            lines=(3,),
        ),
        Example(
            "java",
            """class OrderHandler {
  Mono<Order> get(String id) {
    return users.find(id).flatMap(orders::forUser);
  }
  Order legacy(String id) {
    return orders.find(id).block();
  }
}
""",
        ),
    ),
)

UNBOUNDED_LIST = Rule(
    id="BSSCL103",
    title="List endpoint without a bound (Java, C#, Go, JS/TS)",
    skill="scalability",
    criterion="scalability.pagination",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    message="list endpoint `{name}` returns every row: add a page or limit with a maximum",
    cwe=770,
    rationale=(
        "A request handler that fetches a whole table (Spring Data `findAll()`, JPA "
        "`getResultList()`, EF Core `ToListAsync()`, GORM `Find(&items)`, Prisma "
        "`findMany()`, Mongoose `find({})`) works in development and times out in production "
        "as the table grows (OWASP API4:2023, unrestricted resource consumption). The "
        "handler counts as bounded when it shows a page or a limit: `Pageable`/`PageRequest`, "
        "`setMaxResults`, `Skip`/`Take`, `ToPagedList`, `Limit`/`Offset`, SQL `LIMIT`, "
        "`take:`/`limit:`, `.limit()`, or a page, limit, offset or cursor parameter."
    ),
    fix=(
        "Take a page and a size with a maximum and apply them in the query: Spring Data "
        "`findAll(Pageable)` returning `Page<T>`; EF Core `.Skip(page * size).Take(size)`; "
        "GORM `.Limit(size).Offset(offset)`; Prisma `findMany({ take, skip })`, Sequelize/"
        "TypeORM `limit`/`take`, Mongoose `.limit()`; or a cursor (keyset) pagination."
    ),
    extra_languages=LANGS,
    examples=(
        Example(
            "java",
            """@RestController
class VetResource {
  @GetMapping("/vets")
  List<Vet> all() {
    return vets.findAll();
  }
}
""",
            lines=(5,),
        ),
        Example(
            "java",
            """@RestController
class VetResource {
  @GetMapping("/vets")
  Page<Vet> all(Pageable pageable) {
    return vets.findAll(pageable);
  }
  @PostMapping("/vets/import")
  void load() {
    cache.putAll(vets.findAll());
  }
}
""",
        ),
        Example(
            "csharp",
            """public class ItemsController : ControllerBase {
  [HttpGet]
  public async Task<List<Item>> Get() {
    return await _db.Items.ToListAsync();
  }
}
""",
            lines=(4,),
        ),
        Example(
            "csharp",
            """public class ItemsController : ControllerBase {
  [HttpGet]
  public async Task<List<Item>> Get(int pageIndex = 0, int pageSize = 20) {
    return await _db.Items.Skip(pageIndex * pageSize).Take(pageSize).ToListAsync();
  }
}
""",
        ),
        Example(
            "go",
            """func ArticleList(c *gin.Context) {
	var articles []Article
	db.Find(&articles)
	c.JSON(200, articles)
}
""",
            lines=(3,),
        ),
        Example(
            "go",
            """func ArticleList(c *gin.Context) {
	var articles []Article
	limit, _ := strconv.Atoi(c.DefaultQuery("limit", "20"))
	db.Limit(limit).Find(&articles)
	c.JSON(200, articles)
}
""",
        ),
        Example(
            "javascript",
            """router.get('/users', async (req, res) => {
  const users = await prisma.user.findMany();
  res.json(users);
});
""",
            lines=(2,),
        ),
        Example(
            "typescript",
            """router.get('/users', async (req, res) => {
  const take = Math.min(Number(req.query.take ?? 20), 100);
  const users = await prisma.user.findMany({ take, skip: Number(req.query.skip ?? 0) });
  res.json(users);
});
""",
        ),
    ),
)

HARDCODED_ENDPOINT = Rule(
    id="BSSCL104",
    title="Hard-coded connection URL, host or port (Java, C#, Go, JS/TS)",
    skill="scalability",
    criterion="scalability.configuration",
    severity=Severity.LOW,
    confidence=Confidence.MEDIUM,
    message="hard-coded {name} in the code: read it from the environment or configuration",
    rationale=(
        "The Twelve-Factor App keeps configuration in the environment: a database URL, "
        "JDBC URL, connection string or a URL with a local host, an IP address or a port "
        "written into the code ties the build to one machine and keeps more instances from "
        "running elsewhere. A literal on the same line as an environment read is its "
        "development default and is not reported."
    ),
    fix=(
        "Read it from the environment or the framework's configuration: Spring "
        '`@Value("${DATABASE_URL}")` or `spring.datasource.url=${DATABASE_URL}`; .NET '
        "`IConfiguration`/`GetConnectionString` (environment variables override "
        "appsettings); Go `os.Getenv`, envconfig or viper; Node `process.env` (dotenv in "
        "development)."
    ),
    extra_languages=LANGS,
    examples=(
        Example(
            "java",
            """class Db {
  static final String URL = "jdbc:postgresql://10.0.0.5:5432/shop";
}
""",
            lines=(2,),
        ),
        Example(
            "java",
            """class Db {
  @Value("${DATABASE_URL:jdbc:postgresql://localhost:5432/shop}")
  String url;
}
""",
        ),
        Example(
            "csharp",
            """class Startup {
  const string Db = "Server=db01;Database=Shop;Trusted_Connection=True;";
}
""",
            lines=(2,),
        ),
        Example(
            "csharp",
            """class Startup {
  string Db(IConfiguration config) => config.GetConnectionString("Shop");
}
""",
        ),
        Example(
            "go",
            """package main

var dsn = "postgres://app@localhost:5432/shop"
""",
            lines=(3,),
        ),
        Example(
            "go",
            """package main

func dsn() string { return os.Getenv("DATABASE_URL") }
""",
        ),
        Example(
            "javascript",
            """const client = redis.createClient({ url: 'redis://127.0.0.1:6379' });
""",
            lines=(1,),
        ),
        Example(
            "typescript",
            """const url = process.env.MONGODB_URL || 'mongodb://localhost:27017/app';
""",
        ),
    ),
)

DIRECT_CONNECTION = Rule(
    id="BSSCL105",
    title="Database connection opened without a pool (Java, C#, Go, JS/TS)",
    skill="scalability",
    criterion="scalability.pooling",
    severity=Severity.LOW,
    confidence=Confidence.MEDIUM,
    message="`{name}` opens a connection without a pool",
    rationale=(
        "Opening a database connection per operation costs a round-trip and an "
        "authentication each time and exhausts the server's connection limit under load; "
        "a pool created once reuses connections. `DriverManager.getConnection`, "
        "`pgx.Connect`, `mysql.createConnection`, `new pg.Client({...})` and "
        "`Pooling=false` in a connection string open one connection at a time."
    ),
    fix=(
        "Create one pool at start-up and borrow from it: a `DataSource` (HikariCP, Spring "
        "Boot's default; tune `spring.datasource.hikari.*`); ADO.NET pooling (on by default) "
        "or `AddDbContextPool`; Go `sql.DB` with `SetMaxOpenConns`/`SetMaxIdleConns`, or "
        "`pgxpool`; Node `new pg.Pool()`, `mysql.createPool()`, knex `pool`."
    ),
    extra_languages=LANGS,
    examples=(
        Example(
            "java",
            """class Repo {
  Connection open() throws SQLException {
    return DriverManager.getConnection(url, user, password);
  }
}
""",
            lines=(3,),
        ),
        Example(
            "java",
            """class Repo {
  Connection open() throws SQLException {
    return dataSource.getConnection();
  }
}
""",
        ),
        Example(
            "csharp",
            """class Db {
  string cs = config.GetConnectionString("Shop") + ";Pooling=false";
}
""",
            lines=(2,),
        ),
        Example(
            "csharp",
            """class Startup {
  void Configure(IServiceCollection services) => services.AddDbContextPool<ShopContext>(o => o.UseNpgsql(cs));
}
""",
        ),
        Example(
            "go",
            """package main

func open(ctx context.Context) (*pgx.Conn, error) {
	return pgx.Connect(ctx, os.Getenv("DATABASE_URL"))
}
""",
            lines=(4,),
        ),
        Example(
            "go",
            """package main

func open(ctx context.Context) (*pgxpool.Pool, error) {
	return pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
}
""",
        ),
        Example(
            "javascript",
            """const mysql = require('mysql2');
const connection = mysql.createConnection({ host: process.env.DB_HOST });
""",
            lines=(2,),
        ),
        Example(
            "javascript",
            """const mysql = require('mysql2');
const pool = mysql.createPool({ host: process.env.DB_HOST, connectionLimit: 10 });
""",
        ),
    ),
)

RULES = (
    SYNC_OVER_ASYNC,
    SYNC_IO_IN_HANDLER,
    REACTIVE_BLOCKING,
    UNBOUNDED_LIST,
    HARDCODED_ENDPOINT,
    DIRECT_CONNECTION,
)
