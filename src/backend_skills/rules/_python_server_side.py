"""Server-side rules of Python code: error handling (``python_ast``, the ``server_side``
analysis) and the measurements of the ``radon`` checker (complexity, maintainability,
size).

They have no patterns; their examples run through the real pipeline.
"""

from __future__ import annotations

from backend_skills.core.models import Confidence, Severity

from ._model import Example, Rule

_BRANCHES = "".join(f"    if x == {i}:\n        y += {i}\n" for i in range(11))
_COMPLEX = f"def route(x):\n    y = 0\n{_BRANCHES}    return y\n"
_SIMPLE = (
    "ROUTES = {"
    + ", ".join(f"{i}: {i}" for i in range(11))
    + "}\n\n\ndef route(x):\n    return ROUTES.get(x, 0)\n"
)
_LONG_FUNCTION = (
    "def report(x):\n" + "".join(f"    x += {i}\n" for i in range(55)) + "    return x\n"
)
_SHORT_FUNCTIONS = "".join(f"def step_{i}(x):\n    return x + {i}\n\n\n" for i in range(5))
_LONG_MODULE = "".join(f"VALUE_{i} = {i}\n" for i in range(510))
_DENSE = "".join(
    f"def f{n}(a, b, c, d):\n"
    + "".join(
        f"    if a > {i} and b < {i} or c == {i}:\n        d = (a * {i} + b / (c + {i}) - d ** 2) % (a + {i})\n"
        for i in range(12)
    )
    + "    return d\n\n\n"
    for n in range(12)
)

BARE_EXCEPT = Rule(
    id="BSSRV001",
    title="Bare except",
    skill="server_side",
    criterion="server_side.error_handling",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    cwe=396,
    checker="python_ast",
    extra_languages=("python",),
    message="bare `except:` also catches SystemExit and KeyboardInterrupt; catch the exceptions you expect",
    varies="High severity when the handler's body only passes (the error is discarded silently).",
    rationale=(
        "`except:` catches everything, `SystemExit` and `KeyboardInterrupt` included: the "
        "process cannot be stopped cleanly, and bugs are handled like expected failures "
        "(CWE-396)."
    ),
    fix="Catch the exceptions you expect (`except (ValueError, KeyError):`); at a boundary, `except Exception:` with `logger.exception(...)` and an explicit error.",
    examples=(
        Example(
            "python",
            "def load(path):\n    try:\n        return open(path).read()\n    except:\n        return None\n",
            lines=(4,),
            path="app/files.py",
        ),
        Example(
            "python",
            "def load(path):\n    try:\n        return open(path).read()\n    except OSError:\n        return None\n",
            path="app/files.py",
        ),
    ),
)

SILENT_EXCEPT = Rule(
    id="BSSRV002",
    title="Broad except that only passes",
    skill="server_side",
    criterion="server_side.error_handling",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    cwe=390,
    checker="python_ast",
    extra_languages=("python",),
    message="broad `except` whose body only passes: every error is swallowed silently",
    rationale=(
        "`except Exception: pass` turns every failure, bugs included, into silence: the "
        "program goes on in a state nobody checked and the incident surfaces far from its "
        "cause (CWE-390)."
    ),
    fix="Catch the specific exceptions you expect, or log the error (`logger.exception(...)`) and re-raise or return an explicit error.",
    examples=(
        Example(
            "python",
            "def notify(client, user):\n    try:\n        client.send(user)\n    except Exception:\n        pass\n",
            lines=(4,),
            path="app/notify.py",
        ),
        Example(
            "python",
            "import logging\n\nlogger = logging.getLogger(__name__)\n\n\ndef notify(client, user):\n"
            '    try:\n        client.send(user)\n    except Exception:\n        logger.exception("notification failed")\n',
            path="app/notify.py",
        ),
    ),
)

