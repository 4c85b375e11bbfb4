"""The Flask and FastAPI part of the inventory: decorated routes and ``add_url_rule``
joined to the applications, blueprints and routers that register them, with the
decorators, dependencies, ``before_request`` guards and router-level dependencies that
protect them; and Flask-Admin areas."""

from __future__ import annotations

from typing import Any

from . import _authz_vocabulary as V
from ._authz_exposure import Exposure, join
from ._authz_repository import MAX_DEPTH, InventoryBase, Key, class_view


def _auth_alias_name(alias: str) -> bool:
    """An ``Annotated`` alias we cannot read, judged by its name (``CurrentUser``)."""
    found = set(V.words(alias.rsplit(".", 1)[-1]))
    return V.auth_name(alias.rsplit(".", 1)[-1]) or (
        "current" in found and bool(found & {"user", "principal", "account", "admin"})
    )


class RouteInventory(InventoryBase):
    """Flask and FastAPI routes with the protection of every owner above them."""

    def _flask_admin(self) -> None:
        guarded = sorted(
            f"{name}.is_accessible()"
            for facts in self.repo.data.values()
            for name, info in facts.get("classes", {}).items()
            if info.get("is_accessible")
        )
        for path, facts in sorted(self.repo.data.items()):
            for line, url in facts.get("flask_admin", []):
                self.add(
                    Exposure(
                        "ANY",
                        join(url) + "/",
                        "flask_admin.Admin",
                        path,
                        line,
                        "Flask-Admin",
                        guarded[:3],
                    )
                )

    # -- Flask and FastAPI

    def _owner_chain(self, key: Key, depth: int = 0) -> tuple[str, list[str]]:
        """(prefix, access controls) of an application or router, with every application
        or router it is registered on (computed once per router)."""
        if key not in self._chains:
            self._chains[key] = self._compute_chain(key, depth)
        return self._chains[key]

    def _mounts_of(self, key: Key) -> list[tuple[str, dict[str, Any]]]:
        if self._mounts is None:
            self._mounts = {}
            for path, facts in sorted(self.repo.data.items()):
                for mount in facts.get("mounts", []):
                    child = self.repo.resolve(path, mount["child"]) or (
                        self.repo.resolve_dotted(mount["child"]) if "." in mount["child"] else None
                    )
                    if child is not None:
                        self._mounts.setdefault(child, []).append((path, mount))
        return self._mounts.get(key, [])

    def _compute_chain(self, key: Key, depth: int) -> tuple[str, list[str]]:
        owner = self.repo.facts(key, "owners") or {}
        prefix = owner.get("prefix") or ""
        access = self._depends_access(key[0], owner.get("deps", [])) + self._guards(key)
        mounts = self._mounts_of(key)
        if depth >= MAX_DEPTH or not mounts:
            return prefix, access
        path, mount = mounts[0]  # the first registration found decides the prefix
        above, parent_access = self._parent_chain(key, path, mount, depth)
        mount_access = self._depends_access(path, mount.get("deps", []))
        mounted = mount["prefix"] if mount["prefix"] is not None else ""
        joined = join(above, mounted, prefix) if (above or mounted or prefix) else ""
        return joined, access + mount_access + parent_access

    def _parent_chain(
        self, key: Key, path: str, mount: dict[str, Any], depth: int
    ) -> tuple[str, list[str]]:
        """The chain of the application or router ``key`` is registered on."""
        parent = self.repo.resolve(path, mount["parent"])
        if parent is None or parent == key:
            return "", []
        return self._owner_chain(parent, depth + 1)

    def _depends_access(self, path: str, deps: list[str]) -> list[str]:
        """``Depends(x)`` labels of the dependencies that check the caller."""
        return [f"Depends({d})" for d in deps if self._auth_dep(path, d)]

    def _guards(self, key: Key) -> list[str]:
        if self._guard_index is None:
            self._guard_index = {}
            for path, facts in sorted(self.repo.data.items()):
                for guard in facts.get("guards", []):
                    owner = self.repo.resolve(path, guard["owner"])
                    if owner is not None:
                        self._guard_index.setdefault(owner, []).append((path, guard))
        found = []
        for path, guard in self._guard_index.get(key, []):
            if guard.get("app_wide"):
                continue  # before_app_request: every route of the application (see _route)
            if self._guard_checks(path, guard):
                found.append(f"before_request guard {guard['function']}()")
        return found

    def _app_wide_guards(self) -> list[str]:
        """``before_app_request`` hooks (on any blueprint) that check the caller."""
        if self._app_wide is None:
            self._app_wide = []
            for path, facts in sorted(self.repo.data.items()):
                for guard in facts.get("guards", []):
                    if guard.get("app_wide") and self._guard_checks(path, guard):
                        self._app_wide.append(f"before_app_request guard {guard['function']}()")
        return self._app_wide

    def _guard_checks(self, path: str, guard: dict[str, Any]) -> bool:
        checks = guard.get("auth")
        if checks is None:
            function = self.repo.facts(self.repo.resolve(path, guard["function"]), "functions")
            checks = bool(function and function.get("guard"))
        return bool(checks)

    def _auth_dep(self, path: str, name: str, depth: int = 0) -> bool:
        """Whether a FastAPI dependency checks the caller: ``Security(...)``, a name that
        says so, an ``Annotated`` alias of one, or a function that depends on one."""
        if name.startswith("Security:"):
            return True
        if name.startswith("alias:"):
            return self._auth_alias(path, name[len("alias:") :], depth)
        if V.auth_name(name.rsplit(".", 1)[-1], V.DEPENDENCY_WORDS):
            return True
        if depth >= 4:
            return False
        key = self.repo.resolve(path, name)
        function = self.repo.facts(key, "functions")
        if key is None or function is None:
            return False
        return any(self._auth_dep(key[0], d, depth + 1) for d in function.get("deps", []))

    def _auth_alias(self, path: str, alias: str, depth: int) -> bool:
        """An ``Annotated[..., Depends(x)]`` alias used as a parameter's annotation."""
        key = self.repo.resolve(path, alias)
        if key is None or key[0] not in self.repo.data:
            return _auth_alias_name(alias)  # defined in a file we could not read
        deps = self.repo.data.get(key[0], {}).get("aliases", {}).get(key[1], [])
        return any(self._auth_dep(key[0], d, depth + 1) for d in deps)

    def _dep_label(self, path: str, name: str) -> str:
        if name.startswith("alias:"):
            return name[len("alias:") :]
        if name.startswith("Security:"):
            return f"Security({name[len('Security:') :]})"
        return f"Depends({name})"

    def _decorated_routes(self) -> None:
        for path, facts in sorted(self.repo.data.items()):
            for route in facts.get("routes", []):
                self._route(path, facts, route)
            for rule in facts.get("url_rules", []):
                self._url_rule(path, facts, rule)

    def _url_rule(self, path: str, facts: dict[str, Any], rule: dict[str, Any]) -> None:
        """``add_url_rule`` with a function or a ``MethodView``."""
        found = self.repo.class_by_name(path, rule["view"])
        if found is not None:
            self._method_view_rule(path, facts, rule, found)
            return
        key = self.repo.resolve(path, rule["view"])
        info = self.repo.facts(key, "functions")
        if key is None or info is None:
            return
        route = {
            **info,
            "owner": rule["owner"],
            "methods": rule["methods"] or ["GET"],
            "path": rule["path"],
            "handler": key[1],
            "auth": [*rule["wrappers"], *info.get("auth", [])],
        }
        self._route(key[0], facts, route, owner_file=path)

    def _method_view_rule(
        self,
        path: str,
        facts: dict[str, Any],
        rule: dict[str, Any],
        found: tuple[Key, dict[str, Any]],
    ) -> None:
        """``add_url_rule(path, view_func=SomeView.as_view(...))``: one route per verb
        method of the class (the rule's ``methods`` restrict them)."""
        view = class_view(self.repo, *found)
        lines = {m.upper(): int(v["line"]) for m, v in view.methods.items() if m in V.HTTP_VERBS}
        allowed = rule["methods"]
        for method, line in sorted(lines.items()):
            route = {
                "owner": rule["owner"],
                "methods": [method] if allowed is None or method in allowed else [],
                "path": rule["path"],
                "handler": f"{found[0][1]}.{method.lower()}",
                "line": line,
                "auth": [*rule["wrappers"], *view.auth],
                "csrf_exempt": view.csrf_exempt,
            }
            self._route(found[0][0], facts, route, owner_file=path)

    def _route(
        self,
        path: str,
        facts: dict[str, Any],
        route: dict[str, Any],
        *,
        owner_file: str | None = None,
    ) -> None:
        key = self.repo.resolve(owner_file or path, route["owner"]) if route["owner"] else None
        prefix, access = self._owner_chain(key) if key is not None else ("", [])
        framework = _framework(self.repo.facts(key, "owners"), facts)
        override = ""
        if framework == "Django Ninja" and key is not None:
            prefix = join(self.ninja_urls.get(self._top_owner(key), ""), prefix)
            access, override = self._ninja_access(key, route)
        own = self._route_access(path, route, framework)
        full = join(prefix, route["path"]) if prefix else (route["path"] or "/")
        for method in route["methods"]:
            exposure = Exposure(
                method,
                full,
                route["handler"],
                path,
                route["line"],
                framework,
                [*own, *access],
                csrf_exempt=bool(route.get("csrf_exempt")),
                session=bool(route.get("session")),
            )
            exposure.override = override
            self.add(exposure)

    # -- Django Ninja: auth= of the operation, else of its routers, else of the API

    def _top_owner(self, key: Key) -> Key:
        """The application or API a router is (eventually) registered on."""
        seen = {key}
        while self._mounts_of(key) and len(seen) <= MAX_DEPTH:
            path, mount = self._mounts_of(key)[0]
            parent = self.repo.resolve(path, mount["parent"])
            if parent is None or parent in seen:
                break
            seen.add(parent)
            key = parent
        return key

    def _ninja_inherited(self, key: Key, depth: int = 0) -> str | None:
        """The ``auth=`` a router's operations inherit: ``add_router(auth=)``, then
        ``Router(auth=)``, then the parent's; ``""`` for ``auth=None``; None when unset."""
        mounts = self._mounts_of(key)
        if mounts and "auth_kw" in mounts[0][1]:
            return str(mounts[0][1]["auth_kw"])
        owner = self.repo.facts(key, "owners") or {}
        if "auth_kw" in owner:
            return str(owner["auth_kw"])
        if not mounts or depth >= MAX_DEPTH:
            return None
        parent = self.repo.resolve(mounts[0][0], mounts[0][1]["parent"])
        if parent is None or parent == key:
            return None
        return self._ninja_inherited(parent, depth + 1)

    def _ninja_access(self, key: Key, route: dict[str, Any]) -> tuple[list[str], str]:
        """(access controls, override) of a Django Ninja operation."""
        inherited = self._ninja_inherited(key)
        own = route.get("auth_kw")
        if own is None:
            return ([f"auth={inherited}"] if inherited else []), ""
        if own:
            return [f"auth={own}"], ""
        override = f"auth=None overrides the API's auth={inherited}" if inherited else ""
        return [], override

    def _route_access(self, path: str, route: dict[str, Any], framework: str) -> list[str]:
        """What the route itself applies: decorators, app-wide Flask guards, dependencies."""
        own = [f"@{a}" for a in route.get("auth", [])]
        if framework == "Flask":
            own += self._app_wide_guards()
        deps = route.get("deps", [])
        return own + [self._dep_label(path, d) for d in deps if self._auth_dep(path, d)]


_OWNER_FRAMEWORKS = {"fastapi": "FastAPI", "ninja": "Django Ninja", "flask": "Flask"}


def _framework(owner: dict[str, Any] | None, facts: dict[str, Any]) -> str:
    """``Flask``, ``FastAPI``, ``Django Ninja``: the kind of the route's owner, or the
    module's imports."""
    kind = (owner or {}).get("kind")
    if kind in _OWNER_FRAMEWORKS:
        return _OWNER_FRAMEWORKS[kind]
    module = facts.get("framework")
    return module if module in ("FastAPI", "Starlette") else "Flask"
