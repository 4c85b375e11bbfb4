"""security.authorization and the endpoint inventory (issue 16, first "Done when" line).

Each vulnerable application loses authorization points and names every unprotected
endpoint at its file and line in the report's ``endpoints`` list; the same application
with access control in place does not.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend_skills import Report, score
from backend_skills.core.checker import RenderOptions
from backend_skills.reporters import markdown as markdown_reporter
from backend_skills.reporters import text as text_reporter
from backend_skills.rules import RULES, Rule

from .conftest import TreeFactory, write_tree

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


def open_endpoints(report: Report) -> set[tuple[str, str | None, str, int | None]]:
    return {(e.method, e.path, e.file, e.line) for e in report.endpoints if e.public}


def rules_at(report: Report) -> set[tuple[str, str, int | None]]:
    return {(f.rule, f.path, f.line) for f in report.findings if f.criterion == CRITERION}


# --------------------------------------------------------------------------- DRF

DRF_SETTINGS = """
INSTALLED_APPS = ["django.contrib.auth", "rest_framework", "shop"]
ROOT_URLCONF = "project.urls"
"""
DRF_SETTINGS_PROTECTED = (
    DRF_SETTINGS
    + """
REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
"""
)
DRF_TREE = {
    "project/__init__.py": "",
    "project/urls.py": """
        from django.contrib import admin
        from django.urls import include, path

        urlpatterns = [
            path("admin/", admin.site.urls),
            path("api/", include("shop.urls")),
        ]
        """,
    "shop/__init__.py": "",
    "shop/urls.py": """
        from django.urls import path
        from rest_framework.routers import DefaultRouter

        from . import views
        from .views import OrderViewSet, ProductList

        router = DefaultRouter()
        router.register(r"orders", OrderViewSet, basename="order")

        urlpatterns = [
            path("products/", ProductList.as_view()),
            path("refund/<int:pk>/", views.refund),
        ] + router.urls
        """,
    "shop/views.py": """
        from rest_framework import generics, viewsets
        from rest_framework.decorators import api_view

        class ProductList(generics.ListCreateAPIView):
            queryset = None

        class OrderViewSet(viewsets.ModelViewSet):
            queryset = None

        @api_view(["POST"])
        def refund(request, pk):
            return None
        """,
}


def test_drf_left_at_allow_any_loses_points_and_names_every_open_endpoint(
    make_tree: TreeFactory,
) -> None:
    root = make_tree({**DRF_TREE, "project/settings.py": DRF_SETTINGS})
    report = security(root)
    views = "shop/views.py"
    product = line_of(root, views, "class ProductList")
    orders = line_of(root, views, "class OrderViewSet")
    refund = line_of(root, views, "def refund")
    expected = {
        ("POST", "/api/products/", views, product),
        ("GET", "/api/products/", views, product),
        ("POST", "/api/orders/", views, orders),
        ("PUT", "/api/orders/{pk}/", views, orders),
        ("PATCH", "/api/orders/{pk}/", views, orders),
        ("DELETE", "/api/orders/{pk}/", views, orders),
        ("POST", "/api/refund/<int:pk>/", views, refund),
    }
    assert expected <= open_endpoints(report)
    admin = [e for e in report.endpoints if e.path == "/admin/"]
    assert admin
    assert not admin[0].public
    found = rules_at(report)
    for method, _path, path, line in expected:
        if method != "GET":
            assert ("BSSEC040", path, line) in found
    settings_line = line_of(root, "project/settings.py", "INSTALLED_APPS")
    assert ("BSSEC041", "project/settings.py", settings_line) in found
    message = next(f.message for f in report.findings if f.rule == "BSSEC041")
    assert "AllowAny" in message
    assert "6 write endpoint" in message
    assert (authz(report) or 0) < 40


def test_drf_with_a_default_permission_keeps_authorization_points(make_tree: TreeFactory) -> None:
    root = make_tree({**DRF_TREE, "project/settings.py": DRF_SETTINGS_PROTECTED})
    report = security(root)
    assert not [e for e in report.endpoints if e.public and e.method != "GET"]
    assert not rules_at(report)
    assert authz(report) == 100
    product = next(e for e in report.endpoints if e.path == "/api/products/" and e.method == "POST")
    assert product.access_control == "DEFAULT_PERMISSION_CLASSES: IsAuthenticated"


def test_drf_action_opting_out_of_class_protection_is_reported(make_tree: TreeFactory) -> None:
    rule = RULES["BSSEC042"]
    firing = rule.firing[0]  # the DRF one
    root = make_tree({**firing.files, firing.path: firing.code})
    report = security(root)
    line = line_of(root, "views.py", "def refund")
    assert ("BSSEC042", "views.py", line) in rules_at(report)
    message = next(f.message for f in report.findings if f.rule == "BSSEC042")
    assert "AllowAny" in message
    assert "IsAuthenticated" in message
    refund = next(e for e in report.endpoints if e.handler == "Orders.refund")
    assert refund.public
    assert refund.path == "/orders/{pk}/refund/"


# --------------------------------------------------------------------------- Flask

FLASK_APP = """
    from flask import Flask
    from flask_login import LoginManager, login_required

    from admin import admin_bp

    app = Flask(__name__)
    LoginManager(app)
    app.register_blueprint(admin_bp, url_prefix="/admin")

    @app.get("/")
    def index():
        return "hello"

    @app.post("/comments")
    @login_required
    def add_comment():
        return {}
    """
ADMIN_OPEN = """
    from flask import Blueprint

    admin_bp = Blueprint("admin", __name__)

    @admin_bp.route("/users/<int:user_id>", methods=["DELETE"])
    def delete_user(user_id):
        return {}

    @admin_bp.get("/export")
    def export_users():
        return []
    """
ADMIN_GUARDED = """
    from flask import Blueprint, abort
    from flask_login import current_user

    admin_bp = Blueprint("admin", __name__)

    @admin_bp.before_request
    def require_admin():
        if not current_user.is_authenticated:
            abort(401)

    @admin_bp.route("/users/<int:user_id>", methods=["DELETE"])
    def delete_user(user_id):
        return {}

    @admin_bp.get("/export")
    def export_users():
        return []
    """


def test_flask_admin_blueprint_without_login_check_loses_points(make_tree: TreeFactory) -> None:
    root = make_tree({"app.py": FLASK_APP, "admin.py": ADMIN_OPEN})
    report = security(root)
    delete = line_of(root, "admin.py", "def delete_user")
    export = line_of(root, "admin.py", "def export_users")
    assert {
        ("DELETE", "/admin/users/<int:user_id>", "admin.py", delete),
        ("GET", "/admin/export", "admin.py", export),
    } <= open_endpoints(report)
    assert {("BSSEC043", "admin.py", delete), ("BSSEC043", "admin.py", export)} <= rules_at(report)
    assert all(f.severity == "high" for f in report.findings if f.rule == "BSSEC043")
    comment = next(e for e in report.endpoints if e.handler == "add_comment")
    assert not comment.public
    assert comment.access_control == "@login_required"
    index = next(e for e in report.endpoints if e.handler == "index")
    assert index.public  # a public read: listed, not a finding
    assert ("BSSEC040", "app.py", index.line) not in rules_at(report)
    assert (authz(report) or 0) < 50


def test_flask_admin_blueprint_with_a_before_request_guard_is_protected(
    make_tree: TreeFactory,
) -> None:
    root = make_tree({"app.py": FLASK_APP, "admin.py": ADMIN_GUARDED})
    report = security(root)
    admin = [e for e in report.endpoints if (e.path or "").startswith("/admin")]
    assert len(admin) == 2
    assert all(not e.public for e in admin)
    assert all(e.access_control == "before_request guard require_admin()" for e in admin)
    assert not rules_at(report)
    assert authz(report) == 100


def test_a_before_request_hook_that_checks_nothing_is_not_a_guard(make_tree: TreeFactory) -> None:
    hook = ADMIN_OPEN.replace(
        'admin_bp = Blueprint("admin", __name__)\n',
        'admin_bp = Blueprint("admin", __name__)\n\n'
        "    @admin_bp.before_request\n    def timing():\n        return None\n",
    )
    root = make_tree({"app.py": FLASK_APP, "admin.py": hook})
    report = security(root)
    assert any(f.rule == "BSSEC043" for f in report.findings)


def test_flask_jwt_optional_is_not_access_control(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "app.py": """
                from flask import Flask
                from flask_jwt_extended import jwt_required

                app = Flask(__name__)

                @app.post("/notes")
                @jwt_required()
                def add_note():
                    return {}

                @app.post("/drafts")
                @jwt_required(optional=True)
                def add_draft():
                    return {}
                """
        }
    )
    report = security(root)
    by_handler = {e.handler: e for e in report.endpoints}
    assert not by_handler["add_note"].public
    assert by_handler["add_draft"].public
    assert {f.rule for f in report.findings if f.criterion == CRITERION} == {"BSSEC040"}


# --------------------------------------------------------------------------- FastAPI

FASTAPI_DEPS = """
    from fastapi import Depends, HTTPException
    from fastapi.security import OAuth2PasswordBearer

    oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")

    def get_current_user(token: str = Depends(oauth2_scheme)):
        if not token:
            raise HTTPException(status_code=401)
        return token
    """
FASTAPI_ITEMS = """
    from fastapi import APIRouter, Depends

    from app.deps import get_current_user

    router = APIRouter(prefix="/items"{deps})

    @router.post("/")
    def create_item(item: dict):
        return item

    @router.delete("/{{item_id}}")
    def delete_item(item_id: int):
        return None
    """
FASTAPI_MAIN = """
    from fastapi import FastAPI

    from app.routers import items

    app = FastAPI()
    app.include_router(items.router, prefix="/api")

    @app.get("/health")
    def health():
        return {"ok": True}
    """


def fastapi_tree(deps: str) -> dict[str, str]:
    return {
        "app/__init__.py": "",
        "app/deps.py": FASTAPI_DEPS,
        "app/main.py": FASTAPI_MAIN,
        "app/routers/__init__.py": "",
        "app/routers/items.py": FASTAPI_ITEMS.format(deps=deps),
    }


def test_fastapi_router_level_dependency_protects_every_route(make_tree: TreeFactory) -> None:
    root = make_tree(fastapi_tree(", dependencies=[Depends(get_current_user)]"))
    report = security(root)
    items = [e for e in report.endpoints if e.file == "app/routers/items.py"]
    assert {(e.method, e.path) for e in items} == {
        ("POST", "/api/items/"),
        ("DELETE", "/api/items/{item_id}"),
    }
    assert all(e.access_control == "Depends(get_current_user)" for e in items)
    assert not rules_at(report)
    assert authz(report) == 100


def test_fastapi_router_without_dependency_loses_points(make_tree: TreeFactory) -> None:
    root = make_tree(fastapi_tree(""))
    report = security(root)
    rel = "app/routers/items.py"
    assert {
        ("BSSEC040", rel, line_of(root, rel, "def create_item")),
        ("BSSEC040", rel, line_of(root, rel, "def delete_item")),
    } == rules_at(report)
    assert authz(report) == 0


def test_fastapi_parameter_dependency_through_an_annotated_alias(make_tree: TreeFactory) -> None:
    tree = fastapi_tree("")
    tree["app/deps.py"] = FASTAPI_DEPS + (
        "\nfrom typing import Annotated\n\nCurrentUser = Annotated[str, Depends(get_current_user)]\n"
    )
    tree["app/routers/items.py"] = (
        tree["app/routers/items.py"]
        .replace("from app.deps import get_current_user", "from app.deps import CurrentUser")
        .replace("def create_item(item: dict)", "def create_item(item: dict, user: CurrentUser)")
    )
    report = security(make_tree(tree))
    create = next(e for e in report.endpoints if e.handler == "create_item")
    delete = next(e for e in report.endpoints if e.handler == "delete_item")
    assert create.access_control == "CurrentUser"
    assert not create.public
    assert delete.public


# --------------------------------------------------------------------------- Django


def test_django_views_mixins_decorators_and_csrf(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "site/settings.py": 'ROOT_URLCONF = "site.urls"\n',
            "site/urls.py": """
                from django.contrib.auth.decorators import login_required
                from django.urls import path

                from notes import views

                urlpatterns = [
                    path("notes/new/", views.NoteCreate.as_view()),
                    path("notes/mine/", views.MyNotes.as_view()),
                    path("notes/<int:pk>/delete/", login_required(views.delete_note)),
                    path("transfer/", views.transfer),
                    path("accounts/login/", views.login_view),
                ]
                """,
            "notes/__init__.py": "",
            "notes/views.py": """
                from django.contrib.auth.decorators import login_required
                from django.contrib.auth.mixins import LoginRequiredMixin
                from django.views.decorators.csrf import csrf_exempt
                from django.views.generic import CreateView, ListView

                class NoteCreate(CreateView):
                    fields = ["text"]

                class MyNotes(LoginRequiredMixin, ListView):
                    pass

                def delete_note(request, pk):
                    if request.method == "POST":
                        return None

                @csrf_exempt
                @login_required
                def transfer(request):
                    request.user.pay(request.POST["to"])

                def login_view(request):
                    if request.method == "POST":
                        return None
                """,
        }
    )
    report = security(root)
    views = "notes/views.py"
    by = {(e.handler, e.method): e for e in report.endpoints}
    assert by[("NoteCreate", "POST")].public
    assert by[("MyNotes", "GET")].access_control == "LoginRequiredMixin"
    assert by[("delete_note", "POST")].access_control == "login_required"
    assert by[("login_view", "POST")].public  # public by design: no finding
    found = rules_at(report)
    assert ("BSSEC040", views, line_of(root, views, "class NoteCreate")) in found
    transfer = line_of(root, views, "def transfer")
    assert ("BSSEC044", views, transfer) in found
    assert not any(r == "BSSEC040" and line == transfer for r, _p, line in found)
    assert not any(line == line_of(root, views, "def login_view") for _r, _p, line in found)


# --------------------------------------------------------------------------- registry and report


AUTHZ_RULES = [r for r in RULES.values() if r.criterion == CRITERION]


def test_the_authorization_rules_are_declared_in_the_registry() -> None:
    """Their examples run through the pipeline in test_rules_registry.py."""
    assert [r.id for r in AUTHZ_RULES] == [f"BSSEC04{n}" for n in range(5)]
    for rule in AUTHZ_RULES:
        assert (rule.skill, rule.checker, rule.languages) == ("security", "python_ast", ("python",))
        assert rule.cwe
        assert rule.firing
        assert rule.quiet


@pytest.mark.parametrize("rule", AUTHZ_RULES, ids=[r.id for r in AUTHZ_RULES])
def test_findings_take_severity_confidence_and_cwe_from_the_registry(
    rule: Rule, tmp_path: Path
) -> None:
    firing = rule.firing[0]
    root = write_tree(tmp_path, {**firing.files, firing.path: firing.code})
    found = [f for f in security(root).findings if f.rule == rule.id]
    assert [(f.path, f.line) for f in found] == [(firing.path, n) for n in firing.lines]
    for finding in found:
        assert (finding.severity, finding.confidence, finding.cwe) == (
            rule.severity,
            rule.confidence,
            rule.cwe,
        )
        assert finding.help_uri == rule.help_uri


def test_no_endpoints_is_not_applicable(make_tree: TreeFactory) -> None:
    report = security(make_tree({"lib.py": "def add(a, b):\n    return a + b\n"}))
    criterion = report.criterion(CRITERION)
    assert not criterion.applicable
    assert criterion.reason
    assert report.endpoints == []


def test_inventory_in_json_text_and_markdown(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "app.py": FLASK_APP,
            "admin.py": ADMIN_OPEN.replace('"/export"', '"/export\\u202e\\x1b[31m"'),
        }
    )
    report = security(root)
    data = json.loads(report.to_json())
    assert {
        "method",
        "path",
        "handler",
        "file",
        "line",
        "framework",
        "access_control",
        "public",
    } == set(data["endpoints"][0])
    text = text_reporter.TextReporter().render(report, RenderOptions())
    markdown = markdown_reporter.MarkdownReporter().render(report, RenderOptions())
    for rendered in (text, markdown):
        assert "Endpoints: 4 (1 write endpoint without access control)" in rendered
        assert "admin" in rendered  # the unprotected endpoints' file and line
        assert f":{line_of(root, 'admin.py', 'def delete_user')}" in rendered
        assert "\x1b" not in rendered
        assert "\u202e" not in rendered
        assert "export" in rendered


def test_flask_add_url_rule_with_method_view_and_wrapped_function(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "app.py": """
                from flask import Flask
                from flask.views import MethodView
                from flask_login import login_required

                app = Flask(__name__)

                class Users(MethodView):
                    decorators = [login_required]

                    def get(self):
                        return []

                    def post(self):
                        return {}

                class Feedback(MethodView):
                    def post(self):
                        return {}

                class Tickets(MethodView):
                    def delete(self):
                        return {}

                def purge():
                    return {}

                app.add_url_rule("/users", view_func=Users.as_view("users"))
                app.add_url_rule("/tickets", view_func=Tickets.as_view("tickets"))
                app.add_url_rule("/purge", "purge", login_required(purge), methods=["POST"])
                """
        }
    )
    report = security(root)
    by = {(e.handler, e.method): e for e in report.endpoints}
    assert by[("Users.post", "POST")].access_control == "@login_required"
    assert by[("purge", "POST")].access_control == "@login_required"
    tickets = by[("Tickets.delete", "DELETE")]
    assert tickets.public
    assert tickets.line == line_of(root, "app.py", "def delete(self)")
    assert rules_at(report) == {("BSSEC040", "app.py", tickets.line)}


def test_flask_cors_with_credentials_for_every_origin_reuses_bssec014(
    make_tree: TreeFactory,
) -> None:
    root = make_tree(
        {
            "app.py": """
                from flask import Flask
                from flask_cors import CORS

                app = Flask(__name__)
                CORS(app, supports_credentials=True)
                """,
            "safe.py": """
                from flask import Flask
                from flask_cors import CORS

                app = Flask(__name__)
                CORS(app, origins=["https://app.example.com"], supports_credentials=True)
                CORS(app)
                """,
        }
    )
    report = security(root)
    cors = [(f.path, f.line) for f in report.findings if f.rule == "BSSEC014"]
    assert cors == [("app.py", line_of(root, "app.py", "CORS(app"))]


def test_django_login_required_middleware_protects_by_default(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "site/settings.py": """
                ROOT_URLCONF = "site.urls"
                MIDDLEWARE = [
                    "django.middleware.csrf.CsrfViewMiddleware",
                    "django.contrib.auth.middleware.LoginRequiredMiddleware",
                ]
                """,
            "site/urls.py": """
                from django.urls import path
                from site import views

                urlpatterns = [
                    path("notes/", views.notes),
                    path("open/", views.open_note),
                ]
                """,
            "site/views.py": """
                from django.contrib.auth.decorators import login_not_required
                from django.views.decorators.http import require_POST

                @require_POST
                def notes(request):
                    return None

                @login_not_required
                @require_POST
                def open_note(request):
                    return None
                """,
        }
    )
    report = security(root)
    by = {e.handler: e for e in report.endpoints}
    assert by["notes"].access_control == "LoginRequiredMiddleware"
    assert by["open_note"].public
    line = line_of(root, "site/views.py", "def open_note")
    assert ("BSSEC042", "site/views.py", line) in rules_at(report)


def test_flask_application_factory_routes_and_guards(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "app/__init__.py": """
                from flask import Flask, g, abort

                from app.admin import bp as admin_bp

                def create_app():
                    app = Flask(__name__)
                    app.register_blueprint(admin_bp, url_prefix="/admin")

                    @app.before_request
                    def load_user():
                        if g.get("user") is None and not request.headers.get("Authorization"):
                            abort(401)

                    @app.post("/orders")
                    def create_order():
                        return {}

                    return app
                """,
            "app/admin.py": """
                from flask import Blueprint

                bp = Blueprint("admin", __name__)

                @bp.post("/reindex")
                def reindex():
                    return {}
                """,
        }
    )
    report = security(root)
    by = {e.handler: e for e in report.endpoints}
    assert by["create_order"].access_control == "before_request guard load_user()"
    assert by["reindex"].path == "/admin/reindex"
    assert by["reindex"].access_control == "before_request guard load_user()"
    assert not rules_at(report)


def test_django_startproject_settings_are_read_not_generated(make_tree: TreeFactory) -> None:
    """Django's settings template says "Generated by 'django-admin startproject'": the
    file is the team's own configuration and its REST_FRAMEWORK setting must be read."""
    header = '"""\nDjango settings for shop project.\n\nGenerated by \'django-admin startproject\' using Django 5.0.\n"""\n'
    root = make_tree({**DRF_TREE, "project/settings.py": header + DRF_SETTINGS_PROTECTED})
    report = security(root)
    assert not [e for e in report.endpoints if e.public and e.method != "GET"]
    assert authz(report) == 100


