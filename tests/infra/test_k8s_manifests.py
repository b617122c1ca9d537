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
K8S = REPO_ROOT / "k8s" / "base"
NAMESPACE = "trading-system"
# The label the operators' guide selects every pod and the ServiceMonitor's Services by.
APP = "metamask-integration"
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


def services() -> list[dict[str, Any]]:
    return [d for d in DOCS if d["kind"] == "Service"]


def pod_labels(doc: dict[str, Any]) -> dict[str, str]:
    labels: dict[str, str] = doc["spec"]["template"]["metadata"]["labels"]
    return labels


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return selector.items() <= labels.items()


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
        ("Service", "metamask-browser-worker-metrics"),
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


def test_guide_rotates_the_jwt_secret_key() -> None:
    # The guide recreates it with --from-literal=jwt-secret=...; the API reads that key as a file.
    assert "jwt-secret" in find("Secret", "metamask-secrets")["stringData"]
    api = find("Deployment", "metamask-integration")["spec"]["template"]["spec"]
    items = [i["key"] for v in api["volumes"] if "secret" in v for i in v["secret"]["items"]]
    assert "jwt-secret" in items


def test_every_pod_is_found_by_the_guides_label_and_has_its_own_component() -> None:
    # `kubectl get pods` / `kubectl top pods -l app=metamask-integration` must list the browser workers
    # (Chromium, browser_controller logs), beat and flower too, not only the API.
    components: dict[str, str] = {}
    for doc in workloads():
        labels = pod_labels(doc)
        assert labels.get("app") == APP, doc["metadata"]["name"]
        assert labels.get("component"), doc["metadata"]["name"]
        components[doc["metadata"]["name"]] = labels["component"]
    assert components == {
        "metamask-integration": "api",
        "metamask-browser-worker": "browser-worker",
        "metamask-beat": "beat",
        "metamask-flower": "flower",
        "metamask-migrate": "migrate",
        "metamask-events-publisher": "events-publisher",
    }
    for doc in workloads():
        assert {"app": APP, "component": components[doc["metadata"]["name"]]}.items() <= doc["metadata"][
            "labels"
        ].items(), f"{doc['metadata']['name']}: `kubectl get deploy -l app=...` should list it"


def test_deployments_select_their_own_pods_and_no_others() -> None:
    for doc in DOCS:
        if doc["kind"] != "Deployment":
            continue
        name = doc["metadata"]["name"]
        selector = doc["spec"]["selector"]["matchLabels"]
        assert selector == {"app": APP, "component": pod_labels(doc)["component"]}, name
        for other in workloads():
            assert selects(selector, pod_labels(other)) == (other is doc), (name, other["metadata"]["name"])


def test_every_service_selects_the_pods_of_exactly_one_deployment() -> None:
    for service in services():
        name = service["metadata"]["name"]
        selector = service["spec"]["selector"]
        matched = [d["metadata"]["name"] for d in workloads() if selects(selector, pod_labels(d))]
        assert len(matched) == 1, (name, matched)
        assert find("Deployment", matched[0])


def test_api_service_ports() -> None:
    api = find("Deployment", "metamask-integration")
    service = find("Service", "metamask-integration-service")
    assert [
        d["metadata"]["name"] for d in workloads() if selects(service["spec"]["selector"], pod_labels(d))
    ] == ["metamask-integration"]
    ports = {p["name"]: p for p in service["spec"]["ports"]}
    assert (ports["http"]["port"], ports["metrics"]["port"]) == (80, 8080)
    container_ports = {
        p["name"]: p["containerPort"] for p in api["spec"]["template"]["spec"]["containers"][0]["ports"]
    }
    assert container_ports == {"http": 8000, "metrics": 8080}
    assert {ports["http"]["targetPort"], ports["metrics"]["targetPort"]} <= container_ports.keys()


def test_one_service_monitor_scrapes_the_api_and_the_browser_workers() -> None:
    monitors = [d for d in DOCS if d["kind"] == "ServiceMonitor"]
    assert [m["metadata"]["name"] for m in monitors] == ["metamask-integration-monitor"]
    spec = monitors[0]["spec"]
    # As written in the operators' guide.
    assert spec["selector"] == {"matchLabels": {"app": APP}}
    assert spec["endpoints"] == [{"port": "metrics", "interval": "30s", "path": "/metrics"}]
    selected = {
        s["metadata"]["name"]
        for s in services()
        if selects(spec["selector"]["matchLabels"], s["metadata"].get("labels", {}))
    }
    assert selected == {"metamask-integration-service", "metamask-browser-worker-metrics"}


def test_every_monitored_service_reaches_a_named_metrics_port() -> None:
    monitor = find("ServiceMonitor", "metamask-integration-monitor")
    wanted = monitor["spec"]["selector"]["matchLabels"]
    scraped = set()
    for service in services():
        if not selects(wanted, service["metadata"].get("labels", {})):
            continue
        service_ports = {p["name"]: p for p in service["spec"]["ports"]}
        pods = [d for d in workloads() if selects(service["spec"]["selector"], pod_labels(d))]
        assert pods, service["metadata"]["name"]
        for endpoint in monitor["spec"]["endpoints"]:
            target = service_ports[endpoint["port"]]["targetPort"]
            for pod in pods:
                ports = {p["name"]: p["containerPort"] for c in containers(pod) for p in c.get("ports", [])}
                assert target in ports, (service["metadata"]["name"], pod["metadata"]["name"])
                assert ports[target] == 8080, pod["metadata"]["name"]
                scraped.add(pod_labels(pod)["component"])
    # podTargetLabels copies this pod label onto every scraped series, so API and worker samples stay apart.
    assert "component" in monitor["spec"]["podTargetLabels"]
    assert scraped == {"api", "browser-worker"}


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


def test_api_pod_collects_static_files_before_gunicorn_serves_them() -> None:
    # The API pod's root filesystem is read-only and STATIC_ROOT is pod-local, so the pod fills it itself
    # (a Job's volumes are not the pod's); WhiteNoise in gunicorn then serves it (production settings).
    pod = find("Deployment", "metamask-integration")["spec"]["template"]["spec"]
    [init] = pod["initContainers"]
    [api] = pod["containers"]
    assert init["command"] == ["python", "manage.py", "collectstatic", "--noinput"]
    assert init["image"] == api["image"]
    assert init["envFrom"] == api["envFrom"]
    config = find("ConfigMap", "metamask-config")["data"]
    assert config["DJANGO_SETTINGS_MODULE"] == "metamask_service.settings.production"
    # production.py refuses to import without its secrets, collectstatic included.
    assert {v["name"] for v in init["env"]} >= {
        "DJANGO_SECRET_KEY_FILE",
        "JWT_SIGNING_KEY_FILE",
        "FIELD_ENCRYPTION_KEYS_FILE",
    }
    static_root = config["STATIC_ROOT"]
    written = {m["mountPath"]: m for m in init["volumeMounts"]}[static_root]
    served = {m["mountPath"]: m for m in api["volumeMounts"]}[static_root]
    assert written["name"] == served["name"]
    assert not written.get("readOnly")
    assert served.get("readOnly") is True
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert "emptyDir" in volumes[served["name"]]
    assert init["securityContext"] == api["securityContext"]


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
    assert container["resources"]["limits"]["memory"] == "5504Mi"
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
