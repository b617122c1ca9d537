"""The core slice end to end, through the API: JWT -> import wallet -> open session (real worker, Chromium,
the wallet extension, anvil) -> personal_sign -> typed data v4 -> ETH transfer -> redelivery does nothing ->
close.

One worker and one session for the happy path; the tampering session (tests/e2e/pages/tamper.html) runs on the
same worker, with a freshly generated canary wallet whose secrets must never show up anywhere (test_canary.py
helpers).
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data
from rest_framework.test import APIClient

from metamask_service.devstack import Anvil, StaticServer
from metamask_service.devstack.typed_data import typed_data
from tests.conftest import access_token_for
from tests.e2e.conftest import ANVIL_MNEMONIC, API, Worker, poll
from tests.factories import UserFactory
from tests.support.chain_fixtures import TOKEN_SYMBOL, contract_address
from tests.support.dapp_requests import sign_permit_request
from wallets.models import BrowserWorker, SecurityEvent, SignatureRequest, Transaction

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECIPIENT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"  # anvil account #1
ATTACKER = "0x000000000000000000000000000000000000dEaD"  # where tamper.html sends its own transfers
PASSWORD = "e2e-wallet-Pa55word!"
SESSION_OPEN_TIMEOUT = 240.0
OPERATION_TIMEOUT = 150.0
FINAL_SIGNATURE = {"signed", "rejected", "failed"}
FINAL_TX = {"confirmed", "reverted", "rejected", "failed", "unknown"}  # unknown: reconciled later
FINAL_SESSION = {"ready", "failed", "lost", "closed", "expired"}
FINAL_NETWORK_CHANGE = {"switched", "rejected", "blocked", "failed"}
FINAL_COMMAND = {"done", "rejected", "failed"}


def api_for(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token_for(user)}")
    return client


def typed_mail(address: str) -> dict[str, Any]:
    return typed_data(
        primary_type="Mail",
        types={
            "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}],
            "Mail": [
                {"name": "from", "type": "Person"},
                {"name": "to", "type": "Person"},
                {"name": "contents", "type": "string"},
                {"name": "amount", "type": "uint256"},
            ],
        },
        message={
            "from": {"name": "Alice", "wallet": address},
            "to": {"name": "Bob", "wallet": RECIPIENT},
            "contents": "Hello from the e2e suite",
            "amount": 424242,
        },
        domain_name="E2E Mail",
    )


class Flow:
    """API calls of one user, with every response body kept (the canary test scans them)."""

    def __init__(self, client: APIClient) -> None:
        self.client = client
        self.bodies: list[bytes] = []

    def call(self, method: str, path: str, data: Any = None, expect: int = 200) -> dict[str, Any]:
        response = getattr(self.client, method)(f"{API}{path}", data, format="json")
        self.bodies.append(response.content)
        assert response.status_code == expect, (method, path, response.status_code, response.content[:2000])
        return response.json() if response.content else {}

    def import_wallet(self, mnemonic: str, password: str) -> dict[str, Any]:
        return self.call(
            "post", "/wallets/", {"label": "e2e", "mnemonic": mnemonic, "password": password}, 201
        )

    def open_session(
        self, wallet_id: str, dapp_url: str, anvil: Anvil, *, rpc_url: str | None = None
    ) -> dict[str, Any]:
        """``rpc_url``: the session's RPC, if not anvil's own (a proxy in front of it)."""
        network = {"chain_id": 31337, "rpc_url": rpc_url or anvil.rpc_url, "name": "Anvil Local"}
        accepted = self.call(
            "post", "/sessions/", {"wallet_id": wallet_id, "dapp_url": dapp_url, "network": network}, 202
        )
        return poll(
            lambda: self.call("get", f"/sessions/{accepted['id']}/"),
            done=lambda body: body["status"] in FINAL_SESSION,
            timeout=SESSION_OPEN_TIMEOUT,
        )

    def sign(self, session_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        accepted = self.call("post", f"/sessions/{session_id}/signatures/", payload, 202)
        return poll(
            lambda: self.call("get", f"/sessions/{session_id}/signatures/{accepted['id']}/"),
            done=lambda body: body["status"] in FINAL_SIGNATURE,
            timeout=OPERATION_TIMEOUT,
        )

    def send(self, session_id: str, to: str, value_wei: int, **fields: str) -> dict[str, Any]:
        """``fields``: the transaction's other fields (gas, fee caps), as the API takes them."""
        body = {"to": to, "value_wei": str(value_wei), **fields}
        accepted = self.call("post", f"/sessions/{session_id}/transactions/", body, 202)
        return poll(
            lambda: self.call("get", f"/sessions/{session_id}/transactions/{accepted['id']}/"),
            done=lambda body: body["status"] in FINAL_TX,
            timeout=OPERATION_TIMEOUT,
        )

    def change_network(self, session_id: str, network: dict[str, Any]) -> dict[str, Any]:
        accepted = self.call("post", f"/sessions/{session_id}/network-changes/", {"network": network}, 202)
        return poll(
            lambda: self.call("get", f"/sessions/{session_id}/network-changes/{accepted['id']}/"),
            done=lambda body: body["status"] in FINAL_NETWORK_CHANGE,
            timeout=OPERATION_TIMEOUT,
        )

    def command(self, session_id: str, kind: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        body = {"kind": kind, "params": params or {}}
        accepted = self.call("post", f"/sessions/{session_id}/commands/", body, 202)
        return poll(
            lambda: self.call("get", f"/sessions/{session_id}/commands/{accepted['id']}/"),
            done=lambda body: body["status"] in FINAL_COMMAND,
            timeout=OPERATION_TIMEOUT,
        )

    def run_flow(self, session_id: str, body: dict[str, Any]) -> dict[str, Any]:
        accepted = self.call("post", f"/sessions/{session_id}/flows/", body, 202)
        return poll(
            lambda: self.call("get", f"/sessions/{session_id}/flows/{accepted['id']}/"),
            done=lambda body: body["status"] in FINAL_COMMAND,
            timeout=OPERATION_TIMEOUT,
        )

    def close(self, session_id: str) -> dict[str, Any]:
        self.call("delete", f"/sessions/{session_id}/", expect=202)
        return poll(
            lambda: self.call("get", f"/sessions/{session_id}/"),
            done=lambda body: body["status"] not in ("closing", "ready"),
            timeout=60,
        )


def audit(session_id: str) -> str:
    """Security events of a session (they include what MetaMask showed when something was rejected)."""
    events = [{"kind": e.kind, **e.details} for e in SecurityEvent.objects.filter(session_id=session_id)]
    return json.dumps(events, indent=1)


def expected_address(mnemonic: str) -> str:
    Account.enable_unaudited_hdwallet_features()
    return str(Account.from_mnemonic(mnemonic, account_path="m/44'/60'/0'/0/0").address)


def test_happy_path_through_the_api_and_a_real_worker(
    worker: Worker, anvil_chain: Anvil, dapp_server: StaticServer, erc20_token: str
) -> None:
    from celery_app import app

    timings: dict[str, float] = {}
    flow = Flow(api_for(UserFactory()))
    address = expected_address(ANVIL_MNEMONIC)

    started = time.monotonic()
    wallet = flow.import_wallet(ANVIL_MNEMONIC, PASSWORD)
    assert wallet["address"] == address
    print(f"wallet import: {json.dumps(wallet)}")  # README's example, with -s

    session = flow.open_session(wallet["id"], dapp_server.url, anvil_chain)
    timings["session_open"] = time.monotonic() - started
    assert session["status"] == "ready", session
    assert session["accounts"] == [address]
    assert session["chain_id"] == 31337
    assert session["worker"] == worker.hostname
    steps = [entry["step"] for entry in session["progress"]]
    assert steps == ["browser_start", "wallet_ready", "dapp_open", "network", "connect"], session["progress"]
    assert all(entry["ok"] for entry in session["progress"])
    assert worker.browsers_running() == 1
    sid = session["id"]
    print(f"session: {json.dumps(session)}")  # README's example, with -s
    # Bad input is a 400 that names the field and stores nothing; another user's or no session, a 404.
    # (Not on a signature: a refused request counts against its endpoint's rate limit too.)
    bad = flow.call(
        "post", "/wallets/", {"label": "x", "mnemonic": "not a phrase", "password": PASSWORD}, 400
    )
    missing = flow.call("get", f"/sessions/{uuid.uuid4()}/", expect=404)
    print(f"4xx: {json.dumps(bad)} {json.dumps(missing)}")  # README's examples, with -s

    mark = time.monotonic()
    message = f"Sign in to the e2e suite\nnonce {int(time.time())}"
    signed = flow.sign(sid, {"method": "personal_sign", "message": message})
    timings["personal_sign"] = time.monotonic() - mark
    assert signed["status"] == "signed", audit(sid)
    assert Account.recover_message(encode_defunct(text=message), signature=signed["signature"]) == address
    print(f"personal_sign: {json.dumps(signed)}")  # README's example, with -s

    mark = time.monotonic()
    typed = typed_mail(address)
    typed_row = flow.sign(sid, {"method": "eth_signTypedData_v4", "typed_data": typed})
    timings["typed_data_v4"] = time.monotonic() - mark
    assert typed_row["status"] == "signed", audit(sid)
    # The 5th operation: the worker restarted the browser first (same profile, unlocked, dApp reopened).
    assert [p["step"] for p in typed_row["progress"]] == ["browser_restart", "sign_typed_data_v4"]
    assert all(p["ok"] for p in typed_row["progress"])
    recovered = Account.recover_message(
        encode_typed_data(full_message=typed), signature=typed_row["signature"]
    )
    assert recovered == address
    print(f"typed_data_v4: {json.dumps(typed_row)}")  # README's example, with -s

    mark = time.monotonic()
    nonce_before = int(anvil_chain.rpc("eth_getTransactionCount", [address, "latest"]), 16)
    value = 10**15
    tx = flow.send(sid, RECIPIENT, value)
    timings["transaction"] = time.monotonic() - mark
    assert tx["status"] == "confirmed", audit(sid)
    assert tx["receipt_status"] == 1
    assert tx["block_number"]
    assert tx["gas_used"]
    on_chain = anvil_chain.rpc("eth_getTransactionByHash", [tx["tx_hash"]])
    assert on_chain["to"].lower() == RECIPIENT.lower()
    assert int(on_chain["value"], 16) == value
    assert on_chain["from"].lower() == address.lower()
    assert int(on_chain["blockNumber"], 16) == tx["block_number"]
    assert int(anvil_chain.rpc("eth_getTransactionCount", [address, "latest"]), 16) == nonce_before + 1
    print(f"transaction: {json.dumps(tx)}")  # README's example, with -s

    # Sign-In with Ethereum: the service builds the message for the session; MetaMask's sign-in screen is
    # checked field by field, and the signature signs the message the detail returns.
    mark = time.monotonic()
    signed_in = flow.sign(
        sid,
        {"method": "sign_in", "sign_in": {"nonce": "e2eN0nce42", "statement": "Sign in to the e2e suite."}},
    )
    timings["sign_in"] = time.monotonic() - mark
    assert signed_in["status"] == "signed", audit(sid)
    assert signed_in["message"].startswith(f"{urlsplit(dapp_server.url).netloc} wants you to sign in")
    assert "\nNonce: e2eN0nce42\n" in signed_in["message"]
    recovered = Account.recover_message(
        encode_defunct(text=signed_in["message"]), signature=signed_in["signature"]
    )
    assert recovered == address
    print(f"sign_in: {json.dumps(signed_in)}")  # README's example, with -s

    # An ERC-20 added to MetaMask's list (wallet_watchAsset), its screen checked against the symbol.
    mark = time.monotonic()
    params = {"address": erc20_token, "symbol": TOKEN_SYMBOL, "decimals": 18}
    watched = flow.command(sid, "watch_asset", params)
    timings["watch_asset"] = time.monotonic() - mark
    assert watched["status"] == "done", audit(sid)
    assert watched["result"] == {"added": True, "address": erc20_token, "symbol": TOKEN_SYMBOL}
    print(f"watch_asset: {json.dumps(watched)}")  # README's example, with -s

    # The worker's heartbeat row reports the open session and its browser (beats every ~10 s).
    beat = poll(
        lambda: BrowserWorker.objects.filter(hostname=worker.hostname).values().first() or {},
        done=lambda row: row.get("browsers_running") == 1 and row.get("sessions_open") == 1,
        timeout=25,
    )
    assert beat["rss_bytes"] > 50 * 2**20
    # ... and the session its browser's memory: that browser alone, so no more than the worker's total.
    measured = poll(
        lambda: flow.call("get", f"/sessions/{sid}/"),
        done=lambda body: (body["browser_rss_bytes"] or 0) > 50 * 2**20,
        timeout=25,
    )
    assert measured["browser_rss_at"]
    assert measured["browser_rss_bytes"] <= beat["rss_bytes"] * 1.5  # both move between beats

    # Redelivered messages for finished rows do nothing: no second signature, no second transaction.
    offset = len(worker.log_text())
    app.send_task("wallets.transaction_execute", args=[tx["id"]], queue=worker.queue)
    worker.wait_log("transaction is confirmed; nothing to do", after=offset)
    app.send_task("wallets.signature_execute", args=[signed["id"]], queue=worker.queue)
    worker.wait_log("request is signed; nothing to do", after=offset)
    assert int(anvil_chain.rpc("eth_getTransactionCount", [address, "latest"]), 16) == nonce_before + 1
    again = flow.call("get", f"/sessions/{sid}/transactions/{tx['id']}/")
    assert (again["status"], again["tx_hash"]) == ("confirmed", tx["tx_hash"])
    assert Transaction.objects.get(id=tx["id"]).attempts == 1
    assert SignatureRequest.objects.get(id=signed["id"]).attempts == 1

    mark = time.monotonic()
    closed = flow.close(sid)
    timings["close"] = time.monotonic() - mark
    assert closed["status"] == "closed", closed
    assert worker.browsers_running() == 0
    assert not (worker.profiles_dir / f"session-{sid}").exists()
    print("e2e timings (s): " + ", ".join(f"{k}={v:.1f}" for k, v in timings.items()))


def fresh_session(anvil: Anvil, dapp_url: str, *, rpc_url: str | None = None) -> tuple[Any, Flow, str]:
    """A new user with a freshly generated, funded wallet and a ready session on ``dapp_url`` (through
    ``rpc_url`` if given): (the wallet's account, the user's API flow, the session id)."""
    Account.enable_unaudited_hdwallet_features()
    account, mnemonic = Account.create_with_mnemonic()
    anvil.rpc("anvil_setBalance", [account.address, hex(10**19)])
    flow = Flow(api_for(UserFactory()))
    wallet = flow.import_wallet(mnemonic, PASSWORD)
    session = flow.open_session(wallet["id"], dapp_url, anvil, rpc_url=rpc_url)
    assert session["status"] == "ready", session
    return account, flow, str(session["id"])


def test_lock_and_unlock_on_request(worker: Worker, anvil_chain: Anvil, dapp_server: StaticServer) -> None:
    """Session commands through the API (a user of its own: five operations fill a minute's budget). A
    signature asked while MetaMask is locked unlocks it first; each command says what it found."""
    account, flow, sid = fresh_session(anvil_chain, dapp_server.url)
    locked = flow.command(sid, "lock")
    assert (locked["status"], locked["result"]) == ("done", {"locked": True, "was_locked": False}), locked
    assert [p["step"] for p in locked["progress"]] == ["lock"]
    assert locked["progress"][0]["ok"]
    while_locked = flow.sign(sid, {"method": "personal_sign", "message": "asked while locked"})
    assert while_locked["status"] == "signed", audit(sid)
    recovered = Account.recover_message(
        encode_defunct(text="asked while locked"), signature=while_locked["signature"]
    )
    assert recovered == account.address
    assert flow.command(sid, "unlock")["result"] == {"locked": False, "was_locked": False}
    assert flow.command(sid, "lock")["result"] == {"locked": True, "was_locked": False}
    unlocked = flow.command(sid, "unlock")
    assert (unlocked["status"], unlocked["result"]) == ("done", {"locked": False, "was_locked": True})
    print(f"lock: {json.dumps(locked)}\nunlock: {json.dumps(unlocked)}")  # README's examples, with -s
    assert flow.close(sid)["status"] == "closed"


def test_a_dapp_flow_signs_what_its_button_asks_and_refuses_what_was_not_expected(
    worker: Worker, anvil_chain: Anvil, dapp_server: StaticServer
) -> None:
    """The test dApp's own Personal Sign button through POST /flows/: approved as expected, its signature
    read from the page and proven the wallet's. Then its Send button in a flow that expects a signature:
    refused, recorded as a security event, nothing sent, the flow failed with what it did."""
    account, flow, sid = fresh_session(anvil_chain, dapp_server.url)
    message = "Example `personal_sign` message"
    signed = flow.run_flow(
        sid,
        {
            "steps": [
                {"action": "click", "selector": "#personalSign"},
                {"action": "read", "selector": "#personalSignResult", "name": "signature"},
            ],
            "expect": [{"kind": "personal_sign", "message": message}],
        },
    )
    assert signed["status"] == "done", signed
    result = signed["result"]
    assert result["ok"] is True
    signature = result["confirmations"][0]["signature"]
    assert Account.recover_message(encode_defunct(text=message), signature=signature) == account.address
    assert result["reads"]["signature"] == signature
    print(f"flow: {json.dumps(signed)}")  # README's example, with -s
    nonce = anvil_chain.rpc("eth_getTransactionCount", [account.address, "latest"])
    refused = flow.run_flow(
        sid,
        {
            "steps": [{"action": "click", "selector": "#sendButton"}],
            "expect": [{"kind": "personal_sign"}],
            "time_limit_seconds": 15,
        },
    )
    assert refused["status"] == "failed", refused
    assert refused["error_kind"] == "flow_expectation_unmet"
    assert [c["decision"] for c in refused["result"]["confirmations"]] == ["rejected"]
    assert refused["result"]["transactions"] == []
    assert anvil_chain.rpc("eth_getTransactionCount", [account.address, "latest"]) == nonce
    kinds = list(SecurityEvent.objects.filter(session_id=sid).values_list("kind", flat=True))
    assert SecurityEvent.Kind.POLICY_REJECTED in kinds, audit(sid)
    assert flow.close(sid)["status"] == "closed"


def test_accounts_added_imported_and_switched_sign_and_send_as_themselves(
    worker: Worker, anvil_chain: Anvil, dapp_server: StaticServer
) -> None:
    """The wallet's next account added and a private key imported through the API; switch_account makes
    each the session's: MetaMask adds or imports it, the dApp is connected with it, and what is signed or
    sent after is that account's. The imported key never shows in the worker's log or any API response."""
    account, flow, sid = fresh_session(anvil_chain, dapp_server.url)
    session = flow.call("get", f"/sessions/{sid}/")
    wallet_id = session["wallet_id"]
    assert session["account"] == account.address
    imported = Account.create()
    key = imported.key.hex().removeprefix("0x")
    anvil_chain.rpc("anvil_setBalance", [imported.address, hex(10**19)])
    offset = len(worker.log_text())
    derived = flow.call("post", f"/wallets/{wallet_id}/accounts/", {"kind": "derived"}, 201)
    added = flow.call(
        "post", f"/wallets/{wallet_id}/accounts/", {"kind": "imported", "private_key": key}, 201
    )
    assert (derived["hd_index"], added["address"]) == (1, imported.address)
    listed = flow.call("get", f"/wallets/{wallet_id}/accounts/")
    assert [a["kind"] for a in listed] == ["derived", "derived", "imported"]

    switched = flow.command(sid, "switch_account", {"address": derived["address"]})
    assert switched["status"] == "done", (switched, audit(sid))
    assert switched["result"]["accounts"][0] == derived["address"]
    assert flow.call("get", f"/sessions/{sid}/")["account"] == derived["address"]
    signed = flow.sign(sid, {"method": "personal_sign", "message": "from the second account"})
    assert signed["status"] == "signed", audit(sid)
    assert signed["account"] == derived["address"]
    recovered = Account.recover_message(
        encode_defunct(text="from the second account"), signature=signed["signature"]
    )
    assert recovered == derived["address"]

    to_imported = flow.command(sid, "switch_account", {"address": imported.address})
    assert to_imported["status"] == "done", (to_imported, audit(sid))
    tx = flow.send(sid, RECIPIENT, 10**15)
    assert tx["status"] == "confirmed", (tx, audit(sid))
    assert (
        anvil_chain.rpc("eth_getTransactionByHash", [tx["tx_hash"]])["from"].lower()
        == imported.address.lower()
    )
    print(f"switch_account: {json.dumps(to_imported)}\naccount added: {json.dumps(derived)}")  # README, -s

    seen = worker.log_text()[offset:] + "\n".join(b.decode("utf-8", "replace") for b in flow.bodies)
    assert key.lower() not in seen.lower()
    assert imported.address in seen  # the check read real material
    assert flow.close(sid)["status"] == "closed"


def test_the_dapps_permit_button_is_signed_only_as_stated_in_full(
    worker: Worker, anvil_chain: Anvil, dapp_server: StaticServer
) -> None:
    """The test dApp's Sign Permit (EIP-2612) through POST /flows/: a permit is expected only in full, and
    MetaMask's screen is checked against it field by field and against the policy's permit bans; the
    signature is proven the wallet's over that permit. The same button with a wallet cap below its amount
    is refused, recorded, and nothing is signed."""
    account, flow, sid = fresh_session(anvil_chain, dapp_server.url)
    permit = sign_permit_request(chain_id=31337, owner=account.address)
    body = {
        "steps": [
            {"action": "click", "selector": "#signPermit"},
            {"action": "wait", "selector": "#signPermitResult", "text": "0x"},
            {"action": "read", "selector": "#signPermitResult", "name": "signature"},
        ],
        "expect": [{"kind": "typed_data", "typed_data": permit}],
    }
    signed = flow.run_flow(sid, body)
    assert signed["status"] == "done", (signed["error"], signed["result"]["confirmations"], audit(sid))
    signature = signed["result"]["confirmations"][0]["signature"]
    recovered = Account.recover_message(encode_typed_data(full_message=permit), signature=signature)
    assert recovered == account.address
    print(f"flow (permit): {json.dumps(signed)}")  # README's example, with -s

    from wallets.models import WalletPolicy, WalletSession

    WalletPolicy.objects.create(wallet=WalletSession.objects.get(id=sid).wallet, max_permit_amount=2999)
    refused = flow.run_flow(sid, {**body, "steps": body["steps"][:1], "time_limit_seconds": 15})
    assert refused["status"] == "failed", refused
    assert [c["decision"] for c in refused["result"]["confirmations"]] == ["rejected"]
    assert "cap" in refused["result"]["confirmations"][0]["reason"]
    kinds = list(SecurityEvent.objects.filter(session_id=sid).values_list("kind", flat=True))
    assert SecurityEvent.Kind.POLICY_REJECTED in kinds, audit(sid)
    assert flow.close(sid)["status"] == "closed"


def test_the_dapps_approve_tokens_is_sent_with_exactly_the_cap_asked(
    worker: Worker, anvil_chain: Anvil, dapp_server: StaticServer
) -> None:
    """The test dApp deploys its token (Create Token), then its Approve Tokens proposes 7 tokens; the flow
    asks for exactly 12345 base units: MetaMask's spending cap is edited to it (the token's decimals read
    through the session's RPC), the edited screen is what is checked, and the chain holds that allowance.
    One flow: the page knows its token only in memory, and a browser restart between flows reloads it."""
    account, flow, sid = fresh_session(anvil_chain, dapp_server.url)
    token = contract_address(account.address, 0)  # the fresh account's first transaction deploys it
    spender = "0x9bc5baF874d2DA8D216aE9f137804184EE5AfEF4"  # the test dApp's Approve Tokens default
    body = {
        "steps": [
            {"action": "click", "selector": "#createToken"},
            {"action": "wait", "selector": "#erc20TokenAddresses", "text": "0x", "timeout_seconds": 30},
            {"action": "read", "selector": "#erc20TokenAddresses", "name": "token"},
            {"action": "click", "text": "Approve Tokens"},
        ],
        # The page sets each transaction's gas price: MetaMask's advice on that fee ("Speed") is passed
        # within a cap on what it may pay for gas (0.01 ETH).
        "expect": [
            {"kind": "transaction", "max_fee_wei": str(10**16)},
            {
                "kind": "transaction",
                "to": token,
                "selector": "0x095ea7b3",
                "spender": spender,
                "amount": "12345",
                "max_fee_wei": str(10**16),
            },
        ],
    }
    approved = flow.run_flow(sid, body)
    assert approved["status"] == "done", (approved["error"], approved["result"], audit(sid))
    result = approved["result"]
    assert result["reads"]["token"].lower() == token.lower()
    assert [c["decision"] for c in result["confirmations"]] == ["approved", "approved"]
    assert result["confirmations"][1]["changed"] == "spending cap 7 -> 1.2345", result["confirmations"]
    assert [t["receipt"]["status"] for t in result["transactions"]] == [1, 1]
    call = "0xdd62ed3e" + account.address[2:].lower().rjust(64, "0") + spender[2:].lower().rjust(64, "0")
    assert int(anvil_chain.rpc("eth_call", [{"to": token, "data": call}, "latest"]), 16) == 12345
    print(f"flow (exact cap): {json.dumps(approved)}")  # README's example, with -s
    assert flow.close(sid)["status"] == "closed"
