"""ASP.NET Core (C#).

Controllers (``[ApiController]``, ``: Controller`` / ``ControllerBase``) with ``[Route]``,
``[HttpGet]``... templates, ``[Authorize]`` and ``[AllowAnonymous]`` on the class and the
action; a global ``AuthorizeFilter``, ``FallbackPolicy`` or
``MapControllers().RequireAuthorization()``; minimal APIs (``app.MapPost(...)``,
``MapGroup`` groups) with ``.RequireAuthorization()`` and ``.AllowAnonymous()``.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterator, Mapping
from typing import TYPE_CHECKING

from ..analyses import _authz_vocabulary as V
from ..analyses._authz_resolve import Exposure, join
from ._common import (
    MAX_DEPTH,
    Facts,
    arguments,
    enclosing_name,
    line,
    nodes,
    string,
    text,
    walk,
)

if TYPE_CHECKING:
    import tree_sitter

FRAMEWORK = "ASP.NET Core"
HTTP_ATTRIBUTES = {
    "HttpGet": "GET",
    "HttpPost": "POST",
    "HttpPut": "PUT",
    "HttpPatch": "PATCH",
    "HttpDelete": "DELETE",
}
MAP_METHODS = {
    "MapGet": "GET",
    "MapPost": "POST",
    "MapPut": "PUT",
    "MapPatch": "PATCH",
    "MapDelete": "DELETE",
}
GLOBAL_AUTH = re.compile(
    r"new\s+AuthorizeFilter\s*\(|FallbackPolicy\s*=|MapControllers\s*\(\s*\)\s*\.\s*RequireAuthorization"
)
_TEMPLATE_ATTRIBUTES = frozenset({*HTTP_ATTRIBUTES, "Route"})
_CONTROLLER_BASE = re.compile(r"\b(Controller|ControllerBase)\b")

Attributes = list[tuple[str, list[str]]]


def attributes(node: tree_sitter.Node) -> Attributes:
    """(name, string arguments) of a declaration's attributes."""
    out = []
    for child in node.children:
        if child.type != "attribute_list":
            continue
        for attribute in child.named_children:
            if attribute.type == "attribute":
                out.append(_attribute(attribute))
    return out


def _attribute(attribute: tree_sitter.Node) -> tuple[str, list[str]]:
    name = text(attribute.child_by_field_name("name")).rsplit(".", 1)[-1]
    literals = (string(n) for n in walk(attribute) if n.type.endswith("string_literal"))
    return name.removesuffix("Attribute"), [s for s in literals if s is not None]


def scan(root: tree_sitter.Node, source: str) -> Facts:
    """Controllers, minimal-API routes and groups, the extension methods that map routes on
    a ``this`` router parameter and their calls, and whether a global policy applies."""
    facts: Facts = {
        "kind": "aspnet",
        "controllers": [],
        "maps": [],
        "groups": {},
        "extensions": {},
        "ext_calls": [],
        "global_auth": bool(GLOBAL_AUTH.search(source)),
        "auth_classes": [],
    }
    kinds = ("class_declaration", "method_declaration", "invocation_expression")
    for node in nodes(root, kinds, narrowed=_NARROWED):
        if node.type == "class_declaration":
            controller = _controller(node)
            if controller is not None:
                facts["controllers"].append(controller)
            elif _AUTH_BASES & set(_base_names(node)):
                facts["auth_classes"].append(text(node.child_by_field_name("name")))
        elif node.type == "method_declaration":
            _extension(node, facts)
        elif node.type == "invocation_expression":
            _minimal(node, facts)
    return facts


#: Only the invocations :func:`_minimal` reads: ``x.MapGet(...)``... and ``x.MapGroup(...)``,
#: and calls on a plain variable (``group.RequireAuthorization()``, ``group.MapTodos()``).
_NARROWED = (
    (
        "invocation_expression",
        "(invocation_expression function: (member_access_expression name: (_) @p"
        ' (#any-of? @p "' + '" "'.join(sorted({*MAP_METHODS, "MapGroup"})) + '"))) @n',
    ),
    (
        "invocation_expression",
        "(invocation_expression function: (member_access_expression expression: (identifier))) @n",
    ),
)
#: What the body of a project's extension method does when it makes an endpoint require
#: an authorized caller (``.RequirePermission(...)`` calling ``RequireAuthorization``).
_AUTH_BODY = re.compile(
    r"\.RequireAuthorization\s*\(|new\s+Authorize(Attribute)?\s*[({]|\.RequireRole\s*\("
)
#: A call mapping routes (an extension method making them is no convention).
_MAPS = re.compile(r"\.Map(Get|Post|Put|Patch|Delete|Group|Methods)\s*\(")
#: The types of a ``this`` parameter routes are mapped on.
_ROUTER_TYPE = re.compile(r"(Endpoint|Route|Group)\w*Builder|WebApplication\b|IApplicationBuilder")
#: The scope of a local variable: the method (or local function) holding it.
_SCOPES = ("method_declaration", "local_function_statement", "constructor_declaration")


