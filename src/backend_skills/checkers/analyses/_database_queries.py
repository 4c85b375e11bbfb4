"""Query safety and query patterns in one Python module (the ``database`` analysis's
per-file visitor).

- **query safety** (``BSDB001``, :mod:`._query_safety`): SQL passed to
  ``execute``/``executemany``/``executescript``/``exec_driver_sql``, ``text()``,
  ``.raw()``, ``.extra()``, ``RawSQL``, ``read_sql`` or asyncpg's ``fetch*`` that is built
  with an f-string, ``%``, ``+`` or ``.format`` from non-constant values, followed through
  local variables; SQL whose text is constant (values passed as parameters) is the
  positive evidence;
- **query patterns**: ``SELECT *`` in SQL strings (``BSDB010``) and queries issued inside
  ``for`` loops and comprehensions over non-constant collections, the N+1 shape
  (``BSDB011``);
- the facts ``reduce`` needs: whether the module reaches a database (a driver, an ORM, SQL
  sites) and its SQL sites by how they are built.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import Confidence, Finding, Role, Severity

from ._database_vocabulary import (
    DRIVER_MODULES,
    EXISTS_BEFORE,
    ORM_MODULES,
    ORM_QUERY_ATTRS,
    PLACEHOLDER,
    SELECT_STAR,
    SESSION_QUERY_ATTRS,
    SQL_LIKE,
    SQL_START,
    STRONG_SINKS,
    WEAK_SINKS,
    WRAPPER_SINKS,
)
from ._query_safety import (
    CHECKER,
    SKILL,
    Site,
    passes_parameters,
    sql_argument,
    unsafe_finding,
    value_confidence,
)
from ._sql_building import Built, Resolver, Scope, call_name, dotted, is_upper_name

PATTERNS = "database.query_patterns"

#: Node types with no child node (or only names): :class:`QueryVisitor` has nothing to do
#: there.
LEAVES: frozenset[type[ast.AST]] = frozenset(
    {
        ast.Name,
        ast.Pass,
        ast.Break,
        ast.Continue,
        ast.Global,
        ast.Nonlocal,
        ast.alias,
        *(
            kind
            for base in (ast.expr_context, ast.operator, ast.boolop, ast.cmpop, ast.unaryop)
            for kind in base.__subclasses__()
        ),
    }
)

#: Driver calls that always run the SQL they are given.
_DRIVER_QUERIES = frozenset({"execute", "exec_driver_sql", "read_sql", "read_sql_query"})
#: Calls that run SQL only when their first argument reads as SQL (``raw`` is also Django's).
_READ_QUERIES = frozenset({"fetch", "fetchrow", "fetchval", "raw"})


class QueryVisitor(ast.NodeVisitor):
    """Query safety and query patterns of one module, and the facts ``reduce`` needs."""

    def __init__(self, file: SourceFile, tree: ast.Module) -> None:
        self.file = file
        self.tree = tree
        self.module_scope = Scope.build(tree)
        self.scopes: list[Scope] = [self.module_scope]
        self.loops: list[list[ast.AST]] = [[]]
        self.findings: list[Finding] = []
        self.sites: list[Site] = []
        self.maybe_sites: list[Site] = []
        self.loop_lines: set[int] = set()
        self.star_lines: set[int] = set()
        self.imports: set[str] = set()
        self.sqlalchemy_aliases: set[str] = {"sqlalchemy", "sa"}
        self.text_imported = False
        self.orm_usage = False
        self.skip_patterns = file.role is Role.MIGRATION
        self._methods: dict[type[ast.AST], Callable[[Any], None]] = {}

    # -- dispatch (``ast.NodeVisitor``'s, without its per-node lookups) -------------------

    def visit(self, node: ast.AST) -> None:
        """Call ``visit_<Type>`` for ``node``, else visit its children."""
        self._method(type(node))(node)

    def generic_visit(self, node: ast.AST) -> None:
        """Visit every child node but leaves (names, contexts, operators), which hold
        nothing to visit."""
        method = self._method
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST) and type(item) not in LEAVES:
                        method(type(item))(item)
            elif isinstance(value, ast.AST) and type(value) not in LEAVES:
                method(type(value))(value)

    def _method(self, kind: type[ast.AST]) -> Callable[[Any], None]:
        found = self._methods.get(kind)
        if found is not None:
            return found
        method: Callable[[Any], None] = getattr(self, "visit_" + kind.__name__, self.generic_visit)
        self._methods[kind] = method
        return method

    # -- structure ---------------------------------------------------------------------

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.imports.add(alias.name)
            if alias.name == "sqlalchemy":
                self.sqlalchemy_aliases.add(alias.asname or "sqlalchemy")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        self.imports.add(module)
        for alias in node.names:
            self.imports.add(f"{module}.{alias.name}")
            if module.startswith("sqlalchemy") and alias.name == "text":
                self.text_imported = True

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        self.scopes.insert(0, Scope.build(node))
        self.loops.append([])
        self.generic_visit(node)
        self.loops.pop()
        self.scopes.pop(0)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._function(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._function(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._function(node)

    def _loop(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.target)
        self.visit(node.iter)
        if _constant_iterable(node.iter):
            for stmt in [*node.body, *node.orelse]:
                self.visit(stmt)
            return
        self.loops[-1].append(node)
        for stmt in node.body:
            self.visit(stmt)
        self.loops[-1].pop()
        for stmt in node.orelse:
            self.visit(stmt)

    def visit_For(self, node: ast.For) -> None:
        self._loop(node)

    def visit_AsyncFor(self, node: ast.AsyncFor) -> None:
        self._loop(node)

    def _comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
    ) -> None:
        for gen in node.generators:
            self.visit(gen)
        constant = all(_constant_iterable(g.iter) for g in node.generators)
        if not constant:
            self.loops[-1].append(node)
        if isinstance(node, ast.DictComp):
            self.visit(node.key)
            self.visit(node.value)
        else:
            self.visit(node.elt)
        if not constant:
            self.loops[-1].pop()

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self._comprehension(node)

    def visit_SetComp(self, node: ast.SetComp) -> None:
        self._comprehension(node)

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> None:
        self._comprehension(node)

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._comprehension(node)

    # -- strings: SELECT * ---------------------------------------------------------------

    def visit_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return  # docstrings and bare strings are not queries
        self.generic_visit(node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        text = "".join(
            v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else " x "
            for v in node.values
        )
        self._select_star(text, node.lineno)
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                self.visit(value)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            self._select_star(node.value, node.lineno)

    def _select_star(self, text: str, line: int) -> None:
        if self.skip_patterns or line in self.star_lines or "*" not in text:
            return
        for match in SELECT_STAR.finditer(text):
            if EXISTS_BEFORE.search(text[: match.start()]):
                continue
            self.star_lines.add(line)
            self.findings.append(
                self._finding(
                    "BSDB010",
                    PATTERNS,
                    Severity.MEDIUM,
                    Confidence.HIGH,
                    "SELECT * in an application query: name the columns the code reads",
                    line,
                )
            )
            return

    # -- calls ---------------------------------------------------------------------------

    def visit_Call(self, node: ast.Call) -> None:
        name = call_name(node)
        self.orm_usage = self.orm_usage or orm_call(node)
        if self._is_sink(node, name):
            self._sink(node, name)
        elif name == "extra" and isinstance(node.func, ast.Attribute) and node.keywords:
            self._extra(node)
        if self.loops[-1] and not self.skip_patterns and self._is_query_call(node, name):
            self._in_loop(node, name)
        self.generic_visit(node)

    def _is_sink(self, node: ast.Call, name: str) -> bool:
        if name in STRONG_SINKS or name in WEAK_SINKS:
            return True
        return name in WRAPPER_SINKS and self._is_wrapper(node, name)

    def _is_wrapper(self, node: ast.Call, name: str) -> bool:
        if name == "RawSQL":
            return True
        if isinstance(node.func, ast.Name):
            return self.text_imported
        if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
            return node.func.value.id in self.sqlalchemy_aliases or node.func.value.id == "db"
        return False

    def _sink(self, node: ast.Call, name: str) -> None:
        arg = sql_argument(node)
        if arg is None or (isinstance(arg, ast.Call) and call_name(arg) in WRAPPER_SINKS):
            return  # no SQL, or the text()/RawSQL() call is the site
        built = Resolver(self.scopes).classify(arg)
        strong = name in STRONG_SINKS or name in WRAPPER_SINKS
        if not reads_as_sql(built.text, strong):
            if strong and built.kind in ("unknown", "param"):
                # SQL we cannot read (from a caller or a call): a site only in a file
                # that imports a database driver or ORM.
                self.maybe_sites.append(Site(node.lineno, name, built, False))
            return
        if built.kind == "dynamic" and not built.text.strip():
            built = Built("unknown", line=built.line)
        self._site(Site(node.lineno, name, built, passes_parameters(node)))

    def _site(self, site: Site) -> None:
        self.sites.append(site)
        if site.built.kind == "dynamic":
            confidence = value_confidence(site.built.values, self.scopes)
            self.findings.append(unsafe_finding(self.file.path, site, confidence))

    def _extra(self, node: ast.Call) -> None:
        """Django's ``.extra(where=[...], select={...})``: each SQL piece is a site."""
        resolver = Resolver(self.scopes)
        params = any(k.arg in ("params", "select_params") for k in node.keywords)
        for kw in node.keywords:
            if kw.arg in ("where", "select", "tables", "order_by"):
                for item in extra_items(kw.value):
                    self._site(Site(node.lineno, "extra", resolver.classify(item), params))

    # -- N+1 -----------------------------------------------------------------------------

    def _is_query_call(self, node: ast.Call, name: str) -> bool:
        """A call that runs a query: SQL through a driver, or an ORM query method."""
        if name in _DRIVER_QUERIES or (name in _READ_QUERIES and node.args):
            arg = sql_argument(node)
            if arg is None:
                return False
            if name in _READ_QUERIES:
                return bool(SQL_LIKE.search(Resolver(self.scopes).classify(arg).text))
            return True
        return isinstance(node.func, ast.Attribute) and orm_query(node.func, name)

    def _in_loop(self, node: ast.Call, name: str) -> None:
        if node.lineno in self.loop_lines:
            return
        self.loop_lines.add(node.lineno)
        loop = self.loops[-1][-1]
        kind = "comprehension" if not isinstance(loop, ast.For | ast.AsyncFor) else "loop"
        self.findings.append(
            self._finding(
                "BSDB011",
                PATTERNS,
                Severity.MEDIUM,
                Confidence.MEDIUM,
                f"query ({name}) issued inside a {kind} starting at line "
                f"{getattr(loop, 'lineno', node.lineno)} (N+1 pattern): fetch the rows in one "
                "query (JOIN, IN/ANY, executemany, selectinload, select_related)",
                node.lineno,
            )
        )

    def _finding(
        self,
        rule: str,
        criterion: str,
        severity: Severity,
        confidence: Confidence,
        message: str,
        line: int,
    ) -> Finding:
        return Finding(
            checker=CHECKER,
            rule=rule,
            skill=SKILL,
            criterion=criterion,
            severity=severity,
            confidence=confidence,
            message=message,
            path=self.file.path,
            line=line,
        )

    # -- summary -------------------------------------------------------------------------

    def data(self) -> dict[str, Any]:
        """Whether the module reaches a database (driver, ORM, SQL sites) and its sites."""
        driver = imports_driver(self.imports)
        orm = self.orm_usage or imports_orm(self.imports)
        if driver or orm:
            self.sites.extend(self.maybe_sites)
            self.sites.sort(key=lambda s: s.line)
        sites = self.sites
        return {
            "db_access": driver or orm or bool(sites),
            "orm": orm,
            "sites": site_counts(sites),
            "raw_sites": len(sites),
            "first_site": min((s.line for s in sites), default=0),
        }


