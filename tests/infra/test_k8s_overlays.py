"""The kustomize overlays (k8s/overlays/staging, k8s/overlays/production) rendered by kubectl's own
kustomize, as `kubectl apply -k` renders them, and every object they produce validated offline against the
Kubernetes schemas (strict); plus what the overlays promise: their scale, budgets that still let a node
drain, and memory figures taken from the recorded footprint bench (bench/results/)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.infra.test_k8s_schemas import NOT_CORE, VERSIONS

REPO_ROOT = Path(__file__).resolve().parents[2]
OVERLAYS = REPO_ROOT / "k8s" / "overlays"
FOOTPRINT = REPO_ROOT / "bench" / "results" / "footprint-metamask-13.36.json"
NAMES = ("staging", "production")


@cache
def render(overlay: str) -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        message = "kubectl not found: its built-in kustomize renders the overlays"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    done = subprocess.run(
        [kubectl, "kustomize", str(OVERLAYS / overlay)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def one(overlay: str, kind: str, name: str) -> dict[str, Any]:
    [doc] = [d for d in render(overlay) if d["kind"] == kind and d["metadata"]["name"] == name]
    return doc


def mib(quantity: str) -> int:
    units = {"Mi": 1, "Gi": 1024}
    return int(float(quantity[:-2]) * units[quantity[-2:]])


@pytest.mark.parametrize("overlay", NAMES)
def test_every_rendered_object_is_valid_for_kubernetes(overlay: str) -> None:
    docs = render(overlay)
    assert {d["kind"] for d in docs} >= {"Deployment", "HorizontalPodAutoscaler", "NetworkPolicy"}
    for doc in docs:
        assert doc["metadata"].get("namespace", "trading-system") == "trading-system", doc["metadata"]
        assert doc["metadata"]["labels"]["app.kubernetes.io/environment"] == overlay, doc["metadata"]
        if doc["kind"] not in NOT_CORE:
            for version in VERSIONS:
                kubernetes_validate.validate(doc, version, strict=True)


@pytest.mark.parametrize("overlay", NAMES)
def test_disruption_budgets_leave_room_to_drain_a_node(overlay: str) -> None:
    """A budget that needs every replica up blocks every drain: minAvailable must stay below the fewest
    replicas the deployment can have (its HPA's minimum)."""
    for pdb in (d for d in render(overlay) if d["kind"] == "PodDisruptionBudget"):
        if "minAvailable" not in pdb["spec"]:
            assert pdb["spec"]["maxUnavailable"] >= 1
            continue
        hpa = one(overlay, "HorizontalPodAutoscaler", pdb["metadata"]["name"])
        assert pdb["spec"]["minAvailable"] < hpa["spec"]["minReplicas"], pdb["metadata"]["name"]


def test_staging_is_one_of_each_and_production_keeps_three_api_pods() -> None:
    for name in ("metamask-integration", "metamask-browser-worker"):
        assert one("staging", "Deployment", name)["spec"]["replicas"] == 1
        assert one("staging", "HorizontalPodAutoscaler", name)["spec"]["minReplicas"] == 1
    assert one("production", "HorizontalPodAutoscaler", "metamask-integration")["spec"]["minReplicas"] == 3
    assert one("production", "PodDisruptionBudget", "metamask-integration")["spec"]["minAvailable"] == 2
    assert one("production", "ConfigMap", "metamask-config")["data"]["LOG_LEVEL"] == "INFO"


def _memory(overlay: str, deployment: str) -> dict[str, int]:
    [container] = [
        c
        for c in one(overlay, "Deployment", deployment)["spec"]["template"]["spec"]["containers"]
        if c["name"] in ("metamask-integration", "browser-worker")
    ]
    resources = container["resources"]
    return {"request": mib(resources["requests"]["memory"]), "limit": mib(resources["limits"]["memory"])}


@pytest.mark.parametrize("overlay", NAMES)
def test_memory_is_what_the_footprint_bench_measured(overlay: str) -> None:
    """bench/footprint.py on MetaMask 13.36 suggests each figure by bench/README.md's rule; k8s/base takes
    them as measured and no overlay changes them (rerun the bench and update the base together)."""
    suggested = json.loads(FOOTPRINT.read_text())["suggested"]
    assert _memory(overlay, "metamask-integration") == {
        "request": suggested["api"]["request_mib"],
        "limit": suggested["api"]["limit_mib"],
    }
    worker = _memory(overlay, "metamask-browser-worker")
    assert worker["request"] == suggested["browser_worker"]["request_mib"]
    assert worker["limit"] == suggested["browser_worker"]["limit_mib"]
