"""Events out: the transactional outbox published to a real Kafka protocol peer (librdkafka's mock cluster)
with the real producer; broker down, retry, redelivery and rollback included."""

from __future__ import annotations

import io
import uuid
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

from tests.factories import (
    NetworkChangeFactory,
    SessionCommandFactory,
    TransactionFactory,
    WalletSessionFactory,
)
from tests.support.kafka import consume_all, mock_kafka
from tests.support.servers import free_port
from wallets import outbox, services
from wallets.audit import security_event_record
from wallets.models import OutboxEvent, SecurityEvent, Transaction, WalletSession
from wallets.services.transitions import transition_one

pytestmark = pytest.mark.django_db


@pytest.fixture
def kafka() -> Iterator[str]:
    with mock_kafka() as bootstrap:
        yield bootstrap


@pytest.fixture
def topic() -> str:
    return f"events-{uuid.uuid4().hex[:8]}"


def _two_sessions_of_work() -> list[tuple[str, str]]:
    """Status changes and security events on two sessions, interleaved; (session id, what) in order."""
    done = []
    sessions = WalletSessionFactory.create_batch(2)
    txs = [TransactionFactory.create(session=s) for s in sessions]
    for step in (Transaction.Status.RUNNING, Transaction.Status.SUBMITTED):
        for tx in txs:
            values = {"tx_hash": "0x" + "ab" * 32} if step == Transaction.Status.SUBMITTED else {}
            assert transition_one(Transaction, row_id=tx.id, to=step, **values)
            done.append((str(tx.session_id), f"transaction.status:{step}"))
    security_event_record(
        kind=SecurityEvent.Kind.POLICY_REJECTED, session=sessions[1], details={"reason": "x"}
    )
    done.append((str(sessions[1].id), "security_event:policy_rejected"))
    assert transition_one(Transaction, row_id=txs[0].id, to=Transaction.Status.CONFIRMED)
    done.append((str(sessions[0].id), "transaction.status:confirmed"))
    change = NetworkChangeFactory.create(session=sessions[1])
    assert services.network_change_claim(network_change_id=change.id)
    assert services.network_change_mark_switched(network_change_id=change.id, chain_id=31390)
    done.append((str(sessions[1].id), "network_change.status:running"))
    done.append((str(sessions[1].id), "network_change.status:switched"))
    lock = SessionCommandFactory.create(session=sessions[0])
    assert services.session_command_claim(command_id=lock.id)
    assert services.session_command_mark_done(command_id=lock.id, result={"locked": True})
    done.append((str(sessions[0].id), "session_command.status:running"))
    done.append((str(sessions[0].id), "session_command.status:done"))
    assert transition_one(WalletSession, row_id=sessions[0].id, to=WalletSession.Status.CLOSING)
    done.append((str(sessions[0].id), "session.status:closing"))
    return done


def _what(message: dict[str, Any]) -> str:
    value = message["value"]
    return f"{value['type']}:{value.get('status') or value.get('kind')}"


