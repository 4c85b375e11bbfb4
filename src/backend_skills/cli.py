"""The ``backend-skills`` command: parses arguments, calls the runner, maps exit codes.

Exit codes: 0 done and every gate met; 1 a gate failed; 2 usage, configuration or
internal error; 3 report incomplete (a checker failed; the report is still written).
"""

from __future__ import annotations

import os
import sys
import traceback
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from . import __version__
from .core.cache import (
    CACHE_DIR_ENV,
    CACHE_DIR_NAME,
    CACHE_FILE,
    CacheWarning,
    ResultCache,
    clear_cache,
    resolve_cache_dir,
)
from .core.checker import RenderOptions
from .core.config import ConfigError, Settings, resolve_settings
from .core.models import Report
from .core.plugins import DISABLE_ENV, Plugins, load_plugins
from .core.rubric import build_rubric
from .core.runner import run

EXIT_OK = 0
EXIT_GATE = 1
EXIT_ERROR = 2
EXIT_INCOMPLETE = 3


def _fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    click.echo(f"backend-skills: error: {message}", err=True)
    sys.exit(code)


def _use_color(stream: Any) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _parse_fail_under(values: Sequence[str]) -> tuple[float | None, dict[str, float]]:
    overall: float | None = None
    per_skill: dict[str, float] = {}
    for raw in values:
        name, sep, number = raw.partition("=")
        text = number if sep else name
        try:
            value = float(text)
        except ValueError:
            raise click.BadParameter(
                f"{raw!r}: expected N or SKILL=N with N a number", param_hint="--fail-under"
            ) from None
        if not 0 <= value <= 100:
            raise click.BadParameter(f"{raw!r}: N must be 0-100", param_hint="--fail-under")
        if sep:
            per_skill[name.strip()] = value
        else:
            overall = value
    return overall, per_skill


def gate_failures(report: Report, overall: float | None, per_skill: dict[str, float]) -> list[str]:
    """Human-readable reasons the report fails its thresholds (empty when it passes)."""
    failures = []
    if overall is not None and report.score is not None and report.score < overall:
        failures.append(f"overall score {report.score:.1f} is under {overall:g}")
    for skill in report.skills:
        threshold = per_skill.get(skill.id)
        if threshold is not None and skill.score is not None and skill.score < threshold:
            failures.append(f"{skill.id} score {skill.score:.1f} is under {threshold:g}")
    return failures


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="backend-skills")
def cli() -> None:
    """Score a backend repository against skill rubrics: database, server-side,
    security, scalability and collaboration."""


