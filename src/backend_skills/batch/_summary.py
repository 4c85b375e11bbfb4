"""The batch summaries: a CSV shaped like GitHub Classroom's grade export, the same as
JSON, and an HTML leaderboard with per-skill distributions and links to each report.

Gates (``--fail-under N`` and ``--fail-under SKILL=N``) apply to every repository (its
overall or skill score under N fails it) and to the summary (the mean score of the
scored repositories under N fails it).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import statistics
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from backend_skills.reporters._html_page import h, page
from backend_skills.reporters._svg import histogram

from ._work import COMPLETE, ERROR, INCOMPLETE, RepoResult

POINTS_AVAILABLE = 100
SUMMARY_SCHEMA_VERSION = 1
#: Cells starting with these are formulas to a spreadsheet: they get a leading quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Gates:
    """Thresholds: overall and per skill (0-100)."""

    overall: float | None = None
    skills: dict[str, float] = field(default_factory=dict)

    @property
    def any(self) -> bool:
        """Whether a threshold is set."""
        return self.overall is not None or bool(self.skills)


def repo_gate_failures(result: RepoResult, gates: Gates) -> list[str]:
    """Why ``result`` fails its thresholds (empty when it passes or none is set)."""
    if not gates.any:
        return []
    if result.status == ERROR:
        return [f"not scored ({result.error_kind})"]
    failures: list[str] = []
    if _under(result.score, gates.overall):
        failures.append(f"overall score {result.score:.1f} is under {gates.overall:g}")
    for skill in result.skills:
        threshold = gates.skills.get(skill.id)
        if _under(skill.score, threshold):
            failures.append(f"{skill.id} score {skill.score:.1f} is under {threshold:g}")
    if result.status == INCOMPLETE:
        failures.append("report incomplete")
    return failures


def _under(score: float | None, threshold: float | None) -> bool:
    """Whether a score falls under a threshold (never when either is missing)."""
    return threshold is not None and score is not None and score < threshold


def summary_gate_failures(results: Sequence[RepoResult], gates: Gates) -> list[str]:
    """Why the batch as a whole fails: a mean score under its threshold."""
    failures: list[str] = []
    scores = [r.score for r in results if r.score is not None]
    if gates.overall is not None and scores:
        mean = statistics.fmean(scores)
        if mean < gates.overall:
            failures.append(f"mean overall score {mean:.1f} is under {gates.overall:g}")
    for skill_id, threshold in sorted(gates.skills.items()):
        values = _skill_scores(results, skill_id)
        if values and statistics.fmean(values) < threshold:
            failures.append(
                f"mean {skill_id} score {statistics.fmean(values):.1f} is under {threshold:g}"
            )
    return failures


def _skill_scores(results: Sequence[RepoResult], skill_id: str) -> list[float]:
    """The scores of skill ``skill_id`` over the repositories that have one."""
    return [s.score for r in results for s in r.skills if s.id == skill_id and s.score is not None]


def skill_columns(results: Sequence[RepoResult]) -> list[tuple[str, str]]:
    """(id, name) of every skill seen, in rubric order of first appearance."""
    seen: dict[str, str] = {}
    for result in results:
        for skill in result.skills:
            seen.setdefault(skill.id, skill.name)
    return list(seen.items())


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.1f}"
    text = " ".join(str(value).split())
    return "'" + text if text.startswith(_FORMULA_START) else text


def _coverage_cell(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def to_csv(results: Sequence[RepoResult], gates: Gates) -> str:
    """One row per repository; GitHub Classroom's ``roster_identifier``,
    ``points_awarded`` and ``points_available`` first."""
    skills = skill_columns(results)
    header = [
        "roster_identifier",
        "points_awarded",
        "points_available",
        "label",
        "path",
        "commit",
        "score",
        "level",
        "status",
        "complete",
        "coverage",
        "passed",
        "error",
    ]
    for skill_id, _ in skills:
        header += [f"{skill_id}_score", f"{skill_id}_level"]
    header += ["findings", "counted_findings", "report", "duration_s"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for result in results:
        by_id = {s.id: s for s in result.skills}
        failures = result.gate_failures
        row = [
            _cell(result.label),
            _cell(result.score),
            str(POINTS_AVAILABLE),
            _cell(result.label),
            _cell(result.path),
            _cell(result.commit),
            _cell(result.score),
            _cell(result.level),
            result.status,
            _cell(result.complete),
            _coverage_cell(result.coverage),
            "" if not gates.any else _cell(not failures),
            _cell(result.error),
        ]
        for skill_id, _ in skills:
            skill = by_id.get(skill_id)
            row += [
                _cell(skill.score if skill else None),
                _cell((skill.level or "not applicable") if skill else None),
            ]
        row += [
            str(result.findings),
            str(result.counted_findings),
            _cell(_main_report(result)),
            f"{result.duration_s:.2f}",
        ]
        writer.writerow(row)
    return out.getvalue()


def _main_report(result: RepoResult) -> str | None:
    if not result.reports:
        return None
    return result.reports.get("html") or next(iter(result.reports.values()))


def to_json(
    results: Sequence[RepoResult],
    gates: Gates,
    summary_failures: Sequence[str],
    tool: Mapping[str, str],
    duration_s: float,
) -> str:
    """The summary as JSON (``schema_version`` 1): the CSV's content, nested."""
    rows = [_json_row(result, gates) for result in results]
    scores = [r.score for r in results if r.score is not None]
    passed = (
        None
        if not gates.any
        else not summary_failures and all(not r.gate_failures for r in results)
    )
    document = {
        "schema_version": SUMMARY_SCHEMA_VERSION,
        "tool": dict(tool),
        "repositories": len(results),
        "counts": _status_counts(results),
        "skills": [{"id": i, "name": n} for i, n in skill_columns(results)],
        "mean_score": _rounded(statistics.fmean, scores),
        "median_score": _rounded(statistics.median, scores),
        "fail_under": {"overall": gates.overall, "skills": gates.skills},
        "summary_gate_failures": list(summary_failures),
        "passed": passed,
        "duration_s": round(duration_s, 3),
        "results": rows,
    }
    return json.dumps(document, indent=2) + "\n"


