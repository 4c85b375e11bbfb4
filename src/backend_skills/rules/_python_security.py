"""Security rules of the Python analysis (``python_ast``, the ``security`` analysis).

The checker matches them on the parse every analysis shares (and on the dependency
files for ``BSSEC030``/``BSSEC031``); they have no patterns. Their examples run through
the real pipeline (``tests/test_rules_registry.py``). The request-input trace rules
(``BSSEC050``-``BSSEC053``) are declared in :mod:`._trace` and listed here.
"""

from __future__ import annotations

from backend_skills.core.models import Confidence, Severity

from ._model import Example, Rule
from ._trace import RULES as TRACE_RULES

_DEV = "Confidence is low in dev-only files (a file name with a word `dev`, `local`, `test`, `example`, `sample`...)."

HARD_CODED_SECRET = Rule(
    id="BSSEC001",
    title="Hard-coded secret",
    skill="security",
    criterion="security.secrets",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    cwe=798,
    checker="python_ast",
    extra_languages=("python",),
    message="Hard-coded secret assigned to '{name}' (value redacted)",
    varies="High severity for a name ending in `secret key` (a signing key). " + _DEV,
    rationale=(
        "A secret written in the code (a password, token, API or signing key bound to a "
        "secret's name) is in every clone, fork, backup and CI log of the repository, and "
        "rotating it needs a release (CWE-798)."
    ),
    fix='Read the secret from the environment or a secret manager at start-up (`os.environ["API_TOKEN"]`, pydantic-settings), and rotate the value that was committed.',
    examples=(
        Example("python", 'API_TOKEN = "k29f8a7c6d5e4b3a"\n', lines=(1,), path="app/client.py"),
        Example(
            "python", 'import os\n\nAPI_TOKEN = os.environ["API_TOKEN"]\n', path="app/client.py"
        ),
    ),
)

AWS_KEY = Rule(
    id="BSSEC002",
    title="AWS access key id in the code",
    skill="security",
    criterion="security.secrets",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=798,
    checker="python_ast",
    extra_languages=("python",),
    message="AWS access key id in the code",
    varies="Low confidence for AWS's documentation keys (ending in `EXAMPLE`).",
    rationale=(
        "An AWS access key id (`AKIA...`, `ASIA...`) anywhere in a file, comments included, "
        "is usually committed together with its secret key: whoever reads the repository "
        "can act on the AWS account (CWE-798)."
    ),
    fix="Deactivate the key in IAM, remove it from the code and its history, and use roles or the environment (`AWS_ACCESS_KEY_ID`) instead.",
    examples=(
        Example(
            "python",
            # Split so this module holds no key-shaped literal of its own.
            'import boto3\n\nKEY_ID = "AKIA' + 'Z7Q4MNBVCXLKJHGF"\n',
            lines=(3,),
            path="app/aws.py",
        ),
        Example("python", 'import boto3\n\nclient = boto3.client("s3")\n', path="app/aws.py"),
    ),
)

PRIVATE_KEY = Rule(
    id="BSSEC003",
    title="Private key block in the code",
    skill="security",
    criterion="security.secrets",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=798,
    checker="python_ast",
    extra_languages=("python",),
    message="Private key block in the code",
    rationale=(
        "A PEM private key (`-----BEGIN RSA "
        "PRIVATE KEY-----`) in the code gives whoever "
        "reads the repository the identity the key proves: they can sign, decrypt or "
        "log in as the service (CWE-798)."
    ),
    fix="Revoke the key pair, load the key from a file outside the repository or a secret manager, and keep only public keys and certificates in the code.",
    examples=(
        Example(
            "python",
            'KEY = """\n-----BEGIN RSA '
            'PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n"""\n',
            lines=(2,),
            path="app/keys.py",
        ),
        Example(
            "python",
            '"""Signing.\n\nPaste the key as -----BEGIN PRIVATE KEY----- ... -----END PRIVATE KEY-----.\n"""\n\n'
            'PLACEHOLDER = "-----BEGIN PRIVATE KEY-----\\n<your key>\\n-----END PRIVATE KEY-----"\n',
            path="app/keys.py",
        ),
        Example(
            "python",
            'CERT = """\n-----BEGIN CERTIFICATE-----\nMIIEowIBAAKCAQEA\n-----END CERTIFICATE-----\n"""\n',
            path="app/keys.py",
        ),
    ),
)

