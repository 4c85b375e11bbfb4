"""Pydantic models: rubric data, checker output and the report contract.

Everything read from users or plugins (rubric TOML, configuration) is validated with
``extra="forbid"`` so a typo is an error, not a silently ignored key. The report models
are the JSON contract described in ``docs/report.md`` (``schema_version`` 1).
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMA_VERSION = 1


class Strict(BaseModel):
    """Base for models read from users or plugins: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")


class Severity(StrEnum):
    """How bad a finding is, most severe first."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for info up to 4 for critical, for comparisons."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}


class Confidence(StrEnum):
    """How sure the checker is that a finding is real."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Role(StrEnum):
    """What a file is for; decides how much its findings count."""

    SOURCE = "source"
    TEST = "test"
    MIGRATION = "migration"
    GENERATED = "generated"
    VENDORED = "vendored"
    DOCS = "docs"
    CONFIG = "config"
    OTHER = "other"


class Level(StrEnum):
    """The five levels, lowest first. Bands are in :data:`LEVEL_BANDS`."""

    NOVICE = "novice"
    DEVELOPING = "developing"
    COMPETENT = "competent"
    PROFICIENT = "proficient"
    EXPERT = "expert"


#: Lower bound of each level's score band (inclusive). Same bands for criteria,
#: skills and the overall score.
LEVEL_BANDS: tuple[tuple[Level, float], ...] = (
    (Level.NOVICE, 0.0),
    (Level.DEVELOPING, 40.0),
    (Level.COMPETENT, 60.0),
    (Level.PROFICIENT, 75.0),
    (Level.EXPERT, 90.0),
)


# --------------------------------------------------------------------------- rubric data


class Anchor(Strict):
    """One point of a criterion's piecewise-linear scale: metric ``value`` scores ``score``."""

    value: float
    score: Annotated[float, Field(ge=0, le=100)]


class LevelDescriptors(Strict):
    """One sentence per level describing what the criterion looks like there."""

    novice: str
    developing: str
    competent: str
    proficient: str
    expert: str

    def for_level(self, level: Level) -> str:
        """The descriptor for ``level``."""
        return str(getattr(self, level.value))


class Criterion(Strict):
    """One thing a skill is judged on, scored from one metric through its anchors."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")]
    name: str
    weight: Annotated[float, Field(ge=0)] = 1.0
    metric: str = Field(description="Name of the metric the score is read from.")
    show: list[str] = Field(
        default_factory=list, description="Further metrics shown next to the score."
    )
    anchors: list[Anchor] = Field(min_length=2)
    levels: LevelDescriptors
    rationale: str
    remediation: str
    threshold: float | None = Field(
        default=None,
        ge=0,
        le=100,
        description="Score under which CI formats (JUnit) mark the criterion failed.",
    )

    @field_validator("anchors")
    @classmethod
    def _anchors_sorted(cls, anchors: list[Anchor]) -> list[Anchor]:
        values = [a.value for a in anchors]
        if values != sorted(values) or len(set(values)) != len(values):
            raise ValueError("anchor values must be strictly increasing")
        return anchors

    @property
    def skill_id(self) -> str:
        """The skill this criterion belongs to (the part before the dot)."""
        return self.id.split(".", 1)[0]


class Skill(Strict):
    """A skill and its criteria: one rubric."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    name: str
    description: str = ""
    weight: Annotated[float, Field(ge=0)] = 1.0
    criteria: list[Criterion] = Field(default_factory=list)

    @model_validator(mode="after")
    def _criteria_belong(self) -> Skill:
        seen: set[str] = set()
        for criterion in self.criteria:
            if criterion.skill_id != self.id:
                raise ValueError(f"criterion {criterion.id!r} is not in skill {self.id!r}")
            if criterion.id in seen:
                raise ValueError(f"criterion {criterion.id!r} is defined twice")
            seen.add(criterion.id)
        return self


class RubricFile(Strict):
    """The shape of one rubric TOML file shipped in ``backend_skills/rubrics``."""

    skill: Skill


# --------------------------------------------------------------------------- checker output


