"""Guards the endpoint inventories used to miss (routes read as public that are not):
ASP.NET minimal-API groups protected by a statement of their own and routes mapped in
extension methods, Express middleware wrapped in a call, session-checking middleware,
gin groups chained with ``Use``, NestJS decorators composed with ``UseGuards``, and
documentation handlers under an admin path."""

from __future__ import annotations

import pytest

pytest.importorskip("tree_sitter")
pytest.importorskip("tree_sitter_javascript")
pytest.importorskip("tree_sitter_c_sharp")
pytest.importorskip("tree_sitter_go")

from backend_skills.checkers._endpoints_polyglot import exposures, parse_and_scan
from backend_skills.checkers.analyses._authz_resolve import Exposure
from backend_skills.checkers.analyses.authorization import judge

LANGUAGE = {".js": "javascript", ".ts": "typescript", ".cs": "csharp", ".go": "go"}


def inventory(files: dict[str, str]) -> list[Exposure]:
    data = {}
    for path, text in files.items():
        data[path] = parse_and_scan(LANGUAGE[path[path.rindex(".") :]], path, text)
    return sorted(exposures(data), key=lambda e: (e.file, e.line or 0, e.method))


def by_route(found: list[Exposure]) -> dict[tuple[str, str | None], Exposure]:
    return {(e.method, e.path): e for e in found}


def findings(found: list[Exposure]) -> set[tuple[str, str, int | None]]:
    return {(f.rule, f.path, f.line) for f in judge(found, "polyglot")}


def line_of(text: str, snippet: str) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), 1) if snippet in line]
    assert len(lines) == 1, (snippet, lines)
    return lines[0]


# --------------------------------------------------------------------------- ASP.NET

TODO_API = """\
internal static class TodoApi
{
    public static RouteGroupBuilder MapTodos(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/todos");
        group.WithTags("Todos");
        group.RequireAuthorization(pb => pb.RequireCurrentUser());
        group.RequirePerUserRateLimit();
        group.MapPost("/", async (TodoDbContext db, TodoItem item) => Results.Ok());
        group.MapDelete("/{id}", async (TodoDbContext db, int id) => Results.Ok());
        return group;
    }

    public static RouteGroupBuilder MapUsers(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/users");
        group.MapPost("/", CreateUser);
        return group;
    }
}
"""
PROGRAM = """\
var app = builder.Build();
app.MapTodos();
app.MapUsers();
app.Run();
"""


def test_aspnet_group_protected_by_a_statement_of_its_own() -> None:
    found = by_route(inventory({"Program.cs": PROGRAM, "Todos/TodoApi.cs": TODO_API}))
    assert not found[("POST", "/todos/")].public
    assert not found[("DELETE", "/todos/{id}")].public
    assert "RequireAuthorization" in found[("POST", "/todos/")].access_control
    # The group of another method of the same file, of the same variable name, is not.
    assert found[("POST", "/users/")].public


def test_aspnet_rate_limit_or_cors_conventions_are_not_access_control() -> None:
    code = """\
var app = builder.Build();
var api = app.MapGroup("/api");
api.RequireCors("x");
api.RequireRateLimiting("fixed");
api.MapPost("/items", CreateItem);
"""
    found = inventory({"Program.cs": code})
    assert findings(found) == {("BSSEC040", "Program.cs", line_of(code, "MapPost"))}


MODULE = """\
public class CatalogModule : IModule
{
    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        var group = endpoints
            .MapGroup("api/catalog")
            .WithTags("Catalog")
            .RequireAuthorization();
        group.MapCreateBrandEndpoint();
        endpoints.MapPublicBrandsEndpoint();
    }
}
"""
CREATE_BRAND = """\
public static class CreateBrandEndpoint
{
    internal static RouteHandlerBuilder MapCreateBrandEndpoint(this IEndpointRouteBuilder endpoints)
    {
        return endpoints.MapPost("/brands", async (CreateBrandCommand c, IMediator m) => Results.Ok())
            .WithName("CreateBrand");
    }

    internal static RouteHandlerBuilder MapPublicBrandsEndpoint(this IEndpointRouteBuilder endpoints)
    {
        return endpoints.MapPost("/public-brands", async (CreateBrandCommand c) => Results.Ok());
    }
}
"""


