"""``backend-skills batch``: many repositories, per-repository reports and summaries
(docs/batch.md)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ._cli_common import (
    config_option,
    fail,
    isolated_option,
    parse_fail_under,
    parse_format_options,
)
from .core.plugins import DISABLE_ENV
from .reporters._common import one_line

if TYPE_CHECKING:  # imported when the command runs: startup stays fast
    from .batch import BatchResult, RepoResult


@click.command("batch")
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
@config_option
@isolated_option
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

    overall, per_skill = parse_fail_under(fail_under)
    extra = parse_format_options(format_options)
    try:
        targets, notes = collect(paths, list_files)
    except TargetError as exc:
        fail(str(exc))
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
        fail(str(exc))
    _print_outcome(result, quiet)
    sys.exit(result.exit_code())


def _print_outcome(result: BatchResult, quiet: bool) -> None:
    """One line per repository not scored or failing a gate, then the summary."""
    for repo in result.results:
        _print_repo(repo)
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


def _print_repo(repo: RepoResult) -> None:
    """Why a repository was not scored or is incomplete, or the gates it failed."""
    if repo.status != "complete":
        what = "not scored" if repo.status == "error" else "incomplete"
        click.echo(
            f"backend-skills: {one_line(repo.label, 80)}: {what} ({repo.error_kind}): "
            f"{one_line(repo.error or '', 400)}",
            err=True,
        )
        return
    for failure in repo.gate_failures:
        click.echo(f"backend-skills: gate failed: {one_line(repo.label, 80)}: {failure}", err=True)
