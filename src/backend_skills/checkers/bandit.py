"""The ``bandit`` checker: bandit in-process, one file at a time, faithful to its CLI.

For the same files and configuration, the set of (path, line, test id) reported here
equals what ``bandit -r .`` run from the scored root reports (``-c pyproject.toml`` when
the repository has a ``[tool.bandit]`` table). How:

- ``prepare`` resolves the repository's bandit configuration once per run, the way the
  CLI does: the config file (``[tool.bandit]`` in pyproject.toml, the ``configfile`` a
  ``.bandit`` INI file names, or ``config_file`` in our own options), the profile built
  from its ``tests``/``skips`` plus the INI file's ``tests``/``skips``, the ``exclude_dirs``
  and INI ``exclude`` paths (or the CLI's default excludes) and ``ignore-nosec``.
- ``check_file`` runs bandit's own manager and node visitor on one file. bandit keeps
  per-plugin configuration in module globals, so a manager is built once per process and
  options (and rebuilt when the options change); the runner uses processes, never threads.
  ``# nosec`` comments are honoured; the file is tokenized for them only when its bytes
  contain ``nosec`` (same result, less work).

Each bandit test id maps to one criterion of the ``security`` skill (:data:`CRITERION_BY_TEST`).
SQL-injection tests (B608, B610, B611) are reported under ``database.query_safety`` (where
the database analysis reports the same lines, and the runner merges them), or under
``security.injection`` when the database criterion is not in force. Either way they count
in ``security.injection_weighted_per_kloc``, the metric the injection criterion reads.

Hard-coded password findings (B105-B107) carry the literal in bandit's text; the message
is rewritten to say where the secret is, never what it is.
"""

from __future__ import annotations

import io
import json
import re
import tokenize
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as dist_version
from typing import Any, ClassVar

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
from backend_skills.core.runner import _code_kloc
from backend_skills.core.scoring import weighted_findings
from backend_skills.core.suppress import nosec_justification

from ._bandit_config import (
    BanditConfigError,
    BanditOptions,
    bandit_core,
    quiet_logger,
    resolve_options,
)
from ._python import parse_python, utf8_source
from ._redact import redacted_snippet_hash

SKILL = "security"
INJECTION = "security.injection"
CRYPTO = "security.crypto"
SECRETS = "security.secrets"
DESERIALIZATION = "security.deserialization"
CONFIGURATION = "security.configuration"
GENERAL = "security.general"
QUERY_SAFETY = "database.query_safety"

