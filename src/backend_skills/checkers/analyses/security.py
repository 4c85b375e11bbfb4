"""Security checks bandit does not make, on the shared parse of each Python file.

Every rule is documented in ``docs/security.md`` (what it matches and what it does not).

- Secrets (``security.secrets``): ``BSSEC001`` a secret-named target bound to a string
  literal, ``BSSEC002`` an AWS access key id, ``BSSEC003`` a private key block,
  ``BSSEC004`` a well-known token format, ``BSSEC005`` credentials inside a URL.
- Configuration (``security.configuration``): ``BSSEC010`` debug mode on, ``BSSEC011``
  ``ALLOWED_HOSTS`` with ``"*"``, ``BSSEC012`` CSRF protection switched off, ``BSSEC013``
  cookie security settings switched off, ``BSSEC014`` CORS open to every origin with
  credentials, ``BSSEC015`` HTTP calls without a timeout that bandit's B113 does not see.
- Authentication (``security.authentication``): ``BSSEC020`` a password hashed with a
  fast hash, ``BSSEC021`` JWT decoding without signature verification, ``BSSEC022``
  a secret compared with ``==``.
- Dependencies (``security.dependencies``, from the repository's dependency files in
  ``reduce``): ``BSSEC030`` unpinned and unlocked, ``BSSEC031`` installed from a URL.

Secret findings are built in ``reduce`` (from per-file data) so that their fingerprint
anchor can be computed from the line with its literals removed: no value, and no hash of
a value, reaches a report.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath
from typing import Any, ClassVar

from backend_skills.core.checker import CheckContext
from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import (
    CheckResult,
    Confidence,
    Finding,
    Role,
    Severity,
)

from .._redact import redacted_snippet_hash
from . import Analysis, Visit
from ._request_input import REQUEST, RequestFlow, module_of, same_module
from ._secret_names import (
    PASSWORD_WORDS,
    credential_name,
    dev_default_url,
    literal_secret,
    name_words,
    password_name,
    secret_name,
    text_secrets,
)
from ._security_deps import DEPENDENCIES_DECLARED, DEPENDENCY_RISK, dependency_hygiene
from ._security_vocabulary import (
    AUTH_MODULES,
    BLOCKING_CLIENTS,
    COOKIE_FLAGS,
    CORS_ALLOW_ALL,
    DEBUG_APPS,
    FAST_HASHES,
    GOOD_HASHERS,
    HTTP_METHODS,
)

SKILL = "security"
SECRETS = "security.secrets"
CONFIGURATION = "security.configuration"
AUTHENTICATION = "security.authentication"
DEPENDENCIES = "security.dependencies"
INJECTION = "security.injection"
DESERIALIZATION = "security.deserialization"
QUERY_SAFETY = "database.query_safety"

# --------------------------------------------------------------------------- the visitor


def _const_str(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _is_true(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _is_false(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _keyword(call: ast.Call, name: str) -> ast.keyword | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw
    return None


def _has_kwargs(call: ast.Call) -> bool:
    return any(kw.arg is None for kw in call.keywords)


def _identifier(node: ast.AST) -> str | None:
    """The name an expression is known by: ``x``, ``obj.x``, ``d["x"]``, ``f(...)`` -> f."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        return _const_str(node.slice)
    if isinstance(node, ast.Call):
        return _identifier(node.func)
    return None


def _config_object(node: ast.AST) -> bool:
    """A configuration mapping (``app.config``, ``current_app.config``, ``CONFIG``,
    ``settings``): a ``DEBUG`` key there switches debug mode on, while the same key in an
    ordinary dictionary (a template context, a payload) is data."""
    name = (_identifier(node) or "").lower()
    return name.endswith(("config", "settings")) or name == "conf"


def _settings_file(path: str) -> bool:
    name = PurePosixPath(path).name.lower()
    parent = PurePosixPath(path).parent.name.lower()
    return "settings" in name or parent == "settings" or name in {"config.py", "conf.py"}


def _dev_only(path: str) -> bool:
    stem = PurePosixPath(path).stem.lower()
    return any(
        w in name_words(stem)
        for w in ("dev", "local", "development", "test", "testing", "example", "sample")
    )


