"""The collaboration skill end to end, and the ``repo`` checker's content rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_skills.checkers.repo import count_changelog_entries, detect_license, parse_document
from backend_skills.core.models import Report

from .conftest import TreeFactory
from .test_git import ANN, BO, CY, collaboration, commit, init_repo, needs_git

MIT = """\
MIT License

Copyright (c) 2026 The orders authors

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""

README = """\
# orders

A small HTTP service that records customer orders in PostgreSQL and sends a
confirmation e-mail for each one. It is the reference backend for the shop team.

## Install

```bash
python -m venv .venv && . .venv/bin/activate
pip install -e '.[dev]'
```

## Usage

Start the server and create an order:

```bash
uvicorn orders.main:app --port 8000
curl -X POST localhost:8000/orders -d '{"sku": "A1", "quantity": 2}'
```

## Architecture

Requests enter through `orders/api.py`, which validates them and calls the
repository layer in `orders/repository.py`; e-mails are sent by a background
worker. See [the architecture notes](docs/architecture.md) for the details.
"""

CONTRIBUTING = """\
# Contributing

Thank you for helping. Before a large change, open an issue so we can agree on it.

1. Create a virtual environment and install the dev tools: `pip install -e '.[dev]'`.
2. Install the git hooks with `pre-commit install`; they run ruff and the formatter.
3. Add tests for every change and run `pytest` before you push.
4. Open a pull request against main; one approving review and green CI are required.
"""

CHANGELOG = """\
# Changelog

## [Unreleased]
### Added
- Pagination on the order list.

## [1.1.0] - 2026-02-10
### Fixed
- Quantities below one are rejected with a 422.

## [1.0.0] - 2026-01-05
### Added
- First release: create, list and fetch orders.
"""

ARCHITECTURE = """\
# Architecture

The service has three layers. The API layer validates requests and shapes
responses. The repository layer owns every SQL statement and runs them through a
connection pool. The worker sends confirmation e-mails so requests never wait on SMTP.
"""

OPERATIONS = """\
# Operations

Configuration comes from environment variables: DATABASE_URL, SMTP_HOST and
POOL_SIZE. The health endpoint answers 200 when the database responds, and the
service is deployed as a container behind the load balancer.
"""

CI_WORKFLOW = """\
name: ci
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install -e '.[dev]'
      - run: pytest -q
"""

PRE_COMMIT = """\
repos:
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: v0.8.2
    hooks:
      - id: ruff
      - id: ruff-format
"""

APP = "def create(quantity: int) -> int:\n    return quantity\n"
TEST = "from orders.api import create\n\n\ndef test_create() -> None:\n    assert create(1) == 1\n"

GOOD_FILES = {
    "README.md": README,
    "CONTRIBUTING.md": CONTRIBUTING,
    "LICENSE": MIT,
    "CHANGELOG.md": CHANGELOG,
    "docs/architecture.md": ARCHITECTURE,
    "docs/operations.md": OPERATIONS,
    ".github/workflows/ci.yml": CI_WORKFLOW,
    ".pre-commit-config.yaml": PRE_COMMIT,
}


def _skill(report: Report) -> float:
    value = report.skill("collaboration").score
    assert value is not None
    return value


def _metric(report: Report, criterion: str, name: str) -> float | None:
    return report.criterion(criterion).metrics[name]


# --------------------------------------------------------------------------- judged scenario


def _good_repository(make_tree: TreeFactory) -> Path:
    root = init_repo(make_tree({}))
    commit(
        root,
        "feat: create orders through the API",
        {"orders/api.py": APP, "tests/test_api.py": TEST},
        author=ANN,
        day=1,
    )
    commit(
        root,
        "fix(api): reject quantities below one",
        {"orders/api.py": APP + "\n# validated\n", "tests/test_api.py": TEST + "\n# more\n"},
        author=BO,
        day=2,
    )
    commit(root, "docs: add install, usage and architecture", GOOD_FILES, author=CY, day=3)
    return root


