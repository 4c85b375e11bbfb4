"""Which scanner reads a file, and every resolver run over the repository's facts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..analyses._authz_resolve import Exposure
from . import (
    _go,
    aspnet,
    chi,
    echo,
    express,
    fastify,
    fastify_plugins,
    gin,
    jaxrs,
    nest,
    quarkus,
    spring,
)
from ._common import Facts

if TYPE_CHECKING:
    import tree_sitter


@dataclass(frozen=True)
class Scanner:
    """One framework's scanner and when it runs."""

    languages: tuple[str, ...]
    markers: tuple[str, ...]
    """The file is read only when its text holds one of these (a cheap pre-filter)."""
    scan: Callable[[tree_sitter.Node, str], Facts]
    useful: tuple[str, ...]
    """The facts are kept when one of these keys holds something."""
    excludes: tuple[str, ...] = ()
    """... and not when it holds one of these."""
    requires: tuple[str, ...] = ()
    """... and (when given) one of these too."""

    def __call__(self, root: tree_sitter.Node, source: str) -> Facts:
        if not any(marker in source for marker in self.markers):
            return {}
        if any(marker in source for marker in self.excludes):
            return {}
        if self.requires and not any(marker in source for marker in self.requires):
            return {}
        facts = self.scan(root, source)
        return facts if any(facts.get(key) for key in self.useful) else {}


_JS = ("javascript", "typescript")
_GIN = ("gin-gonic/gin", "gin.")

#: Per language, the first scanner whose markers the file holds and whose facts are
#: useful wins (a NestJS or Fastify file is not read again as Express).
SCANNERS = (
    Scanner(
        _JS,
        ("@nestjs/",),
        nest.scan,
        ("controllers", "global_guards", "prefix", "middleware", "composed"),
    ),
    Scanner(
        _JS,
        ("fastify", "Fastify"),
        lambda root, _: fastify.scan(root),
        ("routes", "registers", "autoload", "hooks"),
    ),
    Scanner(
        _JS,
        ("koa",),
        lambda root, _: express.scan(root, "koa"),
        ("routes", "uses", "routers", "optional_export"),
    ),
    Scanner(
        _JS,
        ("express", ".use(", "Router"),
        lambda root, _: express.scan(root),
        ("routes", "uses", "routers", "optional_export"),
    ),
    # No framework named: a module exporting an async plugin is read as Fastify's (an
    # ``export default`` or ``module.exports``: without one no plugin is exported).
    Scanner(
        _JS,
        ("async function", "async ("),
        lambda root, _: fastify.scan_plugin(root),
        ("routes", "hooks", "registers"),
        requires=("default", "module.exports"),
    ),
    Scanner(("java",), ("ws.rs",), jaxrs.scan, ("resources", "application_path")),
    Scanner(
        ("java",),
        ("Mapping", "HttpSecurity", "addInterceptor", "filterChainDefinition"),
        spring.scan,
        ("controllers", "chain", "security", "interceptors", "rules"),
    ),
    Scanner(
        ("go",),
        ("labstack/echo", "echo.Echo", "echo.Group", "echo.New", "echo.Context"),
        lambda root, _: echo.scan(root),
        ("routes", "groups", "calls"),
    ),
    Scanner(
        ("go",),
        ("go-chi/chi", "chi.Router", "chi.Mux", "chi.NewRouter"),
        lambda root, _: chi.scan(root),
        ("routes", "children", "calls"),
    ),
    Scanner(("go",), _GIN, lambda root, _: gin.scan(root), ("routes", "groups")),
    # No framework named: echo's reading (a router handed to another file is followed).
    Scanner(
        ("go",),
        (".GET(", ".POST(", ".Group(", ".HandleFunc(", ".Handle("),
        lambda root, _: echo.scan(root, named=False),
        ("routes", "groups", "calls"),
        excludes=_GIN,
    ),
    # No router: the functions and methods checking the caller by their body (a middleware
    # of another file, miniflux's ``webSessionMiddleware.handle``, is judged by them).
    Scanner(
        ("go",), ("StatusUnauthorized", "WriteHeader(401", "Redirect"), _go.scan_guards, ("guards",)
    ),
    # What each useful fact needs: a controller (``[ApiController]``, ``: Controller``,
    # ``...Controller : Base``), a minimal-API route, a global policy (``new
    # AuthorizeFilter(``, ``FallbackPolicy =``, ``MapControllers().RequireAuthorization``),
    # the project's own authorization attribute or filter (``: AuthorizeAttribute``).
    Scanner(
        ("csharp",),
        (
            "Controller",
            *aspnet.MAP_METHODS,
            "AuthorizeFilter",
            "FallbackPolicy",
            ".Map",
            "RequireAuthorization",
            "AuthorizeAttribute",
            "AuthorizationFilter",
        ),
        aspnet.scan,
        ("controllers", "maps", "global_auth", "ext_calls", "extensions", "auth_classes"),
    ),
)

#: Facts of files declaring no route, read only to judge other files' middleware.
HELPER_KINDS = frozenset({"go_guards"})

FRAMEWORK_LABELS = {
    "express": "Express",
    "aspnet": "ASP.NET Core",
    "spring": "Spring",
    "gin": "gin",
    "koa": "Koa",
    "nest": "NestJS",
    "fastify": "Fastify",
    "echo": "echo",
    "chi": "chi",
    "jaxrs": "JAX-RS",
}


def scan(language: str, root: tree_sitter.Node, source: str) -> Facts:
    """Endpoint facts of one parsed file (empty when it declares none)."""
    for scanner in SCANNERS:
        facts = scanner(root, source) if language in scanner.languages else {}
        if facts:
            return facts
    return {}


@dataclass(frozen=True)
class Settings:
    """What the repository's build and configuration files say (read once)."""

    spring_security: bool = False
    """The build declares Spring Security (every request authenticated by default)."""
    spring_modules: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Maven/Gradle modules and the modules each can see (``spring.build_modules``)."""
    quarkus: list[quarkus.Module] = field(default_factory=list)
    """Quarkus HTTP permissions and policy enforcers, per module."""


def resolve(data: Mapping[str, Facts], settings: Settings) -> Iterator[Exposure]:
    """Every endpoint of every framework, in framework order."""
    yield from express.exposures(data)
    yield from nest.exposures(data)
    yield from fastify_plugins.exposures(data)
    yield from aspnet.exposures(data)
    yield from spring.exposures(data, settings.spring_security, settings.spring_modules)
    yield from jaxrs.exposures(data, settings.quarkus)
    yield from gin.exposures(data)
    yield from echo.exposures(data)
    yield from chi.exposures(data)


def labels(data: Iterable[Facts]) -> str:
    """The frameworks the facts come from, for the inventory's note."""
    kinds = sorted({str(d.get("kind")) for d in data if d and d.get("kind") not in HELPER_KINDS})
    return ", ".join(FRAMEWORK_LABELS.get(k, k) for k in kinds)
