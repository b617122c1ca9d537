"""A real Prometheus (Debian's package) scrapes the real exporters of an API (gunicorn) and a browser worker
(Celery), as the ServiceMonitor does in k8s, with the alert rules of k8s/base/prometheus-rules.yaml loaded.
The operators' guide's series must be there (rate_limit, session, db_connections, browser and memory), every
rule must evaluate without error, and every panel of the Grafana dashboard must be a query Prometheus
accepts."""

from __future__ import annotations

import json
import os
import secrets
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import require_services
from tests.support.live_app import (
    celery_worker_argv,
    debian_tool,
    exporter_env,
    gunicorn_argv,
    http_get,
    log_tail,
    running,
    service_env,
    wait_http,
)
from tests.support.polling import until
from tests.support.servers import free_port, port_open

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
RULES = REPO / "k8s" / "base" / "prometheus-rules.yaml"
DASHBOARD = REPO / "k8s" / "base" / "grafana" / "metamask-service.json"
API_JOB, WORKER_JOB = "metamask-integration-service", "metamask-browser-worker-metrics"


@pytest.fixture
def test_env(django_db_setup: Any, django_db_blocker: Any) -> dict[str, str]:
    require_services()
    from django.db import connection

    with django_db_blocker.unblock():
        test_db = connection.settings_dict["NAME"]
    # Its own cache key prefix: other tests clear the default prefix's keys (rate-limit counters).
    return service_env(test_db, CACHE_KEY_PREFIX=f"mm-prom-{secrets.token_hex(4)}", RATELIMIT_DEFAULT="3/m")


def _query(base: str, expr: str) -> dict[str, Any]:
    answer = http_get(f"{base}/api/v1/query?query={urllib.parse.quote(expr)}", timeout=10)
    body: dict[str, Any] = json.loads(answer.body)
    return body


def _dashboard_exprs() -> list[tuple[str, str]]:
    dashboard = json.loads(DASHBOARD.read_text())
    return [(p["title"], t["expr"]) for p in dashboard["panels"] for t in p["targets"]]


def test_the_dashboard_has_a_panel_for_every_section_of_the_operations_table() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    assert len({p["id"] for p in dashboard["panels"]}) == len(dashboard["panels"])
    covered = {p["description"].split(": ", 1)[1].split(" (")[0] for p in dashboard["panels"]}
    table = (REPO / "docs" / "operations.md").read_text().split("## Symptom table", 1)[1]
    sections = {row.split("|")[1].strip() for row in table.splitlines() if row.startswith("| ")}
    sections -= {"Guide section", "Database migration failures"}  # the header; migrations have no metric
    missing = {s for s in sections if not any(s.lower().startswith(c.lower()) for c in covered)}
    assert missing == set()


