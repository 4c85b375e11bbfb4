"""One migration and whether it can be rolled back (shared by every migration reader)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Migration:
    tool: str
    path: str
    line: int
    reversible: bool
    why: str
    report: bool = True
    """Whether an irreversible migration gets its own finding (numbered scripts get one
    finding per folder)."""
    applicable: bool = True
    """Whether reversibility applies to the tool at all (Prisma Migrate has no down
    migrations): inapplicable ones count as migrations, not in the reversible share."""
