"""The ``backend-skills`` command: parses arguments, calls the runner, maps exit codes.

Exit codes: 0 done and every gate met; 1 a gate failed; 2 usage, configuration or
internal error; 3 report incomplete (a checker failed; the report is still written).
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import sys
import tempfile
import traceback
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from . import __version__
from .core.baseline import BaselineError, compare, load_report, new_findings
from .core.cache import (
    CACHE_DIR_ENV,
    CACHE_DIR_NAME,
    CACHE_FILE,
    CacheWarning,
    ResultCache,
    clear_cache,
    resolve_cache_dir,
)
from .core.checker import RenderOptions, Reporter
from .core.config import ConfigError, Settings, resolve_settings
from .core.models import Finding, Report, Severity
from .core.plugins import DISABLE_ENV, Plugins, load_plugins
from .core.rubric import build_rubric
from .core.runner import run
from .reporters._common import FormatOptionError, one_line, printable
from .reporters.compare import COMPARE_FORMATS
from .reporters.compare import render as render_comparison

EXIT_OK = 0
EXIT_GATE = 1
EXIT_ERROR = 2
EXIT_INCOMPLETE = 3

#: Severity names for --fail-on-new, most severe first.
SEVERITY_CHOICES = [s.value for s in Severity]


def _fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    click.echo(f"backend-skills: error: {printable(message)}", err=True)
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


def gate_warnings(report: Report, per_skill: dict[str, float]) -> list[str]:
    """Thresholds that could not be checked: the skill was not scored or not applicable."""
    scored = {skill.id: skill for skill in report.skills}
    warnings = []
    for skill_id, threshold in sorted(per_skill.items()):
        skill = scored.get(skill_id)
        if skill is None:
            warnings.append(f"gate {skill_id}={threshold:g} not checked: skill not scored")
        elif skill.score is None:
            warnings.append(
                f"gate {skill_id}={threshold:g} not checked: skill not applicable ({skill.reason})"
            )
    return warnings


F = TypeVar("F", bound=Callable[..., Any])

# Options that `score` and `hook` share.
_config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read settings from this file instead of the repository's.",
)
_isolated_option = click.option(
    "--isolated",
    is_flag=True,
    help="Ignore all configuration in the repository: backend-skills', bandit's and "
    "sqlfluff's files, inline -- sqlfluff: settings and -- noqa comments.",
)
_config_root_option = click.option(
    "--config-root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    metavar="DIR",
    help="Read every configuration (backend-skills', bandit's, sqlfluff's) from DIR, a "
    "checkout of the base branch, instead of from the scored tree.",
)


def _trust_overrides(isolated: bool, config_root: Path | None) -> dict[str, Any]:
    """The settings that say which configuration is trusted (command line only)."""
    return {
        "isolated": isolated or None,
        "config_root": str(config_root.resolve()) if config_root is not None else None,
    }


def _baseline_option(help_text: str) -> Callable[[F], F]:
    """``--baseline REPORT.json`` with the command's own help."""
    return click.option(
        "--baseline",
        "baseline_file",
        type=click.Path(dir_okay=False, path_type=Path),
        metavar="REPORT.json",
        help=help_text,
    )


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
@_baseline_option("Compare findings with this earlier JSON report (by fingerprint).")
@click.option(
    "--fail-on-new",
    type=click.Choice(SEVERITY_CHOICES, case_sensitive=False),
    metavar="SEVERITY",
    help="With --baseline: exit 1 when a counted finding at or above SEVERITY "
    "(critical, high, medium, low, info) is not in the baseline.",
)
@click.option(
    "--format-option",
    "format_options",
    multiple=True,
    metavar="KEY=VALUE",
    help="Option for the output formats, e.g. badge_skill=security, path_prefix=svc/ "
    "(repeatable; see docs/formats.md).",
)
@click.option(
    "--skill", "skills", multiple=True, metavar="ID", help="Score only this skill (repeatable)."
)
@_config_option
@_isolated_option
@_config_root_option
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
    baseline_file: Path | None,
    fail_on_new: str | None,
    format_options: tuple[str, ...],
    skills: tuple[str, ...],
    config_file: Path | None,
    isolated: bool,
    config_root: Path | None,
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
    extra = _parse_format_options(format_options)
    baseline = _load_baseline(baseline_file, fail_on_new)
    formats = _check_formats_and_outputs(formats, outputs)
    overrides: dict[str, Any] = {
        "skills": list(skills) or None,
        "fail_under": overall,
        "jobs": jobs,
        **_trust_overrides(isolated, config_root),
    }
    if no_cache:
        overrides["cache"] = False
    if cache_dir is not None:
        overrides["cache_dir"] = str(cache_dir.resolve())
    try:
        settings, used = resolve_settings(
            path,
            config_file=config_file,
            isolated=isolated,
            overrides=overrides,
            config_root=config_root,
        )
        settings = settings.model_copy(
            update={
                "exclude": [*settings.exclude, *exclude],
                "disable_plugins": [*settings.disable_plugins, *disable_plugin],
            }
        )
        per_skill = {**settings.fail_under_skills, **per_skill}
        plugins = _plugins_for_score(settings.disable_plugins, formats, per_skill, quiet)
        report = _run_reporting_warnings(
            path,
            settings,
            plugins=plugins,
            config_source=str(used) if used else "configuration",
            quiet=quiet,
        )
    except ConfigError as exc:
        _fail(str(exc))
    _emit(report, plugins, formats, outputs, RenderOptions(verbose=verbose, extra=extra), quiet)
    new_failures = _baseline_gate(report, baseline, fail_on_new, quiet)  # named even if incomplete
    sys.exit(_exit_code(report, settings.fail_under, per_skill, new_failures, quiet))


