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
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from backend_skills.core.checker import CheckContext, Checker, FileChecker, FileResult
from backend_skills.core.discovery import SourceFile
from backend_skills.core.hookspecs import hookimpl
from backend_skills.core.models import (
    CheckResult,
    Finding,
    Role,
    Skip,
)
from backend_skills.languages._fastre import fast
from backend_skills.languages._index import FileIndex

from ._endpoints_polyglot import polyglot_result
from ._endpoints_polyglot import scan as scan_endpoints
from ._polyglot_findings import (
    cross_file_feeds,
    kept_line_matches,
    measure_findings,
    rule_finding,
    tls_off_weight,
    upgraded,
)
from ._polyglot_metrics import (
    CC_C_THRESHOLD,
    INJECTION,
    INJECTION_COUNT,
    INJECTION_METRIC,
    LABELS,
    NAME,
    QUERY_SAFETY,
    injection_metrics,
    language_notes,
    scalability_metrics,
    server_metrics,
)
from ._polyglot_scalability import CRITERIA as SCALABILITY_CRITERIA
from ._polyglot_scalability import METRICS as SCALABILITY_METRICS
from ._polyglot_scalability import analyse as scalability_facts
from ._polyglot_scalability import metrics as list_config_pool_metrics
from .analyses.authorization import AUTHORIZATION_METRICS

__all__ = [
    "CC_C_THRESHOLD",
    "CODE_LANGUAGES",
    "INJECTION",
    "INJECTION_COUNT",
    "INJECTION_METRIC",
    "LABELS",
    "NAME",
    "QUERY_SAFETY",
    "PolyglotChecker",
    "PolyglotOptions",
    "analyse_source",
]

