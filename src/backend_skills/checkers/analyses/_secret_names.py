"""Secret-looking names and values: which identifiers name a secret, which literals are one.

Used by the security analysis (rules BSSEC001-BSSEC005) and by the secret patterns of
:mod:`backend_skills.checkers._redact`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from backend_skills.core.models import Confidence, Severity

from .._redact import AWS_KEY, PRIVATE_KEY, TOKENS, URL_CREDENTIALS


def name_words(identifier: str) -> list[str]:
    """``apiKey`` / ``API_KEY`` / ``api-key`` -> ``["api", "key"]``."""
    return list(_words(identifier))


_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")


@lru_cache(maxsize=16384)  # the same identifiers come back in every file
def _words(identifier: str) -> tuple[str, ...]:
    spaced = _CAMEL.sub(r"\1_\2", identifier)
    return tuple(w for w in _SEPARATORS.split(spaced.lower()) if w)


#: Word sequences that make a name a secret's name (BSSEC001).
_SECRET_NAMES = (
    ("secret",),
    ("password",),
    ("passwd",),
    ("passphrase",),
    ("pwd",),
    ("token",),
    ("apikey",),
    ("api", "key"),
    ("access", "key"),
    ("private", "key"),
    ("signing", "key"),
    ("encryption", "key"),
    ("auth", "key"),
    ("credential",),
    ("credentials",),
    ("secret", "key"),
)

#: Words that make a name describe something about a secret rather than hold one: its
#: status or state (``TOKEN_STATUS_ACTIVE = "active"``), an event or a check concerning it
#: (``JwtTokenCheck``), a property or header naming it (BSSEC001, BSSEC109).
_LABEL_WORDS = frozenset(
    {
        *("status", "statuses", "state", "states", "event", "events", "check", "checks"),
        *("property", "properties", "header", "headers"),
    }
)

#: Last words that make a secret-looking name describe something else (a URL, a header
#: name, a field name, a length...).
_NOT_A_SECRET = frozenset(
    {
        "url",
        "urls",
        "uri",
        "endpoint",
        "path",
        "file",
        "dir",
        "name",
        "names",
        "type",
        "types",
        "header",
        "field",
        "fields",
        "param",
        "env",
        "var",
        "length",
        "len",
        "size",
        "count",
        "id",
        "ids",
        "kind",
        "format",
        "prefix",
        "scheme",
        "label",
        "prompt",
        "message",
        "msg",
        "help",
        "text",
        "pattern",
        "regex",
        "re",
        "expiry",
        "expires",
        "expire",
        "exp",
        "lifetime",
        "ttl",
        "age",
        "timeout",
        "algorithm",
        "algorithms",
        "alg",
        "location",
        "cookie",
        "policy",
        "min",
        "max",
        "required",
        "enabled",
        "mode",
        "version",
        "class",
        "model",
        "style",
        *_LABEL_WORDS,
    }
)


def _contains(words: list[str], seq: tuple[str, ...]) -> bool:
    n = len(seq)
    return any(tuple(words[i : i + n]) == seq for i in range(len(words) - n + 1))


_SECRET_WORDS = frozenset(w for seq in _SECRET_NAMES for w in seq) - {"api", "access"}


def label_name(identifier: str) -> bool:
    """Whether ``identifier`` names a label about a secret, not the secret: one of its
    last two words is a status, state, event, check, property or header
    (``TOKEN_STATUS_ACTIVE``, ``token_status``, ``JwtTokenCheck``), and its last word is
    not itself a secret's (``STATE_SECRET`` stays a secret)."""
    words = name_words(identifier)
    if not words or words[-1] in _SECRET_WORDS:
        return False
    return bool(_LABEL_WORDS & set(words[-2:]))


@lru_cache(maxsize=16384)
def secret_name(identifier: str) -> bool:
    """Whether ``identifier`` names a secret (``SECRET_KEY``, ``apiToken``, ``db_password``)."""
    words = name_words(identifier)
    if not words or (words[-1] in _NOT_A_SECRET and words[-1] != "key"):
        return False
    if label_name(identifier):
        return False
    if any(_contains(words, seq) for seq in _SECRET_NAMES if seq[-1] == "key"):
        return True
    if words[-1] == "key":
        return False  # TOKEN_KEY = "access_token": the name of a key, not a key
    return any(_contains(words, seq) for seq in _SECRET_NAMES)


PASSWORD_WORDS = frozenset({"password", "passwd", "passphrase", "pwd", "pw", "pass"})


