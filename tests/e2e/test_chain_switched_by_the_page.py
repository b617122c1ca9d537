"""Network changes through the API, and a hostile page that uses them: once the caller has added a second
network (so it is permitted for the origin) and switched back, switch-chain.html switches the origin to the
second chain on its own, which MetaMask allows without an approval. The caller's next transfer, asked for
the session's chain, must be refused and recorded, and neither chain may see anything from the wallet."""

from __future__ import annotations

import json

import pytest

from metamask_service.devstack import Anvil, StaticServer
from tests.e2e.conftest import Worker
from tests.e2e.test_wallet_flow import RECIPIENT, fresh_session
from tests.support.chain_fixtures import ANVIL_MNEMONIC
from tests.support.polling import until
from wallets.models import SecurityEvent

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_chain_the_page_switched_to_gets_nothing_and_the_transfer_is_refused(
    worker: Worker, anvil_chain: Anvil, tamper_server: StaticServer
) -> None:
    with Anvil(chain_id=31390, mnemonic=ANVIL_MNEMONIC) as other_chain:
        account, flow, sid = fresh_session(anvil_chain, tamper_server.url + "switch-chain.html")
        other_chain.rpc("anvil_setBalance", [account.address, hex(10**19)])
        first = flow.call("get", f"/sessions/{sid}/")["network"]
        other = {"chain_id": 31390, "rpc_url": other_chain.rpc_url, "name": "Other Anvil"}

        added = flow.change_network(sid, other)
        assert (added["status"], added["chain_id"]) == ("switched", 31390), added
        print(f"network change: {json.dumps(added)}")  # README's example, with -s
        session = flow.call("get", f"/sessions/{sid}/")
        assert (session["chain_id"], session["network"]["rpc_url"]) == (31390, other_chain.rpc_url)
        back = flow.change_network(sid, first)
        assert (back["status"], back["chain_id"]) == ("switched", 31337), back
        assert flow.call("get", f"/sessions/{sid}/")["chain_id"] == 31337

        until("the page switching the chain", lambda: "/switch-chain-fired" in tamper_server.served, 30)
        nonces = [
            c.rpc("eth_getTransactionCount", [account.address, "latest"]) for c in (anvil_chain, other_chain)
        ]
        refused = flow.send(sid, RECIPIENT, 10**15)
        assert (refused["status"], refused["error_kind"]) == ("rejected", "policy_rejected"), refused
        assert "chain 31390" in refused["error"]
        [event] = SecurityEvent.objects.filter(session_id=sid, kind=SecurityEvent.Kind.POLICY_REJECTED)
        assert event.details["request_id"] == refused["id"]
        after = [
            c.rpc("eth_getTransactionCount", [account.address, "latest"]) for c in (anvil_chain, other_chain)
        ]
        assert after == nonces == ["0x0", "0x0"]
        flow.close(sid)
