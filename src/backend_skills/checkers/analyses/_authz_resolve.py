"""The endpoint inventory of a Python repository, resolved from every file's facts.

Django ``urlpatterns`` are walked from ``ROOT_URLCONF`` (or from every URL module no
other module includes) through ``include()`` chains and DRF routers; Flask blueprints
and FastAPI routers are joined to the applications that register them. References are
resolved through each module's import table, by module path suffix; nothing is imported.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import _authz_vocabulary as V

MAX_DEPTH = 12
MAX_ENDPOINTS = 20_000

Key = tuple[str, str]  # (file, name)


@dataclass
class Exposure:
    """One endpoint with what the findings need beside the report's fields."""

    method: str
    path: str | None
    handler: str
    file: str
    line: int | None
    framework: str
    access: list[str] = field(default_factory=list)
    """What protects it (empty: nothing)."""
    public_reads: bool = False
    """Protection covers writes only (``IsAuthenticatedOrReadOnly``)."""
    open_evidence: str = ""
    """Why it is open, when it is (``permission_classes = [AllowAny]``...)."""
    drf_default: bool = False
    override: str = ""
    """Class-level protection a method-level setting removes."""
    csrf_exempt: bool = False
    session: bool = False
    csrf_evidence: str = ""
    """How CSRF checks are switched off, when not by ``@csrf_exempt``."""

    @property
    def write(self) -> bool:
        return self.method in V.WRITE_METHODS

    @property
    def public(self) -> bool:
        return not self.access or (self.public_reads and not self.write)

    @property
    def access_control(self) -> str | None:
        if not self.access:
            return None
        text = ", ".join(dict.fromkeys(self.access))
        return f"{text} (reads public)" if self.public_reads else text

    def segments(self) -> list[str]:
        path = self.path or ""
        return [
            s
            for s in path.replace("^", "/").replace("$", "/").split("/")
            if s and not s.startswith(("{", "<", ":", "("))
        ]

    def sensitive(self) -> str | None:
        """``admin``, ``debug``, ``export``, ``actuator``... when the path names one."""
        for segment in self.segments():
            for word in V.words(segment):
                if word in V.SENSITIVE_WORDS:
                    return word
        return None

    def by_design(self) -> str | None:
        """The word that makes the endpoint public on purpose (``login``...)."""
        for word in [w for s in self.segments() for w in V.words(s)] + V.words(self.handler):
            if word in V.PUBLIC_BY_DESIGN:
                return word
        return None


def _auth_alias_name(alias: str) -> bool:
    """An ``Annotated`` alias we cannot read, judged by its name (``CurrentUser``)."""
    found = set(V.words(alias.rsplit(".", 1)[-1]))
    return V.auth_name(alias.rsplit(".", 1)[-1]) or (
        "current" in found and bool(found & {"user", "principal", "account", "admin"})
    )


def join(*parts: str | None) -> str:
    """Join route parts into ``/a/b/`` (regex anchors dropped)."""
    text = "/".join(p.strip("^$").strip("/") for p in parts if p and p.strip("^$/"))
    last = next((p for p in reversed(parts) if p), "")
    trailing = last.rstrip("$").endswith("/") and text != ""
    lead = "" if text.startswith("{") else "/"
    return lead + text + ("/" if trailing else "")


