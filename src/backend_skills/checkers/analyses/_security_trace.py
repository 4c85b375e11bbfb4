"""Request input traced to a dangerous sink (BSSEC050-BSSEC053), and unverified JWTs by
the origin of their token (BSSEC021).

Per file (``visit``), :func:`sink_facts` records each sink with where its value comes
from (the request, or the enclosing function's parameters) and :func:`call_facts` the
calls that pass request input. Over the repository (``reduce``), :func:`traced_sinks`
reports a sink fed by request input in the same function or one call away (a caller in
the same file or in a module importing the sink's): a vulnerability. A sink without that
evidence is left to bandit's hotspot. The rules are declared in
:mod:`backend_skills.rules._trace`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend_skills.core.models import Confidence, Finding, Role, Severity

from ._request_input import REQUEST, RequestFlow, module_of, same_module
from ._security_base import AUTHENTICATION, SKILL
from ._security_jwt import Decode

#: Sink kind -> (rule, what the message calls the sink).
SINK_RULES: Mapping[str, tuple[str, str]] = {
    "shell": ("BSSEC050", "a shell command"),
    "code": ("BSSEC051", "eval/exec"),
    "deserialisation": ("BSSEC052", "an unsafe deserialiser"),
    "sql": ("BSSEC053", "SQL built as a string"),
}

#: Callee name -> (calling file, callee module, (input positions, input keywords)).
Calls = dict[str, list[tuple[str, str, Any]]]


def sink_facts(flow: RequestFlow, decodes: list[Decode]) -> list[dict[str, Any]]:
    """The file's sinks fed by something (request input or parameters), as data; JWT
    decodes without verification among them (kind ``jwt``)."""
    sinks = [
        {
            "kind": sink.kind,
            "line": sink.line,
            "function": sink.function,
            "origins": sorted(sink.origins),
            "params": list(sink.params),
        }
        for sink in flow.sinks
        if sink.origins
    ]
    for call, token, reasons in decodes:
        function, params = flow.scope_of(call)
        sinks.append(
            {
                "kind": "jwt",
                "line": call.lineno,
                "function": function,
                "origins": sorted(flow.value_origins(call, token)),
                "params": list(params),
                "reasons": reasons,
            }
        )
    return sinks


def call_facts(flow: RequestFlow) -> list[list[Any]]:
    """Calls passing request input: (callee as written, positions, keywords)."""
    return [[q, list(p), list(k)] for q, p, k in flow.calls]


def _calls_by_callee(data: Mapping[str, dict[str, Any]]) -> Calls:
    """Every call passing request input, by the callee's name, with the module it
    resolves to (``self.f``/a local ``f``: the caller's own module)."""
    calls: Calls = {}
    for path, facts in data.items():
        own = module_of(path)
        local = set(facts.get("functions", {}))
        for qual, positions, keywords in facts.get("calls", ()):
            module, _, name = str(qual).rpartition(".")
            if module in ("self", "cls") or (not module and name in local):
                module = own
            elif not module:
                continue
            calls.setdefault(name, []).append((path, module, (positions, keywords)))
    return calls


def callee_is_here(path: str, callee_module: str) -> bool:
    """Whether a call naming ``callee_module`` reaches a function of the file at ``path``:
    the same file, a module naming it, or ``Student.create(...)`` on a class imported
    from it."""
    here = module_of(path)
    if callee_module in ("", here) or same_module(here, callee_module):
        return True
    owner, _, last = callee_module.rpartition(".")
    return last[:1].isupper() and same_module(here, owner)


def fed_by_call(path: str, sink: Mapping[str, Any], calls: Calls) -> str | None:
    """The caller (``file:function``) passing request input to a parameter the sink
    depends on, one call away (same file or a module importing it), or None."""
    fed = set(sink["origins"]) - {REQUEST}
    params = list(sink["params"])
    for caller, callee_module, (positions, keywords) in calls.get(sink["function"], []):
        if not callee_is_here(path, callee_module):
            continue
        names = {params[i] for i in positions if i < len(params)} | set(keywords)
        if names & fed:
            return caller
    return None


def _how(path: str, sink: Mapping[str, Any], calls: Calls) -> str:
    """How request input reaches the sink ("": it does not, as far as we can see)."""
    if REQUEST in sink["origins"]:
        return "request input in the same function"
    caller = fed_by_call(path, sink, calls)
    return f"request input passed by {caller}" if caller else ""


def _jwt_finding(path: str, sink: Mapping[str, Any], how: str) -> Finding:
    """BSSEC021: a vulnerability when the token comes from the request, else a hotspot."""
    reasons = ", ".join(sink.get("reasons", ()))
    origin = (
        f", the token from {how}"
        if how
        else " (hotspot: the token does not come from the request "
        "here, e.g. one received from an identity provider; review it)"
    )
    return Finding(
        checker="python_ast",
        rule="BSSEC021",
        skill=SKILL,
        criterion=AUTHENTICATION,
        severity=Severity.HIGH if how else Severity.MEDIUM,
        confidence=Confidence.HIGH if how else Confidence.MEDIUM,
        message=f"JWT decoded without verifying its signature ({reasons}){origin}",
        path=path,
        line=int(sink["line"]),
        cwe=347,
    )


def _sink_finding(path: str, sink: Mapping[str, Any], how: str) -> Finding:
    """BSSEC050-BSSEC053, as their registry declarations say."""
    from backend_skills.rules import get

    rule_id, what = SINK_RULES[sink["kind"]]
    rule = get(rule_id)
    return Finding(
        checker="python_ast",
        rule=rule.id,
        skill=rule.skill,
        criterion=rule.criterion,
        severity=rule.severity,
        confidence=rule.confidence,
        message=f"Request input reaches {what} ({how}): an exploitable injection",
        path=path,
        line=int(sink["line"]),
        cwe=rule.cwe,
    )


def traced_sinks(data: Mapping[str, dict[str, Any]], files: Mapping[str, Any]) -> list[Finding]:
    """Dangerous sinks fed by request input, in the same function or one call away
    (BSSEC050-BSSEC053; BSSEC021 as a vulnerability or a hotspot)."""
    calls = _calls_by_callee(data)
    findings = []
    for path, facts in sorted(data.items()):
        file = files.get(path)
        if file is None or file.role in (Role.TEST, Role.DOCS):
            continue
        for sink in facts.get("sinks", ()):
            how = _how(path, sink, calls)
            if sink["kind"] == "jwt":
                findings.append(_jwt_finding(path, sink, how))
            elif how:  # without input, bandit reports the sink as a hotspot
                findings.append(_sink_finding(path, sink, how))
    return findings
