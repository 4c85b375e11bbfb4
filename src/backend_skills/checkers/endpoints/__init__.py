"""The endpoint inventory of services in other languages than Python, read from
tree-sitter trees.

:func:`scan` takes one parsed file (the parse the language layer already made) and
returns JSON-serialisable facts; :func:`exposures` resolves every file's facts into
endpoints (routers mounted across files, groups, class-level attributes) that
:func:`backend_skills.checkers.analyses.authorization.endpoints_result` judges exactly as
it judges Python's. One module per framework: :mod:`.express`, :mod:`.aspnet`,
:mod:`.nest`, :mod:`.fastify` (Koa shares :mod:`.express`), :mod:`.spring`,
:mod:`.jaxrs` (with :mod:`.quarkus`'s configuration), :mod:`.gin`, :mod:`.echo`,
:mod:`.chi`; :mod:`._dispatch` picks the scanner of a file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import CheckResult

from ..analyses._authz_resolve import Exposure
from . import quarkus, spring
from ._common import MAX_NODES, MIDDLEWARE_WORDS, Facts, middleware_auth
from ._dispatch import HELPER_KINDS, Settings, labels, resolve, scan
from .express import EXPRESS_VERBS
from .spring import spring_security_declared

__all__ = [
    "EXPRESS_VERBS",
    "MAX_NODES",
    "MIDDLEWARE_WORDS",
    "Facts",
    "exposures",
    "middleware_auth",
    "parse_and_scan",
    "polyglot_result",
    "scan",
    "spring_security_declared",
]

_GRAMMARS = {
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "csharp": ("tree_sitter_c_sharp", "language"),
    "java": ("tree_sitter_java", "language"),
    "go": ("tree_sitter_go", "language"),
}


def exposures(
    data: Mapping[str, Facts],
    *,
    spring_security: bool = False,
    quarkus_config: list[quarkus.Module] | None = None,
    spring_modules: Mapping[str, frozenset[str]] | None = None,
) -> list[Exposure]:
    """Every endpoint the files' facts declare (``spring_security``: the build declares
    Spring Security, which then protects every request by default; ``quarkus_config``:
    the HTTP permissions of Quarkus modules)."""
    settings = Settings(
        spring_security, spring_modules=spring_modules or {}, quarkus=quarkus_config or []
    )
    unique: dict[tuple[str, str | None, str, int | None], Exposure] = {}
    for exposure in resolve(data, settings):
        unique.setdefault((exposure.method, exposure.path, exposure.file, exposure.line), exposure)
    return list(unique.values())


def parse_and_scan(language: str, path: str, text: str) -> Facts:
    """Parse with the official grammar wheel and scan (tests and callers without a tree)."""
    import importlib

    import tree_sitter

    if language not in _GRAMMARS:
        return {}
    module, function = _GRAMMARS[language]
    if path.endswith(".tsx"):
        function = "language_tsx"
    grammar = tree_sitter.Language(getattr(importlib.import_module(module), function)())
    tree = tree_sitter.Parser(grammar).parse(text.encode("utf-8", "surrogatepass"))
    return scan(language, tree.root_node, text)


def polyglot_result(data: Mapping[str, Facts], files: Iterable[SourceFile]) -> CheckResult:
    """Inventory, findings and the protected share for the tree-sitter languages."""
    from ..analyses.authorization import endpoints_result

    if all(d.get("kind") in HELPER_KINDS for d in data.values()):
        return CheckResult()  # no router: as when no file held endpoint facts
    files = list(files)
    found = exposures(
        data,
        spring_security=spring_security_declared(files),
        quarkus_config=quarkus.modules(files) if _has(data, "jaxrs") else [],
        spring_modules=spring.build_modules(files) if _has(data, "spring") else {},
    )
    label = labels(data.values()) or "Java, C#, Go or JS/TS"
    return endpoints_result(found, [], "polyglot", label)


def _has(data: Mapping[str, Facts], kind: str) -> bool:
    return any(d.get("kind") == kind for d in data.values())
