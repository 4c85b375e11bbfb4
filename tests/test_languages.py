"""The tree-sitter language layer: complexity, size, docs, tests, typing, error handling."""

from __future__ import annotations

import pytest

from backend_skills.checkers.polyglot import PolyglotOptions, analyse_source
from backend_skills.core.discovery import classify_role, detect_language
from backend_skills.core.models import Role
from backend_skills.languages import LANGUAGES, FileMeasure, measure, parse


def _measure(language: str, code: str, path: str = "", *, test_file: bool = False) -> FileMeasure:
    spec = LANGUAGES[language]
    source = code.encode()
    path = (
        path
        or {
            "java": "A.java",
            "csharp": "A.cs",
            "go": "a.go",
            "javascript": "a.js",
            "typescript": "a.ts",
        }[language]
    )
    return measure(spec, parse(spec, source, path), source, path, test_file=test_file)


def _cc(language: str, code: str) -> dict[str, int]:
    return {f.name: f.complexity for f in _measure(language, code).functions}


# ----------------------------------------------------------------------------- complexity


def test_java_complexity_counts_every_decision_point() -> None:
    code = """class A {
  int f(int x) {
    if (x > 1 && x < 3) { return 1; } else if (x == 2) { return 2; }
    for (int i = 0; i < x; i++) {}
    for (int v : list) {}
    while (x > 0) { x--; }
    do { x++; } while (x < 0);
    switch (x) { case 1: case 2: break; default: break; }
    try { g(); } catch (IOException e) { throw e; }
    return x > 0 ? 1 : 2;
  }
  void simple() {}
}
"""
    # 1 + if, &&, else-if, for, for-each, while, do, 2 cases, catch, ternary = 12
    assert _cc("java", code) == {"A.f": 12, "A.simple": 1}


def test_csharp_complexity_includes_null_coalescing_and_switch_arms() -> None:
    code = """class A {
  int F(int x, string s) {
    if (x > 1 || x < 0) return 1;
    foreach (var c in s) {}
    var y = x switch { 1 => 2, 2 => 3, _ => 4 };
    var t = s ?? "none";
    var n = s?.Length;
    switch (x) { case 1: break; default: break; }
    try { G(); } catch (Exception) { throw; }
    return x > 0 ? 1 : 2;
  }
}
"""
    # 1 + if, ||, foreach, 2 arms (discard not counted), ??, ?., case, catch, ?: = 11
    assert _cc("csharp", code) == {"A.F": 11}


def test_go_complexity() -> None:
    code = """package m

func F(x int) int {
    if x > 1 && x < 3 {
        return 1
    }
    for i := 0; i < x; i++ {
    }
    switch x {
    case 1, 2:
    case 3:
    default:
    }
    select {
    case <-ch:
    }
    return 0
}

func (s *S) M() {}
"""
    # 1 + if, &&, for, 2 cases, select case = 7
    assert _cc("go", code) == {"F": 7, "M": 1}


def test_javascript_complexity_and_nested_functions() -> None:
    code = """export function f(x) {
  if (x && x.y || x.z) { return 1; }
  const g = (a) => a ?? 0;
  for (const k of x) {}
  switch (x) { case 1: break; default: }
  try { h(); } catch (e) { throw e; }
  return x ? 1 : 2;
}
"""
    # f: 1 + if, &&, ||, for-of, case, catch, ternary = 8; g: 1 + ?? = 2
    assert _cc("javascript", code) == {"f": 8, "g": 2}


# ----------------------------------------------------------------------------- size


def test_function_and_file_size_exclude_blank_and_comment_lines() -> None:
    code = """package m

// F does a thing.
func F() int {
    // a comment
    x := 1

    /* block
       comment */
    return x
}
"""
    measured = _measure("go", code)
    assert measured.functions[0].sloc == 4  # signature, x := 1, return, closing brace
    assert measured.sloc == 5  # plus the package clause


def test_long_function_and_file_findings() -> None:
    body = "\n".join(f"    y += {i};" for i in range(60))
    code = f"class A {{\n  int f(int y) {{\n{body}\n    return y;\n  }}\n}}\n"
    result = analyse_source(
        "src/A.java", "java", code, Role.SOURCE, PolyglotOptions(max_module_sloc=50)
    )
    rules = {f.rule: f for f in result.findings}
    assert rules["BSSRV111"].line == 2
    assert "63 source lines" in rules["BSSRV111"].message
    assert rules["BSSRV112"].line == 1


