"""personal_sign and eth_signTypedData_v4 on a ready session; the signature is checked before it is kept."""

from __future__ import annotations

import functools

from automation import WalletBrowser
from metamask_service.logging import log_context
from wallets import services
from wallets.actions import Asked, SignatureAction, action_for
from wallets.execution.common import (
    LOG_EXTRA,
    Operation,
    Outcome,
    logger,
    maybe_restart,
    not_claimed,
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
        return not_claimed(  # signed or not is unknown after an interruption: never retried
            row,
            task="signature_execute",
            what="request",
            mark_failed=functools.partial(services.signature_mark_failed, signature_id=row.id),
        )
    action = action_for(row.method)
    assert isinstance(action, SignatureAction), row.method
    # The wallet's policy first: a blocked request never reaches MetaMask.
    if (reason := services.signature_policy_reason(row=row)) is not None:
        services.operation_mark_blocked(row=row, reason=reason, action=action.name)
        logger.warning("signature blocked by policy: %s", reason, extra=LOG_EXTRA)
        return Outcome("blocked", "policy_blocked")
    op = Operation(
        row_id=row.id,
        session=row.session,
        action=action.name,
        mark_rejected=functools.partial(services.signature_mark_rejected, signature_id=row.id),
        mark_failed=functools.partial(services.signature_mark_failed, signature_id=row.id),
        account=row.account,
    )
    return run_on_session(
        op, worker=worker, browsers=browsers, perform=lambda browser: _sign(op, action, row, browser)
    )


def _sign(op: Operation, action: SignatureAction, row: SignatureRequest, browser: WalletBrowser) -> Outcome:
    asked = Asked(row=row, session=op.session)
    try:
        maybe_restart(row, browser)
        with step(row, action.name, action.name):
            signature = str(browser.request(action.request(asked), verify=action.verifier(asked)))
    except Exception as exc:
        return operation_failed(op, exc)
    # What came back through the browser is a claim: the signature must sign the requested payload.
    if not _signed_by(action, asked, signature, asked.address):
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


def _signed_by(action: SignatureAction, asked: Asked[SignatureRequest], signature: str, address: str) -> bool:
    try:
        return bool(action.signer(asked, signature).lower() == address.lower())
    except Exception:  # a malformed signature is a mismatch too
        return False