def _poor_repository(make_tree: TreeFactory) -> Path:
    root = init_repo(make_tree({}))
    for day, message in enumerate(("wip", "fix", "stuff"), 1):
        commit(root, message, {"app.py": f"def handler():\n    return {day}\n"}, day=day)
    return root


@needs_git
def test_well_kept_repository_scores_at_least_75(make_tree: TreeFactory) -> None:
    report = collaboration(_good_repository(make_tree))
    assert report.complete
    assert _skill(report) >= 75
    # Every criterion that should see the evidence does.
    assert report.criterion("collaboration.readme").score == 100.0
    assert report.criterion("collaboration.license").score == 100.0
    assert _metric(report, "collaboration.ci", "repo.ci_level") == 2.0  # pytest, no linter step
    assert report.criterion("collaboration.commit_messages").score == 100.0
    assert _metric(report, "collaboration.authors", "git.authors") == 3


@needs_git
def test_neglected_repository_scores_at_most_30(make_tree: TreeFactory) -> None:
    report = collaboration(_poor_repository(make_tree))
    assert _skill(report) <= 30
    findings = {f.path for f in report.findings}
    assert {"README.md", "LICENSE", "CHANGELOG.md", "CONTRIBUTING.md"} <= findings


@needs_git
def test_empty_placeholder_files_raise_the_score_by_less_than_15(make_tree: TreeFactory) -> None:
    root = _poor_repository(make_tree)
    before = _skill(collaboration(root))
    for name in ("README.md", "CONTRIBUTING.md", "LICENSE", "CHANGELOG.md"):
        (root / name).write_text("", encoding="utf-8")
    (root / "tests").mkdir()
    after = collaboration(root)
    assert _skill(after) - before < 15
    messages = {f.path: f.message for f in after.findings}
    assert messages["README.md"].startswith("README.md is empty")
    assert messages["LICENSE"].startswith("LICENSE is empty")
    assert messages["CHANGELOG.md"] == "CHANGELOG.md is empty"
    assert messages["CONTRIBUTING.md"].startswith("CONTRIBUTING.md is empty")


def test_well_kept_repository_without_history_still_scores_high(make_tree: TreeFactory) -> None:
    report = collaboration(make_tree({**GOOD_FILES, "orders/api.py": APP}))
    assert _skill(report) >= 75
    assert report.criterion("collaboration.authors").applicable is False


def test_placeholders_with_a_title_earn_little(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "app.py": "x = 1\n",
            "README.md": "# app\n",
            "CONTRIBUTING.md": "# Contributing\n",
            "CHANGELOG.md": "# Changelog\n",
            "LICENSE": "MIT\n",
            "docs/index.md": "# Docs\n\nTODO\n",
            ".github/workflows/ci.yml": "name: ci\n",
            ".pre-commit-config.yaml": "repos: []\n",
            "CODEOWNERS": "# owners\n",
        }
    )
    report = collaboration(root)
    assert _skill(report) < 15
    assert report.criterion("collaboration.readme").score == 0.0
    assert _metric(report, "collaboration.docs", "repo.doc_pages") == 0
    assert _metric(report, "collaboration.ci", "repo.ci_level") == 0
    assert _metric(report, "collaboration.review", "repo.review_items") == 0


# --------------------------------------------------------------------------- README


def test_headings_without_content_do_not_count(make_tree: TreeFactory) -> None:
    stuffed = make_tree({"README.md": "# app\n\n## Install\n\n## Usage\n\n## Architecture\n"})
    report = collaboration(stuffed)
    # Only "three headings" holds: the sections are empty.
    assert _metric(report, "collaboration.readme", "repo.readme_signals") == 1
    finding = next(f for f in report.findings if f.criterion == "collaboration.readme")
    assert "an install section" in finding.message
    assert "an architecture or overview section" in finding.message