def auth_convention(name: str, project: Container[str] = ()) -> bool:
    """Whether an endpoint convention chained on a route or group requires an authorized
    caller: ``RequireAuthorization``, a ``Require...`` name saying so
    (``RequirePermission``, ``RequireRole``; not ``RequireCors``, ``RequireRateLimiting``),
    or one of the project's extension methods whose body requires authorization."""
    if name == "RequireAuthorization" or name in project:
        return True
    return name.startswith("Require") and V.auth_name(name)


def _scoped(node: tree_sitter.Node, name: str) -> str:
    """``Method.variable``: router variables are local to the method they are in."""
    return f"{enclosing_name(node, _SCOPES)}.{name}"


def _extension(node: tree_sitter.Node, facts: Facts) -> None:
    """``static X MapTodos(this IEndpointRouteBuilder routes)``: an extension method whose
    routes are mapped on its ``this`` parameter, and whether its body requires
    authorization (then it is an access control where it is chained)."""
    found = node.child_by_field_name("parameters")
    first = found.named_children[0] if found is not None and found.named_children else None
    if first is None or first.type != "parameter":
        return
    if not any(c.type == "modifier" and text(c) == "this" for c in first.children):
        return
    name = text(node.child_by_field_name("name"))
    param = text(first.child_by_field_name("name"))
    body = text(node.child_by_field_name("body"))
    auth = bool(_AUTH_BODY.search(body)) and not _MAPS.search(body)
    if auth or _ROUTER_TYPE.search(text(first.child_by_field_name("type"))):
        facts["extensions"][name] = {"param": f"{name}.{param}", "auth": auth}


def _is_controller(name: str, names: set[str], node: tree_sitter.Node) -> bool:
    bases = " ".join(text(c) for c in node.children if c.type == "base_list")
    return bool(
        "ApiController" in names
        or _CONTROLLER_BASE.search(bases)
        or (name.endswith("Controller") and bases)
    )


def authorize(name: str, args: list[str]) -> str:
    """``[Authorize(Roles)]`` as the inventory shows it."""
    return f"[{name}({', '.join(args)})]" if args else f"[{name}]"


def _has(found: Attributes, name: str) -> bool:
    return any(a == name for a, _ in found)


def _authorizations(found: Attributes) -> list[str]:
    return [authorize(a, args) for a, args in found if a == "Authorize"]


#: Base types of a project's own access control: an attribute deriving from
#: ``AuthorizeAttribute`` (``[Admin]``, ``[PowerUser]``) or a filter checking the caller
#: (applied as ``[ServiceFilter(typeof(ApiAuthorizationFilter))]`` or ``[TypeFilter(...)]``).
_AUTH_BASES = frozenset({"AuthorizeAttribute", "IAuthorizationFilter", "IAsyncAuthorizationFilter"})
_FILTER_ATTRIBUTES = frozenset({"ServiceFilter", "TypeFilter"})


def _custom(found: Attributes, node: tree_sitter.Node) -> list[str]:
    """The attributes that may be the project's own access control: every attribute's name
    but the framework's routing ones, and the types ``[ServiceFilter(typeof(X))]`` names
    (judged against the repository's classes when the files are joined)."""
    names = [a for a, _ in found if a not in _FRAMEWORK_ATTRIBUTES]
    for child in node.children:
        if child.type != "attribute_list":
            continue
        for attribute in child.named_children:
            name = text(attribute.child_by_field_name("name")).rsplit(".", 1)[-1]
            if name.removesuffix("Attribute") in _FILTER_ATTRIBUTES:
                names += [
                    text(n.named_children[0]).rsplit(".", 1)[-1]
                    for n in walk(attribute)
                    if n.type == "typeof_expression" and n.named_children
                ]
    return names


_FRAMEWORK_ATTRIBUTES = frozenset(
    {
        *HTTP_ATTRIBUTES,
        "Route",
        "Authorize",
        "AllowAnonymous",
        "ApiController",
        "NonAction",
        "Produces",
        "ProducesResponseType",
        "Consumes",
        "FromBody",
        "FromQuery",
        "FromRoute",
        "ServiceFilter",
        "TypeFilter",
        "ApiExplorerSettings",
        "Area",
    }
)


