"""Authorization rules (``BSSEC040``-``BSSEC044``, criterion ``security.authorization``).

They judge the endpoint inventory: the ``authorization`` analysis (``python_ast``) builds
it for Django, Django REST framework, Flask, FastAPI, Starlette, Litestar and Django
Ninja, and the ``polyglot`` checker for the other languages' frameworks; both judge it
with :func:`backend_skills.checkers.analyses.authorization.judge`, which emits these
rules by id. They have no patterns; their examples are small applications that run
through the real pipeline (``tests/test_rules_registry.py``).
"""

from __future__ import annotations

from backend_skills.core.models import Confidence, Severity

from ._model import Example, Rule

_CRITERION = "security.authorization"
_OTHER_LANGUAGES = (
    " The same rule judges the endpoints the `polyglot` checker reads (Express, ASP.NET Core,"
    " Spring, gin and the others listed in docs/security.md)."
)

_FLASK_OPEN = """from flask import Flask

app = Flask(__name__)


@app.post("/orders")
def create_order():
    return {}
"""
_FLASK_SHUT = """from flask import Flask
from flask_login import login_required

app = Flask(__name__)


@app.post("/orders")
@login_required
def create_order():
    return {}
"""
_STARLETTE_OPEN = """from starlette.applications import Starlette
from starlette.routing import Route


async def create_order(request): ...


app = Starlette(routes=[Route("/orders", create_order, methods=["POST"])])
"""
_LITESTAR_SHUT = """from litestar import Litestar, post
from auth import is_authenticated


@post("/orders")
async def create_order() -> None: ...


app = Litestar([create_order], guards=[is_authenticated])
"""

WRITE_OPEN = Rule(
    id="BSSEC040",
    title="Write endpoint without access control",
    skill="security",
    criterion=_CRITERION,
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    cwe=862,
    checker="python_ast",
    extra_languages=("python",),
    message="write endpoint {name} has no access control",
    rationale=(
        "A POST, PUT, PATCH or DELETE route that no decorator, permission class, dependency, "
        "guard or middleware protects lets anyone on the network change data (CWE-862, "
        "OWASP A01:2021 Broken Access Control). Routes that are public by design (sign-in, "
        "sign-up, token, password reset, webhooks, health) are exempt." + _OTHER_LANGUAGES
    ),
    fix=(
        "Protect the route: @login_required / LoginRequiredMixin (Django), "
        "permission_classes = [IsAuthenticated] (DRF), @login_required or @jwt_required() "
        "(Flask), Depends(get_current_user) on the route or its APIRouter (FastAPI), "
        "@requires('authenticated') (Starlette), guards=[...] (Litestar), auth=... (Django Ninja)."
    ),
    examples=(
        Example("python", _FLASK_OPEN, lines=(7,), path="app.py"),
        Example("python", _FLASK_SHUT, path="app.py"),
        Example("python", _STARLETTE_OPEN, lines=(5,), path="app.py"),
        Example("python", _LITESTAR_SHUT, path="app.py"),
    ),
)

_DRF_URLS = """from django.urls import path
from views import Orders

urlpatterns = [path("orders/", Orders.as_view())]
"""
_DRF_VIEWS = """from rest_framework.generics import ListCreateAPIView


class Orders(ListCreateAPIView):
    pass
"""

_DRF_PROTECTED = """INSTALLED_APPS = ["rest_framework"]
REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
"""

DRF_ALLOW_ANY = Rule(
    id="BSSEC041",
    title="Django REST framework left at its AllowAny default",
    skill="security",
    criterion=_CRITERION,
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    cwe=284,
    checker="python_ast",
    extra_languages=("python",),
    message="Django REST framework allows anyone (AllowAny) and write endpoints rely on it",
    rationale=(
        "Without REST_FRAMEWORK['DEFAULT_PERMISSION_CLASSES'] (or with AllowAny there) every "
        "DRF view that does not set permission_classes is open to anyone: one forgotten "
        "attribute publishes a write endpoint (CWE-284). Reported once, at the setting (or "
        "at INSTALLED_APPS when there is none), when write endpoints rely on that default."
    ),
    fix=(
        "Set REST_FRAMEWORK = {'DEFAULT_PERMISSION_CLASSES': "
        "['rest_framework.permissions.IsAuthenticated']} and open the few public views "
        "explicitly with permission_classes = [AllowAny]."
    ),
    examples=(
        Example(
            "python",
            'INSTALLED_APPS = ["rest_framework"]\n',
            lines=(1,),
            path="settings.py",
            files={"urls.py": _DRF_URLS, "views.py": _DRF_VIEWS},
        ),
        Example(
            "python",
            _DRF_PROTECTED,
            path="settings.py",
            files={"urls.py": _DRF_URLS, "views.py": _DRF_VIEWS},
        ),
    ),
)

