"""Crashes with real processes: the worker's pool child is SIGKILLed while a transaction waits for its
confirmation (nothing clicked yet), after Confirm before its hash reached the database, or while it waits
for its receipt. The message is redelivered and the row is never sent again: settled from the chain (by
hash, else by the nonce recorded before sending), or failed once the chain shows that nonce unused on a
session that ended."""

from __future__ import annotations

import pytest

from metamask_service.devstack import Anvil, StaticServer
from tests.e2e.conftest import Worker, poll
from tests.e2e.test_wallet_flow import RECIPIENT, fresh_session
from tests.support.holding_rpc import HoldingRpc
from tests.support.polling import until
from wallets import execution
from wallets.models import Transaction

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_worker_killed_while_waiting_for_the_receipt_settles_from_the_chain_and_sends_once(
    worker: Worker, anvil_chain: Anvil, dapp_server: StaticServer
) -> None:
    account, flow, sid = fresh_session(anvil_chain, dapp_server.url)
    anvil_chain.rpc("evm_setAutomine", [False])  # the transaction stays pending until the block below
    try:
        accepted = flow.call(
            "post", f"/sessions/{sid}/transactions/", {"to": RECIPIENT, "value_wei": str(10**15)}, 202
        )
        detail = f"/sessions/{sid}/transactions/{accepted['id']}/"
        submitted = poll(
            lambda: flow.call("get", detail),
            done=lambda b: b["status"] != "pending" and b["status"] != "running",
            timeout=150,
        )
        assert submitted["status"] == "submitted", submitted
        dead = worker.pool_child()
        dead.kill()
        lost = poll(
            lambda: flow.call("get", f"/sessions/{sid}/"), done=lambda b: b["status"] != "ready", timeout=60
        )
        assert lost["status"] == "lost", lost
        assert flow.call("get", detail)["status"] == "submitted"  # redelivered: waiting on the chain again
        anvil_chain.rpc("evm_mine", [])
        settled = poll(
            lambda: flow.call("get", detail), done=lambda b: b["status"] != "submitted", timeout=60
        )
    finally:
        anvil_chain.rpc("evm_setAutomine", [True])
    assert (settled["status"], settled["tx_hash"]) == ("confirmed", submitted["tx_hash"]), settled
    assert int(anvil_chain.rpc("eth_getTransactionCount", [account.address, "latest"]), 16) == 1
    assert worker.pool_child().pid != dead.pid


def test_worker_killed_before_confirm_ends_failed_and_sends_nothing(
    worker: Worker, anvil_chain: Anvil, dapp_server: StaticServer
) -> None:
    """The session's RPC holds MetaMask's gas estimate for 30 s: the transaction is not shown yet, so
    nothing can have been clicked when the worker dies."""
    with HoldingRpc(anvil_chain.rpc_url, method="eth_estimateGas", hold="request") as rpc:
        account, flow, sid = fresh_session(anvil_chain, dapp_server.url, rpc_url=rpc.rpc_url)
        nonce_before = int(anvil_chain.rpc("eth_getTransactionCount", [account.address, "latest"]), 16)
        rpc.held.clear()  # opening the session may have estimated nothing; only the transfer's counts
        accepted = flow.call(
            "post", f"/sessions/{sid}/transactions/", {"to": RECIPIENT, "value_wei": str(10**15)}, 202
        )
        detail = f"/sessions/{sid}/transactions/{accepted['id']}/"
        until("MetaMask's gas estimate held", lambda: rpc.held.is_set(), 90)
        # The nonce is recorded before the request is fired, so it is there by now.
        assert Transaction.objects.get(id=accepted["id"]).nonce == nonce_before
        assert flow.call("get", detail)["status"] == "running"
        dead = worker.pool_child()
        dead.kill()
        interrupted = poll(
            lambda: flow.call("get", detail), done=lambda b: b["status"] != "running", timeout=90
        )
        assert (interrupted["status"], interrupted["error_kind"]) == ("unknown", "interrupted"), interrupted
        lost = poll(
            lambda: flow.call("get", f"/sessions/{sid}/"), done=lambda b: b["status"] != "ready", timeout=60
        )
        assert lost["status"] == "lost", lost
        # What the beat task does every 30 s, through the session's RPC (this proxy).
        execution.transactions_reconcile(older_than_seconds=0)
        settled = flow.call("get", detail)
    assert (settled["status"], settled["error_kind"], settled["tx_hash"]) == ("failed", "not_sent", ""), (
        settled
    )
    assert int(anvil_chain.rpc("eth_getTransactionCount", [account.address, "latest"]), 16) == nonce_before
    assert worker.pool_child().pid != dead.pid


def test_worker_killed_after_confirm_before_the_hash_was_stored_is_found_by_its_nonce(
    worker: Worker, anvil_chain: Anvil, dapp_server: StaticServer
) -> None:
    """The session's RPC passes the signed transaction to the chain and keeps its answer (the hash) for 30 s:
    the transaction is mined while the row still has no hash."""
    with HoldingRpc(anvil_chain.rpc_url, method="eth_sendRawTransaction", hold="result") as rpc:
        account, flow, sid = fresh_session(anvil_chain, dapp_server.url, rpc_url=rpc.rpc_url)
        nonce = int(anvil_chain.rpc("eth_getTransactionCount", [account.address, "latest"]), 16)
        accepted = flow.call(
            "post", f"/sessions/{sid}/transactions/", {"to": RECIPIENT, "value_wei": str(10**15)}, 202
        )
        detail = f"/sessions/{sid}/transactions/{accepted['id']}/"
        until("the signed transaction's answer held", lambda: rpc.held.is_set(), 90)
        assert int(anvil_chain.rpc("eth_getTransactionCount", [account.address, "latest"]), 16) == nonce + 1
        held = flow.call("get", detail)
        assert (held["status"], held["tx_hash"]) == ("running", ""), held
        dead = worker.pool_child()
        dead.kill()
        interrupted = poll(
            lambda: flow.call("get", detail), done=lambda b: b["status"] != "running", timeout=90
        )
        assert (interrupted["status"], interrupted["error_kind"]) == ("unknown", "interrupted"), interrupted
        execution.transactions_reconcile(older_than_seconds=0)  # what the beat task does every 30 s
        settled = flow.call("get", detail)
    assert settled["status"] == "confirmed", settled
    mined = anvil_chain.rpc("eth_getTransactionByHash", [settled["tx_hash"]])
    assert (int(mined["nonce"], 16), mined["from"].lower()) == (nonce, account.address.lower())
    assert int(anvil_chain.rpc("eth_getTransactionCount", [account.address, "latest"]), 16) == nonce + 1