#: Bandit test ids and the criterion each one feeds. Tests not listed (a newer bandit, a
#: third-party bandit plugin) feed ``security.general``.
CRITERION_BY_TEST: Mapping[str, str] = {
    # Injection: code, shell, SQL, templates and markup.
    "B102": INJECTION,  # exec
    "B307": INJECTION,  # eval
    "B308": INJECTION,  # django mark_safe (blacklist)
    "B601": INJECTION,  # paramiko exec_command
    "B602": INJECTION,  # subprocess with shell=True
    "B604": INJECTION,  # any function with shell=True
    "B605": INJECTION,  # os.system and friends (start a shell)
    "B609": INJECTION,  # wildcard injection
    "B608": QUERY_SAFETY,  # SQL built from strings
    "B610": QUERY_SAFETY,  # Django QuerySet.extra
    "B611": QUERY_SAFETY,  # Django RawSQL
    "B701": INJECTION,  # jinja2 autoescape=False
    "B702": INJECTION,  # mako templates (no autoescape)
    "B703": INJECTION,  # django mark_safe
    "B704": INJECTION,  # markupsafe.Markup on untrusted text
    # Cryptography and transport.
    "B303": CRYPTO,  # md5/sha1 (blacklist)
    "B304": CRYPTO,  # insecure ciphers
    "B305": CRYPTO,  # insecure cipher modes
    "B311": CRYPTO,  # random for security
    "B312": CRYPTO,  # telnetlib
    "B321": CRYPTO,  # ftplib
    "B323": CRYPTO,  # unverified SSL context
    "B324": CRYPTO,  # hashlib weak hashes
    "B401": CRYPTO,  # import telnetlib
    "B402": CRYPTO,  # import ftplib
    "B413": CRYPTO,  # import pycrypto
    "B415": CRYPTO,  # import pyghmi (IPMI)
    "B501": CRYPTO,  # requests verify=False
    "B502": CRYPTO,  # bad SSL/TLS version
    "B503": CRYPTO,  # bad SSL/TLS defaults
    "B504": CRYPTO,  # SSL without a version
    "B505": CRYPTO,  # weak key size
    "B507": CRYPTO,  # SSH host key not verified
    "B508": CRYPTO,  # SNMP v1/v2
    "B509": CRYPTO,  # SNMP weak crypto
    # Secrets.
    "B105": SECRETS,
    "B106": SECRETS,
    "B107": SECRETS,
    # Unsafe deserialisation and parsing of untrusted data.
    "B301": DESERIALIZATION,  # pickle
    "B302": DESERIALIZATION,  # marshal
    "B403": DESERIALIZATION,  # import pickle
    "B506": DESERIALIZATION,  # yaml.load
    "B614": DESERIALIZATION,  # torch.load
    "B313": DESERIALIZATION,  # xml parsers (XXE, billion laughs)
    "B314": DESERIALIZATION,
    "B315": DESERIALIZATION,
    "B316": DESERIALIZATION,
    "B317": DESERIALIZATION,
    "B318": DESERIALIZATION,
    "B319": DESERIALIZATION,
    "B320": DESERIALIZATION,
    "B405": DESERIALIZATION,
    "B406": DESERIALIZATION,
    "B407": DESERIALIZATION,
    "B408": DESERIALIZATION,
    "B409": DESERIALIZATION,
    "B410": DESERIALIZATION,
    "B411": DESERIALIZATION,  # xmlrpc
    # Configuration.
    "B104": CONFIGURATION,  # bind all interfaces
    "B113": CONFIGURATION,  # request without timeout
    "B201": CONFIGURATION,  # flask debug=True
    "B412": CONFIGURATION,  # httpoxy
    "B612": CONFIGURATION,  # logging.config.listen
    # General hygiene (everything else bandit knows today).
    "B101": GENERAL,  # assert
    "B103": GENERAL,  # permissive chmod
    "B108": GENERAL,  # hard-coded /tmp
    "B110": GENERAL,  # try/except/pass
    "B112": GENERAL,  # try/except/continue
    "B202": GENERAL,  # tarfile.extractall without filter
    "B306": GENERAL,  # mktemp
    "B310": GENERAL,  # urlopen with any scheme
    "B404": GENERAL,  # import subprocess
    "B603": GENERAL,  # subprocess without a shell
    "B606": GENERAL,  # process started without a shell
    "B607": GENERAL,  # process started with a partial path
    "B613": GENERAL,  # trojan source
    "B615": GENERAL,  # huggingface download without a revision
}

#: Bandit tests whose findings are SQL injection: listed under ``database.query_safety``.
SQL_TESTS = frozenset(t for t, c in CRITERION_BY_TEST.items() if c == QUERY_SAFETY)

INJECTION_METRIC = "security.injection_weighted_per_kloc"
INJECTION_COUNT = "security.injection_count"

_SEVERITY = {"HIGH": Severity.HIGH, "MEDIUM": Severity.MEDIUM, "LOW": Severity.LOW}
_CONFIDENCE = {"HIGH": Confidence.HIGH, "MEDIUM": Confidence.MEDIUM, "LOW": Confidence.LOW}