class Repository:
    """Every Python file's facts, with module and symbol resolution."""

    def __init__(self, data: Mapping[str, dict[str, Any]]) -> None:
        self.data = data
        self.modules: dict[str, list[str]] = {}
        for path in sorted(data):
            parts = path[: -len(".py")].split("/") if path.endswith(".py") else path.split("/")
            if parts and parts[-1] == "__init__":
                parts = parts[:-1]
            for index in range(len(parts)):
                self.modules.setdefault(".".join(parts[index:]), []).append(path)
        self.class_files: dict[str, list[str]] = {}
        for path, facts in sorted(data.items()):
            for name in facts.get("classes", {}):
                self.class_files.setdefault(name, []).append(path)
        self.settings: dict[str, Any] = {}
        for path, facts in sorted(data.items()):
            for key, value in facts.get("settings", {}).items():
                if key == "drf":
                    value = {**value, "file": path}
                elif key in ("login_middleware", "drf_installed"):
                    value = (path, value)
                self.settings.setdefault(key, value)

    def module_file(self, module: str) -> str | None:
        paths = self.modules.get(module)
        return min(paths, key=lambda p: (len(p), p)) if paths else None

    def resolve(self, path: str, ref: str) -> Key | None:
        """The (file, name) ``ref`` (source text in ``path``) refers to."""
        if not ref or ref.startswith("self."):
            return None
        imports: dict[str, str] = self.data.get(path, {}).get("imports", {})
        head, _, rest = ref.partition(".")
        if head not in imports:
            return (path, ref) if not rest else None
        full = imports[head] + ("." + rest if rest else "")
        parts = full.split(".")
        for index in range(len(parts) - 1, 0, -1):
            found = self.module_file(".".join(parts[:index]))
            if found is not None:
                return (found, ".".join(parts[index:]))
        module = self.module_file(full)
        return (module, "") if module is not None else None

    def facts(self, key: Key | None, kind: str) -> dict[str, Any] | None:
        if key is None:
            return None
        value = self.data.get(key[0], {}).get(kind, {}).get(key[1])
        return value if isinstance(value, dict) else None

    def class_by_name(self, path: str, ref: str) -> tuple[Key, dict[str, Any]] | None:
        key = self.resolve(path, ref)
        found = self.facts(key, "classes")
        if key is not None and found is not None:
            return key, found
        short = ref.rsplit(".", 1)[-1]
        owners = self.class_files.get(short, [])
        if len(owners) == 1:
            return (owners[0], short), self.data[owners[0]]["classes"][short]
        return None


# --------------------------------------------------------------------------- classes


@dataclass
class ClassView:
    """A view class with what it inherits from the project's own base classes."""

    key: Key
    line: int
    bases: set[str] = field(default_factory=set)
    permissions: list[str] | None = None
    auth: list[str] = field(default_factory=list)
    methods: dict[str, dict[str, Any]] = field(default_factory=dict)
    csrf_exempt: bool = False
    http_method_names: list[str] | None = None
    authentication: list[str] | None = None

    @property
    def drf(self) -> bool:
        return bool(self.bases & V.DRF_VIEW_BASES)

    @property
    def viewset(self) -> bool:
        return bool(self.bases & V.VIEWSET_MARKERS) or any(
            b.endswith("ViewSet") for b in self.bases
        )


def class_view(repo: Repository, key: Key, info: dict[str, Any], depth: int = 0) -> ClassView:
    """Merge a class with its project base classes (own settings first, then bases)."""
    view = ClassView(key=key, line=int(info.get("line", 0)))
    attrs = info.get("attrs", {})
    view.permissions = attrs.get("get_permissions") or attrs.get("permission_classes")
    view.auth = list(info.get("auth", []))
    view.methods = dict(info.get("methods", {}))
    view.csrf_exempt = bool(info.get("csrf_exempt"))
    view.http_method_names = attrs.get("http_method_names")
    view.authentication = attrs.get("authentication_classes")
    for base in info.get("bases", []):
        short = base.rsplit(".", 1)[-1]
        view.bases.add(short)
        if V.auth_name(short) and short.endswith("Mixin"):
            view.auth.append(short)
        found = repo.class_by_name(key[0], base) if depth < MAX_DEPTH else None
        if found is None or found[0] == key:
            continue
        parent = class_view(repo, found[0], found[1], depth + 1)
        view.bases |= parent.bases
        if view.permissions is None:
            view.permissions = parent.permissions
        view.auth += parent.auth
        for name, method in parent.methods.items():
            view.methods.setdefault(name, method)
        view.csrf_exempt = view.csrf_exempt or parent.csrf_exempt
        view.http_method_names = view.http_method_names or parent.http_method_names
        if view.authentication is None:
            view.authentication = parent.authentication
    return view


def class_csrf_off(repo: Repository, key: Key, info: dict[str, Any], depth: int = 0) -> bool:
    """Whether a class (or a project base of it) overrides ``enforce_csrf`` to do nothing."""
    if info.get("csrf_off"):
        return True
    if depth >= MAX_DEPTH:
        return False
    for base in info.get("bases", []):
        found = repo.class_by_name(key[0], base)
        if found is not None and found[0] != key and class_csrf_off(repo, *found, depth + 1):
            return True
    return False


# --------------------------------------------------------------------------- the inventory


