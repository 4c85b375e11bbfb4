"""Spring MVC and WebFlux controllers (Java) with Spring Security.

``@RestController``/``@Controller`` classes with ``@RequestMapping``, ``@GetMapping``...;
method security (``@PreAuthorize``, ``@Secured``, ``@RolesAllowed``, ``@PermitAll``) on
the class and the method; ``SecurityFilterChain`` rules (``requestMatchers(...)
.permitAll()``, ``anyRequest().authenticated()``) matched against each route's path, and
Spring Security's default (every request authenticated) when the build declares it and
no chain says otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import Role

from ..analyses._authz_resolve import Exposure, join
from ._common import Facts, innermost_root, line, middleware_auth, nodes, string, text

if TYPE_CHECKING:
    import tree_sitter

FRAMEWORK = "Spring"
SPRING_MAPPINGS = {
    "GetMapping": "GET",
    "PostMapping": "POST",
    "PutMapping": "PUT",
    "PatchMapping": "PATCH",
    "DeleteMapping": "DELETE",
    "RequestMapping": "ANY",
}
SPRING_SECURED = ("PreAuthorize", "Secured", "RolesAllowed", "PostAuthorize")
MATCHER_RULE = re.compile(
    r"(?:requestMatchers|antMatchers|mvcMatchers|regexMatchers|pathMatchers)\s*\(([^()]*)\)\s*\.\s*"
    r"(permitAll|anonymous|authenticated|fullyAuthenticated|rememberMe|hasRole|hasAnyRole"
    r"|hasAuthority|hasAnyAuthority|hasIpAddress|denyAll|access)\b"
)
ANY_RULE = re.compile(r"anyRequest\s*\(\s*\)\s*\.\s*(\w+)")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_HTTP_METHOD = re.compile(r"HttpMethod\s*\.\s*(GET|POST|PUT|PATCH|DELETE|OPTIONS|HEAD|TRACE)\b")
_REQUEST_METHOD = re.compile(r"RequestMethod\s*\.\s*(GET|POST|PUT|PATCH|DELETE)")
OPEN_DECISIONS = frozenset({"permitAll", "anonymous"})
_CHAIN_MARKERS = ("SecurityFilterChain", "HttpSecurity", "ServerHttpSecurity")
_BUILD_FILES = ("pom.xml", "build.gradle", "build.gradle.kts")

Annotations = list[tuple[str, "tree_sitter.Node"]]


def annotations_of(node: tree_sitter.Node) -> Annotations:
    """(name, node) of the annotations in a declaration's modifiers."""
    out = []
    for child in node.children:
        if child.type != "modifiers":
            continue
        for annotation in child.named_children:
            if annotation.type in ("annotation", "marker_annotation"):
                name = text(annotation.child_by_field_name("name")).rsplit(".", 1)[-1]
                out.append((name, annotation))
    return out


def annotation_path(annotation: tree_sitter.Node) -> str | None:
    """The path an annotation names: its first string, ``value`` or ``path``."""
    found = annotation.child_by_field_name("arguments")
    if found is None:
        return None
    for argument in found.named_children:
        if argument.type == "element_value_pair":
            if text(argument.child_by_field_name("key")) not in ("value", "path"):
                continue
            argument = argument.child_by_field_name("value") or argument
        if argument.type == "element_value_array_initializer" and argument.named_children:
            argument = argument.named_children[0]
        value = string(argument)
        if value is not None:
            return value
    return None


def _annotation_method(annotation: tree_sitter.Node) -> list[str]:
    return _REQUEST_METHOD.findall(text(annotation)) or ["ANY"]


def scan(root: tree_sitter.Node, source: str) -> Facts:
    """Controllers, filter-chain rules and whether Spring Security is imported."""
    facts: Facts = {"kind": "spring", "controllers": [], "rules": [], "any_rule": None}
    for node in nodes(root, ("class_declaration",)):
        controller = _controller(node)
        if controller is not None:
            facts["controllers"].append(controller)
    if any(marker in source for marker in _CHAIN_MARKERS):
        facts["chain"] = True
        facts["rules"] = [_rule(match, source) for match in MATCHER_RULE.finditer(source)]
        any_rule = ANY_RULE.search(source)
        if any_rule is not None:
            facts["any_rule"] = any_rule.group(1)
    if "filterChainDefinition" in source or "ShiroFilterFactoryBean" in source:
        # Shiro filters only the paths its chain names: no "no matching rule" protection
        facts["rules"] += [_shiro_rule(m, source) for m in _SHIRO_RULE.finditer(source)]
    if "org.springframework.security" in source:
        facts["security"] = True
    if "addInterceptor" in source:
        facts["interceptors"] = [_interceptor(m) for m in _INTERCEPTOR.finditer(source)]
    return facts


