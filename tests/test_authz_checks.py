"""What a decorator, a dependency or a handler body says about access control
(``backend_skills.checkers.analyses._authz_checks``) and the AST readers under it
(``_authz_ast``)."""

from __future__ import annotations

import ast

import pytest

from backend_skills.checkers.analyses._authz_ast import (
    import_table,
    names,
    path_text,
    upper_strings,
)
from backend_skills.checkers.analyses._authz_checks import (
    body_methods,
    checks_auth,
    csrf_exempt,
    decorator_auth,
    depends,
    does_nothing,
    param_depends,
)
from backend_skills.checkers.analyses._authz_vocabulary import auth_name


def _expr(code: str) -> ast.expr:
    return ast.parse(code, mode="eval").body


def _function(code: str) -> ast.FunctionDef | ast.AsyncFunctionDef:
    node = ast.parse(code).body[0]
    assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    return node


@pytest.mark.parametrize(
    ("decorator", "applied"),
    [
        ("login_required", "login_required"),
        ("token_auth.login_required", "token_auth.login_required"),
        ("jwt_required()", "jwt_required"),
        ("jwt_required(optional=True)", None),
        ("method_decorator(login_required, name='dispatch')", "login_required"),
        ("method_decorator([never_cache, staff_member_required])", "staff_member_required"),
        ("method_decorator(csrf_exempt)", None),
        ("user_passes_test(lambda u: u.is_staff)", "user_passes_test"),
        ("requires('authenticated')", "requires(authenticated)"),
        ("requires(['authenticated', 'admin'])", "requires(authenticated, admin)"),
        ("requires(ADMIN_SCOPE)", "requires(...)"),
        ("admin_permission.require(http_exception=403)", "admin_permission.require"),
        ("cache.require()", None),
        ("permission_classes([IsAuthenticated])", None),
        ("action(detail=True)", None),
        ("limiter.limit('5/minute')", None),
        ("csrf_exempt", None),
        ("login_not_required", None),
    ],
)
def test_decorator_auth(decorator: str, applied: str | None) -> None:
    assert decorator_auth(_expr(decorator)) == applied


@pytest.mark.parametrize(
    ("name", "checks"),
    [
        ("get_current_user", False),  # a dependency word, not a decorator word
        ("LoginRequiredMixin", True),
        ("APIKeyHeader", True),
        ("api_key_header", True),
        ("StaffuserRequiredMixin", True),
        ("AllowAnyPermission", False),
        ("csrf_protect", False),
        ("RateLimitMixin", False),
    ],
)
def test_auth_name(name: str, checks: bool) -> None:
    assert auth_name(name) is checks


@pytest.mark.parametrize(
    ("code", "found"),
    [
        ("Depends(get_current_user)", ["get_current_user"]),
        ("[Depends(a), Security(b, scopes=['x'])]", ["a", "Security:b"]),
        ("Depends(dependency=verify_token)", ["verify_token"]),
        ("Depends()", []),
        ("Query(None)", []),
    ],
)
def test_depends(code: str, found: list[str]) -> None:
    assert depends(_expr(code)) == found


def test_param_depends_reads_defaults_annotations_and_aliases() -> None:
    node = _function(
        "def f(user: CurrentUser, db=Depends(get_db),"
        " *, key: Annotated[str, Security(api_key)]): ..."
    )
    assert param_depends(node) == ["get_db", "alias:CurrentUser", "Security:api_key"]


@pytest.mark.parametrize(
    ("body", "checks"),
    [
        ("if not current_user.is_authenticated:\n        abort(401)", True),
        ("if request.headers.get('Authorization') != TOKEN:\n        return 'no', 403", True),
        ("verify_jwt_in_request()\n    return None", True),
        ("g.last_seen = now()", False),  # records, checks nobody
        ("log(current_user.id)", False),  # names the user but never rejects
        ("if request.path.startswith('/static'):\n        abort(404)", False),
    ],
)
def test_checks_auth(body: str, checks: bool) -> None:
    assert checks_auth(_function(f"def guard():\n    {body}\n")) is checks


@pytest.mark.parametrize(
    ("body", "methods"),
    [
        ("return render(request, 'a.html')", ["GET"]),
        ("form = Form(request.POST)", ["GET", "POST"]),
        ("if request.method == 'DELETE':\n        obj.delete()", ["DELETE", "GET", "POST"]),
        ("data = json.loads(request.body)", ["GET", "POST"]),
    ],
)
def test_body_methods(body: str, methods: list[str]) -> None:
    assert body_methods(_function(f"def view(request):\n    {body}\n")) == methods


@pytest.mark.parametrize(
    ("decorator", "exempt"),
    [
        ("@csrf_exempt", True),
        ("@csrf.exempt", True),
        ("@method_decorator(csrf_exempt, name='dispatch')", True),
        ("@login_required", False),
        ("@limiter.exempt", False),
    ],
)
def test_csrf_exempt(decorator: str, exempt: bool) -> None:
    assert csrf_exempt(_function(f"{decorator}\ndef view(request): ...\n")) is exempt


@pytest.mark.parametrize(
    ("body", "nothing"),
    [
        ('"""Skip the check."""\n    return', True),
        ("pass", True),
        ("return None", True),
        ("return super().enforce_csrf(request)", False),
    ],
)
def test_does_nothing(body: str, nothing: bool) -> None:
    assert does_nothing(_function(f"def enforce_csrf(self, request):\n    {body}\n")) is nothing


# --------------------------------------------------------------------------- AST readers


def test_import_table_resolves_relative_imports_and_aliases() -> None:
    tree = ast.parse(
        "import os.path\nimport numpy as np\nfrom . import views\n"
        "from ..core.auth import login_required as lr\nfrom .models import *\n"
    )
    assert import_table(tree, "shop/api/urls.py") == {
        "os": "os",
        "np": "numpy",
        "views": "shop.api.views",
        "lr": "shop.core.auth.login_required",
    }


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("'/orders'", "/orders"),
        ("f'{settings.API_V1_STR}/users'", "{settings.API_V1_STR}/users"),
        ("PREFIX", "{PREFIX}"),
        ("get_prefix()", "{get_prefix}"),
    ],
)
def test_path_text(code: str, text: str) -> None:
    assert path_text(_expr(code)) == text


@pytest.mark.parametrize(
    ("code", "found"),
    [
        ("[IsAuthenticated, permissions.IsAdminUser]", ["IsAuthenticated", "IsAdminUser"]),
        ("['rest_framework.permissions.AllowAny']", ["AllowAny"]),
        ("BaseView.permission_classes + [IsOwner]", ["IsOwner"]),
        ("get_permissions()", None),
    ],
)
def test_names(code: str, found: list[str] | None) -> None:
    assert names(_expr(code)) == found


def test_upper_strings() -> None:
    assert upper_strings(_expr("['get', 'post']")) == ["GET", "POST"]
    assert upper_strings(_expr("'delete'")) == ["DELETE"]
