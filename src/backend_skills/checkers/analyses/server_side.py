"""Server-side programming practice read from the shared parse of each Python file.

Every rule is documented in ``docs/server-side.md`` (what it matches and what it does
not). Only files whose role is ``source`` are measured, except for tests, which are
counted in test files.

- Type annotations (``server_side.type_annotations``): share of annotatable slots of
  function signatures (parameters and returns) that carry an annotation.
- Docstrings (``server_side.docstrings``): share of the public API (modules, classes,
  functions and methods) with a non-empty docstring.
- Error handling (``server_side.error_handling``): ``BSSRV001`` a bare ``except:``,
  ``BSSRV002`` a broad handler (``Exception``/``BaseException``) whose body only
  passes, ``BSSRV003`` a broad handler that neither re-raises, logs nor uses the error.
- Tests (``server_side.tests``): test functions that assert something, per function or
  method of source code.
- The web frameworks imported are reported as a note (informational).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from typing import Any, TypeGuard

from backend_skills.core.checker import CheckContext
from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import CheckResult, Confidence, Finding, Metric, Role, Severity

from . import Analysis, Visit
from ._server_common import FunctionNode, Imports, dotted, tree_index, walk_body, web_frameworks

SKILL = "server_side"
TYPE_ANNOTATIONS = "server_side.type_annotations"
DOCSTRINGS = "server_side.docstrings"
ERROR_HANDLING = "server_side.error_handling"
TESTS = "server_side.tests"

_BROAD = frozenset({"Exception", "BaseException", "builtins.Exception", "builtins.BaseException"})
#: Called names that count as logging the error (BSSRV003 does not fire).
_LOG_CALLS = frozenset(
    {
        "debug",
        "info",
        "warning",
        "warn",
        "error",
        "exception",
        "critical",
        "fatal",
        "log",
        "capture_exception",
        "capture_message",
        "print_exc",
        "print_exception",
        "format_exc",
    }
)
#: Called names that count as an assertion inside a test function.
_ASSERT_CALLS = frozenset({"raises", "warns", "fail", "deprecated_call", "assertRaises"})


class ServerSideAnalysis(Analysis):
    """Annotations, docstrings, error handling, tests and frameworks."""

    name = "server_side"
    provides = (
        "server_side.annotation_coverage",
        "server_side.docstring_coverage",
        "server_side.test_ratio",
        "server_side.test_functions",
        "server_side.test_files",
    )
    feeds = (ERROR_HANDLING,)

    def visit(self, file: SourceFile, tree: ast.Module, options: Mapping[str, Any]) -> Visit:
        """Per-file counts; error-handling findings in source files."""
        if file.role is Role.TEST:
            return Visit(data=_test_counts(tree))
        if file.role is not Role.SOURCE:
            return Visit()
        index = tree_index(tree)
        imports = index.imports
        slots, annotated = _annotation_counts(tree)
        public, documented = _docstring_counts(tree)
        return Visit(
            findings=list(_error_handling(file, tree, imports)),
            data={
                "source": True,
                "slots": slots,
                "annotated": annotated,
                "public": public,
                "documented": documented,
                "functions": len(index.functions()),
                "frameworks": web_frameworks(imports),
            },
        )

    def reduce(self, ctx: CheckContext, data: Mapping[str, dict[str, Any]]) -> CheckResult:
        """Coverage ratios, the test ratio and the frameworks note."""
        result = CheckResult()
        sources = [d for d in data.values() if d.get("source")]
        tests = [d for d in data.values() if "tests" in d]
        totals = _totals(sources, tests)
        result.metrics += _metrics(totals, len(sources), len(tests))
        if not sources and not _other_code(ctx):
            for criterion in (TYPE_ANNOTATIONS, DOCSTRINGS, ERROR_HANDLING, TESTS):
                result.not_applicable[criterion] = "no Python source files"
            return result
        result.notes += _notes(totals)
        result.notes.append(_frameworks_note(sources))
        return result


def _totals(sources: list[dict[str, Any]], tests: list[dict[str, Any]]) -> dict[str, int]:
    """The per-file counts summed: source counts over ``sources``, test counts over ``tests``."""
    totals = {
        key: sum(int(d[key]) for d in sources)
        for key in ("slots", "annotated", "public", "documented", "functions")
    }
    totals["tests"] = sum(int(d["tests"]) for d in tests)
    totals["without_assert"] = sum(int(d["without_assert"]) for d in tests)
    totals["test_files"] = sum(1 for d in tests if d["tests"])
    return totals


def _other_code(ctx: CheckContext) -> bool:
    """Source files in a language the tree-sitter checker measures (it scores these
    criteria for them: they are not "not applicable" for want of Python)."""
    from backend_skills.languages import LANGUAGES

    return any(f.language in LANGUAGES and f.role is Role.SOURCE for f in ctx.fileset.files)


def _metrics(totals: Mapping[str, int], sources: int, tests: int) -> list[Metric]:
    return [
        _ratio(
            "server_side.annotation_coverage",
            totals["annotated"],
            totals["slots"],
            sources,
            "no function signatures in Python source files",
        ),
        _ratio(
            "server_side.docstring_coverage",
            totals["documented"],
            totals["public"],
            sources,
            "no public modules, classes or functions in Python source files",
        ),
        _ratio(
            "server_side.test_ratio",
            totals["tests"],
            totals["functions"],
            sources,
            "no functions or methods in Python source files to test",
            clamp=False,
        ),
        Metric(
            name="server_side.test_functions",
            value=totals["tests"],
            unit="tests",
            files=tests,
            combine="sum",
        ),
        Metric(
            name="server_side.test_files",
            value=totals["test_files"],
            unit="files",
            files=tests,
            combine="sum",
        ),
    ]


def _notes(totals: Mapping[str, int]) -> list[str]:
    empty = totals["without_assert"]
    unasserted = f" ({empty} test functions without any assertion not counted)" if empty else ""
    return [
        f"type annotations: {totals['annotated']} of {totals['slots']} signature slots;"
        f" docstrings: {totals['documented']} of {totals['public']} public objects",
        f"tests: {totals['tests']} test functions with assertions in {totals['test_files']}"
        f" files for {totals['functions']} source functions{unasserted}",
    ]


def _frameworks_note(sources: list[dict[str, Any]]) -> str:
    frameworks: dict[str, int] = {}
    for d in sources:
        for name in d["frameworks"]:
            frameworks[name] = frameworks.get(name, 0) + 1
    if not frameworks:
        return "web framework: none detected"
    listed = ", ".join(f"{k} ({v} files)" for k, v in sorted(frameworks.items()))
    return f"web framework: {listed}"


def _ratio(name: str, part: int, whole: int, files: int, why: str, *, clamp: bool = True) -> Metric:
    if whole == 0:
        return Metric(name=name, value=None, reason=why, files=files)
    value = part / whole
    return Metric(
        name=name,
        value=round(min(value, 1.0) if clamp else value, 4),
        unit="ratio",
        files=files,
        combine="mean",  # with other languages' values, weighted by the denominator
        weight=whole,
    )


# --------------------------------------------------------------------------- annotations


def _decorator_names(node: FunctionNode | ast.ClassDef) -> set[str]:
    names = set()
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = dotted(target)
        if name:
            names.add(name)
            names.add(name.rsplit(".", 1)[-1])
    return names


def _method_ids(tree: ast.Module) -> set[int]:
    """Ids of the functions defined in a class body (directly, or under its if/try)."""
    found: set[int] = set()
    for cls in tree_index(tree).of(ast.ClassDef):
        if not isinstance(cls, ast.ClassDef):
            continue
        stack: list[ast.stmt] = list(cls.body)
        while stack:
            stmt = stack.pop()
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                found.add(id(stmt))
            elif isinstance(stmt, ast.If | ast.Try | ast.With):
                stack.extend(stmt.body)
                stack.extend(getattr(stmt, "orelse", []))
                stack.extend(getattr(stmt, "finalbody", []))
                for handler in getattr(stmt, "handlers", []):
                    stack.extend(handler.body)
    return found


def _annotation_counts(tree: ast.Module) -> tuple[int, int]:
    """(annotatable slots, annotated slots) over every function signature."""
    slots = annotated = 0
    methods = _method_ids(tree)
    for func in tree_index(tree).functions():
        is_method = id(func) in methods
        args = func.args
        params = [*args.posonlyargs, *args.args]
        if is_method and params and "staticmethod" not in _decorator_names(func):
            params = params[1:]  # self / cls
        params += args.kwonlyargs
        if args.vararg is not None:
            params.append(args.vararg)
        if args.kwarg is not None:
            params.append(args.kwarg)
        slots += len(params)
        annotated += sum(1 for p in params if p.annotation is not None)
        if func.name != "__init__":
            slots += 1
            annotated += func.returns is not None
    return slots, annotated


# --------------------------------------------------------------------------- docstrings


def _has_docstring(node: ast.Module | ast.ClassDef | FunctionNode) -> bool:
    doc = ast.get_docstring(node, clean=True)
    return bool(doc and doc.strip())


def _is_public(name: str) -> bool:
    return not name.startswith("_")


def _docstring_counts(tree: ast.Module) -> tuple[int, int]:
    """(public objects, documented ones): the module when it defines a public class or
    function, public classes (also nested in public classes), public top-level functions
    and public methods of public classes. Not counted: names starting with ``_`` (dunder
    methods included), nested functions, ``@overload`` stubs and property setters and
    deleters."""
    public = documented = 0
    defines_public = False
    stack: list[ast.Module | ast.ClassDef] = [tree]
    while stack:
        owner = stack.pop()
        for child in owner.body:
            if not _counted(child):
                continue
            public += 1
            documented += _has_docstring(child)
            defines_public = True
            if isinstance(child, ast.ClassDef):
                stack.append(child)
    if defines_public:
        public += 1
        documented += _has_docstring(tree)
    return public, documented


def _counted(node: ast.stmt) -> TypeGuard[ast.ClassDef | FunctionNode]:
    """Whether ``node`` is a public class or function whose docstring counts (not an
    ``@overload`` stub, a property setter or deleter)."""
    if isinstance(node, ast.ClassDef):
        return _is_public(node.name)
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or not _is_public(node.name):
        return False
    decorators = _decorator_names(node)
    return "overload" not in decorators and not any(
        d.endswith((".setter", ".deleter")) for d in decorators
    )


# --------------------------------------------------------------------------- error handling


def _is_broad(node: ast.expr | None, imports: Imports) -> bool:
    if node is None:
        return True
    if isinstance(node, ast.Tuple):
        return any(_is_broad(e, imports) for e in node.elts)
    name = dotted(node)
    return name in _BROAD or (imports.resolve(node) or "") in _BROAD


def _is_silent(body: list[ast.stmt]) -> bool:
    for stmt in body:
        if isinstance(stmt, ast.Pass | ast.Continue):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # ``...`` or a string
        return False
    return True


def _logs(call: ast.Call) -> bool:
    """Whether ``call`` logs or reports an error (``logger.error``, ``traceback.print_exc``,
    ``sentry_sdk.capture_exception``...)."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    full = dotted(func) or ""
    return name in _LOG_CALLS or full.startswith(
        ("logging.", "traceback.", "sentry_sdk.", "warnings.")
    )


