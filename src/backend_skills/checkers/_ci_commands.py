"""What a CI pipeline runs, followed statically into the repository.

A workflow seldom calls ``pytest`` itself: it runs ``make test``, ``tox``, ``nox``,
``npm test``, ``hatch run test``, ``uv run bash scripts/tests-start.sh`` or
``docker compose exec backend bash scripts/test.sh``. :func:`follow` reads what such a
command names inside the repository (the shell script, the Makefile target, the
``tox.ini`` environments, the ``noxfile.py`` sessions, the ``package.json`` scripts, the
Hatch/PDM scripts in ``pyproject.toml``, the ``justfile`` recipe), from the files
discovery already read, and returns the commands found there. Nothing is executed; a
wrapper whose definition is read is replaced by what it runs (so ``npm test`` bound to
npm's placeholder ``echo "Error: no test specified"`` is not a test run), and one whose
definition cannot be found keeps its own name. Depth, commands and file sizes are bounded.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Sequence

from backend_skills.checkers._ci_shell import (
    MAX_COMMAND_CHARS,
    MAX_STRINGS,
    TEST_RUNNER,
    Command,
    runs_tests,
    shell_words,
    split_commands,
    strip_prefixes,
    yaml_commands,
)
from backend_skills.checkers._ci_shell import join_folder as _join
from backend_skills.checkers._ci_task_args import (
    make_call,
    nox_selected,
    nox_wanted,
    package_manager_args,
    package_script_name,
    tox_environments,
    tox_wanted,
)
from backend_skills.checkers._ci_task_files import (
    _package_scripts,
    _pyproject_scripts,
    _substitute,
    _tox_ini,
    _tox_pyproject,
    just_recipes,
    make_targets,
    make_variables,
    nox_sessions,
)
from backend_skills.core.discovery import FileSet, SourceFile

#: How many wrappers deep a command is followed.
MAX_DEPTH = 6
#: Most commands produced from one pipeline.
MAX_COMMANDS = 5_000
#: Largest file read to follow a command (bytes).
MAX_FILE_BYTES = 512 * 1024
#: Most searches of the whole tree for a path named from an unknown folder.
MAX_SUFFIX_SEARCHES = 200

_PYTHON = re.compile(r"^(?:python(?:\d(?:\.\d+)?)?|py)$")
_PY_RUNNER = re.compile(r"\b(pytest|unittest)\.main\(")
_SHELLS = frozenset({"bash", "sh", "zsh", "dash", "ksh", "source", "."})
_SCRIPT_SUFFIXES = (".sh", ".bash", ".py", ".zsh")
_GH_EXPR = re.compile(r"\$\{\{[^}]*\}\}/?")


def _runs_script(tool: str, args: Sequence[str]) -> bool:
    """``bash X.sh``, ``source X``, ``python X.py``: a shell or interpreter given a script."""
    return tool in _SHELLS or bool(_PYTHON.match(tool) and args and not args[0].startswith("-"))


class _Follower:
    """Expands wrappers into what they run, reading each definition at most once."""

    def __init__(self, fileset: FileSet) -> None:
        self.fileset = fileset
        self.seen: set[tuple[str, str]] = set()
        self._tox: dict[str, dict[str, list[str]]] = {}
        self._nox: dict[str, dict[str, list[str]]] = {}
        self._make: dict[str, tuple[dict[str, tuple[list[str], list[str]]], dict[str, str]]] = {}
        self._resolved: dict[tuple[str, str], SourceFile | None] = {}
        self._suffix_searches = 0

    def file(self, path: str) -> SourceFile | None:
        f = self.fileset.get(path)
        if f is None or f.size > MAX_FILE_BYTES:
            return None
        return f

    def resolve(self, cwd: str, path: str) -> SourceFile | None:
        """A file named relative to ``cwd``, else to the root, else a unique suffix match."""
        key = (cwd, path)
        if key not in self._resolved:
            self._resolved[key] = self._resolve(cwd, path)
        return self._resolved[key]

    def _resolve(self, cwd: str, path: str) -> SourceFile | None:
        path = _GH_EXPR.sub("", path.strip("\"'")).removeprefix("./")
        if not path or path.startswith(("$", "/", "~")):
            return None
        for base in dict.fromkeys((cwd, "")):
            candidate = _join(base, path)
            f = self.file(candidate) if candidate else None
            if f is not None:
                return f
        if "/" in path and self._suffix_searches < MAX_SUFFIX_SEARCHES:
            # e.g. a script run inside a container whose workdir is a subfolder
            self._suffix_searches += 1
            return self._by_suffix("/" + posixpath.normpath(path))
        return None

    def _by_suffix(self, suffix: str) -> SourceFile | None:
        """The one file of the tree whose path ends with ``suffix``, if it is small enough."""
        found = [f for f in self.fileset.files if f.path.endswith(suffix)]
        if len(found) == 1 and found[0].size <= MAX_FILE_BYTES:
            return found[0]
        return None

    def first_visit(self, kind: str, name: str) -> bool:
        """True the first time a definition is followed (each one expands once)."""
        if (kind, name) in self.seen:
            return False
        self.seen.add((kind, name))
        return True

    def expand(self, command: Command) -> list[Command] | None:
        """What ``command`` runs, one level down; None when it is not a wrapper we can read."""
        words = strip_prefixes(shell_words(command.text))
        if not words:
            return None
        tool = posixpath.basename(words[0]).lower()
        args = words[1:]
        if _runs_script(tool, args):
            script = next((a for a in args if not a.startswith("-")), None)
            return self._script(command, script) if script else None
        if tool.endswith(_SCRIPT_SUFFIXES) or words[0].startswith("./"):
            return self._script(command, words[0])
        if _PYTHON.match(tool) and args[:1] == ["-m"] and len(args) > 1:
            return [Command(" ".join(args[1:]), command.cwd, command.via)]
        return self._task_runner(command, tool, args)

    def _task_runner(self, command: Command, tool: str, args: list[str]) -> list[Command] | None:
        """What a task runner (make, npm scripts, tox, nox, hatch, pdm, just) runs."""
        if tool in ("make", "gmake"):
            return self._make_cmd(command, args)
        if tool in ("npm", "pnpm", "yarn", "bun"):
            return self._package_script(command, tool, args)
        if tool == "tox":
            return self._tox_cmd(command, args)
        if tool == "nox":
            return self._nox_cmd(command, args)
        if tool in ("hatch", "pdm") and args[:1] == ["run"] and len(args) > 1:
            return self._pyproject_script(command, tool, args[1:])
        if tool == "just" and args:
            return self._just(command, args)
        return None

    # -- scripts ----------------------------------------------------------------------

    def _script(self, command: Command, path: str) -> list[Command] | None:
        if not path.endswith(_SCRIPT_SUFFIXES):
            return None
        f = self.resolve(command.cwd, path)
        if f is None:
            return None
        if path.endswith(".py"):
            # A Python script is not a shell script: it runs tests only through a runner's
            # entry point; otherwise the command stands for itself (`python manage.py test`).
            runner = _PY_RUNNER.search(f.text)
            if runner is None:
                return None
            return [Command(runner.group(1), command.cwd, (*command.via, f.path))]
        if not self.first_visit("script", f.path):
            return []
        # A script runs from the caller's folder; scripts usually cd or use paths from it.
        return split_commands(f.text, command.cwd, (*command.via, f.path))

    # -- make -------------------------------------------------------------------------

    def _makefile(self, cwd: str, name: str | None) -> SourceFile | None:
        names = [name] if name else ["GNUmakefile", "makefile", "Makefile"]
        for n in names:
            f = self.file(_join(cwd, n))
            if f is not None:
                return f
        return None

    def _make_cmd(self, command: Command, args: Sequence[str]) -> list[Command] | None:
        call = make_call(command.cwd, args)
        makefile = self._makefile(call.cwd, call.makefile)
        if makefile is None:
            return None
        targets, _ = self._make_parsed(makefile)
        goals = call.goals or ([next(iter(targets))] if targets else [])
        out: list[Command] = []
        for goal in goals:
            if goal not in targets:
                return None  # a goal we cannot read: the command stands for itself
            if self.first_visit("make", f"{makefile.path}:{goal}"):
                out.extend(self._make_goal(makefile, goal, call.cwd, command.via))
        return out

    def _make_goal(
        self, makefile: SourceFile, goal: str, cwd: str, via: tuple[str, ...]
    ) -> list[Command]:
        """A Makefile target's recipe lines, then ``make`` of its prerequisites."""
        targets, variables = self._make_parsed(makefile)
        prereqs, recipe = targets[goal]
        via = (*via, f"{makefile.path}:{goal}")
        out: list[Command] = []
        for line in recipe:
            line = _substitute(line.lstrip("@-+ \t"), variables)
            out.extend(split_commands(line, cwd, via))
        name = makefile.path.rsplit("/", 1)[-1]
        out.extend(Command(f"make -f {name} {p}", cwd, via) for p in prereqs if p in targets)
        return out

    def _make_parsed(
        self, makefile: SourceFile
    ) -> tuple[dict[str, tuple[list[str], list[str]]], dict[str, str]]:
        cached = self._make.get(makefile.path)
        if cached is None:
            cached = (make_targets(makefile.text), make_variables(makefile.text))
            self._make[makefile.path] = cached
        return cached

    # -- package.json -----------------------------------------------------------------

    def _package_script(
        self, command: Command, tool: str, args: Sequence[str]
    ) -> list[Command] | None:
        cwd, kept = package_manager_args(command.cwd, args)
        command = Command(command.text, cwd, command.via)
        name = package_script_name(tool, kept)
        if name is None:
            return None
        f = self.resolve(command.cwd, "package.json") if command.cwd else self.file("package.json")
        if f is None:
            return None
        scripts = _package_scripts(f.text)
        if name not in scripts:
            return None
        if not self.first_visit("npm", f"{f.path}:{name}"):
            return []
        folder = posixpath.dirname(f.path)
        via = (*command.via, f"{f.path}:{name}")
        out: list[Command] = []
        for script in (f"pre{name}", name, f"post{name}"):
            if script in scripts:
                out.extend(split_commands(scripts[script], folder, via))
        return out

    # -- tox / nox --------------------------------------------------------------------

    def _tox_cmd(self, command: Command, args: Sequence[str]) -> list[Command] | None:
        envs = self._tox_envs(command.cwd)
        if not envs:
            return None
        out: list[Command] = []
        for name in tox_environments(tox_wanted(args), envs):
            if not self.first_visit("tox", f"{command.cwd}:{name}"):
                continue
            for line in envs[name]:
                out.extend(split_commands(line, command.cwd, (*command.via, f"tox:{name}")))
        return out

    def _tox_envs(self, cwd: str) -> dict[str, list[str]]:
        if cwd in self._tox:
            return self._tox[cwd]
        envs: dict[str, list[str]] = {}
        ini = self.file(_join(cwd, "tox.ini"))
        if ini is not None:
            envs = _tox_ini(ini.text, "")
        if not envs:
            setup = self.file(_join(cwd, "setup.cfg"))
            if setup is not None:
                envs = _tox_ini(setup.text, "tox:")
        if not envs:
            pyproject = self.file(_join(cwd, "pyproject.toml"))
            if pyproject is not None:
                envs = _tox_pyproject(pyproject.text)
        self._tox[cwd] = envs
        return envs

    def _nox_cmd(self, command: Command, args: Sequence[str]) -> list[Command] | None:
        sessions = self._nox_sessions(command.cwd)
        if not sessions:
            return None
        out: list[Command] = []
        for name in nox_selected(nox_wanted(args), sessions):
            if not self.first_visit("nox", f"{command.cwd}:{name}"):
                continue
            out.extend(
                Command(line, command.cwd, (*command.via, f"noxfile.py:{name}"))
                for line in sessions[name]
            )
        return out

    def _nox_sessions(self, cwd: str) -> dict[str, list[str]]:
        sessions = self._nox.get(cwd)
        if sessions is None:
            f = self.file(_join(cwd, "noxfile.py"))
            sessions = nox_sessions(f.text) if f is not None else {}
            self._nox[cwd] = sessions
        return sessions

    # -- pyproject scripts, justfile --------------------------------------------------

    def _pyproject_script(
        self, command: Command, tool: str, args: Sequence[str]
    ) -> list[Command] | None:
        f = self.file(_join(command.cwd, "pyproject.toml"))
        if f is None:
            return None
        scripts = _pyproject_scripts(f.text, tool)
        args = [a for a in args if not a.startswith(("-", "+"))]
        if not args:
            return None
        name = args[0].split(":")[-1]  # hatch run env:script
        if name not in scripts:
            return [Command(" ".join(args), command.cwd, command.via)]  # `hatch run pytest`
        if not self.first_visit(tool, f"{f.path}:{name}"):
            return []
        via = (*command.via, f"{f.path}:{tool}:{name}")
        out: list[Command] = []
        for line in scripts[name]:
            out.extend(split_commands(line, command.cwd, via))
        return out

    def _just(self, command: Command, args: Sequence[str]) -> list[Command] | None:
        f = next(
            (
                g
                for n in ("justfile", "Justfile", ".justfile")
                if (g := self.file(_join(command.cwd, n))) is not None
            ),
            None,
        )
        if f is None:
            return None
        recipes = just_recipes(f.text)
        name = next((a for a in args if not a.startswith("-")), None)
        if name is None or name not in recipes:
            return None
        if not self.first_visit("just", f"{f.path}:{name}"):
            return []
        out: list[Command] = []
        for line in recipes[name]:
            out.extend(
                split_commands(line.lstrip("@-"), command.cwd, (*command.via, f"{f.path}:{name}"))
            )
        return out


def follow(commands: Iterable[Command], fileset: FileSet) -> list[Command]:
    """Every command, with each wrapper we can read replaced by what it runs.

    The result holds the leaves (commands that are not wrappers, or wrappers whose
    definition is not in the repository) in order, each with the chain of files that led
    to it in ``via``.
    """
    follower = _Follower(fileset)
    out: list[Command] = []
    stack: list[tuple[Command, int]] = [(c, 0) for c in reversed(list(commands))]
    while stack and len(out) < MAX_COMMANDS:
        command, depth = stack.pop()
        expanded = follower.expand(command) if depth < MAX_DEPTH else None
        if expanded is None:
            out.append(command)
            continue
        stack.extend((c, depth + 1) for c in reversed(expanded))
    return out


__all__ = [
    "MAX_COMMAND_CHARS",
    "MAX_STRINGS",
    "TEST_RUNNER",
    "Command",
    "follow",
    "just_recipes",
    "make_targets",
    "make_variables",
    "nox_sessions",
    "runs_tests",
    "split_commands",
    "yaml_commands",
]
