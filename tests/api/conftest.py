import pytest
from celery.signals import before_task_publish

from tests.conftest import require_services


@pytest.fixture(autouse=True)
def _services(clean_cache):
    require_services()


@pytest.fixture
def published():
    """Task messages sent during the test, as (task name, its first argument, routing key)."""
    sent = []

    def record(sender=None, body=None, headers=None, routing_key=None, **_):
        sent.append((sender, body[0] if body else None, routing_key))

    before_task_publish.connect(record, weak=False)
    yield sent
    before_task_publish.disconnect(record)
