"""C#: node kinds of ``tree-sitter-c-sharp``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._common import enclosing, modifier_words
from ._spec import LanguageSpec

if TYPE_CHECKING:
    import tree_sitter

_CLASSES = (
    "class_declaration",
    "interface_declaration",
    "struct_declaration",
    "record_declaration",
    "enum_declaration",
)
_TEST_ATTRIBUTES = (
    b"Fact",
    b"Theory",
    b"Test",
    b"TestCase",
    b"TestCaseSource",
    b"TestMethod",
    b"DataTestMethod",
)


def _public(node: tree_sitter.Node) -> bool:
    words = modifier_words(node, ("modifier",))
    if b"override" in words:
        return False  # documented where it is declared (<inheritdoc/>)
    if b"public" in words or b"protected" in words:
        return True
    owner = enclosing(node, _CLASSES)
    return owner is not None and owner.type == "interface_declaration" and b"private" not in words


def _test(node: tree_sitter.Node, source: bytes) -> bool:
    for child in node.children:
        if child.type != "attribute_list":
            continue
        for attribute in child.named_children:
            name = attribute.child_by_field_name("name")
            if name is not None and name.text is not None:
                short = name.text.rsplit(b".", 1)[-1].removesuffix(b"Attribute")
                if short in _TEST_ATTRIBUTES:
                    return True
    return False


SPEC = LanguageSpec(
    name="csharp",
    grammar="tree_sitter_c_sharp:language",
    functions=(
        "method_declaration",
        "constructor_declaration",
        "local_function_statement",
        "accessor_declaration",
        "operator_declaration",
        "conversion_operator_declaration",
        "destructor_declaration",
    ),
    decisions="""
    [(if_statement) (for_statement) (foreach_statement) (while_statement) (do_statement)
     (catch_clause) (conditional_expression) (conditional_access_expression)] @decision
    (switch_section "case" @decision)
    (switch_expression_arm [(constant_pattern) (declaration_pattern) (recursive_pattern)
      (relational_pattern) (type_pattern) (and_pattern) (or_pattern) (negated_pattern)]) @decision
    (binary_expression operator: ["&&" "||" "??"] @decision)
    """,
    classes=_CLASSES,
    catches=("catch_clause",),
    calls=("invocation_expression", "object_creation_expression"),
    annotations=("attribute",),
    strings=(
        "string_literal",
        "verbatim_string_literal",
        "raw_string_literal",
        "interpolated_string_expression",
    ),
    interpolations=("interpolation",),
    literals=(
        "integer_literal",
        "real_literal",
        "boolean_literal",
        "null_literal",
        "character_literal",
    ),
    comments=("comment",),
    doc_prefixes=("///", "/**"),
    assignments=(
        ("variable_declarator", "name", ""),
        ("assignment_expression", "left", "right"),
    ),
    parameters=("parameter",),
    request_markers=(
        r"\[From(?:Query|Body|Route|Form|Header)\b|Request\.(?:Query|Form|Body|Headers|Cookies|QueryString)"
        r"|HttpContext\.Request|\bHttpRequest\b|\[Http(?:Get|Post|Put|Delete|Patch)\b|ControllerBase|: Controller\b"
        r"|\bRequest\s*\[|\bRequest\.(?:Params|ServerVariables|Files|InputStream)\b"
    ),
    request_markers_by_suffix=dict.fromkeys(
        (".aspx.cs", ".ascx.cs", ".master.cs"),
        r"\b[a-z]\w*\.Text\b(?!\s*(?:=[^=]|\+=))",  # a Web Forms control's text: user input
    ),
    assertion_markers=r"\bAssert\.|\.Should\(|\.Verify\(|\bShouldBe\w*\(|\bExpect\(",
    route_markers=r"\[Http(?:Get|Post|Put|Delete|Patch)\b|\bMap(?:Get|Post|Put|Delete|Patch)\s*\(|:\s*(?:Controller|ControllerBase)\b|\bPageModel\b",
    cache_markers=r"\bIMemoryCache\b|\bIDistributedCache\b|\bAdd(?:Memory|StackExchangeRedis|DistributedMemory)Cache\b|\[ResponseCache\b|\bOutputCache\b|\bIConnectionMultiplexer\b|\bHybridCache\b",
    background_markers=r"\bBackgroundService\b|\bIHostedService\b|\bHangfire\b|\bBackgroundJob\.|\bRecurringJob\.|\bQuartz\b|\bMassTransit\b|\bIBackgroundTaskQueue\b|\bChannel<",
    is_public=_public,
    is_test=_test,
)