@cli.command()
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    metavar="FORMAT",
    help="Output format (repeatable): text (default), json, or any plugin format.",
)
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE (repeatable; the n-th file gets the n-th --format).",
)
@click.option(
    "--fail-under",
    multiple=True,
    metavar="N|SKILL=N",
    help="Exit 1 when the overall score (or SKILL's score) is below N. Repeatable.",
)
@click.option(
    "--skill", "skills", multiple=True, metavar="ID", help="Score only this skill (repeatable)."
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read settings from this file instead of the repository's.",
)
@click.option("--isolated", is_flag=True, help="Ignore configuration files in the repository.")
@click.option(
    "--exclude",
    multiple=True,
    metavar="PATTERN",
    help="Extra gitignore-style pattern to leave out.",
)
@click.option(
    "--disable-plugin",
    multiple=True,
    metavar="NAME",
    help=f"Do not load plugin NAME (also: {DISABLE_ENV}).",
)
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: number of cores)."
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the result cache.")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help=f"Result cache folder (default: {CACHE_DIR_NAME} at PATH; also {CACHE_DIR_ENV}).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only the report and errors.")
@click.option(
    "-v", "--verbose", count=True, help="More detail: every finding, remediation, skipped files."
)
def score(
    path: Path,
    formats: tuple[str, ...],
    outputs: tuple[Path, ...],
    fail_under: tuple[str, ...],
    skills: tuple[str, ...],
    config_file: Path | None,
    isolated: bool,
    exclude: tuple[str, ...],
    disable_plugin: tuple[str, ...],
    jobs: int | None,
    no_cache: bool,
    cache_dir: Path | None,
    quiet: bool,
    verbose: int,
) -> None:
    """Score the repository at PATH (default: the current folder)."""
    overall, per_skill = _parse_fail_under(fail_under)
    formats = formats or ("text",)
    if len(outputs) > len(formats):
        raise click.UsageError("more --output files than --format options")
    if len(formats) - len(outputs) > 1:
        raise click.UsageError("with several --format options, give an --output for all but one")
    overrides: dict[str, Any] = {
        "skills": list(skills) or None,
        "fail_under": overall,
        "jobs": jobs,
    }
    if no_cache:
        overrides["cache"] = False
    if cache_dir is not None:
        overrides["cache_dir"] = str(cache_dir.resolve())
    try:
        settings, used = resolve_settings(
            path, config_file=config_file, isolated=isolated, overrides=overrides
        )
        if exclude:
            settings = settings.model_copy(update={"exclude": [*settings.exclude, *exclude]})
        if disable_plugin:
            settings = settings.model_copy(
                update={"disable_plugins": [*settings.disable_plugins, *disable_plugin]}
            )
        per_skill = {**settings.fail_under_skills, **per_skill}
        plugins = load_plugins(disable=settings.disable_plugins)
        for name in formats:
            if name not in plugins.reporters:
                known = ", ".join(sorted(plugins.reporters)) or "none"
                raise click.UsageError(f"unknown format {name!r} (available: {known})")
        unknown = set(per_skill) - {s.id for r in plugins.rubrics for s in r.skills}
        if unknown:
            raise click.UsageError(f"--fail-under: unknown skill {sorted(unknown)[0]!r}")
        if not quiet:
            for problem in plugins.problems:
                click.echo(f"backend-skills: warning: {problem}", err=True)
            for info in plugins.failed():
                click.echo(
                    f"backend-skills: warning: plugin {info.name} failed to load: {info.error}",
                    err=True,
                )
        report = _run_reporting_warnings(
            path,
            settings,
            plugins=plugins,
            config_source=str(used) if used else "configuration",
            quiet=quiet,
        )
    except ConfigError as exc:
        _fail(str(exc))

    stdout_format = formats[len(outputs)] if len(formats) > len(outputs) else None
    for name, target in zip(formats, outputs, strict=False):
        text = plugins.reporters[name].render(report, RenderOptions(color=False, verbose=verbose))
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        except OSError as exc:
            _fail(f"{target}: cannot write: {exc.strerror or exc}")
    if stdout_format is not None:
        color = stdout_format == "text" and _use_color(sys.stdout)
        text = plugins.reporters[stdout_format].render(
            report, RenderOptions(color=color, verbose=verbose)
        )
        click.echo(text, nl=False, color=color)
    elif not quiet:
        click.echo(
            f"backend-skills: overall {report.score if report.score is not None else 'n/a'}"
            f" ({report.level.value if report.level else 'n/a'}); wrote "
            + ", ".join(str(o) for o in outputs),
            err=True,
        )

    if not report.complete:
        if not quiet:
            click.echo("backend-skills: report incomplete: a checker failed (exit 3)", err=True)
        sys.exit(EXIT_INCOMPLETE)
    failures = gate_failures(report, settings.fail_under, per_skill)
    if failures:
        for failure in failures:
            click.echo(f"backend-skills: gate failed: {failure}", err=True)
        sys.exit(EXIT_GATE)
    sys.exit(EXIT_OK)


# --------------------------------------------------------------------------- cache


