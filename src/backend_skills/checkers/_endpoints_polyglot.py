"""The endpoint inventory of Express and ASP.NET services, read from tree-sitter trees.

``scan`` takes one parsed file (the parse the language layer already made) and returns
JSON-serialisable facts; ``exposures`` resolves every file's facts into endpoints (routers
mounted across files, groups, class-level attributes) that
:func:`backend_skills.checkers.analyses.authorization.endpoints_result` judges exactly as
it judges Python's.

- **Express** (JavaScript, TypeScript): ``app.get/post/put/patch/delete/all(path, ...mw,
  handler)``, ``router.route(path).get(...)``, ``X.use([path,] ...mw, router)`` mounts
  (``require``/``import`` of the router's module followed), ``X.use(mw)`` guards for the
  routes registered after them; middleware whose name says it authenticates
  (``requireAuth``, ``passport.authenticate('jwt')``, ``verifyToken``, ``isAdmin``...).
- **ASP.NET Core** (C#): controllers (``[ApiController]``, ``: Controller`` /
  ``ControllerBase``) with ``[Route]``, ``[HttpGet]``... templates, ``[Authorize]`` and
  ``[AllowAnonymous]`` on the class and the action; a global ``AuthorizeFilter``,
  ``FallbackPolicy`` or ``MapControllers().RequireAuthorization()``; minimal APIs
  (``app.MapPost(...)``, ``MapGroup`` groups) with ``.RequireAuthorization()`` and
  ``.AllowAnonymous()``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import CheckResult, Role

from .analyses import _authz_vocabulary as V
from .analyses._authz_resolve import Exposure, join

if TYPE_CHECKING:
    import tree_sitter

Facts = dict[str, Any]
MAX_NODES = 400_000
EXPRESS_VERBS = {"get", "post", "put", "patch", "delete", "all"}
MIDDLEWARE_WORDS = V.AUTH_WORDS | {
    "authenticated",
    "ensure",
    "logged",
    "verify",
    "passport",
    "guard",
    "protect",
}
_JS_SUFFIXES = ("", ".js", ".ts", ".mjs", ".cjs", ".jsx", ".tsx", "/index.js", "/index.ts")


def _text(node: tree_sitter.Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", "replace")


def _walk(root: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    stack = [root]
    seen = 0
    while stack and seen < MAX_NODES:
        node = stack.pop()
        seen += 1
        yield node
        stack.extend(reversed(node.children))


def _string(node: tree_sitter.Node | None) -> str | None:
    """The value of a string literal without interpolation (JavaScript, C#)."""
    if node is None:
        return None
    if node.type in (
        "string",
        "string_literal",
        "verbatim_string_literal",
        "interpreted_string_literal",
        "raw_string_literal",
    ):
        if any(c.type in ("interpolation", "escape_sequence") for c in node.children):
            return None
        raw = _text(node)
        if raw.startswith("@"):
            raw = raw[1:]
        return raw[1:-1] if len(raw) >= 2 else None
    if node.type == "template_string":
        if any(c.type == "template_substitution" for c in node.named_children):
            return None
        return _text(node)[1:-1]
    return None


def middleware_auth(name: str) -> bool:
    """Whether a middleware's source text says it checks the caller."""
    head = re.split(r"[(\s]", name, maxsplit=1)[0]
    if head.endswith(("csrf", "Csrf", "cors", "json", "urlencoded", "static")):
        return False
    if set(V.words(head)) & V.NOT_AUTH_WORDS:
        return False  # auth.optional, allowAnonymous, publicRoute
    return any(V.auth_name(part, MIDDLEWARE_WORDS) for part in head.split("."))


# --------------------------------------------------------------------------- Express


def _args(call: tree_sitter.Node) -> list[tree_sitter.Node]:
    arguments = call.child_by_field_name("arguments")
    return list(arguments.named_children) if arguments is not None else []


def _member(call: tree_sitter.Node) -> tuple[tree_sitter.Node, str] | None:
    function = call.child_by_field_name("function")
    if function is None or function.type != "member_expression":
        return None
    obj = function.child_by_field_name("object")
    prop = function.child_by_field_name("property")
    if obj is None or prop is None:
        return None
    return obj, _text(prop)


def _handler_name(node: tree_sitter.Node) -> str:
    if node.type in ("identifier", "member_expression"):
        return _text(node)
    if node.type == "call_expression":
        return _text(node.child_by_field_name("function")) + "(...)"
    return "anonymous function"


def _express(root: tree_sitter.Node) -> Facts:
    facts: Facts = {"kind": "express", "routers": {}, "routes": [], "uses": [], "imports": {}}
    for node in _walk(root):
        if node.type == "variable_declarator":
            _express_binding(node, facts)
        elif node.type == "import_statement":
            _express_import(node, facts)
        elif node.type == "call_expression":
            _express_call(node, facts)
        elif node.type == "export_statement":
            value = node.child_by_field_name("value") or node.child_by_field_name("declaration")
            if value is not None and value.type == "identifier" and "default" in _text(node):
                facts["export"] = _text(value)
        elif node.type == "assignment_expression":
            left = _text(node.child_by_field_name("left"))
            right = node.child_by_field_name("right")
            if (
                left in ("module.exports", "exports.default")
                and right is not None
                and right.type == "identifier"
            ):
                facts["export"] = _text(right)
    return facts


def _express_binding(node: tree_sitter.Node, facts: Facts) -> None:
    name = node.child_by_field_name("name")
    value = node.child_by_field_name("value")
    if name is None or value is None or name.type != "identifier":
        return
    while value is not None and value.type in ("await_expression", "new_expression"):
        value = value.child_by_field_name("constructor") or (
            value.named_children[0] if value.named_children else None
        )
    if value is None:
        return
    callee = _text(value.child_by_field_name("function") or value)
    if callee in ("express", "express.Router", "Router", "express.default"):
        facts["routers"][_text(name)] = name.start_point[0] + 1
    elif callee == "require" and value.type == "call_expression":
        args = _args(value)
        source = _string(args[0]) if args else None
        if source:
            facts["imports"][_text(name)] = source


def _express_import(node: tree_sitter.Node, facts: Facts) -> None:
    source = _string(node.child_by_field_name("source"))
    if not source:
        return
    for sub in _walk(node):
        if (
            sub.type == "identifier"
            and sub.parent is not None
            and sub.parent.type
            in (
                "import_clause",
                "import_specifier",
                "namespace_import",
            )
        ):
            facts["imports"][_text(sub)] = source


def _express_call(node: tree_sitter.Node, facts: Facts) -> None:
    member = _member(node)
    if member is None:
        return
    obj, method = member
    args = _args(node)
    line = node.start_point[0] + 1
    if method in EXPRESS_VERBS and len(args) >= 2:
        path = _string(args[0])
        route_owner = None
        if obj.type == "call_expression":  # router.route('/x').get(handler)
            inner = _member(obj)
            if inner is not None and inner[1] == "route" and _args(obj):
                path = _string(_args(obj)[0])
                route_owner = _text(inner[0])
                args = [args[0], *args]  # the handler list starts at index 1 below
        if path is None or not path.startswith("/"):
            return
        facts["routes"].append(
            {
                "owner": route_owner or _text(obj),
                "method": "ANY" if method == "all" else method.upper(),
                "path": path,
                "middleware": [_handler_name(a) for a in args[1:-1]],
                "handler": _handler_name(args[-1]),
                "line": line,
            }
        )
    elif method in EXPRESS_VERBS and len(args) == 1 and obj.type == "call_expression":
        inner = _member(obj)
        while (
            inner is not None and inner[1] in EXPRESS_VERBS and inner[0].type == "call_expression"
        ):
            obj = inner[0]  # router.route('/x').get(a).post(b): back to the route call
            inner = _member(obj)
        if inner is not None and inner[1] == "route" and _args(obj):
            path = _string(_args(obj)[0])
            if path and path.startswith("/"):
                facts["routes"].append(
                    {
                        "owner": _text(inner[0]),
                        "method": method.upper(),
                        "path": path,
                        "middleware": [],
                        "handler": _handler_name(args[0]),
                        "line": line,
                    }
                )
    elif method == "use" and args:
        path = _string(args[0])
        rest = args[1:] if path is not None else args
        facts["uses"].append(
            {
                "owner": _text(obj),
                "path": path,
                "args": [_handler_name(a) for a in rest],
                "line": line,
            }
        )


def _resolve_js(path: str, source: str, files: Mapping[str, Facts]) -> str | None:
    if not source.startswith("."):
        return None
    base = posixpath.normpath(posixpath.join(posixpath.dirname(path), source))
    for suffix in _JS_SUFFIXES:
        if base + suffix in files:
            return base + suffix
    return None


class _Express:
    def __init__(self, data: Mapping[str, Facts]) -> None:
        self.data = {p: d for p, d in data.items() if d.get("kind") == "express"}

    def router_of(self, path: str, name: str) -> tuple[str, str] | None:
        """The (file, router variable) ``name`` in ``path`` refers to."""
        facts = self.data[path]
        if name in facts["routers"]:
            return path, name
        source = facts["imports"].get(name.split(".", 1)[0])
        target = _resolve_js(path, source, self.data) if source else None
        if target is None:
            return None
        other = self.data[target]
        exported = other.get("export")
        if isinstance(exported, str) and exported in other["routers"]:
            return target, exported
        if len(other["routers"]) == 1:
            return target, next(iter(other["routers"]))
        return None

    def chain(self, key: tuple[str, str], depth: int = 0) -> tuple[str, list[str]]:
        """(prefix, protections) from every mount above a router."""
        if depth > 10:
            return "", []
        for path, facts in sorted(self.data.items()):
            for use in facts["uses"]:
                children = [a for a in use["args"] if self.router_of(path, a) == key]
                if not children:
                    continue
                index = use["args"].index(children[0])
                protection = [a for a in use["args"][:index] if middleware_auth(a)]
                parent = self.router_of(path, use["owner"]) if use["owner"] else None
                above, parent_protection = "", list[str]()
                if parent is not None and parent != key:
                    above, parent_protection = self.chain(parent, depth + 1)
                    parent_protection = parent_protection + self.guards(parent, use["line"])
                return join(above, use["path"] or ""), protection + parent_protection
        return "", []

    def guards(self, key: tuple[str, str], before: int | None) -> list[str]:
        """``X.use(auth)`` on a router, registered before line ``before`` in its file."""
        found = []
        facts = self.data[key[0]]
        for use in facts["uses"]:
            if use["owner"] != key[1] or (use["path"] is not None and use["path"] != "/"):
                continue
            if before is not None and use["line"] > before:
                continue
            if any(self.router_of(key[0], a) for a in use["args"]):
                continue
            found += [a for a in use["args"] if middleware_auth(a)]
        return found

    def exposures(self) -> Iterator[Exposure]:
        for path, facts in sorted(self.data.items()):
            framework = "Express"
            for route in facts["routes"]:
                key = self.router_of(path, route["owner"]) or (path, route["owner"])
                prefix, above = self.chain(key) if key[0] in self.data else ("", [])
                own = [m for m in route["middleware"] if middleware_auth(m)]
                guards = self.guards(key, route["line"]) if key[0] in self.data else []
                yield Exposure(
                    route["method"],
                    join(prefix, route["path"]) if prefix else route["path"],
                    route["handler"],
                    path,
                    route["line"],
                    framework,
                    [*own, *guards, *above],
                )


# --------------------------------------------------------------------------- ASP.NET

_HTTP_ATTRIBUTES = {
    "HttpGet": "GET",
    "HttpPost": "POST",
    "HttpPut": "PUT",
    "HttpPatch": "PATCH",
    "HttpDelete": "DELETE",
}
_MAP_METHODS = {
    "MapGet": "GET",
    "MapPost": "POST",
    "MapPut": "PUT",
    "MapPatch": "PATCH",
    "MapDelete": "DELETE",
}
_GLOBAL_AUTH = re.compile(
    r"new\s+AuthorizeFilter\s*\(|FallbackPolicy\s*=|MapControllers\s*\(\s*\)\s*\.\s*RequireAuthorization"
)


def _attributes(node: tree_sitter.Node) -> list[tuple[str, list[str]]]:
    """(name, string arguments) of a declaration's attributes."""
    out = []
    for child in node.children:
        if child.type != "attribute_list":
            continue
        for attribute in child.named_children:
            if attribute.type != "attribute":
                continue
            name = _text(attribute.child_by_field_name("name")).rsplit(".", 1)[-1]
            name = name.removesuffix("Attribute")
            strings = [
                s
                for s in (_string(n) for n in _walk(attribute) if n.type.endswith("string_literal"))
                if s is not None
            ]
            out.append((name, strings))
    return out


def _aspnet(root: tree_sitter.Node, text: str) -> Facts:
    facts: Facts = {
        "kind": "aspnet",
        "controllers": [],
        "maps": [],
        "groups": {},
        "global_auth": bool(_GLOBAL_AUTH.search(text)),
    }
    for node in _walk(root):
        if node.type == "class_declaration":
            controller = _controller(node)
            if controller is not None:
                facts["controllers"].append(controller)
        elif node.type == "invocation_expression":
            _minimal(node, facts)
    return facts


def _controller(node: tree_sitter.Node) -> Facts | None:
    name = _text(node.child_by_field_name("name"))
    attributes = _attributes(node)
    names = {a for a, _ in attributes}
    bases = " ".join(_text(c) for c in node.children if c.type == "base_list")
    if not (
        "ApiController" in names
        or re.search(r"\b(Controller|ControllerBase)\b", bases)
        or (name.endswith("Controller") and bases)
    ):
        return None
    route = next((args[0] for a, args in attributes if a == "Route" and args), None)
    actions = []
    body = node.child_by_field_name("body")
    for member in body.named_children if body is not None else []:
        modifiers = {_text(c) for c in member.children if c.type == "modifier"}
        if member.type != "method_declaration" or "public" not in modifiers:
            continue
        member_attributes = _attributes(member)
        if any(a == "NonAction" for a, _ in member_attributes):
            continue
        methods = [_HTTP_ATTRIBUTES[a] for a, _ in member_attributes if a in _HTTP_ATTRIBUTES]
        templates = [
            args[0]
            for a, args in member_attributes
            if (a in _HTTP_ATTRIBUTES or a == "Route") and args
        ]
        actions.append(
            {
                "name": _text(member.child_by_field_name("name")),
                "line": (member.child_by_field_name("name") or member).start_point[0] + 1,
                "methods": methods or ["ANY"],
                "template": templates[0] if templates else None,
                "authorize": [
                    _authorize(a, args) for a, args in member_attributes if a == "Authorize"
                ],
                "anonymous": any(a == "AllowAnonymous" for a, _ in member_attributes),
            }
        )
    return {
        "name": name,
        "line": (node.child_by_field_name("name") or node).start_point[0] + 1,
        "route": route,
        "authorize": [_authorize(a, args) for a, args in attributes if a == "Authorize"],
        "anonymous": "AllowAnonymous" in names,
        "actions": actions,
    }


def _authorize(name: str, args: list[str]) -> str:
    return f"[{name}({', '.join(args)})]" if args else f"[{name}]"


def _chained(node: tree_sitter.Node) -> list[str]:
    """Methods chained after an invocation: ``.RequireAuthorization()``."""
    out = []
    current = node
    while (
        current.parent is not None
        and current.parent.type == "member_access_expression"
        and current.parent.parent is not None
        and current.parent.parent.type == "invocation_expression"
    ):
        out.append(_text(current.parent.child_by_field_name("name")))
        current = current.parent.parent
    return out


def _minimal(node: tree_sitter.Node, facts: Facts) -> None:
    function = node.child_by_field_name("function")
    if function is None or function.type != "member_access_expression":
        return
    method = _text(function.child_by_field_name("name"))
    owner = _text(function.child_by_field_name("expression"))
    args = [a.named_children[0] for a in _args(node) if a.named_children]
    path = _string(args[0]) if args else None
    if path is None:
        return
    chained = _chained(node)
    auth = "RequireAuthorization" in chained
    anonymous = "AllowAnonymous" in chained
    if method in _MAP_METHODS and len(args) >= 2:
        handler = args[-1]
        facts["maps"].append(
            {
                "owner": owner,
                "method": _MAP_METHODS[method],
                "path": path,
                "handler": _text(handler) if handler.type == "identifier" else "lambda",
                "line": node.start_point[0] + 1,
                "authorize": auth,
                "anonymous": anonymous,
            }
        )
    elif method == "MapGroup":
        declarator = node.parent
        while declarator is not None and declarator.type not in ("variable_declarator",):
            if declarator.type in ("block", "compilation_unit"):
                declarator = None
                break
            declarator = declarator.parent
        if declarator is not None:
            name_node = declarator.child_by_field_name("name") or (
                declarator.named_children[0] if declarator.named_children else None
            )
            facts["groups"][_text(name_node)] = {
                "parent": owner,
                "prefix": path,
                "authorize": auth,
            }


def _aspnet_exposures(data: Mapping[str, Facts]) -> Iterator[Exposure]:
    facts = {p: d for p, d in data.items() if d.get("kind") == "aspnet"}
    global_auth = any(d["global_auth"] for d in facts.values())
    for path, file_facts in sorted(facts.items()):
        for controller in file_facts["controllers"]:
            yield from _controller_exposures(path, controller, global_auth)
        groups = file_facts["groups"]
        for item in file_facts["maps"]:
            prefix, protected, owner, depth = "", [], item["owner"], 0
            while owner in groups and depth < 10:
                group = groups[owner]
                prefix = join(group["prefix"], prefix) if prefix else group["prefix"]
                if group["authorize"]:
                    protected.append(f"MapGroup({group['prefix']}).RequireAuthorization()")
                owner, depth = group["parent"], depth + 1
            access = [".RequireAuthorization()"] if item["authorize"] else []
            access += protected
            exposure = Exposure(
                item["method"],
                join(prefix, item["path"]) if prefix else item["path"],
                item["handler"],
                path,
                item["line"],
                "ASP.NET Core",
                [] if item["anonymous"] else access,
            )
            if item["anonymous"] and access:
                exposure.override = f".AllowAnonymous() overrides {', '.join(access)}"
            yield exposure


def _controller_exposures(path: str, controller: Facts, global_auth: bool) -> Iterator[Exposure]:
    name = controller["name"]
    short = name.removesuffix("Controller")
    for action in controller["actions"]:
        template = action["template"]
        route = (controller["route"] or "").replace("[controller]", short)
        if template is not None and template.startswith(("/", "~/")):
            full = template.lstrip("~")
        elif controller["route"] is None and template is None:
            full = f"/{short}/{action['name']}"
        else:
            full = join(route, template or "")
        full = full.replace("[action]", action["name"]).replace("[controller]", short)
        if not full.startswith(("/", "{")):
            full = "/" + full
        class_level = controller["authorize"] or (["global AuthorizeFilter"] if global_auth else [])
        access = [*action["authorize"]]
        if not controller["anonymous"]:
            access += class_level
        override = ""
        if action["anonymous"] and not action["authorize"]:
            if access:
                override = f"[AllowAnonymous] on the action overrides {', '.join(access)}"
            access = []
        for method in action["methods"]:
            exposure = Exposure(
                method,
                full,
                f"{name}.{action['name']}",
                path,
                action["line"],
                "ASP.NET Core",
                list(access),
            )
            exposure.override = override
            yield exposure


# --------------------------------------------------------------------------- Spring

_SPRING_MAPPINGS = {
    "GetMapping": "GET",
    "PostMapping": "POST",
    "PutMapping": "PUT",
    "PatchMapping": "PATCH",
    "DeleteMapping": "DELETE",
    "RequestMapping": "ANY",
}
_SPRING_SECURED = ("PreAuthorize", "Secured", "RolesAllowed", "PostAuthorize")
_MATCHER_RULE = re.compile(
    r"(?:requestMatchers|antMatchers|mvcMatchers|regexMatchers|pathMatchers)\s*\(([^()]*)\)\s*\.\s*"
    r"(permitAll|anonymous|authenticated|fullyAuthenticated|rememberMe|hasRole|hasAnyRole"
    r"|hasAuthority|hasAnyAuthority|hasIpAddress|denyAll|access)\b"
)
_ANY_RULE = re.compile(r"anyRequest\s*\(\s*\)\s*\.\s*(\w+)")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_HTTP_METHOD = re.compile(r"HttpMethod\s*\.\s*(GET|POST|PUT|PATCH|DELETE|OPTIONS|HEAD|TRACE)\b")


def _annotations(node: tree_sitter.Node) -> list[tuple[str, tree_sitter.Node]]:
    """(name, node) of the annotations in a declaration's modifiers."""
    out = []
    for child in node.children:
        if child.type != "modifiers":
            continue
        for annotation in child.named_children:
            if annotation.type in ("annotation", "marker_annotation"):
                name = _text(annotation.child_by_field_name("name")).rsplit(".", 1)[-1]
                out.append((name, annotation))
    return out


def _annotation_path(annotation: tree_sitter.Node) -> str | None:
    arguments = annotation.child_by_field_name("arguments")
    if arguments is None:
        return None
    for argument in arguments.named_children:
        if argument.type == "element_value_pair":
            key = _text(argument.child_by_field_name("key"))
            if key not in ("value", "path"):
                continue
            argument = argument.child_by_field_name("value") or argument
        if argument.type == "element_value_array_initializer" and argument.named_children:
            argument = argument.named_children[0]
        value = _string(argument)
        if value is not None:
            return value
    return None


def _annotation_method(annotation: tree_sitter.Node) -> list[str]:
    found = re.findall(r"RequestMethod\s*\.\s*(GET|POST|PUT|PATCH|DELETE)", _text(annotation))
    return found or ["ANY"]


def _spring(root: tree_sitter.Node, text: str) -> Facts:
    facts: Facts = {"kind": "spring", "controllers": [], "rules": [], "any_rule": None}
    for node in _walk(root):
        if node.type == "class_declaration":
            controller = _spring_controller(node)
            if controller is not None:
                facts["controllers"].append(controller)
    if "SecurityFilterChain" in text or "HttpSecurity" in text or "ServerHttpSecurity" in text:
        facts["chain"] = True
        for match in _MATCHER_RULE.finditer(text):
            arguments, decision = match.group(1), match.group(2)
            facts["rules"].append(
                {
                    "patterns": _QUOTED.findall(arguments),
                    "methods": _HTTP_METHOD.findall(arguments),
                    "decision": decision,
                    "line": text.count("\n", 0, match.start()) + 1,
                }
            )
        any_rule = _ANY_RULE.search(text)
        if any_rule is not None:
            facts["any_rule"] = any_rule.group(1)
    if "org.springframework.security" in text:
        facts["security"] = True
    return facts


def _spring_controller(node: tree_sitter.Node) -> Facts | None:
    annotations = _annotations(node)
    names = {n for n, _ in annotations}
    body = node.child_by_field_name("body")
    methods = []
    for member in body.named_children if body is not None else []:
        if member.type != "method_declaration":
            continue
        member_annotations = _annotations(member)
        mapping = next(((n, a) for n, a in member_annotations if n in _SPRING_MAPPINGS), None)
        if mapping is None:
            continue
        name, annotation = mapping
        verbs = (
            [_SPRING_MAPPINGS[name]] if name != "RequestMapping" else _annotation_method(annotation)
        )
        methods.append(
            {
                "name": _text(member.child_by_field_name("name")),
                "line": (member.child_by_field_name("name") or member).start_point[0] + 1,
                "methods": verbs,
                "path": _annotation_path(annotation) or "",
                "secured": [
                    f"@{n}({_annotation_path(a) or ''})" if _annotation_path(a) else f"@{n}"
                    for n, a in member_annotations
                    if n in _SPRING_SECURED
                ],
                "permit_all": "PermitAll" in {n for n, _ in member_annotations}
                or any(
                    n == "PreAuthorize" and "permitAll" in _text(a) for n, a in member_annotations
                ),
            }
        )
    if not methods and not names & {"RestController", "Controller"}:
        return None
    prefix = next((_annotation_path(a) for n, a in annotations if n == "RequestMapping"), None)
    return {
        "name": _text(node.child_by_field_name("name")),
        "prefix": prefix or "",
        "secured": [
            f"@{n}({_annotation_path(a) or ''})" if _annotation_path(a) else f"@{n}"
            for n, a in annotations
            if n in _SPRING_SECURED and "permitAll" not in _text(a)
        ],
        "methods": methods,
    }


def _ant(pattern: str) -> re.Pattern[str]:
    out = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("/**", index):
            out.append("(?:/.*)?")
            index += 3
        elif pattern.startswith("**", index):
            out.append(".*")
            index += 2
        elif pattern[index] == "*":
            out.append("[^/]*")
            index += 1
        elif pattern[index] == "{":
            end = pattern.find("}", index)
            out.append("[^/]+")
            index = end + 1 if end > 0 else len(pattern)
        else:
            out.append(re.escape(pattern[index]))
            index += 1
    return re.compile("".join(out) + "/?$")


_OPEN_DECISIONS = frozenset({"permitAll", "anonymous"})


def _spring_exposures(data: Mapping[str, Facts], starter: bool) -> Iterator[Exposure]:
    facts = {p: d for p, d in data.items() if d.get("kind") == "spring"}
    rules = [r for d in facts.values() for r in d["rules"]]
    chain = any(d.get("chain") for d in facts.values())
    any_rule = next((d["any_rule"] for d in facts.values() if d.get("any_rule")), None)
    security = starter or any(d.get("security") for d in facts.values())
    for path, file_facts in sorted(facts.items()):
        for controller in file_facts["controllers"]:
            for method in controller["methods"]:
                full = join(controller["prefix"], method["path"])
                for verb in method["methods"]:
                    access = [*method["secured"]] or (
                        [] if method["permit_all"] else list(controller["secured"])
                    )
                    exposure = Exposure(
                        verb,
                        full,
                        f"{controller['name']}.{method['name']}",
                        path,
                        method["line"],
                        "Spring",
                    )
                    if method["permit_all"] and controller["secured"] and not method["secured"]:
                        exposure.override = (
                            f"@PermitAll on the method overrides {', '.join(controller['secured'])}"
                        )
                    decision = _filter_decision(full, verb, rules, any_rule)
                    if decision is not None and decision not in _OPEN_DECISIONS:
                        access.append(f"SecurityFilterChain {decision}()")
                    elif decision in _OPEN_DECISIONS:
                        exposure.open_evidence = f"{decision}() in the SecurityFilterChain"
                    elif not chain and security:
                        access.append("Spring Security default (every request authenticated)")
                    elif chain:
                        access.append("SecurityFilterChain (no matching rule)")
                    exposure.access = access
                    yield exposure


def _filter_decision(
    path: str, verb: str, rules: list[dict[str, Any]], any_rule: str | None
) -> str | None:
    concrete = re.sub(r"\{[^}]*\}", "x", path)
    for rule in rules:
        if rule["methods"] and verb not in rule["methods"]:
            continue
        patterns = rule["patterns"] or ["/**"]
        if any(_ant(p).match(concrete) for p in patterns):
            return str(rule["decision"])
    return any_rule


# --------------------------------------------------------------------------- gin

_GIN_VERBS = {"GET", "POST", "PUT", "PATCH", "DELETE", "Any", "Handle"}


def _go_call(node: tree_sitter.Node) -> tuple[str, str, list[tree_sitter.Node]] | None:
    function = node.child_by_field_name("function")
    if function is None or function.type != "selector_expression":
        return None
    operand = _text(function.child_by_field_name("operand"))
    field = _text(function.child_by_field_name("field"))
    return operand, field, _args(node)


def _gin(root: tree_sitter.Node) -> Facts:
    facts: Facts = {"kind": "gin", "groups": {}, "uses": [], "routes": []}
    for node in _walk(root):
        if node.type in ("short_var_declaration", "assignment_statement"):
            left = node.child_by_field_name("left")
            right = node.child_by_field_name("right")
            if left is None or right is None or not right.named_children:
                continue
            value = right.named_children[0]
            call = _go_call(value) if value.type == "call_expression" else None
            if call is not None and call[1] == "Group" and call[2]:
                facts["groups"][_text(left.named_children[0])] = {
                    "parent": call[0],
                    "prefix": _string(call[2][0]) or "",
                    "middleware": [_text(a) for a in call[2][1:]],
                }
        elif node.type == "call_expression":
            call = _go_call(node)
            if call is None:
                continue
            owner, method, args = call
            line = node.start_point[0] + 1
            if method == "Use":
                facts["uses"].append(
                    {"owner": owner, "middleware": [_text(a) for a in args], "line": line}
                )
            elif method in _GIN_VERBS and args:
                if method == "Handle" and len(args) >= 3:
                    verb, args = (_string(args[0]) or "ANY").upper(), args[1:]
                else:
                    verb = "ANY" if method == "Any" else method
                path = _string(args[0])
                if path is None or len(args) < 2:
                    continue
                facts["routes"].append(
                    {
                        "owner": owner,
                        "method": verb,
                        "path": path,
                        "middleware": [_text(a) for a in args[1:-1]],
                        "handler": _text(args[-1]) if args[-1].type != "func_literal" else "func",
                        "line": line,
                    }
                )
    return facts


def _gin_exposures(data: Mapping[str, Facts]) -> Iterator[Exposure]:
    for path, facts in sorted(data.items()):
        if facts.get("kind") != "gin":
            continue
        groups, uses = facts["groups"], facts["uses"]
        for route in facts["routes"]:
            access = [m for m in route["middleware"] if middleware_auth(m)]
            prefix, owner, depth = "", route["owner"], 0
            while depth < 10:
                access += [
                    m
                    for use in uses
                    if use["owner"] == owner and use["line"] < route["line"]
                    for m in use["middleware"]
                    if middleware_auth(m)
                ]
                group = groups.get(owner)
                if group is None:
                    break
                access += [m for m in group["middleware"] if middleware_auth(m)]
                prefix = join(group["prefix"], prefix) if prefix else group["prefix"]
                owner, depth = group["parent"], depth + 1
            yield Exposure(
                route["method"],
                join(prefix, route["path"]) if prefix else route["path"],
                route["handler"],
                path,
                route["line"],
                "gin",
                access,
            )


# --------------------------------------------------------------------------- entry points


def scan(language: str, root: tree_sitter.Node, text: str) -> Facts:
    """Endpoint facts of one parsed file (empty when it declares none)."""
    if language in ("javascript", "typescript"):
        if "express" not in text and ".use(" not in text and "Router" not in text:
            return {}
        facts = _express(root)
        return facts if facts["routes"] or facts["uses"] or facts["routers"] else {}
    if language == "java":
        if "Mapping" not in text and "HttpSecurity" not in text:
            return {}
        facts = _spring(root, text)
        useful = facts["controllers"] or facts.get("chain") or facts.get("security")
        return facts if useful else {}
    if language == "go":
        if "gin" not in text and ".GET(" not in text and ".POST(" not in text:
            return {}
        facts = _gin(root)
        return facts if facts["routes"] or facts["groups"] else {}
    if language == "csharp":
        if "Controller" not in text and "Map" not in text and "Authorize" not in text:
            return {}
        facts = _aspnet(root, text)
        useful = facts["controllers"] or facts["maps"] or facts["global_auth"]
        return facts if useful else {}
    return {}


def exposures(data: Mapping[str, Facts], *, spring_security: bool = False) -> list[Exposure]:
    """Every endpoint the files' facts declare (``spring_security``: the build declares
    Spring Security, which then protects every request by default)."""
    found = [
        *_Express(data).exposures(),
        *_aspnet_exposures(data),
        *_spring_exposures(data, spring_security),
        *_gin_exposures(data),
    ]
    unique: dict[tuple[str, str | None, str, int | None], Exposure] = {}
    for exposure in found:
        unique.setdefault((exposure.method, exposure.path, exposure.file, exposure.line), exposure)
    return list(unique.values())


def parse_and_scan(language: str, path: str, text: str) -> Facts:
    """Parse with the official grammar wheel and scan (tests and callers without a tree)."""
    import importlib

    import tree_sitter

    grammars = {
        "javascript": ("tree_sitter_javascript", "language"),
        "typescript": ("tree_sitter_typescript", "language_typescript"),
        "csharp": ("tree_sitter_c_sharp", "language"),
        "java": ("tree_sitter_java", "language"),
        "go": ("tree_sitter_go", "language"),
    }
    if language not in grammars:
        return {}
    module, function = grammars[language]
    if path.endswith(".tsx"):
        function = "language_tsx"
    grammar = tree_sitter.Language(getattr(importlib.import_module(module), function)())
    tree = tree_sitter.Parser(grammar).parse(text.encode("utf-8", "surrogatepass"))
    return scan(language, tree.root_node, text)


def spring_security_declared(files: Iterable[SourceFile]) -> bool:
    """Whether a Maven or Gradle build declares Spring Security (which then protects
    every request unless a SecurityFilterChain says otherwise)."""
    for file in files:
        name = file.path.rsplit("/", 1)[-1]
        if name in ("pom.xml", "build.gradle", "build.gradle.kts") and file.role not in (
            Role.VENDORED,
            Role.GENERATED,
        ):
            try:
                text = file.text
            except Exception:  # unreadable: no evidence either way
                continue
            if "spring-boot-starter-security" in text or "spring-security" in text:
                return True
    return False


def polyglot_result(data: Mapping[str, Facts], files: Iterable[SourceFile]) -> CheckResult:
    """Inventory, findings and the protected share for the tree-sitter languages."""
    from .analyses.authorization import endpoints_result

    found = exposures(data, spring_security=spring_security_declared(files))
    languages = sorted({str(d.get("kind")) for d in data.values() if d})
    label = ", ".join(_FRAMEWORK_LABELS.get(k, k) for k in languages) or "Java, C#, Go or JS/TS"
    return endpoints_result(found, [], "polyglot", label)


_FRAMEWORK_LABELS = {
    "express": "Express",
    "aspnet": "ASP.NET Core",
    "spring": "Spring",
    "gin": "gin",
}
