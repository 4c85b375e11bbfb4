"""Server-side rules of the tree-sitter languages: measured, not matched.

The ``polyglot`` checker emits them from its measurements (complexity, size, catch
clauses, discarded Go errors); their examples run through that checker.
"""

from __future__ import annotations

from backend_skills.core.models import Confidence, Severity

from ._model import Example, Rule

LANGS = ("csharp", "go", "java", "javascript", "typescript")

_BRANCHES = "\n".join(f"    if (x == {i}) {{ y += {i}; }}" for i in range(11))
_LONG_BODY = "\n".join(f"    y += {i};" for i in range(55))

EMPTY_CATCH = Rule(
    id="BSSRV101",
    title="Empty catch block",
    skill="server_side",
    criterion="server_side.error_handling",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    cwe=390,
    message="empty catch block: the error is discarded without a trace",
    rationale=(
        "A catch block with nothing in it (not even a comment saying why) hides the failure: "
        "the program continues in a state nobody checked and the incident surfaces far from "
        "its cause (CWE-390)."
    ),
    fix="Handle the error (retry, fall back, translate it), log it with its stack trace, or let it propagate; if ignoring it is right, say why in a comment.",
    extra_languages=("csharp", "java", "javascript", "typescript"),
    examples=(
        Example(
            "java",
            "class A {\n  void f() {\n    try { g(); } catch (IOException e) { }\n  }\n}\n",
            lines=(3,),
        ),
        Example(
            "java",
            "class A {\n  void f() {\n    try { g(); } catch (IOException e) {\n      // the file is optional\n    }\n  }\n}\n",
        ),
        Example(
            "csharp",
            "class A {\n  void F() {\n    try { G(); } catch (Exception) { }\n  }\n}\n",
            lines=(3,),
        ),
        Example("javascript", "function f() {\n  try { g(); } catch (e) {}\n}\n", lines=(2,)),
        Example("typescript", "function f() {\n  try { g(); } catch (e) { logger.error(e); }\n}\n"),
    ),
)

SWALLOW = Rule(
    id="BSSRV102",
    title="Catch-all handler swallows the error",
    skill="server_side",
    criterion="server_side.error_handling",
    severity=Severity.LOW,
    confidence=Confidence.MEDIUM,
    cwe=396,
    message="catch-all handler neither rethrows, logs nor uses the error",
    rationale=(
        "Catching Exception/Throwable (or everything, in JavaScript) and going on without "
        "logging, rethrowing or even looking at the error turns every failure, bugs "
        "included, into silent wrong behaviour (CWE-396)."
    ),
    fix="Catch the specific exceptions you expect; at a boundary where a catch-all is right, log the error with its stack trace and return an explicit error.",
    extra_languages=("csharp", "java", "javascript", "typescript"),
    examples=(
        Example(
            "java",
            "class A {\n  int f() {\n    try { return g(); } catch (Exception e) {\n      return -1;\n    }\n  }\n}\n",
            lines=(3,),
        ),
        Example(
            "java",
            'class A {\n  int f() {\n    try { return g(); } catch (Exception e) {\n      log.warn("g failed", e);\n      return -1;\n    }\n  }\n}\n',
        ),
        Example(
            "javascript",
            "async function f(res) {\n  try { await g(); } catch (err) {\n    res.status(500).end();\n  }\n}\n",
            lines=(2,),
        ),
        Example(
            "javascript",
            "async function f(res, next) {\n  try { await g(); } catch (err) {\n    next(err);\n  }\n}\n",
        ),
    ),
)

GO_DISCARD = Rule(
    id="BSSRV103",
    title="Go error discarded with _",
    skill="server_side",
    criterion="server_side.error_handling",
    severity=Severity.LOW,
    confidence=Confidence.MEDIUM,
    cwe=391,
    message="the last result of `{name}` (by Go convention, its error) is assigned to `_`",
    rationale=(
        "Go reports failure as the last return value; assigning it to `_` carries on with a "
        "zero value as if the call had worked (CWE-391)."
    ),
    fix='Check the error (if err != nil { return fmt.Errorf("...: %w", err) }); where ignoring it is right, say why in a comment next to the call.',
    extra_languages=("go",),
    examples=(
        Example(
            "go",
            "package m\n\nfunc f(s string) int {\n\tn, _ := strconv.Atoi(s)\n\treturn n\n}\n",
            lines=(4,),
        ),
        Example(
            "go",
            "package m\n\nfunc f(s string) (int, error) {\n\tn, err := strconv.Atoi(s)\n\tv, ok := cache[s]\n\t_, _ = v, ok\n\treturn n, err\n}\n",
        ),
    ),
)

COMPLEX = Rule(
    id="BSSRV110",
    title="Complex function (cyclomatic complexity above 10)",
    skill="server_side",
    criterion="server_side.complexity",
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    message="function `{name}` has cyclomatic complexity above 10",
    rationale=(
        "A function with many independent paths (McCabe complexity above 10, rank C or "
        "worse as radon ranks Python) is where defects concentrate and is hard to test "
        "exhaustively. The same ranks and severities apply in every language."
    ),
    fix="Split the function: extract branches into named helpers, replace if/else ladders with a lookup table or polymorphism, return early.",
    extra_languages=LANGS,
    examples=(
        Example(
            "java",
            f"class A {{\n  int f(int x) {{\n    int y = 0;\n{_BRANCHES}\n    return y;\n  }}\n}}\n",
            lines=(2,),
        ),
        Example("java", "class A {\n  int f(int x) {\n    return x > 0 ? 1 : 2;\n  }\n}\n"),
    ),
)

LONG_FUNCTION = Rule(
    id="BSSRV111",
    title="Long function",
    skill="server_side",
    criterion="server_side.function_size",
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    message="function `{name}` is longer than the limit",
    rationale="Long functions (more than 50 source lines by default, blank and comment lines excluded) do several things at once; short ones are easier to name, test and reuse.",
    fix="Extract the steps of the function into well-named helpers (the limit is `max_function_sloc` under [tool.backend_skills.checkers.polyglot]).",
    extra_languages=LANGS,
    examples=(
        Example("javascript", f"function f(y) {{\n{_LONG_BODY}\n  return y;\n}}\n", lines=(1,)),
        Example("javascript", "function f(y) {\n  return y + 1;\n}\n"),
    ),
)

LONG_MODULE = Rule(
    id="BSSRV112",
    title="Long file",
    skill="server_side",
    criterion="server_side.module_size",
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    message="file is longer than the limit",
    rationale="Very long files (more than 500 source lines by default) mix responsibilities and attract merge conflicts.",
    fix="Split the file by responsibility (the limit is `max_module_sloc` under [tool.backend_skills.checkers.polyglot]).",
    extra_languages=LANGS,
    examples=(
        Example(
            "go",
            "package m\n\nvar (\n" + "".join(f"\tv{i} = {i}\n" for i in range(520)) + ")\n",
            lines=(1,),
        ),
        Example("go", "package m\n\nvar v = 1\n"),
    ),
)

RULES = (EMPTY_CATCH, SWALLOW, GO_DISCARD, COMPLEX, LONG_FUNCTION, LONG_MODULE)
