"""Python migrations and whether they can be rolled back: Alembic revisions (with or
without a ``downgrade`` body), Django migrations (``RunPython``/``RunSQL`` without a
reverse) and yoyo steps (``step(apply)`` without a rollback)."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import Any

from ._sql_building import call_name, dotted


def _trivial_body(body: Sequence[ast.stmt]) -> bool:
    """Only ``pass``, docstrings, ``...`` and ``raise NotImplementedError``."""
    for stmt in body:
        if isinstance(stmt, ast.Pass | ast.Raise):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # docstring, ``...``
        return False
    return True


#: Django migration operations that need a reverse argument to be rolled back.
_DJANGO_REVERSE_ARG = {"RunPython": "reverse_code", "RunSQL": "reverse_sql"}


def migration_facts(tree: ast.Module) -> dict[str, Any] | None:
    """Alembic revision, Django migration or yoyo step facts of one module."""
    for reader in (_alembic_facts, _django_facts, _yoyo_facts):
        facts = reader(tree)
        if facts is not None:
            return facts
    return None


def _facts(tool: str, reversible: bool, line: int, why: str = "") -> dict[str, Any]:
    return {"tool": tool, "reversible": reversible, "line": line, "why": why}


def _assigned_names(tree: ast.Module) -> set[str]:
    """Names assigned at module level (``revision = ...``, ``down_revision: str = ...``)."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def _alembic_facts(tree: ast.Module) -> dict[str, Any] | None:
    """An Alembic revision: ``upgrade()`` and a ``revision``/``down_revision`` assignment."""
    top = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    if "upgrade" not in top or not ({"revision", "down_revision"} & _assigned_names(tree)):
        return None
    down = top.get("downgrade")
    if down is None:
        return _facts("alembic", False, 1, "no downgrade()")
    if _trivial_body(down.body):
        return _facts("alembic", False, down.lineno, "downgrade() does nothing")
    return _facts("alembic", True, down.lineno)


def _migration_class(tree: ast.Module) -> ast.ClassDef | None:
    """The top-level ``class Migration(migrations.Migration)`` of a Django migration."""
    for node in tree.body:
        if (
            isinstance(node, ast.ClassDef)
            and node.name == "Migration"
            and any(dotted(b).endswith("Migration") for b in node.bases)
        ):
            return node
    return None


def _missing_reverse(call: ast.Call) -> str | None:
    """``RunPython without reverse_code`` when the operation cannot be reversed."""
    name = call_name(call)
    reverse = _DJANGO_REVERSE_ARG.get(name)
    if reverse is None or len(call.args) >= 2 or any(k.arg == reverse for k in call.keywords):
        return None
    return f"{name} without {reverse}"


def _django_facts(tree: ast.Module) -> dict[str, Any] | None:
    """A Django migration: ``RunPython``/``RunSQL`` without a reverse is irreversible."""
    migration = _migration_class(tree)
    if migration is None:
        return None
    for call in ast.walk(migration):
        why = _missing_reverse(call) if isinstance(call, ast.Call) else None
        if why is not None:
            return _facts("django", False, getattr(call, "lineno", 1), why)
    return _facts("django", True, migration.lineno)


def _imports_yoyo(tree: ast.Module) -> bool:
    return any(
        isinstance(n, ast.ImportFrom) and (n.module or "").startswith("yoyo") for n in tree.body
    )


def _yoyo_facts(tree: ast.Module) -> dict[str, Any] | None:
    """yoyo steps: ``step(apply)`` without a rollback is irreversible (only in a module
    importing yoyo: the cheap check first, the walk of the whole tree after)."""
    if not _imports_yoyo(tree):
        return None
    steps = [
        n for n in ast.walk(tree) if isinstance(n, ast.Call) and call_name(n) == "step" and n.args
    ]
    if not steps:
        return None
    irreversible = [s for s in steps if len(s.args) < 2]
    if irreversible:
        return _facts("yoyo", False, irreversible[0].lineno, "step() without a rollback")
    return _facts("yoyo", True, steps[0].lineno)
