"""The repository's bandit configuration, resolved as bandit's CLI resolves it.

For the ``bandit`` checker (:mod:`backend_skills.checkers.bandit`): the config file
(``[tool.bandit]`` in pyproject.toml, the ``configfile`` a ``.bandit`` INI file names,
or ``config_file`` in our own options), the tests and skips, the excluded paths and
``ignore-nosec``; read from the scored tree, from ``--config-root``, or not at all with
``--isolated``. Only the keys of bandit's test selection and its plugins' options are
kept from an untrusted repository.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import posixpath
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from backend_skills.core.checker import CheckContext

#: What ``bandit -r`` excludes when neither ``-x`` nor a ``.bandit`` ``exclude`` is given.
CLI_DEFAULT_EXCLUDES = (
    ".svn",
    "CVS",
    ".bzr",
    ".hg",
    ".git",
    "__pycache__",
    ".tox",
    ".eggs",
    "*.egg",
)


class BanditConfigError(ValueError):
    """The repository's bandit configuration is unusable (bandit's CLI would refuse it)."""


class BanditOptions(BaseModel):
    """``[tool.backend_skills.checkers.bandit]``."""

    model_config = ConfigDict(extra="forbid")

    config_file: str | None = Field(
        default=None,
        description="bandit config file relative to the root (YAML, or TOML with [tool.bandit]), "
        "as given to `bandit -c`. Default: pyproject.toml when it has [tool.bandit].",
    )
    tests: list[str] = Field(default_factory=list, description="Only these tests (bandit -t).")
    skips: list[str] = Field(default_factory=list, description="Skip these tests (bandit -s).")
    ignore_nosec: bool = Field(
        default=False, description="Do not honour # nosec (bandit --ignore-nosec)."
    )


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage().strip().splitlines()
        if text:
            self.messages.append(text[0])


@contextmanager
def quiet_logger(name: str = "bandit") -> Iterator[_Collect]:
    """Keep a library's log lines off the user's terminal; collect its errors."""
    logger = logging.getLogger(name)
    handler = _Collect()
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


@functools.cache
def bandit_core() -> Any:
    """``bandit.core``, imported once, without the deprecation warnings its plugin
    loader (stevedore) prints on import."""
    import warnings

    with warnings.catch_warnings(), quiet_logger("stevedore"), quiet_logger("bandit"):
        # stevedore logs an error for every bandit formatter whose extra is not
        # installed (e.g. sarif); we use none of them.
        warnings.simplefilter("ignore", DeprecationWarning)
        from bandit import core
        from bandit.core import config, extension_loader, manager, meta_ast, metrics

    del config, extension_loader, manager, meta_ast, metrics  # now attributes of core
    return core


def _split_list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


#: Largest bandit configuration file read (bytes).
MAX_CONFIG_BYTES = 256 * 1024
#: Top-level keys of a bandit config file besides the plugins' own tables.
CONFIG_KEYS = frozenset(
    {
        "tests",
        "skips",
        "exclude_dirs",
        "include",
        "profiles",
        "blacklist_calls",
        "blacklist_imports",
    }
)


def _config_base(ctx: CheckContext) -> Path | None:
    """Where bandit's configuration is read from: the scored root, the trusted
    ``--config-root`` checkout, or nowhere (``--isolated``)."""
    if ctx.config_root is not None:
        return ctx.config_root.resolve()
    return None if ctx.isolated else ctx.root


def _config_text(ctx: CheckContext, rel: str, explicit: bool = False) -> str | None:
    """The text of the config file ``rel``: a discovered file of the scored tree, or a
    regular file inside ``--config-root`` (never through a symlink, never over
    :data:`MAX_CONFIG_BYTES`). None when there is none."""
    base = _config_base(ctx) or (ctx.root if explicit else None)
    if base is None:
        return None
    known = ctx.fileset.get(rel) if base == ctx.root else None
    if known is not None:
        if known.size > MAX_CONFIG_BYTES:
            raise _too_large(rel)
        return known.text
    return _regular_file_text(base, rel)


def _regular_file_text(base: Path, rel: str) -> str | None:
    """The text of ``base/rel`` when it is a regular file inside ``base`` reached without
    a symbolic link, at most :data:`MAX_CONFIG_BYTES` long; None when there is none."""
    path = base / rel
    inside = _inside(base, rel)
    if inside is None or path.is_symlink() or not path.is_file():
        return None
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise _too_large(rel)
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BanditConfigError(f"cannot read bandit config file {rel!r}: {exc}") from None


def _too_large(rel: str) -> BanditConfigError:
    return BanditConfigError(
        f"bandit config file {rel!r} is larger than {MAX_CONFIG_BYTES // 1024} KB"
    )


def _find_ini(ctx: CheckContext, notes: list[str]) -> tuple[dict[str, str], str | None]:
    """The ``[bandit]`` section of the repository's ``.bandit`` file, as the CLI finds it."""
    import configparser

    if ctx.config_root is not None:
        found_path: str | None = ".bandit"
    elif ctx.isolated:
        return {}, None
    else:
        found_path = _discovered_ini(ctx, notes)
    text = _config_text(ctx, found_path) if found_path is not None else None
    if found_path is None or text is None:
        return {}, None
    # No interpolation: "%(a)s%(a)s..." ten levels deep is a ten-billion-character bomb.
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=found_path)
        return dict(parser.items("bandit")), found_path
    except (configparser.Error, KeyError):
        notes.append(f"{found_path}: not an INI file with a [bandit] section; ignored")
        return {}, None


