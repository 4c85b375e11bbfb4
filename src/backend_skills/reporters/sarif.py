"""SARIF 2.1.0 reporter, shaped for GitHub code scanning.

One run; ``tool.driver`` describes a rule for every ``ruleId`` used (descriptions, help
from the criterion's rationale and remediation, default level, tags, precision and, for
security rules, ``security-severity``). Results carry repository-relative URIs and
``partialFingerprints`` built from the finding's fingerprint, which does not change when
unrelated lines move. See docs/formats.md for every mapping.

Repository text keeps its exact value where tools match it (rule ids, URIs, whose bytes
that were not UTF-8 are percent-encoded), is made :func:`~._common.printable` where people
read it (messages, with literal ``[``/``]`` escaped as SARIF requires so no embedded link
can be forged), and the JSON is written by :func:`~._common.json_safe`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from backend_skills.core.checker import RenderOptions, Reporter
from backend_skills.core.models import (
    Confidence,
    CriterionResult,
    Finding,
    Report,
    Severity,
    SkillResult,
)

from ._common import (
    criteria_index,
    json_safe,
    md_escape,
    one_line,
    option,
    printable,
    repo_path,
    shown_findings,
    sources_suffix,
)

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/backend-skills/backend-skills"
#: Key under ``partialFingerprints`` that carries the finding's own fingerprint.
FINGERPRINT_KEY = "backendSkills/v1"
#: GitHub's limits per run (https://docs.github.com: "SARIF support for code scanning").
MAX_RESULTS = 25_000
MAX_TAGS = 20
MAX_DESCRIPTION = 1024

LEVEL: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}
#: ``security-severity`` (0-10, as GitHub reads it: >= 9 critical, 7-8.9 high, 4-6.9 medium,
#: 0.1-3.9 low). Info findings get none.
SECURITY_SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "2.0",
}
PRECISION: dict[Confidence, str] = {
    Confidence.HIGH: "high",
    Confidence.MEDIUM: "medium",
    Confidence.LOW: "low",
}
_CONFIDENCE_RANK = {Confidence.LOW: 0, Confidence.MEDIUM: 1, Confidence.HIGH: 2}
_WORD = re.compile(r"[A-Za-z0-9]+")
_BRACKET = re.compile(r"([\[\]])")


def _pascal(text: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in _WORD.findall(text))


def _uri(path: str) -> str:
    """Percent-encoded relative URI reference (``/`` kept, never absolute).

    The path's own bytes are encoded, those that were not UTF-8 included (``%FF``).
    """
    return quote(path.lstrip("/").encode("utf-8", "surrogateescape"), safe="/")


def _plain(text: str, limit: int | None = None) -> str:
    """Repository text for a SARIF plain-text message: printable, brackets escaped."""
    return _BRACKET.sub(r"\\\1", printable(text, limit))


class SarifReporter(Reporter):
    """SARIF 2.1.0 for GitHub code scanning and other SARIF viewers."""

    name = "sarif"
    description = "SARIF 2.1.0 for GitHub code scanning (upload with codeql-action/upload-sarif)."
    suffix = ".sarif"

    def render(self, report: Report, options: RenderOptions) -> str:
        """The SARIF log as indented JSON."""
        text = json.dumps(self.log(report, options), indent=2, ensure_ascii=False)
        return json_safe(text) + "\n"

    def log(self, report: Report, options: RenderOptions) -> dict[str, Any]:
        """The SARIF log as a dictionary."""
        findings = shown_findings(report, options)
        dropped = max(len(findings) - MAX_RESULTS, 0)
        findings = sorted(findings[:MAX_RESULTS], key=Finding.sort_key)
        by_rule: dict[str, list[Finding]] = {}
        for finding in findings:
            by_rule.setdefault(finding.rule, []).append(finding)
        rule_ids = sorted(by_rule)
        criteria = criteria_index(report)
        rules = [self._rule(rule_id, by_rule[rule_id], criteria) for rule_id in rule_ids]
        index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
        results = [self._result(f, index[f.rule], options) for f in findings]
        category = (option(options, "sarif_category") or "backend-skills").strip("/")
        notifications = _notifications(report, dropped)
        run: dict[str, Any] = {
            "tool": {
                "driver": {
                    "name": report.tool.name,
                    "version": report.tool.version,
                    "semanticVersion": report.tool.version,
                    "informationUri": INFORMATION_URI,
                    "rules": rules,
                }
            },
            "automationDetails": {"id": f"{category}/"},
            "columnKind": "unicodeCodePoints",
            "invocations": [
                {
                    "executionSuccessful": report.complete,
                    "toolExecutionNotifications": notifications,
                }
            ],
            "results": results,
            "properties": {
                "score": report.score,
                "level": report.level.value if report.level else None,
                "rubricVersion": report.rubric_version,
                "skills": {s.id: s.score for s in report.skills},
                "checkers": {c.name: c.version for c in report.checkers},
            },
        }
        return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}

    @staticmethod
    def _rule(
        rule_id: str,
        own: list[Finding],
        index: dict[str, tuple[SkillResult, CriterionResult]],
    ) -> dict[str, Any]:
        first = own[0]
        criteria = sorted({f.criterion for f in own})
        skills = sorted({f.skill for f in own})
        worst = max(own, key=lambda f: f.severity.rank).severity
        level = LEVEL[worst]
        names, rationale, help_text, help_md = _criteria_texts(criteria, index)
        messages = {f.message for f in own}
        if len(messages) == 1:  # the tool's own description of the rule
            described = first.message
        else:  # messages quote each place: describe the rule by its criteria instead
            described = f"{rule_id}: {', '.join(names) or first.checker}"
        short = _plain(described, MAX_DESCRIPTION)
        full = _plain(" ".join(rationale) or first.message, MAX_DESCRIPTION)
        properties = _rule_properties(rule_id, own, skills, criteria, worst)
        rule: dict[str, Any] = {
            "id": rule_id,
            "name": _pascal(f"{names[0] if names else first.checker} {rule_id}"),
            "shortDescription": {"text": short},
            "fullDescription": {"text": full},
            "defaultConfiguration": {"level": level},
            "properties": properties,
        }
        if help_text:
            rule["help"] = {"text": " ".join(help_text), "markdown": "\n\n".join(help_md)}
        else:
            rule["help"] = {"text": short, "markdown": md_escape(described, MAX_DESCRIPTION)}
        _describe_our_rule(rule, first)
        return rule

    @staticmethod
    def _result(finding: Finding, rule_index: int, options: RenderOptions) -> dict[str, Any]:
        region = _region(finding)
        properties = _properties(finding)
        return {
            "ruleId": finding.rule,
            "ruleIndex": rule_index,
            "level": LEVEL[finding.severity],
            "message": {"text": _plain(finding.message + sources_suffix(finding))},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {
                            "uri": _uri(repo_path(finding, options)),
                            "uriBaseId": "%SRCROOT%",
                        },
                        "region": region,
                    }
                }
            ],
            "partialFingerprints": {
                FINGERPRINT_KEY: finding.fingerprint,
                "primaryLocationLineHash": finding.fingerprint,
            },
            "properties": properties,
        }


def _region(finding: Finding) -> dict[str, int]:
    """SARIF's region of a finding: its line (1 when unknown), column and last line."""
    region: dict[str, int] = {"startLine": max(finding.line or 1, 1)}
    if finding.column is not None and finding.column >= 1:
        region["startColumn"] = finding.column
    if finding.end_line is not None and finding.end_line >= region["startLine"]:
        region["endLine"] = finding.end_line
    return region


