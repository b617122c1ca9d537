"""A network change on a ready session: add the network to MetaMask if it lacks it, then switch the dApp to
it, each screen checked against the request (execution/common.network_verifier)."""

from __future__ import annotations

import functools

from automation import WalletBrowser
from metamask_service.logging import log_context
from wallets import services
from wallets.execution.common import (
    LOG_EXTRA,
    Operation,
    Outcome,
    logger,
    maybe_restart,
    network_spec,
    network_verifier,
    not_claimed,
    operation_failed,
    run_on_session,
    step,
    timed,
)
from wallets.models import NetworkChange
from wallets.runtime import BrowserPool

ACTION = "network_change"


def network_change_execute(*, network_change_id: str, worker: str, browsers: BrowserPool) -> Outcome:
    row = NetworkChange.objects.select_related("session__wallet__owner").get(id=network_change_id)
    with log_context(session_id=str(row.session.id), component="worker"):
        return timed(ACTION, lambda: _execute(row, worker=worker, browsers=browsers))


def _execute(row: NetworkChange, *, worker: str, browsers: BrowserPool) -> Outcome:
    if not services.network_change_claim(network_change_id=row.id):
        # Where MetaMask stands after an interrupted change is unknown: the caller asks again (a change to
        # the network already selected costs nothing).
        return not_claimed(
            row,
            task="network_change_execute",
            what="change",
            mark_failed=functools.partial(services.network_change_mark_failed, network_change_id=row.id),
        )
    if (reason := services.network_change_policy_reason(row=row)) is not None:
        services.operation_mark_blocked(row=row, reason=reason, action=ACTION)
        logger.warning("network change blocked by policy: %s", reason, extra=LOG_EXTRA)
        return Outcome("blocked", "policy_blocked")
    op = Operation(
        row_id=row.id,
        session=row.session,
        action=ACTION,
        mark_rejected=functools.partial(services.network_change_mark_rejected, network_change_id=row.id),
        mark_failed=functools.partial(services.network_change_mark_failed, network_change_id=row.id),
        account=row.account,
    )
    return run_on_session(
        op, worker=worker, browsers=browsers, perform=lambda browser: _switch(op, row, browser)
    )


def _switch(op: Operation, row: NetworkChange, browser: WalletBrowser) -> Outcome:
    spec = network_spec(row.network)
    try:
        maybe_restart(row, browser)
        with step(row, "network", "ensure_network"):
            chain_id = browser.ensure_network(
                spec, verify=network_verifier(spec, dapp_origin=op.session.dapp_origin)
            )
    except Exception as exc:
        outcome = operation_failed(op, exc)
        _record_selected_chain(row, browser)
        return outcome
    services.network_change_mark_switched(network_change_id=row.id, chain_id=chain_id)
    return Outcome("switched")


def _record_selected_chain(row: NetworkChange, browser: WalletBrowser) -> None:
    """After a change that did not happen, the session's chain id is still what MetaMask has selected; read
    it back rather than assume (an approval may have been clicked before a later screen was refused)."""
    try:
        chain_id = browser.chain_id()
    except Exception:  # the browser may be the reason the change failed: the next request finds out
        logger.warning("network_change: could not read the selected chain back", extra=LOG_EXTRA)
        return
    services.session_set_chain_id(session_id=row.session_id, chain_id=chain_id)
    NetworkChange.objects.filter(id=row.id).update(chain_id=chain_id)
