"""Java: node kinds of ``tree-sitter-java``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._common import enclosing, modifier_words
from ._spec import LanguageSpec

if TYPE_CHECKING:
    import tree_sitter

_CLASSES = ("class_declaration", "interface_declaration", "enum_declaration", "record_declaration")
_TEST_ANNOTATIONS = (b"Test", b"ParameterizedTest", b"RepeatedTest", b"TestFactory", b"Property")


def _public(node: tree_sitter.Node) -> bool:
    words = modifier_words(node, ("modifiers",))
    modifiers = next((c for c in node.children if c.type == "modifiers"), None)
    if modifiers is not None and modifiers.text is not None and b"@Override" in modifiers.text:
        return False  # documented where it is declared ({@inheritDoc})
    if b"public" in words or b"protected" in words:
        return True
    owner = enclosing(node, _CLASSES)
    return owner is not None and owner.type == "interface_declaration" and b"private" not in words


def _test(node: tree_sitter.Node, source: bytes) -> bool:
    modifiers = next((c for c in node.children if c.type == "modifiers"), None)
    if modifiers is None:
        return False
    for child in modifiers.children:
        if child.type in ("marker_annotation", "annotation"):
            name = child.child_by_field_name("name")
            if (
                name is not None
                and name.text
                and name.text.rsplit(b".", 1)[-1] in _TEST_ANNOTATIONS
            ):
                return True
    return False


SPEC = LanguageSpec(
    name="java",
    grammar="tree_sitter_java:language",
    functions=("method_declaration", "constructor_declaration", "compact_constructor_declaration"),
    decisions="""
    [(if_statement) (for_statement) (enhanced_for_statement) (while_statement)
     (do_statement) (catch_clause) (ternary_expression)] @decision
    (switch_label "case" @decision)
    (binary_expression operator: ["&&" "||"] @decision)
    """,
    classes=_CLASSES,
    catches=("catch_clause",),
    calls=("method_invocation", "object_creation_expression"),
    annotations=("annotation", "marker_annotation"),
    strings=("string_literal",),
    interpolations=(),
    literals=(
        "decimal_integer_literal",
        "hex_integer_literal",
        "decimal_floating_point_literal",
        "true",
        "false",
        "null_literal",
        "character_literal",
        "class_literal",
    ),
    comments=("line_comment", "block_comment"),
    doc_prefixes=("/**",),
    assignments=(
        ("variable_declarator", "name", "value"),
        ("assignment_expression", "left", "right"),
    ),
    parameters=("formal_parameter", "spread_parameter"),
    request_markers=(
        r"@(?:RequestParam|PathVariable|RequestBody|RequestHeader|CookieValue|ModelAttribute)"
        r"|HttpServletRequest|\.getParameter(?:Values|Map)?\(|\.getHeader\(|\.getQueryString\("
        r"|@(?:QueryParam|PathParam|FormParam)"
    ),
    assertion_markers=r"\bassert\w*\s*\(|\bverify\s*\(|\bexpect\w*\s*\(|\.andExpect\(|\bfail\s*\(|\bassert\b",
    route_markers=r"@(?:Get|Post|Put|Delete|Patch|Request)Mapping\b|@(?:GET|POST|PUT|DELETE|Path)\b",
    cache_markers=r"@Cacheable\b|@EnableCaching\b|@CachePut\b|\bCacheManager\b|\bRedisTemplate\b|\bCaffeine\b|\bJedis(?:Pool)?\b|\bRedissonClient\b",
    background_markers=r"@Async\b|@Scheduled\b|@EnableAsync\b|@EnableScheduling\b|@(?:Kafka|Rabbit|Jms|Sqs)Listener\b|\bJobLauncher\b|org\.quartz\b|\bTaskExecutor\b",
    is_public=_public,
    is_test=_test,
)
