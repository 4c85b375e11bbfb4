"""backend-skills: score a backend repository against skill rubrics.

The public surface: :func:`score`, the :data:`hookimpl` marker for plugins, the checker
and reporter base classes, and the report models.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version

try:
    __version__ = _dist_version("backend-skills")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

from .api import score
from .core.checker import (
    CheckContext,
    Checker,
    FileChecker,
    FileResult,
    RenderOptions,
    RepoChecker,
    Reporter,
    RubricSet,
)
from .core.config import ConfigError, Settings
from .core.discovery import FileSet, SourceFile
from .core.hookspecs import hookimpl
from .core.models import (
    CheckResult,
    Confidence,
    Criterion,
    CriterionResult,
    Finding,
    Level,
    Metric,
    Report,
    Role,
    Severity,
    Skill,
    SkillResult,
    Skip,
)

__all__ = [
    "CheckContext",
    "CheckResult",
    "Checker",
    "Confidence",
    "ConfigError",
    "Criterion",
    "CriterionResult",
    "FileChecker",
    "FileResult",
    "FileSet",
    "Finding",
    "Level",
    "Metric",
    "RenderOptions",
    "RepoChecker",
    "Report",
    "Reporter",
    "Role",
    "RubricSet",
    "Settings",
    "Severity",
    "Skill",
    "SkillResult",
    "Skip",
    "SourceFile",
    "__version__",
    "hookimpl",
    "score",
]