# bandit's own pattern for names that hold passwords (plugins/general_hardcoded_password).
_PASSWORD_WORDS = "(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)"
_PASSWORD_NAME = re.compile(
    f"(^{_PASSWORD_WORDS}$|_{_PASSWORD_WORDS}_|^{_PASSWORD_WORDS}_|_{_PASSWORD_WORDS}$)",
    re.IGNORECASE,
)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PASSWORD_TEXT = "Possible hardcoded password: "


# --------------------------------------------------------------------------- bandit, per process


class _State:
    """The one bandit manager of this process, and the options it was built for."""

    key: str | None = None
    manager: Any = None


def _inline_config(data: Mapping[str, Any], source: str | None) -> Any:
    """A ``BanditConfig`` from already-read data (no file access in the worker)."""
    BanditConfig = bandit_core().config.BanditConfig

    class InlineConfig(BanditConfig):  # type: ignore[misc, valid-type]  # bandit is untyped
        def __init__(self) -> None:
            self.config_file = source
            self._config = json.loads(json.dumps(dict(data)))
            if source:
                self.validate(source)
                self.convert_legacy_config()
            else:
                self._config["plugin_name_pattern"] = "*.py"
                self._config["include"] = ["*.py", "*.pyw"]
            self._init_settings()

    return InlineConfig()


def _manager(options: Mapping[str, Any]) -> Any:
    """The process's ``BanditManager`` for ``options`` (rebuilt when they change)."""
    BanditManager = bandit_core().manager.BanditManager

    key = json.dumps(
        {k: options.get(k) for k in ("config", "config_source", "tests", "skips", "ignore_nosec")},
        sort_keys=True,
    )
    if _State.key != key:
        config = _inline_config(options.get("config", {}), options.get("config_source"))
        profile = {
            "include": set(options.get("tests", ())),
            "exclude": set(options.get("skips", ())),
        }
        # Building the test set (re)sets bandit's per-plugin configuration globals.
        _State.manager = BanditManager(
            config, "file", profile=profile, quiet=True, ignore_nosec=options.get("ignore_nosec")
        )
        _State.key = key
    return _State.manager


def run_bandit(
    fname: str, data: bytes, options: Mapping[str, Any]
) -> tuple[list[Any], dict[str, Any]]:
    """bandit's per-file step (``BanditManager._parse_file``) on ``data``.

    Returns bandit's issues and facts (``nosec``: findings silenced by ``# nosec``,
    ``errors``: bandit's own error lines). Raises ``SyntaxError`` when the file does not
    parse.
    """
    core = bandit_core()
    meta_ast, metrics = core.meta_ast, core.metrics
    _parse_nosec_comment = core.manager._parse_nosec_comment

    manager = _manager(options)
    manager.results = []
    manager.skipped = []
    manager.metrics = metrics.Metrics()
    manager.b_ma = meta_ast.BanditMetaAst()
    manager.metrics.begin(fname)
    nosec_lines: dict[int, Any] = {}
    with quiet_logger() as log:
        if not manager.ignore_nosec and b"nosec" in data:
            try:
                for toktype, tokval, (lineno, _), _, _ in tokenize.tokenize(
                    io.BytesIO(data).readline
                ):
                    if toktype == tokenize.COMMENT:
                        nosec_lines[lineno] = _parse_nosec_comment(tokval)
            except tokenize.TokenError:
                pass
        manager._execute_ast_visitor(fname, io.BytesIO(data), data, nosec_lines)
    current = manager.metrics.current
    facts: dict[str, Any] = {
        "nosec": int(current.get("nosec", 0)) + int(current.get("skipped_tests", 0)),
        "errors": log.messages,
    }
    kept = list(manager.results)
    if facts["nosec"]:
        # Shown, never counted: what the # nosec comments silenced (a second pass without
        # them, only for files that have such comments).
        seen = {(i.test_id, i.lineno, i.col_offset) for i in kept}
        manager.results = []
        with quiet_logger():
            manager._execute_ast_visitor(fname, io.BytesIO(data), data, {})
        facts["silenced"] = [
            i for i in manager.results if (i.test_id, i.lineno, i.col_offset) not in seen
        ]
    return kept, facts


