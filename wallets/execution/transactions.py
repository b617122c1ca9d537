"""eth_sendTransaction on a ready session, then its outcome from the chain. A transaction that reached
`running` or `submitted` is never sent again.

The hash MetaMask returns through the browser is only a claim (wallets/chain.py): the worker records the
sender's nonce from the session's RPC before firing, and after Confirm takes the outcome from that RPC: the
claimed hash must be a transaction of the wallet that is exactly the request, else
the row's transaction is the one that consumed the recorded nonce. Whatever cannot be settled now ends
`unknown` and is reconciled later (transactions_reconcile, from the beat), never resent.
"""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from automation import AutomationTimeout, WalletBrowser
from automation.polling import wait_until
from metamask_service.logging import log_context
from wallets import audit, services
from wallets.actions import Action, Asked, SendTransaction, action_for
from wallets.chain import Chain, ChainReceipt, ChainUnavailable, chain_of_network, transaction_mismatch
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
from wallets.models import SecurityEvent, Transaction, WalletSession
from wallets.runtime import BrowserPool


def transaction_execute(*, transaction_id: str, worker: str, browsers: BrowserPool) -> Outcome:
    row = Transaction.objects.select_related("session__wallet__owner").get(id=transaction_id)
    with log_context(session_id=str(row.session.id), component="worker"):
        return timed("transaction", lambda: _execute(row, worker=worker, browsers=browsers))


def _execute(row: Transaction, *, worker: str, browsers: BrowserPool) -> Outcome:
    if not services.transaction_claim(transaction_id=row.id):
        return _redelivered(row)
    action = action_for(SendTransaction.key)
    if row.network is not None and _chain_id(row.network) != _chain_id(row.session.network):
        # Accepted on one network, run after the session moved to another: nothing is sent on either.
        services.transaction_mark_failed(
            transaction_id=row.id,
            error="the session moved to another network after this transaction was accepted; not sent",
            error_kind="network_changed",
        )
        return Outcome("failed", "network_changed")
    # The wallet's policy first: a blocked request never reaches MetaMask.
    if (reason := services.transaction_policy_reason(row=row)) is not None:
        services.operation_mark_blocked(row=row, reason=reason, action=action.name)
        logger.warning("transaction blocked by policy: %s", reason, extra=LOG_EXTRA)
        return Outcome("blocked", "policy_blocked")
    op = Operation(
        row_id=row.id,
        session=row.session,
        action=action.name,
        mark_rejected=functools.partial(services.transaction_mark_rejected, transaction_id=row.id),
        mark_failed=functools.partial(services.transaction_mark_failed, transaction_id=row.id),
        account=row.account,
    )
    return run_on_session(
        op, worker=worker, browsers=browsers, perform=lambda browser: _send(op, action, row, browser)
    )


def _chain_id(network: dict[str, Any] | None) -> int | None:
    return None if not network else int(network["chain_id"])


def chain_of(row: Transaction) -> Chain | None:
    """The RPC of the network the transaction was accepted on (rows from before network changes existed
    have none of their own: their session's)."""
    return chain_of_network(row.network or row.session.network)


def _redelivered(row: Transaction) -> Outcome:
    """Never sends again: a running row may have been confirmed before the worker died, so it is unknown
    until the chain says; a submitted one is settled from the chain (no browser needed)."""
    row.refresh_from_db()
    if row.status == Transaction.Status.RUNNING:
        services.transaction_mark_unknown(
            transaction_id=row.id,
            error="interrupted: the worker stopped while sending; not resent, reconciled from the chain",
            error_kind="interrupted",
        )
        return Outcome("interrupted")
    if row.status == Transaction.Status.SUBMITTED:
        chain = chain_of(row)
        if chain is None:
            return _unknown(row, "no_network", "no RPC to read the outcome from")
        return _settle(row, chain)
    logger.info("transaction_execute: transaction is %s; nothing to do", row.status, extra=LOG_EXTRA)
    return Outcome("skipped")


def _send(op: Operation, action: Action[Any, Any], row: Transaction, browser: WalletBrowser) -> Outcome:
    chain = chain_of(row)
    if chain is None:
        # Checked by the API too; nothing has been sent.
        op.mark_failed(error="the session has no network: no RPC to check the chain", error_kind="no_network")
        return Outcome("failed", "no_network")
    try:
        nonce = chain.nonce(row.sender)
    except ChainUnavailable as exc:
        op.mark_failed(error=str(exc), error_kind="chain_unavailable")
        return Outcome("failed", "chain_unavailable")
    services.transaction_record_nonce(transaction_id=row.id, nonce=nonce)
    row.nonce = nonce
    asked = Asked(row=row, session=op.session)
    try:
        maybe_restart(row, browser)
        with step(row, action.name, action.name):
            tx_hash = str(browser.request(action.request(asked), verify=action.verifier(asked)))
    except BaseException as exc:
        if browser.approved_in_last_request:
            # Confirm was clicked: it may be on its way. Never failed (that invites a second send).
            outcome = _unknown(row, "interrupted_after_confirm", f"after Confirm: {type(exc).__name__}")
            if not isinstance(exc, Exception):
                raise
            return outcome
        if not isinstance(exc, Exception):
            raise
        return operation_failed(op, exc)
    # Persisted before waiting: if the worker dies now, the hash is known and nothing is ever resent.
    services.transaction_mark_submitted(transaction_id=row.id, tx_hash=tx_hash)
    row.tx_hash = tx_hash
    logger.info("transaction submitted: %s", tx_hash, extra=LOG_EXTRA)
    return _settle(row, chain)