# The test database must exist (pytest-django creates it only for marked tests) and be flushed afterwards:
# the servers write heartbeats and security events to it.
@pytest.mark.django_db(transaction=True)
def test_prometheus_scrapes_the_guides_series_and_evaluates_every_rule_and_panel(
    tmp_path: Path, test_env: dict[str, str]
) -> None:
    prometheus = debian_tool("prometheus", "prometheus")
    api_dir, worker_dir = tmp_path / "prom-api", tmp_path / "prom-worker"
    api_dir.mkdir()
    worker_dir.mkdir()
    app_port, api_metrics, worker_metrics, prom_port = free_port(), free_port(), free_port(), free_port()
    queue = f"prom-probe-{secrets.token_hex(4)}"
    api_env = exporter_env(test_env, api_dir, api_metrics)
    worker_env = exporter_env(test_env, worker_dir, worker_metrics)
    gunicorn = gunicorn_argv(app_port)
    worker = celery_worker_argv(queue)
    (tmp_path / "rules.yaml").write_text(
        yaml.safe_dump({"groups": yaml.safe_load(RULES.read_text())["spec"]["groups"]})
    )
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": ["rules.yaml"],
        "scrape_configs": [
            {"job_name": API_JOB, "static_configs": [{"targets": [f"127.0.0.1:{api_metrics}"]}]},
            {"job_name": WORKER_JOB, "static_configs": [{"targets": [f"127.0.0.1:{worker_metrics}"]}]},
        ],
    }
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    prom = [
        prometheus,
        f"--config.file={tmp_path / 'prometheus.yml'}",
        f"--storage.tsdb.path={tmp_path / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{prom_port}",
    ]
    api_log, worker_log, prom_log = tmp_path / "api.log", tmp_path / "worker.log", tmp_path / "prom.log"
    base = f"http://127.0.0.1:{prom_port}"
    app = f"http://127.0.0.1:{app_port}"
    with (
        running(gunicorn, api_env, api_log) as api_proc,
        running(worker, worker_env, worker_log) as worker_proc,
        running(prom, dict(os.environ), prom_log) as prom_proc,
    ):
        wait_http(f"{app}/api/v1/health", api_proc, api_log)
        until("the worker's exporter", lambda: port_open(worker_metrics), 60, process=worker_proc,
              details=lambda: log_tail(worker_log))  # fmt: skip
        wait_http(f"{base}/-/ready", prom_proc, prom_log)

        # The health check sets the fleet gauges (the readiness probe calls it); once the worker's first
        # heartbeat is in, it counts one live worker.
        def health() -> dict[str, Any]:
            body: dict[str, Any] = json.loads(http_get(f"{app}/api/v1/health").body)
            return body

        until("the worker counted live by the health check",
              lambda: health()["checks"]["workers"].get("live"), 60,
              details=lambda: f"{health()}\n{log_tail(worker_log)}\n{log_tail(api_log)}")  # fmt: skip
        # Refused logins past the limit: 429s (and auth_failed / rate_limited security events).
        statuses = []
        for _ in range(6):
            request = urllib.request.Request(  # noqa: S310 (loopback test URL)
                f"{app}/api/v1/auth/token/",
                data=json.dumps({"username": "nobody", "password": "wrong-password"}).encode(),
                headers={"Content-Type": "application/json"},
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
                    statuses.append(answer.status)
            except urllib.error.HTTPError as exc:
                statuses.append(exc.code)
        assert 429 in statuses, statuses

        def targets_up() -> bool:
            body = json.loads(http_get(f"{base}/api/v1/targets").body)
            healths = {t["labels"]["job"]: t["health"] for t in body["data"]["activeTargets"]}
            return healths == {API_JOB: "up", WORKER_JOB: "up"}

        until("both targets up", targets_up, 60, process=prom_proc, details=lambda: log_tail(prom_log))
        expected = {
            "rate limit": f'mm_rate_limit_rejections_total{{job="{API_JOB}"}} > 0',
            "sessions (worker)": f'mm_sessions_open{{job="{WORKER_JOB}"}}',
            "sessions (API)": f'mm_sessions_open{{job="{API_JOB}"}}',
            "db connections": f'mm_db_connections{{job="{API_JOB}"}} > 0',
            "browsers": f'mm_browsers_running{{job="{WORKER_JOB}"}}',
            "worker memory": f'mm_process_tree_resident_memory_bytes{{job="{WORKER_JOB}"}} > 0',
            "API memory": f'mm_process_tree_resident_memory_bytes{{job="{API_JOB}"}} > 0',
            "live workers": f'mm_browser_workers_live{{job="{API_JOB}"}} >= 1',
            "queue depth": f'mm_broker_queue_messages{{job="{API_JOB}", queue="browser"}}',
            "security events": f'mm_security_events_total{{job="{API_JOB}", kind="rate_limited"}} > 0',
        }
        for what, expr in expected.items():
            until(f"{what}: {expr}", lambda e=expr: _query(base, e)["data"]["result"], 30,
                  details=lambda e=expr: json.dumps(_query(base, e)))  # fmt: skip

        def rules_evaluated() -> list[dict[str, Any]] | None:
            groups = json.loads(http_get(f"{base}/api/v1/rules").body)["data"]["groups"]
            rules = [r for g in groups for r in g["rules"]]
            done = all(
                r.get("lastEvaluation", "").startswith("20") and r["health"] != "unknown" for r in rules
            )
            return rules if rules and done else None

        rules = until("every rule evaluated", rules_evaluated, 30)
        assert {r["name"]: r["health"] for r in rules} == {
            r["alert"]: "ok" for g in yaml.safe_load(RULES.read_text())["spec"]["groups"] for r in g["rules"]
        }
        # Healthy figures: nothing fires but the policy alert, which no event here feeds.
        assert {r["name"] for r in rules if r["state"] == "firing"} == set()
        for title, expr in _dashboard_exprs():
            answer = _query(base, expr)
            assert answer["status"] == "success", (title, answer)