@lru_cache(maxsize=16384)
def password_name(identifier: str) -> bool:
    """Whether ``identifier`` names a password (``password``, ``raw_pwd``, ``userPass``)."""
    words = name_words(identifier)
    if (
        not words
        or words[-1] in _NOT_A_SECRET - {"key"}
        or words[-1] in {"hash", "hashed", "digest"}
    ):
        return False
    return any(w in PASSWORD_WORDS for w in words)


_CREDENTIAL_WORDS = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "secret",
        "token",
        "apikey",
        "signature",
        "digest",
        "hmac",
        "otp",
        "csrf",
    }
)


def credential_name(identifier: str) -> bool:
    """Whether ``identifier`` holds a credential that must be compared in constant time."""
    words = name_words(identifier)
    if not words or words[-1] in _NOT_A_SECRET - {"key"}:
        return False
    return any(w in _CREDENTIAL_WORDS for w in words) or _contains(words, ("api", "key"))


#: Values that stand for a secret rather than being one: blanks, <placeholders>,
#: ${VARS}, {{ templates }}, %(names)s, masks such as *** or xxx.
_PLACEHOLDER = re.compile(r"^\s*$|^[<{\[(].*[>}\])]$|\$\{|\{\{|%\(|^\*+$|^x+$", re.I)
#: Brackets in a URL's password: the syntax of a URL written out
#: (``postgresql://[user[:password]@][netloc][:port][/dbname]``), not a password.
_URL_GRAMMAR = re.compile(r"[\[\]]")
#: An environment variable's name (the value says where the secret comes from).
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")


#: ``package.module.function``: a dotted path (Django settings name callables this way).
_DOTTED_PATH = re.compile(r"^[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+\.[A-Za-z_][A-Za-z0-9_]*$")

#: Hosts that are never production: loopback, Docker's host alias, reserved example and
#: test domains (RFC 2606, RFC 6761).
_DEV_HOST = re.compile(
    r"^(?:localhost|127(?:\.\d{1,3}){3}|0\.0\.0\.0|\[?::1\]?|host\.docker\.internal"
    r"|(?:[\w-]+\.)*(?:localhost|local|test|example|invalid)"
    r"|(?:[\w-]+\.)*example\.(?:com|org|net))$",
    re.I,
)
#: Passwords that are well-known development defaults of brokers and databases.
_DEV_PASSWORDS = frozenset(
    {
        "guest",
        "postgres",
        "password",
        "pass",
        "secret",
        "root",
        "admin",
        "changeme",
        "example",
        "test",
        "dev",
        "user",
        "mysql",
        "redis",
        "rabbitmq",
        "minioadmin",
        "pass@word1",  # Microsoft's sample password (SQL Server images, eShop)
    }
)
_URL_PARTS = re.compile(r"^[a-z][a-z0-9+.\-]*://([^/\s:@'\"]+):([^/\s@'\"]+)@([^\s/'\"?#]*)", re.I)


def dev_default_url(url: str) -> bool:
    """Whether credentials in ``url`` are a development default, not a secret: the host
    is local or an example domain, or the password is a well-known default
    (``guest:guest``, ``postgres:postgres``) or repeats the user name."""
    parts = _URL_PARTS.match(url)
    if parts is None:
        return False
    user, password, host = parts.groups()
    host = host.rsplit("@", 1)[-1]
    host = host if host.startswith("[") else host.rsplit(":", 1)[0]
    return bool(_DEV_HOST.match(host)) or password.lower() in _DEV_PASSWORDS or password == user


#: The server a connection string names (``Server=``, ``Data Source=``, ``Host=``).
_CONNECTION_SERVER = re.compile(
    r"\b(?:server|data\s+source|host|addr(?:ess)?|network\s+address)\s*=\s*(?:tcp:)?"
    r"([^;,\"'`\s]+)",
    re.I,
)
#: The user a connection string names (``User Id=``, ``Username=``, ``Uid=``).
_CONNECTION_USER = re.compile(r"\b(?:user\s*id|user\s*name|user|uid)\s*=\s*([^;,\"'`\s]+)", re.I)
#: SQL Server's names for the local machine: ``.``, ``(local)``, ``(localdb)\\name``,
#: ``.\\SQLEXPRESS``, ``localhost\\instance``.
_LOCAL_SERVER = re.compile(r"^(?:\.|\(local\)|\(localdb\).*|\.\\+\w+|localhost\\+\w+)$", re.I)
#: A password written as an instruction to fill one in: ``YourPassword``,
#: ``<your-password>``, ``your_strong_password``, ``EnterPasswordHere``.
_FILL_IN = re.compile(r"^(?:<|your|enter|insert|replace)|here$|^(?:change_?me|placeholder)$", re.I)