def _per_session(messages: list[dict[str, Any]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for message in messages:
        grouped[message["key"]].append(_what(message))
    return dict(grouped)


def test_every_change_is_published_once_in_order_per_session(kafka: str, topic: str) -> None:
    with override_settings(KAFKA_BOOTSTRAP_SERVERS=kafka, KAFKA_TOPIC=topic):
        done = _two_sessions_of_work()
        assert OutboxEvent.objects.count() == len(done)
        result = outbox.publish_pending()
    assert (result.sent, result.failed) == (len(done), 0)
    assert not OutboxEvent.objects.filter(published_at__isnull=True).exists()
    messages = consume_all(kafka, topic, len(done))
    assert len(messages) == len(done)
    expected: dict[str, list[str]] = defaultdict(list)
    for session_id, what in done:
        expected[session_id].append(what)
    assert _per_session(messages) == dict(expected)
    # One session, one partition; every message carries its idempotency key twice (header and value).
    assert all(len({m["partition"] for m in messages if m["key"] == key}) == 1 for key in expected)
    assert all(m["headers"]["event_id"] == m["value"]["event_id"] for m in messages)
    submitted = [m["value"] for m in messages if _what(m) == "transaction.status:submitted"]
    assert {v["tx_hash"] for v in submitted} == {"0x" + "ab" * 32}
    switched = next(m["value"] for m in messages if _what(m) == "network_change.status:switched")
    assert switched["chain_id"] == 31390
    rejected = next(m["value"] for m in messages if m["value"]["type"] == "security_event")
    assert rejected["details"] == {"reason": "x"}


def test_a_broker_that_is_down_loses_nothing_and_the_next_run_sends_it_all_in_order(
    kafka: str, topic: str
) -> None:
    down = f"127.0.0.1:{free_port()}"
    with override_settings(KAFKA_BOOTSTRAP_SERVERS=down, KAFKA_TOPIC=topic, KAFKA_DELIVERY_TIMEOUT_SECONDS=2):
        done = _two_sessions_of_work()
        result = outbox.publish_pending()
    assert (result.sent, result.failed) == (0, len(done))
    pending = OutboxEvent.objects.filter(published_at__isnull=True)
    assert pending.count() == len(done)
    assert all(row.attempts == 1 and row.last_error for row in pending)
    with override_settings(KAFKA_BOOTSTRAP_SERVERS=kafka, KAFKA_TOPIC=topic):
        result = outbox.publish_pending()
    assert (result.sent, result.failed) == (len(done), 0)
    messages = consume_all(kafka, topic, len(done))
    assert len(messages) == len(done)
    assert [(m["key"], _what(m)) for m in sorted(messages, key=lambda m: m["value"]["seq"])] == done


def test_a_publisher_that_died_before_its_database_write_sends_again_with_the_same_event_id(
    kafka: str, topic: str
) -> None:
    with override_settings(KAFKA_BOOTSTRAP_SERVERS=kafka, KAFKA_TOPIC=topic):
        done = _two_sessions_of_work()
        outbox.publish_pending()
        OutboxEvent.objects.update(published_at=None)  # as if the marking never committed
        assert outbox.publish_pending().sent == len(done)
    messages = consume_all(kafka, topic, 2 * len(done))
    assert len(messages) == 2 * len(done)
    # The consumer's idempotency key: deduplicated by event_id, each change appears once, still in order.
    first_seen: dict[str, dict[str, Any]] = {}
    for message in messages:
        first_seen.setdefault(message["value"]["event_id"], message)
    assert len(first_seen) == len(done)
    expected: dict[str, list[str]] = defaultdict(list)
    for session_id, what in done:
        expected[session_id].append(what)
    assert _per_session(list(first_seen.values())) == dict(expected)


def test_a_change_rolled_back_leaves_no_event_and_without_kafka_nothing_is_written(topic: str) -> None:
    tx = TransactionFactory.create()

    def move_then_fail() -> None:
        with transaction.atomic():
            assert transition_one(Transaction, row_id=tx.id, to=Transaction.Status.RUNNING)
            assert OutboxEvent.objects.count() == 1
            raise RuntimeError("the caller's transaction fails after the move")

    with (
        override_settings(KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:1", KAFKA_TOPIC=topic),
        pytest.raises(RuntimeError),
    ):
        move_then_fail()
    assert OutboxEvent.objects.count() == 0
    tx.refresh_from_db()
    assert tx.status == Transaction.Status.PENDING
    assert transition_one(Transaction, row_id=tx.id, to=Transaction.Status.RUNNING)  # KAFKA unset here
    security_event_record(kind=SecurityEvent.Kind.AUTH_FAILED)
    assert OutboxEvent.objects.count() == 0
    with pytest.raises(CommandError, match="KAFKA_BOOTSTRAP_SERVERS is not set"):
        call_command("publish_events", "--once")


def test_the_command_publishes_a_batch(kafka: str, topic: str) -> None:
    out = io.StringIO()
    with override_settings(KAFKA_BOOTSTRAP_SERVERS=kafka, KAFKA_TOPIC=topic):
        done = _two_sessions_of_work()
        call_command("publish_events", "--once", stdout=out)
    assert out.getvalue().strip() == f"published {len(done)}, failed 0, pruned 0"
    assert len(consume_all(kafka, topic, len(done))) == len(done)
