"""Declared dependency versions with a well-known vulnerability (BSSEC121), offline.

A small table we keep ourselves of the vulnerabilities every dependency scanner reports
and attackers use: Log4Shell, the Struts 2 remote code executions, Spring4Shell,
Text4Shell, ``node-serialize``, the ``ejs``/``handlebars`` template RCEs... Not a
vulnerability database (nothing is downloaded at run time: OSV, ``npm audit``, OWASP
Dependency-Check or Dependabot are the tools for that); a check that a service does not
still ship the handful of versions whose flaws are public exploits.

A version is judged when it is known: an exact version in the manifest (Maven
properties expanded across the repository's ``pom.xml`` files), the version a lock file
(``package-lock.json``) resolved, or a range whose every version is affected
(``"node-serialize": "^0.0.4"``). A range that admits a fixed release, without a lock,
is not judged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from backend_skills.core.discovery import SourceFile

if TYPE_CHECKING:
    from ._polyglot_deps import Dependency

Version = tuple[int, ...]
_TOP: Version = (10**9,)


@dataclass(frozen=True)
class Advisory:
    """Affected versions of one package: ``[low, high)`` intervals (``high`` the fix)."""

    ecosystem: str
    package: str
    affected: tuple[tuple[str, str], ...]
    ids: str
    what: str
    critical: bool
    """A remote code execution or an equally direct takeover: high severity (it weighs in
    a cap); else medium (density only)."""


def _adv(
    ecosystem: str,
    package: str,
    affected: Sequence[tuple[str, str]],
    ids: str,
    what: str,
    critical: bool = True,
) -> Advisory:
    return Advisory(ecosystem, package, tuple(affected), ids, what, critical)


#: The table. ``""`` as a bound: no lower bound / no fixed release.
ADVISORIES: tuple[Advisory, ...] = (
    # Maven
    _adv(
        "maven",
        "org.apache.logging.log4j:log4j-core",
        [("2.0", "2.3.1"), ("2.4", "2.12.2"), ("2.13", "2.16.0")],
        "CVE-2021-44228, CVE-2021-45046",
        "Log4Shell: a logged string runs remote code (JNDI lookup)",
    ),
    _adv(
        "maven",
        "org.apache.struts:struts2-core",
        [("2.0", "2.5.33"), ("6.0", "6.3.0.2")],
        "CVE-2017-5638, CVE-2018-11776, CVE-2023-50164",
        "Struts 2 remote code execution (OGNL, file upload)",
    ),
    _adv(
        "maven",
        "org.springframework:spring-beans",
        [("", "5.2.20"), ("5.3.0", "5.3.18")],
        "CVE-2022-22965",
        "Spring4Shell: data binding reaches the class loader (remote code execution)",
    ),
    _adv(
        "maven",
        "org.springframework:spring-webmvc",
        [("", "5.2.20"), ("5.3.0", "5.3.18")],
        "CVE-2022-22965",
        "Spring4Shell: data binding reaches the class loader (remote code execution)",
    ),
    _adv(
        "maven",
        "org.apache.commons:commons-text",
        [("1.5", "1.10.0")],
        "CVE-2022-42889",
        "Text4Shell: string interpolation runs scripts and lookups",
    ),
    _adv(
        "maven",
        "commons-collections:commons-collections",
        [("", "3.2.2")],
        "CVE-2015-7501",
        "deserialisation gadget chain (remote code execution)",
    ),
    _adv(
        "maven",
        "org.apache.commons:commons-collections4",
        [("4.0", "4.1")],
        "CVE-2015-7501",
        "deserialisation gadget chain (remote code execution)",
    ),
    _adv(
        "maven",
        "com.alibaba:fastjson",
        [("", "1.2.83")],
        "CVE-2022-25845",
        "autoType deserialisation (remote code execution)",
    ),
    _adv(
        "maven",
        "org.apache.shiro:shiro-core",
        [("", "1.2.5")],
        "CVE-2016-4437",
        "rememberMe cookie deserialised with a default key (remote code execution)",
    ),
    _adv(
        "maven",
        "com.thoughtworks.xstream:xstream",
        [("", "1.4.18")],
        "CVE-2021-39139 and others",
        "XStream deserialisation (remote code execution)",
    ),
    _adv(
        "maven",
        "log4j:log4j",
        [("", "")],
        "CVE-2019-17571, CVE-2021-4104",
        "Log4j 1.x is unmaintained: socket and JMS appenders deserialise untrusted data",
        critical=False,
    ),
    _adv(
        "maven",
        "com.fasterxml.jackson.core:jackson-databind",
        [("2.0", "2.9.10.8")],
        "CVE-2019-12384 and others",
        "polymorphic deserialisation gadgets",
        critical=False,
    ),
    _adv(
        "maven",
        "org.yaml:snakeyaml",
        [("", "2.0")],
        "CVE-2022-1471",
        "the default constructor instantiates any class from YAML",
        critical=False,
    ),
    # npm
    _adv(
        "npm",
        "node-serialize",
        [("", "")],
        "CVE-2017-5941",
        "unserialize() runs functions in the data (remote code execution)",
    ),
    _adv(
        "npm",
        "ejs",
        [("", "3.1.7")],
        "CVE-2022-29078",
        "template options from the request run code (remote code execution)",
    ),
    _adv(
        "npm",
        "handlebars",
        [("", "4.7.7")],
        "CVE-2021-23369",
        "template compilation runs code (remote code execution)",
    ),
    _adv(
        "npm",
        "express-fileupload",
        [("", "1.1.8")],
        "CVE-2020-7699",
        "prototype pollution leading to remote code execution",
    ),
    _adv(
        "npm",
        "vm2",
        [("", "")],
        "CVE-2023-37466 and others",
        "sandbox escapes (remote code execution); the package is discontinued",
    ),
    _adv(
        "npm",
        "dustjs-linkedin",
        [("", "2.6.0")],
        "CVE-2016-1000229",
        "code injection through templates",
    ),
    _adv(
        "npm",
        "pug",
        [("", "3.0.1")],
        "CVE-2021-21353",
        "code injection through the pretty option",
        critical=False,
    ),
    _adv(
        "npm",
        "lodash",
        [("", "4.17.21")],
        "CVE-2021-23337, CVE-2020-8203",
        "command injection in template, prototype pollution",
        critical=False,
    ),
    _adv(
        "npm", "minimist", [("", "1.2.6")], "CVE-2021-44906", "prototype pollution", critical=False
    ),
    _adv(
        "npm",
        "jsonwebtoken",
        [("", "9.0.0")],
        "CVE-2022-23539, CVE-2022-23541",
        "weak key types and algorithm confusion accepted",
        critical=False,
    ),
    _adv(
        "npm",
        "axios",
        [("", "0.21.1")],
        "CVE-2020-28168",
        "redirects reach internal hosts (SSRF)",
        critical=False,
    ),
    # NuGet
    _adv(
        "nuget",
        "System.Text.Encodings.Web",
        [("4.0.0", "4.5.1")],
        "CVE-2021-26701",
        "remote code execution",
    ),
    _adv(
        "nuget",
        "log4net",
        [("", "2.0.10")],
        "CVE-2018-1285",
        "XML external entities in configuration",
    ),
    _adv(
        "nuget",
        "Newtonsoft.Json",
        [("", "13.0.1")],
        "CVE-2024-21907",
        "deeply nested JSON exhausts the stack (denial of service)",
        critical=False,
    ),
    # Go
    _adv(
        "go",
        "github.com/dgrijalva/jwt-go",
        [("", "")],
        "CVE-2020-26160",
        "audience check bypass; the module is unmaintained",
        critical=False,
    ),
)
_BY_KEY: Mapping[tuple[str, str], Advisory] = {
    (a.ecosystem, a.package.lower()): a for a in ADVISORIES
}

_NUMBER = re.compile(r"\d+")


def version_key(text: str) -> Version:
    """``2.0-beta9`` -> ``(2, 0)``: the leading dotted numbers (a pre-release counts as
    its release: judged affected when the release is)."""
    core = re.match(r"\s*[vV=]?\s*(\d+(?:\.\d+)*)", text)
    if core is None:
        return ()
    return tuple(int(n) for n in _NUMBER.findall(core.group(1)))


def _affected(advisory: Advisory, version: Version) -> bool:
    for low, high in advisory.affected:
        lo = version_key(low) if low else ()
        hi = version_key(high) if high else _TOP
        if lo <= version < hi:
            return True
    return False


def _npm_bounds(spec: str) -> tuple[Version, Version] | None:
    """``[lowest, highest)`` of the versions an npm spec admits: exact, ``^``, ``~`` and
    ``x`` wildcards (``^0.0.4`` admits only 0.0.x from 0.0.4); None for anything else (a
    tag, a URL, ``>=``)."""
    match = re.fullmatch(
        r"([\^~]?)v?(\d+)(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-[\w.]+)?", spec.strip()
    )
    if match is None:
        return None
    op, *parts = match.groups()
    nums: list[int] = []
    for part in parts:
        if part is None or not part.isdigit():
            break
        nums.append(int(part))
    low = tuple(nums + [0] * (3 - len(nums)))
    if op == "^":
        first = next((i for i, n in enumerate(nums) if n != 0), len(nums) - 1)
        return low, (*nums[:first], nums[first] + 1)
    if op == "~":
        keep = nums[:2] if len(nums) >= 2 else nums[:1]
        return low, (*keep[:-1], keep[-1] + 1)
    if len(nums) == 3:
        return low, (*low, 1)  # exactly this version
    return low, (*nums[:-1], nums[-1] + 1)


def _range_affected(advisory: Advisory, low: Version, high: Version) -> bool:
    """Every version in ``[low, high)`` is affected (one affected interval covers it)."""
    for a_low, a_high in advisory.affected:
        lo = version_key(a_low) if a_low else ()
        hi = version_key(a_high) if a_high else _TOP
        if lo <= low and high <= hi:
            return True
    return False


@dataclass(frozen=True)
class Hit:
    """A declared dependency at an affected version."""

    file: SourceFile
    line: int
    package: str
    version: str
    advisory: Advisory


_MAVEN_PROPERTIES = re.compile(r"<properties>(.*?)</properties>", re.DOTALL)
_PROPERTY = re.compile(r"<([\w.\-]+)>\s*([^<]*?)\s*</\1>")
#: The ecosystem of each manifest the declarations come from.
_ECOSYSTEMS = {
    "pom.xml": "maven",
    "build.gradle": "maven",
    "build.gradle.kts": "maven",
    "go.mod": "go",
    "package.json": "npm",
}


def _maven_properties(files: Iterable[SourceFile]) -> dict[str, str]:
    """Every ``<properties>`` entry of the repository's ``pom.xml`` files (a module's
    versions usually live in its parent's)."""
    found: dict[str, str] = {}
    for f in files:
        if f.name == "pom.xml":
            for block in _MAVEN_PROPERTIES.findall(f.text):
                for name, value in _PROPERTY.findall(block):
                    found.setdefault(name, value)
    return found


