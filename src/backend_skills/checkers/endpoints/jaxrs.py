"""JAX-RS resources (Java: Jakarta REST, Jersey, RESTEasy, Quarkus).

Classes with ``@Path`` whose methods carry ``@GET``, ``@POST``...; the path is
``@ApplicationPath`` + the class's ``@Path`` + the method's. Access control:
``@RolesAllowed``, ``@DenyAll``, ``@PermitAll`` and Quarkus's ``@Authenticated`` on the
class and the method, the method's annotations replacing the class's (``@PermitAll`` on
a method of a ``@RolesAllowed`` class opens that method).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from ..analyses._authz_resolve import Exposure, join
from . import quarkus
from ._common import Facts, line, nodes, text
from .spring import Annotations, annotation_path, annotations_of

if TYPE_CHECKING:
    import tree_sitter

FRAMEWORK = "JAX-RS"
HTTP_ANNOTATIONS = {
    "GET": "GET",
    "POST": "POST",
    "PUT": "PUT",
    "PATCH": "PATCH",
    "DELETE": "DELETE",
    "HEAD": "HEAD",
    "OPTIONS": "OPTIONS",
}
#: Annotations that restrict who may call (``@DenyAll``: nobody).
RESTRICTING = ("RolesAllowed", "DenyAll", "Authenticated")
OPENING = "PermitAll"


def _security(found: Annotations) -> Facts:
    """``{"access": [...], "permit_all": bool}`` of one declaration."""
    access = []
    for name, annotation in found:
        if name in RESTRICTING:
            argument = annotation_path(annotation)
            access.append(f"@{name}({argument})" if argument else f"@{name}")
    return {"access": access, "permit_all": any(n == OPENING for n, _ in found)}


def _path(found: Annotations) -> str | None:
    return next((annotation_path(a) or "" for n, a in found if n == "Path"), None)


def _method(member: tree_sitter.Node) -> Facts | None:
    """A resource method: an HTTP-method annotation, with or without ``@Path``."""
    if member.type != "method_declaration":
        return None
    found = annotations_of(member)
    verbs = [HTTP_ANNOTATIONS[n] for n, _ in found if n in HTTP_ANNOTATIONS]
    if not verbs:
        return None
    name = member.child_by_field_name("name")
    return {
        "name": text(name),
        "line": line(name or member),
        "methods": verbs,
        "path": _path(found) or "",
        **_security(found),
    }


def _resource(node: tree_sitter.Node) -> Facts | None:
    found = annotations_of(node)
    path = _path(found)
    body = node.child_by_field_name("body")
    members = body.named_children if body is not None else []
    methods = [m for m in map(_method, members) if m is not None]
    if path is None or not methods:
        return None
    return {
        "name": text(node.child_by_field_name("name")),
        "path": path,
        "methods": methods,
        **_security(found),
    }


def scan(root: tree_sitter.Node, source: str) -> Facts:
    """Resource classes and the ``@ApplicationPath`` of one file."""
    facts: Facts = {"kind": "jaxrs", "resources": [], "application_path": None}
    for node in nodes(root, ("class_declaration",)):
        found = annotations_of(node)
        application = next((annotation_path(a) for n, a in found if n == "ApplicationPath"), None)
        if application is not None:
            facts["application_path"] = application
        resource = _resource(node)
        if resource is not None:
            facts["resources"].append(resource)
    return facts


def _access(resource: Facts, method: Facts) -> tuple[list[str], str]:
    """(protections, override): the method's annotations replace the class's."""
    if method["access"]:
        return list(method["access"]), ""
    if method["permit_all"]:
        inherited = resource["access"]
        override = f"@PermitAll on the method overrides {', '.join(inherited)}" if inherited else ""
        return [], override
    return list(resource["access"]), ""


def exposures(
    data: Mapping[str, Facts], config: list[quarkus.Module] | None = None
) -> Iterator[Exposure]:
    """Every resource method of the files' facts (``config``: Quarkus HTTP security)."""
    facts = {p: d for p, d in data.items() if d.get("kind") == "jaxrs"}
    root = next((d["application_path"] for d in facts.values() if d["application_path"]), "")
    for path, file_facts in sorted(facts.items()):
        module = quarkus.module_of(config or [], path)
        for resource in file_facts["resources"]:
            for method in resource["methods"]:
                yield from _method_exposures(path, resource, method, root, module)


def _method_exposures(
    path: str, resource: Facts, method: Facts, root: str, module: quarkus.Module | None
) -> Iterator[Exposure]:
    access, override = _access(resource, method)
    full = join(root, resource["path"], method["path"])
    full = full if full.startswith("/") else "/" + full
    for verb in method["methods"]:
        exposure = Exposure(
            verb,
            full,
            f"{resource['name']}.{method['name']}",
            path,
            method["line"],
            FRAMEWORK,
            list(access),
        )
        exposure.override = override
        if method["permit_all"] and not access:
            exposure.open_evidence = "@PermitAll"
        _configured(exposure, module)
        yield exposure


def _configured(exposure: Exposure, module: quarkus.Module | None) -> None:
    """Add what ``application.properties`` says about the route."""
    decision = module.decide(exposure.path or "/", exposure.method) if module else None
    if decision is None:
        return
    evidence, is_open = decision
    if not is_open:
        exposure.access.append(evidence)
    elif not exposure.access:
        exposure.open_evidence = evidence
