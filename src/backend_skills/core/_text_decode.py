"""A file's bytes as text: binary files told apart, Python decoded as CPython reads it
(PEP 263), everything else as UTF-8; and the reason when a file cannot be read as text."""

from __future__ import annotations

import io
import tokenize


def _looks_binary(data: bytes) -> bool:
    return b"\x00" in data[:8192]


def _count_lines(text: str) -> int:
    if not text:
        return 0
    return text.count("\n") + (0 if text.endswith("\n") else 1)


def _decode(data: bytes, language: str) -> str:
    """UTF-8 text; Python files are decoded as CPython reads them (PEP 263).

    The first lines, where the encoding cookie is looked for, are ASCII-compatible by
    necessity; the rest is decoded with the declared codec, so that a codec that is not
    ASCII-compatible (EBCDIC ``cp500``, say) still gives the program CPython runs.
    Raises ``UnicodeError`` (undecodable, or a codec such as ``undefined`` that refuses
    to decode), ``LookupError`` or ``SyntaxError`` (unknown or invalid cookie).
    """
    if language == "python" and b"coding" in data[:400]:
        encoding, consumed = tokenize.detect_encoding(io.BytesIO(data).readline)
        if encoding in {"utf-8", "utf-8-sig"}:
            return data.decode("utf-8-sig")
        head = b"".join(consumed)
        if not data.startswith(head):  # pragma: no cover - detect_encoding reads the start
            return data.decode(encoding)
        return head.decode("utf-8") + data[len(head) :].decode(encoding)
    return data.decode("utf-8-sig")


def _text_of(data: bytes, language: str) -> tuple[str, str | None]:
    """A file's text, or why it is skipped: binary, undecodable or empty."""
    if _looks_binary(data):
        return "", "binary file"
    try:
        text = _decode(data, language)
    except UnicodeDecodeError as exc:
        return "", f"not valid {exc.encoding} (byte {exc.start})"
    except UnicodeError as exc:  # a codec that refuses to decode (`coding: undefined`)
        return "", f"cannot decode: {_first_line(exc, 'codec error')}"
    except (LookupError, SyntaxError) as exc:
        return "", f"unknown encoding: {_first_line(exc, 'no such codec')}"
    if not text or text.isspace():  # same as `not text.strip()`, without a copy
        return "", "empty file"
    return text, None


def _first_line(exc: BaseException, default: str) -> str:
    return str(exc).splitlines()[0][:120] if str(exc) else default
