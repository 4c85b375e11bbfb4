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

import functools
import io
import json
import logging
import os
import posixpath
import re
import tokenize
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as dist_version
from pathlib import Path
from typing import Any, ClassVar

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
from backend_skills.core.runner import _code_kloc
from backend_skills.core.scoring import weighted_findings
from backend_skills.core.suppress import nosec_justification

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

#: What ``bandit -r`` excludes when neither ``-x`` nor a ``.bandit`` ``exclude`` is given.
CLI_DEFAULT_EXCLUDES = (
    ".svn",
    "CVS",
    ".bzr",
    ".hg",
    ".git",
    "__pycache__",
    ".tox",
    ".eggs",
    "*.egg",
)

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


class BanditConfigError(ValueError):
    """The repository's bandit configuration is unusable (bandit's CLI would refuse it)."""


class BanditOptions(BaseModel):
    """``[tool.backend_skills.checkers.bandit]``."""

    model_config = ConfigDict(extra="forbid")

    config_file: str | None = Field(
        default=None,
        description="bandit config file relative to the root (YAML, or TOML with [tool.bandit]), "
        "as given to `bandit -c`. Default: pyproject.toml when it has [tool.bandit].",
    )
    tests: list[str] = Field(default_factory=list, description="Only these tests (bandit -t).")
    skips: list[str] = Field(default_factory=list, description="Skip these tests (bandit -s).")
    ignore_nosec: bool = Field(
        default=False, description="Do not honour # nosec (bandit --ignore-nosec)."
    )


# --------------------------------------------------------------------------- configuration


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage().strip().splitlines()
        if text:
            self.messages.append(text[0])


@contextmanager
def _quiet(name: str = "bandit") -> Iterator[_Collect]:
    """Keep a library's log lines off the user's terminal; collect its errors."""
    logger = logging.getLogger(name)
    handler = _Collect()
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


@functools.cache
def _bandit() -> Any:
    """``bandit.core``, imported once, without the deprecation warnings its plugin
    loader (stevedore) prints on import."""
    import warnings

    with warnings.catch_warnings(), _quiet("stevedore"), _quiet("bandit"):
        # stevedore logs an error for every bandit formatter whose extra is not
        # installed (e.g. sarif); we use none of them.
        warnings.simplefilter("ignore", DeprecationWarning)
        from bandit import core
        from bandit.core import config, extension_loader, manager, meta_ast, metrics

    del config, extension_loader, manager, meta_ast, metrics  # now attributes of core
    return core


def _split_list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


#: Largest bandit configuration file read (bytes).
MAX_CONFIG_BYTES = 256 * 1024
#: Top-level keys of a bandit config file besides the plugins' own tables.
CONFIG_KEYS = frozenset(
    {
        "tests",
        "skips",
        "exclude_dirs",
        "include",
        "profiles",
        "blacklist_calls",
        "blacklist_imports",
    }
)


def _config_base(ctx: CheckContext) -> Path | None:
    """Where bandit's configuration is read from: the scored root, the trusted
    ``--config-root`` checkout, or nowhere (``--isolated``)."""
    if ctx.config_root is not None:
        return ctx.config_root.resolve()
    return None if ctx.isolated else ctx.root


def _config_text(ctx: CheckContext, rel: str, explicit: bool = False) -> str | None:
    """The text of the config file ``rel``: a discovered file of the scored tree, or a
    regular file inside ``--config-root`` (never through a symlink, never over
    :data:`MAX_CONFIG_BYTES`). None when there is none."""
    base = _config_base(ctx) or (ctx.root if explicit else None)
    if base is None:
        return None
    if base == ctx.root:
        known = ctx.fileset.get(rel)
        if known is not None:
            if known.size > MAX_CONFIG_BYTES:
                raise BanditConfigError(
                    f"bandit config file {rel!r} is larger than {MAX_CONFIG_BYTES // 1024} KB"
                )
            return known.text
    path = base / rel
    inside = _inside(base, rel)
    if inside is None or path.is_symlink() or not path.is_file():
        return None
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise BanditConfigError(
                f"bandit config file {rel!r} is larger than {MAX_CONFIG_BYTES // 1024} KB"
            )
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BanditConfigError(f"cannot read bandit config file {rel!r}: {exc}") from None