def _templates(found: Attributes, names: Container[str]) -> list[str]:
    """The first string argument of each attribute named in ``names``."""
    return [args[0] for a, args in found if a in names and args]


def _controller(node: tree_sitter.Node) -> Facts | None:
    name = text(node.child_by_field_name("name"))
    found = attributes(node)
    if not _is_controller(name, {a for a, _ in found}, node):
        return None
    body = node.child_by_field_name("body")
    members = body.named_children if body is not None else []
    routes = _templates(found, ("Route",))
    return {
        "name": name,
        "line": line(node.child_by_field_name("name") or node),
        "route": routes[0] if routes else None,
        "authorize": _authorizations(found),
        "custom": _custom(found, node),
        "anonymous": _has(found, "AllowAnonymous"),
        "actions": [a for a in map(_action, members) if a is not None],
        "bases": _base_names(node),
    }


def _base_names(node: tree_sitter.Node) -> list[str]:
    """The simple names of a class's base types (``Api.BaseController<T>`` ->
    ``BaseController``)."""
    names: list[str] = []
    for base_list in (c for c in node.children if c.type == "base_list"):
        for base in base_list.named_children:
            written = text(base).split("<", 1)[0].strip()
            if written:
                names.append(written.rsplit(".", 1)[-1])
    return names


def _public(member: tree_sitter.Node) -> bool:
    return any(c.type == "modifier" and text(c) == "public" for c in member.children)


def _action(member: tree_sitter.Node) -> Facts | None:
    """A public, non-``[NonAction]`` method of a controller."""
    if member.type != "method_declaration" or not _public(member):
        return None
    found = attributes(member)
    if _has(found, "NonAction"):
        return None
    templates = _templates(found, _TEMPLATE_ATTRIBUTES)
    return {
        "name": text(member.child_by_field_name("name")),
        "line": line(member.child_by_field_name("name") or member),
        "methods": [HTTP_ATTRIBUTES[a] for a, _ in found if a in HTTP_ATTRIBUTES] or ["ANY"],
        "template": templates[0] if templates else None,
        "authorize": _authorizations(found),
        "custom": _custom(found, member),
        "anonymous": _has(found, "AllowAnonymous"),
    }


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
        out.append(text(current.parent.child_by_field_name("name")))
        current = current.parent.parent
    return out


def _invocation(node: tree_sitter.Node) -> tuple[str, str, list[tree_sitter.Node], str] | None:
    """(method, owner, arguments, path) of ``owner.Method("/path", ...)``."""
    function = node.child_by_field_name("function")
    if function is None or function.type != "member_access_expression":
        return None
    args = [a.named_children[0] for a in arguments(node) if a.named_children]
    path = string(args[0]) if args else None
    if path is None:
        return None
    method = text(function.child_by_field_name("name"))
    return method, text(function.child_by_field_name("expression")), args, path


def _minimal(node: tree_sitter.Node, facts: Facts) -> None:
    """``app.MapPost("/x", handler)``, ``var g = app.MapGroup("/x")``, ``g.RequireAuthorization()``
    and ``g.MapTodos()`` (an extension method mapping routes on ``g``)."""
    found = _invocation(node)
    if found is None or found[0] not in (*MAP_METHODS, "MapGroup"):
        _call(node, facts)
        return
    method, owner, args, path = found
    if method in MAP_METHODS and len(args) >= 2:
        facts["maps"].append(_map(node, _scoped(node, owner), MAP_METHODS[method], path, args[-1]))
        return
    declared = _declared_name(node) if method == "MapGroup" else None
    if declared is not None:
        chained = _chained(node)
        facts["groups"][_scoped(node, declared)] = {
            "parent": _scoped(node, owner),
            "prefix": path,
            "authorize": "RequireAuthorization" in chained,
            "chained": chained,
        }


def _call(node: tree_sitter.Node, facts: Facts) -> None:
    """``group.RequireAuthorization(...)`` as a statement of its own (a convention of the
    group), or ``group.MapTodos()`` / ``app.MapCatalogEndpoints()``."""
    function = node.child_by_field_name("function")
    if function is None or function.type != "member_access_expression":
        return
    receiver = function.child_by_field_name("expression")
    if receiver is None or receiver.type != "identifier":
        return
    name = text(function.child_by_field_name("name"))
    owner = _scoped(node, text(receiver))
    group = facts["groups"].get(owner)
    if group is not None and not name.startswith("Map"):
        group["chained"] = [*group.get("chained", []), name]
    if name.startswith("Map") and name not in MAP_METHODS and name != "MapGroup":
        facts["ext_calls"].append(
            {"owner": owner, "name": name, "chained": _chained(node), "line": line(node)}
        )


