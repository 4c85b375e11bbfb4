"""Fastify (JavaScript, TypeScript).

Routes: ``fastify.get(url, [options,] handler)`` and ``fastify.route({ method, url,
handler })``; plugins: ``fastify.register(plugin, { prefix })`` with the plugin inline,
declared in the file, or in another module (``require``/``import`` followed to its
exported function). Access control: ``onRequest``/``preHandler``/``preValidation``
options of a route and ``addHook(...)`` hooks, which apply to every route of the plugin
they are added in and of the plugins it registers (Fastify's encapsulation); hooks of a
plugin wrapped in ``fastify-plugin`` (``fp(...)``) apply to the plugin that registers it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ._common import Facts, arguments, line, member, middleware_auth, nodes, string, text, walk
from .express import handler_name

if TYPE_CHECKING:
    import tree_sitter

FRAMEWORK = "Fastify"
VERBS = {
    "get": "GET",
    "post": "POST",
    "put": "PUT",
    "patch": "PATCH",
    "delete": "DELETE",
    "head": "HEAD",
    "options": "OPTIONS",
    "all": "ANY",
}
HOOKS = frozenset({"onRequest", "preParsing", "preValidation", "preHandler"})
FUNCTIONS = frozenset(
    {
        "function_declaration",
        "function_expression",
        "function",
        "arrow_function",
        "method_definition",
    }
)
PLUGIN_WRAPPERS = frozenset({"fp", "fastifyPlugin", "plugin"})
_CALLED = re.compile(r"([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\s*\(")
#: What an inline hook does when it checks the caller.
_CHECKS = re.compile(
    r"jwtVerify|\bunauthorized\b|Unauthorized|\b401\b|\bauthenticate\b|session\.user|request\.user"
)
AUTOLOAD = frozenset({"autoload", "AutoLoad", "autoLoad", "fastifyAutoload", "Autoload"})
AUTOHOOKS = ("autohooks.js", "autohooks.ts", "autohooks.mjs", "autohooks.cjs")
ROOT = "root"

Key = tuple[str, str]  # (file, context)


def node_id(node: tree_sitter.Node) -> str:
    """A function's id within its file (its start)."""
    return f"{node.start_point[0] + 1}:{node.start_point[1]}"


def _first_parameter(function: tree_sitter.Node) -> str:
    parameters = function.child_by_field_name("parameters") or function.child_by_field_name(
        "parameter"
    )
    if parameters is None:
        return ""
    if parameters.type == "identifier":
        return text(parameters)
    first = next(iter(parameters.named_children), None)
    if first is not None and first.type in ("required_parameter", "optional_parameter"):
        first = first.child_by_field_name("pattern") or first
    return text(first) if first is not None and first.type == "identifier" else ""


def context_of(node: tree_sitter.Node, owner: str) -> str:
    """The plugin a call on ``owner`` belongs to: the innermost function whose first
    parameter is ``owner`` (module level: the root application)."""
    current = node.parent
    while current is not None:
        if current.type in FUNCTIONS and _first_parameter(current) == owner:
            return node_id(current)
        current = current.parent
    return ROOT


def _unwrap_plugin(node: tree_sitter.Node) -> tuple[tree_sitter.Node, bool]:
    """``fp(fn)`` -> (``fn``, True); anything else unchanged."""
    if node.type == "call_expression":
        callee = text(node.child_by_field_name("function"))
        args = arguments(node)
        if callee in PLUGIN_WRAPPERS and args:
            return args[0], True
    return node, False


def target_of(node: tree_sitter.Node) -> tuple[Facts, bool]:
    """(plugin reference, wrapped in fastify-plugin) of a ``register`` argument or export."""
    node, wrapped = _unwrap_plugin(node)
    if node.type in FUNCTIONS:
        return {"local": node_id(node)}, wrapped
    if node.type == "identifier":
        return {"name": text(node)}, wrapped
    if node.type == "call_expression" and text(node.child_by_field_name("function")) == "require":
        args = arguments(node)
        return {"import": string(args[0]) if args else None}, wrapped
    if node.type == "await_expression" and node.named_children:
        return target_of(node.named_children[0])
    return {}, wrapped


