"""The ``git`` checker: commit history quality, authorship and tests changing with code.

It runs only when the scored root has a ``.git`` entry and ``git`` is on ``PATH``;
otherwise its criteria are *not applicable*, with the reason. It makes two read-only
calls (``git rev-parse --is-shallow-repository`` and a bounded ``git log``) and hardens
them against a hostile repository:

- the environment is rebuilt without any inherited ``GIT_*`` variable; the system
  config is ignored (``GIT_CONFIG_NOSYSTEM=1``) and discovery cannot climb above the
  root (``GIT_CEILING_DIRECTORIES``); no pager, no terminal prompt, no optional locks,
  no replace refs and no lazy fetch of missing objects;
- command-line ``-c`` settings (which outrank the repository's own config) switch off
  every path by which a read can run a program or touch the network: the fsmonitor
  hook, hooks, the pager, signature verification (``gpg.program``), external diff and
  textconv drivers, and every transport (``protocol.allow=never`` and each
  ``protocol.<name>.allow=never``: a partial clone's lazy fetch would otherwise run a
  program the repository names in ``remote.<name>.uploadpack``);
- git's own ownership check stays on: a repository owned by another user is refused
  unless the user listed it in ``safe.directory``, and the reason says so;
- only builtin commands are run (an alias can never shadow a builtin), with a time
  limit, and output is bounded to the last ``max_commits`` commits with file names
  only (``--name-only``: no blob is read).

The precise rules of the message, author and test heuristics are in
``docs/collaboration.md``.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess  # nosec B404 - git is run read-only with a fixed argument vector
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from backend_skills._git import (
    SAFE_CONFIG,
    SAFE_LOG_OPTIONS,
    GitError,
    git_command,
    git_dir_problem,
    git_environment,
    run_git,
)
from backend_skills.checkers._commit_quality import (
    CONVENTIONAL_TYPES,
    LOW_INFORMATION_WORDS,
    MAX_SUBJECT,
    NON_IMPERATIVE,
    SubjectVerdict,
    assess_subject,
    is_bot_commit,
    is_bot_identity,
)
from backend_skills.checkers._redact import redacted_line
from backend_skills.core.checker import CheckContext, Checker, RepoChecker
from backend_skills.core.discovery import CODE_LANGUAGES, classify_role, detect_language
from backend_skills.core.hookspecs import hookimpl
from backend_skills.core.models import CheckResult, Metric, Role

MESSAGES = "collaboration.commit_messages"
AUTHORS = "collaboration.authors"
TESTS_WITH_CODE = "collaboration.tests_with_code"
CRITERIA = (MESSAGES, AUTHORS, TESTS_WITH_CODE)


class GitOptions(BaseModel):
    """``[tool.backend_skills.checkers.git]``."""

    model_config = ConfigDict(extra="forbid")

    max_commits: Annotated[int, Field(ge=1, le=10_000)] = 200
    """How many of the most recent commits are read."""
    timeout_s: Annotated[float, Field(gt=0, le=600)] = 30.0
    """Time limit for each git call, in seconds."""


# --------------------------------------------------------------------------- running git
# The hardened invocation lives in backend_skills._git (the pre-commit hook uses it too).

__all__ = [
    "CONVENTIONAL_TYPES",
    "LOW_INFORMATION_WORDS",
    "MAX_SUBJECT",
    "NON_IMPERATIVE",
    "SAFE_CONFIG",
    "GitError",
    "SubjectVerdict",
    "assess_subject",
    "git_command",
    "git_environment",
    "run_git",
]

_RECORD = "\x1e"
_FIELD = "\x1f"
_FORMAT = f"--format={_RECORD}%H{_FIELD}%P{_FIELD}%ae{_FIELD}%an{_FIELD}%B{_FIELD}"


@functools.cache
def git_version() -> str | None:
    """The installed git's version (``2.39.5``), or None when git is not on PATH."""
    executable = shutil.which("git")
    if executable is None:
        return None
    try:
        proc = subprocess.run(  # nosec B603 - fixed argument vector, no shell
            [executable, "--version"],
            capture_output=True,
            timeout=10,
            check=False,
            env={**git_environment(Path.cwd()), "GIT_CEILING_DIRECTORIES": ""},
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"(\d+\.\d+[\w.]*)", proc.stdout.decode("ascii", "replace"))
    return match.group(1) if match else None


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class Commit:
    """One commit from ``git log``."""

    sha: str
    parents: tuple[str, ...]
    email: str
    name: str
    message: str
    files: tuple[str, ...] = ()

    @property
    def subject(self) -> str:
        """The first line of the message."""
        lines = self.message.strip().splitlines()
        return lines[0].strip() if lines else ""

    @property
    def is_merge(self) -> bool:
        """More than one parent."""
        return len(self.parents) > 1


