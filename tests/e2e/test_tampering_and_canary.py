"""A hostile dApp page and a canary wallet, on the same worker as the happy path.

tamper.html rewrites and forges what passes through its own provider, and sends requests of its own beside
every request of the service (a signature, a transfer to itself, the service's transfer with raised fees, an
unlimited token approval and a Permit that never expires): the service's requests must go through
untouched (signed and sent exactly as asked), and each of the page's must be read on MetaMask's screen,
refused, recorded as policy_rejected, and never signed or sent. The wallet is a freshly generated canary
(mnemonic, password, private key) that must never appear in a log line (this process and the worker's
output), an API response, an admin page, a task message or an artifact.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from eth_account import Account
from eth_account.messages import encode_defunct

from metamask_service.devstack import Anvil, StaticServer
from metamask_service.logging import JsonFormatter
from tests.e2e.conftest import Worker, poll
from tests.e2e.test_wallet_flow import ATTACKER, RECIPIENT, Flow, api_for
from tests.factories import UserFactory
from tests.support.canary import Canary
from wallets.models import SecurityEvent

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _admin_pages(staff_client: Client) -> dict[str, bytes]:
    pages: dict[str, bytes] = {}
    for model, _model_admin in admin.site._registry.items():
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        response = staff_client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content
        for obj in model._default_manager.all()[:50]:
            change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
            response = staff_client.get(change)
            assert response.status_code == 200, change
            pages[change] = response.content
    return pages


def test_tampering_dapp_is_rejected_and_canary_secrets_never_leak(
    worker: Worker,
    anvil_chain: Anvil,
    tamper_server: StaticServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from celery.signals import before_task_publish

    caplog.set_level(logging.DEBUG)
    canary = Canary()
    anvil_chain.rpc("anvil_setBalance", [canary.address, hex(10**19)])
    published: list[str] = []

    def capture(body: Any = None, headers: Any = None, **_kwargs: Any) -> None:
        published.append(json.dumps({"body": body, "headers": headers}, default=str))

    before_task_publish.connect(capture, weak=False)
    log_offset = len(worker.log_text())
    try:
        flow = Flow(api_for(UserFactory()))
        wallet = flow.import_wallet(canary.mnemonic, canary.password)
        assert wallet["address"] == canary.address
        session = flow.open_session(wallet["id"], tamper_server.url + "tamper.html", anvil_chain)
        assert session["status"] == "ready", session
        assert session["accounts"] == [canary.address]
        sid = session["id"]

        message = "Hello from the canary test"
        signature = flow.sign(sid, {"method": "personal_sign", "message": message})
        assert signature["status"] == "signed", signature
        signed = Account.recover_message(encode_defunct(text=message), signature=signature["signature"])
        assert signed == canary.address

        nonce = int(anvil_chain.rpc("eth_getTransactionCount", [canary.address, "latest"]), 16)
        caps = {
            "gas": "21000",
            "max_fee_per_gas_wei": str(3 * 10**9),
            "max_priority_fee_per_gas_wei": str(10**9),
        }
        tx = flow.send(sid, RECIPIENT, 10**15, **caps)
        assert tx["status"] == "confirmed", tx
        mined = anvil_chain.rpc("eth_getTransactionByHash", [tx["tx_hash"]])
        assert (mined["to"].lower(), int(mined["value"], 16)) == (RECIPIENT.lower(), 10**15)
        assert int(mined["maxFeePerGas"], 16) == 3 * 10**9  # the service's caps, not the page's raised ones
        assert int(anvil_chain.rpc("eth_getTransactionCount", [canary.address, "latest"]), 16) == nonce + 1
        assert int(anvil_chain.rpc("eth_getBalance", [ATTACKER, "latest"]), 16) == 0

        # The page's own requests, refused beside the service's: each recorded with what MetaMask showed.
        events = SecurityEvent.objects.filter(session_id=sid, kind=SecurityEvent.Kind.POLICY_REJECTED)
        assert events.exists()
        for event in events:
            shown = json.dumps(event.details.get("shown", {})).lower()
            # The page's message, its own address, the token its approval is for ("0x5FbDB...0aa3"), or the
            # recipient of its copy of the service's transfer (the service's own is never refused here): read
            # in full, its raised max fee; refused as left pending, the screen's text, where the recipient is
            # shortened as "0x70997...c79C8" (13.5) or "0x70997970C518…0d17dc79C8" (13.36; "…" is escaped
            # in this JSON, so only the hex after it is looked for).
            marks = ("tampered", "dead", "0x5fbdb", "max fee 2.1", "0x70997...c79c8", "0d17dc79c8")
            assert any(mark in shown for mark in marks), event.details

        # The session survives the rejections...
        assert flow.call("get", f"/sessions/{sid}/")["status"] == "ready"
        assert worker.processes_on_profile(sid)
        # ...but not the death of the pool process holding its browser (e.g. a hard time limit): the next
        # pool process kills the orphaned Chromium and marks the session lost; the worker goes on.
        dead = worker.pool_child()
        dead.kill()
        lost = poll(
            lambda: flow.call("get", f"/sessions/{sid}/"),
            done=lambda body: body["status"] != "ready",
            timeout=60,
        )
        assert (lost["status"], lost["error_kind"]) == ("lost", "worker_restarted"), lost
        assert SecurityEvent.objects.filter(session_id=sid, kind=SecurityEvent.Kind.SESSION_LOST).count() == 1
        assert worker.processes_on_profile(sid) == []
        assert not (worker.profiles_dir / f"session-{sid}").exists()
        assert worker.pool_child().pid != dead.pid
        flow.call("post", f"/sessions/{sid}/signatures/", {"method": "personal_sign", "message": "x"}, 409)

        staff = UserFactory(is_staff=True, is_superuser=True)
        staff_client = Client()
        staff_client.force_login(staff)
        pages = _admin_pages(staff_client)
    finally:
        before_task_publish.disconnect(capture)

    formatter = JsonFormatter()
    sources: dict[str, str] = {
        "worker output": worker.log_text()[log_offset:],
        "test-process log records": "\n".join(formatter.format(r) for r in caplog.records),
        "API responses": "\n".join(b.decode("utf-8", "replace") for b in flow.bodies),
        "task messages": "\n".join(published),
    }
    sources.update({f"admin page {url}": body.decode("utf-8", "replace") for url, body in pages.items()})
    for path in Path(worker.artifacts_dir).rglob("*"):
        sources[f"artifact name {path.name}"] = str(path)
        if path.is_file():
            sources[f"artifact {path}"] = path.read_bytes().decode("utf-8", "replace")

    leaks = {name: found for name, text in sources.items() if (found := canary.leaks(text))}
    assert leaks == {}
    # The checks looked at real material: the canary's public address is in the API responses and worker log,
    # the task messages were captured, and every admin page rendered.
    assert canary.address in sources["API responses"]
    assert len(published) >= 3
    assert any("/admin/wallets/wallet/" in url and url.endswith("/change/") for url in pages)
    assert canary.leaks(f"x {canary.mnemonic} y")
    assert canary.leaks(json.dumps(canary.words))
