"""The ``polyglot`` checker: Java, C#, Go, JavaScript and TypeScript through tree-sitter.

Per file (cached by content, spread over the process pool like every file checker),
one tree-sitter parse feeds:

- the measurements of :func:`backend_skills.languages.measure`: functions with their
  cyclomatic complexity and size, file size, documentation comments on the public API,
  tests (in test files), typed parameter slots (JavaScript/TypeScript), and the
  error-handling rules ``BSSRV101``-``BSSRV103``;
- every pattern rule of :mod:`backend_skills.rules` for the file's language (security:
  ``BSSEC101``-``BSSEC113``).

Spring Boot configuration files (``application*.properties``/``.yml``) are read line by
line for the configuration rules.

The repository-level ``reduce`` produces the *same metrics* radon and the Python
analyses produce (``radon.cc_share_c_or_worse``, ``server_side.test_ratio``, ...), each
declaring how it combines with theirs (weighted by functions, files or signature slots;
maxima and sums), so that the server-side criteria score every language read, weighted
by how much code each has. Only files whose role is ``source`` count toward complexity,
size, documentation and typing; test files count tests; rules run on every role but
docs (the runner counts findings in tests as it always does).
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from backend_skills.core.checker import CheckContext, Checker, FileChecker, FileResult
from backend_skills.core.discovery import SourceFile
from backend_skills.core.hookspecs import hookimpl
from backend_skills.core.models import (
    CheckResult,
    Confidence,
    Finding,
    Metric,
    Role,
    Severity,
    Skip,
)
from backend_skills.core.scoring import weighted_findings
from backend_skills.languages._common import required_words

from ._endpoints_polyglot import polyglot_result
from ._endpoints_polyglot import scan as scan_endpoints
from ._redact import redacted_snippet_hash
from .analyses._secret_names import credential_weight
from .analyses.authorization import AUTHORIZATION_METRICS

NAME = "polyglot"
CODE_LANGUAGES = ("csharp", "go", "java", "javascript", "typescript")
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
_CONFIG_FILE = re.compile(r"(?:^|/)(?:application|bootstrap)(?:-[\w.-]+)?\.(?:properties|ya?ml)$")
_SEVERITY_BY_CC = ((30, Severity.HIGH), (20, Severity.MEDIUM), (10, Severity.LOW))
_LOWER = {
    Severity.CRITICAL: Severity.HIGH,
    Severity.HIGH: Severity.MEDIUM,
    Severity.MEDIUM: Severity.LOW,
    Severity.LOW: Severity.LOW,
    Severity.INFO: Severity.INFO,
}


class PolyglotOptions(BaseModel):
    """``[tool.backend_skills.checkers.polyglot]``."""

    model_config = ConfigDict(extra="forbid")

    max_file_bytes: Annotated[int, Field(ge=1)] = Field(
        default=1_000_000, description="Files larger than this are skipped with the reason."
    )
    max_function_sloc: Annotated[int, Field(ge=1)] = Field(
        default=50, description="Functions with more source lines than this are long."
    )
    max_module_sloc: Annotated[int, Field(ge=1)] = Field(
        default=500, description="Files with more source lines than this are long."
    )


class PolyglotChecker(FileChecker):
    """Server-side measurements and security rules for the tree-sitter languages."""

    name = NAME
    languages: ClassVar[frozenset[str]] = frozenset(CODE_LANGUAGES)
    max_file_bytes: ClassVar[int | None] = 1_000_000
    options_model = PolyglotOptions
    provides = (
        "radon.cc_share_c_or_worse",
        "radon.cc_worst",
        "radon.cc_mean",
        "radon.blocks",
        "radon.long_function_share",
        "radon.function_sloc_max",
        "radon.long_module_share",
        "radon.module_sloc_max",
        "radon.sloc",
        "server_side.annotation_coverage",
        "server_side.docstring_coverage",
        "server_side.test_ratio",
        "server_side.test_functions",
        "server_side.test_files",
        INJECTION_METRIC,
        INJECTION_COUNT,
        "security.dependency_risk_pct",
        "security.dependencies_declared",
        "scalability.cache_evidence",
        "scalability.background_evidence",
        *AUTHORIZATION_METRICS,
    )
    feeds = (
        "server_side.complexity",
        "server_side.function_size",
        "server_side.module_size",
        "server_side.error_handling",
        QUERY_SAFETY,
        INJECTION,
        "security.crypto",
        "security.secrets",
        "security.deserialization",
        "security.configuration",
        "security.dependencies",
        "scalability.async_blocking",
        "security.authorization",
        "database.nosql",
        "scalability.resilience",
        "scalability.shared_state",
    )

    @property
    def version(self) -> str:
        """Ours, with tree-sitter's (grammar changes move results)."""
        from importlib.metadata import version

        from backend_skills import __version__

        try:
            ts = version("tree-sitter")
        except Exception:  # not installed as a distribution (a source checkout)
            ts = "unknown"
        return f"{__version__}+tree-sitter.{ts}"

    def select(self, ctx: CheckContext) -> list[SourceFile]:
        """Code files of our languages (not vendored, generated or docs) and Spring Boot
        configuration files."""
        chosen = []
        for f in ctx.fileset.files:
            if f.role in (Role.VENDORED, Role.GENERATED, Role.DOCS):
                continue
            if f.language in self.languages or (
                f.language in ("properties", "yaml") and _CONFIG_FILE.search(f.path)
            ):
                chosen.append(f)
        return chosen

    def prepare(self, ctx: CheckContext) -> dict[str, Any]:
        """The validated options."""
        return PolyglotOptions.model_validate(dict(ctx.options)).model_dump()

    def check_file(self, file: SourceFile, options: Mapping[str, Any]) -> FileResult:
        """Parse once; measure and run the rules of the file's language."""
        opts = PolyglotOptions.model_validate(dict(options))
        if file.size > opts.max_file_bytes:
            return FileResult(
                skipped=f"{NAME}: file larger than {opts.max_file_bytes} bytes ({file.size} bytes)"
            )
        return analyse_source(file.path, file.language, file.text, file.role, opts)

    def reduce(self, ctx: CheckContext, results: Mapping[str, FileResult]) -> CheckResult:
        """Metrics per language, combined into the shared server-side metrics."""
        opts = PolyglotOptions.model_validate(dict(ctx.options))
        combined = CheckResult(files=len(results))
        route_sql = bool(ctx.criteria) and QUERY_SAFETY not in ctx.criteria
        roles = {f.path: f.role for f in ctx.fileset.files}
        data: list[dict[str, Any]] = []
        endpoint_facts: dict[str, dict[str, Any]] = {}
        taint = {p: r.data["taint"] for p, r in results.items() if r.data.get("taint")}
        fed = _cross_file_feeds(taint)
        for path in sorted(results):
            res = results[path]
            if res.skipped is not None:
                combined.skipped.append(Skip(path=path, reason=res.skipped, checker=NAME))
                continue
            if res.data.get("endpoints"):
                endpoint_facts[path] = res.data["endpoints"]
            if res.data.get("partial"):
                combined.notes.append(
                    f"{NAME}: {path} parsed with {res.data['partial']} syntax error(s);"
                    " measured what parsed"
                )
            for finding in res.findings:
                finding = _upgraded(finding, fed)
                if route_sql and finding.criterion == QUERY_SAFETY:
                    finding = finding.model_copy(
                        update={"skill": "security", "criterion": INJECTION}
                    )
                combined.findings.append(finding)
            if "language" in res.data:
                data.append(res.data)
        if data:  # otherwise the other languages' checkers say why there is nothing
            combined.metrics.extend(_server_metrics(data, opts))
            combined.metrics.extend(_injection_metrics(ctx, combined.findings, roles))
            combined.notes.extend(_notes(data))
            combined.metrics.extend(_scalability_metrics(data, combined.notes))
        from ._polyglot_deps import dependency_results

        dep_metrics, dep_findings = dependency_results(ctx.fileset.files)
        combined.metrics.extend(dep_metrics)
        combined.findings.extend(dep_findings)
        if endpoint_facts:  # the endpoint inventory (see docs/security.md)
            part = polyglot_result(endpoint_facts, ctx.fileset.files)
            combined.endpoints.extend(part.endpoints)
            combined.findings.extend(part.findings)
            combined.metrics.extend(part.metrics)
            combined.notes.extend(part.notes)
        return combined


