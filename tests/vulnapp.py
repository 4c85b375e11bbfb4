"""A deliberately vulnerable app and a small stand-in security checker for format tests.

Until the real checkers land, findings come from :class:`VulnChecker`, an in-process
plugin that flags a few unmistakable patterns line by line (string-built SQL,
``shell=True``, ``pickle.loads``, hard-coded passwords, ``debug=True``). Everything
the format, baseline and hook tests need goes through :func:`vulnerable_report` and
:data:`PLUGINS`: to use the real bandit checker instead, set ``PLUGINS = []``.

This module imports nothing from the test suite, so it can also be installed as an
entry-point plugin in a temporary site folder for black-box CLI and pre-commit tests
(see :func:`install_plugin`).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from backend_skills import (
    CheckContext,
    Checker,
    CheckResult,
    Confidence,
    FileChecker,
    FileResult,
    Finding,
    Report,
    RubricSet,
    Severity,
    SourceFile,
    hookimpl,
    score,
)
from backend_skills.core.rubric import parse_rubric

SKILL = "security"
INJECTION = "security.vulnapp_injection"
UNSAFE = "security.vulnapp_unsafe"

RUBRIC = f"""
[skill]
id = "{SKILL}"
name = "Web security"

[[skill.criteria]]
id = "{INJECTION}"
name = "Injection (test stand-in)"
weight = 3
metric = "findings.weighted_per_kloc"
anchors = [{{value = 0, score = 100}}, {{value = 5, score = 60}}, {{value = 40, score = 0}}]
threshold = 70
rationale = "Queries and commands built from input let attackers run their own (OWASP A03, CWE-89, CWE-78)."
remediation = "Pass parameters to execute(sql, params) and call subprocess.run([...]) without shell=True."
[skill.criteria.levels]
novice = "Input reaches queries and shells."
developing = "Several injection paths."
competent = "A few injection paths."
proficient = "Rare, low-risk injection paths."
expert = "No injection paths found."

[[skill.criteria]]
id = "{UNSAFE}"
name = "Unsafe defaults (test stand-in)"
weight = 1
metric = "findings.weighted_per_kloc"
anchors = [{{value = 0, score = 100}}, {{value = 10, score = 50}}, {{value = 50, score = 0}}]
rationale = "Deserialising untrusted data, hard-coded secrets and debug mode hand control to attackers."
remediation = "Use json instead of pickle, read secrets from the environment, never ship debug=True."
[skill.criteria.levels]
novice = "n"
developing = "d"
competent = "c"
proficient = "p"
expert = "e"
"""

#: (rule, pattern, severity, confidence, criterion, cwe, message; ``{code}`` quotes the line)
RULES: tuple[tuple[str, re.Pattern[str], Severity, Confidence, str, int | None, str], ...] = (
    (
        "FV001",
        re.compile(r"""execute\(\s*(f["']|["'][^"']*["']\s*(%|\+)|.*\.format\()"""),
        Severity.HIGH,
        Confidence.MEDIUM,
        INJECTION,
        89,
        "SQL built by string formatting reaches execute(): {code}",
    ),
    (
        "FV002",
        re.compile(r"shell\s*=\s*True"),
        Severity.CRITICAL,
        Confidence.HIGH,
        INJECTION,
        78,
        "Command run through a shell: {code}",
    ),
    (
        "FV003",
        re.compile(r"pickle\.loads?\("),
        Severity.MEDIUM,
        Confidence.HIGH,
        UNSAFE,
        502,
        "pickle can run code while loading untrusted data",
    ),
    (
        "FV004",
        re.compile(r"""(?i)(password|secret)\w*\s*=\s*["'][^"']+["']"""),
        Severity.LOW,
        Confidence.MEDIUM,
        UNSAFE,
        259,
        "Hard-coded credential (value not shown)",
    ),
    (
        "FV005",
        re.compile(r"debug\s*=\s*True"),
        Severity.INFO,
        Confidence.LOW,
        UNSAFE,
        None,
        "Debug mode enabled",
    ),
)


class VulnChecker(FileChecker):
    """Line-pattern stand-in for a security checker (tests only)."""

    name = "vulnapp"
    languages: ClassVar[frozenset[str]] = frozenset({"python"})
    feeds = (INJECTION, UNSAFE)

    def check_file(self, file: SourceFile, options: Mapping[str, Any]) -> FileResult:
        findings = []
        for number, text in enumerate(file.text.splitlines(), 1):
            for rule, pattern, severity, confidence, criterion, cwe, message in RULES:
                match = pattern.search(text)
                if match is None:
                    continue
                findings.append(
                    Finding(
                        checker=self.name,
                        rule=rule,
                        skill=SKILL,
                        criterion=criterion,
                        severity=severity,
                        confidence=confidence,
                        message=message.format(code=text.strip()[:120]),
                        path=file.path,
                        line=number,
                        end_line=number,
                        column=match.start() + 1,
                        cwe=cwe,
                    )
                )
        return FileResult(findings=findings)

    def reduce(self, ctx: CheckContext, results: Mapping[str, FileResult]) -> CheckResult:
        return CheckResult(
            findings=[f for r in results.values() for f in r.findings], files=len(results)
        )


