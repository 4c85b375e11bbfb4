"""Task-runner command lines: which folder, file and targets they name."""

from __future__ import annotations

import pytest

from backend_skills.checkers._ci_task_args import (
    MakeCall,
    make_call,
    nox_selected,
    nox_wanted,
    package_manager_args,
    package_script_name,
    tox_environments,
    tox_wanted,
)


@pytest.mark.parametrize(
    ("args", "call"),
    [
        ([], MakeCall("", None, [])),
        (["-C", "api", "test"], MakeCall("api", None, ["test"])),
        (["-Capi", "test", "lint"], MakeCall("api", None, ["test", "lint"])),
        (["--directory=api", "-f", "ci.mk", "check"], MakeCall("api", "ci.mk", ["check"])),
        (["-j4", "PY=3.12", "test"], MakeCall("", None, ["test"])),
        (["-C"], MakeCall("", None, [])),
    ],
)
def test_make_call(args: list[str], call: MakeCall) -> None:
    assert make_call("", args) == call


@pytest.mark.parametrize(
    ("args", "folder", "kept"),
    [
        (["run", "test"], "", ["run", "test"]),
        (["--prefix", "web", "test"], "web", ["test"]),
        (["--cwd=web", "test"], "web", ["test"]),
        (["--filter", "api", "test", "--", "-x"], "", ["test"]),
        (["-w", "pkg", "run", "lint"], "", ["run", "lint"]),
    ],
)
def test_package_manager_args(args: list[str], folder: str, kept: list[str]) -> None:
    assert package_manager_args("", args) == (folder, kept)


@pytest.mark.parametrize(
    ("tool", "args", "script"),
    [
        ("npm", ["test"], "test"),
        ("npm", ["t"], "test"),
        ("npm", ["run", "lint"], "lint"),
        ("npm", ["ci"], None),
        ("npm", ["start"], "start"),
        ("yarn", ["lint"], "lint"),
        ("pnpm", ["run"], None),
        ("npm", [], None),
    ],
)
def test_package_script_name(tool: str, args: list[str], script: str | None) -> None:
    assert package_script_name(tool, args) == script


@pytest.mark.parametrize(
    ("args", "envs", "names"),
    [
        ([], ["py", "lint"], ["py", "lint"]),
        (["-e", "lint"], ["py", "lint"], ["lint"]),
        (["-elint,py"], ["py", "lint"], ["lint", "py"]),
        (["-e", "ALL"], ["py", "lint"], ["py", "lint"]),
        (["-e", "py312-django42"], ["py", "lint"], ["py"]),
        (["-e", "docs"], ["lint"], []),
    ],
)
def test_tox_environments(args: list[str], envs: list[str], names: list[str]) -> None:
    assert tox_environments(tox_wanted(args), envs) == names


@pytest.mark.parametrize(
    ("args", "names"),
    [
        ([], ["tests-3.12", "lint"]),
        (["-s", "tests"], ["tests-3.12"]),
        (["--session", "lint,tests-3.12"], ["tests-3.12", "lint"]),
        (["-s", "missing"], ["tests-3.12", "lint"]),
        (["-s"], ["tests-3.12", "lint"]),
    ],
)
def test_nox_selected(args: list[str], names: list[str]) -> None:
    assert nox_selected(nox_wanted(args), ["tests-3.12", "lint"]) == names
