"""Command lines of task runners: the folder, file and targets a ``make``, ``npm``, ``tox``
or ``nox`` invocation names (read from its arguments, never run)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from backend_skills.checkers._ci_shell import join_folder as _join


def package_manager_args(cwd: str, args: Sequence[str]) -> tuple[str, list[str]]:
    """The folder a package manager runs in (``--prefix``, ``--cwd``, ``-C``, ``--dir``)
    and its positional arguments (workspace filters and other options dropped)."""
    kept: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("--prefix", "--cwd", "-C", "--dir") and i + 1 < len(args):
            cwd, i = _join(cwd, args[i + 1]), i + 2
            continue
        if a.split("=", 1)[0] in ("--prefix", "--cwd", "--dir") and "=" in a:
            cwd = _join(cwd, a.split("=", 1)[1])
        elif a in ("--filter", "-w", "--workspace", "-F") and i + 1 < len(args):
            i += 2
            continue
        elif not a.startswith("-"):
            kept.append(a)
        i += 1
    return cwd, kept


def package_script_name(tool: str, args: Sequence[str]) -> str | None:
    """The package.json script a package-manager command runs, if any."""
    if not args:
        return None
    if args[0] in ("run", "run-script"):
        args = args[1:]
    elif args[0] in ("test", "t", "tst"):
        args = ["test", *args[1:]]
    elif tool == "npm" and args[0] not in ("start", "stop", "restart"):
        return None  # another npm command (ci, exec, publish ...)
    return args[0] if args else None


@dataclass(frozen=True)
class MakeCall:
    """A ``make`` command line: the folder it runs in, the Makefile it names, its goals."""

    cwd: str
    makefile: str | None
    goals: list[str]


def make_call(cwd: str, args: Sequence[str]) -> MakeCall:
    """Read ``make`` arguments: ``-C DIR``/``--directory``, ``-f FILE``, goals (``VAR=x`` and
    other options left out)."""
    makefile: str | None = None
    goals: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-C", "--directory") and i + 1 < len(args):
            cwd, i = _join(cwd, args[i + 1]), i + 2
            continue
        if a in ("-f", "--file", "--makefile") and i + 1 < len(args):
            makefile, i = args[i + 1], i + 2
            continue
        if a.startswith("--directory="):
            cwd = _join(cwd, a.split("=", 1)[1])
        elif a.startswith("-C") and len(a) > 2:
            cwd = _join(cwd, a[2:])
        elif not a.startswith("-") and "=" not in a:
            goals.append(a)
        i += 1
    return MakeCall(cwd, makefile, goals)


def tox_wanted(args: Sequence[str]) -> list[str]:
    """The environments ``tox -e a,b`` / ``tox -ea`` names (none: every environment)."""
    wanted: list[str] = []
    for i, a in enumerate(args):
        if a == "-e" and i + 1 < len(args):
            wanted.extend(args[i + 1].split(","))
        elif a.startswith("-e") and len(a) > 2:
            wanted.extend(a[2:].split(","))
    return wanted


def tox_environments(wanted: Sequence[str], envs: Iterable[str]) -> list[str]:
    """The defined environments ``tox`` runs for the names asked for.

    ``ALL`` runs every one; a factor name (``py312-django42``) not defined on its own runs
    ``[testenv]`` (``py``)."""
    envs = list(envs)
    if not wanted:
        return envs
    names: list[str] = []
    for w in wanted:
        if w in envs:
            names.append(w)
        elif w.upper() == "ALL":
            names.extend(envs)
        elif "py" in envs:
            names.append("py")
    return names


_NOX_SESSION_OPTIONS = frozenset({"-s", "--session", "--sessions", "-e"})


def nox_wanted(args: Sequence[str]) -> list[str]:
    """The sessions ``nox -s a,b`` (``--session``, ``--sessions``, ``-e``) names."""
    values: list[str] = []
    for i, a in enumerate(args):
        if a in _NOX_SESSION_OPTIONS and i + 1 < len(args):
            values.extend(args[i + 1].split(","))
    return values


def nox_selected(wanted: Sequence[str], sessions: Iterable[str]) -> list[str]:
    """The sessions ``nox -s NAME`` runs: by name or by base name (``tests`` selects
    ``tests-3.12``); every session when none is named or none matches."""
    sessions = list(sessions)
    names = [n for n in sessions if not wanted or n in wanted or n.split("-")[0] in wanted]
    return names or sessions
