"""Shared helpers for checkers that read Python source."""

from __future__ import annotations

import ast
import re
import sys
import warnings

_last: tuple[str, str, ast.Module | str] | None = None


def parse_python(text: str, path: str) -> ast.Module | str:
    """Parse ``text``; return the tree, or a one-line reason when it cannot be parsed.

    Syntax that is valid in a newer Python than the running one is reported as such
    ("syntax newer than this interpreter"), not as a broken file.

    The last result is kept: the runner hands a worker one file's tasks for every
    checker one after the other, so the checkers that parse the same file (our
    analyses, radon, the schema reader) share one parse. The tree is shared: never
    modify it.
    """
    global _last
    last = _last
    if last is not None and last[0] == path and (last[1] is text or last[1] == text):
        return last[2]
    result = _parse(text, path)
    _last = (path, text, result)
    return result


def _parse(text: str, path: str) -> ast.Module | str:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for invalid escapes etc.
            return ast.parse(text, filename=path, type_comments=False)
    except SyntaxError as exc:
        where = f"line {exc.lineno}" if exc.lineno else "unknown line"
        detail = exc.msg or "invalid syntax"
        if _newer_syntax(text, detail):
            version = f"{sys.version_info.major}.{sys.version_info.minor}"
            return f"syntax newer than this interpreter (Python {version}): {detail} at {where}"
        return f"syntax error: {detail} at {where}"
    except (ValueError, RecursionError, MemoryError) as exc:
        return f"cannot parse: {type(exc).__name__}"


#: Constructs a newer Python accepts that this one may not: PEP 695 type aliases and
#: generic definitions (3.12).
_NEWER_CONSTRUCTS = re.compile(
    r"^\s*type\s+\w+\s*(\[[^\]]*\])?\s*=|^\s*(async\s+)?def\s+\w+\[|^\s*class\s+\w+\[",
    re.MULTILINE,
)


def _newer_syntax(text: str, detail: str) -> bool:
    if sys.version_info < (3, 12) and "f-string" in detail:
        return True  # PEP 701 (3.12) allows quotes and backslashes inside f-strings
    return _NEWER_CONSTRUCTS.search(text) is not None


#: A PEP 263 encoding declaration (on one of the first two lines).
_COOKIE = re.compile(r"^([ \t\f]*#[^\n]*?coding[:=][ \t]*)([-\w.]+)")


def utf8_source(text: str) -> bytes:
    """``text`` (decoded source) as UTF-8 bytes that any parser reads back the same.

    An encoding declaration in the first two lines named the file's codec on disk, which
    the decoded text no longer has: it is rewritten to ``utf-8`` (same line count).
    """
    lines = text.split("\n", 2)
    for i in range(min(2, len(lines))):
        lines[i] = _COOKIE.sub(lambda m: m.group(1) + "utf-8", lines[i], count=1)
    return "\n".join(lines).encode("utf-8", "surrogatepass")
