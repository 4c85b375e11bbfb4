from __future__ import annotations

from ._model import Rule

RULES: tuple[Rule, ...] = ()
