"""A hostile dApp page leaves a confirmation pending (leave-pending.html); the next request through the API
must not approve it: the worker rejects it first, records it, and signs only what was asked."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from metamask_service.devstack import Anvil, StaticServer
from tests.e2e.conftest import Worker
from tests.e2e.test_wallet_flow import fresh_session
from tests.support.polling import until
from wallets.models import SecurityEvent

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_confirmation_the_page_left_pending_is_rejected_not_approved(
    worker: Worker, anvil_chain: Anvil, tamper_server: StaticServer
) -> None:
    account, flow, sid = fresh_session(anvil_chain, tamper_server.url + "leave-pending.html")
    # The page asks for its signature once it sees itself connected, then fetches a marker path.
    until(
        "the page asking for its own signature",
        lambda: "/leave-pending-fired" in tamper_server.served,
        30,
    )
    signature = flow.sign(sid, {"method": "personal_sign", "message": "What the caller asked"})
    assert signature["status"] == "signed", signature
    recovered = Account.recover_message(
        encode_defunct(text="What the caller asked"), signature=signature["signature"]
    )
    assert recovered == account.address
    [event] = SecurityEvent.objects.filter(session_id=sid, kind=SecurityEvent.Kind.POLICY_REJECTED)
    # Refused by the check before sending when MetaMask already had it on screen; when it showed up only
    # beside the caller's own (13.36 takes up to a second to show a request), refused for what it shows.
    # Either way it is refused and recorded, never approved.
    assert event.details["reason"] in (
        "left pending before personal_sign was sent",
        "the message MetaMask shows differs from the requested message",
    )
    assert "Left pending by the page" in event.details["shown"]["text"]
    flow.close(sid)
