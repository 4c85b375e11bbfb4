"""The endpoint inventory of NestJS, Koa, Fastify, echo, chi and JAX-RS services.

Each framework has an application with an unprotected write endpoint and a public
``/admin`` route: both are reported at their file and line, and the application loses
``security.authorization`` points; the same application with its guards in place does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from backend_skills import Report, score

from .conftest import TreeFactory

pytest.importorskip("tree_sitter")
pytest.importorskip("tree_sitter_javascript")
pytest.importorskip("tree_sitter_typescript")
pytest.importorskip("tree_sitter_go")
pytest.importorskip("tree_sitter_java")

from backend_skills.checkers.analyses._authz_resolve import Exposure
from backend_skills.checkers.analyses.authorization import judge
from backend_skills.checkers.endpoints import exposures, parse_and_scan

LANGUAGE = {".js": "javascript", ".ts": "typescript", ".go": "go", ".java": "java"}


def inventory(files: dict[str, str]) -> dict[tuple[str, str], Exposure]:
    data = {}
    for path, text in files.items():
        suffix = path[path.rindex(".") :]
        if suffix in LANGUAGE:
            data[path] = parse_and_scan(LANGUAGE[suffix], path, text)
    return {(e.method, e.path or ""): e for e in exposures(data)}


def line_of(text: str, snippet: str) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), 1) if snippet in line]
    assert len(lines) == 1, (snippet, lines)
    return lines[0]


def fill(template: str, **values: str) -> str:
    """``template`` with ``{name}`` replaced (``{{``/``}}`` stand for braces)."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template.replace("{{", "{").replace("}}", "}")


def findings(found: dict[tuple[str, str], Exposure]) -> set[tuple[str, str, int | None]]:
    return {(f.rule, f.path, f.line) for f in judge(list(found.values()), "polyglot")}


@dataclass(frozen=True)
class App:
    """An application in two states: ``open`` (guards missing) and ``shut``."""

    framework: str
    open: dict[str, str]
    shut: dict[str, str]
    #: (rule, method, path, file, snippet on the endpoint's line) of the open state
    expected: tuple[tuple[str, str, str, str, str], ...]


# --------------------------------------------------------------------------- NestJS

NEST_MAIN = """\
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';

async function bootstrap() {{
  const app = await NestFactory.create(AppModule);
  app.setGlobalPrefix('api');
  {guard}
  await app.listen(3000);
}}
bootstrap();
"""
NEST_ORDERS = """\
import { Controller, Get, Post, Param, Delete, UseGuards } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { Public } from '../auth/public.decorator';

@UseGuards(ThrottlerGuard)
@Controller('orders')
export class OrdersController {
  @Get()
  list() { return []; }

  @Post()
  create() { return {}; }

  @Public()
  @Post('login')
  login() { return {}; }
}
"""
NEST_ADMIN = """\
import { Controller, Get } from '@nestjs/common';

@Controller('admin')
export class AdminController {
  @Get('stats')
  stats() { return {}; }
}
"""
NEST = App(
    "NestJS",
    open={
        "src/main.ts": fill(NEST_MAIN, guard=""),
        "src/orders/orders.controller.ts": NEST_ORDERS,
        "src/admin/admin.controller.ts": NEST_ADMIN,
    },
    shut={
        "src/main.ts": fill(NEST_MAIN, guard="app.useGlobalGuards(new JwtAuthGuard());"),
        "src/orders/orders.controller.ts": NEST_ORDERS,
        "src/admin/admin.controller.ts": NEST_ADMIN,
    },
    expected=(
        ("BSSEC040", "POST", "/api/orders", "src/orders/orders.controller.ts", "create()"),
        ("BSSEC043", "GET", "/api/admin/stats", "src/admin/admin.controller.ts", "stats()"),
    ),
)

# --------------------------------------------------------------------------- Koa