def _properties(finding: Finding) -> dict[str, Any]:
    """What SARIF has no field for: skill, criterion, severity, role, sources..."""
    properties: dict[str, Any] = {
        "skill": finding.skill,
        "criterion": finding.criterion,
        "severity": finding.severity.value,
        "confidence": finding.confidence.value,
        "checker": finding.checker,
        "role": finding.role.value,
        "counted": finding.counted,
    }
    if finding.cwe is not None:
        properties["cwe"] = finding.cwe
    if finding.also:
        properties["criteria"] = finding.criteria
    if finding.sources:
        properties["rules"] = finding.rules
        properties["sources"] = [s.model_dump() for s in finding.sources]
    if finding.suppressed:
        properties["suppressed"] = finding.suppressed
    return properties


def _criteria_texts(
    criteria: Sequence[str], index: dict[str, tuple[SkillResult, CriterionResult]]
) -> tuple[list[str], list[str], list[str], list[str]]:
    """Names, rationales, plain help and Markdown help of the criteria a rule harms."""
    names: list[str] = []
    rationale: list[str] = []
    help_text: list[str] = []
    help_md: list[str] = []
    for criterion_id in criteria:
        found = index.get(criterion_id)
        if found is None:
            continue
        _, criterion = found
        names.append(criterion.name)
        rationale.append(one_line(criterion.rationale))
        help_text.append(f"{criterion.name} ({criterion.id}): {one_line(criterion.remediation)}")
        help_md.append(
            f"**{criterion.name}** (`{criterion.id}`)\n\n{criterion.rationale.strip()}\n\n"
            f"**What to do:** {criterion.remediation.strip()}"
        )
    return names, rationale, help_text, help_md


