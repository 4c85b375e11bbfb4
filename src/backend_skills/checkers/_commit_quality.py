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
