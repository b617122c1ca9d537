"""personal_sign and eth_signTypedData_v4 on a ready session; the signature is checked before it is kept."""

from __future__ import annotations

import functools

from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data

from automation import DisplayedSignature, WalletBrowser
from metamask_service.logging import log_context
from wallets import services, verification
from wallets.execution.common import (
    LOG_EXTRA,
    Operation,
    Outcome,
    logger,
    maybe_restart,
    operation_failed,
    run_on_session,
    step,
    timed,
)
from wallets.models import SecurityEvent, SignatureRequest
from wallets.runtime import BrowserPool


def signature_execute(*, signature_id: str, worker: str, browsers: BrowserPool) -> Outcome:
    row = SignatureRequest.objects.select_related("session__wallet__owner").get(id=signature_id)
    with log_context(session_id=str(row.session.id), component="worker"):
        return timed(f"signature_{row.method}", lambda: _execute(row, worker=worker, browsers=browsers))


def _execute(row: SignatureRequest, *, worker: str, browsers: BrowserPool) -> Outcome:
    if not services.signature_request_claim(signature_id=row.id):
        row.refresh_from_db()
        if row.status == SignatureRequest.Status.RUNNING:
            # Redelivered after the worker died mid-request: signed or not is unknown; never retry.
            services.signature_mark_failed(
                signature_id=row.id,
                error="interrupted: the worker stopped while this request was running; not retried",
                error_kind="interrupted",
            )
            return Outcome("interrupted")
        logger.info("signature_execute: request is %s; nothing to do", row.status, extra=LOG_EXTRA)
        return Outcome("skipped")
    op = Operation(
        row_id=row.id,
        session=row.session,
        action="personal_sign"
        if row.method == SignatureRequest.Method.PERSONAL_SIGN
        else "sign_typed_data_v4",
        mark_rejected=functools.partial(services.signature_mark_rejected, signature_id=row.id),
        mark_failed=functools.partial(services.signature_mark_failed, signature_id=row.id),
    )
    return run_on_session(
        op, worker=worker, browsers=browsers, perform=lambda browser: _sign(op, row, browser)
    )


def _sign(op: Operation, row: SignatureRequest, browser: WalletBrowser) -> Outcome:
    wallet = op.session.wallet
    origin = op.session.dapp_origin
    try:
        maybe_restart(row, browser)
        with step(row, op.action, op.action):
            if row.method == SignatureRequest.Method.PERSONAL_SIGN:
                message = str(row.payload)
                signature = browser.personal_sign(
                    message,
                    address=wallet.address,
                    verify=verification.verifier(
                        DisplayedSignature,
                        lambda shown: verification.personal_sign_reason(
                            shown, message=message, dapp_origin=origin
                        ),
                    ),
                )
            else:
                typed = dict(row.payload)
                signature = browser.sign_typed_data_v4(
                    typed,
                    address=wallet.address,
                    verify=verification.verifier(
                        DisplayedSignature,
                        lambda shown: verification.typed_data_reason(
                            shown, typed_data=typed, dapp_origin=origin, own_addresses=[wallet.address]
                        ),
                    ),
                )
    except Exception as exc:
        return operation_failed(op, exc)
    # The dApp page could have changed the request between our call and MetaMask; the signature tells.
    if not _signature_recovers(row, signature, wallet.address):
        op.mark_failed(
            error="the signature returned does not sign the requested payload; it was discarded",
            error_kind="signature_mismatch",
        )
        op.security_event(
            SecurityEvent.Kind.POLICY_REJECTED,
            reason="signature does not match the request",
            severity=SecurityEvent.Severity.CRITICAL,
        )
        return Outcome("failed", "signature_mismatch")
    services.signature_mark_signed(signature_id=row.id, signature=signature)
    return Outcome("signed")


def _signature_recovers(row: SignatureRequest, signature: str, address: str) -> bool:
    if row.method == SignatureRequest.Method.PERSONAL_SIGN:
        message = encode_defunct(text=str(row.payload))
    else:
        message = encode_typed_data(full_message=row.payload)
    try:
        return bool(Account.recover_message(message, signature=signature).lower() == address.lower())
    except Exception:  # a malformed signature is a mismatch too
        return False
