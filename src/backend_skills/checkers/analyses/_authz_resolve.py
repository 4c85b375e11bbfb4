"""The endpoint inventory of a Python repository, resolved from every file's facts.

Django ``urlpatterns`` are walked from ``ROOT_URLCONF`` (or from every URL module no
other module includes) through ``include()`` chains and DRF routers
(:mod:`._authz_django_inventory`); Flask blueprints and FastAPI routers are joined to the
applications that register them, and Django Ninja routers to their API and its
``urlpatterns`` entry (:mod:`._authz_route_inventory`); Litestar handlers are reached
from each application through routers and controllers, Starlette routes through their
``Mount`` entries (:mod:`._authz_asgi_inventory`). References are
resolved through each module's import table, by module path suffix
(:mod:`._authz_repository`); nothing is imported.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ._authz_asgi_inventory import AsgiInventory
from ._authz_django_inventory import DjangoInventory
from ._authz_exposure import Exposure, join
from ._authz_repository import (
    MAX_DEPTH,
    MAX_ENDPOINTS,
    ClassView,
    Key,
    Repository,
    class_csrf_off,
    class_view,
)
from ._authz_route_inventory import RouteInventory


class Inventory(DjangoInventory, RouteInventory, AsgiInventory):
    """Builds every :class:`Exposure` of the repository."""

    def build(self) -> list[Exposure]:
        self._django()
        self._decorated_routes()
        self._flask_admin()
        self._litestar()
        self._starlette()
        return list(self.found.values())


def inventory(data: Mapping[str, dict[str, Any]]) -> tuple[list[Exposure], Repository]:
    """Every endpoint the Python files declare, and the repository it was read from."""
    built = Inventory(data)
    return built.build(), built.repo


def iter_settings(repo: Repository) -> Iterator[tuple[str, Any]]:
    """The settings facts found (for the DRF default finding)."""
    yield from repo.settings.items()


__all__ = [
    "MAX_DEPTH",
    "MAX_ENDPOINTS",
    "ClassView",
    "Exposure",
    "Inventory",
    "Key",
    "Repository",
    "class_csrf_off",
    "class_view",
    "inventory",
    "iter_settings",
    "join",
]