TOKEN = Rule(
    id="BSSEC004",
    title="Well-known token format in the code",
    skill="security",
    criterion="security.secrets",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=798,
    checker="python_ast",
    extra_languages=("python",),
    message="GitHub token in the code",
    rationale=(
        "Tokens with a recognisable format (GitHub `ghp_`, Slack `xoxb-`, Stripe `sk_live_`, "
        "Google `AIza`, SendGrid `SG.`) are live credentials: scanners harvest them from "
        "public repositories within minutes (CWE-798)."
    ),
    fix="Revoke the token at its provider, remove it from the code, and read it from the environment or a secret manager.",
    examples=(
        Example(
            "python",
            'HEADERS = {"Authorization": "token ghp_' + 'aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"}\n',
            lines=(1,),
            path="app/github.py",
        ),
        Example("python", 'STRIPE = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"\n', path="app/billing.py"),
    ),
)

URL_PASSWORD = Rule(
    id="BSSEC005",
    title="Password embedded in a URL",
    skill="security",
    criterion="security.secrets",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=798,
    checker="python_ast",
    extra_languages=("python",),
    message="Password embedded in a URL",
    varies="Also reported in requirements files and pyproject.toml (package index and dependency URLs).",
    rationale=(
        "`scheme://user:password@host` carries the password wherever the URL goes: the "
        "code, logs, error pages, the dependency files pip reads (CWE-798)."
    ),
    fix='Build the URL from the environment (`os.environ["DATABASE_URL"]`) or pass the credentials separately; for a package index, use pip\'s keyring or `PIP_INDEX_URL` in CI secrets.',
    examples=(
        Example(
            "python",
            'import os\n\nDSN = "postgresql://shop:s3cretPass@db.example.com/shop"\n',
            lines=(3,),
            path="app/db.py",
        ),
        Example(
            "python",
            'import os\n\nDSN = os.environ.get("DATABASE_URL", "postgresql://shop:${PASS}@db/shop")\n',
            path="app/db.py",
        ),
    ),
)

DEBUG = Rule(
    id="BSSEC010",
    title="Debug mode on",
    skill="security",
    criterion="security.configuration",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    cwe=489,
    checker="python_ast",
    extra_languages=("python",),
    message="Debug mode switched on (DEBUG = True in a settings module)",
    varies=_DEV,
    rationale=(
        "Debug mode shows stack traces, settings and sometimes an interactive console to "
        "whoever triggers an error: a map of the application, and with Werkzeug's "
        "debugger, code execution (CWE-489)."
    ),
    fix='Read the flag from the environment with a safe default (`DEBUG = os.environ.get("DEBUG") == "1"`) and keep it off in production.',
    examples=(
        Example("python", "DEBUG = True\n", lines=(1,), path="shop/settings.py"),
        Example(
            "python",
            'import os\n\nDEBUG = os.environ.get("DJANGO_DEBUG") == "1"\n',
            path="shop/settings.py",
        ),
        Example(
            "python",
            # A template context's "debug" key is data, not the application's configuration.
            'def debug(request):\n    context_extras = {}\n    context_extras["debug"] = True\n'
            "    return context_extras\n",
            path="shop/context_processors.py",
        ),
    ),
)

ALLOWED_HOSTS = Rule(
    id="BSSEC011",
    title="ALLOWED_HOSTS accepts any host",
    skill="security",
    criterion="security.configuration",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    cwe=20,
    checker="python_ast",
    extra_languages=("python",),
    message="ALLOWED_HOSTS accepts any host ('*'): host-header attacks become possible",
    varies=_DEV,
    rationale=(
        'With `ALLOWED_HOSTS = ["*"]` Django trusts any `Host` header: password-reset '
        "links and absolute URLs can be pointed at an attacker's domain, and caches "
        "poisoned (CWE-20)."
    ),
    fix='List the host names the service answers to, from the environment: `ALLOWED_HOSTS = os.environ["ALLOWED_HOSTS"].split(",")`.',
    examples=(
        Example("python", 'ALLOWED_HOSTS = ["*"]\n', lines=(1,), path="shop/settings.py"),
        Example("python", 'ALLOWED_HOSTS = ["shop.example.com"]\n', path="shop/settings.py"),
    ),
)

CSRF = Rule(
    id="BSSEC012",
    title="CSRF protection off",
    skill="security",
    criterion="security.configuration",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    cwe=352,
    checker="python_ast",
    extra_languages=("python",),
    message="CSRF protection switched off for view 'transfer' (@csrf_exempt)",
    varies=_DEV,
    rationale=(
        "Without CSRF protection any web page a logged-in user visits can submit forms to "
        "the application in their name (CWE-352)."
    ),
    fix="Remove `@csrf_exempt` / `WTF_CSRF_ENABLED = False` and keep `CsrfViewMiddleware`; for a token-authenticated API, authenticate without cookies instead of exempting.",
    examples=(
        Example(
            "python",
            "from django.views.decorators.csrf import csrf_exempt\n\n\n@csrf_exempt\ndef transfer(request):\n    return None\n",
            lines=(4,),
            path="bank/views.py",
        ),
        Example(
            "python",
            "from django.views.decorators.http import require_POST\n\n\n@require_POST\ndef transfer(request):\n    return None\n",
            path="bank/views.py",
        ),
    ),
)

