"""Every Kubernetes object in k8s/ validated offline against the Kubernetes OpenAPI schemas
(kubernetes-validate, strict: unknown fields fail), on the oldest and newest versions we support; plus what
the schemas cannot say: disruption budgets, autoscalers and network policies point at our own pods, and the
policies keep the browser workers (which render hostile pages) away from private and metadata addresses."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
K8S = REPO_ROOT / "k8s" / "base"
VERSIONS = ("1.30.0", "1.35.0")
# Custom resources (Prometheus Operator) and kustomize's own file are not in the Kubernetes schemas; their
# shape is checked in test_k8s_manifests.py and test_alert_rules.py.
NOT_CORE = {"ServiceMonitor", "PrometheusRule", "Kustomization"}


def _objects() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                found.append((f"{path.name}:{doc['kind']}/{doc.get('metadata', {}).get('name', '')}", doc))
    return found


OBJECTS = _objects()
CORE = [(name, doc) for name, doc in OBJECTS if doc["kind"] not in NOT_CORE]


def _of_kind(kind: str) -> list[dict[str, Any]]:
    return [doc for _name, doc in OBJECTS if doc["kind"] == kind]


def _pod_labels() -> dict[str, dict[str, str]]:
    """Deployment or Job name -> its pod template's labels."""
    return {
        doc["metadata"]["name"]: doc["spec"]["template"]["metadata"]["labels"]
        for _name, doc in OBJECTS
        if doc["kind"] in ("Deployment", "Job")
    }


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expr in selector.get("matchExpressions", []):
        assert expr["operator"] == "In", expr  # the only operator used here
        if labels.get(expr["key"]) not in expr["values"]:
            return False
    return True


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("name", "doc"), CORE, ids=[name for name, _ in CORE])
def test_each_object_is_valid_for_kubernetes(name: str, doc: dict[str, Any], version: str) -> None:
    kubernetes_validate.validate(doc, version, strict=True)


def test_the_schemas_catch_a_wrong_field() -> None:
    deployment = next(yaml.safe_load_all((K8S / "api.yaml").read_text()))
    deployment["spec"]["replica"] = 2  # misspelt
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, VERSIONS[-1], strict=True)


def test_every_kubernetes_object_is_validated_or_named_as_a_custom_resource() -> None:
    kinds = {doc["kind"] for _name, doc in OBJECTS}
    assert {
        "Deployment",
        "Service",
        "NetworkPolicy",
        "PodDisruptionBudget",
        "HorizontalPodAutoscaler",
    } <= kinds
    assert kinds - NOT_CORE == {doc["kind"] for _name, doc in CORE}


def test_budgets_and_autoscalers_target_our_deployments() -> None:
    pods = _pod_labels()
    deployments = {d["metadata"]["name"] for d in _of_kind("Deployment")}
    for pdb in _of_kind("PodDisruptionBudget"):
        selected = [name for name, labels in pods.items() if _selects(pdb["spec"]["selector"], labels)]
        assert len(selected) == 1, pdb["metadata"]["name"]
        assert selected[0] in deployments, pdb["metadata"]["name"]
    targets = {hpa["spec"]["scaleTargetRef"]["name"] for hpa in _of_kind("HorizontalPodAutoscaler")}
    assert targets == {"metamask-integration", "metamask-browser-worker"}
    worker = next(
        h for h in _of_kind("HorizontalPodAutoscaler") if h["metadata"]["name"] == "metamask-browser-worker"
    )
    # Scaling down loses the sessions a worker holds: slowly, one pod at a time, and never on queue depth
    # alone (the sessions held count too).
    assert worker["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"] >= 600
    assert worker["spec"]["behavior"]["scaleDown"]["policies"] == [
        {"type": "Pods", "value": 1, "periodSeconds": 600}
    ]
    metrics = {m["type"]: m for m in worker["spec"]["metrics"]}
    assert metrics["External"]["external"]["metric"]["name"] == "mm_broker_queue_messages"
    assert metrics["Pods"]["pods"]["metric"]["name"] == "mm_sessions_open"


def _policies_for(labels: dict[str, str], policy_type: str) -> list[dict[str, Any]]:
    return [
        p
        for p in _of_kind("NetworkPolicy")
        if policy_type in p["spec"]["policyTypes"] and _selects(p["spec"]["podSelector"], labels)
    ]


def test_every_pod_is_covered_by_an_ingress_and_an_egress_policy() -> None:
    for name, labels in _pod_labels().items():
        assert _policies_for(labels, "Ingress"), name
        assert _policies_for(labels, "Egress"), name


def _egress_blocks(labels: dict[str, str]) -> list[dict[str, Any]]:
    return [
        peer["ipBlock"]
        for policy in _policies_for(labels, "Egress")
        for rule in policy["spec"].get("egress", [])
        for peer in rule.get("to", [])
        if "ipBlock" in peer
    ]


@pytest.mark.parametrize(
    "address", ["169.254.169.254", "10.96.0.1", "172.20.0.5", "192.168.1.1", "127.0.0.1", "100.64.0.1"]
)
def test_browser_workers_cannot_reach_private_or_metadata_addresses(address: str) -> None:
    worker = _pod_labels()["metamask-browser-worker"]
    ip = ipaddress.ip_address(address)
    for block in _egress_blocks(worker):
        allowed = ip in ipaddress.ip_network(block["cidr"]) and not any(
            ip in ipaddress.ip_network(cidr) for cidr in block.get("except", [])
        )
        assert not allowed, (address, block)


def test_only_browser_workers_reach_public_addresses() -> None:
    public = ipaddress.ip_address("8.8.8.8")
    for name, labels in _pod_labels().items():
        reaches = any(
            public in ipaddress.ip_network(b["cidr"])
            and not any(public in ipaddress.ip_network(c) for c in b.get("except", []))
            for b in _egress_blocks(labels)
        )
        assert reaches == (name == "metamask-browser-worker"), name