#: ``registry.addInterceptor(adminInterceptor).addPathPatterns("/backend/**")`` of a
#: ``WebMvcConfigurer`` (with ``excludePathPatterns``), in any order.
_INTERCEPTOR = re.compile(
    r"addInterceptor\s*\(\s*((?:new\s+)?[\w.]+)\s*(?:\([^()]*\))?\s*\)"
    r"((?:\s*\.\s*(?:addPathPatterns|excludePathPatterns|order)\s*\([^()]*\))*)"
)
_PATH_CALL = re.compile(r"(addPathPatterns|excludePathPatterns)\s*\(([^()]*)\)")


def _interceptor(match: re.Match[str]) -> Facts:
    name = match.group(1).removeprefix("new").strip()
    include: list[str] = []
    exclude: list[str] = []
    for call in _PATH_CALL.finditer(match.group(2)):
        (include if call.group(1) == "addPathPatterns" else exclude).extend(
            _QUOTED.findall(call.group(2))
        )
    return {"name": name, "include": include or ["/**"], "exclude": exclude}


def _intercepted(path: str, interceptors: list[Facts]) -> list[str]:
    """The authenticating ``HandlerInterceptor``s registered for ``path``."""
    concrete = re.sub(r"\{[^}]*\}", "x", path)
    found = []
    for item in interceptors:
        if not _names_a_check(item["name"]):
            continue
        if any(ant(p).match(concrete) for p in item["include"]) and not any(
            ant(p).match(concrete) for p in item["exclude"]
        ):
            found.append(f"interceptor {item['name']}")
    return found


#: Apache Shiro's filter chain, first match wins: ``map.put("/admin/**", "authc")``.
_SHIRO_RULE = re.compile(r"\.put\s*\(\s*\"([^\"]+)\"\s*,\s*\"([^\"]+)\"\s*\)")
#: Shiro filters that let anyone through (``anon``), or only log out.
_SHIRO_OPEN = frozenset({"anon", "logout"})


def _shiro_rule(match: re.Match[str], source: str) -> Facts:
    """A Shiro filter-chain definition as a filter-chain rule: ``anon`` lets everyone
    through; ``authc``, ``user``, ``perms[...]``, ``roles[...]`` or a project's filter
    (``jwt``) check the caller."""
    filters = {f.split("[", 1)[0].strip() for f in match.group(2).split(",")}
    return {
        "patterns": [match.group(1)],
        "methods": [],
        "decision": "permitAll" if filters <= _SHIRO_OPEN else "authenticated",
        "line": source.count("\n", 0, match.start()) + 1,
        "unknown": False,
    }


def _rule(match: re.Match[str], source: str) -> Facts:
    arguments, decision = match.group(1), match.group(2)
    rest = _HTTP_METHOD.sub("", _QUOTED.sub("", arguments)).replace(",", "").strip()
    return {
        "patterns": _QUOTED.findall(arguments),
        "methods": _HTTP_METHOD.findall(arguments),
        "decision": decision,
        "line": source.count("\n", 0, match.start()) + 1,
        # patterns held in a variable (``antMatchers(url)`` in a loop over configured
        # URLs): which paths they match is not known here
        "unknown": bool(rest),
    }


#: Words that turn an annotation named like a check into an exemption (``@IgnoreAuth``,
#: ``@SkipAuth``, ``@PassToken``) or into something else (``@AuthenticationPrincipal``).
_NOT_A_CHECK = re.compile(
    r"(?i:ignore|skip|pass|anonymous|public|permit|exclude|optional|principal|current)"
    r"|^No[A-Z]|^Not[A-Z]"
)


def _names_a_check(name: str) -> bool:
    """An annotation or interceptor whose name says it checks the caller (Shiro's
    ``@RequiresPermissions``, Sa-Token's ``@SaCheckLogin``, a project's own
    ``@BackendPermission`` or ``adminInterceptor``), not an exemption."""
    return name not in SPRING_MAPPINGS and middleware_auth(name) and not _NOT_A_CHECK.search(name)


def secured(found: Annotations, *, skip_permit_all: bool = False) -> list[str]:
    """``@PreAuthorize(...)``-style annotations as the inventory shows them."""
    out = []
    for name, annotation in found:
        if name not in SPRING_SECURED and not _names_a_check(name):
            continue
        if skip_permit_all and "permitAll" in text(annotation):
            continue
        argument = annotation_path(annotation)
        out.append(f"@{name}({argument or ''})" if argument else f"@{name}")
    return out