def test_drf_session_authentication_that_skips_csrf(make_tree: TreeFactory) -> None:
    files = {
        "project/settings.py": DRF_SETTINGS_PROTECTED,
        "project/__init__.py": "",
        "project/urls.py": """
            from django.urls import path
            from shop.apis import Upload

            urlpatterns = [path("upload/", Upload.as_view())]
            """,
        "shop/__init__.py": "",
        "shop/auth.py": """
            from rest_framework.authentication import SessionAuthentication

            class CsrfExemptSessionAuthentication(SessionAuthentication):
                def enforce_csrf(self, request):
                    return
            """,
        "shop/apis.py": """
            from rest_framework.views import APIView

            from shop.auth import CsrfExemptSessionAuthentication

            class Upload(APIView):
                authentication_classes = [CsrfExemptSessionAuthentication]

                def post(self, request):
                    return None
            """,
    }
    root = make_tree(files)
    report = security(root)
    line = line_of(root, "shop/apis.py", "def post")
    assert ("BSSEC044", "shop/apis.py", line) in rules_at(report)
    message = next(f.message for f in report.findings if f.rule == "BSSEC044")
    assert "CsrfExemptSessionAuthentication.enforce_csrf does nothing" in message
    upload = next(e for e in report.endpoints if e.handler == "Upload.post")
    assert upload.access_control == "DEFAULT_PERMISSION_CLASSES: IsAuthenticated"
    fixed = make_tree(
        {
            **files,
            "shop/auth.py": files["shop/auth.py"].replace(
                "return", "super().enforce_csrf(request)"
            ),
        }
    )
    assert not rules_at(security(fixed))