def test_aspnet_route_mapped_in_an_extension_method_gets_the_callers_group() -> None:
    files = {"CatalogModule.cs": MODULE, "Brands/CreateBrandEndpoint.cs": CREATE_BRAND}
    found = by_route(inventory(files))
    brand = found[("POST", "/api/catalog/brands")]
    assert not brand.public
    assert brand.file == "Brands/CreateBrandEndpoint.cs"
    assert brand.line == line_of(CREATE_BRAND, '"/brands"')
    # Mapped on the builder itself (no group): public, and reported where it is mapped.
    assert found[("POST", "/public-brands")].public
    assert findings(inventory(files)) == {
        ("BSSEC040", "Brands/CreateBrandEndpoint.cs", line_of(CREATE_BRAND, '"/public-brands"'))
    }


AUTH_EXTENSIONS = """\
public static class EndpointExtensions
{
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope)
        where TBuilder : IEndpointConventionBuilder
    {
        return builder.RequireAuthorization(p => p.RequireClaim("scope", scope));
    }

    public static TBuilder WithAudit<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        return builder.WithMetadata(new AuditAttribute());
    }
}
"""


def test_aspnet_project_conventions_that_require_authorization_protect() -> None:
    code = """\
var app = builder.Build();
app.MapPost("/orders", CreateOrder).RequireScope("orders:write");
app.MapPut("/orders/{id}", UpdateOrder).RequirePermission(Permissions.Orders.Update);
app.MapDelete("/orders/{id}", DeleteOrder).WithAudit();
"""
    found = by_route(inventory({"Program.cs": code, "EndpointExtensions.cs": AUTH_EXTENSIONS}))
    assert not found[("POST", "/orders")].public
    assert not found[("PUT", "/orders/{id}")].public
    assert found[("DELETE", "/orders/{id}")].public


def test_aspnet_authorize_attribute_on_a_lambda_protects_the_route() -> None:
    code = """\
var app = builder.Build();
app.MapPost("/impersonation/end", [Authorize] async (IMediator m) => Results.Ok());
app.MapPost("/orders", [Authorize(Roles = "admin")] async (Order o) => Results.Ok());
app.MapPost("/notes", [AllowAnonymous] async (Note n) => Results.Ok());
"""
    found = by_route(inventory({"Program.cs": code}))
    assert found[("POST", "/impersonation/end")].access_control == "[Authorize]"
    assert not found[("POST", "/orders")].public
    assert found[("POST", "/notes")].public


def test_aspnet_extension_mapping_a_protected_route_protects_no_other_route() -> None:
    module = """\
public static class IdentityModule
{
    public static void MapIdentity(this WebApplication app)
    {
        var group = app.MapGroup("/identity");
        group.MapChangePasswordEndpoint();
        group.MapSelfRegisterEndpoint();
    }
}
"""
    endpoints = """\
public static class UserEndpoints
{
    internal static RouteHandlerBuilder MapChangePasswordEndpoint(this IEndpointRouteBuilder e)
    {
        return e.MapPost("/change-password", Change).RequireAuthorization();
    }

    internal static RouteHandlerBuilder MapSelfRegisterEndpoint(this IEndpointRouteBuilder e)
    {
        return e.MapPost("/users", Register);
    }
}
"""
    found = by_route(inventory({"IdentityModule.cs": module, "UserEndpoints.cs": endpoints}))
    assert not found[("POST", "/identity/change-password")].public
    assert found[("POST", "/identity/users")].public


# --------------------------------------------------------------------------- wrapper calls

LINK_ROUTES = """\
const { Router } = require("express");
const asyncHandler = require("express-async-handler");
const auth = require("../handlers/auth.handler");
const validate = require("../handlers/validate");
const router = Router();

router.patch(
  "/admin/:id",
  asyncHandler(auth.apikey),
  asyncHandler(auth.jwt),
  asyncHandler(auth.admin),
  asyncHandler(link.edit)
);
router.post("/links", catchAsync(requireAuth), asyncHandler(link.create));
router.post("/items", validate(itemValidation.adminLogin), asyncHandler(item.create));
router.delete("/tags/:id", asyncHandler(link.remove));

module.exports = router;
"""


def test_express_middleware_wrapped_in_a_call_is_judged_by_what_it_wraps() -> None:
    found = by_route(inventory({"server/routes/link.routes.js": LINK_ROUTES}))
    admin = found[("PATCH", "/admin/:id")]
    assert not admin.public
    assert "asyncHandler(auth.jwt)" in admin.access_control
    assert not found[("POST", "/links")].public
    # A schema handed to a validator is not middleware; a wrapped handler is no guard.
    assert found[("POST", "/items")].public
    assert found[("DELETE", "/tags/:id")].public


