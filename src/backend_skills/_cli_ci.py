"""CI integration commands: baselines, ``backend-skills compare`` and ``backend-skills
hook`` (docs/formats.md, docs/ci.md, docs/pre-commit.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ._cli_common import (
    EXIT_GATE,
    EXIT_INCOMPLETE,
    EXIT_OK,
    SEVERITY_CHOICES,
    baseline_option,
    config_option,
    config_root_option,
    fail,
    finding_line,
    isolated_option,
    load_baseline,
    trust_overrides,
    write_output,
)
from .core.baseline import BaselineError, NewFindings, compare, load_report, new_findings
from .core.config import ConfigError, resolve_settings
from .core.models import Report, Severity
from .core.plugins import load_plugins
from .reporters._common import printable
from .reporters.compare import COMPARE_FORMATS
from .reporters.compare import render as render_comparison

if TYPE_CHECKING:  # imported when the command runs: startup stays fast
    from .staged import GateResult


def baseline_gate(
    report: Report, baseline: Report | None, fail_on_new: str | None, quiet: bool
) -> list[str]:
    """Print what is new against the baseline; the gate failure when one applies."""
    if baseline is None:
        return []
    threshold = Severity(fail_on_new.lower()) if fail_on_new else Severity.INFO
    fresh = new_findings(baseline, report, threshold)
    if not quiet:
        _warn_not_compared(fresh)
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
        click.echo(f"backend-skills: new finding: {finding_line(finding)}", err=True)
    if not fresh.findings:
        return []
    count = len(fresh.findings)
    return [f"{count} new finding{'s' if count != 1 else ''} at or above {threshold.value}"]


def _warn_not_compared(fresh: NewFindings) -> None:
    """A warning for each criterion whose findings the baseline cannot tell apart."""
    for criterion_id, count in fresh.not_compared.items():
        click.echo(
            f"backend-skills: warning: {count} finding(s) for {printable(criterion_id, 80)}"
            " not compared: the baseline did not assess that criterion (refresh the baseline)",
            err=True,
        )


@click.command("compare")
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
        fail(str(exc))
    text = render_comparison(compare(old_report, new_report), fmt)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_output(output, text)
    if fail_on_new is not None:
        fresh = new_findings(old_report, new_report, Severity(fail_on_new.lower()))
        for finding in fresh.findings:
            click.echo(f"backend-skills: new finding: {finding_line(finding)}", err=True)
        if fresh.findings:
            sys.exit(EXIT_GATE)
    sys.exit(EXIT_OK)


@click.command("hook")
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
@baseline_option("Compare with this full JSON report instead of a git revision.")
@config_option
@isolated_option
@config_root_option
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
    baseline = load_baseline(baseline_file, None)
    try:
        settings, used = resolve_settings(
            root,
            config_file=config_file,
            isolated=isolated,
            overrides=trust_overrides(isolated, config_root),
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
        fail(str(exc))
    _print_hook_messages(result, quiet)
    sys.exit(_hook_exit(result, threshold, quiet))


def _print_hook_messages(result: GateResult, quiet: bool) -> None:
    """Notes, uncompared criteria, failed checkers and new findings, on standard error."""
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
        click.echo(f"backend-skills: new finding: {finding_line(finding)}", err=True)


def _hook_exit(result: GateResult, threshold: Severity, quiet: bool) -> int:
    """The hook's exit code, with its one-line verdict on standard error."""
    files_text = f"{len(result.checked)} code file{'s' if len(result.checked) != 1 else ''}"
    if result.failed:
        click.echo("backend-skills: cannot gate the commit: a checker failed (exit 3)", err=True)
        return EXIT_INCOMPLETE
    count = len(result.new.findings)
    if count:
        click.echo(
            f"backend-skills: {count} new finding{'s' if count != 1 else ''} at or above "
            f"{threshold.value} in {files_text} (compared with {printable(result.reference)})",
            err=True,
        )
        return EXIT_GATE
    if not quiet and result.checked:
        click.echo(
            f"backend-skills: no new findings at or above {threshold.value} in {files_text}"
            f" (compared with {printable(result.reference)})",
            err=True,
        )
    elif not quiet and not result.notes:
        click.echo("backend-skills: no code files to check", err=True)
    return EXIT_OK
