"""Built-in reporters, registered as a plugin (entry point ``reporters``)."""

from __future__ import annotations

from collections.abc import Sequence

from backend_skills.core.checker import Reporter
from backend_skills.core.hookspecs import hookimpl

from .json import JsonReporter
from .text import TextReporter


@hookimpl
def backend_skills_reporters() -> Sequence[Reporter]:
    """The built-in output formats."""
    return [TextReporter(), JsonReporter()]
