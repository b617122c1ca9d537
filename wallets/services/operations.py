"""Signature requests and transactions: created by the API on a ready session, claimed and finished by the
browser worker. Every status change goes through the models' TRANSITIONS (services/transitions.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone

from wallets import dispatch
from wallets.exceptions import NetworkRequired, ValidationFailed
from wallets.models import NetworkChange, SessionCommand, SignatureRequest, Transaction, WalletSession
from wallets.selectors import session_get_for_user
from wallets.services.sessions import session_lock_ready
from wallets.services.transitions import transition_one
from wallets.signin import sign_in_message

UserLike = AbstractBaseUser | AnonymousUser
SQLITE_DECIMAL_DIGITS = 15  # what Django's SQLite backend keeps of a DecimalField
Operation = SignatureRequest | Transaction | NetworkChange | SessionCommand


# --- API side -------------------------------------------------------------------------------------------
def signature_request_create(
    *, user: UserLike, session_id: Any, method: str, payload: Any, ip: str | None = None
) -> SignatureRequest:
    owned = session_get_for_user(user=user, session_id=session_id, ip=ip)
    with transaction.atomic():
        session = session_lock_ready(session=owned)
        if method == SignatureRequest.Method.SIGN_IN:
            payload = _sign_in_message(session, payload)
        request = SignatureRequest.objects.create(
            session=session,
            method=method,
            payload=payload,
            account=session.active_account,
            task_id=dispatch.new_task_id(),
        )
        dispatch.signature_execute_enqueue(signature_request=request, created_with_id=True)
    return request


def _sign_in_message(session: WalletSession, fields: dict[str, Any]) -> str:
    """The EIP-4361 text for the caller's fields, built once, when the request is accepted: what is signed
    is what the detail returns, whenever the worker gets to it."""
    chain_id = session.chain_id or (session.network or {}).get("chain_id")
    if chain_id is None:
        raise NetworkRequired("A sign-in names the chain: open the session with a network")
    return sign_in_message(
        fields,
        dapp_url=str(session.dapp_url),
        address=session.active_account,
        chain_id=int(chain_id),
        issued_at=timezone.now(),
    )


def transaction_request_create(
    *,
    user: UserLike,
    session_id: Any,
    to: str,
    value_wei: int,
    data: str = "",
    gas: int | None = None,
    max_fee_per_gas_wei: int | None = None,
    max_priority_fee_per_gas_wei: int | None = None,
    ip: str | None = None,
) -> Transaction:
    owned = session_get_for_user(user=user, session_id=session_id, ip=ip)
    with transaction.atomic():
        session = session_lock_ready(session=owned)
        if not (session.network or {}).get("rpc_url"):
            raise NetworkRequired()
        if connection.vendor == "sqlite" and len(str(value_wei).rstrip("0")) > SQLITE_DECIMAL_DIGITS:
            # SQLite reads decimals back through a float: the worker would send another amount.
            raise ValidationFailed(
                f"value_wei has more than {SQLITE_DECIMAL_DIGITS} significant digits, which the embedded "
                "SQLite mode cannot keep exactly; use PostgreSQL (DATABASE_URL)"
            )
        if (
            max_fee_per_gas_wei is not None
            and max_priority_fee_per_gas_wei is not None
            and max_priority_fee_per_gas_wei > max_fee_per_gas_wei
        ):
            raise ValidationFailed("max_priority_fee_per_gas_wei cannot exceed max_fee_per_gas_wei")
        row = Transaction.objects.create(
            session=session,
            account=session.active_account,
            network=session.network,
            to=to,
            value_wei=Decimal(value_wei),
            data=data,
            gas=gas,
            max_fee_per_gas_wei=None if max_fee_per_gas_wei is None else Decimal(max_fee_per_gas_wei),
            max_priority_fee_per_gas_wei=(
                None if max_priority_fee_per_gas_wei is None else Decimal(max_priority_fee_per_gas_wei)
            ),
            task_id=dispatch.new_task_id(),
        )
        dispatch.transaction_execute_enqueue(transaction_row=row, created_with_id=True)
    return row


# --- worker side ----------------------------------------------------------------------------------------
def operation_claim(model: type[Operation], *, row_id: Any) -> bool:
    """A redelivered task finds the row no longer pending and does nothing."""
    return transition_one(
        model, row_id=row_id, to=model.Status.RUNNING, claimed_at=timezone.now(), attempts=F("attempts") + 1
    )


def signature_request_claim(*, signature_id: Any) -> bool:
    return operation_claim(SignatureRequest, row_id=signature_id)


def transaction_claim(*, transaction_id: Any) -> bool:
    return operation_claim(Transaction, row_id=transaction_id)


def progress_append(*, row: WalletSession | Operation, step: str, ok: bool, seconds: float) -> None:
    """Appends {step, ok, seconds, at} to row.progress (row lock, so concurrent appends are not lost)."""
    model: type[models.Model] = type(row)
    with transaction.atomic():
        locked = model._default_manager.select_for_update().only("id", "progress").get(pk=row.pk)
        entry = {"step": step, "ok": ok, "seconds": round(seconds, 3), "at": timezone.now().isoformat()}
        progress = [*locked.progress, entry]  # type: ignore[attr-defined]
        model._default_manager.filter(pk=row.pk).update(progress=progress)
    row.progress = progress


def operation_end(
    model: type[Operation], *, row_id: Any, to: str, error: str, error_kind: str, artifact_path: str
) -> bool:
    return transition_one(
        model, row_id=row_id, to=to, error=error[:2000], error_kind=error_kind, artifact_path=artifact_path
    )


def signature_mark_signed(*, signature_id: Any, signature: str) -> bool:
    return transition_one(
        SignatureRequest, row_id=signature_id, to=SignatureRequest.Status.SIGNED, signature=signature
    )


def signature_mark_rejected(
    *, signature_id: Any, error: str, error_kind: str, artifact_path: str = ""
) -> bool:
    return operation_end(
        SignatureRequest,
        row_id=signature_id,
        to=SignatureRequest.Status.REJECTED,
        error=error,
        error_kind=error_kind,
        artifact_path=artifact_path,
    )


def signature_mark_failed(*, signature_id: Any, error: str, error_kind: str, artifact_path: str = "") -> bool:
    return operation_end(
        SignatureRequest,
        row_id=signature_id,
        to=SignatureRequest.Status.FAILED,
        error=error,
        error_kind=error_kind,
        artifact_path=artifact_path,
    )


def transaction_mark_submitted(*, transaction_id: Any, tx_hash: str) -> bool:
    return transition_one(
        Transaction,
        row_id=transaction_id,
        to=Transaction.Status.SUBMITTED,
        tx_hash=tx_hash,
        submitted_at=timezone.now(),
    )


def transaction_record_nonce(*, transaction_id: Any, nonce: int) -> bool:
    """The sender's nonce, recorded while the row is running and before the request is fired."""
    return bool(
        Transaction.objects.filter(id=transaction_id, status=Transaction.Status.RUNNING).update(
            nonce=nonce, updated_at=timezone.now()
        )
    )


