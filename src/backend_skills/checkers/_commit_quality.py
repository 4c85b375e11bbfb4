"""Commit subjects as a reader sees them: prefixes understood, bots left out.

Teams mark their commits with a convention before the sentence that says what the
commit does: Conventional Commits (``feat(api): add pagination``), gitmoji, as a
character (``🐛 Fix toast theme sync (#2450)``) or a shortcode (``:bug: Fix ...``), an
``[area]`` tag, and GitHub's squash-merge suffix ``(#2450)``. :func:`split_subject`
separates those marks from the sentence, so the sentence is judged on its own.

Bots write commits too (Dependabot, Renovate, pre-commit.ci, release-note and
translation bots). Their subjects are generated, so they say nothing about how the
team writes history: :func:`is_bot_commit` recognises them by author and by subject, and
the ``git`` checker leaves them out of message quality.

:func:`assess_subject` then judges the sentence: short enough, not low-information, and
a Conventional Commit or a sentence that starts with an imperative verb.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Longest part of a subject line that is read.
MAX_SUBJECT_CHARS = 1_000

#: A leading gitmoji: emoji characters (with variation selectors, skin tones and joiners)
#: or ``:shortcode:``, possibly several, then optional spaces.
GITMOJI = re.compile(
    r"^(?:(?::[a-z0-9_+-]{1,40}:)|"
    r"[\u00a9\u00ae\u203c\u2049\u2122\u2139\u2190-\u21ff\u2300-\u23ff\u24c2\u25aa-\u25fe"
    r"\u2600-\u27bf\u2934\u2935\u2b00-\u2bff\u3030\u303d\u3297\u3299"
    r"\U0001f000-\U0001faff](?:[\ufe0e\ufe0f\u200d\u20e3]|[\U0001f3fb-\U0001f3ff])*){1,4}"
    r"\s*"
)
_CONVENTIONAL = re.compile(
    r"^(?P<type>[A-Za-z][\w-]{0,30})(?:\((?P<scope>[^)]{0,60})\))?(?P<bang>!)?:\s+(?P<desc>\S.*)$"
)
_AREA = re.compile(r"^\[[^\]]{1,60}\]\s*(?P<desc>\S.*)$")
#: GitHub's squash-merge suffix and trailing issue references: ``(#2450)``, ``(!12)``.
_PR_SUFFIX = re.compile(r"(?:\s*\((?:[\w.-]+/[\w.-]+)?[#!]\d+\))+\s*$")

#: Author names of well-known bots (a ``[bot]`` suffix is recognised separately).
BOT_NAMES = frozenset(
    {
        "dependabot",
        "dependabot-preview",
        "renovate",
        "renovate-bot",
        "renovatebot",
        "github-actions",
        "pre-commit-ci",
        "snyk-bot",
        "greenkeeper",
        "pyup-bot",
        "pyup.io bot",
        "weblate",
        "hosted weblate",
        "crowdin bot",
        "semantic-release-bot",
        "allcontributors",
        "imgbot",
        "mergify",
        "copilot",
    }
)
#: Subjects that tools write: dependency bumps, release-note and lock-file updates,
#: formatting bots, translation imports.
BOT_SUBJECTS = re.compile(
    r"^(?:"
    r"bump\s+(?:the\s+\S+\s+group\b|\S+\s+from\s+\S+\s+to\s+\S+)|"
    r"(?:build|chore|fix|ci)(?:\((?:deps|deps-dev|dependencies|dev-deps)\))?:\s*"
    r"(?:bump\s+\S+\s+from\s+\S+\s+to|update\s+(?:dependency|module|\S+\s+digest)\b|"
    r"lock\s+file\s+maintenance)|"
    r"update\s+(?:dependency\s+\S+\s+to|release\s+notes\b)|"
    r"lock\s+file\s+maintenance|"
    r"\[pre-commit\.ci\]|pre-commit\s+autoupdate\b|\[bot\]|\[skip\s+ci\]\s+update\b|"
    r"translated\s+using\s+weblate\b|new\s+translations\b|"
    r"automated\s+(?:commit|update|changes)\b|auto-?update\s+(?:release\s+notes|changelog)\b"
    r")",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Subject:
    """A subject line split into its conventional marks and the sentence."""

    text: str  # the whole subject
    description: str  # the sentence the marks introduce
    conventional_type: str | None = None  # "feat", "fix", ... (any word before a colon)
    gitmoji: bool = False
    area: bool = False  # an ``[area]`` tag


def split_subject(subject: str) -> Subject:
    """Separate gitmoji, a Conventional-Commit type and scope, an ``[area]`` tag and a
    trailing pull-request reference from the sentence.

    Marks may combine in either order (``🐛 fix(ui): ...``, ``fix: :bug: ...``); the
    trailing ``(#123)`` is dropped so it neither lengthens nor fills the sentence.
    """
    text = subject.strip()
    # Bounded: a subject this long is judged too long whatever its marks, and the
    # suffix pattern must not scan an unbounded line.
    rest = _PR_SUFFIX.sub("", text[:MAX_SUBJECT_CHARS].rstrip())
    gitmoji = False
    kind: str | None = None
    area = False
    for _ in range(3):
        emoji = GITMOJI.match(rest)
        if emoji and emoji.end() < len(rest):
            gitmoji, rest = True, rest[emoji.end() :]
            continue
        conv = _CONVENTIONAL.match(rest) if kind is None else None
        if conv:
            kind, rest = conv.group("type").lower(), conv.group("desc")
            continue
        tag = _AREA.match(rest) if not area else None
        if tag:
            area, rest = True, tag.group("desc")
            continue
        break
    return Subject(
        text=text, description=rest.strip(), conventional_type=kind, gitmoji=gitmoji, area=area
    )


def is_bot_identity(name: str, email: str) -> bool:
    """Whether an author is a bot: a ``[bot]`` name or address, or a well-known bot name."""
    lowered = name.strip().lower()
    return "[bot]" in lowered or "[bot]" in email.lower() or lowered in BOT_NAMES


def is_bot_subject(subject: str) -> bool:
    """Whether a subject is one a tool writes (``Bump x from 1 to 2``, ``Update release
    notes``, ``[pre-commit.ci] auto fixes``), after any gitmoji."""
    text = subject.strip()[:MAX_SUBJECT_CHARS]
    emoji = GITMOJI.match(text)
    if emoji and emoji.end() < len(text):
        text = text[emoji.end() :]
    return BOT_SUBJECTS.match(text) is not None


def is_bot_commit(name: str, email: str, subject: str) -> bool:
    """A commit written by a bot, by its author or by its generated subject."""
    return is_bot_identity(name, email) or is_bot_subject(subject)


# ------------------------------------------------------------------ judging a subject

#: Longest subject line that counts as well formed.
MAX_SUBJECT = 72

CONVENTIONAL_TYPES = frozenset(
    {
        "feat",
        "fix",
        "docs",
        "doc",
        "style",
        "refactor",
        "perf",
        "test",
        "tests",
        "build",
        "ci",
        "chore",
        "revert",
        "deps",
        "security",
        "release",
        "ops",
        "infra",
        "config",
        "hotfix",
        "i18n",
        "a11y",
    }
)
#: Words that say nothing about a change. A subject made only of these is low-information.
LOW_INFORMATION_WORDS = frozenset(
    {
        "wip",
        "fix",
        "fixes",
        "fixed",
        "fixing",
        "update",
        "updates",
        "updated",
        "stuff",
        "change",
        "changes",
        "changed",
        "misc",
        "tmp",
        "temp",
        "test",
        "tests",
        "testing",
        "commit",
        "asdf",
        "foo",
        "minor",
        "cleanup",
        "save",
        "more",
        "work",
        "progress",
        "done",
        "final",
        "again",
        "oops",
        "edit",
        "edits",
        "tweak",
        "tweaks",
        "bug",
        "bugs",
        "bugfix",
        "refactor",
        "things",
        "thing",
        "some",
        "small",
        "various",
        "it",
        "this",
        "that",
        "code",
        "files",
        "file",
        "new",
        "a",
        "an",
        "the",
        "and",
        "of",
        "to",
        "in",
        "on",
        "for",
        "all",
        "lol",
        "ok",
        "x",
    }
)
#: First words that are not imperative (third person, past tense, gerund we know well).
NON_IMPERATIVE = frozenset(
    {
        "adds",
        "fixes",
        "updates",
        "removes",
        "changes",
        "makes",
        "uses",
        "moves",
        "renames",
        "improves",
        "implements",
        "creates",
        "deletes",
        "refactors",
        "introduces",
        "allows",
        "ensures",
        "handles",
        "supports",
        "bumps",
        "cleans",
        "corrects",
        "enables",
        "disables",
        "prevents",
        "replaces",
        "returns",
        "sets",
        "converts",
        "drops",
        "extends",
        "reverts",
        "documents",
        "upgrades",
        "simplifies",
        "avoids",
        "includes",
        "shows",
        "hides",
        "adjusts",
        "reworks",
        "rewrites",
        "splits",
        "switches",
        "optimizes",
        "optimises",
    }
)
_ED_OK = frozenset(
    {"need", "embed", "speed", "seed", "feed", "shed", "bleed", "proceed", "exceed", "succeed"}
)
_ING_OK = frozenset({"bring", "string", "ping", "ring", "sing", "swing", "spring", "wring"})
_LEFTOVER = re.compile(r"^(fixup!|squash!|amend!|wip\b)", re.IGNORECASE)


@dataclass(frozen=True)
class SubjectVerdict:
    """What :func:`assess_subject` thinks of a subject line."""

    good: bool
    conventional: bool
    low_information: bool
    too_long: bool
    imperative: bool
    gitmoji: bool = False


def _imperative(first_word: str) -> bool:
    word = first_word.lower()
    if not word.isalpha():
        return False
    if word in NON_IMPERATIVE:
        return False
    if word.endswith("ed") and len(word) > 4 and word not in _ED_OK:
        return False
    return not (word.endswith("ing") and len(word) > 5 and word not in _ING_OK)


def _low_information(text: str) -> bool:
    words = re.findall(r"[a-z]+", text.lower())
    return len(words) < 2 or all(w in LOW_INFORMATION_WORDS for w in words)


def assess_subject(subject: str) -> SubjectVerdict:
    """Judge one subject line.

    The marks teams put before the sentence are understood first (see
    :func:`backend_skills.checkers._commit_quality.split_subject`): gitmoji (``🐛``,
    ``:bug:``), a Conventional-Commit type and scope, an ``[area]`` tag, and GitHub's
    squash-merge suffix ``(#123)``. Good when the subject (without gitmoji and the
    pull-request suffix) is at most :data:`MAX_SUBJECT` characters, the sentence is not
    low-information (one word, or only words such as "wip", "fix", "update", "stuff"), it
    is not an autosquash leftover (``fixup!``, ``squash!``) and it is either a Conventional
    Commit with a known type (``feat(api): add pagination``) or a sentence that starts
    with an imperative verb (``Add``, not ``Added``/``Adds``/``Adding``).
    """
    parts = split_subject(subject)
    subject = parts.text
    desc = parts.description
    kind = parts.conventional_type
    conventional = kind in CONVENTIONAL_TYPES
    if kind == "wip":
        desc = subject  # "WIP: stuff" is still work in progress
    shown = len(desc) + (len(kind) + 2 if kind else 0)  # the sentence and its type prefix
    too_long = shown > MAX_SUBJECT or len(subject) > MAX_SUBJECT_CHARS
    low = _low_information(desc) or _LEFTOVER.match(subject) is not None
    words = desc.split()
    imperative = bool(words) and _imperative(words[0].strip("\"'`"))
    good = bool(subject) and not too_long and not low and (conventional or imperative)
    return SubjectVerdict(
        good=good,
        conventional=conventional,
        low_information=low,
        too_long=too_long,
        imperative=imperative,
        gitmoji=parts.gitmoji,
    )
