"""The authorization rules ``BSSEC040``-``BSSEC044``, by id.

They are declared once in the rule registry (:mod:`backend_skills.rules._authorization`);
this module only keeps the names importable from where they used to live.
"""

from __future__ import annotations

from backend_skills.rules import Rule
from backend_skills.rules._authorization import RULES as _DECLARED

CRITERION = "security.authorization"
AuthzRule = Rule
RULES: dict[str, Rule] = {rule.id: rule for rule in _DECLARED}

__all__ = ["CRITERION", "RULES", "AuthzRule"]
