"""The ``polyglot`` checker's findings: pattern rule matches (hotspots one severity lower,
cross-file request input raising them back), and the measured rules (complexity,
function and file size, error handling)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from backend_skills.core.models import Confidence, Finding, Severity

from ._polyglot_metrics import CC_C_THRESHOLD, NAME
from ._redact import redacted_snippet_hash
from .analyses._secret_names import (
    connection_password_confidence,
    credential_weight,
    key_material_after,
)

if TYPE_CHECKING:
    import tree_sitter

    from .polyglot import PolyglotOptions

_SEVERITY_BY_CC = ((30, Severity.HIGH), (20, Severity.MEDIUM), (10, Severity.LOW))
_LOWER = {
    Severity.CRITICAL: Severity.HIGH,
    Severity.HIGH: Severity.MEDIUM,
    Severity.MEDIUM: Severity.LOW,
    Severity.LOW: Severity.LOW,
    Severity.INFO: Severity.INFO,
}


def rule_finding(path: str, match: Any, lines: Sequence[str]) -> Finding:
    rule = match.rule
    severity, confidence = rule.severity, rule.confidence
    message = rule.message.format(name=match.name or "?") if rule.message else rule.title
    if rule.id == "BSSEC109":  # weighed as Python's BSSEC001 (docs/security.md)
        text = lines[match.line - 1] if 0 < match.line <= len(lines) else ""
        severity, confidence = credential_weight(
            match.name, match.secret, severity, confidence, text
        )
    elif (line := _connection_line(match, lines)) is not None:  # a development default: LOW
        confidence = connection_password_confidence(line, match.secret) or confidence
    if match.exploitable is True:
        message += ", with request input in the same function"
    elif match.exploitable is False:
        severity, confidence = _LOWER[severity], Confidence.MEDIUM
        message += " (hotspot: no request input seen in this function; review it)"
    finding = Finding(
        checker=NAME,
        rule=rule.id,
        skill=rule.skill,
        criterion=rule.criterion,
        severity=severity,
        confidence=confidence,
        message=message,
        path=path,
        line=match.line,
        end_line=match.end_line,
        column=match.column,
        cwe=rule.cwe,
    )
    if rule.criterion == "security.secrets" or match.secret:
        secrets = [match.secret] if match.secret else []
        finding.snippet_hash = redacted_snippet_hash(lines, match.line, secrets)
    return finding


def _connection_line(match: Any, lines: Sequence[str]) -> str | None:
    """The line of ``match`` when it is a password in a connection string
    (``...;Password=<the secret>``), else None (a token, or another rule)."""
    if match.rule.id != "BSSEC110" or not match.secret or not 0 < match.line <= len(lines):
        return None
    line = lines[match.line - 1]
    password = re.compile(r"\b(?:Password|Pwd)\s*=\s*" + re.escape(match.secret), re.I)
    return line if password.search(line) else None  # not the first "postgres" of the line


def kept_line_matches(matches: Sequence[Any], lines: Sequence[str]) -> list[Any]:
    """``matches`` of the line rules without placeholders: a password in a connection
    string that stands for one (``Password=YourPassword``, ``Password=<your-password>``),
    a private key's header with no key after it (``-----BEGIN PRIVATE KEY----- X``, a
    comment or a form's placeholder explaining the format)."""
    kept = []
    for m in matches:
        line = _connection_line(m, lines)
        if line is not None and connection_password_confidence(line, m.secret) is None:
            continue
        header = m.rule.id == "BSSEC110" and m.secret.startswith("-----BEGIN")
        if header and not _key_follows(lines, m.line, m.secret):
            continue
        kept.append(m)
    return kept


def _key_follows(lines: Sequence[str], number: int, header: str) -> bool:
    """Key material follows the private key's ``header`` on line ``number`` (on the same
    line after escaped line breaks, or on the next lines)."""
    if not 0 < number <= len(lines):
        return False
    first = lines[number - 1]
    after = first[first.find(header) + len(header) :] if header in first else first
    return key_material_after("\n".join([after, *lines[number : number + 4]]))


def cross_file_feeds(taint: Mapping[str, Mapping[str, Any]]) -> dict[Any, Any]:
    from backend_skills.rules._taint_join import join

    return join(taint) if taint else {}


def upgraded(finding: Finding, fed: Mapping[Any, Any]) -> Finding:
    """A taint rule's hotspot fed with request input from another file: the vulnerability
    (the rule's severity and confidence), naming where the input comes from."""
    feed = fed.get((finding.path, finding.rule, finding.line, finding.column))
    if feed is None:
        return finding
    from backend_skills.rules import get

    rule = get(finding.rule)
    message = finding.message.split(" (hotspot:", 1)[0]
    return finding.model_copy(
        update={
            "severity": rule.severity,
            "confidence": rule.confidence,
            "message": f"{message}, with request input passed from {feed.describe()}",
        }
    )