def reads_as_sql(text: str, strong: bool) -> bool:
    """Text that is SQL: a statement anywhere, or (for a call that only takes SQL, such
    as ``execute``) text that starts like one."""
    return bool(SQL_LIKE.search(text)) or (strong and bool(SQL_START.match(text)))


def orm_call(node: ast.Call) -> bool:
    """``Model.objects.filter(...)``, ``session.query(...)``: the ORM in use."""
    if not isinstance(node.func, ast.Attribute):
        return False
    chain = dotted(node.func)
    return ".objects." in f".{chain}" or chain.endswith("session.query")


def orm_query(func: ast.Attribute, name: str) -> bool:
    """An ORM call that queries: ``Model.objects.get``, ``Model.query.filter``,
    ``session.execute``/``scalars``..."""
    chain = dotted(func)
    if name in ORM_QUERY_ATTRS and (".objects." in f".{chain}" or ".query." in chain):
        return True
    owner = chain.rsplit(".", 1)[0] if "." in chain else ""
    return name in SESSION_QUERY_ATTRS and owner.lower().endswith("session")


def extra_items(value: ast.expr) -> list[ast.expr]:
    """The SQL pieces of an ``.extra()`` argument: list items or dict values."""
    if isinstance(value, ast.List | ast.Tuple):
        return list(value.elts)
    if isinstance(value, ast.Dict):
        return [v for v in value.values if v is not None]
    return []