def _map(
    node: tree_sitter.Node, owner: str, verb: str, path: str, handler: tree_sitter.Node
) -> Facts:
    chained = _chained(node)
    # ``[Authorize] async (...) => ...``: attributes on the lambda are endpoint metadata.
    found = attributes(handler) if handler.type == "lambda_expression" else []
    authorized = _authorizations(found)
    return {
        "owner": owner,
        "method": verb,
        "path": path,
        "handler": text(handler) if handler.type == "identifier" else "lambda",
        "line": line(node),
        "authorize": "RequireAuthorization" in chained or bool(authorized),
        "anonymous": "AllowAnonymous" in chained or _has(found, "AllowAnonymous"),
        "chained": chained,
        "attributes": authorized,
    }


def _declared_name(node: tree_sitter.Node) -> str | None:
    """The variable an expression is assigned to in its declaration (``var g = ...``)."""
    declarator = node.parent
    while declarator is not None and declarator.type != "variable_declarator":
        if declarator.type in ("block", "compilation_unit"):
            return None
        declarator = declarator.parent
    if declarator is None:
        return None
    name_node = declarator.child_by_field_name("name") or (
        declarator.named_children[0] if declarator.named_children else None
    )
    return text(name_node)


def exposures(data: Mapping[str, Facts]) -> Iterator[Exposure]:
    """Every controller action and minimal-API route of the files' facts."""
    facts = {p: d for p, d in data.items() if d.get("kind") == "aspnet"}
    global_auth = any(d["global_auth"] for d in facts.values())
    own = _own_access_control(facts)
    classes: dict[str, Facts] = {}
    for _, file_facts in sorted(facts.items()):
        for controller in file_facts["controllers"]:
            classes.setdefault(controller["name"], _with_own(controller, own))
    minimal = MinimalApis(facts)
    for path, file_facts in sorted(facts.items()):
        for controller in file_facts["controllers"]:
            resolved = _inherited(_with_own(controller, own), classes)
            yield from _controller_exposures(path, resolved, global_auth)
        for item in file_facts["maps"]:
            yield minimal.exposure(path, item)


def _own_access_control(facts: Mapping[str, Facts]) -> set[str]:
    """The repository's own authorization attributes and filters, by the names they are
    applied under (``AdminAttribute`` as ``Admin``, ``ApiAuthorizationFilter``)."""
    names: set[str] = set()
    for file_facts in facts.values():
        for name in file_facts.get("auth_classes", []):
            names |= {name, name.removesuffix("Attribute")}
    return names


def _with_own(controller: Facts, own: set[str]) -> Facts:
    """``controller`` (and its actions) with the project's own authorization attributes
    (``[Admin]`` deriving from ``AuthorizeAttribute``) counted as ``[Authorize]``."""
    if not own:
        return controller

    def add(item: Facts) -> Facts:
        mine = [f"[{n}]" for n in item.get("custom", []) if n in own]
        return {**item, "authorize": [*item["authorize"], *mine]} if mine else item

    return {**add(controller), "actions": [add(a) for a in controller["actions"]]}


def _inherited(controller: Facts, classes: Mapping[str, Facts]) -> Facts:
    """``controller`` with what its base controllers declare: ``[Authorize]``,
    ``[AllowAnonymous]`` and ``[Route]`` are inherited attributes (a ``BaseApiController``
    with ``[Authorize]`` protects every controller deriving from it; the nearest
    ``[Route]`` applies)."""
    merged = dict(controller)
    authorize = list(controller["authorize"])
    seen = {controller["name"]}
    bases = list(controller.get("bases", []))
    depth = 0
    while bases and depth < MAX_DEPTH:
        base = classes.get(bases[0])
        bases = bases[1:]
        if base is None or base["name"] in seen:
            continue
        seen.add(base["name"])
        authorize += [a for a in base["authorize"] if a not in authorize]
        merged["anonymous"] = merged["anonymous"] or base["anonymous"]
        if merged["route"] is None:
            merged["route"] = base["route"]
        bases = list(base.get("bases", [])) + bases
        depth += 1
    merged["authorize"] = authorize
    return merged


