"""Configuration: ``[tool.backend_skills]`` in pyproject.toml or ``.backend-skills.toml``.

Precedence: command-line options beat the configuration file, which beats the defaults.
Unknown keys and wrong types are errors that name the file and the key.

The repository's own configuration is untrusted (it comes with the code scored): it may
tune rules, but it may not raise resource limits above the defaults (``timeout_s``,
``max_file_bytes``; the worker pool holds ``jobs`` to the machine's cores) nor put the
cache outside
the scored root. Only the user's command line, environment, API call or a ``--config``
file outside the scored root can (see docs/configuration.md).
"""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Annotated, Any

from pydantic import ConfigDict, Field, ValidationError, field_validator

from .models import Anchor, Strict

CONFIG_FILE = ".backend-skills.toml"
PYPROJECT = "pyproject.toml"
TOOL_TABLE = "tool.backend_skills"
#: Settings a configuration file may not set: they decide which configuration to trust.
COMMAND_LINE_ONLY = ("isolated", "config_root")


#: Largest weight a skill or criterion may have (weights are relative: 1000 is plenty).
MAX_WEIGHT = 1000.0
#: Nested tables or arrays deeper than this in a configuration file are refused
#: (tomllib recurses once per level: 100,000 levels overflow the stack).
MAX_TOML_DEPTH = 100
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def one_line(text: str) -> str:
    """``text`` on one line: newlines, tabs and carriage returns as ``\\n``, ``\\t``,
    ``\\r`` and other control characters as ``\\xNN`` (the escapes the reporters use)."""
    return _CONTROL.sub(lambda m: _NAMED.get(m.group(), f"\\x{ord(m.group()):02x}"), text)


class ConfigError(Exception):
    """Invalid configuration: the message names the file and the key (one line)."""

    def __init__(self, message: str) -> None:
        super().__init__(one_line(str(message)))


_STRICT = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class RolesConfig(Strict):
    """Globs (relative to the root) that force a file's role."""

    model_config = _STRICT

    test: list[str] = Field(default_factory=list)
    migration: list[str] = Field(default_factory=list)
    generated: list[str] = Field(default_factory=list)
    vendored: list[str] = Field(default_factory=list)
    docs: list[str] = Field(default_factory=list)


class CriterionOverride(Strict):
    """Per-criterion overrides of the shipped rubric."""

    model_config = _STRICT

    weight: Annotated[float, Field(ge=0, le=MAX_WEIGHT)] | None = None
    threshold: Annotated[float, Field(ge=0, le=100)] | None = None
    anchors: list[Anchor] | None = None

    @field_validator("anchors")
    @classmethod
    def _finite_anchors(cls, value: list[Anchor] | None) -> list[Anchor] | None:
        for anchor in value or ():
            if not (math.isfinite(anchor.value) and math.isfinite(anchor.score)):
                raise ValueError("anchor values must be finite numbers")
        return value


class Settings(Strict):
    """Validated settings for one run. Field names are the config keys."""

    model_config = _STRICT

    skills: list[str] | None = Field(default=None, description="Skills to score (default: all).")
    exclude: list[str] = Field(
        default_factory=list, description="Extra gitignore-style patterns to leave out."
    )
    use_gitignore: bool = Field(default=True, description="Honour .gitignore files.")
    fail_under: Annotated[float, Field(ge=0, le=100)] | None = Field(
        default=None, description="Exit 1 when the overall score is below this."
    )
    fail_under_skills: dict[str, Annotated[float, Field(ge=0, le=100)]] = Field(
        default_factory=dict, description="Exit 1 when a skill's score is below its value."
    )
    disable_plugins: list[str] = Field(default_factory=list)
    disable_checkers: list[str] = Field(default_factory=list)
    jobs: Annotated[int, Field(ge=1, le=1024)] | None = None
    cache: bool = True
    cache_dir: str | None = None
    max_file_bytes: Annotated[int, Field(ge=1)] = 10 * 1024 * 1024
    timeout_s: Annotated[float, Field(gt=0, le=24 * 3600)] = Field(
        default=60.0, description="Per-file time limit for file checkers, in seconds."
    )
    count_test_findings: bool = Field(
        default=False, description="Let findings in test files cost points."
    )
    roles: RolesConfig = Field(default_factory=RolesConfig)
    skill_weights: dict[str, Annotated[float, Field(ge=0, le=MAX_WEIGHT)]] = Field(
        default_factory=dict
    )
    criteria: dict[str, CriterionOverride] = Field(default_factory=dict)
    checkers: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Per-checker option tables."
    )
    isolated: bool = Field(
        default=False,
        description="Command line only (--isolated): ignore every configuration in the tree.",
    )
    config_root: str | None = Field(
        default=None,
        description="Command line only (--config-root): read every configuration from here.",
    )

    @field_validator("skills")
    @classmethod
    def _skills_not_empty(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and not value:
            raise ValueError("must name at least one skill")
        return value


#: Settings whose defaults are resource limits: repository configuration may lower
#: them, never raise them (the default here is the highest value it may set).
REPOSITORY_LIMITS: dict[str, float] = {
    "timeout_s": 60.0,
    "max_file_bytes": 10 * 1024 * 1024,
}


def _format_error(source: str, table: str, exc: ValidationError) -> str:
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"]) or "(table)"
    where = f"{table}.{key}" if table else key
    if err["type"] == "extra_forbidden":
        return f"{source}: unknown key '{where}'"
    return f"{source}: invalid value for '{where}': {err['msg']}"


def check_repository_settings(data: dict[str, Any], source: str, table: str = "") -> None:
    """Refuse what configuration that comes with the scored repository may not set.

    ``data`` is the raw table (already validated). It may not raise a resource limit
    above its default nor put the cache anywhere but a folder inside the root.
    """
    prefix = f"{table}." if table else ""
    for key, limit in REPOSITORY_LIMITS.items():
        value = data.get(key)
        if isinstance(value, int | float) and value > limit:
            raise ConfigError(
                f"{source}: '{prefix}{key}' = {value:g} is above the default ({limit:g}): "
                "repository configuration may lower resource limits, not raise them "
                "(use --config FILE outside the repository)"
            )
    cache_dir = data.get("cache_dir")
    if isinstance(cache_dir, str) and not _inside_root(cache_dir):
        raise ConfigError(
            f"{source}: '{prefix}cache_dir' must be a relative path inside the repository "
            "(repository configuration may not put the cache elsewhere; use --cache-dir or "
            "BACKEND_SKILLS_CACHE_DIR)"
        )


def _inside_root(value: str) -> bool:
    if not value.strip() or value.startswith("~") or "\x00" in value:
        return False
    for pure in (PurePosixPath(value), PureWindowsPath(value)):
        if pure.is_absolute() or pure.anchor or ".." in pure.parts:
            return False
    return True


def _is_repository_file(path: Path, root: Path) -> bool:
    """Whether the config file ``path`` comes with the scored ``root`` (untrusted)."""
    root = root.resolve()
    for candidate in (path.absolute(), path.resolve()):
        if candidate == root or candidate.is_relative_to(root):
            return True
    return False


def validate_settings(data: dict[str, Any], source: str, table: str = "") -> Settings:
    """Validate a raw config table; raise :class:`ConfigError` naming file and key."""
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_error(source, table, exc)) from None


