"""Tables declared by Python code: SQLAlchemy, SQLModel, Alembic and Django.

:func:`read_python_schema` reads SQLAlchemy declarative models and ``Table(...)``,
SQLModel tables, Alembic ``op.create_table`` / ``op.create_index`` /
``op.create_foreign_key`` ... inside ``upgrade()``, Django models and Django migration
``CreateModel`` / ``AddField`` / ``AddIndex`` / ``AddConstraint``. The module is parsed,
never imported or run. The readers live in ``_sqlalchemy`` (SQLAlchemy, SQLModel),
``_alembic`` and ``_django``; this module decides which one reads what.
"""

from __future__ import annotations

import ast

from ._alembic import alembic_upgrade
from ._django import django_model, has_django_fields, is_migration, migration_facts
from ._facts import SchemaFacts, empty_facts
from ._pyast import call_name, dotted
from ._sqlalchemy import class_markers, sa_class_table, sa_table_call, sqlmodel_table

#: Cheap substrings that must appear before a Python file is parsed for schema facts.
PYTHON_SCHEMA_MARKERS = (
    "__tablename__",
    "mapped_column",
    "Column(",
    "create_table",
    "create_index",
    "create_foreign_key",
    "models.Model",
    "CreateModel",
    "Table(",
    "table=True",
)


def has_python_schema_markers(text: str) -> bool:
    """Whether ``text`` may declare tables (decides which Python files are parsed)."""
    return any(marker in text for marker in PYTHON_SCHEMA_MARKERS)


def _is_true_keyword(kw: ast.keyword, name: str) -> bool:
    """``name=True`` in a class statement or call (SQLModel's ``table=True``)."""
    return kw.arg == name and isinstance(kw.value, ast.Constant) and kw.value.value is True


class _PythonSchemaReader:
    """Collects tables from one parsed Python module."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.facts = empty_facts()
        self.django_models: set[str] = set()

    def read(self) -> SchemaFacts:
        for cls in ast.walk(self.tree):
            if isinstance(cls, ast.ClassDef):
                self._class(cls)
        for node in self.tree.body:
            self._module_statement(node)
        if is_migration(self.tree):
            tables, changes = migration_facts(self.tree)
            self.facts["tables"].extend(tables)
            self.facts["changes"].extend(changes)
        return self.facts

    def _module_statement(self, node: ast.stmt) -> None:
        """``Table(...)`` assignments and Alembic ``upgrade()`` functions."""
        if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Call):
            table = sa_table_call(node.value) if call_name(node.value) == "Table" else None
            if table is not None:
                self.facts["tables"].append(table)
        elif isinstance(node, ast.FunctionDef) and node.name.startswith("upgrade"):
            tables, changes = alembic_upgrade(node)
            self.facts["tables"].extend(tables)
            self.facts["changes"].extend(changes)

    def _is_django(self, node: ast.ClassDef, bases: set[str]) -> bool:
        if any(b.endswith("models.Model") or b in self.django_models for b in bases):
            return True
        return "Model" in bases and has_django_fields(node)

    def _class(self, node: ast.ClassDef) -> None:
        """A Django model, a SQLModel table or a SQLAlchemy declarative class."""
        tablename, abstract = class_markers(node)
        if abstract:
            return
        bases = {dotted(b) for b in node.bases}
        if self._is_django(node, bases):
            table = django_model(node, self.django_models)
        elif any(_is_true_keyword(kw, "table") for kw in node.keywords):
            table = sqlmodel_table(node, tablename)
        else:
            table = sa_class_table(node, tablename, bases)
        if table is not None:
            self.facts["tables"].append(table)


def read_python_schema(tree: ast.Module) -> SchemaFacts:
    """Tables declared by SQLAlchemy, SQLModel, Alembic or Django code in ``tree``."""
    return _PythonSchemaReader(tree).read()