def _settle(row: Transaction, chain: Chain) -> Outcome:
    """The claimed hash's receipt from the chain, once its transaction is the request; else unknown."""
    timeout = float(settings.TX_RECEIPT_TIMEOUT_SECONDS)
    try:
        with step(row, "receipt", "wait_for_receipt"):
            receipt = wait_until(
                f"receipt of {row.tx_hash}",
                lambda: chain.receipt(row.tx_hash),
                timeout,
                interval=0.5,
                error=AutomationTimeout,
            )
    except ChainUnavailable as exc:
        return _unknown(row, "chain_unavailable", str(exc))
    except AutomationTimeout:
        return _unknown(row, "receipt_timeout", f"no receipt for {row.tx_hash} within {timeout:.0f}s")
    except Exception as exc:  # the soft time limit, a malformed hash the node refuses
        return _unknown(row, "receipt_" + type(exc).__name__, f"no receipt for {row.tx_hash}")
    reason = _not_the_request(row, chain)
    if reason is not None:
        _chain_mismatch(row, reason)
        return _unknown(row, "chain_mismatch", reason)
    return _mined(row, receipt)


def _not_the_request(row: Transaction, chain: Chain, tx_hash: str | None = None) -> str | None:
    tx = chain.transaction(tx_hash or row.tx_hash)
    if tx is None:
        return f"{tx_hash or row.tx_hash} is not a transaction on chain"
    mismatch = transaction_mismatch(
        tx,
        sender=row.sender,
        to=row.to,
        value_wei=int(row.value_wei),
        data=row.data,
        chain_id=row.session.chain_id,
        max_fee_per_gas=None if row.max_fee_per_gas_wei is None else int(row.max_fee_per_gas_wei),
        max_priority_fee_per_gas=(
            None if row.max_priority_fee_per_gas_wei is None else int(row.max_priority_fee_per_gas_wei)
        ),
    )
    if mismatch is None and row.nonce is not None and tx.nonce != row.nonce:
        mismatch = f"nonce on chain is {tx.nonce}, recorded before sending {row.nonce}"
    return mismatch


def _mined(row: Transaction, receipt: ChainReceipt, tx_hash: str | None = None) -> Outcome:
    services.transaction_mark_mined(
        transaction_id=row.id,
        block_number=receipt.block_number,
        receipt_status=receipt.status,
        gas_used=receipt.gas_used,
        tx_hash=tx_hash,
    )
    return Outcome("confirmed" if receipt.status == 1 else "reverted")


def _unknown(row: Transaction, kind: str, detail: str) -> Outcome:
    services.transaction_mark_unknown(transaction_id=row.id, error=detail, error_kind=kind)
    logger.warning("transaction outcome unknown: %s", kind, extra=LOG_EXTRA)
    return Outcome("unknown", kind)


def _chain_mismatch(row: Transaction, reason: str) -> None:
    audit.security_event_record(
        kind=SecurityEvent.Kind.CHAIN_MISMATCH,
        severity=SecurityEvent.Severity.CRITICAL,
        actor=row.session.wallet.owner,
        session=row.session,
        details={"request_id": str(row.id), "tx_hash": row.tx_hash, "reason": reason[:500]},
    )


# --- reconciliation (beat) ----------------------------------------------------------------------------------
def transactions_reconcile(*, older_than_seconds: float = 10.0) -> dict[str, int]:
    """Settles `unknown` rows from the chain: the recorded hash when it is the request, else the mined
    transaction that consumed the recorded nonce. A nonce consumed by something else fails the row (its
    request was not sent with it); a nonce not yet consumed leaves it unknown while its session's browser
    could still send it, and fails it (not_sent) once the session has ended and no node saw it pending."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    counts = {"confirmed": 0, "reverted": 0, "failed": 0, "unknown": 0}
    rows = Transaction.objects.select_related("session__wallet__owner").filter(
        status=Transaction.Status.UNKNOWN, updated_at__lte=cutoff
    )
    for row in rows:
        chain = chain_of(row)
        outcome = "unknown"
        if chain is not None:
            try:
                outcome = _reconcile(row, chain)
            except ChainUnavailable:
                outcome = "unknown"
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _reconcile(row: Transaction, chain: Chain) -> str:
    if row.tx_hash and (receipt := chain.receipt(row.tx_hash)) and _not_the_request(row, chain) is None:
        return _mined(row, receipt).outcome
    if row.nonce is None:
        return "unknown"
    sender = row.sender
    if chain.nonce(sender, "latest") <= row.nonce:
        if row.session.status in WalletSession.FINAL_STATUSES and chain.nonce(sender, "pending") <= row.nonce:
            # The session's browser is gone with its profile, so nothing can send this any more, and the
            # node has not even seen it pending: it was never sent.
            services.transaction_mark_failed(
                transaction_id=row.id,
                error="not sent: the session ended and the nonce recorded before sending was never used",
                error_kind="not_sent",
            )
            return "failed"
        return "unknown"  # not consumed yet: MetaMask may still send it
    found = chain.find_by_nonce(sender, row.nonce)
    if found is None:
        return "unknown"
    if (reason := _not_the_request(row, chain, found)) is not None:
        _chain_mismatch(row, f"nonce {row.nonce} went to {found}: {reason}")
        services.transaction_mark_failed(
            transaction_id=row.id,
            error=f"not sent: the nonce recorded before sending went to another transaction ({reason})",
            error_kind="nonce_taken",
        )
        return "failed"
    receipt = chain.receipt(found)
    return _mined(row, receipt, tx_hash=found).outcome if receipt else "unknown"
