"""The Django and Django REST framework part of the inventory: ``urlpatterns`` walked
from ``ROOT_URLCONF`` (or from every URL module no other module includes) through
``include()`` chains and DRF routers, to function views, class-based views and viewsets,
with the permission classes, mixins, decorators and middleware that protect them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import _authz_vocabulary as V
from ._authz_exposure import Exposure, join
from ._authz_repository import MAX_DEPTH, ClassView, InventoryBase, Key, class_csrf_off, class_view


@dataclass(frozen=True)
class _Walk:
    """Where a walk through ``urlpatterns`` is: what the enclosing ``include()`` chain
    applies to every view below it."""

    wrappers: list[str]
    csrf: bool
    depth: int
    seen: frozenset[str]


class DjangoInventory(InventoryBase):
    """Django views, DRF views and viewsets reached from the URL configuration."""

    # -- DRF permissions

    def _drf_access(self, exposure: Exposure, permissions: list[str] | None) -> None:
        if permissions is None:
            exposure.drf_default = self.drf_default is None or set(self.drf_default) <= V.ALLOW_ANY
            permissions = self.drf_default or []
            where = "DEFAULT_PERMISSION_CLASSES"
        else:
            where = "permission_classes"
        protecting = [p for p in permissions if p not in V.ALLOW_ANY]
        if protecting:
            exposure.access.append(f"{where}: {', '.join(protecting)}")
            exposure.public_reads = all(p in V.READ_ONLY_OPEN for p in protecting)
            exposure.drf_default = False
        elif where == "permission_classes":
            exposure.open_evidence = f"permission_classes = [{', '.join(permissions)}]"
        else:
            exposure.open_evidence = "DRF's default permission (AllowAny)"

    def _drf_csrf(self, exposure: Exposure, view: ClassView) -> None:
        """A session authentication class whose ``enforce_csrf`` does nothing."""
        classes = view.authentication
        if classes is None:
            drf = self.repo.settings.get("drf") or {}
            classes = drf.get("authentication") or []
        for name in classes:
            found = self.repo.class_by_name(view.key[0], name)
            if found is not None and class_csrf_off(self.repo, *found):
                exposure.csrf_exempt = True
                exposure.session = True
                exposure.csrf_evidence = f"{name}.enforce_csrf does nothing"
                return

    # -- Django

    def _roots(self) -> list[str]:
        conf = self.repo.settings.get("root_urlconf")
        if conf:
            found = self.repo.module_file(conf)
            if found is not None and self.repo.data[found].get("urlpatterns"):
                return [found]
        included = self._included_files()
        return sorted(
            p for p, f in self.repo.data.items() if f.get("urlpatterns") and p not in included
        )

    def _included_files(self) -> set[str]:
        """URL modules some ``include()`` names."""
        included: set[str] = set()
        for path, entry in self.repo.every("urlpatterns"):
            if entry["kind"] == "include":
                target = self.repo.module_file(entry["target"])
            elif entry["kind"] == "include_ref":
                key = self.repo.resolve(path, entry["target"])
                target = key[0] if key else None
            else:
                continue
            if target:
                included.add(target)
        return included

    def _django(self) -> None:
        for root in self._roots():
            self._walk_urls(root, "", _Walk([], False, 0, frozenset()))
        for path, facts in sorted(self.repo.data.items()):
            for name in facts.get("routers", {}):
                if (path, name) not in self.seen_routers:
                    self._router((path, name), "", [], False)

    def _walk_urls(self, path: str, prefix: str, walk: _Walk) -> None:
        if walk.depth > MAX_DEPTH or path in walk.seen:
            return
        for entry in self.repo.data[path].get("urlpatterns", []):
            route = (
                join(prefix, entry.get("route") or "") if (prefix or entry.get("route")) else "/"
            )
            below = _Walk(
                [*walk.wrappers, *entry.get("wrappers", [])],
                walk.csrf or bool(entry.get("csrf_exempt")),
                walk.depth + 1,
                walk.seen | {path},
            )
            self._url_entry(path, entry, route, below)

    def _is_ninja(self, key: Key) -> bool:
        """A Django Ninja API (its routes are read with the decorated routes)."""
        return (self.repo.facts(key, "owners") or {}).get("kind") == "ninja"

    def _included_urls(self, path: str, entry: dict[str, Any]) -> str | None:
        """The URL module an ``include()`` entry walks into."""
        if entry["kind"] == "include":
            return self.repo.module_file(entry["target"])
        key = self.repo.resolve(path, entry["target"])
        if key is not None and self.repo.data.get(key[0], {}).get("urlpatterns"):
            return key[0]
        return None

    def _url_entry(self, path: str, entry: dict[str, Any], route: str, walk: _Walk) -> None:
        """One ``path()``: an include, a router, the admin site or a view."""
        kind = entry["kind"]
        if kind in ("include", "include_ref"):
            target = self._included_urls(path, entry)
            if target is not None:
                self._walk_urls(target, route, walk)
        elif kind == "router":
            key = self.repo.resolve(path, entry["target"])
            if key is not None and self._is_ninja(key):
                self.ninja_urls.setdefault(key, route)
            elif key is not None:
                self._router(key, route, walk.wrappers, walk.csrf)
        elif kind == "admin":
            admin = ["Django admin (staff login)"]
            self.add(Exposure("ANY", route, "admin.site", path, entry["line"], "Django", admin))
        else:
            self._view(path, entry, route, walk.wrappers, walk.csrf)

    def _router(self, key: Key, prefix: str, wrappers: list[str], csrf: bool) -> None:
        self.seen_routers.add(key)
        for item in self.repo.data.get(key[0], {}).get("routers", {}).get(key[1], []):
            found = self.repo.class_by_name(key[0], item["viewset"])
            if found is None:
                continue
            view = class_view(self.repo, *found)
            self._viewset(view, join(prefix, item["prefix"]) + "/", wrappers, csrf)

    def _view(
        self, path: str, entry: dict[str, Any], route: str, wrappers: list[str], csrf: bool
    ) -> None:
        target = entry["target"]
        found = self.repo.class_by_name(path, target)
        if found is not None:
            view = class_view(self.repo, *found)
            if view.viewset:
                self._viewset(view, route, wrappers, csrf)
            else:
                self._class_view(view, route, wrappers, csrf)
            return
        key = self.repo.resolve(path, target) or self._dotted_view(path, target)
        info = self.repo.facts(key, "functions")
        if key is not None and info is not None:
            self._function_view(key, info, route, wrappers, csrf)

    def _function_view(
        self, key: Key, info: dict[str, Any], route: str, wrappers: list[str], csrf: bool
    ) -> None:
        for method in info.get("methods") or ["ANY"]:
            exposure = Exposure(
                method,
                route,
                key[1],
                key[0],
                info.get("line"),
                "Django REST framework" if info.get("drf") else "Django",
                [*wrappers, *info.get("auth", [])],
                csrf_exempt=csrf or bool(info.get("csrf_exempt")),
                session=bool(info.get("session")),
            )
            if info.get("drf"):
                self._drf_access(exposure, info.get("permissions"))
            else:
                self._django_default(exposure, bool(info.get("login_not_required")))
            self.add(exposure)

    def _dotted_view(self, path: str, target: str) -> Key | None:
        """A view named by a dotted string (``"app.views.index"``, Django < 1.10)."""
        imports = self.repo.data.get(path, {}).get("imports", {})
        if "." not in target or target.split(".", 1)[0] in imports:
            return None
        return self.repo.resolve_dotted(target)

    def _django_default(self, exposure: Exposure, opted_out: bool) -> None:
        if self.login_middleware and not exposure.access:
            if opted_out:
                exposure.override = "@login_not_required under LoginRequiredMiddleware"
            else:
                exposure.access.append("LoginRequiredMiddleware")

    def _class_methods(self, view: ClassView) -> dict[str, int]:
        """HTTP method -> line, for a Django or DRF class-based view."""
        methods: dict[str, int] = {}
        for verb in V.HTTP_VERBS:
            if verb in view.methods:
                methods[verb.upper()] = int(view.methods[verb]["line"])
        for base in sorted(view.bases):
            for verb in V.DRF_GENERIC_VIEWS.get(base, ()) + V.DJANGO_VIEWS.get(base, ()):
                methods.setdefault(verb, view.line)
        if view.http_method_names:
            methods = {m: line for m, line in methods.items() if m in view.http_method_names}
        return methods or {"ANY": view.line}

    def _class_view(self, view: ClassView, route: str, wrappers: list[str], csrf: bool) -> None:
        name = view.key[1]
        for method, line in sorted(self._class_methods(view).items()):
            handler = view.methods.get(method.lower(), {})
            exposure = Exposure(
                method,
                route,
                f"{name}.{method.lower()}" if handler else name,
                view.key[0],
                line,
                "Django REST framework" if view.drf else "Django",
                [*wrappers, *view.auth, *handler.get("auth", [])],
                csrf_exempt=csrf or view.csrf_exempt or bool(handler.get("csrf_exempt")),
                session=bool(handler.get("session")),
            )
            if view.drf:
                self._drf_access(exposure, view.permissions)
                self._drf_csrf(exposure, view)
            else:
                self._django_default(exposure, False)
            self.add(exposure)

    def _viewset(self, view: ClassView, route: str, wrappers: list[str], csrf: bool) -> None:
        name = view.key[1]
        actions = {a for b in view.bases for a in V.VIEWSET_BASES.get(b, ())}
        actions |= {a for a in V.VIEWSET_ACTIONS if a in view.methods}
        detail = join(route, "{pk}") + "/"
        for action in sorted(actions):
            method, is_detail = V.VIEWSET_ACTIONS[action]
            own = view.methods.get(action, {})
            where = detail if is_detail else route
            self._viewset_endpoint(view, method, where, f"{name}.{action}", own, wrappers, csrf)
        for action_name, own in sorted(view.methods.items()):
            if own.get("action"):
                self._extra_action(view, (route, detail), action_name, own, (wrappers, csrf))

    def _extra_action(
        self,
        view: ClassView,
        routes: tuple[str, str],
        action_name: str,
        own: dict[str, Any],
        applied: tuple[list[str], bool],
    ) -> None:
        """A DRF ``@action``: its methods at ``<route>/<url_path>/`` (list) or
        ``<route>/{pk}/<url_path>/`` (detail)."""
        extra = own["action"]
        where = join(routes[1] if extra["detail"] else routes[0], extra["url_path"]) + "/"
        for method in extra["methods"]:
            handler = f"{view.key[1]}.{action_name}"
            self._viewset_endpoint(view, method, where, handler, own, *applied)

    def _viewset_endpoint(
        self,
        view: ClassView,
        method: str,
        route: str,
        handler: str,
        own: dict[str, Any],
        wrappers: list[str],
        csrf: bool,
    ) -> None:
        exposure = Exposure(
            method,
            route,
            handler,
            view.key[0],
            int(own.get("line") or view.line),
            "Django REST framework",
            [*wrappers, *view.auth, *own.get("auth", [])],
            csrf_exempt=csrf or view.csrf_exempt,
        )
        if "permissions" in own:
            self._drf_access(exposure, own["permissions"])
            class_level = Exposure(method, route, handler, "", None, "")
            self._drf_access(class_level, view.permissions)
            if exposure.public and not class_level.public:
                exposure.override = (
                    f"@action(permission_classes=[{', '.join(own['permissions'])}]) overrides"
                    f" the class's {class_level.access_control}"
                )
        else:
            self._drf_access(exposure, view.permissions)
        self._drf_csrf(exposure, view)
        self.add(exposure)
