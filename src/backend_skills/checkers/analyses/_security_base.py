"""What every security check of one Python file shares: the criteria, small readers of
the syntax tree (a literal string, ``True``, a keyword argument, the name a target is
known by), what the file is (a settings module, a dev-only file), and :class:`FileContext`,
the file's imports and the findings the checks add to it."""

from __future__ import annotations

import ast
from pathlib import PurePosixPath

from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import Confidence, Finding, Severity

from ._secret_names import name_words

SKILL = "security"
SECRETS = "security.secrets"
CONFIGURATION = "security.configuration"
AUTHENTICATION = "security.authentication"
DEPENDENCIES = "security.dependencies"
INJECTION = "security.injection"
DESERIALIZATION = "security.deserialization"
QUERY_SAFETY = "database.query_safety"

_DEV_WORDS = ("dev", "local", "development", "test", "testing", "example", "sample")


def const_str(node: ast.AST | None) -> str | None:
    """The value of a string literal, or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def is_true(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def is_false(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def keyword(call: ast.Call, name: str) -> ast.keyword | None:
    """The keyword argument ``name=`` of a call, or None."""
    for kw in call.keywords:
        if kw.arg == name:
            return kw
    return None


def has_kwargs(call: ast.Call) -> bool:
    """Whether the call passes ``**mapping`` (any keyword may hide in it)."""
    return any(kw.arg is None for kw in call.keywords)


def identifier(node: ast.AST) -> str | None:
    """The name an expression is known by: ``x``, ``obj.x``, ``d["x"]``, ``f(...)`` -> f."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        return const_str(node.slice)
    if isinstance(node, ast.Call):
        return identifier(node.func)
    return None


def target_name(target: ast.AST) -> str | None:
    """The name an assignment target is known by (a name, attribute or subscript)."""
    if isinstance(target, ast.Name | ast.Attribute | ast.Subscript):
        return identifier(target)
    return None


def has_star(value: ast.AST) -> bool:
    """``"*"`` or a collection holding it (every host, every origin)."""
    if isinstance(value, ast.List | ast.Tuple | ast.Set):
        return any(const_str(e) == "*" for e in value.elts)
    return const_str(value) == "*"


def settings_file(path: str) -> bool:
    """A settings module: ``settings.py``, ``settings/prod.py``, ``config.py``, ``conf.py``."""
    name = PurePosixPath(path).name.lower()
    parent = PurePosixPath(path).parent.name.lower()
    return "settings" in name or parent == "settings" or name in {"config.py", "conf.py"}


def dev_only(path: str) -> bool:
    """A file whose name says it is for development (``settings/dev.py``, ``local.py``)."""
    stem = PurePosixPath(path).stem.lower()
    return any(w in name_words(stem) for w in _DEV_WORDS)


def targets(node: ast.Assign | ast.AnnAssign) -> list[ast.expr]:
    return node.targets if isinstance(node, ast.Assign) else [node.target]


class FileContext:
    """One file under check: its imports (local name -> qualified name) and findings."""

    def __init__(self, file: SourceFile) -> None:
        self.file = file
        self.aliases: dict[str, str] = {}
        self.module_names: set[str] = set()
        self.findings: list[Finding] = []
        self.settings = settings_file(file.path)
        self.dev = dev_only(file.path)

    def qualname(self, node: ast.AST) -> str | None:
        """``hashlib.md5`` for ``md5`` imported from hashlib; a call's callee."""
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            base = self.qualname(node.value)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, ast.Call):
            return self.qualname(node.func)
        return None

    def dotted(self, node: ast.AST) -> str | None:
        """Source-level dotted text of a target (``self.session``), for tracking objects."""
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.Attribute):
            base = self.dotted(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def learn_import(self, node: ast.Import | ast.ImportFrom) -> None:
        """Record the names an import binds (relative imports name no library)."""
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                self.aliases[local] = alias.name if alias.asname else local
                self.module_names.add(alias.name)
            return
        module = node.module or ""
        if node.level:
            return
        self.module_names.add(module)
        for alias in node.names:
            self.aliases[alias.asname or alias.name] = (
                f"{module}.{alias.name}" if module else alias.name
            )

    def dev_confidence(self, confidence: Confidence) -> Confidence:
        """``confidence``, or low in a dev-only file."""
        return Confidence.LOW if self.dev else confidence

    def add(
        self,
        node: ast.AST,
        rule: str,
        criterion: str,
        severity: Severity,
        confidence: Confidence,
        message: str,
        cwe: int | None,
    ) -> None:
        self.findings.append(
            Finding(
                checker="python_ast",
                rule=rule,
                skill=SKILL,
                criterion=criterion,
                severity=severity,
                confidence=confidence,
                message=message,
                path=self.file.path,
                line=getattr(node, "lineno", None),
                end_line=getattr(node, "end_lineno", None),
                column=getattr(node, "col_offset", -1) + 1 if hasattr(node, "col_offset") else None,
                cwe=cwe,
            )
        )
