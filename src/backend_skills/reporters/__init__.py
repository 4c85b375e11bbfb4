"""Built-in reporters, registered as a plugin (entry point ``reporters``)."""

from __future__ import annotations

from collections.abc import Sequence

from backend_skills.core.checker import Reporter
from backend_skills.core.hookspecs import hookimpl

from .badge import BadgeReporter
from .github import GithubReporter
from .gitlab import GitlabReporter
from .html import HtmlReporter
from .json import JsonReporter
from .junit import JunitReporter
from .markdown import MarkdownReporter
from .sarif import SarifReporter
from .text import TextReporter


@hookimpl
def backend_skills_reporters() -> Sequence[Reporter]:
    """The built-in output formats."""
    return [
        TextReporter(),
        JsonReporter(),
        MarkdownReporter(),
        SarifReporter(),
        GitlabReporter(),
        JunitReporter(),
        GithubReporter(),
        BadgeReporter(),
        HtmlReporter(),
    ]
