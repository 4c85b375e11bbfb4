"""CI pipelines: which files are pipelines and what a Jenkinsfile runs."""

from __future__ import annotations

import pytest

from backend_skills.checkers._repo_ci import _jenkins_commands, ci_system, is_pipeline


@pytest.mark.parametrize(
    ("path", "system"),
    [
        (".github/workflows/ci.yml", "GitHub Actions"),
        (".gitlab-ci.yml", "GitLab CI"),
        (".gitlab/ci/test.yaml", "GitLab CI"),
        (".circleci/config.yml", "CircleCI"),
        ("deploy/Jenkinsfile", "Jenkins"),
        ("azure-pipelines.yml", "Azure Pipelines"),
        (".github/dependabot.yml", None),
        ("ci.yml", None),
    ],
)
def test_ci_system(path: str, system: str | None) -> None:
    assert ci_system(path) == system


@pytest.mark.parametrize(
    ("system", "data", "pipeline"),
    [
        ("GitHub Actions", {"on": "push", "jobs": {}}, True),
        ("GitHub Actions", {"name": "x"}, False),
        ("GitLab CI", {"test": {"script": ["pytest"]}}, True),
        ("GitLab CI", {"include": "ci/all.yml"}, True),
        ("GitLab CI", {"variables": {"A": "1"}}, False),
        ("Drone", {"steps": []}, True),
        ("Travis CI", {}, False),
    ],
)
def test_is_pipeline(system: str, data: dict[object, object], pipeline: bool) -> None:
    assert is_pipeline(system, data) is pipeline


def test_jenkins_commands_read_sh_steps_without_comments() -> None:
    text = (
        "pipeline {\n  stages {\n    stage('t') { steps {\n"
        '      // sh \'make lint\'\n      sh \'pytest -q\'\n      sh """make test"""\n'
        "    } }\n  }\n}\n"
    )
    commands, problem = _jenkins_commands(text)
    assert problem is None
    assert commands is not None
    assert [c.text for c in commands] == ["pytest -q", "make test"]


def test_a_jenkinsfile_without_a_pipeline_is_not_one() -> None:
    assert _jenkins_commands("echo hello\n") == (None, "has no pipeline, node or stage block")
