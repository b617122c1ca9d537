"""Events out: a transactional outbox published to Kafka (README: Events out; docs/operations.md).

Writers (wallets/audit.py for security events, wallets/services/transitions.py for status changes) add an
OutboxEvent in the same database transaction as the change, so an event exists exactly when its change was
committed. ``publish_pending`` (run by ``manage.py publish_events``) sends them in id order with an
idempotent producer (acks=all), every event of a session keyed by that session's id, and marks a row
published only once Kafka acknowledged it. Delivery is at least once: a publisher that dies after Kafka's
acknowledgement and before its database write sends the row again, with the same ``event_id`` in the
payload and in a header, which is the consumer's idempotency key. Order per session holds because one key
goes to one partition and the idempotent producer delivers a partition's messages as a prefix of the order
it was given them: what failed is retried before anything after it of the same session is marked.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from wallets.models import OutboxEvent

logger = logging.getLogger("wallets.outbox")
_LOG = {"component": "outbox"}
# Status changes of these models are events; the value names the event type's prefix.
EVENT_MODELS = {
    "WalletSession": "session",
    "Transaction": "transaction",
    "SignatureRequest": "signature",
    "NetworkChange": "network_change",
    "SessionCommand": "session_command",
}
# Values of a status change that are published with it (nothing else of the row: payloads are secret-free).
_PUBLISHED_VALUES = {
    "tx_hash",
    "signature",
    "error_kind",
    "block_number",
    "receipt_status",
    "gas_used",
    "worker",
    "chain_id",
}
_LOCK_ID = 0x6D6D6F7574  # "mmout": one publisher at a time on PostgreSQL (order across batches)


def enabled() -> bool:
    return bool(settings.KAFKA_BOOTSTRAP_SERVERS)


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def record(*, type: str, key: str, payload: dict[str, Any]) -> None:
    """Adds one event; call inside the transaction of the change it reports."""
    OutboxEvent.objects.create(type=type, key=key, payload=_json(payload))


def record_transitions(
    model: type[models.Model], ids: Iterable[Any], to: str, values: dict[str, Any]
) -> None:
    """One event per row of ``model`` moved to ``to`` (inside the moving transaction)."""
    prefix = EVENT_MODELS.get(model.__name__)
    if prefix is None:
        return
    keyed = "id" if prefix == "session" else "session_id"
    published = {k: v for k, v in values.items() if k in _PUBLISHED_VALUES}
    now = timezone.now().isoformat()
    for row_id, session_id in model._default_manager.filter(id__in=list(ids)).values_list("id", keyed):
        payload = {"id": str(row_id), "session_id": str(session_id), "status": to, "at": now, **published}
        record(type=f"{prefix}.status", key=str(session_id), payload=payload)


def producer_config() -> dict[str, Any]:
    config: dict[str, Any] = {
        "bootstrap.servers": settings.KAFKA_BOOTSTRAP_SERVERS,
        "enable.idempotence": True,
        "acks": "all",
        "message.timeout.ms": int(settings.KAFKA_DELIVERY_TIMEOUT_SECONDS * 1000),
        "client.id": "metamask-service-outbox",
    }
    for option, value in (
        ("security.protocol", settings.KAFKA_SECURITY_PROTOCOL),
        ("sasl.mechanism", settings.KAFKA_SASL_MECHANISM),
        ("sasl.username", settings.KAFKA_SASL_USERNAME),
        ("sasl.password", settings.KAFKA_SASL_PASSWORD),
    ):
        if value:
            config[option] = value
    return config


@dataclass(frozen=True)
class Published:
    sent: int
    failed: int
    pruned: int


def publish_pending(*, batch: int = 500, producer: Any = None) -> Published:
    """Publishes up to ``batch`` pending events, oldest first; returns what happened. Never raises for
    Kafka's sake: a broker that is down leaves the rows pending, with the error, for the next run."""
    from confluent_kafka import Producer

    with _publisher_lock() as held:
        if not held:
            return Published(0, 0, 0)
        rows = list(OutboxEvent.objects.filter(published_at__isnull=True).order_by("id")[:batch])
        if not rows:
            return Published(0, 0, _prune())
        producer = producer or Producer(producer_config())
        outcome: dict[int, str | None] = {}

        def delivered(row_id: int) -> Any:
            def report(error: Any, _message: Any) -> None:
                outcome[row_id] = None if error is None else str(error)[:300]

            return report

        for row in rows:
            value = json.dumps(
                {"event_id": str(row.event_id), "type": row.type, "seq": row.id, **row.payload}
            )
            producer.produce(
                settings.KAFKA_TOPIC,
                key=row.key.encode() or None,
                value=value.encode(),
                headers={"event_id": str(row.event_id), "type": row.type},
                on_delivery=delivered(row.id),
            )
            producer.poll(0)
        producer.flush(settings.KAFKA_DELIVERY_TIMEOUT_SECONDS + 5)
        sent = [row_id for row_id, error in outcome.items() if error is None]
        failed = {row_id: error for row_id, error in outcome.items() if error is not None}
        unanswered = [row.id for row in rows if row.id not in outcome]
        now = timezone.now()
        OutboxEvent.objects.filter(id__in=sent).update(published_at=now, attempts=models.F("attempts") + 1)
        for row_id, error in failed.items():
            OutboxEvent.objects.filter(id=row_id).update(
                last_error=error or "", attempts=models.F("attempts") + 1
            )
        OutboxEvent.objects.filter(id__in=unanswered).update(
            last_error="no delivery report in time", attempts=models.F("attempts") + 1
        )
        if failed or unanswered:
            logger.warning(
                "outbox: %d event(s) not delivered (%s); kept for the next run",
                len(failed) + len(unanswered),
                next(iter(failed.values()), "no delivery report in time"),
                extra=_LOG,
            )
        return Published(len(sent), len(failed) + len(unanswered), _prune())


def _prune() -> int:
    cutoff = timezone.now() - timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    deleted, _ = OutboxEvent.objects.filter(published_at__lt=cutoff).delete()
    return int(deleted)


@contextlib.contextmanager
def _publisher_lock() -> Iterator[bool]:
    """A session-level PostgreSQL advisory lock, so that two publishers (a rolling update) never interleave
    their batches; yields whether this one holds it. Elsewhere (SQLite, one process) nothing to take."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_LOCK_ID])
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_LOCK_ID])


def atomic_if_enabled() -> Any:
    """A transaction around a change and its event when events go out; otherwise nothing extra."""
    return transaction.atomic() if enabled() else contextlib.nullcontext()