KOA_APP = """\
const Koa = require('koa');
const Router = require('@koa/router');
const jwt = require('koa-jwt');
const admin = require('./admin');

const app = new Koa();
const router = new Router({{ prefix: '/api' }});
router.post('/orders', createOrder);
router.use('/admin', admin.routes());
{guard}
app.use(router.routes());
module.exports = app;
"""
KOA_ADMIN = """\
const Router = require('@koa/router');
const router = new Router();
router.get('/stats', stats);
router.del('/users/:id', removeUser);
module.exports = router;
"""
KOA = App(
    "Koa",
    open={"src/app.js": fill(KOA_APP, guard=""), "src/admin.js": KOA_ADMIN},
    shut={
        "src/app.js": fill(KOA_APP, guard="app.use(jwt({ secret: process.env.SECRET }));"),
        "src/admin.js": KOA_ADMIN,
    },
    expected=(
        ("BSSEC040", "POST", "/api/orders", "src/app.js", "router.post"),
        ("BSSEC043", "GET", "/api/admin/stats", "src/admin.js", "/stats"),
        ("BSSEC043", "DELETE", "/api/admin/users/:id", "src/admin.js", "router.del"),
    ),
)

# --------------------------------------------------------------------------- Fastify

FASTIFY_APP = """\
const fastify = require('fastify')({{ logger: true }});

fastify.register(require('./routes/admin'), {{ prefix: '/admin' }});
fastify.post('/orders', {{ {options} schema: {{}} }}, async (request, reply) => ({{}}));
fastify.listen({{ port: 3000 }});
"""
FASTIFY_ADMIN = """\
module.exports = async function (app, opts) {{
  {hook}
  app.get('/stats', async () => ({{}}));
  app.route({{ method: 'DELETE', url: '/users/:id', handler: removeUser }});
}};
"""
FASTIFY = App(
    "Fastify",
    open={
        "src/app.js": fill(FASTIFY_APP, options=""),
        "src/routes/admin.js": fill(FASTIFY_ADMIN, hook=""),
    },
    shut={
        "src/app.js": fill(FASTIFY_APP, options="onRequest: [fastify.authenticate],"),
        "src/routes/admin.js": fill(
            FASTIFY_ADMIN, hook="app.addHook('onRequest', async (request) => request.jwtVerify());"
        ),
    },
    expected=(
        ("BSSEC040", "POST", "/orders", "src/app.js", "fastify.post"),
        ("BSSEC043", "GET", "/admin/stats", "src/routes/admin.js", "/stats"),
        ("BSSEC043", "DELETE", "/admin/users/:id", "src/routes/admin.js", "DELETE"),
    ),
)

# --------------------------------------------------------------------------- echo

ECHO_MAIN = """\
package main

import (
	"github.com/labstack/echo/v4"
	echojwt "github.com/labstack/echo-jwt/v4"

	"example.com/shop/routes"
)

func main() {{
	e := echo.New()
	{guard}
	e.POST("/orders", createOrder)
	api := e.Group("/api")
	routes.Register(api)
	e.Logger.Fatal(e.Start(":1323"))
}}
"""
ECHO_ROUTES = """\
package routes

import "github.com/labstack/echo/v4"

func Register(g *echo.Group) {
	admin := g.Group("/admin")
	admin.GET("/stats", stats)
	admin.DELETE("/users/:id", deleteUser)
}
"""
ECHO = App(
    "echo",
    open={"main.go": fill(ECHO_MAIN, guard=""), "routes/routes.go": ECHO_ROUTES},
    shut={
        "main.go": fill(ECHO_MAIN, guard='e.Use(echojwt.JWT([]byte("secret")))'),
        "routes/routes.go": ECHO_ROUTES,
    },
    expected=(
        ("BSSEC040", "POST", "/orders", "main.go", "e.POST"),
        ("BSSEC043", "GET", "/api/admin/stats", "routes/routes.go", "/stats"),
        ("BSSEC043", "DELETE", "/api/admin/users/:id", "routes/routes.go", "DELETE"),
    ),
)

# --------------------------------------------------------------------------- chi

CHI_MAIN = """\
package main

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/jwtauth/v5"
)

func main() {{
	r := chi.NewRouter()
	r.Use(middleware.Logger)
	{guard}
	r.Post("/orders", createOrder)
	r.Route("/admin", func(r chi.Router) {{
		r.Get("/stats", stats)
	}})
	r.Group(func(r chi.Router) {{
		r.Use(jwtauth.Verifier(tokenAuth))
		r.Use(jwtauth.Authenticator(tokenAuth))
		r.Put("/profile", updateProfile)
	}})
	r.With(RequireAdmin).Post("/reindex", reindex)
	r.Mount("/billing", billingRouter())
	http.ListenAndServe(":3000", r)
}}

func billingRouter() chi.Router {{
	r := chi.NewRouter()
	r.Post("/charge", charge)
	return r
}}
"""
CHI = App(
    "chi",
    open={"main.go": fill(CHI_MAIN, guard="")},
    shut={"main.go": fill(CHI_MAIN, guard="r.Use(RequireAuth)")},
    expected=(
        ("BSSEC040", "POST", "/orders", "main.go", '"/orders"'),
        ("BSSEC043", "GET", "/admin/stats", "main.go", '"/stats"'),
        # the mounted sub-router's routes are not guarded by a Use() of the parent's
        # group, only of the parent itself
        ("BSSEC040", "POST", "/billing/charge", "main.go", '"/charge"'),
    ),
)

