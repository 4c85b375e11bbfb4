"""Weakest-link scoring: exploitable findings cap a score, whatever the code base's size.

Densities (findings per 1,000 lines) suit hygiene, not vulnerabilities: one SQL injection
is not less exploitable in a larger code base. So a high-severity finding of an
*exploitable class* (:data:`EXPLOITABLE`), in a source file, counted and not suppressed,
caps the criteria it harms and their skills below ``competent``; several take them to
``novice``.

How much a finding weighs in a cap depends on the evidence it carries:

- a **vulnerability** is a flaw whose exploitability the finding shows: a configuration
  that is the flaw by itself (a literal credential, debug mode on, TLS verification off,
  a JWT accepted unverified), or a sink the checker saw fed by request input (our
  trace rules BSSEC050-BSSEC053, merged into bandit's or BSDB001's finding there; the
  language rules' taint rules at high confidence). ``BSDB001`` alone says "built from the
  function's parameters", which is not request input;
- a **hotspot** is a dangerous sink without that evidence (``shell=True``, a string-built
  query, ``pickle.loads``): it may be fed by trusted data and needs review. Hotspots never
  cap (mature projects use dangerous sinks on purpose: Django itself has dozens); they
  cost their density points in the criterion, and the report lists them for review.
  A configuration flaw of the running service (TLS verification off, debug mode, an
  authentication bypass) in developer tooling at the repository's root (``scripts/``,
  ``tools/``, ``bin/``, ``hack/``, ``.github/``) is a hotspot too: it is not served.

Confidence scales the weight too (:data:`CONFIDENCE_FACTOR`): a low-confidence finding
never caps. Some classes weigh less per finding (:data:`CLASS_FACTOR`): TLS verification
off counts half (an attacker needs a position on the network path to that server). The cap is ``60 - 12.5 * weight`` for a total weight of 1 or more (one
vulnerability: 47.5; two: 35, novice), never below :data:`CAP_FLOOR`. Below a total weight
of 1 (a lone medium-confidence flaw) there is no cap: the finding still costs its density
points.

Also here: :data:`ALSO_HARMS`, the further criteria a rule's findings count in (an SQL
injection is a database failure and a security failure).

Pure data and functions; no I/O.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from ._roles import developer_tooling
from .models import Cap, CapFinding, Confidence, Finding, Role, Severity

SQL = "SQL injection"
SHELL = "shell injection"
CODE = "code injection"
TEMPLATE = "template injection"
DESERIALISATION = "unsafe deserialisation"
NOSQL = "NoSQL injection"
TLS = "TLS verification off"
CREDENTIALS = "hard-coded credentials"
DEBUG = "debug mode in production settings"
AUTH_BYPASS = "authentication bypass"
MISSING_AUTH = "admin or debug route without authentication"
VULNERABLE_DEPENDENCY = "dependency version with a published remote code execution"
NOSQL = "NoSQL injection"

#: Exploitable classes by rule id (bandit's test ids and our own rules).
EXPLOITABLE: Mapping[str, str] = {
    # bandit
    "B102": CODE,  # exec
    "B307": CODE,  # eval
    "B301": DESERIALISATION,  # pickle
    "B302": DESERIALISATION,  # marshal
    "B506": DESERIALISATION,  # yaml.load
    "B614": DESERIALISATION,  # torch.load
    "B308": TEMPLATE,  # mark_safe (blacklist)
    "B701": TEMPLATE,  # jinja2 autoescape=False
    "B702": TEMPLATE,  # mako
    "B703": TEMPLATE,  # django mark_safe
    "B704": TEMPLATE,  # markupsafe.Markup
    "B323": TLS,  # unverified SSL context
    "B501": TLS,  # requests verify=False
    "B502": TLS,  # bad SSL/TLS version
    "B503": TLS,  # bad SSL/TLS defaults
    "B504": TLS,  # SSL without a version
    "B601": SHELL,  # paramiko exec_command
    "B602": SHELL,  # subprocess shell=True
    "B604": SHELL,  # any function with shell=True
    "B605": SHELL,  # os.system
    "B607": SHELL,  # partial executable path
    "B609": SHELL,  # wildcard injection
    "B608": SQL,
    "B610": SQL,
    "B611": SQL,
    "B105": CREDENTIALS,
    "B106": CREDENTIALS,
    "B107": CREDENTIALS,
    "B201": DEBUG,  # flask debug=True
    # ours
    "BSDB001": SQL,
    "BSSEC001": CREDENTIALS,
    "BSSEC002": CREDENTIALS,
    "BSSEC003": CREDENTIALS,
    "BSSEC004": CREDENTIALS,
    "BSSEC005": CREDENTIALS,
    "BSSEC010": DEBUG,
    "BSSEC021": AUTH_BYPASS,
    "BSSEC043": MISSING_AUTH,
    "BSDB201": NOSQL,  # MongoDB $where/$function built from input
    "BSDB202": NOSQL,  # request data as a MongoDB filter
    "BSSEC114": NOSQL,  # JavaScript: $where or a whole request object as a filter
    "BSSEC050": SHELL,  # request input reaches a shell (our trace, upgrades B602/B605)
    "BSSEC051": CODE,  # request input reaches eval/exec
    "BSSEC052": DESERIALISATION,  # request input reaches pickle/yaml.load/marshal
    "BSSEC053": SQL,  # request input reaches SQL built as a string (upgrades BSDB001/B608)
    # ours, Java/C#/Go/JavaScript/TypeScript (docs/languages.md). Taint rules are high
    # severity and confidence only with request input in the function (a vulnerability);
    # their hotspots are reported one severity lower and never cap. BSSEC104 (weak hash),
    # BSSEC105 (weak cipher), BSSEC111 (CSRF off), BSSEC112 (CORS), BSSEC116 (open
    # redirect/SSRF, medium), BSSEC117 (cookie flags) and BSSEC118 (unpinned dependencies)
    # are hygiene: density only, as their Python counterparts.
    "BSSEC101": SQL,
    "BSSEC102": SHELL,
    "BSSEC103": CODE,
    "BSSEC106": TLS,
    "BSSEC107": DESERIALISATION,
    "BSSEC108": DESERIALISATION,  # XML external entities (medium: density unless raised)
    "BSSEC109": CREDENTIALS,
    "BSSEC110": CREDENTIALS,
    "BSSEC120": CREDENTIALS,
    "BSSEC113": DEBUG,  # actuator/H2 console/stack traces (medium: density unless raised)
    "BSSEC115": TEMPLATE,
    "BSSEC121": VULNERABLE_DEPENDENCY,  # high for a remote code execution, medium confidence
}

#: Classes whose finding is the flaw itself: no data flow is needed to exploit them.
SELF_EVIDENT = frozenset(
    {TLS, CREDENTIALS, DEBUG, AUTH_BYPASS, MISSING_AUTH, VULNERABLE_DEPENDENCY}
)

#: Rules whose high confidence means the checker traced outside input to the sink.
INPUT_EVIDENCE = frozenset(
    {"BSSEC050", "BSSEC051", "BSSEC052", "BSSEC053", "BSSEC101", "BSSEC102"}
    | {"BSSEC103"}
    | {"BSSEC107", "BSSEC114", "BSDB201", "BSDB202"}
)

#: Rules that add evidence (request input traced to a sink) to another rule's finding at
#: the same place, even the same checker's (BSSEC053 upgrades BSDB001): they merge into it.
TRACE_RULES = frozenset({"BSSEC050", "BSSEC051", "BSSEC052", "BSSEC053"})

#: Further criteria a rule's findings harm, besides the criterion they are listed under.
ALSO_HARMS: Mapping[str, tuple[str, ...]] = {
    "BSDB001": ("database.query_safety", "security.injection"),
    "B608": ("database.query_safety", "security.injection"),
    "B610": ("database.query_safety", "security.injection"),
    "B611": ("database.query_safety", "security.injection"),
    "BSDB201": ("database.nosql", "security.injection"),
    "BSDB202": ("database.nosql", "security.injection"),
    "BSSEC114": ("database.query_safety", "security.injection", "database.nosql"),
    # a call to another service without a timeout is also a resilience failure
    "B113": ("security.configuration", "scalability.resilience"),
    "BSSEC015": ("security.configuration", "scalability.resilience"),
    "BSSEC053": ("database.query_safety", "security.injection"),
    "BSSEC101": ("database.query_safety", "security.injection"),
}

CONFIDENCE_FACTOR: Mapping[Confidence, float] = {
    Confidence.HIGH: 1.0,
    Confidence.MEDIUM: 0.5,
    Confidence.LOW: 0.0,
}
#: Classes weighing less than one flaw each in a cap. TLS verification switched off in an
#: outgoing client is exploited only from a position on the network path to that server
#: (often an internal or operator-chosen one): one place weighs half, two places cap.
CLASS_FACTOR: Mapping[str, float] = {TLS: 0.5}
#: A hotspot's weight in a cap: none (DESIGN section 5: it is a sink to review, not a flaw
#: shown to be exploitable; it costs its density points instead).
HOTSPOT_FACTOR = 0.0
CAP_START = 60.0
CAP_STEP = 12.5
CAP_FLOOR = 25.0
CAP_MIN_WEIGHT = 1.0


def cap_value(weight: float) -> float | None:
    """The cap for a total capping weight (None: no cap)."""
    if weight < CAP_MIN_WEIGHT:
        return None
    return round(max(CAP_FLOOR, CAP_START - CAP_STEP * weight), 1)


def exploitable_class(finding: Finding) -> str | None:
    """The exploitable class of a finding, from any of its rule ids (None: not one)."""
    for rule in finding.rules:
        label = EXPLOITABLE.get(rule)
        if label is not None:
            return label
    return None


#: Self-evident classes that are flaws of the running service only: in developer
#: tooling (a release script calling an API with TLS verification off) they are not
#: exposed to the service's users. A literal credential stays a leak wherever it is.
SERVICE_CONFIGURATION = frozenset({TLS, DEBUG, AUTH_BYPASS, MISSING_AUTH})


def _evidence(finding: Finding, label: str) -> bool:
    if label in SELF_EVIDENT:
        return not (label in SERVICE_CONFIGURATION and developer_tooling(finding.path))
    if finding.confidence is not Confidence.HIGH:
        return False
    return any(rule in INPUT_EVIDENCE for rule in finding.rules)


def _shipped_manifest(finding: Finding) -> bool:
    """A configuration file whose flaw ships with the service: a dependency manifest
    (``pom.xml``, ``package.json``) declaring a vulnerable version, or a committed
    environment file (``.env``) holding a credential."""
    if finding.role is not Role.CONFIG:
        return False
    name = finding.path.rsplit("/", 1)[-1].lower()
    return "BSSEC121" in finding.rules or ("BSSEC109" in finding.rules and name in _SERVED_ENV)


#: Environment files of a deployed service (a development, test or CI one holds their
#: throwaway values: reported, not capping).
_SERVED_ENV = frozenset({".env", ".env.production", ".env.prod", ".env.staging", "prod.env"})


def capping(finding: Finding) -> CapFinding | None:
    """How ``finding`` weighs in a cap, or None when it does not cap.

    It caps when it is counted, not suppressed, in a source file, high (or critical)
    severity, of an exploitable class, with a confidence above low.
    """
    if not finding.counted or finding.suppressed is not None:
        return None
    if finding.role is not Role.SOURCE and not _shipped_manifest(finding):
        return None
    if finding.severity.rank < Severity.HIGH.rank:
        return None
    label = exploitable_class(finding)
    if label is None:
        return None
    vulnerability = _evidence(finding, label)
    weight = CONFIDENCE_FACTOR[finding.confidence] * (1.0 if vulnerability else HOTSPOT_FACTOR)
    weight *= CLASS_FACTOR.get(label, 1.0)
    if weight <= 0:
        return None
    where = f"{finding.path}:{finding.line}" if finding.line else finding.path
    return CapFinding(
        fingerprint=finding.fingerprint,
        rules=finding.rules,
        criterion=finding.criterion,
        path=finding.path,
        line=finding.line,
        severity=finding.severity,
        confidence=finding.confidence,
        kind="vulnerability" if vulnerability else "hotspot",
        weight=weight,
        message=f"{label} at {where} ({'/'.join(finding.rules)})",
    )


@dataclass(frozen=True)
class CapSpec:
    """A cap before it meets a score: its value and the findings behind it."""

    value: float
    weight: float
    findings: tuple[CapFinding, ...]

    def build(self, uncapped: float) -> Cap:
        """The report's :class:`Cap` for a score that was ``uncapped`` before the cap."""
        kinds = [f.kind for f in self.findings]
        vulns, hotspots = kinds.count("vulnerability"), kinds.count("hotspot")
        parts = []
        if vulns:
            parts.append(f"{vulns} exploitable vulnerabilit{'y' if vulns == 1 else 'ies'}")
        if hotspots:
            parts.append(f"{hotspots} security hotspot{'s' if hotspots != 1 else ''}")
        where = ", ".join(
            f"{'/'.join(f.rules)} {f.path}:{f.line}" if f.line else f"{'/'.join(f.rules)} {f.path}"
            for f in self.findings[:5]
        )
        more = f" and {len(self.findings) - 5} more" if len(self.findings) > 5 else ""
        capped = min(uncapped, self.value)
        return Cap(
            value=self.value,
            uncapped=round(uncapped, 1),
            points_lost=round(max(0.0, uncapped - capped), 2),
            weight=round(self.weight, 2),
            reason=(
                f"capped at {self.value:g} by {' and '.join(parts)} "
                f"(weight {self.weight:g}): {where}{more}"
            ),
            lift=(
                "fix these findings, or, where one is a reviewed false positive, suppress it "
                "with a justification (# nosec <rule> -- why); the cap goes when their total "
                f"weight is under {CAP_MIN_WEIGHT:g} (a vulnerability weighs 1 at high and 0.5 at "
                "medium confidence; hotspots, sinks without evidence of outside input, never cap)"
            ),
            findings=list(self.findings),
        )


def cap_spec(findings: Iterable[Finding]) -> CapSpec | None:
    """The cap that ``findings`` impose (distinct locations count once), or None."""
    chosen: dict[tuple[str, int], CapFinding] = {}
    for finding in findings:
        item = capping(finding)
        if item is None:
            continue
        key = (item.path, item.line or 0)
        if key not in chosen or item.weight > chosen[key].weight:
            chosen[key] = item
    weight = sum(item.weight for item in chosen.values())
    value = cap_value(weight)
    if value is None:
        return None
    ordered = sorted(chosen.values(), key=lambda f: (-f.weight, f.path, f.line or 0))
    return CapSpec(value=value, weight=weight, findings=tuple(ordered))


def also_harms(finding: Finding, in_force: Collection[str]) -> list[str]:
    """Criteria in force, besides the finding's own, that any of its rules harms."""
    extra: list[str] = []
    for rule in finding.rules:
        for criterion in ALSO_HARMS.get(rule, ()):
            if criterion != finding.criterion and criterion in in_force and criterion not in extra:
                extra.append(criterion)
    return sorted(extra)
