"""dApp flows without a browser: what a flow takes (clean_flow), each expectation's check of what MetaMask
shows against the caller's limits and the wallet's policy, and the result (signatures proven, transactions
linked to their approvals). The driver suite (tests/automation/test_flows.py) runs flows on a wallet."""

from __future__ import annotations

import re

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from automation import (
    Confirmation,
    DisplayedConnect,
    DisplayedNetwork,
    DisplayedSignature,
    DisplayedToken,
    DisplayedTransaction,
    FlowOutcome,
    StepResult,
)
from automation.errors import AutomationError
from automation.metamask import approvals
from automation.models import Alert
from wallets.chain import ChainReceipt, ChainTransaction
from wallets.exceptions import ValidationFailed
from wallets.flows import EXPECTATIONS, FlowContext, clean_flow
from wallets.flows import expectations as E
from wallets.flows.results import flow_result
from wallets.policy import Policy

ORIGIN = "http://127.0.0.1:8080"
TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
SPENDER = "0x9bc5baF874d2DA8D216aE9f137804184EE5AfEF4"
KEY = "0x" + "11" * 32
ACCOUNT = Account.from_key(KEY)
CLICK = {"action": "click", "selector": "#go"}


def ctx(**policy: object) -> FlowContext:
    return FlowContext(
        dapp_origin=ORIGIN,
        chain_id=31337,
        network_name="Anvil Local",
        currency_symbol="ETH",
        policy=Policy.of(**policy),
        own_addresses=(ACCOUNT.address,),
    )


def clean_one(kind: str, **fields: object) -> dict:
    return clean_flow({"steps": [CLICK], "expect": [{"kind": kind, **fields}]})["expect"][0]


def verify(asked: dict, shown: object, context: FlowContext | None = None) -> str | None:
    return EXPECTATIONS[asked["kind"]].verify(shown, asked, context or ctx())  # type: ignore[arg-type]


# --- what a flow takes --------------------------------------------------------------------------------------
def test_a_flow_is_stored_with_its_defaults():
    flow = clean_flow({"steps": [CLICK, {"action": "read", "selector": "#out", "name": "result"}]})
    assert flow == {
        "steps": [
            {"action": "click", "selector": "#go", "timeout_seconds": 10.0},
            {"action": "read", "selector": "#out", "name": "result", "timeout_seconds": 10.0},
        ],
        "expect": [],
        "time_limit_seconds": 60.0,
    }


