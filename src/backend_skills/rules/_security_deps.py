"""Dependencies neither pinned nor locked (npm, Go, NuGet, Maven, Gradle)."""

from __future__ import annotations

from backend_skills.core.models import Confidence, Severity

from ._model import Example, Rule

DEPENDENCY_PINNING = Rule(
    id="BSSEC118",
    title="Dependency neither pinned nor locked (npm, Go, NuGet, Maven, Gradle)",
    skill="security",
    criterion="security.dependencies",
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    cwe=1357,
    message="dependency `{name}` is neither pinned nor locked",
    rationale=(
        "A dependency declared with a range and no lock file installs whatever version is "
        "newest on the day of the build: builds stop being reproducible and a compromised "
        "release reaches production unreviewed. Go without go.sum does not check what it "
        "downloads."
    ),
    fix="Commit the lock file (package-lock.json, yarn.lock, pnpm-lock.yaml, go.sum, packages.lock.json with RestorePackagesWithLockFile, gradle.lockfile), or pin exact versions (central package management in Directory.Packages.props for .NET).",
    extra_languages=("json", "gomod", "xml", "groovy"),
    examples=(
        Example(
            "json",
            '{\n  "name": "shop",\n  "dependencies": {\n    "express": "^4.18.0"\n  }\n}\n',
            lines=(4,),
            path="package.json",
        ),
        Example(
            "json",
            '{\n  "name": "shop",\n  "dependencies": {\n    "express": "4.18.2"\n  }\n}\n',
            path="package.json",
        ),
        Example(
            "xml",
            '<Project Sdk="Microsoft.NET.Sdk">\n  <ItemGroup>\n    <PackageReference Include="Serilog" Version="3.*" />\n  </ItemGroup>\n</Project>\n',
            lines=(3,),
            path="Shop.csproj",
        ),
        Example(
            "gomod",
            "module shop\n\ngo 1.22\n\nrequire github.com/gin-gonic/gin v1.9.1\n",
            lines=(5,),
            path="go.mod",
        ),
    ),
)