class _Visitor:
    def __init__(self, file: SourceFile) -> None:
        self.file = file
        self.aliases: dict[str, str] = {}
        self.findings: list[Finding] = []
        self.secrets: list[dict[str, Any]] = []
        self.hashers: set[str] = set()
        self.auth = False
        self.sessions: set[str] = set()
        self.hash_objects: set[str] = set()
        self.settings = _settings_file(file.path)
        self.dev = _dev_only(file.path)
        self.module_names: set[str] = set()
        self._flagged_hash_lines: set[int] = set()  # lines with a BSSEC020 already
        self.jwt_decodes: list[tuple[ast.Call, ast.AST | None, list[str]]] = []
        self.constants: dict[str, ast.AST] = {}
        self.dev_default_lines: set[int] = set()  # env-lookup defaults, docstrings, comments

    # -- helpers

    def qualname(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            base = self.qualname(node.value)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, ast.Call):
            return self.qualname(node.func)
        return None

    def dotted(self, node: ast.AST) -> str | None:
        """Source-level dotted text of a target (``self.session``), for tracking objects."""
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.Attribute):
            base = self.dotted(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def add(
        self,
        node: ast.AST,
        rule: str,
        criterion: str,
        severity: Severity,
        confidence: Confidence,
        message: str,
        cwe: int | None,
    ) -> None:
        self.findings.append(
            Finding(
                checker="python_ast",
                rule=rule,
                skill=SKILL,
                criterion=criterion,
                severity=severity,
                confidence=confidence,
                message=message,
                path=self.file.path,
                line=getattr(node, "lineno", None),
                end_line=getattr(node, "end_lineno", None),
                column=getattr(node, "col_offset", -1) + 1 if hasattr(node, "col_offset") else None,
                cwe=cwe,
            )
        )

    def secret(self, node: ast.AST, name: str, how: str, value: str) -> None:
        signing = name_words(name)[-2:] == ["secret", "key"]
        self.secrets.append(
            {
                "rule": "BSSEC001",
                "line": getattr(node, "lineno", 1),
                "end_line": getattr(node, "end_lineno", None),
                "column": getattr(node, "col_offset", 0) + 1,
                "message": f"Hard-coded secret {how} '{name}' (value redacted)",
                "severity": (Severity.HIGH if signing else Severity.MEDIUM).value,
                "confidence": (Confidence.LOW if self.dev else Confidence.MEDIUM).value,
                "cwe": 798,
            }
        )

    # -- imports

    def _import(self, node: ast.Import) -> None:
        for alias in node.names:
            local = alias.asname or alias.name.split(".")[0]
            self.aliases[local] = alias.name if alias.asname else local
            self.module_names.add(alias.name)

    def _import_from(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if node.level:
            return
        self.module_names.add(module)
        for alias in node.names:
            self.aliases[alias.asname or alias.name] = (
                f"{module}.{alias.name}" if module else alias.name
            )

    # -- assignments: secrets, settings, tracked objects

    def _check_binding(self, target: ast.AST, value: ast.AST, node: ast.AST) -> None:
        name = (
            _identifier(target)
            if isinstance(target, ast.Name | ast.Attribute | ast.Subscript)
            else None
        )
        if name is None:
            return
        literal = _const_str(value)
        if literal is not None and secret_name(name) and literal_secret(literal, name):
            self.secret(value, name, "assigned to", literal)  # the literal's line, as B105
        self._setting(target, name, value, node)

    def _setting(self, target: ast.AST, name: str, value: ast.AST, node: ast.AST) -> None:
        """Security-relevant settings: debug, allowed hosts, CSRF, cookies, CORS."""
        upper = name.upper()
        if upper == "DEBUG" and _is_true(value):
            self._debug_setting(target, name, node)
        elif upper == "ALLOWED_HOSTS" and self._has_star(value):
            self.add(
                node,
                "BSSEC011",
                CONFIGURATION,
                Severity.MEDIUM,
                Confidence.LOW if self.dev else Confidence.HIGH,
                "ALLOWED_HOSTS accepts any host ('*'): host-header attacks become possible",
                20,
            )
        elif upper == "WTF_CSRF_ENABLED" and _is_false(value):
            self._csrf(node, "CSRF protection switched off (WTF_CSRF_ENABLED = False)")
        elif upper in COOKIE_FLAGS and _is_false(value):
            self.add(
                node,
                "BSSEC013",
                CONFIGURATION,
                Severity.LOW,
                Confidence.LOW if self.dev else Confidence.MEDIUM,
                f"Cookie protection switched off ({upper} = False)",
                614 if "SECURE" in upper else 1004,
            )
        elif upper in CORS_ALLOW_ALL and _is_true(value):
            self.add(
                node,
                "BSSEC014",
                CONFIGURATION,
                Severity.MEDIUM,
                Confidence.LOW if self.dev else Confidence.MEDIUM,
                f"CORS open to every origin ({upper} = True)",
                942,
            )
        elif upper == "MIDDLEWARE" and self.settings:
            self._middleware(value, node)

    def _debug_setting(self, target: ast.AST, name: str, node: ast.AST) -> None:
        """``DEBUG = True`` in a settings module, or ``app.debug = True``."""
        if isinstance(target, ast.Name) and name == "DEBUG" and self.settings:
            self._debug(node, "Django DEBUG = True in a settings module")
        elif isinstance(target, ast.Attribute) or (
            isinstance(target, ast.Subscript) and _config_object(target.value)
        ):
            self._debug(node, f"Debug mode switched on ({self.dotted(target) or name})")

    def _middleware(self, value: ast.AST, node: ast.AST) -> None:
        """Django ``MIDDLEWARE`` without ``CsrfViewMiddleware``."""
        if not isinstance(value, ast.List | ast.Tuple):
            return
        names = [_const_str(e) for e in value.elts]
        if any(n and n.startswith("django.") for n in names) and not any(
            n and n.endswith("CsrfViewMiddleware") for n in names
        ):
            self._csrf(node, "Django MIDDLEWARE without CsrfViewMiddleware: CSRF protection is off")

    @staticmethod
    def _has_star(value: ast.AST) -> bool:
        if isinstance(value, ast.List | ast.Tuple | ast.Set):
            return any(_const_str(e) == "*" for e in value.elts)
        return _const_str(value) == "*"

    def _track(self, target: ast.AST, value: ast.AST) -> None:
        name = self.dotted(target)
        if name is None or not isinstance(value, ast.Call):
            return
        qual = self.qualname(value.func) or ""
        if qual in {"requests.Session", "requests.session", "requests.sessions.Session"}:
            self.sessions.add(name)
        if qual in FAST_HASHES:
            self.hash_objects.add(name)

    def on_assign(self, node: ast.Assign | ast.AnnAssign) -> None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if node.value is not None:
            for target in targets:
                self._check_binding(target, node.value, node)

    def on_dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            name = _const_str(key)
            literal = _const_str(value)
            if name and literal is not None and secret_name(name) and literal_secret(literal, name):
                self.secret(value, name, "stored under", literal)

    # -- decorators

    def on_definition(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        for deco in node.decorator_list:
            target = deco.func if isinstance(deco, ast.Call) else deco
            qual = self.qualname(target) or ""
            last = qual.rsplit(".", 1)[-1]
            if last == "csrf_exempt" or (
                last == "exempt"
                and isinstance(target, ast.Attribute)
                and "csrf" in (self.dotted(target.value) or "").lower()
            ):
                self._csrf(deco, f"CSRF protection switched off for '{node.name}' (@{qual})")

    # -- calls

    def on_call(self, node: ast.Call) -> None:
        qual = self.qualname(node.func) or ""
        last = qual.rsplit(".", 1)[-1]
        for kw in node.keywords:
            literal = _const_str(kw.value)
            if (
                kw.arg
                and literal is not None
                and secret_name(kw.arg)
                and literal_secret(literal, kw.arg)
            ):
                self.secret(kw.value, kw.arg, "passed as", literal)
        if qual in GOOD_HASHERS:
            self.hashers.add(GOOD_HASHERS[qual])
        self._debug_call(node, qual, last)
        self._cors(node, qual, last)
        self._timeouts(node, qual, last)
        self._password_hash_call(node, qual)
        self._jwt(node, qual, last)

    def _debug(self, node: ast.AST, message: str) -> None:
        self.add(
            node,
            "BSSEC010",
            CONFIGURATION,
            Severity.HIGH,
            Confidence.LOW if self.dev else Confidence.MEDIUM,
            message,
            489,
        )

    def _csrf(self, node: ast.AST, message: str) -> None:
        self.add(
            node,
            "BSSEC012",
            CONFIGURATION,
            Severity.MEDIUM,
            Confidence.LOW if self.dev else Confidence.MEDIUM,
            message,
            352,
        )

    def _debug_call(self, node: ast.Call, qual: str, last: str) -> None:
        debug = _keyword(node, "debug")
        if qual in DEBUG_APPS and debug is not None and _is_true(debug.value):
            self._debug(debug.value, f"{last}(debug=True) shows tracebacks to every client")
        if last == "run_simple":
            use = _keyword(node, "use_debugger")
            if use is not None and _is_true(use.value):
                self._debug(use.value, "Werkzeug debugger switched on (use_debugger=True)")
        if isinstance(node.func, ast.Attribute) and node.func.attr in {"update", "from_mapping"}:
            owner = self.dotted(node.func.value) or ""
            if owner.endswith("config"):
                self._config_update(node, f"{owner}.{node.func.attr}")

    def _config_update(self, node: ast.Call, call: str) -> None:
        """``app.config.update(DEBUG=True)`` / ``.from_mapping({"WTF_CSRF_ENABLED": False})``."""
        pairs: list[tuple[str | None, ast.expr, bool]] = [
            (kw.arg, kw.value, True) for kw in node.keywords
        ]
        for arg in node.args:
            if isinstance(arg, ast.Dict):
                pairs.extend(
                    (_const_str(key), value, False)
                    for key, value in zip(arg.keys, arg.values, strict=True)
                )
        for key, value, keyword in pairs:
            if key == "DEBUG" and _is_true(value):
                where = f"{call}(DEBUG=True)" if keyword else call
                self._debug(value, f"Debug mode switched on ({where})")
            if key == "WTF_CSRF_ENABLED" and _is_false(value):
                setting = "WTF_CSRF_ENABLED=False" if keyword else "WTF_CSRF_ENABLED: False"
                self._csrf(value, f"CSRF protection switched off ({setting})")

    def _cors(self, node: ast.Call, qual: str, last: str) -> None:
        if last != "add_middleware" or not node.args:
            return
        middleware = self.qualname(node.args[0]) or ""
        if not middleware.endswith("CORSMiddleware"):
            return
        origins = _keyword(node, "allow_origins")
        credentials = _keyword(node, "allow_credentials")
        if (
            origins is not None
            and self._has_star(origins.value)
            and credentials is not None
            and _is_true(credentials.value)
        ):
            self.add(
                origins.value,
                "BSSEC014",
                CONFIGURATION,
                Severity.MEDIUM,
                Confidence.MEDIUM,
                "CORS allows every origin ('*') together with credentials",
                942,
            )

    def _timeouts(self, node: ast.Call, qual: str, last: str) -> None:
        if _has_kwargs(node) or _keyword(node, "timeout") is not None:
            return
        message = None
        if qual in {"urllib.request.urlopen", "urllib2.urlopen"} and len(node.args) < 3:
            message = "urlopen() without a timeout waits forever on a stalled server"
        elif qual in BLOCKING_CLIENTS and len(node.args) < 3:
            message = f"{last}() without a timeout waits forever on a stalled server"
        elif isinstance(node.func, ast.Attribute) and node.func.attr in HTTP_METHODS:
            owner = self.dotted(node.func.value)
            if owner is not None and owner in self.sessions:
                message = (
                    f"Call to {owner}.{node.func.attr}() on a requests session without a timeout"
                )
        if message is not None:
            self.add(node, "BSSEC015", CONFIGURATION, Severity.MEDIUM, Confidence.LOW, message, 400)

    # -- authentication

    def _mentions_password(self, node: ast.AST) -> bool:
        for sub in ast.walk(node):
            ident = (
                _identifier(sub)
                if isinstance(sub, ast.Name | ast.Attribute | ast.Subscript)
                else None
            )
            if ident and password_name(ident):
                return True
        return False

    def _password_hash_call(self, node: ast.Call, qual: str) -> None:
        fast = qual in FAST_HASHES
        update = (
            isinstance(node.func, ast.Attribute)
            and node.func.attr == "update"
            and (self.dotted(node.func.value) or "") in self.hash_objects
        )
        if not (fast or update):
            return
        args = [*node.args[1:]] if qual == "hashlib.new" else list(node.args)
        args += [kw.value for kw in node.keywords if kw.arg in {"data", "string"}]
        if any(self._mentions_password(a) for a in args):
            algorithm = qual.rsplit(".", 1)[-1] if fast else "a fast hash"
            if qual == "hashlib.new" and node.args and _const_str(node.args[0]):
                algorithm = str(_const_str(node.args[0]))
            self.add(
                node,
                "BSSEC020",
                AUTHENTICATION,
                Severity.HIGH,
                Confidence.HIGH,
                f"Password hashed with {algorithm}: use argon2, bcrypt, scrypt or PBKDF2",
                916,
            )
            self._flagged_hash_lines.add(node.lineno)

    def _password_hash_target(self, target: ast.AST, value: ast.AST) -> None:
        name = (
            _identifier(target)
            if isinstance(target, ast.Name | ast.Attribute | ast.Subscript)
            else None
        )
        if not name:
            return
        words = name_words(name)
        if not (
            any(w in PASSWORD_WORDS for w in words)
            and any(w in {"hash", "hashed", "digest"} for w in words)
        ):
            return
        for sub in ast.walk(value):
            if isinstance(sub, ast.Call) and (self.qualname(sub.func) or "") in FAST_HASHES:
                if sub.lineno in self._flagged_hash_lines:
                    return
                self._flagged_hash_lines.add(sub.lineno)
                self.add(
                    sub,
                    "BSSEC020",
                    AUTHENTICATION,
                    Severity.HIGH,
                    Confidence.MEDIUM,
                    f"Password hash '{name}' computed with {(self.qualname(sub.func) or '').rsplit('.', 1)[-1]}: use argon2, bcrypt, scrypt or PBKDF2",
                    916,
                )
                return

    def _jwt(self, node: ast.Call, qual: str, last: str) -> None:
        parts = qual.split(".")
        if "jwt" not in parts[:-1] and not qual.startswith(("jwt", "jose")):
            return
        if last in {"decode", "decode_complete"}:
            reasons = []
            options = _keyword(node, "options")
            if options is not None and isinstance(options.value, ast.Dict):
                for key, value in zip(options.value.keys, options.value.values, strict=True):
                    if _const_str(key) == "verify_signature" and self._false(value):
                        reasons.append("options={'verify_signature': False}")
            verify = _keyword(node, "verify")
            if verify is not None and self._false(verify.value):
                reasons.append("verify=False")
            algorithms = _keyword(node, "algorithms")
            if algorithms is not None and self._mentions_none(algorithms.value):
                reasons.append("the 'none' algorithm")
            if reasons:
                token = _keyword(node, "jwt") or _keyword(node, "token")
                self.jwt_decodes.append(
                    (node, token.value if token else (node.args[0] if node.args else None), reasons)
                )
        if last == "encode":
            algorithm = _keyword(node, "algorithm")
            if algorithm is not None and self._mentions_none(algorithm.value):
                self.add(
                    node,
                    "BSSEC021",
                    AUTHENTICATION,
                    Severity.HIGH,
                    Confidence.HIGH,
                    "JWT signed with the 'none' algorithm: anyone can forge it",
                    347,
                )

    def _false(self, node: ast.AST) -> bool:
        """``False``, or a module constant bound only to ``False`` (``VERIFY = False``)."""
        if isinstance(node, ast.Name) and node.id in self.constants:
            return _is_false(self.constants[node.id])
        return _is_false(node)

    @staticmethod
    def _mentions_none(node: ast.AST) -> bool:
        return any((_const_str(n) or "").lower() == "none" for n in ast.walk(node))

    def on_compare(self, node: ast.Compare) -> None:
        if len(node.ops) == 1 and isinstance(node.ops[0], ast.Eq | ast.NotEq):
            left, right = node.left, node.comparators[0]
            sides = (left, right)
            if not any(isinstance(s, ast.Constant | ast.JoinedStr) for s in sides) and not any(
                isinstance(s, ast.Call)
                and (self.qualname(s.func) or "") in {"len", "type", "bool", "int"}
                for s in sides
            ):
                names = [_identifier(s) for s in sides]
                hit = next((n for n in names if n and credential_name(n)), None)
                if hit is not None:
                    self.add(
                        node,
                        "BSSEC022",
                        AUTHENTICATION,
                        Severity.MEDIUM,
                        Confidence.MEDIUM,
                        f"'{hit}' compared with {'==' if isinstance(node.ops[0], ast.Eq) else '!='}: "
                        "use hmac.compare_digest (constant time)",
                        208,
                    )

    # -- whole file

    def run(self, tree: ast.Module) -> None:
        """Every check over one walk of the tree (plus a first pass for imports)."""
        nodes = list(ast.walk(tree))
        names = self._learn(nodes)
        bound: dict[str, list[ast.AST]] = {}
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        bound.setdefault(target.id, []).append(stmt.value)
        self.constants = {
            k: v[0] for k, v in bound.items() if len(v) == 1 and isinstance(v[0], ast.Constant)
        }
        for node in nodes:
            if (
                isinstance(node, ast.Expr)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):  # docstrings and bare strings: documentation, examples
                self.dev_default_lines.update(range(node.lineno, (node.end_lineno or 0) + 1))
            elif isinstance(node, ast.Call):
                default = _env_default(node)
                if default is not None:
                    self.dev_default_lines.update(
                        range(default.lineno, (default.end_lineno or default.lineno) + 1)
                    )
        assigns: list[ast.Assign | ast.AnnAssign] = []
        for node in nodes:
            if isinstance(node, ast.Assign | ast.AnnAssign):
                assigns.append(node)
            if isinstance(node, ast.Call):
                self.on_call(node)
            elif isinstance(node, ast.Compare):
                self.on_compare(node)
            elif isinstance(node, ast.Dict):
                self.on_dict(node)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                self.on_definition(node)
        for assign in assigns:  # after the calls: a hashed password is reported once
            self.on_assign(assign)
            if assign.value is not None:
                for target in _targets(assign):
                    self._password_hash_target(target, assign.value)
        self._authentication(names)
        self._pattern_secrets()
        self.findings.sort(key=Finding.sort_key)
        self.secrets.sort(key=lambda s: (s["line"], s["rule"], s["column"]))

    def _learn(self, nodes: list[ast.AST]) -> set[str]:
        """What the checks need to know about the whole file first: imports, names used,
        and objects bound to sessions and fast hashes."""
        names: set[str] = set()
        for node in nodes:
            if isinstance(node, ast.Import):
                self._import(node)
            elif isinstance(node, ast.ImportFrom):
                self._import_from(node)
            elif isinstance(node, ast.Name):
                names.add(node.id)
        for node in nodes:
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                for target in _targets(node):
                    self._track(target, node.value)
            elif isinstance(node, ast.With | ast.AsyncWith):
                for item in node.items:
                    if item.optional_vars is not None:
                        self._track(item.optional_vars, item.context_expr)
        return names

    def _authentication(self, names: set[str]) -> None:
        """Whether the file does authentication, and the password hashers it uses."""
        modules = self.module_names
        self.auth = (
            any(m == a or m.startswith(a + ".") for m in modules for a in AUTH_MODULES)
            or bool(self.hashers)
            or any(f.criterion == AUTHENTICATION for f in self.findings)
            or any(password_name(n) for n in names)
        )
        for module in modules:
            for prefix, label in GOOD_HASHERS.items():
                if module == prefix or module.startswith(prefix + "."):
                    self.hashers.add(label)

    def _pattern_secrets(self) -> None:
        """Secrets recognised by their format (BSSEC002-BSSEC005) anywhere in the text."""
        patterned = list(text_secrets(self.file.text))
        text_lines = self.file.text.splitlines()
        # A literal a pattern recognises (an AWS key, a GitHub token...) is reported once,
        # by the more specific pattern rule.
        lines = {line for line, *_ in patterned}
        self.secrets = [s for s in self.secrets if s["line"] not in lines]
        for line, column, rule, message, value in patterned:
            self.secrets.append(
                {
                    "rule": rule,
                    "line": line,
                    "end_line": line,
                    "column": column,
                    "message": message,
                    "severity": Severity.HIGH.value,
                    "confidence": (
                        Confidence.LOW
                        if self._example_secret(line, rule, value, text_lines)
                        else Confidence.HIGH
                    ).value,
                    "cwe": 798,
                }
            )

    def _example_secret(self, line: int, rule: str, value: str, lines: list[str]) -> bool:
        """A pattern match that is an example or a development default, not a credential:
        AWS's documented ``...EXAMPLE`` keys, a value in a docstring, a bare string or a
        comment, the default of an environment lookup (``env("X", default=...)``,
        ``os.getenv("X", ...)``), or credentials in a URL to a local or example host or
        well-known development defaults (``amqp://guest:guest@localhost``)."""
        if value.endswith("EXAMPLE") or line in self.dev_default_lines:
            return True
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        if text.lstrip().startswith("#"):
            return True
        return rule == "BSSEC005" and dev_default_url(value)


_ENV_LOOKUPS = frozenset({"getenv", "env", "config", "get_env", "getenv_or_default"})


def _env_default(call: ast.Call) -> ast.expr | None:
    """The default value of an environment lookup: ``os.getenv("X", d)``,
    ``os.environ.get("X", d)``, ``env("X", default=d)``, ``env.str("X", default=d)``,
    ``config("X", default=d)`` (python-decouple)."""
    func = call.func
    name = (
        func.id
        if isinstance(func, ast.Name)
        else (func.attr if isinstance(func, ast.Attribute) else "")
    )
    owner = ""
    if isinstance(func, ast.Attribute):
        owner = (
            func.value.id
            if isinstance(func.value, ast.Name)
            else (func.value.attr if isinstance(func.value, ast.Attribute) else "")
        )
    environ = owner in {"environ", "env", "os"} or name in _ENV_LOOKUPS
    if not environ or not (name in _ENV_LOOKUPS or name in {"get", "setdefault"} or owner == "env"):
        return None
    default = _keyword(call, "default")
    if default is not None:
        return default.value
    return call.args[1] if len(call.args) > 1 else None


def _targets(node: ast.Assign | ast.AnnAssign) -> list[ast.expr]:
    return node.targets if isinstance(node, ast.Assign) else [node.target]


# --------------------------------------------------------------------------- the analysis


def _secret_findings(path: str, text: str, items: Iterable[Mapping[str, Any]]) -> list[Finding]:
    findings = []
    lines = text.splitlines()
    for item in items:
        line = int(item["line"])
        findings.append(
            Finding(
                checker="python_ast",
                rule=str(item["rule"]),
                skill=SKILL,
                criterion=SECRETS,
                severity=Severity(item["severity"]),
                confidence=Confidence(item["confidence"]),
                message=str(item["message"]),
                path=path,
                line=line,
                end_line=item.get("end_line") or line,
                column=item.get("column"),
                cwe=item.get("cwe"),
                snippet_hash=redacted_snippet_hash(lines, line),
            )
        )
    return findings


_SINK_RULES: Mapping[str, tuple[str, str, int, str]] = {
    "shell": ("BSSEC050", INJECTION, 78, "a shell command"),
    "code": ("BSSEC051", INJECTION, 95, "eval/exec"),
    "deserialisation": ("BSSEC052", DESERIALIZATION, 502, "an unsafe deserialiser"),
    "sql": ("BSSEC053", QUERY_SAFETY, 89, "SQL built as a string"),
}


def _fed_by_call(
    path: str, sink: Mapping[str, Any], calls: Mapping[str, list[tuple[str, str, Any]]]
) -> str | None:
    """The caller (``file:function``) passing request input to a parameter the sink
    depends on, one call away (same file or a module importing it), or None."""
    fed = set(sink["origins"]) - {REQUEST}
    params = list(sink["params"])
    for caller, callee_module, (positions, keywords) in calls.get(sink["function"], []):
        owner, _, last = callee_module.rpartition(".")
        if (
            callee_module not in ("", module_of(path))
            and not (
                same_module(module_of(path), callee_module)
                # Student.create(...): a class imported from the module, then its method
                or (last[:1].isupper() and same_module(module_of(path), owner))
            )
        ):
            continue
        names = {params[i] for i in positions if i < len(params)} | set(keywords)
        if names & fed:
            return caller
    return None


def _traced_sinks(data: Mapping[str, dict[str, Any]], files: Mapping[str, Any]) -> list[Finding]:
    """Dangerous sinks fed by request input, in the same function or one call away
    (BSSEC050-BSSEC052; BSSEC021 as a vulnerability or a hotspot)."""
    calls: dict[str, list[tuple[str, str, Any]]] = {}
    for path, facts in data.items():
        own = module_of(path)
        local = set(facts.get("functions", {}))
        for qual, positions, keywords in facts.get("calls", ()):
            module, _, name = str(qual).rpartition(".")
            if module in ("self", "cls") or (not module and name in local):
                module = own
            elif not module:
                continue
            calls.setdefault(name, []).append((path, module, (positions, keywords)))
    findings = []
    for path, facts in sorted(data.items()):
        file = files.get(path)
        if file is None or file.role in (Role.TEST, Role.DOCS):
            continue
        for sink in facts.get("sinks", ()):
            direct = REQUEST in sink["origins"]
            caller = None if direct else _fed_by_call(path, sink, calls)
            how = (
                "request input in the same function"
                if direct
                else f"request input passed by {caller}"
                if caller
                else ""
            )
            if sink["kind"] == "jwt":
                reasons = ", ".join(sink.get("reasons", ()))
                findings.append(
                    Finding(
                        checker="python_ast",
                        rule="BSSEC021",
                        skill=SKILL,
                        criterion=AUTHENTICATION,
                        severity=Severity.HIGH if how else Severity.MEDIUM,
                        confidence=Confidence.HIGH if how else Confidence.MEDIUM,
                        message=(
                            f"JWT decoded without verifying its signature ({reasons})"
                            + (
                                f", the token from {how}"
                                if how
                                else " (hotspot: the token does not come from the request "
                                "here, e.g. one received from an identity provider; review it)"
                            )
                        ),
                        path=path,
                        line=int(sink["line"]),
                        cwe=347,
                    )
                )
                continue
            if not how:
                continue  # bandit reports the sink; without input it is a hotspot
            rule, criterion, cwe, what = _SINK_RULES[sink["kind"]]
            findings.append(
                Finding(
                    checker="python_ast",
                    rule=rule,
                    skill=SKILL,
                    criterion=criterion,
                    severity=Severity.HIGH,
                    confidence=Confidence.HIGH,
                    message=f"Request input reaches {what} ({how}): an exploitable injection",
                    path=path,
                    line=int(sink["line"]),
                    cwe=cwe,
                )
            )
    return findings


class SecurityAnalysis(Analysis):
    """Secrets, configuration and authentication checks bandit lacks; dependency hygiene."""

    name = "security"
    provides: ClassVar[tuple[str, ...]] = (DEPENDENCY_RISK, DEPENDENCIES_DECLARED)
    feeds: ClassVar[tuple[str, ...]] = (
        SECRETS,
        CONFIGURATION,
        AUTHENTICATION,
        DEPENDENCIES,
        INJECTION,
        DESERIALIZATION,
    )

    def visit(self, file: SourceFile, tree: ast.Module, options: Mapping[str, Any]) -> Visit:
        """Findings for one file; secrets and authentication facts as data."""
        visitor = _Visitor(file)
        visitor.run(tree)
        flow = RequestFlow(tree, visitor.aliases)
        sinks = [
            {
                "kind": sink.kind,
                "line": sink.line,
                "function": sink.function,
                "origins": sorted(sink.origins),
                "params": list(sink.params),
            }
            for sink in flow.sinks
            if sink.origins
        ]
        for call, token, reasons in visitor.jwt_decodes:
            function, params = flow.scope_of(call)
            sinks.append(
                {
                    "kind": "jwt",
                    "line": call.lineno,
                    "function": function,
                    "origins": sorted(flow.value_origins(call, token)),
                    "params": list(params),
                    "reasons": reasons,
                }
            )
        functions: dict[str, list[str]] = {k: list(v) for k, v in flow.functions.items()}
        return Visit(
            findings=visitor.findings,
            data={
                "secrets": visitor.secrets,
                "auth": visitor.auth,
                "hashers": sorted(visitor.hashers),
                "sinks": sinks,
                "calls": [[q, list(p), list(k)] for q, p, k in flow.calls],
                "functions": functions,
            },
        )

    def reduce(self, ctx: CheckContext, data: Mapping[str, dict[str, Any]]) -> CheckResult:
        """Secret findings, authentication applicability and dependency hygiene."""
        result = CheckResult()
        files = {f.path: f for f in ctx.fileset.files}
        auth_files: list[str] = []
        hashers: dict[str, list[str]] = {}
        for path, facts in sorted(data.items()):
            file = files.get(path)
            if file is None:
                continue
            secrets = facts.get("secrets", ())
            if secrets:  # only then the text is needed (it may not be in memory)
                result.findings.extend(_secret_findings(path, file.text, secrets))
            if file.role in (Role.TEST, Role.DOCS):
                continue
            if facts.get("auth"):
                auth_files.append(path)
            for label in facts.get("hashers", ()):
                hashers.setdefault(label, []).append(path)
        if not auth_files:
            result.not_applicable[AUTHENTICATION] = (
                "no authentication code found (no password handling, JWT or auth library)"
            )
        for label, paths in sorted(hashers.items()):
            shown = ", ".join(paths[:3]) + (" ..." if len(paths) > 3 else "")
            result.notes.append(f"password hashing with {label} ({shown})")
        result.findings.extend(_traced_sinks(data, files))
        deps = dependency_hygiene(ctx.fileset)
        result.findings.extend(deps.findings)
        result.metrics.extend(deps.metrics)
        result.notes.extend(deps.notes)
        result.not_applicable.update(deps.not_applicable)
        return result
