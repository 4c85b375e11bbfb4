"""The ``radon`` checker: complexity, maintainability and size of Python source files.

Per file, everything comes from **one** ``ast.parse`` and **one** tokenize pass:

- cyclomatic complexity per function and method: radon's ``ComplexityVisitor`` on the
  tree (what ``radon.complexity.cc_visit_ast`` does; the same visitor also gives the
  file's total complexity for the maintainability index);
- Halstead volume: ``radon.metrics.h_visit_ast`` on the same tree;
- raw metrics (LOC, LLOC, SLOC, comments, multi-line strings, blank lines): our own
  linear counter :func:`raw_metrics`, which gives radon's ``radon.raw.analyze`` numbers
  on normal code (parity is tested) in one tokenize pass. radon's own function
  re-tokenizes a growing buffer for every line of a long statement, which is quadratic:
  minutes on a large literal table;
- the maintainability index: ``radon.metrics.mi_compute`` from those inputs, exactly as
  ``radon mi`` computes it (multi-line strings counted as comments), without the second
  parse ``mi_visit`` would make.

Only files whose role is ``source`` are analysed: tests and migrations do not count
toward complexity, maintainability or size (the report notes how many were left out).
The work per file is bounded: files over ``max_file_bytes`` and files that exceed the
``time_budget_s`` are recorded as skipped with the reason.

Rules (documented in ``docs/server-side.md``): ``BSRAD001`` a function or method ranked
C or worse, ``BSRAD002`` a file with a low maintainability index (rank B or C),
``BSRAD003`` a long function, ``BSRAD004`` a long module.
"""

from __future__ import annotations

import ast
import io
import time
import tokenize
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any, ClassVar, Literal, NamedTuple

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

from ._python import parse_python

SKILL = "server_side"
COMPLEXITY = "server_side.complexity"
WORST_BLOCK = "server_side.worst_block"
MAINTAINABILITY = "server_side.maintainability"
FUNCTION_SIZE = "server_side.function_size"
MODULE_SIZE = "server_side.module_size"

#: Complexity above which a block is ranked C or worse (radon: 1-5 A, 6-10 B, 11-20 C,
#: 21-30 D, 31-40 E, 41+ F).
CC_C_THRESHOLD = 10
#: Maintainability index at or below which a file is ranked B (radon: > 19 A, 10-19 B,
#: <= 9 C).
MI_B_THRESHOLD = 19.0
MI_C_THRESHOLD = 9.0


class RadonOptions(BaseModel):
    """``[tool.backend_skills.checkers.radon]``."""

    model_config = ConfigDict(extra="forbid")

    max_file_bytes: Annotated[int, Field(ge=1)] | None = Field(
        default=None,
        description="Files larger than this are skipped (default: the checker's own limit).",
    )
    time_budget_s: Annotated[float, Field(gt=0)] = Field(
        default=20.0, description="Per-file time budget; a file over it is skipped."
    )
    max_function_sloc: Annotated[int, Field(ge=1)] = Field(
        default=50, description="Functions with more source lines than this are long."
    )
    max_module_sloc: Annotated[int, Field(ge=1)] = Field(
        default=500, description="Modules with more source lines than this are long."
    )


# --------------------------------------------------------------------------- raw metrics


class RawMetrics(NamedTuple):
    """radon's raw metrics of one file (same fields as ``radon.raw.Module``)."""

    loc: int
    lloc: int
    sloc: int
    comments: int
    multi: int
    blank: int
    single_comments: int


class TimeBudgetExceeded(Exception):
    """The per-file time budget ran out."""


_COMMENT = tokenize.COMMENT
_NL = tokenize.NL
_NEWLINE = tokenize.NEWLINE
_OP = tokenize.OP
_STRING = tokenize.STRING
_ENDMARKER = tokenize.ENDMARKER
_IGNORED = frozenset({tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER})
_LINE_BREAKS = frozenset({_NL, _NEWLINE, _ENDMARKER})

_Token = tuple[int, str]


