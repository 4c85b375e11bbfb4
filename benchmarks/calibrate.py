"""Score a corpus of public repositories and compare the scores with the bands we expect.

The corpus (``calibration/corpus.toml``) names each repository by ``owner/name`` and
commit, its language, its kind (``vulnerable`` training application, ``mature``
production project or ``student``-grade project), the band expected per skill and a
one-line reason. This script scores local checkouts of them in-process through
:func:`backend_skills.score` (nothing is fetched), prints the scores beside the bands,
marks every miss, and measures the **rank agreement** per skill: the share of
(vulnerable, mature) pairs in which the vulnerable application scores lower. Usage::

    python benchmarks/calibrate.py --corpus calibration/corpus.toml --checkouts /tmp/corpus
    python benchmarks/calibrate.py /tmp/corpus/anxolerd+dvpwa /tmp/corpus/owner+name
    python benchmarks/calibrate.py --checkouts /tmp/corpus --json results.json --strict
    python benchmarks/calibrate.py --checkouts /tmp/corpus --markdown table.md

A checkout is found under ``--checkouts`` as ``owner+name``, ``owner__name`` or ``name``;
a PATH given on the command line is matched to its corpus entry the same way (by its
folder name) and scored without expectations when none matches. ``--strict`` exits 1
when a band is missed or a checkout is missing or fails to score.
See docs/calibration.md for the corpus format, the latest figures and what they mean.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Skills in report order, then the overall score.
SKILLS = ("database", "server_side", "security", "scalability", "collaboration")
COLUMNS = (*SKILLS, "overall")
KINDS = ("vulnerable", "mature", "student")
#: Expectations that are not bands: the column must carry no score, for this reason.
UNSCORED = ("not_assessed", "not_applicable")
SHORT = {
    "database": "db",
    "server_side": "server",
    "security": "security",
    "scalability": "scale",
    "collaboration": "collab",
    "overall": "overall",
}
DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "calibration" / "corpus.toml"


class CorpusError(Exception):
    """The corpus file is unreadable or invalid; the message is one line."""


# --------------------------------------------------------------------------- the corpus


@dataclass(frozen=True)
class Band:
    """An inclusive score range, or a status (``not_assessed``/``not_applicable``)."""

    low: float | None = None
    high: float | None = None
    status: str | None = None

    def __str__(self) -> str:
        if self.status is not None:
            return self.status
        return f"{_num(self.low)}-{_num(self.high)}"


@dataclass(frozen=True)
class Entry:
    """One repository of the corpus."""

    name: str
    commit: str
    language: str
    kind: str
    reason: str
    expect: Mapping[str, Band] = field(default_factory=dict)
    #: Columns for which "no score" (not assessed or not applicable) is also accepted.
    accept_unscored: frozenset[str] = frozenset()

    @property
    def folder_names(self) -> tuple[str, ...]:
        """Folder names a checkout of this entry may have."""
        owner, _, repo = self.name.partition("/")
        return (f"{owner}+{repo}", f"{owner}__{repo}", repo)


def _band(where: str, column: str, value: Any) -> Band:
    if isinstance(value, str):
        if value not in UNSCORED:
            raise CorpusError(
                f"{where}: expect.{column} = {value!r}: use [low, high] or one of {UNSCORED}"
            )
        return Band(status=value)
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        and 0 <= value[0] <= value[1] <= 100
    ):
        return Band(low=float(value[0]), high=float(value[1]))
    raise CorpusError(f"{where}: expect.{column} must be [low, high] with 0 <= low <= high <= 100")


_FULL_SHA = re.compile(r"[0-9a-f]{40}")
_ENTRY_KEYS = frozenset({"name", "commit", "language", "kind", "reason", "expect", "accept"})


def load_corpus(path: Path) -> list[Entry]:
    """The entries of a corpus file; :class:`CorpusError` with the reason when invalid."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: invalid TOML: {exc}") from None
    repos = data.get("repo")
    if not isinstance(repos, list) or not repos:
        raise CorpusError(f"{path}: no [[repo]] entries")
    entries: list[Entry] = []
    seen: set[str] = set()
    for n, raw in enumerate(repos, 1):
        entry = _entry(path, n, raw)
        if entry.name in seen:
            raise CorpusError(f"{path}: {entry.name}: listed twice")
        seen.add(entry.name)
        entries.append(entry)
    return entries