def _find_ini(ctx: CheckContext, notes: list[str]) -> tuple[dict[str, str], str | None]:
    """The ``[bandit]`` section of the repository's ``.bandit`` file, as the CLI finds it."""
    import configparser

    if ctx.config_root is not None:
        text = _config_text(ctx, ".bandit")
        found_path = ".bandit"
    elif ctx.isolated:
        return {}, None
    else:
        found = [f for f in ctx.fileset.files if f.name == ".bandit"]
        if not found:
            return {}, None
        if len(found) > 1:
            root_level = [f for f in found if f.path == ".bandit"]
            if not root_level:
                notes.append(
                    "several .bandit files and none at the root: none used "
                    f"({', '.join(f.path for f in found)})"
                )
                return {}, None
            found = root_level
        found_path = found[0].path
        text = _config_text(ctx, found_path)
    if text is None:
        return {}, None
    # No interpolation: "%(a)s%(a)s..." ten levels deep is a ten-billion-character bomb.
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=found_path)
        return dict(parser.items("bandit")), found_path
    except (configparser.Error, KeyError):
        notes.append(f"{found_path}: not an INI file with a [bandit] section; ignored")
        return {}, None


def _inside(root: Path, rel: str) -> Path | None:
    path = (root / rel).resolve()
    return path if path.is_relative_to(root.resolve()) else None


def _safe_yaml(text: str) -> Any:
    """``yaml.safe_load`` without aliases: a 1 KB file of nested aliases expands to
    gigabytes once copied, so an alias is an error."""
    import yaml

    class Loader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()  # type: ignore[no-untyped-call]  # yaml's stubs
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    "YAML aliases (*name) are not accepted in a bandit configuration",
                    event.start_mark,
                )
            return super().compose_node(parent, index)

    return yaml.load(text, Loader=Loader)  # a SafeLoader subclass


def _read_config_file(ctx: CheckContext, rel: str, explicit: bool = False) -> dict[str, Any]:
    """The bandit configuration in ``rel`` (TOML: its ``[tool.bandit]``; else YAML).

    ``explicit``: named by our own settings (``config_file``), read even with
    ``--isolated`` (from the scored root: the settings that name it are trusted)."""
    rel = posixpath.normpath(rel.replace(os.sep, "/")).removeprefix("./")
    text = _config_text(ctx, rel, explicit)
    if text is None:
        raise BanditConfigError(f"bandit config file {rel!r} not found in the repository")
    import yaml  # 8 ms to import: only when there is a YAML config to read

    try:
        if rel.endswith(".toml"):
            data: Any = tomllib.loads(text).get("tool", {}).get("bandit", {})
        else:
            data = _safe_yaml(text)
        # Round-trip through JSON: the prepared options are part of the cache key.
        data = json.loads(json.dumps(data, default=str)) if isinstance(data, dict) else data
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if isinstance(exc, yaml.MarkedYAMLError) and exc.problem:
            mark = exc.problem_mark
            first = exc.problem + (f" (line {mark.line + 1})" if mark is not None else "")
        raise BanditConfigError(
            f"bandit config file {rel!r} does not parse: {' '.join(first.split())[:160]}"
        ) from None
    except RecursionError:
        raise BanditConfigError(f"bandit config file {rel!r} is nested too deeply") from None
    if not isinstance(data, dict):
        raise BanditConfigError(f"bandit config file {rel!r} is not a mapping")
    return dict(data)


def _allowed_config(data: Mapping[str, Any], source: str, notes: list[str]) -> dict[str, Any]:
    """The keys of a bandit config an untrusted repository may set: test selection,
    excludes and includes, and the options of bandit's own plugins. Others (legacy
    ``plugin_name_pattern``, ``plugins_dir``, ``log_format``...) are dropped, with a note."""
    plugins = {
        str(getattr(p.plugin, "_takes_config", ""))
        for p in _bandit().extension_loader.MANAGER.plugins
    }
    kept = {k: v for k, v in data.items() if k in CONFIG_KEYS or k in plugins}
    dropped = sorted(str(k) for k in data if k not in kept)
    if dropped:
        shown = ", ".join(d[:40] for d in dropped[:8])
        notes.append(f"bandit settings in {source} ignored (not bandit test options): {shown}")
    return kept


def _pyproject_has_bandit(ctx: CheckContext) -> bool:
    text = _config_text(ctx, "pyproject.toml") if _config_base(ctx) is not None else None
    if text is None:
        return False
    try:
        tool = tomllib.loads(text).get("tool", {})
    except (tomllib.TOMLDecodeError, RecursionError):
        return False
    return isinstance(tool, dict) and "bandit" in tool