class FindingSource(BaseModel):
    """One tool that reported a (merged) finding, with that tool's own rule id."""

    model_config = ConfigDict(extra="forbid")

    checker: str
    rule: str


class Finding(BaseModel):
    """One problem (or notable fact) at a place in the scored repository."""

    model_config = ConfigDict(extra="forbid")

    fingerprint: str = ""
    checker: str
    rule: str = Field(description="The tool's own code, e.g. B608 or LT01.")
    skill: str
    criterion: str
    severity: Severity
    confidence: Confidence = Confidence.HIGH
    message: str
    path: str = Field(description="POSIX path relative to the scored root.")
    line: int | None = None
    end_line: int | None = None
    column: int | None = None
    cwe: int | None = None
    help_uri: str = Field(
        default="",
        description="Where the rule is documented (our rules: their section of "
        "docs/rules-reference.md); empty when the checker's tool gives none.",
    )
    role: Role = Role.SOURCE
    counted: bool = Field(
        default=True,
        description="False when the finding is shown but costs no points (e.g. in a test).",
    )
    also: list[str] = Field(
        default_factory=list,
        description=(
            "Further criteria this finding harms and counts in besides ``criterion`` (an SQL "
            "injection costs database.query_safety and security.injection)."
        ),
    )
    sources: list[FindingSource] = Field(
        default_factory=list,
        description=(
            "When several tools reported the same location: every one of them (this "
            "finding's own checker included), each with its own rule id."
        ),
    )
    suppressed: str | None = Field(
        default=None,
        description=(
            "Why the finding costs nothing although it is real: e.g. a '# nosec' comment "
            "with its justification. Suppressed findings are shown, never counted."
        ),
    )
    snippet_hash: str = Field(
        default="",
        description="Hash of the normalised source line, used for fingerprints.",
        exclude=True,
    )

    def with_fingerprint(self) -> Finding:
        """Return a copy with a fingerprint that survives unrelated line moves.

        The fingerprint hashes the checker, rule, path and the normalised text of the
        flagged line (``snippet_hash``), never the line number, unless no snippet is known.
        """
        return self.model_copy(update={"fingerprint": self.computed_fingerprint()})

    def computed_fingerprint(self) -> str:
        """The fingerprint :meth:`with_fingerprint` sets."""
        anchor = self.snippet_hash or f"line:{self.line}"
        raw = "\x1f".join((self.checker, self.rule, self.criterion, self.path, anchor))
        return hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()[:32]

    @property
    def criteria(self) -> list[str]:
        """Every criterion the finding counts in: ``criterion`` first, then ``also``."""
        return [self.criterion, *(c for c in self.also if c != self.criterion)]

    @property
    def rules(self) -> list[str]:
        """Every rule id under which a tool reported the finding, its own first."""
        seen = [self.rule]
        for source in self.sources:
            if source.rule not in seen:
                seen.append(source.rule)
        return seen

    def sort_key(self) -> tuple[str, int, str, int, str]:
        """Deterministic order: path, line, rule, column, message."""
        return (self.path, self.line or 0, self.rule, self.column or 0, self.message)


class Metric(BaseModel):
    """A named number that criteria read, with the unit and how many files it covers."""

    model_config = ConfigDict(extra="forbid")

    name: str
    value: float | None = Field(description="None means nothing to measure: see reason.")
    unit: str = ""
    files: int = 0
    reason: str | None = Field(
        default=None, description="Why there is nothing to measure (not applicable)."
    )
    combine: Literal["first", "mean", "sum", "max", "min"] = Field(
        default="first",
        description=(
            "How values of this metric from several checkers (one per language) combine: "
            "``mean`` weighted by ``weight``, ``sum``, ``max``, ``min``, or ``first`` (the "
            "first checker's value wins)."
        ),
    )
    weight: float | None = Field(
        default=None,
        description=(
            "What the value is a share or mean of (functions, files, signature slots): the "
            "weight of this value in a ``mean`` combination."
        ),
    )


