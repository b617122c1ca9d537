"""`manage.py doctor` against the real PostgreSQL, Redis (cache and broker) of the test settings."""

from __future__ import annotations

import io
import json
import sys
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_ratelimit.core import is_ratelimited

from metamask_service.devstack import free_port
from tests.factories import BrowserWorkerFactory, WalletSessionFactory
from wallets.audit import security_event_record
from wallets.dispatch import worker_queue
from wallets.doctor import Options, run_checks
from wallets.models import SecurityEvent, WalletSession

pytestmark = pytest.mark.django_db


@pytest.fixture
def builds(tmp_path: Any) -> Iterator[None]:
    (tmp_path / "manifest.json").write_text('{"manifest_version": 3, "version": "13.36.0.0"}')
    with override_settings(CHROMIUM_BINARY=sys.executable, METAMASK_EXTENSION_PATH=str(tmp_path)):
        yield


@pytest.fixture
def stopped_worker() -> Iterator[str]:
    """A worker that stopped heart-beating 10 minutes ago, with 2 messages left on its own queue."""
    from celery_app import app

    hostname = f"browser@stopped-{uuid.uuid4().hex[:8]}"
    BrowserWorkerFactory.create(hostname=hostname, last_seen=timezone.now() - timedelta(minutes=10))
    queue = worker_queue(hostname)
    conn: Any  # kombu's Connection; its stubs leave out SimpleQueue
    with app.connection_for_write() as conn:
        simple = conn.SimpleQueue(queue)
        simple.put({"left": 1})
        simple.put({"left": 2})
        try:
            yield hostname
        finally:
            simple.clear()
            simple.close()


def _doctor(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("doctor", *args, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_a_healthy_service_passes_and_reports_real_figures(builds: None) -> None:
    BrowserWorkerFactory.create(hostname="browser@live", browsers_running=2, rss_bytes=3 * 2**30)
    WalletSessionFactory.create_batch(2, worker="browser@live", metamask_version="13.36.0.0")
    code, out = _doctor("--json")
    report = json.loads(out)
    checks = report["checks"]
    assert code == 0, out
    assert {name: c["status"] for name, c in checks.items()} == {
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
        "workers": "ok",
        "browsers": "ok",
        "extension": "ok",
        "rate_limits": "ok",
        "security_events": "ok",
        "clock": "ok",
    }
    database = checks["database"]["details"]
    assert database["max_connections"] > 0
    assert database["by_state"]["active"] >= 1  # this very query
    assert checks["broker"]["details"]["queues"][worker_queue("browser@live")] == 0
    [worker] = checks["workers"]["details"]["workers"]
    assert (worker["live"], worker["sessions_in_database"]) == (True, 2)
    assert checks["browsers"]["details"]["workers"] == [
        {"hostname": "browser@live", "browsers": 2, "rss_mb": 3072, "rss_mb_per_browser": 1536}
    ]
    assert checks["extension"]["summary"] == "MetaMask 13.36.0.0"
    skews = checks["clock"]["details"]["skew_seconds"]
    assert set(skews) == {"database", "redis"}
    assert all(abs(s) < 1 for s in skews.values())


def test_work_stranded_on_a_stopped_worker_is_a_warning_naming_its_queue(
    builds: None, stopped_worker: str
) -> None:
    BrowserWorkerFactory.create(hostname="browser@live")
    WalletSessionFactory.create(worker=stopped_worker)
    WalletSessionFactory.create(worker=stopped_worker, status=WalletSession.Status.CLOSED)
    status, findings = run_checks()
    assert status == "warn"
    broker = findings["broker"]
    assert broker.status == "warn"
    assert broker.details["stranded"] == {worker_queue(stopped_worker): 2}
    assert "stranded on stopped workers: 2" in broker.summary
    workers = findings["workers"]
    assert (workers.status, workers.details["sessions_on_stopped_workers"]) == ("warn", 1)
    assert workers.summary == "1 live, 1 stopped; 1 active session(s), 1 on stopped workers"


def test_no_live_worker_fails_with_exit_code_1(builds: None) -> None:
    BrowserWorkerFactory.create(last_seen=timezone.now() - timedelta(minutes=5))
    code, out = _doctor()
    assert code == 1
    lines = dict(line.split(None, 1) for line in out.splitlines())
    assert lines["workers"].startswith("FAIL  0 live, 1 stopped")
    assert lines["overall"] == "FAIL"


def test_rate_limit_counters_and_refusals_are_counted(builds: None, rf: Any) -> None:
    BrowserWorkerFactory.create()
    request = rf.get("/")
    request.user = None
    for _ in range(3):
        is_ratelimited(request, group="doctor-test", key="ip", rate="10/m", increment=True)
    security_event_record(kind=SecurityEvent.Kind.RATE_LIMITED, details={"group": "doctor-test"})
    finding = run_checks()[1]["rate_limits"]
    assert finding.status == "warn"
    assert finding.details["highest"] >= 3
    assert finding.details["counters"] >= 1
    assert finding.details["refused_last_hour"] == 1


def test_recent_security_events_are_listed_newest_first(builds: None) -> None:
    BrowserWorkerFactory.create()
    session = WalletSessionFactory.create()
    security_event_record(
        kind=SecurityEvent.Kind.POLICY_REJECTED, session=session, details={"reason": "to is not allowed"}
    )
    security_event_record(kind=SecurityEvent.Kind.CHAIN_MISMATCH, severity=SecurityEvent.Severity.CRITICAL)
    finding = run_checks(Options(events=1))[1]["security_events"]
    assert finding.status == "warn"
    assert finding.details["by_kind"] == {"policy_rejected": 1, "chain_mismatch": 1}
    assert finding.details["critical"] == 1
    [latest] = finding.details["latest"]
    assert latest["kind"] == "chain_mismatch"
    assert finding.summary == "2 in 24 h (2 in the last hour, 1 critical)"


def test_a_dead_redis_fails_the_cache_and_its_counters_but_the_other_checks_run(builds: None) -> None:
    BrowserWorkerFactory.create()
    dead = f"redis://127.0.0.1:{free_port()}/0"
    caches = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": dead}}
    with override_settings(CACHES=caches):
        status, findings = run_checks()
    assert status == "fail"
    failed = {name for name, f in findings.items() if f.status == "fail"}
    assert failed == {"cache", "rate_limits", "clock"}
    assert findings["cache"].summary.startswith("check failed: ConnectionError")
    assert findings["database"].status == "ok"


def test_a_clock_beyond_the_allowed_skew_fails() -> None:
    finding = run_checks(Options(max_skew_seconds=-1))[1]["clock"]
    assert finding.status == "fail"
    code, _out = _doctor("--max-skew", "-1")
    assert code == 1