def _handles(handler: ast.ExceptHandler) -> tuple[bool, bool, bool]:
    """(re-raises, logs, uses the bound exception name) inside the handler body."""
    raises = logs = uses = False
    for node in walk_body(handler.body):
        if isinstance(node, ast.Raise):
            raises = True
        elif isinstance(node, ast.Call):
            logs = logs or _logs(node)
        elif isinstance(node, ast.Name) and handler.name and node.id == handler.name:
            uses = True
    return raises, logs, uses


_Verdict = tuple[str, Severity, Confidence, str]
"""(rule, severity, confidence, message) of an error-handling finding."""


def _verdict(handler: ast.ExceptHandler) -> _Verdict | None:
    """What is wrong with a broad handler: bare, silent, or swallowing (None when it
    re-raises, or logs or uses the error)."""
    silent = _is_silent(handler.body)
    raises, logs, uses = _handles(handler)
    if raises:
        return None
    if handler.type is None:
        severity = Severity.HIGH if silent else Severity.MEDIUM
        return (
            "BSSRV001",
            severity,
            Confidence.HIGH,
            "bare `except:` also catches SystemExit and KeyboardInterrupt"
            + (" and silently discards the error" if silent else "")
            + "; catch the exceptions you expect",
        )
    if silent:
        return (
            "BSSRV002",
            Severity.MEDIUM,
            Confidence.HIGH,
            "broad `except` whose body only passes: every error is swallowed silently;"
            " catch specific exceptions or log and re-raise",
        )
    if not logs and not uses:
        return (
            "BSSRV003",
            Severity.LOW,
            Confidence.MEDIUM,
            "broad `except` that neither re-raises, logs nor uses the error: failures"
            " disappear; log it or catch specific exceptions",
        )
    return None


