"""Passwords and credentials in code: fast hashes and plain comparisons (BSSEC020, BSSEC022),
and whether a file does authentication at all.

- ``BSSEC020``: a password passed to a fast hash (``hashlib.sha256(password)``,
  ``h.update(password)`` on a fast hash object), or a fast hash assigned to a name that
  says it is a password hash (``password_hash = md5(...)``);
- ``BSSEC022``: a credential compared with ``==``/``!=`` (not in constant time);
- authentication: an authentication library imported, a good password hasher used, a
  password-named variable, or an authentication finding in the file.
"""

from __future__ import annotations

import ast

from backend_skills.core.models import Confidence, Severity

from ._secret_names import PASSWORD_WORDS, credential_name, name_words, password_name
from ._security_base import AUTHENTICATION, FileContext, const_str, identifier, target_name
from ._security_vocabulary import AUTH_MODULES, FAST_HASHES, GOOD_HASHERS

_HASH_WORDS = frozenset({"hash", "hashed", "digest"})
_NOT_SECRETS = frozenset({"len", "type", "bool", "int"})


def password_hash_name(name: str) -> bool:
    """A name that says it holds a password hash: ``password_hash``, ``hashed_pw``."""
    words = name_words(name)
    return any(w in PASSWORD_WORDS for w in words) and any(w in _HASH_WORDS for w in words)


def mentions_password(node: ast.AST) -> bool:
    """Whether an expression reads a password-named value anywhere inside it."""
    for sub in ast.walk(node):
        ident = target_name(sub)
        if ident and password_name(ident):
            return True
    return False


def compared_credential(ctx: FileContext, node: ast.Compare) -> str | None:
    """The credential's name in ``token == expected`` (one ``==``/``!=`` between two
    values that are neither literals nor ``len()``/``type()``... results), or None."""
    if len(node.ops) != 1 or not isinstance(node.ops[0], ast.Eq | ast.NotEq):
        return None
    sides = (node.left, node.comparators[0])
    if not all(_may_be_secret(ctx, side) for side in sides) or any(map(_column, sides)):
        return None
    names = [identifier(s) for s in sides]
    return next((n for n in names if n and credential_name(n)), None)


def _column(side: ast.expr) -> bool:
    """``AdminAPIKey.token``: a model class's column (SQLAlchemy, Peewee, SQLModel), whose
    ``==`` builds a query's condition (``select(Key).where(Key.token == token)``) instead
    of comparing two values in Python. ``settings.API_KEY`` and ``Config.SECRET`` are not."""
    if not (isinstance(side, ast.Attribute) and isinstance(side.value, ast.Name)):
        return False
    owner = side.value.id
    return owner[:1].isupper() and not owner.isupper() and side.attr.islower()


def _may_be_secret(ctx: FileContext, side: ast.expr) -> bool:
    """Not a literal (bandit's B105 covers those) nor ``len()``/``type()``/... of a value."""
    if isinstance(side, ast.Constant | ast.JoinedStr):
        return False
    return not (isinstance(side, ast.Call) and (ctx.qualname(side.func) or "") in _NOT_SECRETS)


def hashed_arguments(node: ast.Call, qual: str) -> list[ast.expr]:
    """What a hash call hashes: its arguments (after ``hashlib.new``'s algorithm name),
    and ``data=``/``string=``."""
    args = [*node.args[1:]] if qual == "hashlib.new" else list(node.args)
    return args + [kw.value for kw in node.keywords if kw.arg in {"data", "string"}]


def algorithm_name(node: ast.Call, qual: str, fast: bool) -> str:
    """``sha256`` for ``hashlib.sha256(...)`` or ``hashlib.new("sha256", ...)``."""
    if qual == "hashlib.new" and node.args and const_str(node.args[0]):
        return str(const_str(node.args[0]))
    return qual.rsplit(".", 1)[-1] if fast else "a fast hash"


def module_in(module: str, prefix: str) -> bool:
    """``module`` is the package ``prefix`` or inside it."""
    return module == prefix or module.startswith(prefix + ".")


