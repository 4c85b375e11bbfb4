"""The LICENSE criterion's units: declared licences, REUSE files and the gap finding."""

from __future__ import annotations

import pytest

from backend_skills.checkers._repo_license import (
    _license_gap,
    _package_json_license,
    _pyproject_license,
    _setup_cfg_license,
    detect_license,
)


@pytest.mark.parametrize(
    ("text", "declared"),
    [
        ('[project]\nlicense = "MIT"\n', ("MIT", "pyproject.toml [project] license")),
        (
            '[project]\nlicense = {text = "BSD-3-Clause"}\n',
            ("BSD-3-Clause", "pyproject.toml [project] license"),
        ),
        (
            '[project]\nlicense = {file = "LICENSE.txt"}\n',
            ("LICENSE.txt", "pyproject.toml [project] license"),
        ),
        (
            '[project]\nclassifiers = ["License :: OSI Approved :: Apache Software License"]\n',
            ("Apache Software License", "pyproject.toml classifiers"),
        ),
        ('[project]\nname = "x"\n', None),
        ("[project\n", None),
        ('project = "not a table"\n', None),
    ],
)
def test_pyproject_license(text: str, declared: tuple[str, str] | None) -> None:
    assert _pyproject_license(text) == declared


def test_setup_cfg_and_package_json_licenses() -> None:
    assert _setup_cfg_license("[metadata]\nlicense = Apache-2.0\n") == (
        "Apache-2.0",
        "setup.cfg license",
    )
    assert _setup_cfg_license("[metadata]\nname = x\n") is None
    assert _package_json_license('{"license": "ISC"}') == ("ISC", "package.json license")
    assert _package_json_license('{"license": {"type": "MIT"}}') is None
    assert _package_json_license("[1, 2") is None


@pytest.mark.parametrize(
    ("unrecognised", "declared", "empty", "level", "path", "start"),
    [
        ([("LICENSE", 80)], None, [], 2.0, "LICENSE", "LICENSE is not a licence text we recognise"),
        ([("COPYING", 3)], None, [], 1.0, "COPYING", "COPYING is too short to be a licence"),
        ([], ("MIT", "package.json license"), [], 1.0, "LICENSE", "licence 'MIT' is declared in"),
        ([], None, ["LICENSE"], 0.0, "LICENSE", "LICENSE is empty"),
        ([], None, [], 0.0, "LICENSE", "no LICENSE file"),
    ],
)
def test_license_gap(
    unrecognised: list[tuple[str, int]],
    declared: tuple[str, str] | None,
    empty: list[str],
    level: float,
    path: str,
    start: str,
) -> None:
    got, finding = _license_gap(unrecognised, declared, empty)
    assert got == level
    assert finding.path == path
    assert finding.message.startswith(start)
    assert finding.rule == "BSCOL005"


def test_detect_license_reads_an_spdx_tag_first() -> None:
    assert detect_license("# SPDX-License-Identifier: Apache-2.0 OR MIT\n") == "Apache-2.0 OR MIT"
    assert detect_license("All rights reserved.") is None