class Skip(BaseModel):
    """A file or part of the work that was not analysed, with the reason."""

    model_config = ConfigDict(extra="forbid")

    path: str
    reason: str
    checker: str | None = None


class Endpoint(BaseModel):
    """One route of the scored service, with the access control that applies to it."""

    model_config = ConfigDict(extra="forbid")

    method: str = Field(description="HTTP method, upper case (``ANY`` when not known).")
    path: str | None = Field(
        description="Route path joined with its prefixes; ``{expr}`` marks a part not "
        "known statically; None when no route path was found."
    )
    handler: str = Field(description="Function, or Class.method, that handles the request.")
    file: str = Field(description="POSIX path of the handler, relative to the root.")
    line: int | None = None
    framework: str
    access_control: str | None = Field(
        default=None, description="What protects the endpoint (None: nothing found)."
    )
    public: bool = Field(description="True when no access control applies.")

    def sort_key(self) -> tuple[str, int, str, str]:
        """Deterministic order: file, line, path, method."""
        return (self.file, self.line or 0, self.path or "", self.method)


class CheckResult(BaseModel):
    """What one checker returns for the whole repository."""

    model_config = ConfigDict(extra="forbid")

    findings: list[Finding] = Field(default_factory=list)
    metrics: list[Metric] = Field(default_factory=list)
    skipped: list[Skip] = Field(default_factory=list)
    files: int = 0
    notes: list[str] = Field(
        default_factory=list, description="Facts worth showing, e.g. which SQL dialect was used."
    )
    not_applicable: dict[str, str] = Field(
        default_factory=dict,
        description="Criterion id -> reason, for criteria with nothing to measure here.",
    )
    endpoints: list[Endpoint] = Field(
        default_factory=list, description="Routes found, for the report's endpoint inventory."
    )


# --------------------------------------------------------------------------- the report


class ToolInfo(BaseModel):
    """Name and version of the tool that wrote the report."""

    name: str
    version: str


class AnchorUsed(BaseModel):
    """An anchor as used in the arithmetic shown for a criterion."""

    value: float
    score: float


class NextLevel(BaseModel):
    """What it takes to reach the next level."""

    level: Level
    score_needed: float
    metric_target: float | None = Field(
        default=None, description="Metric value that would reach the next level (criteria)."
    )
    lift_cap: bool = Field(
        default=False,
        description=(
            "The next level is above the cap: the capping findings must be fixed (or "
            "justified with a reviewed suppression) besides reaching the metric target."
        ),
    )
    criteria: list[str] = Field(
        default_factory=list,
        description="Criteria that would gain most points, largest first (skills).",
    )


class CapFinding(BaseModel):
    """A finding that caps a score, and how much it weighs in the cap."""

    fingerprint: str
    rules: list[str] = Field(description="Every tool's rule id for it, the reporting one first.")
    criterion: str
    path: str
    line: int | None
    severity: Severity
    confidence: Confidence
    kind: Literal["vulnerability", "hotspot"] = Field(
        description=(
            "vulnerability: the checker saw evidence that outside input reaches the sink "
            "(high confidence); hotspot: a dangerous construct without that evidence."
        )
    )
    weight: float = Field(description="1 for a vulnerability, less for a hotspot.")
    message: str


class Cap(BaseModel):
    """The highest score allowed while exploitable findings remain (weakest link)."""

    value: float = Field(description="The maximum score while the findings below remain.")
    uncapped: float = Field(description="The score the metrics alone would give.")
    points_lost: float = Field(
        default=0.0, description="Points the cap takes off (uncapped minus the capped score)."
    )
    weight: float = Field(description="Sum of the capping findings' weights.")
    reason: str
    lift: str = Field(description="What lifts the cap.")
    findings: list[CapFinding]


class Coverage(BaseModel):
    """How much of the repository's source code the skill's checkers read."""

    share: float | None = Field(
        description=(
            "Share of code lines (source and migration files, code languages) in languages "
            "the skill's checkers read; null when the skill reads no source language or "
            "there is none."
        )
    )
    lines_read: int
    lines_total: int
    languages_read: dict[str, int] = Field(
        default_factory=dict, description="Languages read, with their source lines here."
    )
    languages_not_read: dict[str, int] = Field(
        default_factory=dict, description="Source languages present but not read, with lines."
    )
    reads_source: bool = Field(
        default=True,
        description="False for skills judged from repository files and history only.",
    )


