"""pre-commit: the hook definitions, the fast staged-files gate and `pre-commit try-repo`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .test_cli import run_cli
from .vulnapp import install_plugin, plugin_env, write_vulnerable_app

REPO = Path(__file__).resolve().parents[1]
NEW_LINE = '\n\ndef purge(cur, table):\n    cur.execute("DELETE FROM %s" % table)\n'

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Ann Lee",
        "GIT_AUTHOR_EMAIL": "ann@example.com",
        "GIT_COMMITTER_NAME": "Ann Lee",
        "GIT_COMMITTER_EMAIL": "ann@example.com",
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(root.parent),
    }
    done = subprocess.run(
        ["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def make_repo(root: Path, *, commit: bool = True) -> Path:
    write_vulnerable_app(root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    if commit:
        git(root, "commit", "-q", "-m", "feat: vulnerable app")
    return root


def append(path: Path, text: str) -> int:
    """Append ``text`` to ``path``; return the number of the last line."""
    content = path.read_text(encoding="utf-8") + text
    path.write_text(content, encoding="utf-8")
    return len(content.splitlines())


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return plugin_env(tmp_path / "site")


def hook(root: Path, env: dict[str, str], *args: str | Path) -> subprocess.CompletedProcess[str]:
    return run_cli("hook", "--root", root, "--isolated", *args, env=env)


# --------------------------------------------------------------------------- definitions


def test_hook_definitions_follow_pre_commit_conventions() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    whole = hooks["backend-skills"]
    assert whole["language"] == "python"
    assert whole["entry"] == "backend-skills score"
    assert whole["pass_filenames"] is False
    assert whole["always_run"] is True
    assert whole["require_serial"] is True
    assert set(whole["stages"]) == {"pre-commit", "pre-push", "manual"}
    staged = hooks["backend-skills-staged"]
    assert staged["language"] == "python"
    assert staged["entry"] == "backend-skills hook"
    assert staged.get("pass_filenames", True) is True
    assert staged["require_serial"] is True
    assert set(staged["types_or"]) == {"python", "sql"}
    for definition in hooks.values():
        assert definition["name"]
        assert definition["minimum_pre_commit_version"] >= "3.2.0"


# --------------------------------------------------------------------------- the fast gate


@needs_git
def test_unchanged_staged_files_pass(tmp_path: Path, env: dict[str, str]) -> None:
    root = make_repo(tmp_path / "svc")
    result = hook(root, env, root / "app" / "main.py")
    assert result.returncode == 0, result.stderr
    assert "no new findings at or above medium in 1 code file (compared with HEAD)" in result.stderr
    nothing = hook(root, env)  # nothing staged
    assert nothing.returncode == 0, nothing.stderr
    assert "no code files to check" in nothing.stderr


@needs_git
def test_a_staged_vulnerable_line_fails_and_is_named(tmp_path: Path, env: dict[str, str]) -> None:
    root = make_repo(tmp_path / "svc")
    line = append(root / "app" / "main.py", NEW_LINE)
    git(root, "add", "app/main.py")
    result = hook(root, env)  # the staged files, from git
    assert result.returncode == 1
    news = [x for x in result.stderr.splitlines() if "new finding:" in x]
    assert len(news) == 1
    assert f"app/main.py:{line}: HIGH FV001" in news[0]
    assert "1 new finding at or above medium in 1 code file (compared with HEAD)" in result.stderr
    assert run_cli("hook", "--root", root, "--fail-on-new", "critical", env=env).returncode == 0


@needs_git
def test_moved_lines_pass(tmp_path: Path, env: dict[str, str]) -> None:
    root = make_repo(tmp_path / "svc")
    main = root / "app" / "main.py"
    main.write_text('"""Module docs."""\nimport os\n\n\n' + main.read_text(encoding="utf-8"))
    git(root, "add", "app/main.py")
    result = hook(root, env)
    assert result.returncode == 0, result.stderr


@needs_git
def test_the_index_is_checked_not_the_working_tree(tmp_path: Path, env: dict[str, str]) -> None:
    root = make_repo(tmp_path / "svc")
    main = root / "app" / "main.py"
    append(main, "\n\ndef ok():\n    return 1\n")
    git(root, "add", "app/main.py")
    append(main, NEW_LINE)  # not staged: will not be committed
    result = hook(root, env)
    assert result.returncode == 0, result.stderr


@needs_git
def test_uncounted_and_low_findings_do_not_fail_by_default(
    tmp_path: Path, env: dict[str, str]
) -> None:
    root = make_repo(tmp_path / "svc")
    append(root / "tests" / "test_main.py", NEW_LINE)  # a test file: costs nothing
    append(root / "app" / "main.py", "\nAPI_SECRET = 'abc'\n")  # low
    git(root, "add", ".")
    assert hook(root, env).returncode == 0
    low = hook(root, env, "--fail-on-new", "low")
    assert low.returncode == 1
    assert "FV004" in low.stderr
    assert "tests/test_main.py" not in low.stderr


@needs_git
def test_first_commit_and_baseline_modes(tmp_path: Path, env: dict[str, str]) -> None:
    root = make_repo(tmp_path / "svc", commit=False)
    first = hook(root, env)  # nothing to compare with: the first commit is the start
    assert first.returncode == 0, first.stderr
    assert "no commit yet: nothing to compare the staged files with" in first.stderr
    baseline = tmp_path / "baseline.json"
    scored = run_cli(
        "score", root, "--isolated", "--skill", "security", "-q", "-f", "json", "-o", baseline,
        env=env,
    )  # fmt: skip
    assert scored.returncode == 0, scored.stderr
    same = hook(root, env, "--baseline", baseline)
    assert same.returncode == 0, same.stderr
    assert f"(compared with {baseline})" in same.stderr
    line = append(root / "app" / "main.py", NEW_LINE)
    git(root, "add", "app/main.py")
    worse = hook(root, env, "--baseline", baseline)
    assert worse.returncode == 1
    assert f"app/main.py:{line}" in worse.stderr


@needs_git
def test_against_another_revision(tmp_path: Path, env: dict[str, str]) -> None:
    root = make_repo(tmp_path / "svc")
    line = append(root / "app" / "main.py", NEW_LINE)
    git(root, "commit", "-q", "-am", "feat: purge")
    assert hook(root, env, root / "app" / "main.py").returncode == 0
    older = hook(root, env, "--against", "HEAD~1", root / "app" / "main.py")
    assert older.returncode == 1
    assert f"app/main.py:{line}" in older.stderr
    unknown = hook(root, env, "--against", "no-such-rev", root / "app" / "main.py")
    assert unknown.returncode == 2
    assert "unknown git revision 'no-such-rev'" in unknown.stderr


def test_outside_git_is_a_usage_error(tmp_path: Path, env: dict[str, str]) -> None:
    root = write_vulnerable_app(tmp_path / "svc")
    result = hook(root, env, root / "app" / "main.py")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "not inside a git working tree" in result.stderr


# --------------------------------------------------------------------------- pre-commit


def _pre_commit() -> list[str] | None:
    exe = Path(sys.executable).with_name("pre-commit")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("pre-commit")
    return [found] if found else None


def _snapshot_checkout(dest: Path) -> Path:
    """Commit the worktree's current files (tracked and new, not ignored) into ``dest``:
    ``pre-commit try-repo`` installs a repository's HEAD commit."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout
    dest.mkdir()
    for raw in listed.split(b"\0"):
        rel = os.fsdecode(raw)
        source = REPO / rel
        if not rel or not source.is_file():
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", ".")
    git(dest, "commit", "-q", "-m", "snapshot for try-repo")
    return dest


