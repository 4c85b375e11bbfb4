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
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

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
#: Longest single command considered (characters); longer ones are cut.
MAX_COMMAND_CHARS = 4_000
#: Most searches of the whole tree for a path named from an unknown folder.
MAX_SUFFIX_SEARCHES = 200
#: Most strings collected from one YAML document.
MAX_STRINGS = 50_000

#: Commands that run a test suite themselves (build tools' test phases included).
TEST_RUNNER = re.compile(
    r"\b(py\.?test|pytest|unittest|nose2|manage\.py\s+test|django-admin\s+test|"
    r"hatch\s+test|go\s+test|gotestsum|ginkgo|cargo\s+(?:test|nextest)|"
    r"(?:mvnw?|maven)\b[^\n]*\b(?:test|verify|package|install)|"
    r"gradlew?\b[^\n]*\b(?:test|check|build)|sbt\b[^\n]*\btest|lein\s+test|"
    r"rspec|phpunit|jest|vitest|mocha|jasmine|karma|playwright\s+test|cypress\s+run|ng\s+test|"
    r"node\b[^\n]*\s--test|deno\s+test|bun\s+test|mix\s+test|dotnet\s+test|vstest\.console|"
    r"ctest|behave|tox|nox|"
    # Wrappers whose definition was not found in the repository keep their own words:
    r"make\s+(?:-\S+\s+)*(?:test|tests|check|ci)|(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?test|"
    r"hatch\s+run\s+[\w:-]*test[\w:-]*|pdm\s+run\s+test|just\s+test)\b",
    re.IGNORECASE,
)
#: Maven or Gradle invocations that skip the tests.
_SKIP_TESTS = re.compile(
    r"-DskipTests\b|-Dmaven\.test\.skip=true|-x\s+test\b|--exclude-task\s+test\b", re.IGNORECASE
)

_SPLIT = re.compile(r"\n|&&|\|\||;|\|")
_INSTALL_STEP = re.compile(
    r"\b(?:(?:pip3?|pipx|uv\s+pip|uv\s+tool|uv|poetry|pdm|conda|npm|yarn|pnpm|bun|apt(?:-get)?|"
    r"brew|gem|go)\s+(?:install|add|get|sync)|npm\s+ci)\b",
    re.IGNORECASE,
)
_ENV_ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=\S*$")
#: Prefixes that run the rest of the command unchanged.
_PASS_THROUGH = {
    "uv": ("run",),
    "poetry": ("run",),
    "pipenv": ("run",),
    "rye": ("run",),
    "pixi": ("run",),
    "conda": ("run",),
    "npx": (),
    "pnpx": (),
    "bunx": (),
    "exec": (),
    "env": (),
    "time": (),
    "sudo": (),
    "xvfb-run": (),
    "nice": (),
    "cross-env": (),
    "nyc": (),
    "c8": (),
    "dotenv": (),
    "timeout": (),
}
_PYTHON = re.compile(r"^(?:python(?:\d(?:\.\d+)?)?|py)$")
_PY_RUNNER = re.compile(r"\b(pytest|unittest)\.main\(")
_SHELLS = frozenset({"bash", "sh", "zsh", "dash", "ksh", "source", "."})
_SCRIPT_SUFFIXES = (".sh", ".bash", ".py", ".zsh")
_GH_EXPR = re.compile(r"\$\{\{[^}]*\}\}/?")
_CIRCLE_HOME = re.compile(r"^~/project(?:/|$)")
_WD_KEYS = ("working-directory", "working_directory", "workingDirectory")
_LABEL_KEYS = frozenset({"name", "description", "displayname", "title", "label", "summary"})


@dataclass(frozen=True)
class Command:
    """A command line, the folder it runs in, and the files that led to it."""

    text: str
    cwd: str = ""
    via: tuple[str, ...] = ()


def split_commands(text: str, cwd: str = "", via: tuple[str, ...] = ()) -> list[Command]:
    """Single commands from a shell text, without package installs and comments.

    ``cd DIR`` changes the folder of the commands after it in the same text.
    """
    out: list[Command] = []
    for raw in _SPLIT.split(text[: MAX_COMMAND_CHARS * 20]):
        command = raw.strip()[:MAX_COMMAND_CHARS]
        if not command or command.startswith("#") or _INSTALL_STEP.search(command):
            continue
        words = command.split()
        if words[0] in ("cd", "pushd") and len(words) == 2:
            cwd = _join(cwd, words[1])
            continue
        if words[0] == "popd":
            cwd = ""
            continue
        out.append(Command(command, cwd, via))
    return out


def _join(cwd: str, path: str) -> str:
    path = _GH_EXPR.sub("", path.strip().strip("\"'"))
    path = _CIRCLE_HOME.sub("", path)  # CircleCI's checkout folder is the root
    if path.startswith(("$", "~", "/")):
        return cwd  # an absolute or variable folder: keep what we know
    joined = posixpath.normpath(posixpath.join(cwd, path)) if path else cwd
    return "" if joined in (".", "") or joined.startswith("..") else joined


