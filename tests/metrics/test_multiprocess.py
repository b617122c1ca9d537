"""One exporter per pod (metamask_service/metrics_server.py) with real gunicorn and Celery processes.

Each test starts the real servers on free loopback ports against the pytest-django test database and the
REDIS_URL database, scrapes the exporter over HTTP and reads the multiprocess directory to see which process
recorded what.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psutil
import pytest
from celery import Celery
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import require_services
from tests.support.live_app import celery_worker_argv, exporter_env, gunicorn_argv, running, service_env
from tests.support.polling import until
from tests.support.servers import free_port, port_open

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
START_TIMEOUT = 60.0
# The servers use the test database: pytest-django creates it only when a collected test is marked, and
# flushes what the servers wrote only for transactional tests. (Unmarked, this module passed only after
# some other marked test had created the database.)
pytestmark = pytest.mark.django_db(transaction=True)
REQUESTS = "django_http_requests_total_by_method_total"
FAILURES = "mm_metamask_action_failures_total"


@pytest.fixture(scope="module")
def test_env(django_db_setup: Any, django_db_blocker: Any) -> dict[str, str]:
    """Environment for the servers: test settings and database, no inherited metrics variables."""
    require_services()
    from django.db import connection

    with django_db_blocker.unblock():
        return service_env(connection.settings_dict["NAME"])


def _wait(what: str, check: Callable[[], bool], proc: subprocess.Popen[bytes], log: Path) -> None:
    until(what, check, START_TIMEOUT, process=proc, details=lambda: log.read_text()[-3000:])


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback test URL)
        return str(response.read().decode())


def _get_status(url: str) -> int:
    """Status of a GET that may answer with an error (health is 503 without live browser workers)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (loopback test URL)
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _value(body: str, sample: str, **labels: str) -> float | None:
    for family in text_string_to_metric_families(body):
        for s in family.samples:
            if s.name == sample and all(s.labels.get(k) == v for k, v in labels.items()):
                return float(s.value)
    return None


def _by_pid(directory: Path, sample: str, **labels: str) -> dict[int, float]:
    """What each process recorded, read from its own file (counter_<pid>.db, histogram_<pid>.db)."""
    found: dict[int, float] = {}
    for path in directory.glob("*.db"):
        for family in MultiProcessCollector.merge([str(path)], accumulate=False):
            for s in family.samples:
                if s.name == sample and all(s.labels.get(k) == v for k, v in labels.items()) and s.value:
                    pid = int(path.stem.rsplit("_", 1)[1])
                    found[pid] = found.get(pid, 0.0) + s.value
    return found


def _leave_stale_counter(env: dict[str, str], name: str, doc: str, **labels: str) -> None:
    """A counter file of another (gone) process with 1000 in it, as an earlier run of the pod would leave."""
    code = (
        "import sys; from prometheus_client import Counter; "
        "Counter(sys.argv[1], sys.argv[2], sys.argv[3::2]).labels(*sys.argv[4::2]).inc(1000)"
    )
    pairs = [item for pair in labels.items() for item in pair]
    subprocess.run([sys.executable, "-c", code, name, doc, *pairs], env=env, check=True)
    assert list(Path(env["PROMETHEUS_MULTIPROC_DIR"]).glob("counter_*.db"))


def _answers(url: str) -> Callable[[], bool]:
    def check() -> bool:
        try:
            _get(url)
        except (urllib.error.URLError, OSError):
            return False
        return True

    return check


