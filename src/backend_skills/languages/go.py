"""Go: node kinds of ``tree-sitter-go``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._common import name_of
from ._spec import LanguageSpec

if TYPE_CHECKING:
    import tree_sitter


def _public(node: tree_sitter.Node) -> bool:
    name = name_of(node)
    if node.type == "type_spec":
        return name[:1].isupper()
    return name[:1].isupper()


def _test(node: tree_sitter.Node, source: bytes) -> bool:
    if node.type != "function_declaration":
        return False
    name = name_of(node)
    params = node.child_by_field_name("parameters")
    text = params.text if params is not None and params.text is not None else b""
    return name.startswith(("Test", "Example", "Fuzz")) and (
        b"testing.T" in text or b"testing.F" in text or name.startswith("Example")
    )


SPEC = LanguageSpec(
    name="go",
    grammar="tree_sitter_go:language",
    functions=("function_declaration", "method_declaration"),
    decisions="""
    [(if_statement) (for_statement) (expression_case) (type_case) (communication_case)] @decision
    (binary_expression operator: ["&&" "||"] @decision)
    """,
    classes=("type_spec",),
    catches=(),
    calls=("call_expression",),
    annotations=(),
    strings=("interpreted_string_literal", "raw_string_literal"),
    interpolations=(),
    literals=("int_literal", "float_literal", "true", "false", "nil", "rune_literal", "iota"),
    comments=("comment",),
    doc_prefixes=("//", "/*"),
    assignments=(
        ("short_var_declaration", "left", "right"),
        ("assignment_statement", "left", "right"),
        ("var_spec", "name", "value"),
        ("const_spec", "name", "value"),
    ),
    parameters=("parameter_declaration", "variadic_parameter_declaration"),
    request_markers=(
        r"\*http\.Request|\.URL\.Query\(\)|\.FormValue\(|\.PostFormValue\(|\.Header\.Get\("
        r"|\*gin\.Context|echo\.Context|\*fiber\.Ctx|\bc\.(?:Query|Param|PostForm|Bind\w*|ShouldBind\w*)\("
        r"|mux\.Vars\(|chi\.URLParam\("
    ),
    assertion_markers=r"\bt\.(?:Error|Errorf|Fatal|Fatalf|Fail|FailNow)\b|\b(?:assert|require)\.\w+\(|\bExpect\(|\bcmp\.Diff\(|// Output:",
    route_markers=r"\bHandleFunc\s*\(|\bHandle\s*\(\s*\"|\.(?:GET|POST|PUT|DELETE|PATCH|Get|Post|Put|Delete|Patch)\s*\(\s*\"/",
    cache_markers=r"go-redis/redis|redis/go-redis|\bredis\.NewClient\b|\bbigcache\b|\bristretto\b|\bfreecache\b|\bgroupcache\b|\bgo-cache\b",
    background_markers=r"hibiken/asynq|\basynq\.|robfig/cron|go-co-op/gocron|riverqueue|\bmachinery\b|\bnats\.|\bsarama\.|segmentio/kafka-go|\bamqp\.",
    is_public=_public,
    is_test=_test,
)