def imports_driver(imports: set[str]) -> bool:
    """A database driver imported (``psycopg``, ``sqlite3``, ``asyncpg``...)."""
    roots = {m.split(".")[0] for m in imports}
    return bool(roots & DRIVER_MODULES) or any(m in DRIVER_MODULES for m in imports)


def imports_orm(imports: set[str]) -> bool:
    """An ORM imported (SQLAlchemy, Django's models, Peewee...)."""
    return any(m in ORM_MODULES or any(m.startswith(o + ".") for o in ORM_MODULES) for m in imports)


def site_counts(sites: list[Site]) -> dict[str, int]:
    """Sites by how their SQL is built: parameterised, constant, dynamic, not resolved."""
    counts = {"param": 0, "static": 0, "dynamic": 0, "unknown": 0}
    for site in sites:
        counts[_site_kind(site)] += 1
    return counts


def _site_kind(site: Site) -> str:
    kind = site.built.kind
    if kind == "static":
        has_placeholder = bool(PLACEHOLDER.search(site.built.text))
        return "param" if site.params or has_placeholder else "static"
    return "dynamic" if kind == "dynamic" else "unknown"


def _constant_iterable(node: ast.expr) -> bool:
    """A loop over a literal collection or an UPPER_CASE constant (setup, not per row)."""
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return all(isinstance(e, ast.Constant) for e in node.elts)
    if isinstance(node, ast.Name):
        return is_upper_name(node.id)
    if isinstance(node, ast.Attribute):
        return is_upper_name(node.attr)
    return False
