"""Dependency declarations of npm, Go, NuGet, Maven and Gradle (:mod:`._polyglot_deps`):
which reader a manifest gets and how central NuGet versions resolve."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_skills.checkers._polyglot_deps import (
    _manifest_reader,
    _msbuild_central,
    declarations,
)
from backend_skills.core.discovery import discover


@pytest.mark.parametrize(
    ("name", "has_reader"),
    [
        ("package.json", True),
        ("go.mod", True),
        ("Shop.Api.csproj", True),
        ("pom.xml", True),
        ("build.gradle", True),
        ("build.gradle.kts", True),
        ("package-lock.json", False),
        ("requirements.txt", False),
    ],
)
def test_manifest_reader(name: str, has_reader: bool) -> None:
    assert (_manifest_reader(name, set(), {}) is not None) is has_reader


def test_central_versions_expand_msbuild_properties(tmp_path: Path) -> None:
    (tmp_path / "Directory.Build.props").write_text(
        "<Project><PropertyGroup><EfVersion>8.0.4</EfVersion></PropertyGroup></Project>",
        encoding="utf-8",
    )
    (tmp_path / "Directory.Packages.props").write_text(
        '<Project><ItemGroup><PackageVersion Include="Microsoft.EntityFrameworkCore" '
        'Version="$(EfVersion)" /></ItemGroup></Project>',
        encoding="utf-8",
    )
    files = discover(tmp_path).files
    assert _msbuild_central(files) == {"microsoft.entityframeworkcore": "8.0.4"}


def test_declarations_read_every_manifest_once(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"dependencies": {"express": "^4.18.0"}}')
    (tmp_path / "go.mod").write_text("module x\n\nrequire github.com/gin-gonic/gin v1.9.1\n")
    found = {(d.file.path, d.name, d.safe) for d in declarations(discover(tmp_path).files)}
    assert found == {
        ("package.json", "express", False),
        ("go.mod", "github.com/gin-gonic/gin", False),
    }