def _run_reporting_warnings(
    path: Path,
    settings: Settings,
    *,
    plugins: Plugins,
    config_source: str,
    quiet: bool,
) -> Report:
    """Run the scoring; show cache warnings as one line each on standard error."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CacheWarning)
        report = run(
            path,
            settings,
            plugins=plugins,
            config_source=config_source,
            progress=not quiet,
        )
    for warning in caught:
        if issubclass(warning.category, CacheWarning):
            if not quiet:
                click.echo(f"backend-skills: warning: {warning.message}", err=True)
        else:
            warnings.showwarning(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    return report


@cli.group()
def cache() -> None:
    """Inspect or clear the on-disk result cache."""


def _cache_folder(path: Path, cache_dir: Path | None, config_file: Path | None) -> Path:
    if cache_dir is not None:
        return cache_dir.resolve()
    try:
        settings, _ = resolve_settings(path, config_file=config_file)
    except ConfigError as exc:
        _fail(str(exc))
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
        _fail(f"{folder}: cannot clear: {exc.strerror or exc}")
    if removed:
        click.echo(f"backend-skills: cleared {folder}", err=True)
    else:
        click.echo(f"backend-skills: no cache at {folder}", err=True)


@cache.command("info")
@_cache_path_argument
@_cache_dir_option
@_cache_config_option
def cache_info(path: Path, cache_dir: Path | None, config_file: Path | None) -> None:
    """Show where the cache of PATH lives, its size and its entries per checker."""
    folder = _cache_folder(path, cache_dir, config_file)
    database = folder / CACHE_FILE
    click.echo(f"folder: {folder}")
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
        click.echo(f"backend-skills: warning: {warning.message}", err=True)
    for name, count in counts.items():
        click.echo(f"{name}: {count:,} entries")


def _plugins_or_fail() -> Plugins:
    return load_plugins()


@cli.command()
@click.argument("item", required=False, metavar="[SKILL|CRITERION]")
def rubrics(item: str | None) -> None:
    """List skills and criteria, or explain one skill or criterion."""

    plugins = _plugins_or_fail()
    try:
        rubric = build_rubric(plugins.rubrics, Settings())
    except ConfigError as exc:
        _fail(str(exc))
    console = Console(highlight=False, no_color=not _use_color(sys.stdout))
    if item is None:
        console.print(Text(f"Rubric version {rubric.version}", style="bold"))
        for skill in rubric.skills:
            console.print(
                Text(f"\n{skill.id}  {skill.name} (weight {skill.weight:g})", style="bold")
            )
            for c in skill.criteria:
                console.print(Text(f"  {c.id:40} w={c.weight:<4g} {c.name}"))
        console.print(Text("\nExplain one: backend-skills rubrics ID", style="dim"))
        return
    for skill in rubric.skills:
        if skill.id == item:
            console.print(Text(f"{skill.name} ({skill.id}), weight {skill.weight:g}", style="bold"))
            if skill.description:
                console.print(Text(skill.description))
            for c in skill.criteria:
                console.print(Text(f"  {c.id}: {c.name}"))
            return
        for c in skill.criteria:
            if c.id == item:
                console.print(Text(f"{c.name} ({c.id})", style="bold"))
                console.print(
                    Text(f"Skill: {skill.name}. Weight: {c.weight:g}. Metric: {c.metric}")
                )
                anchors = ", ".join(f"{a.value:g} -> {a.score:g}" for a in c.anchors)
                console.print(Text(f"Anchors (metric -> score, linear in between): {anchors}"))
                console.print(Text("\nWhy it matters", style="bold"))
                console.print(Text(c.rationale))
                console.print(Text("\nLevels", style="bold"))
                for level in ("novice", "developing", "competent", "proficient", "expert"):
                    console.print(Text(f"  {level:11} {getattr(c.levels, level)}"))
                console.print(Text("\nWhat to do", style="bold"))
                console.print(Text(c.remediation))
                return
    _fail(f"no skill or criterion {item!r} (see `backend-skills rubrics`)")


@cli.command()
def plugins() -> None:
    """List plugins, their checkers (with tool versions) and output formats."""
    loaded = _plugins_or_fail()
    console = Console(highlight=False, no_color=not _use_color(sys.stdout))
    table = Table(title="Plugins", box=None, header_style="bold")
    for column in ("Name", "Distribution", "Version", "Status", "Error"):
        table.add_column(column)
    for info in loaded.info:
        table.add_row(
            Text(info.name),
            Text(info.distribution or ""),
            Text(info.version or ""),
            Text(info.status),
            Text(info.error or ""),
        )
    console.print(table)
    checkers = Table(title="Checkers", box=None, header_style="bold")
    for column in ("Name", "Version", "Kind"):
        checkers.add_column(column)
    for checker in sorted(loaded.checkers, key=lambda c: c.name):
        try:
            version = checker.version
        except Exception as exc:
            version = f"unknown ({type(exc).__name__})"
        checkers.add_row(Text(checker.name), Text(version), Text(type(checker).__mro__[1].__name__))
    console.print(checkers)
    console.print(Text("Formats: " + ", ".join(sorted(loaded.reporters))))
    for problem in loaded.problems:
        console.print(Text(f"warning: {problem}", style="yellow"))


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the console script; never shows a traceback unless debugging."""
    try:
        cli.main(args=argv, prog_name="backend-skills", standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        _fail("interrupted", EXIT_ERROR)
    except Exception as exc:  # last resort: one line, exit 2
        if os.environ.get("BACKEND_SKILLS_DEBUG"):
            traceback.print_exc()
        _fail(f"internal error: {type(exc).__name__}: {exc}".splitlines()[0])
