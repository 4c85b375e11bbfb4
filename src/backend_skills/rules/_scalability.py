"""Scalability rules of the tree-sitter languages: blocking calls in asynchronous code."""

from __future__ import annotations

from backend_skills.core.models import Confidence, Severity

from ._model import Example, Pattern, Rule

JS = ("javascript", "typescript")

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

RULES = (SYNC_OVER_ASYNC, SYNC_IO_IN_HANDLER)
