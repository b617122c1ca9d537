"""eth_sendTransaction on a ready session, then its receipt. A transaction that reached `running` or
`submitted` is never sent again."""

from __future__ import annotations

import functools
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from automation import WalletBrowser
from metamask_service.logging import log_context
from wallets import services
from wallets.actions import Action, Asked, SendTransaction, action_for
from wallets.execution.common import (
    LOG_EXTRA,
    Operation,
    Outcome,
    error_text,
    logger,
    maybe_restart,
    operation_failed,
    run_on_session,
    step,
    timed,
)
from wallets.models import Transaction
from wallets.runtime import BrowserPool


def transaction_execute(*, transaction_id: str, worker: str, browsers: BrowserPool) -> Outcome:
    row = Transaction.objects.select_related("session__wallet__owner").get(id=transaction_id)
    with log_context(session_id=str(row.session.id), component="worker"):
        return timed("transaction", lambda: _execute(row, worker=worker, browsers=browsers))


def _execute(row: Transaction, *, worker: str, browsers: BrowserPool) -> Outcome:
    if not services.transaction_claim(transaction_id=row.id):
        return _redelivered(row, browsers)
    action = action_for(SendTransaction.key)
    op = Operation(
        row_id=row.id,
        session=row.session,
        action=action.name,
        mark_rejected=functools.partial(services.transaction_mark_rejected, transaction_id=row.id),
        mark_failed=functools.partial(services.transaction_mark_failed, transaction_id=row.id),
    )
    return run_on_session(
        op, worker=worker, browsers=browsers, perform=lambda browser: _send(op, action, row, browser)
    )


def _redelivered(row: Transaction, browsers: BrowserPool) -> Outcome:
    """Never sends again. A submitted transaction still gets its receipt if its browser is here."""
    row.refresh_from_db()
    if row.status == Transaction.Status.RUNNING:
        services.transaction_mark_failed(
            transaction_id=row.id,
            error="interrupted: the worker stopped while sending; not resent (check the chain first)",
            error_kind="interrupted",
        )
        return Outcome("interrupted")
    if row.status == Transaction.Status.SUBMITTED:
        browser = browsers.get(row.session_id)
        if browser is None:
            services.transaction_mark_failed(
                transaction_id=row.id,
                error=f"submitted as {row.tx_hash}, but the receipt could not be awaited (browser gone)",
                error_kind="receipt_unknown",
            )
            return Outcome("failed", "receipt_unknown")
        return _await_receipt(row, browser)
    logger.info("transaction_execute: transaction is %s; nothing to do", row.status, extra=LOG_EXTRA)
    return Outcome("skipped")


def _send(op: Operation, action: Action[Any, Any], row: Transaction, browser: WalletBrowser) -> Outcome:
    asked = Asked(row=row, session=op.session)
    try:
        maybe_restart(row, browser)
        with step(row, action.name, action.name):
            tx_hash = str(browser.request(action.request(asked), verify=action.verifier(asked)))
    except Exception as exc:
        return operation_failed(op, exc)
    # Persisted before waiting: if the worker dies now, the hash is known and nothing is ever resent.
    services.transaction_mark_submitted(transaction_id=row.id, tx_hash=tx_hash)
    row.tx_hash = tx_hash
    logger.info("transaction submitted: %s", tx_hash, extra=LOG_EXTRA)
    return _await_receipt(row, browser)


def _await_receipt(row: Transaction, browser: WalletBrowser) -> Outcome:
    timeout = float(settings.TX_RECEIPT_TIMEOUT_SECONDS)
    try:
        with step(row, "receipt", "wait_for_receipt"):
            receipt = browser.wait_for_receipt(row.tx_hash, timeout=timeout)
    except Exception as exc:
        kind = getattr(exc, "kind", "timeout" if isinstance(exc, SoftTimeLimitExceeded) else "unexpected")
        services.transaction_mark_failed(
            transaction_id=row.id,
            error=f"submitted as {row.tx_hash}; no receipt: {error_text(exc)}",
            error_kind="receipt_" + str(kind),
            artifact_path=getattr(exc, "artifact_path", None) or "",
        )
        return Outcome("failed", "receipt_" + str(kind))
    services.transaction_mark_mined(
        transaction_id=row.id,
        block_number=receipt.block_number,
        receipt_status=receipt.status,
        gas_used=receipt.gas_used,
    )
    return Outcome("confirmed" if receipt.status == 1 else "reverted")
