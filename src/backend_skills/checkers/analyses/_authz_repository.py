"""Every Python file's endpoint facts, with module and symbol resolution
(:class:`Repository`), view classes merged with their project base classes
(:class:`ClassView`), and the state every part of the inventory shares
(:class:`InventoryBase`). Nothing is imported: references are resolved through each
module's import table, by module path suffix."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import _authz_vocabulary as V
from ._authz_exposure import Exposure

MAX_DEPTH = 12
MAX_ENDPOINTS = 20_000

Key = tuple[str, str]  # (file, name)


def _module_names(path: str) -> list[str]:
    """``a/b/c.py`` -> ``["a.b.c", "b.c", "c"]`` (a package's ``__init__`` is the package)."""
    parts = path[: -len(".py")].split("/") if path.endswith(".py") else path.split("/")
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return [".".join(parts[index:]) for index in range(len(parts))]


def _setting_value(path: str, key: str, value: Any) -> Any:
    """A setting fact with where it was found."""
    if key == "drf":
        return {**value, "file": path}
    if key in ("login_middleware", "drf_installed"):
        return (path, value)
    return value


class Repository:
    """Every Python file's facts, with module and symbol resolution."""

    def __init__(self, data: Mapping[str, dict[str, Any]]) -> None:
        self.data = data
        self.modules: dict[str, list[str]] = {}
        self.class_files: dict[str, list[str]] = {}
        self.settings: dict[str, Any] = {}
        for path, facts in sorted(data.items()):
            for module in _module_names(path):
                self.modules.setdefault(module, []).append(path)
            for name in facts.get("classes", {}):
                self.class_files.setdefault(name, []).append(path)
            for key, value in facts.get("settings", {}).items():
                self.settings.setdefault(key, _setting_value(path, key, value))

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
        return self.resolve_dotted(imports[head] + ("." + rest if rest else ""))

    def resolve_dotted(self, full: str) -> Key | None:
        """The (file, name) a dotted path (``apps.users.api.router``) names."""
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

    def every(self, kind: str) -> list[tuple[str, Any]]:
        """``(file, item)`` for every item of a list fact (``guards``, ``mounts``...), in
        file order."""
        return [
            (path, item)
            for path, facts in sorted(self.data.items())
            for item in facts.get(kind, [])
        ]


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

    def inherit(self, parent: ClassView) -> None:
        """Take from a base class what this class does not set itself."""
        self.bases |= parent.bases
        if self.permissions is None:
            self.permissions = parent.permissions
        self.auth += parent.auth
        for name, method in parent.methods.items():
            self.methods.setdefault(name, method)
        self.csrf_exempt = self.csrf_exempt or parent.csrf_exempt
        self.http_method_names = self.http_method_names or parent.http_method_names
        if self.authentication is None:
            self.authentication = parent.authentication


def _own_view(key: Key, info: dict[str, Any]) -> ClassView:
    """A class's own settings, before its bases."""
    attrs = info.get("attrs", {})
    return ClassView(
        key=key,
        line=int(info.get("line", 0)),
        permissions=attrs.get("get_permissions") or attrs.get("permission_classes"),
        auth=list(info.get("auth", [])),
        methods=dict(info.get("methods", {})),
        csrf_exempt=bool(info.get("csrf_exempt")),
        http_method_names=attrs.get("http_method_names"),
        authentication=attrs.get("authentication_classes"),
    )


def class_view(repo: Repository, key: Key, info: dict[str, Any], depth: int = 0) -> ClassView:
    """Merge a class with its project base classes (own settings first, then bases)."""
    view = _own_view(key, info)
    for base in info.get("bases", []):
        short = base.rsplit(".", 1)[-1]
        view.bases.add(short)
        if (V.auth_name(short) and short.endswith("Mixin")) or short in V.AUTH_MIXINS:
            view.auth.append(short)
        found = repo.class_by_name(key[0], base) if depth < MAX_DEPTH else None
        if found is not None and found[0] != key:
            view.inherit(class_view(repo, found[0], found[1], depth + 1))
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


# --------------------------------------------------------------------------- shared state


class InventoryBase:
    """What every part of the inventory shares: the repository, the settings that
    change defaults, and the endpoints found so far."""

    def __init__(self, data: Mapping[str, dict[str, Any]]) -> None:
        self.repo = Repository(data)
        self.found: dict[tuple[str, str | None, str, int | None], Exposure] = {}
        self.seen_routers: set[Key] = set()
        drf = self.repo.settings.get("drf")
        self.drf_default: list[str] | None = drf.get("permissions") if drf else None
        self.login_middleware = "login_middleware" in self.repo.settings
        self._chains: dict[Key, tuple[str, list[str]]] = {}
        self._mounts: dict[Key, list[tuple[str, dict[str, Any]]]] | None = None
        self._guard_index: dict[Key, list[tuple[str, dict[str, Any]]]] | None = None
        self._app_wide: list[str] | None = None
        self.ninja_urls: dict[Key, str] = {}
        """Django Ninja APIs mounted in ``urlpatterns`` (``path("api/", api.urls)``)."""

    def add(self, exposure: Exposure) -> None:
        if len(self.found) >= MAX_ENDPOINTS:
            return
        key = (exposure.method, exposure.path, exposure.file, exposure.line)
        self.found.setdefault(key, exposure)
