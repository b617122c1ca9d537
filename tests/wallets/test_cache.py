"""The embedded mode's rate-limit cache: incr() must not lose counts when processes race."""

import threading
import time

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, connections
from django.test import override_settings

ATOMIC = {"BACKEND": "metamask_service.cache.AtomicDatabaseCache", "LOCATION": "mm_test_atomic_cache"}


@pytest.fixture
def atomic_cache(transactional_db, settings):
    settings.CACHES = {**settings.CACHES, "atomic": ATOMIC}
    call_command("createcachetable", database="default")
    cache = caches["atomic"]
    yield cache
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS mm_test_atomic_cache")


def test_incr_keeps_expiry(atomic_cache):
    atomic_cache.add("k", 1, 30)
    assert atomic_cache.incr("k") == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM mm_test_atomic_cache")
        [(expires,)] = cursor.fetchall()
    from django.utils import timezone

    assert 25 < (expires - timezone.now()).total_seconds() <= 30


def test_incr_missing_key_raises(atomic_cache):
    with pytest.raises(ValueError, match="not found"):
        atomic_cache.incr("missing")


def test_concurrent_increments_are_not_lost(atomic_cache):
    atomic_cache.add("hits", 0, 60)
    errors = []

    def worker():
        try:
            for _ in range(20):
                atomic_cache.incr("hits")
                time.sleep(0)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert atomic_cache.get("hits") == 80


def test_stock_database_cache_is_what_ratelimit_rejects():
    from django.core.checks import Error
    from django_ratelimit.checks import check_caches

    stock = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "t"}
    with override_settings(CACHES={"default": stock}):
        assert any(isinstance(m, Error) for m in check_caches(None))
    with override_settings(CACHES={"default": ATOMIC}):
        assert not any(isinstance(m, Error) for m in check_caches(None))
