"""Access control the new frameworks' inventory reads beyond the basic guard: method-level
overrides, global guards and their exemptions, middleware bound by path, optional
checks, plugin encapsulation, ordering, and configuration files."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_skills import score

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
    data = {p: parse_and_scan(LANGUAGE[p[p.rindex(".") :]], p, t) for p, t in files.items()}
    return {(e.method, e.path or ""): e for e in exposures(data)}


def line_of(text: str, snippet: str) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), 1) if snippet in line]
    assert len(lines) == 1, (snippet, lines)
    return lines[0]


def rules(found: dict[tuple[str, str], Exposure]) -> set[tuple[str, str, int | None]]:
    return {(f.rule, f.path, f.line) for f in judge(list(found.values()), "polyglot")}


# --------------------------------------------------------------------------- NestJS

NEST_CONTROLLER = """\
import { Controller, Delete, Get, Post, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';

@Controller('users')
export class UsersController {
  @Get()
  list() { return []; }

  @Public()
  @Delete(':id')
  remove() { return {}; }

  @UseGuards(AuthGuard('jwt'), RolesGuard)
  @Post(':id/ban')
  ban() { return {}; }
}
"""
NEST_MODULE = """\
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';

@Module({
  providers: [
    { provide: APP_GUARD, useClass: ThrottlerGuard },
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ],
})
export class AppModule {}
"""


def test_nest_app_guard_protects_and_public_handler_overrides_it() -> None:
    found = inventory(
        {"src/users.controller.ts": NEST_CONTROLLER, "src/app.module.ts": NEST_MODULE}
    )
    assert found[("GET", "/users")].access_control == "global guard JwtAuthGuard (APP_GUARD)"
    remove = found[("DELETE", "/users/:id")]
    assert remove.public
    assert "JwtAuthGuard" in remove.override
    ban = found[("POST", "/users/:id/ban")]
    assert ban.access[:2] == ["@UseGuards(AuthGuard('jwt'))", "@UseGuards(RolesGuard)"]
    line = line_of(NEST_CONTROLLER, "remove()")
    assert rules(found) == {("BSSEC042", "src/users.controller.ts", line)}


def test_nest_throttler_guard_is_not_access_control() -> None:
    module = NEST_MODULE.replace("    { provide: APP_GUARD, useClass: JwtAuthGuard },\n", "")
    found = inventory({"src/users.controller.ts": NEST_CONTROLLER, "src/app.module.ts": module})
    assert found[("GET", "/users")].public
    assert found[("DELETE", "/users/:id")].public
    assert not found[("POST", "/users/:id/ban")].public


def test_nest_middleware_bound_with_for_routes_and_exclude() -> None:
    module = """\
import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';

@Module({})
export class UsersModule implements NestModule {
  configure(consumer: MiddlewareConsumer) {
    consumer
      .apply(AuthMiddleware)
      .exclude({ path: 'users/:id', method: RequestMethod.DELETE })
      .forRoutes(UsersController);
  }
}
"""
    found = inventory({"src/users.controller.ts": NEST_CONTROLLER, "src/users.module.ts": module})
    assert found[("GET", "/users")].access_control == "AuthMiddleware (forRoutes)"
    assert found[("DELETE", "/users/:id")].public


# --------------------------------------------------------------------------- JAX-RS

RESOURCE = """\
import jakarta.annotation.security.*;
import jakarta.ws.rs.*;

@Path("/accounts")
@RolesAllowed({"admin", "owner"})
public class AccountResource {
    @GET
    public List<Account> list() { return null; }

    @DELETE
    @Path("{id}")
    @PermitAll
    public void close(@PathParam("id") long id) {}

    @PUT
    @Path("{id}/lock")
    @DenyAll
    public void lock(@PathParam("id") long id) {}

    @POST
    @Path("{id}/notes")
    @RolesAllowed("support")
    public void note(@PathParam("id") long id) {}
}
"""


def test_jaxrs_method_annotations_replace_the_class_ones() -> None:
    found = inventory({"AccountResource.java": RESOURCE})
    assert found[("GET", "/accounts")].access_control == "@RolesAllowed(admin)"
    close = found[("DELETE", "/accounts/{id}")]
    assert close.public
    assert close.override == "@PermitAll on the method overrides @RolesAllowed(admin)"
    assert found[("PUT", "/accounts/{id}/lock")].access_control == "@DenyAll"
    assert found[("POST", "/accounts/{id}/notes")].access_control == "@RolesAllowed(support)"
    assert rules(found) == {("BSSEC042", "AccountResource.java", line_of(RESOURCE, "close("))}


def test_jaxrs_application_path_prefixes_every_resource() -> None:
    application = """\
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

@ApplicationPath("/api")
public class RestApplication extends Application {}
"""
    found = inventory({"AccountResource.java": RESOURCE, "RestApplication.java": application})
    assert ("GET", "/api/accounts") in found


def test_quarkus_http_permissions_protect_resources_end_to_end(make_tree: TreeFactory) -> None:
    resource = RESOURCE.replace('@RolesAllowed({"admin", "owner"})\n', "")
    tree = {
        "pom.xml": "<project><artifactId>bank</artifactId></project>\n",
        "src/main/java/org/acme/AccountResource.java": resource,
    }
    properties = (
        "quarkus.http.auth.permission.authenticated.paths=/*\n"
        "quarkus.http.auth.permission.authenticated.policy=authenticated\n"
        "quarkus.http.auth.permission.public.paths=/accounts/*\n"
        "quarkus.http.auth.permission.public.methods=GET\n"
        "quarkus.http.auth.permission.public.policy=permit\n"
    )
    open_report = score(make_tree(tree), skills=["security"], isolated=True, cache=False)
    shut = {**tree, "src/main/resources/application.properties": properties}
    shut_report = score(make_tree(shut), skills=["security"], isolated=True, cache=False)
    by = {(e.method, e.path): e for e in shut_report.endpoints}
    assert by[("GET", "/accounts")].public
    assert by[("POST", "/accounts/{id}/notes")].access_control == (
        "@RolesAllowed(support), quarkus.http.auth.permission.authenticated (authenticated)"
    )
    close = by[("DELETE", "/accounts/{id}")]
    assert close.access_control == "quarkus.http.auth.permission.authenticated (authenticated)"
    before = open_report.criterion("security.authorization").score
    after = shut_report.criterion("security.authorization").score
    assert before is not None
    assert after == 100
    assert before < after


# --------------------------------------------------------------------------- Koa


def test_koa_optional_jwt_is_not_access_control() -> None:
    app = """\
const Koa = require('koa');
const Router = require('koa-router');
const jwt = require('./middleware/jwt');
const strict = require('koa-jwt');
const app = new Koa();
const router = new Router();
router.post('/articles', createArticle);
router.post('user-update', '/user', strict({ secret: 's', passthrough: true }), updateUser);
app.use(jwt);
app.use(router.routes());
"""
    middleware = """\
const koaJwt = require('koa-jwt');
module.exports = koaJwt({ secret: process.env.SECRET, passthrough: true, key: 'jwt' });
"""
    found = inventory({"src/app.js": app, "src/middleware/jwt.js": middleware})
    assert found[("POST", "/articles")].public
    user = found[("POST", "/user")]
    assert user.public
    assert user.handler == "updateUser"
    assert user.line == line_of(app, "user-update")


# --------------------------------------------------------------------------- Fastify


def test_fastify_hooks_follow_encapsulation() -> None:
    app = """\
import Fastify from 'fastify';
import fp from 'fastify-plugin';
import admin from './admin.js';

const app = Fastify();
app.register(fp(async function auth(instance) {
  instance.addHook('onRequest', instance.authenticate);
}));
app.register(async function publicRoutes(scope) {
  scope.post('/signup-free/feedback', async () => ({}));
}, { prefix: '/v1' });
app.register(admin, { prefix: '/admin' });
"""
    admin = """\
export default async function (fastify) {
  fastify.route({ method: ['POST', 'PUT'], url: '/settings', handler: saveSettings });
}
"""
    found = inventory({"src/app.ts": app, "src/admin.ts": admin})
    feedback = found[("POST", "/v1/signup-free/feedback")]
    assert feedback.access_control == "instance.authenticate"  # fp: shared with the parent
    assert found[("PUT", "/admin/settings")].access_control == "instance.authenticate"
    isolated = app.replace(
        "app.register(fp(async function auth", "app.register((async function auth"
    )
    found = inventory({"src/app.ts": isolated, "src/admin.ts": admin})
    assert found[("POST", "/admin/settings")].public  # the hook stays in its own plugin


def test_fastify_autoload_prefixes_and_autohooks() -> None:
    app = """\
import AutoLoad from '@fastify/autoload';
import path from 'node:path';

export default async function app(fastify, opts) {
  fastify.register(AutoLoad, {
    dir: path.join(import.meta.dirname, 'routes'),
    autoHooks: true,
    cascadeHooks: true,
  });
}
"""
    hooks = """\
export default async function (fastify) {
  fastify.addHook('onRequest', async (request, reply) => {
    if (!request.user) reply.unauthorized();
  });
}
"""
    tasks = """\
export default async function (fastify) {
  fastify.delete('/:id', async () => ({}));
}
"""
    home = "export default async function (fastify) {\n  fastify.post('/contact', send);\n}\n"
    found = inventory(
        {
            "src/app.ts": app,
            "src/routes/api/autohooks.ts": hooks,
            "src/routes/api/tasks/index.ts": tasks,
            "src/routes/home.ts": home,
        }
    )
    assert found[("DELETE", "/api/tasks/:id")].access_control == "inline hook (request.user)"
    assert found[("POST", "/contact")].public


# --------------------------------------------------------------------------- Go


def test_echo_group_use_guards_only_later_routes() -> None:
    code = """\
package main

import "github.com/labstack/echo/v4"

func main() {
	e := echo.New()
	admin := e.Group("/admin")
	admin.POST("/reindex", reindex)
	admin.Use(middleware.KeyAuth(validate))
	admin.DELETE("/users/:id", deleteUser, audit)
	e.Match([]string{"PUT", "PATCH"}, "/profile", updateProfile, RequireLogin())
}
"""
    found = inventory({"main.go": code})
    assert found[("POST", "/admin/reindex")].public
    assert found[("DELETE", "/admin/users/:id")].access_control == "middleware.KeyAuth(...)"
    assert found[("PATCH", "/profile")].access_control == "RequireLogin(...)"


def test_go_handler_wrapped_in_auth_middleware_is_protected() -> None:
    code = """\
package main

func routes(router *httprouter.Router) {
	router.POST("/transfer", mw.Logging(mw.AuthCheck(transfer)))
	router.POST("/setup", mw.Logging(setup))
}
"""
    found = inventory({"main.go": code})
    transfer = found[("POST", "/transfer")]
    assert transfer.access_control == "mw.AuthCheck(...)"
    assert transfer.handler == "transfer"
    assert transfer.framework == "Go router"
    assert found[("POST", "/setup")].public


def test_chi_router_passed_to_another_file() -> None:
    main = """\
package main

import "github.com/go-chi/chi/v5"

func main() {
	r := chi.NewRouter()
	r.Route("/api", func(r chi.Router) {
		r.Use(Authenticator)
		api.RegisterRoutes(r)
	})
}
"""
    routes = """\
package api

import "github.com/go-chi/chi/v5"

func RegisterRoutes(r chi.Router) {
	r.Method("DELETE", "/items/{id}", deleteItem)
}
"""
    found = inventory({"main.go": main, "api/routes.go": routes})
    item = found[("DELETE", "/api/items/{id}")]
    assert item.access_control == "Authenticator"
    assert (item.file, item.line) == ("api/routes.go", line_of(routes, "DELETE"))


def test_scoring_names_the_new_frameworks(make_tree: TreeFactory, tmp_path: Path) -> None:
    del tmp_path
    tree = {
        "src/app.module.ts": NEST_MODULE,
        "src/users.controller.ts": NEST_CONTROLLER,
        "svc/main.go": 'package main\n\nimport "github.com/go-chi/chi/v5"\n\nfunc main() {\n'
        '\tr := chi.NewRouter()\n\tr.Post("/items", create)\n}\n',
    }
    report = score(make_tree(tree), skills=["security"], isolated=True, cache=False)
    assert {e.framework for e in report.endpoints} == {"NestJS", "chi"}
    notes = [n for c in report.checkers for n in c.notes if n.startswith("endpoints (")]
    assert any("NestJS" in n and "chi" in n for n in notes), notes


def test_chi_mounts_of_routers_built_in_other_packages() -> None:
    server = """\
package api

import "github.com/go-chi/chi/v5"

func New() chi.Router {
	r := chi.NewRouter()
	r.Group(func(r chi.Router) {
		r.Use(jwt.Authenticator)
		r.Mount("/admin", adminAPI.Router())
	})
	r.Mount("/api", appAPI.Router())
	return r
}
"""
    admin = """\
package admin

import "github.com/go-chi/chi/v5"

func (a *API) Router() *chi.Mux {
	r := chi.NewRouter()
	r.Mount("/accounts", a.Accounts.router())
	return r
}
"""
    accounts = """\
package admin

import "github.com/go-chi/chi/v5"

func (rs *AccountResource) router() *chi.Mux {
	r := chi.NewRouter()
	r.Route("/{accountID}", func(r chi.Router) {
		r.Delete("/", rs.delete)
	})
	return r
}
"""
    app = """\
package app

import "github.com/go-chi/chi/v5"

func (a *API) Router() *chi.Mux {
	r := chi.NewRouter()
	r.Put("/profile", a.updateProfile)
	return r
}
"""
    found = inventory(
        {
            "api/api.go": server,
            "api/admin/api.go": admin,
            "api/admin/accounts.go": accounts,
            "api/app/api.go": app,
        }
    )
    delete = found[("DELETE", "/admin/accounts/{accountID}/")]
    assert delete.access_control == "jwt.Authenticator"
    assert (delete.file, delete.line) == ("api/admin/accounts.go", line_of(accounts, "Delete"))
    assert found[("PUT", "/api/profile")].public


def test_net_http_mux_patterns() -> None:
    code = """\
package main

import "net/http"

func routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /items/{id}", requireAuth(updateItem))
	mux.HandleFunc("DELETE /items/{id}", deleteItem)
	mux.Handle("/debug/vars/", expvar.Handler())
}
"""
    found = inventory({"main.go": code})
    item = found[("POST", "/items/{id}")]
    assert item.access_control == "requireAuth(...)"
    assert item.framework == "Go router"
    assert ("ANY", "/debug/vars/") not in found  # no method: decided by the handler
    assert rules(found) == {("BSSEC040", "main.go", line_of(code, "DELETE /items"))}


def test_go_router_middleware_chained_on_groups_and_routes() -> None:
    # pocketbase's router: .Bind(...) after a group or a route attaches middleware;
    # go-pkgz/routegroup: g.With(mw).HandleFunc(...) for one route.
    code = """\
