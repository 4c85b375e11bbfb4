"""Bounded lists, configuration and pooling in Java, C#, Go and JS/TS (issue 15).

Each fact is checked through the ``polyglot`` checker's per-file analysis (the findings
a user opens, at the lines they expect, and the counts the metrics add up), and the
metrics through the whole pipeline: a Java or JavaScript service is now scored on
``scalability.pagination``, ``configuration`` and ``pooling`` instead of "not assessed",
and a service in two languages is judged on the endpoints of both, by weight.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_skills import score
from backend_skills.checkers._polyglot_scalability import (
    config_file_facts,
    literal_kind,
    metrics,
)
from backend_skills.checkers.polyglot import analyse_source
from backend_skills.core.discovery import discover
from backend_skills.core.models import CriterionResult, Metric, Report, Role
from backend_skills.core.scoring import combine_metrics

SUFFIX = {"java": ".java", "csharp": ".cs", "go": ".go", "javascript": ".js", "typescript": ".ts"}
OURS = ("BSSCL103", "BSSCL104", "BSSCL105")


def _scan(language: str, code: str) -> tuple[dict[str, int], list[tuple[str, int, str]]]:
    result = analyse_source(f"src/app{SUFFIX[language]}", language, code, Role.SOURCE)
    assert result.skipped is None
    counts = {k: v for k, v in result.data.items() if k.startswith("scl_")}
    found = [(f.rule, f.line or 0, f.message) for f in result.findings if f.rule in OURS]
    return counts, found


# --------------------------------------------------------------------------- list endpoints

SPRING = """@RestController
class OwnerController {
  @GetMapping("/owners")
  List<Owner> all() {
    return owners.findAll();
  }

  @GetMapping("/owners/page")
  String page(@RequestParam(defaultValue = "1") int page, Model model) {
    return listPage(page, model);
  }

  private String listPage(int page, Model model) {
    Page<Owner> found = owners.findAll(PageRequest.of(page - 1, 5));
    model.addAttribute("owners", found);
    return "owners";
  }

  @PostMapping("/owners/reindex")
  void reindex() {
    index.putAll(owners.findAll());
  }
}
"""


def test_spring_list_endpoints_bounded_by_a_helper_and_unbounded() -> None:
    counts, found = _scan("java", SPRING)
    assert counts["scl_lists"] == 2  # the POST handler is not a list endpoint
    assert counts["scl_bounded"] == 1  # page() delegates to listPage(), which pages
    assert [(rule, line) for rule, line, _ in found] == [("BSSCL103", 5)]
    assert "`all`" in found[0][2]


def test_delegated_unbounded_query_is_reported_where_it_runs() -> None:
    code = """class BrandEndpoint {
  public void AddRoute(IEndpointRouteBuilder app) {
    app.MapGet("api/brands", async (IRepository<Brand> repo) => {
      return await HandleAsync(repo);
    });
  }
  public async Task<IResult> HandleAsync(IRepository<Brand> repo) {
    var items = await repo.ListAsync();
    return Results.Ok(items);
  }
}
"""
    counts, found = _scan("csharp", code)
    assert (counts["scl_lists"], counts["scl_bounded"]) == (1, 0)
    assert [(r, line) for r, line, _ in found] == [("BSSCL103", 8)]
    assert 'app.MapGet("api/brands")' in found[0][2]


def test_nestjs_decorators_make_handlers() -> None:
    code = """@Controller('cats')
