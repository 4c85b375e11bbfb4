"""Migrations written in C#, Go, JavaScript and TypeScript, and Prisma's and goose's SQL.

Each tool's files are recognised by their folder and content, and judged on whether they
can be rolled back:

- EF Core: a ``Migration`` subclass whose ``Down(MigrationBuilder)`` is missing or empty
  while its ``Up`` does something (designer and snapshot files are not migrations);
- goose: ``-- +goose Up`` SQL files whose ``-- +goose Down`` section is missing or empty,
  and Go migrations registered with a ``nil`` down function;
- Knex and Sequelize: migration modules whose ``down`` is missing or empty;
- TypeORM: ``MigrationInterface`` classes whose ``down()`` is empty;
- Prisma Migrate: ``migrations/<timestamp>_<name>/migration.sql``; Prisma has no down
  migrations, so reversibility does not apply to them (counted as migrations, left out of
  the reversible share).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import PurePosixPath

from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import Role

from ._migration_model import Migration

_COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/|--[^\n]*", re.DOTALL)


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def block_after(text: str, start: int) -> str | None:
    """The text between the first ``{`` at or after ``start`` and its matching ``}``
    (braces inside string literals are rare in migrations and not special-cased)."""
    opening = text.find("{", start)
    if opening < 0:
        return None
    depth = 0
    for index in range(opening, min(len(text), opening + 200_000)):
        char = text[index]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[opening + 1 : index]
    return None


def is_empty_body(body: str | None) -> bool:
    """A body with nothing but comments, ``return;``, a resolved promise or ``pass``."""
    if body is None:
        return True
    code = _COMMENTS.sub("", body)
    code = re.sub(r"\breturn\b\s*(?:Promise\.resolve\(\s*\)|null|undefined)?\s*;?", "", code)
    return not code.strip(" \t\r\n;")


def _efcore(f: SourceFile) -> list[Migration]:
    if f.name.endswith((".Designer.cs", "ModelSnapshot.cs")):
        return []
    if not re.search(r":\s*Migration\b", f.text) or "override void Up(" not in f.text:
        return []
    down = re.search(r"override\s+void\s+Down\s*\(", f.text)
    if down is None:
        return [Migration("ef core", f.path, 1, False, "no Down() method")]
    line = _line(f.text, down.start())
    up = re.search(r"override\s+void\s+Up\s*\(", f.text)
    up_empty = up is not None and is_empty_body(block_after(f.text, up.end()))
    if is_empty_body(block_after(f.text, down.end())) and not up_empty:
        return [Migration("ef core", f.path, line, False, "Down() is empty")]
    return [Migration("ef core", f.path, line, True, "")]


_GOOSE_UP = re.compile(r"(?im)^[ \t]*--\s*\+goose\s+Up\b")
_GOOSE_DOWN = re.compile(r"(?im)^[ \t]*--\s*\+goose\s+Down\b")


def goose_sql(f: SourceFile) -> list[Migration] | None:
    """A goose SQL migration (None when the file is not one)."""
    up = _GOOSE_UP.search(f.text)
    if up is None:
        return None
    down = _GOOSE_DOWN.search(f.text)
    if down is None:
        return [Migration("goose", f.path, 1, False, "no -- +goose Down section")]
    section = f.text[down.end() :]
    if down.start() < up.start():
        section = f.text[down.end() : up.start()]
    line = _line(f.text, down.start())
    if is_empty_body(re.sub(r"(?im)^\s*--\s*\+goose\b[^\n]*", "", section)):
        return [Migration("goose", f.path, line, False, "empty -- +goose Down section")]
    return [Migration("goose", f.path, line, True, "")]


_GOOSE_GO = re.compile(r"goose\.Add(?:Named)?Migration(?:Context|NoTx|NoTxContext)?\s*\(")


def _goose_go(f: SourceFile) -> list[Migration]:
    found: list[Migration] = []
    for call in _GOOSE_GO.finditer(f.text):
        args = f.text[call.end() : call.end() + 400].split(")")[0]
        last = args.split(",")[-1].strip()
        ok = last not in ("nil", "")
        why = "" if ok else "registered without a down function"
        found.append(Migration("goose", f.path, _line(f.text, call.start()), ok, why))
    return found


# ``up``/``down`` declared (exported, a module-level const exported later, an object's
# member), not called: ``knex.migrate.up()`` in a migration runner declares nothing
_JS_UP = re.compile(
    r"exports\.up\b|export\s+(?:async\s+)?function\s+up\b|export\s+const\s+up\b"
    r"|(?m:^(?:const|let|var)\s+up\s*=)|(?<![.\w$])up\s*[:(]"
)
_JS_DOWN = re.compile(
    r"exports\.down\s*=|export\s+(?:async\s+)?function\s+down\b|export\s+const\s+down\b"
    r"|(?m:^(?:const|let|var)\s+down\s*=)"
    r"|(?<![.\w$])down\s*:\s*(?:async\s*)?(?:function\b)?|(?<![.\w$])(?:async\s+)?down\s*\("
)


def _typeorm(f: SourceFile) -> list[Migration]:
    down = re.search(r"\b(?:public\s+)?(?:async\s+)?down\s*\(", f.text)
    if down is None:
        return [Migration("typeorm", f.path, 1, False, "no down() method")]
    line = _line(f.text, down.start())
    if is_empty_body(block_after(f.text, f.text.find(")", down.end()))):
        return [Migration("typeorm", f.path, line, False, "down() is empty")]
    return [Migration("typeorm", f.path, line, True, "")]


def _js_module(f: SourceFile) -> list[Migration]:
    """Knex (``exports.up``/``down``) and Sequelize (``up``/``down`` with queryInterface)."""
    if "MigrationInterface" in f.text:
        return _typeorm(f)
    if _JS_UP.search(f.text) is None:
        return []
    tool = "sequelize" if "queryInterface" in f.text else "knex"
    down = _JS_DOWN.search(f.text)
    if down is None:
        return [Migration(tool, f.path, 1, False, "no down migration")]
    line = _line(f.text, down.start())
    arrow = re.match(r"[^{;]*?=>(?!\s*\{)", f.text[down.end() : down.end() + 300])
    if arrow is not None:  # down: (knex) => knex.schema.dropTable(...)
        body = f.text[down.end() + arrow.end() : down.end() + arrow.end() + 200].split("\n")[0]
    else:
        body = block_after(f.text, down.end()) or ""
    if is_empty_body(body):
        return [Migration(tool, f.path, line, False, "down is empty")]
    return [Migration(tool, f.path, line, True, "")]


def prisma_migration(f: SourceFile) -> list[Migration] | None:
    """``migrations/<timestamp>_<name>/migration.sql`` of Prisma Migrate (None otherwise)."""
    parts = PurePosixPath(f.path).parts
    if f.name != "migration.sql" or len(parts) < 3 or not re.match(r"^\d{14}_", parts[-2]):
        return None
    why = "Prisma Migrate has no down migrations (roll back with a new migration)"
    return [Migration("prisma", f.path, 1, False, why, report=False, applicable=False)]


_READERS: dict[str, Callable[[SourceFile], list[Migration]]] = {
    "csharp": _efcore,
    "go": _goose_go,
    "javascript": _js_module,
    "typescript": _js_module,
}


def code_migrations(f: SourceFile) -> list[Migration]:
    """The migrations a C#, Go, JavaScript or TypeScript file in a migrations folder holds."""
    reader = _READERS.get(f.language)
    if reader is None or "migrat" not in f.path.lower():
        return []
    if f.language == "go" and "goose" not in f.text:
        return []
    return reader(f)