# ----------------------------------------------------------------------------- documentation


@pytest.mark.parametrize(
    ("language", "code", "public", "documented"),
    [
        (
            "java",
            "/** A. */\npublic class A {\n  /** Does f. */\n  public void f() {}\n  public void g() {}\n"
            '  private void h() {}\n  @Override\n  public String toString() { return ""; }\n}\n',
            3,
            2,
        ),
        (
            "csharp",
            "/// <summary>A.</summary>\npublic class A {\n  /// <summary>F.</summary>\n"
            "  public void F() {}\n  public void G() {}\n  private void H() {}\n}\n",
            3,
            2,
        ),
        (
            "go",
            "package m\n\n// F does.\nfunc F() {}\n\nfunc G() {}\n\nfunc h() {}\n\n// T is.\ntype T struct{}\n",
            3,
            2,
        ),
        (
            "typescript",
            "/** f. */\nexport function f() {}\nexport const g = () => 1;\nfunction h() {}\n"
            "/** C. */\nexport class C {\n  /** m. */\n  m() {}\n  private p() {}\n}\n",
            4,
            3,
        ),
    ],
)
def test_doc_comments_on_the_public_api(
    language: str, code: str, public: int, documented: int
) -> None:
    measured = _measure(language, code)
    assert (measured.public, measured.documented) == (public, documented)


def test_a_comment_separated_by_a_blank_line_does_not_document() -> None:
    measured = _measure("java", "public class A {\n  /** Orphan. */\n\n  public void f() {}\n}\n")
    assert measured.documented == 0


# ----------------------------------------------------------------------------- tests


@pytest.mark.parametrize(
    ("language", "path", "code", "tests", "without"),
    [
        (
            "java",
            "src/test/java/ATest.java",
            "class ATest {\n  @Test\n  void a() { assertEquals(1, f()); }\n  @ParameterizedTest\n"
            "  void b() { f(); }\n  void helper() { assertTrue(true); }\n}\n",
            1,
            1,
        ),
        (
            "csharp",
            "A.Tests/ATests.cs",
            "public class ATests {\n  [Fact]\n  public void A() { Assert.Equal(1, F()); }\n"
            "  [Theory, InlineData(1)]\n  public void B(int x) { F().Should().Be(x); }\n}\n",
            2,
            0,
        ),
        (
            "go",
            "a_test.go",
            'package m\n\nfunc TestA(t *testing.T) {\n\tif f() != 1 {\n\t\tt.Errorf("bad")\n\t}\n}\n\n'
            "func TestB(t *testing.T) {\n\tf()\n}\n\nfunc helper() {}\n",
            1,
            1,
        ),
        (
            "typescript",
            "src/a.spec.ts",
            "describe('a', () => {\n  it('works', () => { expect(f()).toBe(1); });\n"
            "  test.each([1])('each %i', (x) => { expect(f()).toBe(x); });\n  it('todo', () => { f(); });\n});\n",
            2,
            1,
        ),
    ],
)
def test_tests_with_assertions_are_counted(
    language: str, path: str, code: str, tests: int, without: int
) -> None:
    measured = _measure(language, code, path, test_file=True)
    assert (measured.tests, measured.tests_without_assert) == (tests, without)


# ----------------------------------------------------------------------------- typing


def test_typescript_any_and_javascript_count_as_untyped() -> None:
    ts = _measure("typescript", "export function f(a: number, b: any, c) {}\nxs.map((x) => x);\n")
    assert (ts.slots, ts.typed_slots, ts.any_slots) == (3, 1, 1)  # the callback is typed by context
    js = _measure("javascript", "function f(a, b) {}\n")
    assert (js.slots, js.typed_slots) == (2, 0)
    java = _measure("java", "class A { void f(int a) {} void g() {} }\n")
    assert java.slots == java.typed_slots == 2


# ----------------------------------------------------------------------------- error handling


def test_error_handling_rules() -> None:
    code = """class A {
  void f() {
    try { g(); } catch (IOException e) { }
    try { g(); } catch (Exception e) { count++; }
    try { g(); } catch (Exception e) { log.error("g failed", e); }
    try { g(); } catch (IllegalStateException e) { count++; }
    try { g(); } catch (Exception e) { throw new RuntimeException(e); }
  }
}
"""
    issues = [(i.rule, i.line) for i in _measure("java", code).issues]
    assert issues == [("BSSRV101", 3), ("BSSRV102", 4)]