def _auth_names(node: tree_sitter.Node) -> list[str]:
    """The authenticating names a hook value holds: ``fastify.authenticate``, an array,
    ``fastify.auth([...])``, or a function that calls ``request.jwtVerify()``."""
    if node.type == "array":
        return [n for c in node.named_children for n in _auth_names(c)]
    if node.type in FUNCTIONS:
        called = [f"{c}()" for c in _CALLED.findall(text(node)) if middleware_auth(c)]
        checks = _CHECKS.search(text(node))
        return called[:1] or ([f"inline hook ({checks.group(0)})"] if checks else [])
    name = handler_name(node)
    return [name] if middleware_auth(name) else []


def _options(node: tree_sitter.Node | None) -> dict[str, tree_sitter.Node]:
    if node is None or node.type != "object":
        return {}
    out = {}
    for pair in node.named_children:
        key = pair.child_by_field_name("key") if pair.type == "pair" else None
        value = pair.child_by_field_name("value") if pair.type == "pair" else None
        if key is not None and value is not None:
            out[text(key).strip("'\"")] = value
        elif pair.type == "shorthand_property_identifier":
            out[text(pair)] = pair
    return out


def _hook_names(options: Mapping[str, tree_sitter.Node]) -> list[str]:
    return [n for hook, value in options.items() if hook in HOOKS for n in _auth_names(value)]


def scan(root: tree_sitter.Node) -> Facts:
    """Routes, plugin registrations, hooks, functions, imports and the export of a file."""
    facts: Facts = {
        "kind": "fastify",
        "routes": [],
        "registers": [],
        "hooks": [],
        "functions": {},
        "imports": {},
        "export": None,
    }
    for node in nodes(root, _VISITORS, narrowed=_NARROWED):
        _VISITORS[node.type](node, facts)
    return facts


def scan_plugin(root: tree_sitter.Node) -> Facts:
    """A module that names no framework but exports an ``async`` plugin registering
    routes or hooks on its first parameter (``module.exports = async function (app)``)."""
    facts = scan(root)
    export = facts["export"] or {}
    local = export.get("local") or facts["functions"].get(export.get("name"))
    if local is None or not any(
        r["context"] == local for r in [*facts["routes"], *facts["hooks"], *facts["registers"]]
    ):
        return {}
    return facts


def _call(node: tree_sitter.Node, facts: Facts) -> None:
    found = member(node)
    if found is None or found[0].type not in ("identifier", "this"):
        return
    owner, method = text(found[0]), found[1]
    args = arguments(node)
    context = context_of(node, owner)
    if method in VERBS:
        if len(args) >= 2:
            _verb(facts, context, VERBS[method], args, line(node))
        return
    handle = _CALLS.get(method)
    if handle is not None and args:
        handle(facts, context, args, line(node))


def _hook(facts: Facts, context: str, args: list[tree_sitter.Node], at: int) -> None:
    """``fastify.addHook('onRequest', fn)``."""
    if len(args) >= 2 and string(args[0]) in HOOKS:
        facts["hooks"].append({"context": context, "names": _auth_names(args[1]), "line": at})


def _route_call(facts: Facts, context: str, args: list[tree_sitter.Node], at: int) -> None:
    """``fastify.route({ method, url, handler })``."""
    _route(facts, context, _options(args[0]), at)


def _register(facts: Facts, context: str, args: list[tree_sitter.Node], at: int) -> None:
    """``fastify.register(plugin, { prefix })``; ``register(autoload, { dir })``."""
    target, wrapped = target_of(args[0])
    options = _options(args[1] if len(args) > 1 else None)
    name = target.get("name", "")
    if name in AUTOLOAD or facts["imports"].get(name) == "@fastify/autoload":
        _autoload(facts, context, options)
        return
    prefix = options.get("prefix")
    facts["registers"].append(
        {
            "context": context,
            "target": target,
            "fp": wrapped,
            "prefix": (string(prefix) if prefix is not None else None) or "",
            "line": at,
        }
    )


def _autoload(facts: Facts, context: str, options: Mapping[str, tree_sitter.Node]) -> None:
    """``@fastify/autoload``: every plugin under ``dir`` (its folder is its prefix)."""
    directory = options.get("dir")
    literals = [string(n) for n in walk(directory)] if directory is not None else []
    folder = next((v for v in reversed(literals) if v), None)
    if folder is None:
        return
    flags = {key: text(options.get(key)) == "true" for key in ("autoHooks", "cascadeHooks")}
    facts.setdefault("autoload", []).append({"context": context, "dir": folder, **flags})


