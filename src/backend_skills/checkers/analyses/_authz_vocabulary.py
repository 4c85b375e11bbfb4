"""What the authorization analysis recognises: access-control names, framework view
classes and the methods they answer, and routes that are public by design."""

from __future__ import annotations

import itertools
import re

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
HTTP_VERBS = ("get", "post", "put", "patch", "delete")

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def words(name: str) -> list[str]:
    """``LoginRequiredMixin`` -> ``["login", "required", "mixin"]``; ``jwt_required`` too."""
    return [w.lower() for part in re.split(r"[^A-Za-z0-9]+", name) for w in _WORD.findall(part)]


#: Words that make a decorator, mixin or dependency name an access control.
AUTH_WORDS = frozenset(
    {
        "login",
        "auth",
        "authenticated",
        "authentication",
        "authenticate",
        "authorize",
        "authorized",
        "authorization",
        "permission",
        "permissions",
        "jwt",
        "token",
        "role",
        "roles",
        "admin",
        "staff",
        "staffuser",
        "superuser",
        "protected",
        "secured",
        "privileged",
        "oauth",
        "oauth2",
        "bearer",
        "apikey",
        "signed",
    }
)

#: Extra words for FastAPI dependencies (``get_current_user``, ``verify_api_key``).
DEPENDENCY_WORDS = AUTH_WORDS | {"current", "credentials", "principal", "scopes", "verify"}

#: Words that make an access-control-looking name mean the opposite (or something else).
NOT_AUTH_WORDS = frozenset(
    {
        "optional",
        "exempt",
        "anonymous",
        "public",
        "csrf",
        "cache",
        "cached",
        "limit",
        "limiter",
        "ratelimit",
        "not",
        "allow",
        "any",
        "db",
        "session",
    }
)


def auth_name(name: str, vocabulary: frozenset[str] = AUTH_WORDS) -> bool:
    """Whether a decorator, mixin or dependency name says it checks access."""
    split = words(name)
    found = set(split)
    # ``@admins_only``, ``@authed_only`` (CTFd): the plural and the participle of a word
    found |= {w[:-1] for w in split if w.endswith("s") and w[:-1] in vocabulary}
    found |= {w[:-2] for w in split if w.endswith("ed") and w[:-2] in vocabulary}
    if name.endswith(("api_key", "ApiKey")) or any(
        a == "api" and b == "key" for a, b in itertools.pairwise(split)
    ):
        found.add("apikey")  # APIKeyHeader, api_key_header, require_api_key
    return bool(found & vocabulary) and not found & NOT_AUTH_WORDS


#: Mixins that check the caller although their name holds no access-control word
#: (Django's ``UserPassesTestMixin``, django-braces' ``GroupRequiredMixin``).
AUTH_MIXINS = frozenset({"UserPassesTestMixin", "GroupRequiredMixin"})

#: DRF permission classes that allow everyone.
ALLOW_ANY = frozenset({"AllowAny"})

#: DRF permission classes that only protect writes (reads stay public).
READ_ONLY_OPEN = frozenset({"IsAuthenticatedOrReadOnly", "DjangoModelPermissionsOrAnonReadOnly"})

#: DRF generic views -> methods they answer.
DRF_GENERIC_VIEWS: dict[str, tuple[str, ...]] = {
    "CreateAPIView": ("POST",),
    "ListAPIView": ("GET",),
    "RetrieveAPIView": ("GET",),
    "DestroyAPIView": ("DELETE",),
    "UpdateAPIView": ("PUT", "PATCH"),
    "ListCreateAPIView": ("GET", "POST"),
    "RetrieveUpdateAPIView": ("GET", "PUT", "PATCH"),
    "RetrieveDestroyAPIView": ("GET", "DELETE"),
    "RetrieveUpdateDestroyAPIView": ("GET", "PUT", "PATCH", "DELETE"),
}

#: DRF view bases (a class deriving from one is a DRF view).
DRF_VIEW_BASES = frozenset({"APIView", "GenericAPIView", *DRF_GENERIC_VIEWS}) | frozenset(
    {"ViewSet", "GenericViewSet", "ModelViewSet", "ReadOnlyModelViewSet", "ViewSetMixin"}
)