SWALLOWED = Rule(
    id="BSSRV003",
    title="Broad except that neither re-raises, logs nor uses the error",
    skill="server_side",
    criterion="server_side.error_handling",
    severity=Severity.LOW,
    confidence=Confidence.MEDIUM,
    cwe=396,
    checker="python_ast",
    extra_languages=("python",),
    message="broad `except` that neither re-raises, logs nor uses the error: failures disappear",
    rationale=(
        "A broad handler that returns a fallback without logging, re-raising or even "
        "looking at the error hides why things fail: the fallback is served and nobody "
        "learns that something broke (CWE-396)."
    ),
    fix="Catch the specific exceptions you expect; where a catch-all is right, log the error with its stack trace before falling back.",
    examples=(
        Example(
            "python",
            "def price(client, sku):\n    try:\n        return client.price(sku)\n    except Exception:\n        return 0\n",
            lines=(4,),
            path="app/prices.py",
        ),
        Example(
            "python",
            "def price(client, sku):\n    try:\n        return client.price(sku)\n    except Exception as exc:\n        raise LookupError(sku) from exc\n",
            path="app/prices.py",
        ),
    ),
)

COMPLEXITY = Rule(
    id="BSRAD001",
    title="Function with high cyclomatic complexity",
    skill="server_side",
    criterion="server_side.complexity",
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    checker="radon",
    extra_languages=("python",),
    message="function `route` has cyclomatic complexity 12 (rank C); split it into smaller functions",
    varies="Severity follows radon's rank: low for C (11-20), medium for D (21-30), high for E and F (above 30).",
    rationale=(
        "A function with more than 10 independent paths (radon rank C or worse) is hard to "
        "read, to test path by path and to change without breaking one of them."
    ),
    fix="Split the function: extract branches into named helpers, replace if/elif ladders with a lookup table or polymorphism, return early; until radon ranks it A or B (10 or less).",
    examples=(
        Example("python", _COMPLEX, lines=(1,), path="app/routing.py"),
        Example("python", _SIMPLE, path="app/routing.py"),
    ),
)

MAINTAINABILITY = Rule(
    id="BSRAD002",
    title="Module with a low maintainability index",
    skill="server_side",
    criterion="server_side.maintainability",
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    checker="radon",
    extra_languages=("python",),
    message="maintainability index 12.3 (rank B): the module is large, dense or complex; split it",
    varies="Medium severity for radon's rank C (index 9 or less), low for rank B (10-19).",
    rationale=(
        "radon's maintainability index combines size, Halstead volume, complexity and "
        "comments; a module ranked B or C is large, dense or complex enough that changing "
        "it is slow and risky."
    ),
    fix="Split the module by responsibility (routes, services, data access), simplify its most complex functions and document what remains.",
    examples=(
        Example("python", _DENSE, lines=(0,), path="app/engine.py"),
        Example("python", _SHORT_FUNCTIONS, path="app/engine.py"),
    ),
)

FUNCTION_SIZE = Rule(
    id="BSRAD003",
    title="Long Python function",
    skill="server_side",
    criterion="server_side.function_size",
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    checker="radon",
    extra_languages=("python",),
    message="function `report` has 57 source lines (limit 50)",
    varies="The limit is `max_function_sloc` (default 50) under `[tool.backend_skills.checkers.radon]`.",
    rationale=(
        "A function longer than a screen does several things: it is hard to name, to test "
        "and to reuse, and its parts cannot be understood one at a time."
    ),
    fix="Extract the steps of the function into well-named helpers.",
    examples=(
        Example("python", _LONG_FUNCTION, lines=(1,), path="app/report.py"),
        Example("python", _SHORT_FUNCTIONS, path="app/report.py"),
    ),
)

MODULE_SIZE = Rule(
    id="BSRAD004",
    title="Long Python module",
    skill="server_side",
    criterion="server_side.module_size",
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    checker="radon",
    extra_languages=("python",),
    message="module has 510 source lines (limit 500)",
    varies="The limit is `max_module_sloc` (default 500) under `[tool.backend_skills.checkers.radon]`.",
    rationale=(
        "A module of many hundred lines holds several responsibilities: it is hard to "
        "navigate, review and own, and a change to one part risks the others."
    ),
    fix="Split the module by responsibility into a package of smaller modules.",
    examples=(
        Example("python", _LONG_MODULE, lines=(0,), path="app/constants.py"),
        Example("python", _SHORT_FUNCTIONS, path="app/constants.py"),
    ),
)

RULES = (
    BARE_EXCEPT,
    SILENT_EXCEPT,
    SWALLOWED,
    COMPLEXITY,
    MAINTAINABILITY,
    FUNCTION_SIZE,
    MODULE_SIZE,
)
