import sys
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from tests.factories import BrowserWorkerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/health"


@pytest.fixture
def browser_paths(tmp_path):
    (tmp_path / "manifest.json").write_text('{"manifest_version": 3}')
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
