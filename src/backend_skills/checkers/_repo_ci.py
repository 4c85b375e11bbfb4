"""The ``repo`` checker's CI criterion: which pipelines exist, and whether they run the
tests and a linter (following the scripts and task files they call)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from backend_skills.checkers._ci_commands import (
    Command,
    follow,
    runs_tests,
    split_commands,
    yaml_commands,
)
from backend_skills.checkers._repo_review import REVIEW_FULL, REVIEW_ITEMS, _review
from backend_skills.checkers._repo_text import CI, _finding, _join, _Part
from backend_skills.checkers._repo_yaml import commands_in, load_yaml, yaml_strings
from backend_skills.core.discovery import FileSet, SourceFile
from backend_skills.core.models import Metric, Severity, Skip

CI_SYSTEMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\.github/workflows/[^/]+\.ya?ml$"), "GitHub Actions"),
    (re.compile(r"^(\.gitlab-ci\.ya?ml|\.gitlab/ci/.+\.ya?ml)$"), "GitLab CI"),
    (re.compile(r"^\.circleci/config\.ya?ml$"), "CircleCI"),
    (re.compile(r"^(.+/)?Jenkinsfile$"), "Jenkins"),
    (
        re.compile(r"^(azure-pipelines[\w.-]*|\.azure-pipelines/[^/]+|\.pipelines/[^/]+)\.ya?ml$"),
        "Azure Pipelines",
    ),
    (re.compile(r"^\.travis\.ya?ml$"), "Travis CI"),
    (re.compile(r"^bitbucket-pipelines\.ya?ml$"), "Bitbucket Pipelines"),
    (re.compile(r"^\.drone\.ya?ml$"), "Drone"),
    (re.compile(r"^(\.woodpecker\.ya?ml|\.woodpecker/[^/]+\.ya?ml)$"), "Woodpecker"),
    (re.compile(r"^\.buildkite/pipeline\.ya?ml$"), "Buildkite"),
)

#: Top-level keys that make a YAML file a pipeline, per system.
_PIPELINE_KEYS = {
    "GitHub Actions": {"jobs"},
    "CircleCI": {"jobs", "workflows"},
    "Azure Pipelines": {"steps", "jobs", "stages", "extends"},
    "Travis CI": {"script", "jobs", "matrix", "install"},
    "Bitbucket Pipelines": {"pipelines"},
    "Drone": {"steps", "pipeline"},
    "Woodpecker": {"steps", "pipeline"},
    "Buildkite": {"steps"},
}

LINT_COMMAND = re.compile(
    r"\b(ruff|flake8|pylint|mypy|pyright|pytype|black|isort|pre-commit(\s+run|/action)|prek\s+run|"
    r"eslint|prettier|golangci-lint|gofmt|go\s+vet|rubocop|cargo\s+(clippy|fmt)|sqlfluff|"
    r"shellcheck|hadolint|yamllint|bandit|tsc|biome)\b",
    re.IGNORECASE,
)


def _strip_groovy_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.DOTALL)
    return re.sub(r"(?m)^\s*//.*$", " ", text)


@dataclass
class Pipeline:
    """One CI configuration file and what it runs."""

    path: str
    system: str
    commands: int = 0
    tests: list[str] = field(default_factory=list)
    linters: list[str] = field(default_factory=list)
    through: list[str] = field(default_factory=list)


def _ci_commands(f: SourceFile, system: str) -> tuple[list[Command] | None, str | None]:
    """Commands in a CI file (each in its working directory), or None with a reason when
    it is not a pipeline."""
    if system == "Jenkins":
        return _jenkins_commands(f.text)
    data, problem = load_yaml(f)
    if problem is not None:
        return None, problem
    if not isinstance(data, dict) or not is_pipeline(system, data):
        return None, "is not a pipeline (no jobs or steps)"
    return yaml_commands(data), None


_JENKINS_BLOCK = re.compile(r"\b(pipeline|node)\s*(\([^)]*\))?\s*\{|\bstage\s*\(")
_JENKINS_STEP = re.compile(
    r"(?:sh|bat|powershell)\s*\(?\s*(?:'''|\"\"\"|'|\")(.*?)(?:'''|\"\"\"|'|\")", re.DOTALL
)


def _jenkins_commands(text: str) -> tuple[list[Command] | None, str | None]:
    """The commands of a Jenkinsfile's ``sh``/``bat``/``powershell`` steps (the whole
    text when it has none), or None with a reason when it declares no pipeline."""
    text = _strip_groovy_comments(text)
    if not _JENKINS_BLOCK.search(text):
        return None, "has no pipeline, node or stage block"
    strings = _JENKINS_STEP.findall(text)
    return [c for s in (strings or [text]) for c in split_commands(s)], None


def is_pipeline(system: str, data: dict[object, object]) -> bool:
    """Whether a CI YAML document declares work: GitLab jobs (a mapping with ``script``,
    ``trigger``, ``extends`` or ``run``) or an ``include``; the system's top-level keys
    elsewhere (``jobs`` for GitHub Actions, ``steps`` for Drone ...)."""
    if not data:
        return False
    if system == "GitLab CI":
        return "include" in data or any(_is_gitlab_job(v) for v in data.values())
    return bool(_PIPELINE_KEYS.get(system, set()) & set(data))


def _is_gitlab_job(value: object) -> bool:
    return isinstance(value, dict) and bool({"script", "trigger", "extends", "run"} & set(value))


#: Pipeline file names that say they test or build (chosen for a "runs no tests" finding).
_TESTISH_PIPELINE = re.compile(
    r"test|\bci\b|check|build|main|pull|push|verify|python|node|go|java", re.I
)


def _tested_through(leaves: Sequence[Command]) -> list[str]:
    """The files a pipeline's test commands were found in (scripts, Makefile targets)."""
    out: list[str] = []
    for leaf in leaves:
        if leaf.via and runs_tests(leaf.text):
            for step in leaf.via:
                if step not in out:
                    out.append(step)
    return out


