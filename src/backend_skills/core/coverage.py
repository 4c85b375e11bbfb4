"""What the checkers read: coverage per skill, and the denominators of densities.

Unread is not perfect. Each checker declares the ``languages`` it reads (repository-level
checkers, such as the hygiene-file and git-history checkers, read none). From that:

- a criterion scored from a finding density divides by the source lines of the languages
  its own checkers read (:func:`criterion_kloc`): JavaScript in a static folder does not
  dilute Python findings;
- every skill reports its :class:`~backend_skills.core.models.Coverage`: the share of the
  repository's code lines (source and migration files) in languages its checkers read, and the languages it did not
  read with their line counts;
- a skill whose checkers read source languages, none of which is present while other
  source code is, is *not assessed* (:func:`unread_reason`): it is never scored, and the
  overall score stands on the other skills.

A checker that declares ``languages = {"java", ...}`` makes those languages "read" with no
other change. Pure functions; no I/O.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

from .checker import Checker
from .discovery import CODE_LANGUAGES, FileSet
from .models import CheckerRun, Coverage, Role, Skill


def source_lines(fileset: FileSet, roles: Collection[Role] = (Role.SOURCE,)) -> dict[str, int]:
    """Lines of files with one of ``roles`` per code language, largest first."""
    totals: dict[str, int] = {}
    for file in fileset.files:
        if file.role in roles and file.language in CODE_LANGUAGES:
            totals[file.language] = totals.get(file.language, 0) + file.lines
    return dict(sorted(totals.items(), key=lambda item: (-item[1], item[0])))


def checker_languages(checker: Checker) -> frozenset[str]:
    """The languages ``checker`` reads (none for repository-level checkers)."""
    languages: Iterable[object] = getattr(checker, "languages", frozenset())
    return frozenset(str(lang) for lang in languages or ())


def _reads(checker: Checker, criterion_ids: set[str], metrics: set[str]) -> bool:
    return bool(set(checker.feeds) & criterion_ids or set(checker.provides) & metrics)


def skill_languages(
    skill: Skill, checkers: Iterable[Checker], runs: Mapping[str, CheckerRun]
) -> tuple[frozenset[str], bool]:
    """Languages the skill's checkers read, and whether any of them reads source at all.

    A checker counts when it feeds one of the skill's criteria or provides a metric one
    reads, and was not skipped (a disabled checker reads nothing; a failed one makes its
    criteria not assessed instead).
    """
    ids = {c.id for c in skill.criteria}
    metrics = {m for c in skill.criteria for m in (c.metric, *c.show)}
    languages: set[str] = set()
    for checker in checkers:
        run = runs.get(checker.name)
        if run is not None and run.status == "skipped":
            continue
        if _reads(checker, ids, metrics):
            languages |= checker_languages(checker)
    return frozenset(languages), bool(languages)


def coverage(languages: frozenset[str], reads_source: bool, lines: Mapping[str, int]) -> Coverage:
    """Coverage of the repository's source ``lines`` by a skill reading ``languages``."""
    total = sum(lines.values())
    read = {lang: n for lang, n in lines.items() if lang in languages}
    not_read = {lang: n for lang, n in lines.items() if lang not in languages}
    lines_read = sum(read.values())
    share = round(lines_read / total, 4) if reads_source and total > 0 else None
    return Coverage(
        share=share,
        lines_read=lines_read if reads_source else 0,
        lines_total=total,
        languages_read=read if reads_source else {},
        languages_not_read=not_read if reads_source else {},
        reads_source=reads_source,
    )


def describe_languages(lines: Mapping[str, int]) -> str:
    """``java (12,400 lines), go (3,100 lines)``."""
    return ", ".join(f"{lang} ({n:,} lines)" for lang, n in lines.items())


def unread_reason(cov: Coverage) -> str | None:
    """Why a skill is not assessed (None when it is): source code exists, none is read."""
    if not cov.reads_source or cov.lines_total == 0 or cov.lines_read > 0:
        return None
    return f"no checker reads {describe_languages(cov.languages_not_read)}"


def criterion_kloc(feeders: Sequence[Checker], lines: Mapping[str, int]) -> float:
    """Thousands of source lines a criterion's finding density divides by.

    The lines of the languages its feeding checkers read; all source lines when they
    declare no language (a plugin's repository-level findings).
    """
    languages: set[str] = set()
    for checker in feeders:
        languages |= checker_languages(checker)
    if not languages:
        return sum(lines.values()) / 1000.0
    return sum(n for lang, n in lines.items() if lang in languages) / 1000.0