COOKIES = Rule(
    id="BSSEC013",
    title="Cookie protection switched off",
    skill="security",
    criterion="security.configuration",
    severity=Severity.LOW,
    confidence=Confidence.MEDIUM,
    cwe=614,
    checker="python_ast",
    extra_languages=("python",),
    message="Cookie protection switched off (SESSION_COOKIE_SECURE = False)",
    varies="CWE-1004 instead of CWE-614 for `SESSION_COOKIE_HTTPONLY`. " + _DEV,
    rationale=(
        "A session cookie without `Secure` travels over plain HTTP where anyone on the "
        "network reads it; without `HttpOnly` any injected script can steal it "
        "(CWE-614, CWE-1004)."
    ),
    fix="Leave the framework's protection on, or set `SESSION_COOKIE_SECURE = True`, `CSRF_COOKIE_SECURE = True` and `SESSION_COOKIE_HTTPONLY = True` in production settings.",
    examples=(
        Example("python", "SESSION_COOKIE_SECURE = False\n", lines=(1,), path="shop/settings.py"),
        Example("python", "SESSION_COOKIE_SECURE = True\n", path="shop/settings.py"),
    ),
)

CORS = Rule(
    id="BSSEC014",
    title="CORS open to every origin",
    skill="security",
    criterion="security.configuration",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    cwe=942,
    checker="python_ast",
    extra_languages=("python",),
    message="CORS open to every origin (CORS_ALLOW_ALL_ORIGINS = True)",
    varies=_DEV,
    rationale=(
        "Allowing every origin (with credentials, for FastAPI's middleware) lets any web "
        "site read the API's responses in the browser of a logged-in user (CWE-942)."
    ),
    fix='List the origins that may call the API (`CORS_ALLOWED_ORIGINS = ["https://app.example.com"]`, `allow_origins=[...]`).',
    examples=(
        Example("python", "CORS_ALLOW_ALL_ORIGINS = True\n", lines=(1,), path="shop/settings.py"),
        Example(
            "python",
            'CORS_ALLOWED_ORIGINS = ["https://app.example.com"]\n',
            path="shop/settings.py",
        ),
    ),
)

TIMEOUT = Rule(
    id="BSSEC015",
    title="Network call without a timeout",
    skill="security",
    criterion="security.configuration",
    severity=Severity.MEDIUM,
    confidence=Confidence.LOW,
    cwe=400,
    checker="python_ast",
    extra_languages=("python",),
    message="urllib.request.urlopen without a timeout: a slow server blocks the worker forever",
    rationale=(
        "Without a timeout a slow or silent peer holds the calling worker forever; a few "
        "such calls exhaust the worker pool (CWE-400). bandit's B113 covers `requests.get`; "
        "this rule covers urllib, http.client, smtplib, ftplib and `requests.Session` objects."
    ),
    fix="Pass `timeout=` to every network call (`urlopen(url, timeout=10)`, `session.get(url, timeout=10)`).",
    examples=(
        Example(
            "python",
            "from urllib.request import urlopen\n\n\ndef fetch(url):\n    return urlopen(url).read()\n",
            lines=(5,),
            path="app/fetch.py",
        ),
        Example(
            "python",
            "from urllib.request import urlopen\n\n\ndef fetch(url):\n    return urlopen(url, timeout=10).read()\n",
            path="app/fetch.py",
        ),
    ),
)

FAST_HASH = Rule(
    id="BSSEC020",
    title="Password hashed with a fast hash",
    skill="security",
    criterion="security.authentication",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=916,
    checker="python_ast",
    extra_languages=("python",),
    message="Password hashed with sha256: use argon2, bcrypt, scrypt or PBKDF2",
    varies="Medium confidence when the password is recognised by the name the hash is assigned to (`password_hash = sha256(...)`).",
    rationale=(
        "MD5 and SHA-2 are built to be fast: a leaked table of such password hashes is "
        "cracked at billions of guesses per second on one GPU (CWE-916)."
    ),
    fix="Hash passwords with a slow, salted password hash: argon2 (argon2-cffi), bcrypt, scrypt, `hashlib.pbkdf2_hmac` or the framework's hasher.",
    examples=(
        Example(
            "python",
            "import hashlib\n\n\ndef store(password):\n    return hashlib.sha256(password.encode()).hexdigest()\n",
            lines=(5,),
            path="app/auth.py",
        ),
        Example(
            "python",
            'import hashlib\nimport os\n\n\ndef store(password):\n    salt = os.urandom(16)\n    return salt + hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000)\n',
            path="app/auth.py",
        ),
    ),
)