def _verb(facts: Facts, context: str, verb: str, args: list[tree_sitter.Node], at: int) -> None:
    path = string(args[0])
    if path is None:
        return
    options = _options(args[1]) if len(args) >= 3 else {}
    handler = args[-1] if len(args) >= 2 and args[-1].type != "object" else None
    if handler is None and "handler" in options:
        handler = options["handler"]
    facts["routes"].append(
        {
            "context": context,
            "method": verb,
            "path": path,
            "hooks": _hook_names(options),
            "handler": handler_name(handler) if handler is not None else "anonymous function",
            "line": at,
        }
    )


def _route(facts: Facts, context: str, options: Mapping[str, tree_sitter.Node], at: int) -> None:
    url = options.get("url") or options.get("path")
    path = string(url) if url is not None else None
    method = options.get("method")
    if path is None or method is None:
        return
    verbs = (
        [string(m) for m in method.named_children] if method.type == "array" else [string(method)]
    )
    handler = options.get("handler")
    for verb in verbs:
        facts["routes"].append(
            {
                "context": context,
                "method": (verb or "ANY").upper(),
                "path": path,
                "hooks": _hook_names(options),
                "handler": handler_name(handler) if handler is not None else "anonymous function",
                "line": at,
            }
        )


def _declaration(node: tree_sitter.Node, facts: Facts) -> None:
    """``function routes(fastify) {}`` or ``const routes = async (fastify) => {}``."""
    name = node.child_by_field_name("name")
    value = node if node.type == "function_declaration" else node.child_by_field_name("value")
    if name is None or value is None:
        return
    value, _ = _unwrap_plugin(value)
    if value.type in FUNCTIONS:
        facts["functions"][text(name)] = node_id(value)
    elif (
        value.type == "call_expression" and text(value.child_by_field_name("function")) == "require"
    ):
        args = arguments(value)
        source = string(args[0]) if args else None
        if source:
            facts["imports"][text(name)] = source


def _import(node: tree_sitter.Node, facts: Facts) -> None:
    source = string(node.child_by_field_name("source"))
    clauses = ("import_clause", "import_specifier", "namespace_import")
    for sub in walk(node) if source else []:
        if sub.type == "identifier" and sub.parent is not None and sub.parent.type in clauses:
            facts["imports"][text(sub)] = source


def _export(node: tree_sitter.Node, facts: Facts) -> None:
    """``export default fn`` / ``module.exports = fn`` (``fp(fn)`` too)."""
    if node.type == "export_statement":
        if "default" not in [text(c) for c in node.children]:
            return
        value = node.child_by_field_name("value") or node.child_by_field_name("declaration")
    else:
        if text(node.child_by_field_name("left")) not in ("module.exports", "exports.default"):
            return
        value = node.child_by_field_name("right")
    if value is not None:
        target, wrapped = target_of(value)
        if target:
            facts["export"] = {**target, "fp": wrapped}


_VISITORS = {
    "call_expression": _call,
    "function_declaration": _declaration,
    "variable_declarator": _declaration,
    "import_statement": _import,
    "export_statement": _export,
    "assignment_expression": _export,
}


_CALLS: dict[str, Callable[[Facts, str, list[tree_sitter.Node], int], None]] = {
    "route": _route_call,
    "register": _register,
    "addHook": _hook,
}
#: Only the nodes the visitors act on: calls of a route, hook or plugin method on a name
#: or ``this``, bindings of a function or a call, assignments to the exports.
_NARROWED = (
    (
        "call_expression",
        "(call_expression function: (member_expression object: [(identifier) (this)]"
        ' property: (_) @p (#any-of? @p "' + '" "'.join(sorted({*VERBS, *_CALLS})) + '"))) @n',
    ),
    (
        "variable_declarator",
        "(variable_declarator value: [(call_expression) (function_expression) (arrow_function)])"
        " @n",
    ),
    (
        "assignment_expression",
        '(assignment_expression left: (_) @l (#any-of? @l "module.exports" "exports.default")) @n',
    ),
)