def transaction_mark_mined(
    *,
    transaction_id: Any,
    block_number: int,
    receipt_status: int,
    gas_used: int,
    tx_hash: str | None = None,
) -> bool:
    """The chain's receipt: confirmed when receipt_status == 1, reverted otherwise. ``tx_hash`` when
    reconciliation found the row's transaction under another hash than the one recorded."""
    values: dict[str, Any] = {
        "block_number": block_number,
        "receipt_status": receipt_status,
        "gas_used": gas_used,
    }
    if tx_hash is not None:
        values["tx_hash"] = tx_hash
    return transition_one(
        Transaction,
        row_id=transaction_id,
        to=Transaction.Status.CONFIRMED if receipt_status == 1 else Transaction.Status.REVERTED,
        **values,
    )


def transaction_mark_unknown(*, transaction_id: Any, error: str, error_kind: str) -> bool:
    """Confirm may have been clicked and the outcome is not known: kept for reconciliation, never resent."""
    return transition_one(
        Transaction,
        row_id=transaction_id,
        to=Transaction.Status.UNKNOWN,
        error=error[:2000],
        error_kind=error_kind,
    )


def transaction_mark_rejected(
    *, transaction_id: Any, error: str, error_kind: str, artifact_path: str = ""
) -> bool:
    return operation_end(
        Transaction,
        row_id=transaction_id,
        to=Transaction.Status.REJECTED,
        error=error,
        error_kind=error_kind,
        artifact_path=artifact_path,
    )


def transaction_mark_failed(
    *, transaction_id: Any, error: str, error_kind: str, artifact_path: str = ""
) -> bool:
    return operation_end(
        Transaction,
        row_id=transaction_id,
        to=Transaction.Status.FAILED,
        error=error,
        error_kind=error_kind,
        artifact_path=artifact_path,
    )
