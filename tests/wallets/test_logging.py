import json
import logging

import pytest

from metamask_service.logging import JsonFormatter, RequestContextFilter, SecretScrubFilter, log_context
from tests.factories import MNEMONIC
from wallets.audit import security_event_record
from wallets.models import SecurityEvent


def render(record):
    for log_filter in (RequestContextFilter(), SecretScrubFilter()):
        log_filter.filter(record)
    return json.loads(JsonFormatter().format(record))


def make_record(message="hello", **extra):
    record = logging.LogRecord("wallets.tasks", logging.INFO, __file__, 1, message, None, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_json_line_carries_context():
    with log_context(component="worker", user_id="7", session_id="s-1"):
        line = render(make_record(tx_hash="0xabc"))
    assert line["message"] == "hello"
    assert (line["component"], line["user_id"], line["session_id"], line["tx_hash"]) == (
        "worker",
        "7",
        "s-1",
        "0xabc",
    )
    assert line["level"] == "INFO"


def test_component_defaults_to_logger_root():
    assert render(make_record())["component"] == "wallets"


@pytest.mark.parametrize(
    "key", ["mnemonic", "password", "private_key", "privateKey", "wallet_secret", "seed_phrase"]
)
def test_secret_named_extras_are_dropped(key):
    line = render(make_record(**{key: MNEMONIC}))
    assert key not in line
    assert MNEMONIC not in json.dumps(line)


@pytest.mark.django_db
def test_security_event_logs_a_json_line(json_log):
    # The handler configured in LOGGING writes the line; read it back as the operator's grep would.
    security_event_record(kind=SecurityEvent.Kind.POLICY_REJECTED, details={"reason": "to differs"})
    lines = [json.loads(line) for line in json_log.getvalue().splitlines() if '"security_event"' in line]
    assert len(lines) == 1
    assert lines[0]["message"] == "security_event"
    assert lines[0]["security_event"] == "policy_rejected"
    assert lines[0]["details"] == {"reason": "to differs"}


@pytest.mark.django_db
def test_slow_queries_are_logged_without_parameters(settings, caplog):
    from django.db import connection

    settings.SLOW_QUERY_MS = 0
    with caplog.at_level(logging.WARNING, logger="wallets.db"), connection.cursor() as cursor:
        cursor.execute("SELECT %s", ["secret-param"])
    [record] = [r for r in caplog.records if r.getMessage() == "slow_query"]
    assert record.slow_query == "SELECT %s"
    assert "secret-param" not in json.dumps(vars(record), default=str)