def connection_password_confidence(line: str, password: str) -> Confidence | None:
    """How sure a password in a connection string (``...;Password=...``) on ``line`` is a
    real secret: None when it is a placeholder (``YourPassword``: not a finding); LOW when
    it is a development default (the server is this machine or an example host, or the
    password is a well-known default such as ``Pass@word1``): reported, but it never caps
    a score; HIGH otherwise."""
    if _FILL_IN.search(password) or _PLACEHOLDER.search(password):
        return None
    server = _CONNECTION_SERVER.search(line)
    host = server.group(1) if server else ""
    local = bool(host) and (bool(_LOCAL_SERVER.match(host)) or bool(_DEV_HOST.match(host)))
    user = _CONNECTION_USER.search(line)
    if local or password.lower() in _DEV_PASSWORDS or (user and user.group(1) == password):
        return Confidence.LOW  # this machine, a well-known default, or the user's name
    return Confidence.HIGH


#: A literal given to an environment variable (``process.env.JWT_SECRET = "..."``): the
#: default of an environment lookup, as Python's ``os.environ.setdefault("X", "...")``.
_ENV_ASSIGNMENT = re.compile(r"\bprocess\.env\.\w+\s*=(?!=)")


def credential_weight(
    name: str, value: str, severity: Severity, confidence: Confidence, line: str = ""
) -> tuple[Severity, Confidence]:
    """Severity and confidence of a literal credential found by the language rules,
    weighed as Python's BSSEC001: high severity only for a signing secret (a name ending
    in "secret key", or naming a JWT or signing key), medium otherwise; low confidence
    for a well-known development default (``postgres``, ``guest``, ``Pass@word1``) and
    for the default of an environment variable (``process.env.JWT_SECRET = "..."`` on
    ``line``, as Python's environment lookups' defaults): reported, never capping."""
    words = name_words(name)
    signing = words[-2:] == ["secret", "key"] or bool({"jwt", "signing"} & set(words))
    if not signing and severity is Severity.HIGH:
        severity = Severity.MEDIUM
    if value.lower() in _DEV_PASSWORDS or _ENV_ASSIGNMENT.search(line):
        confidence = Confidence.LOW
    return severity, confidence


#: A field of a ``str.format``/f-string-like template: ``"{base}reset"``, ``"{self.code}/"``.
_TEMPLATE_FIELD = re.compile(r"\{[A-Za-z_][\w.]*\}")
#: HTTP headers that carry credentials: a value naming one is the header's name
#: (``HEADER_KEY_TOKEN = 'Authorization'``), not a credential.
_HEADER_NAMES = frozenset(
    {
        *("authorization", "proxy-authorization", "www-authenticate", "cookie", "set-cookie"),
        *("api-key", "apikey", "auth-token", "access-token", "bearer"),
    }
)
_X_HEADER = re.compile(r"^X-[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$", re.I)
#: An identifier in code style (``ApolloUserToken``, ``API_KEY_GHOSTFOLIO``,
#: ``AccessKey.Create``): words joined by capitals, ``_``, ``.``, ``:`` or ``-``.
# the separator is not optional: ``(?:[._:-]?[A-Za-z0-9]+)*`` after ``[A-Za-z0-9]*`` can
# split a long run of letters in exponentially many ways before failing (a JWT literal
# took minutes); this matches the same values in linear time
_IDENTIFIER_VALUE = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[._:-][A-Za-z0-9]+)*$")


def label_value(name: str, value: str) -> bool:
    """Whether ``value`` bound to the secret-looking ``name`` names something rather
    than being a secret: a template (``"{base}reset"``), the name of an HTTP header
    (``'Authorization'``, ``'X-Api-Key'``), or an identifier in code style (with a
    capital) that echoes the name's own words (``USER_TOKEN = "ApolloUserToken"``,
    ``JwtTokenCheck = "JwtToken"``, ``CREATE_ACCESS_KEY = "AccessKey.Create"``). A
    lower-case word or phrase (``"secret-key"``, ``"keyboard cat"``) is not a label."""
    if _TEMPLATE_FIELD.search(value):
        return True
    if value.lower() in _HEADER_NAMES or _X_HEADER.match(value):
        return True
    if value.islower() or not _IDENTIFIER_VALUE.match(value):
        return False
    words, own = set(_words(value)), set(_words(name))
    if len(words) < 2:
        return False
    # the value's words are the name's, or the name's words and one more (a prefix):
    # "SecretKeyOfDoomThatMustBeLong" for JWT_SECRET_KEY is a secret, not an echo
    return words <= own or (len(own) >= 2 and own <= words and len(words - own) <= 1)