class CryptoChecks:
    """Password hashing, credential comparison and authentication facts of one file."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.hashers: set[str] = set()
        self.hash_objects: set[str] = set()
        self._flagged_lines: set[int] = set()  # lines with a BSSEC020 already

    def track(self, target: ast.AST, value: ast.AST) -> None:
        """Remember names bound to a fast hash object (``h = hashlib.sha256()``)."""
        name = self.ctx.dotted(target)
        if (
            name is not None
            and isinstance(value, ast.Call)
            and (self.ctx.qualname(value.func) or "") in FAST_HASHES
        ):
            self.hash_objects.add(name)

    def on_call(self, node: ast.Call, qual: str) -> None:
        if qual in GOOD_HASHERS:
            self.hashers.add(GOOD_HASHERS[qual])
        self._password_hash_call(node, qual)

    def _hash_update(self, node: ast.Call) -> bool:
        """``h.update(...)`` on a tracked fast hash object."""
        return (
            isinstance(node.func, ast.Attribute)
            and node.func.attr == "update"
            and (self.ctx.dotted(node.func.value) or "") in self.hash_objects
        )

    def _password_hash_call(self, node: ast.Call, qual: str) -> None:
        fast = qual in FAST_HASHES
        if not (fast or self._hash_update(node)):
            return
        if not any(mentions_password(a) for a in hashed_arguments(node, qual)):
            return
        algorithm = algorithm_name(node, qual, fast)
        self.ctx.add(
            node,
            "BSSEC020",
            AUTHENTICATION,
            Severity.HIGH,
            Confidence.HIGH,
            f"Password hashed with {algorithm}: use argon2, bcrypt, scrypt or PBKDF2",
            916,
        )
        self._flagged_lines.add(node.lineno)

    def on_assign_target(self, target: ast.AST, value: ast.AST) -> None:
        """``password_hash = md5(...)``: a fast hash under a password hash's name (once
        per line: a call already reported for hashing a password is not reported again)."""
        name = target_name(target)
        if not name or not password_hash_name(name):
            return
        for sub in ast.walk(value):
            if isinstance(sub, ast.Call) and (self.ctx.qualname(sub.func) or "") in FAST_HASHES:
                if sub.lineno not in self._flagged_lines:
                    self._flagged_lines.add(sub.lineno)
                    self._named_hash(sub, name)
                return

    def _named_hash(self, call: ast.Call, name: str) -> None:
        algorithm = (self.ctx.qualname(call.func) or "").rsplit(".", 1)[-1]
        self.ctx.add(
            call,
            "BSSEC020",
            AUTHENTICATION,
            Severity.HIGH,
            Confidence.MEDIUM,
            f"Password hash '{name}' computed with {algorithm}: use argon2, bcrypt, scrypt or PBKDF2",
            916,
        )

    def on_compare(self, node: ast.Compare) -> None:
        hit = compared_credential(self.ctx, node)
        if hit is None:
            return
        operator = "==" if isinstance(node.ops[0], ast.Eq) else "!="
        self.ctx.add(
            node,
            "BSSEC022",
            AUTHENTICATION,
            Severity.MEDIUM,
            Confidence.MEDIUM,
            f"'{hit}' compared with {operator}: use hmac.compare_digest (constant time)",
            208,
        )

    def authentication(self, names: set[str]) -> bool:
        """Whether the file does authentication; adds the hashers its imports name."""
        modules = self.ctx.module_names
        auth = (
            any(module_in(m, a) for m in modules for a in AUTH_MODULES)
            or bool(self.hashers)
            or any(f.criterion == AUTHENTICATION for f in self.ctx.findings)
            or any(password_name(n) for n in names)
        )
        self.hashers.update(imported_hashers(modules))
        return auth


def imported_hashers(modules: set[str]) -> set[str]:
    """The password hashers whose modules are imported (``passlib``, ``argon2``...)."""
    return {
        label
        for module in modules
        for prefix, label in GOOD_HASHERS.items()
        if module_in(module, prefix)
    }
