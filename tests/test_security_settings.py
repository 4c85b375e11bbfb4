"""Security settings (BSSEC010-BSSEC014): which assignments are a setting switched on.

BSSEC010 is about a framework's debug mode: ``DEBUG = True`` in a settings module,
``app.debug = True``, ``app.config["DEBUG"] = True``, ``FastAPI(debug=True)``. A key named
``debug`` in an ordinary dictionary (Django's own ``context_extras["debug"] = True``, a
template context, a JSON payload) is data, not the application's configuration.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from backend_skills.checkers.analyses._security_base import FileContext
from backend_skills.checkers.analyses._security_settings import (
    config_object,
    config_pairs,
    csrf_exemption,
    middleware_without_csrf,
)
from backend_skills.checkers.analyses.security import SecurityAnalysis
from backend_skills.checkers.python_ast import PythonAstChecker
from backend_skills.core.checker import CheckContext
from backend_skills.core.discovery import SourceFile, discover
from backend_skills.core.models import Role


def _debug_lines(root: Path, path: str, code: str) -> list[int]:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(code, encoding="utf-8")
    fileset = discover(root)
    result = PythonAstChecker([SecurityAnalysis()]).check(
        CheckContext(root=fileset.root, fileset=fileset)
    )
    return sorted(f.line or 0 for f in result.findings if f.rule == "BSSEC010")


DJANGO_CONTEXT_PROCESSOR = """\
from django.conf import settings


def debug(request):
    context_extras = {}
    if settings.DEBUG and request.META.get("REMOTE_ADDR") in settings.INTERNAL_IPS:
        context_extras["debug"] = True
    return context_extras
"""


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("django/template/context_processors.py", DJANGO_CONTEXT_PROCESSOR),
        ("app/views.py", 'def render(ctx):\n    ctx["debug"] = True\n    return ctx\n'),
        ("app/views.py", 'payload = {}\npayload["DEBUG"] = True\n'),
        ("app/settings.py", 'LOGGING = {}\nLOGGING["debug"] = True\n'),
        ("app/views.py", 'def f(self):\n    self.options["debug"] = True\n'),
    ],
    ids=["django-context-processor", "template-context", "payload", "logging-dict", "options"],
)
def test_a_dictionary_key_named_debug_is_not_debug_mode(
    tmp_path: Path, path: str, code: str
) -> None:
    assert _debug_lines(tmp_path, path, code) == []


@pytest.mark.parametrize(
    ("code", "line"),
    [
        ('from flask import Flask\napp = Flask(__name__)\napp.config["DEBUG"] = True\n', 3),
        ("from flask import current_app\ncurrent_app.config['DEBUG'] = True\n", 2),
        ('CONFIG = {}\nCONFIG["DEBUG"] = True\n', 2),
        ("from flask import Flask\napp = Flask(__name__)\napp.debug = True\n", 3),
        ("from flask import Flask\napp = Flask(__name__)\napp.config.update(DEBUG=True)\n", 3),
        ("from fastapi import FastAPI\n\napi = FastAPI(debug=True)\n", 3),
    ],
    ids=["app-config", "current-app-config", "config-dict", "app-debug", "update", "fastapi"],
)
def test_debug_mode_switched_on_is_still_reported(tmp_path: Path, code: str, line: int) -> None:
    assert _debug_lines(tmp_path, "app/main.py", code) == [line]


def test_django_settings_debug_is_reported(tmp_path: Path) -> None:
    assert _debug_lines(tmp_path, "proj/settings.py", "DEBUG = True\n") == [1]


# --------------------------------------------------------------------------- the readers


def _expr(code: str) -> ast.expr:
    node = ast.parse(code).body[-1]
    assert isinstance(node, ast.Expr)
    return node.value


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("app.config", True),
        ("current_app.config", True),
        ("CONFIG", True),
        ("settings", True),
        ("django_settings", True),
        ("conf", True),
        ("get_app().config", True),
        ("context_extras", False),
        ("payload", False),
        ("self.options", False),
        ("configs[0]", False),
    ],
)
def test_config_object(code: str, expected: bool) -> None:
    assert config_object(_expr(code)) is expected


def test_config_pairs_reads_keywords_and_a_mapping() -> None:
    call = _expr('app.config.update({"DEBUG": True, 1: 2}, TESTING=False)')
    assert isinstance(call, ast.Call)
    pairs = [(key, ast.unparse(value), kw) for key, value, kw in config_pairs(call)]
    assert pairs == [("TESTING", "False", True), ("DEBUG", "True", False), (None, "2", False)]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ('["django.middleware.security.SecurityMiddleware"]', True),
        (
            '["django.middleware.security.SecurityMiddleware",'
            ' "django.middleware.csrf.CsrfViewMiddleware"]',
            False,
        ),
        ('["myapp.Middleware"]', False),  # not Django's list
        ("BASE_MIDDLEWARE + []", False),  # not a literal: unknown
    ],
)
def test_middleware_without_csrf(code: str, expected: bool) -> None:
    assert middleware_without_csrf(_expr(code)) is expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("from django.views.decorators.csrf import csrf_exempt\n@csrf_exempt\ndef f(): pass", True),
        ("@csrf.exempt\ndef f(): pass", True),
        ("@app.route('/')\ndef f(): pass", False),
        ("@limiter.exempt\ndef f(): pass", False),
    ],
)
def test_csrf_exemption(code: str, expected: bool) -> None:
    tree = ast.parse(code)
    file = SourceFile("app/v.py", "app/v.py", "python", Role.SOURCE, 0, 0, "", text=code)
    ctx = FileContext(file)
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            ctx.learn_import(node)
    function = tree.body[-1]
    assert isinstance(function, ast.FunctionDef)
    assert (csrf_exemption(ctx, function.decorator_list[0]) is not None) is expected