CODE_LANGUAGES = ("csharp", "go", "java", "javascript", "typescript")
#: Bumped when the per-file data changes shape (cached results without the cross-file
#: taint facts would silently join nothing).
_FACTS_VERSION = "authz-attributes2"
_CONFIG_FILE = re.compile(r"(?:^|/)(?:application|bootstrap)(?:-[\w.-]+)?\.(?:properties|ya?ml)$")


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
        *SCALABILITY_METRICS,
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
        "security.general",
        "scalability.async_blocking",
        "security.authorization",
        "database.nosql",
        "scalability.resilience",
        "scalability.shared_state",
        *SCALABILITY_CRITERIA,
    )

    @property
    def version(self) -> str:
        """Ours, with tree-sitter's (grammar changes move results) and the shape of the
        per-file data."""
        from importlib.metadata import version

        from backend_skills import __version__

        try:
            ts = version("tree-sitter")
        except Exception:  # not installed as a distribution (a source checkout)
            ts = "unknown"
        return f"{__version__}+tree-sitter.{ts}.{_FACTS_VERSION}"

    def select(self, ctx: CheckContext) -> list[SourceFile]:
        """Code files of our languages (not vendored, generated or docs), Spring Boot
        configuration files and committed environment files (``.env``)."""
        chosen = []
        for f in ctx.fileset.files:
            if f.role in (Role.VENDORED, Role.GENERATED, Role.DOCS):
                continue
            if (
                f.language in self.languages
                or f.language == "dotenv"
                or (f.language in ("properties", "yaml") and _CONFIG_FILE.search(f.path))
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
        taint = {p: r.data["taint"] for p, r in results.items() if r.data.get("taint")}
        fed = cross_file_feeds(taint)
        data: list[dict[str, Any]] = []
        endpoint_facts: dict[str, dict[str, Any]] = {}
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
            combined.findings += [_routed(upgraded(f, fed), route_sql) for f in res.findings]
            if "language" in res.data:
                data.append(res.data)
        if data:  # otherwise the other languages' checkers say why there is nothing
            combined.metrics.extend(server_metrics(data, opts))
            combined.metrics.extend(injection_metrics(ctx, combined.findings, roles))
            combined.notes.extend(language_notes(data))
            combined.metrics.extend(scalability_metrics(data, combined.notes))
            combined.metrics.extend(
                list_config_pool_metrics(data, ctx.fileset.files, combined.notes)
            )
        _add_repository_parts(ctx, combined, endpoint_facts)
        return combined


def _routed(finding: Finding, route_sql: bool) -> Finding:
    """SQL findings count in web security when database query safety is not scored."""
    if route_sql and finding.criterion == QUERY_SAFETY:
        return finding.model_copy(update={"skill": "security", "criterion": INJECTION})
    return finding


def _add_repository_parts(
    ctx: CheckContext, combined: CheckResult, endpoint_facts: Mapping[str, Any]
) -> None:
    """Dependency pinning and the endpoint inventory (see docs/security.md)."""
    from ._polyglot_deps import dependency_results

    dep_metrics, dep_findings = dependency_results(ctx.fileset.files)
    combined.metrics.extend(dep_metrics)
    combined.findings.extend(dep_findings)
    if endpoint_facts:
        part = polyglot_result(endpoint_facts, ctx.fileset.files)
        combined.endpoints.extend(part.endpoints)
        combined.findings.extend(part.findings)
        combined.metrics.extend(part.metrics)
        combined.notes.extend(part.notes)


def analyse_source(
    path: str, language: str, text: str, role: Role, opts: PolyglotOptions | None = None
) -> FileResult:
    """Everything the checker finds in one file (pure: used by ``check_file`` and tests)."""
    LANGUAGES, _measure, _parse, PATTERN_RULES, run_line_rules, tree_rules = _machinery()
    lines = text.splitlines()
    if language == "dotenv":  # a committed environment file: its credentials
        from ._dotenv import dotenv_matches

        return FileResult(findings=[rule_finding(path, m, lines) for m in dotenv_matches(text)])
    if language not in LANGUAGES:
        matches = kept_line_matches(run_line_rules(PATTERN_RULES, language, text), lines)
        return FileResult(findings=[rule_finding(path, m, lines) for m in matches])
    spec = LANGUAGES[language]
    source = text.encode("utf-8", "surrogatepass")
    parsed = _parse_and_measure(spec, source, path, role)
    if isinstance(parsed, str):
        return FileResult(skipped=parsed)
    tree, measured, index = parsed
    matches, facts = tree_rules(
        PATTERN_RULES, spec, tree, source, path, facts=role is not Role.TEST, index=index
    )
    data: dict[str, Any] = {"language": language, "role": role.value}
    taint = _taint_data(matches, facts)
    if taint:
        data["taint"] = taint
    matches += kept_line_matches(run_line_rules(PATTERN_RULES, language, text), lines)
    findings = [rule_finding(path, m, lines) for m in matches]
    for position, match in enumerate(matches):
        if match.rule.id == "BSSEC106":
            findings[position] = tls_off_weight(findings[position], match, tree.root_node)
    if measured.parse_errors:
        data["partial"] = measured.parse_errors
    if role is Role.SOURCE:
        findings += measure_findings(path, measured, opts or _DEFAULTS)
        data.update(_source_data(spec, tree, text, measured))
        counts, found = scalability_facts(language, tree.root_node, text, path, index)
        data.update(counts)
        findings += [rule_finding(path, m, lines) for m in found]
    elif role is Role.TEST:
        data.update(tests=measured.tests, without_assert=measured.tests_without_assert)
    return FileResult(findings=findings, data=data)


def _parse_and_measure(
    spec: Any, source: bytes, path: str, role: Role
) -> tuple[Any, Any, FileIndex] | str:
    """The tree, measurements and index of one file, or why it is skipped (one query
    over the tree finds what measuring and the rules need)."""
    _languages, measure, parse, *_ = _machinery()
    if len(source) > 20_000 and len(source) / (source.count(b"\n") + 1) > 500:
        return f"{NAME}: looks minified (average line over 500 characters)"
    try:
        tree = parse(spec, source, path)
        index = FileIndex(spec, spec.grammar_for(path), tree.root_node, source)
        measured = measure(spec, tree, source, path, test_file=role is Role.TEST, found=index.found)
    except RecursionError:
        return f"{NAME}: code nested too deeply to analyse"
    if measured.error_share > 0.5:
        return (
            f"{NAME}: does not parse as {LABELS[spec.name]}"
            f" ({measured.error_share:.0%} of the file in syntax errors)"
        )
    return tree, measured, index


def _taint_data(matches: Sequence[Any], facts: Mapping[str, Any]) -> dict[str, Any]:
    """The file's cross-file taint facts: its hotspots fed by parameters (where their
    findings are) and its calls (empty when there is nothing to join)."""
    sinks = [
        {**m.sink, "rule": m.rule.id, "line": m.line, "column": m.column}
        for m in matches
        if m.sink is not None
    ]
    if not (sinks or facts.get("requests") or facts.get("through")):
        return {}
    return {**facts, "sinks": sinks}


def _source_data(spec: Any, tree: Any, text: str, measured: Any) -> dict[str, Any]:
    """What a source file contributes to the repository's metrics and inventory."""
    data: dict[str, Any] = {}
    endpoints = scan_endpoints(spec.name, tree.root_node, text)
    if endpoints:
        data["endpoints"] = endpoints
    data.update(
        routes=_count(spec.route_markers, text),
        cache=_count(spec.cache_markers, text),
        background=_count(spec.background_markers, text),
        sloc=measured.sloc,
        functions=[[f.line, f.end_line, f.complexity, f.sloc] for f in measured.functions],
        public=measured.public,
        documented=measured.documented,
        slots=measured.slots,
        typed=measured.typed_slots,
        any=measured.any_slots,
    )
    return data


_DEFAULTS = PolyglotOptions()


def _count(regex: str, text: str) -> int:
    return fast(regex).count(text) if regex else 0


@functools.cache
def _machinery() -> tuple[Any, ...]:
    """The language layer and the rules, imported on first use (tree-sitter and the
    grammars load only when a file of these languages is analysed)."""
    from backend_skills.languages import LANGUAGES, measure, parse
    from backend_skills.rules import PATTERN_RULES
    from backend_skills.rules._engine import run_line_rules, tree_rules_and_facts

    return LANGUAGES, measure, parse, PATTERN_RULES, run_line_rules, tree_rules_and_facts


@hookimpl
def backend_skills_checkers() -> Sequence[Checker]:
    """The ``polyglot`` checker."""
    return [PolyglotChecker()]
