"""Business operations (writes). API views call the *_request/_create/import functions; the browser worker
(wallets/tasks.py) calls the *_claim and *_mark_* functions. All arguments are keyword-only."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from eth_account import Account

from wallets import crypto, dispatch
from wallets.exceptions import SessionNotReady, ValidationFailed, WalletAlreadyImported
from wallets.models import BrowserWorker, SecurityEvent, SignatureRequest, Transaction, Wallet, WalletSession
from wallets.selectors import session_get_for_user, wallet_get_for_user
from wallets.validators import url_origin, validate_dapp_url, validate_mnemonic

logger = logging.getLogger("wallets.services")
security_logger = logging.getLogger("wallets.security")

DERIVATION_PATH = "m/44'/60'/0'/0/0"
Account.enable_unaudited_hdwallet_features()

UserLike = AbstractBaseUser | AnonymousUser


# --- security events ------------------------------------------------------------------------------------
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


# --- wallets --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class WalletSecrets:
    """Decrypted secrets for the worker; repr never shows them."""

    mnemonic: str = field(repr=False)
    password: str = field(repr=False)


def wallet_import(*, owner: User, label: str, mnemonic: str, password: str) -> Wallet:
    words = validate_mnemonic(mnemonic)
    if len(password) < 8:
        raise ValidationFailed("password must be at least 8 characters (MetaMask's minimum)")
    address = Account.from_mnemonic(words, account_path=DERIVATION_PATH).address
    try:
        with transaction.atomic():
            return Wallet.objects.create(
                owner=owner,
                label=label,
                address=address,
                encrypted_mnemonic=crypto.encrypt(words),
                encrypted_password=crypto.encrypt(password),
            )
    except IntegrityError:
        raise WalletAlreadyImported() from None


def wallet_secrets(*, wallet: Wallet) -> WalletSecrets:
    return WalletSecrets(
        mnemonic=crypto.decrypt(wallet.encrypted_mnemonic), password=crypto.decrypt(wallet.encrypted_password)
    )


def wallet_keys_rotate() -> int:
    """Re-encrypts every wallet secret under the first FIELD_ENCRYPTION_KEYS key; returns rows rewritten."""
    count = 0
    with transaction.atomic():
        for wallet in Wallet.objects.select_for_update().only(
            "id", "encrypted_mnemonic", "encrypted_password"
        ):
            wallet.encrypted_mnemonic = crypto.rotate(wallet.encrypted_mnemonic)
            wallet.encrypted_password = crypto.rotate(wallet.encrypted_password)
            wallet.save(update_fields=["encrypted_mnemonic", "encrypted_password"])
            count += 1
        security_event_record(
            kind=SecurityEvent.Kind.KEY_ROTATED,
            severity=SecurityEvent.Severity.INFO,
            actor_repr="rotate_wallet_keys",
            details={"wallets": count},
        )
    return count


# --- sessions (API side) --------------------------------------------------------------------------------
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
        if WalletSession.objects.filter(id=session.id, status=WalletSession.Status.PENDING).update(
            status=WalletSession.Status.CLOSED, closed_at=now
        ):
            session.refresh_from_db()
            return session
        if WalletSession.objects.filter(
            id=session.id, status__in=[WalletSession.Status.OPENING, WalletSession.Status.READY]
        ).update(status=WalletSession.Status.CLOSING, last_activity_at=now):
            session.refresh_from_db()
            dispatch.session_close_enqueue(session=session)
    session.refresh_from_db()
    return session


def _lock_ready_session(*, session: WalletSession) -> WalletSession:
    """Call inside transaction.atomic(). The ownership check happens before it, outside the transaction, so
    the object_access_denied event it records is not rolled back with the refused request."""
    # Row lock until the caller's transaction commits: a concurrent close waits, so no operation is queued
    # for a session that is already being torn down.
    session = WalletSession.objects.select_for_update().select_related("wallet").get(id=session.id)
    if session.status != WalletSession.Status.READY or session.is_expired:
        status = (
            WalletSession.Status.EXPIRED if session.status == WalletSession.Status.READY else session.status
        )
        raise SessionNotReady(
            f"Session is {status}, not ready; wait until GET /sessions/{session.id}/ says ready "
            "(or open a new session if it ended)",
            extra={"session_status": str(status)},
        )
    session.touch()
    return session


def signature_request_create(
    *, user: UserLike, session_id: Any, method: str, payload: Any, ip: str | None = None
) -> SignatureRequest:
    owned = session_get_for_user(user=user, session_id=session_id, ip=ip)
    with transaction.atomic():
        session = _lock_ready_session(session=owned)
        request = SignatureRequest.objects.create(session=session, method=method, payload=payload)
        dispatch.signature_execute_enqueue(signature_request=request)
    return request


def transaction_request_create(
    *,
    user: UserLike,
    session_id: Any,
    to: str,
    value_wei: int,
    data: str = "",
    gas: int | None = None,
    ip: str | None = None,
) -> Transaction:
    owned = session_get_for_user(user=user, session_id=session_id, ip=ip)
    with transaction.atomic():
        session = _lock_ready_session(session=owned)
        row = Transaction.objects.create(
            session=session, to=to, value_wei=Decimal(value_wei), data=data, gas=gas
        )
        dispatch.transaction_execute_enqueue(transaction_row=row)
    return row


# --- worker side: claiming ------------------------------------------------------------------------------
# One conditional UPDATE each: a redelivered task finds the row no longer pending and does nothing.
def session_claim(*, session_id: Any, worker: str) -> bool:
    now = timezone.now()
    return bool(
        WalletSession.objects.filter(id=session_id, status=WalletSession.Status.PENDING).update(
            status=WalletSession.Status.OPENING, worker=worker, last_activity_at=now
        )
    )


def _operation_claim(model: type[SignatureRequest] | type[Transaction], *, row_id: Any) -> bool:
    now = timezone.now()
    return bool(
        model._default_manager.filter(id=row_id, status=model.Status.PENDING).update(
            status=model.Status.RUNNING, claimed_at=now, updated_at=now, attempts=F("attempts") + 1
        )
    )


def signature_request_claim(*, signature_id: Any) -> bool:
    return _operation_claim(SignatureRequest, row_id=signature_id)


def transaction_claim(*, transaction_id: Any) -> bool:
    return _operation_claim(Transaction, row_id=transaction_id)


def session_close_claim(*, session_id: Any) -> bool:
    """True once for a session in `closing`; the close task then tears the browser down."""
    return bool(
        WalletSession.objects.filter(id=session_id, status=WalletSession.Status.CLOSING).update(
            last_activity_at=timezone.now()
        )
    )


# --- worker side: progress and state transitions -------------------------------------------------------
def progress_append(
    *, row: WalletSession | Transaction | SignatureRequest, step: str, ok: bool, seconds: float
) -> None:
    """Appends {step, ok, seconds, at} to row.progress (row lock, so concurrent appends are not lost)."""
    model: type[models.Model] = type(row)
    with transaction.atomic():
        locked = model._default_manager.select_for_update().only("id", "progress").get(pk=row.pk)
        entry = {"step": step, "ok": ok, "seconds": round(seconds, 3), "at": timezone.now().isoformat()}
        progress = [*locked.progress, entry]  # type: ignore[attr-defined]
        model._default_manager.filter(pk=row.pk).update(progress=progress)
    row.progress = progress


def _finish(model: type[models.Model], *, row_id: Any, from_statuses: tuple[str, ...], **values: Any) -> bool:
    return bool(model._default_manager.filter(id=row_id, status__in=from_statuses).update(**values))


def _operation_update(
    model: type[SignatureRequest] | type[Transaction],
    *,
    row_id: Any,
    from_statuses: tuple[str, ...],
    final: bool,
    **values: Any,
) -> bool:
    """A conditional UPDATE of a signature or transaction. update() skips auto_now, so updated_at (and
    finished_at when the new status is final) are set here, from one clock reading."""
    now = timezone.now()
    values["updated_at"] = now
    if final:
        values["finished_at"] = now
    return _finish(model, row_id=row_id, from_statuses=from_statuses, **values)


def _operation_end(
    model: type[SignatureRequest] | type[Transaction],
    *,
    row_id: Any,
    from_statuses: tuple[str, ...],
    status: str,
    error: str,
    error_kind: str,
    artifact_path: str,
) -> bool:
    return _operation_update(
        model,
        row_id=row_id,
        from_statuses=from_statuses,
        final=True,
        status=status,
        error=error[:2000],
        error_kind=error_kind,
        artifact_path=artifact_path,
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
    return _finish(
        WalletSession,
        row_id=session_id,
        from_statuses=(WalletSession.Status.OPENING,),
        status=WalletSession.Status.READY,
        accounts=accounts,
        chain_id=chain_id,
        opened_at=now,
        last_activity_at=now,
        expires_at=now + timedelta(seconds=ttl),
        error="",
        error_kind="",
    )


def session_mark_failed(*, session_id: Any, error: str, error_kind: str, artifact_path: str = "") -> bool:
    return _finish(
        WalletSession,
        row_id=session_id,
        from_statuses=(WalletSession.Status.PENDING, WalletSession.Status.OPENING),
        status=WalletSession.Status.FAILED,
        error=error[:2000],
        error_kind=error_kind,
        artifact_path=artifact_path,
        closed_at=timezone.now(),
    )


def session_mark_closed(*, session_id: Any) -> bool:
    return _finish(
        WalletSession,
        row_id=session_id,
        from_statuses=WalletSession.ACTIVE_STATUSES,
        status=WalletSession.Status.CLOSED,
        closed_at=timezone.now(),
    )


def session_mark_expired(*, session_id: Any) -> bool:
    return _finish(
        WalletSession,
        row_id=session_id,
        from_statuses=WalletSession.ACTIVE_STATUSES,
        status=WalletSession.Status.EXPIRED,
        closed_at=timezone.now(),
    )


def session_mark_lost(*, session_id: Any, error: str, error_kind: str = "browser_lost") -> bool:
    """The browser holding the session is gone (worker died, Chromium crashed); records session_lost."""
    changed = _finish(
        WalletSession,
        row_id=session_id,
        from_statuses=WalletSession.ACTIVE_STATUSES,
        status=WalletSession.Status.LOST,
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
        lost = {
            "error": "session was lost before this ran",
            "error_kind": "session_lost",
            "finished_at": timezone.now(),
        }
        Transaction.objects.filter(session_id=session_id, status=Transaction.Status.PENDING).update(
            status=Transaction.Status.FAILED, **lost
        )
        SignatureRequest.objects.filter(session_id=session_id, status=SignatureRequest.Status.PENDING).update(
            status=SignatureRequest.Status.FAILED, **lost
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


def signature_mark_signed(*, signature_id: Any, signature: str) -> bool:
    return _operation_update(
        SignatureRequest,
        row_id=signature_id,
        from_statuses=(SignatureRequest.Status.RUNNING,),
        final=True,
        status=SignatureRequest.Status.SIGNED,
        signature=signature,
    )


_SIGNATURE_OPEN = (SignatureRequest.Status.PENDING, SignatureRequest.Status.RUNNING)


def signature_mark_rejected(
    *, signature_id: Any, error: str, error_kind: str, artifact_path: str = ""
) -> bool:
    return _operation_end(
        SignatureRequest,
        row_id=signature_id,
        from_statuses=_SIGNATURE_OPEN,
        status=SignatureRequest.Status.REJECTED,
        error=error,
        error_kind=error_kind,
        artifact_path=artifact_path,
    )


def signature_mark_failed(*, signature_id: Any, error: str, error_kind: str, artifact_path: str = "") -> bool:
    return _operation_end(
        SignatureRequest,
        row_id=signature_id,
        from_statuses=_SIGNATURE_OPEN,
        status=SignatureRequest.Status.FAILED,
        error=error,
        error_kind=error_kind,
        artifact_path=artifact_path,
    )


def transaction_mark_submitted(*, transaction_id: Any, tx_hash: str) -> bool:
    now = timezone.now()
    return _operation_update(
        Transaction,
        row_id=transaction_id,
        from_statuses=(Transaction.Status.RUNNING,),
        final=False,
        status=Transaction.Status.SUBMITTED,
        tx_hash=tx_hash,
        submitted_at=now,
    )


def transaction_mark_mined(
    *, transaction_id: Any, block_number: int, receipt_status: int, gas_used: int
) -> bool:
    """Receipt arrived: confirmed when receipt_status == 1, reverted otherwise."""
    return _operation_update(
        Transaction,
        row_id=transaction_id,
        from_statuses=(Transaction.Status.RUNNING, Transaction.Status.SUBMITTED),
        final=True,
        status=Transaction.Status.CONFIRMED if receipt_status == 1 else Transaction.Status.REVERTED,
        block_number=block_number,
        receipt_status=receipt_status,
        gas_used=gas_used,
    )


def transaction_mark_rejected(
    *, transaction_id: Any, error: str, error_kind: str, artifact_path: str = ""
) -> bool:
    return _operation_end(
        Transaction,
        row_id=transaction_id,
        from_statuses=(Transaction.Status.PENDING, Transaction.Status.RUNNING),
        status=Transaction.Status.REJECTED,
        error=error,
        error_kind=error_kind,
        artifact_path=artifact_path,
    )


def transaction_mark_failed(
    *, transaction_id: Any, error: str, error_kind: str, artifact_path: str = ""
) -> bool:
    return _operation_end(
        Transaction,
        row_id=transaction_id,
        from_statuses=(Transaction.Status.PENDING, Transaction.Status.RUNNING, Transaction.Status.SUBMITTED),
        status=Transaction.Status.FAILED,
        error=error,
        error_kind=error_kind,
        artifact_path=artifact_path,
    )


# --- worker heartbeat -----------------------------------------------------------------------------------
def browser_worker_heartbeat(
    *, hostname: str, sessions_open: int, browsers_running: int, rss_bytes: int
) -> None:
    BrowserWorker.objects.update_or_create(
        hostname=hostname,
        defaults={
            "last_seen": timezone.now(),
            "sessions_open": sessions_open,
            "browsers_running": browsers_running,
            "rss_bytes": rss_bytes,
        },
    )


def browser_worker_remove(*, hostname: str) -> None:
    BrowserWorker.objects.filter(hostname=hostname).delete()
