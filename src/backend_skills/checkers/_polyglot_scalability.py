"""Bounded lists, configuration and connection pooling in Java, C#, Go and JS/TS.

The Python analyses judge these practices on Python trees (``scalability.pagination``,
``scalability.configuration``, ``scalability.pooling``); this module judges them on the
tree-sitter parse the ``polyglot`` checker already made of each source file, and
produces the *same metrics* (``scalability.bounded_list_share``,
``scalability.list_endpoints``, ``scalability.env_config_share``,
``scalability.pooled_share``), weighted so that they combine with the Python ones by
how many endpoints, settings and connection sites each language has.

- **List endpoints** (``BSSCL103``): a request handler (a GET route, or a handler whose
  route is not known to write) that fetches many rows (Spring Data ``findAll``, JPA
  ``getResultList``, EF Core ``ToListAsync``, GORM ``Find(&items)``, Prisma
  ``findMany``, Mongoose ``find({})``...) is a list endpoint; it is *bounded* when the
  handler shows a bound (``Pageable``, ``PageRequest``, ``setMaxResults``, ``Skip``/
  ``Take``, ``ToPagedList``, ``Limit``/``Offset``, SQL ``LIMIT``, ``take:``/``limit:``,
  ``.limit()``, or a page, limit, offset or cursor parameter).
- **Configuration** (``BSSCL104``): reads of the environment or of the framework's
  configuration (``System.getenv``, ``@Value("${...}")``, ``IConfiguration``,
  ``os.Getenv``, viper, envconfig, ``process.env``...) against string literals that are
  connection URLs, connection strings, or URLs with a local host, an IP address or an
  explicit port. A literal on the same line as an environment read is its default and
  is not counted. Spring ``${ENV_VAR}`` placeholders in ``application*.properties`` and
  ``.yml`` count as reads (:func:`config_file_facts`).
- **Pooling** (``BSSCL105``): pools (HikariCP, Spring Data repositories on Spring Boot's
  pooled data source, ``AddDbContext``/``AddDbContextPool``, ``NpgsqlDataSource``,
  ``sql.Open`` with ``SetMaxOpenConns``, ``pgxpool``, ``pg.Pool``, ``createPool``, ORMs
  that pool) against connections opened one at a time (``DriverManager.getConnection``,
  ``pgx.Connect``, ``mysql.createConnection``, ``new pg.Client``, ``Pooling=false``).

The vocabulary is quoted in ``docs/scalability.md``; change both together.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import Metric, Role
from backend_skills.languages._fastre import FastRegex, Hits, register_needles, required_words, scan
from backend_skills.languages._index import FileIndex, ordered

from .analyses._polyglot_evidence import front_end
from .analyses._scalability_rules import endpoint_kind

if TYPE_CHECKING:
    import tree_sitter

    from backend_skills.rules._engine import Match

UNBOUNDED = "BSSCL103"
HARDCODED = "BSSCL104"
DIRECT = "BSSCL105"
RULE_IDS = (UNBOUNDED, HARDCODED, DIRECT)
METRICS = (
    "scalability.bounded_list_share",
    "scalability.list_endpoints",
    "scalability.env_config_share",
    "scalability.pooled_share",
)
CRITERIA = ("scalability.pagination", "scalability.configuration", "scalability.pooling")


#: A pattern starting with a dotted name (``\bprocess\.env\b``), the name's last
#: character not optional: every match holds the name.
_DOTTED = re.compile(r"^(?:\\b)?([A-Za-z_]\w*(?:\\\.[A-Za-z_]\w*)+)(?![\w?*{])")


def _needs(pattern: str) -> tuple[str, ...] | None:
    """Words every match of ``pattern`` holds: its leading dotted name when it has one
    and no alternation (``process.env`` is in fewer files than ``process``), else
    :func:`required_words`."""
    dotted = _DOTTED.match(pattern)
    if dotted and "|" not in pattern:
        return (dotted.group(1).replace("\\.", "."),)
    return required_words(pattern)


def _rx(*patterns: str) -> FastRegex:
    """The alternation of ``patterns``, with the words it cannot match without taken from
    each pattern (:func:`required_words` cannot see into a group holding groups: the
    alternation's own words would often be none, and every text would be scanned)."""
    regex = FastRegex("|".join(f"(?:{p})" for p in patterns))
    words = [_needs(p) for p in patterns]
    if all(w is not None for w in words):
        regex.words = _fewest(tuple(dict.fromkeys(w for ws in words for w in ws or ())))
    return regex


def _fewest(words: tuple[str, ...]) -> tuple[str, ...]:
    """``words`` without those holding another of them (a text holding
    ``IConfiguration`` holds ``Configuration``: one substring search fewer for a text
    holding neither, the same answer)."""
    return tuple(w for w in words if not any(o != w and o in w for o in words))


_NEVER = _rx(r"(?!)")


@dataclass(frozen=True)
class Vocabulary:
    """What the practices look like in one language."""

    handler: FastRegex
    """The header of a request handler (its text up to the body)."""
    writes: FastRegex
    """The header of a handler that writes (POST, PUT, PATCH, DELETE): never a list."""
    many: FastRegex
    """A call that fetches many rows."""
    env: FastRegex
    """A read of the environment or of the framework's configuration."""
    pooled: FastRegex
    """A pool created or configured (or a client that pools)."""
    direct: FastRegex
    """A connection opened one at a time."""
    lambdas: tuple[str, ...] = ()
    """Anonymous function kinds that are handlers when given to a route call."""
    route_call: FastRegex = _NEVER
    """The callee of a GET route registration whose handler is written inline."""


#: Shows a bound on what a handler returns (any language).
BOUNDED = _rx(
    r"\bPageable\b|\bPageRequest\b|\bPage<|\bSlice<|\bsetMaxResults\s*\(|\bsetFirstResult\s*\(",
    r"\.(?:Skip|Take|Limit|Offset|SetLimit|Top)\s*\(|\bToPagedList\w*\s*\(|\bPaginated\w*|\bPaged\w*",
    r"\.(?:limit|take|skip|offset|paginate|range)\s*\(",
    r"\b(?:take|skip|limit|offset|first|last|perPage|per_page|pageSize|page_size)\s*:",
    r"\b(?:LIMIT|FETCH\s+FIRST|TOP)\s+[\d@:$?{]",
    r"\b(?:page|pageSize|page_size|pageIndex|pageNumber|perPage|per_page|limit|offset|cursor"
    r"|maxResults|max_results)\b",
)
_NON_GET_NAME = re.compile(
    r"^(?:create|update|delete|remove|add|save|post|put|patch|set|register|login|upload|process)",
    re.IGNORECASE,
)
_JS = Vocabulary(
    handler=_rx(r"\(\s*req\b", r"\breq\s*[,:)]", r"\bctx\s*[,:)]", r"@Get\s*\("),
    writes=_rx(r"@(?:Post|Put|Patch|Delete)\s*\("),
    many=_rx(
        r"\.(?:findMany|findAll|findAndCountAll|getMany|getManyAndCount|fetchAll)\s*\(",
        r"\.find\s*\(\s*(?:\)|\{)",
        r"\bSELECT\b[^'\"`]*\bFROM\b",
    ),
    env=_rx(
        r"\bprocess\.env\b",
        r"\bimport\.meta\.env\b",
        r"\bdotenv\b",
        r"\bconfigService\.get\w*\s*\(|\bConfigService\b",
        r"\bconfig\.get\s*\(\s*['\"`]",
        r"\benvalid\b|\bcleanEnv\s*\(",
    ),
    pooled=_rx(
        r"\bnew\s+(?:pg\.)?Pool\s*\(",
        r"\.createPool\s*\(|\bcreatePool\s*\(",
        r"\bnew\s+Sequelize\s*\(",
        r"\bnew\s+PrismaClient\s*\(",
        r"\bmongoose\.connect\s*\(|\bnew\s+MongoClient\s*\(",
        r"\bknex\s*\(\s*\{",
        r"\bnew\s+DataSource\s*\(",
        r"\bpool\s*:\s*\{",
    ),
    direct=_rx(
        r"\bmysql2?(?:/promise)?\.createConnection\s*\(",
        r"\bnew\s+(?:pg\.)?Client\s*\(\s*\{?[^)]*(?:connectionString|host|database)",
    ),
    lambdas=("arrow_function", "function_expression"),
    route_call=_rx(r"^(?:app|router|api|route|server|\w*[Rr]outer)\.get$"),
)
VOCABULARY: Mapping[str, Vocabulary] = {
    "java": Vocabulary(
        handler=_rx(r"@(?:GetMapping|RequestMapping)\b", r"@GET\b"),
        writes=_rx(r"@(?:Post|Put|Patch|Delete)Mapping\b|RequestMethod\.(?:POST|PUT|PATCH|DELETE)"),
        many=_rx(
            r"\.findAll\w*\s*\(",
            r"\.getResultList\s*\(\s*\)",
            r"\.(?:queryForList|selectList)\s*\(",
            r"\.list\s*\(\s*\)",
        ),
        env=_rx(
            r"\bSystem\.getenv\s*\(",
            r"@Value\s*\(\s*\"\$\{",
            r"\b(?:env|environment)\.(?:getProperty|getRequiredProperty)\s*\(",
            r"@ConfigurationProperties\b",
        ),
        pooled=_rx(
            r"\bHikari(?:Config|DataSource)\b",
            r"\b(?:BasicDataSource|ComboPooledDataSource|JedisPool|PoolingDataSource)\b",
            r"\binterface\s+\w+\s+extends\s+(?:Jpa|Crud|PagingAndSorting|ListCrud|Reactive\w*)Repository\b",
            r"\bnew\s+JdbcTemplate\s*\(|\bJdbcClient\b",
        ),
        direct=_rx(r"\bDriverManager\.getConnection\s*\("),
    ),
    "csharp": Vocabulary(
        handler=_rx(r"\[HttpGet\b", r"\bOnGet(?:Async)?\s*\("),
        writes=_rx(r"\[Http(?:Post|Put|Patch|Delete)\b|\bOnPost\w*\s*\("),
        many=_rx(
            r"\.(?:ToListAsync|ToArrayAsync|ListAsync|ListAllAsync|GetAllAsync)\s*\(",
            r"\b_?(?:db|context|dbContext|ctx)\w*\.\w+(?:\.\w+\([^;]*?\))*\.(?:ToList|ToArray)\s*\(\s*\)",
        ),
        env=_rx(
            r"\bEnvironment\.GetEnvironmentVariable\s*\(",
            r"\bIConfiguration\b",
            r"\bConfiguration\s*\[\s*\"",
            r"\.GetConnectionString\s*\(",
            r"\bIOptions(?:Snapshot|Monitor)?<",
            r"\.AddEnvironmentVariables\s*\(",
        ),
        pooled=_rx(
            r"\bAdd(?:DbContext|DbContextPool|PooledDbContextFactory|DbContextFactory)\s*<",
            r"\bNpgsqlDataSource(?:Builder)?\b",
            r"\bConnectionMultiplexer\.Connect\w*\s*\(",
        ),
        direct=_rx(r"\bPooling\s*=\s*false\b"),
        lambdas=("lambda_expression",),
        route_call=_rx(r"\.MapGet$"),
    ),
    "go": Vocabulary(
        handler=_rx(
            r"\*gin\.Context\b",
            r"\becho\.Context\b",
            r"\*fiber\.Ctx\b",
            r"\bhttp\.ResponseWriter\b",
        ),
        writes=_rx(r"(?!)"),
        many=_rx(
            r"\.Find\s*\(\s*&",
            r"\b(?:db|tx|conn|pool|sqlDB|\w*(?:DB|Db))\.(?:Select|Query|QueryContext|QueryxContext"
            r"|Queryx|SelectContext)\s*\(",
            r"\.Find\s*\(\s*ctx\s*,",
        ),
        env=_rx(
            r"\bos\.(?:Getenv|LookupEnv)\s*\(",
            r"\bviper\.(?:Get\w*|AutomaticEnv|BindEnv)\s*\(",
            r"\benvconfig\.(?:Process|MustProcess)\s*\(",
            r"\benv\.Parse\s*\(",
            r"\bconf\.Parse\s*\(",
            r"`[^`\n]*\b(?:env|envconfig|conf):\"",
        ),
        pooled=_rx(
            r"\bsql\.Open\s*\(",
            r"\bsqlx\.(?:Open|Connect)\s*\(",
            r"\bgorm\.Open\s*\(",
            r"\bpgxpool\.(?:New|Connect|NewWithConfig|ConnectConfig)\s*\(",
            r"\.SetMax(?:Open|Idle)Conns\s*\(",
            r"\bredis\.NewClient\s*\(",
        ),
        direct=_rx(r"\bpgx\.Connect(?:Config)?\s*\("),
        lambdas=("func_literal",),
        route_call=_rx(r"\.(?:GET|Get)$"),
    ),
    "javascript": _JS,
    "typescript": _JS,
}

#: The vocabulary fields whose words decide whether a file is scanned with them.
_GATES = ("handler", "route_call", "env", "pooled", "direct")


def _scanned_words(vocab: Vocabulary) -> set[str]:
    """The words of ``vocab`` a file's needle scan looks for (ASCII ones: a word is in the
    text exactly when its bytes are in the file's bytes)."""
    return {
        word for field in _GATES for word in getattr(vocab, field).words or () if word.isascii()
    }


for _language, _vocab in VOCABULARY.items():
    register_needles(_language, _scanned_words(_vocab))


def _may_match(regex: FastRegex, hits: Hits, text: str) -> bool:
    """:meth:`FastRegex.may_match`, answered from the file's needle scan when it looked
    for the regex's words (one scan of the file for every analysis)."""
    words = regex.words
    if words is None:
        return True
    if hits.scanner.covers(words):
        return hits.holds_any(words)
    return regex.may_match(text)


#: A JDBC URL or an ADO.NET connection string naming a server.
_JDBC = re.compile(r"^jdbc:(\w+):", re.IGNORECASE)
_SETTING = re.compile(r"^\s*([A-Za-z][\w ]*?)\s*=")
_SERVER_KEYS = frozenset({"server", "data source", "host", "address", "addr"})
#: Spring placeholders of environment variables: ``${DATABASE_URL}``, ``${DB_HOST:localhost}``.
_SPRING_ENV = re.compile(r"\$\{[A-Z][A-Z0-9_]*[:}]")
_SPRING_CONFIG = re.compile(r"(?:^|/)(?:application|bootstrap)(?:-[\w.-]+)?\.(?:properties|ya?ml)$")
_HIKARI = re.compile(r"\bhikari\b", re.IGNORECASE)


def _connection_string(content: str) -> bool:
    """An ADO.NET-style connection string naming a server: ``key=value`` pairs only,
    separated by ``;``, one of them ``Server``, ``Data Source``, ``Host`` or ``Address``."""
    parts = [p for p in content.split(";") if p.strip()]
    if len(parts) < 2 or len(content) > 2048:
        return False
    keys = [_SETTING.match(p) for p in parts]
    if not all(keys):
        return False
    return any(k.group(1).lower() in _SERVER_KEYS for k in keys if k)


def literal_kind(content: str) -> str | None:
    """What a string literal's content is when it is a hard-coded endpoint, or None."""
    jdbc = _JDBC.match(content)
    if jdbc:
        return f"{jdbc.group(1).lower()} JDBC URL"
    if _connection_string(content):
        return "connection string"
    return endpoint_kind(content)


def _text(node: tree_sitter.Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", "replace")


def _literal(node: tree_sitter.Node) -> str | None:
    """A string literal's content, or None when it interpolates."""
    if any(c.type in ("interpolation", "template_substitution") for c in node.named_children):
        return None
    raw = _text(node).lstrip("@$")
    for quote in ('"""', '"', "'", "`"):
        if raw.startswith(quote) and raw.endswith(quote) and len(raw) >= 2 * len(quote):
            return raw[len(quote) : -len(quote)]
    return None


def _header(function: tree_sitter.Node, source: bytes) -> str:
    """A function's text up to its body, with the annotations or attributes before it
    (``source``: the file's bytes; a function's own text would copy all of it)."""
    body = function.child_by_field_name("body")
    end = function.end_byte if body is None else body.start_byte
    raw = source[function.start_byte : end]
    decorators = []  # TypeScript puts a method's decorators before it in the class body
    sibling = function.prev_named_sibling
    while sibling is not None and sibling.type == "decorator":
        decorators.append(_text(sibling))
        sibling = sibling.prev_named_sibling
    return " ".join([*reversed(decorators), raw.decode("utf-8", "replace")])


def _route_call(function: tree_sitter.Node, vocab: Vocabulary) -> tree_sitter.Node | None:
    """The GET route call an anonymous function is given to, or None."""
    if function.type not in vocab.lambdas:
        return None
    parent = function.parent
    while parent is not None and parent.type in ("arguments", "argument_list", "argument"):
        parent = parent.parent
    if parent is None or parent.type not in ("call_expression", "invocation_expression"):
        return None
    callee = _text(parent.child_by_field_name("function"))
    return parent if vocab.route_call.search(callee) else None


def _name(function: tree_sitter.Node, route: tree_sitter.Node | None) -> str:
    """The handler's name (the route's first line for an inline handler)."""
    if route is not None:
        return _text(route).split("\n", 1)[0].split(",", 1)[0].strip()[:60] + ")"
    name = function.child_by_field_name("name")
    parent, depth = function.parent, 0
    # const list = wrap(async (req, res) => ...); function list () { return (req, res) => ... }
    while name is None and parent is not None and depth < 6:
        if parent.type == "variable_declarator" or parent.child_by_field_name("body") is not None:
            name = parent.child_by_field_name("name")
        parent, depth = parent.parent, depth + 1
    return _text(name) or f"handler at line {function.start_point[0] + 1}"


@dataclass
class ListEndpoint:
    """A request handler that fetches many rows."""

    name: str
    line: int
    """Line of the first call that fetches many rows."""
    column: int
    bounded: bool


_CALLED = re.compile(r"\b(\w+)\s*\(")


def _helpers(
    function: tree_sitter.Node, named: Mapping[str, tree_sitter.Node]
) -> list[tree_sitter.Node]:
    """Functions of the same file the handler calls (one level: a handler that delegates
    to ``HandleAsync`` or ``findPaginated`` is judged with them)."""
    called = dict.fromkeys(_CALLED.findall(_text(function)))
    return [named[n] for n in called if n in named and named[n] is not function]


def _first_many(nodes: Sequence[tree_sitter.Node], vocab: Vocabulary) -> tuple[int, int] | None:
    """(line, column) of the first call that fetches many rows in ``nodes``' text."""
    for node in nodes:
        body = _text(node)
        many = vocab.many.search(body)
        if many is None:
            continue
        before = body[: many.start()]
        rows = before.count("\n")
        column = (
            many.start() - before.rfind("\n") if rows else node.start_point[1] + many.start() + 1
        )
        return node.start_point[0] + rows + 1, column
    return None


def _named(functions: Sequence[tree_sitter.Node]) -> dict[str, tree_sitter.Node]:
    """The file's functions by name (the last of a name wins)."""
    named = {_text(f.child_by_field_name("name")): f for f in functions}
    named.pop("", None)
    return named


def _list_endpoint(
    function: tree_sitter.Node,
    vocab: Vocabulary,
    named: Callable[[], Mapping[str, tree_sitter.Node]],
    source: bytes,
) -> ListEndpoint | None:
    route = _route_call(function, vocab)
    header = _header(function, source)
    if route is None and not vocab.handler.search(header):
        return None
    name = _name(function, route)
    if vocab.writes.search(header) or (route is None and _NON_GET_NAME.match(name)):
        return None
    nodes = [function, *_helpers(function, named())]
    at = _first_many(nodes, vocab)
    if at is None:
        return None
    bounded = any(BOUNDED.search(_text(n)) for n in nodes)
    return ListEndpoint(name=name, line=at[0], column=at[1], bounded=bounded)


@dataclass
class FileFacts:
    """Scalability facts of one source file, and the findings they make."""

    lists: list[ListEndpoint]
    env: int
    hardcoded: list[tuple[int, int, str, str]]
    """``(line, column, what, literal)`` of the hard-coded endpoints."""
    pooled: int
    direct: list[tuple[int, int, str]]
    """``(line, column, call)`` of the direct connections."""

    def data(self) -> dict[str, int]:
        """The counts the checker's reduce adds up (JSON-serialisable)."""
        return {
            "scl_lists": len(self.lists),
            "scl_bounded": sum(e.bounded for e in self.lists),
            "scl_env": self.env,
            "scl_hardcoded": len(self.hardcoded),
            "scl_pooled": self.pooled,
            "scl_direct": len(self.direct),
        }


def _hardcoded(
    strings: Iterable[tree_sitter.Node], vocab: Vocabulary, text: str
) -> Iterator[tuple[int, int, str, str]]:
    lines: list[str] | None = None
    for node in strings:
        raw = node.text or b""
        if not _maybe_endpoint(raw):
            continue  # no URL, no connection string, no JDBC URL: most literals
        content = _literal(node)
        kind = literal_kind(content) if content else None
        if kind is None or content is None:
            continue
        row = node.start_point[0]
        lines = text.split("\n") if lines is None else lines
        if row < len(lines) and vocab.env.search(lines[row]):
            continue
        yield row + 1, node.start_point[1] + 1, kind, content


def _matches_by_line(pattern: FastRegex, text: str) -> Iterator[tuple[int, int, str]]:
    for match in pattern.scan_all(text):
        start = text.rfind("\n", 0, match.start()) + 1
        line = text.count("\n", 0, match.start()) + 1
        yield line, match.start() - start + 1, match.group(0).rstrip("( ")


def file_facts(
    language: str,
    root: tree_sitter.Node,
    text: str,
    path: str = "",
    index: FileIndex | None = None,
) -> FileFacts | None:
    """The facts of one parsed source file of ``language`` (None for another language);
    ``path`` picks the grammar the tree was parsed with (TypeScript's ``.tsx``);
    ``index``: the file's :class:`FileIndex` when the caller has one already."""
    from backend_skills.languages import LANGUAGES

    vocab = VOCABULARY.get(language)
    spec = LANGUAGES.get(language)
    if vocab is None or spec is None:
        return None
    if index is None:
        index = FileIndex(spec, spec.grammar_for(path), root, text.encode("utf-8", "surrogatepass"))
    lists: list[ListEndpoint] = []
    hits = scan(language, index.source)
    # a handler's header, or the callee of a route given an inline handler, is a part of
    # the file's text: a file without the words they need has no list endpoint
    if _may_match(vocab.handler, hits, text) or _may_match(vocab.route_call, hits, text):
        functions = index.functions_and_lambdas(vocab.lambdas)
        named = functools.cache(lambda: _named(functions))
        source = index.source
        found = (_list_endpoint(f, vocab, named, source) for f in functions)
        lists = [e for e in found if e is not None]
    env = vocab.env
    pooled = vocab.pooled
    direct = vocab.direct
    return FileFacts(
        lists=lists,
        env=sum(1 for _ in env.scan_all(text)) if _may_match(env, hits, text) else 0,
        hardcoded=list(_hardcoded(_endpoint_candidates(index), vocab, text)),
        pooled=sum(1 for _ in pooled.scan_all(text)) if _may_match(pooled, hits, text) else 0,
        direct=list(_matches_by_line(direct, text)) if _may_match(direct, hits, text) else [],
    )


def _endpoint_candidates(index: FileIndex) -> list[tree_sitter.Node]:
    """The file's string literals holding ``:`` or ``=`` (a URL, a connection string, a
    JDBC URL: few of them), in order (put in order after the others are left out)."""
    kept = [n for n in index.found.get("string", ()) if _maybe_endpoint(n.text or b"")]
    return ordered(kept)


def _maybe_endpoint(raw: bytes) -> bool:
    return b":" in raw or b"=" in raw


def matches(facts: FileFacts) -> list[Match]:
    """The findings of one file's facts, as rule matches of the registry's rules."""
    if not (facts.lists or facts.hardcoded or facts.direct):
        return []  # most files
    from backend_skills.rules import get
    from backend_skills.rules._engine import Match

    found = [
        Match(get(UNBOUNDED), e.line, e.line, e.column, name=e.name)
        for e in facts.lists
        if not e.bounded
    ]
    found += [
        Match(get(HARDCODED), line, line, column, name=what, secret=literal)
        for line, column, what, literal in facts.hardcoded
    ]
    found += [
        Match(get(DIRECT), line, line, column, name=call) for line, column, call in facts.direct
    ]
    return found


def analyse(
    language: str,
    root: tree_sitter.Node,
    text: str,
    path: str = "",
    index: FileIndex | None = None,
) -> tuple[dict[str, int], list[Match]]:
    """(counts for the checker's data, rule matches) of one parsed source file; nothing
    for JavaScript and TypeScript browser code (:func:`front_end`: a service's settings
    and queries are not there)."""
    if language in ("javascript", "typescript") and front_end(path):
        return {}, []
    facts = file_facts(language, root, text, path, index)
    if facts is None:
        return {}, []
    return facts.data(), matches(facts)


def config_file_facts(files: Iterable[SourceFile]) -> dict[str, int]:
    """Spring Boot settings: ``${ENV_VAR}`` placeholders (environment reads) and HikariCP
    settings (a configured pool) in ``application*.properties``/``.yml``."""
    env = pooled = 0
    for file in files:
        if file.role in (Role.VENDORED, Role.GENERATED, Role.DOCS, Role.TEST):
            continue
        if not _SPRING_CONFIG.search(file.path):
            continue
        try:
            text = file.text
        except Exception:  # unreadable: no evidence either way
            continue
        env += len(_SPRING_ENV.findall(text))
        pooled += bool(_HIKARI.search(text))
    return {"scl_env": env, "scl_pooled": pooled}


def _share(name: str, part: int, whole: int, unit: str, files: int) -> Metric:
    return Metric(
        name=name,
        value=round(part / whole, 4),
        unit=unit,
        files=files,
        combine="mean",
        weight=whole,
    )


COUNTS = ("scl_lists", "scl_bounded", "scl_env", "scl_hardcoded", "scl_pooled", "scl_direct")


def totals(data: Sequence[Mapping[str, Any]], files: Iterable[SourceFile]) -> dict[str, int]:
    """The files' counts added up, with the Spring settings files'."""
    summed = {key: sum(int(d.get(key, 0)) for d in data) for key in COUNTS}
    for key, value in config_file_facts(files).items():
        summed[key] += value
    return summed


def _list_metrics(lists: int, bounded: int, files: int) -> list[Metric]:
    if not lists:
        return []
    return [
        _share("scalability.bounded_list_share", bounded, lists, "share of list endpoints", files),
        Metric(
            name="scalability.list_endpoints",
            value=lists,
            unit="endpoints",
            files=files,
            combine="sum",
        ),
    ]


def metrics(
    data: Sequence[Mapping[str, Any]], files: Iterable[SourceFile], notes: list[str]
) -> list[Metric]:
    """The scalability metrics of the tree-sitter languages (combined with Python's by
    weight), only those with something measured."""
    t = totals(data, files)
    sources = sum(1 for d in data if d.get("role") == Role.SOURCE.value)
    lists, bounded = t["scl_lists"], t["scl_bounded"]
    settings, connections = t["scl_env"] + t["scl_hardcoded"], t["scl_pooled"] + t["scl_direct"]
    out = _list_metrics(lists, bounded, sources)
    if settings:
        out.append(
            _share(
                "scalability.env_config_share", t["scl_env"], settings, "share of settings", sources
            )
        )
    if connections:
        out.append(
            _share(
                "scalability.pooled_share",
                t["scl_pooled"],
                connections,
                "share of connection sites",
                sources,
            )
        )
    if out:
        notes.append("polyglot: " + "; ".join(_summary(t)))
    return out


def _summary(t: Mapping[str, int]) -> list[str]:
    """What was measured, for the notes (only the parts with something measured)."""
    parts = []
    if t["scl_lists"]:
        parts.append(f"{t['scl_bounded']} of {t['scl_lists']} list endpoints bounded")
    if t["scl_env"] + t["scl_hardcoded"]:
        parts.append(
            f"{t['scl_env']} settings read from the environment,"
            f" {t['scl_hardcoded']} hard-coded hosts, ports or URLs"
        )
    if t["scl_pooled"] + t["scl_direct"]:
        parts.append(f"{t['scl_pooled']} pooled and {t['scl_direct']} direct connection sites")
    return parts
