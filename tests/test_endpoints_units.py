"""The small matchers and lookups the endpoint modules are built from."""

from __future__ import annotations

import pytest

pytest.importorskip("tree_sitter")
pytest.importorskip("tree_sitter_javascript")

from backend_skills.checkers.endpoints import exposures, parse_and_scan
from backend_skills.checkers.endpoints._common import rooted
from backend_skills.checkers.endpoints._go import go_auth
from backend_skills.checkers.endpoints.express import resolve_js, verb_of
from backend_skills.checkers.endpoints.nest import PUBLIC_DECORATOR, guard_auth
from backend_skills.checkers.endpoints.quarkus import Module, Permission
from backend_skills.checkers.endpoints.spring import ant, filter_decision


@pytest.mark.parametrize(
    ("name", "auth"),
    [
        ("AuthGuard('jwt')", True),
        ("JwtAuthGuard", True),
        ("RolesGuard", True),
        ("AdminGuard", True),
        ("ApiKeyGuard", True),
        ("new JwtAuthGuard()", True),
        ("ThrottlerGuard", False),
        ("CacheGuard", False),
        ("OptionalJwtGuard", False),
    ],
)
def test_nest_guard_names(name: str, auth: bool) -> None:
    assert guard_auth(name) is auth


@pytest.mark.parametrize(
    ("name", "public"),
    [
        ("Public", True),
        ("SkipAuth", True),
        ("AllowAnonymous", True),
        ("IsPublic", True),
        ("Roles", False),
        ("Publish", False),
        ("ApiTags", False),
    ],
)
def test_nest_public_decorators(name: str, public: bool) -> None:
    assert bool(PUBLIC_DECORATOR.match(name)) is public


@pytest.mark.parametrize(
    ("name", "auth"),
    [
        ("echojwt.JWT(...)", True),
        ("middleware.KeyAuth(...)", True),
        ("middleware.BasicAuth(...)", True),
        ("jwtauth.Authenticator", True),
        ("jwtauth.Verifier(...)", True),
        ("RequireLogin(...)", True),
        ("middleware.RequestID()", False),
        ("middleware.Logger()", False),
        ("middleware.CORS()", False),
        ("middleware.Recoverer", False),
    ],
)
def test_go_middleware_names(name: str, auth: bool) -> None:
    assert go_auth(name) is auth


@pytest.mark.parametrize(
    ("method", "kind", "verb"),
    [
        ("get", "express", "GET"),
        ("all", "express", "ANY"),
        ("del", "express", None),
        ("del", "koa", "DELETE"),
        ("head", "koa", "HEAD"),
        ("use", "koa", None),
    ],
)
def test_router_methods(method: str, kind: str, verb: str | None) -> None:
    assert verb_of(method, kind) == verb


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("./routes/admin", "src/routes/admin.js"),
        ("./routes/admin.js", "src/routes/admin.js"),
        ("./users.js", "src/users.ts"),
        ("../lib", "lib/index.ts"),
        ("express", None),
        ("./missing", None),
    ],
)
def test_relative_imports_resolve_to_scanned_files(source: str, found: str | None) -> None:
    files: dict[str, dict[str, object]] = {
        "src/routes/admin.js": {},
        "src/users.ts": {},
        "lib/index.ts": {},
    }
    assert resolve_js("src/app.js", source, files) == found


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("/api/**", "/api/users/x", True),
        ("/api/**", "/api", True),
        ("/api/*", "/api/users/x", False),
        ("/users/{id}", "/users/x", True),
        ("/admin", "/administrator", False),
    ],
)
def test_ant_patterns(pattern: str, path: str, matches: bool) -> None:
    assert bool(ant(pattern).match(path)) is matches


def test_filter_chain_first_matching_rule_wins() -> None:
    rules = [
        {"patterns": ["/api/public/**"], "methods": [], "decision": "permitAll"},
        {"patterns": ["/api/**"], "methods": ["POST"], "decision": "hasRole"},
    ]
    assert filter_decision("/api/public/x", "POST", rules, "authenticated") == "permitAll"
    assert filter_decision("/api/orders", "POST", rules, "authenticated") == "hasRole"
    assert filter_decision("/api/orders", "GET", rules, "authenticated") == "authenticated"


def test_quarkus_longest_matching_permission_wins() -> None:
    module = Module(
        "",
        permissions=[
            Permission("all", ["/*"], [], "authenticated"),
            Permission("docs", ["/api/docs/*"], ["GET"], "permit"),
        ],
    )
    assert module.decide("/api/docs/x", "GET") == (
        "quarkus.http.auth.permission.docs (permit)",
        True,
    )
    assert module.decide("/api/docs/x", "POST") == (
        "quarkus.http.auth.permission.all (authenticated)",
        False,
    )
    assert (
        Module("", permissions=[Permission("p", ["/q/*"], [], "permit")]).decide("/api", "GET")
        is None
    )


@pytest.mark.parametrize(("path", "expected"), [("{id}/", "/{id}/"), ("/x", "/x"), ("", "/")])
def test_rooted(path: str, expected: str) -> None:
    assert rooted(path) == expected


def test_express_chained_all_is_any_method() -> None:
    code = "const router = require('express').Router();\nrouter.route('/x').all(handle);\n"
    data = {"r.js": parse_and_scan("javascript", "r.js", code)}
    assert [e.method for e in exposures(data)] == ["ANY"]