def _npm_locked(lock: SourceFile | None) -> dict[str, str]:
    """``name -> version`` a ``package-lock.json`` resolved for the top-level packages."""
    if lock is None:
        return {}
    try:
        data = json.loads(lock.text)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    found: dict[str, str] = {}
    packages = data.get("packages")
    if isinstance(packages, dict):
        for key, entry in packages.items():
            top = key.startswith("node_modules/") and "/node_modules/" not in key
            if top and isinstance(entry, dict):
                found[key.removeprefix("node_modules/")] = str(entry.get("version", ""))
    dependencies = data.get("dependencies")
    if isinstance(dependencies, dict):
        for name, entry in dependencies.items():
            if isinstance(entry, dict):
                found.setdefault(name, str(entry.get("version", "")))
    return found


def _judged(advisory: Advisory, version: str, ecosystem: str, locked: str | None) -> str | None:
    """The version found affected (the lock's, else the declared one), or None."""
    if locked:
        key = version_key(locked)
        return locked if key and _affected(advisory, key) else None
    if ecosystem == "npm":
        bounds = _npm_bounds(version)
        return version if bounds is not None and _range_affected(advisory, *bounds) else None
    key = version_key(version)
    return version if key and _affected(advisory, key) else None


def known_vulnerable(files: Sequence[SourceFile], declared: Iterable[Dependency]) -> list[Hit]:
    """The ``declared`` dependencies (:func:`backend_skills.checkers._polyglot_deps.declarations`
    of ``files``) whose version the table knows to be vulnerable."""
    by_path = {f.path: f for f in files}
    properties = _maven_properties(files)
    locks: dict[str, dict[str, str]] = {}
    hits: list[Hit] = []
    for dep in declared:
        name = dep.file.name
        ecosystem = "nuget" if name.endswith(".csproj") else _ECOSYSTEMS.get(name, "")
        advisory = _BY_KEY.get((ecosystem, dep.name.lower()))
        if advisory is None:
            continue
        version = re.sub(r"\$\{([\w.\-]+)\}", lambda p: properties.get(p.group(1), ""), dep.version)
        locked = None
        if ecosystem == "npm":
            folder = PurePosixPath(dep.file.path).parent
            lock_path = "package-lock.json" if str(folder) == "." else f"{folder}/package-lock.json"
            if lock_path not in locks:
                locks[lock_path] = _npm_locked(by_path.get(lock_path))
            locked = locks[lock_path].get(dep.name)
        found = _judged(advisory, version.strip("[] "), ecosystem, locked)
        if found is not None:
            hits.append(Hit(dep.file, dep.line, dep.name, found, advisory))
    return hits
