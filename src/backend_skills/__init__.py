"""backend-skills: score a backend repository against skill rubrics.

The public surface: :func:`score`, the :data:`hookimpl` marker for plugins, the checker
and reporter base classes, and the report models.
"""

from __future__ import annotations

# First, before any other import: under `python -m backend_skills` the working folder (the
# scored repository, often) is sys.path[0]; a tomllib.py or json.py in it must not load.
from .core.safepath import drop_working_folder as _drop_working_folder

_drop_working_folder()  # the imports below (noqa: E402) must come after this

from importlib.metadata import PackageNotFoundError  # noqa: E402
from importlib.metadata import version as _dist_version  # noqa: E402

try:
    __version__ = _dist_version("backend-skills")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

from .api import score  # noqa: E402
from .core.checker import (  # noqa: E402
    CheckContext,
    Checker,
    FileChecker,
    FileResult,
    RenderOptions,
    RepoChecker,
    Reporter,
    RubricSet,
)
from .core.config import ConfigError, Settings  # noqa: E402
from .core.discovery import FileSet, SourceFile  # noqa: E402
from .core.hookspecs import hookimpl  # noqa: E402
from .core.models import (  # noqa: E402
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