def test_flask_hooks_that_cannot_reject_are_not_guards(make_tree: TreeFactory) -> None:
    hooks = """
        from flask import Blueprint, abort
        from flask_login import current_user

        bp = Blueprint("main", __name__)

        @bp.before_app_request
        def {name}():
            if current_user.is_authenticated:
                {body}

        @bp.post("/follow/<name>")
        def follow(name):
            return {{}}
        """
    tracking = make_tree(
        {
            "app.py": "from flask import Flask\napp = Flask(__name__)\n",
            "main.py": hooks.format(name="before_request", body="current_user.ping()"),
        }
    )
    report = security(tracking)
    follow = next(e for e in report.endpoints if e.handler == "follow")
    assert follow.public  # the hook only records activity
    guarding = make_tree(
        {
            "main.py": hooks.format(
                name="require_login", body="return None\n            abort(401)"
            ),
            "other.py": """
                from flask import Blueprint

                other = Blueprint("other", __name__)

                @other.delete("/items/<int:item_id>")
                def delete_item(item_id):
                    return {}
                """,
        }
    )
    report = security(guarding)
    assert all(
        e.access_control == "before_app_request guard require_login()" for e in report.endpoints
    )


def test_flask_httpauth_decorators_named_in_full(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "api.py": """
                from flask import Blueprint
                from flask_httpauth import HTTPTokenAuth

                token_auth = HTTPTokenAuth()
                bp = Blueprint("api", __name__, url_prefix="/api")

                @bp.put("/users/<int:id>")
                @token_auth.login_required
                def update_user(id):
                    return {}
                """
        }
    )
    report = security(root)
    assert report.endpoints[0].access_control == "@token_auth.login_required"


def test_flask_admin_without_is_accessible_is_a_public_admin_area(make_tree: TreeFactory) -> None:
    app = """
        from flask import Flask
        from flask_admin import Admin
        from flask_admin.contrib.sqla import ModelView

        app = Flask(__name__)
        admin = Admin(app, name="shop")

        class UserAdmin(ModelView):
            {body}

        admin.add_view(UserAdmin(User, db.session))
        """
    root = make_tree({"app.py": app.format(body="column_exclude_list = ['password']")})
    report = security(root)
    line = line_of(root, "app.py", "Admin(app")
    assert ("BSSEC043", "app.py", line) in rules_at(report)
    guarded = make_tree(
        {
            "app.py": app.format(
                body="def is_accessible(self):\n                return current_user.is_admin"
            )
        }
    )
    report = security(guarded)
    admin = next(e for e in report.endpoints if e.framework == "Flask-Admin")
    assert admin.access_control == "UserAdmin.is_accessible()"
    assert not rules_at(report)
