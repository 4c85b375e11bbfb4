"""The ``repo`` checker's linters, formatters, type checkers and git hooks criterion."""

from __future__ import annotations

import configparser
import json
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from backend_skills.checkers._repo_ci import (
    commands_in,
    load_yaml,
    yaml_strings,
)
from backend_skills.checkers._repo_text import (
    LINTERS,
    _finding,
    _join,
    _Part,
)
from backend_skills.core.discovery import FileSet, SourceFile
from backend_skills.core.models import Metric, Role, Severity, Skip

# --------------------------------------------------------------------------- linters

LINT_SIGNALS = ("linter", "formatter", "type checker", "git hooks", "editorconfig")

#: Tool -> kind. A tool may be both a linter and a formatter (``ruff format``, biome).
TOOL_KINDS: dict[str, tuple[str, ...]] = {
    "ruff": ("linter",),
    "ruff-check": ("linter",),
    "ruff-format": ("formatter",),
    "flake8": ("linter",),
    "pylint": ("linter",),
    "pycodestyle": ("linter",),
    "pyflakes": ("linter",),
    "pydocstyle": ("linter",),
    "bandit": ("linter",),
    "sqlfluff": ("linter",),
    "sqlfluff-lint": ("linter",),
    "sqlfluff-fix": ("formatter",),
    "eslint": ("linter",),
    "golangci-lint": ("linter",),
    "go-vet": ("linter",),
    "rubocop": ("linter", "formatter"),
    "shellcheck": ("linter",),
    "hadolint": ("linter",),
    "yamllint": ("linter",),
    "markdownlint": ("linter",),
    "stylelint": ("linter",),
    "clippy": ("linter",),
    "biome": ("linter", "formatter"),
    "black": ("formatter",),
    "isort": ("formatter",),
    "autopep8": ("formatter",),
    "yapf": ("formatter",),
    "prettier": ("formatter",),
    "gofmt": ("formatter",),
    "rustfmt": ("formatter",),
    "clang-format": ("formatter",),
    "docformatter": ("formatter",),
    "mypy": ("type checker",),
    "pyright": ("type checker",),
    "basedpyright": ("type checker",),
    "pytype": ("type checker",),
    "pyre": ("type checker",),
    "tsc": ("type checker",),
    # Java: build plugins and their configuration files.
    "checkstyle": ("linter",),
    "pmd": ("linter",),
    "spotbugs": ("linter",),
    "error-prone": ("linter",),
    "spotless": ("formatter",),
    "spring-javaformat": ("formatter",),
    "google-java-format": ("formatter",),
    # .NET: analyzers switched on in the project files, formatters run by the team.
    "dotnet-analyzers": ("linter",),
    "stylecop": ("linter",),
    "sonaranalyzer": ("linter",),
    "roslynator": ("linter",),
    "dotnet-format": ("formatter",),
    "csharpier": ("formatter",),
    "nullable": ("type checker",),
    # Go: the go tool's own checks and the usual companions.
    "staticcheck": ("linter",),
    "revive": ("linter",),
    "goimports": ("formatter",),
    "gofumpt": ("formatter",),
}
#: Dedicated config files (by name, at the root or one folder down) -> tool.
CONFIG_FILES = {
    "ruff.toml": "ruff",
    ".ruff.toml": "ruff",
    ".flake8": "flake8",
    ".pylintrc": "pylint",
    "pylintrc": "pylint",
    "mypy.ini": "mypy",
    ".mypy.ini": "mypy",
    ".isort.cfg": "isort",
    "pyrightconfig.json": "pyright",
    ".sqlfluff": "sqlfluff",
    ".golangci.yml": "golangci-lint",
    ".golangci.yaml": "golangci-lint",
    ".golangci.toml": "golangci-lint",
    ".rubocop.yml": "rubocop",
    ".eslintrc": "eslint",
    ".eslintrc.json": "eslint",
    ".eslintrc.js": "eslint",
    ".eslintrc.cjs": "eslint",
    ".eslintrc.yml": "eslint",
    ".eslintrc.yaml": "eslint",
    "eslint.config.js": "eslint",
    "eslint.config.mjs": "eslint",
    "eslint.config.cjs": "eslint",
    ".prettierrc": "prettier",
    ".prettierrc.json": "prettier",
    ".prettierrc.yml": "prettier",
    ".prettierrc.yaml": "prettier",
    "prettier.config.js": "prettier",
    "rustfmt.toml": "rustfmt",
    ".rustfmt.toml": "rustfmt",
    ".yamllint": "yamllint",
    ".yamllint.yml": "yamllint",
    ".yamllint.yaml": "yamllint",
    "biome.json": "biome",
    ".markdownlint.json": "markdownlint",
    ".markdownlint.yaml": "markdownlint",
    ".stylelintrc.json": "stylelint",
    "checkstyle.xml": "checkstyle",
    "checkstyle-suppressions.xml": "checkstyle",
    "pmd-ruleset.xml": "pmd",
    "spotbugs-exclude.xml": "spotbugs",
    ".springjavaformatconfig": "spring-javaformat",
    ".csharpierrc": "csharpier",
    ".csharpierrc.json": "csharpier",
    "staticcheck.conf": "staticcheck",
    "revive.toml": "revive",
}
#: Build files (Maven, Gradle, MSBuild) naming a tool: plugin ids and artifacts, analyzer
#: packages and properties. ``(file name pattern, tool, evidence pattern)``.
_JAVA_BUILD = r"^(pom\.xml|build\.gradle(\.kts)?)$"
_MSBUILD = r"(\.csproj|^Directory\.Build\.props|^Directory\.Packages\.props)$"
_GRADLE_PLUGIN = r"id\s*\(?\s*['\"]{0}['\"]|apply\s+plugin:\s*['\"]{0}['\"]"
BUILD_FILE_TOOLS: tuple[tuple[re.Pattern[str], str, re.Pattern[str]], ...] = tuple(
    (re.compile(names), tool, re.compile(evidence, re.IGNORECASE))
    for names, tool, evidence in (
        (
            _JAVA_BUILD,
            "checkstyle",
            r"maven-checkstyle-plugin|\bcheckstyle\s*\{|" + _GRADLE_PLUGIN.format("checkstyle"),
        ),
        (_JAVA_BUILD, "pmd", r"maven-pmd-plugin|" + _GRADLE_PLUGIN.format("pmd")),
        (_JAVA_BUILD, "spotbugs", r"spotbugs-maven-plugin|com\.github\.spotbugs"),
        (_JAVA_BUILD, "error-prone", r"error_prone_core|net\.ltgt\.errorprone"),
        (_JAVA_BUILD, "spotless", r"spotless-maven-plugin|com\.diffplug\.spotless"),
        (
            _JAVA_BUILD,
            "spring-javaformat",
            r"spring-javaformat-maven-plugin|io\.spring\.javaformat",
        ),
        (
            _JAVA_BUILD,
            "google-java-format",
            r"fmt-maven-plugin|googleJavaFormat|google-java-format",
        ),
        (
            _MSBUILD,
            "dotnet-analyzers",
            r"<EnableNETAnalyzers>\s*true|<AnalysisLevel>|<AnalysisMode>|<EnforceCodeStyleInBuild>\s*true",
        ),
        (_MSBUILD, "stylecop", r"StyleCop\.Analyzers"),
        (_MSBUILD, "sonaranalyzer", r"SonarAnalyzer\.CSharp"),
        (_MSBUILD, "roslynator", r"Roslynator\.Analyzers"),
        (_MSBUILD, "dotnet-format", r"<EnforceCodeStyleInBuild>\s*true"),
        (_MSBUILD, "nullable", r"<Nullable>\s*enable\s*</Nullable>"),
    )
)

