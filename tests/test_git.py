"""The ``git`` checker: commit messages, authors, tests with code, and safe git calls."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from collections.abc import Mapping
from pathlib import Path

import pytest

from backend_skills import score
from backend_skills.checkers import git as git_checker
from backend_skills.checkers.git import (
    Commit,
    GitError,
    absence_factor,
    analyse,
    assess_subject,
    count_people,
    parse_log,
    run_git,
)
from backend_skills.core.models import Report

from .conftest import TreeFactory, write_tree

needs_git = pytest.mark.skipif(
    shutil.which("git") is None, reason="git is not installed: history tests need a git binary"
)

ANN = ("Ann Lee", "ann@example.com")
BO = ("Bo Chen", "bo@example.com")
CY = ("Cy Diaz", "cy@example.com")


def _env(author: tuple[str, str], date: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        {
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": author[0],
            "GIT_AUTHOR_EMAIL": author[1],
            "GIT_COMMITTER_NAME": author[0],
            "GIT_COMMITTER_EMAIL": author[1],
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_DATE": date,
        }
    )
    return env


def git(root: Path, *args: str, author: tuple[str, str] = ANN, day: int = 1) -> str:
    """Run git in ``root`` with a fixed identity and date, isolated from user config."""
    proc = subprocess.run(
        ["git", *args],
        cwd=root,
        env=_env(author, f"2026-03-{day:02d}T12:00:00Z"),
        check=True,
        capture_output=True,
        text=True,
    )
    return proc.stdout


def init_repo(root: Path) -> Path:
    """``git init`` with a main branch."""
    git(root, "init", "-q", "-b", "main")
    return root


def commit(
    root: Path,
    message: str,
    files: Mapping[str, str] | None = None,
    *,
    author: tuple[str, str] = ANN,
    day: int = 1,
) -> None:
    """Write ``files`` (if any) and commit everything with ``message``."""
    if files:
        write_tree(root, files)
    git(root, "add", "-A", author=author, day=day)
    git(root, "commit", "-q", "--allow-empty", "-m", message, author=author, day=day)


def collaboration(root: Path, **options: object) -> Report:
    return score(root, skills=["collaboration"], isolated=True, **options)


# --------------------------------------------------------------------------- messages


@pytest.mark.parametrize(
    "subject",
    [
        "feat: add pagination to GET /orders",
        "fix(api): return 404 for unknown order ids",
        "docs!: rewrite the install guide",
        "Add retry with backoff to the payment client",
        "Revert the cache warm-up change",
        "api: validate the limit parameter",
        "[db] Index orders by customer",
        "Initial commit",
        "Wipe the session cache on deploy",
    ],
)
def test_good_subjects(subject: str) -> None:
    verdict = assess_subject(subject)
    assert verdict.good, verdict


@pytest.mark.parametrize(
    ("subject", "why"),
    [
        ("wip", "low_information"),
        ("fix", "low_information"),
        ("stuff", "low_information"),
        ("update", "low_information"),
        ("fix bug", "low_information"),
        ("minor changes", "low_information"),
        ("WIP: stuff", "low_information"),
        ("fixup! feat: add pagination", "low_information"),
        ("chore: update", "low_information"),
        ("Added retry logic to the client", "imperative"),
        ("Fixes the crash when the queue is empty", "imperative"),
        ("Adding a health endpoint for the balancer", "imperative"),
        ("feat: " + "x" * 80, "too_long"),
    ],
)
def test_bad_subjects(subject: str, why: str) -> None:
    verdict = assess_subject(subject)
    assert not verdict.good
    if why == "imperative":
        assert not verdict.imperative
    else:
        assert getattr(verdict, why)


def test_conventional_form_is_recognised_only_for_known_types() -> None:
    assert assess_subject("feat(orders): add pagination").conventional
    assert not assess_subject("orders: add pagination").conventional
    assert assess_subject("orders: add pagination").good  # an area prefix, imperative


# --------------------------------------------------------------------------- authors


def test_people_are_counted_once_across_addresses_and_bots_are_left_out() -> None:
    identities = [
        ("Ann Lee", "ann@example.com"),
        ("Ann Lee", "ann@home.example"),
        ("Bo Chen", "bo@example.com"),
        ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"),
        ("github-actions", "actions@github.com"),
    ]
    assert count_people(identities) == 2


def test_absence_factor_is_the_authors_who_made_half_the_commits() -> None:
    assert absence_factor(["a"] * 9 + ["b"]) == 1
    assert absence_factor(["a", "b", "c", "d"]) == 2
    assert absence_factor(["a", "a", "b", "b", "c", "c"]) == 2


def _commit(message: str, files: tuple[str, ...], email: str = "a@x", parents: int = 1) -> Commit:
    return Commit(
        sha="0" * 40,
        parents=tuple("1" * 40 for _ in range(parents)),
        email=email,
        name=email.split("@")[0],
        message=message,
        files=files,
    )


def test_analyse_counts_code_commits_that_touch_tests() -> None:
    commits = [
        _commit("feat: add orders", ("app/orders.py", "tests/test_orders.py")),
        _commit("feat: add users", ("app/users.py",)),
        _commit("docs: describe the api", ("README.md", "docs/api.md")),
        _commit("test: cover users", ("tests/test_users.py",)),
        _commit("Merge branch 'x'", (), parents=2),
    ]
    history = analyse(commits, 200)
    metrics = {m.name: m.value for m in history.metrics}
    assert metrics["git.code_commits"] == 2
    assert metrics["git.code_commits_with_tests"] == 0.5
    assert metrics["git.commits"] == 4  # the merge is not judged
    assert metrics["git.message_quality"] == 1.0


def test_co_authors_count_as_authors() -> None:
    commits = [
        _commit("feat: pair on orders\n\nCo-authored-by: Bo Chen <bo@example.com>\n", ("a.py",)),
    ]
    metrics = {m.name: m.value for m in analyse(commits, 200).metrics}
    assert metrics["git.authors"] == 2


def test_no_code_commit_makes_tests_with_code_not_applicable() -> None:
    history = analyse([_commit("docs: add the guide", ("README.md",))], 200)
    assert "collaboration.tests_with_code" in history.not_applicable
    assert "source code" in history.not_applicable["collaboration.tests_with_code"]


def test_parse_log_drops_a_record_broken_by_separator_characters() -> None:
    good = "\x1e" + "a" * 40 + "\x1f\x1fa@x\x1fA\x1ffeat: ok\n\x1f\x00\nsrc/a.py\x00"
    broken = "\x1e" + "b" * 40 + "\x1f\x1fb@x\x1fB\x1fmsg with \x1f inside\x1f\x00\n"
    commits = parse_log(good + broken)
    assert [c.sha for c in commits] == ["a" * 40]
    assert commits[0].files == ("src/a.py",)


# --------------------------------------------------------------------------- end to end


@needs_git
def test_conventional_commits_by_three_authors_score_high(make_tree: TreeFactory) -> None:
    root = init_repo(make_tree({}))
    commit(
        root,
        "feat: add the order repository",
        {"app/orders.py": "X = 1\n", "tests/test_orders.py": "def test_x(): pass\n"},
        author=ANN,
        day=1,
    )
    commit(
        root,
        "fix(orders): reject negative quantities",
        {"app/orders.py": "X = 2\n", "tests/test_orders.py": "def test_y(): pass\n"},
        author=BO,
        day=2,
    )
    commit(root, "docs: describe the order flow", {"README.md": "# Orders\n"}, author=CY, day=3)
    report = collaboration(root)
    messages = report.criterion("collaboration.commit_messages")
    assert messages.score == 100.0
    assert messages.metrics["git.conventional_share"] == 1.0
    authors = report.criterion("collaboration.authors")
    assert authors.metrics["git.authors"] == 3
    assert authors.score == 80.0
    tests = report.criterion("collaboration.tests_with_code")
    assert tests.metrics["git.code_commits_with_tests"] == 1.0
    assert tests.score == 100.0


@needs_git
def test_wip_commits_by_one_author_score_low(make_tree: TreeFactory) -> None:
    root = init_repo(make_tree({}))
    for day, message in enumerate(("wip", "fix", "stuff"), 1):
        commit(root, message, {"app.py": f"X = {day}\n"}, day=day)
    report = collaboration(root)
    messages = report.criterion("collaboration.commit_messages")
    assert messages.score == 0.0
    assert messages.metrics["git.low_information_share"] == 1.0
    assert report.criterion("collaboration.authors").score == 15.0
    assert report.criterion("collaboration.tests_with_code").score == 0.0
    notes = next(c.notes for c in report.checkers if c.name == "git")
    assert any("'wip'" in n for n in notes)


@needs_git
def test_only_the_last_n_commits_are_read(make_tree: TreeFactory) -> None:
    root = init_repo(make_tree({}))
    for day in range(1, 6):
        commit(root, f"feat: add step {day}", {"app.py": f"X = {day}\n"}, day=day)
    report = collaboration(root, checkers={"git": {"max_commits": 2}})
    assert report.criterion("collaboration.commit_messages").metrics["git.commits"] == 2


def test_unknown_git_option_is_a_configuration_error(make_tree: TreeFactory) -> None:
    from backend_skills import ConfigError

    root = make_tree({"app.py": "x = 1\n"})
    with pytest.raises(ConfigError, match=r"checkers\.git\.max_comits"):
        collaboration(root, checkers={"git": {"max_comits": 2}})


# --------------------------------------------------------------------------- not applicable


def _history_reasons(report: Report) -> set[str | None]:
    return {
        report.criterion(c).reason
        for c in (
            "collaboration.commit_messages",
            "collaboration.authors",
            "collaboration.tests_with_code",
        )
    }


def test_without_git_folder_history_is_not_applicable(make_tree: TreeFactory) -> None:
    report = collaboration(make_tree({"app.py": "x = 1\n"}))
    for cid in ("collaboration.commit_messages", "collaboration.authors"):
        criterion = report.criterion(cid)
        assert criterion.applicable is False
        assert criterion.assessed is True
        assert criterion.reason is not None
        assert "no .git folder" in criterion.reason
    assert report.complete


@needs_git
def test_without_git_binary_history_is_not_applicable(
    make_tree: TreeFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = init_repo(make_tree({}))
    commit(root, "feat: add app", {"app.py": "x = 1\n"})
    monkeypatch.setattr(git_checker.shutil, "which", lambda name: None)
    reasons = _history_reasons(collaboration(root))
    assert reasons == {"git is not installed (not on PATH): commit history not assessed"}


@needs_git
def test_repository_without_commits_is_not_applicable(make_tree: TreeFactory) -> None:
    root = init_repo(make_tree({"app.py": "x = 1\n"}))
    assert _history_reasons(collaboration(root)) == {"the repository has no commits yet"}


@needs_git
def test_shallow_clone_is_not_applicable_with_advice(make_tree: TreeFactory) -> None:
    origin = init_repo(make_tree({}))
    for day in range(1, 4):
        commit(origin, f"feat: add step {day}", {"app.py": f"X = {day}\n"}, day=day)
    clone = origin.parent / "shallow"
    git(origin.parent, "clone", "-q", "--depth", "1", f"file://{origin}", str(clone))
    (reason,) = _history_reasons(collaboration(clone))
    assert reason is not None
    assert "shallow clone" in reason
    assert "fetch-depth: 0" in reason


def test_git_failure_becomes_a_one_line_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def timeout(*args: object, **kwargs: object) -> None:
        raise subprocess.TimeoutExpired(cmd="git", timeout=1)

    monkeypatch.setattr(git_checker.subprocess, "run", timeout)
    with pytest.raises(GitError, match="git timed out after 1 s"):
        run_git(tmp_path, ["log"], 1)


# --------------------------------------------------------------------------- hardening


FAKE_GPG = """#!/bin/sh
case "$*" in
  *--verify*) touch {marker}; cat >/dev/null; exit 0;;
