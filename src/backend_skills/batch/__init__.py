"""Scoring many repositories at once: ``backend-skills batch`` and :func:`run_batch`.

One report per repository (any format) in ``OUT/reports/``, and three summaries:
``OUT/summary.csv`` (GitHub Classroom grade-export columns), ``OUT/summary.json`` and
``OUT/index.html`` (a leaderboard). See docs/batch.md.
"""

from __future__ import annotations

from ._executors import BatchError
from ._run import BatchResult, run_batch
from ._summary import Gates
from ._targets import Target, TargetError, collect, read_list
from ._work import Job, RepoResult, SkillRow, score_one

__all__ = [
    "BatchError",
    "BatchResult",
    "Gates",
    "Job",
    "RepoResult",
    "SkillRow",
    "Target",
    "TargetError",
    "collect",
    "read_list",
    "run_batch",
    "score_one",
]
