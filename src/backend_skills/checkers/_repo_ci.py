"""The ``repo`` checker's review-scaffolding and CI criteria."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from backend_skills.checkers._ci_commands import (
    Command,
    follow,
    runs_tests,
    split_commands,
    yaml_commands,
)
from backend_skills.checkers._repo_text import (
    CI,
    MAX_YAML_BYTES,
    MAX_YAML_STRINGS,
    REVIEW,
    _community_files,
    _finding,
    _join,
    _norm_stem,
    _parent,
    _Part,
    _words,
)
from backend_skills.core.discovery import FileSet, SourceFile
from backend_skills.core.models import Metric, Severity, Skip

if TYPE_CHECKING:
    import yaml


# --------------------------------------------------------------------------- review scaffolding

REVIEW_ITEMS = (
    "CODEOWNERS",
    "pull request template",
    "issue templates",
    "code of conduct",
    "security policy",
    "dependency updates",
    "labeler",
)
#: Items at which the criterion is full (its last anchor); more are noted, not needed.
REVIEW_FULL = 5
#: Dependency-update bot configurations (Dependabot, Renovate), by path.
_DEPENDENCY_BOTS = (
    ".github/dependabot.yml",
    ".github/dependabot.yaml",
    "renovate.json",
    "renovate.json5",
    ".renovaterc",
    ".renovaterc.json",
    ".renovaterc.json5",
    ".github/renovate.json",
    ".github/renovate.json5",
    ".gitlab/renovate.json",
    ".gitlab/renovate.json5",
)
#: Pull-request labelling configurations (actions/labeler, the GitLab/Prow equivalents).
_LABELERS = (".github/labeler.yml", ".github/labeler.yaml", ".github/auto_label.yml")
_SECURITY_CHANNEL = re.compile(
    r"(@|\breport\w*|\badvisor\w*|\bdisclos\w*|\bcontact\w*|\bvulnerab\w*|\bsecurity/advisories)",
    re.IGNORECASE,
)
_CODEOWNERS_RULE = re.compile(r"^\s*[^#\s]\S*\s+(@[\w./-]+|[\w.+-]+@[\w.-]+)", re.MULTILINE)


def _is_pr_template(f: SourceFile) -> bool:
    lower = f.path.lower()
    return (
        _parent(lower) in ("", ".github", "docs") and _norm_stem(f.name) == "PULL_REQUEST_TEMPLATE"
    ) or _parent(lower) in (".github/pull_request_template", ".gitlab/merge_request_templates")


def _is_issue_template(f: SourceFile) -> bool:
    lower = f.path.lower()
    if _parent(lower) in (".github/issue_template", ".gitlab/issue_templates"):
        return f.name.lower() not in ("config.yml", "config.yaml")
    return _parent(lower) in ("", ".github", "docs") and _norm_stem(f.name) == "ISSUE_TEMPLATE"


def _security_policy_ok(f: SourceFile) -> bool:
    return _words(f.text) >= 20 and _SECURITY_CHANNEL.search(f.text) is not None


def _review_candidates(
    fileset: FileSet,
) -> list[tuple[str, list[SourceFile], Callable[[SourceFile], bool]]]:
    """Each review item with the files that may provide it and the test they must pass."""
    owners = [
        f
        for f in fileset.files
        if f.name == "CODEOWNERS" and _parent(f.path) in ("", ".github", "docs", ".gitlab")
    ]
    coc, _ = _community_files(fileset, lambda stem: stem == "CODE_OF_CONDUCT")
    security, _ = _community_files(fileset, lambda stem: stem == "SECURITY")
    return [
        ("CODEOWNERS", owners, lambda f: _CODEOWNERS_RULE.search(f.text) is not None),
        (
            "pull request template",
            [f for f in fileset.files if _is_pr_template(f)],
            lambda f: _words(f.text) >= 10,
        ),
        (
            "issue templates",
            [f for f in fileset.files if _is_issue_template(f)],
            lambda f: _words(f.text) >= 10,
        ),
        ("code of conduct", coc, lambda f: _words(f.text) >= 50),
        ("security policy", security, _security_policy_ok),
        (
            "dependency updates",
            [f for f in (fileset.get(p) for p in _DEPENDENCY_BOTS) if f is not None],
            _dependency_bot_configured,
        ),
        (
            "labeler",
            [f for f in (fileset.get(p) for p in _LABELERS) if f is not None],
            _labeler_configured,
        ),
    ]


def _empty_review_file(path: str) -> bool:
    """Whether an empty file stands where a review item belongs."""
    name = PurePosixPath(path).name
    return (
        path in _DEPENDENCY_BOTS
        or path in _LABELERS
        or name == "CODEOWNERS"
        or _norm_stem(name)
        in {"PULL_REQUEST_TEMPLATE", "ISSUE_TEMPLATE", "CODE_OF_CONDUCT", "SECURITY"}
        or _parent(path).lower() in (".github/issue_template", ".github/pull_request_template")
    )


_REVIEW_WHERE = {
    "CODEOWNERS": ".github/CODEOWNERS",
    "pull request template": ".github/pull_request_template.md",
    "issue templates": ".github/ISSUE_TEMPLATE/bug_report.md",
    "code of conduct": "CODE_OF_CONDUCT.md",
    "security policy": "SECURITY.md",
    "dependency updates": ".github/dependabot.yml",
    "labeler": ".github/labeler.yml",
}


def _review(fileset: FileSet) -> _Part:
    part = _Part()
    present: dict[str, str] = {}
    placeholders: list[str] = []
    for item, files, ok in _review_candidates(fileset):
        for f in files:
            part.files.add(f.path)
            if ok(f):
                present.setdefault(item, f.path)
            else:
                placeholders.append(f.path)
    placeholders += [
        s.path for s in fileset.skipped if s.reason == "empty file" and _empty_review_file(s.path)
    ]
    part.metrics.append(
        Metric(
            name="repo.review_items",
            value=float(len(present)),
            unit=f"items of {len(REVIEW_ITEMS)}",
            files=len(present),
        )
    )
    if present:
        part.notes.append(
            "review scaffolding: " + ", ".join(f"{k} ({v})" for k, v in present.items())
        )
    for path in sorted(set(placeholders) - set(present.values()))[:5]:
        part.findings.append(
            _finding(
                "BSCOL006",
                REVIEW,
                path,
                f"{path} is empty or too short to guide anyone: it is not counted",
                severity=Severity.LOW,
            )
        )
    missing = [i for i in REVIEW_ITEMS if i not in present]
    if missing and len(present) < REVIEW_FULL:
        part.findings.append(
            _finding(
                "BSCOL006",
                REVIEW,
                _REVIEW_WHERE[missing[0]],
                f"no {_join(missing)}: add {_join([_REVIEW_WHERE[m] for m in missing])}",
            )
        )
    return part


def _dependency_bot_configured(f: SourceFile) -> bool:
    """Dependabot with at least one ``updates`` entry naming an ecosystem, or a Renovate
    configuration that says something (``extends``, ``packageRules``, a schedule ...)."""
    if "dependabot" in f.name:
        data, _ = load_yaml(f)
        updates = data.get("updates") if isinstance(data, dict) else None
        return isinstance(updates, list) and any(
            isinstance(u, dict) and u.get("package-ecosystem") for u in updates
        )
    if f.name.endswith(".json5"):
        return re.search(r"\b(extends|packageRules|schedule|enabledManagers)\b", f.text) is not None
    try:
        data = json.loads(f.text)
    except (ValueError, RecursionError):
        return False
    return isinstance(data, dict) and bool(data)


def _labeler_configured(f: SourceFile) -> bool:
    """A labeler configuration with at least one label rule."""
    data, _ = load_yaml(f)
    return isinstance(data, dict) and bool(data)


# --------------------------------------------------------------------------- CI


@functools.cache
def _tolerant_loader() -> type[yaml.SafeLoader]:
    """A safe loader that reads unknown tags (GitLab's ``!reference``) as plain data.

    Built on first use: PyYAML takes 8 ms to import, which a warm run never needs."""
    import yaml

    class TolerantLoader(yaml.SafeLoader):
        pass

    def plain(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            return loader.construct_scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node)
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node)
        return None

    TolerantLoader.add_multi_constructor("!", plain)
    return TolerantLoader


def load_yaml(f: SourceFile) -> tuple[Any, str | None]:
    """The YAML document in ``f`` (first one), or None and a one-line reason."""
    if f.size > MAX_YAML_BYTES:
        return None, f"YAML file larger than {MAX_YAML_BYTES} bytes; not parsed"
    import yaml

    try:
        docs = list(yaml.load_all(f.text, Loader=_tolerant_loader()))  # nosec B506 - SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.context_mark or exc.problem_mark
        line = min(mark.line + 1, max(f.lines, 1)) if mark is not None else None
        where = f" at line {line}" if line is not None else ""
        return None, f"invalid YAML{where}: {exc.problem or 'parse error'}"
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        return None, f"invalid YAML: {type(exc).__name__}"
    data = next((d for d in docs if d is not None), None)
    return data, None


_LABEL_KEYS = frozenset({"name", "description", "displayname", "title", "label", "summary"})


def yaml_strings(data: Any) -> list[str]:
    """Every string value in a YAML document (not keys, not labels such as ``name``).

    Shared anchors are visited once, so an alias bomb costs nothing.
    """
    out: list[str] = []
    seen: set[int] = set()
    stack: list[Any] = [data]
    while stack and len(out) < MAX_YAML_STRINGS:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict | list):
            if id(item) in seen:
                continue
            seen.add(id(item))
            if isinstance(item, dict):
                for key, value in item.items():
                    if isinstance(key, str) and key.lower() in _LABEL_KEYS:
                        continue
                    stack.append(value)
            else:
                stack.extend(item)
    return out


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
_INSTALL_STEP = re.compile(
    r"\b(pip3?|pipx|uv\s+pip|uv\s+tool|poetry|pdm|conda|npm|yarn|pnpm|apt(-get)?|brew|gem|go)\s+"
    r"(install|add|get)\b",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"\n|&&|\|\||;|\|")


def commands_in(strings: Iterable[str]) -> list[str]:
    """Single commands from CI strings, without package installs (``pip install pytest``
    names pytest but does not run it)."""
    out = []
    for s in strings:
        for command in _SPLIT.split(s):
            command = command.strip()
            if command and not command.startswith("#") and not _INSTALL_STEP.search(command):
                out.append(command)
    return out


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
        text = _strip_groovy_comments(f.text)
        if not re.search(r"\b(pipeline|node)\s*(\([^)]*\))?\s*\{|\bstage\s*\(", text):
            return None, "has no pipeline, node or stage block"
        strings = re.findall(
            r"(?:sh|bat|powershell)\s*\(?\s*(?:'''|\"\"\"|'|\")(.*?)(?:'''|\"\"\"|'|\")",
            text,
            re.DOTALL,
        )
        return [c for s in (strings or [text]) for c in split_commands(s)], None
    data, problem = load_yaml(f)
    if problem is not None:
        return None, problem
    if not isinstance(data, dict) or not data:
        return None, "is not a pipeline (no jobs or steps)"
    if system == "GitLab CI":
        ok = "include" in data or any(
            isinstance(v, dict) and ({"script", "trigger", "extends", "run"} & set(v))
            for v in data.values()
        )
    else:
        ok = bool(_PIPELINE_KEYS.get(system, set()) & set(data))
    if not ok:
        return None, "is not a pipeline (no jobs or steps)"
    return yaml_commands(data), None


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


def _ci(fileset: FileSet) -> tuple[_Part, list[str]]:
    """The CI criterion's part and every command the pipelines run (for the linters)."""
    part = _Part()
    pipelines: list[Pipeline] = []
    all_commands: list[str] = []
    for f in fileset.files:
        system = next((name for pattern, name in CI_SYSTEMS if pattern.match(f.path)), None)
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
    runs_tests_ = [p for p in pipelines if p.tests]
    runs_lint = [p for p in pipelines if p.linters]
    part.metrics.append(
        Metric(
            name="repo.ci_level",
            value=_ci_level(pipelines),
            unit="level of 3",
            files=len(pipelines),
        )
    )
    for p in pipelines:
        tests = _join(sorted(set(p.tests))) or "no test runner"
        through = f" (through {_join(p.through[:4])})" if p.through else ""
        linters = _join(sorted(set(p.linters))) or "none"
        part.notes.append(f"CI: {p.system} ({p.path}) runs {tests}{through}; linters: {linters}")
    if pipelines and not runs_tests_:
        _untested_pipelines(part, pipelines)
    elif runs_tests_ and not runs_lint:
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
    return part, all_commands