package apis

func bindCollectionApi(app core.App, rg *router.RouterGroup[*core.RequestEvent]) {
	sub := rg.Group("/collections").Bind(RequireSuperuserAuth())
	sub.POST("", collectionCreate)
	sub.DELETE("/{collection}", collectionDelete)
	backups := rg.Group("/backups")
	backups.POST("", backupCreate).Bind(RequireSuperuserAuth())
	backups.POST("/{key}/restore", backupRestore).Bind(BodyLimit(0))
	rg.With(authMiddleware.Auth).HandleFunc("POST /comment", createComment)
	records := rg.Group("/records").Unbind(DefaultRateLimitMiddlewareId)
	records.GET("", recordsList)
}
"""
    found = inventory({"apis/collection.go": code})
    assert found[("POST", "/collections")].access_control == "RequireSuperuserAuth(...)"
    assert not found[("DELETE", "/collections/{collection}")].public
    assert found[("POST", "/backups")].access_control == "RequireSuperuserAuth(...)"
    assert found[("POST", "/comment")].access_control == "authMiddleware.Auth"
    assert found[("GET", "/records")].public  # the group's prefix kept through Unbind
    # A chained middleware that does not authenticate protects nothing.
    assert rules(found) == {
        ("BSSEC040", "apis/collection.go", line_of(code, "backupRestore")),
    }


def test_a_router_handed_whole_to_authenticating_middleware_is_protected() -> None:
    # miniflux: the mux is returned wrapped in its authentication middleware.
    code = """\
package api

func NewHandler(store *storage.Storage) http.Handler {
	handler := &handler{store: store}
	middleware := newMiddleware(store)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/users", handler.createUserHandler)
	mux.HandleFunc("DELETE /v1/users/{userID}", handler.removeUserHandler)
	return middleware.withCORSHeaders(middleware.validateAPIKeyAuth(middleware.validateBasicAuth(mux)))
}

func Public() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/hooks", hook)
	return withCORSHeaders(gzip(mux))
}
"""
    found = inventory({"internal/api/api.go": code})
    delete = found[("DELETE", "/v1/users/{userID}")]
    assert not delete.public
    assert delete.access_control is not None
    assert "validateBasicAuth" in delete.access_control
    assert found[("POST", "/v1/hooks")].public  # wrapped, but not by authentication
    assert rules(found) == {("BSSEC040", "internal/api/api.go", line_of(code, "/v1/hooks"))}