def test_the_approval_kinds_are_automations_own():
    assert {k for e in EXPECTATIONS.values() for k in e.kinds} <= set(approvals.APPROVAL_KINDS)
    assert (E.CONNECT, E.PERMISSION, E.SIGNATURE, E.TRANSACTION, E.CONFIRMATION, E.TOKEN) == (
        approvals.CONNECT,
        approvals.PERMISSION,
        approvals.SIGNATURE,
        approvals.TRANSACTION,
        approvals.CONFIRMATION,
        approvals.TOKEN,
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "steps must be a list"),
        ({"steps": []}, "steps must be a list"),
        ({"steps": [CLICK] * 51}, "steps must be a list"),
        ({"steps": [CLICK], "script": "x"}, "not script"),
        ({"steps": [{"action": "eval", "selector": "x"}]}, "action must be one of"),
        ({"steps": [{"action": "click"}]}, "needs selector or text"),
        ({"steps": [{"action": "click", "selector": "#a", "value": "x"}]}, "does not take value"),
        ({"steps": [{"action": "fill", "selector": "#a"}]}, "needs value"),
        ({"steps": [{"action": "navigate", "path": "https://evil.example/"}]}, "path on the session"),
        ({"steps": [{"action": "navigate", "path": "//evil.example/x"}]}, "path on the session"),
        ({"steps": [{"action": "navigate", "path": "/\\evil"}]}, "path on the session"),
        ({"steps": [{"action": "navigate", "path": "javascript:alert(1)"}]}, "path on the session"),
        ({"steps": [{"action": "navigate", "path": "x"}]}, "must start with"),
        ({"steps": [{"action": "read", "selector": "#a", "name": "Bad Name"}]}, "name must be"),
        (
            {"steps": [{"action": "read", "selector": "#a", "name": "x"}] * 2},
            "a name of its own",
        ),
        ({"steps": [{**CLICK, "timeout_seconds": 61}]}, "timeout_seconds must be"),
        ({"steps": [{**CLICK, "timeout_seconds": True}]}, "timeout_seconds must be"),
        ({"steps": [CLICK], "time_limit_seconds": 181}, "time_limit_seconds must be"),
        ({"steps": [{"action": "click", "selector": "#a\x00"}]}, "control characters"),
        ({"steps": [{"action": "click", "selector": "x" * 501}]}, "at most 500"),
        ({"steps": [CLICK], "expect": [{"kind": "anything"}]}, "kind must be one of"),
        ({"steps": [CLICK], "expect": [{"kind": "connect", "approve": "yes"}]}, "approve must be"),
        ({"steps": [CLICK], "expect": [{"kind": "connect"}] * 11}, "at most 10"),
        ({"steps": [CLICK], "expect": [{"kind": "connect", "to": TOKEN}]}, "takes no to"),
        ({"steps": [CLICK], "expect": [{"kind": "typed_data"}]}, "primary_type"),
        (
            {"steps": [CLICK], "expect": [{"kind": "typed_data", "primary_type": "Permit"}]},
            "only in full",
        ),
        (
            {"steps": [CLICK], "expect": [{"kind": "transaction", "to": TOKEN, "selector": "0x1234"}]},
            "selector must be",
        ),
        (
            {"steps": [CLICK], "expect": [{"kind": "transaction", "to": TOKEN, "spender": SPENDER}]},
            "goes with max_amount or amount",
        ),
        (
            {
                "steps": [CLICK],
                "expect": [
                    {
                        "kind": "transaction",
                        "to": TOKEN,
                        "selector": "0xa9059cbb",
                        "spender": SPENDER,
                        "max_amount": 1,
                    }
                ],
            },
            "for approve or increaseAllowance",
        ),
        ({"steps": [CLICK], "expect": [{"kind": "transaction", "max_value_wei": -1}]}, "non-negative"),
        ({"steps": [CLICK], "expect": [{"kind": "network", "chain_id": 5}]}, "rpc_url"),
        ({"steps": [CLICK], "expect": [{"kind": "token", "symbol": "TOOLONGSYMBOL"}]}, "symbol"),
    ],
)
def test_what_a_flow_does_not_take_is_a_clear_400(body: dict, message: str) -> None:
    with pytest.raises(ValidationFailed, match=message):
        clean_flow(body)


# --- the checks ---------------------------------------------------------------------------------------------
def test_connect_is_checked_by_the_site_it_names():
    asked = clean_one("connect")
    assert verify(asked, DisplayedConnect("127.0.0.1")) is None
    assert "evil.example" in (verify(asked, DisplayedConnect("evil.example")) or "")
    assert "expected connect" in (verify(asked, DisplayedToken("", ("X",), ("0",), "")) or "")
    assert "allowed origins" in (
        verify(asked, DisplayedConnect("127.0.0.1"), ctx(allowed_origins=["x"])) or ""
    )


def signature(text: str, method: str = "personal_sign", **kw: object) -> DisplayedSignature:
    return DisplayedSignature(method=method, origin="127.0.0.1:8080", text=text, network="Anvil Local", **kw)


def test_personal_sign_is_checked_by_its_message_when_one_is_named():
    assert verify(clean_one("personal_sign"), signature("anything")) is None
    asked = clean_one("personal_sign", message="Sign in\nnonce 7")
    assert verify(asked, signature("Sign in nonce 7")) is None
    assert "differs" in (verify(asked, signature("Sign in nonce 8")) or "")
    assert "expected personal_sign" in (verify(asked, signature("x", "eth_signTypedData_v4")) or "")
    elsewhere = DisplayedSignature("personal_sign", "127.0.0.1:8080", "Sign in nonce 7", network="Mainnet")
    assert "network shown" in (verify(asked, elsewhere) or "")
    warned = signature("Sign in nonce 7", alerts=(Alert("danger", "deceptive site"),))
    assert "MetaMask warns" in (verify(asked, warned) or "")


