"""The ``backend-skills`` command: parses arguments, calls the runner, maps exit codes.

Exit codes: 0 done and every gate met; 1 a gate failed; 2 usage, configuration or
internal error; 3 report incomplete (a checker failed; the report is still written).
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
import traceback
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from . import __version__
from ._cli_batch import batch_command
from ._cli_cache import cache
from ._cli_ci import baseline_gate, compare_command, hook_command
from ._cli_common import (
    EXIT_ERROR,
    EXIT_GATE,
    EXIT_INCOMPLETE,
    EXIT_OK,
    SEVERITY_CHOICES,
    baseline_option,
    config_option,
    config_root_option,
    fail,
    isolated_option,
    load_baseline,
    parse_fail_under,
    parse_format_options,
    render_report,
    trust_overrides,
    use_color,
    write_output,
)
from .core.cache import CACHE_DIR_ENV, CACHE_DIR_NAME, CacheWarning
from .core.checker import RenderOptions
from .core.config import ConfigError, Settings, resolve_settings
from .core.models import Criterion, Report, Skill
from .core.plugins import DISABLE_ENV, Plugins, load_plugins
from .core.rubric import Rubric, build_rubric
from .core.runner import run
from .reporters._common import printable

if TYPE_CHECKING:
    from rich.console import Console

    from .rules._model import Rule


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="backend-skills")
def cli() -> None:
    """Score a backend repository against skill rubrics: database, server-side,
    security, scalability and collaboration."""


for _command in (cache, compare_command, hook_command, batch_command):
    cli.add_command(_command)


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
@baseline_option("Compare findings with this earlier JSON report (by fingerprint).")
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
@config_option
@isolated_option
@config_root_option
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
    overall, per_skill = parse_fail_under(fail_under)
    extra = parse_format_options(format_options)
    baseline = load_baseline(baseline_file, fail_on_new)
    formats = _check_formats_and_outputs(formats, outputs)
    overrides: dict[str, Any] = {
        "skills": list(skills) or None,
        "fail_under": overall,
        "jobs": jobs,
        **trust_overrides(isolated, config_root),
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
        fail(str(exc))
    _emit(report, plugins, formats, outputs, RenderOptions(verbose=verbose, extra=extra), quiet)
    new_failures = baseline_gate(report, baseline, fail_on_new, quiet)  # named even if incomplete
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
        _warn_plugin_problems(plugins)
    return plugins


def _warn_plugin_problems(plugins: Plugins) -> None:
    """One warning per rubric problem and per plugin that failed to load."""
    for problem in plugins.problems:
        click.echo(f"backend-skills: warning: {printable(problem)}", err=True)
    for info in plugins.failed():
        click.echo(
            f"backend-skills: warning: plugin {info.name} failed to load: "
            + printable(info.error or ""),
            err=True,
        )


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
        write_output(target, render_report(plugins.reporters[name], report, options))
    if len(formats) > len(outputs):
        stdout_format = formats[len(outputs)]
        color = stdout_format == "text" and use_color(sys.stdout)
        options = RenderOptions(color=color, verbose=options.verbose, extra=options.extra)
        text = render_report(plugins.reporters[stdout_format], report, options)
        click.echo(text, nl=False, color=color)
    elif not quiet:
        click.echo(
            f"backend-skills: overall {report.score if report.score is not None else 'n/a'}"
            f" ({report.level.value if report.level else 'n/a'}); wrote "
            + ", ".join(str(o) for o in outputs),
            err=True,
        )


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
        fail(str(exc))
    from rich.console import Console  # rich costs 13 ms: only when printing

    console = Console(highlight=False, no_color=not use_color(sys.stdout))
    if item is None:
        _list_rubric(console, rubric)
        return
    for skill in rubric.skills:
        if skill.id == item:
            _explain_skill(console, skill)
            return
        for c in skill.criteria:
            if c.id == item:
                _explain_criterion(console, skill, c)
                return
    fail(f"no skill or criterion {item!r} (see `backend-skills rubrics`)")


def _list_rubric(console: Console, rubric: Rubric) -> None:
    """Every skill with its criteria and weights."""
    from rich.text import Text

    console.print(Text(f"Rubric version {rubric.version}", style="bold"))
    for skill in rubric.skills:
        console.print(Text(f"\n{skill.id}  {skill.name} (weight {skill.weight:g})", style="bold"))
        for c in skill.criteria:
            console.print(Text(f"  {c.id:40} w={c.weight:<4g} {c.name}"))
    console.print(Text("\nExplain one: backend-skills rubrics ID", style="dim"))


def _explain_skill(console: Console, skill: Skill) -> None:
    """A skill's name, weight, description and criteria."""
    from rich.text import Text

    console.print(Text(f"{skill.name} ({skill.id}), weight {skill.weight:g}", style="bold"))
    if skill.description:
        console.print(Text(skill.description))
    for c in skill.criteria:
        console.print(Text(f"  {c.id}: {c.name}"))


