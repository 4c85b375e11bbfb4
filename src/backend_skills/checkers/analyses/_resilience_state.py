"""State kept in one process, in one Python file, for the ``resilience`` analysis
(criterion ``scalability.shared_state``).

- ``BSSCL125``: sessions kept on the local disk or in memory (``SESSION_TYPE``,
  ``SESSION_ENGINE`` set as a variable, a settings key, a keyword or a dict entry);
- ``BSSCL126``: a request handler that writes an uploaded file to the local disk;
- ``BSSCL127``: a Flask-Limiter or slowapi limiter counting in process memory.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from backend_skills.core.models import Finding

from ._rule_findings import rule_finding
from ._server_common import FunctionNode, Imports, TreeIndex, call_name, dotted, walk_body

LIMITERS = frozenset(
    {
        "flask_limiter.Limiter",
        "flask_limiter.extension.Limiter",
        "slowapi.Limiter",
        "slowapi.extension.Limiter",
    }
)
SESSION_KEYS = frozenset({"SESSION_TYPE", "SESSION_ENGINE"})
#: Session settings that keep sessions in one process (key -> values).
LOCAL_SESSIONS = {
    "SESSION_TYPE": frozenset({"filesystem", "simple", "memory"}),
    "SESSION_ENGINE": frozenset({"django.contrib.sessions.backends.file"}),
}
UPLOAD_TYPES = frozenset({"UploadFile", "FileStorage", "UploadedFile", "InMemoryUploadedFile"})
SHUTIL_WRITES = frozenset({"shutil.copyfileobj", "shutil.copy", "shutil.copy2", "shutil.move"})
DISK_WRITES = frozenset({"write_bytes", "FileSystemStorage"})

# --------------------------------------------------------------------------- sessions


def _setting_key(target: ast.expr) -> str | None:
    """``X`` for ``X = ...`` and ``settings["X"] = ...``."""
    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
        return str(target.slice.value)
    return target.id if isinstance(target, ast.Name) else None


def _assigned_settings(index: TreeIndex) -> Iterator[tuple[str, ast.expr]]:
    for node in index.of(ast.Assign):
        assert isinstance(node, ast.Assign)
        for target in node.targets:
            key = _setting_key(target)
            if key in SESSION_KEYS:
                yield key, node.value


def _dict_settings(index: TreeIndex) -> Iterator[tuple[str, ast.expr]]:
    for node in index.of(ast.Dict):
        assert isinstance(node, ast.Dict)
        for k, v in zip(node.keys, node.values, strict=True):
            if isinstance(k, ast.Constant) and k.value in SESSION_KEYS:
                yield str(k.value), v


def session_settings(index: TreeIndex) -> list[tuple[str, ast.expr]]:
    """(key, value) of every session setting: assignments, keywords, dict entries."""
    keywords = [
        (k.arg, k.value) for call in index.calls() for k in call.keywords if k.arg in SESSION_KEYS
    ]
    return [*_assigned_settings(index), *keywords, *_dict_settings(index)]


def local_session(key: str, value: ast.expr) -> bool:
    """Whether setting ``key`` to ``value`` keeps sessions in one process."""
    return isinstance(value, ast.Constant) and value.value in LOCAL_SESSIONS[key]


# --------------------------------------------------------------------------- rate limits


def counts_in_memory(call: ast.Call, configured: bool) -> bool:
    """Whether a limiter counts in memory: ``storage_uri="memory://"``, or no storage
    given and none configured elsewhere (``RATELIMIT_STORAGE_URI``, ``**settings``)."""
    storage = next((k.value for k in call.keywords if k.arg == "storage_uri"), None)
    if storage is None:
        return not configured and not any(k.arg is None for k in call.keywords)
    return isinstance(storage, ast.Constant) and str(storage.value).startswith("memory://")


# --------------------------------------------------------------------------- uploads


def reads_files(node: ast.AST) -> bool:
    """Whether ``node`` reads the request's uploaded files (``request.files[...]``)."""
    return any(
        isinstance(n, ast.Attribute)
        and n.attr in ("files", "FILES")
        and dotted(n.value) in ("request", "self.request")
        for n in ast.walk(node)
    )


