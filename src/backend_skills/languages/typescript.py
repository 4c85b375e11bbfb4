"""TypeScript (and TSX): ``tree-sitter-typescript`` adds types to JavaScript's kinds."""

from __future__ import annotations

from ._spec import LanguageSpec
from .javascript import (
    ASSERTIONS,
    BACKGROUND_MARKERS,
    CACHE_MARKERS,
    CLASSES,
    DECISIONS,
    FUNCTIONS,
    REQUEST_MARKERS,
    ROUTE_MARKERS,
    exported,
    test_call,
)

SPEC = LanguageSpec(
    name="typescript",
    grammar="tree_sitter_typescript:language_typescript",
    grammar_by_suffix={".tsx": "tree_sitter_typescript:language_tsx"},
    functions=FUNCTIONS,
    decisions=DECISIONS,
    classes=(*CLASSES, "abstract_class_declaration"),
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
    parameters=("required_parameter", "optional_parameter"),
    request_markers=REQUEST_MARKERS,
    assertion_markers=ASSERTIONS,
    route_markers=ROUTE_MARKERS,
    cache_markers=CACHE_MARKERS,
    background_markers=BACKGROUND_MARKERS,
    is_public=exported,
    is_test=test_call,
)
