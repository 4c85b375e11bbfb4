"""JUnit XML reporter: the rubric as a test suite, so CI systems show it as tests.

One ``testsuite`` per skill and one ``testcase`` per criterion (``classname`` is the
skill id). A criterion *fails* when its score is below its ``threshold`` (from the
rubric or configuration; ``--format-option junit_threshold=N`` sets the default for
criteria without one, 60 = the lower bound of "competent"). Criteria that are not
applicable or not assessed are *skipped* with the reason. Repository text (paths, rule
ids, messages) is made :func:`~._common.printable` (control, bidi and invisible characters
and bytes that were not UTF-8 become visible escapes such as ``\\x1b``), whatever XML 1.0
still cannot carry is replaced, and the document is built with
:mod:`xml.etree.ElementTree`, which escapes markup: hostile file names and messages can
neither break the XML nor reach a terminal or CI log that shows it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from backend_skills.core.checker import RenderOptions, Reporter
from backend_skills.core.models import CriterionResult, Finding, Report, SkillResult

from ._common import (
    defuse_log_lines,
    float_option,
    level_of,
    one_line,
    printable,
    repo_path,
    score_text,
    xml_text,
)

#: Threshold for criteria whose rubric sets none: the lower bound of "competent".
DEFAULT_THRESHOLD = 60.0
#: Findings listed in a failure's text, most severe first.
MAX_LISTED_FINDINGS = 20


def _attrs(**values: str) -> dict[str, str]:
    return {key: xml_text(printable(value)) for key, value in values.items()}


class JunitReporter(Reporter):
    """JUnit XML (GitLab ``artifacts:reports:junit``, Jenkins, Azure, GitHub test reporters)."""

    name = "junit"
    description = "JUnit XML: one test case per criterion, failed below its threshold."
    suffix = ".xml"

    def render(self, report: Report, options: RenderOptions) -> str:
        """The XML document, UTF-8, with an XML declaration."""
        default = float_option(options, "junit_threshold", DEFAULT_THRESHOLD)
        by_criterion: dict[str, list[Finding]] = defaultdict(list)
        for finding in sorted(report.findings, key=lambda f: (-f.severity.rank, f.sort_key())):
            if finding.counted or options.verbose:
                by_criterion[finding.criterion].append(finding)
        root = ET.Element("testsuites", _attrs(name="backend-skills"))
        totals = {"tests": 0, "failures": 0, "skipped": 0}
        for skill in report.skills:
            suite, counts = self._suite(skill, by_criterion, default, options)
            root.append(suite)
            for key in totals:
                totals[key] += counts[key]
        root.set("tests", str(totals["tests"]))
        root.set("failures", str(totals["failures"]))
        root.set("errors", "0")
        root.set("skipped", str(totals["skipped"]))
        root.set("time", f"{report.stats.duration_s:.3f}")
        ET.indent(root)
        body = defuse_log_lines(ET.tostring(root, encoding="unicode"))
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"

    def _suite(
        self,
        skill: SkillResult,
        by_criterion: dict[str, list[Finding]],
        default: float,
        options: RenderOptions,
    ) -> tuple[ET.Element, dict[str, int]]:
        suite = ET.Element("testsuite", _attrs(name=f"{skill.name} ({skill.id})"))
        properties = ET.SubElement(suite, "properties")
        for key, value in (
            ("skill", skill.id),
            ("score", score_text(skill.score)),
            ("level", level_of(skill)),
        ):
            ET.SubElement(properties, "property", _attrs(name=key, value=value))
        counts = {"tests": 0, "failures": 0, "skipped": 0}
        for criterion in skill.criteria:
            counts["tests"] += 1
            case = ET.SubElement(
                suite,
                "testcase",
                _attrs(classname=skill.id, name=f"{criterion.name} ({criterion.id})", time="0"),
            )
            threshold = criterion.threshold if criterion.threshold is not None else default
            if not criterion.assessed or not criterion.applicable or criterion.score is None:
                counts["skipped"] += 1
                why = "not assessed" if not criterion.assessed else "not applicable"
                reason = f"{why}: {criterion.reason}" if criterion.reason else why
                ET.SubElement(case, "skipped", _attrs(message=one_line(reason, 1000)))
            elif criterion.score < threshold:
                counts["failures"] += 1
                failure = ET.SubElement(
                    case,
                    "failure",
                    _attrs(
                        message=f"score {criterion.score:.1f} is below the threshold "
                        f"{threshold:g} ({level_of(criterion)})",
                        type="BelowThreshold",
                    ),
                )
                failure.text = xml_text(
                    self._details(criterion, threshold, by_criterion[criterion.id], options)
                )
            else:
                out = ET.SubElement(case, "system-out")
                out.text = xml_text(
                    f"score {criterion.score:.1f} ({level_of(criterion)}), threshold {threshold:g}"
                )
        suite.set("tests", str(counts["tests"]))
        suite.set("failures", str(counts["failures"]))
        suite.set("errors", "0")
        suite.set("skipped", str(counts["skipped"]))
        suite.set("time", "0")
        return suite, counts

    @staticmethod
    def _details(
        criterion: CriterionResult,
        threshold: float,
        findings: list[Finding],
        options: RenderOptions,
    ) -> str:
        measured = "; ".join(
            f"{name} = {'n/a' if value is None else f'{value:g}'}"
            for name, value in criterion.metrics.items()
        )
        lines = [
            f"Score {score_text(criterion.score)} ({level_of(criterion)}), threshold "
            f"{threshold:g}; costs the skill {criterion.points_lost:.1f} points.",
            f"Measured: {measured or 'nothing'}",
            f"What to do: {one_line(criterion.remediation)}",
        ]
        if findings:
            lines.append(f"Findings ({len(findings)}):")
            for finding in findings[:MAX_LISTED_FINDINGS]:
                where = printable(repo_path(finding, options), 300) + (
                    f":{finding.line}" if finding.line else ""
                )
                lines.append(
                    f"  {where} [{finding.severity.value}] {printable(finding.rule, 40)} "
                    f"{printable(finding.message, 300)}"
                )
            if len(findings) > MAX_LISTED_FINDINGS:
                lines.append(f"  ... {len(findings) - MAX_LISTED_FINDINGS} more")
        return "\n".join(lines)