def _status_counts(results: Sequence[RepoResult]) -> dict[str, int]:
    return {
        status: sum(1 for r in results if r.status == status)
        for status in (COMPLETE, INCOMPLETE, ERROR)
    }


def _rounded(average: Callable[[Sequence[float]], float], scores: Sequence[float]) -> float | None:
    """``average(scores)`` to two decimals; None without scores."""
    return round(average(scores), 2) if scores else None


def _json_row(result: RepoResult, gates: Gates) -> dict[str, Any]:
    """One repository's result for the JSON summary, with whether it passed its gates."""
    data = asdict(result)
    data.pop("rendered", None)
    data["passed"] = None if not gates.any else not result.gate_failures
    return data


def _badge(level: str | None) -> str:
    name = level or "n/a"
    css = f"lv-{name}" if level else ""
    return f'<span class="badge {css}">{h(name)}</span>'


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def to_html(
    results: Sequence[RepoResult], gates: Gates, summary_failures: Sequence[str], title: str
) -> str:
    """The leaderboard: distributions per skill (SVG), one row per repository with links."""
    skills = skill_columns(results)
    body = [f"<h1>{h(title, 200)}</h1>", _counts_line(results)]
    if summary_failures:
        body.append(
            '<p class="warn">Summary gate failed: '
            + "; ".join(h(f) for f in summary_failures)
            + "</p>"
        )
    body += _distributions(results, skills)
    body.append(_leaderboard_head(skills, gates))
    ranked = sorted(
        results,
        key=lambda r: (r.score is None, -(r.score or 0.0), r.label.lower(), r.path),
    )
    body.extend(
        _leaderboard_row(rank, result, [i for i, _ in skills], gates)
        for rank, result in enumerate(ranked, 1)
    )
    body.append("</tbody></table></section>")
    return page(title, "\n".join(body), script=False)


def _distributions(results: Sequence[RepoResult], skills: Sequence[tuple[str, str]]) -> list[str]:
    """A histogram of the overall scores and one per skill."""
    body = ['<section id="distributions"><h2>Distributions</h2><div class="hero">']
    body.append(
        histogram(
            [r.score for r in results if r.score is not None],
            title="Overall",
            element_id="dist-overall",
        )
    )
    for skill_id, name in skills:
        values = _skill_scores(results, skill_id)
        body.append(histogram(values, title=name, element_id=f"dist-{skill_id}"))
    body.append("</div></section>")
    return body


def _leaderboard_head(skills: Sequence[tuple[str, str]], gates: Gates) -> str:
    """The leaderboard's opening and header row (a gate column when gates are set)."""
    return (
        '<section id="leaderboard"><h2>Leaderboard</h2><table id="leaderboard-table"><thead><tr>'
        '<th class="num">#</th><th>Repository</th><th class="num">Score</th><th>Level</th>'
        + "".join(
            f'<th class="num" title="{h(name)}">{h(skill_id.replace("_", " "))}</th>'
            for skill_id, name in skills
        )
        + "<th>Coverage</th><th>Status</th>"
        + ("<th>Gate</th>" if gates.any else "")
        + "<th>Commit</th></tr></thead><tbody>"
    )


def _counts_line(results: Sequence[RepoResult]) -> str:
    scores = [r.score for r in results if r.score is not None]
    counts = {s: sum(1 for r in results if r.status == s) for s in (COMPLETE, INCOMPLETE, ERROR)}
    averages = ""
    if scores:
        averages = (
            f" Mean score {statistics.fmean(scores):.1f}, median {statistics.median(scores):.1f}."
        )
    return (
        f'<p id="counts">{len(results)} repositories: {counts[COMPLETE]} complete, '
        f"{counts[INCOMPLETE]} incomplete, {counts[ERROR]} not scored.{averages}</p>"
    )


def _leaderboard_row(rank: int, result: RepoResult, skill_ids: Sequence[str], gates: Gates) -> str:
    link = _main_report(result)
    name = h(result.label, 120)
    cell = f'<a href="{h(quote(link))}">{name}</a>' if link else name
    by_id = {s.id: s for s in result.skills}
    status = h(result.status)
    if result.error:
        status += f'<br><span class="muted wrap">{h(result.error, 300)}</span>'
    gate = ""
    if gates.any:
        gate = (
            "<td>pass</td>"
            if not result.gate_failures
            else f'<td class="wrap">fail: {h("; ".join(result.gate_failures), 300)}</td>'
        )
    skill_cells = "".join(
        f'<td class="num">{_score(by_id[i].score) if i in by_id else ""}</td>' for i in skill_ids
    )
    coverage = "" if result.coverage is None else f"{result.coverage * 100:.0f}%"
    return (
        f'<tr class="repo" data-status="{h(result.status)}"><td class="num">{rank}</td>'
        f'<td>{cell}<br><span class="muted mono wrap">{h(result.path, 300)}</span></td>'
        f'<td class="num">{_score(result.score)}</td><td>{_badge(result.level)}</td>'
        f"{skill_cells}<td>{coverage}</td><td>{status}</td>{gate}"
        f'<td class="mono">{h((result.commit or "")[:12])}</td></tr>'
    )


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically; a symbolic link there is replaced, not
    followed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
