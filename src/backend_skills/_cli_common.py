"""What the ``backend-skills`` commands share: exit codes, error exit, shared options,
argument parsing, baselines and safe output files (see :mod:`backend_skills.cli`)."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from .core.baseline import BaselineError, load_report
from .core.checker import RenderOptions, Reporter
from .core.models import Finding, Report, Severity
from .reporters._common import FormatOptionError, printable

EXIT_OK = 0
EXIT_GATE = 1
EXIT_ERROR = 2
EXIT_INCOMPLETE = 3

#: Severity names for --fail-on-new, most severe first.
SEVERITY_CHOICES = [s.value for s in Severity]


def fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    """Print ``message`` as a one-line error on standard error and exit with ``code``."""
    click.echo(f"backend-skills: error: {printable(message)}", err=True)
    sys.exit(code)


def use_color(stream: Any) -> bool:
    """Whether to colour output to ``stream`` (``NO_COLOR``, ``FORCE_COLOR``, a terminal)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def parse_fail_under(values: Sequence[str]) -> tuple[float | None, dict[str, float]]:
    """The overall and per-skill thresholds of ``--fail-under N|SKILL=N`` options."""
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


F = TypeVar("F", bound=Callable[..., Any])

# Options that `score` and `hook` share.
config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read settings from this file instead of the repository's.",
)
isolated_option = click.option(
    "--isolated",
    is_flag=True,
    help="Ignore all configuration in the repository: backend-skills', bandit's and "
    "sqlfluff's files, inline -- sqlfluff: settings and -- noqa comments.",
)
config_root_option = click.option(
    "--config-root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    metavar="DIR",
    help="Read every configuration (backend-skills', bandit's, sqlfluff's) from DIR, a "
    "checkout of the base branch, instead of from the scored tree.",
)


def trust_overrides(isolated: bool, config_root: Path | None) -> dict[str, Any]:
    """The settings that say which configuration is trusted (command line only)."""
    return {
        "isolated": isolated or None,
        "config_root": str(config_root.resolve()) if config_root is not None else None,
    }


def baseline_option(help_text: str) -> Callable[[F], F]:
    """``--baseline REPORT.json`` with the command's own help."""
    return click.option(
        "--baseline",
        "baseline_file",
        type=click.Path(dir_okay=False, path_type=Path),
        metavar="REPORT.json",
        help=help_text,
    )


def parse_format_options(values: Sequence[str]) -> dict[str, str]:
    """The ``--format-option KEY=VALUE`` options as a mapping."""
    extra: dict[str, str] = {}
    for raw in values:
        key, sep, value = raw.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{raw!r}: expected KEY=VALUE", param_hint="--format-option")
        extra[key.strip()] = value.strip()
    return extra


def render_report(reporter: Reporter, report: Report, options: RenderOptions) -> str:
    """``report`` in ``reporter``'s format; a bad format option exits 2 with one line."""
    try:
        return reporter.render(report, options)
    except FormatOptionError as exc:
        fail(f"--format {reporter.name}: {exc}")


def load_baseline(path: Path | None, fail_on_new: str | None) -> Report | None:
    """The ``--baseline`` report (None without one); ``--fail-on-new`` needs one."""
    if path is None:
        if fail_on_new is not None:
            raise click.UsageError("--fail-on-new needs --baseline REPORT.json")
        return None
    try:
        return load_report(path)
    except BaselineError as exc:
        fail(f"--baseline: {exc}")


def finding_line(finding: Finding) -> str:
    """One finding on one escaped line: where, severity, rule, message, criterion."""
    where = finding.path + (f":{finding.line}" if finding.line else "")
    return (
        f"{printable(where, 300)}: {finding.severity.value.upper()} {printable(finding.rule, 40)} "
        f"{printable(finding.message, 300)} [{printable(finding.criterion, 80)}]"
    )


def write_output(target: Path, text: str) -> None:
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
                fail(f"{target}: {current} is a symbolic link; not followed (choose another path)")
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
        fail(f"{target}: cannot write: {exc.strerror or exc}")
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
