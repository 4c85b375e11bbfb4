"""Findings of registry rules, emitted by rule id from the Python analyses.

What is the same for every finding of a rule (skill, criterion, default severity and
confidence, CWE) comes from the rule's declaration in :mod:`backend_skills.rules`; the
analysis gives only where the finding is and what it says about this occurrence.
"""

from __future__ import annotations

import ast

from backend_skills.core.models import Confidence, Finding
from backend_skills.rules import get


def position(where: ast.AST | int | None) -> tuple[int | None, int | None, int | None]:
    """(line, end line, 1-based column) of a node, or of a bare line number."""
    if not isinstance(where, ast.AST):
        return where, None, None
    column = getattr(where, "col_offset", None)
    return (
        getattr(where, "lineno", None),
        getattr(where, "end_lineno", None),
        column + 1 if column is not None else None,
    )


def rule_finding(
    rule_id: str,
    path: str,
    where: ast.AST | int | None,
    message: str,
    *,
    confidence: Confidence | None = None,
) -> Finding:
    """A ``python_ast`` finding of registry rule ``rule_id`` at a node (or a line) of
    ``path``; ``confidence`` overrides the rule's default (KeyError for an unknown id)."""
    rule = get(rule_id)
    line, end_line, column = position(where)
    return Finding(
        checker="python_ast",
        rule=rule.id,
        skill=rule.skill,
        criterion=rule.criterion,
        severity=rule.severity,
        confidence=confidence or rule.confidence,
        message=message,
        path=path,
        line=line,
        end_line=end_line,
        column=column,
        cwe=rule.cwe,
    )
