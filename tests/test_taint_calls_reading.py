"""How :func:`call_facts` reads a file cheaply without changing what it finds: names
looked for by substring search and word bounds (exactly the words a scan of the text
finds), the callee read only once an argument has an origin, request input searched in
the whole file only once a part of it holds some, a function's parameters and its class
read by kind and field ids."""

from __future__ import annotations

import random

import pytest

from backend_skills.languages import LANGUAGES, parse
from backend_skills.languages._index import FileIndex
from backend_skills.rules._taint_calls import _WORD_BYTES, _has_word, _Names
from backend_skills.rules._taint_facts import function_info, signature_parameters

from .test_taint_calls import _facts


@pytest.mark.parametrize(
    ("text", "word", "found"),
    [
        (b"(name)", b"name", True),
        (b"(rename)", b"name", False),
        (b"(name2)", b"name", False),
        (b"(9name)", b"name", True),  # no word starts with a digit: the word is "name"
        (b"(a9name)", b"name", False),
        (b"x.name + name_", b"name", True),
        (b"(\xc3\xa9name)", b"name", True),  # a non-ASCII letter is no word character
        (b"namename", b"name", False),
        (b"", b"name", False),
    ],
)
def test_a_word_is_found_where_a_scan_into_words_finds_it(
    text: bytes, word: bytes, found: bool
) -> None:
    assert _has_word(text, word) is found
    assert (word in _WORD_BYTES.findall(text)) is found


def test_names_looked_for_one_by_one_are_those_the_words_of_the_text_hold() -> None:
    """Random texts and names: the substring search with word bounds answers as the set
    lookups over the text's words do, for a few names and for many."""
    rng = random.Random(7)
    alphabet = b"ab_19 .(\xc3$@"
    for _ in range(3000):
        text = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        count = rng.choice((1, 2, 9))
        names = {
            rng.choice(("a", "b", "_", "ab", "a1", "b_9", "$a", "@b", "é")) for _ in range(count)
        }
        looked = _Names(names)
        words = _WORD_BYTES.findall(text)
        assert looked.mentioned_in(text) == looked.mentioned(text, words), (text, names)
        assert sorted(looked.found(text)) == sorted(looked.found_in(text, words)), (text, names)


CS_SERVICE = """
public class OrderService : IOrderService
{
    private readonly IOrderRepository _repo;
    public OrderService(IOrderRepository repo) { _repo = repo; }
    public Order Find(string name, int count)
    {
        Log("static text", 42);
        var filter = "name = '" + name + "'";
        return _repo.Query(filter, count);
    }
    public void Rename(string name) { _repo.Save("fixed", name); }
}
"""


def test_calls_pass_parameters_on_with_their_class_and_declared_receiver() -> None:
    """Only the calls whose arguments carry a parameter are facts (not the log call with
    constants, not the numeric parameter); both methods name their class, and the
    receiver's declared type is the field's."""
    through = _facts("csharp", "OrderService.cs", CS_SERVICE)["through"]
    seen = [(f["call"], f["receiver"], f["position"], f["param"], f["method"]) for f in through]
    assert seen == [
        ("Query", "IOrderRepository", 0, 0, "Find"),
        ("Save", "IOrderRepository", 1, 0, "Rename"),
    ]
    assert {f["class"] for f in through} == {"OrderService"}
    assert all(f["bases"] == ["IOrderService"] for f in through)


CS_CONTROLLER = """
public class OrdersController : Controller
{
    public IActionResult Search(string term)
    {
        var found = _service.Find(term, 10);
        return View(found);
    }
}
public class Helper
{
    public void Run(string sql) { _db.Execute(sql); }
}
"""


def test_request_input_is_found_per_function_in_a_file_that_holds_some() -> None:
    """A controller action's parameter is request input (a request call); in the same
    file, a plain class's method passes its parameter on (a through call), not request
    input: the file holding request markers does not make every part of it hold some."""
    facts = _facts("csharp", "Orders.cs", CS_CONTROLLER)
    assert [(f["call"], f["position"], f["from"]) for f in facts["requests"]] == [
        ("Find", 0, "Search"),
        ("View", 0, "Search"),
    ]
    assert [(f["call"], f["method"]) for f in facts["through"]] == [("Execute", "Run")]


def test_words_of_request_markers_without_a_marker_give_no_request_call() -> None:
    """A file naming ``HttpClient`` and ``CreateOrderRequest`` holds the words the C#
    markers need but no marker: its calls pass parameters on, none is a request call."""
    code = """
public class Client
{
    public void Send(string body) { var http = new HttpClient(); http.Post(new CreateOrderRequest(body)); }
}
"""
    facts = _facts("csharp", "Client.cs", code)
    assert facts["requests"] == []
    assert [(f["call"], f["param"]) for f in facts["through"]] == [
        ("Post", 0),
        ("CreateOrderRequest", 0),
    ]


@pytest.mark.parametrize(
    ("language", "path", "code"),
    [
        ("javascript", "a.js", "function f(a, {b, c}, d = 1, ...rest) { g(a, b, d, rest); }"),
        ("typescript", "a.ts", "function f(a: string, b?: number, c = 'x') { g(a, b, c); }"),
        ("go", "a.go", "package a\nfunc f(ctx context.Context, a, b string, n int) { g(a, b, n) }"),
        (
            "java",
            "A.java",
            "class A { void f(String a, int n, final List<String> xs) { g(a, n, xs); } }",
        ),
        (
            "csharp",
            "A.cs",
            "class A { void F(string a, int n = 2, params string[] xs) { G(a, n, xs); } }",
        ),
    ],
)
def test_parameters_read_by_field_ids_are_those_of_the_signature(
    language: str, path: str, code: str
) -> None:
    """The parameters the call facts see (names, types, optionality, through the facts'
    arity and required count) are :func:`signature_parameters`'s."""
    spec = LANGUAGES[language]
    source = code.encode()
    tree = parse(spec, source, path)
    index = FileIndex(spec, spec.grammar_for(path), tree.root_node, source)
    function = index.functions[0]
    info = function_info(spec, function, None)
    expected = [p for _, p in signature_parameters(function)]
    through = _facts(language, path, code)["through"]
    assert through, "the call passes a parameter on"
    assert through[0]["arity"] == len(expected) == len(info.parameters)
    assert through[0]["required"] == sum(1 for p in expected if not p.optional)
    assert {f["param"] for f in through} == {
        i for i, p in enumerate(expected) if p.name and p.type not in {"int", "number"}
    } - {i for i, p in enumerate(expected) if p.type == "context.Context"}