def test_readme_in_restructuredtext_is_understood() -> None:
    doc = parse_document(
        "README.rst",
        """\
        orders
        ======

        A service that records orders and mails a confirmation for each of them.

        Installation
        ------------

        Install it with pip into a fresh virtual environment and run the migrations::

            pip install orders

        Read the `full documentation <https://orders.example.org/docs/>`_.
        """.replace("        ", ""),
    )
    assert [s.title for s in doc.sections] == ["orders", "Installation"]
    assert [s.level for s in doc.sections] == [1, 2]
    assert doc.code_blocks == ["    pip install orders"]
    assert doc.links == ["https://orders.example.org/docs/"]


def test_badges_and_local_urls_are_not_documentation_links() -> None:
    doc = parse_document(
        "README.md",
        "[![ci](https://github.com/o/r/actions/workflows/ci.yml/badge.svg)](https://github.com/o/r/actions)\n"
        "![logo](docs/logo.png)\n\nRun it and open http://localhost:8000 in a browser.\n",
    )
    assert doc.links == []


# --------------------------------------------------------------------------- docs, changelog


def test_stub_and_empty_doc_pages_do_not_count(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "docs/architecture.md": ARCHITECTURE,
            "docs/todo.md": "# Later\n\nTo be written.\n",
            "docs/empty.md": "",
        }
    )
    report = collaboration(root)
    assert _metric(report, "collaboration.docs", "repo.doc_pages") == 1
    messages = {f.path: f.message for f in report.findings if f.criterion == "collaboration.docs"}
    assert messages["docs/todo.md"].startswith("docs/todo.md has 3 words of prose")
    assert messages["docs/empty.md"] == "docs/empty.md is empty"


@pytest.mark.parametrize(
    ("text", "entries"),
    [
        (CHANGELOG, 3),
        ("# Changelog\n\n## 1.0.0\n\n## 0.9.0\n", 0),  # headings without content
        (
            "Changes\n=======\n\n2.0 (2025-11-02)\n----------------\n\n* Drop Python 3.9 support.\n",
            1,
        ),
        ("1.2.0 (2025-01-02)\n  - Add the export command to the CLI.\n", 1),
        ("# Changelog\n\n- Bump requests from 2.31 to 2.32 in the lock file.\n", 0),
    ],
)
def test_changelog_entries_are_versioned_or_dated_with_content(text: str, entries: int) -> None:
    assert count_changelog_entries(text)[0] == entries


# --------------------------------------------------------------------------- licence


@pytest.mark.parametrize(
    ("text", "spdx"),
    [
        (MIT, "MIT"),
        (
            "Apache License\nVersion 2.0, January 2004\nhttp://www.apache.org/licenses/\n",
            "Apache-2.0",
        ),
        (
            "Redistribution and use in source and binary forms, with or without modification, "
            "are permitted provided that ... Neither the name of the copyright holder nor the "
            "names of its contributors may be used to endorse or promote products derived from "
            "this software without specific prior written permission.",
            "BSD-3-Clause",
        ),
        (
            "Redistribution and use in source and binary forms, with or without modification, "
            "are permitted provided that the following conditions are met: ...",
            "BSD-2-Clause",
        ),
        ("GNU GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007\n", "GPL-3.0"),
        ("GNU GENERAL PUBLIC LICENSE\nVersion 2, June 1991\n", "GPL-2.0"),
        ("GNU LESSER GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007\n", "LGPL-3.0"),
        ("GNU AFFERO GENERAL PUBLIC LICENSE\nVersion 3, 19 November 2007\n", "AGPL-3.0"),
        ("Mozilla Public License Version 2.0\n==================================\n", "MPL-2.0"),
        (
            "Mozilla Public License Version 2.0\n==================================\n\n"
            + "1. Definitions and the grant of rights to the covered software. " * 8
            + "Secondary License means either the GNU General Public License, Version 2.0, "
            "the GNU Lesser General Public License, Version 2.1, the GNU Affero General "
            "Public License, Version 3.0, or any later versions of those licenses.",
            "MPL-2.0",
        ),
        (
            "Permission to use, copy, modify, and/or distribute this software for any purpose "
            "with or without fee is hereby granted, provided that the above copyright notice "
            "and this permission notice appear in all copies.",
            "ISC",
        ),
        (
            "This is free and unencumbered software released into the public domain.\n",
            "Unlicense",
        ),
        ("SPDX-License-Identifier: EUPL-1.2\n", "EUPL-1.2"),
        ("All rights reserved. Do not copy.", None),
    ],
)
def test_licence_texts_are_recognised(text: str, spdx: str | None) -> None:
    assert detect_license(text) == spdx