def test_go_discarded_errors() -> None:
    code = """package m

func f() {
    _ = os.Remove("x")
    n, _ := strconv.Atoi("1")
    v, ok := m["k"]
    _, _ = n, v
    x, err := g()
}
"""
    issues = [(i.rule, i.line, i.detail) for i in _measure("go", code).issues]
    assert issues == [("BSSRV103", 4, "os.Remove"), ("BSSRV103", 5, "strconv.Atoi")]


# ----------------------------------------------------------------------------- robustness


def test_broken_file_is_measured_partially_and_said_so() -> None:
    code = "class A {\n  void f() { if (x) { return; }\n  void g() {}\n"
    measured = _measure("java", code)
    assert measured.parse_errors > 0
    assert measured.functions  # what parsed is still measured
    garbage = analyse_source("src/B.java", "java", "%%%% ^^^^ @@@@ !!!!\n" * 50, Role.SOURCE)
    assert garbage.skipped is not None
    assert "does not parse as Java" in garbage.skipped


def test_minified_bundle_is_skipped_with_a_reason() -> None:
    code = "var a=1;" * 4000
    result = analyse_source("src/app.js", "javascript", code, Role.SOURCE)
    assert result.skipped is not None
    assert "minified" in result.skipped


def test_deep_nesting_does_not_crash() -> None:
    code = "function f() { return " + "(" * 5000 + "1" + ")" * 5000 + "; }\n"
    result = analyse_source("src/deep.js", "javascript", code, Role.SOURCE)
    assert result.skipped is None or "nested" in result.skipped


# ----------------------------------------------------------------------------- discovery


@pytest.mark.parametrize(
    ("path", "language", "role"),
    [
        ("src/main/java/app/A.java", "java", Role.SOURCE),
        ("src/test/java/app/ATest.java", "java", Role.TEST),
        ("Api/Controllers/UsersController.cs", "csharp", Role.SOURCE),
        ("Api.Tests/UsersControllerTests.cs", "csharp", Role.TEST),
        ("Api.UnitTests/Sub/X.cs", "csharp", Role.TEST),
        ("Api/Forms/Main.Designer.cs", "csharp", Role.GENERATED),
        ("Api/Migrations/AppDbContextModelSnapshot.cs", "csharp", Role.GENERATED),
        ("Api/Migrations/20240101_Init.cs", "csharp", Role.MIGRATION),
        ("Api/Obj/Foo.g.cs", "csharp", Role.GENERATED),
        ("internal/store/store.go", "go", Role.SOURCE),
        ("internal/store/store_test.go", "go", Role.TEST),
        ("api/v1/api.pb.go", "go", Role.GENERATED),
        ("src/routes/users.ts", "typescript", Role.SOURCE),
        ("src/routes/users.spec.ts", "typescript", Role.TEST),
        ("src/components/App.test.tsx", "typescript", Role.TEST),
        ("src/components/App.tsx", "typescript", Role.SOURCE),
        ("src/__tests__/users.js", "javascript", Role.TEST),
        ("public/vendor/jquery.js", "javascript", Role.VENDORED),
        ("wwwroot/lib/bootstrap/dist/js/bootstrap.js", "javascript", Role.VENDORED),
        (".mvn/wrapper/MavenWrapperDownloader.java", "java", Role.VENDORED),
        ("dist/main.js", "javascript", Role.VENDORED),
        ("static/app.bundle.js", "javascript", Role.VENDORED),
        ("src/main/resources/static/js/libs/ace.js", "javascript", Role.VENDORED),
        ("src/main/resources/static/js/jquery.min.js", "javascript", Role.VENDORED),
        ("src/main/resources/static/js/modernizr-2.6.js", "javascript", Role.VENDORED),
        # Browser code served from a static folder is front end, not the backend's source.
        ("src/main/resources/static/js/app.js", "javascript", Role.VENDORED),
        ("src/main/resources/application.properties", "properties", Role.CONFIG),
    ],
)
def test_discovery_classifies_the_tree_sitter_languages(
    path: str, language: str, role: Role
) -> None:
    name = path.rsplit("/", 1)[-1]
    assert detect_language(name) == language
    assert classify_role(path, language) is role