# --------------------------------------------------------------------------- JAX-RS

JAXRS_ORDERS = """\
package org.acme.shop;

import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.*;

@Path("/orders")
{annotation}public class OrderResource {{

    @POST
    public Order create(Order order) {{ return order; }}

    @GET
    @Path("{{id}}")
    @PermitAll
    public Order get(@PathParam("id") long id) {{ return null; }}
}}
"""
JAXRS_ADMIN = """\
package org.acme.shop;

import jakarta.ws.rs.*;

@Path("admin")
{annotation}public class AdminResource {{
    @GET
    @Path("stats")
    public String stats() {{ return ""; }}
}}
"""
JAXRS = App(
    "JAX-RS",
    open={
        "src/main/java/org/acme/shop/OrderResource.java": fill(JAXRS_ORDERS, annotation=""),
        "src/main/java/org/acme/shop/AdminResource.java": fill(JAXRS_ADMIN, annotation=""),
    },
    shut={
        "src/main/java/org/acme/shop/OrderResource.java": fill(
            JAXRS_ORDERS, annotation='@RolesAllowed("user")\n'
        ),
        "src/main/java/org/acme/shop/AdminResource.java": fill(
            JAXRS_ADMIN, annotation='@RolesAllowed("admin")\n'
        ),
    },
    expected=(
        (
            "BSSEC040",
            "POST",
            "/orders",
            "src/main/java/org/acme/shop/OrderResource.java",
            "Order create(",
        ),
        (
            "BSSEC043",
            "GET",
            "/admin/stats",
            "src/main/java/org/acme/shop/AdminResource.java",
            "String stats(",
        ),
    ),
)

APPS = [NEST, KOA, FASTIFY, ECHO, CHI, JAXRS]


@pytest.mark.parametrize("app", APPS, ids=[a.framework for a in APPS])
def test_open_application_reports_each_endpoint_at_its_line(app: App) -> None:
    found = inventory(app.open)
    expected = {
        (rule, file, line_of(app.open[file], snippet)) for rule, _, _, file, snippet in app.expected
    }
    assert expected <= findings(found)
    for _, method, path, file, snippet in app.expected:
        exposure = found[(method, path)]
        assert exposure.public
        assert exposure.framework == app.framework
        assert (exposure.file, exposure.line) == (file, line_of(app.open[file], snippet))


@pytest.mark.parametrize("app", APPS, ids=[a.framework for a in APPS])
def test_application_with_guards_has_no_authorization_finding(app: App) -> None:
    found = inventory(app.shut)
    assert not findings(found)
    for _, method, path, _, _ in app.expected:
        assert not found[(method, path)].public, (method, path)


def _score(root: Path) -> Report:
    return score(root, skills=["security"], isolated=True, cache=False)


@pytest.mark.parametrize("app", APPS, ids=[a.framework for a in APPS])
def test_open_application_loses_authorization_points_end_to_end(
    app: App, make_tree: TreeFactory
) -> None:
    vulnerable = _score(make_tree(app.open))
    fixed = _score(make_tree(app.shut))
    listed = {(e.method, e.path, e.file, e.line) for e in vulnerable.endpoints if e.public}
    for rule, method, path, file, snippet in app.expected:
        line = line_of(app.open[file], snippet)
        assert (method, path, file, line) in listed
        assert any(f.rule == rule and (f.path, f.line) == (file, line) for f in vulnerable.findings)
    bad = vulnerable.criterion("security.authorization").score
    good = fixed.criterion("security.authorization").score
    assert bad is not None
    assert good is not None
    assert bad < good == 100
    assert not [f for f in fixed.findings if f.criterion == "security.authorization"]
    assert {e.framework for e in fixed.endpoints} == {app.framework}
