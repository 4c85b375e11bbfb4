"""Outgoing calls in one file (``checkers/analyses/_resilience_calls.py``): which calls
can wait forever, which gRPC stub calls have no deadline, and the evidence of retries,
circuit breakers and graceful shutdown."""

from __future__ import annotations

import ast
import textwrap

import pytest

from backend_skills.checkers.analyses._resilience_calls import (
    CallRules,
    retries_on,
    shutdown_handling,
    timeout_problem,
    untimed_stub_call,
)
from backend_skills.checkers.analyses._server_common import TreeIndex


def _call(code: str) -> ast.Call:
    node = ast.parse(code, mode="eval").body
    assert isinstance(node, ast.Call)
    return node


@pytest.mark.parametrize(
    ("target", "code", "problem"),
    [
        ("httpx.Client", "httpx.Client(timeout=None)", "switches off httpx's default timeout"),
        ("httpx.Client", "httpx.Client()", None),  # httpx has a default of 5 s
        ("httpx.get", "httpx.get(url, timeout=5)", None),
        ("aiohttp.ClientSession", "aiohttp.ClientSession()", "waits 5 minutes"),
        ("aiohttp.ClientSession", "aiohttp.ClientSession(timeout=t)", None),
        ("aiohttp.ClientSession", "aiohttp.ClientSession(**options)", None),
        ("urllib3.PoolManager", "urllib3.PoolManager()", "waits no timeout"),
        ("requests.get", "requests.get(url)", None),  # bandit B113 and BSSEC015
    ],
)
def test_timeout_problem(target: str, code: str, problem: str | None) -> None:
    found = timeout_problem(target, _call(code))
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert problem in found
        assert f"`{target}" in found


@pytest.mark.parametrize(
    ("code", "method"),
    [
        ("stub.GetUser(request)", "GetUser"),
        ("stub.GetUser(request, timeout=2)", ""),
        ("stub.GetUser(request, **options)", ""),
        ("stub.close()", ""),  # not an RPC: lower case
        ("other.GetUser(request)", ""),  # not a stub
    ],
)
def test_untimed_stub_call(code: str, method: str) -> None:
    assert untimed_stub_call(_call(code), {"stub"}) == method


@pytest.mark.parametrize(
    ("code", "retries"),
    [
        ("HTTPAdapter(max_retries=3)", True),
        ("HTTPTransport(retries=2)", True),
        ("app.task(autoretry_for=(IOError,))", True),
        ("HTTPAdapter(max_retries=0)", False),
        ("HTTPAdapter(max_retries=None)", False),
        ("HTTPTransport(retries=False)", False),
        ("HTTPAdapter(pool_maxsize=10)", False),
    ],
)
def test_retries_on(code: str, retries: bool) -> None:
    assert any(retries_on(k) for k in _call(code).keywords) is retries


@pytest.mark.parametrize(
    ("code", "resolved", "what"),
    [
        ("signal.signal(signal.SIGTERM, stop)", "signal.signal", "signal handler"),
        ("signal(SIGINT, stop)", "signal.signal", "signal handler"),
        ("signal.signal(signal.SIGUSR1, dump)", "signal.signal", ""),
        ("loop.add_signal_handler(signal.SIGTERM, stop)", None, "signal handler"),
        ("FastAPI(lifespan=lifespan)", "fastapi.FastAPI", "FastAPI(lifespan=...)"),
        (
            "uvicorn.run(app, timeout_graceful_shutdown=30)",
            "uvicorn.run",
            "run(timeout_graceful_shutdown=...)",
        ),
        ("app.on_event('shutdown')", None, "shutdown handler"),
        ("app.on_event('startup')", None, ""),
    ],
)
def test_shutdown_handling(code: str, resolved: str | None, what: str) -> None:
    assert shutdown_handling(_call(code), resolved) == what


def test_evidence_and_findings_of_a_file() -> None:
    code = textwrap.dedent(
        """
        import signal

        import aiohttp
        import grpc
        import httpx
        import pybreaker
        from tenacity import retry

        from .pb import UsersStub

        client = httpx.Client(timeout=None)
        stub = UsersStub(grpc.insecure_channel("users:50051"))
        graceful_timeout = 30


        async def fetch(url):
            async with aiohttp.ClientSession() as session:
                return await session.get(url)


        def user(uid):
            return stub.Get(uid)


        signal.signal(signal.SIGTERM, lambda *_: None)
        """
    ).lstrip("\n")
    tree = ast.parse(code)
    rules = CallRules("app.py", tree, TreeIndex(tree))
    evidence = rules.evidence()
    rules.grpc()
    assert evidence["outgoing"] == [
        [11, "httpx.Client"],
        [12, "grpc.insecure_channel"],
        [17, "aiohttp.ClientSession"],
    ]
    assert evidence["retries"] == [[7, "tenacity"]]
    assert evidence["breakers"] == [[6, "pybreaker"]]
    assert evidence["shutdown"] == [[25, "signal handler"], [13, "gunicorn graceful_timeout"]]
    assert [(f.rule, f.line) for f in rules.findings] == [
        ("BSSCL120", 11),
        ("BSSCL120", 17),
        ("BSSCL120", 22),
    ]
