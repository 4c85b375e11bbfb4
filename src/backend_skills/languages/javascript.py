"""JavaScript: node kinds of ``tree-sitter-javascript`` (TypeScript extends them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._common import name_of
from ._spec import LanguageSpec

if TYPE_CHECKING:
    import tree_sitter

FUNCTIONS = (
    "function_declaration",
    "generator_function_declaration",
    "function_expression",
    "generator_function",
    "arrow_function",
    "method_definition",
)
CLASSES = ("class_declaration", "class")
DECISIONS = """
[(if_statement) (for_statement) (for_in_statement) (while_statement) (do_statement)
 (switch_case) (catch_clause) (ternary_expression)] @decision
(binary_expression operator: ["&&" "||" "??"] @decision)
"""
TEST_CALLS = (b"it", b"test", b"specify")
REQUEST_MARKERS = (
    r"\breq\.(?:query|body|params|cookies|headers|files?|url|originalUrl|get\()|\brequest\.(?:query|body|params|payload|headers)"
    r"|\bctx\.(?:query|params|request\.body)|@(?:Body|Query|Param|Headers)\("
    # GraphQL: a resolver's arguments ((parent, args) => ..., NestJS @Args(), type-graphql @Arg())
    r"|\(\s*_?(?:root|parent|obj|source|_)\w*\s*(?::\s*[\w<>\[\]|. ]+?)?\s*,\s*args\b|@Args?\("
)
ROUTE_MARKERS = (
    r"\b(?:app|router|server|fastify)\.(?:get|post|put|delete|patch|all|route)\s*\(\s*['\"`/]"
    r"|@(?:Get|Post|Put|Delete|Patch)\(|\bcreateRouter\b"
)
CACHE_MARKERS = (
    r"require\(['\"](?:redis|ioredis|node-cache|lru-cache|memcached|apicache|cache-manager)['\"]\)"
    r"|from\s+['\"](?:redis|ioredis|node-cache|lru-cache|memcached|apicache|cache-manager|@nestjs/cache-manager|keyv)['\"]"
    r"|@CacheKey\(|CacheInterceptor"
)
BACKGROUND_MARKERS = (
    r"['\"](?:bullmq|bull|bee-queue|agenda|node-cron|cron|kue|amqplib|kafkajs|@nestjs/bull|@nestjs/schedule|pg-boss)['\"]"
    r"|@Cron\(|@Processor\("
)
ASSERTIONS = r"\bexpect\s*\(|\bassert\w*[.(]|\.should\b|\bsinon\.assert|\bt\.(?:is|deepEqual|true|false|truthy)\("


_DECLARATION_WRAPPERS = ("variable_declarator", "lexical_declaration", "variable_declaration")


def _public_method(node: tree_sitter.Node) -> bool:
    """A method that is neither private (``#x``, ``_x``, ``private``/``protected``) nor
    the constructor."""
    name = name_of(node)
    if not name or name.startswith(("#", "_")) or name == "constructor":
        return False
    return not any(
        child.type == "accessibility_modifier" and child.text in (b"private", b"protected")
        for child in node.children
    )


def exported(node: tree_sitter.Node) -> bool:
    """A declaration under an ``export`` statement, or a method of an exported class."""
    parent = node.parent
    while parent is not None and parent.type in _DECLARATION_WRAPPERS:
        parent = parent.parent
    if parent is not None and parent.type == "export_statement":
        return True
    if node.type != "method_definition" or not _public_method(node):
        return False
    body = node.parent
    owner = body.parent if body is not None else None
    return (
        owner is not None
        and owner.type.endswith(("class_declaration", "class"))
        and exported(owner)
    )


def test_call(node: tree_sitter.Node, source: bytes) -> bool:
    """A callback passed to ``it(...)``/``test(...)`` (``.each``/``.only`` included)."""
    args = node.parent
    call = args.parent if args is not None else None
    if call is None or call.type != "call_expression":
        return False
    callee = call.child_by_field_name("function")
    while callee is not None and callee.type in ("member_expression", "call_expression"):
        inner = callee.child_by_field_name("object") or callee.child_by_field_name("function")
        callee = inner
    return callee is not None and callee.type == "identifier" and callee.text in TEST_CALLS


SPEC = LanguageSpec(
    name="javascript",
    grammar="tree_sitter_javascript:language",
    functions=FUNCTIONS,
    decisions=DECISIONS,
    classes=CLASSES,
    catches=("catch_clause",),
    calls=("call_expression", "new_expression"),
    annotations=("decorator",),
    strings=("string", "template_string"),
    interpolations=("template_substitution",),
    literals=("number", "true", "false", "null", "undefined", "regex"),
    comments=("comment",),
    doc_prefixes=("/**",),
    assignments=(
        ("variable_declarator", "name", "value"),
        ("assignment_expression", "left", "right"),
        ("augmented_assignment_expression", "left", "right"),
    ),
    parameters=("formal_parameters",),
    request_markers=REQUEST_MARKERS,
    assertion_markers=ASSERTIONS,
    route_markers=ROUTE_MARKERS,
    cache_markers=CACHE_MARKERS,
    background_markers=BACKGROUND_MARKERS,
    is_public=exported,
    is_test=test_call,
)