#: Viewset action -> (method, detail route).
VIEWSET_ACTIONS: dict[str, tuple[str, bool]] = {
    "list": ("GET", False),
    "create": ("POST", False),
    "retrieve": ("GET", True),
    "update": ("PUT", True),
    "partial_update": ("PATCH", True),
    "destroy": ("DELETE", True),
}

#: Viewset bases and mixins -> actions they bring.
VIEWSET_BASES: dict[str, tuple[str, ...]] = {
    "ModelViewSet": tuple(VIEWSET_ACTIONS),
    "ReadOnlyModelViewSet": ("list", "retrieve"),
    "ListModelMixin": ("list",),
    "CreateModelMixin": ("create",),
    "RetrieveModelMixin": ("retrieve",),
    "UpdateModelMixin": ("update", "partial_update"),
    "DestroyModelMixin": ("destroy",),
}
VIEWSET_MARKERS = frozenset({"ViewSet", "GenericViewSet", "ModelViewSet", "ReadOnlyModelViewSet"})

#: Django class-based views -> methods they answer.
DJANGO_VIEWS: dict[str, tuple[str, ...]] = {
    "TemplateView": ("GET",),
    "ListView": ("GET",),
    "DetailView": ("GET",),
    "RedirectView": ("GET",),
    "ArchiveIndexView": ("GET",),
    "FormView": ("GET", "POST"),
    "CreateView": ("GET", "POST"),
    "UpdateView": ("GET", "POST"),
    "DeleteView": ("GET", "POST"),
    "LoginView": ("GET", "POST"),
    "LogoutView": ("POST",),
    "PasswordChangeView": ("GET", "POST"),
    "PasswordResetView": ("GET", "POST"),
}
DJANGO_VIEW_BASES = frozenset({"View", *DJANGO_VIEWS})

#: Django decorators fixing a function view's methods.
DJANGO_METHOD_DECORATORS: dict[str, tuple[str, ...]] = {
    "require_POST": ("POST",),
    "require_GET": ("GET",),
    "require_safe": ("GET",),
}

#: Path or handler words of endpoints that are public on purpose (signing in, signing
#: up, getting a token, resetting a password, health checks, webhooks checked by
#: signature): listed in the inventory, never findings.
PUBLIC_BY_DESIGN = frozenset(
    {
        "login",
        "logout",
        "signin",
        "signout",
        "signup",
        "register",
        "registration",
        "token",
        "tokens",
        "refresh",
        "password",
        "forgot",
        "reset",
        "activate",
        "activation",
        "confirm",
        "verify",
        "verification",
        "callback",
        "webhook",
        "webhooks",
        "health",
        "healthz",
        "ready",
        "readyz",
        "livez",
        "ping",
        "oauth",
        "oauth2",
        "sso",
        "saml",
        "csrf",
        "subscribe",
        "unsubscribe",
        "contact",
        "feedback",
        "search",
    }
)

#: Path segments of routes that must never be public.
SENSITIVE_WORDS = frozenset(
    {"admin", "debug", "export", "exports", "actuator", "internal", "console", "phpmyadmin"}
)

#: Handler words of documentation and static-file servers (``ginSwagger.WrapHandler``,
#: ``get_redoc_html``, ``express.static``, ``http.FileServer``): what they serve under an
#: admin path (``/swagger/admin/*any``) is pages and assets, not an admin function.
DOCS_HANDLER_WORDS = frozenset({"swagger", "redoc", "openapi", "rapidoc", "static"})


def serves_documents(handler: str) -> bool:
    """Whether a handler serves API documentation or static files."""
    split = words(handler)
    return bool(set(split) & DOCS_HANDLER_WORDS) or any(
        a == "file" and b == "server" for a, b in itertools.pairwise(split)
    )


#: Names or text in a ``before_request`` guard that show it checks who is calling.
GUARD_WORDS = frozenset(
    {
        "is_authenticated",
        "is_anonymous",
        "verify_jwt_in_request",
        "current_user",
        "get_jwt_identity",
        "login_required",
        "logged_in",
        "authenticate",
        "authorization",
        "authorized",
        "unauthorized",
        "forbidden",
        "api_key",
        "check_auth",
        "require_login",
    }
)

#: Values that show a view uses the session (cookie) login.
SESSION_WORDS = frozenset({"session", "user", "current_user", "login", "logout"})
