"""Baselines and run-to-run comparison: what changed between two reports.

Findings are matched by ``fingerprint``, which hashes the checker, rule, criterion, path
and the normalised text of the flagged line (never its number), so moving unrelated
lines changes nothing while a new problem, or an edit to a flagged line, shows up as
new. Everything here is pure except :func:`load_report`, which reads one file.

Rules (docs/formats.md, "Baselines"):

- A finding is *new* when its fingerprint is absent from the baseline. Only findings
  whose criterion the baseline assessed are compared: after a rubric upgrade adds a
  criterion, or when the baseline's checker failed, those findings are reported in
  ``not_compared`` instead of failing the build, so refresh the baseline.
- A finding is *fixed* when its fingerprint is in the baseline and not in the new
  report, for criteria the new report assessed.
- Score deltas are ``new - old`` for the overall score, every skill and every criterion
  present in either report (``None`` when either side has no score).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from .models import SCHEMA_VERSION, Finding, Level, Report, Severity


class BaselineError(Exception):
    """A baseline or report file that cannot be used; the message is one line."""


def parse_report(text: str, source: str) -> Report:
    """Validate the text of a JSON report written by ``--format json``."""
    try:
        report = Report.model_validate_json(text)
    except ValidationError as exc:
        errors = exc.errors()
        err = errors[0]
        if err["type"] == "json_invalid":
            detail = str(err.get("ctx", {}).get("error", err["msg"]))
            raise BaselineError(f"{source}: not valid JSON ({detail})") from None
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        raise BaselineError(
            f"{source}: not a backend-skills JSON report ({where}: {err['msg']})"
        ) from None
    if report.schema_version != SCHEMA_VERSION:
        raise BaselineError(
            f"{source}: report schema_version {report.schema_version} is not supported "
            f"(expected {SCHEMA_VERSION})"
        )
    return report


def load_report(path: Path) -> Report:
    """Read and validate a JSON report; :class:`BaselineError` with one line otherwise."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BaselineError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise BaselineError(f"{path}: is a folder, not a JSON report") from None
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BaselineError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    return parse_report(text, str(path))


class ScoreDelta(BaseModel):
    """One score in two reports: overall (id ``overall``), a skill or a criterion."""

    id: str
    name: str
    old: float | None
    new: float | None
    delta: float | None = Field(description="new - old; null when either is missing.")
    old_level: Level | None = None
    new_level: Level | None = None

    @property
    def changed(self) -> bool:
        """Whether the score or the level differs."""
        return self.old != self.new or self.old_level != self.new_level


class ReportSummary(BaseModel):
    """Identity of one compared report."""

    root: str
    tool_version: str
    rubric_version: str
    score: float | None
    complete: bool
    findings: int


class NewFindings(BaseModel):
    """Findings of a report that its baseline does not have."""

    findings: list[Finding] = Field(description="New findings, most severe first.")
    not_compared: dict[str, int] = Field(
        default_factory=dict,
        description="Criterion id -> findings not compared because the baseline did not "
        "assess that criterion.",
    )


class Comparison(BaseModel):
    """What changed from ``old`` to ``new`` (``backend-skills compare``)."""

    old: ReportSummary
    new: ReportSummary
    overall: ScoreDelta
    skills: list[ScoreDelta]
    criteria: list[ScoreDelta]
    new_findings: list[Finding]
    fixed_findings: list[Finding]
    unchanged_findings: int
    warnings: list[str] = Field(default_factory=list)

    def to_json(self) -> str:
        """Two-space indented JSON ending with a newline."""
        return self.model_dump_json(indent=2) + "\n"


def _assessed_criteria(report: Report) -> set[str]:
    return {c.id for s in report.skills for c in s.criteria if c.assessed}


def _by_severity(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (-f.severity.rank, f.sort_key()))


def new_findings(
    baseline: Report,
    report: Report,
    min_severity: Severity = Severity.INFO,
    *,
    paths: Collection[str] | None = None,
    counted_only: bool = True,
) -> NewFindings:
    """Findings in ``report`` at or above ``min_severity`` absent from ``baseline``.

    ``paths`` limits the check to findings in those files (the staged files of a
    commit). ``counted_only`` leaves out findings that cost nothing (e.g. in tests).
    """
    known = {f.fingerprint for f in baseline.findings if f.fingerprint}
    compared = _assessed_criteria(baseline)
    fresh: list[Finding] = []
    skipped: dict[str, int] = {}
    for finding in report.findings:
        if (
            not _in_scope(finding, min_severity, paths, counted_only)
            or finding.fingerprint in known
        ):
            continue
        if finding.criterion not in compared:
            skipped[finding.criterion] = skipped.get(finding.criterion, 0) + 1
            continue
        fresh.append(finding)
    return NewFindings(findings=_by_severity(fresh), not_compared=dict(sorted(skipped.items())))


