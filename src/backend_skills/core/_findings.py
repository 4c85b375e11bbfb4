"""Finalising a run's findings: roles, merging of duplicates, suppression, fingerprints.

Part of the runner (:mod:`backend_skills.core.runner`): every checker's findings go
through :func:`finalise_findings` once, whichever tool reported them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from .caps import EXPLOITABLE, TRACE_RULES, also_harms
from .discovery import FileChangedError, FileSet, SourceFile
from .models import Confidence, Finding, FindingSource, Role
from .pool import line_hash
from .suppress import suppression

#: Roles whose findings never count and whose files are not analysed by default.
EXCLUDED_ROLES = frozenset({Role.VENDORED, Role.GENERATED})


class _LineHashes:
    """Hashes of source lines, splitting each file once however many findings it has."""

    def __init__(self) -> None:
        self._lines: dict[str, list[str]] = {}

    def span(self, file: SourceFile | None, first: int | None, last: int | None) -> list[str]:
        """The text of lines ``first`` to ``last`` (1-based, inclusive) of ``file``."""
        if file is None or not first:
            return []
        self.get(file, first)
        return self._lines.get(file.path, [])[first - 1 : max(first, last or first)]

    def get(self, file: SourceFile | None, line: int | None) -> str:
        """The hash of line ``line`` (1-based) of ``file``; "" when there is none."""
        if file is None or not line:
            return ""
        lines = self._lines.get(file.path)
        if lines is None:
            try:
                text = file.text
            except FileChangedError:  # changed during the run: anchored by line number
                text = ""
            lines = self._lines[file.path] = text.splitlines()
        if line > len(lines):
            return ""
        return line_hash(lines[line - 1])


def finalise_findings(
    findings: list[Finding], fileset: FileSet, criteria: set[str], count_tests: bool
) -> list[Finding]:
    """Roles, fingerprints, merging of duplicates and deterministic order."""
    by_path = {f.path: f for f in fileset.files}
    line_hashes = _LineHashes()
    groups: dict[tuple[str, int, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        placed = _placed(finding, by_path, criteria, count_tests, line_hashes)
        if placed is not None:
            _add_to_group(groups[(placed.path, placed.line or 0, placed.criterion)], placed)
    ordered = sorted((f for group in groups.values() for f in group), key=Finding.sort_key)
    occurrences: dict[tuple[str, str, str, str], int] = defaultdict(int)
    for finding in ordered:  # copies made above: updated in place (copying costs 20 ms)
        _apply_suppression(finding, by_path, line_hashes)
        ident = (finding.checker, finding.rule, finding.path, finding.snippet_hash)
        occurrences[ident] += 1
        if occurrences[ident] > 1:
            finding.snippet_hash = f"{finding.snippet_hash}#{occurrences[ident]}"
        finding.fingerprint = finding.computed_fingerprint()
    return ordered


def _placed(
    finding: Finding,
    by_path: Mapping[str, SourceFile],
    criteria: set[str],
    count_tests: bool,
    line_hashes: _LineHashes,
) -> Finding | None:
    """A copy of ``finding`` under a criterion in force, with its file's role, whether it
    counts and its snippet hash; None when it harms no criterion in force or its file's
    role is excluded."""
    also = also_harms(finding, criteria)
    if finding.criterion not in criteria:
        if not also:
            return None
        # Listed under a criterion not in force: shown under one it also harms.
        finding = finding.model_copy(
            update={"criterion": also[0], "skill": also[0].split(".", 1)[0]}
        )
        also = also[1:]
    file = by_path.get(finding.path)
    role = file.role if file is not None else finding.role
    if role in EXCLUDED_ROLES:
        return None
    counted = finding.counted and (
        count_tests or role is not Role.TEST or not _role_sensitive(finding)
    )
    return finding.model_copy(
        update={
            "role": role,
            "counted": counted,
            "also": sorted({*finding.also, *also} & criteria - {finding.criterion}),
            "snippet_hash": finding.snippet_hash or line_hashes.get(file, finding.line),
        }
    )


def _add_to_group(group: list[Finding], finding: Finding) -> None:
    """Add ``finding`` to the findings at its place and criterion, merged with another
    tool's finding there."""
    for index, other in enumerate(group):
        if (
            other.checker != finding.checker
            and finding.checker not in {s.checker for s in other.sources}
        ) or (TRACE_RULES & {finding.rule, other.rule} and finding.rule not in other.rules):
            # Same place, same criterion, another tool: one finding naming both sources.
            group[index] = _merge(other, finding)
            return
    group.append(finding)


def _apply_suppression(
    finding: Finding, by_path: Mapping[str, SourceFile], line_hashes: _LineHashes
) -> None:
    """A security finding silenced by ``# nosec``: shown, with its justification, never
    counted."""
    if finding.skill == "security" or any(r in EXPLOITABLE for r in finding.rules):
        lines = line_hashes.span(by_path.get(finding.path), finding.line, finding.end_line)
        why = suppression(finding, lines) or finding.suppressed
        if why is not None:
            finding.suppressed, finding.counted = why, False


def _merge(first: Finding, second: Finding) -> Finding:
    """One finding for two tools' reports of one place: the more severe one (on equal
    severity the more confident: a traced sink keeps its evidence), listing
    every tool with its own rule id (so a search for bandit's B608 still finds it) and
    every criterion either harms."""
    confident = {Confidence.LOW: 0, Confidence.MEDIUM: 1, Confidence.HIGH: 2}
    keep, other = (
        (first, second)
        if (first.severity.rank, confident[first.confidence])
        >= (second.severity.rank, confident[second.confidence])
        else (second, first)
    )
    own = FindingSource(checker=keep.checker, rule=keep.rule)
    seen = {(s.checker, s.rule) for s in (*keep.sources, *other.sources)}
    seen |= {(keep.checker, keep.rule), (other.checker, other.rule)}
    rest = sorted(seen - {(own.checker, own.rule)})
    sources = [own, *(FindingSource(checker=c, rule=r) for c, r in rest)]
    also = sorted({*keep.also, *other.also} - {keep.criterion})
    return keep.model_copy(
        update={"sources": sources, "also": also, "counted": first.counted or second.counted}
    )


def _role_sensitive(finding: Finding) -> bool:
    """Findings in tests cost no points by default, except for test-specific criteria."""
    return not finding.criterion.endswith(".tests")
