"""Fastify's plugins resolved across files: ``register`` prefixes and targets,
``@fastify/autoload`` folders and their ``autohooks``, and the hooks each route is under
(a plugin's own, those of the plugins above it, and those of ``fp``-wrapped plugins it
registers, which share its context)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from typing import Any

from ..analyses._authz_resolve import Exposure, join
from ._common import MAX_DEPTH, Facts, rooted
from .express import resolve_js
from .fastify import AUTOHOOKS, FRAMEWORK

Key = tuple[str, str]  # (file, plugin function)


def _hooked(folder: str, hooks: list[tuple[str, Key]], cascade: bool) -> list[Key]:
    """The ``autohooks`` plugins that apply to a plugin loaded from ``folder``."""
    return [
        key
        for where, key in hooks
        if where == folder or (cascade and (where == "" or folder.startswith(where + "/")))
    ]


class Plugins:
    """Every file's Fastify facts, with plugins resolved across files."""

    def __init__(self, data: Mapping[str, Facts]) -> None:
        self.data = {p: d for p, d in sorted(data.items()) if d.get("kind") == "fastify"}
        self.parents: dict[Key, tuple[Key, str, bool]] = {}
        for path, facts in self.data.items():
            for register in facts["registers"]:
                child = self.resolve(path, register["target"])
                if child is not None and child not in self.parents:
                    parent = (path, register["context"])
                    self.parents[child] = (parent, register["prefix"], register["fp"])
        self.shared: dict[Key, list[Key]] = {}
        for path, facts in self.data.items():
            for entry in facts.get("autoload", []):
                self._autoload(path, entry)

    def _loaded(self, base: str) -> Iterator[tuple[str, Key]]:
        """(folder relative to ``base``, plugin) of every file an autoload reads."""
        for path, facts in self.data.items():
            if not path.startswith(base + "/") or not facts["export"]:
                continue
            key = self.resolve(path, facts["export"])
            if key is not None:
                yield posixpath.dirname(path[len(base) + 1 :]), key

    def _autoload(self, path: str, entry: Facts) -> None:
        base = posixpath.normpath(posixpath.join(posixpath.dirname(path), entry["dir"]))
        loaded = list(self._loaded(base))
        hooks = [(f, k) for f, k in loaded if posixpath.basename(k[0]) in AUTOHOOKS]
        for folder, key in loaded:
            if (folder, key) in hooks or key in self.parents:
                continue
            self.parents[key] = ((path, entry["context"]), "/" + folder if folder else "", False)
            if entry["autoHooks"]:
                self.shared[key] = _hooked(folder, hooks, entry["cascadeHooks"])

    def resolve(self, path: str, target: Mapping[str, Any], depth: int = 0) -> Key | None:
        """The (file, function) a plugin reference names."""
        facts = self.data.get(path)
        if facts is None or depth > MAX_DEPTH:
            return None
        if "local" in target:
            return path, str(target["local"])
        name = target.get("name")
        if name in facts["functions"]:
            return path, str(facts["functions"][name])
        source = facts["imports"].get(name) if name else target.get("import")
        other = resolve_js(path, source, self.data) if source else None
        exported = self.data[other]["export"] if other is not None else None
        return self.resolve(other, exported, depth + 1) if other and exported else None

    def _own_hooks(self, key: Key) -> list[str]:
        hooks = self.data[key[0]]["hooks"]
        return [name for hook in hooks if hook["context"] == key[1] for name in hook["names"]]

    def _sharing(self, key: Key) -> list[Key]:
        """Plugins whose hooks apply to ``key``: ``fp`` children and autohooks."""
        children = [c for c, (p, _, fp) in self.parents.items() if p == key and fp]
        return [c for c in [*children, *self.shared.get(key, [])] if c != key]

    def hooks(self, key: Key, depth: int = 0) -> list[str]:
        """Hooks added in a plugin and in the plugins that share its context."""
        if depth > MAX_DEPTH:
            return []
        shared = [n for c in self._sharing(key) for n in self.hooks(c, depth + 1)]
        return self._own_hooks(key) + shared

    def above(self, key: Key) -> tuple[str, list[str]]:
        """(prefix, hooks) of a plugin and every plugin above it."""
        prefix, found = "", self.hooks(key)
        for _ in range(MAX_DEPTH):
            if key not in self.parents:
                break
            parent, own_prefix, fp = self.parents[key]
            prefix = join(own_prefix, prefix) if own_prefix and not fp else prefix
            found += self.hooks(parent)
            key = parent
        return prefix, found

    def exposures(self) -> Iterator[Exposure]:
        for path, facts in self.data.items():
            for route in facts["routes"]:
                prefix, hooks = self.above((path, route["context"]))
                yield Exposure(
                    route["method"],
                    rooted(join(prefix, route["path"]) if prefix else route["path"]),
                    route["handler"],
                    path,
                    route["line"],
                    FRAMEWORK,
                    [*route["hooks"], *dict.fromkeys(hooks)],
                )


def exposures(data: Mapping[str, Facts]) -> Iterator[Exposure]:
    """Every Fastify route of the files' facts."""
    return Plugins(data).exposures()
