"""An endpoint as the authorization judge sees it (:class:`Exposure`), for every
language: the Python inventory (:mod:`._authz_resolve`) and the ``polyglot`` checker
build them, :func:`.authorization.judge` reads them."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import _authz_vocabulary as V


@dataclass
class Exposure:
    """One endpoint with what the findings need beside the report's fields."""

    method: str
    path: str | None
    handler: str
    file: str
    line: int | None
    framework: str
    access: list[str] = field(default_factory=list)
    """What protects it (empty: nothing)."""
    public_reads: bool = False
    """Protection covers writes only (``IsAuthenticatedOrReadOnly``)."""
    open_evidence: str = ""
    """Why it is open, when it is (``permission_classes = [AllowAny]``...)."""
    drf_default: bool = False
    override: str = ""
    """Class-level protection a method-level setting removes."""
    csrf_exempt: bool = False
    session: bool = False
    csrf_evidence: str = ""
    """How CSRF checks are switched off, when not by ``@csrf_exempt``."""

    @property
    def write(self) -> bool:
        return self.method in V.WRITE_METHODS

    @property
    def public(self) -> bool:
        return not self.access or (self.public_reads and not self.write)

    @property
    def access_control(self) -> str | None:
        if not self.access:
            return None
        text = ", ".join(dict.fromkeys(self.access))
        return f"{text} (reads public)" if self.public_reads else text

    def segments(self) -> list[str]:
        path = self.path or ""
        return [
            s
            for s in path.replace("^", "/").replace("$", "/").split("/")
            if s and not s.startswith(("{", "<", ":", "("))
        ]

    def sensitive(self) -> str | None:
        """``admin``, ``debug``, ``export``, ``actuator``... when the path names one (not
        for pages a documentation or static-file handler serves)."""
        if not self.write and V.serves_documents(self.handler):
            return None
        for segment in self.segments():
            for word in V.words(segment):
                if word in V.SENSITIVE_WORDS:
                    return word
        return None

    def by_design(self) -> str | None:
        """The word that makes the endpoint public on purpose (``login``...)."""
        for word in [w for s in self.segments() for w in V.words(s)] + V.words(self.handler):
            if word in V.PUBLIC_BY_DESIGN:
                return word
        return None


def join(*parts: str | None) -> str:
    """Join route parts into ``/a/b/`` (regex anchors dropped)."""
    text = "/".join(p.strip("^$").strip("/") for p in parts if p and p.strip("^$/"))
    last = next((p for p in reversed(parts) if p), "")
    trailing = last.rstrip("$").endswith("/") and text != ""
    lead = "" if text.startswith("{") else "/"
    return lead + text + ("/" if trailing else "")
