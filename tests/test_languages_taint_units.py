"""Units of cross-file taint: the join of per-file facts, reading calls and signatures,
and the required-word prefilter of marker searches."""

from __future__ import annotations

import re
from typing import Any

import pytest

from backend_skills.languages import LANGUAGES, parse
from backend_skills.languages._common import Markers, required_words
from backend_skills.rules._taint_calls import read_call
from backend_skills.rules._taint_facts import function_info
from backend_skills.rules._taint_join import Feed, join


def _sink(method: str = "Find", cls: str = "Repo", **extra: Any) -> dict[str, Any]:
    return {
        "method": method,
        "class": cls,
        "bases": ["IRepo"],
        "handles": [],
        "arity": 2,
        "required": 1,
        "params": [0],
        "rule": "BSSEC101",
        "line": 7,
        "column": 5,
        **extra,
    }


def _call(**fields: Any) -> dict[str, Any]:
    return {
        "call": "Find",
        "receiver": "",
        "args": 1,
        "new": False,
        "line": 12,
        "position": 0,
        "from": "Get",
        **fields,
    }


KEY = ("Data/Repo.cs", "BSSEC101", 7, 5)


@pytest.mark.parametrize(
    ("call", "fed"),
    [
        (_call(), True),  # name, arity within the optional range, position
        (_call(args=2), True),
        (_call(args=3), False),  # more arguments than parameters
        (_call(position=1), False),  # another parameter
        (_call(call="Delete"), False),
        (_call(receiver="Repo"), True),  # the class itself
        (_call(receiver="IRepo"), True),  # an interface it implements
        (_call(receiver="AuditLog"), False),  # a known receiver of another type
    ],
)
def test_a_request_call_matches_a_sink_by_name_arity_position_and_type(
    call: dict[str, Any], fed: bool
) -> None:
    facts = {"Data/Repo.cs": {"sinks": [_sink()]}, "Api/C.cs": {"requests": [call]}}
    assert (KEY in join(facts)) is fed


def test_the_feed_names_the_caller() -> None:
    facts = {"Data/Repo.cs": {"sinks": [_sink()]}, "Api/C.cs": {"requests": [_call()]}}
    assert join(facts)[KEY] == Feed("Api/C.cs", 12)
    assert join(facts)[KEY].describe() == "Api/C.cs:12"


def _through(**fields: Any) -> dict[str, Any]:
    return {
        **_call(),
        "param": 0,
        "method": "Lookup",
        "class": "Service",
        "bases": [],
        "handles": [],
        "arity": 1,
        "required": 1,
        **fields,
    }


def test_one_wrapper_level_is_followed() -> None:
    facts = {
        "Data/Repo.cs": {"sinks": [_sink()]},
        "App/Service.cs": {"through": [_through()]},
        "Api/C.cs": {"requests": [_call(call="Lookup")]},
    }
    assert join(facts)[KEY] == Feed("Api/C.cs", 12, "Lookup")
    assert join(facts)[KEY].describe() == "Api/C.cs:12 through `Lookup`"


def test_two_wrapper_levels_are_not_followed() -> None:
    outer = _through(call="Lookup", method="Outer", line=30)
    facts = {
        "Data/Repo.cs": {"sinks": [_sink()]},
        "App/Service.cs": {"through": [_through(), outer]},
        "Api/C.cs": {"requests": [_call(call="Outer")]},
    }
    assert join(facts) == {}


def test_a_message_reaches_the_handle_method_of_its_handler() -> None:
    handler = _through(method="Handle", cls="GetCityHandler", handles=["GetCity"], arity=2)
    message = _call(call="GetCity", new=True, args=1)
    facts = {
        "Data/Repo.cs": {"sinks": [_sink()]},
        "App/GetCityHandler.cs": {"through": [handler]},
        "Api/C.cs": {"requests": [message]},
    }
    assert join(facts)[KEY].through == "Handle"
    other = _call(call="GetCountry", new=True, args=1)
    assert join({**facts, "Api/C.cs": {"requests": [other]}}) == {}


def test_no_sinks_no_feeds() -> None:
    assert join({"Api/C.cs": {"requests": [_call()]}}) == {}


