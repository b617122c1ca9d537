"""The worker's side of a flow that needs the database: the session's context for the checks, what the
chain says the flow sent, and the error a flow that did not do all it was asked ends with."""

from __future__ import annotations

import contextlib
from typing import Any

from automation import AutomationError
from automation.polling import wait_until
from wallets import audit, services
from wallets.chain import Chain, ChainReceipt, ChainTransaction
from wallets.flows import FlowContext
from wallets.models import SecurityEvent, SessionCommand
from wallets.services.policies import spent_24h, wallet_policy


class FlowIncomplete(AutomationError):
    """A step failed, the page left the origin, the time limit passed, or an expectation was unmet. The
    flow's result goes with it: the command keeps it, failed."""

    def __init__(self, result: dict[str, Any]) -> None:
        super().__init__(str(result["error"]))
        self.kind = str(result["error_kind"] or "flow_incomplete")
        self.result = result


def session_context(row: SessionCommand) -> FlowContext:
    session = row.session
    network = session.network or {}
    return FlowContext(
        dapp_origin=str(session.dapp_origin),
        chain_id=session.chain_id,
        network_name=str(network["name"]) if network.get("name") else None,
        currency_symbol=str(network.get("currency_symbol") or "ETH"),
        policy=wallet_policy(wallet=session.wallet),
        own_addresses=(session.active_account, str(session.wallet.address)),
        spent_24h_wei=spent_24h(wallet=session.wallet, exclude_id=row.id),
    )


def chain_sent(
    chain: Chain, address: str, start_nonce: int, *, approved: int, timeout: float
) -> list[tuple[ChainTransaction, ChainReceipt | None]]:
    """Every transaction of ``address`` from ``start_nonce`` (its pending nonce before the flow) up to its
    pending nonce now, once the ``approved`` ones are mined (or ``timeout`` passed), each with its receipt:
    read from the session's RPC, not from the page or MetaMask's provider."""
    # What is not mined by then is listed as far as the chain has it.
    with contextlib.suppress(AutomationError):
        wait_until(
            "the flow's transactions mined",
            lambda: chain.nonce(address, "latest") >= start_nonce + approved,
            timeout,
            interval=0.25,
        )
    found = []
    for nonce in range(start_nonce, chain.nonce(address, "pending")):
        tx_hash = chain.find_by_nonce(address, nonce, lookback_blocks=256)
        tx = chain.transaction(tx_hash) if tx_hash else None
        if tx is not None:
            found.append((tx, chain.receipt(tx.tx_hash)))
    return found


def record_unapproved(
    row: SessionCommand, result: dict[str, Any], *, networks_met: list[dict[str, Any]]
) -> None:
    """The session's chain as MetaMask has it after the flow (its network, where one of the flow's met
    network expectations, ``networks_met``, moved it there), and a chain_mismatch event when the chain
    holds more transactions from the account since the flow began than the flow approved (another sender of
    this wallet, or worse)."""
    session = row.session
    chain_id = result.get("chain_id")
    if chain_id is not None:
        moved = [e for e in networks_met if e["chain_id"] == chain_id]
        if moved:
            network = {k: moved[-1][k] for k in ("chain_id", "rpc_url", "name", "currency_symbol")}
            services.session_set_network(session_id=session.id, network=network, chain_id=chain_id)
        elif chain_id != session.chain_id:
            services.session_set_chain_id(session_id=session.id, chain_id=chain_id)
    reasons = list(result["chain_mismatches"])
    if result["unapproved_transactions"]:
        count = result["unapproved_transactions"]
        reasons.append(
            f"{count} transaction(s) from the account since the flow began were not approved by it"
        )
    for reason in reasons:
        audit.security_event_record(
            kind=SecurityEvent.Kind.CHAIN_MISMATCH,
            severity=SecurityEvent.Severity.CRITICAL,
            actor=session.wallet.owner,
            session=session,
            details={
                "action": "flow",
                "request_id": str(row.id),
                "reason": reason[:500],
                "transactions": [t["tx_hash"] for t in result["transactions"]],
            },
        )
