"""The cross-file taint join: request input passed, directly or through one wrapper, to
a method whose parameter reaches a taint rule's sink in another file.

Facts come per file from :mod:`backend_skills.rules._taint_facts`. A call matches a
summary when the method names are equal, the number of arguments fits the signature
(optional parameters may be left out), the argument's position is the parameter's, and,
when the caller's file declares the receiver's type, that type is the summary's class or
one of its bases (an interface it implements). A constructed message handled by a
handler class (``new GetCityQuery(name)`` sent to ``IRequestHandler<GetCityQuery, ...>``)
reaches the handler's ``Handle`` parameter. A call of a field holding functions
(``s.Handler(mode, in)`` after ``Handler: execHandler``, :mod:`._taint_values`) reaches
each function stored in it.

Two levels: a request call reaching a sink's method, or reaching a method that passes
the parameter on to a sink's method. Pure functions on JSON data; no I/O.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

SinkKey = tuple[str, str, int, int]
"""(path, rule id, line, column) of a sink's finding."""


@dataclass(frozen=True)
class Feed:
    """Request input reaching a sink from another place."""

    path: str
    line: int
    through: str = ""
    """The wrapper method the input went through ('' when called directly)."""

    def describe(self) -> str:
        """`` from Pages/Login.aspx.cs:38`` (plus the wrapper)."""
        via = f" through `{self.through}`" if self.through else ""
        return f"{self.path}:{self.line}{via}"


@dataclass(frozen=True)
class _Summary:
    signature: Mapping[str, Any]
    param: int
    sinks: tuple[SinkKey, ...]
    through: str = ""


def _fits(summary: _Summary, call: Mapping[str, Any]) -> bool:
    sig = summary.signature
    if call["position"] != summary.param:
        return False
    if not int(sig["required"]) <= int(call["args"]) <= int(sig["arity"]):
        return False
    receiver = call.get("receiver") or ""
    if not receiver or not sig["class"]:
        return True
    return receiver == sig["class"] or receiver in sig["bases"]


def _message_fits(summary: _Summary, call: Mapping[str, Any]) -> bool:
    """A constructed message (any argument from the request) reaching its handler."""
    return (
        bool(call.get("new"))
        and summary.param == 0
        and summary.signature["method"] == "Handle"
        and call["call"] in summary.signature["handles"]
    )


class _Index:
    def __init__(self) -> None:
        self.by_name: dict[str, list[_Summary]] = defaultdict(list)
        self.handlers: list[_Summary] = []

    def add(self, summary: _Summary) -> None:
        self.by_name[str(summary.signature["method"])].append(summary)
        if summary.signature["method"] == "Handle" and summary.signature["handles"]:
            self.handlers.append(summary)

    def follow(self, stored: Mapping[str, set[str]]) -> None:
        """A call of a field holding functions (``s.Handler(mode, in)`` after
        ``Handler: execHandler``) reaches each of them, whatever its receiver (the
        struct or object holding the field, not the function's class)."""
        for field, functions in stored.items():
            added = [
                replace(
                    summary,
                    signature={**summary.signature, "class": ""},
                    through=summary.through or f"{field}: {function}",
                )
                for function in sorted(functions)
                for summary in self.by_name.get(function, ())
            ]
            if added:
                self.by_name[field].extend(added)

    def matching(self, call: Mapping[str, Any]) -> Iterable[_Summary]:
        yield from (s for s in self.by_name.get(call["call"], ()) if _fits(s, call))
        if call.get("new"):
            yield from (s for s in self.handlers if _message_fits(s, call))


def _sink_index(facts: Mapping[str, Mapping[str, Any]]) -> _Index:
    index = _Index()
    for path, data in facts.items():
        for sink in data.get("sinks", ()):
            key = (path, str(sink["rule"]), int(sink["line"]), int(sink["column"]))
            for param in sink["params"]:
                index.add(_Summary(sink, int(param), (key,)))
    return index


def _wrapper_index(facts: Mapping[str, Mapping[str, Any]], sinks: _Index) -> _Index:
    """Methods passing a parameter on to a sink's method (one level)."""
    index = _Index()
    for data in facts.values():
        for call in data.get("through", ()):
            reached = tuple(k for s in sinks.matching(call) for k in s.sinks)
            if reached:
                index.add(_Summary(call, int(call["param"]), reached, str(call["method"])))
    return index


def _stored_functions(facts: Mapping[str, Mapping[str, Any]]) -> dict[str, set[str]]:
    """``field -> functions stored in it`` over every file (:mod:`._taint_values`)."""
    stored: dict[str, set[str]] = defaultdict(set)
    for data in facts.values():
        for field, function in data.get("values", ()):
            stored[str(field)].add(str(function))
    return stored


def join(facts: Mapping[str, Mapping[str, Any]]) -> dict[SinkKey, Feed]:
    """For each sink fed from request input in another place: the first such place
    (by path and line)."""
    sinks = _sink_index(facts)
    if not sinks.by_name:
        return {}
    stored = _stored_functions(facts)
    sinks.follow(stored)
    wrappers = _wrapper_index(facts, sinks)
    wrappers.follow(stored)
    fed: dict[SinkKey, Feed] = {}
    for path in sorted(facts):
        for call in sorted(facts[path].get("requests", ()), key=lambda c: int(c["line"])):
            for summary in (*sinks.matching(call), *wrappers.matching(call)):
                for key in summary.sinks:
                    fed.setdefault(key, Feed(path, int(call["line"]), summary.through))
    return fed
