"""Accepted work whose task message was lost is sent again (from the sessions_cleanup beat).

A request is accepted once its row is committed `pending`; its Celery message is only in the broker. A broker
restart without persistence, or a message dropped for any other reason, would leave the row pending for
ever. Rows still pending PENDING_REDISPATCH_SECONDS after they were accepted (or last sent again) get their
task sent once more. That is always safe: every task claims its row with a conditional UPDATE first, so a
message that was not lost after all finds the row taken and does nothing. Each resend is a progress step
("redispatched") on the row, which also spaces the resends.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from wallets import dispatch, services
from wallets.execution.common import LOG_EXTRA, logger
from wallets.models import NetworkChange, SessionCommand, SignatureRequest, Transaction, WalletSession


def _last_sent(row: Any) -> datetime:
    resent = [p.get("at") for p in row.progress if p.get("step") == "redispatched"]
    parsed = parse_datetime(resent[-1]) if resent else None
    return parsed or row.created_at


# Each kind of accepted work, with how its task is sent (wallets/dispatch.py).
_PENDING: tuple[tuple[Any, Any, Callable[[Any], str]], ...] = (
    (WalletSession, WalletSession.Status.PENDING, lambda row: dispatch.session_open_enqueue(session=row)),
    (
        SignatureRequest,
        SignatureRequest.Status.PENDING,
        lambda row: dispatch.signature_execute_enqueue(signature_request=row),
    ),
    (
        Transaction,
        Transaction.Status.PENDING,
        lambda row: dispatch.transaction_execute_enqueue(transaction_row=row),
    ),
    (
        NetworkChange,
        NetworkChange.Status.PENDING,
        lambda row: dispatch.network_change_execute_enqueue(network_change=row),
    ),
    (
        SessionCommand,
        SessionCommand.Status.PENDING,
        lambda row: dispatch.session_command_execute_enqueue(command=row),
    ),
)


def pending_redispatch(*, now: datetime | None = None) -> int:
    """Sends again the task of every row still pending past the threshold; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(seconds=float(settings.PENDING_REDISPATCH_SECONDS))
    sent = 0
    for model, pending, enqueue in _PENDING:
        rows = model.objects.filter(status=pending, created_at__lte=cutoff)
        if model is not WalletSession:
            rows = rows.select_related("session")
        for row in rows:
            if _last_sent(row) <= cutoff:
                sent += _resend(row, enqueue)
    return sent


def _resend(row: Any, enqueue: Callable[[Any], str]) -> int:
    with transaction.atomic():
        enqueue(row)
        services.progress_append(row=row, step="redispatched", ok=True, seconds=0.0)
    logger.warning(
        "pending_redispatch: task sent again",
        extra={**LOG_EXTRA, "redispatched": type(row).__name__, "row_id": str(row.id)},
    )
    return 1
