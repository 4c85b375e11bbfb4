"""BSSEC121: declared dependency versions with a well-known vulnerability (offline table)."""

from __future__ import annotations

import json

import pytest

from backend_skills import score
from backend_skills.checkers._vulnerable_versions import (
    ADVISORIES,
    _npm_bounds,
    version_key,
)
from tests.conftest import TreeFactory

PARENT = """<project>
  <groupId>io.shop</groupId>
  <artifactId>shop</artifactId>
  <properties>
    <struts2.version>2.3.20</struts2.version>
  </properties>
  <modules><module>web</module></modules>
</project>
"""
WEB = """<project>
  <artifactId>web</artifactId>
  <dependencies>
    <dependency>
      <groupId>org.apache.struts</groupId>
      <artifactId>struts2-core</artifactId>
      <version>${struts2.version}</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
      <version>2.14.1</version>
    </dependency>
  </dependencies>
</project>
"""
CONTROLLER = """package shop;

@RestController
public class ItemController {
    /** Every item. */
    @GetMapping("/items")
    public List<Item> all() { return List.of(); }
}
"""


def _tree(web: str) -> dict[str, str]:
    return {
        "pom.xml": PARENT,
        "web/pom.xml": web,
        "web/src/main/java/shop/ItemController.java": CONTROLLER,
    }


def test_two_published_rces_in_the_manifests_cap_security(make_tree: TreeFactory) -> None:
    report = score(make_tree(_tree(WEB)), skills=["security"], isolated=True, cache=False)
    found = sorted(
        (f.path, f.line, f.severity.value) for f in report.findings if f.rule == "BSSEC121"
    )
    # the Struts version comes from the parent's <properties>
    assert found == [("web/pom.xml", 4, "high"), ("web/pom.xml", 9, "high")]
    security = report.skill("security")
    assert security.cap is not None
    assert security.score is not None
    assert security.score <= 47.5
    fixed = WEB.replace("${struts2.version}", "6.4.0").replace("2.14.1", "2.17.2")
    clean = score(make_tree(_tree(fixed)), skills=["security"], isolated=True, cache=False)
    assert [f for f in clean.findings if f.rule == "BSSEC121"] == []
    assert clean.skill("security").cap is None


def test_one_published_rce_weighs_half_and_does_not_cap(make_tree: TreeFactory) -> None:
    web = WEB.replace("2.14.1", "2.17.2")
    report = score(make_tree(_tree(web)), skills=["security"], isolated=True, cache=False)
    assert [f.line for f in report.findings if f.rule == "BSSEC121"] == [4]
    assert report.skill("security").cap is None


def test_npm_versions_from_the_lock_file_or_a_fully_affected_range(make_tree: TreeFactory) -> None:
    manifest = {
        "name": "shop",
        "dependencies": {"ejs": "^3.1.0", "lodash": "^4.17.4", "node-serialize": "^0.0.4"},
    }
    lock = {
        "name": "shop",
        "lockfileVersion": 3,
        "packages": {
            "": {"name": "shop"},
            "node_modules/ejs": {"version": "3.1.6"},
            "node_modules/lodash": {"version": "4.17.21"},
        },
    }
    files = {
        "package.json": json.dumps(manifest, indent=2),
        "package-lock.json": json.dumps(lock, indent=2),
        "app.js": "const express = require('express');\nconst app = express();\n",
    }
    report = score(make_tree(files), skills=["security"], isolated=True, cache=False)
    named = {f.message.split("`")[1]: f for f in report.findings if f.rule == "BSSEC121"}
    # ejs 3.1.6 as locked (the range admits the fix, the lock does not); lodash locked at the
    # fix; node-serialize has no fixed release and no lock entry: every ^0.0.4 is affected
    assert sorted(named) == ["ejs", "node-serialize"]
    assert "3.1.6" in named["ejs"].message
    unlocked = {k: v for k, v in files.items() if k != "package-lock.json"}
    report = score(make_tree(unlocked), skills=["security"], isolated=True, cache=False)
    assert sorted(f.message.split("`")[1] for f in report.findings if f.rule == "BSSEC121") == [
        "node-serialize"
    ]


@pytest.mark.parametrize(
    ("spec", "bounds"),
    [
        ("1.2.3", ((1, 2, 3), (1, 2, 3, 1))),
        ("^1.2.3", ((1, 2, 3), (2,))),
        ("^0.0.4", ((0, 0, 4), (0, 0, 5))),
        ("~1.2.3", ((1, 2, 3), (1, 3))),
        ("1.x", ((1, 0, 0), (2,))),
        (">=1.0.0", None),
        ("latest", None),
    ],
)
def test_npm_spec_bounds(spec: str, bounds: object) -> None:
    assert _npm_bounds(spec) == bounds


def test_versions_and_the_table() -> None:
    assert version_key("2.0-beta9") == (2, 0)
    assert version_key("v1.9.1") == (1, 9, 1)
    assert version_key("${missing}") == ()
    for advisory in ADVISORIES:  # every interval is ordered and names a real bound
        for low, high in advisory.affected:
            if low and high:
                assert version_key(low) < version_key(high), advisory.package
        assert advisory.ids
        assert advisory.what
