"""Parsers of the task files CI commands run through: Makefile, package.json, tox, nox, hatch/pdm scripts, justfile."""

from __future__ import annotations

import ast
import configparser
import json
import re
import tomllib
from collections.abc import Iterator
from typing import Any

# --------------------------------------------------------------------------- parsers

_MAKE_VAR = re.compile(r"^([A-Za-z_][A-Za-z0-9_.-]*)\s*(?::{1,3}|\?|\+)?=\s*(.*)$")
_VAR_REF = re.compile(r"\$[({]([A-Za-z_][A-Za-z0-9_.-]*)[)}]")
_MAKE_TARGET = re.compile(r"[\w./%-]+")


def make_targets(makefile: str) -> dict[str, tuple[list[str], list[str]]]:
    """Makefile targets -> (prerequisites, recipe lines), in file order."""
    targets: dict[str, tuple[list[str], list[str]]] = {}
    current: list[str] = []
    for line in makefile.splitlines():
        if line.startswith("\t"):
            for name in current:
                targets[name][1].append(line.strip())
            continue
        if line.lstrip().startswith("#") or ":" not in line:
            if line.strip() and not line.startswith(" "):
                current = []
            continue
        rule = make_rule(line)
        current = _add_rule(targets, *rule) if rule is not None else []
    return targets


def make_rule(line: str) -> tuple[list[str], list[str], str] | None:
    """A rule line's targets (special ``.TARGETS`` left out), prerequisites and inline
    recipe (after ``;``); None for a variable assignment (``VAR := x``) or another line."""
    head, _, tail = line.partition(":")
    tail = tail.removeprefix(":")  # double-colon rules
    names = head.split()
    if tail.startswith("=") or not names or not all(_MAKE_TARGET.fullmatch(n) for n in names):
        return None
    recipe_inline = tail.split(";", 1)[1].strip() if ";" in tail else ""
    prereqs = tail.split(";")[0].split()
    return [n for n in names if not n.startswith(".")], prereqs, recipe_inline


def _add_rule(
    targets: dict[str, tuple[list[str], list[str]]],
    names: list[str],
    prereqs: list[str],
    recipe_inline: str,
) -> list[str]:
    for name in names:
        targets.setdefault(name, ([], []))
        targets[name][0].extend(prereqs)
        if recipe_inline:
            targets[name][1].append(recipe_inline)
    return names


def make_variables(makefile: str) -> dict[str, str]:
    """Simple ``VAR = value`` / ``VAR := value`` / ``VAR ?= value`` assignments."""
    out: dict[str, str] = {"MAKE": "make"}
    for line in makefile.splitlines():
        if line.startswith("\t"):
            continue
        match = _MAKE_VAR.match(line.strip().removeprefix("export "))
        if match:
            out.setdefault(match.group(1), match.group(2).strip())
    return out


def _substitute(line: str, variables: dict[str, str]) -> str:
    for _ in range(3):
        new = _VAR_REF.sub(lambda m: variables.get(m.group(1), m.group(0)), line)
        if new == line:
            break
        line = new
    return line


def _package_scripts(text: str) -> dict[str, str]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return {}
    scripts = data.get("scripts") if isinstance(data, dict) else None
    if not isinstance(scripts, dict):
        return {}
    return {k: v for k, v in scripts.items() if isinstance(k, str) and isinstance(v, str)}


def _tox_ini(text: str, prefix: str) -> dict[str, list[str]]:
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return {}
    envs: dict[str, list[str]] = {}
    for section in parser.sections():
        env = _tox_env_name(section.removeprefix(prefix) if prefix else section)
        if env is None:
            continue
        lines = [ln.strip() for ln in parser.get(section, "commands", fallback="").splitlines()]
        envs[env] = [ln for ln in lines if ln and not ln.startswith("#")]
    base = envs.get("py", [])
    return {name: (cmds or base) for name, cmds in envs.items()}


def _tox_env_name(section: str) -> str | None:
    """``[testenv]`` is ``py``, ``[testenv:lint]`` is ``lint``; other sections are None."""
    if section == "testenv":
        return "py"
    if section.startswith("testenv:"):
        return section.split(":", 1)[1]
    return None