# --------------------------------------------------------------------------- findings


def _excluded_by(path: str, excluded: Sequence[Sequence[str]]) -> tuple[str, str] | None:
    """The (pattern, source) that excludes ``path`` as bandit's CLI matches them."""
    import fnmatch

    for pattern, source in excluded:
        if fnmatch.fnmatch(path, pattern) or pattern in path:
            return pattern, source
    return None


def _included(path: str, globs: Sequence[str]) -> bool:
    import fnmatch

    return any(fnmatch.fnmatch(path, g) for g in globs)


def _password_name(lines: Sequence[str], value: str) -> str | None:
    """The password-like identifier on the flagged lines (never the value itself)."""
    for line in lines:
        text = line
        if value:
            for quote in ("'", '"'):
                text = text.replace(f"{quote}{value}{quote}", " ")
        for word in _IDENTIFIER.findall(text):
            if _PASSWORD_NAME.search(word):
                return str(word)
    return None


def redact_password_text(test_id: str, text: str, lines: Sequence[str]) -> tuple[str, str]:
    """bandit's B105-B107 text without the secret, and the secret (for fingerprints)."""
    value = _password_value(text)
    name = _password_name(lines, value)
    if name is None or (value and value in name):  # the name would give the value away
        return "Possible hardcoded password (value redacted)", value
    return (
        f"Possible hardcoded password {_password_use(test_id, name, lines)} (value redacted)",
        value,
    )


def _password_value(text: str) -> str:
    """The literal bandit quotes in ``Possible hardcoded password: 'VALUE'`` ("" if none)."""
    if not text.startswith(_PASSWORD_TEXT):
        return ""
    value = text[len(_PASSWORD_TEXT) :]
    if len(value) >= 2 and value[0] == value[-1] == "'":
        value = value[1:-1]
    return value


def _password_use(test_id: str, name: str, lines: Sequence[str]) -> str:
    """How the flagged code uses the password-like name."""
    if test_id == "B106":
        return f"passed as argument '{name}'"
    if test_id == "B107":
        return f"as the default of argument '{name}'"
    if any("==" in line or "!=" in line for line in lines):
        return f"compared with '{name}'"
    return f"assigned to '{name}'"


def _location(issue: Any) -> tuple[int | None, int | None, int | None]:
    """An issue's line, last line (never before its line) and 1-based column."""
    linerange = [n for n in (issue.linerange or []) if isinstance(n, int) and n > 0]
    line = int(issue.lineno) if issue.lineno else None
    end_line = max(linerange) if linerange else line
    if line is not None and end_line is not None:
        end_line = max(end_line, line)
    return line, end_line, _column(issue.col_offset)


def _column(offset: object) -> int | None:
    """bandit's 0-based column offset as a 1-based column (None when unknown)."""
    return offset + 1 if isinstance(offset, int) and offset >= 0 else None


def _finding(issue: Any, path: str, lines: Sequence[str]) -> Finding:
    test_id = str(issue.test_id)
    criterion = CRITERION_BY_TEST.get(test_id, GENERAL)
    message = str(issue.text)
    if criterion == SECRETS:
        message, _ = redact_password_text(test_id, message, lines)
    line, end_line, column = _location(issue)
    cwe = getattr(getattr(issue, "cwe", None), "id", 0) or None
    return Finding(
        checker="bandit",
        rule=test_id,
        skill="database" if criterion == QUERY_SAFETY else SKILL,
        criterion=criterion,
        severity=_SEVERITY.get(str(issue.severity).upper(), Severity.INFO),
        confidence=_CONFIDENCE.get(str(issue.confidence).upper(), Confidence.LOW),
        message=message,
        path=path,
        line=line,
        end_line=end_line,
        column=column,
        cwe=int(cwe) if cwe else None,
    )