def test_typed_data_by_its_primary_type_and_verifying_contract():
    asked = clean_one("typed_data", primary_type="Mail", verifying_contract=TOKEN)
    text = f"Request from 127.0.0.1:8080 Interacting with {TOKEN} Primary type: Mail Contents: Hello"
    typed = signature(text, "eth_signTypedData_v4")
    assert verify(asked, typed) is None
    assert "primary type 'Mail'" in (
        verify(asked, signature(text.replace("Mail", "Order"), "eth_signTypedData_v4")) or ""
    )
    assert "verifying contract is not shown" in (
        verify(asked, signature(text.replace(TOKEN, SPENDER), "eth_signTypedData_v4")) or ""
    )
    # A policy that lists contracts: one not listed, or an expectation naming none, is refused.
    assert "allowed contracts" in (verify(asked, typed, ctx(allowed_contracts=[SPENDER])) or "")
    unnamed = clean_one("typed_data", primary_type="Mail")
    assert "must name the verifying contract" in (
        verify(unnamed, typed, ctx(allowed_contracts=[TOKEN])) or ""
    )


def tx(to: str, value: str = "", data: str | None = "", **kw: object) -> DisplayedTransaction:
    return DisplayedTransaction(
        origin="127.0.0.1:8080", to=to, value_text=value, raw_text="", network="Anvil Local", data=data, **kw
    )


def approve_call(spender: str, amount: int) -> str:
    return "0x095ea7b3" + spender.lower()[2:].rjust(64, "0") + f"{amount:064x}"


def test_a_transfer_within_its_value_cap_and_nothing_more():
    asked = clean_one("transaction", to=SPENDER, max_value_wei=10**15)
    assert verify(asked, tx(SPENDER, "0.001 ETH")) is None
    assert verify(asked, tx(SPENDER)) is None
    assert "the flow allows" in (verify(asked, tx(SPENDER, "0.0011 ETH")) or "")
    assert "without its full value" in (verify(asked, tx(SPENDER, "<0.000001 ETH")) or "")
    assert "recipient shown" in (verify(asked, tx(TOKEN, "0.001 ETH")) or "")
    assert "expects none" in (verify(asked, tx(SPENDER, "", "0xa9059cbb" + "00" * 64)) or "")
    assert "in full" in (verify(asked, tx(SPENDER, "", None)) or "")
    assert "limit per transaction" in (
        verify(asked, tx(SPENDER, "0.001 ETH"), ctx(max_value_wei_per_tx=10**14)) or ""
    )
    spent = ctx(max_value_wei_per_24h=2 * 10**15)
    spent.spent_24h_wei = 15 * 10**14
    assert "last 24 h" in (verify(asked, tx(SPENDER, "0.001 ETH"), spent) or "")


def test_an_approval_is_held_to_its_spender_and_cap_and_never_unlimited():
    asked = clean_one("transaction", to=TOKEN, selector="0x095ea7b3", spender=SPENDER, max_amount=70000)
    assert verify(asked, tx(TOKEN, "", approve_call(SPENDER, 70000))) is None
    assert "at most 70000" in (verify(asked, tx(TOKEN, "", approve_call(SPENDER, 70001))) or "")
    assert "spender" in (verify(asked, tx(TOKEN, "", approve_call(TOKEN, 1))) or "")
    assert "method 0xa9059cbb" in (verify(asked, tx(TOKEN, "", "0xa9059cbb" + "00" * 64)) or "")
    unlimited = clean_one("transaction", to=TOKEN, selector="0x095ea7b3")
    assert "unlimited" in (verify(unlimited, tx(TOKEN, "", approve_call(SPENDER, 2**256 - 1))) or "")
    assert "allowed contracts" in (
        verify(asked, tx(TOKEN, "", approve_call(SPENDER, 1)), ctx(allowed_contracts=[SPENDER])) or ""
    )


