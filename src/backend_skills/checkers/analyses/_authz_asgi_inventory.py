"""The Litestar and Starlette part of the inventory.

Litestar: handlers reached from each application's ``route_handlers`` through routers
and controllers, their paths joined, with the guards of every layer (application,
router, controller, handler) and the authentication backend the application installs
(minus its ``exclude`` paths and handlers with ``exclude_from_auth``). Handlers no
application reaches are listed with their own guards.

Starlette: each ``Route`` with the ``Mount`` prefixes above it; protected by
``@requires(...)``, a body that checks ``request.user`` and turns the caller away, an
authentication middleware on its ``Mount`` or on the application. Starlette's own
``AuthenticationMiddleware`` only identifies the caller (an anonymous request passes),
so it does not count by itself.
"""

from __future__ import annotations

import re
from typing import Any

from . import _authz_vocabulary as V
from ._authz_exposure import Exposure, join
from ._authz_repository import MAX_DEPTH, InventoryBase, Key, class_view

#: Middleware that identifies the caller without rejecting anyone.
_IDENTIFYING = frozenset({"AuthenticationMiddleware"})


def _excluded(path: str, patterns: list[str]) -> bool:
    """Whether a Litestar auth backend's ``exclude`` patterns match the path."""
    for pattern in patterns:
        try:
            if re.search(pattern, path):
                return True
        except re.error:
            continue
    return False


def _auth_middleware(names: list[str]) -> list[str]:
    """Middleware whose name says it authenticates (not Starlette's identifying one)."""
    return [n for n in names if n not in _IDENTIFYING and V.auth_name(n)]


def _function_access(info: dict[str, Any]) -> list[str]:
    """A Starlette endpoint function's own protection."""
    access = [f"@{a}" for a in info.get("auth", [])]
    if info.get("checks_caller"):
        access.append("checks request.user")
    return access


class _Layer:
    """What a Litestar layer passes to the handlers below it."""

    def __init__(self, prefix: str, guards: list[str], auth: tuple[str, list[str]] | None):
        self.prefix = prefix
        self.guards = guards
        self.auth = auth  # (backend label, exclude patterns), or None

    def below(self, path: str, guards: list[str]) -> _Layer:
        return _Layer(
            join(self.prefix, path) if (self.prefix or path) else "",
            [*self.guards, *guards],
            self.auth,
        )


