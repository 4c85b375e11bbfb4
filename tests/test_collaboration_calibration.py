"""Collaboration calibrated on mature repositories (issue 13).

CI that runs the tests through scripts, Makefiles, tox, nox, npm, Hatch, Gradle or
Maven; documentation as top-level pages or a docs site; gitmoji and conventional
subjects; bot commits left out of message quality; dependency-update and labeler
configuration counted as review scaffolding.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from backend_skills import score
from backend_skills.checkers._ci_commands import (
    Command,
    follow,
    just_recipes,
    make_targets,
    nox_sessions,
    runs_tests,
    split_commands,
)
from backend_skills.checkers._commit_quality import is_bot_commit, split_subject
from backend_skills.checkers.git import assess_subject
from backend_skills.core.discovery import discover
from backend_skills.core.models import Report

from .conftest import TreeFactory
from .test_git import BO, commit, init_repo

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

PROSE = (
    "This page explains how the service is built and run: the components, how requests flow "
    "from the web tier to the workers, which settings each environment needs, and how to "
    "deploy, roll back and watch it in production.\n"
)


def collaboration(root: Path) -> Report:
    return score(root, skills=["collaboration"], isolated=True)


def _metric(report: Report, criterion: str, name: str) -> float | None:
    return report.criterion(criterion).metrics.get(name)


def _ci_level(report: Report) -> float | None:
    return _metric(report, "collaboration.ci", "repo.ci_level")


def _workflow(
    run: str, *, working_directory: str | None = None, name: str = "ci"
) -> dict[str, str]:
    step = f"      - run: {run}\n"
    if working_directory:
        step += f"        working-directory: {working_directory}\n"
    return {
        f".github/workflows/{name}.yml": "on: [push, pull_request]\njobs:\n  test:\n"
        "    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n" + step
    }


# --------------------------------------------------------------------------- CI


def test_tests_run_through_a_script_in_the_steps_working_directory(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            **_workflow(
                'uv run bash scripts/tests-start.sh "Coverage for ${{ github.sha }}"',
                working_directory="backend",
                name="test-backend",
            ),
            ".github/workflows/add-to-project.yml": "on: issues\njobs:\n  add:\n"
            "    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/add-to-project@v1\n",
            "backend/scripts/tests-start.sh": "#! /usr/bin/env bash\nset -e\n"
            'python app/tests_pre_start.py\nbash scripts/test.sh "$@"\n',
            "backend/scripts/test.sh": "#!/usr/bin/env bash\nset -e\n"
            "FASTAPI_ENV=development coverage run -m pytest tests/\ncoverage report\n",
            "backend/app/tests_pre_start.py": "print('waiting for the database')\n",
        }
    )
    report = collaboration(root)
    assert _ci_level(report) == 2
    assert not [f for f in report.findings if "does not run the tests" in f.message], (
        "the unrelated add-to-project workflow must not be blamed"
    )
    notes = [n for c in report.checkers for n in c.notes if "test-backend.yml" in n]
    assert notes
    assert "runs pytest" in notes[0]
    assert "backend/scripts/tests-start.sh" in notes[0]
    assert "backend/scripts/test.sh" in notes[0]


WRAPPERS: list[tuple[str, str, dict[str, str], float]] = [
    (
        "make with a variable",
        "make test",
        {"Makefile": "PYTEST ?= python -m pytest\n\n.PHONY: test\ntest:\n\t@$(PYTEST) -q\n"},
        2,
    ),
    (
        "make -C subfolder",
        "make -C backend check",
        {"backend/Makefile": "check: lint unit\nlint:\n\truff check .\nunit:\n\tpytest\n"},
        3,
    ),
    (
        "tox",
        "tox",
        {"tox.ini": "[tox]\nenv_list = py312\n[testenv]\ncommands = pytest {posargs}\n"},
        2,
    ),
    (
        "tox -e lint runs no tests",
        "tox -e lint",
        {"tox.ini": "[testenv]\ncommands = pytest\n[testenv:lint]\ncommands = ruff check .\n"},
        3 - 2,  # a pipeline that runs no tests (its linter does not lift it to 3)
    ),
    (
        "tox factor environment runs the base testenv",
        "tox -e py312-django42",
        {"tox.ini": "[testenv]\ncommands = pytest\n[testenv:lint]\ncommands = ruff check .\n"},
        2,
    ),
    (
        "nox session",
        "nox -s tests",
        {
            "noxfile.py": "import nox\n\n@nox.session(python=['3.12'])\ndef tests(session):\n"
            "    session.install('.')\n    session.run('pytest', '-q', *session.posargs)\n"
        },
        2,
    ),
    (
        "npm test",
        "npm test",
        {"package.json": json.dumps({"scripts": {"test": "cross-env NODE_ENV=test jest --ci"}})},
        2,
    ),
    (
        "npm's placeholder test script",
        "npm test",
        {
            "package.json": json.dumps(
                {"scripts": {"test": 'echo "Error: no test specified" && exit 1'}}
            )
        },
        1,
    ),
    (
        "yarn script calling another",
        "yarn ci",
        {
            "package.json": json.dumps(
                {
                    "scripts": {
                        "ci": "yarn lint && yarn unit",
                        "unit": "vitest run",
                        "lint": "eslint .",
                    }
                }
            )
        },
        3,
    ),
    (
        "pnpm run in a prefix",
        "pnpm --dir web run test:unit",
        {"web/package.json": json.dumps({"scripts": {"test:unit": "mocha 'test/**/*.js'"}})},
        2,
    ),
    (
        "hatch script",
        "hatch run test:cov",
        {"pyproject.toml": '[tool.hatch.envs.test.scripts]\ncov = "pytest --cov {args}"\n'},
        2,
    ),
    ("poetry run", "poetry run pytest -x", {}, 2),
    ("gradle wrapper", "./gradlew test", {}, 2),
    ("maven verify", "mvn -B verify", {}, 2),
    ("maven package skipping tests", "mvn -B package -DskipTests", {}, 1),
    ("dotnet test", "dotnet test --no-build", {}, 2),
    ("go test", "go test ./...", {}, 2),
    (
        "docker compose exec",
        "docker compose exec -T backend bash scripts/tests-start.sh",
        {"backend/scripts/tests-start.sh": "pytest --cov=app\n"},
        2,
    ),
    (
        "justfile recipe",
        "just ci",
        {"justfile": "ci: lint test\n\nlint:\n    ruff check .\n\ntest:\n    pytest\n"},
        3,
    ),
]


@pytest.mark.parametrize(("label", "run", "files", "level"), WRAPPERS, ids=[w[0] for w in WRAPPERS])
def test_ci_follows_what_the_workflow_runs(
    make_tree: TreeFactory, label: str, run: str, files: dict[str, str], level: float
) -> None:
    report = collaboration(make_tree({**_workflow(run), **files}))
    assert _ci_level(report) == level, label


def test_gitlab_cd_then_make_is_followed(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            ".gitlab-ci.yml": "test:\n  script:\n    - cd service && make test\n",
            "service/Makefile": "test:\n\tpython -m pytest\n",
        }
    )
    assert _ci_level(collaboration(root)) == 2


@pytest.mark.parametrize(
    ("files", "level"),
    [
        (
            {
                "azure-pipelines.yml": "trigger: [main]\nsteps:\n  - script: make test\n"
                "    workingDirectory: api\n",
                "api/Makefile": "test:\n\tpytest -q\n",
            },
            2,
        ),
        (
            {
                ".circleci/config.yml": "version: 2.1\njobs:\n  test:\n"
                "    working_directory: ~/project/api\n    docker: [{image: cimg/python:3.12}]\n"
                "    steps:\n      - checkout\n      - run: make check\n",
                "api/Makefile": "check:\n\truff check .\n",
            },
            1,  # the Makefile in api/ is read: it lints but runs no tests
        ),
        (
            {
                "Jenkinsfile": "pipeline {\n  agent any\n  stages {\n    stage('Test') {\n"
                "      steps { sh 'cd api && ./run-tests.sh' }\n    }\n  }\n}\n",
                "api/run-tests.sh": "#!/bin/sh\ngo test ./...\n",
            },
            2,
        ),
        # A wrapper whose definition is not in the repository keeps its own words.
        (_workflow("make test"), 2),
        (_workflow("npm test"), 2),
        (_workflow("make build"), 1),
    ],
    ids=["azure", "circleci", "jenkins", "make-unread", "npm-unread", "make-build-unread"],
)
def test_other_ci_systems_follow_their_working_directory(
    make_tree: TreeFactory, files: dict[str, str], level: float
) -> None:
    assert _ci_level(collaboration(make_tree(files))) == level


def test_the_runs_no_tests_finding_names_the_workflow_meant_to_test(
    make_tree: TreeFactory,
) -> None:
    root = make_tree(
        {
            ".github/workflows/add-to-project.yml": "on: issues\njobs:\n  a:\n"
            "    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/add-to-project@v1\n",
            **_workflow("bash scripts/build.sh", name="test"),
            "scripts/build.sh": "python -m build\n",
        }
    )
    report = collaboration(root)
    assert _ci_level(report) == 1
    finding = next(f for f in report.findings if "does not run the tests" in f.message)
    assert finding.path == ".github/workflows/test.yml"
    assert "1 other pipeline" in finding.message


def test_self_calling_scripts_and_make_loops_end(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            **_workflow("make a && bash scripts/loop.sh"),
            "Makefile": "a: b\n\t$(MAKE) b\nb: a\n\tmake a\n",
            "scripts/loop.sh": "bash scripts/loop.sh\nbash ./scripts/loop.sh\n",
        }
    )
    start = time.perf_counter()
    report = collaboration(root)
    assert time.perf_counter() - start < 10
    assert _ci_level(report) == 1


def test_follow_is_bounded_on_a_wide_fan_out(make_tree: TreeFactory) -> None:
    targets = "".join(
        f"t{i}: " + " ".join(f"t{j}" for j in range(i + 1, 60)) + "\n\techo hi\n" for i in range(60)
    )
    root = make_tree({"Makefile": "all: t0\n" + targets})
    fileset = discover(root)
    leaves = follow([Command("make all")], fileset)
    assert 0 < len(leaves) <= 5_000


def test_command_helpers() -> None:
    assert [c.cwd for c in split_commands("cd api && pytest\nmake lint")] == ["api", "api"]
    assert [c.text for c in split_commands("pip install pytest && pytest -q")] == ["pytest -q"]
    assert runs_tests("./mvnw -B verify") == "maven"
    assert runs_tests("./gradlew build -x test") is None
    assert runs_tests("node --import tsx --test test/*.ts") == "node --test"
    assert runs_tests("python -m build") is None
    assert runs_tests("make -j4 test") == "make test"
    assert make_targets("x: y ; echo inline\n\techo two\n")["x"] == (
        ["y"],
        ["echo inline", "echo two"],
    )
    assert nox_sessions(
        "import nox\n@nox.session(name='unit')\ndef t(s):\n    s.run('pytest', '-x')\n"
    ) == {"unit": ["pytest -x"]}
    assert just_recipes("test: build\n    pytest\nbuild:\n    make\n")["test"] == [
        "just build",
        "pytest",
    ]


# --------------------------------------------------------------------------- docs


def test_top_level_pages_count_as_documentation(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "README.md": "# Service\n\n" + PROSE,
            "development.md": "# Development\n\n" + PROSE,
            "deployment.md": "# Deployment\n\n" + PROSE,
            "CONTRIBUTING.md": "# Contributing\n\n" + PROSE,
            "release-notes.md": "# Release notes\n\n## 1.0.0\n\n" + PROSE,
            "AGENTS.md": "# Agents\n\n" + PROSE,
            "todo-list.md": "# Later\n\n- a\n",
        }
    )
    report = collaboration(root)
    assert _metric(report, "collaboration.docs", "repo.doc_pages") == 2
    thin = [f.path for f in report.findings if f.criterion == "collaboration.docs"]
    assert thin == ["todo-list.md"]


def test_a_docs_site_counts_its_pages_and_itself(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "mkdocs.yml": "site_name: Orders\ndocs_dir: handbook\nnav:\n  - index.md\n",
            "handbook/index.md": "# Orders\n\n" + PROSE,
            "handbook/operations.md": "# Operations\n\n" + PROSE,
        }
    )
    report = collaboration(root)
    assert _metric(report, "collaboration.docs", "repo.doc_pages") == 3  # two pages + the site
    notes = [n for c in report.checkers for n in c.notes if n.startswith("documentation")]
    assert notes
    assert "MkDocs" in notes[0]


def test_a_docs_site_without_pages_earns_nothing(make_tree: TreeFactory) -> None:
    root = make_tree({"book.toml": '[book]\ntitle = "Orders"\nsrc = "book"\n'})
    report = collaboration(root)
    assert _metric(report, "collaboration.docs", "repo.doc_pages") == 0
    finding = next(f for f in report.findings if f.criterion == "collaboration.docs")
    assert finding.path == "book.toml"
    assert "holds no pages" in finding.message


# --------------------------------------------------------------------------- commits


@pytest.mark.parametrize(
    "subject",
    [
        "🐛 Fix Sonner toast theme sync (#2450)",
        "♻️ Replace Mailcatcher with Mailpit for local email testing (#2436)",
        ":bug: Fix the toast theme sync",
        "✨ feat(api): add pagination to GET /orders",
        "fix: :ambulance: restore the login redirect",
        "⬆️ Upgrade FastAPI to 0.115 for the new lifespan API",
        "Add a retry with backoff to the payment client used by the order service (#12345)",
    ],
)
def test_marked_subjects_are_judged_on_their_sentence(subject: str) -> None:
    verdict = assess_subject(subject)
    assert verdict.good, verdict


@pytest.mark.parametrize(
    "subject", ["🔥", "✨ stuff", ":bug: fix", "🐛 Fixed the crash in the worker (#12)"]
)
def test_marks_do_not_rescue_a_poor_sentence(subject: str) -> None:
    assert not assess_subject(subject).good


def test_hostile_subjects_and_recipes_are_read_in_linear_time() -> None:
    start = time.perf_counter()
    verdict = assess_subject("a" + " " * 200_000 + "x")
    assert verdict.too_long
    assert is_bot_commit("Ann", "ann@example.com", "Bump " + " " * 200_000) is False
    assert just_recipes("a" + " " * 200_000 + "\n") == {}
    assert time.perf_counter() - start < 2


def test_split_subject_parts() -> None:
    parts = split_subject("🐛 fix(ui): keep the theme in sync (#2450)")
    assert parts.gitmoji
    assert parts.conventional_type == "fix"
    assert parts.description == "keep the theme in sync"
    assert split_subject("[db] Index orders").area


@pytest.mark.parametrize(
    ("name", "email", "subject", "bot"),
    [
        ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com", "⬆ Bump x", True),
        ("renovate[bot]", "29139614+renovate[bot]@users.noreply.github.com", "Pin deps", True),
        ("github-actions", "41898282+github-actions@users.noreply.github.com", "Sync", True),
        ("pre-commit-ci[bot]", "66853113+pre-commit-ci[bot]@users.noreply.github.com", "x", True),
        ("Ann Lee", "ann@example.com", "📝 Update release notes", True),
        ("Ann Lee", "ann@example.com", "Bump django from 4.2.1 to 4.2.2 in /backend", True),
        ("Ann Lee", "ann@example.com", "chore(deps): update dependency ruff to v0.6.1", True),
        (
            "Ann Lee",
            "ann@example.com",
            "[pre-commit.ci] auto fixes from pre-commit.com hooks",
            True,
        ),
        ("Ann Lee", "ann@example.com", "Update the release process notes for maintainers", False),
        ("Ann Lee", "ann@example.com", "Bump the API version to v2 after the schema change", False),
    ],
)
def test_bot_commits_are_recognised(name: str, email: str, subject: str, bot: bool) -> None:
    assert is_bot_commit(name, email, subject) is bot


@needs_git
def test_gitmoji_history_with_bot_commits_scores_on_the_human_subjects(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    root = init_repo(tmp_path / "repo")
    bot = ("latest-changes[bot]", "latest-changes@users.noreply.github.com")
    dependabot = ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")
    subjects = [
        "✅ Simplify password reset E2E tests (#2453)",
        "📝 Update README.md with Mailpit and React Email (#2452)",
        "🐛 Fix Sonner toast theme sync (#2450)",
        ":recycle: Replace Mailcatcher with Mailpit (#2436)",
        "feat(auth): add password reset by e-mail",
    ]
    day = 1
    for n, subject in enumerate(subjects):
        commit(root, subject, {f"app/m{n}.py": f"X = {n}\n"}, author=BO, day=day)
        commit(
            root,
            "📝 Update release notes",
            {"release-notes.md": f"- {subject}\n"},
            author=bot,
            day=day,
        )
        day += 1
    commit(
        root,
        "⬆ Bump the npm-packages group across 1 directory with 33 updates (#2433)",
        author=dependabot,
        day=day,
    )
    report = collaboration(root)
    assert _metric(report, "collaboration.commit_messages", "git.message_quality") == 1.0
    notes = [n for c in report.checkers for n in c.notes if n.startswith("history")]
    assert notes
    assert "6 by bots" in notes[0]
    assert "with gitmoji" in notes[0]


@needs_git
def test_a_history_written_only_by_bots_is_not_judged(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    root = init_repo(tmp_path / "repo")
    bot = ("renovate[bot]", "29139614+renovate[bot]@users.noreply.github.com")
    commit(root, "chore(deps): update dependency ruff to v0.6.1", {"a.py": "A = 1\n"}, author=bot)
    commit(
        root, "chore(deps): update dependency mypy to v1.11", {"a.py": "A = 2\n"}, author=bot, day=2
    )
    criterion = collaboration(root).criterion("collaboration.commit_messages")
    assert criterion.applicable is False
    assert criterion.reason
    assert "bots" in criterion.reason


# --------------------------------------------------------------------------- review


def test_dependency_updates_and_labeler_are_review_scaffolding(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            ".github/dependabot.yml": "version: 2\nupdates:\n  - package-ecosystem: pip\n"
            "    directory: /\n    schedule:\n      interval: weekly\n",
            ".github/labeler.yml": "backend:\n  - changed-files:\n      - any-glob-to-any-file: app/**\n",
        }
    )
    report = collaboration(root)
    assert _metric(report, "collaboration.review", "repo.review_items") == 2
    notes = [n for c in report.checkers for n in c.notes if n.startswith("review scaffolding")]
    assert notes
    assert "dependency updates" in notes[0]
    assert "labeler" in notes[0]


@pytest.mark.parametrize(
    ("path", "text", "counts"),
    [
        ("renovate.json", '{"extends": ["config:recommended"]}', True),
        (
            ".github/renovate.json5",
            "{\n  // comments are fine\n  extends: ['config:base'],\n}\n",
            True,
        ),
        (".renovaterc", "{}", False),
        (".github/dependabot.yml", "version: 2\nupdates: []\n", False),
    ],
)
def test_dependency_bot_configuration_needs_content(
    make_tree: TreeFactory, path: str, text: str, counts: bool
) -> None:
    report = collaboration(make_tree({path: text}))
    assert _metric(report, "collaboration.review", "repo.review_items") == (1 if counts else 0)


def test_five_items_fill_review_without_a_finding_for_the_rest(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            ".github/CODEOWNERS": "* @acme/backend\n",
            ".github/pull_request_template.md": "## What changed\n\nDescribe the change, why it "
            "is needed and how you tested it.\n",
            ".github/ISSUE_TEMPLATE/bug.md": "Steps to reproduce the bug, the expected and the "
            "actual behaviour, and the version you run.\n",
            "SECURITY.md": "# Security\n\nReport vulnerabilities privately to security@acme.example "
            "and we will answer within two working days, fix the issue in a private fork and "
            "publish an advisory once a release is out.\n",
            ".github/dependabot.yml": "version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n",
        }
    )
    report = collaboration(root)
    assert _metric(report, "collaboration.review", "repo.review_items") == 5
    assert report.criterion("collaboration.review").score == 100.0
    assert not [f for f in report.findings if f.criterion == "collaboration.review"]