def test_gin_middleware_wrapped_in_a_call_is_judged_by_what_it_wraps() -> None:
    code = """\
package router

import "github.com/gin-gonic/gin"

func Register(r *gin.Engine) {
	r.POST("/admin/users", wrap(auth.Required), createUser)
	r.POST("/items", wrap(metrics.Count), createItem)
}
"""
    found = by_route(inventory({"router/router.go": code}))
    assert not found[("POST", "/admin/users")].public
    assert found[("POST", "/items")].public


# --------------------------------------------------------------------------- session checks

APP_SYNC = """\
import express from 'express';
import session from 'express-session';
import { validateSessionMiddleware } from './util/middlewares.js';

const app = express();
app.use(express.json());
app.use(validateSessionMiddleware);
export { app as handlers };

app.post('/sync', async (req, res) => res.send('ok'));
app.post('/delete-user-file', async (req, res) => res.send('ok'));
"""
SESSION_ONLY = """\
const express = require('express');
const session = require('express-session');
const passport = require('passport');
const app = express();
app.use(session({ secret: 'x', resave: false }));
app.use(passport.session());
app.post('/notes', createNote);
app.post('/profile', requireSession, updateProfile);
app.post('/avatar', sessionAuth, updateAvatar);
"""


def test_express_session_checking_middleware_protects() -> None:
    found = by_route(inventory({"src/app-sync.js": APP_SYNC}))
    assert not found[("POST", "/sync")].public
    assert found[("POST", "/sync")].access_control == "validateSessionMiddleware"


def test_express_session_loading_middleware_protects_nothing() -> None:
    found = by_route(inventory({"app.js": SESSION_ONLY}))
    assert found[("POST", "/notes")].public
    assert not found[("POST", "/profile")].public
    assert not found[("POST", "/avatar")].public


UI_GO = """\
package ui

import "net/http"

func Serve(store *Storage) http.Handler {
	webSessionMiddleware := newWebSessionMiddleware(store)
	csrfMiddleware := newCSRFMiddleware()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /feed/{feedID}/remove", handler.removeFeed)
	mux.HandleFunc("POST /users/{userID}/remove", handler.removeUser)
	return webSessionMiddleware.handle(csrfMiddleware.handle(mux))
}
"""
SESSION_GO = """\
package ui

import "net/http"

type webSessionMiddleware struct{ store *Storage }

func newWebSessionMiddleware(store *Storage) *webSessionMiddleware {
	return &webSessionMiddleware{store: store}
}

func (m *webSessionMiddleware) handle(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !request.IsAuthenticated(r) {
			response.HTMLRedirect(w, r, loginRedirectURL(r.RequestURI))
			return
		}
		next.ServeHTTP(w, r)
	})
}
"""
CSRF_GO = """\
package ui

import "net/http"

type csrfMiddleware struct{}

func (m *csrfMiddleware) handle(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !validToken(r) {
			w.WriteHeader(401)
			return
		}
		next.ServeHTTP(w, r)
	})
}
"""
METRICS_GO = """\
package ui

import "net/http"

type webSessionMiddleware struct{}

func (m *webSessionMiddleware) handle(next http.Handler) http.Handler {
	return next
}
"""


def test_go_middleware_checking_the_caller_by_its_body_protects_the_mux() -> None:
    files = {"internal/ui/ui.go": UI_GO, "internal/ui/web_session_middleware.go": SESSION_GO}
    found = by_route(inventory(files))
    removed = found[("POST", "/feed/{feedID}/remove")]
    assert not removed.public
    assert removed.access_control == "webSessionMiddleware.handle(...)"
    assert findings(inventory(files)) == set()


def test_go_middleware_judged_by_body_only_when_it_checks_the_caller() -> None:
    # A pass-through of the same name, and a CSRF check answering 401, protect nothing.
    for other in (METRICS_GO, CSRF_GO):
        files = {"internal/ui/ui.go": UI_GO, "internal/ui/other.go": other}
        found = by_route(inventory(files))
        assert found[("POST", "/users/{userID}/remove")].public


# --------------------------------------------------------------------------- gin Group().Use()

SYS_USER_GO = """\
package router

import "github.com/gin-gonic/gin"

func registerSysUserRouter(v1 *gin.RouterGroup, authMiddleware *jwt.GinJWTMiddleware) {
	api := apis.SysUser{}
	r := v1.Group("/sys-user").Use(authMiddleware.MiddlewareFunc()).Use(middleware.AuthCheckRole())
	{
		r.POST("", api.Insert)
		r.DELETE("/:id", api.Delete)
	}
	open := v1.Group("/public").Use(middleware.Logger())
	{
		open.POST("/feedback-form", api.Feedback)
	}
}
"""