def _explain_criterion(console: Console, skill: Skill, c: Criterion) -> None:
    """A criterion's metric, anchors, rationale, levels and remediation."""
    from rich.text import Text

    console.print(Text(f"{c.name} ({c.id})", style="bold"))
    console.print(Text(f"Skill: {skill.name}. Weight: {c.weight:g}. Metric: {c.metric}"))
    anchors = ", ".join(f"{a.value:g} -> {a.score:g}" for a in c.anchors)
    console.print(Text(f"Anchors (metric -> score, linear in between): {anchors}"))
    console.print(Text("\nWhy it matters", style="bold"))
    console.print(Text(c.rationale))
    console.print(Text("\nLevels", style="bold"))
    for level in ("novice", "developing", "competent", "proficient", "expert"):
        console.print(Text(f"  {level:11} {getattr(c.levels, level)}"))
    console.print(Text("\nWhat to do", style="bold"))
    console.print(Text(c.remediation))


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

    from .rules._docs import rule_summary

    if rule_id is not None:
        click.echo(_rule_explained(rule_id, output_format), nl=False)
        return
    listed = _rules_listed(skill_filter, language_filter)
    if output_format == "json":
        click.echo(json.dumps([rule_summary(r) for r in listed], indent=2))
        return
    for r in listed:
        click.echo(
            f"{r.id:9} {r.severity.value:8} {r.criterion:34} {','.join(r.languages):24} {r.title}"
        )
    click.echo(f"{len(listed)} rule(s). Explain one: backend-skills rules ID", err=True)


def _rule_explained(rule_id: str, output_format: str) -> str:
    """One rule's explanation (text) or details (JSON); exits when there is no such rule."""
    import json

    from .rules import find
    from .rules._docs import explain_text, rule_details

    rule = find(rule_id)
    if rule is None:
        fail(f"no rule {rule_id!r} (see `backend-skills rules`)")
    if output_format == "json":
        return json.dumps(rule_details(rule), indent=2) + "\n"
    return explain_text(rule)


def _rules_listed(skill_filter: str | None, language_filter: str | None) -> list[Rule]:
    """Our rules, in order, of the skill and language asked for; exits when no rule
    covers a skill or language asked for."""
    from .rules import RULES
    from .rules._docs import ordered

    skill = _rule_filter(skill_filter, {r.skill for r in RULES.values()}, "skill")
    languages = {lang for r in RULES.values() for lang in r.languages}
    language = _rule_filter(language_filter, languages, "language")
    return [
        r
        for r in ordered(RULES.values())
        if (skill is None or r.skill == skill) and (language is None or language in r.languages)
    ]


def _rule_filter(value: str | None, known: set[str], what: str) -> str | None:
    """A ``--skill`` or ``--language`` value in lower case; exits when no rule covers it."""
    if value is None:
        return None
    if value.lower() not in known:
        fail(f"no rule covers {what} {value!r} (one of: {', '.join(sorted(known))})")
    return value.lower()


@cli.command()
def plugins() -> None:
    """List plugins, their checkers (with tool versions) and output formats."""
    loaded = _plugins_or_fail()
    from rich.console import Console  # rich costs 13 ms: only when printing
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False, no_color=not use_color(sys.stdout))
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
        fail("interrupted", EXIT_ERROR)
    except Exception as exc:  # last resort: one line, exit 2
        if os.environ.get("BACKEND_SKILLS_DEBUG"):
            traceback.print_exc()
        fail(f"internal error: {type(exc).__name__}: {exc}".splitlines()[0])


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
