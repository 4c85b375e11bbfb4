"""Security checks bandit does not make, on the shared parse of each Python file.

Every rule is documented in ``docs/security.md`` (what it matches and what it does not).

- Secrets (``security.secrets``): ``BSSEC001`` a secret-named target bound to a string
  literal, ``BSSEC002`` an AWS access key id, ``BSSEC003`` a private key block,
  ``BSSEC004`` a well-known token format, ``BSSEC005`` credentials inside a URL.
- Configuration (``security.configuration``): ``BSSEC010`` debug mode on, ``BSSEC011``
  ``ALLOWED_HOSTS`` with ``"*"``, ``BSSEC012`` CSRF protection switched off, ``BSSEC013``
  cookie security settings switched off, ``BSSEC014`` CORS open to every origin with
  credentials, ``BSSEC015`` HTTP calls without a timeout that bandit's B113 does not see.
- Authentication (``security.authentication``): ``BSSEC020`` a password hashed with a
  fast hash, ``BSSEC021`` JWT decoding without signature verification, ``BSSEC022``
  a secret compared with ``==``.
- Dependencies (``security.dependencies``, from the repository's dependency files in
  ``reduce``): ``BSSEC030`` unpinned and unlocked, ``BSSEC031`` installed from a URL.

- Request input traced to a sink (``security.injection``, ``security.deserialization``,
  ``database.query_safety``): ``BSSEC050``-``BSSEC053``, and ``BSSEC021``'s severity by
  the origin of the token.

One module per concern: secrets (:mod:`._security_secrets`), settings and timeouts
(:mod:`._security_settings`), password hashing and credential comparison
(:mod:`._security_crypto`), JWT (:mod:`._security_jwt`) and the request-input trace
(:mod:`._security_trace`); :class:`_Visitor` walks the tree once and hands each node to
them. Secret findings are built in ``reduce`` (from per-file data) so that their
fingerprint anchor can be computed from the line with its literals removed: no value, and
no hash of a value, reaches a report.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any, ClassVar

from backend_skills.core.checker import CheckContext
from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import CheckResult, Finding, Role

from . import Analysis, Visit
from ._request_input import RequestFlow
from ._security_base import (
    AUTHENTICATION,
    CONFIGURATION,
    DEPENDENCIES,
    DESERIALIZATION,
    INJECTION,
    QUERY_SAFETY,
    SECRETS,
    SKILL,
    FileContext,
    target_name,
    targets,
)
from ._security_crypto import CryptoChecks
from ._security_deps import DEPENDENCIES_DECLARED, DEPENDENCY_RISK, dependency_hygiene
from ._security_jwt import JwtChecks, module_constants
from ._security_secrets import SecretChecks, secret_findings
from ._security_settings import SettingsChecks
from ._security_trace import SINK_RULES, call_facts, sink_facts, traced_sinks
from ._server_common import tree_index

__all__ = [
    "AUTHENTICATION",
    "CONFIGURATION",
    "DEPENDENCIES",
    "DESERIALIZATION",
    "INJECTION",
    "QUERY_SAFETY",
    "SECRETS",
    "SINK_RULES",
    "SKILL",
    "SecurityAnalysis",
]


class _Visitor:
    """Every check of one file over one walk of its tree (plus a first pass that learns
    the imports, the names used and the objects bound to sessions and fast hashes)."""

    def __init__(self, file: SourceFile) -> None:
        self.ctx = FileContext(file)
        self.secrets = SecretChecks(self.ctx)
        self.settings = SettingsChecks(self.ctx)
        self.crypto = CryptoChecks(self.ctx)
        self.jwt = JwtChecks(self.ctx, {})
        self.auth = False

    def run(self, tree: ast.Module) -> None:
        index = tree_index(tree)  # one walk of the tree, shared with the other analyses
        imports: list[ast.AST] = []
        bindings: list[ast.AST] = []
        assigns: list[ast.Assign | ast.AnnAssign] = []
        visited: list[ast.AST] = []
        for node in index.nodes:  # walk order, as ``ast.walk``
            kind = type(node)
            if kind in _VISITED:
                visited.append(node)
            elif kind in _BINDINGS:
                bindings.append(node)
                if isinstance(node, ast.Assign | ast.AnnAssign):
                    assigns.append(node)
            elif kind in _IMPORTS:
                imports.append(node)
        names = self._learn(imports, bindings, index.of(ast.Name))
        self.jwt.constants = module_constants(tree)
        self.secrets.note_defaults_later(index.of(ast.Expr, ast.Call))  # the only ones
        for node in visited:
            self._visit(node)
        for assign in assigns:  # after the calls: a hashed password is reported once
            self._assign(assign)
        self.auth = self.crypto.authentication(names)
        self.secrets.finish()
        self.ctx.findings.sort(key=Finding.sort_key)

    def _learn(
        self, imports: list[ast.AST], bindings: list[ast.AST], name_nodes: list[ast.AST]
    ) -> set[str]:
        """Imports and names used; then objects bound to sessions and fast hashes."""
        for node in imports:
            if isinstance(node, ast.Import | ast.ImportFrom):
                self.ctx.learn_import(node)
        names = {node.id for node in name_nodes if isinstance(node, ast.Name)}
        for target, value in _bindings(bindings):
            self.settings.track(target, value)
            self.crypto.track(target, value)
        return names

    def _visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Call):
            self._call(node)
        elif isinstance(node, ast.Compare):
            self.crypto.on_compare(node)
        elif isinstance(node, ast.Dict):
            self.secrets.on_dict(node)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            self.settings.on_definition(node)

    def _call(self, node: ast.Call) -> None:
        qual = self.ctx.qualname(node.func) or ""
        last = qual.rsplit(".", 1)[-1]
        self.secrets.on_call(node)
        self.crypto.on_call(node, qual)
        self.settings.on_call(node, qual, last)
        self.jwt.on_call(node, qual, last)

    def _assign(self, node: ast.Assign | ast.AnnAssign) -> None:
        if node.value is None:
            return
        for target in targets(node):
            name = target_name(target)
            if name is not None:
                self.secrets.bound(name, node.value, "assigned to")
                self.settings.on_binding(target, name, node.value, node)
        for target in targets(node):
            self.crypto.on_assign_target(target, node.value)


#: The nodes :meth:`_Visitor._visit` checks, those :func:`_bindings` reads, and imports.
_VISITED = frozenset(
    {ast.Call, ast.Compare, ast.Dict, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef}
)
_BINDINGS = frozenset({ast.Assign, ast.AnnAssign, ast.With, ast.AsyncWith})
_IMPORTS = frozenset({ast.Import, ast.ImportFrom})


def _bindings(nodes: list[ast.AST]) -> list[tuple[ast.AST, ast.AST]]:
    """(target, value) of assignments and ``with ... as`` items."""
    found: list[tuple[ast.AST, ast.AST]] = []
    for node in nodes:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            found.extend((target, node.value) for target in targets(node))
        elif isinstance(node, ast.With | ast.AsyncWith):
            found.extend(
                (item.optional_vars, item.context_expr)
                for item in node.items
                if item.optional_vars is not None
            )
    return found


class SecurityAnalysis(Analysis):
    """Secrets, configuration and authentication checks bandit lacks; dependency hygiene."""

    name = "security"
    provides: ClassVar[tuple[str, ...]] = (DEPENDENCY_RISK, DEPENDENCIES_DECLARED)
    feeds: ClassVar[tuple[str, ...]] = (
        SECRETS,
        CONFIGURATION,
        AUTHENTICATION,
        DEPENDENCIES,
        INJECTION,
        DESERIALIZATION,
    )

    def visit(self, file: SourceFile, tree: ast.Module, options: Mapping[str, Any]) -> Visit:
        """Findings for one file; secrets, authentication facts and sinks as data."""
        visitor = _Visitor(file)
        visitor.run(tree)
        flow = RequestFlow(tree, visitor.ctx.aliases)
        functions: dict[str, list[str]] = {k: list(v) for k, v in flow.functions.items()}
        return Visit(
            findings=visitor.ctx.findings,
            data={
                "secrets": visitor.secrets.items,
                "auth": visitor.auth,
                "hashers": sorted(visitor.crypto.hashers),
                "sinks": sink_facts(flow, visitor.jwt.decodes),
                "calls": call_facts(flow),
                "functions": functions,
            },
        )

    def reduce(self, ctx: CheckContext, data: Mapping[str, dict[str, Any]]) -> CheckResult:
        """Secret findings, authentication applicability and dependency hygiene."""
        result = CheckResult()
        files = {f.path: f for f in ctx.fileset.files}
        auth_files: list[str] = []
        hashers: dict[str, list[str]] = {}
        for path, facts in sorted(data.items()):
            file = files.get(path)
            if file is None:
                continue
            secrets = facts.get("secrets", ())
            if secrets:  # only then the text is needed (it may not be in memory)
                result.findings.extend(secret_findings(path, file.text, secrets))
            if file.role not in (Role.TEST, Role.DOCS):
                _authentication_facts(path, facts, auth_files, hashers)
        if not auth_files:
            result.not_applicable[AUTHENTICATION] = (
                "no authentication code found (no password handling, JWT or auth library)"
            )
        for label, paths in sorted(hashers.items()):
            shown = ", ".join(paths[:3]) + (" ..." if len(paths) > 3 else "")
            result.notes.append(f"password hashing with {label} ({shown})")
        result.findings.extend(traced_sinks(data, files))
        _dependency_hygiene(ctx, result)
        return result


def _authentication_facts(
    path: str, facts: Mapping[str, Any], auth_files: list[str], hashers: dict[str, list[str]]
) -> None:
    """Collect whether an application file does authentication, and its hashers."""
    if facts.get("auth"):
        auth_files.append(path)
    for label in facts.get("hashers", ()):
        hashers.setdefault(label, []).append(path)


def _dependency_hygiene(ctx: CheckContext, result: CheckResult) -> None:
    deps = dependency_hygiene(ctx.fileset)
    result.findings.extend(deps.findings)
    result.metrics.extend(deps.metrics)
    result.notes.extend(deps.notes)
    result.not_applicable.update(deps.not_applicable)