esac
cat >/dev/null
printf '\\n[GNUPG:] SIG_CREATED D 1 8 00 0 X\\n' >&2
printf -- '-----BEGIN PGP SIGNATURE-----\\n\\nZmFrZQ==\\n-----END PGP SIGNATURE-----\\n'
"""


@needs_git
def test_hostile_repository_config_runs_nothing(make_tree: TreeFactory) -> None:
    root = init_repo(make_tree({}))
    marker = root.parent / "pwned"
    evil = root.parent / "evil.sh"
    evil.write_text(FAKE_GPG.format(marker=marker), encoding="utf-8")
    evil.chmod(0o755)
    write_tree(root, {"app.py": "x = 1\n"})
    git(root, "add", "-A")
    git(root, "-c", f"gpg.program={evil}", "commit", "-q", "-S", "-m", "feat: add a signed app")
    with (root / ".git" / "config").open("a", encoding="utf-8") as fh:
        fh.write(
            textwrap.dedent(
                f"""
                [log]
                    showSignature = true
                [gpg]
                    program = {evil}
                [core]
                    pager = {evil}
                    fsmonitor = {evil}
                    hooksPath = {root.parent}
                [pager]
                    log = {evil}
                [alias]
                    log = !{evil}
                [diff]
                    external = {evil}
                """
            )
        )
    # A plain `git log` in this repository runs the configured "gpg" program ...
    git(root, "log", "--format=%s")
    if not marker.exists():
        pytest.skip("this git does not verify signatures on `git log`")
    marker.unlink()
    # ... the checker's hardened calls do not.
    report = collaboration(root)
    assert not marker.exists()
    assert report.criterion("collaboration.commit_messages").score == 100.0


def _hostile_partial_clone(base: Path, origin: Path, marker: Path) -> Path:
    """A tree:0 partial clone whose config runs ``evil`` when git fetches a missing tree."""
    evil = base / "evil-upload-pack.sh"
    evil.write_text(f'#!/bin/sh\ntouch {marker}\nexec git-upload-pack "$@"\n', encoding="utf-8")
    evil.chmod(0o755)
    clone = base / f"clone{len(list(base.glob('clone*')))}"
    try:
        git(base, "clone", "-q", "--filter=tree:0", "--no-checkout", f"file://{origin}", str(clone))
    except subprocess.CalledProcessError:
        pytest.skip("this git cannot make a partial clone")
    git(clone, "config", "remote.origin.uploadpack", str(evil))
    git(clone, "config", "protocol.file.allow", "always")
    return clone


@needs_git
@pytest.mark.parametrize("without_lazy_fetch_guard", [False, True])
def test_partial_clone_never_fetches_missing_objects(
    make_tree: TreeFactory, monkeypatch: pytest.MonkeyPatch, without_lazy_fetch_guard: bool
) -> None:
    origin = init_repo(make_tree({}))
    git(origin, "config", "uploadpack.allowFilter", "true")
    for day in range(1, 4):
        commit(origin, f"feat: add module {day}", {f"m{day}/app.py": "x = 1\n"}, day=day)
    base = origin.parent
    marker = base / "pwned"
    # A plain `git log --name-only` in such a clone runs the repository's program ...
    git(_hostile_partial_clone(base, origin, marker), "log", "--name-only", "--format=%s")
    if not marker.exists():
        pytest.skip("this git does not lazily fetch in `git log`")
    marker.unlink()
    # ... the checker never does, even with only one of its two guards in place.
    if without_lazy_fetch_guard:
        plain = git_checker.git_environment

        def environment(root: Path) -> dict[str, str]:
            env = plain(root)
            env.pop("GIT_NO_LAZY_FETCH", None)
            return env

        monkeypatch.setattr(git_checker, "git_environment", environment)
    report = collaboration(_hostile_partial_clone(base, origin, marker))
    assert not marker.exists()
    reason = report.criterion("collaboration.commit_messages").reason
    assert reason is not None
    assert reason.startswith("partial clone with objects missing")


@needs_git
def test_inherited_git_environment_cannot_redirect_the_read(
    make_tree: TreeFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    scored = init_repo(make_tree({}))
    commit(scored, "feat: add the scored app", {"app.py": "x = 1\n"})
    other = init_repo(make_tree({}))
    for message in ("wip", "stuff"):
        commit(other, message, {"b.py": f"# {message}\n"})
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    report = collaboration(scored)
    messages = report.criterion("collaboration.commit_messages")
    assert messages.metrics["git.commits"] == 1
    assert messages.score == 100.0


@needs_git
def test_git_version_is_reported() -> None:
    version = git_checker.GitHistoryChecker().version
    assert version[0].isdigit()
