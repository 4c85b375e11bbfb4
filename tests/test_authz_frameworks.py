"""security.authorization for Django Ninja, Litestar and Starlette, and the access
controls of the other frameworks that were missing (issue 16).

Each application has an unprotected write endpoint and a public admin route: it loses
authorization points and the report names both at their file and line; the same
application with its access control in place keeps them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_skills import Report, score
from backend_skills.core.models import Endpoint

from .conftest import TreeFactory

CRITERION = "security.authorization"


def security(root: Path) -> Report:
    return score(root, skills=["security"], isolated=True, cache=False)


def authz(report: Report) -> float | None:
    return report.criterion(CRITERION).score


def line_of(root: Path, rel: str, snippet: str) -> int:
    lines = [
        n for n, text in enumerate((root / rel).read_text().splitlines(), 1) if snippet in text
    ]
    assert len(lines) == 1, (snippet, lines)
    return lines[0]


def rules_at(report: Report) -> set[tuple[str, str, int | None]]:
    return {(f.rule, f.path, f.line) for f in report.findings if f.criterion == CRITERION}


def endpoint(report: Report, method: str, path: str) -> Endpoint:
    found = [e for e in report.endpoints if (e.method, e.path) == (method, path)]
    assert len(found) == 1, [(e.method, e.path) for e in report.endpoints]
    return found[0]


# --------------------------------------------------------------------------- Django Ninja

NINJA_URLS = """
    from django.urls import path

    from .api import api

    urlpatterns = [path("api/", api.urls)]
    """
NINJA_API = """
    from ninja import NinjaAPI
    from ninja.security import django_auth

    api = NinjaAPI({api_auth})
    api.add_router("/shop/", "shop.api.router")


    @api.get("/health", auth=None)
    def health(request):
        return {{"ok": True}}
    """
NINJA_SHOP = """
    from ninja import Router

    router = Router()
    admin = Router({admin_auth})
    router.add_router("/admin", admin)


    @router.post("/orders")
    def create_order(request):
        return {{}}


    @admin.get("/users")
    def users(request):
        return []
    """


def _ninja(make_tree: TreeFactory, api_auth: str, admin_auth: str) -> Path:
    return make_tree(
        {
            "project/__init__.py": "",
            "project/urls.py": NINJA_URLS,
            "project/api.py": NINJA_API.format(api_auth=api_auth),
            "shop/__init__.py": "",
            "shop/api.py": NINJA_SHOP.format(admin_auth=admin_auth),
        }
    )


def test_ninja_without_auth_loses_points_and_names_the_endpoints(make_tree: TreeFactory) -> None:
    root = _ninja(make_tree, "", "")
    report = security(root)
    order = endpoint(report, "POST", "/api/shop/orders")
    assert (order.file, order.framework, order.public) == ("shop/api.py", "Django Ninja", True)
    assert order.line == line_of(root, "shop/api.py", "def create_order")
    users = line_of(root, "shop/api.py", "def users")
    assert endpoint(report, "GET", "/api/shop/admin/users").public
    assert ("BSSEC040", "shop/api.py", order.line) in rules_at(report)
    assert ("BSSEC043", "shop/api.py", users) in rules_at(report)
    assert (authz(report) or 0) < 50


def test_ninja_api_auth_protects_every_router_below(make_tree: TreeFactory) -> None:
    report = security(_ninja(make_tree, "auth=django_auth", ""))
    assert endpoint(report, "POST", "/api/shop/orders").access_control == "auth=django_auth"
    assert endpoint(report, "GET", "/api/shop/admin/users").access_control == "auth=django_auth"
    assert endpoint(report, "GET", "/api/health").public  # auth=None, public by design
    assert not rules_at(report)
    assert authz(report) == 100


def test_ninja_router_opting_out_of_the_api_auth_is_public(make_tree: TreeFactory) -> None:
    root = _ninja(make_tree, "auth=django_auth", "auth=None")
    report = security(root)
    assert endpoint(report, "GET", "/api/shop/admin/users").public
    assert ("BSSEC043", "shop/api.py", line_of(root, "shop/api.py", "def users")) in rules_at(
        report
    )


def test_ninja_operation_auth_none_under_a_protected_api_is_an_override(
    make_tree: TreeFactory,
) -> None:
    root = make_tree(
        {
            "urls.py": NINJA_URLS.replace("from .api", "from api"),
            "api.py": """
                from ninja import NinjaAPI
                from ninja.security import HttpBearer

                class Bearer(HttpBearer):
                    def authenticate(self, request, token):
                        return token == "x"

                api = NinjaAPI(auth=Bearer())

                @api.delete("/orders/{order_id}", auth=None)
                def delete_order(request, order_id: int):
                    return {}

                @api.put("/orders/{order_id}")
                def update_order(request, order_id: int):
                    return {}
                """,
        }
    )
    report = security(root)
    line = line_of(root, "api.py", "def delete_order")
    assert ("BSSEC042", "api.py", line) in rules_at(report)
    message = next(f.message for f in report.findings if f.rule == "BSSEC042")
    assert "auth=None" in message
    assert "Bearer" in message
    assert endpoint(report, "PUT", "/api/orders/{order_id}").access_control == "auth=Bearer"


# --------------------------------------------------------------------------- Litestar

LITESTAR_APP = """
    from litestar import Litestar, Router, delete, get, post
    from litestar.connection import ASGIConnection
    from litestar.controller import Controller
    from litestar.handlers.base import BaseRouteHandler


    def is_admin(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        if not connection.user.is_admin:
            raise PermissionError


    @post("/orders"{order_guards})
    async def create_order() -> None:
        ...


    @get("/admin/stats")
    async def stats() -> dict:
        return {{}}


    class UserController(Controller):
        path = "/users"
        guards = [is_admin]

        @delete("/{{user_id:int}}")
        async def remove(self, user_id: int) -> None:
            ...


    api = Router(path="/api", route_handlers=[create_order, UserController])
    app = Litestar(route_handlers=[api, stats]{app_guards})
    """


def _litestar(make_tree: TreeFactory, order_guards: str = "", app_guards: str = "") -> Path:
    return make_tree(
        {"app.py": LITESTAR_APP.format(order_guards=order_guards, app_guards=app_guards)}
    )


def test_litestar_without_guards_loses_points_and_names_the_endpoints(
    make_tree: TreeFactory,
) -> None:
    root = _litestar(make_tree)
    report = security(root)
    order = endpoint(report, "POST", "/api/orders")
    assert (order.framework, order.public) == ("Litestar", True)
    assert order.line == line_of(root, "app.py", "async def create_order")
    stats = endpoint(report, "GET", "/admin/stats")
    assert stats.public
    assert ("BSSEC040", "app.py", order.line) in rules_at(report)
    assert ("BSSEC043", "app.py", stats.line) in rules_at(report)
    # the controller's guard applies to its handlers, under the router's path
    removed = endpoint(report, "DELETE", "/api/users/{user_id:int}")
    assert removed.access_control == "guards: is_admin"
    assert removed.handler == "UserController.remove"
    assert (authz(report) or 0) < 50


def test_litestar_guards_at_handler_and_app_level_protect(make_tree: TreeFactory) -> None:
    report = security(_litestar(make_tree, ", guards=[is_admin]", ", guards=[is_admin]"))
    assert endpoint(report, "POST", "/api/orders").access_control == "guards: is_admin"
    assert not rules_at(report)
    assert authz(report) == 100


def test_litestar_jwt_backend_protects_all_but_its_exclude_paths(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "app.py": """
                from litestar import Litestar, post
                from litestar.security.jwt import JWTAuth

                jwt_auth = JWTAuth[dict](
                    retrieve_user_handler=lambda token, conn: {},
                    token_secret="x",
                    exclude=["/login", "/admin/reset"],
                )

                @post("/login")
                async def login() -> None: ...

                @post("/orders")
                async def create_order() -> None: ...

                @post("/admin/reset")
                async def reset() -> None: ...

                @post("/admin/purge", exclude_from_auth=True)
                async def purge() -> None: ...

                app = Litestar([login, create_order, reset, purge], on_app_init=[jwt_auth.on_app_init])
                """
        }
    )
    report = security(root)
    assert endpoint(report, "POST", "/orders").access_control == "JWTAuth"
    assert endpoint(report, "POST", "/login").public
    assert endpoint(report, "POST", "/admin/reset").public
    assert endpoint(report, "POST", "/admin/purge").public
    assert {r for r, _, _ in rules_at(report)} == {"BSSEC043"}
    assert ("BSSEC043", "app.py", line_of(root, "app.py", "def purge")) in rules_at(report)


# --------------------------------------------------------------------------- Starlette

STARLETTE_APP = """
    from starlette.applications import Starlette
    from starlette.authentication import requires
    from starlette.middleware import Middleware
    from starlette.middleware.authentication import AuthenticationMiddleware
    from starlette.responses import JSONResponse
    from starlette.routing import Mount, Route

    from auth import TokenBackend


    {order_decorator}async def create_order(request):
        return JSONResponse({{}})


    async def delete_order(request):
        if not request.user.is_authenticated:
            return JSONResponse({{}}, status_code=401)
        return JSONResponse({{}})


    {admin_decorator}async def admin_users(request):
        return JSONResponse([])


    admin_routes = [Route("/users", admin_users)]

    routes = [
        Route("/orders", create_order, methods=["POST"]),
        Route("/orders/{{order_id}}", delete_order, methods=["DELETE"]),
        Mount("/admin", routes=admin_routes),
    ]

    app = Starlette(
        routes=routes,
        middleware=[Middleware(AuthenticationMiddleware, backend=TokenBackend())],
    )
    """


def _starlette(make_tree: TreeFactory, decorator: str = "") -> Path:
    return make_tree(
        {"app.py": STARLETTE_APP.format(order_decorator=decorator, admin_decorator=decorator)}
    )


def test_starlette_routes_without_requires_lose_points(make_tree: TreeFactory) -> None:
    root = _starlette(make_tree)
    report = security(root)
    order = endpoint(report, "POST", "/orders")
    assert (order.framework, order.public) == ("Starlette", True)
    assert order.line == line_of(root, "app.py", "async def create_order")
    users = endpoint(report, "GET", "/admin/users")
    assert users.line == line_of(root, "app.py", "async def admin_users")
    assert ("BSSEC040", "app.py", order.line) in rules_at(report)
    assert ("BSSEC043", "app.py", users.line) in rules_at(report)
    # AuthenticationMiddleware identifies the caller; the handler's check turns it away
    assert endpoint(report, "DELETE", "/orders/{order_id}").access_control == (
        "checks request.user"
    )
    assert (authz(report) or 0) < 50


def test_starlette_requires_protects(make_tree: TreeFactory) -> None:
    report = security(_starlette(make_tree, '@requires("authenticated")\n    '))
    assert endpoint(report, "POST", "/orders").access_control == "@requires(authenticated)"
    assert not rules_at(report)
    assert authz(report) == 100


def test_starlette_authentication_middleware_on_a_mount_protects_it(
    make_tree: TreeFactory,
) -> None:
    root = make_tree(
        {
            "app.py": """
                from starlette.applications import Starlette
                from starlette.middleware import Middleware
                from starlette.routing import Mount, Route

                from security import JWTAuthMiddleware

                async def users(request): ...

                app = Starlette(routes=[
                    Mount("/admin", routes=[Route("/users", users)],
                          middleware=[Middleware(JWTAuthMiddleware)]),
                ])
                """
        }
    )
    report = security(root)
    assert endpoint(report, "GET", "/admin/users").access_control == "JWTAuthMiddleware"
    assert not rules_at(report)


# --------------------------------------------------------------------------- other gaps


@pytest.mark.parametrize(
    ("imports", "protection", "expected"),
    [
        (
            "from fastapi.security import APIKeyHeader\napi_key_header = APIKeyHeader(name='X-Key')",
            "dependencies=[Depends(api_key_header)]",
            "Depends(api_key_header)",
        ),
        (
            "from fastapi import Security\nfrom auth import get_user",
            "dependencies=[Security(get_user)]",
            "Security(get_user)",
        ),
    ],
)
def test_fastapi_api_key_and_security_dependencies(
    make_tree: TreeFactory, imports: str, protection: str, expected: str
) -> None:
    code = (
        "from fastapi import APIRouter, Depends\n"
        + imports
        + "\nrouter = APIRouter()\n\n"
        + f"@router.post('/orders', {protection})\ndef create_order():\n    return {{}}\n"
    )
    report = security(make_tree({"api.py": code}))
    assert endpoint(report, "POST", "/orders").access_control == expected


@pytest.mark.parametrize(
    ("decorator", "expected"),
    [
        ("@admin_permission.require(http_exception=403)", "@admin_permission.require"),
        ("@roles_required('admin')", "@roles_required"),
        ("@auth_required('token')", "@auth_required"),
        ("@jwt_required()", "@jwt_required"),
        ("@fresh_login_required", "@fresh_login_required"),
    ],
)
def test_flask_extension_decorators_protect(
    make_tree: TreeFactory, decorator: str, expected: str
) -> None:
    code = (
        "from flask import Flask\napp = Flask(__name__)\n\n"
        f"@app.post('/orders')\n{decorator}\ndef create_order():\n    return {{}}\n"
    )
    report = security(make_tree({"app.py": code}))
    assert endpoint(report, "POST", "/orders").access_control == expected


@pytest.mark.parametrize("mixin", ["UserPassesTestMixin", "StaffuserRequiredMixin"])
def test_django_mixins_without_an_auth_word_protect(make_tree: TreeFactory, mixin: str) -> None:
    root = make_tree(
        {
            "urls.py": """
                from django.urls import path
                from views import Orders
                urlpatterns = [path("orders/", Orders.as_view())]
                """,
            "views.py": f"""
                from django.views.generic import CreateView

                class Orders({mixin}, CreateView):
                    pass
                """,
        }
    )
    report = security(root)
    assert endpoint(report, "POST", "/orders/").access_control == mixin
    assert not rules_at(report)


def test_litestar_backend_installed_by_a_plugin_protects_handlers_it_adds(
    make_tree: TreeFactory,
) -> None:
    root = make_tree(
        {
            "guards.py": """
                from litestar.security.jwt import OAuth2PasswordBearerAuth

                auth = OAuth2PasswordBearerAuth[dict](
                    retrieve_user_handler=lambda token, conn: {},
                    token_secret="x",
                    token_url="/api/access/login",
                    exclude=["^/health"],
                )
                """,
            "plugin.py": """
                from litestar.plugins import InitPluginProtocol

                from controllers import Orders
                from guards import auth

                class ApplicationCore(InitPluginProtocol):
                    def on_app_init(self, app_config):
                        app_config.route_handlers.extend([Orders])
                        return auth.on_app_init(app_config)
                """,
            "controllers.py": """
                from litestar import delete, get
                from litestar.controller import Controller

                class Orders(Controller):
                    path = "/api/orders"

                    @delete("/{order_id:int}")
                    async def remove(self, order_id: int) -> None: ...

                    @delete("/{order_id:int}/purge", exclude_from_auth=True)
                    async def purge(self, order_id: int) -> None: ...
                """,
        }
    )
    report = security(root)
    removed = endpoint(report, "DELETE", "/api/orders/{order_id:int}")
    assert removed.access_control == "OAuth2PasswordBearerAuth"
    purge = endpoint(report, "DELETE", "/api/orders/{order_id:int}/purge")
    assert purge.public
    assert rules_at(report) == {("BSSEC040", "controllers.py", purge.line)}


def test_django_before_1_10_patterns_and_dotted_string_views(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "shop/__init__.py": "",
            "shop/settings.py": 'ROOT_URLCONF = "shop.urls"\n',
            "shop/urls.py": """
                from django.conf.urls import include, patterns, url
                from django.contrib import admin

                urlpatterns = patterns(
                    "",
                    url(r"^orders/", include("shop.order_urls")),
                    url(r"^$", "shop.views.list_orders"),
                    url(r"^admin/", include(admin.site.urls)),
                )
                """,
            "shop/order_urls.py": """
                from django.conf.urls import patterns, url

                urlpatterns = patterns(
                    "shop.views",
                    url(r"^create/$", "create_order"),
                    url(r"^list/$", "list_orders"),
                )
                """,
            "shop/views.py": """
                from django.contrib.auth.decorators import login_required

                def create_order(request):
                    Order(data=request.POST).save()

                @login_required
                def list_orders(request):
                    return render(request, "orders.html")
                """,
        }
    )
    report = security(root)
    created = endpoint(report, "POST", "/orders/create/")
    assert (created.file, created.public) == ("shop/views.py", True)
    assert ("BSSEC040", "shop/views.py", created.line) in rules_at(report)
    assert endpoint(report, "GET", "/orders/list/").access_control == "login_required"
    assert endpoint(report, "GET", "/").handler == "list_orders"  # a full dotted path
    assert endpoint(report, "ANY", "/admin/").access_control == "Django admin (staff login)"
