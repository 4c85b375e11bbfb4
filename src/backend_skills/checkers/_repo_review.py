"""The ``repo`` checker's review-scaffolding criterion: CODEOWNERS, templates, code of
conduct, security policy, dependency-update bot and labeler, each counted only when it
says enough to guide someone."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import PurePosixPath

from backend_skills.checkers._repo_text import (
    REVIEW,
    _community_files,
    _finding,
    _join,
    _norm_stem,
    _parent,
    _Part,
    _words,
)
from backend_skills.checkers._repo_yaml import load_yaml
from backend_skills.core.discovery import FileSet, SourceFile
from backend_skills.core.models import Finding, Metric, Severity

REVIEW_ITEMS = (
    "CODEOWNERS",
    "pull request template",
    "issue templates",
    "code of conduct",
    "security policy",
    "dependency updates",
    "labeler",
)
#: Items at which the criterion is full (its last anchor); more are noted, not needed.
REVIEW_FULL = 5
#: Dependency-update bot configurations (Dependabot, Renovate), by path.
_DEPENDENCY_BOTS = (
    ".github/dependabot.yml",
    ".github/dependabot.yaml",
    "renovate.json",
    "renovate.json5",
    ".renovaterc",
    ".renovaterc.json",
    ".renovaterc.json5",
    ".github/renovate.json",
    ".github/renovate.json5",
    ".gitlab/renovate.json",
    ".gitlab/renovate.json5",
)
#: Pull-request labelling configurations (actions/labeler, the GitLab/Prow equivalents).
_LABELERS = (".github/labeler.yml", ".github/labeler.yaml", ".github/auto_label.yml")
_SECURITY_CHANNEL = re.compile(
    r"(@|\breport\w*|\badvisor\w*|\bdisclos\w*|\bcontact\w*|\bvulnerab\w*|\bsecurity/advisories)",
    re.IGNORECASE,
)
_CODEOWNERS_RULE = re.compile(r"^\s*[^#\s]\S*\s+(@[\w./-]+|[\w.+-]+@[\w.-]+)", re.MULTILINE)


def _is_pr_template(f: SourceFile) -> bool:
    lower = f.path.lower()
    return (
        _parent(lower) in ("", ".github", "docs") and _norm_stem(f.name) == "PULL_REQUEST_TEMPLATE"
    ) or _parent(lower) in (".github/pull_request_template", ".gitlab/merge_request_templates")


def _is_issue_template(f: SourceFile) -> bool:
    lower = f.path.lower()
    if _parent(lower) in (".github/issue_template", ".gitlab/issue_templates"):
        return f.name.lower() not in ("config.yml", "config.yaml")
    return _parent(lower) in ("", ".github", "docs") and _norm_stem(f.name) == "ISSUE_TEMPLATE"


def _security_policy_ok(f: SourceFile) -> bool:
    return _words(f.text) >= 20 and _SECURITY_CHANNEL.search(f.text) is not None


def _review_candidates(
    fileset: FileSet,
) -> list[tuple[str, list[SourceFile], Callable[[SourceFile], bool]]]:
    """Each review item with the files that may provide it and the test they must pass."""
    coc, _ = _community_files(fileset, lambda stem: stem == "CODE_OF_CONDUCT")
    security, _ = _community_files(fileset, lambda stem: stem == "SECURITY")
    return [
        ("CODEOWNERS", _matching(fileset, _is_codeowners), _has_owner_rule),
        ("pull request template", _matching(fileset, _is_pr_template), _says_something),
        ("issue templates", _matching(fileset, _is_issue_template), _says_something),
        ("code of conduct", coc, lambda f: _words(f.text) >= 50),
        ("security policy", security, _security_policy_ok),
        ("dependency updates", _present(fileset, _DEPENDENCY_BOTS), _dependency_bot_configured),
        ("labeler", _present(fileset, _LABELERS), _labeler_configured),
    ]


def _matching(fileset: FileSet, wanted: Callable[[SourceFile], bool]) -> list[SourceFile]:
    return [f for f in fileset.files if wanted(f)]


def _present(fileset: FileSet, paths: Iterable[str]) -> list[SourceFile]:
    return [f for f in (fileset.get(p) for p in paths) if f is not None]


def _is_codeowners(f: SourceFile) -> bool:
    return f.name == "CODEOWNERS" and _parent(f.path) in ("", ".github", "docs", ".gitlab")


def _has_owner_rule(f: SourceFile) -> bool:
    """At least one rule that names an owner (``@team`` or an e-mail address)."""
    return _CODEOWNERS_RULE.search(f.text) is not None


def _says_something(f: SourceFile) -> bool:
    """A template of at least ten words."""
    return _words(f.text) >= 10


def _empty_review_file(path: str) -> bool:
    """Whether an empty file stands where a review item belongs."""
    name = PurePosixPath(path).name
    return (
        path in _DEPENDENCY_BOTS
        or path in _LABELERS
        or name == "CODEOWNERS"
        or _norm_stem(name)
        in {"PULL_REQUEST_TEMPLATE", "ISSUE_TEMPLATE", "CODE_OF_CONDUCT", "SECURITY"}
        or _parent(path).lower() in (".github/issue_template", ".github/pull_request_template")
    )


_REVIEW_WHERE = {
    "CODEOWNERS": ".github/CODEOWNERS",
    "pull request template": ".github/pull_request_template.md",
    "issue templates": ".github/ISSUE_TEMPLATE/bug_report.md",
    "code of conduct": "CODE_OF_CONDUCT.md",
    "security policy": "SECURITY.md",
    "dependency updates": ".github/dependabot.yml",
    "labeler": ".github/labeler.yml",
}


def _review(fileset: FileSet) -> _Part:
    part = _Part()
    present: dict[str, str] = {}
    placeholders: list[str] = []
    for item, files, ok in _review_candidates(fileset):
        for f in files:
            part.files.add(f.path)
            if ok(f):
                present.setdefault(item, f.path)
            else:
                placeholders.append(f.path)
    placeholders += _empty_review_files(fileset)
    part.metrics.append(
        Metric(
            name="repo.review_items",
            value=float(len(present)),
            unit=f"items of {len(REVIEW_ITEMS)}",
            files=len(present),
        )
    )
    if present:
        part.notes.append(
            "review scaffolding: " + ", ".join(f"{k} ({v})" for k, v in present.items())
        )
    _placeholder_findings(part, sorted(set(placeholders) - set(present.values()))[:5])
    missing = [i for i in REVIEW_ITEMS if i not in present]
    if missing and len(present) < REVIEW_FULL:
        part.findings.append(_missing_review_items(missing))
    return part


def _missing_review_items(missing: Sequence[str]) -> Finding:
    """The review items to add, each where it usually lives."""
    return _finding(
        "BSCOL006",
        REVIEW,
        _REVIEW_WHERE[missing[0]],
        f"no {_join(missing)}: add {_join([_REVIEW_WHERE[m] for m in missing])}",
    )


def _empty_review_files(fileset: FileSet) -> list[str]:
    """Empty files (skipped by discovery) where a review item belongs."""
    return [
        s.path for s in fileset.skipped if s.reason == "empty file" and _empty_review_file(s.path)
    ]


def _placeholder_findings(part: _Part, paths: Iterable[str]) -> None:
    for path in paths:
        part.findings.append(
            _finding(
                "BSCOL006",
                REVIEW,
                path,
                f"{path} is empty or too short to guide anyone: it is not counted",
                severity=Severity.LOW,
            )
        )


def _dependency_bot_configured(f: SourceFile) -> bool:
    """Dependabot with at least one ``updates`` entry naming an ecosystem, or a Renovate
    configuration that says something (``extends``, ``packageRules``, a schedule ...)."""
    if "dependabot" in f.name:
        data, _ = load_yaml(f)
        updates = data.get("updates") if isinstance(data, dict) else None
        return isinstance(updates, list) and any(
            isinstance(u, dict) and u.get("package-ecosystem") for u in updates
        )
    if f.name.endswith(".json5"):
        return re.search(r"\b(extends|packageRules|schedule|enabledManagers)\b", f.text) is not None
    try:
        data = json.loads(f.text)
    except (ValueError, RecursionError):
        return False
    return isinstance(data, dict) and bool(data)


def _labeler_configured(f: SourceFile) -> bool:
    """A labeler configuration with at least one label rule."""
    data, _ = load_yaml(f)
    return isinstance(data, dict) and bool(data)
