"""Which calls of a function the request-input flow follows, and in which order (the
order of the per-file data: a cached report must not change with the way it is found)."""

from __future__ import annotations

import ast
import textwrap

from backend_skills.checkers.analyses._request_input import RequestFlow

VIEW = textwrap.dedent(
    """\
    def view(request):
        a(request.GET, b(request.POST), [c(request.body) for _ in d(request.GET)])
        try:
            e(request.GET)
        except f(request.GET):
            g(request.GET)
        h(request.GET, key=lambda: i(request.GET))
        j = lambda: k(request.GET)
        @deco(request.GET)
        def inner(x=m(request.GET)):
            n(x)
        match p(request.GET):
            case {"a": 1} if q(request.GET):
                r(request.GET)
        s(t(u(request.GET)), v(request.GET)).w(request.GET)
    """
)


def test_calls_passing_input_in_walk_order() -> None:
    flow = RequestFlow(ast.parse(VIEW), {})
    # Each statement's calls depth first, last argument first; handlers and cases after
    # the statement holding them; decorators and defaults in the enclosing function.
    assert [callee for callee, _, _ in flow.calls] == [
        *("a", "d", "c", "b", "f", "e", "g", "h", "k", "deco", "m"),
        *("q", "p", "r", "s.w", "s", "v", "t", "u"),
    ]


def test_a_lambda_passed_as_an_argument_is_not_followed() -> None:
    flow = RequestFlow(ast.parse(VIEW), {})
    callees = {callee for callee, _, _ in flow.calls}
    assert "i" not in callees  # runs later, if ever
    assert "k" in callees  # a lambda bound to a name is the statement's own value
    assert "n" not in callees  # ``x`` is not request input


def test_calls_know_their_function() -> None:
    tree = ast.parse(VIEW)
    flow = RequestFlow(tree, {})
    calls = {
        node.func.id: node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert flow.scope_of(calls["m"]) == ("view", ("request",))
    assert flow.scope_of(calls["n"]) == ("inner", ("x",))
    assert flow.scope_of(calls["i"]) == ("", ())  # not followed


def _callees(code: str) -> list[str]:
    flow = RequestFlow(ast.parse(textwrap.dedent(code)), {})
    return [callee for callee, _, _ in flow.calls]


def test_input_from_parameters_alone_is_followed() -> None:
    # No ``request`` anywhere: the route's parameters are the input.
    code = """\
        @app.get("/items")
        def items(q, limit: int = 10):
            term = q.strip()
            search(term, limit=limit)
            search(limit)

        def helper(q):
            search(q)
        """
    assert _callees(code) == ["search"]


def test_input_read_from_self_request_is_followed() -> None:
    code = """\
        class Items(View):
            def get(self):
                term = self.request.GET["q"]
                search(term)
                search("all")
        """
    assert _callees(code) == ["search"]


def test_a_sink_sees_the_bindings_of_its_function() -> None:
    tree = ast.parse(
        textwrap.dedent(
            """\
            def run(cursor, name, token):
                sql = "SELECT id FROM t WHERE n = '%s'" % name
                claims = token
                cursor.execute(sql)
                decode(claims)
            """
        )
    )
    flow = RequestFlow(tree, {})
    [sink] = flow.sinks
    assert (sink.kind, sink.line, sink.function, sink.origins) == (
        "sql",
        2,  # where the SQL was built
        "run",
        frozenset({"name"}),
    )
    decode = next(
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "decode"
    )
    assert flow.value_origins(decode, decode.args[0]) == {"token"}
