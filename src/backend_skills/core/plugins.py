"""The plugin manager: loads entry points one at a time and survives broken plugins."""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points

import pluggy

from .checker import Checker, Reporter, RubricSet
from .hookspecs import PROJECT_NAME, HookSpecs
from .models import PluginInfo

#: Comma-separated plugin names that must not be loaded.
DISABLE_ENV = "BACKEND_SKILLS_DISABLE_PLUGINS"


@dataclass
class Plugins:
    """What the loaded plugins contribute, and how loading went."""

    manager: pluggy.PluginManager
    info: list[PluginInfo] = field(default_factory=list)
    checkers: list[Checker] = field(default_factory=list)
    rubrics: list[RubricSet] = field(default_factory=list)
    reporters: dict[str, Reporter] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def failed(self) -> list[PluginInfo]:
        """Plugins that could not be loaded or whose hooks raised."""
        return [p for p in self.info if p.status == "failed"]


def _disabled_from_env() -> set[str]:
    raw = os.environ.get(DISABLE_ENV, "")
    return {name.strip() for name in raw.split(",") if name.strip()}


def _one_line(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text.splitlines()[0] if text else type(exc).__name__


def load_plugins(
    *,
    disable: Iterable[str] = (),
    extra: Iterable[object] = (),
    use_entry_points: bool = True,
) -> Plugins:
    """Create the manager, load entry points one at a time, then collect contributions.

    ``disable`` names plugins (entry-point names) not to load, on top of those named in
    the ``BACKEND_SKILLS_DISABLE_PLUGINS`` environment variable. ``extra`` registers
    in-process plugin objects (tests, embedding applications). A plugin that fails to
    import, or whose hook raises, is recorded as failed; the others still load.
    """
    manager = pluggy.PluginManager(PROJECT_NAME)
    manager.add_hookspecs(HookSpecs)
    plugins = Plugins(manager=manager)
    disabled = set(disable) | _disabled_from_env()

    eps: list[EntryPoint] = (
        sorted(entry_points(group=PROJECT_NAME), key=lambda ep: ep.name) if use_entry_points else []
    )
    seen: set[str] = set()
    for ep in eps:
        if ep.name in seen:
            continue  # the same distribution visible twice on sys.path
        seen.add(ep.name)
        dist = ep.dist.name if ep.dist else None
        version = ep.dist.version if ep.dist else None
        if ep.name in disabled:
            plugins.info.append(
                PluginInfo(name=ep.name, distribution=dist, version=version, status="disabled")
            )
            continue
        try:
            obj = ep.load()
            manager.register(obj, name=ep.name)
        except Exception as exc:  # a broken plugin must not stop the run
            plugins.info.append(
                PluginInfo(
                    name=ep.name,
                    distribution=dist,
                    version=version,
                    status="failed",
                    error=_one_line(exc),
                )
            )
            continue
        plugins.info.append(
            PluginInfo(name=ep.name, distribution=dist, version=version, status="loaded")
        )

    for index, obj in enumerate(extra):
        name = getattr(obj, "__name__", None) or f"extra-{index}"
        manager.register(obj, name=name)
        plugins.info.append(PluginInfo(name=name, status="loaded"))

    _collect(plugins)
    return plugins


def _collect(plugins: Plugins) -> None:
    """Call each contribution hook plugin by plugin so one raising hook loses only itself."""
    manager = plugins.manager
    by_name = {info.name: info for info in plugins.info}
    for name, plugin in sorted(manager.list_name_plugin(), key=lambda item: str(item[0])):
        if plugin is None or name is None:
            continue
        for hook_name in (
            "backend_skills_checkers",
            "backend_skills_rubrics",
            "backend_skills_reporters",
        ):
            impl = getattr(plugin, hook_name, None)
            if impl is None or not manager.parse_hookimpl_opts(plugin, hook_name):
                continue
            try:
                contributed = list(impl())
            except Exception as exc:
                info = by_name.get(name)
                message = f"{hook_name} raised {_one_line(exc)}"
                if info is not None:
                    info.status = "failed"
                    info.error = message
                plugins.problems.append(f"plugin {name}: {message}")
                _debug_traceback()
                continue
            _add(plugins, name, hook_name, contributed)


def _add(plugins: Plugins, plugin: str, hook_name: str, contributed: list[object]) -> None:
    if hook_name == "backend_skills_checkers":
        _add_checkers(plugins, plugin, contributed)
    elif hook_name == "backend_skills_rubrics":
        for rubric in contributed:
            if isinstance(rubric, RubricSet):
                plugins.rubrics.append(rubric)
            else:
                plugins.problems.append(f"plugin {plugin}: {rubric!r} is not a RubricSet")
    else:
        _add_reporters(plugins, plugin, contributed)


def _add_checkers(plugins: Plugins, plugin: str, contributed: list[object]) -> None:
    """Register a plugin's checkers; a name already taken is a problem, not a crash."""
    names = {c.name for c in plugins.checkers}
    for checker in contributed:
        if not isinstance(checker, Checker):
            plugins.problems.append(f"plugin {plugin}: {checker!r} is not a Checker")
        elif checker.name in names:
            plugins.problems.append(
                f"plugin {plugin}: checker {checker.name!r} already registered; ignored"
            )
        else:
            names.add(checker.name)
            plugins.checkers.append(checker)


def _add_reporters(plugins: Plugins, plugin: str, contributed: list[object]) -> None:
    """Register a plugin's output formats; a format already taken is a problem."""
    for reporter in contributed:
        if not isinstance(reporter, Reporter):
            plugins.problems.append(f"plugin {plugin}: {reporter!r} is not a Reporter")
        elif reporter.name in plugins.reporters:
            plugins.problems.append(
                f"plugin {plugin}: format {reporter.name!r} already registered; ignored"
            )
        else:
            plugins.reporters[reporter.name] = reporter


def _debug_traceback() -> None:
    if os.environ.get("BACKEND_SKILLS_DEBUG"):
        traceback.print_exc()