class MinimalApis:
    """Minimal-API routes resolved across files: ``MapGroup`` chains, conventions chained
    or called on a group (``group.RequireAuthorization()``), and extension methods mapping
    routes on their ``this`` parameter (``group.MapCreateBrandEndpoint()`` in another file
    gives the routes the group's prefix and protection)."""

    def __init__(self, facts: Mapping[str, Facts]) -> None:
        self.facts = facts
        self.auth_conventions = {
            name
            for file_facts in facts.values()
            for name, ext in file_facts.get("extensions", {}).items()
            if ext["auth"]
        }
        self.callers: dict[str, list[tuple[str, Facts]]] = {}
        for path, file_facts in sorted(facts.items()):
            for call in file_facts.get("ext_calls", []):
                self.callers.setdefault(call["name"], []).append((path, call))

    def protections(self, chained: list[str], what: str) -> list[str]:
        """The access controls among conventions chained on ``what``."""
        return [
            f"{what}.{name}()" if what else f".{name}()"
            for name in chained
            if auth_convention(name, self.auth_conventions)
        ]

    def _group(self, group: Facts) -> list[str]:
        return self.protections(group["chained"], f"MapGroup({group['prefix']})")

    def _extension_of(self, path: str, owner: str) -> str | None:
        """The extension method of ``path`` whose ``this`` parameter is ``owner``."""
        extensions = self.facts[path].get("extensions", {})
        return next((n for n, e in extensions.items() if e["param"] == owner), None)

    def above(self, path: str, owner: str) -> tuple[str, list[str]]:
        """(prefix, protections) of the groups and extension-method calls above a route
        mapped on ``owner`` in ``path`` (the first caller of an extension method, in file
        order, is followed)."""
        prefix, protected = "", list[str]()
        for _ in range(MAX_DEPTH * 2):
            groups = self.facts[path]["groups"]
            if owner in groups:
                group = groups[owner]
                prefix = join(group["prefix"], prefix) if prefix else group["prefix"]
                protected += self._group(group)
                owner = group["parent"]
                continue
            extension = self._extension_of(path, owner)
            callers = self.callers.get(extension, []) if extension else []
            if not callers:
                break
            path, call = callers[0]
            protected += self.protections(call["chained"], f"{call['name']}")
            owner = call["owner"]
        return prefix, protected

    def exposure(self, path: str, item: Facts) -> Exposure:
        prefix, protected = self.above(path, item["owner"])
        chained = item["chained"]
        access = [*item.get("attributes", []), *self.protections(chained, ""), *protected]
        exposure = Exposure(
            item["method"],
            join(prefix, item["path"]) if prefix else item["path"],
            item["handler"],
            path,
            item["line"],
            FRAMEWORK,
            [] if item["anonymous"] else access,
        )
        if item["anonymous"] and access:
            exposure.override = f".AllowAnonymous() overrides {', '.join(access)}"
        return exposure


def _action_path(controller: Facts, action: Facts) -> str:
    """The action's route: the controller's template joined with the action's."""
    short = str(controller["name"]).removesuffix("Controller")
    template = action["template"]
    route = (controller["route"] or "").replace("[controller]", short)
    if template is not None and template.startswith(("/", "~/")):
        full = template.lstrip("~")
    elif controller["route"] is None and template is None:
        full = f"/{short}/{action['name']}"
    else:
        full = join(route, template or "")
    full = str(full).replace("[action]", action["name"]).replace("[controller]", short)
    return full if full.startswith(("/", "{")) else "/" + full


def _action_access(controller: Facts, action: Facts, global_auth: bool) -> tuple[list[str], str]:
    """(protections, override) of an action: its own, its class's, the global policy."""
    class_level = controller["authorize"] or (["global AuthorizeFilter"] if global_auth else [])
    access = [*action["authorize"]]
    if not controller["anonymous"]:
        access += class_level
    if not (action["anonymous"] and not action["authorize"]):
        return access, ""
    override = f"[AllowAnonymous] on the action overrides {', '.join(access)}" if access else ""
    return [], override


def _controller_exposures(path: str, controller: Facts, global_auth: bool) -> Iterator[Exposure]:
    for action in controller["actions"]:
        full = _action_path(controller, action)
        access, override = _action_access(controller, action, global_auth)
        for method in action["methods"]:
            exposure = Exposure(
                method,
                full,
                f"{controller['name']}.{action['name']}",
                path,
                action["line"],
                FRAMEWORK,
                list(access),
            )
            exposure.override = override
            yield exposure