def _logical_lines(tokens: Sequence[_Token]) -> int:
    """Logical lines of one statement chunk, exactly as ``radon.raw._logical`` counts.

    The chunk is split on ``;``; each part counts 0 (only comments and newlines), 1, or
    2 when it holds a ``:`` that is not its last token (``if x: return``). radon applies
    this literally, so ``d = {1: 2}`` also counts 2: we keep its numbers, quirks included.
    """
    total = 0
    start = 0
    for index in range(len(tokens) + 1):
        if index < len(tokens) and not (tokens[index][0] == _OP and tokens[index][1] == ";"):
            continue
        part = [t for t in tokens[start:index] if t[0] not in (_COMMENT, _NL, _NEWLINE)]
        start = index + 1
        total += _part_lines(part)
    return total


def _part_lines(part: Sequence[_Token]) -> int:
    """Logical lines of one ``;``-separated part: 2 with a ``:`` before its last token."""
    for pos in range(len(part) - 1, -1, -1):
        if part[pos][0] == _OP and part[pos][1] == ":":
            return 2 - (pos == len(part) - 2)
    return 1 if any(t[0] not in _LINE_BREAKS for t in part) else 0


def _statement_kind(chunk: Sequence[tokenize.TokenInfo]) -> str:
    """``single`` (a comment line or a one-line string alone), ``docstring`` (a string
    alone over several lines) or ``code``."""
    first = chunk[0]
    if not all(t.type in _LINE_BREAKS for t in chunk[1:]):
        return "code"
    if first.type == _COMMENT or (first.type == _STRING and first.start[0] == first.end[0]):
        return "single"
    return "docstring" if first.type == _STRING else "code"


class _RawCounter:
    """Classifies one statement at a time, as ``radon.raw.analyze`` does."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        if self.lines and self.lines[-1] == "":
            self.lines.pop()
        self.code = bytearray(len(self.lines) + 1)
        self.lloc = self.comments = self.single = self.multi = self.blank = self.sloc = 0
        self.done = 0  # last line already classified

    def statement(self, chunk: Sequence[tokenize.TokenInfo], last: int) -> None:
        """Count the statement made of ``chunk``, which ends on line ``last``."""
        if last <= self.done:
            return
        self.comments += sum(1 for t in chunk if t.type == _COMMENT)
        kind = _statement_kind(chunk)
        if kind == "single":
            self.single += 1  # a comment line, or a one-line docstring
        elif kind == "docstring":
            self._docstring_lines(last)
        else:
            self._code_lines(last)
        self.lloc += _logical_lines([*((t.type, t.string) for t in chunk), (_ENDMARKER, "")])
        self.done = last

    def _docstring_lines(self, last: int) -> None:
        filled = sum(1 for n in range(self.done, last) if self.lines[n].strip())
        self.multi += filled
        self.blank += last - self.done - filled

    def _code_lines(self, last: int) -> None:
        for n in range(self.done, last):
            if self.lines[n].strip():
                self.sloc += 1
                self.code[n + 1] = 1
            else:
                self.blank += 1

    def result(self) -> tuple[RawMetrics, bytearray]:
        """The metrics, after the lines no statement covered (a dangling continuation)."""
        self._code_lines(len(self.lines))
        loc = self.sloc + self.blank + self.multi + self.single
        raw = RawMetrics(
            loc, self.lloc, self.sloc, self.comments, self.multi, self.blank, self.single
        )
        return raw, self.code


_DEPTH = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}


def raw_metrics(text: str, deadline: float | None = None) -> tuple[RawMetrics, bytearray]:
    """radon's raw metrics of ``text`` in one tokenize pass, and which lines are code.

    The second value has one byte per line (index 0 unused): 1 when the line counts as a
    source line (SLOC), 0 for blank, comment-only and docstring lines.

    Statements are delimited from the token stream (a ``NEWLINE`` token, or an ``NL``
    token outside brackets for blank and comment-only lines) and each statement is
    classified as ``radon.raw.analyze`` does. Raises :class:`tokenize.TokenError` or
    :class:`SyntaxError` for text that does not tokenize, and
    :class:`TimeBudgetExceeded` after ``deadline`` (a ``time.perf_counter`` value).
    """
    counter = _RawCounter(text)
    depth = 0
    chunk: list[tokenize.TokenInfo] = []
    count = 0
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        kind = token.type
        if kind in _IGNORED:
            continue
        count += 1
        if deadline is not None and not count & 0xFFF:
            _check_time(deadline)
        if kind == _OP:
            depth += _DEPTH.get(token.string, 0)
        chunk.append(token)
        if kind == _NEWLINE or (kind == _NL and depth <= 0):
            counter.statement(chunk, token.start[0])
            chunk = []
    return counter.result()


# --------------------------------------------------------------------------- ranks


def cc_rank(complexity: int) -> str:
    """radon's letter for a cyclomatic complexity (A best, F worst)."""
    for letter, upper in (("A", 5), ("B", 10), ("C", 20), ("D", 30), ("E", 40)):
        if complexity <= upper:
            return letter
    return "F"