def test_gunicorn_workers_are_summed_on_the_masters_exporter(
    tmp_path: Path, test_env: dict[str, str]
) -> None:
    multiproc = tmp_path / "prom"
    multiproc.mkdir()
    app_port, metrics_port = free_port(), free_port()
    env = exporter_env(test_env, multiproc, metrics_port)
    # What an earlier run of the pod left behind: must not be counted (the master clears the directory).
    _leave_stale_counter(
        env, "django_http_requests_total_by_method", "Count of requests by method.", method="GET"
    )

    log = tmp_path / "gunicorn.log"
    with running(gunicorn_argv(app_port, 2), env, log) as master:
        _wait("exporter", lambda: port_open(metrics_port), master, log)
        _wait("API", _answers(f"http://127.0.0.1:{app_port}/api/schema/?warmup"), master, log)
        _wait("second worker", lambda: len(psutil.Process(master.pid).children()) == 2, master, log)
        before = _value(_get(f"http://127.0.0.1:{metrics_port}/metrics"), REQUESTS, method="GET")
        assert before == 1.0  # the warm-up request; the stale 1000 are gone

        # Concurrent clients, so that both sync workers take requests.
        with ThreadPoolExecutor(max_workers=8) as pool:
            bodies = list(pool.map(lambda _: _get(f"http://127.0.0.1:{app_port}/api/schema/"), range(40)))
        assert len(bodies) == 40

        body = _get(f"http://127.0.0.1:{metrics_port}/metrics")
        assert _value(body, REQUESTS, method="GET") == 41.0
        workers = {p.pid for p in psutil.Process(master.pid).children()}
        per_pid = _by_pid(multiproc, REQUESTS, method="GET")
        assert set(per_pid) == workers, (per_pid, workers)  # both workers served, nothing from elsewhere
        assert sum(per_pid.values()) == 41.0
        processes = _value(body, "mm_process_tree_processes")
        assert processes is not None
        assert processes >= 3  # master + 2 workers
        assert _value(body, "process_resident_memory_bytes") is None  # per-process metrics are not mixed in

        # Our gauges appear once a process has set them (mode livemostrecent): the health view does.
        _get_status(f"http://127.0.0.1:{app_port}/api/v1/health")
        body = _get(f"http://127.0.0.1:{metrics_port}/metrics")
        connections = _value(body, "mm_db_connections")
        assert connections is not None
        assert connections >= 1
        assert _value(body, "mm_sessions_open") is not None
        assert _value(body, "mm_browsers_running") is not None

        # The app's own /metrics aggregates the same files (this request is counted before its view runs).
        via_app = _get(f"http://127.0.0.1:{app_port}/metrics")
        assert _value(via_app, REQUESTS, method="GET") == 43.0

        # A worker killed outright: its requests stay counted, its live gauges go, gunicorn replaces it.
        victim = min(workers)
        assert (multiproc / f"gauge_livemostrecent_{victim}.db").exists()
        psutil.Process(victim).kill()
        _wait(
            "replacement worker",
            lambda: {p.pid for p in psutil.Process(master.pid).children()} - {victim} != workers - {victim},
            master,
            log,
        )
        assert not (multiproc / f"gauge_livemostrecent_{victim}.db").exists()
        assert _value(_get(f"http://127.0.0.1:{metrics_port}/metrics"), REQUESTS, method="GET") == 43.0


def test_without_multiproc_dir_nothing_listens_and_the_app_serves_its_process(
    tmp_path: Path, test_env: dict[str, str]
) -> None:
    app_port, metrics_port = free_port(), free_port()
    env = {**test_env, "PROMETHEUS_METRICS_PORT": str(metrics_port)}
    log = tmp_path / "gunicorn.log"
    with running(gunicorn_argv(app_port), env, log) as master:
        _wait("API", _answers(f"http://127.0.0.1:{app_port}/api/schema/"), master, log)
        _get(f"http://127.0.0.1:{app_port}/api/schema/")
        body = _get(f"http://127.0.0.1:{app_port}/metrics")
        assert _value(body, REQUESTS, method="GET") == 3.0
        assert _value(body, "process_resident_memory_bytes")  # the single process's own registry
        assert not port_open(metrics_port)


