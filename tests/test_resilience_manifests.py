"""The manifest units of the resilience analysis (``checkers/analyses/_manifests.py``):
containers without probes or resources, single replicas, and Helm templates read line
by line."""

from __future__ import annotations

import pytest
import yaml

from backend_skills.checkers.analyses._manifests import (
    container_findings,
    helm_findings,
    helm_workload,
    single_replica,
)


def _node(text: str) -> yaml.Node:
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    assert node is not None
    return node


@pytest.mark.parametrize(
    ("container", "expected"),
    [
        (
            "name: api\nimage: api:1\n",
            [
                (
                    "BSSCL122",
                    "container `api` of Deployment `web` has no readinessProbe and no livenessProbe",
                ),
                (
                    "BSSCL123",
                    "container `api` of Deployment `web` sets no resource requests or limits",
                ),
            ],
        ),
        (
            "image: api:1\nreadinessProbe: {}\nresources: {requests: {cpu: 1}}\n",
            [
                ("BSSCL122", "container `container` of Deployment `web` has no livenessProbe"),
                ("BSSCL123", "container `container` of Deployment `web` sets no resource limits"),
            ],
        ),
        (
            "name: api\nreadinessProbe: {}\nlivenessProbe: {}\n"
            "resources: {requests: {cpu: 1}, limits: {memory: 1Gi}}\n",
            [],
        ),
    ],
)
def test_container_findings(container: str, expected: list[tuple[str, str]]) -> None:
    found = container_findings("k8s/web.yaml", _node(container), "Deployment `web`")
    assert [(f.rule, f.message.split(":")[0]) for f in found] == expected
    assert all((f.path, f.line) == ("k8s/web.yaml", 1) for f in found)


@pytest.mark.parametrize(
    ("replicas", "single"),
    [
        (None, True),  # the default is one
        ("replicas: 1", True),
        ("replicas: 0", True),
        ("replicas: 2", False),
        ("replicas: '{{ .Values.replicas }}'", False),  # not a number: not judged
    ],
)
def test_single_replica(replicas: str | None, single: bool) -> None:
    node = None if replicas is None else _node(replicas)
    value = None
    if node is not None:
        assert isinstance(node, yaml.MappingNode)
        value = node.value[0][1]
    assert single_replica(value) is single


@pytest.mark.parametrize(
    ("lines", "kind"),
    [
        (["apiVersion: apps/v1", "kind: Deployment"], "Deployment"),
        (["kind: {{ .Values.kind }}"], None),
        (["apiVersion: v1", "kind: Service"], None),
        (["kind: 'StatefulSet'"], "StatefulSet"),
        (["metadata:", "  name: x"], None),
    ],
)
def test_helm_workload(lines: list[str], kind: str | None) -> None:
    assert helm_workload(lines) == kind


def test_helm_findings_point_at_the_containers_line() -> None:
    lines = [
        "kind: Deployment",
        "spec:",
        "  template:",
        "    spec:",
        "      containers:",
        "        - name: {{ .Chart.Name }}",
        "          readinessProbe:",
        "            httpGet: {path: /ready, port: http}",
    ]
    found = helm_findings("chart/templates/deployment.yaml", 3, lines, "Deployment")
    assert [(f.rule, f.line, f.message) for f in found] == [
        ("BSSCL122", 7, "Deployment template has no livenessProbe"),
        ("BSSCL123", 7, "Deployment template sets no resources"),
    ]
    complete = [*lines, "          livenessProbe: {}", "          resources: {}"]
    assert helm_findings("chart/templates/deployment.yaml", 3, complete, "Deployment") == []
    assert [f.line for f in helm_findings("t.yaml", 5, ["kind: Pod"], "Pod")] == [5, 5]