def _unreadable_ci(part: _Part, f: SourceFile, problem: str | None) -> None:
    """Record a CI file whose commands could not be read."""
    if problem and problem.startswith(("invalid YAML", "YAML file larger")):
        part.skipped.append(Skip(path=f.path, reason=problem, checker="repo"))
    line = None
    found = re.search(r"line (\d+)", problem or "")
    if found:
        line = int(found.group(1))
    part.findings.append(
        _finding(
            "BSCOL007",
            CI,
            f.path,
            f"{f.path} {problem}: it is not counted as CI",
            severity=Severity.LOW,
            line=line,
        )
    )


def _pipeline(
    path: str, system: str, commands: Sequence[Command], leaves: Sequence[Command]
) -> Pipeline:
    """A pipeline with the test runners and linters its leaf commands run."""
    pipeline = Pipeline(path=path, system=system, commands=len(commands))
    for leaf in leaves:
        runner = runs_tests(leaf.text)
        if runner:
            pipeline.tests.append(runner)
        lint = LINT_COMMAND.search(leaf.text)
        if lint:
            pipeline.linters.append(lint.group(0).split()[0].lower())
    pipeline.through = _tested_through(leaves)
    return pipeline


def _ci_level(pipelines: Sequence[Pipeline]) -> float:
    """3 when CI runs tests and linters, 2 tests only, 1 any pipeline, 0 none."""
    runs_tests_ = any(p.tests for p in pipelines)
    if runs_tests_ and any(p.linters for p in pipelines):
        return 3.0
    if runs_tests_:
        return 2.0
    return 1.0 if pipelines else 0.0