def test_an_exact_cap_is_the_only_amount_approved():
    asked = clean_one("transaction", to=TOKEN, selector="0x095ea7b3", spender=SPENDER, amount="12345")
    assert asked["amount"] == "12345"
    assert "max_amount" not in asked
    assert verify(asked, tx(TOKEN, "", approve_call(SPENDER, 12345))) is None
    # Neither less nor more than asked: a dApp's own proposal left in place is refused.
    assert "exactly 12345" in (verify(asked, tx(TOKEN, "", approve_call(SPENDER, 12344))) or "")
    assert "exactly 12345" in (verify(asked, tx(TOKEN, "", approve_call(SPENDER, 70000))) or "")
    assert "spender" in (verify(asked, tx(TOKEN, "", approve_call(TOKEN, 12345))) or "")
    revoke = clean_one("transaction", to=TOKEN, selector="0x095ea7b3", spender=SPENDER, amount=0)
    assert verify(revoke, tx(TOKEN, "", approve_call(SPENDER, 0))) is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"selector": "0x095ea7b3", "spender": SPENDER, "amount": 1, "max_amount": 2}, "exclude each other"),
        ({"selector": "0x39509351", "spender": SPENDER, "amount": 1}, "for the approve selector"),
        ({"selector": "0x095ea7b3", "amount": 1}, "spender goes with"),
        ({"selector": "0x095ea7b3", "spender": SPENDER, "amount": -1}, "non-negative integer"),
        ({"selector": "0x095ea7b3", "spender": SPENDER, "amount": "1e3"}, "non-negative integer"),
        ({"selector": "0x095ea7b3", "spender": SPENDER, "amount": str(2**256)}, "below 2**256"),
    ],
)
def test_an_exact_cap_is_taken_for_an_approve_only(fields: dict, message: str) -> None:
    with pytest.raises(ValidationFailed, match=re.escape(message)):
        clean_one("transaction", to=TOKEN, **fields)


def test_a_contract_creation_shows_no_recipient():
    asked = clean_one("transaction")
    assert verify(asked, tx("", "", "0x6080604052348015600f57600080fd5b")) is None
    assert "expected a contract creation" in (
        verify(asked, tx(SPENDER, "", "0x6080604052348015600f57600080fd5b")) or ""
    )
    assert "not among them" in (
        verify(asked, tx("", "", "0x6080604052348015600f57600080fd5b"), ctx(allowed_contracts=[TOKEN])) or ""
    )


def test_fee_advice_passes_only_with_a_fee_cap_and_within_it():
    advice = (Alert("warning", "Network fee: site suggested", about="fee"),)
    uncapped = clean_one("transaction", to=SPENDER)
    assert "MetaMask warns" in (verify(uncapped, tx(SPENDER, alerts=advice)) or "")
    capped = clean_one("transaction", to=SPENDER, max_fee_wei=21000 * 10**10)
    assert verify(capped, tx(SPENDER, alerts=advice, max_fee_text="0.0002 ETH")) is None
    assert "max fee shown" in (verify(capped, tx(SPENDER, max_fee_text="0.0004 ETH")) or "")


def test_a_network_by_name_chain_and_rpc_and_the_policys_chains():
    asked = clean_one("network", chain_id=1338, rpc_url="http://127.0.0.1:8546", name="Localhost 8546")
    shown = DisplayedNetwork("127.0.0.1:8080", "Localhost 8546", "1338", "127.0.0.1:8546", "")
    assert verify(asked, shown) is None
    wrong = DisplayedNetwork("127.0.0.1:8080", "Localhost 8546", "1", "127.0.0.1:8546", "")
    assert "chain id shown" in (verify(asked, wrong) or "")
    assert "allowed chains" in (verify(asked, shown, ctx(allowed_chain_ids=[31337])) or "")


def test_a_token_by_its_symbol_alone():
    asked = clean_one("token", symbol="TST")
    assert verify(asked, DisplayedToken("", ("TST",), ("0",), "")) is None
    assert "alone" in (verify(asked, DisplayedToken("", ("TST", "EVL"), ("0", "0"), "")) or "")


# --- the result ---------------------------------------------------------------------------------------------
def sent(
    nonce: int, to: str | None = SPENDER, value: int = 0, data: str = "0x"
) -> tuple[ChainTransaction, ChainReceipt]:
    tx = ChainTransaction(f"0x{nonce:064x}", ACCOUNT.address, to, value, data, nonce, 31337)
    return tx, ChainReceipt(block_number=5, status=1, gas_used=21000)