def analyse_source(
    path: str, language: str, text: str, role: Role, opts: PolyglotOptions | None = None
) -> FileResult:
    """Everything the checker finds in one file (pure: used by ``check_file`` and tests)."""
    LANGUAGES, measure, parse, PATTERN_RULES, run_line_rules, tree_rules = _machinery()
    opts = opts or _DEFAULTS
    lines = text.splitlines()
    if language not in LANGUAGES:
        matches = run_line_rules(PATTERN_RULES, language, text)
        return FileResult(findings=[_rule_finding(path, m, lines) for m in matches])
    spec = LANGUAGES[language]
    source = text.encode("utf-8", "surrogatepass")
    if len(source) > 20_000 and len(source) / (source.count(b"\n") + 1) > 500:
        return FileResult(skipped=f"{NAME}: looks minified (average line over 500 characters)")
    try:
        tree = parse(spec, source, path)
        measured = measure(spec, tree, source, path, test_file=role is Role.TEST)
    except RecursionError:
        return FileResult(skipped=f"{NAME}: code nested too deeply to analyse")
    if measured.error_share > 0.5:
        return FileResult(
            skipped=f"{NAME}: does not parse as {LABELS[language]}"
            f" ({measured.error_share:.0%} of the file in syntax errors)"
        )
    findings: list[Finding] = []
    matches, facts = tree_rules(
        PATTERN_RULES, spec, tree, source, path, facts=role is not Role.TEST
    )
    sinks = [
        {**m.sink, "rule": m.rule.id, "line": m.line, "column": m.column}
        for m in matches
        if m.sink is not None
    ]
    matches += run_line_rules(PATTERN_RULES, language, text)
    findings += [_rule_finding(path, m, lines) for m in matches]
    data: dict[str, Any] = {"language": language, "role": role.value}
    if role is not Role.TEST and (sinks or facts.get("requests") or facts.get("through")):
        data["taint"] = {**facts, "sinks": sinks}
    if measured.parse_errors:
        data["partial"] = measured.parse_errors
    if role is Role.SOURCE:
        findings += _measure_findings(path, measured, opts)
        endpoints = scan_endpoints(language, tree.root_node, text)
        if endpoints:
            data["endpoints"] = endpoints
        data.update(
            routes=_count(spec.route_markers, text),
            cache=_count(spec.cache_markers, text),
            background=_count(spec.background_markers, text),
        )
        data.update(
            sloc=measured.sloc,
            functions=[[f.line, f.end_line, f.complexity, f.sloc] for f in measured.functions],
            public=measured.public,
            documented=measured.documented,
            slots=measured.slots,
            typed=measured.typed_slots,
            any=measured.any_slots,
        )
    elif role is Role.TEST:
        data.update(tests=measured.tests, without_assert=measured.tests_without_assert)
    return FileResult(findings=findings, data=data)