def _discovered_ini(ctx: CheckContext, notes: list[str]) -> str | None:
    """The ``.bandit`` file of the scored tree the CLI would use: the only one, or the
    root's among several (none, with a note, when several and none at the root)."""
    found = [f.path for f in ctx.fileset.files if f.name == ".bandit"]
    if len(found) <= 1:
        return found[0] if found else None
    if ".bandit" in found:
        return ".bandit"
    notes.append(f"several .bandit files and none at the root: none used ({', '.join(found)})")
    return None


def _inside(root: Path, rel: str) -> Path | None:
    path = (root / rel).resolve()
    return path if path.is_relative_to(root.resolve()) else None


def _safe_yaml(text: str) -> Any:
    """``yaml.safe_load`` without aliases: a 1 KB file of nested aliases expands to
    gigabytes once copied, so an alias is an error."""
    import yaml

    class Loader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()  # type: ignore[no-untyped-call]  # yaml's stubs
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    "YAML aliases (*name) are not accepted in a bandit configuration",
                    event.start_mark,
                )
            return super().compose_node(parent, index)

    return yaml.load(text, Loader=Loader)  # a SafeLoader subclass


def _read_config_file(ctx: CheckContext, rel: str, explicit: bool = False) -> dict[str, Any]:
    """The bandit configuration in ``rel`` (TOML: its ``[tool.bandit]``; else YAML).

    ``explicit``: named by our own settings (``config_file``), read even with
    ``--isolated`` (from the scored root: the settings that name it are trusted)."""
    rel = posixpath.normpath(rel.replace(os.sep, "/")).removeprefix("./")
    text = _config_text(ctx, rel, explicit)
    if text is None:
        raise BanditConfigError(f"bandit config file {rel!r} not found in the repository")
    import yaml  # 8 ms to import: only when there is a YAML config to read

    try:
        if rel.endswith(".toml"):
            data: Any = tomllib.loads(text).get("tool", {}).get("bandit", {})
        else:
            data = _safe_yaml(text)
        # Round-trip through JSON: the prepared options are part of the cache key.
        data = json.loads(json.dumps(data, default=str)) if isinstance(data, dict) else data
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise BanditConfigError(
            f"bandit config file {rel!r} does not parse: {_parse_problem(exc)}"
        ) from None
    except RecursionError:
        raise BanditConfigError(f"bandit config file {rel!r} is nested too deeply") from None
    if not isinstance(data, dict):
        raise BanditConfigError(f"bandit config file {rel!r} is not a mapping")
    return dict(data)


def _parse_problem(exc: Exception) -> str:
    """A TOML or YAML parse error in one short line (with the line number YAML gives)."""
    import yaml

    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem:
        mark = exc.problem_mark
        first = exc.problem + (f" (line {mark.line + 1})" if mark is not None else "")
    return " ".join(first.split())[:160]


def _allowed_config(data: Mapping[str, Any], source: str, notes: list[str]) -> dict[str, Any]:
    """The keys of a bandit config an untrusted repository may set: test selection,
    excludes and includes, and the options of bandit's own plugins. Others (legacy
    ``plugin_name_pattern``, ``plugins_dir``, ``log_format``...) are dropped, with a note."""
    plugins = {
        str(getattr(p.plugin, "_takes_config", ""))
        for p in bandit_core().extension_loader.MANAGER.plugins
    }
    kept = {k: v for k, v in data.items() if k in CONFIG_KEYS or k in plugins}
    dropped = sorted(str(k) for k in data if k not in kept)
    if dropped:
        shown = ", ".join(d[:40] for d in dropped[:8])
        notes.append(f"bandit settings in {source} ignored (not bandit test options): {shown}")
    return kept


def _pyproject_has_bandit(ctx: CheckContext) -> bool:
    text = _config_text(ctx, "pyproject.toml") if _config_base(ctx) is not None else None
    if text is None:
        return False
    try:
        tool = tomllib.loads(text).get("tool", {})
    except (tomllib.TOMLDecodeError, RecursionError):
        return False
    return isinstance(tool, dict) and "bandit" in tool