#: A line that declares an ORM entity, by language (JPA, EF Core, GORM, TypeORM, Prisma).
_ENTITY_SITES = {
    "java": re.compile(r"(?m)^[ \t]*@(?:jakarta\.persistence\.|javax\.persistence\.)?Entity\b"),
    "csharp": re.compile(r"\bDbSet<"),
    "go": re.compile(r"^[ \t]+gorm\.Model[ \t]*$|`[^`\n]*gorm:\"", re.MULTILINE),
    "typescript": re.compile(r"(?m)^[ \t]*@Entity\("),
    "prisma": re.compile(r"(?m)^[ \t]*model\s+\w+\s*\{"),
}
_NOT_SCHEMA = frozenset({Role.TEST, Role.DOCS, Role.VENDORED, Role.GENERATED})


def orm_entity_sites(files: Sequence[SourceFile]) -> list[tuple[str, int]]:
    """(path, line) of every non-test file that declares ORM entities: the schema is
    defined there even when no SQL file creates a table."""
    sites: list[tuple[str, int]] = []
    for f in files:
        pattern = _ENTITY_SITES.get(f.language)
        if pattern is None or f.role in _NOT_SCHEMA:
            continue
        match = pattern.search(f.text)
        if match is not None:
            sites.append((f.path, _line(f.text, match.start())))
    return sorted(sites)
