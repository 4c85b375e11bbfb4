"""Shell text in CI pipelines: single commands, their folder, launchers, and test runners.

:func:`split_commands` cuts a ``run:`` block into single commands (dropping package
installs and comments, following ``cd``); :func:`yaml_commands` does so for every string
of a CI YAML document, in the folder its step, job or workflow names;
:func:`strip_prefixes` drops what only launches the rest of a command (``uv run``,
``npx``, ``docker compose exec SERVICE``, ``coverage run``); :func:`runs_tests` names the
test runner a command runs. Nothing here reads the repository.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: Longest single command considered (characters); longer ones are cut.
MAX_COMMAND_CHARS = 4_000
#: Most strings collected from one YAML document.
MAX_STRINGS = 50_000
#: Most launchers stripped from the head of one command.
MAX_LAUNCHERS = 8

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
#: Build tools whose test phase is named by the tool (``mvn verify`` runs maven's tests).
_BUILD_TOOLS = {
    "mvnw": "maven",
    "mvn": "maven",
    "maven": "maven",
    "gradlew": "gradle",
    "gradle": "gradle",
    "sbt": "sbt",
}
#: Wrappers named by their own words when their definition was not read.
_WRAPPERS = frozenset({"make", "npm", "pnpm", "yarn", "bun", "hatch", "pdm", "just"})

_SPLIT = re.compile(r"\n|&&|\|\||;|\|")
_INSTALL_STEP = re.compile(
    r"\b(?:(?:pip3?|pipx|uv\s+pip|uv\s+tool|uv|poetry|pdm|conda|npm|yarn|pnpm|bun|apt(?:-get)?|"
    r"brew|gem|go)\s+(?:install|add|get|sync)|npm\s+ci)\b",
    re.IGNORECASE,
)
_ENV_ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=\S*$")
#: Prefixes that run the rest of the command unchanged (with the sub-command they need).
_PASS_THROUGH: dict[str, tuple[str, ...]] = {
    "uv": ("run",),
    "poetry": ("run",),
    "pipenv": ("run",),
    "rye": ("run",),
    "pixi": ("run",),
    "conda": ("run",),
    **dict.fromkeys(("npx", "pnpx", "bunx", "exec", "env", "time", "sudo", "xvfb-run", "nice"), ()),
    **dict.fromkeys(("cross-env", "nyc", "c8", "dotenv", "timeout"), ()),
}
_CONTAINER_TOOLS = frozenset({"docker", "docker-compose", "podman"})
#: Launcher options followed by a value (``docker compose exec -w DIR``, ``uv run --with X``).
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
            cwd = join_folder(cwd, words[1])
        elif words[0] == "popd":
            cwd = ""
        else:
            out.append(Command(command, cwd, via))
    return out


def join_folder(cwd: str, path: str) -> str:
    """``path`` taken from ``cwd``, relative to the root ("" for the root itself).

    An absolute or variable path keeps ``cwd``; one that leaves the tree gives the root.
    """
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
        elif isinstance(item, (list, dict)) and id(item) not in seen:
            seen.add(id(item))
            stack.extend(_yaml_children(item, cwd))
    return out


def _yaml_children(item: list[Any] | dict[Any, Any], cwd: str) -> list[tuple[Any, str]]:
    """The values under a YAML list or mapping, each with the folder it runs in."""
    if isinstance(item, list):
        return [(value, cwd) for value in item]
    folder = step_folder(item)
    inner = join_folder(cwd, folder) if folder else cwd
    return [(value, inner) for key, value in item.items() if not _is_label(key)]


def step_folder(item: Mapping[Any, Any]) -> str | None:
    """The working directory a CI step, job or workflow mapping names, if any."""
    folder = next((item[k] for k in _WD_KEYS if isinstance(item.get(k), str)), None)
    if folder is not None:
        return str(folder)
    defaults = item.get("defaults")
    run = defaults.get("run") if isinstance(defaults, dict) else None
    if isinstance(run, dict) and isinstance(run.get("working-directory"), str):
        return str(run["working-directory"])
    return None


def _is_label(key: Any) -> bool:
    """Keys whose value is a title or a folder, never a command."""
    return isinstance(key, str) and (key.lower() in _LABEL_KEYS or key in _WD_KEYS)


def shell_words(text: str) -> list[str]:
    """A command's words as a POSIX shell splits them (on whitespace when quotes are unbalanced)."""
    try:
        return shlex.split(text, comments=False, posix=True)
    except ValueError:
        return text.split()


def strip_prefixes(words: list[str]) -> list[str]:
    """Drop environment assignments and pass-through launchers (``uv run``, ``npx``,
    ``docker compose exec SERVICE``, ``coverage run``)."""
    for _ in range(MAX_LAUNCHERS):
        while words and _ENV_ASSIGN.match(words[0]):
            words = words[1:]
        if not words:
            return words
        launched = _launched(words)
        if launched is None:
            return words
        words = launched
    return words


def _launched(words: list[str]) -> list[str] | None:
    """What the launcher heading ``words`` runs; None when ``words[0]`` launches nothing."""
    tool = posixpath.basename(words[0]).lower()
    if tool in _PASS_THROUGH:
        return _after_pass_through(_PASS_THROUGH[tool], words[1:])
    if tool == "coverage" and words[1:2] == ["run"]:
        rest = drop_options(words[2:])
        return rest[1:] if rest[:1] == ["-m"] else rest
    if tool in _CONTAINER_TOOLS:
        return _after_compose(tool, words[1:])
    return None


def _after_pass_through(sub: Sequence[str], rest: list[str]) -> list[str] | None:
    """``uv run X`` gives ``X``; ``uv sync`` launches nothing."""
    if sub:
        if not rest or rest[0] not in sub:
            return None
        rest = rest[1:]
    return drop_options(rest)


def _after_compose(tool: str, rest: list[str]) -> list[str] | None:
    """``docker compose run|exec [OPTIONS] SERVICE X`` gives ``X``; other commands nothing."""
    if rest[:1] == ["compose"]:
        rest = rest[1:]
    elif tool != "docker-compose":
        return None
    rest = drop_options(rest)
    if rest[:1] not in (["run"], ["exec"]):
        return None
    return drop_options(rest[1:])[1:]  # drop SERVICE


def drop_options(words: list[str]) -> list[str]:
    """``words`` after the leading options (and their values) of a launcher."""
    i = 0
    while i < len(words) and words[i].startswith("-"):
        if words[i] == "--":
            return words[i + 1 :]
        if words[i] in _OPTION_WITH_VALUE and "=" not in words[i]:
            i += 2
        else:
            i += 1
    return words[i:]


def runs_tests(command: str) -> str | None:
    """The test runner a single command runs (``pytest``, ``go test``, ``maven``), or None."""
    match = TEST_RUNNER.search(command)
    if match is None:
        return None
    runner = " ".join(match.group(1).lower().split())
    first = runner.split()[0]
    if first in _BUILD_TOOLS:
        return None if _SKIP_TESTS.search(command) else _BUILD_TOOLS[first]
    if first == "node":
        return "node --test"
    if first in _WRAPPERS:
        return f"{first} {runner.split()[-1]}"  # by its name: the definition was not read
    return runner.replace("py.test", "pytest")
