"""The endpoint scanners find their nodes with tree-sitter queries: the same nodes, in the
same order, as the Python walk they replace, and the same facts when a query is narrowed
to the calls a scanner acts on."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import tree_sitter

pytest.importorskip("tree_sitter")
pytest.importorskip("tree_sitter_javascript")
pytest.importorskip("tree_sitter_typescript")
pytest.importorskip("tree_sitter_c_sharp")

from backend_skills.checkers.endpoints import _common, aspnet, express, fastify, nest
from backend_skills.checkers.endpoints import parse_and_scan as scan_text
from backend_skills.checkers.endpoints._common import nodes, walk
from backend_skills.languages import LANGUAGES, parse

CHAINS = """const router = express.Router();
router.route('/items').get(list).post(auth, create);
app.use('/api', requireAuth, router);
x = y = f(g(1)).z(2);
const h = function () { return [a(b(c)), async () => d()]; };
"""


def _root(language: str, text: str, path: str = "x.ts") -> tree_sitter.Node:
    return parse(LANGUAGES[language], text.encode(), path).root_node


@pytest.mark.parametrize("path", ["app.js", "app.ts", "app.tsx"])
def test_nodes_come_in_walk_order(path: str) -> None:
    """Nested calls starting at the same byte (``a.b().c()``) come outer first, as the
    walk visits them (a query's captures do not come in that order)."""
    language = "javascript" if path.endswith(".js") else "typescript"
    root = _root(language, CHAINS, path)
    kinds = ("call_expression", "member_expression", "assignment_expression", "function")
    found = [n.text for n in nodes(root, kinds)]
    expected = [n.text for n in walk(root) if n.type in kinds]
    assert found == expected
    assert found[0] == b"express.Router()"
    assert b"router.route('/items').get(list).post(auth, create)" in found
    assert b"function" in found  # the keyword token, as the walk yields it


def test_nodes_of_a_subtree_or_a_huge_tree_are_walked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A node that is not a tree's root names no grammar: it is walked; a tree larger than
    ``MAX_NODES`` is walked as before (``MAX_NODES`` nodes at most)."""
    root = _root("javascript", CHAINS, "app.js")
    statement = root.named_children[1]
    assert [n.text for n in nodes(statement, ("call_expression",))] == [
        n.text for n in walk(statement) if n.type == "call_expression"
    ]
    monkeypatch.setattr(_common, "MAX_NODES", 12)
    bounded = nodes(root, ("call_expression", "identifier"))
    assert bounded == [n for n in walk(root) if n.type in ("call_expression", "identifier")]
    assert len(bounded) < 6


def test_tsx_routes_are_found() -> None:
    """A .tsx tree is read with the TSX grammar's queries (the TypeScript grammar's find
    nothing in it)."""
    text = "const router = express.Router();\nrouter.post('/upload', (req, res) => <b>ok</b>);\n"
    facts = scan_text("typescript", "app.tsx", text)
    assert [(r["method"], r["path"], r["line"]) for r in facts["routes"]] == [
        ("POST", "/upload", 2)
    ]


EXPRESS = """const express = require('express');
const Router = require('koa-router');
const app = express();
const api = express.Router();
const admin = require('./admin');
import { requireAuth as auth } from './auth';
const port = 3000, label = 'x', handler = () => res.send('ok');
api.use(auth);
api.get('/items', list);
api.route('/orders').get(listOrders).post(createOrder);
app.use('/api', api);
app.use('/admin', admin);
app.listen(port);
console.log(`on ${port}`);
items.map((i) => i.get('x')).filter(Boolean);
module.exports = api;
"""
KOA = """const Router = require('@koa/router');
const router = new Router({ prefix: '/v1' });
router.prefix('/v2');
router.del('/items/:id', auth, remove);
router.get('named', '/named', show);
module.exports = router.routes();
"""
FASTIFY = """const fp = require('fastify-plugin');
async function routes(fastify, opts) {
  fastify.addHook('onRequest', fastify.authenticate);
  fastify.get('/items', { preHandler: [fastify.auth] }, list);
  fastify.route({ method: ['GET', 'POST'], url: '/orders', handler: orders });
  fastify.register(require('./admin'), { prefix: '/admin' });
  this.post('/x', make);
  other.thing.get('/not-a-route', y);
  const total = items.reduce((a, b) => a + b, 0);
}
const plugin = fp(async (app) => { app.put('/p', put); });
export default routes;
"""
NEST = """import { Controller, Get, UseGuards, MiddlewareConsumer } from '@nestjs/common';
@Controller('cats')
@UseGuards(AuthGuard('jwt'))
export class CatsController {
  @Get(':id') find() { return this.service.find(); }
}
export class AppModule {
  configure(consumer: MiddlewareConsumer) {
    consumer.apply(AuthMiddleware).exclude('health').forRoutes('cats');
  }
}
"""
ASPNET = """var app = builder.Build();
var api = app.MapGroup("/api").RequireAuthorization();
api.MapGet("/items", () => Results.Ok()).AllowAnonymous();
app.MapPost("/orders", CreateOrder);
app.MapControllers();
logger.LogInformation("started");
[ApiController]
[Route("[controller]")]
public class OrdersController : ControllerBase {
    [HttpGet("{id}")] [Authorize] public IActionResult Get(int id) => Ok(Find(id));
}
"""


@pytest.mark.parametrize(
    ("module", "language", "path", "text", "read"),
    [
        (express, "javascript", "app.js", EXPRESS, lambda root, _: express.scan(root)),
        (express, "javascript", "koa.js", KOA, lambda root, _: express.scan(root, "koa")),
        (express, "typescript", "app.ts", EXPRESS, lambda root, _: express.scan(root)),
        (fastify, "javascript", "routes.js", FASTIFY, lambda root, _: fastify.scan(root)),
        (fastify, "typescript", "routes.ts", FASTIFY, lambda root, _: fastify.scan(root)),
        (nest, "typescript", "cats.ts", NEST, nest.scan),
        (aspnet, "csharp", "Program.cs", ASPNET, aspnet.scan),
    ],
)
def test_narrowed_queries_keep_every_fact(
    monkeypatch: pytest.MonkeyPatch,
    module: Any,
    language: str,
    path: str,
    text: str,
    read: Callable[[tree_sitter.Node, str], dict[str, Any]],
) -> None:
    """A scanner whose query keeps only the calls and bindings it acts on finds the same
    facts as one visiting every node of its kinds."""
    root = _root(language, text, path)
    narrowed = read(root, text)
    monkeypatch.setattr(module, "_NARROWED", ())
    everything = read(root, text)
    assert narrowed == everything
    assert any(narrowed[key] for key in ("routes", "maps", "controllers") if key in narrowed)


def test_express_facts_of_the_narrowed_scan() -> None:
    """What the narrowed Express scan reads: routers, routes (chained too), uses, imports
    and the export; ``items.map(...).filter(...)`` and ``app.listen`` are not routes."""
    facts = express.scan(_root("javascript", EXPRESS, "app.js"))
    assert facts["routers"] == {"app": 3, "api": 4}
    assert [(r["method"], r["path"], r["middleware"]) for r in facts["routes"]] == [
        ("GET", "/items", []),
        ("POST", "/orders", []),  # the outer call of the chain comes first
        ("GET", "/orders", []),
    ]
    assert [(u["owner"], u["path"]) for u in facts["uses"]] == [
        ("api", None),
        ("app", "/api"),
        ("app", "/admin"),
    ]
    assert facts["imports"] == {
        "express": "express",
        "Router": "koa-router",
        "admin": "./admin",
        "requireAuth": "./auth",
        "auth": "./auth",
    }
    assert facts["export"] == "api"


def _spy_scanners(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record which scanners read a file (their ``useful`` keys name them)."""
    import dataclasses

    from backend_skills.checkers.endpoints import _dispatch

    read: list[str] = []

    def spy(scanner: _dispatch.Scanner) -> _dispatch.Scanner:
        def scan(root: tree_sitter.Node, source: str) -> dict[str, Any]:
            read.append(scanner.useful[0])
            return scanner.scan(root, source)

        return dataclasses.replace(scanner, scan=scan)

    monkeypatch.setattr(_dispatch, "SCANNERS", tuple(map(spy, _dispatch.SCANNERS)))
    return read


