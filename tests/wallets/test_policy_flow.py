"""The worker applies the wallet's policy before MetaMask is asked: a blocked row ends `blocked` with the
reason and a policy_blocked event, and no browser is touched."""

from __future__ import annotations

import pytest

from tests.factories import WORKER, SignatureRequestFactory, TransactionFactory, WalletSessionFactory
from wallets import execution, services
from wallets.models import SecurityEvent, SignatureRequest, Transaction, WalletPolicy
from wallets.runtime import SessionBrowsers

pytestmark = pytest.mark.django_db
TO = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def test_a_signature_from_an_origin_outside_the_policy_is_blocked_without_a_browser() -> None:
    session = WalletSessionFactory(dapp_origin="https://evil.example")
    WalletPolicy.objects.create(wallet=session.wallet, allowed_origins=["https://app.example"])
    row = SignatureRequestFactory(session=session)
    browsers = SessionBrowsers()  # empty: reaching for a browser would mark the session lost
    outcome = execution.signature_execute(signature_id=str(row.id), worker=WORKER, browsers=browsers)
    assert (outcome.outcome, outcome.detail) == ("blocked", "policy_blocked")
    row.refresh_from_db()
    assert (row.status, row.error_kind) == (SignatureRequest.Status.BLOCKED, "policy_blocked")
    assert "origin" in row.error
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.POLICY_BLOCKED)
    assert event.details["action"] == "personal_sign"
    session.refresh_from_db()
    assert session.status == "ready"


def test_the_rolling_24h_limit_counts_what_was_sent_and_not_what_was_rejected() -> None:
    session = WalletSessionFactory()
    WalletPolicy.objects.create(wallet=session.wallet, max_value_wei_per_24h=100)
    TransactionFactory(session=session, value_wei=60, status=Transaction.Status.CONFIRMED)
    TransactionFactory(session=session, value_wei=30, status=Transaction.Status.UNKNOWN)
    TransactionFactory(session=session, value_wei=500, status=Transaction.Status.REJECTED)  # never sent
    within = TransactionFactory(session=session, to=TO, value_wei=10, status=Transaction.Status.RUNNING)
    assert services.transaction_policy_reason(row=within) is None  # 60 + 30 + 10
    over = TransactionFactory(session=session, to=TO, value_wei=1, status=Transaction.Status.RUNNING)
    # 60 + 30 + 10 (running: it may be sent) + 1 > 100
    assert "24 h" in (services.transaction_policy_reason(row=over) or "")


def test_policy_updates_are_validated_and_recorded_with_before_and_after(user) -> None:
    session = WalletSessionFactory()
    services.wallet_policy_update(wallet=session.wallet, actor=user, rules={"allowed_chain_ids": [31337]})
    services.wallet_policy_update(
        wallet=session.wallet,
        actor=user,
        rules={"max_value_wei_per_tx": "1000", "allowed_chain_ids": [31337]},
    )
    events = list(SecurityEvent.objects.filter(kind=SecurityEvent.Kind.POLICY_CHANGED).order_by("created_at"))
    assert len(events) == 2
    assert events[1].details["before"]["max_value_wei_per_tx"] is None
    assert events[1].details["after"]["max_value_wei_per_tx"] == "1000"
    # The same rules again change nothing and record nothing.
    services.wallet_policy_update(wallet=session.wallet, actor=user, rules={"allowed_chain_ids": [31337]})
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.POLICY_CHANGED).count() == 2
    from wallets.exceptions import ValidationFailed

    for bad in (
        {"allowed_origins": ["ftp://x"]},
        {"allowed_selectors": ["0x12"]},
        {"nope": 1},
        {"max_value_wei_per_tx": -1},
    ):
        with pytest.raises(ValidationFailed):
            services.wallet_policy_update(wallet=session.wallet, actor=user, rules=bad)


def test_a_transaction_above_the_per_transaction_cap_is_blocked_without_a_browser() -> None:
    session = WalletSessionFactory()
    WalletPolicy.objects.create(wallet=session.wallet, max_value_wei_per_tx=10**15)
    row = TransactionFactory(session=session, to=TO, value_wei=10**15 + 1)
    outcome = execution.transaction_execute(
        transaction_id=str(row.id), worker=WORKER, browsers=SessionBrowsers()
    )
    assert (outcome.outcome, outcome.detail) == ("blocked", "policy_blocked")
    row.refresh_from_db()
    assert (row.status, row.error_kind, row.tx_hash) == (Transaction.Status.BLOCKED, "policy_blocked", "")


def test_a_fee_cap_in_the_policy_blocks_a_request_without_one_or_above_it() -> None:
    """Deny by default: with a cap set, MetaMask is never left to choose the fee."""
    session = WalletSessionFactory()
    WalletPolicy.objects.create(wallet=session.wallet, max_fee_per_gas_wei=3 * 10**9)
    for fee, why in ((None, "must set max_fee_per_gas_wei"), (3 * 10**9 + 1, "above the wallet's cap")):
        row = TransactionFactory(session=session, to=TO, max_fee_per_gas_wei=fee)
        outcome = execution.transaction_execute(
            transaction_id=str(row.id), worker=WORKER, browsers=SessionBrowsers()
        )
        assert (outcome.outcome, outcome.detail) == ("blocked", "policy_blocked")
        row.refresh_from_db()
        assert why in row.error
        assert row.tx_hash == ""


def test_hard_bans_block_an_unlimited_approval_and_a_permit_without_deadline_on_any_wallet() -> None:
    session = WalletSessionFactory()  # no policy at all
    spender = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
    approve_all = "0x095ea7b3" + spender[2:].lower().rjust(64, "0") + "f" * 64
    tx = TransactionFactory(session=session, to=TO, value_wei=0, data=approve_all)
    assert (
        execution.transaction_execute(
            transaction_id=str(tx.id), worker=WORKER, browsers=SessionBrowsers()
        ).outcome
        == "blocked"
    )
    permit = {
        "types": {
            "EIP712Domain": [{"name": "name", "type": "string"}],
            "Permit": [{"name": "value", "type": "uint256"}],
        },
        "primaryType": "Permit",
        "domain": {"name": "Token", "chainId": 31337},
        "message": {"value": 5},
    }
    sig = SignatureRequestFactory(
        session=session, method=SignatureRequest.Method.SIGN_TYPED_DATA_V4, payload=permit
    )
    assert (
        execution.signature_execute(
            signature_id=str(sig.id), worker=WORKER, browsers=SessionBrowsers()
        ).outcome
        == "blocked"
    )
    tx.refresh_from_db()
    sig.refresh_from_db()
    assert "unlimited" in tx.error
    assert "deadline" in sig.error
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.POLICY_BLOCKED).count() == 2