@pytest.mark.slow
@needs_git
def test_pre_commit_try_repo_runs_both_hooks(tmp_path: Path) -> None:
    pre_commit = _pre_commit()
    if pre_commit is None:
        pytest.skip("pre-commit is not installed (pip install -e '.[dev]')")
    if not (REPO / ".git").exists():
        pytest.skip("the project is not a git checkout")
    checkout = _snapshot_checkout(tmp_path / "checkout")
    service = make_repo(tmp_path / "service")
    site = install_plugin(tmp_path / "site")
    env = {
        **os.environ,
        "PYTHONPATH": str(site),  # the stand-in checker, until the real ones land
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "NO_COLOR": "1",
        "GIT_CONFIG_NOSYSTEM": "1",
    }

    def try_repo(*args: str, cwd: Path = service) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*pre_commit, "try-repo", str(checkout), *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=1200,
            check=False,
        )

    both = try_repo("--all-files")  # every hook of the repository
    output = both.stdout + both.stderr
    assert both.returncode == 0, output
    assert output.count("Passed") == 2, output

    # A brand-new repository: files added, nothing committed yet.
    fresh = make_repo(tmp_path / "fresh", commit=False)
    first = try_repo("--all-files", cwd=fresh)
    output = first.stdout + first.stderr
    assert first.returncode == 0, output
    assert "Overall:" in output

    whole = try_repo("backend-skills", "--all-files")
    output = whole.stdout + whole.stderr
    assert whole.returncode == 0, output
    assert "backend-skills (whole repository)" in output
    assert "Passed" in output
    assert "Overall:" in output  # the report, shown because the hook is verbose
    assert "app/main.py" in output  # a finding from the service

    staged = try_repo("backend-skills-staged", "--all-files")
    output = staged.stdout + staged.stderr
    assert staged.returncode == 0, output
    assert "backend-skills (new findings in staged files)" in output

    line = append(service / "app" / "main.py", NEW_LINE)
    git(service, "add", "app/main.py")
    gated = try_repo("backend-skills-staged")
    output = gated.stdout + gated.stderr
    assert gated.returncode == 1, output
    assert "Failed" in output
    assert f"app/main.py:{line}: HIGH FV001" in output