def test_gin_group_chained_with_use_keeps_prefix_and_guard() -> None:
    found = by_route(inventory({"app/admin/router/sys_user.go": SYS_USER_GO}))
    insert = found[("POST", "/sys-user")]
    assert not insert.public
    assert "authMiddleware.MiddlewareFunc()" in insert.access_control
    assert not found[("DELETE", "/sys-user/:id")].public
    assert found[("POST", "/public/feedback-form")].public


# --------------------------------------------------------------------------- docs handlers

SWAGGER_GO = """\
package router

import "github.com/gin-gonic/gin"

func sysSwaggerRouter(r *gin.RouterGroup) {
	r.GET("/swagger/admin/*any", ginSwagger.WrapHandler(swaggerfiles.NewHandler()))
	r.GET("/admin/assets/*any", gin.WrapH(http.FileServer(http.Dir("./static"))))
	r.GET("/admin/users", listUsers)
	r.POST("/admin/static/upload", uploadStatic)
}
"""


def test_documentation_and_static_handlers_under_an_admin_path_are_not_admin_routes() -> None:
    found = inventory({"router/sys_router.go": SWAGGER_GO})
    assert findings(found) == {
        ("BSSEC043", "router/sys_router.go", line_of(SWAGGER_GO, '"/admin/users"')),
        ("BSSEC043", "router/sys_router.go", line_of(SWAGGER_GO, '"/admin/static/upload"')),
    }


# --------------------------------------------------------------------------- NestJS

REQUIRES_SCOPE = """\
import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';

export function RequiresScope(...scopes: string[]) {
  return applyDecorators(
    SetMetadata('requires_scope', scopes),
    UseGuards(AuthGuard('jwt'), HasPermissionGuard)
  );
}

export const Throttled = () => applyDecorators(UseGuards(ThrottlerGuard));
"""
ORDER_CONTROLLER = """\
import { Controller, Post, Delete, Param } from '@nestjs/common';
import { RequiresScope } from '../decorators/requires-scope.decorator';

@Controller('order')
export class OrderController {
  @Post()
  @RequiresScope('api:write')
  public async createOrder() {}

  @Delete(':id')
  @Throttled()
  public async deleteOrder(@Param('id') id: string) {}
}
"""


def test_nest_decorator_composing_an_auth_guard_is_a_guard() -> None:
    files = {
        "apps/api/src/decorators/requires-scope.decorator.ts": REQUIRES_SCOPE,
        "apps/api/src/order/order.controller.ts": ORDER_CONTROLLER,
    }
    found = by_route(inventory(files))
    create = found[("POST", "/order")]
    assert not create.public
    assert "RequiresScope" in create.access_control
    # A composition of a guard that checks no caller protects nothing.
    assert found[("DELETE", "/order/:id")].public


# --------------------------------------------------------------------------- development only

DEV_SERVER = """\
const express = require('express');
const app = express();
const isDev = process.env.NODE_ENV === 'development';

if (isDev) {
  app.post('/test-x-www-form-urlencoded', async (req, res) => res.send('OK'));
}
if (process.env.NODE_ENV !== 'production') {
  app.delete('/_e2e/snapshot', async (req, res) => res.send('OK'));
}
if (!isDev) {
  app.post('/notes', async (req, res) => res.send('OK'));
} else {
  app.post('/drafts', async (req, res) => res.send('OK'));
}
if (isDev && allowDebug) {
  app.post('/debug-notes', async (req, res) => res.send('OK'));
}
"""


def test_express_routes_registered_only_in_development_are_not_findings() -> None:
    found = inventory({"server/server.js": DEV_SERVER})
    routes = by_route(found)
    dev = routes[("POST", "/test-x-www-form-urlencoded")]
    assert dev.access_control == "development only (if (isDev))"
    assert not routes[("DELETE", "/_e2e/snapshot")].public
    assert findings(found) == {
        ("BSSEC040", "server/server.js", line_of(DEV_SERVER, "'/notes'")),
        ("BSSEC040", "server/server.js", line_of(DEV_SERVER, "'/drafts'")),
        ("BSSEC043", "server/server.js", line_of(DEV_SERVER, "'/debug-notes'")),
    }


