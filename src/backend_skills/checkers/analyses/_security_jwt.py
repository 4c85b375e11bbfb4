"""JSON Web Tokens without a signature (BSSEC021).

A token signed with the ``none`` algorithm is reported here. A decode that skips
verification (``options={"verify_signature": False}``, ``verify=False``, the ``none``
algorithm accepted) is recorded with its token argument: whether the token comes from the
request decides, in ``reduce``, between a vulnerability and a hotspot
(:mod:`._security_trace`).
"""

from __future__ import annotations

import ast

from backend_skills.core.models import Confidence, Severity

from ._security_base import AUTHENTICATION, SECRETS, FileContext, const_str, is_false, keyword

#: A decode that skips verification: the call, its token argument, and why.
Decode = tuple[ast.Call, ast.AST | None, list[str]]


def jwt_call(qual: str) -> bool:
    """A call into PyJWT or python-jose (``jwt.decode``, ``jose.jwt.decode``)."""
    return "jwt" in qual.split(".")[:-1] or qual.startswith(("jwt", "jose"))


def mentions_none(node: ast.AST) -> bool:
    """Whether the ``none`` algorithm is named anywhere in an expression."""
    return any((const_str(n) or "").lower() == "none" for n in ast.walk(node))


def module_constants(tree: ast.Module) -> dict[str, ast.AST]:
    """Module-level names bound exactly once, to a literal (``VERIFY = False``)."""
    bound: dict[str, list[ast.AST]] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    bound.setdefault(target.id, []).append(stmt.value)
    return {k: v[0] for k, v in bound.items() if len(v) == 1 and isinstance(v[0], ast.Constant)}


def token_argument(node: ast.Call) -> ast.AST | None:
    """The token a decode call reads: ``jwt=``/``token=`` or the first argument."""
    token = keyword(node, "jwt") or keyword(node, "token")
    if token is not None:
        return token.value
    return node.args[0] if node.args else None


class JwtChecks:
    """Unsigned tokens and unverified decodes in one file."""

    def __init__(self, ctx: FileContext, constants: dict[str, ast.AST]) -> None:
        self.ctx = ctx
        self.constants = constants
        self.decodes: list[Decode] = []

    def false(self, node: ast.AST) -> bool:
        """``False``, or a module constant bound only to ``False`` (``VERIFY = False``)."""
        if isinstance(node, ast.Name) and node.id in self.constants:
            return is_false(self.constants[node.id])
        return is_false(node)

    def unverified(self, node: ast.Call) -> list[str]:
        """Why a decode call does not verify the signature (empty: it does)."""
        reasons = []
        options = keyword(node, "options")
        if options is not None and isinstance(options.value, ast.Dict):
            for key, value in zip(options.value.keys, options.value.values, strict=True):
                if const_str(key) == "verify_signature" and self.false(value):
                    reasons.append("options={'verify_signature': False}")
        verify = keyword(node, "verify")
        if verify is not None and self.false(verify.value):
            reasons.append("verify=False")
        algorithms = keyword(node, "algorithms")
        if algorithms is not None and mentions_none(algorithms.value):
            reasons.append("the 'none' algorithm")
        return reasons

    def on_call(self, node: ast.Call, qual: str, last: str) -> None:
        if not jwt_call(qual):
            return
        if last in {"encode", "decode"}:
            self.literal_key(node, last)
        if last in {"decode", "decode_complete"}:
            reasons = self.unverified(node)
            if reasons:
                self.decodes.append((node, token_argument(node), reasons))
        algorithm = keyword(node, "algorithm") if last == "encode" else None
        if algorithm is not None and mentions_none(algorithm.value):
            self.ctx.add(
                node,
                "BSSEC021",
                AUTHENTICATION,
                Severity.HIGH,
                Confidence.HIGH,
                "JWT signed with the 'none' algorithm: anyone can forge it",
                347,
            )

    def literal_key(self, node: ast.Call, last: str) -> None:
        """BSSEC120: the key of ``jwt.encode(payload, key)``/``jwt.decode(token, key)``
        written in the code (a string literal, or a module constant bound to one)."""
        key_keyword = keyword(node, "key")
        key: ast.AST | None = key_keyword.value if key_keyword is not None else None
        if key is None and len(node.args) >= 2:
            key = node.args[1]
        if isinstance(key, ast.Name) and key.id in self.constants:
            key = self.constants[key.id]
        value = const_str(key) if key is not None else None
        if not value:
            return
        self.ctx.add(
            node,
            "BSSEC120",
            SECRETS,
            Severity.HIGH,
            Confidence.HIGH,
            f"a key written in the code is passed to `jwt.{last}` (value not shown)",
            321,
        )