#: ``[tool.X]`` tables in pyproject.toml -> tool.
PYPROJECT_TOOLS = {
    "ruff": "ruff",
    "black": "black",
    "isort": "isort",
    "mypy": "mypy",
    "pylint": "pylint",
    "pyright": "pyright",
    "basedpyright": "basedpyright",
    "flake8": "flake8",
    "pytype": "pytype",
    "sqlfluff": "sqlfluff",
    "pydocstyle": "pydocstyle",
    "autopep8": "autopep8",
    "yapf": "yapf",
    "docformatter": "docformatter",
    "bandit": "bandit",
}
#: ``[section]`` names in setup.cfg / tox.ini -> tool.
INI_SECTIONS = {
    "flake8": "flake8",
    "mypy": "mypy",
    "isort": "isort",
    "pycodestyle": "pycodestyle",
    "pydocstyle": "pydocstyle",
    "yapf": "yapf",
    "pylint": "pylint",
    "tool:isort": "isort",
    "pylint.main": "pylint",
    "pylint.messages control": "pylint",
}
_TOOL_IN_COMMAND = re.compile(
    r"\b(ruff\s+format|ruff|flake8|pylint|pycodestyle|pydocstyle|mypy|basedpyright|pyright|"
    r"pytype|black|isort|autopep8|yapf|bandit|sqlfluff|eslint|prettier|golangci-lint|gofmt|"
    r"rubocop|cargo\s+clippy|cargo\s+fmt|shellcheck|hadolint|yamllint|biome|dotnet\s+format|"
    r"dotnet-format|csharpier|go\s+vet|staticcheck|revive|goimports|gofumpt|checkstyle|"
    r"spotless:(?:check|apply)|spotless(?:Check|Apply))\b",
    re.IGNORECASE,
)
#: pre-commit hook ids that are not the tool's own name.
_HOOK_ALIASES = {
    "golangci-lint-full": "golangci-lint",
    "golangci-lint-config-verify": "golangci-lint",
    "go-fmt": "gofmt",
    "fmt": "rustfmt",
    "flake8-docstrings": "flake8",
    "pretty-format-yaml": "prettier",
}


