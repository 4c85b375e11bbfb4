"""The authorization rules (``BSSEC040``-``BSSEC044``), declared once, as data.

Each rule carries its id, title, severity, CWE, rationale, fix and examples (an
anti-pattern that fires and a best practice that stays quiet); ``docs/security.md``
quotes them and ``tests/test_authorization.py`` runs the examples.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend_skills.core.models import Severity

CRITERION = "security.authorization"


@dataclass(frozen=True)
class AuthzExample:
    """A small repository (path -> text): ``fires`` says whether the rule must fire."""

    files: tuple[tuple[str, str], ...]
    fires: bool


@dataclass(frozen=True)
class AuthzRule:
    """One authorization rule."""

    id: str
    title: str
    severity: Severity
    cwe: int
    rationale: str
    fix: str
    examples: tuple[AuthzExample, ...]


_FLASK_OPEN = (
    (
        "app.py",
        "from flask import Flask\napp = Flask(__name__)\n\n"
        "@app.post('/orders')\ndef create_order():\n    return {}\n",
    ),
)
_FLASK_SHUT = (
    (
        "app.py",
        "from flask import Flask\nfrom flask_login import login_required\napp = Flask(__name__)\n\n"
        "@app.post('/orders')\n@login_required\ndef create_order():\n    return {}\n",
    ),
)

WRITE_OPEN = AuthzRule(
    id="BSSEC040",
    title="Write endpoint without access control",
    severity=Severity.MEDIUM,
    cwe=862,
    rationale=(
        "A POST, PUT, PATCH or DELETE route that no decorator, permission class, dependency, "
        "guard or middleware protects lets anyone on the network change data (CWE-862, "
        "OWASP A01:2021 Broken Access Control). Routes that are public by design (sign-in, "
        "sign-up, token, password reset, webhooks, health) are exempt."
    ),
    fix=(
        "Protect the route: @login_required / LoginRequiredMixin (Django), "
        "permission_classes = [IsAuthenticated] (DRF), @login_required or @jwt_required() "
        "(Flask), Depends(get_current_user) on the route or its APIRouter (FastAPI)."
    ),
    examples=(AuthzExample(_FLASK_OPEN, True), AuthzExample(_FLASK_SHUT, False)),
)

DRF_ALLOW_ANY = AuthzRule(
    id="BSSEC041",
    title="Django REST framework left at its AllowAny default",
    severity=Severity.MEDIUM,
    cwe=284,
    rationale=(
        "Without REST_FRAMEWORK['DEFAULT_PERMISSION_CLASSES'] (or with AllowAny there) every "
        "DRF view that does not set permission_classes is open to anyone: one forgotten "
        "attribute publishes a write endpoint (CWE-284). Reported when write endpoints rely "
        "on that default."
    ),
    fix=(
        "Set REST_FRAMEWORK = {'DEFAULT_PERMISSION_CLASSES': "
        "['rest_framework.permissions.IsAuthenticated']} and open the few public views "
        "explicitly with permission_classes = [AllowAny]."
    ),
    examples=(
        AuthzExample(
            (
                ("settings.py", "INSTALLED_APPS = ['rest_framework']\n"),
                (
                    "urls.py",
                    "from django.urls import path\nfrom views import Orders\n"
                    "urlpatterns = [path('orders/', Orders.as_view())]\n",
                ),
                (
                    "views.py",
                    "from rest_framework.generics import ListCreateAPIView\n\n"
                    "class Orders(ListCreateAPIView):\n    pass\n",
                ),
            ),
            True,
        ),
        AuthzExample(
            (
                (
                    "settings.py",
                    "INSTALLED_APPS = ['rest_framework']\nREST_FRAMEWORK = {\n"
                    "    'DEFAULT_PERMISSION_CLASSES': ['rest_framework.permissions.IsAuthenticated'],\n}\n",
                ),
                (
                    "urls.py",
                    "from django.urls import path\nfrom views import Orders\n"
                    "urlpatterns = [path('orders/', Orders.as_view())]\n",
                ),
                (
                    "views.py",
                    "from rest_framework.generics import ListCreateAPIView\n\n"
                    "class Orders(ListCreateAPIView):\n    pass\n",
                ),
            ),
            False,
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

OVERRIDE = AuthzRule(
    id="BSSEC042",
    title="Method-level AllowAny overrides class-level protection",
    severity=Severity.MEDIUM,
    cwe=284,
    rationale=(
        "A class protects its routes, and one write method opts out (DRF "
        "@action(permission_classes=[AllowAny]), ASP.NET [AllowAnonymous], Spring permitAll, "
        "Django @login_not_required): the exception is easy to miss in review and opens a "
        "write to anyone (CWE-284)."
    ),
    fix="Keep the class-level protection on write methods; if the method must be public, move it to a public view and say why.",
    examples=(
        AuthzExample(
            (("views.py", _VIEWSET.format(perm="AllowAny")), ("urls.py", _ROUTER_URLS)), True
        ),
        AuthzExample(
            (("views.py", _VIEWSET.format(perm="IsAuthenticated")), ("urls.py", _ROUTER_URLS)),
            False,
        ),
    ),
)

SENSITIVE_OPEN = AuthzRule(
    id="BSSEC043",
    title="Admin, debug, export or actuator route left public",
    severity=Severity.HIGH,
    cwe=306,
    rationale=(
        "Routes under admin, debug, export, actuator, internal or console paths expose "
        "management functions or bulk data; without authentication anyone who finds the URL "
        "uses them (CWE-306 Missing Authentication for Critical Function)."
    ),
    fix="Require an authenticated staff or admin user on the whole admin area (a guard on the blueprint or router, a mixin or a permission class), and keep debug routes out of production builds.",
    examples=(
        AuthzExample(
            (
                (
                    "admin.py",
                    "from flask import Blueprint\nbp = Blueprint('admin', __name__, url_prefix='/admin')\n\n"
                    "@bp.get('/users')\ndef users():\n    return []\n",
                ),
            ),
            True,
        ),
        AuthzExample(
            (
                (
                    "admin.py",
                    "from flask import Blueprint, abort\nfrom flask_login import current_user\n"
                    "bp = Blueprint('admin', __name__, url_prefix='/admin')\n\n"
                    "@bp.before_request\ndef guard():\n    if not current_user.is_authenticated:\n"
                    "        abort(401)\n\n@bp.get('/users')\ndef users():\n    return []\n",
                ),
            ),
            False,
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

CSRF_OFF = AuthzRule(
    id="BSSEC044",
    title="CSRF protection switched off on a session-authenticated endpoint",
    severity=Severity.MEDIUM,
    cwe=352,
    rationale=(
        "A write endpoint that trusts the session cookie (login_required, Flask-Login, "
        "request.user or the session) and is exempt from CSRF checks (@csrf_exempt, "
        "csrf.exempt) can be triggered by any page the victim visits (CWE-352). BSSEC012 "
        "reports every exemption; this rule marks the exploitable ones."
    ),
    fix="Remove the exemption and send the CSRF token from the client; for a machine API, authenticate it with a token header instead of the session.",
    examples=(
        AuthzExample(
            (("views.py", _CSRF.format(decorator="@csrf_exempt\n")), ("urls.py", _CSRF_URLS)), True
        ),
        AuthzExample((("views.py", _CSRF.format(decorator="")), ("urls.py", _CSRF_URLS)), False),
    ),
)

RULES: dict[str, AuthzRule] = {
    r.id: r for r in (WRITE_OPEN, DRF_ALLOW_ANY, OVERRIDE, SENSITIVE_OPEN, CSRF_OFF)
}
