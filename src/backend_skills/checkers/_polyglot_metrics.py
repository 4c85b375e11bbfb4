"""The ``polyglot`` checker's repository-level metrics: complexity, sizes, documentation,
typing and tests of the Java, C#, Go, JavaScript and TypeScript code (the same metrics
radon and the Python analyses produce, declaring how they combine with theirs), the
injection density, caching and background-work evidence, and the per-language notes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from backend_skills.core.checker import CheckContext
from backend_skills.core.models import Finding, Metric, Role
from backend_skills.core.scoring import weighted_findings

if TYPE_CHECKING:
    from .polyglot import PolyglotOptions

NAME = "polyglot"
LABELS = {
    "csharp": "C#",
    "go": "Go",
    "java": "Java",
    "javascript": "JavaScript",
    "typescript": "TypeScript",
}
QUERY_SAFETY = "database.query_safety"
INJECTION = "security.injection"
INJECTION_METRIC = "security.injection_weighted_per_kloc"
INJECTION_COUNT = "security.injection_count"
CC_C_THRESHOLD = 10


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _function_metrics(
    functions: Sequence[Sequence[Any]],
    sources: Sequence[Mapping[str, Any]],
    opts: PolyglotOptions,
    why: str,
) -> list[Metric]:
    """Complexity and length of the functions."""
    out: list[Metric] = []
    if functions:
        cc = [int(f[2]) for f in functions]
        size = [int(f[3]) for f in functions]
        n = len(functions)
        out += [
            Metric(
                name="radon.cc_share_c_or_worse",
                value=_share(sum(c > CC_C_THRESHOLD for c in cc), n),
                unit="share of functions",
                files=len(sources),
                combine="mean",
                weight=n,
            ),
            Metric(
                name="radon.cc_worst",
                value=max(cc),
                unit="complexity",
                files=len(sources),
                combine="max",
                weight=n,
            ),
            Metric(
                name="radon.cc_mean",
                value=round(sum(cc) / n, 2),
                unit="complexity",
                files=len(sources),
                combine="mean",
                weight=n,
            ),
            Metric(
                name="radon.long_function_share",
                value=_share(sum(s > opts.max_function_sloc for s in size), n),
                unit="share of functions",
                files=len(sources),
                combine="mean",
                weight=n,
            ),
            Metric(
                name="radon.function_sloc_max",
                value=max(size),
                unit="lines",
                files=len(sources),
                combine="max",
                weight=n,
            ),
        ]
    else:
        out += [
            Metric(name=name, value=None, reason=f"no functions in {why[3:]}")
            for name in (
                "radon.cc_share_c_or_worse",
                "radon.cc_worst",
                "radon.cc_mean",
                "radon.long_function_share",
                "radon.function_sloc_max",
            )
        ]
    return out


def _module_metrics(
    functions: Sequence[Sequence[Any]],
    sources: Sequence[Mapping[str, Any]],
    opts: PolyglotOptions,
    why: str,
) -> list[Metric]:
    """Blocks and module sizes."""
    out: list[Metric] = []
    if sources:
        slocs = [int(d["sloc"]) for d in sources]
        files = len(sources)
        out += [
            Metric(
                name="radon.blocks",
                value=len(functions),
                unit="functions",
                files=files,
                combine="sum",
            ),
            Metric(
                name="radon.long_module_share",
                value=_share(sum(s > opts.max_module_sloc for s in slocs), files),
                unit="share of files",
                files=files,
                combine="mean",
                weight=files,
            ),
            Metric(
                name="radon.module_sloc_max",
                value=max(slocs),
                unit="lines",
                files=files,
                combine="max",
                weight=files,
            ),
            Metric(name="radon.sloc", value=sum(slocs), unit="lines", files=files, combine="sum"),
        ]
    else:
        out += [
            Metric(name=name, value=None, reason=why)
            for name in (
                "radon.blocks",
                "radon.long_module_share",
                "radon.module_sloc_max",
                "radon.sloc",
            )
        ]
    return out


def _coverage_metrics(
    functions: Sequence[Sequence[Any]],
    sources: Sequence[Mapping[str, Any]],
    tests: Sequence[Mapping[str, Any]],
    why: str,
) -> list[Metric]:
    """Annotation, docstring and test coverage."""
    out: list[Metric] = []
    totals = {
        key: sum(int(d.get(key, 0)) for d in sources)
        for key in ("slots", "typed", "public", "documented")
    }
    test_count = sum(int(d.get("tests", 0)) for d in tests)
    out += [
        _ratio(
            "server_side.annotation_coverage",
            totals["typed"],
            totals["slots"],
            len(sources),
            f"no function signatures in {why[3:]}",
        ),
        _ratio(
            "server_side.docstring_coverage",
            totals["documented"],
            totals["public"],
            len(sources),
            f"no public classes or functions in {why[3:]}",
        ),
        _ratio(
            "server_side.test_ratio",
            test_count,
            len(functions),
            len(sources),
            f"no functions in {why[3:]} to test",
            clamp=False,
        ),
        Metric(
            name="server_side.test_functions",
            value=test_count,
            unit="tests",
            files=len(tests),
            combine="sum",
        ),
        Metric(
            name="server_side.test_files",
            value=sum(1 for d in tests if int(d.get("tests", 0))),
            unit="files",
            files=len(tests),
            combine="sum",
        ),
    ]
    return out


def server_metrics(data: Sequence[Mapping[str, Any]], opts: PolyglotOptions) -> list[Metric]:
    sources = [d for d in data if d["role"] == Role.SOURCE.value]
    tests = [d for d in data if d["role"] == Role.TEST.value]
    why = "no Java, C#, Go, JavaScript or TypeScript source files"
    functions = [f for d in sources for f in d["functions"]]
    return [
        *_function_metrics(functions, sources, opts, why),
        *_module_metrics(functions, sources, opts, why),
        *_coverage_metrics(functions, sources, tests, why),
    ]


def _ratio(name: str, part: int, whole: int, files: int, why: str, *, clamp: bool = True) -> Metric:
    if whole == 0:
        return Metric(name=name, value=None, reason=why, files=files)
    value = part / whole
    return Metric(
        name=name,
        value=round(min(value, 1.0) if clamp else value, 4),
        unit="ratio",
        files=files,
        combine="mean",
        weight=whole,
    )


def injection_metrics(
    ctx: CheckContext, findings: Iterable[Finding], roles: Mapping[str, Role]
) -> list[Metric]:
    """Our SQL-injection and injection findings in ``security.injection_weighted_per_kloc``
    (summed with bandit's), counted as the runner counts them (not in tests by default)."""
    from backend_skills.core.runner import _code_kloc

    injection = []
    for f in findings:
        if f.criterion not in (INJECTION, QUERY_SAFETY):
            continue
        in_test = roles.get(f.path) is Role.TEST
        injection.append(f.model_copy(update={"counted": ctx.count_test_findings or not in_test}))
    kloc = _code_kloc(ctx.fileset)
    counted = [f for f in injection if f.counted]
    if kloc <= 0:
        value = Metric(name=INJECTION_METRIC, value=None, reason="no source code to measure")
    else:
        value = Metric(
            name=INJECTION_METRIC,
            value=round(weighted_findings(injection) / kloc, 4),
            unit="weighted findings per 1,000 lines",
            combine="sum",
        )
    return [
        value,
        Metric(name=INJECTION_COUNT, value=float(len(counted)), unit="findings", combine="sum"),
    ]


def scalability_metrics(data: Sequence[Mapping[str, Any]], notes: list[str]) -> list[Metric]:
    """Caching and background-work evidence, summed with the Python analyses' (only for
    a service: request handlers, or the evidence itself)."""
    sources = [d for d in data if d["role"] == Role.SOURCE.value]
    totals = {k: sum(int(d.get(k, 0)) for d in sources) for k in ("routes", "cache", "background")}
    if not any(totals.values()):
        return []
    notes.append(
        f"{NAME}: {totals['routes']} request handlers, {totals['cache']} cache sites,"
        f" {totals['background']} background-work sites"
    )
    return [
        Metric(
            name="scalability.cache_evidence",
            value=totals["cache"],
            unit="sites",
            files=len(sources),
            combine="sum",
        ),
        Metric(
            name="scalability.background_evidence",
            value=totals["background"],
            unit="sites",
            files=len(sources),
            combine="sum",
        ),
    ]


def language_notes(data: Sequence[Mapping[str, Any]]) -> list[str]:
    per: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for d in data:
        lang = per[d["language"]]
        if d["role"] == Role.SOURCE.value:
            lang["files"] += 1
            lang["sloc"] += int(d["sloc"])
            lang["functions"] += len(d["functions"])
            lang["complex"] += sum(1 for f in d["functions"] if int(f[2]) > CC_C_THRESHOLD)
            lang["slots"] += int(d["slots"])
            lang["any"] += int(d["any"])
            lang["typed"] += int(d["typed"])
        else:
            lang["tests"] += int(d.get("tests", 0))
    notes = []
    for language in sorted(per):
        v = per[language]
        notes.append(
            f"{NAME}: {LABELS[language]}: {v['files']} source files, {v['sloc']} source lines,"
            f" {v['functions']} functions ({v['complex']} above complexity {CC_C_THRESHOLD}),"
            f" {v['tests']} tests"
        )
    js = per.get("javascript", {}).get("sloc", 0)
    ts = per.get("typescript", {}).get("sloc", 0)
    if js + ts:
        slots = per.get("javascript", {}).get("slots", 0) + per.get("typescript", {}).get(
            "slots", 0
        )
        anys = per.get("typescript", {}).get("any", 0)
        notes.append(
            f"{NAME}: TypeScript is {ts / (js + ts):.0%} of the JavaScript/TypeScript source lines;"
            f" {anys} of {slots} parameters are typed `any`"
        )
    return notes
