"""The pure rules of the scalability analysis (:mod:`._scalability_rules`): the helpers
the per-file scan is built from, each on the construct a user writes."""

from __future__ import annotations

import ast

import pytest

from backend_skills.checkers.analyses import _scalability_rules as R


def _stmt(code: str) -> ast.stmt:
    return ast.parse(code).body[0]


def _call(code: str) -> ast.Call:
    node = ast.parse(code, mode="eval").body
    assert isinstance(node, ast.Call)
    return node


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("CACHES = {'default': {'BACKEND': 'django_redis.cache.RedisCache'}}", True),
        ("CACHES = {'default': {'BACKEND': 'django.core.cache.backends.dummy.DummyCache'}}", False),
        ("CACHES = get_caches()", False),
        ("OTHER = {'default': {'BACKEND': 'x'}}", False),
    ],
)
def test_django_cache_setting(code: str, expected: bool) -> None:
    assert R.django_cache_setting(_stmt(code)) is expected


def test_task_decorator_lines() -> None:
    func = _stmt("@app.task\n@shared_task(bind=True)\n@login_required\ndef send(): ...\n")
    assert isinstance(func, ast.FunctionDef)
    assert R.task_decorator_lines(func) == [1, 2]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("path('healthz/', views.health)", "healthz/"),
        ("re_path(r'^ready$', views.ready)", "^ready$"),
        ("path('users/', views.users)", None),
        ("include('health/')", None),
        ("path(prefix, views.health)", None),
    ],
)
def test_health_url_pattern(code: str, expected: str | None) -> None:
    assert R.health_url_pattern(_call(code)) == expected


def test_hardcoded_keywords() -> None:
    call = _call("connect(host='db.internal', port=5432, user='app', db_host='', debug=True)")
    found = [(ast.literal_eval(node), what) for node, what in R.hardcoded_keywords(call)]
    assert found == [("db.internal", "`host=` is hard-coded"), (5432, "`port=` is hard-coded")]


def test_django_list_views() -> None:
    tree = ast.parse(
        "class Orders(ListView):\n    paginate_by = 20\n\n"
        "class Users(generics.ListAPIView):\n    pagination_class = None\n\n"
        "class Detail(DetailView):\n    pass\n"
    )
    assert R.django_list_views(tree) == [
        ["Orders", 1, "ListView", True, "django"],
        ["Users", 4, "ListAPIView", False, "drf"],
    ]
