"""Badge reporter: a shields.io endpoint JSON for the overall score or one skill's.

Serve the file somewhere public (a gist, GitHub Pages, an artifact URL) and point
``https://img.shields.io/endpoint?url=...`` at it. ``--format-option badge_skill=ID``
shows one skill instead of the overall score; ``badge_label=TEXT`` changes the label.
"""

from __future__ import annotations

import json

from backend_skills.core.checker import RenderOptions, Reporter
from backend_skills.core.models import Level, Report

from ._common import FormatOptionError, json_safe, one_line, option

#: Colour by level (shields.io named colours); no score is ``lightgrey``.
COLOR: dict[Level, str] = {
    Level.EXPERT: "brightgreen",
    Level.PROFICIENT: "green",
    Level.COMPETENT: "yellow",
    Level.DEVELOPING: "orange",
    Level.NOVICE: "red",
}


class BadgeReporter(Reporter):
    """shields.io endpoint badge JSON (``schemaVersion`` 1)."""

    name = "badge"
    description = "shields.io endpoint JSON with the overall score (or one skill's)."
    suffix = ".json"

    def render(self, report: Report, options: RenderOptions) -> str:
        """``{"schemaVersion": 1, "label", "message", "color"}`` as JSON."""
        skill_id = option(options, "badge_skill")
        score, level = report.score, report.level
        label = "backend skills"
        if skill_id:
            try:
                skill = report.skill(skill_id)
            except KeyError:
                known = ", ".join(s.id for s in report.skills) or "none"
                raise FormatOptionError(
                    f"format option badge_skill={skill_id!r}: no such skill in the report "
                    f"(scored: {known})"
                ) from None
            score, level = skill.score, skill.level
            label = skill.name
        label = one_line(option(options, "badge_label") or label, 60)
        if score is None or level is None:
            message, color = "n/a", "lightgrey"
        else:
            message, color = f"{score:.0f}/100 {level.value}", COLOR[level]
        if not report.complete:
            message += " (incomplete)"
            color = "lightgrey"
        badge = {"schemaVersion": 1, "label": label, "message": message, "color": color}
        return json_safe(json.dumps(badge, indent=2)) + "\n"
