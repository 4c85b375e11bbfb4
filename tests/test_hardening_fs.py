"""Hardening against hostile repositories: file system, discovery, configuration, git.

Each test builds the hostile repository an attacker would commit and checks what a user
relies on: nothing outside the root is read or written, one bad file never costs the
rest of the report, time stays bounded, and bad configuration is a one-line error.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from backend_skills.core.discovery import discover

from .conftest import TreeFactory

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


def run_cli(
    *args: str | Path,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: int = 300,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m backend_skills`` with ``args``."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "backend_skills", *map(str, args)],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        check=False,
        cwd=cwd,
    )


SHELL_CALL = "import subprocess\n\nsubprocess.call('ls ' + name, shell=True)\n"


# --------------------------------------------------------------------------- discovery


def test_gitignore_lines_git_accepts_are_ignored_with_a_note(make_tree: TreeFactory) -> None:
    root = make_tree(
        {".gitignore": "!\n\\\n[z-a]\nbuild/\n", "build/a.py": "x = 1\n", "app.py": "x = 1\n"}
    )
    fileset = discover(root)
    assert [f.path for f in fileset.files] == [".gitignore", "app.py"]  # build/ still ignored
    notes = {s.reason for s in fileset.skipped if s.path == ".gitignore"}
    assert any(n.startswith("line 1 ignored") for n in notes)
    assert any(n.startswith("line 2 ignored") for n in notes)
    assert any(n.startswith("line 3 ignored") for n in notes)


def test_symlinked_gitignore_is_not_applied(make_tree: TreeFactory, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.gitignore"
    outside.write_text("*.py\n")
    root = make_tree({"app.py": "x = 1\n"})
    (root / ".gitignore").symlink_to(outside)
    fileset = discover(root)
    assert [f.path for f in fileset.files] == ["app.py"]
    assert any(s.path == ".gitignore" and "not followed" in s.reason for s in fileset.skipped)


def test_backtracking_gitignore_pattern_does_not_hang(make_tree: TreeFactory) -> None:
    name = "a" * 200 + ".py"
    root = make_tree({".gitignore": "*a" * 12 + "b\n", name: "x = 1\n"})
    code = (
        "import sys\nfrom pathlib import Path\nfrom backend_skills.core.discovery import discover\n"
        "fs = discover(Path(sys.argv[1]))\n"
        "print([f.path for f in fs.files]); print([s.reason for s in fs.skipped])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(root)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert name in done.stdout  # the pattern is not applied...
    assert "line 1 ignored: more than 2 wildcards" in done.stdout  # ...and that is said


def test_non_utf8_file_name_is_reported_escaped_in_every_format(
    make_tree: TreeFactory, tmp_path: Path
) -> None:
    root = make_tree({"app.py": "x = 1\n"})
    with open(os.fsencode(root) + b"/bad\xff.py", "wb") as fh:
        fh.write(SHELL_CALL.encode())
    out = tmp_path / "out"
    out.mkdir()
    formats = ["json", "sarif", "markdown", "text"]
    args: list[str | Path] = ["score", root, "--no-cache"]
    for fmt in formats:
        args += ["-f", fmt, "-o", out / f"report.{fmt}"]
    result = run_cli(*args)
    assert result.returncode in (0, 1), result.stderr
    report = json.loads((out / "report.json").read_text())
    paths = {f["path"] for f in report["findings"]}
    assert "bad\\xff.py" in paths
    for fmt in formats:
        assert (out / f"report.{fmt}").stat().st_size > 0


def test_unknown_codec_is_skipped_and_ebcdic_source_is_analysed(make_tree: TreeFactory) -> None:
    body = "import subprocess\nsubprocess.call('ls ' + name, shell=True)\n"
    root = make_tree(
        {
            "undef.py": "# coding: undefined\nx = 1\n",
            "ebcdic.py": b"# -*- coding: cp500 -*-\n" + body.encode("cp500"),
        }
    )
    fileset = discover(root)
    assert any(s.path == "undef.py" and "decode" in s.reason for s in fileset.skipped)
    ebcdic = fileset.get("ebcdic.py")
    assert ebcdic is not None
    assert "shell=True" in ebcdic.text
    from backend_skills import score

    report = score(root, cache=False, skills=["security"])
    assert not any(s.path == "ebcdic.py" for s in report.skipped)
    assert any(f.path == "ebcdic.py" and f.line == 3 for f in report.findings)


def test_folders_nested_too_deep_are_not_entered(make_tree: TreeFactory) -> None:
    deep = "/".join(["d"] * 130)
    root = make_tree({f"{deep}/a.py": "x = 1\n", "b.py": "x = 1\n"})
    fileset = discover(root)
    assert [f.path for f in fileset.files] == ["b.py"]
    assert any("nested more than 128 levels" in s.reason for s in fileset.skipped)


def test_deeply_nested_lock_files_are_skipped_with_a_note(make_tree: TreeFactory) -> None:
    n = 100_000
    root = make_tree(
        {
            "pyproject.toml": '[project]\nname = "x"\ndependencies = ["flask"]\n',
            "poetry.lock": '[[package]]\nname = "x"\nextra = ' + "[" * n + "]" * n + "\n",
            "Pipfile.lock": '{"default": ' + "[" * n + "]" * n + "}",
            "app.py": "import flask\n",
        }
    )
    from backend_skills import score

    report = score(root, cache=False)
    assert report.complete, [(c.name, c.error) for c in report.checkers if c.status != "ok"]
    notes = [n for c in report.checkers for n in c.notes]
    assert any("poetry.lock" in n and "does not parse" in n for n in notes)
    assert any("Pipfile.lock" in n and "does not parse" in n for n in notes)


# --------------------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('jobs = "4"', "jobs"),
        ('cache = "yes"', "cache"),
        ("timeout_s = inf", "timeout_s"),
        ("timeout_s = nan", "timeout_s"),
        ("skill_weights = { security = 1e308 }", "skill_weights.security"),
        ("criteria.'security.secrets' = { weight = 1e308 }", "criteria.security.secrets.weight"),
    ],
)
def test_invalid_configuration_exits_2_naming_file_and_key(
    make_tree: TreeFactory, line: str, key: str
) -> None:
    root = make_tree({".backend-skills.toml": line + "\n", "a.py": "x = 1\n"})
    result = run_cli("score", root, "--no-cache")
    assert result.returncode == 2, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert ".backend-skills.toml" in lines[0]
    assert f"'{key}'" in lines[0]


def test_all_zero_weights_are_rejected(make_tree: TreeFactory) -> None:
    weights = ", ".join(
        f"{s} = 0" for s in ("database", "server_side", "security", "scalability", "collaboration")
    )
    root = make_tree({".backend-skills.toml": f"skill_weights = {{ {weights} }}\n", "a.py": "x\n"})
    result = run_cli("score", root, "--no-cache", "--fail-under", "99")
    assert result.returncode == 2
    assert "skill_weights" in result.stderr
    assert "at least one must be positive" in result.stderr


def test_config_errors_are_one_line_whatever_the_key(make_tree: TreeFactory) -> None:
    root = make_tree({".backend-skills.toml": '"evil\\n::error::forged" = 1\n', "a.py": "x = 1\n"})
    result = run_cli("score", root, "--no-cache")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "\n::error::" not in result.stderr


def test_repository_config_may_not_raise_limits_but_the_user_may(
    make_tree: TreeFactory, tmp_path: Path
) -> None:
    root = make_tree({".backend-skills.toml": "timeout_s = 600\n", "a.py": "x = 1\n"})
    result = run_cli("score", root, "--no-cache")
    assert result.returncode == 2
    assert "'timeout_s'" in result.stderr
    assert "may lower resource limits" in result.stderr
    lowered = make_tree({".backend-skills.toml": "timeout_s = 5\n", "a.py": "x = 1\n"})
    assert run_cli("score", lowered, "--no-cache", "-q").returncode in (0, 1)
    own = tmp_path / "ci-config.toml"
    own.write_text("timeout_s = 600\nmax_file_bytes = 50000000\n")
    assert run_cli("score", root, "--no-cache", "-q", "--config", own).returncode in (0, 1)


@pytest.mark.parametrize("value", ["../x", "/tmp/x", "~/x", "sub/../../x"])
def test_repository_config_may_not_put_the_cache_outside_the_root(
    make_tree: TreeFactory, tmp_path: Path, value: str
) -> None:
    root = make_tree({".backend-skills.toml": f'cache_dir = "{value}"\n', "a.py": "x = 1\n"})
    result = run_cli("score", root, env={"HOME": str(tmp_path / "home")})
    assert result.returncode == 2
    assert "'cache_dir' must be a relative path inside the repository" in result.stderr
    assert not (root.parent / "x").exists()


# --------------------------------------------------------------------------- cache


def _default_cache_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "BACKEND_SKILLS_CACHE_DIR"}
    env["NO_COLOR"] = "1"
    return env


def _score_with_default_cache(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backend_skills", "score", str(root), "-f", "json"],
        capture_output=True,
        text=True,
        env=_default_cache_env(),
        timeout=300,
        check=False,
    )


def test_committed_cache_folder_symlink_is_not_followed(
    make_tree: TreeFactory, tmp_path: Path
) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    root = make_tree({"a.py": "x = 1\n"})
    (root / ".backend-skills-cache").symlink_to(victim, target_is_directory=True)
    result = _score_with_default_cache(root)
    assert result.returncode in (0, 1), result.stderr
    assert json.loads(result.stdout)["score"] is not None  # the run went on without a cache
    assert list(victim.iterdir()) == []
    assert "symbolic link; not followed" in result.stderr
    assert len([ln for ln in result.stderr.splitlines() if "cache" in ln]) == 1


@pytest.mark.parametrize("name", ["CACHEDIR.TAG", ".gitignore", "cache.sqlite3", "cache.lock"])
def test_symlinked_cache_files_are_not_followed(
    make_tree: TreeFactory, tmp_path: Path, name: str
) -> None:
    victim = tmp_path / "victim.txt"
    root = make_tree({"a.py": "x = 1\n", ".backend-skills-cache/README": "x\n"})
    (root / ".backend-skills-cache" / name).symlink_to(victim)
    result = _score_with_default_cache(root)
    assert result.returncode in (0, 1), result.stderr
    assert not victim.exists()
    assert "not followed" in result.stderr


# --------------------------------------------------------------------------- outputs


def test_output_never_writes_through_a_committed_symlink(
    make_tree: TreeFactory, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    root = make_tree({"a.py": "x = 1\n"})
    (root / "backend-skills.json").symlink_to(victim)
    result = run_cli("score", ".", "-f", "json", "-o", "backend-skills.json", cwd=root)
    assert result.returncode in (0, 1), result.stderr
    assert victim.read_text() == "precious\n"
    written = root / "backend-skills.json"
    assert not written.is_symlink()
    assert json.loads(written.read_text())["schema_version"] == 1
    assert [p.name for p in root.iterdir() if p.name.endswith(".tmp")] == []


def test_output_refuses_a_symlinked_folder_on_a_relative_path(
    make_tree: TreeFactory, tmp_path: Path
) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    root = make_tree({"a.py": "x = 1\n"})
    (root / "reports").symlink_to(victim, target_is_directory=True)
    result = run_cli("score", ".", "-f", "json", "-o", "reports/out.json", cwd=root)
    assert result.returncode == 2
    assert "symbolic link; not followed" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert list(victim.iterdir()) == []


# --------------------------------------------------------------------------- git


def _git(root: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        {
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Ann Lee",
            "GIT_AUTHOR_EMAIL": "ann@example.com",
            "GIT_COMMITTER_NAME": "Ann Lee",
            "GIT_COMMITTER_EMAIL": "ann@example.com",
        }
    )
    done = subprocess.run(
        ["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def _history_reason(root: Path) -> str | None:
    from backend_skills import score

    report = score(root, cache=False, skills=["collaboration"])
    criteria = {c.id: c for s in report.skills for c in s.criteria}
    return criteria["collaboration.commit_messages"].reason


@needs_git
@pytest.mark.parametrize("kind", ["symlink", "gitfile"])
def test_a_git_dir_elsewhere_is_not_read(make_tree: TreeFactory, tmp_path: Path, kind: str) -> None:
    other = tmp_path / "other"
    other.mkdir()
    _git(other, "init", "-q", "-b", "main")
    (other / "f.txt").write_text("x\n")
    _git(other, "add", ".")
    _git(other, "commit", "-q", "-m", "wip AKIAIOSFODNN7EXAMPLE")
    root = make_tree({"a.py": "x = 1\n"})
    if kind == "symlink":
        (root / ".git").symlink_to(other / ".git", target_is_directory=True)
    else:
        (root / ".git").write_text(f"gitdir: {other / '.git'}\n")
    reason = _history_reason(root)
    assert reason is not None
    assert "not followed" in reason


@needs_git
def test_git_alternates_pointing_outside_are_not_read(make_tree: TreeFactory) -> None:
    root = make_tree({"a.py": "x = 1\n"})
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "Add the app")
    (root / ".git" / "objects" / "info").mkdir(parents=True, exist_ok=True)
    (root / ".git" / "objects" / "info" / "alternates").write_text("/elsewhere/objects\n")
    reason = _history_reason(root)
    assert reason is not None
    assert "alternates" in reason


def test_co_author_trailer_of_spaces_is_read_in_linear_time() -> None:
    code = (
        "from backend_skills.checkers.git import Commit, analyse\n"
        "msg = 'Add x\\n\\nco-authored-by:' + ' ' * 20000 + 'x\\n'\n"
        "ok = 'Add y\\n\\nCo-authored-by: Bo Chen <bo@x.org>\\n'\n"
        "c = [Commit(sha=f'{i:040x}', parents=(), email='a@x.org', name='Ann', message=m)\n"
        "     for i, m in enumerate([msg, ok])]\n"
        "h = analyse(c, 10)\n"
        "print([m.value for m in h.metrics if m.name == 'git.authors'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[2.0]"  # Ann and the co-author Bo


def test_low_information_subjects_are_quoted_redacted() -> None:
    from backend_skills.checkers.git import Commit, analyse

    commits = [
        Commit(sha=f"{i:040x}", parents=(), email="a@x.org", name="Ann", message=subject)
        for i, subject in enumerate(
            ["wip AKIAIOSFODNN7EXAMPLE", "ghp_" + "0123456789" * 3 + "012345"]
        )
    ]
    notes = " ".join(analyse(commits, 10).notes)
    assert "low-information commit messages: 2 of 2" in notes
    assert "AKIAIOSFODNN7EXAMPLE" not in notes
    assert "0123456789" not in notes
    assert "<redacted>" in notes


@needs_git
def test_hook_does_not_run_the_repositorys_fsmonitor(make_tree: TreeFactory) -> None:
    root = make_tree({"app.py": "x = 1\n"})
    marker = root.parent / "fsmonitor-ran"
    script = root.parent / "monitor.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\n")
    script.chmod(0o755)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "Add the app")
    _git(root, "config", "core.fsmonitor", str(script))
    (root / "app.py").write_text("x = 2\n")
    _git(root, "-c", "core.fsmonitor=false", "add", "app.py")
    result = run_cli("hook", "--root", root, "--isolated", cwd=root)
    assert result.returncode in (0, 1), result.stderr
    assert not marker.exists()


def test_changelog_heading_of_digits_is_read_in_bounded_time() -> None:
    code = (
        "from backend_skills.checkers.repo import count_changelog_entries\n"
        "text = '# Changelog\\n\\n## 1.' + '1' * 100000 + '_\\n\\n- x\\n\\n## [1.0.0] - 2024-05-01\\n- y\\n'\n"
        "print(count_changelog_entries(text))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("(")