@pytest.mark.parametrize(
    ("files", "level"),
    [
        ({"LICENSE": MIT}, 3),
        ({"LICENSE.md": "Copyright 2026 Acme. " + "Internal use only, under contract. " * 12}, 2),
        ({"LICENSE": "MIT\n"}, 1),
        ({"pyproject.toml": '[project]\nname = "x"\nlicense = "MIT"\n'}, 1),
        ({"LICENSES/MIT.txt": "MIT License text kept by REUSE."}, 3),
        ({"app.py": "x = 1\n"}, 0),
    ],
)
def test_licence_levels(make_tree: TreeFactory, files: dict[str, str], level: int) -> None:
    report = collaboration(make_tree(files))
    assert _metric(report, "collaboration.license", "repo.license") == level


# --------------------------------------------------------------------------- CI


def _ci_level(make_tree: TreeFactory, files: dict[str, str]) -> tuple[float | None, Report]:
    report = collaboration(make_tree(files))
    return _metric(report, "collaboration.ci", "repo.ci_level"), report


def test_installing_pytest_is_not_running_it(make_tree: TreeFactory) -> None:
    level, report = _ci_level(
        make_tree,
        {
            ".github/workflows/build.yml": """\
            on: push
            jobs:
              build:
                runs-on: ubuntu-latest
                steps:
                  - name: Run pytest
                    run: pip install pytest && python -m build
            """
        },
    )
    assert level == 1
    finding = next(f for f in report.findings if f.criterion == "collaboration.ci")
    assert finding.path == ".github/workflows/build.yml"
    assert "does not run the tests" in finding.message


def test_tests_run_through_a_makefile_target_count(make_tree: TreeFactory) -> None:
    level, _ = _ci_level(
        make_tree,
        {
            ".gitlab-ci.yml": """\
            .setup:
              script:
                - pip install -e .
            test:
              image: python:3.12
              script:
                - !reference [.setup, script]
                - make check
            """,
            "Makefile": "check: lint unit\n\nlint:\n\truff check .\n\nunit:\n\tpytest -q\n",
        },
    )
    assert level == 3


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (
            "Jenkinsfile",
            "pipeline {\n  agent any\n  stages {\n    stage('Test') {\n"
            "      steps { sh 'python -m pytest' }\n    }\n  }\n}\n",
        ),
        (
            ".circleci/config.yml",
            "version: 2.1\njobs:\n  test:\n    docker: [{image: cimg/python:3.12}]\n"
            "    steps:\n      - checkout\n      - run: tox -e py312\n",
        ),
        (
            "azure-pipelines.yml",
            "trigger: [main]\nsteps:\n  - script: python -m unittest discover\n",
        ),
        (
            ".github/workflows/ci.yaml",
            "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - run: ./scripts/test.sh\n",
        ),
    ],
)
def test_ci_systems_that_run_tests(make_tree: TreeFactory, path: str, text: str) -> None:
    level, _ = _ci_level(make_tree, {path: text, "scripts/test.sh": "#!/bin/sh\nnox -s tests\n"})
    assert level == 2


def test_broken_ci_yaml_is_reported_at_its_line(make_tree: TreeFactory) -> None:
    level, report = _ci_level(
        make_tree, {".github/workflows/ci.yml": "on: push\njobs:\n  test: [unclosed\n"}
    )
    assert level == 0
    finding = next(f for f in report.findings if f.criterion == "collaboration.ci")
    assert finding.path == ".github/workflows/ci.yml"
    assert finding.line is not None
    assert "invalid YAML" in finding.message
    assert any(s.path == ".github/workflows/ci.yml" for s in report.skipped)