def _error_handling(file: SourceFile, tree: ast.Module, imports: Imports) -> Iterator[Finding]:
    for node in tree_index(tree).of(ast.ExceptHandler):
        if not isinstance(node, ast.ExceptHandler) or not _is_broad(node.type, imports):
            continue
        verdict = _verdict(node)
        if verdict is not None:
            rule, severity, confidence, message = verdict
            yield _finding(file, rule, severity, confidence, message, node)


def _finding(
    file: SourceFile,
    rule: str,
    severity: Severity,
    confidence: Confidence,
    message: str,
    node: ast.ExceptHandler,
) -> Finding:
    return Finding(
        checker="python_ast",
        rule=rule,
        skill=SKILL,
        criterion=ERROR_HANDLING,
        severity=severity,
        confidence=confidence,
        message=message,
        path=file.path,
        line=node.lineno,
        end_line=node.end_lineno,
        column=node.col_offset + 1,
    )


# --------------------------------------------------------------------------- tests


def _is_test_function(node: ast.stmt) -> TypeGuard[FunctionNode]:
    return isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")


def _is_test_class(node: ast.ClassDef) -> bool:
    """Named ``Test*`` or deriving from a ``*TestCase``."""
    bases = [dotted(b) or "" for b in node.bases]
    return node.name.startswith("Test") or any(b.endswith("TestCase") for b in bases)


def _test_functions(tree: ast.Module) -> Iterator[FunctionNode]:
    """``test*`` functions at module level and ``test*`` methods of test classes
    (named ``Test*`` or deriving from a ``*TestCase``)."""
    for node in tree.body:
        if _is_test_function(node):
            yield node
        elif isinstance(node, ast.ClassDef) and _is_test_class(node):
            yield from (item for item in node.body if _is_test_function(item))


def _asserts(func: FunctionNode) -> bool:
    for node in ast.walk(func):
        if isinstance(node, ast.Assert):
            return True
        if isinstance(node, ast.Call):
            func_node = node.func
            name = (
                func_node.attr
                if isinstance(func_node, ast.Attribute)
                else getattr(func_node, "id", "")
            )
            if name.startswith("assert") or name in _ASSERT_CALLS:
                return True
    return False


def _test_counts(tree: ast.Module) -> dict[str, int]:
    with_assert = without = 0
    for func in _test_functions(tree):
        if _asserts(func):
            with_assert += 1
        else:
            without += 1
    return {"tests": with_assert, "without_assert": without}