@pytest.mark.parametrize(
    ("language", "code", "name", "arity", "new"),
    [
        ("csharp", "class A { void M() { repo.Find(a, b); } }", "Find", 2, False),
        ("csharp", "class A { void M() { var q = new Ns.GetCity(name); } }", "GetCity", 1, True),
        ("java", "class A { void m() { dao.findByName(name); } }", "findByName", 1, False),
        ("javascript", "function m() { db.findUser(req.query.name); }", "findUser", 1, False),
        ("go", "package a\nfunc m() { store.FindUser(db, name) }\n", "FindUser", 2, False),
    ],
)
def test_read_call(language: str, code: str, name: str, arity: int, new: bool) -> None:
    spec = LANGUAGES[language]
    tree = parse(spec, code.encode(), "x")
    import tree_sitter as ts

    from backend_skills.languages._spec import kinds_query, query_for

    query = query_for(spec.grammar, kinds_query(spec.calls, "c"))
    nodes = ts.QueryCursor(query).captures(tree.root_node)["c"]
    call = read_call(max(nodes, key=lambda n: n.start_byte))
    assert call is not None
    assert (call.name, len(call.arguments), call.new) == (name, arity, new)


def test_a_named_argument_loses_positions() -> None:
    spec = LANGUAGES["csharp"]
    tree = parse(spec, b"class A { void M() { repo.Find(name: a); } }", "x.cs")
    call = _first(tree.root_node, "invocation_expression")
    assert read_call(call) is None


def _first(node: Any, kind: str) -> Any:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == kind:
            return current
        stack.extend(current.named_children)
    raise AssertionError(kind)


CONTROLLER = b"""
[ApiController]
public class UsersController : ControllerBase {
    [HttpGet]
    public IActionResult Find(string name, int page = 1, CancellationToken ct = default) => Ok();
    private void Helper(string value) { }
}
"""


def test_function_info_of_a_controller_action() -> None:
    spec = LANGUAGES["csharp"]
    tree = parse(spec, CONTROLLER, "UsersController.cs")
    methods = [
        n
        for n in _all(tree.root_node)
        if n.type == "method_declaration" and n.child_by_field_name("name") is not None
    ]
    by_name = {function_info(spec, m, None).name: function_info(spec, m, None) for m in methods}
    find = by_name["Find"]
    assert find.cls == "UsersController"
    assert "ControllerBase" in find.bases
    assert [(p.name, p.type, p.optional, p.request) for p in find.parameters] == [
        ("name", "string", False, True),
        ("page", "int", True, True),
        ("ct", "CancellationToken", True, False),  # not bound from the request
    ]
    assert find.signature()["required"] == 1
    assert not any(p.request for p in by_name["Helper"].parameters)  # private


