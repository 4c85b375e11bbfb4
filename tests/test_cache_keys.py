"""Cache keys: every input a result depends on changes its key."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from backend_skills.core._cache_keys import (
    file_key,
    fileset_digest,
    fileset_shape_digest,
    repo_key,
    whole_fileset_digest,
)

_BASE = {
    "tool_version": "1.0",
    "checker": "bandit",
    "checker_version": "1.7",
    "code_stamp": "abc",
    "options_key": "{}",
    "path": "app/m.py",
    "language": "python",
    "role": "source",
    "sha256": "00",
}


@pytest.mark.parametrize("part", sorted(_BASE))
def test_file_key_changes_with_each_part(part: str) -> None:
    assert file_key(**{**_BASE, part: _BASE[part] + "x"}) != file_key(**_BASE)


def test_file_and_repo_keys_never_collide() -> None:
    common = {k: _BASE[k] for k in ("tool_version", "checker", "checker_version", "code_stamp")}
    assert repo_key(**common, options_key="{}", inputs="app/m.py") != file_key(**_BASE)


@dataclass
class _File:
    path: str
    language: str = "python"
    role: str = "source"
    sha256: str = "00"


@dataclass
class _FileSet:
    files: list[_File]
    dirs: list[str] = field(default_factory=list)
    skipped: list[object] = field(default_factory=list)


def test_shape_digest_ignores_content_but_not_paths_or_roles() -> None:
    base = _FileSet([_File("a.py")])
    assert fileset_shape_digest(_FileSet([_File("a.py", sha256="11")])) == fileset_shape_digest(
        base
    )
    assert fileset_shape_digest(_FileSet([_File("b.py")])) != fileset_shape_digest(base)
    assert fileset_shape_digest(_FileSet([_File("a.py", role="test")])) != fileset_shape_digest(
        base
    )
    assert fileset_shape_digest(_FileSet([_File("a.py")], dirs=["docs"])) != fileset_shape_digest(
        base
    )


def test_whole_digest_follows_content() -> None:
    base = _FileSet([_File("a.py")])
    assert whole_fileset_digest(_FileSet([_File("a.py", sha256="11")])) != whole_fileset_digest(
        base
    )
    assert whole_fileset_digest(_FileSet([_File("a.py")])) == whole_fileset_digest(base)


def test_fileset_digest_is_order_sensitive_and_stable() -> None:
    a, b = _File("a.py"), _File("b.py")
    assert fileset_digest([a, b]) == fileset_digest([_File("a.py"), _File("b.py")])
    assert fileset_digest([a, b]) != fileset_digest([b, a])
