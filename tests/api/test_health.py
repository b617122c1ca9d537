import sys
import time
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from tests.factories import BrowserWorkerFactory, WalletSessionFactory
from wallets.models import WalletSession

pytestmark = pytest.mark.django_db

URL = "/api/v1/health"


@pytest.fixture
def browser_paths(tmp_path):
    (tmp_path / "manifest.json").write_text('{"manifest_version": 3, "version": "13.36.0.0"}')
    # Any existing executable file stands in for the Chromium binary: the check is about presence.
    with override_settings(CHROMIUM_BINARY=sys.executable, METAMASK_EXTENSION_PATH=str(tmp_path)):
        yield


def test_healthy_with_live_worker(anon_client, browser_paths):
    BrowserWorkerFactory.create(hostname="browser@w1")
    response = anon_client.get(URL)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert body["failed"] == []
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["cache"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True
    assert [w["hostname"] for w in body["checks"]["workers"]["live"]] == ["browser@w1"]


def test_no_live_worker_is_503(anon_client, browser_paths):
    BrowserWorkerFactory.create(last_seen=timezone.now() - timedelta(seconds=31))
    response = anon_client.get(URL)
    assert response.status_code == 503
    assert response.json()["failed"] == ["workers"]


@override_settings(CHROMIUM_BINARY="/nonexistent/chromium", METAMASK_EXTENSION_PATH="/nonexistent/metamask")
def test_missing_browser_and_extension_are_named(anon_client):
    BrowserWorkerFactory.create()
    response = anon_client.get(URL)
    assert response.status_code == 503
    assert response.json()["failed"] == ["browser", "extension"]


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_unreachable_broker_is_named(anon_client, browser_paths):
    from celery_app import app

    BrowserWorkerFactory.create()
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = anon_client.get(URL)
    finally:
        from django.conf import settings

        app.conf.broker_url = settings.REDIS_URL
    assert response.status_code == 503
    assert response.json()["failed"] == ["broker"]


def test_reports_the_configured_builds_version_and_those_of_open_sessions(anon_client, browser_paths):
    BrowserWorkerFactory.create()
    WalletSessionFactory.create_batch(2, metamask_version="13.36.0.0")
    WalletSessionFactory.create(metamask_version="13.5.0", status=WalletSession.Status.CLOSING)
    WalletSessionFactory.create(metamask_version="13.4.0", status=WalletSession.Status.CLOSED)
    WalletSessionFactory.create(status=WalletSession.Status.PENDING, worker="")
    response = anon_client.get(URL)
    assert response.status_code == 200, response.json()
    extension = response.json()["checks"]["extension"]
    assert extension["version"] == "13.36.0.0"
    assert extension["session_versions"] == {"13.36.0.0": 2, "13.5.0": 1}


@override_settings(CHROMIUM_BINARY=sys.executable, METAMASK_EXTENSION_PATH="/nonexistent/metamask")
def test_missing_manifest_has_a_null_version(anon_client):
    BrowserWorkerFactory.create()
    body = anon_client.get(URL).json()
    assert body["failed"] == ["extension"]
    extension = body["checks"]["extension"]
    assert (extension["present"], extension["version"], extension["session_versions"]) == (False, None, {})


@pytest.mark.parametrize(
    "content", [b"{not json", b"\xff\xfe", b'{"version": 13}', b'["13.5.0"]', b'{"name": "MetaMask"}']
)
def test_a_manifest_without_a_readable_version_is_present_with_a_null_version(anon_client, tmp_path, content):
    (tmp_path / "manifest.json").write_bytes(content)
    BrowserWorkerFactory.create()
    with override_settings(CHROMIUM_BINARY=sys.executable, METAMASK_EXTENSION_PATH=str(tmp_path)):
        response = anon_client.get(URL)
    assert response.status_code == 200, response.json()
    extension = response.json()["checks"]["extension"]
    assert (extension["ok"], extension["present"], extension["version"]) == (True, True, None)


def test_the_fleet_and_the_shared_queue_backlog_are_exported(anon_client, browser_paths):
    from prometheus_client import REGISTRY

    from celery_app import app
    from wallets.dispatch import SHARED_QUEUE

    BrowserWorkerFactory.create_batch(2)
    BrowserWorkerFactory.create(last_seen=timezone.now() - timedelta(minutes=5))
    with app.connection_for_write() as conn:
        waiting = conn.SimpleQueue(SHARED_QUEUE)
        try:
            waiting.clear()
            for n in range(3):
                waiting.put({"waiting": n})
            body = anon_client.get(URL).json()
        finally:
            waiting.clear()
            waiting.close()
    assert body["checks"]["broker"]["shared_queue_messages"] == 3
    assert REGISTRY.get_sample_value("mm_broker_queue_messages", {"queue": SHARED_QUEUE}) == 3
    assert REGISTRY.get_sample_value("mm_browser_workers_live") == 2


def test_health_runs_its_checks_at_most_once_per_window(anon_client, browser_paths):
    """Probes and monitors in between get the last report (with its age); after the window, a fresh one."""
    worker = BrowserWorkerFactory.create(hostname="browser@cached")
    with override_settings(HEALTH_CACHE_SECONDS=0.5):
        time.sleep(0.5)  # a report another test may have left in this process has expired
        first = anon_client.get(URL)
        assert first.status_code == 200, first.json()
        worker.delete()
        cached = anon_client.get(URL)
        assert cached.status_code == 200
        assert cached.json()["checks"]["workers"] == first.json()["checks"]["workers"]
        assert cached.json()["age_seconds"] >= first.json()["age_seconds"]
        time.sleep(0.55)
        fresh = anon_client.get(URL)
    assert fresh.status_code == 503
    assert fresh.json()["failed"] == ["workers"]
    assert fresh.json()["age_seconds"] < 0.5