def _entry(path: Path, n: int, raw: object) -> Entry:
    """One ``[[repo]]`` table, checked key by key."""
    where = f"{path}: repo #{n}"
    if not isinstance(raw, dict):
        raise CorpusError(f"{where}: not a table")
    unknown = set(raw) - _ENTRY_KEYS
    if unknown:
        raise CorpusError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    name = raw.get("name")
    if not isinstance(name, str) or name.count("/") != 1 or not all(name.split("/")):
        raise CorpusError(f"{where}: name must be 'owner/name'")
    where = f"{path}: {name}"
    commit = raw.get("commit", "")
    if not (isinstance(commit, str) and _FULL_SHA.fullmatch(commit)):
        raise CorpusError(f"{where}: commit must be a full 40-hex SHA")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise CorpusError(f"{where}: kind must be one of {', '.join(KINDS)}")
    for key in ("language", "reason"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise CorpusError(f"{where}: {key} is required")
    return Entry(
        name=name,
        commit=commit,
        language=raw["language"].strip(),
        kind=kind,
        reason=" ".join(raw["reason"].split()),
        expect=_expectations(where, raw.get("expect", {})),
        accept_unscored=_unscored(where, raw.get("accept", {})),
    )


def _expectations(where: str, expect_raw: object) -> dict[str, Band]:
    """The ``[repo.expect]`` bands, by column."""
    if not isinstance(expect_raw, dict):
        raise CorpusError(f"{where}: expect must be a table")
    expect: dict[str, Band] = {}
    for column, value in expect_raw.items():
        if column not in COLUMNS:
            raise CorpusError(f"{where}: expect.{column}: unknown; use {', '.join(COLUMNS)}")
        expect[column] = _band(where, column, value)
    return expect


def _unscored(where: str, accept_raw: object) -> frozenset[str]:
    """``accept.unscored``: the columns for which no score is also fine."""
    unscored = accept_raw.get("unscored", []) if isinstance(accept_raw, dict) else None
    if not isinstance(unscored, list) or not all(c in COLUMNS for c in unscored):
        raise CorpusError(f"{where}: accept.unscored must list columns of {', '.join(COLUMNS)}")
    return frozenset(unscored)


# --------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class Cell:
    """One column of one repository: a score, or why there is none."""

    score: float | None
    status: str  # "scored", "not_assessed", "not_applicable" or "absent"

    def __str__(self) -> str:
        if self.score is not None:
            return f"{self.score:.1f}"
        return {"not_assessed": "n/a", "not_applicable": "-", "absent": "?"}[self.status]


@dataclass
class Result:
    """A scored (or failed) checkout, beside its corpus entry."""

    path: Path
    entry: Entry | None
    cells: dict[str, Cell] = field(default_factory=dict)
    commit: str | None = None
    error: str | None = None
    duration_s: float = 0.0
    misses: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The corpus name, or the folder name."""
        return self.entry.name if self.entry else self.path.name


def cells_from_report(report: Any) -> dict[str, Cell]:
    """The score (or the reason it has none) of every skill and of the whole report."""
    cells: dict[str, Cell] = {}
    for skill in report.skills:
        if skill.score is not None:
            cells[skill.id] = Cell(float(skill.score), "scored")
        elif not getattr(skill, "assessed", True):
            cells[skill.id] = Cell(None, "not_assessed")
        else:
            cells[skill.id] = Cell(None, "not_applicable")
    for column in SKILLS:
        cells.setdefault(column, Cell(None, "absent"))
    overall = report.score
    cells["overall"] = Cell(
        float(overall) if overall is not None else None,
        "scored" if overall is not None else "not_assessed",
    )
    return cells


def head_commit(path: Path) -> str | None:
    """The checkout's HEAD commit, read with the scorer's hardened git call."""
    from backend_skills._git import GitError, run_git

    if not (path / ".git").exists():
        return None
    try:
        return run_git(path, ["rev-parse", "HEAD"], 30.0).strip() or None
    except GitError:
        return None


def score_checkout(path: Path, entry: Entry | None, cache_dir: Path | None) -> Result:
    """Score one checkout in-process; a failure is recorded, never raised."""
    import backend_skills

    result = Result(path=path, entry=entry)
    result.commit = head_commit(path)
    options: dict[str, Any] = {"cache": cache_dir is not None}
    if cache_dir is not None:
        options["cache_dir"] = str(cache_dir)
    start = time.perf_counter()
    try:
        report = backend_skills.score(path, isolated=True, **options)
    except Exception as exc:  # one repository's failure must not end the run
        result.error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    else:
        result.cells = cells_from_report(report)
    result.duration_s = time.perf_counter() - start
    return result


def judge(result: Result) -> list[str]:
    """The columns whose cell falls outside the expected band, as readable misses."""
    entry = result.entry
    if entry is None:
        return []
    if result.error is not None:
        return [f"not scored: {result.error}"]
    misses = []
    for column, band in entry.expect.items():
        cell = result.cells.get(column, Cell(None, "absent"))
        if cell.score is None and column in entry.accept_unscored:
            continue
        if band.status is not None:
            if cell.status != band.status:
                misses.append(f"{column}: expected {band.status}, got {cell}")
            continue
        if band.low is None or band.high is None:
            continue  # not reached: a band without a status has both bounds
        if cell.score is None:
            misses.append(f"{column}: expected {band}, got no score ({cell.status})")
        elif not band.low <= cell.score <= band.high:
            misses.append(f"{column}: expected {band}, got {cell.score:.1f}")
    if entry.commit and result.commit and result.commit != entry.commit:
        misses.append(f"checkout is at {result.commit[:12]}, the corpus names {entry.commit[:12]}")
    return misses


# --------------------------------------------------------------------------- rank agreement


@dataclass(frozen=True)
class Rank:
    """How one column orders the (vulnerable, mature) pairs."""

    pairs: int  # pairs where both sides have a score
    right: int  # the vulnerable one scores strictly lower
    ties: int
    unscored: int  # pairs left out because a side has no score

    @property
    def agreement(self) -> float | None:
        """``right / pairs`` (ties count as wrong), or None without a scored pair."""
        return self.right / self.pairs if self.pairs else None


def _pairs(results: Iterable[Result], same_language: bool) -> Iterable[tuple[Result, Result]]:
    """Every (vulnerable, mature) pair of scored repositories (of one language if asked)."""
    scored = [r for r in results if r.entry is not None and r.error is None]
    vulnerable = [r for r in scored if r.entry is not None and r.entry.kind == "vulnerable"]
    mature = [r for r in scored if r.entry is not None and r.entry.kind == "mature"]
    for v in vulnerable:
        for m in mature:
            if v.entry and m.entry and (v.entry.language == m.entry.language or not same_language):
                yield v, m


def rank_agreement(results: Iterable[Result], column: str, *, same_language: bool = False) -> Rank:
    """The share of (vulnerable, mature) pairs whose ``column`` scores are ordered right."""
    pairs = right = ties = unscored = 0
    for v, m in _pairs(results, same_language):
        low, high = v.cells.get(column), m.cells.get(column)
        if low is None or high is None or low.score is None or high.score is None:
            unscored += 1
            continue
        pairs += 1
        if math.isclose(low.score, high.score, abs_tol=0.05):
            ties += 1
        elif low.score < high.score:
            right += 1
    return Rank(pairs=pairs, right=right, ties=ties, unscored=unscored)


# --------------------------------------------------------------------------- output


def _num(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:g}"


def _cell_text(result: Result, column: str) -> str:
    if result.error is not None:
        return "error"
    cell = result.cells.get(column, Cell(None, "absent"))
    text = str(cell)
    band = result.entry.expect.get(column) if result.entry else None
    if band is not None:
        missed = any(m.startswith(f"{column}:") for m in result.misses)
        text += f" [{band}]" + (" MISS" if missed else "")
    return text


def render_table(results: Sequence[Result]) -> str:
    """The per-repository table: every column's score beside its expected band."""
    headers = ["repository", "lang", "kind", *(SHORT[c] for c in COLUMNS)]
    rows = [
        [
            r.label,
            r.entry.language if r.entry else "?",
            r.entry.kind if r.entry else "?",
            *(_cell_text(r, c) for c in COLUMNS),
        ]
        for r in results
    ]
    widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(
        "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in rows
    )
    return "\n".join(lines)


def render_markdown(results: Sequence[Result], missing: Sequence[Entry]) -> str:
    """The table, the rank agreement and the misses as Markdown (for docs/calibration.md)."""
    headers = ["Repository", "Language", "Kind", *(SHORT[c] for c in COLUMNS)]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for r in results:
        cells = [_cell_text(r, c).replace(" MISS", " **miss**") for c in COLUMNS]
        lines.append(
            "| "
            + " | ".join(
                [
                    f"`{r.label}`",
                    r.entry.language if r.entry else "?",
                    r.entry.kind if r.entry else "?",
                    *cells,
                ]
            )
            + " |"
        )
    lines += ["", "| Column | All pairs | Within a language |", "|---|---|---|"]
    for column in COLUMNS:
        lines.append(
            f"| {column} | {_rank_text(rank_agreement(results, column))} | "
            f"{_rank_text(rank_agreement(results, column, same_language=True))} |"
        )
    misses = [f"- `{r.label}`: {m}" for r in results for m in r.misses]
    misses += [f"- `{e.name}`: no checkout found" for e in missing]
    lines += ["", f"Misses: {len(misses)}", "", *misses]
    return "\n".join(lines) + "\n"


def render_ranks(results: Sequence[Result]) -> str:
    """Rank agreement per column, across all pairs and within each language."""
    lines = ["Rank agreement: share of (vulnerable, mature) pairs ordered right"]
    for column in COLUMNS:
        overall = rank_agreement(results, column)
        same = rank_agreement(results, column, same_language=True)
        lines.append(f"  {column:<14} {_rank_text(overall)}; within a language {_rank_text(same)}")
    return "\n".join(lines)


def _rank_text(rank: Rank) -> str:
    if rank.agreement is None:
        return f"no scored pair ({rank.unscored} unscored)"
    text = f"{rank.agreement:.0%} ({rank.right}/{rank.pairs}"
    if rank.ties:
        text += f", {rank.ties} tie(s)"
    if rank.unscored:
        text += f", {rank.unscored} unscored"
    return text + ")"


def render_misses(results: Sequence[Result], missing: Sequence[Entry]) -> str:
    """Every missed expectation, one per line."""
    lines: list[str] = []
    for r in results:
        lines.extend(f"  {r.label}: {m}" for m in r.misses)
    lines.extend(f"  {e.name}: no checkout found" for e in missing)
    count = len(lines)
    return "\n".join([f"Misses: {count}", *lines])


def to_json(results: Sequence[Result], missing: Sequence[Entry]) -> dict[str, Any]:
    """The whole run as JSON-ready data."""

    def rank_json(rank: Rank) -> dict[str, Any]:
        return {
            "pairs": rank.pairs,
            "right": rank.right,
            "ties": rank.ties,
            "unscored": rank.unscored,
            "agreement": None if rank.agreement is None else round(rank.agreement, 4),
        }

    return {
        "repositories": [
            {
                "name": r.label,
                "path": str(r.path),
                "language": r.entry.language if r.entry else None,
                "kind": r.entry.kind if r.entry else None,
                "commit": r.commit,
                "expected_commit": r.entry.commit if r.entry else None,
                "error": r.error,
                "duration_s": round(r.duration_s, 2),
                "scores": {
                    c: {"score": cell.score, "status": cell.status} for c, cell in r.cells.items()
                },
                "expected": {c: str(b) for c, b in (r.entry.expect if r.entry else {}).items()},
                "misses": r.misses,
            }
            for r in results
        ],
        "missing": [e.name for e in missing],
        "rank_agreement": {
            c: {
                "all": rank_json(rank_agreement(results, c)),
                "same_language": rank_json(rank_agreement(results, c, same_language=True)),
            }
            for c in COLUMNS
        },
        "misses": sum(len(r.misses) for r in results) + len(missing),
    }


# --------------------------------------------------------------------------- main


def find_checkout(entry: Entry, checkouts: Path) -> Path | None:
    """The checkout of ``entry`` under ``checkouts``, or None."""
    for folder in entry.folder_names:
        candidate = checkouts / folder
        if candidate.is_dir():
            return candidate
    return None


def match_entry(path: Path, entries: Sequence[Entry]) -> Entry | None:
    """The corpus entry a checkout folder belongs to (by its folder name)."""
    name = path.resolve().name
    for entry in entries:
        if name in entry.folder_names[:2]:
            return entry
    matches = [e for e in entries if e.folder_names[2] == name]
    return matches[0] if len(matches) == 1 else None


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="calibrate.py",
        description="Score checkouts of the calibration corpus and compare with expected bands.",
    )
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="checkouts to score")
    parser.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help=f"corpus file (default: {DEFAULT_CORPUS.relative_to(DEFAULT_CORPUS.parents[1])})",
    )
    parser.add_argument(
        "--checkouts", type=Path, help="folder holding one checkout per corpus entry"
    )
    parser.add_argument("--only", action="append", default=[], help="score only these owner/name")
    parser.add_argument("--json", dest="json_out", help="write the results as JSON ('-': stdout)")
    parser.add_argument("--markdown", help="also write the results as Markdown to this file")
    parser.add_argument("--cache-dir", type=Path, help="use (and fill) this result cache")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when a band is missed or a checkout missing"
    )
    return parser


