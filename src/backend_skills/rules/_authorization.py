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

_FLASK_OPEN = (
    "from flask import Flask\napp = Flask(__name__)\n\n"
    "@app.post('/orders')\ndef create_order():\n    return {}\n"
)
_FLASK_SHUT = (
    "from flask import Flask\nfrom flask_login import login_required\napp = Flask(__name__)\n\n"
    "@app.post('/orders')\n@login_required\ndef create_order():\n    return {}\n"
)

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
        Example("python", _FLASK_OPEN, lines=(5,), path="app.py"),
        Example("python", _FLASK_SHUT, path="app.py"),
        Example(
            "python",
            "from starlette.applications import Starlette\nfrom starlette.routing import Route\n\n"
            "async def create_order(request):\n    ...\n\n"
            "app = Starlette(routes=[Route('/orders', create_order, methods=['POST'])])\n",
            lines=(4,),
            path="app.py",
        ),
        Example(
            "python",
            "from litestar import Litestar, post\nfrom auth import is_authenticated\n\n"
            "@post('/orders')\nasync def create_order() -> None:\n    ...\n\n"
            "app = Litestar([create_order], guards=[is_authenticated])\n",
            path="app.py",
        ),
    ),
)

_DRF_URLS = (
    "from django.urls import path\nfrom views import Orders\n"
    "urlpatterns = [path('orders/', Orders.as_view())]\n"
)
_DRF_VIEWS = "from rest_framework.generics import ListCreateAPIView\n\nclass Orders(ListCreateAPIView):\n    pass\n"

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
            "INSTALLED_APPS = ['rest_framework']\n",
            lines=(1,),
            path="settings.py",
            files={"urls.py": _DRF_URLS, "views.py": _DRF_VIEWS},
        ),
        Example(
            "python",
            "INSTALLED_APPS = ['rest_framework']\nREST_FRAMEWORK = {\n"
            "    'DEFAULT_PERMISSION_CLASSES': ['rest_framework.permissions.IsAuthenticated'],\n}\n",
            path="settings.py",
            files={"urls.py": _DRF_URLS, "views.py": _DRF_VIEWS},
        ),
    ),
)

_VIEWSET = (
    "from rest_framework import viewsets\nfrom rest_framework.decorators import action\n"
    "from rest_framework.permissions import AllowAny, IsAuthenticated\n\n"
    "class Orders(viewsets.ModelViewSet):\n    permission_classes = [IsAuthenticated]\n\n"
    "    @action(detail=True, methods=['post'], permission_classes=[{perm}])\n"
    "    def refund(self, request, pk=None):\n        return None\n"
)
_ROUTER_URLS = (
    "from rest_framework.routers import DefaultRouter\nfrom views import Orders\n"
    "router = DefaultRouter()\nrouter.register('orders', Orders)\nurlpatterns = router.urls\n"
)

_NINJA = (
    "from ninja import NinjaAPI\nfrom ninja.security import django_auth\n\n"
    "api = NinjaAPI(auth=django_auth)\n\n"
    "@api.post('/orders/import', auth={auth})\ndef import_orders(request):\n    return {{}}\n"
)
_NINJA_URLS = (
    "from django.urls import path\nfrom api import api\nurlpatterns = [path('api/', api.urls)]\n"
)

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
            lines=(9,),
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
            lines=(7,),
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
    examples=(
        Example(
            "python",
            "from flask import Blueprint\nbp = Blueprint('admin', __name__, url_prefix='/admin')\n\n"
            "@bp.get('/users')\ndef users():\n    return []\n",
            lines=(5,),
            path="admin.py",
        ),
        Example(
            "python",
            "from flask import Blueprint, abort\nfrom flask_login import current_user\n"
            "bp = Blueprint('admin', __name__, url_prefix='/admin')\n\n"
            "@bp.before_request\ndef guard():\n    if not current_user.is_authenticated:\n"
            "        abort(401)\n\n@bp.get('/users')\ndef users():\n    return []\n",
            path="admin.py",
        ),
    ),
)

_CSRF = (
    "from django.contrib.auth.decorators import login_required\n"
    "from django.views.decorators.csrf import csrf_exempt\n"
    "from django.views.decorators.http import require_POST\n\n"
    "{decorator}@login_required\n@require_POST\ndef transfer(request):\n"
    "    request.user.account.pay(request.POST['to'])\n"
)
_CSRF_URLS = (
    "from django.urls import path\nfrom views import transfer\n"
    "urlpatterns = [path('transfer/', transfer)]\n"
)

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
            lines=(8,),
            path="views.py",
            files={"urls.py": _CSRF_URLS},
        ),
        Example(
            "python", _CSRF.format(decorator=""), path="views.py", files={"urls.py": _CSRF_URLS}
        ),
    ),
)

RULES = (WRITE_OPEN, DRF_ALLOW_ANY, OVERRIDE, SENSITIVE_OPEN, CSRF_OFF)
