"""Reads. Object lookups are always scoped to the caller: another user's row is a 404 (never a 403, so ids
can't be probed) and leaves an object_access_denied security event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Model, QuerySet
from django.utils import timezone

from wallets.audit import security_event_record
from wallets.exceptions import NotFound
from wallets.models import (
    BrowserWorker,
    NetworkChange,
    SecurityEvent,
    SessionCommand,
    SignatureRequest,
    Transaction,
    Wallet,
    WalletAccount,
    WalletSession,
)

M = TypeVar("M", bound=Model)


def wallet_list(*, user: Any) -> QuerySet[Wallet]:
    return Wallet.objects.filter(owner=user).order_by("-created_at")


def _owned_or_404(
    queryset: QuerySet[M], *, user: Any, object_id: Any, owner_path: str, what: str, ip: str | None
) -> M:
    try:
        return queryset.get(**{"id": object_id, owner_path: user})
    except (queryset.model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        pass
    try:
        exists = queryset.filter(id=object_id).exists()
    except (ValueError, TypeError, ValidationError):
        exists = False
    security_event_record(
        kind=SecurityEvent.Kind.OBJECT_ACCESS_DENIED,
        severity=SecurityEvent.Severity.WARNING if exists else SecurityEvent.Severity.INFO,
        actor=user,
        ip=ip,
        details={"object": what, "id": str(object_id), "exists": exists},
    )
    raise NotFound(f"{what.capitalize()} not found.")


def wallet_get_for_user(*, user: Any, wallet_id: Any, ip: str | None = None) -> Wallet:
    return _owned_or_404(
        Wallet.objects.all(), user=user, object_id=wallet_id, owner_path="owner", what="wallet", ip=ip
    )


def session_get_for_user(*, user: Any, session_id: Any, ip: str | None = None) -> WalletSession:
    return _owned_or_404(
        WalletSession.objects.select_related("wallet"),
        user=user,
        object_id=session_id,
        owner_path="wallet__owner",
        what="session",
        ip=ip,
    )


def _session_operation_or_404(
    model: type[M], *, user: Any, session_id: Any, object_id: Any, what: str, ip: str | None
) -> M:
    """A transaction or signature request of the given session, owned by the caller."""
    return _owned_or_404(
        model._default_manager.filter(session_id=session_id),
        user=user,
        object_id=object_id,
        owner_path="session__wallet__owner",
        what=what,
        ip=ip,
    )


def signature_request_get_for_user(
    *, user: Any, session_id: Any, signature_id: Any, ip: str | None = None
) -> SignatureRequest:
    return _session_operation_or_404(
        SignatureRequest,
        user=user,
        session_id=session_id,
        object_id=signature_id,
        what="signature request",
        ip=ip,
    )


def transaction_get_for_user(
    *, user: Any, session_id: Any, transaction_id: Any, ip: str | None = None
) -> Transaction:
    return _session_operation_or_404(
        Transaction, user=user, session_id=session_id, object_id=transaction_id, what="transaction", ip=ip
    )


def network_change_get_for_user(
    *, user: Any, session_id: Any, network_change_id: Any, ip: str | None = None
) -> NetworkChange:
    return _session_operation_or_404(
        NetworkChange,
        user=user,
        session_id=session_id,
        object_id=network_change_id,
        what="network change",
        ip=ip,
    )


def session_command_get_for_user(
    *, user: Any, session_id: Any, command_id: Any, ip: str | None = None, kind: str | None = None
) -> SessionCommand:
    """A session command (``kind``: only one of that kind, as a flow by its own endpoint)."""
    row = _session_operation_or_404(
        SessionCommand, user=user, session_id=session_id, object_id=command_id, what="command", ip=ip
    )
    if kind is not None and row.kind != kind:
        raise NotFound(f"no {kind} {command_id} in this session")
    return row


def browser_workers_live() -> QuerySet[BrowserWorker]:
    cutoff = timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_STALE_SECONDS)
    return BrowserWorker.objects.filter(last_seen__gte=cutoff)


def sessions_expired(*, now: Any = None) -> QuerySet[WalletSession]:
    """Active sessions whose sliding TTL ran out (for the sessions_cleanup beat task)."""
    now = now or timezone.now()
    return WalletSession.objects.filter(status__in=WalletSession.ACTIVE_STATUSES, expires_at__lte=now)


def sessions_on_dead_workers() -> QuerySet[WalletSession]:
    """Active sessions whose worker has stopped heart-beating (cleanup marks them lost)."""
    live = browser_workers_live().values_list("hostname", flat=True)
    return WalletSession.objects.filter(
        status__in=[WalletSession.Status.OPENING, WalletSession.Status.READY, WalletSession.Status.CLOSING]
    ).exclude(worker__in=live)


def session_metamask_versions() -> dict[str, int]:
    """{MetaMask version: number of active sessions whose browser loaded it} (sessions not started yet and
    those that never recorded a version are left out)."""
    rows = (
        WalletSession.objects.filter(status__in=WalletSession.ACTIVE_STATUSES)
        .exclude(metamask_version="")
        .values("metamask_version")
        .annotate(sessions=Count("id"))
        .order_by("metamask_version")
    )
    return {row["metamask_version"]: row["sessions"] for row in rows}


# --- a wallet's accounts ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class AccountRef:
    """What a session needs to bring an account into MetaMask: its index under the phrase, or that it is
    imported (its key is read by the worker only, wallet_account_private_key)."""

    address: str
    kind: str
    hd_index: int | None
    label: str = ""
    created_at: Any = field(default=None, compare=False)


def account_ref(row: WalletAccount) -> AccountRef:
    return AccountRef(row.address, row.kind, row.hd_index, row.label, row.created_at)


def wallet_accounts(*, wallet: Wallet) -> list[AccountRef]:
    """The wallet's accounts, its first one first, then in the order they were added."""
    first = AccountRef(str(wallet.address), WalletAccount.Kind.DERIVED, 0, "", wallet.created_at)
    rest = [account_ref(row) for row in WalletAccount.objects.filter(wallet=wallet).order_by("created_at")]
    return [first, *rest]


def wallet_account_get(*, wallet: Wallet, address: str) -> AccountRef:
    found = next((a for a in wallet_accounts(wallet=wallet) if a.address.lower() == address.lower()), None)
    if found is None:
        raise NotFound("The wallet has no such account; add or import it first")
    return found