def mi_rank(index: float) -> str:
    """radon's letter for a maintainability index (A > 19, B 10-19, C <= 9)."""
    if index > MI_B_THRESHOLD:
        return "A"
    if index > MI_C_THRESHOLD:
        return "B"
    return "C"


_CC_SEVERITY = {"C": Severity.LOW, "D": Severity.MEDIUM, "E": Severity.HIGH, "F": Severity.HIGH}


# --------------------------------------------------------------------------- the checker


class RadonChecker(FileChecker):
    """Complexity, maintainability index and size of Python source files (radon)."""

    name = "radon"
    languages: ClassVar[frozenset[str]] = frozenset({"python"})
    max_file_bytes: ClassVar[int | None] = 1_000_000
    options_model = RadonOptions
    provides = (
        "radon.cc_share_c_or_worse",
        "radon.cc_worst",
        "radon.cc_mean",
        "radon.blocks",
        "radon.mi_share_low",
        "radon.mi_mean",
        "radon.mi_min",
        "radon.long_function_share",
        "radon.function_sloc_max",
        "radon.long_module_share",
        "radon.module_sloc_max",
        "radon.sloc",
    )
    feeds = (COMPLEXITY, WORST_BLOCK, MAINTAINABILITY, FUNCTION_SIZE, MODULE_SIZE)

    @property
    def version(self) -> str:
        """radon's version."""
        import radon

        return str(radon.__version__)

    def select(self, ctx: CheckContext) -> list[SourceFile]:
        """Python files whose role is ``source`` (tests and migrations do not count)."""
        return [f for f in ctx.fileset.files if f.language == "python" and f.role is Role.SOURCE]

    def prepare(self, ctx: CheckContext) -> dict[str, Any]:
        """The validated options, with the size limit resolved."""
        options = RadonOptions.model_validate(dict(ctx.options)).model_dump()
        if options["max_file_bytes"] is None:
            options["max_file_bytes"] = self.max_file_bytes
        return options

    def check_file(self, file: SourceFile, options: Mapping[str, Any]) -> FileResult:
        """Complexity blocks, maintainability index and raw metrics of one file."""
        opts = RadonOptions.model_validate(dict(options))
        limit = opts.max_file_bytes if opts.max_file_bytes is not None else self.max_file_bytes
        if limit is not None and file.size > limit:
            return FileResult(skipped=f"radon: file larger than {limit} bytes ({file.size} bytes)")
        started = time.perf_counter()
        deadline = started + opts.time_budget_s
        phase = "parsing"
        try:
            tree = parse_python(file.text, file.path)
            if isinstance(tree, str):
                return FileResult(skipped=tree)
            _check_time(deadline)
            phase = "complexity"
            data, findings = _analyse(file, tree, opts, deadline)
        except TimeBudgetExceeded:
            return FileResult(
                skipped=f"radon: time budget of {opts.time_budget_s:g} s exceeded ({phase})",
                transient=True,  # depends on the machine's load: not cached
            )
        except (tokenize.TokenError, SyntaxError, ValueError) as exc:
            return FileResult(skipped=f"radon: cannot tokenize: {type(exc).__name__}")
        except RecursionError:
            return FileResult(skipped="radon: code nested too deeply to analyse")
        return FileResult(findings=findings, data=data)

    def reduce(self, ctx: CheckContext, results: Mapping[str, FileResult]) -> CheckResult:
        """Repository metrics from every analysed file."""
        opts = RadonOptions.model_validate(dict(ctx.options))
        combined = CheckResult(files=len(results))
        blocks: list[list[Any]] = []
        files: list[dict[str, Any]] = []
        for path in sorted(results):
            res = results[path]
            if res.skipped is not None:
                combined.skipped.append(Skip(path=path, reason=res.skipped, checker=self.name))
                continue
            combined.findings.extend(res.findings)
            files.append(res.data)
            blocks.extend(res.data.get("blocks", []))
        combined.metrics.extend(_metrics(files, blocks, opts))
        left_out = [
            f
            for f in ctx.fileset.files
            if f.language == "python" and f.role in (Role.TEST, Role.MIGRATION)
        ]
        if left_out:
            tests = sum(1 for f in left_out if f.role is Role.TEST)
            migrations = len(left_out) - tests
            combined.notes.append(
                f"radon: {tests} test and {migrations} migration files are not counted"
                " toward complexity, maintainability and size"
            )
        if combined.skipped:
            combined.notes.append(
                f"radon: {len(combined.skipped)} source files not analysed (see skipped)"
            )
        return combined


