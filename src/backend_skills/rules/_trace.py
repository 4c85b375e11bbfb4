"""Request input traced to a dangerous sink in Python (``python_ast``, the ``security``
analysis; matching in ``checkers/analyses/_security_trace.py``).

Each rule marks a sink that bandit (or ``BSDB001``) reports as a hotspot once the analysis
has seen request input reach it, in the same function or through one call (a function of
the same file or of an imported module): the finding merges with the hotspot's and makes
it a vulnerability. The examples pass request input across a call to another module
(fires) and a constant (stays quiet), through the real pipeline
(``tests/test_rules_registry.py``).
"""

from __future__ import annotations

from backend_skills.core.models import Confidence, Severity

from ._model import Example, Rule

_PACKAGE = {"app/__init__.py": ""}


def _view(call: str, imported: str, value: str) -> str:
    """A Flask view in ``app/views.py`` calling ``imported`` from ``app.utils`` with ``value``."""
    return (
        "from flask import request\n\n"
        f"from app.utils import {imported}\n\n\n"
        "def view():\n"
        f"    return str({call}({value}))\n"
    )


def _across_a_call(code: str, function: str, line: int) -> tuple[Example, Example]:
    """The sink in ``app/utils.py``'s ``function``: fed by a view's request input (fires
    at ``line``), then by a constant (quiet)."""
    fed = _view(function, function, 'request.args["q"]')
    constant = _view(function, function, '"status"')
    return (
        Example(
            "python",
            code,
            lines=(line,),
            path="app/utils.py",
            files={**_PACKAGE, "app/views.py": fed},
        ),
        Example("python", code, path="app/utils.py", files={**_PACKAGE, "app/views.py": constant}),
    )


_RATIONALE_TAIL = (
    " The analysis follows the value through local names and one call (a function of the "
    "same file or of an imported module); without that evidence the sink is a hotspot to "
    "review, reported by bandit or BSDB001."
)

SHELL = Rule(
    id="BSSEC050",
    title="Request input reaches a shell command",
    skill="security",
    criterion="security.injection",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=78,
    checker="python_ast",
    extra_languages=("python",),
    message="Request input reaches a shell command (request input in the same function): an exploitable injection",
    rationale=(
        "A shell command built from request input (`subprocess.*` with `shell=True`, "
        "`os.system`, `os.popen`, `subprocess.getoutput`, `asyncio.create_subprocess_shell`) "
        "lets the client append commands of its own (`; rm -rf /`): OS command injection "
        "(CWE-78)." + _RATIONALE_TAIL
    ),
    fix='Pass the command as a list without a shell (`subprocess.run(["df", "-h", path])`), validate the input against the values you accept, or quote it with `shlex.quote`.',
    examples=_across_a_call(
        "import subprocess\n\n\ndef disk_usage(path):\n"
        '    return subprocess.run("df -h " + path, shell=True)\n',
        "disk_usage",
        5,
    ),
)

CODE = Rule(
    id="BSSEC051",
    title="Request input reaches eval or exec",
    skill="security",
    criterion="security.injection",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=95,
    checker="python_ast",
    extra_languages=("python",),
    message="Request input reaches eval/exec (request input in the same function): an exploitable injection",
    rationale=(
        "`eval` or `exec` of request input runs the client's Python in the server's "
        "process, with its files, secrets and network (CWE-95)." + _RATIONALE_TAIL
    ),
    fix="Never evaluate input: parse it (`ast.literal_eval` for literals, `json.loads` for data) or map it to the operations you allow.",
    examples=_across_a_call(
        "def compute(expression):\n    return eval(expression)\n", "compute", 2
    ),
)

DESERIALISATION = Rule(
    id="BSSEC052",
    title="Request input reaches an unsafe deserialiser",
    skill="security",
    criterion="security.deserialization",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=502,
    checker="python_ast",
    extra_languages=("python",),
    message="Request input reaches an unsafe deserialiser (request input in the same function): an exploitable injection",
    rationale=(
        "`pickle`, `marshal`, `dill`, `jsonpickle`, `shelve` and `yaml.load` without a safe "
        "loader build arbitrary objects: deserialising request input runs the client's code "
        "(CWE-502)." + _RATIONALE_TAIL
    ),
    fix="Accept data formats that carry no code (`json.loads`, `yaml.safe_load`), or sign what you deserialise and verify the signature first.",
    examples=_across_a_call(
        "import pickle\n\n\ndef restore(blob):\n    return pickle.loads(blob)\n", "restore", 5
    ),
)

SQL = Rule(
    id="BSSEC053",
    title="Request input reaches SQL built as a string",
    skill="database",
    criterion="database.query_safety",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=89,
    checker="python_ast",
    extra_languages=("python",),
    message="Request input reaches SQL built as a string (request input in the same function): an exploitable injection",
    rationale=(
        "SQL built by formatting or concatenating request input lets the client rewrite "
        "the query (`' OR 1=1 --`): read, change or delete any row (CWE-89). The finding "
        "also counts under `security.injection`." + _RATIONALE_TAIL
    ),
    fix='Pass the values as query parameters (`cursor.execute("SELECT ... WHERE name = %s", (name,))`) or use the ORM\'s query API.',
    examples=_across_a_call(
        "import sqlite3\n\n\ndef find(name):\n"
        "    sql = \"SELECT id FROM users WHERE name = '%s'\" % name\n"
        '    return sqlite3.connect("app.db").execute(sql).fetchall()\n',
        "find",
        5,
    ),
)

RULES = (SHELL, CODE, DESERIALISATION, SQL)
