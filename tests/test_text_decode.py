"""A file's bytes as text, or the reason it is skipped."""

from __future__ import annotations

import pytest

from backend_skills.core._text_decode import _count_lines, _decode, _text_of


@pytest.mark.parametrize(
    ("data", "language", "text", "problem"),
    [
        (b"x = 1\n", "python", "x = 1\n", None),
        (b"\xef\xbb\xbfx = 1\n", "python", "x = 1\n", None),
        (b"\x00\x01binary", "python", "", "binary file"),
        (b"  \n\t\n", "python", "", "empty file"),
        (b"", "sql", "", "empty file"),
        (b"caf\xe9\n", "sql", "", "not valid utf-8 (byte 3)"),
        (b"# -*- coding: latin-1 -*-\ns = 'caf\xe9'\n", "python", None, None),
        (b"# coding: no-such-codec\nx = 1\n", "python", "", "unknown encoding: "),
    ],
)
def test_text_of(data: bytes, language: str, text: str | None, problem: str | None) -> None:
    got, why = _text_of(data, language)
    if problem is None:
        assert why is None
    else:
        assert why is not None
        assert why.startswith(problem)
    if text is not None:
        assert got == text


def test_python_is_decoded_as_cpython_reads_it() -> None:
    assert _decode(b"# -*- coding: latin-1 -*-\ns = 'caf\xe9'\n", "python").endswith("café'\n")
    with pytest.raises(UnicodeDecodeError):
        _decode(b"# -*- coding: latin-1 -*-\ns = 'caf\xe9'\n", "sql")


@pytest.mark.parametrize(("text", "lines"), [("", 0), ("a", 1), ("a\n", 1), ("a\nb", 2)])
def test_count_lines(text: str, lines: int) -> None:
    assert _count_lines(text) == lines
