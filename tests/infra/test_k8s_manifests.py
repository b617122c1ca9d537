"""k8s/ manifests hang together: they parse, names match the operators' guide, references resolve, and
every environment variable we set is one the code actually reads. (No kubectl here: these are the
checks a dry-run would not even do.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
K8S = REPO_ROOT / "k8s"
NAMESPACE = "trading-system"
# Read by Django, Celery, Flower or the OS rather than by our code.
EXTERNAL_ENV = {"DJANGO_SETTINGS_MODULE", "HOSTNAME", "HOME", "FLOWER_BASIC_AUTH"}
CODE_PATHS = [REPO_ROOT / "metamask_service", REPO_ROOT / "wallets", REPO_ROOT / "automation"]


def load_all() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                doc["__file__"] = path.name
                docs.append(doc)
    return docs


DOCS = load_all()


def find(kind: str, name: str) -> dict[str, Any]:
    matches = [d for d in DOCS if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind}/{name}, found {len(matches)}"
    return matches[0]


def workloads() -> Iterator[dict[str, Any]]:
    for doc in DOCS:
        if doc["kind"] in {"Deployment", "Job"}:
            yield doc


def containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    spec = doc["spec"]["template"]["spec"]
    return list(spec.get("initContainers", [])) + list(spec["containers"])


def code_text() -> str:
    files = [p for root in CODE_PATHS for p in root.rglob("*.py")]
    files.append(REPO_ROOT / "celery_app.py")
    return "\n".join(p.read_text() for p in files if p.exists())


def test_every_manifest_parses_and_lives_in_the_namespace() -> None:
    assert len(DOCS) >= 10
    for doc in DOCS:
        assert doc.get("apiVersion"), doc["__file__"]
        if doc["kind"] in {"Namespace", "Kustomization"}:
            continue
        assert doc["metadata"]["namespace"] == NAMESPACE, doc["__file__"]


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("Namespace", NAMESPACE),
        ("Deployment", "metamask-integration"),
        ("Service", "metamask-integration-service"),
        ("Deployment", "metamask-browser-worker"),
        ("Deployment", "metamask-beat"),
        ("Deployment", "metamask-flower"),
        ("ServiceMonitor", "metamask-integration-monitor"),
        ("Job", "metamask-migrate"),
        ("Secret", "metamask-secrets"),
        ("Secret", "database-secrets"),
        ("ConfigMap", "metamask-config"),
    ],
)
def test_names_from_the_operators_guide(kind: str, name: str) -> None:
    find(kind, name)


def test_deployments_select_their_own_pods() -> None:
    for doc in DOCS:
        if doc["kind"] == "Deployment":
            selector = doc["spec"]["selector"]["matchLabels"]
            labels = doc["spec"]["template"]["metadata"]["labels"]
            assert selector.items() <= labels.items(), doc["metadata"]["name"]


def test_api_service_and_monitor_line_up() -> None:
    api = find("Deployment", "metamask-integration")
    service = find("Service", "metamask-integration-service")
    monitor = find("ServiceMonitor", "metamask-integration-monitor")
    pod_labels = api["spec"]["template"]["metadata"]["labels"]
    assert pod_labels["app"] == "metamask-integration"
    assert service["spec"]["selector"].items() <= pod_labels.items()
    # Only API pods behind the API Service: no other workload may carry its selector labels.
    for doc in DOCS:
        if doc["kind"] == "Deployment" and doc is not api:
            assert (
                not service["spec"]["selector"].items()
                <= doc["spec"]["template"]["metadata"]["labels"].items()
            )
    ports = {p["name"]: p for p in service["spec"]["ports"]}
    assert (ports["http"]["port"], ports["metrics"]["port"]) == (80, 8080)
    container_ports = {
        p["name"]: p["containerPort"] for p in api["spec"]["template"]["spec"]["containers"][0]["ports"]
    }
    assert container_ports == {"http": 8000, "metrics": 8080}
    assert {ports["http"]["targetPort"], ports["metrics"]["targetPort"]} <= container_ports.keys()
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    assert [e["port"] for e in monitor["spec"]["endpoints"]] == ["metrics"]


def test_every_monitor_reaches_a_named_container_port() -> None:
    monitors = [d for d in DOCS if d["kind"] == "ServiceMonitor"]
    assert len(monitors) >= 2
    for monitor in monitors:
        wanted = monitor["spec"]["selector"]["matchLabels"].items()
        services = [d for d in DOCS if d["kind"] == "Service" and wanted <= d["metadata"]["labels"].items()]
        assert services, monitor["metadata"]["name"]
        for service in services:
            service_ports = {p["name"]: p for p in service["spec"]["ports"]}
            pods = [
                d
                for d in DOCS
                if d["kind"] == "Deployment"
                and service["spec"]["selector"].items() <= d["spec"]["template"]["metadata"]["labels"].items()
            ]
            assert pods, service["metadata"]["name"]
            for endpoint in monitor["spec"]["endpoints"]:
                target = service_ports[endpoint["port"]]["targetPort"]
                for pod in pods:
                    names = {p["name"] for c in containers(pod) for p in c.get("ports", [])}
                    assert target in names, (monitor["metadata"]["name"], pod["metadata"]["name"])


def test_metrics_dirs_are_mounted_where_set() -> None:
    for doc in workloads():
        for container in containers(doc):
            env = {v["name"]: v.get("value") for v in container.get("env", [])}
            if "PROMETHEUS_MULTIPROC_DIR" in env:
                mounts = [m["mountPath"] for m in container["volumeMounts"]]
                assert env["PROMETHEUS_MULTIPROC_DIR"] in mounts, doc["metadata"]["name"]


def test_api_probes() -> None:
    container = find("Deployment", "metamask-integration")["spec"]["template"]["spec"]["containers"][0]
    readiness = container["readinessProbe"]["httpGet"]
    assert readiness["path"] == "/api/v1/health"
    assert readiness["port"] == "http"
    host = {h["name"]: h["value"] for h in readiness["httpHeaders"]}["Host"]
    config = find("ConfigMap", "metamask-config")["data"]
    assert host in config["DJANGO_ALLOWED_HOSTS"].split(",")
    # The health endpoint fails on dependency outages; liveness must not restart pods for those.
    assert container["livenessProbe"]["tcpSocket"]["port"] == "http"
    # The health endpoint looks for the extension's manifest in the API process as well.
    mounts = [m["mountPath"] for m in container["volumeMounts"]]
    assert config["METAMASK_EXTENSION_PATH"] in mounts


def test_browser_worker_shape() -> None:
    worker = find("Deployment", "metamask-browser-worker")
    pod = worker["spec"]["template"]["spec"]
    container = pod["containers"][0]
    args = container["args"]
    assert args[args.index("-Q") + 1] == "browser"
    assert "--hostname=browser@%h" in args
    # The per-worker queue is not in -Q because the worker adds "browser.<node name>" itself.
    assert "select_add" in (REPO_ROOT / "wallets" / "worker.py").read_text()
    probe = " ".join(container["livenessProbe"]["exec"]["command"])
    assert "-d browser@$HOSTNAME" in probe
    assert "--pool=prefork" in args
    assert "--concurrency=1" in args
    assert container["resources"]["limits"]["memory"] == "4Gi"
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes[mounts["/dev/shm"]]["emptyDir"]["medium"] == "Memory"
    assert "persistentVolumeClaim" in volumes[mounts["/opt/metamask"]]
    config = find("ConfigMap", "metamask-config")["data"]
    assert config["METAMASK_EXTENSION_PATH"] == "/opt/metamask"
    assert pod["terminationGracePeriodSeconds"] > int(config["CELERY_TASK_TIME_LIMIT"])


def test_beat_is_a_singleton() -> None:
    beat = find("Deployment", "metamask-beat")
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"]["type"] == "Recreate"


def test_references_resolve() -> None:
    secrets = {d["metadata"]["name"]: d for d in DOCS if d["kind"] == "Secret"}
    configmaps = {d["metadata"]["name"] for d in DOCS if d["kind"] == "ConfigMap"}
    pvcs = {d["metadata"]["name"] for d in DOCS if d["kind"] == "PersistentVolumeClaim"}
    for doc in workloads():
        for container in containers(doc):
            for source in container.get("envFrom", []):
                assert source["configMapRef"]["name"] in configmaps
            for var in container.get("env", []):
                ref = var.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["key"] in secrets[ref["name"]]["stringData"], var["name"]
        for volume in doc["spec"]["template"]["spec"].get("volumes", []):
            if "secret" in volume:
                keys = secrets[volume["secret"]["secretName"]]["stringData"]
                assert {item["key"] for item in volume["secret"]["items"]} <= keys.keys()
            if "persistentVolumeClaim" in volume:
                assert volume["persistentVolumeClaim"]["claimName"] in pvcs


def test_file_secrets_point_into_mounted_secret_volumes() -> None:
    for doc in workloads():
        for container in containers(doc):
            mounts = [m["mountPath"] for m in container.get("volumeMounts", [])]
            for var in container.get("env", []):
                if var["name"].endswith("_FILE"):
                    assert any(var["value"].startswith(m + "/") for m in mounts), var["name"]


def test_args_only_expand_declared_variables() -> None:
    # Kubernetes expands $(VAR) in command/args only for variables declared in the container's env.
    for doc in workloads():
        for container in containers(doc):
            declared = {v["name"] for v in container.get("env", [])}
            for arg in container.get("command", []) + container.get("args", []):
                for name in re.findall(r"\$\(([A-Z_][A-Z0-9_]*)\)", arg):
                    assert name in declared, f"{doc['metadata']['name']}: $({name}) would stay literal"


def test_every_env_var_we_set_is_read_by_the_code() -> None:
    text = code_text()
    names = set(find("ConfigMap", "metamask-config")["data"])
    for doc in workloads():
        for container in containers(doc):
            names |= {v["name"] for v in container.get("env", [])}
    unread = sorted(name for name in names - EXTERNAL_ENV if f'"{name.removesuffix("_FILE")}"' not in text)
    assert unread == [], f"set in k8s/ but read nowhere in the code: {unread}"


def test_secret_example_holds_only_placeholders() -> None:
    for name in ("metamask-secrets", "database-secrets"):
        for key, value in find("Secret", name)["stringData"].items():
            assert "REPLACE_ME" in value, f"{name}/{key} looks like a real value"