def _check_time(deadline: float) -> None:
    if time.perf_counter() > deadline:
        raise TimeBudgetExceeded


def _function_spans(tree: ast.Module) -> dict[tuple[int, int], int]:
    """(line, column) of every function definition -> its last line."""
    spans: dict[tuple[int, int], int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            spans[(node.lineno, node.col_offset)] = node.end_lineno or node.lineno
    return spans


def _prefix_sums(code: bytearray) -> list[int]:
    """``sums[n]`` is the number of code lines among lines 1..n."""
    sums = [0] * len(code)
    running = 0
    for index in range(1, len(code)):
        running += code[index]
        sums[index] = running
    return sums


def _analyse(
    file: SourceFile, tree: ast.Module, opts: RadonOptions, deadline: float
) -> tuple[dict[str, Any], list[Finding]]:
    from radon.metrics import h_visit_ast, mi_compute
    from radon.visitors import ComplexityVisitor

    visitor = ComplexityVisitor.from_ast(tree)
    _check_time(deadline)
    volume = h_visit_ast(tree).total.volume
    _check_time(deadline)
    raw, code = raw_metrics(file.text, deadline)
    comment_lines = raw.comments + raw.multi  # radon mi counts docstrings as comments
    comment_percent = comment_lines / raw.sloc * 100 if raw.sloc else 0.0
    mi = float(mi_compute(volume, visitor.total_complexity, raw.lloc, comment_percent))
    blocks = _blocks(visitor, tree, code)
    findings = [f for block in blocks for f in _block_findings(file, block, opts)]
    findings += _module_findings(file, mi, raw.sloc, opts)
    data = {"blocks": blocks, "mi": round(mi, 4), "raw": raw._asdict()}
    return data, findings


def _blocks(visitor: Any, tree: ast.Module, code: bytearray) -> list[list[Any]]:
    """``[name, kind, line, end line, complexity, source lines]`` per function."""
    sums = _prefix_sums(code)
    spans = _function_spans(tree)
    blocks: list[list[Any]] = []
    for block in _functions(visitor):
        end = spans.get((block.lineno, block.col_offset), block.endline)
        end = min(max(end, block.lineno), len(code) - 1)
        size = sums[end] - sums[block.lineno - 1] if end >= block.lineno else 0
        kind = "method" if block.is_method else "function"
        blocks.append([block.fullname, kind, block.lineno, end, int(block.complexity), size])
    return blocks


def _block_findings(
    file: SourceFile, block: Sequence[Any], opts: RadonOptions
) -> Iterable[Finding]:
    name, kind, line, end, complexity, size = block
    rank = cc_rank(complexity)
    if complexity > CC_C_THRESHOLD:
        yield _finding(
            file,
            "BSRAD001",
            COMPLEXITY,
            _CC_SEVERITY[rank],
            f"{kind} `{name}` has cyclomatic complexity {complexity} (rank {rank});"
            " split it into smaller functions",
            line,
            end,
        )
    if size > opts.max_function_sloc:
        yield _finding(
            file,
            "BSRAD003",
            FUNCTION_SIZE,
            Severity.LOW,
            f"{kind} `{name}` has {size} source lines (limit {opts.max_function_sloc})",
            line,
            end,
        )


def _module_findings(file: SourceFile, mi: float, sloc: int, opts: RadonOptions) -> list[Finding]:
    findings: list[Finding] = []
    rank = mi_rank(mi)
    if rank != "A":
        findings.append(
            _finding(
                file,
                "BSRAD002",
                MAINTAINABILITY,
                Severity.MEDIUM if rank == "C" else Severity.LOW,
                f"maintainability index {mi:.1f} (rank {rank}): the module is large,"
                " dense or complex; split it",
                None,
                None,
            )
        )
    if sloc > opts.max_module_sloc:
        findings.append(
            _finding(
                file,
                "BSRAD004",
                MODULE_SIZE,
                Severity.LOW,
                f"module has {sloc} source lines (limit {opts.max_module_sloc})",
                None,
                None,
            )
        )
    return findings


def _functions(visitor: Any) -> Iterable[Any]:
    """Functions and methods (radon's blocks without classes), in source order."""
    found = [b for b in visitor.blocks if hasattr(b, "is_method")]
    return sorted(found, key=lambda b: (b.lineno, b.col_offset))


def _finding(
    file: SourceFile,
    rule: str,
    criterion: str,
    severity: Severity,
    message: str,
    line: int | None,
    end_line: int | None,
) -> Finding:
    return Finding(
        checker="radon",
        rule=rule,
        skill=SKILL,
        criterion=criterion,
        severity=severity,
        confidence=Confidence.HIGH,
        message=message,
        path=file.path,
        line=line,
        end_line=end_line,
    )


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


_BLOCK_METRICS = (
    "radon.cc_share_c_or_worse",
    "radon.cc_worst",
    "radon.cc_mean",
    "radon.long_function_share",
    "radon.function_sloc_max",
)


def _block_metrics(blocks: Sequence[Sequence[Any]], opts: RadonOptions, files: int) -> list[Metric]:
    if not blocks:
        why = "no functions or methods in Python source files"
        return [Metric(name=name, value=None, reason=why) for name in _BLOCK_METRICS]
    complexities = [int(b[4]) for b in blocks]
    sizes = [int(b[5]) for b in blocks]
    values = (
        (_share(sum(c > CC_C_THRESHOLD for c in complexities), len(blocks)), "share of functions"),
        (max(complexities), "complexity"),
        (round(sum(complexities) / len(complexities), 2), "complexity"),
        (_share(sum(s > opts.max_function_sloc for s in sizes), len(blocks)), "share of functions"),
        (max(sizes), "lines"),
    )
    return [
        Metric(
            name=name,
            value=value,
            unit=unit,
            files=files,
            combine="max" if name.endswith(("_worst", "_max")) else "mean",
            weight=len(blocks),
        )
        for name, (value, unit) in zip(_BLOCK_METRICS, values, strict=True)
    ]


def _file_metrics(
    files: Sequence[Mapping[str, Any]], opts: RadonOptions, blocks: int
) -> list[Metric]:
    count = len(files)
    mis = [float(f["mi"]) for f in files]
    slocs = [int(f["raw"]["sloc"]) for f in files]
    values = {
        "radon.blocks": (blocks, "functions"),
        "radon.mi_share_low": (
            _share(sum(m <= MI_B_THRESHOLD for m in mis), count),
            "share of files",
        ),
        "radon.mi_mean": (round(sum(mis) / count, 2), "index"),
        "radon.mi_min": (round(min(mis), 2), "index"),
        "radon.long_module_share": (
            _share(sum(s > opts.max_module_sloc for s in slocs), count),
            "share of files",
        ),
        "radon.module_sloc_max": (max(slocs), "lines"),
        "radon.sloc": (sum(slocs), "lines"),
    }
    return [
        Metric(
            name=name,
            value=value,
            unit=unit,
            files=count,
            combine=_COMBINE.get(name, "first"),
            weight=count,
        )
        for name, (value, unit) in values.items()
    ]


#: How the metrics other languages' checkers also produce combine with radon's.
_COMBINE: dict[str, Literal["mean", "sum", "max"]] = {
    "radon.blocks": "sum",
    "radon.long_module_share": "mean",
    "radon.module_sloc_max": "max",
    "radon.sloc": "sum",
}


def _metrics(
    files: Sequence[Mapping[str, Any]], blocks: Sequence[Sequence[Any]], opts: RadonOptions
) -> list[Metric]:
    if not files:
        why = "no Python source files analysed"
        return [Metric(name=name, value=None, reason=why) for name in RadonChecker.provides]
    return _block_metrics(blocks, opts, len(files)) + _file_metrics(files, opts, len(blocks))


@hookimpl
def backend_skills_checkers() -> Sequence[Checker]:
    """The ``radon`` checker."""
    return [RadonChecker()]