class NotAssessed(BaseModel):
    """A skill left out of the overall score because nothing it reads is in the repository."""

    skill: str
    reason: str


class CriterionResult(BaseModel):
    """A scored criterion with its arithmetic."""

    id: str
    name: str
    score: float | None
    level: Level | None
    applicable: bool
    assessed: bool
    weight: float
    metric: str
    metrics: dict[str, float | None]
    anchors: list[AnchorUsed]
    points_lost: float
    finding_count: int
    rationale: str
    remediation: str
    descriptor: str | None = Field(default=None, description="The level descriptor reached.")
    next_level: NextLevel | None = None
    threshold: float | None = None
    reason: str | None = None
    cap: Cap | None = Field(
        default=None, description="Set when exploitable findings cap the score (weakest link)."
    )
    kloc: float | None = Field(
        default=None,
        description=(
            "Thousands of source lines, in the languages this criterion's checkers read, "
            "that findings.* densities divide by."
        ),
    )


class SkillResult(BaseModel):
    """A scored skill."""

    id: str
    name: str
    score: float | None
    level: Level | None
    applicable: bool
    assessed: bool
    weight: float
    criteria: list[CriterionResult]
    next_level: NextLevel | None = None
    reason: str | None = None
    cap: Cap | None = Field(
        default=None, description="Set when exploitable findings cap the score (weakest link)."
    )
    coverage: Coverage | None = None


CheckerStatus = Literal["ok", "failed", "skipped"]


class CheckerRun(BaseModel):
    """How one checker's run went."""

    name: str
    version: str
    status: CheckerStatus
    duration_s: float
    files: int
    error: str | None = None
    notes: list[str] = Field(default_factory=list)


class PluginInfo(BaseModel):
    """A plugin the manager tried to load."""

    name: str
    distribution: str | None = None
    version: str | None = None
    status: Literal["loaded", "failed", "disabled"]
    error: str | None = None


class Stats(BaseModel):
    """Size of what was scored and how long it took."""

    files: int
    lines: dict[str, int] = Field(description="Lines per language.")
    files_by_role: dict[str, int] = Field(default_factory=dict)
    duration_s: float


class Report(BaseModel):
    """The report: JSON contract ``schema_version`` 1 (see docs/report.md)."""

    schema_version: int = SCHEMA_VERSION
    tool: ToolInfo
    rubric_version: str
    root: str
    score: float | None
    level: Level | None
    complete: bool
    skills: list[SkillResult]
    findings: list[Finding]
    checkers: list[CheckerRun]
    skipped: list[Skip]
    stats: Stats
    plugins: list[PluginInfo] = Field(default_factory=list)
    not_assessed: list[NotAssessed] = Field(
        default_factory=list,
        description="Skills left out of the score because no checker read the code they judge.",
    )
    endpoints: list[Endpoint] = Field(
        default_factory=list,
        description="Endpoint inventory: every route found, with its access control.",
    )

    def skill(self, skill_id: str) -> SkillResult:
        """The skill with ``skill_id``; ``KeyError`` when it is not in the report."""
        for skill in self.skills:
            if skill.id == skill_id:
                return skill
        raise KeyError(skill_id)

    def criterion(self, criterion_id: str) -> CriterionResult:
        """The criterion with ``criterion_id``; ``KeyError`` when it is not in the report."""
        for skill in self.skills:
            for criterion in skill.criteria:
                if criterion.id == criterion_id:
                    return criterion
        raise KeyError(criterion_id)

    def to_json(self) -> str:
        """The report as JSON text, keys in contract order, two-space indent."""
        return self.model_dump_json(indent=2) + "\n"


def report_json_schema() -> dict[str, Any]:
    """The JSON Schema of the report, generated from the models."""
    return Report.model_json_schema()
