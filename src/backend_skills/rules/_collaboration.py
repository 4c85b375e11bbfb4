"""Collaboration rules: the repository as a whole (``repo`` checker).

These rules look at files that should exist and what they say: a README, docs, a
changelog, a contributing guide, a licence, review scaffolding, CI and linters. Their
findings point at the file (or the file that is missing) without a line; their examples
are small trees run through the real pipeline.
"""

from __future__ import annotations

from backend_skills.core.models import Confidence, Severity

from ._model import Example, Rule

_APP = {"orders/api.py": "def create(quantity: int) -> int:\n    return quantity\n"}
_MISSING = "Info when the file is missing (the criterion's score says how much it costs); low when it exists but is empty, too short or broken."

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

CHANGELOG = """\
# Changelog

## [Unreleased]
### Added
- Pagination on the order list.

## [1.0.0] - 2026-01-05
### Added
- First release: create, list and fetch orders.
"""

CONTRIBUTING = """\
# Contributing

Thank you for helping. Before a large change, open an issue so we can agree on it.

1. Create a virtual environment and install the dev tools: `pip install -e '.[dev]'`.
2. Install the git hooks with `pre-commit install`; they run ruff and the formatter.
3. Add tests for every change and run `pytest` before you push.
4. Open a pull request against main; one approving review and green CI are required.
"""

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

REVIEW_FILES = {
    ".github/CODEOWNERS": "# Owners of each part of the code base\n* @acme/backend\n/db/ @acme/dba\n",
    ".github/pull_request_template.md": "## What and why\n\nDescribe the change and link the issue it closes.\n\n"
    "## Checklist\n\n- [ ] Tests added or updated\n- [ ] Docs and changelog updated\n",
    ".github/ISSUE_TEMPLATE/bug_report.md": "---\nname: Bug report\nabout: Something does not work\n---\n\n"
    "What did you do, what did you expect and what happened instead? Include the version.\n",
    "CODE_OF_CONDUCT.md": "# Code of conduct\n\nWe follow the Contributor Covenant 2.1. We pledge to make "
    "participation in this project a harassment-free experience for everyone. Be respectful of "
    "differing opinions, give and accept constructive feedback, assume good intent, and focus on "
    "what is best for the community. Report unacceptable behaviour to conduct@acme.example; every "
    "report is reviewed promptly and confidentially by the maintainers.\n",
    "SECURITY.md": "# Security\n\nReport vulnerabilities privately to security@acme.example; we answer "
    "within two working days and publish an advisory once fixed.\n",
}

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
      - run: ruff check .
      - run: mypy orders
      - run: pytest -q
