"""What :func:`backend_skills.languages.measure` finds with its one query per file: code
lines around comments, functions nested in functions, documentation in source order,
Go's dropped errors and the share of a broken file in syntax errors."""

from __future__ import annotations

import pytest

pytest.importorskip("tree_sitter")
pytest.importorskip("tree_sitter_java")
pytest.importorskip("tree_sitter_go")
pytest.importorskip("tree_sitter_javascript")
pytest.importorskip("tree_sitter_c_sharp")

from backend_skills.languages import LANGUAGES, FileMeasure, measure, parse
from backend_skills.languages._spec import captures

PATHS = {"java": "A.java", "csharp": "A.cs", "go": "a.go", "javascript": "a.js"}


def _measure(language: str, code: str, *, test_file: bool = False) -> FileMeasure:
    spec = LANGUAGES[language]
    source = code.encode()
    path = PATHS[language]
    return measure(spec, parse(spec, source, path), source, path, test_file=test_file)


def test_code_lines_leave_out_comments_and_blank_lines() -> None:
    """A line holding only a comment, a comment's inner lines, or white space (tabs, form
    feeds, a carriage return) is not code; code before or after a comment is."""
    code = (
        "/* licence\n"  # 1 comment
        "   text */\n"  # 2 comment
        "class A {\n"  # 3 code
        "\t\x0c \r\n"  # 4 blank
        "  int f() { /* why */ return 1; }\n"  # 5 code
        "  // only a comment\n"  # 6 comment
        "  /** doc */ int g() {\n"  # 7 code after a comment
        "    int x = 1; /* a\n"  # 8 code, comment starts
        "    b */\n"  # 9 comment ends
        "    return x; }\n"  # 10 code
        "}\n"  # 11 code
    )
    measured = _measure("java", code)
    assert measured.sloc == 6
    assert [(f.name, f.line, f.end_line, f.sloc) for f in measured.functions] == [
        ("A.f", 5, 5, 1),
        ("A.g", 7, 10, 3),
    ]


def test_code_lines_of_non_ascii_text() -> None:
    """Comments are found by byte offsets: text before them in several bytes per
    character does not shift them."""
    code = 'package m\n\nvar s = "héllo wörld ✓" // ünïcode\n// ✓✓✓\n\nfunc F() {}\n'
    assert _measure("go", code).sloc == 3


def test_functions_inside_functions_are_not_public_api() -> None:
    """An exported function's inner functions and callbacks are neither public nor
    undocumented; a later exported function is (its range is not inside the first)."""
    code = """/** Documented. */
export function outer() {
  function inner() {}
  return [1].map(function (x) { return x; });
}
export function later() {}
export class Box {
  open() { const close = () => 1; return close; }
}
"""
    measured = _measure("javascript", code)
    assert measured.public == 4  # outer, later, Box, Box.open
    assert measured.documented == 1
    assert measured.undocumented == [("later", 6), ("Box", 7), ("Box.open", 8)]


def test_undocumented_declarations_come_in_source_order() -> None:
    code = """public class A {
  public void b() {}
  /** Documented. */
  public void c() {}
  public A() {}
  public class Inner {
    public void d() {}
  }
  public void e() {}
}
"""
    measured = _measure("java", code)
    assert measured.undocumented == [
        ("A", 1),
        ("A.b", 2),
        ("A.A", 5),
        ("A.Inner", 6),
        ("Inner.d", 7),
        ("A.e", 9),
    ]
    assert (measured.public, measured.documented) == (7, 1)


def test_csharp_property_accessors_without_body_are_not_functions() -> None:
    code = """public class A {
    public int X { get; set; }
    public int Y { get => x; }
    public int F() { int Local() => 1; return Local(); }
}
"""
    measured = _measure("csharp", code)
    assert [(f.name, f.line) for f in measured.functions] == [
        ("A.get", 3),
        ("A.F", 4),
        ("Local", 4),
    ]
    names = [name for name, _ in measured.undocumented]
    assert "Local" not in names  # a local function is not public API
    assert names == ["A", "A.F"]  # an accessor without a modifier is not public


def test_go_dropped_errors_in_nested_function_literals_come_in_source_order() -> None:
    code = """package m

func f() {
    out, _ := run(func() error {
        _ = os.Remove("x")
        return nil
    })
    _, _ = a, b
    v := g()
    w, _ := /* the count */ strconv.Atoi("1")
}
"""
    issues = [(i.rule, i.line, i.column, i.detail) for i in _measure("go", code).issues]
    assert issues == [
        ("BSSRV103", 4, 5, "run"),
        ("BSSRV103", 5, 9, "os.Remove"),
        ("BSSRV103", 10, 5, "strconv.Atoi"),
    ]


def test_error_share_of_a_broken_file() -> None:
    """The errors and the share of bytes in ERROR nodes come from the measuring query
    itself: the same figures as a query for ERROR nodes alone."""
    code = "class A {\n  void f() { %%%% ^^^^ }\n  void g() { return; }\n}\n"
    spec = LANGUAGES["java"]
    source = code.encode()
    tree = parse(spec, source, "A.java")
    errors = captures(spec.grammar, "(ERROR) @e", tree.root_node)["e"]
    covered = sum(n.end_byte - n.start_byte for n in errors)  # these do not overlap here
    measured = measure(spec, tree, source, "A.java", test_file=False)
    assert measured.parse_errors == len(errors) > 0
    assert measured.error_share == round(covered / len(source), 4) > 0
    assert [f.name for f in measured.functions] == ["A.f", "A.g"]


def test_clean_file_has_no_errors() -> None:
    measured = _measure("go", "package m\n\nfunc F() {}\n")
    assert (measured.parse_errors, measured.error_share) == (0, 0.0)


@pytest.mark.parametrize(
    ("language", "code", "extra"),
    [
        (
            "java",
            "class A {\n  /** Doc. */\n  public int f(int x) { try { g(); } catch (Exception e) {}"
            ' return x > 1 && x < 3 ? 1 : 2; }\n  void h() { String s = "x"; %%% }\n}\n',
            "(string_literal) @other",
        ),
        (
            "go",
            'package m\n\n// F does.\nfunc F() { n, _ := strconv.Atoi("1"); if n > 1 { g() } }\n',
            "(call_expression) @other",
        ),
    ],
)
def test_measuring_captures_of_a_combined_query(language: str, code: str, extra: str) -> None:
    """A caller that adds :func:`measure_query`'s patterns to a query of its own (one
    traversal for both) gets the same measurements from its captures."""
    from backend_skills.languages import MEASURE_CAPTURES, measure_query

    spec = LANGUAGES[language]
    source = code.encode()
    path = PATHS[language]
    tree = parse(spec, source, path)
    combined = measure_query(spec, tree.root_node.has_error) + "\n" + extra
    found = captures(spec.grammar, combined, tree.root_node)
    assert found["other"]
    assert "other" not in MEASURE_CAPTURES
    shared = measure(spec, tree, source, path, test_file=False, found=found)
    alone = measure(spec, tree, source, path, test_file=False)
    assert shared == alone
    assert [f.name for f in shared.functions] == [f.name for f in alone.functions]
    assert shared.functions
    assert shared.sloc > 0