def test_the_result_proves_a_signature_and_links_each_transaction_to_its_approval():
    message = "Example `personal_sign` message"
    good = Account.sign_message(encode_defunct(text=message), KEY).signature.to_0x_hex()
    other = Account.sign_message(encode_defunct(text="something else"), KEY).signature.to_0x_hex()
    expect = [
        clean_one("personal_sign", message=message),
        clean_one("transaction", to=SPENDER),
    ]
    outcome = FlowOutcome(
        steps=[StepResult(0, "read", True, 0.2, name="sig", text=f"{other} then {good}")],
        confirmations=[
            Confirmation("signature", "approved", 0),
            Confirmation("transaction", "rejected", None, "a transaction the flow does not expect"),
            Confirmation("transaction", "approved", 1),
        ],
        met=[True, True],
        chain_id=31337,
    )
    result = flow_result(outcome, expect, address=ACCOUNT.address, sent=[sent(4)])
    assert result["ok"] is True
    assert result["confirmations"][0]["signature"] == good
    assert "transaction" not in result["confirmations"][1]
    assert result["confirmations"][2]["transaction"]["tx_hash"] == f"0x{4:064x}"
    assert result["unapproved_transactions"] == 0
    assert result["reads"] == {"sig": f"{other} then {good}"}


def test_an_unmet_expectation_fails_the_flow_and_names_what_was_refused():
    expect = [clean_one("connect")]
    outcome = FlowOutcome(
        confirmations=[Confirmation("connect", "rejected", None, "origin evil")],
        met=[False],
        chain_id=1,
    )
    result = flow_result(outcome, expect, address=ACCOUNT.address, sent=[sent(1), sent(2)])
    assert result["ok"] is False
    assert result["error_kind"] == "flow_expectation_unmet"
    assert result["error"] == "expect[0] (connect) was not met; refused: origin evil"
    assert result["unapproved_transactions"] == 2  # the chain holds sends the flow never approved


def test_a_step_error_is_the_flows_error():
    error = AutomationError("step 0 (click) failed")
    error.kind = "flow_step_failed"
    result = flow_result(FlowOutcome(error=error, met=[]), [], address=ACCOUNT.address, sent=[])
    assert (result["ok"], result["error_kind"]) == (False, "flow_step_failed")


def test_a_mined_transaction_unlike_its_expectation_fails_the_flow():
    """A contract creation's value is not on 13.36's screen: the chain's copy is held to the expectation."""
    expect = [clean_one("transaction", max_value_wei=0)]
    outcome = FlowOutcome(confirmations=[Confirmation("transaction", "approved", 0)], met=[True])
    result = flow_result(outcome, expect, address=ACCOUNT.address, sent=[sent(3, to=None, value=5)])
    assert result["ok"] is False
    assert result["error_kind"] == "chain_mismatch"
    assert "carried 5 wei" in result["error"]


@pytest.mark.parametrize(
    ("cap", "mined", "error"),
    [
        ({"amount": "12345"}, approve_call(SPENDER, 12345), None),
        ({"amount": "12345"}, approve_call(SPENDER, 70000), "asked exactly 12345"),
        ({"max_amount": "70000"}, approve_call(SPENDER, 70000), None),
        ({"max_amount": "70000"}, approve_call(SPENDER, 70001), "above 70000"),
        ({"amount": "12345"}, approve_call(TOKEN, 12345), "another spender"),
    ],
)
def test_a_mined_approval_is_held_to_its_spender_and_cap(cap: dict, mined: str, error: str | None) -> None:
    """What MetaMask sent is read back from the chain: the screen's amount must be the chain's too."""
    expect = [clean_one("transaction", to=TOKEN, selector="0x095ea7b3", spender=SPENDER, **cap)]
    outcome = FlowOutcome(confirmations=[Confirmation("transaction", "approved", 0)], met=[True])
    result = flow_result(outcome, expect, address=ACCOUNT.address, sent=[sent(3, to=TOKEN, data=mined)])
    assert result["ok"] is (error is None), result
    if error:
        assert result["error_kind"] == "chain_mismatch"
        assert error in result["error"]
