"""Text reporter: the terminal report, rendered with rich.

Everything that comes from the scored repository (paths, messages) is inserted as plain
``Text`` so it can never be interpreted as markup.
"""

from __future__ import annotations

from backend_skills.core.checker import RenderOptions, Reporter
from backend_skills.core.models import Report


class TextReporter(Reporter):
    """A human-readable summary: skills, criteria, what to fix first, top findings."""

    name = "text"
    description = "Human-readable report for the terminal (default)."
    suffix = ".txt"

    def render(self, report: Report, options: RenderOptions) -> str:
        """Render with colour when ``options.color`` is set."""
        # rich takes 13 ms to import: a run that writes only JSON does not pay for it.
        from ._rich_text import RichText

        return RichText().render(report, options)
