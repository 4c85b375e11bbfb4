"""The judged scenario for the server_side and scalability skills.

A poor app (a 20-branch function, untyped code, no tests, an ``async def`` calling
``requests.get`` and ``time.sleep``) against a typed, documented, tested FastAPI service
with caching, Celery tasks, a health route and settings from the environment.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backend_skills import Report, score

from .conftest import TreeFactory

SKILLS = ["server_side", "scalability"]

_BRANCHES = "\n".join(f"    if code == {i}:\n        label = 'kind-{i}'" for i in range(1, 21))

POOR_APP: dict[str, str] = {
    "app.py": f"""
import time

import requests
from flask import Flask, request

app = Flask(__name__)
visits = {{}}


@app.route("/report")
def report():
    visits[request.remote_addr] = visits.get(request.remote_addr, 0) + 1
    return classify(int(request.args["code"]))


def classify(code):
    label = "unknown"
{_BRANCHES}
    return label


async def fetch(url):
    time.sleep(1)
    response = requests.get(url)
    return response.text


def save(data):
    try:
        open("out.txt", "w").write(data)
    except:
        pass
""",
    "requirements.txt": "flask\nrequests\n",
}

GOOD_SERVICE: dict[str, str] = {
    "app/__init__.py": '"""The orders service."""\n',
    "app/settings.py": '''
        """Settings read from the environment."""

        from __future__ import annotations

        import os
        from dataclasses import dataclass
        from functools import lru_cache


        @dataclass(frozen=True)
        class Settings:
            """Runtime configuration."""

            database_url: str
            broker_url: str


        @lru_cache(maxsize=1)
        def get_settings() -> Settings:
            """Read the settings once from the environment."""
            return Settings(
                database_url=os.environ["DATABASE_URL"],
                broker_url=os.environ.get("BROKER_URL", "redis://localhost:6379/0"),
            )
    ''',
    "app/cache.py": '''
        """A shared Redis cache."""

        from __future__ import annotations

        import redis.asyncio as redis

        from app.settings import get_settings


        def get_cache() -> redis.Redis:
            """The Redis client used for cached responses."""
            return redis.from_url(get_settings().broker_url)
    ''',
    "app/tasks.py": '''
        """Background work, off the request path."""

        from __future__ import annotations

        from celery import Celery

        from app.settings import get_settings

        celery_app = Celery("orders", broker=get_settings().broker_url)


        @celery_app.task
        def send_receipt(order_id: int) -> int:
            """E-mail the receipt of an order."""
            return order_id
    ''',
    "app/db.py": '''
        """The database engine, pooled."""

        from __future__ import annotations

        from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

        from app.settings import get_settings


        def make_engine() -> AsyncEngine:
            """One pooled engine for the process."""
            return create_async_engine(get_settings().database_url, pool_size=10)
    ''',
    "app/main.py": '''
        """The HTTP API."""

        from __future__ import annotations

        import asyncio

        from fastapi import FastAPI, Query

        from app.tasks import send_receipt

        app = FastAPI()


        @app.get("/health")
        async def health() -> dict[str, str]:
            """Liveness probe."""
            return {"status": "ok"}


        @app.get("/orders")
        async def list_orders(limit: int = Query(20, le=100), offset: int = 0) -> list[int]:
            """A page of order ids."""
            await asyncio.sleep(0)
            return list(range(offset, offset + limit))


        @app.post("/orders")
        async def create_order(order_id: int) -> dict[str, int]:
            """Queue the receipt of a new order."""
            send_receipt.delay(order_id)
            return {"id": order_id}
    ''',
    "tests/test_settings.py": '''
        """Settings tests."""

        import pytest

        from app.settings import get_settings


        def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
            get_settings.cache_clear()
            monkeypatch.setenv("DATABASE_URL", "postgresql://db/orders")
            assert get_settings().database_url == "postgresql://db/orders"


        def test_settings_are_cached(monkeypatch: pytest.MonkeyPatch) -> None:
            monkeypatch.setenv("DATABASE_URL", "x")
            assert get_settings() is get_settings()
    ''',
    "tests/test_api.py": '''
        """API tests."""

        import asyncio

        from app.main import create_order, health, list_orders
        from app.tasks import send_receipt


        def test_health() -> None:
            assert asyncio.run(health()) == {"status": "ok"}


        def test_list_is_paginated() -> None:
            assert asyncio.run(list_orders(limit=2, offset=3)) == [3, 4]


        def test_create_queues_receipt(monkeypatch) -> None:
            sent = []
            monkeypatch.setattr(send_receipt, "delay", sent.append)
            assert asyncio.run(create_order(7)) == {"id": 7}
            assert sent == [7]


        def test_receipt_task() -> None:
            assert send_receipt(3) == 3
    ''',
    "Dockerfile": 'FROM python:3.12-slim\nCOPY . /srv\nCMD ["uvicorn", "app.main:app"]\n',
    "requirements.txt": "fastapi==0.115.5\ncelery==5.4.0\nredis==5.2.0\nsqlalchemy==2.0.36\n",
}


def _score(root: Path) -> Report:
    return score(root, skills=SKILLS, isolated=True)


def _line(root: Path, path: str, text: str) -> int:
    lines = (root / path).read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


@pytest.fixture
def poor(make_tree: TreeFactory) -> tuple[Path, Report]:
    root = make_tree(POOR_APP)
    return root, _score(root)


@pytest.fixture
def good(make_tree: TreeFactory) -> tuple[Path, Report]:
    root = make_tree(GOOD_SERVICE)
    return root, _score(root)


def test_complex_function_and_blocking_calls_are_reported_at_their_lines(
    poor: tuple[Path, Report],
) -> None:
    root, report = poor
    found = {(f.rule, f.path, f.line) for f in report.findings}
    assert ("BSRAD001", "app.py", _line(root, "app.py", "def classify")) in found
    assert ("BSSCL001", "app.py", _line(root, "app.py", "time.sleep(1)")) in found
    assert ("BSSCL001", "app.py", _line(root, "app.py", "requests.get(url)")) in found
    complexity = next(f for f in report.findings if f.rule == "BSRAD001")
    assert "`classify`" in complexity.message
    assert "complexity 21" in complexity.message


@pytest.mark.parametrize("skill", SKILLS)
def test_poor_app_scores_far_below_the_good_service(
    poor: tuple[Path, Report], good: tuple[Path, Report], skill: str
) -> None:
    poor_score = poor[1].skill(skill).score
    good_score = good[1].skill(skill).score
    assert poor_score is not None
    assert good_score is not None
    assert poor_score + 20 <= good_score, f"{skill}: poor {poor_score} vs good {good_score}"


def test_good_service_is_complete_and_clean(good: tuple[Path, Report]) -> None:
    _, report = good
    assert report.complete
    assert not [f for f in report.findings if f.counted]
    for criterion in (
        "server_side.type_annotations",
        "server_side.docstrings",
        "scalability.caching",
        "scalability.background_jobs",
        "scalability.deployability",
        "scalability.configuration",
    ):
        result = report.criterion(criterion)
        assert result.score is not None, criterion
        assert result.score >= 75, (criterion, result.score)


def test_poor_app_loses_points_where_it_should(poor: tuple[Path, Report]) -> None:
    _, report = poor
    for criterion in (
        "server_side.type_annotations",
        "server_side.tests",
        "server_side.error_handling",
        "scalability.async_blocking",
        "scalability.shared_state",
    ):
        result = report.criterion(criterion)
        assert result.score is not None, criterion
        assert result.score < 50, (criterion, result.score)


def test_a_sleep_in_one_async_route_lowers_scalability(make_tree: TreeFactory) -> None:
    clean = make_tree(GOOD_SERVICE)
    main = GOOD_SERVICE["app/main.py"]
    slowed = main.replace(
        "            await asyncio.sleep(0)\n",
        "            await asyncio.sleep(0)\n            time.sleep(1)\n",
    ).replace("        import asyncio\n", "        import asyncio\n        import time\n")
    assert slowed != main
    sleepy = make_tree({**GOOD_SERVICE, "app/main.py": slowed})
    before = _score(clean)
    after = _score(sleepy)
    before_score = before.skill("scalability").score
    after_score = after.skill("scalability").score
    assert before_score is not None
    assert after_score is not None
    assert after_score < before_score
    [finding] = [f for f in after.findings if f.rule == "BSSCL001"]
    assert finding.path == "app/main.py"
    assert finding.line == _line(sleepy, "app/main.py", "time.sleep(1)")
    assert "list_orders" in finding.message