export class CatsController {
  @Get()
  async findAll(): Promise<Cat[]> {
    return this.cats.find();
  }
  @Get('paged')
  async paged(@Query('take') take: number): Promise<Cat[]> {
    return this.cats.find({ take });
  }
  @Post()
  async create(@Body() dto: CreateCat): Promise<Cat[]> {
    return this.cats.find();
  }
}
"""
    counts, found = _scan("typescript", code)
    assert (counts["scl_lists"], counts["scl_bounded"]) == (2, 1)
    assert [(r, line) for r, line, _ in found] == [("BSSCL103", 5)]


@pytest.mark.parametrize(
    ("language", "code", "line"),
    [
        (
            "csharp",
            "class C : ControllerBase {\n  [HttpGet]\n  public List<Item> Get() {\n"
            "    return _context.Items.Where(i => i.Active).ToList();\n  }\n}\n",
            4,
        ),
        (
            "go",
            "package h\n\nfunc List(w http.ResponseWriter, r *http.Request) {\n"
            '\trows, _ := db.Query("SELECT id, name FROM items")\n\t_ = rows\n}\n',
            4,
        ),
        (
            "javascript",
            "const getUsers = catchAsync(async (req, res) => {\n"
            "  const users = await User.find({});\n  res.send(users);\n});\n",
            2,
        ),
        (
            "typescript",
            "export function getMemories () {\n  return async (req: Request, res: Response) => {\n"
            "    res.json(await MemoryModel.findAll({ include: [UserModel] }))\n  }\n}\n",
            3,
        ),
    ],
)
def test_unbounded_list_in_each_language(language: str, code: str, line: int) -> None:
    counts, found = _scan(language, code)
    assert (counts["scl_lists"], counts["scl_bounded"]) == (1, 0)
    assert [(r, at) for r, at, _ in found] == [("BSSCL103", line)]


@pytest.mark.parametrize(
    ("language", "code"),
    [
        (
            "go",
            "package h\n\nfunc List(c *gin.Context) {\n\tvar items []Item\n"
            '\tdb.Limit(20).Offset(c.GetInt("offset")).Find(&items)\n}\n',
        ),
        (
            "go",
            "package h\n\nfunc List(w http.ResponseWriter, r *http.Request) {\n"
            '\trows, _ := db.Query("SELECT id FROM items ORDER BY id LIMIT $1", 50)\n\t_ = rows\n}\n',
        ),
        (
            "javascript",
            "router.get('/users', async (req, res) => {\n"
            "  res.json(await User.find({}).limit(50));\n});\n",
        ),
        (
            "csharp",
            "class C : ControllerBase {\n  [HttpGet]\n  public async Task<List<Item>> Get(int pageIndex) {\n"
            "    return await _db.Items.Skip(pageIndex * 10).Take(10).ToListAsync();\n  }\n}\n",
        ),
    ],
)
def test_bounded_list_in_each_language(language: str, code: str) -> None:
    counts, found = _scan(language, code)
    assert (counts["scl_lists"], counts["scl_bounded"]) == (1, 1)
    assert found == []


@pytest.mark.parametrize(
    ("language", "code"),
    [
        # gin's c.Query reads a query parameter: not a database query
        ("go", 'package h\n\nfunc Get(c *gin.Context) {\n\tc.JSON(200, c.Query("q"))\n}\n'),
        # Array.prototype.find with a callback: one item from memory
        (
            "javascript",
            "app.get('/x', (req, res) => res.json(items.find((i) => i.id === req.query.id)));\n",
        ),
        # a write handler named for what it does, its verb unknown in this file
        (
            "javascript",
            "const createOrder = async (req, res) => {\n  const all = await Order.findAll();\n"
            "  res.status(201).send(all.length);\n};\n",
        ),
        # not a request handler at all
        (
            "java",
            "class Jobs {\n  void nightly() {\n    repo.findAll().forEach(this::send);\n  }\n}\n",
        ),
    ],
)
def test_not_list_endpoints(language: str, code: str) -> None:
    counts, found = _scan(language, code)
    assert counts["scl_lists"] == 0
    assert found == []


# --------------------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        ("jdbc:mysql://localhost:3306/petclinic", "mysql JDBC URL"),
        ("Server=db01;Database=Shop;Trusted_Connection=True;", "connection string"),
        ("Host=10.0.0.5;Port=5432;Username=app", "connection string"),
        ("postgres://app@db:5432/shop", "postgres connection URL"),
        ("redis://127.0.0.1:6379", "redis connection URL"),
        ("http://localhost:8080/api", "URL with an explicit port"),
        ("http://192.168.1.20/api", "URL with an IP address"),
        ("https://api.example.com/v1", None),  # a public service's address is not a setting
        ("Data saved; see the log", None),
        ("SELECT id FROM users; -- Server=x", None),
    ],
)
def test_literal_kind(content: str, kind: str | None) -> None:
    assert literal_kind(content) == kind


def test_hardcoded_endpoints_and_environment_reads_in_node() -> None:
    code = """require('dotenv').config();