class UsageError(Exception):
    """A bad command line or corpus: main() prints it and exits 2."""


def _entries(args: argparse.Namespace) -> list[Entry]:
    """The corpus entries to score (``--only`` applied)."""
    corpus_path: Path | None = args.corpus
    if corpus_path is None and (args.checkouts is not None or DEFAULT_CORPUS.is_file()):
        corpus_path = DEFAULT_CORPUS
    try:
        entries = load_corpus(corpus_path) if corpus_path is not None else []
    except CorpusError as exc:
        raise UsageError(str(exc)) from None
    if not args.only:
        return entries
    unknown = set(args.only) - {e.name for e in entries}
    if unknown:
        raise UsageError(f"--only names no corpus entry: {', '.join(sorted(unknown))}")
    return [e for e in entries if e.name in args.only]


def _jobs(
    args: argparse.Namespace, entries: Sequence[Entry]
) -> tuple[list[tuple[Path, Entry | None]], list[Entry]]:
    """The checkouts to score with their entries, and the entries with no checkout."""
    jobs: list[tuple[Path, Entry | None]] = []
    missing: list[Entry] = []
    if args.checkouts is not None:
        if not args.checkouts.is_dir():
            raise UsageError(f"--checkouts {args.checkouts}: not a folder")
        for entry in entries:
            path = find_checkout(entry, args.checkouts)
            if path is None:
                missing.append(entry)
            else:
                jobs.append((path, entry))
    for path in args.paths:
        if not path.is_dir():
            raise UsageError(f"{path}: not a folder")
        jobs.append((path, match_entry(path, entries)))
    return jobs, missing


