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

KNOWN_VULNERABLE = Rule(
    id="BSSEC121",
    title="Dependency version with a well-known vulnerability",
    skill="security",
    criterion="security.dependencies",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    cwe=1395,
    message="dependency `{name}` has a well-known vulnerability",
    rationale=(
        "A few dependency flaws are public exploits that scanners and attackers look for "
        "first: Log4Shell, the Struts 2 and Spring4Shell remote code executions, "
        "Text4Shell, deserialisation gadgets, node-serialize, the ejs and handlebars "
        "template RCEs. A service declaring an affected version ships the flaw whatever its "
        "own code does. High severity for a remote code execution (it weighs half in a "
        "security cap: whether the vulnerable code is reached is not known), medium for the "
        "others. An offline table of our own, not a vulnerability database: run OSV, npm "
        "audit, OWASP Dependency-Check or Dependabot for the rest."
    ),
    fix="Upgrade to the fixed release the message names (or newer), and add a dependency scanner (Dependabot, Renovate, OSV-Scanner, npm audit) to CI.",
    extra_languages=("json", "gomod", "xml", "groovy"),
    examples=(
        Example(
            "xml",
            "<project>\n  <dependencies>\n    <dependency>\n      <groupId>org.apache.logging.log4j</groupId>\n"
            "      <artifactId>log4j-core</artifactId>\n      <version>2.14.1</version>\n"
            "    </dependency>\n  </dependencies>\n</project>\n",
            lines=(3,),
            path="pom.xml",
        ),
        Example(
            "xml",
            "<project>\n  <dependencies>\n    <dependency>\n      <groupId>org.apache.logging.log4j</groupId>\n"
            "      <artifactId>log4j-core</artifactId>\n      <version>2.17.2</version>\n"
            "    </dependency>\n  </dependencies>\n</project>\n",
            path="pom.xml",
        ),
        Example(
            "json",
            '{\n  "name": "shop",\n  "dependencies": {\n    "node-serialize": "^0.0.4",\n'
            '    "lodash": "^4.17.4"\n  }\n}\n',
            lines=(4,),
            path="package.json",
        ),
    ),
)