def _rule_properties(
    rule_id: str,
    own: Sequence[Finding],
    skills: Sequence[str],
    criteria: Sequence[str],
    worst: Severity,
) -> dict[str, Any]:
    """A rule's tags (skills, criteria, CWE), precision, severities and related rules."""
    confidence = max((f.confidence for f in own), key=lambda c: _CONFIDENCE_RANK[c])
    tags = ["backend-skills", *skills, *criteria]
    if "security" in skills:
        tags.append("security")
    tags += sorted({f"external/cwe/cwe-{f.cwe}" for f in own if f.cwe is not None})
    properties: dict[str, Any] = {
        "tags": list(dict.fromkeys(tags))[:MAX_TAGS],
        "precision": PRECISION[confidence],
        "problem.severity": PROBLEM_SEVERITY[LEVEL[worst]],
    }
    if "security" in skills and worst in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[worst]
    related = sorted({r for f in own for r in f.rules} - {rule_id})
    if related:  # other tools' ids for the same findings (bandit's B608 for BSDB001)
        properties["relatedRules"] = related
    return properties


def _notifications(report: Report, dropped: int) -> list[dict[str, Any]]:
    """One error per failed checker; a warning when results were left out."""
    notifications = [
        {
            "level": "error",
            "message": {
                "text": _plain(f"checker {run.name} failed: {run.error or 'unknown error'}")
            },
            "descriptor": {"id": f"checker-failed/{run.name}"},
        }
        for run in report.checkers
        if run.status == "failed"
    ]
    if dropped:
        notifications.append(
            {
                "level": "warning",
                "message": {
                    "text": f"{dropped} least severe results left out: GitHub accepts at "
                    f"most {MAX_RESULTS} results per run; see the JSON report."
                },
                "descriptor": {"id": "results-truncated"},
            }
        )
    return notifications


def _describe_our_rule(rule: dict[str, Any], finding: Finding) -> None:
    """Name, descriptions, help and CWE tags of a rule of ours, from its declaration.

    Third-party rules (bandit's, sqlfluff's) keep the description built from their
    tool's messages and the criteria.
    """
    from backend_skills.rules import RULES  # only when a report holds one of our rules

    declared = RULES.get(finding.rule)
    if declared is None or declared.skill != finding.skill:
        return
    rule["name"] = _pascal(declared.title)
    rule["shortDescription"] = {"text": one_line(declared.title, MAX_DESCRIPTION)}
    rule["fullDescription"] = {"text": one_line(declared.rationale, MAX_DESCRIPTION)}
    rule["helpUri"] = declared.help_uri
    cwe = f" (CWE-{declared.cwe})" if declared.cwe is not None else ""
    rule["help"] = {
        "text": one_line(f"{declared.rationale} How to fix: {declared.fix}"),
        "markdown": f"**{declared.title}**{cwe}\n\n{declared.rationale}\n\n"
        f"**How to fix.** {declared.fix}\n\n[{declared.id} in the rules reference]"
        f"({declared.help_uri})",
    }
    if declared.cwe is not None:
        tags: list[str] = rule["properties"]["tags"]
        tag = f"external/cwe/cwe-{declared.cwe}"
        if tag not in tags:
            rule["properties"]["tags"] = [*tags, tag][:MAX_TAGS]