def _test_ids(value: Any) -> list[str]:
    if isinstance(value, str):
        return _split_list(value)
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def resolve_options(ctx: CheckContext) -> tuple[dict[str, Any], list[str]]:
    """The JSON-serialisable options of one run, and notes on where they came from."""
    extension_loader = _bandit().extension_loader

    options = BanditOptions.model_validate(dict(ctx.options))
    notes: list[str] = []
    ini, ini_path = _find_ini(ctx, notes)
    config_source = options.config_file or ini.get("configfile") or None
    if config_source is None and _pyproject_has_bandit(ctx):
        config_source = "pyproject.toml"
    explicit = config_source is not None and config_source == options.config_file
    config = _read_config_file(ctx, config_source, explicit) if config_source else {}
    if config_source:
        config = _allowed_config(config, config_source, notes)

    include = {*_test_ids(config.get("tests")), *_split_list(ini.get("tests")), *options.tests}
    exclude = {*_test_ids(config.get("skips")), *_split_list(ini.get("skips")), *options.skips}
    manager = extension_loader.MANAGER
    unknown = sorted(t for t in include | exclude if not manager.check_id(t))
    if unknown:
        notes.append(f"unknown bandit test ids in the configuration: {', '.join(unknown)}")
    both = include & exclude
    if both:
        raise BanditConfigError(
            f"bandit tests both selected and skipped: {', '.join(sorted(both))}"
        )

    excluded: list[list[str]] = []
    for pattern in _test_ids(config.get("exclude_dirs")):
        excluded.append([pattern, f"exclude_dirs in {config_source}"])
    ini_exclude = _split_list(ini.get("exclude"))
    cli_paths = ini_exclude or list(CLI_DEFAULT_EXCLUDES)
    cli_source = f"exclude in {ini_path}" if ini_exclude else "bandit's default excludes"
    for path in cli_paths:
        # As the CLI does: a folder (relative to where bandit runs, here the root) becomes
        # "folder/*"; anything else is a glob and a substring.
        inside = _inside(ctx.root, path)
        if inside is not None and inside.is_dir():
            path = posixpath.join(path, "*")
        excluded.append([path, cli_source])

    # Without a config file bandit's defaults include *.pyw; with one, only its "include".
    globs = (_test_ids(config.get("include")) or ["*.py"]) if config_source else ["*.py", "*.pyw"]
    ignore_nosec = options.ignore_nosec or ini.get("ignore-nosec", "").lower() in {
        "1",
        "true",
        "yes",
        "on",
    }
    where = f" in --config-root {ctx.config_root}" if ctx.config_root is not None else ""
    if ctx.isolated and ctx.config_root is None:
        notes.append("--isolated: the scored tree's bandit configuration is ignored")
    if config_source:
        notes.append(f"bandit configuration read from {config_source}{where}")
    if ini_path:
        notes.append(f"bandit options read from {ini_path}{where}")
    return (
        {
            "config": config,
            "config_source": config_source,
            "tests": sorted(include),
            "skips": sorted(exclude),
            "exclude": excluded,
            "include": globs,
            "ignore_nosec": ignore_nosec,
        },
        notes,
    )


# --------------------------------------------------------------------------- bandit, per process


class _State:
    """The one bandit manager of this process, and the options it was built for."""

    key: str | None = None
    manager: Any = None


def _inline_config(data: Mapping[str, Any], source: str | None) -> Any:
    """A ``BanditConfig`` from already-read data (no file access in the worker)."""
    BanditConfig = _bandit().config.BanditConfig

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
    BanditManager = _bandit().manager.BanditManager

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
    core = _bandit()
    meta_ast, metrics = core.meta_ast, core.metrics
    _parse_nosec_comment = core.manager._parse_nosec_comment

    manager = _manager(options)
    manager.results = []
    manager.skipped = []
    manager.metrics = metrics.Metrics()
    manager.b_ma = meta_ast.BanditMetaAst()
    manager.metrics.begin(fname)
    nosec_lines: dict[int, Any] = {}
    with _quiet() as log:
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
        with _quiet():
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
    value = ""
    if text.startswith(_PASSWORD_TEXT):
        value = text[len(_PASSWORD_TEXT) :]
        if len(value) >= 2 and value[0] == value[-1] == "'":
            value = value[1:-1]
    name = _password_name(lines, value)
    if name is None:
        return "Possible hardcoded password (value redacted)", value
    if test_id == "B106":
        how = f"passed as argument '{name}'"
    elif test_id == "B107":
        how = f"as the default of argument '{name}'"
    elif any("==" in line or "!=" in line for line in lines):
        how = f"compared with '{name}'"
    else:
        how = f"assigned to '{name}'"
    if value and value in name:  # the name would give the value away
        return "Possible hardcoded password (value redacted)", value
    return f"Possible hardcoded password {how} (value redacted)", value


