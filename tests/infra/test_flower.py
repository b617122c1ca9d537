"""Flower as k8s/base/flower.yaml runs it (`celery --app=celery_app flower`, basic auth from
FLOWER_BASIC_AUTH) against the real broker, beside a real worker that sends task events as the ConfigMap asks
(CELERY_WORKER_SEND_TASK_EVENTS=true): a browser task the worker finished shows in Flower's API, and
Flower answers nobody without the password."""

from __future__ import annotations

import base64
import json
import os
import secrets
import sys
from pathlib import Path
from typing import Any

import pytest
from celery import Celery

from tests.conftest import require_services
from tests.support.live_app import celery_worker_argv, http_get, log_tail, running, service_env, wait_http
from tests.support.polling import until
from tests.support.servers import free_port

TASK = "wallets.sessions_cleanup"  # a browser-queue task that needs no browser


@pytest.fixture
def test_env(django_db_setup: Any, django_db_blocker: Any) -> dict[str, str]:
    require_services()
    from django.db import connection

    with django_db_blocker.unblock():
        return service_env(connection.settings_dict["NAME"], CELERY_WORKER_SEND_TASK_EVENTS="true")


# The worker writes to the test database (the task's own reads, its heartbeat): created and flushed.
@pytest.mark.django_db(transaction=True)
def test_flower_shows_a_finished_browser_task_and_only_with_its_password(
    tmp_path: Path, test_env: dict[str, str]
) -> None:
    user, password = "ops", secrets.token_urlsafe(16)
    port = free_port()
    queue = f"flower-probe-{secrets.token_hex(4)}"
    flower = [
        str(Path(sys.executable).with_name("celery")),
        "--app=celery_app",
        "flower",
        "--address=127.0.0.1",
        f"--port={port}",
        "--persistent=False",
    ]
    flower_env = {**test_env, "FLOWER_BASIC_AUTH": f"{user}:{password}"}
    flower_log, worker_log = tmp_path / "flower.log", tmp_path / "worker.log"
    auth = {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}
    wrong = {"Authorization": "Basic " + base64.b64encode(f"{user}:not-it".encode()).decode()}
    base = f"http://127.0.0.1:{port}"
    with (
        running(celery_worker_argv(queue), test_env, worker_log) as worker,
        running(flower, flower_env, flower_log) as flower_proc,
    ):
        wait_http(f"{base}/", flower_proc, flower_log)

        def worker_listed() -> bool:
            answer = http_get(f"{base}/api/workers?refresh=1", headers=auth, timeout=20)
            return answer.status == 200 and any(name.startswith(queue) for name in json.loads(answer.body))

        until("the worker in Flower", worker_listed, 60, process=worker, details=lambda: log_tail(worker_log))
        client = Celery(broker=os.environ["REDIS_URL"])
        try:
            task_id = client.send_task(TASK, queue=queue).id
        finally:
            client.close()

        def finished() -> dict[str, Any] | None:
            answer = http_get(f"{base}/api/task/info/{task_id}", headers=auth)
            if answer.status != 200:
                return None
            info: dict[str, Any] = json.loads(answer.body)
            return info if info.get("state") == "SUCCESS" else None

        info = until(
            "the task finished in Flower",
            finished,
            60,
            process=flower_proc,
            details=lambda: log_tail(flower_log) + log_tail(worker_log),
        )
        assert info["name"] == TASK
        assert info["worker"].startswith(queue)
        assert http_get(f"{base}/api/tasks", headers=auth).status == 200
        for headers in ({}, wrong):
            assert http_get(f"{base}/api/tasks", headers=headers).status == 401
            assert http_get(f"{base}/api/task/info/{task_id}", headers=headers).status == 401
