"""Running git on an untrusted repository: one hardened invocation for every caller.

The ``git`` checker (commit history) and ``backend-skills hook`` (staged files) both
read a repository that may be hostile. Every git call goes through :func:`run_git`:

- the environment is rebuilt without any inherited ``GIT_*`` variable; the system
  config is ignored (``GIT_CONFIG_NOSYSTEM=1``), and for the checker discovery cannot
  climb above the scored root (``GIT_CEILING_DIRECTORIES``); no pager, no terminal
  prompt, no optional locks, no replace refs and no lazy fetch of missing objects;
- command-line ``-c`` settings (which outrank the repository's own config) switch off
  every path by which a read can run a program or touch the network: the fsmonitor
  hook, hooks, the pager, signature verification, external diff and textconv drivers,
  and every transport;
- git's own ownership check (``safe.directory``) stays on;
- only builtin commands run, with a time limit.

:func:`git_dir_problem` says when the root's ``.git`` must not be read at all (a
symbolic link, a ``gitdir:`` file or a folder that borrows objects from elsewhere).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess  # nosec B404 - git is run read-only with a fixed argument vector
from collections.abc import Sequence
from pathlib import Path

#: Settings passed with ``-c``; command-line config outranks the repository's config.
SAFE_CONFIG: tuple[str, ...] = (
    "core.fsmonitor=false",
    f"core.hooksPath={os.devnull}",
    "core.pager=cat",
    "pager.log=false",
    "log.showSignature=false",
    "log.showRoot=true",
    "log.decorate=false",
    "diff.renames=false",
    "color.ui=never",
    "core.quotePath=false",
    "i18n.logOutputEncoding=UTF-8",
    # No transport at all, so a partial clone cannot fetch missing objects through a
    # program the repository names (remote.<name>.uploadpack, ext::). The per-protocol
    # keys are needed too: a repository's protocol.file.allow=always would beat the
    # general protocol.allow.
    "protocol.allow=never",
    *(
        f"protocol.{name}.allow=never"
        for name in ("file", "ext", "ssh", "git", "http", "https", "ftp", "ftps")
    ),
    "core.useReplaceRefs=false",
    "safe.bareRepository=explicit",
)
#: ``git log`` options that keep it from running drivers or reading blobs.
SAFE_LOG_OPTIONS: tuple[str, ...] = (
    "--no-show-signature",
    "--no-ext-diff",
    "--no-textconv",
    "--no-renames",
    "--no-color",
    "--no-decorate",
    "--no-mailmap",
    "--encoding=UTF-8",
)


class GitError(Exception):
    """A git call that failed; the message is a one-line reason for the report."""


def git_environment(root: Path, *, contain: bool = True) -> dict[str, str]:
    """The environment for git: inherited variables without ``GIT_*``, plus ours.

    ``contain`` keeps git from looking for a repository above ``root`` (the checker
    scores ``root`` itself; the pre-commit hook may run in a sub-folder of its repository).
    """
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("GIT_")}
    env.update(
        {
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CEILING_DIRECTORIES": str(root.parent) if contain else "",
            "GIT_PAGER": "cat",
            "PAGER": "cat",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "",
            "SSH_ASKPASS": "",
            "GIT_OPTIONAL_LOCKS": "0",
            "GIT_NO_REPLACE_OBJECTS": "1",
            "GIT_NO_LAZY_FETCH": "1",
            "LC_ALL": "C",
            "LANGUAGE": "C",
        }
    )
    return env


def git_command(root: Path, *args: str) -> list[str]:
    """The argument vector for a hardened, read-only git call in ``root``."""
    executable = shutil.which("git") or "git"
    config = [part for setting in SAFE_CONFIG for part in ("-c", setting)]
    return [executable, "--no-pager", "--no-replace-objects", *config, "-C", str(root), *args]


def run_git(root: Path, args: Sequence[str], timeout: float) -> str:
    """Run git; its standard output as text, or :class:`GitError` with the reason."""
    return run_git_bytes(root, args, timeout).decode("utf-8", "replace")


def run_git_bytes(
    root: Path,
    args: Sequence[str],
    timeout: float,
    *,
    stdin: bytes | None = None,
    contain: bool = True,
) -> bytes:
    """Run git hardened (see the module); its standard output, or :class:`GitError`."""
    if shutil.which("git") is None:
        raise GitError("git is not installed (not on PATH)")
    try:
        proc = subprocess.run(  # nosec B603 - fixed argument vector, no shell
            git_command(root, *args),
            env=git_environment(root, contain=contain),
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise GitError(f"git timed out after {timeout:g} s") from None
    except OSError as exc:
        raise GitError(f"git could not start: {exc.strerror or exc}") from None
    if proc.returncode != 0:
        raise GitError(_git_reason(proc.stderr.decode("utf-8", "replace")))
    return proc.stdout


def _git_reason(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    text = " ".join(lines)
    if "dubious ownership" in text:
        return (
            "git refused the repository: it is owned by another user (add it with "
            "`git config --global --add safe.directory PATH` if you trust it)"
        )
    if "lazy fetching disabled" in text or re.search(r"transport '\w+' not allowed", text):
        return (
            "partial clone with objects missing: reading the history would fetch them "
            "over the network, which backend-skills never does"
        )
    if "does not have any commits" in text or "bad default revision" in text:
        return "the repository has no commits yet"
    first = lines[0] if lines else "unknown error"
    first = re.sub(r"^(fatal|error):\s*", "", first)
    return f"git failed: {first[:200]}"


def git_dir_problem(root: Path) -> str | None:
    """Why the ``.git`` at ``root`` must not be read (None: it may be, or is absent).

    Reading it must not read outside the root: a ``.git`` that is a symbolic link, a
    ``gitdir:`` file (worktrees and submodules keep their repository elsewhere), or a
    folder that points git at other object stores or a common folder is not followed.
    """
    dot_git = root / ".git"
    if dot_git.is_symlink():
        return "the .git at the root is a symbolic link; not followed"
    if dot_git.is_file():
        return (
            "the .git at the root is a file pointing to a repository elsewhere (a worktree "
            "or submodule); not followed"
        )
    if not dot_git.is_dir():
        return None
    for name in ("commondir", "objects/info/alternates", "objects/info/http-alternates"):
        if os.path.lexists(dot_git / name):
            return f".git/{name} points git at files outside the root; not followed"
    for name in ("HEAD", "config", "objects", "refs", "packed-refs", "shallow", "info"):
        if (dot_git / name).is_symlink():
            return f".git/{name} is a symbolic link; not followed"
    return None
