"""Findings of registry rules emitted by rule id (``checkers/analyses/_rule_findings.py``):
what is the same for every finding of a rule comes from its declaration."""

from __future__ import annotations

import ast

import pytest

from backend_skills.checkers.analyses._rule_findings import position, rule_finding
from backend_skills.core.models import Confidence
from backend_skills.rules import RULES


def test_position_of_a_node_and_of_a_line() -> None:
    node = ast.parse("x = 1\nvalue = call(a,\n  b)\n").body[1]
    assert isinstance(node, ast.Assign)
    assert position(node.value) == (2, 3, 9)
    assert position(7) == (7, None, None)
    assert position(None) == (None, None, None)


@pytest.mark.parametrize("rule_id", ["BSDB201", "BSDB207", "BSSCL120", "BSSCL126"])
def test_declaration_fills_in_the_finding(rule_id: str) -> None:
    rule = RULES[rule_id]
    finding = rule_finding(rule_id, "app/main.py", 4, "what happened here")
    assert (finding.checker, finding.rule, finding.path, finding.line) == (
        "python_ast",
        rule_id,
        "app/main.py",
        4,
    )
    assert (finding.skill, finding.criterion) == (rule.skill, rule.criterion)
    assert (finding.severity, finding.confidence, finding.cwe) == (
        rule.severity,
        rule.confidence,
        rule.cwe,
    )
    assert finding.message == "what happened here"


def test_confidence_can_be_lowered_and_unknown_ids_are_refused() -> None:
    finding = rule_finding("BSDB201", "a.py", 1, "m", confidence=Confidence.MEDIUM)
    assert finding.confidence is Confidence.MEDIUM
    with pytest.raises(KeyError):
        rule_finding("BSDB299", "a.py", 1, "m")