_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


def parse_log(output: str) -> list[Commit]:
    """Commits from the output of ``git log -z --name-only`` with :data:`_FORMAT`.

    A record that does not parse (a message holding our separator characters) is
    dropped rather than trusted.
    """
    commits = []
    for record in output.split(_RECORD):
        if not record.strip("\x00\n"):
            continue
        parts = record.split(_FIELD)
        if len(parts) != 6 or not _SHA.match(parts[0]):
            continue
        sha, parents, email, name, message, rest = parts
        files = tuple(p for p in rest.lstrip("\x00").lstrip("\n").split("\x00") if p.strip())
        commits.append(
            Commit(
                sha=sha,
                parents=tuple(parents.split()),
                email=email.strip().lower(),
                name=name.strip(),
                message=message,
                files=files,
            )
        )
    return commits


# --------------------------------------------------------------------------- authors

#: Longest message line read for trailers (a trailer is one short line).
MAX_TRAILER_LINE = 1000


def co_authors(message: str) -> list[tuple[str, str]]:
    """(name, e-mail) of each ``Co-authored-by: Name <email>`` trailer in ``message``.

    Parsed with string operations, in time linear in the message: a regular expression
    with ``\\s*(.*?)\\s*`` takes time cubic in the length of a line of spaces.
    """
    found = []
    for line in message.splitlines():
        if len(line) > MAX_TRAILER_LINE or line[:15].lower() != "co-authored-by:":
            continue
        rest = line[15:].strip()
        if not rest.endswith(">") or "<" not in rest:
            continue
        name, _, email = rest[:-1].rpartition("<")
        if email and ">" not in email:
            found.append((name.strip(), email.strip()))
    return found


_BOT_NAMES = frozenset(
    {"dependabot", "renovate", "renovate-bot", "github-actions", "pre-commit-ci", "snyk-bot"}
)


def _is_bot(name: str, email: str) -> bool:
    return is_bot_identity(name, email) or name.strip().lower() in _BOT_NAMES