def _permit_all(found: Annotations) -> bool:
    return any(
        n == "PermitAll" or (n == "PreAuthorize" and "permitAll" in text(a)) for n, a in found
    )


def _mapped_method(member: tree_sitter.Node) -> Facts | None:
    """A controller method with a ``@...Mapping`` annotation."""
    if member.type != "method_declaration":
        return None
    found = annotations_of(member)
    mapping = next(((n, a) for n, a in found if n in SPRING_MAPPINGS), None)
    if mapping is None:
        return None
    name, annotation = mapping
    verbs = [SPRING_MAPPINGS[name]] if name != "RequestMapping" else _annotation_method(annotation)
    return {
        "name": text(member.child_by_field_name("name")),
        "line": line(member.child_by_field_name("name") or member),
        "methods": verbs,
        "path": annotation_path(annotation) or "",
        "secured": secured(found),
        "permit_all": _permit_all(found),
    }


def _controller(node: tree_sitter.Node) -> Facts | None:
    found = annotations_of(node)
    body = node.child_by_field_name("body")
    members = body.named_children if body is not None else []
    methods = [m for m in map(_mapped_method, members) if m is not None]
    if not methods and not {n for n, _ in found} & {"RestController", "Controller"}:
        return None
    prefix = next((annotation_path(a) for n, a in found if n == "RequestMapping"), None)
    return {
        "name": text(node.child_by_field_name("name")),
        "prefix": prefix or "",
        "secured": secured(found, skip_permit_all=True),
        "methods": methods,
    }


def ant(pattern: str) -> re.Pattern[str]:
    """An Ant-style path pattern (``/api/**``, ``/users/{id}``) as a regular expression."""
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


def filter_decision(
    path: str, verb: str, rules: list[dict[str, Any]], any_rule: str | None
) -> str | None:
    """The decision of the first filter-chain rule matching a route (else ``anyRequest``)."""
    return matching_rule(path, verb, rules, any_rule)[0]


def matching_rule(
    path: str, verb: str, rules: list[dict[str, Any]], any_rule: str | None
) -> tuple[str | None, str]:
    """(decision, the pattern that matched: ``""`` for ``anyRequest`` or none) of the
    first filter-chain rule matching a route."""
    concrete = re.sub(r"\{[^}]*\}", "x", path)
    for rule in rules:
        if rule.get("unknown") or (rule["methods"] and verb not in rule["methods"]):
            continue
        patterns = rule["patterns"] or ["/**"]
        matched = next((p for p in patterns if ant(p).match(concrete)), None)
        if matched is not None:
            return str(rule["decision"]), matched
    return any_rule, ""


@dataclass(frozen=True)
class FilterChain:
    """What the repository's ``SecurityFilterChain`` configuration says."""

    rules: list[dict[str, Any]]
    declared: bool
    any_rule: str | None
    security: bool

    @classmethod
    def of(cls, facts: Mapping[str, Facts], starter: bool) -> FilterChain:
        return cls(
            rules=[r for d in facts.values() for r in d["rules"]],
            declared=any(d.get("chain") for d in facts.values()),
            any_rule=next((d["any_rule"] for d in facts.values() if d.get("any_rule")), None),
            security=starter or any(d.get("security") for d in facts.values()),
        )

    def apply(self, exposure: Exposure) -> None:
        """Add the chain's protection to an endpoint, or the evidence that it is open."""
        decision, pattern = matching_rule(
            exposure.path or "", exposure.method, self.rules, self.any_rule
        )
        if decision is not None and decision not in OPEN_DECISIONS:
            exposure.access.append(f"SecurityFilterChain {decision}()")
        elif decision in OPEN_DECISIONS:
            exposure.open_evidence = f"{decision}() in the SecurityFilterChain"
            if pattern and "**" not in pattern:
                # a route opened by name (a login, captcha or error page): a decision to
                # review, not a missing check; ``/admin/**`` opened wholesale stays one
                exposure.override = f'{decision}() on "{pattern}" in the filter chain'
        elif not self.declared and self.security:
            exposure.access.append("Spring Security default (every request authenticated)")
        elif self.declared:
            exposure.access.append("SecurityFilterChain (no matching rule)")


