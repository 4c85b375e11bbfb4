"""Query safety (``BSDB001``): SQL handed to the database built from non-constant values.

A *site* is one place where SQL text reaches the database (``execute``, ``text()``,
``.raw()``, ``.extra()``...), with how its text is built (:mod:`._sql_building`) and whether
values are passed as parameters. A site whose text is built from values is a finding; its
confidence says where the values come from: high for a parameter of the function or the
request, medium for other values, low when only SQL fragments built elsewhere are joined
in (``" AND ".join(clauses)``, ``where_sql``).
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass

from backend_skills.core.models import Confidence, Finding, Severity

from ._database_vocabulary import FRAGMENT_NAME, SQL_KEYWORDS
from ._sql_building import Built, Resolver, Scope, call_name, dotted

SKILL = "database"
CHECKER = "python_ast"
SAFETY = "database.query_safety"

_PARAMETER_KEYWORDS = frozenset({"params", "parameters", "args", "vars", "multiparams"})


@dataclass
class Site:
    """One place where SQL text is handed to the database."""

    line: int
    sink: str
    built: Built
    params: bool


def sql_argument(node: ast.Call) -> ast.expr | None:
    """The SQL a call receives: its first argument, or ``sql=``/``query=``/``statement=``."""
    if node.args and not isinstance(node.args[0], ast.Starred):
        return node.args[0]
    for kw in node.keywords:
        if kw.arg in SQL_KEYWORDS:
            return kw.value
    return None


def passes_parameters(node: ast.Call) -> bool:
    """Whether the call passes values beside the SQL (a second argument, ``params=``)."""
    return len(node.args) > 1 or any(kw.arg in _PARAMETER_KEYWORDS for kw in node.keywords)


def root_path(node: ast.expr) -> str:
    """``request.args`` for ``request.args["id"]``, ``self.repo.find`` for a call of it."""
    while isinstance(node, ast.Subscript | ast.Call):
        node = node.value if isinstance(node, ast.Subscript) else node.func
    return dotted(node)


def describe(node: ast.expr) -> str:
    """How a value is named in a message (at most 40 characters)."""
    text = dotted(node)
    if not text:
        try:
            text = ast.unparse(node)
        except Exception:  # pragma: no cover - unparse handles every expression
            text = type(node).__name__
    return text[:40]


def _assigned_from_request(value: ast.Name, scopes: Sequence[Scope]) -> bool:
    """A local name assigned from the request (``name = request.args["name"]``)."""
    found = Resolver(scopes)._resolve_name(value.id, value.lineno)
    return isinstance(found, list) and any(
        root_path(v).split(".")[0] == "request" for _, v, _ in found
    )


def _value_confidence(
    value: ast.expr, params: frozenset[str], scopes: Sequence[Scope]
) -> Confidence | None:
    """How sure a value carries input: high (a parameter, the request, ``input()``),
    medium (another value), low (an SQL fragment); None: fragments joined by the code."""
    called = call_name(value) if isinstance(value, ast.Call) else ""
    if called == "join":
        return None  # " AND ".join(clauses): fragments assembled by the code
    if called == "input" or (isinstance(value, ast.Name) and _assigned_from_request(value, scopes)):
        return Confidence.HIGH
    return _path_confidence(root_path(value), params)


def _path_confidence(text: str, params: frozenset[str]) -> Confidence:
    """By the value's path: high from a parameter or the request, low for an SQL
    fragment's name (``where_sql``) not taken from a parameter, medium otherwise."""
    root = text.split(".")[0]
    fragment = bool(FRAGMENT_NAME.search(text))
    if (root in params and not fragment) or root == "request":
        return Confidence.HIGH
    return Confidence.MEDIUM if not fragment or root in params else Confidence.LOW


def value_confidence(values: Sequence[ast.expr], scopes: Sequence[Scope]) -> Confidence:
    """High: a parameter or request data; low: only SQL fragments built elsewhere."""
    params = (scopes[0].params if len(scopes) > 1 else frozenset()) - {"self", "cls"}
    level = Confidence.LOW
    for value in values:
        found = _value_confidence(value, params, scopes)
        if found is Confidence.HIGH:
            return found
        if found is Confidence.MEDIUM:
            level = found
    return level


def unsafe_finding(path: str, site: Site, confidence: Confidence) -> Finding:
    """BSDB001 for a site whose SQL is built from values."""
    built = site.built
    names = sorted({describe(v) for v in built.values})
    how = " and ".join(sorted(built.how)) or "string building"
    return Finding(
        checker=CHECKER,
        rule="BSDB001",
        skill=SKILL,
        criterion=SAFETY,
        severity=Severity.HIGH,
        confidence=confidence,
        message=(
            f"SQL passed to {site.sink}() at line {site.line} is built with {how} from "
            f"non-constant value(s) {', '.join(names[:4])}: pass them as query "
            "parameters"
        ),
        path=path,
        line=built.line or site.line,
        cwe=89,
    )
