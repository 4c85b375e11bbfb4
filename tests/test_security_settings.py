"""Security settings (BSSEC010-BSSEC014): which assignments are a setting switched on.

BSSEC010 is about a framework's debug mode: ``DEBUG = True`` in a settings module,
``app.debug = True``, ``app.config["DEBUG"] = True``, ``FastAPI(debug=True)``. A key named
``debug`` in an ordinary dictionary (Django's own ``context_extras["debug"] = True``, a
template context, a JSON payload) is data, not the application's configuration.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_skills.checkers.analyses.security import SecurityAnalysis
from backend_skills.checkers.python_ast import PythonAstChecker
from backend_skills.core.checker import CheckContext
from backend_skills.core.discovery import discover


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
