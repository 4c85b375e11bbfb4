"""``scalability.resilience`` (BSSCL120-BSSCL124) and the per-process state rules that
extend ``scalability.shared_state`` (BSSCL125-BSSCL127)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from backend_skills import Report, score
from backend_skills.core.models import CriterionResult
from backend_skills.rules import PYTHON_SIDE_LANGUAGES, RULES, Example, Rule

from .conftest import TreeFactory

OUR_RULES = [r for r in RULES.values() if re.fullmatch(r"BSSCL12\d", r.id)]
FIXTURES = Path(__file__).parent / "fixtures"


def _report(make_tree: TreeFactory, files: dict[str, str]) -> Report:
    root = make_tree({p: textwrap.dedent(t).lstrip("\n") for p, t in files.items()})
    return score(root, skills=["scalability"], isolated=True)


def _criterion(report: Report, criterion_id: str) -> CriterionResult:
    return next(c for s in report.skills for c in s.criteria if c.id == criterion_id)


def test_every_rule_has_an_anti_pattern_and_a_best_practice() -> None:
    assert [r.id for r in OUR_RULES] == [f"BSSCL{i}" for i in range(120, 128)]
    for rule in OUR_RULES:
        assert _python_side(rule.firing), rule.id
        assert _python_side(rule.quiet), rule.id
        assert rule.rationale, rule.id
        assert rule.fix, rule.id
        assert rule.title, rule.id


def _python_side(examples: tuple[Example, ...]) -> list[Example]:
    """The examples the Python analyses run (other languages': test_languages_rules.py)."""
    return [e for e in examples if e.language in PYTHON_SIDE_LANGUAGES]


def _examples() -> list[tuple[Rule, Example]]:
    return [(r, e) for r in OUR_RULES for e in _python_side(r.examples)]


@pytest.mark.parametrize(
    ("rule", "example"),
    _examples(),
    ids=[f"{r.id}-{'bad' if e.lines else 'good'}" for r, e in _examples()],
)
def test_rule_examples(make_tree: TreeFactory, rule: Rule, example: Example) -> None:
    report = _report(make_tree, {example.path: example.code})
    found = sorted(f.line or 0 for f in report.findings if f.rule == rule.id)
    assert found == sorted(example.lines)
    assert all(f.criterion == rule.criterion for f in report.findings if f.rule == rule.id)


# --------------------------------------------------------------------------- done when

FRAGILE = {
    "app/main.py": """
    import aiohttp
    from fastapi import FastAPI

    app = FastAPI()


    @app.get("/orders/{order_id}")
    async def order(order_id: int):
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://billing/invoices/{order_id}") as response:
                return await response.json()
    """,
    "app/settings.py": """
    SESSION_TYPE = "filesystem"
    """,
    "deploy/deployment.yaml": """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: orders
    spec:
      replicas: 3
      template:
        spec:
          containers:
            - name: orders
              image: orders:1.0
              resources:
                requests: {cpu: 100m, memory: 128Mi}
                limits: {memory: 256Mi}
    """,
}

ROBUST = {
    "app/main.py": """
    from contextlib import asynccontextmanager

    import aiohttp
    from fastapi import FastAPI
    from tenacity import retry, stop_after_attempt, wait_exponential_jitter

    TIMEOUT = aiohttp.ClientTimeout(total=5)


    @asynccontextmanager
    async def lifespan(app):
        app.state.http = aiohttp.ClientSession(timeout=TIMEOUT)
        yield
        await app.state.http.close()


    app = FastAPI(lifespan=lifespan)


    @retry(wait=wait_exponential_jitter(), stop=stop_after_attempt(3))
    async def invoice(order_id: int):
        async with app.state.http.get(f"http://billing/invoices/{order_id}") as response:
            return await response.json()


    @app.get("/orders/{order_id}")
    async def order(order_id: int):
        return await invoice(order_id)


    @app.get("/healthz")
    async def health():
        return {"ok": True}
    """,
    "app/settings.py": """
    import os

    SESSION_TYPE = "redis"
    SESSION_REDIS_URL = os.environ["REDIS_URL"]
    """,
    "deploy/deployment.yaml": """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: orders
    spec:
      replicas: 3
      template:
        spec:
          containers:
            - name: orders
              image: orders:1.0
              readinessProbe:
                httpGet: {path: /healthz, port: 8000}
              livenessProbe:
                httpGet: {path: /healthz, port: 8000}
              resources:
                requests: {cpu: 100m, memory: 128Mi}
                limits: {memory: 256Mi}
    """,
}


def test_fragile_service_loses_resilience_points_at_those_lines(make_tree: TreeFactory) -> None:
    report = _report(make_tree, FRAGILE)
    located = {(f.rule, f.path, f.line) for f in report.findings}
    assert ("BSSCL120", "app/main.py", 9) in located  # aiohttp session without a timeout
    assert ("BSSCL121", "app/main.py", 9) in located  # and no retry anywhere
    assert ("BSSCL125", "app/settings.py", 1) in located  # sessions on the local disk
    assert ("BSSCL122", "deploy/deployment.yaml", 10) in located  # container without probes
    resilience = _criterion(report, "scalability.resilience")
    assert resilience.score is not None
    assert resilience.score < 60
    assert resilience.points_lost > 0
    shared = _criterion(report, "scalability.shared_state")
    assert shared.score is not None
    assert shared.score < 100


def test_the_same_service_done_right_keeps_its_points(make_tree: TreeFactory) -> None:
    report = _report(make_tree, ROBUST)
    ours = [f for f in report.findings if f.rule.startswith("BSSCL12")]
    assert ours == []
    resilience = _criterion(report, "scalability.resilience")
    assert resilience.score == 100
    assert resilience.level == "expert"
    assert (resilience.metrics["resilience.retry_evidence"] or 0) >= 1
    assert (resilience.metrics["resilience.shutdown_evidence"] or 0) >= 1
    assert _criterion(report, "scalability.shared_state").score == 100


def test_a_library_without_network_calls_is_not_applicable(make_tree: TreeFactory) -> None:
    report = _report(make_tree, {"lib/maths.py": "def add(a, b):\n    return a + b\n"})
    resilience = _criterion(report, "scalability.resilience")
    assert not resilience.applicable
    assert "not a networked service" in (resilience.reason or "")


def test_good_service_fixture_stays_expert_on_resilience() -> None:
    report = score(FIXTURES / "good_service", skills=["scalability"], isolated=True)
    assert _criterion(report, "scalability.resilience").score == 100
    assert not [f for f in report.findings if f.rule.startswith("BSSCL12")]


# --------------------------------------------------------------------------- manifests


def test_helm_templates_are_read_line_by_line_never_rendered(make_tree: TreeFactory) -> None:
    template = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: {{ include "chart.fullname" . }}
    spec:
      {{- if not .Values.autoscaling.enabled }}
      replicas: {{ .Values.replicaCount }}
      {{- end }}
      template:
        spec:
          containers:
            - name: {{ .Chart.Name }}
              image: "{{ .Values.image.repository }}"
              livenessProbe:
                {{- toYaml .Values.livenessProbe | nindent 12 }}
    """
    report = _report(make_tree, {"chart/templates/deployment.yaml": template})
    located = sorted((f.rule, f.line) for f in report.findings if f.rule.startswith("BSSCL12"))
    assert located == [("BSSCL122", 11), ("BSSCL123", 11)]
    assert "readinessProbe" in next(f.message for f in report.findings if f.rule == "BSSCL122")


def test_compose_healthcheck_in_the_base_file_covers_the_override(make_tree: TreeFactory) -> None:
    report = _report(
        make_tree,
        {
            "compose.yml": """
            services:
              api:
                build: .
                healthcheck:
                  test: ["CMD", "curl", "-f", "http://localhost:8000/health"]
              worker:
                build: .
              db:
                image: postgres:16
            """,
            "compose.override.yml": "services:\n  api:\n    build: .\n  tests:\n    build: .\n",
        },
    )
    located = [(f.path, f.line) for f in report.findings if f.rule == "BSSCL122"]
    assert located == [("compose.yml", 6)]


def test_hostile_yaml_is_skipped_not_expanded(make_tree: TreeFactory) -> None:
    bomb = "kind: Deployment\na: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(20)
    )
    report = _report(
        make_tree,
        {
            "k8s/bomb.yaml": bomb,
            "k8s/broken.yaml": "apiVersion: v1\nkind: Deployment\nspec: [unclosed\n",
            "k8s/big.yaml": "apiVersion: v1\nkind: Deployment\n" + "#" * 1_100_000 + "\n",
        },
    )
    assert report.complete
    assert any(s.path == "k8s/broken.yaml" and "YAML" in s.reason for s in report.skipped)
    assert not [f for f in report.findings if f.path.startswith("k8s/")]


def test_single_replica_with_an_autoscaler_elsewhere_is_fine(make_tree: TreeFactory) -> None:
    deployment = RULES["BSSCL124"].firing[0].code
    hpa = (
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: api\n"
        "spec:\n  scaleTargetRef: {kind: Deployment, name: api}\n  maxReplicas: 5\n"
    )
    report = _report(make_tree, {"k8s/api.yaml": deployment, "k8s/hpa.yaml": hpa})
    assert not [f for f in report.findings if f.rule == "BSSCL124"]


# --------------------------------------------------------------------------- per-process state


def test_rate_limiter_configured_from_settings_is_not_in_memory(make_tree: TreeFactory) -> None:
    report = _report(
        make_tree,
        {
            "app.py": """
            from flask import Flask
            from flask_limiter import Limiter
            from flask_limiter.util import get_remote_address

            app = Flask(__name__)
            app.config["RATELIMIT_STORAGE_URI"] = "redis://cache:6379"
            limiter = Limiter(get_remote_address, app=app)


            @app.get("/")
            def index():
                return "ok"
            """
        },
    )
    assert not [f for f in report.findings if f.rule == "BSSCL127"]


def test_mongoengine_save_in_an_upload_handler_is_not_a_disk_write(make_tree: TreeFactory) -> None:
    report = _report(
        make_tree,
        {
            "app.py": """
            import boto3
            from flask import Flask, request

            app = Flask(__name__)
            s3 = boto3.client("s3")


            @app.post("/avatar")
            def avatar(user):
                upload = request.files["avatar"]
                s3.upload_fileobj(upload, "avatars", "a.png")
                user.save()
                return "ok"
            """
        },
    )
    assert not [f for f in report.findings if f.rule == "BSSCL126"]


def test_other_languages_calls_and_retry_libraries_count(make_tree: TreeFactory) -> None:
    service = """
    const express = require('express');
    const axios = require('axios');

    const app = express();
    app.get('/orders/:id', async (req, res) => {
      const invoice = await axios.get(`http://billing/invoices/${req.params.id}`);
      res.json(invoice.data);
    });
    """
    report = _report(make_tree, {"src/app.js": service})
    assert [(f.path, f.line) for f in report.findings if f.rule == "BSSCL121"] == [
        ("src/app.js", 6)
    ]
    retried = service.replace(
        "const axios = require('axios');",
        "const axios = require('axios');\nconst axiosRetry = require('axios-retry');",
    )
    report = _report(make_tree, {"src/app.js": retried})
    assert not [f for f in report.findings if f.rule == "BSSCL121"]
    metrics = _criterion(report, "scalability.resilience").metrics
    assert metrics["resilience.retry_evidence"] == 1


def test_requests_without_a_timeout_also_cost_resilience(make_tree: TreeFactory) -> None:
    root = make_tree(
        {
            "app/billing.py": (
                "import requests\n\n\ndef invoice(order_id):\n"
                '    return requests.get(f"http://billing/{order_id}").json()\n'
            ),
            "app/main.py": (
                "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
                '@app.get("/health")\ndef health():\n    return {"ok": True}\n'
            ),
        }
    )
    report = score(root, isolated=True)
    timeout = [f for f in report.findings if f.rule == "B113"]
    assert [(f.path, f.line) for f in timeout] == [("app/billing.py", 5)]
    assert timeout[0].criterion == "security.configuration"
    assert "scalability.resilience" in timeout[0].also
    resilience = _criterion(report, "scalability.resilience")
    assert resilience.finding_count == 2  # B113 and BSSCL121 (no retry), both at line 5


def test_browser_fetch_calls_are_not_service_calls(make_tree: TreeFactory) -> None:
    report = _report(
        make_tree,
        {
            "frontend/src/api.ts": "export const load = () => fetch('/api/items');\n",
            "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        },
    )
    assert _criterion(report, "scalability.resilience").metrics["resilience.outgoing_calls"] == 0


def test_a_java_service_with_handlers_is_a_networked_service(make_tree: TreeFactory) -> None:
    """Spring controllers, no outgoing call, no manifest: still a service whose resilience
    is assessed (not "not a networked service")."""
    controller = """package shop;

@RestController
public class ItemController {
    @GetMapping("/items")
    public List<Item> all() { return List.of(); }
}
"""
    report = _report(make_tree, {"src/main/java/shop/ItemController.java": controller})
    resilience = _criterion(report, "scalability.resilience")
    assert "not a networked service" not in (resilience.reason or "")