"""

LINT_FILES = {
    "pyproject.toml": '[project]\nname = "orders"\nversion = "1.0.0"\n\n[tool.ruff]\nline-length = 100\n\n'
    '[tool.ruff.format]\nquote-style = "double"\n\n[tool.mypy]\nstrict = true\n',
    ".pre-commit-config.yaml": "repos:\n  - repo: https://github.com/astral-sh/ruff-pre-commit\n"
    "    rev: v0.8.2\n    hooks:\n      - id: ruff\n      - id: ruff-format\n",
    ".editorconfig": "root = true\n\n[*]\nindent_style = space\nend_of_line = lf\n",
}


def _rule(
    rule_id: str,
    criterion: str,
    title: str,
    message: str,
    rationale: str,
    fix: str,
    expected_at: str,
    quiet: dict[str, str],
) -> Rule:
    return Rule(
        id=rule_id,
        title=title,
        skill="collaboration",
        criterion=criterion,
        severity=Severity.INFO,
        confidence=Confidence.HIGH,
        checker="repo",
        extra_languages=("repository",),
        message=message,
        varies=_MISSING,
        rationale=rationale,
        fix=fix,
        examples=(
            Example("repository", "", lines=(0,), path=expected_at, files=_APP),
            Example("repository", "", files={**_APP, **quiet}),
        ),
    )


RULES = (
    _rule(
        "BSCOL001",
        "collaboration.readme",
        "README missing, empty or incomplete",
        "no README: add README.md at the root with install, usage and architecture sections",
        "The README is the first thing a new colleague, reviewer or user reads: without what "
        "the project does, how to install, run and test it, and how it is built, everyone "
        "asks the same questions or guesses.",
        "Add README.md at the root with a description, install, usage and architecture sections (and links to the docs).",
        "README.md",
        {"README.md": README},
    ),
    _rule(
        "BSCOL002",
        "collaboration.docs",
        "Documentation missing or stub pages",
        "no docs/ folder: add docs/ with pages on architecture, configuration and operations",
        "Architecture, configuration and operations knowledge that lives only in people's "
        "heads leaves with them; a docs folder with real pages (not stubs) is what lets "
        "others run and change the service.",
        "Add docs/ with pages of prose on architecture, configuration and operations; remove empty stubs.",
        "docs",
        {"docs/architecture.md": ARCHITECTURE, "docs/operations.md": OPERATIONS},
    ),
    _rule(
        "BSCOL003",
        "collaboration.changelog",
        "CHANGELOG missing or without entries",
        "no CHANGELOG: add CHANGELOG.md in the Keep a Changelog format",
        "A changelog tells users and operators what changed between versions without "
        "reading the history: what to test, what breaks, what to roll back.",
        "Add CHANGELOG.md in the Keep a Changelog format: `## [1.0.0] - 2024-05-01` headings with the changes under each.",
        "CHANGELOG.md",
        {"CHANGELOG.md": CHANGELOG},
    ),
    _rule(
        "BSCOL004",
        "collaboration.contributing",
        "CONTRIBUTING guide missing or incomplete",
        "no CONTRIBUTING guide: add CONTRIBUTING.md with set-up, test, style and pull-request steps",
        "A contributing guide turns tribal knowledge (set-up, tests, style, how a change is "
        "proposed and reviewed) into steps anyone can follow.",
        "Add CONTRIBUTING.md with the set-up, test, style and pull-request steps.",
        "CONTRIBUTING.md",
        {"CONTRIBUTING.md": CONTRIBUTING},
    ),
    _rule(
        "BSCOL005",
        "collaboration.license",
        "LICENSE missing or unrecognised",
        "no LICENSE file: add LICENSE with the full text of the licence (e.g. MIT or Apache-2.0)",
        "Without a licence nobody may legally use, copy or change the code; an edited or "
        "unrecognised text leaves the terms unclear.",
        "Add LICENSE with the unmodified text of an OSI-approved licence (https://spdx.org/licenses/), or an SPDX-License-Identifier line.",
        "LICENSE",
        {"LICENSE": MIT},
    ),
    _rule(
        "BSCOL006",
        "collaboration.review",
        "Review scaffolding missing or empty",
        "no CODEOWNERS, pull request template, issue templates, code of conduct and security policy",
        "Code owners, pull-request and issue templates, a code of conduct and a security "
        "policy make review routine: the right people are asked, changes come described, "
        "and vulnerabilities are reported privately.",
        "Add .github/CODEOWNERS, a pull request template, issue templates, CODE_OF_CONDUCT.md and SECURITY.md, each with real content.",
        ".github/CODEOWNERS",
        REVIEW_FILES,
    ),
    _rule(
        "BSCOL007",
        "collaboration.ci",
        "No CI, or CI that runs no tests or linter",
        "no CI configuration: add .github/workflows/ci.yml (or .gitlab-ci.yml) that installs the project and runs the tests",
        "Continuous integration runs the tests and linters on every change before it is "
        "merged: without it, breakage is found by users.",
        "Add a CI workflow (.github/workflows/ci.yml, .gitlab-ci.yml, ...) that installs the project, runs a linter or type checker and the tests.",
        ".github/workflows/ci.yml",
        {".github/workflows/ci.yml": CI_WORKFLOW},
    ),
    _rule(
        "BSCOL008",
        "collaboration.linters",
        "Linter, formatter, type checker or hooks not configured",
        "not configured: a linter, a formatter, a type checker, pre-commit hooks",
        "A configured linter, formatter and type checker, run by pre-commit hooks, settle "
        "style and catch whole classes of bugs before review, so reviewers discuss design.",
        "Configure a linter and formatter (`[tool.ruff]`, `ruff format` or black), a type checker (`[tool.mypy]`), pre-commit hooks and an .editorconfig.",
        "pyproject.toml",
        LINT_FILES,
    ),
)