def _annotated_upload(arg: ast.arg) -> bool:
    """A parameter annotated with an upload type (``file: UploadFile``)."""
    if arg.annotation is None:
        return False
    names = {(dotted(n) or "").rsplit(".", 1)[-1] for n in ast.walk(arg.annotation)}
    return bool(names & UPLOAD_TYPES)


def upload_names(func: FunctionNode, nodes: list[ast.AST]) -> set[str]:
    """Names holding an upload in a handler: annotated parameters, and names assigned
    from ``request.files``."""
    args = func.args
    names = {
        a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs] if _annotated_upload(a)
    }
    for node in nodes:
        if isinstance(node, ast.Assign) and reads_files(node.value):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def opens_for_writing(call: ast.Call) -> bool:
    """``open(path, "wb")`` (or ``mode="a"``...): a mode holding ``w``, ``a`` or ``x``."""
    mode = call.args[1] if len(call.args) > 1 else None
    mode = next((k.value for k in call.keywords if k.arg == "mode"), mode)
    return isinstance(mode, ast.Constant) and any(c in str(mode.value) for c in "wax")


def writes_to_disk(call: ast.Call, uploads: set[str], imports: Imports) -> bool:
    """Whether ``call`` writes to the local disk: ``upload.save(...)``, ``open`` for
    writing, ``write_bytes``, ``FileSystemStorage``, ``shutil`` copies and moves."""
    name = call_name(call) or ""
    if name == "save" and isinstance(call.func, ast.Attribute):
        receiver = call.func.value
        root = (dotted(receiver) or "").split(".", 1)[0]
        return root in uploads or reads_files(receiver)
    if name == "open":
        return opens_for_writing(call)
    return name in DISK_WRITES or (imports.resolve(call.func) or "") in SHUTIL_WRITES


# --------------------------------------------------------------------------- the rules


class StateRules:
    """``BSSCL125``-``BSSCL127`` over one file."""

    def __init__(self, path: str, text: str, index: TreeIndex) -> None:
        self.path = path
        self.text = text
        self.index = index
        self.imports = index.imports
        self.findings: list[Finding] = []

    def _add(self, rule_id: str, node: ast.AST, message: str) -> None:
        self.findings.append(rule_finding(rule_id, self.path, node, message))

    def sessions(self) -> None:
        """``BSSCL125``: sessions on the local disk or in memory."""
        for key, value in session_settings(self.index):
            if local_session(key, value):
                assert isinstance(value, ast.Constant)
                self._add(
                    "BSSCL125",
                    value,
                    f"{key} = {value.value!r} keeps sessions in one instance: behind a load"
                    " balancer users lose their session; use a shared store (Redis, database)",
                )

    def limiters(self) -> None:
        """``BSSCL127``: rate limiters counting in process memory."""
        configured = "RATELIMIT_STORAGE_UR" in self.text
        for call in self.index.calls():
            if self.imports.resolve(call.func) in LIMITERS and counts_in_memory(call, configured):
                self._add(
                    "BSSCL127",
                    call,
                    "rate-limit counters kept in process memory: each worker and instance counts"
                    " separately; give the limiter storage_uri='redis://...'",
                )

    def uploads(self, func: FunctionNode) -> None:
        """``BSSCL126``: request handler ``func`` writes an upload to the local disk."""
        nodes = list(walk_body(func.body))
        uploads = upload_names(func, nodes)
        if not uploads and not any(reads_files(n) for n in nodes):
            return
        for node in nodes:
            if isinstance(node, ast.Call) and writes_to_disk(node, uploads, self.imports):
                self._add(
                    "BSSCL126",
                    node,
                    f"request handler `{func.name}` writes an upload to the local disk: other"
                    " instances cannot read it and it is lost with the container; store it in"
                    " object storage",
                )