class Inventory:
    """Builds every :class:`Exposure` of the repository."""

    def __init__(self, data: Mapping[str, dict[str, Any]]) -> None:
        self.repo = Repository(data)
        self.found: dict[tuple[str, str | None, str, int | None], Exposure] = {}
        self.seen_routers: set[Key] = set()
        drf = self.repo.settings.get("drf")
        self.drf_default: list[str] | None = drf.get("permissions") if drf else None
        self.login_middleware = "login_middleware" in self.repo.settings
        self._chains: dict[Key, tuple[str, list[str], list[str]]] = {}
        self._mounts: dict[Key, list[tuple[str, dict[str, Any]]]] | None = None
        self._guard_index: dict[Key, list[tuple[str, dict[str, Any]]]] | None = None
        self._app_wide: list[str] | None = None

    def add(self, exposure: Exposure) -> None:
        if len(self.found) >= MAX_ENDPOINTS:
            return
        key = (exposure.method, exposure.path, exposure.file, exposure.line)
        self.found.setdefault(key, exposure)

    def build(self) -> list[Exposure]:
        self._django()
        self._decorated_routes()
        self._flask_admin()
        return list(self.found.values())

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
        included: set[str] = set()
        for path, facts in self.repo.data.items():
            for entry in facts.get("urlpatterns", []):
                if entry["kind"] == "include":
                    target = self.repo.module_file(entry["target"])
                    if target:
                        included.add(target)
                elif entry["kind"] == "include_ref":
                    key = self.repo.resolve(path, entry["target"])
                    if key:
                        included.add(key[0])
        return sorted(
            p for p, f in self.repo.data.items() if f.get("urlpatterns") and p not in included
        )

    def _django(self) -> None:
        for root in self._roots():
            self._walk_urls(root, "", [], False, 0, set())
        for path, facts in sorted(self.repo.data.items()):
            for name in facts.get("routers", {}):
                if (path, name) not in self.seen_routers:
                    self._router((path, name), "", [], False)

    def _walk_urls(
        self, path: str, prefix: str, wrappers: list[str], csrf: bool, depth: int, seen: set[str]
    ) -> None:
        if depth > MAX_DEPTH or path in seen:
            return
        seen = seen | {path}
        for entry in self.repo.data[path].get("urlpatterns", []):
            route = (
                join(prefix, entry.get("route") or "") if (prefix or entry.get("route")) else "/"
            )
            here = [*wrappers, *entry.get("wrappers", [])]
            exempt = csrf or bool(entry.get("csrf_exempt"))
            kind = entry["kind"]
            if kind == "include":
                target = self.repo.module_file(entry["target"])
                if target is not None:
                    self._walk_urls(target, route, here, exempt, depth + 1, seen)
            elif kind == "include_ref":
                key = self.repo.resolve(path, entry["target"])
                if key is not None and self.repo.data.get(key[0], {}).get("urlpatterns"):
                    self._walk_urls(key[0], route, here, exempt, depth + 1, seen)
            elif kind == "router":
                key = self.repo.resolve(path, entry["target"])
                if key is not None:
                    self._router(key, route, here, exempt)
            elif kind == "admin":
                self.add(
                    Exposure(
                        "ANY",
                        route,
                        "admin.site",
                        path,
                        entry["line"],
                        "Django",
                        ["Django admin (staff login)"],
                    )
                )
            else:
                self._view(path, entry, route, here, exempt)

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
        key = self.repo.resolve(path, target)
        info = self.repo.facts(key, "functions")
        if key is None or info is None:
            return
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
            self._viewset_endpoint(
                view,
                method,
                detail if is_detail else route,
                f"{name}.{action}",
                own,
                wrappers,
                csrf,
            )
        for action_name, own in sorted(view.methods.items()):
            extra = own.get("action")
            if not extra:
                continue
            where = join(detail if extra["detail"] else route, extra["url_path"]) + "/"
            for method in extra["methods"]:
                self._viewset_endpoint(
                    view, method, where, f"{name}.{action_name}", own, wrappers, csrf
                )

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

    # -- Flask and FastAPI

    def _owner_chain(self, key: Key, depth: int = 0) -> tuple[str, list[str], list[str]]:
        """(prefix, access controls, open guards) of an application or router, with every
        application or router it is registered on (computed once per router)."""
        if key not in self._chains:
            self._chains[key] = self._compute_chain(key, depth)
        return self._chains[key]

    def _mounts_of(self, key: Key) -> list[tuple[str, dict[str, Any]]]:
        if self._mounts is None:
            self._mounts = {}
            for path, facts in sorted(self.repo.data.items()):
                for mount in facts.get("mounts", []):
                    child = self.repo.resolve(path, mount["child"])
                    if child is not None:
                        self._mounts.setdefault(child, []).append((path, mount))
        return self._mounts.get(key, [])

    def _compute_chain(self, key: Key, depth: int) -> tuple[str, list[str], list[str]]:
        owner = self.repo.facts(key, "owners") or {}
        prefix = owner.get("prefix") or ""
        access = [f"Depends({d})" for d in owner.get("deps", []) if self._auth_dep(key[0], d)]
        access += self._guards(key)
        mounts = self._mounts_of(key)
        if depth >= MAX_DEPTH or not mounts:
            return prefix, access, []
        path, mount = mounts[0]  # the first registration found decides the prefix
        parent = self.repo.resolve(path, mount["parent"])
        above, parent_access = "", list[str]()
        if parent is not None and parent != key:
            above, parent_access, _ = self._owner_chain(parent, depth + 1)
        mount_access = [f"Depends({d})" for d in mount.get("deps", []) if self._auth_dep(path, d)]
        mounted = mount["prefix"] if mount["prefix"] is not None else ""
        joined = join(above, mounted, prefix) if (above or mounted or prefix) else ""
        return joined, access + mount_access + parent_access, []

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
        if name.startswith("Security:"):
            return True
        if name.startswith("alias:"):
            alias = name[len("alias:") :]
            key = self.repo.resolve(path, alias)
            if key is None or key[0] not in self.repo.data:
                return _auth_alias_name(alias)  # defined in a file we could not read
            deps = self.repo.data.get(key[0], {}).get("aliases", {}).get(key[1], [])
            return any(self._auth_dep(key[0], d, depth + 1) for d in deps)
        if V.auth_name(name.rsplit(".", 1)[-1], V.DEPENDENCY_WORDS):
            return True
        if depth >= 4:
            return False
        key = self.repo.resolve(path, name)
        function = self.repo.facts(key, "functions")
        if key is None or function is None:
            return False
        return any(self._auth_dep(key[0], d, depth + 1) for d in function.get("deps", []))

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
            view = class_view(self.repo, *found)
            lines = {
                m.upper(): int(v["line"]) for m, v in view.methods.items() if m in V.HTTP_VERBS
            }
            routes = [
                {
                    "owner": rule["owner"],
                    "methods": [m]
                    if rule["methods"] is None
                    else [m]
                    if m in rule["methods"]
                    else [],
                    "path": rule["path"],
                    "handler": f"{found[0][1]}.{m.lower()}",
                    "line": line,
                    "auth": [*rule["wrappers"], *view.auth],
                    "csrf_exempt": view.csrf_exempt,
                }
                for m, line in sorted(lines.items())
            ]
            for route in routes:
                self._route(found[0][0], facts, route, owner_file=path)
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

    def _route(
        self,
        path: str,
        facts: dict[str, Any],
        route: dict[str, Any],
        *,
        owner_file: str | None = None,
    ) -> None:
        where = owner_file or path
        key = self.repo.resolve(where, route["owner"]) if route["owner"] else None
        owner = self.repo.facts(key, "owners")
        prefix, access, _ = self._owner_chain(key) if key is not None else ("", [], [])
        kind = (owner or {}).get("kind") or (
            "fastapi" if facts.get("framework") == "FastAPI" else "flask"
        )
        framework = "FastAPI" if kind == "fastapi" else "Flask"
        own = [f"@{a}" for a in route.get("auth", [])]
        if framework == "Flask":
            own += self._app_wide_guards()
        own += [self._dep_label(path, d) for d in route.get("deps", []) if self._auth_dep(path, d)]
        full = join(prefix, route["path"]) if prefix else (route["path"] or "/")
        for method in route["methods"]:
            self.add(
                Exposure(
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
            )


def inventory(data: Mapping[str, dict[str, Any]]) -> tuple[list[Exposure], Repository]:
    """Every endpoint the Python files declare, and the repository it was read from."""
    built = Inventory(data)
    return built.build(), built.repo


def iter_settings(repo: Repository) -> Iterator[tuple[str, Any]]:
    """The settings facts found (for the DRF default finding)."""
    yield from repo.settings.items()
