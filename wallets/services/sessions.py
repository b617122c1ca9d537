"""Sessions: opened and closed by the API, claimed and moved through their states by the browser worker."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from wallets import dispatch
from wallets.audit import security_event_record
from wallets.exceptions import SessionNotReady
from wallets.models import (
    NetworkChange,
    SecurityEvent,
    SessionCommand,
    SignatureRequest,
    Transaction,
    WalletSession,
)
from wallets.selectors import session_get_for_user, wallet_get_for_user
from wallets.services.transitions import transition, transition_one
from wallets.validators import url_origin, validate_dapp_url

UserLike = AbstractBaseUser | AnonymousUser
Status = WalletSession.Status
# An operation accepted on a session pushes its expiry; within this many seconds of the last push it is
# not written again: each accepted operation holds the session's row lock, and the write would lengthen it.
TOUCH_AT_MOST_EVERY_SECONDS = 5.0


# --- API side -------------------------------------------------------------------------------------------
def session_request_open(
    *,
    user: UserLike,
    wallet_id: Any,
    dapp_url: str,
    network: dict[str, Any] | None = None,
    ip: str | None = None,
) -> WalletSession:
    wallet = wallet_get_for_user(user=user, wallet_id=wallet_id, ip=ip)
    dapp_url = validate_dapp_url(dapp_url)
    with transaction.atomic():
        session = WalletSession.objects.create(
            wallet=wallet, dapp_url=dapp_url, dapp_origin=url_origin(dapp_url), network=network
        )
        session.touch()
        dispatch.session_open_enqueue(session=session)
    return session


def session_request_close(*, user: UserLike, session_id: Any, ip: str | None = None) -> WalletSession:
    session = session_get_for_user(user=user, session_id=session_id, ip=ip)
    now = timezone.now()
    with transaction.atomic():
        # Not picked up by a worker yet: no browser exists, so it is closed right here.
        if transition_one(
            WalletSession, row_id=session.id, to=Status.CLOSED, only_from=(Status.PENDING,), closed_at=now
        ):
            session.refresh_from_db()
            return session
        if transition_one(WalletSession, row_id=session.id, to=Status.CLOSING, last_activity_at=now):
            session.refresh_from_db()
            dispatch.session_close_enqueue(session=session)
    session.refresh_from_db()
    return session


def session_lock_ready(*, session: WalletSession) -> WalletSession:
    """Call inside transaction.atomic(). The ownership check happens before it, outside the transaction, so
    the object_access_denied event it records is not rolled back with the refused request."""
    # Row lock until the caller's transaction commits: a concurrent close waits, so no operation is queued
    # for a session that is already being torn down.
    session = WalletSession.objects.select_for_update().select_related("wallet").get(id=session.id)
    if session.status != Status.READY or session.is_expired:
        status = Status.EXPIRED if session.status == Status.READY else session.status
        raise SessionNotReady(
            f"Session is {status}, not ready; wait until GET /sessions/{session.id}/ says ready "
            "(or open a new session if it ended)",
            extra={"session_status": str(status)},
        )
    session.touch(unless_within=TOUCH_AT_MOST_EVERY_SECONDS)  # one write fewer per request in steady use
    return session


# --- worker side ----------------------------------------------------------------------------------------
def session_claim(*, session_id: Any, worker: str) -> bool:
    """A redelivered open task finds the session no longer pending and does nothing."""
    return transition_one(
        WalletSession, row_id=session_id, to=Status.OPENING, worker=worker, last_activity_at=timezone.now()
    )


def session_close_claim(*, session_id: Any) -> bool:
    """True once for a session in `closing`; the close task then tears the browser down."""
    return bool(
        WalletSession.objects.filter(id=session_id, status=Status.CLOSING).update(
            last_activity_at=timezone.now()
        )
    )


def session_set_metamask_version(*, session_id: Any, version: str) -> bool:
    """Records the MetaMask version the session's browser loaded. Only an empty field is written: the build
    cannot change within a session, so a restart's call is a no-op once the first start recorded it."""
    version = version.strip()[: WalletSession.METAMASK_VERSION_MAX_LENGTH]
    if not version:
        return False
    return bool(
        WalletSession.objects.filter(id=session_id, metamask_version="").update(metamask_version=version)
    )


def session_mark_ready(*, session_id: Any, accounts: list[str], chain_id: int | None) -> bool:
    now = timezone.now()
    ttl = WalletSession.objects.filter(id=session_id).values_list("ttl_seconds", flat=True).first() or 0
    return transition_one(
        WalletSession,
        row_id=session_id,
        to=Status.READY,
        accounts=accounts,
        chain_id=chain_id,
        opened_at=now,
        last_activity_at=now,
        expires_at=now + timedelta(seconds=ttl),
        error="",
        error_kind="",
    )


def session_mark_failed(*, session_id: Any, error: str, error_kind: str, artifact_path: str = "") -> bool:
    return transition_one(
        WalletSession,
        row_id=session_id,
        to=Status.FAILED,
        error=error[:2000],
        error_kind=error_kind,
        artifact_path=artifact_path,
        closed_at=timezone.now(),
    )


def session_mark_closed(*, session_id: Any) -> bool:
    return transition_one(WalletSession, row_id=session_id, to=Status.CLOSED, closed_at=timezone.now())


def session_mark_expired(*, session_id: Any) -> bool:
    return transition_one(WalletSession, row_id=session_id, to=Status.EXPIRED, closed_at=timezone.now())


def session_mark_lost(*, session_id: Any, error: str, error_kind: str = "browser_lost") -> bool:
    """The browser holding the session is gone (worker died, Chromium crashed); records session_lost."""
    changed = transition_one(
        WalletSession,
        row_id=session_id,
        to=Status.LOST,
        error=error[:2000],
        error_kind=error_kind,
        closed_at=timezone.now(),
    )
    if changed:
        session = WalletSession.objects.select_related("wallet__owner").get(id=session_id)
        security_event_record(
            kind=SecurityEvent.Kind.SESSION_LOST,
            severity=SecurityEvent.Severity.WARNING,
            actor=session.wallet.owner,
            session=session,
            details={"error_kind": error_kind, "worker": session.worker},
        )
        # Queued work for the lost browser can never run.
        lost = {"error": "session was lost before this ran", "error_kind": "session_lost"}
        for model in (Transaction, SignatureRequest, NetworkChange, SessionCommand):
            transition(
                model,
                to=model.Status.FAILED,
                only_from=(model.Status.PENDING,),
                where={"session_id": session_id},
                **lost,
            )
    return changed


def sessions_mark_lost_for_worker(*, worker: str, error: str = "worker restarted") -> int:
    """On worker start-up: sessions it held before dying have no browser any more."""
    ids = list(
        WalletSession.objects.filter(worker=worker, status__in=WalletSession.ACTIVE_STATUSES).values_list(
            "id", flat=True
        )
    )
    return sum(
        session_mark_lost(session_id=session_id, error=error, error_kind="worker_restarted")
        for session_id in ids
    )