@pytest.mark.parametrize(
    ("path", "text", "found"),
    [
        ("Profile.cs", "class P : Profile { P() { CreateMap<A, B>(); } }", None),
        ("Program.cs", 'app.MapGet("/x", () => 1);', "maps"),
        (
            "Startup.cs",
            "o.FallbackPolicy = new AuthorizationPolicyBuilder().Build();",
            "global_auth",
        ),
        ("util.js", "async function f() {}\nexports.f = f;\n", None),
        ("plugin.js", "module.exports = async function (app) { app.get('/x', h); };", "routes"),
        ("plugin.ts", "export default async (app) => { app.post('/y', h); };", "routes"),
    ],
)
def test_a_scanner_reads_only_files_that_can_hold_its_facts(
    monkeypatch: pytest.MonkeyPatch, path: str, text: str, found: str | None
) -> None:
    """An AutoMapper profile (``Map`` but no controller, route or policy) and a module
    exporting no plugin are not read at all; minimal APIs, a fallback policy and exported
    async plugins still are."""
    read = _spy_scanners(monkeypatch)
    language = {"cs": "csharp", "js": "javascript", "ts": "typescript"}[path.rsplit(".", 1)[1]]
    facts = scan_text(language, path, text)
    if found is None:
        assert (facts, read) == ({}, [])
    else:
        assert facts[found]
