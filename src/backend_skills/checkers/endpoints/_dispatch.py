"""Which scanner reads a file, and every resolver run over the repository's facts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..analyses._authz_resolve import Exposure
from . import aspnet, express, gin, spring
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

    def __call__(self, root: tree_sitter.Node, source: str) -> Facts:
        if not any(marker in source for marker in self.markers):
            return {}
        facts = self.scan(root, source)
        return facts if any(facts.get(key) for key in self.useful) else {}


SCANNERS = (
    Scanner(
        ("javascript", "typescript"),
        ("express", ".use(", "Router"),
        lambda root, _: express.scan(root),
        ("routes", "uses", "routers"),
    ),
    Scanner(
        ("java",), ("Mapping", "HttpSecurity"), spring.scan, ("controllers", "chain", "security")
    ),
    Scanner(
        ("go",), ("gin", ".GET(", ".POST("), lambda root, _: gin.scan(root), ("routes", "groups")
    ),
    Scanner(
        ("csharp",),
        ("Controller", "Map", "Authorize"),
        aspnet.scan,
        ("controllers", "maps", "global_auth"),
    ),
)

FRAMEWORK_LABELS = {
    "express": "Express",
    "aspnet": "ASP.NET Core",
    "spring": "Spring",
    "gin": "gin",
}


def scan(language: str, root: tree_sitter.Node, source: str) -> Facts:
    """Endpoint facts of one parsed file (empty when it declares none)."""
    for scanner in SCANNERS:
        if language in scanner.languages:
            return scanner(root, source)
    return {}


def resolve(data: Mapping[str, Facts], *, spring_security: bool) -> Iterator[Exposure]:
    """Every endpoint of every framework, in framework order."""
    yield from express.exposures(data)
    yield from aspnet.exposures(data)
    yield from spring.exposures(data, spring_security)
    yield from gin.exposures(data)


def labels(data: Iterable[Facts]) -> str:
    """The frameworks the facts come from, for the inventory's note."""
    kinds = sorted({str(d.get("kind")) for d in data if d})
    return ", ".join(FRAMEWORK_LABELS.get(k, k) for k in kinds)
