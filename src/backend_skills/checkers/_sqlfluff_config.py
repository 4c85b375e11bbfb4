"""The repository's sqlfluff configuration, read safely, layered per folder.

For the ``sqlfluff`` checker (:mod:`backend_skills.checkers.sqlfluff`): the config files
sqlfluff would read (``.sqlfluff``, ``[tool.sqlfluff]`` in ``pyproject.toml``,
``[sqlfluff]`` in ``setup.cfg``/``tox.ini``/``pep8.ini``) in the root and the folders of
the SQL files, from the scored tree, from ``--config-root`` or not at all with
``--isolated``; filtered for an untrusted repository (:func:`filter_config`); layered for
one file, the deeper folder winning, with our own options on top.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from backend_skills.core.checker import CheckContext
from backend_skills.core.discovery import FileSet, SourceFile

from ._redact import redacted_message
from ._sql_dialect import path_dialect
from ._sqlfluff_safe import (
    MAX_CONFIG_BYTES,
    ConfigTextError,
    filter_config,
    load_config_text,
)

#: Config files sqlfluff reads in a folder, in its own precedence order (last wins).
CONFIG_FILES = ("setup.cfg", "tox.ini", "pep8.ini", ".sqlfluff", "pyproject.toml")

DEFAULT_BYTE_LIMIT = 20000


def _has_sqlfluff_section(name: str, text: str) -> bool:
    if name == ".sqlfluff":
        return True
    if name == "pyproject.toml":
        return "sqlfluff" in text
    return "[sqlfluff" in text


def file_configs(
    file: SourceFile, options: Mapping[str, Any]
) -> tuple[dict[str, Any], str, str, list[str]]:
    """Layered sqlfluff config for ``file``: (configs, dialect, why, notes).

    The layers were read and filtered by ``prepare`` (no file is read here): the
    root's, then each folder's down to the file's, the deeper one winning.
    """
    from sqlfluff.core.helpers.dict import nested_combine

    config_dirs: Mapping[str, Any] = options.get("configs", {})
    used = [rel for rel in folder_chain(file.path) if rel in config_dirs]
    layers = [config_dirs[rel] for rel in used]
    configs: dict[str, Any] = nested_combine({"core": {}}, *layers) if layers else {"core": {}}
    core: dict[str, Any] = configs.setdefault("core", {})
    core["processes"] = 1
    if options.get("ignore_inline"):
        core["disable_noqa"] = True  # `-- noqa` is configuration of the scored tree too
    _add_excluded_rules(core, [str(r) for r in options.get("exclude_rules", [])])
    why = _dialect_source(core, options, used, file.path)
    return configs, str(core["dialect"]), why, []


def folder_chain(path: str) -> list[str]:
    """The root ("") and each folder down to the one holding ``path``."""
    parent = PurePosixPath(path).parent
    return ["", *("/".join(parent.parts[: i + 1]) for i in range(len(parent.parts)))]


def _dialect_source(
    core: dict[str, Any], options: Mapping[str, Any], used: list[str], path: str = ""
) -> str:
    """Set ``core["dialect"]`` unless a configuration layer chose it (and no option forces
    ours); why the dialect is what it is. A dialect inferred for the whole repository
    gives way to the one the file's path names (``config/db-begin-mysql.sql`` in a
    repository shipping schemas for several databases)."""
    named = path_dialect(path) if options.get("inferred") and not core.get("dialect") else None
    if named is not None and not options.get("force_dialect"):
        core["dialect"] = named
        return f"named by the file's path ({path})"
    if options.get("force_dialect") or not core.get("dialect"):
        core["dialect"] = options.get("dialect") or "ansi"
        return str(options.get("why", ""))
    where = "/".join(rel for rel in used if rel) or "the root"
    return f"set by the sqlfluff configuration in {where}"


def _add_excluded_rules(core: dict[str, Any], excluded: list[str]) -> None:
    """Add our ``exclude_rules`` option to the ones the configuration excludes."""
    if not excluded:
        return
    existing = core.get("exclude_rules")
    if isinstance(existing, str) and existing.strip() and existing != "None":
        excluded = [*existing.split(","), *excluded]
    elif isinstance(existing, list):
        excluded = [*map(str, existing), *excluded]
    core["exclude_rules"] = ",".join(e.strip() for e in excluded if e.strip())


def _config_sources(ctx: CheckContext, notes: list[str]) -> list[tuple[str, str, str, str]]:
    """The sqlfluff config files that apply: (folder, file name, label, text).

    From the scored tree, or with ``config_root`` from the same folders of that
    checkout, or none with ``isolated``; in sqlfluff's precedence order.
    """
    if ctx.config_root is not None:
        return _config_root_sources(ctx.config_root.resolve(), ctx.fileset, notes)
    sources: list[tuple[str, str, str, str]] = []
    if ctx.isolated:
        return sources
    for file in ctx.fileset.files:
        if file.name in CONFIG_FILES and _has_sqlfluff_section(file.name, file.text):
            rel = str(PurePosixPath(file.path).parent)
            sources.append(("" if rel == "." else rel, file.name, file.path, file.text))
    sources.sort(key=lambda s: (s[0], CONFIG_FILES.index(s[1])))
    return sources


def _config_root_sources(
    base: Path, fileset: FileSet, notes: list[str]
) -> list[tuple[str, str, str, str]]:
    """The sqlfluff config files of the ``config_root`` checkout ``base`` in the folders
    of the SQL files (and the root): (folder, file name, label, text)."""
    folders = {""}
    for file in fileset.files:
        if file.language == "sql":
            parts = PurePosixPath(file.path).parent.parts
            folders.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    sources: list[tuple[str, str, str, str]] = []
    for rel in sorted(folders):
        for name in CONFIG_FILES:
            path = base / rel / name if rel else base / name
            label = f"{path} (--config-root)"
            text = _trusted_config_text(path, base, label, notes)
            if text is not None and _has_sqlfluff_section(name, text):
                sources.append((rel, name, label, text))
    return sources


def _trusted_config_text(path: Path, base: Path, label: str, notes: list[str]) -> str | None:
    """The text of a config file of the trusted checkout, or None (with a note when it
    is too large or unreadable) when it is not a regular file inside ``base``."""
    try:
        if path.is_symlink() or not path.is_file():
            return None
        if not path.resolve().is_relative_to(base):
            return None
        if path.stat().st_size > MAX_CONFIG_BYTES:
            notes.append(f"{label}: ignored (larger than {MAX_CONFIG_BYTES} bytes)")
            return None
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        notes.append(f"{label}: not readable ({type(exc).__name__})")
        return None


def read_configs(ctx: CheckContext) -> tuple[dict[str, Any], list[str], str]:
    """Each folder's sqlfluff configuration, filtered for an untrusted repository,
    notes on what was ignored, and the file that sets the root's dialect."""
    from sqlfluff.core.helpers.dict import nested_combine

    notes: list[str] = []
    configs: dict[str, Any] = {}
    dialect_from = ""
    for rel, name, label, text in _config_sources(ctx, notes):
        try:
            raw = load_config_text(name, text)
        except ConfigTextError as exc:
            notes.append(
                f"sqlfluff configuration in {label} not usable: {redacted_message(str(exc))}"
            )
            continue
        kept, dropped = filter_config(raw, byte_limit_cap=DEFAULT_BYTE_LIMIT)
        configs[rel] = nested_combine(configs.get(rel, {}), kept)
        if rel == "" and kept.get("core", {}).get("dialect"):
            dialect_from = label
        notes.extend(_dropped_notes(label, dropped))
    return configs, list(dict.fromkeys(notes)), dialect_from


def _dropped_notes(label: str, dropped: list[str]) -> list[str]:
    """Notes on the settings of ``label`` an untrusted repository may not set."""
    notes: list[str] = []
    for item in dropped:
        if item.startswith("core:templater="):
            templater = item.split("=", 1)[1]
            notes.append(
                f"sqlfluff templater {templater!r} is not run (it executes project code); "
                "jinja with dbt builtins used instead"
            )
        if item.endswith("library_path"):
            notes.append("sqlfluff library_path ignored: the scored code is never imported")
    if dropped:
        shown = ", ".join(redacted_message(d)[:60] for d in dropped[:8])
        more = f" (+{len(dropped) - 8} more)" if len(dropped) > 8 else ""
        notes.append(
            f"sqlfluff settings in {label} ignored (not allowed for an untrusted "
            f"repository: they load code, name paths or lift limits): {shown}{more}"
        )
    return notes