def test_celery_pool_child_metrics_reach_the_worker_exporter(
    tmp_path: Path, test_env: dict[str, str]
) -> None:
    multiproc = tmp_path / "prom"
    multiproc.mkdir()
    metrics_port = free_port()
    queue = f"metrics-probe-{secrets.token_hex(4)}"
    env = exporter_env(test_env, multiproc, metrics_port)
    argv = celery_worker_argv(queue, "--include=tests.metrics.probe_tasks")
    _leave_stale_counter(env, FAILURES, "stale", action="metrics_probe", kind="probe")
    log = tmp_path / "worker.log"
    with running(argv, env, log) as main:
        _wait("worker exporter", lambda: port_open(metrics_port), main, log)
        client = Celery(broker=os.environ["REDIS_URL"])
        try:
            for _ in range(2):
                client.send_task("tests.metrics.bump_failures", args=[3], queue=queue)
        finally:
            client.close()

        def seen() -> bool:
            body = _get(f"http://127.0.0.1:{metrics_port}/metrics")
            return _value(body, FAILURES, action="metrics_probe", kind="probe") == 6.0

        _wait("task metrics on the exporter", seen, main, log)
        body = _get(f"http://127.0.0.1:{metrics_port}/metrics")
        count = _value(body, "mm_task_duration_seconds_count", action="metrics_probe", outcome="ok")
        assert count == 2.0
        # Set by the main process (heartbeat in wallets/worker.py): it has no sessions.
        assert _value(body, "mm_sessions_open") == 0.0
        # Set by the pool child (a live process), so the worker's loaded MetaMask build is exported.
        assert _value(body, "mm_metamask_extension_info", version="0.0.0-probe") == 1.0
        # Recorded by the pool child, served by the main process.
        children = {p.pid for p in psutil.Process(main.pid).children()}
        writers = set(_by_pid(multiproc, FAILURES, action="metrics_probe", kind="probe"))
        assert writers
        assert writers <= children
        assert main.pid not in writers
        # The liveness probe's command in the same pod must not clear the running worker's files.
        ping = subprocess.run(
            [
                str(BIN / "celery"),
                "-A",
                "celery_app",
                "inspect",
                "ping",
                "--timeout=10",
                "-d",
                f"{queue}@{os.uname().nodename}",
            ],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert ping.returncode == 0, ping.stdout + ping.stderr
        body = _get(f"http://127.0.0.1:{metrics_port}/metrics")
        assert _value(body, FAILURES, action="metrics_probe", kind="probe") == 6.0
        listeners = {c.laddr.port for c in psutil.Process(main.pid).net_connections() if c.status == "LISTEN"}
        assert metrics_port in listeners


# Loads Django like any process in a pod (gunicorn worker, `manage.py shell`, Celery), then binds the
# exporter port itself: that only succeeds if loading Django opened no listener of its own.
LOAD_DJANGO_THEN_BIND = """
import socket, sys, django
django.setup()
with socket.socket() as sock:
    sock.bind(("127.0.0.1", int(sys.argv[1])))
print("port free after django.setup()")
"""


@pytest.mark.parametrize("settings_module", ["base", "test", "production"])
def test_loading_django_opens_no_metrics_listener(
    tmp_path: Path, test_env: dict[str, str], settings_module: str
) -> None:
    from cryptography.fernet import Fernet

    port = free_port()
    env = {
        **test_env,
        "DJANGO_SETTINGS_MODULE": f"metamask_service.settings.{settings_module}",
        "VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(32),
        "JWT_SIGNING_KEY": secrets.token_urlsafe(32),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "PROMETHEUS_METRICS_PORT": str(port),
        # The variables of the former django-prometheus listener must not revive it either.
        "PROMETHEUS_METRICS_EXPORT_PORT": str(port),
        "PROMETHEUS_METRICS_EXPORT_ADDRESS": "127.0.0.1",
    }
    result = subprocess.run(
        [sys.executable, "-c", LOAD_DJANGO_THEN_BIND, str(port)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "port free after django.setup()" in result.stdout


@pytest.mark.parametrize(
    ("settings_module", "configured", "expected"),
    [
        ("metamask_service.settings.production", None, "0.0.0.0"),  # noqa: S104 (the pod IP is scraped)
        ("metamask_service.settings.base", None, "127.0.0.1"),
        ("metamask_service.settings.production", "10.1.2.3", "10.1.2.3"),
    ],
)
def test_exporter_address_defaults_to_all_interfaces_only_in_production(
    monkeypatch: pytest.MonkeyPatch, settings_module: str, configured: str | None, expected: str
) -> None:
    from metamask_service import metrics_server

    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", settings_module)
    if configured is None:
        monkeypatch.delenv("PROMETHEUS_METRICS_ADDRESS", raising=False)
    else:
        monkeypatch.setenv("PROMETHEUS_METRICS_ADDRESS", configured)
    assert metrics_server.address() == expected