def _write_outputs(args: argparse.Namespace, results: list[Result], missing: list[Entry]) -> None:
    """The table (or JSON on stdout), and the JSON and Markdown files asked for."""
    if args.json_out == "-":
        print(json.dumps(to_json(results, missing), indent=2))
    else:
        print(
            "\n\n".join(
                [render_table(results), render_ranks(results), render_misses(results, missing)]
            )
        )
        if args.json_out:
            Path(args.json_out).write_text(
                json.dumps(to_json(results, missing), indent=2) + "\n", encoding="utf-8"
            )
    if args.markdown:
        Path(args.markdown).write_text(render_markdown(results, missing), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the calibration; 0 done, 1 misses with --strict, 2 usage or corpus error."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.paths and args.checkouts is None:
        parser.error("give checkout PATHs or --checkouts DIR")
    try:
        jobs, missing = _jobs(args, _entries(args))
    except UsageError as exc:
        print(f"calibrate: {exc}", file=sys.stderr)
        return 2
    results: list[Result] = []
    for path, matched in jobs:
        print(f"scoring {matched.name if matched else path} ...", file=sys.stderr, flush=True)
        result = score_checkout(path, matched, args.cache_dir)
        result.misses = judge(result)
        results.append(result)
    _write_outputs(args, results, missing)
    failed = any(r.misses for r in results) or bool(missing)
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
