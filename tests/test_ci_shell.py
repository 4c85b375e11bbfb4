"""Shell text in CI: launchers stripped, folders followed, test runners named."""

from __future__ import annotations

import pytest

from backend_skills.checkers._ci_shell import (
    drop_options,
    join_folder,
    runs_tests,
    split_commands,
    step_folder,
    strip_prefixes,
    yaml_commands,
)


@pytest.mark.parametrize(
    ("command", "left"),
    [
        ("uv run pytest -q", ["pytest", "-q"]),
        ("uv run --with coverage pytest", ["pytest"]),
        ("uv sync", ["uv", "sync"]),
        ("CI=1 DEBUG= npx jest", ["jest"]),
        (
            "docker compose exec -T -w /app backend bash scripts/test.sh",
            ["bash", "scripts/test.sh"],
        ),
        ("docker-compose run --rm web pytest", ["pytest"]),
        ("docker build .", ["docker", "build", "."]),
        ("docker compose up -d", ["docker", "compose", "up", "-d"]),
        ("coverage run -m pytest", ["pytest"]),
        ("coverage report", ["coverage", "report"]),
        ("timeout 600 sudo env A=1 pytest", ["600", "sudo", "env", "A=1", "pytest"]),
        ("env -- pytest", ["pytest"]),
        ("FOO=1", []),
    ],
)
def test_strip_prefixes_leaves_what_the_launchers_run(command: str, left: list[str]) -> None:
    assert strip_prefixes(command.split()) == left


@pytest.mark.parametrize(
    ("words", "left"),
    [
        (["-e", "A=1", "-T", "svc", "x"], ["svc", "x"]),
        (["--env=A=1", "svc"], ["svc"]),
        (["--", "-x"], ["-x"]),
        ([], []),
    ],
)
def test_drop_options_skips_option_values(words: list[str], left: list[str]) -> None:
    assert drop_options(words) == left


@pytest.mark.parametrize(
    ("cwd", "path", "joined"),
    [
        ("", "backend", "backend"),
        ("backend", "../frontend", "frontend"),
        ("backend", "..", ""),
        ("", "../outside", ""),
        ("api", "$HOME/x", "api"),
        ("api", "/abs", "api"),
        ("", "~/project/svc", "svc"),
        ("", "${{ github.workspace }}/svc", "svc"),
        ("x", "", "x"),
    ],
)
def test_join_folder_stays_in_the_tree(cwd: str, path: str, joined: str) -> None:
    assert join_folder(cwd, path) == joined


def test_split_commands_follows_cd_and_drops_installs() -> None:
    text = "pip install -r req.txt\ncd api && pytest -q\n# comment\npopd; make test"
    got = [(c.text, c.cwd) for c in split_commands(text)]
    assert got == [("pytest -q", "api"), ("make test", "")]


@pytest.mark.parametrize(
    ("step", "folder"),
    [
        ({"run": "x", "working-directory": "api"}, "api"),
        ({"workingDirectory": "web"}, "web"),
        ({"defaults": {"run": {"working-directory": "svc"}}}, "svc"),
        ({"defaults": {"run": {"shell": "bash"}}}, None),
        ({"working-directory": 3}, None),
    ],
)
def test_step_folder(step: dict[str, object], folder: str | None) -> None:
    assert step_folder(step) == folder


def test_yaml_commands_run_in_their_step_folder_and_skip_labels() -> None:
    doc = {
        "defaults": {"run": {"working-directory": "backend"}},
        "jobs": {
            "test": {
                "name": "pytest everything",
                "steps": [{"run": "pytest", "working-directory": "api"}, {"run": "make lint"}],
            }
        },
    }
    got = sorted((c.text, c.cwd) for c in yaml_commands(doc))
    assert got == [("make lint", "backend"), ("pytest", "backend/api")]


def test_yaml_commands_survive_a_cycle() -> None:
    loop: list[object] = ["pytest"]
    loop.append(loop)
    assert [c.text for c in yaml_commands(loop)] == ["pytest"]


@pytest.mark.parametrize(
    ("command", "runner"),
    [
        ("python -m py.test tests", "pytest"),
        ("mvn -B verify", "maven"),
        ("./mvnw package -DskipTests", None),
        ("./gradlew build -x test", None),
        ("gradle check", "gradle"),
        ("sbt +test", "sbt"),
        ("node --test", "node --test"),
        ("make ci", "make ci"),
        ("yarn run test", "yarn test"),
        ("hatch run cov:test-all", "hatch cov:test-all"),
        ("go test ./...", "go test"),
        ("ruff check .", None),
    ],
)
def test_runs_tests_names_the_runner(command: str, runner: str | None) -> None:
    assert runs_tests(command) == runner
