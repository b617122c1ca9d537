"""A hostile dApp page that lies about results (forge.html): from its second transaction on it answers with
the hash of the first. Through the real API and worker, the lie is caught on the chain, recorded, and the
row settled by reconciliation with the hash of what MetaMask really sent; nothing is sent twice."""

from __future__ import annotations

import pytest

from metamask_service.devstack import Anvil, StaticServer
from tests.e2e.conftest import Worker
from tests.e2e.test_wallet_flow import RECIPIENT, fresh_session
from wallets import execution
from wallets.models import SecurityEvent

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_forged_transaction_hash_is_caught_on_chain_and_reconciled(
    worker: Worker, anvil_chain: Anvil, tamper_server: StaticServer
) -> None:
    account, flow, sid = fresh_session(anvil_chain, tamper_server.url + "forge.html")

    first = flow.send(sid, RECIPIENT, 10**15)
    assert first["status"] == "confirmed", first
    second = flow.send(sid, RECIPIENT, 2 * 10**15)
    # The page answered with the first hash: a real transaction of this wallet, but not this request.
    assert (second["status"], second["error_kind"]) == ("unknown", "chain_mismatch"), second
    assert second["tx_hash"] == first["tx_hash"]
    event = SecurityEvent.objects.get(session_id=sid, kind=SecurityEvent.Kind.CHAIN_MISMATCH)
    assert "value" in event.details["reason"]

    assert execution.transactions_reconcile(older_than_seconds=0)["confirmed"] == 1
    settled = flow.call("get", f"/sessions/{sid}/transactions/{second['id']}/")
    assert settled["status"] == "confirmed", settled
    assert settled["tx_hash"] != first["tx_hash"]
    on_chain = anvil_chain.rpc("eth_getTransactionByHash", [settled["tx_hash"]])
    assert (on_chain["from"].lower(), int(on_chain["value"], 16)) == (account.address.lower(), 2 * 10**15)
    # Exactly the two requested transactions left the wallet.
    assert int(anvil_chain.rpc("eth_getTransactionCount", [account.address, "latest"]), 16) == 2
    flow.close(sid)