_DEFAULTS = PolyglotOptions()


@functools.cache
def _compiled(regex: str) -> re.Pattern[str]:
    return re.compile(regex)


def _count(regex: str, text: str) -> int:
    if not regex:
        return 0
    words = required_words(regex)
    if words is not None and not any(w in text for w in words):
        return 0
    return sum(1 for _ in _compiled(regex).finditer(text))


@functools.cache
def _machinery() -> tuple[Any, ...]:
    """The language layer and the rules, imported on first use (tree-sitter and the
    grammars load only when a file of these languages is analysed)."""
    from backend_skills.languages import LANGUAGES, measure, parse
    from backend_skills.rules import PATTERN_RULES
    from backend_skills.rules._engine import run_line_rules, tree_rules_and_facts

    return LANGUAGES, measure, parse, PATTERN_RULES, run_line_rules, tree_rules_and_facts


def _rule_finding(path: str, match: Any, lines: Sequence[str]) -> Finding:
    rule = match.rule
    severity, confidence = rule.severity, rule.confidence
    message = rule.message.format(name=match.name or "?") if rule.message else rule.title
    if rule.id == "BSSEC109":  # weighed as Python's BSSEC001 (docs/security.md)
        severity, confidence = credential_weight(match.name, match.secret, severity, confidence)
    if match.exploitable is True:
        message += ", with request input in the same function"
    elif match.exploitable is False:
        severity, confidence = _LOWER[severity], Confidence.MEDIUM
        message += " (hotspot: no request input seen in this function; review it)"
    finding = Finding(
        checker=NAME,
        rule=rule.id,
        skill=rule.skill,
        criterion=rule.criterion,
        severity=severity,
        confidence=confidence,
        message=message,
        path=path,
        line=match.line,
        end_line=match.end_line,
        column=match.column,
        cwe=rule.cwe,
    )
    if rule.criterion == "security.secrets" or match.secret:
        secrets = [match.secret] if match.secret else []
        finding.snippet_hash = redacted_snippet_hash(lines, match.line, secrets)
    return finding


