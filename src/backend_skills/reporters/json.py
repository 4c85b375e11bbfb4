"""JSON reporter: the report contract, ``schema_version`` 1.

Values are exact (a path is the path, whatever it holds); the JSON text goes through
:func:`~._common.json_safe`, so control, bidi and invisible characters and bytes of a path
that were not UTF-8 are ``\\uXXXX`` escapes: the file always encodes, parses back to the
same values and shows nothing a terminal or a CI log would act on.
"""

from __future__ import annotations

import json

from pydantic_core import PydanticSerializationError

from backend_skills.core.checker import RenderOptions, Reporter
from backend_skills.core.models import Report

from ._common import json_safe


class JsonReporter(Reporter):
    """The whole report as JSON (see docs/report.md and docs/report.schema.json)."""

    name = "json"
    description = "The report as JSON (schema_version 1)."
    suffix = ".json"

    def render(self, report: Report, options: RenderOptions) -> str:
        """Two-space indented JSON ending with a newline."""
        try:
            text = report.to_json()
        except PydanticSerializationError:
            # A lone surrogate (a path that was not UTF-8) cannot be encoded by pydantic:
            # the standard library writes the same document and json_safe escapes it.
            text = json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
        return json_safe(text)