def yaml_commands(data: Any) -> list[Command]:
    """Every string value of a CI YAML document as commands, each in the folder its step
    (``working-directory``, ``working_directory``, ``workingDirectory``) or its job's or
    workflow's ``defaults.run.working-directory`` names."""
    out: list[Command] = []
    seen: set[int] = set()
    stack: list[tuple[Any, str]] = [(data, "")]
    strings = 0
    while stack and strings < MAX_STRINGS:
        item, cwd = stack.pop()
        if isinstance(item, str):
            strings += 1
            out.extend(split_commands(item, cwd))
        elif isinstance(item, list):
            if id(item) in seen:
                continue
            seen.add(id(item))
            stack.extend((v, cwd) for v in item)
        elif isinstance(item, dict):
            if id(item) in seen:
                continue
            seen.add(id(item))
            folder = next((item[k] for k in _WD_KEYS if isinstance(item.get(k), str)), None)
            defaults = item.get("defaults")
            if folder is None and isinstance(defaults, dict):
                run = defaults.get("run")
                if isinstance(run, dict) and isinstance(run.get("working-directory"), str):
                    folder = run["working-directory"]
            inner = _join(cwd, folder) if folder else cwd
            for key, value in item.items():
                if isinstance(key, str) and (key.lower() in _LABEL_KEYS or key in _WD_KEYS):
                    continue
                stack.append((value, inner))
    return out


# --------------------------------------------------------------------------- following


def _shell_words(text: str) -> list[str]:
    """A command's words as a POSIX shell splits them (on whitespace when quotes are unbalanced)."""
    try:
        return shlex.split(text, comments=False, posix=True)
    except ValueError:
        return text.split()


def _package_manager_args(cwd: str, args: Sequence[str]) -> tuple[str, list[str]]:
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


def _script_name(tool: str, args: Sequence[str]) -> str | None:
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
            suffix = "/" + posixpath.normpath(path)
            found = [f for f in self.fileset.files if f.path.endswith(suffix)]
            if len(found) == 1 and found[0].size <= MAX_FILE_BYTES:
                return found[0]
        return None

    def expand(self, command: Command) -> list[Command] | None:
        """What ``command`` runs, one level down; None when it is not a wrapper we can read."""
        words = _strip_prefixes(_shell_words(command.text))
        if not words:
            return None
        tool = posixpath.basename(words[0]).lower()
        args = words[1:]
        if tool in _SHELLS or (_PYTHON.match(tool) and args and not args[0].startswith("-")):
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
        if ("script", f.path) in self.seen:
            return []
        self.seen.add(("script", f.path))
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
        cwd, makefile_name, goals = command.cwd, None, []
        i = 0
        while i < len(args):
            a = args[i]
            if a in ("-C", "--directory") and i + 1 < len(args):
                cwd, i = _join(cwd, args[i + 1]), i + 2
                continue
            if a.startswith("--directory="):
                cwd = _join(cwd, a.split("=", 1)[1])
            elif a in ("-f", "--file", "--makefile") and i + 1 < len(args):
                makefile_name, i = args[i + 1], i + 2
                continue
            elif a.startswith("-C") and len(a) > 2:
                cwd = _join(cwd, a[2:])
            elif not a.startswith("-") and "=" not in a:
                goals.append(a)
            i += 1
        makefile = self._makefile(cwd, makefile_name)
        if makefile is None:
            return None
        targets, variables = self._make_parsed(makefile)
        if not goals:
            goals = [next(iter(targets))] if targets else []
        out: list[Command] = []
        for goal in goals:
            if goal not in targets:
                return None
            if ("make", f"{makefile.path}:{goal}") in self.seen:
                continue
            self.seen.add(("make", f"{makefile.path}:{goal}"))
            prereqs, recipe = targets[goal]
            via = (*command.via, f"{makefile.path}:{goal}")
            for line in recipe:
                line = _substitute(line.lstrip("@-+ \t"), variables)
                out.extend(split_commands(line, cwd, via))
            out.extend(
                Command(f"make -f {makefile.path.rsplit('/', 1)[-1]} {p}", cwd, via)
                for p in prereqs
                if p in targets
            )
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
        cwd, kept = _package_manager_args(command.cwd, args)
        command = Command(command.text, cwd, command.via)
        name = _script_name(tool, kept)
        if name is None:
            return None
        f = self.resolve(command.cwd, "package.json") if command.cwd else self.file("package.json")
        if f is None:
            return None
        scripts = _package_scripts(f.text)
        if name not in scripts:
            return None
        key = ("npm", f"{f.path}:{name}")
        if key in self.seen:
            return []
        self.seen.add(key)
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
        wanted: list[str] = []
        for i, a in enumerate(args):
            if a == "-e" and i + 1 < len(args):
                wanted.extend(args[i + 1].split(","))
            elif a.startswith("-e") and len(a) > 2:
                wanted.extend(a[2:].split(","))
        names: list[str] = [] if wanted else list(envs)
        for w in wanted:
            if w in envs:
                names.append(w)
            elif w.upper() == "ALL":
                names.extend(envs)
            elif "py" in envs:
                names.append("py")  # a factor environment (py312-django42) runs [testenv]
        out: list[Command] = []
        for name in names:
            key = ("tox", f"{command.cwd}:{name}")
            if key in self.seen:
                continue
            self.seen.add(key)
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
        sessions = self._nox.get(command.cwd)
        if sessions is None:
            f = self.file(_join(command.cwd, "noxfile.py"))
            sessions = nox_sessions(f.text) if f is not None else {}
            self._nox[command.cwd] = sessions
        if not sessions:
            return None
        wanted: list[str] = []
        for i, a in enumerate(args):
            if a in ("-s", "--session", "--sessions", "-e") and i + 1 < len(args):
                wanted.extend(args[i + 1].split(","))
        names = [n for n in sessions if not wanted or n in wanted or n.split("-")[0] in wanted]
        out: list[Command] = []
        for name in names or list(sessions):
            key = ("nox", f"{command.cwd}:{name}")
            if key in self.seen:
                continue
            self.seen.add(key)
            out.extend(
                Command(line, command.cwd, (*command.via, f"noxfile.py:{name}"))
                for line in sessions[name]
            )
        return out

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
        key = (tool, f"{f.path}:{name}")
        if key in self.seen:
            return []
        self.seen.add(key)
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
        key = ("just", f"{f.path}:{name}")
        if key in self.seen:
            return []
        self.seen.add(key)
        out: list[Command] = []
        for line in recipes[name]:
            out.extend(
                split_commands(line.lstrip("@-"), command.cwd, (*command.via, f"{f.path}:{name}"))
            )
        return out