def _cross_file_feeds(taint: Mapping[str, Mapping[str, Any]]) -> dict[Any, Any]:
    from backend_skills.rules._taint_join import join

    return join(taint) if taint else {}


def _upgraded(finding: Finding, fed: Mapping[Any, Any]) -> Finding:
    """A taint rule's hotspot fed with request input from another file: the vulnerability
    (the rule's severity and confidence), naming where the input comes from."""
    feed = fed.get((finding.path, finding.rule, finding.line, finding.column))
    if feed is None:
        return finding
    from backend_skills.rules import get

    rule = get(finding.rule)
    message = finding.message.split(" (hotspot:", 1)[0]
    return finding.model_copy(
        update={
            "severity": rule.severity,
            "confidence": rule.confidence,
            "message": f"{message}, with request input passed from {feed.describe()}",
        }
    )


def _measure_findings(path: str, measured: Any, opts: PolyglotOptions) -> list[Finding]:
    from backend_skills.rules import get

    findings: list[Finding] = []
    for function in measured.functions:
        if function.complexity > CC_C_THRESHOLD:
            severity = next(s for limit, s in _SEVERITY_BY_CC if function.complexity > limit)
            findings.append(
                _measured(
                    path,
                    "BSSRV110",
                    f"function `{function.name}` has cyclomatic complexity {function.complexity};"
                    " split it into smaller functions",
                    function.line,
                    function.end_line,
                    severity,
                )
            )
        if function.sloc > opts.max_function_sloc:
            findings.append(
                _measured(
                    path,
                    "BSSRV111",
                    f"function `{function.name}` has {function.sloc} source lines"
                    f" (limit {opts.max_function_sloc})",
                    function.line,
                    function.end_line,
                )
            )
    if measured.sloc > opts.max_module_sloc:
        findings.append(
            _measured(
                path,
                "BSSRV112",
                f"file has {measured.sloc} source lines (limit {opts.max_module_sloc})",
                1,
                None,
            )
        )
    for issue in measured.issues:
        rule = get(issue.rule)
        findings.append(
            _measured(
                path,
                issue.rule,
                rule.message.format(name=issue.detail or "?"),
                issue.line,
                issue.end_line,
                column=issue.column,
            )
        )
    return findings


def _measured(
    path: str,
    rule_id: str,
    message: str,
    line: int,
    end_line: int | None,
    severity: Severity | None = None,
    column: int | None = None,
) -> Finding:
    from backend_skills.rules import get

    rule = get(rule_id)
    return Finding(
        checker=NAME,
        rule=rule_id,
        skill=rule.skill,
        criterion=rule.criterion,
        severity=severity or rule.severity,
        confidence=rule.confidence,
        message=message,
        path=path,
        line=line,
        end_line=end_line,
        column=column,
        cwe=rule.cwe,
    )


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


def _server_metrics(data: Sequence[Mapping[str, Any]], opts: PolyglotOptions) -> list[Metric]:
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


def _injection_metrics(
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


def _scalability_metrics(data: Sequence[Mapping[str, Any]], notes: list[str]) -> list[Metric]:
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


def _notes(data: Sequence[Mapping[str, Any]]) -> list[str]:
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


@hookimpl
def backend_skills_checkers() -> Sequence[Checker]:
    """The ``polyglot`` checker."""
    return [PolyglotChecker()]
