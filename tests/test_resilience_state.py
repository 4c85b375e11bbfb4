"""State kept in one process (``checkers/analyses/_resilience_state.py``): session
settings, in-memory rate limiters, and uploads written to the local disk."""

from __future__ import annotations

import ast
import textwrap

import pytest

from backend_skills.checkers.analyses._resilience_state import (
    StateRules,
    counts_in_memory,
    local_session,
    opens_for_writing,
    reads_files,
    session_settings,
    upload_names,
    writes_to_disk,
)
from backend_skills.checkers.analyses._server_common import TreeIndex, walk_body


def _call(code: str) -> ast.Call:
    node = ast.parse(code, mode="eval").body
    assert isinstance(node, ast.Call)
    return node


def _index(code: str) -> TreeIndex:
    return TreeIndex(ast.parse(textwrap.dedent(code).lstrip("\n")))


def test_session_settings_in_every_form() -> None:
    index = _index(
        """
        SESSION_TYPE = "filesystem"
        app.config["SESSION_TYPE"] = "redis"
        Session(app, SESSION_ENGINE="django.contrib.sessions.backends.file")
        CONFIG = {"SESSION_TYPE": "memory", "DEBUG": True}
        OTHER = "filesystem"
        """
    )
    settings = [(key, ast.unparse(value)) for key, value in session_settings(index)]
    assert settings == [
        ("SESSION_TYPE", "'filesystem'"),
        ("SESSION_TYPE", "'redis'"),
        ("SESSION_ENGINE", "'django.contrib.sessions.backends.file'"),
        ("SESSION_TYPE", "'memory'"),
    ]


@pytest.mark.parametrize(
    ("key", "value", "local"),
    [
        ("SESSION_TYPE", "'filesystem'", True),
        ("SESSION_TYPE", "'simple'", True),
        ("SESSION_TYPE", "'redis'", False),
        ("SESSION_TYPE", "os.environ['SESSION_TYPE']", False),  # not known: not judged
        ("SESSION_ENGINE", "'django.contrib.sessions.backends.file'", True),
        ("SESSION_ENGINE", "'django.contrib.sessions.backends.cache'", False),
    ],
)
def test_local_session(key: str, value: str, local: bool) -> None:
    assert local_session(key, ast.parse(value, mode="eval").body) is local


@pytest.mark.parametrize(
    ("code", "configured", "in_memory"),
    [
        ("Limiter(get_remote_address)", False, True),
        ("Limiter(get_remote_address)", True, False),  # RATELIMIT_STORAGE_URI in the file
        ("Limiter(key, storage_uri='memory://')", True, True),
        ("Limiter(key, storage_uri='redis://cache:6379')", False, False),
        ("Limiter(key, storage_uri=os.environ['URL'])", False, False),
        ("Limiter(key, **settings)", False, False),
    ],
)
def test_counts_in_memory(code: str, configured: bool, in_memory: bool) -> None:
    assert counts_in_memory(_call(code), configured) is in_memory


@pytest.mark.parametrize(
    ("code", "writes"),
    [
        ("open(path, 'wb')", True),
        ("open(path, mode='a')", True),
        ("open(path, 'x')", True),
        ("open(path)", False),
        ("open(path, 'rb')", False),
        ("open(path, mode)", False),  # not known: not judged
    ],
)
def test_opens_for_writing(code: str, writes: bool) -> None:
    assert opens_for_writing(_call(code)) is writes


@pytest.mark.parametrize(
    ("code", "writes"),
    [
        ("upload.save('uploads/a.png')", True),
        ("request.files['avatar'].save('a.png')", True),
        ("document.save()", False),  # a model, not an upload
        ("open(f'uploads/{name}', 'wb')", True),
        ("target.write_bytes(data)", True),
        ("FileSystemStorage(location='media')", True),
        ("shutil.copyfileobj(upload.file, out)", True),
        ("s3.upload_fileobj(upload, 'bucket', 'key')", False),
    ],
)
def test_writes_to_disk(code: str, writes: bool) -> None:
    index = _index("import shutil\n")
    assert writes_to_disk(_call(code), {"upload"}, index.imports) is writes


def test_reads_files() -> None:
    assert reads_files(ast.parse("request.files['a']", mode="eval"))
    assert reads_files(ast.parse("self.request.FILES.get('a')", mode="eval"))
    assert not reads_files(ast.parse("request.form['a']", mode="eval"))


def test_upload_names_from_annotations_and_request_files() -> None:
    tree = ast.parse(
        textwrap.dedent(
            """
            async def upload(file: UploadFile, other: "fastapi.UploadFile", note: str, *, extra: FileStorage):
                avatar = request.files["avatar"]
                name = request.form["name"]
            """
        )
    )
    func = tree.body[0]
    assert isinstance(func, ast.AsyncFunctionDef)
    assert upload_names(func, list(walk_body(func.body))) == {"file", "extra", "avatar"}


def test_state_rules_fire_at_their_lines() -> None:
    code = textwrap.dedent(
        """
        from flask import request
        from flask_limiter import Limiter

        SESSION_TYPE = "filesystem"
        limiter = Limiter(key_func=get_remote_address)


        def avatar():
            request.files["avatar"].save("uploads/avatar.png")
            return "ok"
        """
    ).lstrip("\n")
    tree = ast.parse(code)
    rules = StateRules("app.py", code, TreeIndex(tree))
    rules.sessions()
    rules.limiters()
    func = tree.body[-1]
    assert isinstance(func, ast.FunctionDef)
    rules.uploads(func)
    assert [(f.rule, f.line, f.criterion) for f in rules.findings] == [
        ("BSSCL125", 4, "scalability.shared_state"),
        ("BSSCL127", 5, "scalability.shared_state"),
        ("BSSCL126", 9, "scalability.shared_state"),
    ]
    assert "request handler `avatar`" in rules.findings[2].message
