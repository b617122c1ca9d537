"""Security events: the audit row, its JSON log line, its counter and its outbox event. A leaf module (it
imports only the models, metrics and the outbox), so that selectors, services and the API can all record
events without importing each other."""

from __future__ import annotations

import logging
from typing import Any

from wallets import metrics, outbox
from wallets.models import SecurityEvent, Wallet, WalletSession

security_logger = logging.getLogger("wallets.security")


def security_event_record(
    *,
    kind: str,
    severity: str = SecurityEvent.Severity.WARNING,
    actor: Any = None,
    actor_repr: str = "",
    wallet: Wallet | None = None,
    session: WalletSession | None = None,
    ip: str | None = None,
    details: dict[str, Any] | None = None,
) -> SecurityEvent:
    """Writes the audit row and one JSON log line with message "security_event"."""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    if session is not None and wallet is None:
        wallet = session.wallet
    with outbox.atomic_if_enabled():
        event = SecurityEvent.objects.create(
            kind=kind,
            severity=severity,
            actor=user,
            actor_repr=actor_repr or (user.get_username() if user is not None else ""),
            wallet=wallet,
            session=session,
            ip=ip,
            details=details or {},
        )
        if outbox.enabled():
            outbox.record(
                type="security_event",
                key=str(session.id) if session is not None else str(wallet.id) if wallet is not None else "",
                payload={
                    "id": str(event.id),
                    "kind": str(kind),
                    "severity": str(severity),
                    "session_id": str(session.id) if session is not None else None,
                    "wallet_id": str(wallet.id) if wallet is not None else None,
                    "actor_id": str(user.pk) if user is not None else None,
                    "ip": ip,
                    "details": event.details,
                    "at": event.created_at.isoformat(),
                },
            )
    metrics.security_events_total.labels(kind=str(kind), severity=str(severity)).inc()
    security_logger.warning(
        "security_event",
        extra={
            "security_event": str(kind),
            "severity": str(severity),
            "event_id": str(event.id),
            "user_id": str(user.pk) if user is not None else None,
            "session_id": str(session.id) if session is not None else None,
            "wallet_id": str(wallet.id) if wallet is not None else None,
            "ip": ip,
            "details": event.details,
        },
    )
    return event