# --------------------------------------------------------------------------- linters, review


def test_linters_formatter_type_checker_hooks_and_editorconfig(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            ".pre-commit-config.yaml": PRE_COMMIT,
            "setup.cfg": "[mypy]\nstrict = True\n",
            ".editorconfig": "root = true\n\n[*]\nindent_style = space\n",
        }
    )
    report = collaboration(root)
    assert _metric(report, "collaboration.linters", "repo.lint_signals") == 5
    assert report.criterion("collaboration.linters").score == 100.0


def test_empty_tool_configs_earn_nothing(make_tree: TreeFactory) -> None:
    root = make_tree({".flake8": "", ".editorconfig": "root = true\n", "mypy.ini": ""})
    report = collaboration(root)
    assert _metric(report, "collaboration.linters", "repo.lint_signals") == 0


def test_flake8_file_is_read(make_tree: TreeFactory) -> None:
    report = collaboration(make_tree({".flake8": "[flake8]\nmax-line-length = 100\n"}))
    assert _metric(report, "collaboration.linters", "repo.lint_signals") == 1


def test_review_scaffolding_counts_items_with_content(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            ".github/CODEOWNERS": "# owners\n* @acme/backend\n/db/ @acme/dba\n",
            "SECURITY.md": "# Security\n\nReport vulnerabilities privately to security@acme.example; "
            "we answer within two working days and publish an advisory once fixed.\n",
            ".github/pull_request_template.md": "",
            "CODE_OF_CONDUCT.md": "# Be kind\n",
        }
    )
    report = collaboration(root)
    assert _metric(report, "collaboration.review", "repo.review_items") == 2
    paths = {f.path for f in report.findings if f.criterion == "collaboration.review"}
    assert ".github/pull_request_template.md" in paths
    assert "CODE_OF_CONDUCT.md" in paths


def test_documentation_of_test_fixtures_is_not_the_projects(make_tree: TreeFactory) -> None:
    report = collaboration(make_tree({"tests/fixtures/service/docs/architecture.md": ARCHITECTURE}))
    assert _metric(report, "collaboration.docs", "repo.doc_pages") == 0


# --------------------------------------------------------------------------- hostile input


def test_pathological_documents_are_analysed_in_linear_time(make_tree: TreeFactory) -> None:
    import time

    hostile = "\n".join(
        [
            "[" * 100_000,
            "<" * 100_000,
            "# " + " #" * 50_000 + "x",
            "<h1>" * 20_000,
            "[a](" * 20_000,
            "`<" * 50_000,
            *(f"## heading {i}\nsome words here\n" for i in range(20_000)),
        ]
    )
    root = make_tree(
        {
            "README.md": hostile,
            "CHANGELOG.md": hostile,
            "CONTRIBUTING.md": hostile,
            "docs/page.md": hostile,
            ".editorconfig": "[*]" + "\n" * 100_000 + "x",
        }
    )
    started = time.perf_counter()
    report = collaboration(root)
    assert time.perf_counter() - started < 20  # quadratic regexes would take minutes
    assert report.complete


def test_hostile_config_files_never_break_the_checker(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "pyproject.toml": "a = " + "[" * 5000 + "]" * 5000 + "\n",
            "package.json": "[" * 100_000 + "]" * 100_000,
            "setup.cfg": "no section header\n[flake8\n",
            ".pre-commit-config.yaml": "repos: !!python/object/apply:os.system ['true']\n",
            ".github/workflows/a.yml": "&a [*a, *a]\n",
            ".github/workflows/b.yml": "jobs: " + "[" * 5000 + "]" * 5000 + "\n",
            ".gitlab-ci.yml": "test:\n  script: !reference [.x, script]\n  tags: !custom {a: 1}\n",
        }
    )
    report = collaboration(root)
    runs = {r.name: r for r in report.checkers}
    assert runs["repo"].status == "ok", runs["repo"].error
    skipped = {s.path for s in report.skipped}
    assert {"pyproject.toml", ".pre-commit-config.yaml"} <= skipped