def toml_depth_exceeds(text: str, limit: int = MAX_TOML_DEPTH) -> bool:
    """Whether ``text`` nests arrays or inline tables deeper than ``limit`` (a cheap
    over-estimate: brackets inside strings count too, which only errs on refusing)."""
    depth = 0
    for char in text:
        if char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth = max(depth - 1, 0)
    return False


def load_toml_text(text: str, limit: int = MAX_TOML_DEPTH) -> dict[str, Any]:
    """``tomllib.loads`` with nesting bounded: raises ``TOMLDecodeError`` beyond ``limit``."""
    if toml_depth_exceeds(text, limit):
        raise tomllib.TOMLDecodeError(f"nested more than {limit} levels deep")
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise tomllib.TOMLDecodeError("nested too deep") from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = fh.read(64 * 1024 * 1024)
        return load_toml_text(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid TOML: not UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None


def find_config(root: Path) -> Path | None:
    """The config file used for ``root``: ``.backend-skills.toml`` first, then a
    ``pyproject.toml`` that has a ``[tool.backend_skills]`` table."""
    dedicated = root / CONFIG_FILE
    if dedicated.is_file():
        return dedicated
    pyproject = root / PYPROJECT
    if pyproject.is_file():
        try:
            data = _read_toml(pyproject)
        except ConfigError:
            return pyproject  # let load_config report the error
        if "backend_skills" in data.get("tool", {}):
            return pyproject
    return None


def load_config(path: Path) -> tuple[dict[str, Any], str]:
    """Raw settings table from ``path`` and the table name used in error messages."""
    data = _read_toml(path)
    if path.name == PYPROJECT:
        table = data.get("tool", {}).get("backend_skills", {})
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: '{TOOL_TABLE}' must be a table")
        return table, TOOL_TABLE
    return data, ""


def _config_path(
    root: Path, config_file: Path | None, isolated: bool, config_root: Path | None
) -> Path | None:
    """The config file to read: the one named, else the trusted checkout's, else the
    scored root's (none with ``isolated``)."""
    if config_file is not None:
        if not config_file.is_file():
            raise ConfigError(f"{config_file}: config file not found")
        return config_file
    if config_root is not None:
        return find_config(config_root)
    return None if isolated else find_config(root)


def _refuse_command_line_keys(raw: dict[str, Any], source: str, table: str) -> None:
    """A config file may not set what only the command line may."""
    for key in COMMAND_LINE_ONLY:
        if key in raw:
            where = f"{table}.{key}" if table else key
            raise ConfigError(f"{source}: '{where}' can only be given on the command line")


def resolve_settings(
    root: Path,
    *,
    config_file: Path | None = None,
    isolated: bool = False,
    overrides: dict[str, Any] | None = None,
    config_root: Path | None = None,
) -> tuple[Settings, Path | None]:
    """Settings for ``root``: defaults, then the config file, then ``overrides`` (CLI).

    With ``config_root`` (a trusted checkout of the base branch) the config file is
    looked for there instead of in ``root``. Returns the settings and the config file
    used (None when none).
    """
    raw: dict[str, Any] = {}
    table = ""
    used = _config_path(root, config_file, isolated, config_root)
    if used is not None:
        raw, table = load_config(used)
    # Validate the file on its own first so errors name the file, not the CLI.
    source = str(used) if used else "configuration"
    _refuse_command_line_keys(raw, source, table)
    validate_settings(raw, source, table)
    if used is not None and _is_repository_file(used, root):
        check_repository_settings(raw, source, table)
    merged = {**raw, **{k: v for k, v in (overrides or {}).items() if v is not None}}
    return validate_settings(merged, "command line", ""), used