JWT = Rule(
    id="BSSEC021",
    title="JWT without signature verification",
    skill="security",
    criterion="security.authentication",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=347,
    checker="python_ast",
    extra_languages=("python",),
    varies=(
        "High severity and confidence (a vulnerability) when the token comes from the "
        "request; medium (a hotspot to review) otherwise, e.g. a token received from an "
        "identity provider's token endpoint."
    ),
    message="JWT decoded without verifying its signature (verify_signature: False)",
    rationale=(
        "A token whose signature is not verified (or signed with `none`) is whatever the "
        "client says it is: anyone can forge an identity or a role (CWE-347)."
    ),
    fix='Decode with the key and an explicit algorithm list: `jwt.decode(token, key, algorithms=["HS256"])`.',
    examples=(
        Example(
            "python",
            'import jwt\n\n\ndef claims(token):\n    return jwt.decode(token, options={"verify_signature": False})\n',
            lines=(5,),
            path="app/auth.py",
        ),
        Example(
            "python",
            'import jwt\n\n\ndef claims(token, key):\n    return jwt.decode(token, key, algorithms=["HS256"])\n',
            path="app/auth.py",
        ),
    ),
)

TIMING = Rule(
    id="BSSEC022",
    title="Credential compared with == or !=",
    skill="security",
    criterion="security.authentication",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    cwe=208,
    checker="python_ast",
    extra_languages=("python",),
    message="'token' compared with ==: use hmac.compare_digest (constant time)",
    rationale=(
        "`==` stops at the first differing character: the time a comparison takes tells an "
        "attacker how much of a guessed token or signature is right (CWE-208)."
    ),
    fix="Compare secrets with `hmac.compare_digest(a, b)` (or `secrets.compare_digest`).",
    examples=(
        Example(
            "python",
            "def check(token, expected_token):\n    return token == expected_token\n",
            lines=(2,),
            path="app/auth.py",
        ),
        Example(
            "python",
            "import hmac\n\n\ndef check(token, expected_token):\n    return hmac.compare_digest(token, expected_token)\n",
            path="app/auth.py",
        ),
        Example(
            "python",
            "import hmac\n\nfrom sqlalchemy import select\n\n\n"
            "def by_token(session, token):\n"
            "    return session.scalar(select(APIKey).where(APIKey.token == token))\n\n\n"
            "def check(settings, api_key):\n"
            "    return settings.API_KEY == api_key\n",
            lines=(11,),
            path="app/keys.py",
        ),
    ),
)

UNPINNED = Rule(
    id="BSSEC030",
    title="Dependency neither pinned nor locked",
    skill="security",
    criterion="security.dependencies",
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    cwe=1357,
    checker="python_ast",
    extra_languages=("python",),
    message="Dependency 'requests' is not pinned to an exact version (==)",
    rationale=(
        "A dependency without an exact version or a lock file installs whatever the index "
        "serves that day: builds stop being reproducible and a compromised or broken "
        "release reaches production unreviewed (CWE-1357)."
    ),
    fix="Pin exact versions (`requests==2.32.3`) in requirements files, or commit the lock file of your tool (poetry.lock, uv.lock, pdm.lock, Pipfile.lock).",
    examples=(
        Example("python", "requests>=2.0\n", lines=(1,), path="requirements.txt"),
        Example("python", "requests==2.32.3\n", path="requirements.txt"),
    ),
)

URL_INSTALL = Rule(
    id="BSSEC031",
    title="Dependency installed from a URL",
    skill="security",
    criterion="security.dependencies",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    cwe=494,
    checker="python_ast",
    extra_languages=("python",),
    message="Dependency 'tool' installed from github.com without a pinned commit or hash",
    varies="Low severity when the URL is pinned to a 40-hex commit or carries a `#sha256=` hash.",
    rationale=(
        "A dependency installed from a URL bypasses the package index: without a pinned "
        "commit or hash, whatever the branch or archive holds at install time is what "
        "runs (CWE-494)."
    ),
    fix="Install a released version from the index, or pin the URL to a full commit (`@<40-hex sha>`) or add `#sha256=<hash>`.",
    examples=(
        Example(
            "python",
            "tool @ git+https://github.com/acme/tool.git@main\n",
            lines=(1,),
            path="requirements.txt",
        ),
        Example("python", "tool==1.4.2\n", path="requirements.txt"),
    ),
)

RULES = (
    HARD_CODED_SECRET,
    AWS_KEY,
    PRIVATE_KEY,
    TOKEN,
    URL_PASSWORD,
    DEBUG,
    ALLOWED_HOSTS,
    CSRF,
    COOKIES,
    CORS,
    TIMEOUT,
    FAST_HASH,
    JWT,
    TIMING,
    UNPINNED,
    URL_INSTALL,
    *TRACE_RULES,  # BSSEC050-BSSEC053: request input traced to a sink
)