const mongoUrl = process.env.MONGODB_URL || 'mongodb://localhost:27017/app';
const port = process.env.PORT;
const cache = redis.createClient({ url: 'redis://10.1.2.3:6379' });
const api = 'https://api.github.com';
"""
    counts, found = _scan("javascript", code)
    assert counts["scl_env"] == 3  # dotenv and two process.env reads
    assert counts["scl_hardcoded"] == 1  # the default on the env-read line is exempt
    assert [(r, line) for r, line, _ in found] == [("BSSCL104", 4)]
    assert "10.1.2.3" not in found[0][2]  # the message names the kind, never the value


def test_hardcoded_finding_is_redacted() -> None:
    code = 'class A {\n  String url = "jdbc:postgresql://db:5432/app?password=Hunter2x";\n}\n'
    result = analyse_source("src/A.java", "java", code, Role.SOURCE)
    (finding,) = [f for f in result.findings if f.rule == "BSSCL104"]
    assert "Hunter2x" not in finding.message
    assert finding.snippet_hash


@pytest.mark.parametrize(
    ("language", "code", "reads"),
    [
        (
            "java",
            'class A {\n  @Value("${DB_URL}") String url;\n  String h = System.getenv("H");\n}\n',
            2,
        ),
        (
            "csharp",
            'class A {\n  A(IConfiguration c) { var cs = c.GetConnectionString("Db"); }\n}\n',
            2,
        ),
        (
            "go",
            'package c\n\ntype Config struct {\n\tHost string `conf:"default:0.0.0.0:3000"`\n}\n'
            'var port = os.Getenv("PORT")\n',
            2,
        ),
    ],
)
def test_environment_reads(language: str, code: str, reads: int) -> None:
    counts, found = _scan(language, code)
    assert counts["scl_env"] == reads
    assert found == []


def test_spring_settings_files(tmp_path: Path) -> None:
    resources = tmp_path / "src" / "main" / "resources"
    resources.mkdir(parents=True)
    (resources / "application.properties").write_text(
        "spring.datasource.url=${DATABASE_URL:jdbc:postgresql://localhost/app}\n"
        "spring.datasource.hikari.maximum-pool-size=${POOL_SIZE:10}\n"
        "server.port=${server.port.default:8080}\n",  # a property reference, not the environment
        encoding="utf-8",
    )
    assert config_file_facts(discover(tmp_path).files) == {"scl_env": 2, "scl_pooled": 1}


# --------------------------------------------------------------------------- pooling


@pytest.mark.parametrize(
    ("language", "code", "pooled", "direct_lines"),
    [
        (
            "go",
            'package db\n\nfunc Open() *sql.DB {\n\tdb, _ := sql.Open("pgx", os.Getenv("DSN"))\n'
            "\tdb.SetMaxOpenConns(25)\n\tdb.SetMaxIdleConns(25)\n\treturn db\n}\n",
            3,
            [],
        ),
        (
            "go",
            'package db\n\nfunc Open(ctx context.Context) {\n\tconn, _ := pgx.Connect(ctx, os.Getenv("DSN"))\n'
            "\t_ = conn\n}\n",
            0,
            [4],
        ),
        (
            "java",
            "class Dao {\n  Connection c() throws Exception {\n"
            "    return DriverManager.getConnection(url);\n  }\n}\n",
            0,
            [3],
        ),
        (
            "javascript",
            "const { Pool } = require('pg');\nconst pool = new Pool({ max: 10 });\n",
            1,
            [],
        ),
        (
            "javascript",
            "const { Client } = require('pg');\n"
            "const client = new Client({ connectionString: process.env.DATABASE_URL });\n",
            0,
            [2],
        ),
        (
            "csharp",
            "class S {\n  void C(IServiceCollection s) => s.AddDbContext<AppDb>(o => o.UseSqlServer(cs));\n}\n",
            1,
            [],
        ),
    ],
)
def test_pooled_and_direct_connections(
    language: str, code: str, pooled: int, direct_lines: list[int]
) -> None:
    counts, found = _scan(language, code)
    assert counts["scl_pooled"] == pooled
    assert [line for r, line, _ in found if r == "BSSCL105"] == direct_lines


# --------------------------------------------------------------------------- metrics


def test_metrics_are_weighted_shares_that_combine_with_python() -> None:
    data = [
        {"role": "source", "scl_lists": 3, "scl_bounded": 1, "scl_env": 4, "scl_hardcoded": 1},
        {"role": "source", "scl_pooled": 2, "scl_direct": 2},
    ]
    notes: list[str] = []
    found = {m.name: m for m in metrics(data, [], notes)}
    share = found["scalability.bounded_list_share"]
    assert (share.value, share.weight, share.combine) == (0.3333, 3, "mean")
    assert found["scalability.list_endpoints"].value == 3
    assert found["scalability.env_config_share"].value == 0.8
    assert found["scalability.pooled_share"].value == 0.5
    assert notes == [
        "polyglot: 1 of 3 list endpoints bounded; 4 settings read from the environment,"
        " 1 hard-coded hosts, ports or URLs; 2 pooled and 2 direct connection sites"
    ]
    python = Metric(
        name="scalability.bounded_list_share", value=1.0, combine="mean", weight=1
    )  # one bounded Python list endpoint
    assert combine_metrics([python, share]).value == 0.5  # 2 of 4 endpoints, not 0.67


def test_browser_code_is_not_the_service() -> None:
    code = "const api = import.meta.env.VITE_API_URL || 'http://localhost:8000';\n"
    result = analyse_source("frontend/src/client.ts", "typescript", code, Role.SOURCE)
    assert not any(k.startswith("scl_") for k in result.data)
    assert [f for f in result.findings if f.rule in OURS] == []


def test_front_end_folders_matter_for_javascript_only() -> None:
    code = (
        "class C : ControllerBase {\n  [HttpGet]\n  public Task<List<Item>> Get() {\n"
        "    return _db.Items.ToListAsync();\n  }\n}\n"
    )
    result = analyse_source("src/Web/Controllers/C.cs", "csharp", code, Role.SOURCE)
    assert result.data["scl_lists"] == 1  # an ASP.NET project named Web is server code


def test_nothing_measured_gives_no_metric() -> None:
    notes: list[str] = []
    assert metrics([{"role": "source"}], [], notes) == []
    assert notes == []


# --------------------------------------------------------------------------- pipeline


def _criteria(report: Report) -> dict[str, CriterionResult]:
    (skill,) = [s for s in report.skills if s.id == "scalability"]
    return {c.id: c for c in skill.criteria}


def _write(root: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def test_a_java_service_is_scored_on_pagination_configuration_and_pooling(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "src/main/java/app/OwnerController.java": SPRING,
            "src/main/java/app/Db.java": (
                "class Db {\n  Connection c() throws Exception {\n"
                '    return DriverManager.getConnection(System.getenv("DB"));\n  }\n}\n'
            ),
            "src/main/resources/application.properties": "spring.datasource.url=${DATABASE_URL}\n",
        },
    )
    report = score(root, skills=["scalability"], isolated=True, cache=False, jobs=1)
    criteria = _criteria(report)
    pagination = criteria["scalability.pagination"]
    assert pagination.applicable
    assert pagination.score == 40.0  # 1 of 2 bounded
    assert criteria["scalability.configuration"].score == 100.0
    assert criteria["scalability.pooling"].score == 0.0  # one direct connection, no pool
    rules = sorted((f.rule, f.path, f.line) for f in report.findings if f.rule in OURS)
    assert rules == [
        ("BSSCL103", "src/main/java/app/OwnerController.java", 5),
        ("BSSCL105", "src/main/java/app/Db.java", 3),
    ]


def test_python_and_javascript_endpoints_count_together(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "api/main.py": (
                "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
                "@app.get('/items')\nasync def items(limit: int = 20) -> list[dict]:\n"
                "    return await db.fetch_all(f'SELECT * FROM items LIMIT {limit}')\n"
            ),
            "server/routes.js": (
                "router.get('/users', async (req, res) => {\n"
                "  res.json(await prisma.user.findMany());\n});\n"
                "router.get('/orders', async (req, res) => {\n"
                "  res.json(await prisma.order.findMany());\n});\n"
            ),
        },
    )
    report = score(root, skills=["scalability"], isolated=True, cache=False, jobs=1)
    pagination = _criteria(report)["scalability.pagination"]
    values = pagination.metrics
    assert values["scalability.bounded_list_share"] == pytest.approx(1 / 3, abs=1e-3)
    assert values["scalability.list_endpoints"] == 3
