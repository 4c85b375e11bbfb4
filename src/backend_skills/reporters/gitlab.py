"""GitLab Code Quality reporter (the Code Climate subset GitLab reads).

Each finding becomes one issue with ``description``, ``check_name``, a unique
``fingerprint``, ``severity`` (info, minor, major, critical, blocker) and
``location.path`` / ``location.lines.begin``. Publish it as the ``codequality`` report
artifact of a job (see docs/ci.md). GitLab compares fingerprints between the merge
request and its target branch; ours do not change when unrelated lines move.

The description is made :func:`~._common.printable`; the path keeps its value (GitLab
matches it to the diff) and the JSON text goes through :func:`~._common.json_safe`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from backend_skills.core.checker import RenderOptions, Reporter
from backend_skills.core.models import Report, Severity

from ._common import json_safe, printable, repo_path, shown_findings, sources_suffix

SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "blocker",
    Severity.HIGH: "critical",
    Severity.MEDIUM: "major",
    Severity.LOW: "minor",
    Severity.INFO: "info",
}
#: Code Climate categories by skill id (other skills: "Bug Risk").
CATEGORY: dict[str, str] = {
    "security": "Security",
    "scalability": "Performance",
    "server_side": "Complexity",
    "collaboration": "Style",
    "database": "Bug Risk",
}


class GitlabReporter(Reporter):
    """GitLab Code Quality JSON (``artifacts:reports:codequality``)."""

    name = "gitlab"
    description = "GitLab Code Quality JSON for merge-request widgets."
    suffix = ".json"

    def render(self, report: Report, options: RenderOptions) -> str:
        """A JSON array of Code Quality issues."""
        text = json.dumps(self.issues(report, options), indent=2, ensure_ascii=False)
        return json_safe(text) + "\n"

    def issues(self, report: Report, options: RenderOptions) -> list[dict[str, Any]]:
        """The issues as dictionaries, fingerprints unique within the file."""
        issues: list[dict[str, Any]] = []
        seen: set[str] = set()
        for finding in shown_findings(report, options):
            fingerprint = finding.fingerprint or _fallback(
                finding.checker, finding.rule, finding.path, str(finding.line)
            )
            salt = 1
            while fingerprint in seen:  # the core's are unique; stay unique regardless
                salt += 1
                fingerprint = _fallback(fingerprint, str(salt))
            seen.add(fingerprint)
            issues.append(
                {
                    "type": "issue",
                    "check_name": finding.rule,
                    "description": printable(
                        f"{finding.message}{sources_suffix(finding)} [{finding.criterion}]"
                    ),
                    "categories": [CATEGORY.get(finding.skill, "Bug Risk")],
                    "fingerprint": fingerprint,
                    "severity": SEVERITY[finding.severity],
                    "location": {
                        "path": repo_path(finding, options),
                        "lines": {"begin": max(finding.line or 1, 1)},
                    },
                }
            )
        return issues


def _fallback(*parts: str) -> str:
    joined = "\x1f".join(parts).encode("utf-8", "surrogateescape")
    return hashlib.sha256(joined).hexdigest()[:32]