_VIEWSET = """from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated


class Orders(viewsets.ModelViewSet):
    permission_classes = [IsAuthenticated]

    @action(detail=True, methods=["post"], permission_classes=[{perm}])
    def refund(self, request, pk=None):
        return None
"""
_ROUTER_URLS = """from rest_framework.routers import DefaultRouter
from views import Orders

router = DefaultRouter()
router.register("orders", Orders)
urlpatterns = router.urls
"""
_NINJA = """from ninja import NinjaAPI
from ninja.security import django_auth

api = NinjaAPI(auth=django_auth)


@api.post("/orders/import", auth={auth})
def import_orders(request):
    return {{}}
"""
_NINJA_URLS = """from django.urls import path
from api import api

urlpatterns = [path("api/", api.urls)]
"""

OVERRIDE = Rule(
    id="BSSEC042",
    title="Method-level AllowAny overrides class-level protection",
    skill="security",
    criterion=_CRITERION,
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    cwe=284,
    checker="python_ast",
    extra_languages=("python",),
    message="write endpoint {name}: a method-level setting overrides the class's protection",
    rationale=(
        "A class protects its routes, and one write method opts out (DRF "
        "@action(permission_classes=[AllowAny]), Django @login_not_required under "
        "LoginRequiredMiddleware, Django Ninja auth=None under a protected API, ASP.NET "
        "[AllowAnonymous], Spring permitAll): the exception is easy to miss in review and "
        "opens a write to anyone (CWE-284)." + _OTHER_LANGUAGES
    ),
    fix="Keep the class-level protection on write methods; if the method must be public, move it to a public view and say why.",
    examples=(
        Example(
            "python",
            _VIEWSET.format(perm="AllowAny"),
            lines=(10,),
            path="views.py",
            files={"urls.py": _ROUTER_URLS},
        ),
        Example(
            "python",
            _VIEWSET.format(perm="IsAuthenticated"),
            path="views.py",
            files={"urls.py": _ROUTER_URLS},
        ),
        Example(
            "python",
            _NINJA.format(auth="None"),
            lines=(8,),
            path="api.py",
            files={"urls.py": _NINJA_URLS},
        ),
        Example(
            "python",
            _NINJA.format(auth="django_auth"),
            path="api.py",
            files={"urls.py": _NINJA_URLS},
        ),
    ),
)

_ADMIN_OPEN = """from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
def users():
    return []
"""
_ADMIN_GUARDED = """from flask import Blueprint, abort
from flask_login import current_user

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def guard():
    if not current_user.is_authenticated:
        abort(401)


@bp.get("/users")
def users():
    return []
"""

SENSITIVE_OPEN = Rule(
    id="BSSEC043",
    title="Admin, debug, export or actuator route left public",
    skill="security",
    criterion=_CRITERION,
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    cwe=306,
    checker="python_ast",
    extra_languages=("python",),
    message="{name} route is public",
    rationale=(
        "Routes under admin, debug, export, actuator, internal or console paths expose "
        "management functions or bulk data; without authentication anyone who finds the URL "
        "uses them (CWE-306 Missing Authentication for Critical Function)." + _OTHER_LANGUAGES
    ),
    fix="Require an authenticated staff or admin user on the whole admin area (a guard on the blueprint or router, a mixin or a permission class), and keep debug routes out of production builds.",
    varies=(
        "Low confidence (reported for review, never capping) when the route opts out of a "
        "guard that covers it on purpose (`[AllowAnonymous]` under `[Authorize]`, `@PermitAll` "
        "under `@PreAuthorize`, `@Public()` under a global guard): a visible decision, not a "
        "missing check."
    ),
    examples=(
        Example("python", _ADMIN_OPEN, lines=(7,), path="admin.py"),
        Example("python", _ADMIN_GUARDED, path="admin.py"),
    ),
)

_CSRF = """from django.contrib.auth.decorators import login_required
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


{decorator}@login_required
@require_POST
def transfer(request):
    request.user.account.pay(request.POST["to"])
"""
_CSRF_URLS = """from django.urls import path
from views import transfer

urlpatterns = [path("transfer/", transfer)]
"""

CSRF_OFF = Rule(
    id="BSSEC044",
    title="CSRF protection switched off on a session-authenticated endpoint",
    skill="security",
    criterion=_CRITERION,
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    cwe=352,
    checker="python_ast",
    extra_languages=("python",),
    message="{name} is CSRF-exempt but authenticated by the session",
    rationale=(
        "A write endpoint that trusts the session cookie (login_required, Flask-Login, "
        "request.user or the session) and is exempt from CSRF checks (@csrf_exempt, "
        "csrf.exempt, a SessionAuthentication whose enforce_csrf does nothing) can be "
        "triggered by any page the victim visits (CWE-352). BSSEC012 reports every "
        "exemption; this rule marks the exploitable ones."
    ),
    fix="Remove the exemption and send the CSRF token from the client; for a machine API, authenticate it with a token header instead of the session.",
    examples=(
        Example(
            "python",
            _CSRF.format(decorator="@csrf_exempt\n"),
            lines=(9,),
            path="views.py",
            files={"urls.py": _CSRF_URLS},
        ),
        Example(
            "python", _CSRF.format(decorator=""), path="views.py", files={"urls.py": _CSRF_URLS}
        ),
    ),
)

RULES = (WRITE_OPEN, DRF_ALLOW_ANY, OVERRIDE, SENSITIVE_OPEN, CSRF_OFF)