def _strip_prefixes(words: list[str]) -> list[str]:
    """Drop environment assignments and pass-through launchers (``uv run``, ``npx``,
    ``docker compose exec SERVICE``, ``coverage run``)."""
    for _ in range(8):
        while words and _ENV_ASSIGN.match(words[0]):
            words = words[1:]
        if not words:
            return words
        tool = posixpath.basename(words[0]).lower()
        if tool in _PASS_THROUGH:
            sub = _PASS_THROUGH[tool]
            rest = words[1:]
            if sub:
                if not rest or rest[0] not in sub:
                    return words
                rest = rest[1:]
            words = _drop_options(rest)
            continue
        if tool == "coverage" and words[1:2] == ["run"]:
            rest = _drop_options(words[2:])
            if rest[:1] == ["-m"]:
                rest = rest[1:]
            words = rest
            continue
        if tool in ("docker", "docker-compose", "podman"):
            rest = words[1:]
            if rest[:1] == ["compose"] or tool == "docker-compose":
                rest = rest[1:] if rest[:1] == ["compose"] else rest
                rest = _drop_options(rest)
                if rest[:1] in (["run"], ["exec"]):
                    rest = _drop_options(rest[1:])
                    words = rest[1:]  # drop SERVICE
                    continue
            return words
        return words
    return words


_OPTION_WITH_VALUE = frozenset(
    {
        "-e",
        "--env",
        "-w",
        "--workdir",
        "-u",
        "--user",
        "-f",
        "--file",
        "--with",
        "--group",
        "--extra",
        "--project",
        "--directory",
        "--python",
        "-p",
        "--entrypoint",
        "--name",
        "-s",
        "--signal",
        "-k",
        "--kill-after",
    }
)


def _drop_options(words: list[str]) -> list[str]:
    i = 0
    while i < len(words) and words[i].startswith("-"):
        if words[i] == "--":
            return words[i + 1 :]
        if words[i] in _OPTION_WITH_VALUE and "=" not in words[i]:
            i += 2
        else:
            i += 1
    return words[i:]


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


def runs_tests(command: str) -> str | None:
    """The test runner a single command runs (``pytest``, ``go test``, ``maven``), or None."""
    match = TEST_RUNNER.search(command)
    if match is None:
        return None
    runner = " ".join(match.group(1).lower().split())
    first = runner.split()[0]
    if first in ("mvn", "mvnw", "maven", "gradle", "gradlew", "sbt"):
        if _SKIP_TESTS.search(command):
            return None
        return {"mvnw": "maven", "mvn": "maven", "gradlew": "gradle"}.get(first, first)
    if first == "node":
        return "node --test"
    if first in ("make", "npm", "pnpm", "yarn", "bun", "hatch", "pdm", "just"):
        return f"{first} {runner.split()[-1]}"  # by its name: the definition was not read
    return runner.replace("py.test", "pytest")


__all__ = [
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
