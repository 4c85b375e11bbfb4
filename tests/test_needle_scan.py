"""One needle scan per file, and scans of alternations alternative by alternative.

The pattern rules, the line rules and the scalability facts of a file look for their
needles and words in one scan of the file's bytes (a language's scanner of every needle
registered for it). The scan must find exactly what a substring search of each needle
finds, every place of it (the query ranges are made of them), and the analyses must
give the same answers with it as without it.
"""

from __future__ import annotations

import random
import re

import pytest

from backend_skills.checkers import _polyglot_scalability as scalability
from backend_skills.checkers.polyglot import analyse_source
from backend_skills.core.models import Role
from backend_skills.languages import LANGUAGES, _fastre, parse
from backend_skills.languages._fastre import FastRegex, Scanner, register_needles, scan
from backend_skills.rules import PATTERN_RULES
from backend_skills.rules._engine import _hit_ranges, _needle_ranges, _registered

RULES = tuple(PATTERN_RULES)
CODE = ("java", "csharp", "go", "javascript", "typescript")


def _places(haystack: bytes, needle: bytes) -> list[int]:
    return [i for i in range(len(haystack)) if haystack.startswith(needle, i)]


def _texts(needles: tuple[str, ...], seed: int) -> list[bytes]:
    """Texts made of needles, halves and tails of needles and noise: needles inside and
    across others, repeated, at the start and at the end."""
    rng = random.Random(seed)
    pieces = [*needles, *(n[: len(n) // 2] for n in needles), *(n[1:] for n in needles)]
    pieces += [" ", "\n", "x", "(", ".", "é", "ASIA", "Pass"]
    return [
        "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14))).encode() for _ in range(150)
    ]


@pytest.mark.parametrize("language", CODE)
def test_the_scan_finds_every_place_of_every_needle(language: str) -> None:
    _registered(RULES, language)
    scanner = _fastre._SCANNERS[language]
    exact, folded = scanner.exact.needles, scanner.folded.needles
    assert exact
    assert folded
    for text in _texts(exact + folded, 8):
        hits = scanner.scan(text)
        for needle in exact:
            raw = needle.encode()
            assert hits.holds(needle) == (raw in text), (needle, text)
            assert hits.places(needle) == _places(text, raw), (needle, text)
        for needle in folded:
            raw = needle.encode()
            assert hits.holds(needle, folded=True) == (raw in text.lower()), (needle, text)
            assert hits.places(needle, folded=True) == _places(text.lower(), raw)


@pytest.mark.parametrize("language", CODE)
def test_query_ranges_from_the_scan_are_those_of_substring_searches(language: str) -> None:
    tree, _ = _registered(RULES, language)
    rng = random.Random(3)
    needles = tuple(sorted({n for _, p in tree for n in p.needles}))
    for text in _texts(needles, 4):
        text = text * rng.randint(1, 40)  # occurrences near and far apart
        hits = scan(language, text)
        for _, pattern in tree:
            haystack = text.lower() if pattern.ignore_case else text
            assert _hit_ranges(hits, pattern.needles, pattern.ignore_case) == _needle_ranges(
                haystack, pattern.needles
            )


def test_one_scan_serves_the_rules_the_line_rules_and_the_scalability_facts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code = (
        "public class ItemsController : ControllerBase {\n"
        "  [HttpGet] public List<Item> All() { return _db.Items.ToList(); }\n"
        '  void Run(string q) { var c = new SqlCommand("SELECT * FROM t WHERE a=" + q); }\n'
        '  string Password = "hunter22";\n'
        "}\n"
    )
    scans: list[bytes] = []
    real = Scanner.scan

    def counted(self: Scanner, source: bytes) -> _fastre.Hits:
        scans.append(source)
        return real(self, source)

    monkeypatch.setattr(Scanner, "scan", counted)
    _fastre._LAST.clear()
    result = analyse_source("src/Items.cs", "csharp", code, Role.SOURCE)
    assert len(scans) == 1
    assert "scl_lists" in result.data  # the scalability facts ran too
    assert {f.rule for f in result.findings} >= {"BSSEC101", "BSSCL103"}


def test_needles_registered_later_widen_the_scanner() -> None:
    language = "needle-scan-test"
    register_needles(language, ["alpha"])
    first = scan(language, b"alpha beta")
    assert first.holds("alpha")
    assert not first.holds("beta")
    register_needles(language, ["beta"], ["gamma"])
    second = scan(language, b"alpha beta GAMMA")
    assert second.holds("alpha")
    assert second.holds("beta")
    assert second.holds("gamma", folded=True)
    assert second.places("gamma", folded=True) == [11]
    assert scan(language, b"alpha beta GAMMA") is second  # the same bytes: the same answer


SAMPLES = {
    "java": '@GetMapping("/a") List<A> all() { return repo.findAll(); }\n'
    'String u = System.getenv("DB"); String j = "jdbc:mysql://db:3306/x";\n'
    'Connection c = DriverManager.getConnection("jdbc:h2:mem");\n',
    "csharp": "[HttpGet] public List<A> Get() { return _context.Items.ToList(); }\n"
    'var c = configuration.GetConnectionString("db"); s.AddDbContext<Db>(o => o);\n'
    'var x = "Server=db;Database=a;Pooling=false";\n',
    "go": "func List(c *gin.Context) { db.Find(&items) }\n"
    'u := os.Getenv("URL"); db, _ := sql.Open("pg", "postgres://localhost:5432/x")\n',
    "javascript": "router.get('/u', async (req, res) => res.json(await User.find({})));\n"
    "const pool = new Pool({ connectionString: process.env.DB });\n"
    "const c = mysql.createConnection({ host: 'localhost' });\n",
    "typescript": "@Get() findAll() { return this.prisma.cat.findMany(); }\n"
    "const db = new DataSource({ url: 'postgres://localhost:5432/cats' });\n"
    "const k = process.env.KEY;\n",
}


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_scalability_facts_are_the_same_without_the_scan(
    language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = SAMPLES[language]
    suffix = {"java": ".java", "csharp": ".cs", "go": ".go", "javascript": ".js"}
    path = "src/app" + suffix.get(language, ".ts")
    root = parse(LANGUAGES[language], text.encode(), path).root_node
    fast = scalability.file_facts(language, root, text, path)
    monkeypatch.setattr(scalability, "_may_match", lambda regex, hits, text: True)
    monkeypatch.setattr(FastRegex, "may_match", lambda self, text: True)
    slow = scalability.file_facts(language, root, text, path)
    assert fast == slow
    assert fast is not None
    assert fast.env or fast.pooled or fast.lists


ALTERNATIONS = [
    r"\bab|abc|\bb\w*c|xy(?:z|w)",
    r"(?:\bGet\b)|(?:\bGetAll\w*\s*\()|(?:Set\s*=)",
    r"\bnew\s+(?:pg\.)?Pool\s*\(|\.createPool\s*\(|\bpool\s*:\s*\{",
    r"a\)|\(b|c\|d|e[|)]f",
    *(
        getattr(vocabulary, field).pattern
        for vocabulary in scalability.VOCABULARY.values()
        for field in ("handler", "writes", "many", "env", "pooled", "direct")
    ),
]


@pytest.mark.parametrize("pattern", sorted(set(ALTERNATIONS)))
def test_an_alternation_scanned_alternative_by_alternative_finds_what_re_finds(
    pattern: str,
) -> None:
    fast = FastRegex(pattern)
    words = re.findall(r"[A-Za-z_.]{2,}", pattern.replace("\\", ""))
    rng = random.Random(len(pattern))
    pieces = [*words, " ", "(", ")", "{", ":", "=", "|", "&", "\n", "x", "ab", "bc", "yz"]
    for _ in range(200):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 16)))
        text *= rng.choice((1, 1, 40))  # long texts are scanned alternative by alternative
        expected = [m.span() for m in re.finditer(pattern, text)]
        assert [m.span() for m in fast.scan_all(text)] == expected, text
        first = fast.search(text, 3)
        again = re.compile(pattern).search(text, 3)
        assert (first.span() if first else None) == (again.span() if again else None)


def test_alternatives_are_split_at_the_top_level_only() -> None:
    split = _fastre._alternatives
    assert split(r"(?:a|b)|(?:c)") == ["a", "b", "c"]
    assert split(r"a(?:b|c)|d") == ["a(?:b|c)", "d"]
    assert split(r"[|(]x|\|y") == ["[|(]x", r"\|y"]
    assert split(r"(?:a)(?:b)|c") == ["(?:a)(?:b)", "c"]
    assert FastRegex(r"(a)x|y\1")._parts is None  # a back-reference needs its group
    assert FastRegex(r"\.a\w*|\.b")._parts is None  # one first literal: found fast already
    assert FastRegex(r"\ba\w*|b?c")._parts is None  # ``b?``: no literal every match starts with
    assert FastRegex(r"\bPool\b|\bknex\(")._parts is not None
