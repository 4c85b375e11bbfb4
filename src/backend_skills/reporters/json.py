"""JSON reporter: the report contract, ``schema_version`` 1."""

from __future__ import annotations

from backend_skills.core.checker import RenderOptions, Reporter
from backend_skills.core.models import Report


class JsonReporter(Reporter):
    """The whole report as JSON (see docs/report.md and docs/report.schema.json)."""

    name = "json"
    description = "The report as JSON (schema_version 1)."
    suffix = ".json"

    def render(self, report: Report, options: RenderOptions) -> str:
        """Two-space indented JSON ending with a newline."""
        return report.to_json()
