"""Configuration: file discovery, precedence and errors that name the file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_skills.core.config import ConfigError, resolve_settings

from .conftest import TreeFactory


def test_pyproject_table_is_read(make_tree: TreeFactory) -> None:
    root = make_tree(
        {"pyproject.toml": '[tool.backend_skills]\nexclude = ["legacy/"]\nfail_under = 50\n'}
    )
    settings, used = resolve_settings(root)
    assert used == root / "pyproject.toml"
    assert settings.exclude == ["legacy/"]
    assert settings.fail_under == 50


def test_dedicated_file_wins_over_pyproject(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "pyproject.toml": "[tool.backend_skills]\nfail_under = 50\n",
            ".backend-skills.toml": "fail_under = 70\n",
        }
    )
    settings, used = resolve_settings(root)
    assert used == root / ".backend-skills.toml"
    assert settings.fail_under == 70


def test_cli_beats_config_beats_defaults(make_tree: TreeFactory) -> None:
    root = make_tree({".backend-skills.toml": "fail_under = 70\njobs = 3\n"})
    settings, _ = resolve_settings(root, overrides={"fail_under": 20, "jobs": None})
    assert settings.fail_under == 20
    assert settings.jobs == 3
    assert settings.cache is True


def test_isolated_ignores_repository_config(make_tree: TreeFactory) -> None:
    root = make_tree({".backend-skills.toml": "fail_under = 70\n"})
    settings, used = resolve_settings(root, isolated=True)
    assert used is None
    assert settings.fail_under is None


def test_pyproject_without_our_table_is_not_used(make_tree: TreeFactory) -> None:
    root = make_tree({"pyproject.toml": "[tool.black]\nline-length = 88\n"})
    assert resolve_settings(root)[1] is None


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"pyproject.toml": "[tool.backend_skills]\nfail_undr = 3\n"},
            "pyproject.toml: unknown key 'tool.backend_skills.fail_undr'",
        ),
        (
            {".backend-skills.toml": "jobs = 'many'\n"},
            ".backend-skills.toml: invalid value for 'jobs'",
        ),
        (
            {".backend-skills.toml": "[roles]\ntests = ['qa/']\n"},
            ".backend-skills.toml: unknown key 'roles.tests'",
        ),
        ({".backend-skills.toml": "fail_under = [\n"}, ".backend-skills.toml: not valid TOML"),
        (
            {".backend-skills.toml": "fail_under = 120\n"},
            ".backend-skills.toml: invalid value for 'fail_under'",
        ),
    ],
)
def test_errors_name_the_file_and_the_key(
    make_tree: TreeFactory, files: dict[str, str], message: str
) -> None:
    root = make_tree(files)
    with pytest.raises(ConfigError) as info:
        resolve_settings(root)
    text = str(info.value)
    assert message in text
    assert "\n" not in text


def test_explicit_config_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        resolve_settings(tmp_path, config_file=tmp_path / "nope.toml")