def count_people(identities: Sequence[tuple[str, str]]) -> int:
    """Distinct people among (name, email) pairs: e-mail addresses, with addresses that
    share a (non-empty) name counted once. Bots are left out."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        parent[find(a)] = find(b)

    emails: set[str] = set()
    for name, email in identities:
        if _is_bot(name, email) or not email:
            continue
        key = f"e:{email.lower()}"
        emails.add(key)
        find(key)
        if name.strip():
            union(key, f"n:{' '.join(name.lower().split())}")
    return len({find(e) for e in emails})


def absence_factor(authors: Sequence[str]) -> int:
    """Smallest number of authors who made at least half of the commits (CHAOSS)."""
    counts: dict[str, int] = {}
    for author in authors:
        counts[author] = counts.get(author, 0) + 1
    total = sum(counts.values())
    covered = 0
    for n, value in enumerate(sorted(counts.values(), reverse=True), 1):
        covered += value
        if covered * 2 >= total:
            return n
    return len(counts)


# --------------------------------------------------------------------------- files


def _kind(path: str) -> str | None:
    """``"code"``, ``"test"`` or None for a path changed by a commit."""
    language = detect_language(PurePosixPath(path).name)
    if language not in CODE_LANGUAGES:
        return None
    role = classify_role(path, language)
    if role is Role.TEST:
        return "test"
    if role is Role.SOURCE:
        return "code"
    return None


# --------------------------------------------------------------------------- the checker


@dataclass
class History:
    """The numbers the criteria read, from a list of commits."""

    commits: list[Commit]
    metrics: list[Metric] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    not_applicable: dict[str, str] = field(default_factory=dict)


@dataclass
class _Subjects:
    """How the human-written subjects of a history fare."""

    judged: int = 0
    good: int = 0
    low: list[str] = field(default_factory=list)
    long: int = 0
    conventional: int = 0
    gitmoji: int = 0

    @classmethod
    def of(cls, written: Sequence[Commit]) -> _Subjects:
        tally = cls(judged=len(written))
        for c in written:
            verdict = assess_subject(c.subject)
            tally.good += verdict.good
            tally.long += verdict.too_long
            tally.conventional += verdict.conventional
            tally.gitmoji += verdict.gitmoji
            if verdict.low_information:
                tally.low.append(c.subject)
        return tally

    def metrics(self) -> list[Metric]:
        if not self.judged:
            return []
        return [
            Metric(
                name="git.message_quality",
                value=round(self.good / self.judged, 4),
                unit="share of commits",
                files=self.judged,
            ),
            Metric(
                name="git.low_information_share",
                value=round(len(self.low) / self.judged, 4),
                unit="share of commits",
            ),
            Metric(
                name="git.conventional_share",
                value=round(self.conventional / self.judged, 4),
                unit="share of commits",
            ),
        ]


def _people(commits: Sequence[Commit]) -> int:
    """Distinct people among the authors and co-authors."""
    identities = [(c.name, c.email) for c in commits]
    for c in commits:
        identities.extend((name, email.lower()) for name, email in co_authors(c.message))
    return count_people(identities)


def _code_commits(own: Sequence[Commit]) -> tuple[int, int]:
    """Commits that change source code, and how many of them change tests too."""
    code_commits = 0
    with_tests = 0
    for c in own:
        kinds = {_kind(p) for p in c.files}
        if "code" in kinds:
            code_commits += 1
            with_tests += "test" in kinds
    return code_commits, with_tests


def _low_information_note(low: Sequence[str], judged: int) -> str:
    # Subjects are the repository's text: a credential pasted into one is redacted.
    shown = (redacted_line(s[:200])[:40] for s in dict.fromkeys(low) if s)
    examples = ", ".join(repr(s) for s in shown)[:160]
    return f"low-information commit messages: {len(low)} of {judged}" + (
        f" (e.g. {examples})" if examples else ""
    )


def analyse(commits: Sequence[Commit], window: int) -> History:
    """Metrics and notes for the commit messages, authors and tests-with-code criteria."""
    history = History(commits=list(commits))
    own = [c for c in commits if not c.is_merge]
    if not own:
        why = "no non-merge commit in the history read"
        history.not_applicable = dict.fromkeys(CRITERIA, why)
        return history
    tally = _Tally.of(commits, own)
    history.metrics = tally.metrics()
    history.not_applicable = tally.not_applicable()
    history.notes = tally.notes(window)
    return history


@dataclass
class _Tally:
    """What the criteria count in a history with at least one non-merge commit."""

    read: int
    """Commits read, merges included."""
    own: int
    """Non-merge commits."""
    subjects: _Subjects
    """Of the non-merge commits humans wrote (generated subjects say nothing of the team)."""
    people: int
    humans: list[str]
    """The e-mail of each non-merge commit's author, bots left out."""
    code_commits: int
    with_tests: int

    @classmethod
    def of(cls, commits: Sequence[Commit], own: Sequence[Commit]) -> _Tally:
        written = [c for c in own if not is_bot_commit(c.name, c.email, c.subject)]
        code_commits, with_tests = _code_commits(own)
        return cls(
            read=len(commits),
            own=len(own),
            subjects=_Subjects.of(written),
            people=_people(commits),
            humans=[c.email for c in own if not _is_bot(c.name, c.email)],
            code_commits=code_commits,
            with_tests=with_tests,
        )

    def metrics(self) -> list[Metric]:
        humans = self.humans
        metrics = [
            Metric(name="git.commits", value=float(self.own), unit="commits"),
            *self.subjects.metrics(),
            Metric(name="git.authors", value=float(max(self.people, 1)), unit="people"),
            Metric(
                name="git.absence_factor",
                value=float(absence_factor(humans)) if humans else None,
                unit="people",
                reason=None if humans else "only bots committed",
            ),
            Metric(name="git.code_commits", value=float(self.code_commits), unit="commits"),
        ]
        if self.code_commits:
            metrics.append(
                Metric(
                    name="git.code_commits_with_tests",
                    value=round(self.with_tests / self.code_commits, 4),
                    unit="share of commits",
                )
            )
        return metrics

    def not_applicable(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if not self.code_commits:
            out[TESTS_WITH_CODE] = f"none of the last {self.read} commits changes source code"
        if not self.subjects.judged:
            out[MESSAGES] = (
                f"all {self.own} non-merge commit(s) read were written by bots (dependency "
                "updates, release notes)"
            )
        return out

    def notes(self, window: int) -> list[str]:
        subjects, judged = self.subjects, self.subjects.judged
        merges = self.read - self.own
        bots = self.own - judged
        notes = [
            f"history: last {self.read} commit(s) read (window {window}), {merges} merge(s)"
            + (f", {bots} by bots (left out of message quality)" if bots else "")
            + f"; {subjects.good} of {judged} subjects well formed,"
            + f" {subjects.conventional} conventional"
            + (f", {subjects.gitmoji} with gitmoji" if subjects.gitmoji else "")
            + f", {subjects.long} over {MAX_SUBJECT} characters; {self.people} author(s)"
        ]
        if subjects.low:
            notes.append(_low_information_note(subjects.low, judged))
        if self.code_commits:
            notes.append(
                f"tests changed with code: {self.with_tests} of {self.code_commits} commits"
                " that change source code"
            )
        return notes


class GitHistoryChecker(RepoChecker):
    """Reads the last N commits (read-only, hardened) and scores the history."""

    name = "git"
    provides: ClassVar[tuple[str, ...]] = (
        "git.commits",
        "git.message_quality",
        "git.low_information_share",
        "git.conventional_share",
        "git.authors",
        "git.absence_factor",
        "git.code_commits",
        "git.code_commits_with_tests",
    )
    feeds: ClassVar[tuple[str, ...]] = CRITERIA
    options_model = GitOptions

    @property
    def version(self) -> str:
        """The installed git's version, or ``unavailable``."""
        return git_version() or "unavailable"

    def check(self, ctx: CheckContext) -> CheckResult:
        """History metrics, or the criteria marked not applicable with the reason."""
        options = GitOptions.model_validate(dict(ctx.options))
        root = ctx.root
        reason = self._unavailable(root)
        if reason is not None:
            return _not_applicable(reason)
        try:
            shallow = run_git(root, ["rev-parse", "--is-shallow-repository"], options.timeout_s)
            output = run_git(
                root,
                [
                    "log",
                    "-z",
                    f"--max-count={options.max_commits}",
                    "--name-only",
                    *SAFE_LOG_OPTIONS,
                    _FORMAT,
                ],
                options.timeout_s,
            )
        except GitError as exc:
            return _not_applicable(str(exc))
        commits = parse_log(output)
        if not commits:
            return _not_applicable("the repository has no commits yet")
        if shallow.strip() == "true" and len(commits) < options.max_commits:
            return _not_applicable(
                f"shallow clone: only {len(commits)} commit(s) are present; fetch the full "
                "history (actions/checkout with `fetch-depth: 0`) to assess it"
            )
        history = analyse(commits, options.max_commits)
        return CheckResult(
            metrics=history.metrics,
            notes=history.notes,
            not_applicable=history.not_applicable,
            files=0,
        )

    @staticmethod
    def _unavailable(root: Path) -> str | None:
        if not os.path.lexists(root / ".git"):
            return "no .git folder at the root: commit history not assessed"
        problem = git_dir_problem(root)
        if problem is not None:
            return f"{problem}: commit history not assessed"
        if shutil.which("git") is None:
            return "git is not installed (not on PATH): commit history not assessed"
        return None


def _not_applicable(reason: str) -> CheckResult:
    return CheckResult(not_applicable=dict.fromkeys(CRITERIA, reason), notes=[f"history: {reason}"])


@hookimpl
def backend_skills_checkers() -> Sequence[Checker]:
    """The ``git`` checker."""
    return [GitHistoryChecker()]