class AsgiInventory(InventoryBase):
    """Litestar and Starlette endpoints."""

    # -- Litestar

    def _litestar(self) -> None:
        installed = self._installed_auth()
        reached: set[tuple[str, str]] = set()
        for path, app in self.repo.every("ls_apps"):
            auth = self._litestar_auth(path, app["auth"]) or installed
            layer = _Layer("", list(app["guards"]), auth)
            for ref in app["handlers"]:
                self._litestar_ref(path, ref, layer, reached, 0)
        # Handlers no application lists (a plugin adds them): the backend installed by
        # ``auth.on_app_init(...)`` still applies.
        unreached = _Layer("", [], installed)
        for path, facts in sorted(self.repo.data.items()):
            for name, handler in facts.get("ls_handlers", {}).items():
                if (path, name) not in reached:
                    self._litestar_endpoints(path, name, handler, unreached)
            for name, controller in facts.get("ls_controllers", {}).items():
                if (path, name) not in reached:
                    self._litestar_controller((path, name), controller, unreached)

    def _installed_auth(self) -> tuple[str, list[str]] | None:
        """A backend installed by ``backend.on_app_init(app_config)`` in a plugin."""
        for path, ref in self.repo.every("ls_auth_installed"):
            found = self._litestar_auth(path, [ref])
            if found is not None:
                return found
        return None

    def _litestar_auth(self, path: str, refs: list[str]) -> tuple[str, list[str]] | None:
        """The authentication backend or middleware an application installs."""
        for ref in refs:
            key = self.repo.resolve(path, ref)
            backend = self.repo.facts(key, "ls_auth")
            if backend is not None:
                return str(backend["label"]), list(backend["exclude"])
            short = ref.rsplit(".", 1)[-1]
            if V.auth_name(short):
                return short, []
        return None

    def _litestar_ref(
        self, path: str, ref: str, layer: _Layer, reached: set[tuple[str, str]], depth: int
    ) -> None:
        key = self.repo.resolve(path, ref)
        if key is None or depth > MAX_DEPTH:
            return
        reached.add(key)
        handler = self.repo.facts(key, "ls_handlers")
        controller = self.repo.facts(key, "ls_controllers")
        router = self.repo.facts(key, "ls_routers")
        if handler is not None:
            self._litestar_endpoints(key[0], key[1], handler, layer)
        elif controller is not None:
            self._litestar_controller(key, controller, layer)
        elif router is not None:
            below = layer.below(router["path"], router["guards"])
            for child in router["handlers"]:
                self._litestar_ref(key[0], child, below, reached, depth + 1)

    def _litestar_controller(self, key: Key, controller: dict[str, Any], layer: _Layer) -> None:
        below = layer.below(controller["path"], controller["guards"])
        if controller.get("exclude_auth"):
            below = _Layer(below.prefix, below.guards, None)
        for name, handler in controller["handlers"].items():
            self._litestar_endpoints(key[0], f"{key[1]}.{name}", handler, below)

    def _litestar_endpoints(
        self, file: str, name: str, handler: dict[str, Any], layer: _Layer
    ) -> None:
        here = layer.below("", handler["guards"])
        for route in handler["paths"]:
            full = join(here.prefix, route) if (here.prefix or route.strip("/")) else "/"
            access = [f"guards: {g}" for g in here.guards]
            if here.auth and not handler["exclude_auth"] and not _excluded(full, here.auth[1]):
                access.append(here.auth[0])
            for method in handler["methods"]:
                self.add(Exposure(method, full, name, file, handler["line"], "Litestar", access))

    # -- Starlette

    def _starlette(self) -> None:
        app_wide = _auth_middleware([m["name"] for _, m in self.repo.every("asgi_middleware")])
        mounts: dict[Key, dict[str, Any]] = {}
        for path, mount in self.repo.every("starlette_mounts"):
            key = self.repo.resolve(path, mount["ref"])
            if key is not None:
                mounts.setdefault(key, mount)
        for path, route in self.repo.every("starlette_routes"):
            mount = mounts.get((path, route.get("list", "")), {"prefix": "", "middleware": []})
            if mount["prefix"]:
                route = {**route, "path": join(mount["prefix"], route["path"])}
            mounted = _auth_middleware([*mount["middleware"], *route["middleware"]])
            self._starlette_route(path, route, [*mounted, *app_wide])

    def _starlette_route(self, path: str, route: dict[str, Any], above: list[str]) -> None:
        found = self.repo.class_by_name(path, route["endpoint"]) if route["endpoint"] else None
        if found is not None:
            self._starlette_endpoint_class(found, route["path"] or "/", above)
            return
        key = self.repo.resolve(path, route["endpoint"])
        info = self.repo.facts(key, "functions")
        if key is None or info is None:  # an endpoint we cannot read: listed at the route
            key, info = (path, route["endpoint"] or "?"), {"line": route["line"]}
        access = _function_access(info)
        for method in route["methods"] or ["GET"]:
            where = (key[0], info.get("line"))
            self.add(
                Exposure(
                    method, route["path"] or "/", key[1], *where, "Starlette", [*access, *above]
                )
            )

    def _starlette_endpoint_class(
        self, found: tuple[Key, dict[str, Any]], route: str, above: list[str]
    ) -> None:
        """An ``HTTPEndpoint`` subclass: one endpoint per verb method."""
        view = class_view(self.repo, *found)
        for verb, method in sorted(view.methods.items()):
            if verb not in V.HTTP_VERBS:
                continue
            access = [*view.auth, *method.get("auth", []), *above]
            handler = f"{found[0][1]}.{verb}"
            line = int(method["line"])
            self.add(Exposure(verb.upper(), route, handler, found[0][0], line, "Starlette", access))