def literal_secret(value: str, name: str) -> bool:
    """Whether a literal bound to a secret's name looks like a real value."""
    if len(value) < 4 or value == name or _PLACEHOLDER.search(value) or _ENV_NAME.match(value):
        return False
    if label_value(name, value):
        return False  # "{base}reset", 'Authorization', "ApolloUserToken" for USER_TOKEN
    if "://" in value and "@" not in value:
        return False  # a URL without credentials
    if _DOTTED_PATH.match(value):
        return False  # a module path naming where the secret comes from
    return not (" " in value.strip() and len(value.split()) > 3)  # prose, not a secret


# --------------------------------------------------------------------------- text patterns


#: Fragments of which every match of a pattern holds one (its case as matched), by the
#: pattern's source: a text without any cannot match, and a substring search is much
#: faster than the pattern's scan (Django's 2,800 files: 2.2 s for all the patterns,
#: most of it these). A pattern whose source changes is simply scanned.
_AWS_PREFIXES = ("AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA")
_NEEDS: dict[str, tuple[str, ...]] = {
    r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}"
    r"(?![A-Z0-9])": _AWS_PREFIXES,
    r"(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36}(?![A-Za-z0-9])": (
        "ghp_",
        "gho_",
        "ghu_",
        "ghs_",
        "ghr_",
    ),
    r"(?:sk|rk)_live_[0-9A-Za-z]{20,}": ("_live_",),
    r"(?<![a-z0-9+.\-])[a-z][a-z0-9+.\-]*://[^/\s:@'\"]+:([^/\s@'\"]+)@[^\s'\"]+": ("://",),
}


#: A run of base64 that is key material, not a word: 16 characters or more, with a
#: digit, ``+``, ``/`` or a capital right after a small letter (``MIIEowIBAAKCAQEA``).
_KEY_MATERIAL = re.compile(r"(?=[A-Za-z0-9+/]*(?:[0-9+/]|[a-z][A-Z]))[A-Za-z0-9+/]{16,}")


def key_material_after(text: str) -> bool:
    """The text after a private key's ``-----BEGIN ... PRIVATE KEY-----`` header holds a
    key (base64 lines, in a literal with escaped line breaks or across lines), not a
    placeholder (``X``, ``...``) or prose explaining the format."""
    body = text[:800].split("-----END", 1)[0].replace("\\n", " ").replace("\\r", " ")
    return bool(_KEY_MATERIAL.search(body))


def text_secrets(text: str) -> Iterator[tuple[int, int, str, str, str]]:
    """(line, column, rule, message, matched value) for secrets found by pattern in ``text``."""
    patterns: list[tuple[re.Pattern[str], str, str]] = [
        (AWS_KEY, "BSSEC002", "AWS access key id in the code"),
        (PRIVATE_KEY, "BSSEC003", "Private key block in the code"),
        *((pattern, "BSSEC004", f"{label} in the code") for label, pattern in TOKENS),
        (URL_CREDENTIALS, "BSSEC005", "Password embedded in a URL"),
    ]
    for pattern, rule, message in patterns:
        needs = _NEEDS.get(pattern.pattern)
        if needs is not None and not any(fragment in text for fragment in needs):
            continue  # a plain substring search rules the pattern out
        for match in pattern.finditer(text):  # none of the patterns crosses a line end
            value = match.group()  # BSSEC005: the whole URL (its host says if it is local)
            if rule == "BSSEC005" and (
                _PLACEHOLDER.search(match.group(1)) or _URL_GRAMMAR.search(match.group(1))
            ):
                continue  # <password>, ${DB_PASSWORD}, [user[:password]@] (a URL's syntax)
            if rule == "BSSEC003" and not key_material_after(text[match.end() :]):
                continue  # the header alone: a placeholder or a comment on the format
            line_start = text.rfind("\n", 0, match.start()) + 1
            line = text.count("\n", 0, match.start()) + 1
            yield line, match.start() - line_start + 1, rule, message, value
