"""A hostile dApp page leaves a confirmation pending (leave-pending.html); the next request through the API
must not approve it: the worker rejects it first, records it, and signs only what was asked."""

from __future__ import annotations

import time

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from metamask_service.devstack import Anvil, StaticServer
from tests.e2e.conftest import Worker
from tests.e2e.test_wallet_flow import fresh_session
from wallets.models import SecurityEvent

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_confirmation_the_page_left_pending_is_rejected_not_approved(
    worker: Worker, anvil_chain: Anvil, tamper_server: StaticServer
) -> None:
    account, flow, sid = fresh_session(anvil_chain, tamper_server.url + "leave-pending.html")
    time.sleep(3)  # the page asks for its signature once it sees itself connected
    signature = flow.sign(sid, {"method": "personal_sign", "message": "What the caller asked"})
    assert signature["status"] == "signed", signature
    recovered = Account.recover_message(
        encode_defunct(text="What the caller asked"), signature=signature["signature"]
    )
    assert recovered == account.address
    [event] = SecurityEvent.objects.filter(session_id=sid, kind=SecurityEvent.Kind.POLICY_REJECTED)
    assert event.details["reason"] == "left pending before personal_sign was sent"
    assert "Left pending by the page" in event.details["shown"]["text"]
    flow.close(sid)