def _check_formats_and_outputs(
    formats: tuple[str, ...], outputs: tuple[Path, ...]
) -> tuple[str, ...]:
    """The formats to render (``text`` by default); at most one may go to stdout."""
    formats = formats or ("text",)
    if len(outputs) > len(formats):
        raise click.UsageError("more --output files than --format options")
    if len(formats) - len(outputs) > 1:
        raise click.UsageError("with several --format options, give an --output for all but one")
    return formats


def _plugins_for_score(
    disable: Sequence[str], formats: Sequence[str], per_skill: dict[str, float], quiet: bool
) -> Plugins:
    """Load plugins, check the formats and gated skills exist, warn about broken plugins."""
    plugins = load_plugins(disable=disable)
    for name in formats:
        if name not in plugins.reporters:
            known = ", ".join(sorted(plugins.reporters)) or "none"
            raise click.UsageError(f"unknown format {name!r} (available: {known})")
    unknown = set(per_skill) - {s.id for r in plugins.rubrics for s in r.skills}
    if unknown:
        raise click.UsageError(f"--fail-under: unknown skill {sorted(unknown)[0]!r}")
    if not quiet:
        for problem in plugins.problems:
            click.echo(f"backend-skills: warning: {printable(problem)}", err=True)
        for info in plugins.failed():
            click.echo(
                f"backend-skills: warning: plugin {info.name} failed to load: "
                + printable(info.error or ""),
                err=True,
            )
    return plugins


def _emit(
    report: Report,
    plugins: Plugins,
    formats: Sequence[str],
    outputs: Sequence[Path],
    options: RenderOptions,
    quiet: bool,
) -> None:
    """Write the n-th format to the n-th output file and the remaining one to stdout."""
    for name, target in zip(formats, outputs, strict=False):
        _write_output(target, _render(plugins.reporters[name], report, options))
    if len(formats) > len(outputs):
        stdout_format = formats[len(outputs)]
        color = stdout_format == "text" and _use_color(sys.stdout)
        options = RenderOptions(color=color, verbose=options.verbose, extra=options.extra)
        text = _render(plugins.reporters[stdout_format], report, options)
        click.echo(text, nl=False, color=color)
    elif not quiet:
        click.echo(
            f"backend-skills: overall {report.score if report.score is not None else 'n/a'}"
            f" ({report.level.value if report.level else 'n/a'}); wrote "
            + ", ".join(str(o) for o in outputs),
            err=True,
        )