def test_go_middleware_requiring_access_or_a_user_protects() -> None:
    """goatcounter: ``r.With(requireAccess(goatcounter.AccessSettings))``; an access log or
    a user-agent parser protects nothing."""
    code = """\
package handlers

import "github.com/go-chi/chi/v5"

func (h settings) mount(r chi.Router) {
	set := r.With(requireAccess(goatcounter.AccessSettings))
	set.Post("/settings/main", h.main)
	r.With(ensureUser).Post("/user/pref", h.pref)
	r.With(accessLog, userAgent).Post("/count", h.count)
}
"""
    found = by_route(inventory({"handlers/settings.go": code}))
    assert not found[("POST", "/settings/main")].public
    assert not found[("POST", "/user/pref")].public
    assert found[("POST", "/count")].public


def test_plural_and_participle_access_words_name_a_check() -> None:
    from backend_skills.checkers.analyses._authz_vocabulary import auth_name

    # CTFd's decorators
    assert auth_name("admins_only")
    assert auth_name("authed_only")
    assert not auth_name("statuses")
    assert not auth_name("access_log")


def test_echo_group_declared_in_a_var_block_keeps_its_middleware() -> None:
    """listmonk: ``var ( g = e.Group("", a.auth.Middleware) )`` inside the function that
    registers the routes."""
    code = """\
package main

import "github.com/labstack/echo/v4"

func initHTTPHandlers(e *echo.Echo, a *App) {
	{
		var (
			g = e.Group("", a.auth.Middleware)
		)
		g.POST("/api/settings", a.UpdateSettings)
	}
	e.POST("/api/public/subscription", a.Subscribe)
}
"""
    found = by_route(inventory({"cmd/handlers.go": code}))
    assert not found[("POST", "/api/settings")].public
    assert found[("POST", "/api/settings")].access_control == "a.auth.Middleware"
    assert found[("POST", "/api/public/subscription")].public


@pytest.mark.parametrize(
    ("guard", "checks"),
    [
        ("SessionGuard", True),  # hedgedoc
        ("UserGuard", True),
        ("JwtAuthGuard", True),
        ("ThrottlerGuard", False),
        ("FeatureFlagGuard", False),
        ("OptionalSessionGuard", False),
    ],
)
def test_nest_guards_on_the_session_or_the_user_check_the_caller(guard: str, checks: bool) -> None:
    from backend_skills.checkers.endpoints.nest import guard_auth

    assert guard_auth(guard) is checks


ADMIN_ATTRIBUTE = """\
using Microsoft.AspNetCore.Authorization;

namespace Ombi.Attributes
{
    public class AdminAttribute : AuthorizeAttribute
    {
        public AdminAttribute() { Roles = "Admin"; }
    }
}
"""
API_FILTER = """\
using Microsoft.AspNetCore.Mvc.Filters;

public class ApiAuthorizationFilter : IAsyncAuthorizationFilter
{
    public Task OnAuthorizationAsync(AuthorizationFilterContext context) => Task.CompletedTask;
}
"""
SETTINGS_CONTROLLER = """\
using Microsoft.AspNetCore.Mvc;

[ApiController]
[Route("api/v1/settings")]
public class SettingsController : ControllerBase
{
    [Admin]
    [HttpPost("ombi")]
    public bool OmbiSettings(OmbiSettings ombi) => true;

    [ServiceFilter(typeof(ApiAuthorizationFilter))]
    [HttpPost("scripts")]
    public bool RunScript(Script script) => true;

    [Obsolete]
    [HttpPost("theme")]
    public bool Theme(Theme theme) => true;
}
"""


def test_aspnet_the_projects_own_authorization_attributes_and_filters_protect() -> None:
    """Ombi's ``[Admin]`` (an ``AuthorizeAttribute``) and Remotely's
    ``[ServiceFilter(typeof(ApiAuthorizationFilter))]`` (an ``IAsyncAuthorizationFilter``),
    declared in other files; another attribute protects nothing."""
    found = by_route(
        inventory(
            {
                "src/Ombi/Attributes/AdminAttribute.cs": ADMIN_ATTRIBUTE,
                "Server/Auth/ApiAuthorizationFilter.cs": API_FILTER,
                "src/Ombi/Controllers/SettingsController.cs": SETTINGS_CONTROLLER,
            }
        )
    )
    assert found[("POST", "/api/v1/settings/ombi")].access_control == "[Admin]"
    assert not found[("POST", "/api/v1/settings/scripts")].public
    assert found[("POST", "/api/v1/settings/theme")].public
