"""Configuration: ``[tool.backend_skills]`` in pyproject.toml or ``.backend-skills.toml``.

Precedence: command-line options beat the configuration file, which beats the defaults.
Unknown keys and wrong types are errors that name the file and the key.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError, field_validator

from .models import Anchor, Strict

CONFIG_FILE = ".backend-skills.toml"
PYPROJECT = "pyproject.toml"
TOOL_TABLE = "tool.backend_skills"
#: Settings a configuration file may not set: they decide which configuration to trust.
COMMAND_LINE_ONLY = ("isolated", "config_root")


class ConfigError(Exception):
    """Invalid configuration: the message names the file and the key."""


class RolesConfig(Strict):
    """Globs (relative to the root) that force a file's role."""

    test: list[str] = Field(default_factory=list)
    migration: list[str] = Field(default_factory=list)
    generated: list[str] = Field(default_factory=list)
    vendored: list[str] = Field(default_factory=list)
    docs: list[str] = Field(default_factory=list)


class CriterionOverride(Strict):
    """Per-criterion overrides of the shipped rubric."""

    weight: Annotated[float, Field(ge=0)] | None = None
    threshold: Annotated[float, Field(ge=0, le=100)] | None = None
    anchors: list[Anchor] | None = None


class Settings(Strict):
    """Validated settings for one run. Field names are the config keys."""

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
    jobs: Annotated[int, Field(ge=1)] | None = None
    cache: bool = True
    cache_dir: str | None = None
    max_file_bytes: Annotated[int, Field(ge=1)] = 10 * 1024 * 1024
    timeout_s: Annotated[float, Field(gt=0)] = Field(
        default=60.0, description="Per-file time limit for file checkers, in seconds."
    )
    count_test_findings: bool = Field(
        default=False, description="Let findings in test files cost points."
    )
    roles: RolesConfig = Field(default_factory=RolesConfig)
    skill_weights: dict[str, Annotated[float, Field(ge=0)]] = Field(default_factory=dict)
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


def _format_error(source: str, table: str, exc: ValidationError) -> str:
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"]) or "(table)"
    where = f"{table}.{key}" if table else key
    if err["type"] == "extra_forbidden":
        return f"{source}: unknown key '{where}'"
    return f"{source}: invalid value for '{where}': {err['msg']}"


def validate_settings(data: dict[str, Any], source: str, table: str = "") -> Settings:
    """Validate a raw config table; raise :class:`ConfigError` naming file and key."""
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_error(source, table, exc)) from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
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
    used: Path | None = None
    table = ""
    if config_file is not None:
        if not config_file.is_file():
            raise ConfigError(f"{config_file}: config file not found")
        used = config_file
    elif config_root is not None:
        used = find_config(config_root)
    elif not isolated:
        used = find_config(root)
    if used is not None:
        raw, table = load_config(used)
    # Validate the file on its own first so errors name the file, not the CLI.
    source = str(used) if used else "configuration"
    for key in COMMAND_LINE_ONLY:
        if key in raw:
            where = f"{table}.{key}" if table else key
            raise ConfigError(f"{source}: '{where}' can only be given on the command line")
    validate_settings(raw, source, table)
    merged = {**raw, **{k: v for k, v in (overrides or {}).items() if v is not None}}
    return validate_settings(merged, "command line", ""), used
