"""The scalability facts' shortcuts leave the facts unchanged.

Each vocabulary pattern lists the words it cannot match without; a file holding none of
a pattern's words is not scanned with it, and a file holding none of the words of a
handler (or of a GET route call) is not searched for list endpoints at all. These tests
run the same files with the shortcuts and without them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_skills.checkers import _polyglot_scalability as scalability
from backend_skills.languages import LANGUAGES, parse
from backend_skills.languages._fastre import FastRegex

DOCS = Path(__file__).resolve().parents[1] / "docs" / "scalability.md"
SUFFIX = {"java": ".java", "csharp": ".cs", "go": ".go", "javascript": ".js", "typescript": ".ts"}
FIELDS = ("handler", "writes", "many", "env", "pooled", "direct", "route_call")

FILES = {
    "java": """@RestController
class OwnerController {
  @Value("${db.url}") String url;
  @GetMapping("/owners")
  List<Owner> all() { return owners.findAll(); }
  @GetMapping("/page")
  Page<Owner> page(Pageable pageable) { return owners.findAll(pageable); }
  void open() throws Exception {
    Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:5432/app");
    String home = System.getenv("HOME");
  }
}
""",
    "csharp": """class ItemsController : ControllerBase {
  [HttpGet]
  public List<Item> Get() { return _context.Items.Where(i => i.Active).ToList(); }
  [HttpGet("page")]
  public async Task<List<Item>> Page(int pageIndex) {
    return await _db.Items.Skip(pageIndex * 10).Take(10).ToListAsync();
  }
  void Setup(IServiceCollection s, IConfiguration configuration) {
    s.AddDbContext<Db>(o => o.UseNpgsql(configuration.GetConnectionString("db")));
    var cs = "Server=db.local;Database=app;Pooling=false";
  }
}
app.MapGet("/all", async (Db db) => await db.Items.ToListAsync());
""",
    "go": """package h

func List(c *gin.Context) {
	var items []Item
	db.Find(&items)
	c.JSON(200, items)
}

func main() {
	url := os.Getenv("DATABASE_URL")
	conn, _ := pgx.Connect(ctx, "postgres://localhost:5432/app")
	db, _ := sql.Open("postgres", url)
	db.SetMaxOpenConns(10)
	r.GET("/items", func(c *gin.Context) { db.Find(&items) })
}
""",
    "javascript": """const getUsers = catchAsync(async (req, res) => {
  const users = await User.find({});
  res.send(users);
});
router.get('/users', async (req, res) => {
  res.json(await User.find({}).limit(50));
});
const pool = new Pool({ connectionString: process.env.DATABASE_URL });
const client = mysql.createConnection({ host: 'localhost' });
const api = 'http://10.0.0.1:8080/api';
""",
    "typescript": """@Controller('cats')
export class CatsController {
  constructor(private readonly configService: ConfigService) {}
  @Get()
  findAll() { return this.prisma.cat.findMany(); }
  @Get('page')
  page(@Query('take') take: number) { return this.prisma.cat.findMany({ take }); }
}
const db = new DataSource({ url: 'postgres://localhost:5432/cats' });
""",
}


@pytest.mark.parametrize("language", sorted(scalability.VOCABULARY))
def test_the_words_never_lose_a_match(language: str) -> None:
    """``count`` (which skips texts without the words) counts what the regular
    expression itself finds, on the documented vocabulary and on code."""
    vocabulary = scalability.VOCABULARY[language]
    for text in (DOCS.read_text(encoding="utf-8"), FILES[language]):
        for field in FIELDS:
            regex: FastRegex = getattr(vocabulary, field)
            assert regex.count(text) == len(list(regex.regex.finditer(text))), field


def test_handler_vocabularies_have_words() -> None:
    """Without words, every file of the language would be searched for handlers."""
    for language in ("java", "csharp", "go"):
        assert scalability.VOCABULARY[language].handler.words, language
    assert scalability.BOUNDED.words


@pytest.mark.parametrize("language", sorted(FILES))
def test_facts_are_the_same_without_the_shortcuts(
    language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = LANGUAGES[language]
    path = f"src/app{SUFFIX[language]}"
    text = FILES[language]
    root = parse(spec, text.encode(), path).root_node
    fast = scalability.file_facts(language, root, text, path)
    monkeypatch.setattr(FastRegex, "may_match", lambda self, text: True)
    slow = scalability.file_facts(language, root, text, path)
    assert fast == slow
    assert fast is not None
    assert fast.lists, "the file has list endpoints"


def test_a_file_without_handler_words_has_no_list_endpoint() -> None:
    text = "class Jobs {\n  public List<Item> Get() { return _context.Items.ToList(); }\n}\n"
    root = parse(LANGUAGES["csharp"], text.encode(), "Jobs.cs").root_node
    facts = scalability.file_facts("csharp", root, text, "Jobs.cs")
    assert facts is not None
    assert facts.lists == []
    with_handler = text.replace("  public List", "  [HttpGet]\n  public List")
    root = parse(LANGUAGES["csharp"], with_handler.encode(), "Jobs.cs").root_node
    facts = scalability.file_facts("csharp", root, with_handler, "Jobs.cs")
    assert facts is not None
    assert [(e.name, e.line, e.bounded) for e in facts.lists] == [("Get", 3, False)]


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"\bprocess\.env\b", ("process.env",)),
        (r"\bSystem\.getenv\s*\(", ("System.getenv",)),
        (r"\bConnectionMultiplexer\.Connect\w*\s*\(", ("ConnectionMultiplexer.Connect",)),
        (r"\bfoo\.bar\.bazs?\b", ("foo.bar",)),  # the last letter is optional
        (r"\bconfigService\.get\w*\s*\(|\bConfigService\b", ("configService", "ConfigService")),
        (r"\bos\.(?:Getenv|LookupEnv)\s*\(", ("Getenv", "LookupEnv")),
    ],
)
def test_words_a_pattern_needs(pattern: str, words: tuple[str, ...]) -> None:
    import re

    assert scalability._needs(pattern) == words
    for sample in ("x = process.env.A", "System.getenv (", "foo.bar.baz", "os.Getenv("):
        if re.search(pattern, sample):
            assert any(w in sample for w in words)


def test_a_word_holding_another_is_not_searched_for() -> None:
    assert scalability._fewest(("IConfiguration", "Configuration", "IOptions")) == (
        "Configuration",
        "IOptions",
    )
    assert scalability._fewest(("Add", "NpgsqlDataSource")) == ("Add", "NpgsqlDataSource")
    env = scalability.VOCABULARY["csharp"].env
    assert env.words is not None
    assert "IConfiguration" not in env.words
    assert env.count("public Ctl(IConfiguration cfg) { }") == 1
