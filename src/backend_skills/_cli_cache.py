"""``backend-skills cache``: inspect or clear the on-disk result cache."""

from __future__ import annotations

import warnings
from pathlib import Path

import click

from ._cli_common import fail
from .core.cache import (
    CACHE_DIR_ENV,
    CACHE_DIR_NAME,
    CACHE_FILE,
    CacheWarning,
    ResultCache,
    clear_cache,
    resolve_cache_dir,
)
from .core.config import ConfigError, resolve_settings
from .reporters._common import printable


@click.group()
def cache() -> None:
    """Inspect or clear the on-disk result cache."""


def _cache_folder(path: Path, cache_dir: Path | None, config_file: Path | None) -> Path:
    if cache_dir is not None:
        return cache_dir.resolve()
    try:
        settings, _ = resolve_settings(path, config_file=config_file)
    except ConfigError as exc:
        fail(str(exc))
    return resolve_cache_dir(path.resolve(), settings.cache_dir)


_cache_path_argument = click.argument(
    "path", default=".", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
_cache_dir_option = click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help=f"The cache folder (default: from PATH's configuration, {CACHE_DIR_ENV}, or"
    f" {CACHE_DIR_NAME} at PATH).",
)
_cache_config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read cache_dir from this file instead of the repository's configuration.",
)


@cache.command("clear")
@_cache_path_argument
@_cache_dir_option
@_cache_config_option
def cache_clear(path: Path, cache_dir: Path | None, config_file: Path | None) -> None:
    """Delete the result cache of the repository at PATH (default: the current folder).

    Only the cache's own files are removed, never anything else in that folder.
    """
    folder = _cache_folder(path, cache_dir, config_file)
    try:
        removed = clear_cache(folder)
    except OSError as exc:
        fail(f"{folder}: cannot clear: {exc.strerror or exc}")
    if removed:
        click.echo(f"backend-skills: cleared {printable(str(folder))}", err=True)
    else:
        click.echo(f"backend-skills: no cache at {printable(str(folder))}", err=True)


@cache.command("info")
@_cache_path_argument
@_cache_dir_option
@_cache_config_option
def cache_info(path: Path, cache_dir: Path | None, config_file: Path | None) -> None:
    """Show where the cache of PATH lives, its size and its entries per checker."""
    folder = _cache_folder(path, cache_dir, config_file)
    database = folder / CACHE_FILE
    click.echo(f"folder: {printable(str(folder))}")
    if not database.is_file():
        click.echo("no cache yet")
        return
    size = sum(
        f.stat().st_size for f in folder.iterdir() if f.name.startswith(CACHE_FILE) and f.is_file()
    )
    click.echo(f"size: {size:,} bytes")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CacheWarning)
        store = ResultCache(folder)
        counts = store.stats()
        store.close()
    for warning in caught:
        click.echo(f"backend-skills: warning: {printable(str(warning.message))}", err=True)
    for name, count in counts.items():
        click.echo(f"{name}: {count:,} {'entry' if count == 1 else 'entries'}")