@dataclass
class _Tools:
    """Tools found and where the evidence is."""

    evidence: dict[str, list[str]] = field(default_factory=dict)

    def add(self, tool: str, where: str) -> None:
        tool = tool.lower()
        if tool in TOOL_KINDS:
            places = self.evidence.setdefault(tool, [])
            if where not in places:
                places.append(where)

    def kinds(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for tool in sorted(self.evidence):
            for kind in TOOL_KINDS[tool]:
                out.setdefault(kind, []).append(tool)
        return out


def _tool_from_command(command: str) -> str:
    tool = " ".join(command.lower().split())
    aliases = {
        "ruff format": "ruff-format",
        "cargo clippy": "clippy",
        "cargo fmt": "rustfmt",
        "dotnet format": "dotnet-format",
        "go vet": "go-vet",
    }
    return aliases.get(tool) or ("spotless" if tool.startswith("spotless") else tool)


def editorconfig_has_settings(text: str) -> bool:
    """Whether an .editorconfig has a ``[glob]`` section with at least one ``key = value``."""
    in_section = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            in_section = True
        elif in_section and "=" in line and line.split("=", 1)[1].strip():
            return True
    return False


def _shallow(path: str) -> bool:
    return path.count("/") <= 1


def _add_command_tools(tools: _Tools, commands: Iterable[str], where: str) -> None:
    """Record every tool a shell command names, as run from ``where``."""
    for command in commands:
        for m in _TOOL_IN_COMMAND.finditer(command):
            tools.add(_tool_from_command(m.group(1)), where)


def _pyproject_tools(f: SourceFile, part: _Part, tools: _Tools) -> None:
    try:
        table = tomllib.loads(f.text).get("tool", {})
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        part.skipped.append(Skip(path=f.path, reason=f"invalid TOML: {detail}", checker="repo"))
        return
    if not isinstance(table, dict):
        return
    for key, tool in PYPROJECT_TOOLS.items():
        if key in table:
            tools.add(tool, f"{f.path} [tool.{key}]")
    ruff = table.get("ruff")
    if isinstance(ruff, dict) and "format" in ruff:
        tools.add("ruff-format", f"{f.path} [tool.ruff.format]")


def _ini_tools(f: SourceFile, tools: _Tools) -> None:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    try:
        parser.read_string(f.text)
    except (configparser.Error, ValueError):
        return
    for section in parser.sections():
        name = section.lower()
        ini_tool = INI_SECTIONS.get(name) or ("mypy" if name.startswith("mypy-") else None)
        if ini_tool:
            tools.add(ini_tool, f"{f.path} [{section}]")


def _config_tools(f: SourceFile, part: _Part, tools: _Tools) -> None:
    """Tools one shallow configuration file declares."""
    if f.name in CONFIG_FILES:
        part.files.add(f.path)
        tools.add(CONFIG_FILES[f.name], f.path)
    elif f.name == "pyproject.toml":
        part.files.add(f.path)
        _pyproject_tools(f, part, tools)
    elif f.name in ("setup.cfg", "tox.ini"):
        part.files.add(f.path)
        _ini_tools(f, tools)
    elif f.name == "tsconfig.json" and re.search(r'"strict"\s*:\s*true', f.text):
        part.files.add(f.path)
        tools.add("tsc", f"{f.path} strict")


def _build_file_tools(f: SourceFile, part: _Part, tools: _Tools) -> None:
    """Tools a Maven, Gradle or MSBuild file switches on (plugins, analyzers, properties)."""
    for names, tool, evidence in BUILD_FILE_TOOLS:
        if names.search(f.name) and evidence.search(f.text):
            part.files.add(f.path)
            tools.add(tool, f.path)


def main_language(fileset: FileSet) -> tuple[str, int]:
    """The language of the most source files, and how many ('' when no source). Counted
    in files, not lines: the names and roles of files are the tree's shape, while their
    line counts are content, and the checker is cached by what it reads (editing code it
    does not read must not run it again)."""
    files: dict[str, int] = {}
    for f in fileset.files:
        if f.role is Role.SOURCE:
            files[f.language] = files.get(f.language, 0) + 1
    if not files:
        return "", 0
    main = max(sorted(files), key=lambda language: files[language])
    return main, files[main]


def _pre_commit_hooks(fileset: FileSet, part: _Part, tools: _Tools, hooks: list[str]) -> None:
    pre_commit = fileset.get(".pre-commit-config.yaml") or fileset.get(".pre-commit-config.yml")
    if pre_commit is None:
        return
    part.files.add(pre_commit.path)
    data, problem = load_yaml(pre_commit)
    if problem is not None:
        part.skipped.append(Skip(path=pre_commit.path, reason=problem, checker="repo"))
        part.findings.append(
            _finding(
                "BSCOL008",
                LINTERS,
                pre_commit.path,
                f"{pre_commit.path}: {problem}",
                severity=Severity.LOW,
            )
        )
        return
    for hook_id, entry in pre_commit_hooks(data):
        hooks.append(hook_id)
        tools.add(_HOOK_ALIASES.get(hook_id, hook_id), pre_commit.path)
        if entry is not None:
            _add_command_tools(tools, [entry], pre_commit.path)


def pre_commit_hooks(data: object) -> list[tuple[str, str | None]]:
    """(id, ``entry`` command if any) of each hook of a ``.pre-commit-config.yaml``
    document; malformed repos and hooks are left out."""
    repos = data.get("repos") if isinstance(data, dict) else None
    if not isinstance(repos, list):
        return []
    out: list[tuple[str, str | None]] = []
    for repo in repos:
        hooks = repo.get("hooks") if isinstance(repo, dict) else None
        for hook in hooks if isinstance(hooks, list) else []:
            if isinstance(hook, dict) and isinstance(hook.get("id"), str):
                entry = hook.get("entry")
                out.append((str(hook["id"]), entry if isinstance(entry, str) else None))
    return out


def _lefthook_hooks(fileset: FileSet, part: _Part, tools: _Tools, hooks: list[str]) -> None:
    lefthook = next(
        (
            fileset.get(n)
            for n in ("lefthook.yml", ".lefthook.yml", "lefthook.yaml")
            if fileset.get(n)
        ),
        None,
    )
    if lefthook is None:
        return
    part.files.add(lefthook.path)
    data, _ = load_yaml(lefthook)
    if isinstance(data, dict) and any(k.startswith("pre-") for k in data if isinstance(k, str)):
        commands = commands_in(yaml_strings(data))
        hooks.extend(commands)
        _add_command_tools(tools, commands, lefthook.path)


def _package_scripts(fileset: FileSet, hooks: list[str]) -> list[str]:
    """The npm scripts of ``package.json`` (and husky, recorded as a git hook)."""
    package = fileset.get("package.json")
    if package is None:
        return []
    try:
        pkg = json.loads(package.text)
    except (ValueError, RecursionError):
        return []
    if not isinstance(pkg, dict):
        return []
    scripts = pkg.get("scripts")
    package_scripts = [str(v) for v in scripts.values()] if isinstance(scripts, dict) else []
    if ".husky" in fileset.dirs and "husky" in package.text:
        hooks.append("husky")
    return package_scripts


_LINT_ADVICE = {
    "linter": ("a linter ([tool.ruff] in pyproject.toml)", "pyproject.toml"),
    "formatter": ("a formatter (ruff format or black)", "pyproject.toml"),
    "type checker": ("a type checker ([tool.mypy] in pyproject.toml)", "pyproject.toml"),
    "git hooks": ("git hooks (.pre-commit-config.yaml running them)", ".pre-commit-config.yaml"),
    "editorconfig": ("an .editorconfig", ".editorconfig"),
}


#: What to add, in the main language's own tools (the Python advice is the default).
_LINT_ADVICE_BY_LANGUAGE = {
    "java": {
        "linter": ("a linter (the Checkstyle or PMD plugin in pom.xml or build.gradle)", "pom.xml"),
        "formatter": ("a formatter (Spotless or spring-javaformat)", "pom.xml"),
    },
    "csharp": {
        "linter": (
            "a linter (.NET analyzers: <AnalysisLevel> in Directory.Build.props)",
            "Directory.Build.props",
        ),
        "formatter": (
            "a formatter (dotnet format in CI, or <EnforceCodeStyleInBuild>)",
            "Directory.Build.props",
        ),
    },
    "go": {
        "linter": ("a linter (golangci-lint, or go vet and staticcheck in CI)", ".golangci.yml"),
        "formatter": ("a formatter (gofmt or goimports checked in CI)", "Makefile"),
    },
    "javascript": {
        "linter": ("a linter (eslint.config.js)", "eslint.config.js"),
        "formatter": ("a formatter (prettier or biome)", ".prettierrc"),
        "type checker": ('a type checker (TypeScript with "strict": true)', "tsconfig.json"),
    },
    "typescript": {
        "linter": ("a linter (eslint.config.js)", "eslint.config.js"),
        "formatter": ("a formatter (prettier or biome)", ".prettierrc"),
        "type checker": ('a type checker ("strict": true in tsconfig.json)', "tsconfig.json"),
    },
}


def _advice(signal: str, main: str) -> tuple[str, str]:
    """What to add for a missing signal, and the file to point at."""
    return _LINT_ADVICE_BY_LANGUAGE.get(main, {}).get(signal) or _LINT_ADVICE[signal]


def _lint_signals(tools: _Tools, hooks: Sequence[str], editorconfig: bool) -> dict[str, bool]:
    """Which of :data:`LINT_SIGNALS` the repository shows."""
    kinds = tools.kinds()
    return {
        "linter": bool(kinds.get("linter")),
        "formatter": bool(kinds.get("formatter")),
        "type checker": bool(kinds.get("type checker")),
        "git hooks": bool(hooks),
        "editorconfig": editorconfig,
    }


def _report_linters(
    part: _Part, tools: _Tools, hooks: list[str], editorconfig: bool, main: str = ""
) -> None:
    signals = _lint_signals(tools, hooks, editorconfig)
    met = [s for s in LINT_SIGNALS if signals[s]]
    part.metrics.append(
        Metric(
            name="repo.lint_signals",
            value=float(len(met)),
            unit="signals of 5",
            files=len(part.files),
        )
    )
    if tools.evidence:
        part.notes.append(
            "linters and formatters: "
            + "; ".join(f"{t} ({', '.join(w[:2])})" for t, w in sorted(tools.evidence.items()))
        )
    if hooks:
        part.notes.append(f"git hooks: {len(hooks)} configured")
    missing = [s for s in LINT_SIGNALS if not signals[s]]
    if missing:
        part.findings.append(
            _finding(
                "BSCOL008",
                LINTERS,
                _advice(missing[0], main)[1],
                f"not configured: {_join([_advice(m, main)[0] for m in missing])}",
                severity=Severity.LOW if len(met) <= 1 else Severity.INFO,
            )
        )


def _linters(fileset: FileSet, ci_commands: Sequence[str]) -> _Part:
    part = _Part()
    tools = _Tools()
    hooks: list[str] = []
    for f in fileset.files:
        if _shallow(f.path):
            _config_tools(f, part, tools)
        elif f.path.count("/") == 2 and f.name in CONFIG_FILES:  # config/checkstyle/x.xml
            part.files.add(f.path)
            tools.add(CONFIG_FILES[f.name], f.path)
        if f.role is Role.CONFIG and f.path.count("/") <= 3:
            _build_file_tools(f, part, tools)
    main, _files = main_language(fileset)
    _pre_commit_hooks(fileset, part, tools, hooks)
    _lefthook_hooks(fileset, part, tools, hooks)
    package_scripts = _package_scripts(fileset, hooks)
    # Tools the automation runs: CI steps (with Makefile recipes), tox, nox, npm scripts.
    runners: list[tuple[str, Sequence[str]]] = [("CI", ci_commands)]
    for name in ("tox.ini", "noxfile.py", "Makefile", "makefile", "GNUmakefile"):
        runner = fileset.get(name)
        if runner is not None:
            runners.append((name, commands_in([runner.text])))
    runners.append(("package.json scripts", commands_in(package_scripts)))
    for where, run_commands in runners:
        _add_command_tools(tools, run_commands, where)
    editorconfig = False
    editor = fileset.get(".editorconfig")
    if editor is not None:
        part.files.add(editor.path)
        editorconfig = editorconfig_has_settings(editor.text)
    _report_linters(part, tools, hooks, editorconfig, main)
    return part
