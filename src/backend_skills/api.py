"""The Python API: :func:`score`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from os import PathLike
from pathlib import Path
from typing import Any

from .core.config import resolve_settings
from .core.models import Report
from .core.plugins import load_plugins
from .core.runner import run


def score(
    path: str | PathLike[str] = ".",
    *,
    skills: Iterable[str] | None = None,
    config: str | PathLike[str] | Mapping[str, Any] | None = None,
    isolated: bool = False,
    config_root: str | PathLike[str] | None = None,
    plugins: Iterable[object] = (),
    max_memory_mb: int | None = None,
    **options: Any,
) -> Report:
    """Score the repository at ``path`` and return the :class:`~backend_skills.Report`.

    ``skills`` limits the skills scored. ``config`` is a config file path, or a mapping
    with the same keys as ``[tool.backend_skills]`` (then no config file is read).
    ``isolated`` ignores all configuration found in the repository (backend-skills',
    bandit's and sqlfluff's files, inline ``-- sqlfluff:`` settings, ``-- noqa``).
    ``config_root`` reads every configuration from that folder (a checkout of the base
    branch) instead of from the repository. ``plugins`` registers
    extra in-process plugin objects next to the installed ones. Further keyword
    arguments override single settings (``exclude=[...]``, ``jobs=2``, ...).

    Raises :class:`~backend_skills.ConfigError` for invalid configuration and
    ``FileNotFoundError`` when ``path`` is not a folder. The scored code is never
    imported or executed. ``max_memory_mb`` is the memory ceiling of every worker
    process (default: ``BACKEND_SKILLS_MAX_MEMORY_MB`` or 2048; 0: none); no
    configuration file can change it.
    """
    root = Path(path)
    overrides: dict[str, Any] = dict(options)
    if skills is not None:
        overrides["skills"] = list(skills)
    if isolated:
        overrides["isolated"] = True
    if config_root is not None:
        overrides["config_root"] = str(Path(config_root).resolve())
    config_file: Path | None = None
    own_file = not isolated  # a mapping replaces our config file, not the tools' files
    if isinstance(config, Mapping):
        overrides = {**config, **overrides}
        own_file = False
    elif config is not None:
        config_file = Path(config)
    settings, used = resolve_settings(
        root,
        config_file=config_file,
        isolated=not own_file,
        overrides=overrides,
        config_root=Path(config_root) if config_root is not None and own_file else None,
    )
    loaded = load_plugins(disable=settings.disable_plugins, extra=plugins)
    limit: int | str | None = "default"
    if max_memory_mb is not None:
        limit = max_memory_mb * 1024**2 if max_memory_mb > 0 else None
    return run(
        root,
        settings,
        plugins=loaded,
        config_source=str(used) if used else "configuration",
        max_memory=limit,
    )
