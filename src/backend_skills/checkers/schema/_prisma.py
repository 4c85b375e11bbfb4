"""Prisma schema files (``schema.prisma``): ``model`` blocks.

Read: scalar fields (required unless ``?``; list fields ``[]`` are no column), ``@id``,
``@@id([...])``, ``@unique``, ``@@unique([...])``, ``@@index([...])``, ``@map``/``@@map``,
enums (columns), and ``@relation(fields: [...], references: [...])`` (a foreign key
on the listed fields). A field whose type is another model is a relation, not a column.
"""

from __future__ import annotations

import re
from typing import Literal

from ._facts import ColumnFacts, ModelFacts, SchemaFacts, empty_facts, new_column
from ._models import new_model

ORIGIN = "prisma"

MARKERS = ("model ",)

_BLOCK = re.compile(r"(?m)^\s*(model|enum|type|view)\s+(\w+)\s*\{")
_FIELD = re.compile(r"^\s*(\w+)\s+([\w.]+)(\[\])?(\?)?(.*)$")
_LIST = re.compile(r"\[([^\]]*)\]")
_SCALARS = frozenset(
    {"String", "Boolean", "Int", "BigInt", "Float", "Decimal", "DateTime", "Json", "Bytes"}
)


def _blocks(text: str) -> list[tuple[str, str, int, list[tuple[int, str]]]]:
    """(kind, name, line, [(line, body line)]) of every top-level block."""
    blocks: list[tuple[str, str, int, list[tuple[int, str]]]] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        match = _BLOCK.match(lines[index])
        index += 1
        if match is None:
            continue
        body: list[tuple[int, str]] = []
        start = index
        while index < len(lines) and not lines[index].strip().startswith("}"):
            body.append((index + 1, re.sub(r"//.*$", "", lines[index])))
            index += 1
        blocks.append((match.group(1), match.group(2), start, body))
    return blocks


def read_prisma(path: str, text: str) -> SchemaFacts:
    """The models of one Prisma schema file."""
    facts = empty_facts()
    blocks = _blocks(text)
    enums = {name for kind, name, _, _ in blocks if kind in ("enum", "type")}
    models = [
        _model(name, line, body, enums) for kind, name, line, body in blocks if kind == "model"
    ]
    if models:
        facts["models"] = models
    return facts


class _ModelReader:
    """Reads one ``model`` block: columns by field name, relations, block attributes."""

    def __init__(self, name: str, line: int, enums: set[str]) -> None:
        self.model = new_model(name, line, ORIGIN, entity=True)
        self.enums = enums
        self.columns: dict[str, ColumnFacts] = {}
        self.relations: list[tuple[list[str], str]] = []

    def read(self, body: list[tuple[int, str]]) -> ModelFacts:
        for field_line, raw in body:
            stripped = raw.strip()
            if stripped.startswith("@@"):
                _block_attribute(stripped, self.model)
            else:
                self._field(field_line, raw)
        for names, target in self.relations:
            for name in names:
                if name in self.columns:
                    self.columns[name]["ref"] = target
        rename = {field: col["name"] for field, col in self.columns.items()}
        model = self.model
        for group in (model["pk"], *model["uniques"], *model["indexes"]):
            group[:] = [rename.get(c, c) for c in group]
        return model

    def _is_column_type(self, type_: str) -> bool:
        return type_ in _SCALARS or type_ in self.enums or type_.startswith("Unsupported")

    def _field(self, field_line: int, raw: str) -> None:
        """A scalar field (a column) or a relation field (its ``fields`` are a foreign key)."""
        match = _FIELD.match(raw)
        if match is None:
            return
        field, type_, is_list, optional, attrs = match.groups()
        if not self._is_column_type(type_):
            self.relations.extend(_relation(attrs, type_))
            return
        if is_list:
            return
        mapped = re.search(r"@map\(\s*\"([^\"]+)\"", attrs)
        pk = re.search(r"@id\b", attrs) is not None
        col = new_column(
            mapped.group(1) if mapped else field,
            field_line,
            not_null=not optional,
            pk=pk,
            unique=re.search(r"@unique\b", attrs) is not None,
        )
        self.columns[field] = col
        self.model["columns"].append(col)
        if pk:
            self.model["pk"].append(col["name"])


def _model(name: str, line: int, body: list[tuple[int, str]], enums: set[str]) -> ModelFacts:
    return _ModelReader(name, line, enums).read(body)


_GROUPS: dict[str, Literal["uniques", "indexes"]] = {
    "@@unique": "uniques",
    "@@index": "indexes",
}


def _block_attribute(text: str, model: ModelFacts) -> None:
    """``@@map("t")``, ``@@id([a, b])``, ``@@unique([...])`` and ``@@index([...])``."""
    if text.startswith("@@map"):
        mapped = re.search(r"\"([^\"]+)\"", text)
        model["table"] = mapped.group(1) if mapped else None
        return
    cols = _field_list(text)
    kind = text.split("(")[0].strip()
    if cols and kind == "@@id":
        model["pk"] = cols
    elif cols and kind in _GROUPS:
        model[_GROUPS[kind]].append(cols)


def _field_list(text: str) -> list[str]:
    """``[a, b(sort: Desc)]`` -> [a, b]."""
    fields = _LIST.search(text)
    cols = [c.strip().split("(")[0] for c in fields.group(1).split(",")] if fields else []
    return [c for c in cols if c]


def _relation(attrs: str, target: str) -> list[tuple[list[str], str]]:
    """``@relation(fields: [authorId], references: [id])``: a foreign key on the fields."""
    fields = re.search(r"fields\s*:\s*\[([^\]]*)\]", attrs)
    if fields is None:
        return []
    return [([f.strip() for f in fields.group(1).split(",") if f.strip()], target)]
