"""NestJS (TypeScript).

``@Controller(prefix)`` classes with ``@Get``/``@Post``/... handlers, the global prefix
(``app.setGlobalPrefix``); guards: ``@UseGuards(...)`` on the class and the handler,
global guards (``app.useGlobalGuards(new X())``, ``{ provide: APP_GUARD, useClass: X }``),
authenticating middleware bound with ``consumer.apply(Mw).forRoutes(...)`` (paths,
``{ path, method }`` objects, controllers; ``.exclude(...)``). A handler or controller
marked public (``@Public()``, ``@SkipAuth()``, ``@AllowAnonymous()``,
``@SetMetadata('isPublic', true)``) is exempt from global and class-level guards.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from ..analyses import _authz_vocabulary as V
from ..analyses._authz_resolve import Exposure, join
from ._common import (
    CHECKED_SUBJECTS,
    Facts,
    arguments,
    line,
    middleware_auth,
    nodes,
    string,
    text,
)

if TYPE_CHECKING:
    import tree_sitter

FRAMEWORK = "NestJS"
VERB_DECORATORS = {
    "Get": "GET",
    "Post": "POST",
    "Put": "PUT",
    "Patch": "PATCH",
    "Delete": "DELETE",
    "All": "ANY",
    "Head": "HEAD",
    "Options": "OPTIONS",
}
PUBLIC_DECORATOR = re.compile(
    r"^(?:Public|IsPublic|PublicRoute|PublicEndpoint|AllowAnonymous|Anonymous|SkipAuth\w*"
    r"|NoAuth|SkipJwt\w*|Unprotected|Unauthenticated)$"
)
_PUBLIC_METADATA = re.compile(r"SetMetadata\s*\(\s*[\w.]*(?:PUBLIC|[Pp]ublic|ANONYMOUS|anonymous)")
_GLOBAL_GUARDS = re.compile(r"useGlobalGuards\s*\(([^;]*?)\)\s*;")
_NEW = re.compile(r"new\s+([A-Za-z_$][\w$]*)")
_APP_GUARD = re.compile(r"\{[^{}]*\bAPP_GUARD\b[^{}]*\}")
_USE_CLASS = re.compile(r"use(?:Class|Existing)\s*:\s*([A-Za-z_$][\w$]*)")
_GLOBAL_PREFIX = re.compile(r"setGlobalPrefix\s*\(\s*['\"`]([^'\"`]*)['\"`]")
_REQUEST_METHOD = re.compile(r"RequestMethod\s*\.\s*([A-Z]+)")

Decorators = list[tuple[str, "tree_sitter.Node"]]
#: Links of a ``consumer.apply(...)...forRoutes(...)`` chain followed at most.
MAX_CHAIN = 20


def guard_auth(name: str) -> bool:
    """Whether a guard's name says it checks the caller (``JwtAuthGuard``, ``RolesGuard``,
    ``AuthGuard('jwt')``; not ``ThrottlerGuard``)."""
    head = re.split(r"[(\s]", name.removeprefix("new ").strip(), maxsplit=1)[0]
    stem = head.removesuffix("Guard") or head
    if middleware_auth(stem):
        return True
    # a guard on the session or the user checks it (hedgedoc's ``SessionGuard``)
    found = set(V.words(stem))
    subjects = CHECKED_SUBJECTS | {"session"}
    return bool(found & subjects) and not (found - subjects) & V.NOT_AUTH_WORDS


def _decorator(node: tree_sitter.Node) -> tuple[str, tree_sitter.Node]:
    call = next((c for c in node.named_children), node)
    function = call.child_by_field_name("function") if call.type == "call_expression" else call
    return text(function).rsplit(".", 1)[-1], call


def class_decorators(node: tree_sitter.Node) -> Decorators:
    """The decorators of a class (an exported class's sit on the export statement)."""
    owners = [node]
    if node.parent is not None and node.parent.type == "export_statement":
        owners.append(node.parent)
    return [_decorator(c) for owner in owners for c in owner.children if c.type == "decorator"]


def method_decorators(member: tree_sitter.Node) -> Decorators:
    """The decorators before a method in its class body."""
    found = []
    sibling = member.prev_named_sibling
    while sibling is not None and sibling.type == "decorator":
        found.append(_decorator(sibling))
        sibling = sibling.prev_named_sibling
    found.extend(_decorator(c) for c in member.children if c.type == "decorator")
    return list(reversed(found))


def _first_path(call: tree_sitter.Node) -> str:
    """``'users'``, ``['users']`` or ``{ path: 'users' }`` of a decorator's first argument."""
    args = arguments(call) if call.type == "call_expression" else []
    if not args:
        return ""
    first = args[0]
    if first.type == "array" and first.named_children:
        first = first.named_children[0]
    if first.type == "object":
        first = next((_pair_value(p) for p in first.named_children if _key(p) == "path"), first)
    return string(first) or ""


def _key(pair: tree_sitter.Node) -> str:
    return text(pair.child_by_field_name("key")).strip("'\"") if pair.type == "pair" else ""


def _pair_value(pair: tree_sitter.Node) -> tree_sitter.Node:
    return pair.child_by_field_name("value") or pair


def _guards(found: Decorators) -> list[str]:
    """``@UseGuards(A, B)`` arguments that authenticate, as ``@UseGuards(A)``."""
    names = [
        text(a)
        for n, call in found
        if n == "UseGuards" and call.type == "call_expression"
        for a in arguments(call)
    ]
    return [f"@UseGuards({n})" for n in names if guard_auth(n)]


#: Decorators of NestJS itself (never a project's composition of ``UseGuards``).
_FRAMEWORK_DECORATORS = frozenset(
    {*VERB_DECORATORS, "Controller", "UseGuards", "SetMetadata", "HttpCode", "Header", "Redirect"}
)


def _other_decorators(found: Decorators) -> list[str]:
    """The decorators that may be a project's own composition (``@RequiresScope(...)``)."""
    return [n for n, _ in found if n not in _FRAMEWORK_DECORATORS]


_NAMING = ("function_declaration", "generator_function_declaration", "variable_declarator")


def _composed(node: tree_sitter.Node, facts: Facts) -> None:
    """``export function Auth() { return applyDecorators(UseGuards(JwtAuthGuard)) }``: a
    decorator of the project that applies an authenticating guard is a guard itself."""
    if text(node.child_by_field_name("function")) != "UseGuards":
        return
    guards = [text(a) for a in arguments(node) if guard_auth(text(a))]
    current = node.parent
    while guards and current is not None and current.type != "decorator":
        name = current.child_by_field_name("name") if current.type in _NAMING else None
        if name is not None:
            facts["composed"][text(name)] = guards[0]
            return
        current = current.parent


def _public(found: Decorators) -> bool:
    return any(
        PUBLIC_DECORATOR.match(n) or (n == "SetMetadata" and _PUBLIC_METADATA.search(text(c)))
        for n, c in found
    )


def _handler(member: tree_sitter.Node) -> Facts | None:
    if member.type != "method_definition":
        return None
    found = method_decorators(member)
    verbs = [(VERB_DECORATORS[n], c) for n, c in found if n in VERB_DECORATORS]
    if not verbs:
        return None
    name = member.child_by_field_name("name")
    return {
        "name": text(name),
        "line": line(name or member),
        "methods": [v for v, _ in verbs],
        "path": _first_path(verbs[0][1]),
        "guards": _guards(found),
        "public": _public(found),
        "decorators": _other_decorators(found),
    }


def _controller(node: tree_sitter.Node) -> Facts | None:
    found = class_decorators(node)
    controller = next((c for n, c in found if n == "Controller"), None)
    if controller is None:
        return None
    body = node.child_by_field_name("body")
    members = body.named_children if body is not None else []
    return {
        "name": text(node.child_by_field_name("name")),
        "prefix": _first_path(controller),
        "guards": _guards(found),
        "public": _public(found),
        "decorators": _other_decorators(found),
        "handlers": [h for h in map(_handler, members) if h is not None],
    }


def _global_guards(source: str) -> list[str]:
    found = []
    for match in _GLOBAL_GUARDS.finditer(source):
        found += [f"global guard {n} (useGlobalGuards)" for n in _NEW.findall(match.group(1))]
    for match in _APP_GUARD.finditer(source):
        found += [f"global guard {n} (APP_GUARD)" for n in _USE_CLASS.findall(match.group(0))]
    return [g for g in found if guard_auth(g.split()[2])]


def _route_target(node: tree_sitter.Node) -> Facts:
    """One ``forRoutes``/``exclude`` argument: a path, ``{ path, method }`` or a controller."""
    if node.type == "object":
        path = next((string(_pair_value(p)) for p in node.named_children if _key(p) == "path"), "")
        methods = _REQUEST_METHOD.findall(text(node))
        return {"path": path or "", "method": methods[0] if methods else "ALL"}
    value = string(node)
    if value is not None:
        return {"path": value, "method": "ALL"}
    return {"controller": text(node)}


_CONSUMER_PARTS = {"forRoutes": "routes", "exclude": "exclude"}


def _consume(entry: Facts, method: str, args: list[tree_sitter.Node]) -> None:
    """Add one link of the chain: ``apply(...)``, ``exclude(...)`` or ``forRoutes(...)``."""
    if method == "apply":
        entry["apply"] += [text(a) for a in args]
    elif method in _CONSUMER_PARTS:
        entry[_CONSUMER_PARTS[method]] += [_route_target(a) for a in args]


def _consumer(node: tree_sitter.Node) -> Facts | None:
    """``consumer.apply(A).exclude(...).forRoutes(...)`` ending at ``node``."""
    entry: Facts = {"apply": [], "routes": [], "exclude": [], "line": line(node)}
    current: tree_sitter.Node | None = node
    for _ in range(MAX_CHAIN):
        function = current.child_by_field_name("function") if current is not None else None
        if current is None or function is None or function.type != "member_expression":
            break
        _consume(entry, text(function.child_by_field_name("property")), arguments(current))
        current = function.child_by_field_name("object")
    return entry if entry["routes"] and entry["apply"] else None


def scan(root: tree_sitter.Node, source: str) -> Facts:
    """Controllers, global guards and prefix, and middleware bindings of one file."""
    prefix = _GLOBAL_PREFIX.search(source)
    facts: Facts = {
        "kind": "nest",
        "controllers": [],
        "global_guards": _global_guards(source),
        "prefix": prefix.group(1) if prefix else None,
        "middleware": [],
        "composed": {},
    }
    for node in nodes(root, ("class_declaration", "call_expression"), narrowed=_NARROWED):
        if node.type == "class_declaration":
            controller = _controller(node)
            if controller is not None:
                facts["controllers"].append(controller)
        elif node.type == "call_expression":
            _middleware(node, facts)
            _composed(node, facts)
    return facts


#: Only the calls :func:`_middleware` reads: ``consumer.apply(...).forRoutes(...)``.
_NARROWED = (
    (
        "call_expression",
        '(call_expression function: (member_expression property: (_) @p (#eq? @p "forRoutes"))) @n',
    ),
    ("call_expression", '(call_expression function: (identifier) @f (#eq? @f "UseGuards")) @n'),
)


def _middleware(node: tree_sitter.Node, facts: Facts) -> None:
    function = node.child_by_field_name("function")
    if function is None or function.type != "member_expression":
        return
    if text(function.child_by_field_name("property")) != "forRoutes":
        return
    entry = _consumer(node)
    if entry is not None:
        facts["middleware"].append(entry)


def _pattern(path: str) -> re.Pattern[str]:
    """A ``forRoutes`` path (``articles/:slug``, ``cats/*``, ``*``) as a regex."""
    out = []
    for part in re.split(r"(\*|:[A-Za-z_]\w*|\(\.\*\))", path.strip("/")):
        if part in ("*", "(.*)"):
            out.append(".*")
        elif part.startswith(":"):
            out.append("[^/]+")
        else:
            out.append(re.escape(part))
    return re.compile("".join(out) + "/?$")


def _targets(target: Facts, controller: str, path: str, verb: str) -> bool:
    if "controller" in target:
        return bool(target["controller"] == controller)
    if target["method"] not in ("ALL", verb):
        return False
    return bool(_pattern(target["path"]).match(path.strip("/")))


def _bound(entries: list[Facts], controller: str, path: str, verb: str) -> list[str]:
    """Authenticating middleware bound to a route by ``forRoutes`` (less ``exclude``)."""
    found = []
    for entry in entries:
        if not any(_targets(t, controller, path, verb) for t in entry["routes"]):
            continue
        if any(_targets(t, controller, path, verb) for t in entry["exclude"]):
            continue
        found += [f"{m} (forRoutes)" for m in entry["apply"] if middleware_auth(m)]
    return found


class Application:
    """Every file's NestJS facts: the global prefix, global guards and middleware."""

    def __init__(self, data: Mapping[str, Facts]) -> None:
        self.data = {p: d for p, d in sorted(data.items()) if d.get("kind") == "nest"}
        values = list(self.data.values())
        self.prefix = next((d["prefix"] for d in values if d["prefix"]), "")
        self.global_guards = [g for d in values for g in d["global_guards"]]
        self.middleware = [m for d in values for m in d["middleware"]]
        self.composed: dict[str, str] = {}
        for d in values:
            for name, guard in d.get("composed", {}).items():
                self.composed.setdefault(name, guard)

    def _composed(self, facts: Facts) -> list[str]:
        """``@RequiresScope(...)``-style decorators applying an authenticating guard."""
        return [
            f"@{n} (UseGuards({self.composed[n]}))"
            for n in facts.get("decorators", [])
            if n in self.composed
        ]

    def access(
        self, controller: Facts, handler: Facts, local: str, verb: str
    ) -> tuple[list[str], str]:
        """(protections, override) of one handler."""
        inherited = [*controller["guards"], *self._composed(controller), *self.global_guards]
        bound = _bound(self.middleware, controller["name"], local, verb)
        public = handler["public"] or controller["public"]
        own = [*handler["guards"], *self._composed(handler)]
        access = [*own, *bound, *([] if public else inherited)]
        override = ""
        if public and inherited and not access:
            override = f"@Public-style metadata on the handler overrides {', '.join(inherited)}"
        return access, override

    def exposures(self) -> Iterator[Exposure]:
        for path, facts in self.data.items():
            for controller in facts["controllers"]:
                for handler in controller["handlers"]:
                    yield from self._handler(path, controller, handler)

    def _handler(self, path: str, controller: Facts, handler: Facts) -> Iterator[Exposure]:
        local = join(controller["prefix"], handler["path"])
        for verb in handler["methods"]:
            access, override = self.access(controller, handler, local, verb)
            exposure = Exposure(
                verb,
                join(self.prefix, controller["prefix"], handler["path"]),
                f"{controller['name']}.{handler['name']}",
                path,
                handler["line"],
                FRAMEWORK,
                access,
            )
            exposure.override = override
            if handler["public"] or controller["public"]:
                exposure.open_evidence = "marked public (@Public-style decorator)"
            yield exposure


def exposures(data: Mapping[str, Facts]) -> Iterator[Exposure]:
    """Every NestJS handler of the files' facts."""
    return Application(data).exposures()