def _tox_pyproject(text: str) -> dict[str, list[str]]:
    data = _toml(text)
    tox = data.get("tool", {}).get("tox") if isinstance(data.get("tool"), dict) else None
    if not isinstance(tox, dict):
        return {}
    legacy = tox.get("legacy_tox_ini")
    if isinstance(legacy, str):
        return _tox_ini(legacy, "")
    envs: dict[str, list[str]] = {}
    tables: list[tuple[str, Any]] = [("py", tox.get("env_run_base"))]
    env_table = tox.get("env")
    if isinstance(env_table, dict):
        tables.extend(env_table.items())
    for name, table in tables:
        if isinstance(table, dict):
            envs[str(name)] = _tox_commands(table.get("commands"))
    base = envs.get("py", [])
    return {name: (cmds or base) for name, cmds in envs.items()}


def _tox_commands(commands: Any) -> list[str]:
    """A tox TOML ``commands`` list: each a list of words or a string."""
    if not isinstance(commands, list):
        return []
    lines: list[str] = []
    for c in commands:
        if isinstance(c, list):
            lines.append(" ".join(str(w) for w in c if isinstance(w, str)))
        elif isinstance(c, str):
            lines.append(c)
    return lines


def _pyproject_scripts(text: str, tool: str) -> dict[str, list[str]]:
    data = _toml(text)
    tool_table = data.get("tool", {}).get(tool) if isinstance(data.get("tool"), dict) else None
    if not isinstance(tool_table, dict):
        return {}
    out: dict[str, list[str]] = {}
    for table in _script_tables(tool, tool_table):
        if not isinstance(table, dict):
            continue
        for name, value in table.items():
            lines = _script_lines(value)
            if lines:
                out.setdefault(str(name), lines)
    return out


def _script_tables(tool: str, tool_table: dict[str, Any]) -> list[Any]:
    """PDM's ``[tool.pdm.scripts]``; Hatch's ``[tool.hatch.envs.*.scripts]``."""
    if tool == "pdm":
        return [tool_table.get("scripts")]
    envs = tool_table.get("envs")
    if not isinstance(envs, dict):
        return []
    return [env.get("scripts") for env in envs.values() if isinstance(env, dict)]


def _script_lines(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    if isinstance(value, dict):
        for key in ("cmd", "shell", "call", "composite"):
            if key in value:
                return _script_lines(value[key])
    return []


def _toml(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return {}


def nox_sessions(text: str) -> dict[str, list[str]]:
    """``noxfile.py`` sessions -> the commands their ``session.run(...)`` calls name.

    Read with :mod:`ast` (never imported); arguments that are not string literals are
    left out, so ``session.run("pytest", *args)`` gives ``pytest``.
    """
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    out: dict[str, list[str]] = {}
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        name = _nox_session_name(node)
        if name is None:
            continue
        out[name] = [line for call in _calls(node) if (line := _session_run(call)) is not None]
    return out


def _session_run(call: ast.Call) -> str | None:
    """The literal words of a ``session.run(...)`` call (None for any other call, or one
    without a literal word)."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr in _SESSION_RUNS and call.args):
        return None
    words = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    return " ".join(words) if words else None


_SESSION_RUNS = frozenset({"run", "run_always", "run_install"})


def _nox_session_name(node: ast.FunctionDef) -> str | None:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr == "session":
            if isinstance(decorator, ast.Call):
                for kw in decorator.keywords:
                    if kw.arg == "name" and isinstance(kw.value, ast.Constant):
                        return str(kw.value.value)
            return node.name
    return None


def _calls(node: ast.AST) -> Iterator[ast.Call]:
    for child in ast.walk(node):
        if isinstance(child, ast.Call):
            yield child


_JUST_RECIPE = re.compile(r"^@?([A-Za-z_][\w-]*)(?:\s[^:=]*)?:(?!=)\s*(.*)$")


def just_recipes(text: str) -> dict[str, list[str]]:
    """``justfile`` recipes -> their indented body lines (dependencies as ``just NAME``)."""
    out: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        if line[:1] in (" ", "\t"):
            if current is not None and line.strip() and not line.strip().startswith("#"):
                out[current].append(line.strip())
            continue
        match = _JUST_RECIPE.match(line.strip()) if line.strip() else None
        if match:
            current = match.group(1)
            out[current] = [
                f"just {d}" for d in match.group(2).split() if re.fullmatch(r"[\w-]+", d)
            ]
        elif line.strip():
            current = None
    return out