def _untested_pipelines(part: _Part, pipelines: Sequence[Pipeline]) -> None:
    # Name the pipeline most likely meant to test: by its name, else the busiest one.
    first = max(
        pipelines,
        key=lambda p: (
            bool(_TESTISH_PIPELINE.search(PurePosixPath(p.path).stem)),
            p.commands,
        ),
    )
    others = len(pipelines) - 1
    part.findings.append(
        _finding(
            "BSCOL007",
            CI,
            first.path,
            f"{first.path} does not run the tests"
            + (f" (nor do the {others} other pipeline(s))" if others else "")
            + ": add a step that runs them (e.g. `run: pytest`, `run: make test`)",
            severity=Severity.LOW,
        )
    )


def _no_ci(part: _Part, fileset: FileSet) -> None:
    empty_ci = [
        s.path
        for s in fileset.skipped
        if s.reason == "empty file" and any(p.match(s.path) for p, _ in CI_SYSTEMS)
    ]
    path = empty_ci[0] if empty_ci else ".github/workflows/ci.yml"
    message = (
        f"{path} is empty: it runs nothing"
        if empty_ci
        else "no CI configuration: add .github/workflows/ci.yml (or .gitlab-ci.yml) that "
        "installs the project and runs the tests and linters on every push"
    )
    part.findings.append(
        _finding(
            "BSCOL007",
            CI,
            path,
            message,
            severity=Severity.LOW if empty_ci else Severity.INFO,
        )
    )


def ci_system(path: str) -> str | None:
    """The CI system whose configuration ``path`` is, if any."""
    return next((name for pattern, name in CI_SYSTEMS if pattern.match(path)), None)


def _ci(fileset: FileSet) -> tuple[_Part, list[str]]:
    """The CI criterion's part and every command the pipelines run (for the linters)."""
    part = _Part()
    pipelines: list[Pipeline] = []
    all_commands: list[str] = []
    for f in fileset.files:
        system = ci_system(f.path)
        if system is None:
            continue
        part.files.add(f.path)
        commands, problem = _ci_commands(f, system)
        if commands is None:
            _unreadable_ci(part, f, problem)
            continue
        leaves = follow(commands, fileset)
        all_commands.extend(leaf.text for leaf in leaves)
        pipelines.append(_pipeline(f.path, system, commands, leaves))
    part.metrics.append(
        Metric(
            name="repo.ci_level",
            value=_ci_level(pipelines),
            unit="level of 3",
            files=len(pipelines),
        )
    )
    part.notes.extend(_pipeline_note(p) for p in pipelines)
    _ci_findings(part, fileset, pipelines)
    return part, all_commands


def _pipeline_note(p: Pipeline) -> str:
    tests = _join(sorted(set(p.tests))) or "no test runner"
    through = f" (through {_join(p.through[:4])})" if p.through else ""
    linters = _join(sorted(set(p.linters))) or "none"
    return f"CI: {p.system} ({p.path}) runs {tests}{through}; linters: {linters}"


def _ci_findings(part: _Part, fileset: FileSet, pipelines: Sequence[Pipeline]) -> None:
    """No CI, CI that runs no tests, or CI that runs tests but no linter."""
    runs_tests_ = [p for p in pipelines if p.tests]
    if pipelines and not runs_tests_:
        _untested_pipelines(part, pipelines)
    elif runs_tests_ and not any(p.linters for p in pipelines):
        part.findings.append(
            _finding(
                "BSCOL007",
                CI,
                runs_tests_[0].path,
                f"{runs_tests_[0].path} runs the tests but no linter or type checker: add a step "
                "such as `run: ruff check .` or `pre-commit run --all-files`",
            )
        )
    elif not part.files:
        _no_ci(part, fileset)


__all__ = [
    "CI_SYSTEMS",
    "LINT_COMMAND",
    "REVIEW_FULL",
    "REVIEW_ITEMS",
    "Pipeline",
    "_ci",
    "_review",
    "commands_in",
    "load_yaml",
    "yaml_strings",
]