def _in_scope(
    finding: Finding, min_severity: Severity, paths: Collection[str] | None, counted_only: bool
) -> bool:
    """Whether a finding is one the check is about: severe enough, in the files looked
    at, and counted (unless every finding is wanted)."""
    if counted_only and not finding.counted:
        return False
    if finding.severity.rank < min_severity.rank:
        return False
    return paths is None or finding.path in paths


def _delta(old: float | None, new: float | None) -> float | None:
    return None if old is None or new is None else round(new - old, 1)


def _summary(report: Report) -> ReportSummary:
    return ReportSummary(
        root=report.root,
        tool_version=report.tool.version,
        rubric_version=report.rubric_version,
        score=report.score,
        complete=report.complete,
        findings=len(report.findings),
    )


def _caveats(old: Report, new: Report) -> list[str]:
    """Why the two reports may not compare like for like."""
    warnings: list[str] = []
    if old.rubric_version != new.rubric_version:
        warnings.append(
            f"rubric versions differ ({old.rubric_version} -> {new.rubric_version}): "
            "score changes may come from the rubric, not the code"
        )
    if old.tool.version != new.tool.version:
        warnings.append(
            f"backend-skills versions differ ({old.tool.version} -> {new.tool.version})"
        )
    for label, report in (("old", old), ("new", new)):
        if not report.complete:
            warnings.append(f"the {label} report is incomplete: a checker failed")
    old_skills = {s.id for s in old.skills}
    new_skills = {s.id for s in new.skills}
    if old_skills != new_skills:
        warnings.append(
            "different skills were scored: "
            f"{', '.join(sorted(old_skills)) or 'none'} -> {', '.join(sorted(new_skills)) or 'none'}"
        )
    return warnings


def _score_deltas(old: Report, new: Report) -> tuple[dict[str, ScoreDelta], dict[str, ScoreDelta]]:
    """Old and new scores and levels of every skill and criterion either report has."""
    skills: dict[str, ScoreDelta] = {}
    criteria: dict[str, ScoreDelta] = {}
    for side, report in (("old", old), ("new", new)):
        for skill in report.skills:
            entry = skills.setdefault(
                skill.id, ScoreDelta(id=skill.id, name=skill.name, old=None, new=None, delta=None)
            )
            setattr(entry, side, skill.score)
            setattr(entry, f"{side}_level", skill.level)
            for criterion in skill.criteria:
                item = criteria.setdefault(
                    criterion.id,
                    ScoreDelta(
                        id=criterion.id, name=criterion.name, old=None, new=None, delta=None
                    ),
                )
                setattr(item, side, criterion.score)
                setattr(item, f"{side}_level", criterion.level)
    for entry in (*skills.values(), *criteria.values()):
        entry.delta = _delta(entry.old, entry.new)

    return skills, criteria


def _fixed_and_unchanged(old: Report, new: Report) -> tuple[list[Finding], int]:
    """The old findings gone from the new report (for criteria it assesses), and how many
    new findings were already there."""
    new_prints = {f.fingerprint for f in new.findings if f.fingerprint}
    assessed_now = _assessed_criteria(new)
    fixed = [
        f for f in old.findings if f.fingerprint not in new_prints and f.criterion in assessed_now
    ]
    old_prints = {f.fingerprint for f in old.findings if f.fingerprint}
    return fixed, sum(1 for f in new.findings if f.fingerprint in old_prints)


def compare(old: Report, new: Report) -> Comparison:
    """Score deltas per skill and criterion, new and fixed findings, and caveats."""
    warnings = _caveats(old, new)
    skills, criteria = _score_deltas(old, new)
    added = new_findings(old, new, counted_only=False)
    for criterion_id, count in added.not_compared.items():
        warnings.append(
            f"{count} finding(s) for {criterion_id} not compared: the old report did not "
            "assess that criterion"
        )
    fixed, unchanged = _fixed_and_unchanged(old, new)
    return Comparison(
        old=_summary(old),
        new=_summary(new),
        overall=ScoreDelta(
            id="overall",
            name="Overall",
            old=old.score,
            new=new.score,
            delta=_delta(old.score, new.score),
            old_level=old.level,
            new_level=new.level,
        ),
        skills=sorted(skills.values(), key=lambda d: d.id),
        criteria=sorted(criteria.values(), key=lambda d: d.id),
        new_findings=added.findings,
        fixed_findings=_by_severity(fixed),
        unchanged_findings=unchanged,
        warnings=warnings,
    )
