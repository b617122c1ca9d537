"""The broker dies with work queued: Redis (a private one, so nothing else loses its data) is SIGKILLed while
the worker is busy with a transaction and two signatures wait in its queue, and comes back empty on the same
port. The worker reconnects and finishes what it holds; the two lost messages are sent again by the
redispatch the beat runs; every request ends signed or confirmed, once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from metamask_service.devstack import Anvil, StaticServer
from tests.e2e.conftest import Worker, poll, running_worker
from tests.e2e.test_wallet_flow import RECIPIENT, fresh_session
from tests.support.holding_rpc import HoldingRpc
from tests.support.polling import until
from tests.support.servers import ThrowawayRedis
from wallets.execution.redispatch import pending_redispatch
from wallets.models import SignatureRequest

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def private_broker() -> Iterator[ThrowawayRedis]:
    """A Redis of its own, used as broker by this process's producer and by the worker below."""
    from celery_app import app

    keys = ("broker_url", "broker_write_url", "broker_read_url")
    shared = {key: app.conf[key] for key in keys}

    def use(urls: dict[str, Any]) -> None:
        # Celery has no public way to move a live app to another broker: the app's references to its
        # connection pool and producer pool are dropped, so the next send takes the pools of the new URL
        # (kombu keeps one per URL; the shared broker's stay open for the tests after this one).
        app.conf.update(urls)
        app._pool = None
        app.amqp._producer_pool = None

    with ThrowawayRedis() as redis_server:
        use(dict.fromkeys(keys, redis_server.url))
        try:
            yield redis_server
        finally:
            use(shared)


@pytest.fixture
def broker_worker(
    private_broker: ThrowawayRedis, django_db_blocker: Any, extension_path: str, tmp_path: Any
) -> Iterator[Worker]:
    with running_worker(django_db_blocker, extension_path, tmp_path, redis_url=private_broker.url) as run:
        yield run


def test_redis_killed_with_work_queued_loses_nothing_and_sends_nothing_twice(
    private_broker: ThrowawayRedis, broker_worker: Worker, anvil_chain: Anvil, dapp_server: StaticServer
) -> None:
    with HoldingRpc(anvil_chain.rpc_url, method="eth_estimateGas", hold="request", seconds=60) as rpc:
        account, flow, sid = fresh_session(anvil_chain, dapp_server.url, rpc_url=rpc.rpc_url)
        nonce = int(anvil_chain.rpc("eth_getTransactionCount", [account.address, "latest"]), 16)
        rpc.held.clear()
        tx = flow.call(
            "post", f"/sessions/{sid}/transactions/", {"to": RECIPIENT, "value_wei": str(10**15)}, 202
        )
        until("the worker busy with the transaction", lambda: rpc.held.is_set(), 90)
        messages = [f"queued behind the transfer {i}" for i in range(2)]
        signatures = [
            flow.call("post", f"/sessions/{sid}/signatures/", {"method": "personal_sign", "message": m}, 202)
            for m in messages
        ]
        private_broker.crash()
        private_broker.relaunch()  # the same port, nothing in it
        rpc.release()
        tx_detail = f"/sessions/{sid}/transactions/{tx['id']}/"
        settled = poll(
            lambda: flow.call("get", tx_detail), done=lambda b: b["status"] == "confirmed", timeout=120
        )
        # What the beat does every SESSIONS_CLEANUP_INTERVAL: the lost messages are sent again (once each).
        pending = SignatureRequest.objects.filter(
            session_id=sid, status=SignatureRequest.Status.PENDING
        ).count()
        assert pending == 2, "both signature messages were lost with the broker"
        assert pending_redispatch(now=_later()) == 2
        done = [
            poll(
                lambda s=s: flow.call("get", f"/sessions/{sid}/signatures/{s['id']}/"),
                done=lambda b: b["status"] in ("signed", "rejected", "failed"),
                timeout=120,
            )
            for s in signatures
        ]
    for body, message in zip(done, messages, strict=True):
        assert body["status"] == "signed", body
        assert (
            Account.recover_message(encode_defunct(text=message), signature=body["signature"])
            == account.address
        )
        assert [p["step"] for p in body["progress"]].count("redispatched") == 1
    mined = anvil_chain.rpc("eth_getTransactionByHash", [settled["tx_hash"]])
    assert int(mined["nonce"], 16) == nonce
    assert int(anvil_chain.rpc("eth_getTransactionCount", [account.address, "latest"]), 16) == nonce + 1
    assert pending_redispatch(now=_later()) == 0  # nothing left to send again


def _later() -> Any:
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    return timezone.now() + timedelta(seconds=float(settings.PENDING_REDISPATCH_SECONDS) + 1)