def measure_findings(path: str, measured: Any, opts: PolyglotOptions) -> list[Finding]:
    from backend_skills.rules import get

    findings: list[Finding] = []
    for function in measured.functions:
        if function.complexity > CC_C_THRESHOLD:
            severity = next(s for limit, s in _SEVERITY_BY_CC if function.complexity > limit)
            findings.append(
                _measured(
                    path,
                    "BSSRV110",
                    f"function `{function.name}` has cyclomatic complexity {function.complexity};"
                    " split it into smaller functions",
                    function.line,
                    function.end_line,
                    severity,
                )
            )
        if function.sloc > opts.max_function_sloc:
            findings.append(
                _measured(
                    path,
                    "BSSRV111",
                    f"function `{function.name}` has {function.sloc} source lines"
                    f" (limit {opts.max_function_sloc})",
                    function.line,
                    function.end_line,
                )
            )
    if measured.sloc > opts.max_module_sloc:
        findings.append(
            _measured(
                path,
                "BSSRV112",
                f"file has {measured.sloc} source lines (limit {opts.max_module_sloc})",
                1,
                None,
            )
        )
    for issue in measured.issues:
        rule = get(issue.rule)
        findings.append(
            _measured(
                path,
                issue.rule,
                rule.message.format(name=issue.detail or "?"),
                issue.line,
                issue.end_line,
                column=issue.column,
            )
        )
    return findings


def _measured(
    path: str,
    rule_id: str,
    message: str,
    line: int,
    end_line: int | None,
    severity: Severity | None = None,
    column: int | None = None,
) -> Finding:
    from backend_skills.rules import get

    rule = get(rule_id)
    return Finding(
        checker=NAME,
        rule=rule_id,
        skill=rule.skill,
        criterion=rule.criterion,
        severity=severity or rule.severity,
        confidence=rule.confidence,
        message=message,
        path=path,
        line=line,
        end_line=end_line,
        column=column,
        cwe=rule.cwe,
    )


#: Conditions that read the service's configuration (an operator's choice), not the request.
_CONFIGURATION = re.compile(
    r"(?i)config|settings?\b|options?\b|\bopts\b|\benv\b|environ|getenv|process\.env"
    r"|allow|insecure|unsafe|self.?signed|skip.?verify|is_?production|is_?development|\bdebug"
    r"|ignore\w*(?:tls|ssl|cert)|(?:tls|ssl|cert)\w*(?:error|verif|check)|reject\w*unauthori[sz]ed"
)
_REQUEST_WORDS = re.compile(r"\b(?:req|request|params|query|body|headers)\b")
#: Conditional nodes and the field holding their condition, across the grammars.
_CONDITIONALS = {
    "if_statement": "condition",
    "ternary_expression": "condition",
    "conditional_expression": "condition",
}
#: A switch's branches, across the grammars: a branch for an option named by a string
#: (``case "tls":`` while parsing a connection string's options) is an operator's opt-in.
_CASES = frozenset({"expression_case", "switch_case", "switch_section", "switch_label"})
_STRING_KINDS = frozenset(
    {"interpreted_string_literal", "raw_string_literal", "string", "string_literal"}
)


def _named_option(case: tree_sitter.Node) -> bool:
    """The case's value is a string literal (``case "tls":``)."""
    value = case.child_by_field_name("value")
    candidates = [value] if value is not None else case.named_children[:1]
    for candidate in candidates:
        inner = candidate.named_children if candidate.type == "expression_list" else [candidate]
        if any(n.type in _STRING_KINDS for n in inner):
            return True
        if candidate.type == "case_switch_label" or candidate.type == "constant_pattern":
            return any(n.type in _STRING_KINDS for n in candidate.named_children)
    return False


#: Where looking for an enclosing condition stops: a named function, or the file. An
#: anonymous function does not stop it: a callback created inside ``if cfg.Insecure {``
#: (``WithTransportOptions(func(tr) { tr.TLSClientConfig = ... })``) runs only then.
_SCOPES = frozenset(
    [
        "function_declaration",
        "method_declaration",
        "local_function_statement",
        "program",
        "source_file",
        "compilation_unit",
    ]
)
#: Option keys under which node's database, cache and mail clients take TLS settings.
_CONNECTION_TLS_KEYS = frozenset({"ssl", "tls", "dialectOptions"})
_VALUE_WRAPPERS = frozenset({"ternary_expression", "parenthesized_expression", "binary_expression"})