class VulnAppPlugin:
    """Contributes the stand-in criteria and checker."""

    __name__ = "vulnapp"

    @hookimpl
    def backend_skills_rubrics(self) -> Sequence[RubricSet]:
        return [RubricSet(source="vulnapp", version="1", skills=[parse_rubric(RUBRIC, "vulnapp")])]

    @hookimpl
    def backend_skills_checkers(self) -> Sequence[Checker]:
        return [VulnChecker()]


#: Module-level hooks, so this module works as an entry-point plugin too.
plugin = VulnAppPlugin()
backend_skills_rubrics = plugin.backend_skills_rubrics
backend_skills_checkers = plugin.backend_skills_checkers

#: Use the stand-in checker. ``False`` switches every test that goes through
#: :func:`vulnerable_report` or :func:`plugin_env` to the installed (real) checkers.
STAND_IN = True
#: Built-in plugins left out while the stand-in is used, so results do not depend on
#: which real checkers and rubrics are installed.
REPLACED = ("bandit", "sqlfluff", "radon", "python_ast", "repo", "git", "rubrics", "todos")
PLUGINS: list[object] = [VulnAppPlugin()] if STAND_IN else []
DISABLED: list[str] = list(REPLACED) if STAND_IN else ["todos"]
SKILLS = [SKILL]

APP = """\
import pickle
import sqlite3
import subprocess

from flask import Flask, request

app = Flask(__name__)
DB_PASSWORD = "hunter2hunter2"


def find_user(name):
    cur = sqlite3.connect("app.db").cursor()
    cur.execute("SELECT * FROM users WHERE name = '%s'" % name)
    return cur.fetchall()


def ping(host):
    return subprocess.check_output("ping -c 1 " + host, shell=True)


def load(blob):
    return pickle.loads(blob)


def report(uid):
    cur = sqlite3.connect("app.db").cursor()
    cur.execute(f"SELECT * FROM reports WHERE owner = {uid}")
    return cur.fetchall()


if __name__ == "__main__":
    app.run(debug=True)
"""

TREE: dict[str, str] = {
    "app/__init__.py": "",
    "app/main.py": APP,
    # A hostile file name: markup, pipes, commas, colons and percent signs.
    "app/we|ird,na:me%20<b>.py": 'def q(cur, x):\n    cur.execute("SELECT 1 WHERE a = %s|%%0A" % x)\n',
    "tests/test_main.py": "def test_it(cur):\n    cur.execute(f'SELECT {1}')\n",
    "README.md": "# Vulnerable app\n\nDeliberately unsafe; used by the tests.\n",
    "requirements.txt": "flask\n",
}


def write_vulnerable_app(root: Path, extra: Mapping[str, str] | None = None) -> Path:
    """Write the vulnerable app (plus ``extra`` files) under ``root``."""
    for rel, content in {**TREE, **(extra or {})}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


def vulnerable_report(root: Path, **options: Any) -> Report:
    """Score the tree at ``root`` with :data:`PLUGINS` (the one place tests score it)."""
    return score(
        root, skills=SKILLS, isolated=True, plugins=PLUGINS, disable_plugins=DISABLED, **options
    )


def install_plugin(site: Path) -> Path:
    """Make this module an entry-point plugin in ``site`` (put ``site`` on PYTHONPATH)."""
    site.mkdir(parents=True, exist_ok=True)
    (site / "backend_skills_vulnapp.py").write_text(
        Path(__file__).read_text(encoding="utf-8"), encoding="utf-8"
    )
    meta = site / "backend_skills_vulnapp-0.1.dist-info"
    meta.mkdir(exist_ok=True)
    (meta / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: backend-skills-vulnapp\nVersion: 0.1\n", encoding="utf-8"
    )
    (meta / "entry_points.txt").write_text(
        "[backend_skills]\nvulnapp = backend_skills_vulnapp\n", encoding="utf-8"
    )
    return site


def plugin_env(site: Path) -> dict[str, str]:
    """Environment for a black-box run that loads the stand-in plugin from ``site``."""
    env = {"BACKEND_SKILLS_DISABLE_PLUGINS": ",".join(DISABLED)}
    if STAND_IN:
        env["PYTHONPATH"] = str(install_plugin(site))
    return env