def _flagged_lines(issue: Any, lines: Sequence[str]) -> Sequence[str]:
    """The lines an issue spans (its line alone when bandit gives no usable range)."""
    start = max(int(issue.lineno or 1), 1)
    span = [n for n in (issue.linerange or []) if isinstance(n, int) and n > 0] or [start]
    return lines[min(span) - 1 : max(span)]


def _located_finding(issue: Any, path: str, lines: Sequence[str], *, silenced: bool) -> Finding:
    """The finding for one issue, fingerprinted without literals; an issue silenced by
    ``# nosec`` is kept, not counted, with its justification."""
    flagged = _flagged_lines(issue, lines)
    finding = _finding(issue, path, flagged)
    if finding.line and finding.line <= len(lines):
        # Fingerprint without literals: a flagged line may hold a secret.
        finding.snippet_hash = redacted_snippet_hash(lines, finding.line)
    if silenced:
        finding.counted = False
        finding.suppressed = nosec_justification(flagged) or "# nosec"
    return finding


def _failure_reason(file: SourceFile, exc: Exception) -> str:
    """Why bandit did not analyse a file: the syntax error, or bandit's own failure."""
    if isinstance(exc, SyntaxError):
        tree = parse_python(file.text, file.path)
        return tree if isinstance(tree, str) else "syntax error while parsing AST from file"
    first = str(exc).strip().splitlines()
    detail = f": {first[0]}" if first else ""
    return f"bandit failed on this file ({type(exc).__name__}{detail})"


class BanditChecker(FileChecker):
    """bandit, in-process and per file, with the repository's own bandit configuration."""

    name = "bandit"
    languages: ClassVar[frozenset[str]] = frozenset({"python"})
    provides = (INJECTION_METRIC, INJECTION_COUNT)
    feeds = (INJECTION, CRYPTO, SECRETS, DESERIALIZATION, CONFIGURATION, GENERAL, QUERY_SAFETY)
    options_model = BanditOptions

    @property
    def version(self) -> str:
        """The installed bandit's version."""
        try:
            return dist_version("bandit")
        except PackageNotFoundError:
            return "unknown"

    def prepare(self, ctx: CheckContext) -> dict[str, Any]:
        """The repository's bandit configuration, resolved as bandit's CLI resolves it."""
        return resolve_options(ctx)[0]

    def cache_inputs(self, ctx: CheckContext) -> str | None:
        """The discovered files, where the configuration comes from, and with
        ``--config-root`` the configuration read there."""
        inputs = super().cache_inputs(ctx)
        if inputs is None or (ctx.config_root is None and not ctx.isolated):
            return inputs
        try:
            resolved: Any = resolve_options(ctx)
        except BanditConfigError as exc:
            resolved = str(exc)
        return json.dumps([inputs, str(ctx.config_root), ctx.isolated, resolved], sort_keys=True)

    def check_file(self, file: SourceFile, options: Mapping[str, Any]) -> FileResult:
        """Run bandit's tests on one file."""
        fname = "./" + file.path  # what `bandit -r .` sees, for globs and B101's skips
        if not _included(fname, options.get("include", ["*.py"])):
            return FileResult(skipped="not matched by bandit's include patterns")
        hit = _excluded_by(fname, options.get("exclude", ()))
        if hit is not None:
            return FileResult(skipped=f"excluded by bandit configuration ({hit[1]}: {hit[0]!r})")
        try:
            issues, facts = run_bandit(fname, utf8_source(file.text), options)
        except Exception as exc:  # a syntax error, or bandit itself failed on this file
            return FileResult(skipped=_failure_reason(file, exc))
        lines = file.text.splitlines()
        silenced = facts.pop("silenced", [])
        findings = [
            _located_finding(issue, file.path, lines, silenced=index >= len(issues))
            for index, issue in enumerate([*issues, *silenced])
        ]
        return FileResult(findings=findings, data=facts)

    def reduce(self, ctx: CheckContext, results: Mapping[str, FileResult]) -> CheckResult:
        """Route SQL findings, redact fingerprints of secrets, compute the injection metric."""
        _, notes = resolve_options(ctx)
        route_sql = bool(ctx.criteria) and QUERY_SAFETY not in ctx.criteria
        tests = {f.path for f in ctx.fileset.files if f.role is Role.TEST}
        combined = CheckResult(files=len(results))
        tally = _Tally(route_sql=route_sql)
        for path in sorted(results):
            result = results[path]
            if result.skipped is not None:
                combined.skipped.append(Skip(path=path, reason=result.skipped, checker=self.name))
                continue
            # The runner's rule: findings in tests cost nothing unless configured.
            counts = ctx.count_test_findings or path not in tests
            combined.findings.extend(tally.add(path, result, counts))
        combined.notes.extend(notes)
        combined.notes.extend(_run_notes(tally.nosec, tally.routed, tally.errors))
        scanned = sum(1 for r in results.values() if r.skipped is None)
        kloc = _code_kloc(ctx.fileset)
        combined.metrics.extend(_injection_metrics(tally.injection, kloc, scanned))
        return combined