def exposures(
    data: Mapping[str, Facts],
    starter: bool,
    modules: Mapping[str, frozenset[str]] | None = None,
) -> Iterator[Exposure]:
    """Every mapped controller method (``starter``: the build declares Spring Security;
    ``modules``: :func:`build_modules`, each controller then judged by the filter chains
    of the modules its own can see)."""
    facts = {p: d for p, d in data.items() if d.get("kind") == "spring"}
    every = FilterChain.of(facts, starter)
    chains: dict[frozenset[str], FilterChain] = {}

    def chain_for(path: str) -> FilterChain:
        own = innermost_root(path, modules) if modules else None
        if own is None or modules is None:
            return every
        seen = modules[own]
        if seen not in chains:
            mine = {p: d for p, d in facts.items() if innermost_root(p, modules) in seen}
            declared = any(d.get("chain") for d in mine.values())
            chains[seen] = FilterChain.of(mine, starter) if declared else every
        return chains[seen]

    interceptors = [i for d in facts.values() for i in d.get("interceptors", [])]
    for path, file_facts in sorted(facts.items()):
        chain = chain_for(path) if file_facts["controllers"] else every
        for controller in file_facts["controllers"]:
            for method in controller["methods"]:
                for verb in method["methods"]:
                    exposure = _exposure(path, controller, method, verb)
                    if interceptors and not method["permit_all"]:
                        exposure.access += _intercepted(exposure.path or "", interceptors)
                    chain.apply(exposure)
                    yield exposure


def _exposure(path: str, controller: Facts, method: Facts, verb: str) -> Exposure:
    inherited = [] if method["permit_all"] else list(controller["secured"])
    exposure = Exposure(
        verb,
        join(controller["prefix"], method["path"]),
        f"{controller['name']}.{method['name']}",
        path,
        method["line"],
        FRAMEWORK,
        [*method["secured"]] or inherited,
    )
    if method["permit_all"] and controller["secured"] and not method["secured"]:
        exposure.override = f"@PermitAll on the method overrides {', '.join(controller['secured'])}"
    return exposure


def _build_files(files: Iterable[SourceFile]) -> Iterator[tuple[str, str, str]]:
    """(module root, file name, text) of the Maven and Gradle build files (the root as a
    prefix: ``"mall-admin/"``, ``""`` at the repository's root); unreadable ones left out."""
    for file in files:
        folder, _, name = file.path.rpartition("/")
        if name not in _BUILD_FILES or file.role in (Role.VENDORED, Role.GENERATED):
            continue
        try:
            content = file.text
        except Exception:  # unreadable: no evidence either way
            continue
        yield (folder + "/" if folder else ""), name, content


def spring_security_declared(files: Iterable[SourceFile]) -> bool:
    """Whether a Maven or Gradle build declares Spring Security (which then protects
    every request unless a SecurityFilterChain says otherwise)."""
    return any(
        "spring-boot-starter-security" in content or "spring-security" in content
        for _, _, content in _build_files(files)
    )


_ARTIFACT = re.compile(r"<artifactId>\s*([\w.\-]+)\s*</artifactId>")
_POM_SECTIONS = re.compile(
    r"<(parent|dependencies|dependencyManagement|build|profiles|reporting)>.*?</\1>", re.S
)
_DEPENDENCIES = re.compile(r"<dependencies>(.*?)</dependencies>", re.S)
_GRADLE_PROJECT = re.compile(r"project\(\s*['\"]:?([\w.\-:]+)['\"]\s*\)")


def build_modules(files: Iterable[SourceFile]) -> dict[str, frozenset[str]]:
    """Maven and Gradle modules: each module's root (a folder prefix, as
    :func:`._common.innermost_root` takes it) -> the roots of the modules it can see (itself and the sibling modules it depends on, transitively). A security
    configuration applies to the application that includes it, not to every module of
    a multi-module repository (a ``mall-demo`` permitting ``/**`` does not open
    ``mall-admin``). Empty for a repository of one module."""
    names: dict[str, str] = {}
    wants: dict[str, set[str]] = {}
    for root, name, content in _build_files(files):
        folder_name = root.rstrip("/").rsplit("/", 1)[-1]
        if name == "pom.xml":
            own = _ARTIFACT.search(_POM_SECTIONS.sub("", content))
            names[own.group(1) if own else folder_name] = root
            used = {a for block in _DEPENDENCIES.findall(content) for a in _ARTIFACT.findall(block)}
        else:
            names[folder_name] = root
            used = {m.rsplit(":", 1)[-1] for m in _GRADLE_PROJECT.findall(content)}
        wants.setdefault(root, set()).update(used)
    if len(wants) < 2:
        return {}
    visible: dict[str, frozenset[str]] = {}
    for folder in wants:
        seen, todo = {folder}, [folder]
        while todo:
            for artifact in wants.get(todo.pop(), ()):
                target = names.get(artifact)
                if target is not None and target not in seen:
                    seen.add(target)
                    todo.append(target)
        visible[folder] = frozenset(seen)
    return visible