def _all(node: Any) -> list[Any]:
    out, stack = [], [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(current.named_children)
    return out


def test_a_handler_class_names_the_messages_it_handles() -> None:
    spec = LANGUAGES["csharp"]
    code = b"public sealed class H : IRequestHandler<GetCity, City> { public Task<City> Handle(GetCity request, CancellationToken ct) => null; }"
    tree = parse(spec, code, "H.cs")
    info = function_info(spec, _first(tree.root_node, "method_declaration"), None)
    assert info.handles == ["GetCity"]


SAMPLES = {
    "csharp": ["[FromQuery] string q", 'Request.QueryString["a"]', 'context.Request["q"]'],
    "java": ["@RequestParam String name", 'request.getParameter("a")', "@PathVariable long id"],
    "go": ["r *http.Request", 'r.URL.Query().Get("a")', 'c.Param("id")'],
    "javascript": ["req.query.name", "req.body", "ctx.params.id", "@Body() dto"],
    "typescript": ["req.params.id", "request.body", "@Query() q"],
}


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_the_prefilter_never_hides_a_marker(language: str) -> None:
    regex = LANGUAGES[language].request_markers
    markers = Markers(regex)
    for sample in SAMPLES[language]:
        assert re.search(regex, sample), sample
        assert markers.search(sample), sample
    assert not markers.search("int total = a + b;")


@pytest.mark.parametrize(
    ("regex", "words"),
    [
        (r"\bfoo\.bar\(", ("foo",)),
        (r"@(?:GetMapping|PostMapping)\b", ("GetMapping", "PostMapping")),
        (r"\breq\.(?:query|get\()|\bctx\.x", ("req", "ctx")),
        (r"\w+\(", None),  # no word: no prefilter
    ],
)
def test_required_words(regex: str, words: tuple[str, ...] | None) -> None:
    assert required_words(regex) == words


def _passed_on(language: str, path: str, code: str) -> list[dict[str, Any]]:
    """The through facts of one source file (calls passing a parameter on)."""
    from backend_skills.checkers.polyglot import analyse_source
    from backend_skills.core.models import Role

    result = analyse_source(path, language, code, Role.SOURCE)
    taint: dict[str, list[dict[str, Any]]] = result.data.get("taint") or {}
    return taint.get("through", [])


JAVA_CYCLE = """
class Urls {
    static String normalize(String url) {
        String s = url.trim();
        int query = s.indexOf('?');
        s = s.substring(0, query);
        String t = s; String u = t; String v = u; String w = v; String x = w;
        return Store.find(x);
    }
}
"""


def test_a_reassigned_local_still_carries_its_parameter() -> None:
    """``s = s.substring(..)`` is a cycle; it is cut without losing what ``s`` holds, and a
    chain of five copies is followed to the parameter (the depth limit was four)."""
    calls = {
        (f["call"], f["position"], f["param"]) for f in _passed_on("java", "Urls.java", JAVA_CYCLE)
    }
    assert ("substring", 1, 0) in calls  # query = s.indexOf(..): from the parameter too
    assert ("find", 0, 0) in calls


def test_call_facts_do_not_depend_on_the_order_calls_are_read() -> None:
    """The same method with its statements in another order gives the same facts."""
    swapped = JAVA_CYCLE.replace(
        "int query = s.indexOf('?');", "int query = s.indexOf('?'); Log.info(query);"
    )
    first = {(f["call"], f["position"]) for f in _passed_on("java", "Urls.java", JAVA_CYCLE)}
    second = {(f["call"], f["position"]) for f in _passed_on("java", "Urls.java", swapped)}
    assert first <= second
    assert ("info", 0) in second


def test_a_csharp_verbatim_identifier_parameter_is_followed() -> None:
    code = """
public class Handler : IIntegrationEventHandler<OrderStarted>
{
    public async Task Handle(OrderStarted @event)
    {
        await _repository.DeleteBasketAsync(@event.UserId);
    }
}
"""
    facts = _passed_on("csharp", "Handler.cs", code)
    assert [(f["call"], f["position"], f["param"]) for f in facts] == [("DeleteBasketAsync", 0, 0)]


def test_a_file_that_starts_after_blank_lines_is_read_at_the_right_bytes() -> None:
    """The root node can start after leading blank lines and comments: arguments are read
    at their offsets in the file, not in the root's text."""
    body = "class A {\n    void Run(String name) {\n        Repo.find(name);\n    }\n}\n"
    plain = _passed_on("java", "A.java", body)
    padded = _passed_on("java", "A.java", "\n\n\n// header\n\n" + body)
    assert [f["call"] for f in plain] == [f["call"] for f in padded] == ["find"]


def test_a_number_bound_from_the_request_carries_nothing() -> None:
    """An ``int`` action parameter cannot carry an injection: passing it on records no
    request call, while the ``string`` parameter next to it does."""
    from backend_skills.checkers.polyglot import analyse_source
    from backend_skills.core.models import Role

    code = """
public class CitiesController : ControllerBase
{
    [HttpGet]
    public IActionResult Get(int id, string name)
    {
        var byId = _repo.Find(id);
        return Ok(_repo.Search(name));
    }
}
"""
    result = analyse_source("Controllers/CitiesController.cs", "csharp", code, Role.SOURCE)
    taint: dict[str, list[dict[str, Any]]] = result.data.get("taint") or {}
    called = {(f["call"], f["position"]) for f in taint.get("requests", [])}
    assert ("Search", 0) in called  # and Ok(..) of its result
    assert ("Find", 0) not in called
