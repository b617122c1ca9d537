"""Django fixtures shared by tests/api and tests/wallets: users, API clients, JWT helpers."""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from metamask_service.logging import JsonFormatter
from tests.factories import UserFactory


def require_services() -> None:
    missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
    if missing:
        pytest.fail(f"these tests need real PostgreSQL and Redis: set {' and '.join(missing)}", pytrace=False)


def access_token_for(user, *, expired: bool = False) -> str:
    token = AccessToken.for_user(user)
    if expired:
        token.set_exp(from_time=timezone.now() - timedelta(hours=1))
    return str(token)


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What the configured JSON stdout handler writes during the test, read as an operator's grep would."""
    [handler] = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler) and isinstance(h.formatter, JsonFormatter)
    ]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


@pytest.fixture
def user(db):
    return UserFactory.create()


@pytest.fixture
def other_user(db):
    return UserFactory.create()


@pytest.fixture
def anon_client() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for() -> Callable[..., APIClient]:
    def make(user, *, expired: bool = False) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token_for(user, expired=expired)}")
        return client

    return make


@pytest.fixture
def api(user, client_for) -> APIClient:
    return client_for(user)


@pytest.fixture
def other_api(other_user, client_for) -> APIClient:
    return client_for(other_user)


def _delete_cache_keys() -> None:
    # Only this service's cache keys (rate-limit counters...), never FLUSHDB: a Celery worker started by other
    # tests may share the Redis database for its broker state.
    import redis
    from django.conf import settings

    prefix = settings.CACHES["default"].get("KEY_PREFIX") or ""
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def clean_cache() -> Iterator[None]:
    """Rate-limit counters start at zero in every test."""
    _delete_cache_keys()
    yield
    _delete_cache_keys()
