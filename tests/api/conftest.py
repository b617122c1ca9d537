import io
import logging

import pytest

from metamask_service.logging import JsonFormatter
from tests.conftest import require_services


@pytest.fixture(autouse=True)
def _services(clean_cache):
    require_services()


@pytest.fixture
def json_log():
    """Everything the configured JSON stdout handler writes during the test, as one string."""
    [handler] = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler) and isinstance(h.formatter, JsonFormatter)
    ]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)