def _finding(issue: Any, path: str, lines: Sequence[str]) -> Finding:
    test_id = str(issue.test_id)
    criterion = CRITERION_BY_TEST.get(test_id, GENERAL)
    message = str(issue.text)
    if criterion == SECRETS:
        message, _ = redact_password_text(test_id, message, lines)
    linerange = [n for n in (issue.linerange or []) if isinstance(n, int) and n > 0]
    line = int(issue.lineno) if issue.lineno else None
    end_line = max(linerange) if linerange else line
    if line is not None and end_line is not None and end_line < line:
        end_line = line
    cwe = getattr(getattr(issue, "cwe", None), "id", 0) or None
    column = (
        issue.col_offset + 1
        if isinstance(issue.col_offset, int) and issue.col_offset >= 0
        else None
    )
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
        except SyntaxError:
            tree = parse_python(file.text, file.path)
            reason = tree if isinstance(tree, str) else "syntax error while parsing AST from file"
            return FileResult(skipped=reason)
        except Exception as exc:  # bandit itself failed on this file
            first = str(exc).strip().splitlines()
            detail = f": {first[0]}" if first else ""
            return FileResult(skipped=f"bandit failed on this file ({type(exc).__name__}{detail})")
        lines = file.text.splitlines()
        findings = []
        silenced = facts.pop("silenced", [])
        for index, issue in enumerate([*issues, *silenced]):
            start = max(int(issue.lineno or 1), 1)
            span = [n for n in (issue.linerange or []) if isinstance(n, int) and n > 0] or [start]
            flagged = lines[min(span) - 1 : max(span)]
            finding = _finding(issue, file.path, flagged)
            if finding.line and finding.line <= len(lines):
                # Fingerprint without literals: a flagged line may hold a secret.
                finding.snippet_hash = redacted_snippet_hash(lines, finding.line)
            if index >= len(issues):
                finding.counted = False
                finding.suppressed = nosec_justification(flagged) or "# nosec"
            findings.append(finding)
        return FileResult(findings=findings, data=facts)

    def reduce(self, ctx: CheckContext, results: Mapping[str, FileResult]) -> CheckResult:
        """Route SQL findings, redact fingerprints of secrets, compute the injection metric."""
        _, notes = resolve_options(ctx)
        route_sql = bool(ctx.criteria) and QUERY_SAFETY not in ctx.criteria
        files = {f.path: f for f in ctx.fileset.files}
        combined = CheckResult(files=len(results))
        nosec = 0
        errors: list[str] = []
        injection: list[Finding] = []
        routed = 0
        for path in sorted(results):
            result = results[path]
            if result.skipped is not None:
                combined.skipped.append(Skip(path=path, reason=result.skipped, checker=self.name))
                continue
            nosec += int(result.data.get("nosec", 0))
            errors.extend(f"{path}: {e}" for e in result.data.get("errors", ()))
            file = files.get(path)
            for finding in result.findings:
                if finding.rule in SQL_TESTS and route_sql:
                    finding = finding.model_copy(update={"skill": SKILL, "criterion": INJECTION})
                    routed += 1
                if finding.criterion == INJECTION or finding.rule in SQL_TESTS:
                    # The runner's rule: findings in tests cost nothing unless configured.
                    in_test = file is not None and file.role is Role.TEST
                    costs = finding.counted and (ctx.count_test_findings or not in_test)
                    injection.append(finding.model_copy(update={"counted": costs}))
                combined.findings.append(finding)
        combined.notes.extend(notes)
        if nosec:
            combined.notes.append(f"{nosec} bandit finding(s) silenced by # nosec comments")
        if routed:
            combined.notes.append(
                "SQL-injection findings (B608, B610, B611) are listed under security.injection "
                "because database.query_safety is not selected"
            )
        combined.notes.extend(f"bandit error: {e}" for e in errors[:20])
        kloc = _code_kloc(ctx.fileset)  # the denominator of findings.weighted_per_kloc
        counted = [f for f in injection if f.counted]
        scanned = sum(1 for r in results.values() if r.skipped is None)
        if kloc > 0:
            combined.metrics.append(
                Metric(
                    name=INJECTION_METRIC,
                    value=round(weighted_findings(injection) / kloc, 4),
                    unit="weighted findings per 1,000 lines",
                    files=scanned,
                    combine="sum",  # other languages' checkers add theirs (same kloc)
                )
            )
        else:
            combined.metrics.append(
                Metric(
                    name=INJECTION_METRIC,
                    value=None,
                    files=scanned,
                    reason="no source code to measure",
                )
            )
        combined.metrics.append(
            Metric(
                name=INJECTION_COUNT,
                value=float(len(counted)),
                unit="findings",
                files=scanned,
                combine="sum",
            )
        )
        return combined


@hookimpl
def backend_skills_checkers() -> Sequence[Checker]:
    """The ``bandit`` checker."""
    return [BanditChecker()]