def _test_ids(value: Any) -> list[str]:
    if isinstance(value, str):
        return _split_list(value)
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def resolve_options(ctx: CheckContext) -> tuple[dict[str, Any], list[str]]:
    """The JSON-serialisable options of one run, and notes on where they came from."""
    options = BanditOptions.model_validate(dict(ctx.options))
    notes: list[str] = []
    ini, ini_path = _find_ini(ctx, notes)
    config_source = _config_source(ctx, options, ini)
    explicit = config_source is not None and config_source == options.config_file
    config = _read_config_file(ctx, config_source, explicit) if config_source else {}
    if config_source:
        config = _allowed_config(config, config_source, notes)
    include, exclude = _test_selection(config, ini, options, notes)
    excluded = _excluded_paths(ctx, config, config_source, ini, ini_path)
    globs = _include_globs(config, config_source)
    ignore_nosec = options.ignore_nosec or ini.get("ignore-nosec", "").lower() in _TRUE
    notes += _source_notes(ctx, config_source, ini_path)
    return (
        {
            "config": config,
            "config_source": config_source,
            "tests": sorted(include),
            "skips": sorted(exclude),
            "exclude": excluded,
            "include": globs,
            "ignore_nosec": ignore_nosec,
        },
        notes,
    )


_TRUE = frozenset({"1", "true", "yes", "on"})


def _config_source(ctx: CheckContext, options: BanditOptions, ini: Mapping[str, str]) -> str | None:
    """The bandit config file to read: our ``config_file`` setting, else the INI file's
    ``configfile``, else ``pyproject.toml`` when it has a ``[tool.bandit]`` table."""
    source = options.config_file or ini.get("configfile") or None
    if source is None and _pyproject_has_bandit(ctx):
        return "pyproject.toml"
    return source


def _include_globs(config: Mapping[str, Any], config_source: str | None) -> list[str]:
    """Without a config file bandit's defaults include *.pyw; with one, only its "include"."""
    if not config_source:
        return ["*.py", "*.pyw"]
    return _test_ids(config.get("include")) or ["*.py"]


def _test_selection(
    config: Mapping[str, Any], ini: Mapping[str, str], options: BanditOptions, notes: list[str]
) -> tuple[set[str], set[str]]:
    """The bandit tests selected and skipped by the config file, the INI file and our
    options; a note for unknown ids, an error for a test both selected and skipped."""
    include = {*_test_ids(config.get("tests")), *_split_list(ini.get("tests")), *options.tests}
    exclude = {*_test_ids(config.get("skips")), *_split_list(ini.get("skips")), *options.skips}
    manager = bandit_core().extension_loader.MANAGER
    unknown = sorted(t for t in include | exclude if not manager.check_id(t))
    if unknown:
        notes.append(f"unknown bandit test ids in the configuration: {', '.join(unknown)}")
    both = include & exclude
    if both:
        raise BanditConfigError(
            f"bandit tests both selected and skipped: {', '.join(sorted(both))}"
        )
    return include, exclude


def _excluded_paths(
    ctx: CheckContext,
    config: Mapping[str, Any],
    config_source: str | None,
    ini: Mapping[str, str],
    ini_path: str | None,
) -> list[list[str]]:
    """``[pattern, where it comes from]`` for each excluded path: the config file's
    ``exclude_dirs``, then the INI file's ``exclude`` or the CLI's default excludes."""
    excluded: list[list[str]] = []
    for pattern in _test_ids(config.get("exclude_dirs")):
        excluded.append([pattern, f"exclude_dirs in {config_source}"])
    ini_exclude = _split_list(ini.get("exclude"))
    cli_paths = ini_exclude or list(CLI_DEFAULT_EXCLUDES)
    cli_source = f"exclude in {ini_path}" if ini_exclude else "bandit's default excludes"
    for path in cli_paths:
        # As the CLI does: a folder (relative to where bandit runs, here the root) becomes
        # "folder/*"; anything else is a glob and a substring.
        inside = _inside(ctx.root, path)
        if inside is not None and inside.is_dir():
            path = posixpath.join(path, "*")
        excluded.append([path, cli_source])
    return excluded


def _source_notes(ctx: CheckContext, config_source: str | None, ini_path: str | None) -> list[str]:
    """Where the configuration was read from (or that it was ignored)."""
    notes: list[str] = []
    where = f" in --config-root {ctx.config_root}" if ctx.config_root is not None else ""
    if ctx.isolated and ctx.config_root is None:
        notes.append("--isolated: the scored tree's bandit configuration is ignored")
    if config_source:
        notes.append(f"bandit configuration read from {config_source}{where}")
    if ini_path:
        notes.append(f"bandit options read from {ini_path}{where}")
    return notes