def _write_output(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` without following a symbolic link.

    The scored repository may have committed a link under the report's name (or a
    folder link on a relative path): the text goes to a temporary file in the same
    folder, renamed over ``target``, so an existing link is replaced, never written
    through, and a reader never sees half a report. A relative path whose folders
    include a symbolic link is refused (exit 2).
    """
    if not target.is_absolute():
        current = Path()
        for part in target.parent.parts:
            current = current / part
            if current.is_symlink():
                _fail(f"{target}: {current} is a symbolic link; not followed (choose another path)")
    tmp: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # what a plain open() would have given
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        _fail(f"{target}: cannot write: {exc.strerror or exc}")
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _exit_code(
    report: Report,
    fail_under: float | None,
    per_skill: dict[str, float],
    new_failures: list[str],
    quiet: bool,
) -> int:
    """3 when incomplete, 1 when a gate failed (each failure named on stderr), else 0."""
    if not report.complete:
        if not quiet:
            click.echo("backend-skills: report incomplete: a checker failed (exit 3)", err=True)
        return EXIT_INCOMPLETE
    if not quiet:
        for warning in gate_warnings(report, per_skill):
            click.echo(f"backend-skills: warning: {printable(warning)}", err=True)
    failures = gate_failures(report, fail_under, per_skill) + new_failures
    for failure in failures:
        click.echo(f"backend-skills: gate failed: {failure}", err=True)
    return EXIT_GATE if failures else EXIT_OK


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
                click.echo(f"backend-skills: warning: {printable(str(warning.message))}", err=True)
        else:  # one line, escaped: the file name or the message may come from the repository
            click.echo(
                printable(
                    f"{warning.filename}:{warning.lineno}: {warning.category.__name__}: "
                    f"{warning.message}"
                ),
                err=True,
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


# --------------------------------------------------------------------------- CI integration
# Baselines, format options, `compare` and `hook` (docs/formats.md, docs/ci.md,
# docs/pre-commit.md). Kept together so they merge cleanly with other CLI work.


def _parse_format_options(values: Sequence[str]) -> dict[str, str]:
    extra: dict[str, str] = {}
    for raw in values:
        key, sep, value = raw.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{raw!r}: expected KEY=VALUE", param_hint="--format-option")
        extra[key.strip()] = value.strip()
    return extra


def _render(reporter: Reporter, report: Report, options: RenderOptions) -> str:
    try:
        return reporter.render(report, options)
    except FormatOptionError as exc:
        _fail(f"--format {reporter.name}: {exc}")


def _load_baseline(path: Path | None, fail_on_new: str | None) -> Report | None:
    if path is None:
        if fail_on_new is not None:
            raise click.UsageError("--fail-on-new needs --baseline REPORT.json")
        return None
    try:
        return load_report(path)
    except BaselineError as exc:
        _fail(f"--baseline: {exc}")


def _finding_line(finding: Finding) -> str:
    where = finding.path + (f":{finding.line}" if finding.line else "")
    return (
        f"{printable(where, 300)}: {finding.severity.value.upper()} {printable(finding.rule, 40)} "
        f"{printable(finding.message, 300)} [{printable(finding.criterion, 80)}]"
    )


def _baseline_gate(
    report: Report, baseline: Report | None, fail_on_new: str | None, quiet: bool
) -> list[str]:
    """Print what is new against the baseline; the gate failure when one applies."""
    if baseline is None:
        return []
    threshold = Severity(fail_on_new.lower()) if fail_on_new else Severity.INFO
    fresh = new_findings(baseline, report, threshold)
    for criterion_id, count in fresh.not_compared.items():
        if not quiet:
            click.echo(
                f"backend-skills: warning: {count} finding(s) for {printable(criterion_id, 80)}"
                " not compared: the baseline did not assess that criterion (refresh the baseline)",
                err=True,
            )
    if fail_on_new is None:
        if not quiet:
            fixed = sum(1 for f in compare(baseline, report).fixed_findings if f.counted)
            click.echo(
                f"backend-skills: against the baseline: {len(fresh.findings)} new counted "
                f"finding(s), {fixed} fixed",
                err=True,
            )
        return []
    for finding in fresh.findings:
        click.echo(f"backend-skills: new finding: {_finding_line(finding)}", err=True)
    if not fresh.findings:
        return []
    count = len(fresh.findings)
    return [f"{count} new finding{'s' if count != 1 else ''} at or above {threshold.value}"]


@cli.command("compare")
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(COMPARE_FORMATS),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE."
)
@click.option(
    "--fail-on-new",
    type=click.Choice(SEVERITY_CHOICES, case_sensitive=False),
    metavar="SEVERITY",
    help="Exit 1 when NEW has a counted finding at or above SEVERITY that OLD has not.",
)
def compare_command(
    old: Path, new: Path, fmt: str, output: Path | None, fail_on_new: str | None
) -> None:
    """Compare two JSON reports: score deltas per skill and criterion, new and fixed findings."""
    try:
        old_report = load_report(old)
        new_report = load_report(new)
    except BaselineError as exc:
        _fail(str(exc))
    text = render_comparison(compare(old_report, new_report), fmt)
    if output is None:
        click.echo(text, nl=False)
    else:
        _write_output(output, text)
    if fail_on_new is not None:
        fresh = new_findings(old_report, new_report, Severity(fail_on_new.lower()))
        for finding in fresh.findings:
            click.echo(f"backend-skills: new finding: {_finding_line(finding)}", err=True)
        if fresh.findings:
            sys.exit(EXIT_GATE)
    sys.exit(EXIT_OK)


@cli.command("hook")
@click.argument("files", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--root",
    default=".",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    show_default=True,
    help="The repository (or folder of it) the files belong to.",
)
@click.option(
    "--fail-on-new",
    type=click.Choice(SEVERITY_CHOICES, case_sensitive=False),
    default="medium",
    show_default=True,
    metavar="SEVERITY",
    help="Exit 1 when the files bring a counted finding at or above SEVERITY.",
)
@click.option(
    "--against",
    default="HEAD",
    show_default=True,
    metavar="REV",
    help="Git revision holding the files' previous state.",
)
@_baseline_option("Compare with this full JSON report instead of a git revision.")
@_config_option
@_isolated_option
@_config_root_option
@click.option("-q", "--quiet", is_flag=True, help="Print only new findings and errors.")
def hook_command(
    files: tuple[str, ...],
    root: Path,
    fail_on_new: str,
    against: str,
    baseline_file: Path | None,
    config_file: Path | None,
    isolated: bool,
    config_root: Path | None,
    quiet: bool,
) -> None:
    """Fast pre-commit gate: new findings in FILES (default: the staged files).

    Compares the staged content of the files with the same files at --against (HEAD),
    or with a --baseline report, by fingerprint. Computes no score: a handful of files
    says nothing about the repository's averages.
    """
    from .staged import StagedError, check_files

    threshold = Severity(fail_on_new.lower())
    baseline = _load_baseline(baseline_file, None)
    try:
        settings, used = resolve_settings(
            root,
            config_file=config_file,
            isolated=isolated,
            overrides=_trust_overrides(isolated, config_root),
            config_root=config_root,
        )
        plugins = load_plugins(disable=settings.disable_plugins)
        result = check_files(
            root,
            settings,
            plugins,
            files=files,
            against=against,
            baseline=baseline,
            baseline_name=str(baseline_file),
            min_severity=threshold,
            config_source=str(used) if used else "configuration",
        )
    except (ConfigError, StagedError) as exc:
        _fail(str(exc))
    if not quiet:
        for note in result.notes:
            click.echo(f"backend-skills: {printable(note)}", err=True)
        for criterion_id, count in result.new.not_compared.items():
            click.echo(
                f"backend-skills: warning: {count} finding(s) for {printable(criterion_id, 80)}"
                " not compared: the baseline did not assess that criterion",
                err=True,
            )
    for run_info in result.failed:
        click.echo(
            f"backend-skills: checker {run_info.name} failed: "
            + printable(run_info.error or "unknown error"),
            err=True,
        )
    for finding in result.new.findings:
        click.echo(f"backend-skills: new finding: {_finding_line(finding)}", err=True)
    files_text = f"{len(result.checked)} code file{'s' if len(result.checked) != 1 else ''}"
    if result.failed:
        click.echo("backend-skills: cannot gate the commit: a checker failed (exit 3)", err=True)
        sys.exit(EXIT_INCOMPLETE)
    count = len(result.new.findings)
    if count:
        click.echo(
            f"backend-skills: {count} new finding{'s' if count != 1 else ''} at or above "
            f"{threshold.value} in {files_text} (compared with {printable(result.reference)})",
            err=True,
        )
        sys.exit(EXIT_GATE)
    if not quiet and result.checked:
        click.echo(
            f"backend-skills: no new findings at or above {threshold.value} in {files_text}"
            f" (compared with {printable(result.reference)})",
            err=True,
        )
    elif not quiet and not result.notes:
        click.echo("backend-skills: no code files to check", err=True)
    sys.exit(EXIT_OK)


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
    from rich.console import Console  # rich costs 13 ms: only when printing
    from rich.text import Text

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


@cli.command("rules")
@click.argument("rule_id", required=False, metavar="[ID]")
@click.option("--skill", "skill_filter", help="Only the rules of this skill (list).")
@click.option("--language", "language_filter", help="Only the rules covering this language (list).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
def rules_command(
    rule_id: str | None, skill_filter: str | None, language_filter: str | None, output_format: str
) -> None:
    """List our rules, or explain one (ID in any case: bssec001)."""
    import json

    from .rules import RULES, find
    from .rules._docs import explain_text, ordered, rule_details, rule_summary

    if rule_id is not None:
        rule = find(rule_id)
        if rule is None:
            _fail(f"no rule {rule_id!r} (see `backend-skills rules`)")
        text = (
            json.dumps(rule_details(rule), indent=2) + "\n"
            if output_format == "json"
            else explain_text(rule)
        )
        click.echo(text, nl=False)
        return
    for value, known, what in (
        (skill_filter, {r.skill for r in RULES.values()}, "skill"),
        (language_filter, {lang for r in RULES.values() for lang in r.languages}, "language"),
    ):
        if value is not None and value.lower() not in known:
            _fail(f"no rule covers {what} {value!r} (one of: {', '.join(sorted(known))})")
    listed = [
        r
        for r in ordered(RULES.values())
        if (skill_filter is None or r.skill == skill_filter.lower())
        and (language_filter is None or language_filter.lower() in r.languages)
    ]
    if output_format == "json":
        click.echo(json.dumps([rule_summary(r) for r in listed], indent=2))
        return
    for r in listed:
        click.echo(
            f"{r.id:9} {r.severity.value:8} {r.criterion:34} {','.join(r.languages):24} {r.title}"
        )
    click.echo(f"{len(listed)} rule(s). Explain one: backend-skills rules ID", err=True)


@cli.command()
def plugins() -> None:
    """List plugins, their checkers (with tool versions) and output formats."""
    loaded = _plugins_or_fail()
    from rich.console import Console  # rich costs 13 ms: only when printing
    from rich.table import Table
    from rich.text import Text

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


# --------------------------------------------------------------------------- batch
# `backend-skills batch`: many repositories, per-repository reports and summaries
# (docs/batch.md). Kept together so it merges cleanly with other CLI work.


@cli.command("batch")
@click.argument("paths", nargs=-1, metavar="[PATH|GLOB]...")
@click.option(
    "--from",
    "list_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Read repositories from FILE: one per line, PATH or LABEL<TAB>PATH or LABEL,PATH; "
    "# starts a comment (repeatable).",
)
@click.option(
    "-o",
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("backend-skills-batch"),
    show_default=True,
    help="Folder for the reports (OUT/reports/) and the summaries.",
)
@click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    metavar="FORMAT",
    help="Report format for each repository (repeatable; default: html and json).",
)
@click.option(
    "--fail-under",
    multiple=True,
    metavar="N|SKILL=N",
    help="Exit 1 when a repository's overall (or SKILL's) score, or the mean over the "
    "repositories, is below N. Repeatable.",
)
@click.option(
    "--format-option",
    "format_options",
    multiple=True,
    metavar="KEY=VALUE",
    help="Option for the report formats (repeatable; see docs/formats.md).",
)
@click.option(
    "--skill", "skills", multiple=True, metavar="ID", help="Score only this skill (repeatable)."
)
@_config_option
@_isolated_option
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
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="Repositories scored at once by the local executor (default: number of cores).",
)
@click.option(
    "--repo-jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes each repository's scoring may use.",
)
@click.option(
    "--executor",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="Score on local processes, or on a Dask cluster (pip install 'backend-skills[dask]').",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    envvar="DASK_SCHEDULER_ADDRESS",
    help="Dask scheduler address for --executor dask, e.g. tcp://scheduler:8786.",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write result caches.")
@click.option(
    "--cache-dir",
    metavar="DIR",
    help="One result cache for every repository (may be shared storage; {host} is "
    "replaced by the worker's host name). Default: a cache in each repository.",
)
@click.option(
    "--title", default="backend-skills batch", show_default=True, help="Leaderboard title."
)
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@click.option("-v", "--verbose", count=True, help="More detail in the reports (every finding).")
def batch_command(
    paths: tuple[str, ...],
    list_files: tuple[Path, ...],
    out_dir: Path,
    formats: tuple[str, ...],
    fail_under: tuple[str, ...],
    format_options: tuple[str, ...],
    skills: tuple[str, ...],
    config_file: Path | None,
    isolated: bool,
    exclude: tuple[str, ...],
    disable_plugin: tuple[str, ...],
    jobs: int | None,
    repo_jobs: int,
    executor: str,
    scheduler: str | None,
    no_cache: bool,
    cache_dir: str | None,
    title: str,
    quiet: bool,
    verbose: int,
) -> None:
    """Score many repositories: one report each, plus CSV, JSON and HTML summaries.

    Repositories are PATHs, GLOBs (quote them: 'submissions/*') or listed in --from
    files. A repository that is missing, has invalid configuration or crashes is
    recorded with its error; the others are scored. Exit codes: 0 all scored and every
    gate met; 1 a gate failed; 2 usage error; 3 a repository was not scored or its
    report is incomplete.
    """
    from .batch import BatchError, Gates, TargetError, collect, run_batch

    overall, per_skill = _parse_fail_under(fail_under)
    extra = _parse_format_options(format_options)
    try:
        targets, notes = collect(paths, list_files)
    except TargetError as exc:
        _fail(str(exc))
    if not quiet:
        for note in notes:
            click.echo(f"backend-skills: warning: {note}", err=True)
    if not targets:
        raise click.UsageError("no repositories to score (give PATHs, GLOBs or --from FILE)")
    if cache_dir is not None:
        cache_dir = os.path.abspath(os.path.expanduser(cache_dir))
    try:
        result = run_batch(
            targets,
            out_dir,
            formats=formats or ("html", "json"),
            format_options=extra,
            verbose=verbose,
            config_file=config_file,
            isolated=isolated,
            skills=skills,
            exclude=exclude,
            disable_plugins=disable_plugin,
            workers=jobs,
            repo_jobs=repo_jobs,
            cache=not no_cache,
            cache_dir=cache_dir,
            executor=executor,
            scheduler=scheduler,
            gates=Gates(overall=overall, skills=per_skill),
            progress=not quiet,
            title=title,
        )
    except BatchError as exc:
        _fail(str(exc))
    for repo in result.results:
        if repo.status != "complete":
            what = "not scored" if repo.status == "error" else "incomplete"
            click.echo(
                f"backend-skills: {one_line(repo.label, 80)}: {what} ({repo.error_kind}): "
                f"{one_line(repo.error or '', 400)}",
                err=True,
            )
        for failure in repo.gate_failures:
            if repo.status == "complete":
                click.echo(
                    f"backend-skills: gate failed: {one_line(repo.label, 80)}: {failure}", err=True
                )
    for failure in result.summary_failures:
        click.echo(f"backend-skills: gate failed: {failure}", err=True)
    if not quiet:
        counts = {
            s: sum(1 for r in result.results if r.status == s)
            for s in ("complete", "incomplete", "error")
        }
        click.echo(
            f"backend-skills: {len(result.results)} repositories ({counts['complete']} complete, "
            f"{counts['incomplete']} incomplete, {counts['error']} not scored) in "
            f"{result.duration_s:.1f} s; wrote " + ", ".join(str(p) for p in result.files.values()),
            err=True,
        )
    sys.exit(result.exit_code())


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the console script; never shows a traceback unless debugging.

    Called without ``argv`` (the console script, ``python -m backend_skills``), the
    process ends without tearing the interpreter down: see :func:`_leave`.
    """
    if argv is None:
        # This process is ours, and what the imports built lives until the end: keep it
        # out of the collector's full passes (20-25 ms of a 0.35 s warm run on Django).
        gc.freeze()
    try:
        _run_cli(argv)
    except SystemExit as done:
        if argv is None:
            _leave(done.code)
        raise


def _run_cli(argv: Sequence[str] | None) -> None:
    """The command; every way out is ``SystemExit`` with one line on standard error."""
    try:
        cli.main(args=argv, prog_name="backend-skills", standalone_mode=True)
    except KeyboardInterrupt:
        _fail("interrupted", EXIT_ERROR)
    except Exception as exc:  # last resort: one line, exit 2
        if os.environ.get("BACKEND_SKILLS_DEBUG"):
            traceback.print_exc()
        _fail(f"internal error: {type(exc).__name__}: {exc}".splitlines()[0])


def _leave(code: object) -> NoReturn:
    """End the process now, as a normal exit would but for freeing every object.

    Freeing the modules and the objects of a run costs more than a warm run's own work
    (70 ms of 0.4 s on Django), so the command leaves like mypy does: exit handlers
    run, the standard streams are flushed, and ``os._exit`` skips the rest. The output
    file and the cache are closed before this point; worker processes have ended.
    """
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): Python prints it and exits with 1
        print(code, file=sys.stderr)
        status = 1
    try:
        atexit._run_exitfuncs()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a closed pipe: nothing more to say
                if status == 0:
                    status = 120  # what Python exits with when stdout cannot be flushed
        os._exit(status)