@dataclass
class _Tally:
    """What :meth:`BanditChecker.reduce` gathers from the files' results."""

    route_sql: bool
    """List SQL findings under security.injection (database.query_safety not selected)."""
    nosec: int = 0
    routed: int = 0
    errors: list[str] = field(default_factory=list)
    injection: list[Finding] = field(default_factory=list)
    """Injection findings, ``counted`` as the injection metric counts them."""

    def add(self, path: str, result: FileResult, counts: bool) -> list[Finding]:
        """The file's findings (SQL ones routed); ``counts``: whether they count here."""
        self.nosec += int(result.data.get("nosec", 0))
        self.errors.extend(f"{path}: {e}" for e in result.data.get("errors", ()))
        out: list[Finding] = []
        for finding in result.findings:
            if finding.rule in SQL_TESTS and self.route_sql:
                finding = finding.model_copy(update={"skill": SKILL, "criterion": INJECTION})
                self.routed += 1
            if finding.criterion == INJECTION or finding.rule in SQL_TESTS:
                costs = finding.counted and counts
                self.injection.append(finding.model_copy(update={"counted": costs}))
            out.append(finding)
        return out


def _run_notes(nosec: int, routed: int, errors: Sequence[str]) -> list[str]:
    """Notes on silenced findings, SQL findings listed under security, bandit's errors."""
    notes: list[str] = []
    if nosec:
        notes.append(f"{nosec} bandit finding(s) silenced by # nosec comments")
    if routed:
        notes.append(
            "SQL-injection findings (B608, B610, B611) are listed under security.injection "
            "because database.query_safety is not selected"
        )
    notes.extend(f"bandit error: {e}" for e in errors[:20])
    return notes


def _injection_metrics(injection: Sequence[Finding], kloc: float, scanned: int) -> list[Metric]:
    """The injection density (over ``kloc``, the lines of source code) and count."""
    counted = [f for f in injection if f.counted]
    if kloc > 0:
        density = Metric(
            name=INJECTION_METRIC,
            value=round(weighted_findings(injection) / kloc, 4),
            unit="weighted findings per 1,000 lines",
            files=scanned,
            combine="sum",  # other languages' checkers add theirs (same kloc)
        )
    else:
        density = Metric(
            name=INJECTION_METRIC,
            value=None,
            files=scanned,
            reason="no source code to measure",
        )
    return [
        density,
        Metric(
            name=INJECTION_COUNT,
            value=float(len(counted)),
            unit="findings",
            files=scanned,
            combine="sum",
        ),
    ]


@hookimpl
def backend_skills_checkers() -> Sequence[Checker]:
    """The ``bandit`` checker."""
    return [BanditChecker()]
