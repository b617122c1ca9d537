"""A real Kafka protocol peer on loopback: librdkafka's built-in mock cluster (``test.mock.num.brokers``),
through confluent-kafka. The cluster lives as long as the client that created it; other clients reach it
at the brokers' loopback addresses."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from typing import Any

from confluent_kafka import Consumer, Producer

from tests.support.polling import until


@contextlib.contextmanager
def mock_kafka(brokers: int = 3) -> Iterator[str]:
    """Yields the bootstrap servers of a fresh mock cluster ("127.0.0.1:port,...")."""
    holder = Producer({"test.mock.num.brokers": brokers, "bootstrap.servers": "unused:9092", "log_level": 3})
    metadata = holder.list_topics(timeout=10)
    yield ",".join(f"{b.host}:{b.port}" for b in metadata.brokers.values())
    holder.flush(1)


def consume_all(bootstrap: str, topic: str, expected: int, timeout: float = 30) -> list[dict[str, Any]]:
    """Every message of ``topic`` from the start (key, partition, headers, JSON value), once ``expected``
    arrived, plus any that follow within a second."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"test-{uuid.uuid4().hex}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe([topic])
    seen: list[dict[str, Any]] = []

    def enough() -> bool:
        message = consumer.poll(0.5)
        if message is not None and message.error() is None:
            seen.append(
                {
                    "key": (message.key() or b"").decode(),
                    "partition": message.partition(),
                    "headers": {k: v.decode() for k, v in (message.headers() or [])},
                    "value": json.loads(message.value()),
                }
            )
        return len(seen) >= expected

    try:
        until(f"{expected} messages on {topic}", enough, timeout, interval=0)
        while (extra := consumer.poll(1.0)) is not None:  # anything beyond what was expected shows too
            if extra.error() is None:
                seen.append({"key": (extra.key() or b"").decode(), "value": json.loads(extra.value())})
    finally:
        consumer.close()
    return seen