def _node_at(root: tree_sitter.Node, match: Any, kind: str) -> tree_sitter.Node | None:
    """The ``kind`` node starting where ``match`` starts."""
    point = (match.line - 1, match.column - 1)
    node: tree_sitter.Node | None = root.descendant_for_point_range(point, point)
    while node is not None and not (node.type == kind and node.start_point == point):
        node = node.parent
    return node


def _opted_in(node: tree_sitter.Node) -> bool:
    """``node`` sits in a branch taken on the service's configuration (``if
    (config['allow-self-signed'])``, ``env.REDIS_URL.startsWith('rediss://') ? ...``),
    not on the request."""
    child, current = node, node.parent
    while current is not None and current.type not in _SCOPES:
        if current.type in _CASES and _named_option(current):
            return True
        field = _CONDITIONALS.get(current.type)
        condition = current.child_by_field_name(field) if field else None
        if condition is not None and condition.id != child.id:
            text = (condition.text or b"").decode("utf-8", "replace")
            if _CONFIGURATION.search(text) and not _REQUEST_WORDS.search(text):
                return True
        child, current = current, current.parent
    return False


#: A mail client created in the code (MailKit's ``new SmtpClient()``, JavaMail's
#: ``Session.getInstance``...): its certificate check guards the link to the mail server.
_MAIL_CLIENT = re.compile(
    r"\bnew\s+(?:MailKit\.Net\.\w+\.)?(?:Smtp|Imap|Pop3)Client\s*\(|\bsmtp\.(?:Dial|NewClient)\w*\s*\("
)
_ASSIGNMENTS = frozenset({"assignment_expression", "assignment_statement"})


def _mail_client(node: tree_sitter.Node) -> bool:
    """``client.ServerCertificateValidationCallback = ... => true`` on a mail client the
    same function creates (``using var client = new SmtpClient()``)."""
    assignment: tree_sitter.Node | None = node
    while assignment is not None and assignment.type not in _ASSIGNMENTS:
        if assignment.type in _SCOPES:
            return False
        assignment = assignment.parent
    if assignment is None:
        return False
    left = assignment.child_by_field_name("left")
    target = left.child_by_field_name("expression") if left is not None else None
    if target is None or target.type != "identifier":
        return False
    scope = assignment.parent
    while scope is not None and scope.type not in _SCOPES:
        scope = scope.parent
    if scope is None:
        return False
    name = re.escape((target.text or b"").decode("utf-8", "replace"))
    text = (scope.text or b"").decode("utf-8", "replace")
    return any(
        re.search(rf"\b{name}\s*=\s*$", text[: m.start()].rsplit("\n", 1)[-1])
        for m in _MAIL_CLIENT.finditer(text)
    )


def _connection_option(pair: tree_sitter.Node) -> bool:
    """A JavaScript ``rejectUnauthorized: false`` in the ``ssl``/``tls`` options of a
    database, cache or mail client (``ssl: { rejectUnauthorized: false }``,
    ``smtpOptions.tls = {...}``), not in an HTTPS agent or request."""
    value, owner = pair.parent, pair.parent.parent if pair.parent is not None else None
    while owner is not None and owner.type in _VALUE_WRAPPERS:  # cond ? { ... } : undefined
        value, owner = owner, owner.parent
    if owner is None or value is None:
        return False
    if owner.type == "pair":
        key = owner.child_by_field_name("key")
    elif owner.type == "assignment_expression":
        left = owner.child_by_field_name("left")
        key = left.child_by_field_name("property") if left is not None else None
    else:
        return False
    name = (key.text or b"").decode("utf-8", "replace").strip("'\"") if key is not None else ""
    return name in _CONNECTION_TLS_KEYS


def tls_off_weight(finding: Finding, match: Any, root: tree_sitter.Node) -> Finding:
    """BSSEC106 weighed by where verification is switched off: in the TLS options of a
    database, cache or mail connection (JavaScript) one severity lower; in a branch taken
    on the service's configuration (an operator's opt-in), medium confidence."""
    pair = _node_at(root, match, "pair") if match.name == "rejectUnauthorized" else None
    point = (match.line - 1, match.column - 1)
    node = pair or root.descendant_for_point_range(point, point)
    if node is None:
        return finding
    if (pair is not None and _connection_option(pair)) or _mail_client(node):
        finding.severity = _LOWER[finding.severity]
        finding.message += " in a database, cache or mail connection's TLS options"
    if _opted_in(node):
        finding.confidence = Confidence.MEDIUM
        finding.message += ", only when the service's configuration asks for it"
    return finding
