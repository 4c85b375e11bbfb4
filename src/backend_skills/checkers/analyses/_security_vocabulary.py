"""What the security analysis recognises: hashes, password hashers, authentication
libraries, HTTP clients, security settings and debug-capable applications."""

from __future__ import annotations

FAST_HASHES = frozenset(
    {
        "hashlib.md5",
        "hashlib.sha1",
        "hashlib.sha224",
        "hashlib.sha256",
        "hashlib.sha384",
        "hashlib.sha512",
        "hashlib.sha3_224",
        "hashlib.sha3_256",
        "hashlib.sha3_384",
        "hashlib.sha3_512",
        "hashlib.blake2b",
        "hashlib.blake2s",
        "hashlib.new",
        "Crypto.Hash.MD5.new",
        "Crypto.Hash.SHA256.new",
    }
)

#: Calls that hash passwords properly: their presence is reported as a note.
GOOD_HASHERS = {
    "argon2": "argon2",
    "argon2.PasswordHasher": "argon2",
    "passlib": "passlib",
    "passlib.context.CryptContext": "passlib",
    "passlib.hash.argon2": "argon2",
    "passlib.hash.bcrypt": "bcrypt",
    "bcrypt.hashpw": "bcrypt",
    "bcrypt.checkpw": "bcrypt",
    "hashlib.pbkdf2_hmac": "PBKDF2",
    "hashlib.scrypt": "scrypt",
    "werkzeug.security.generate_password_hash": "werkzeug",
    "django.contrib.auth.hashers.make_password": "django hashers",
    "pwdlib.PasswordHash": "pwdlib",
}

AUTH_MODULES = (
    "jwt",
    "jose",
    "passlib",
    "bcrypt",
    "argon2",
    "pwdlib",
    "werkzeug.security",
    "django.contrib.auth",
    "fastapi.security",
    "flask_login",
    "flask_jwt_extended",
    "authlib",
    "itsdangerous",
)

#: Network clients whose ``timeout`` parameter defaults to "wait forever". A third
#: positional argument may be the timeout (or not, depending on the Python version): only
#: calls with at most host and port, and no ``timeout=``, are flagged.
BLOCKING_CLIENTS = frozenset(
    {
        "http.client.HTTPConnection",
        "http.client.HTTPSConnection",
        "smtplib.SMTP",
        "smtplib.SMTP_SSL",
        "ftplib.FTP",
        "ftplib.FTP_TLS",
    }
)

HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})

#: Settings that switch a cookie protection off when False (BSSEC013).
COOKIE_FLAGS = frozenset({"SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY"})
#: django-cors-headers settings that open CORS to every origin when True (BSSEC014).
CORS_ALLOW_ALL = frozenset({"CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL"})
DEBUG_APPS = frozenset(
    {"fastapi.FastAPI", "starlette.applications.Starlette", "starlette.Starlette"}
)
