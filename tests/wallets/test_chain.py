"""Outcomes taken from the chain (a real anvil on loopback), not from the dApp page: the claimed hash is
checked, a forged one is caught and the row's transaction found by the nonce recorded before sending."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from metamask_service.devstack import Anvil
from metamask_service.devstack.erc20 import deploy_erc20
from tests.factories import MNEMONIC, MNEMONIC_ADDRESS, TransactionFactory, WalletSessionFactory
from tests.support.chain_fixtures import send_mined
from wallets import execution
from wallets.chain import Chain, ChainUnavailable
from wallets.execution.transactions import _settle
from wallets.models import SecurityEvent, Transaction, WalletSession
from wallets.services.transitions import transition_one

pytestmark = pytest.mark.django_db
RECIPIENT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
OTHER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"


@pytest.fixture(scope="module")
def anvil() -> Iterator[Anvil]:
    with Anvil(mnemonic=MNEMONIC) as chain:  # its account 0 is the factories' wallet, unlocked
        yield chain


def send_direct(anvil: Anvil, to: str, value_wei: int) -> str:
    """A transaction of the wallet's account sent straight to anvil (as MetaMask would broadcast it)."""
    tx = {"from": MNEMONIC_ADDRESS, "to": to, "value": hex(value_wei)}
    return send_mined(anvil, tx)


def submitted_row(
    anvil: Anvil, *, to: str, value_wei: int, nonce: int, tx_hash: str, **fields: object
) -> Transaction:
    network = {"chain_id": 31337, "rpc_url": anvil.rpc_url, "name": "Anvil Local"}
    session = WalletSessionFactory(network=network)
    row = TransactionFactory(
        session=session, to=to, value_wei=value_wei, status=Transaction.Status.RUNNING, **fields
    )
    Transaction.objects.filter(id=row.id).update(nonce=nonce)
    assert transition_one(Transaction, row_id=row.id, to=Transaction.Status.SUBMITTED, tx_hash=tx_hash)
    return Transaction.objects.select_related("session__wallet__owner").get(id=row.id)


def test_chain_reads_a_transaction_its_receipt_and_finds_it_by_nonce(anvil: Anvil) -> None:
    chain = Chain(anvil.rpc_url)
    assert chain.chain_id() == 31337
    nonce = chain.nonce(MNEMONIC_ADDRESS)
    tx_hash = send_direct(anvil, RECIPIENT, 1234)
    tx = chain.transaction(tx_hash)
    assert tx is not None
    assert (tx.sender.lower(), (tx.to or "").lower(), tx.value_wei, tx.nonce) == (
        MNEMONIC_ADDRESS.lower(), RECIPIENT.lower(), 1234, nonce,
    )  # fmt: skip
    receipt = chain.receipt(tx_hash)
    assert receipt is not None
    assert receipt.status == 1
    assert chain.find_by_nonce(MNEMONIC_ADDRESS, nonce) == tx_hash
    assert chain.transaction("0x" + "00" * 32) is None


def test_an_unreachable_rpc_is_chain_unavailable_after_retries() -> None:
    with pytest.raises(ChainUnavailable):
        Chain("http://127.0.0.1:9", timeout=0.5, attempts=2).chain_id()


def test_the_claimed_hash_of_the_requested_transaction_is_confirmed(anvil: Anvil) -> None:
    nonce = Chain(anvil.rpc_url).nonce(MNEMONIC_ADDRESS)
    tx_hash = send_direct(anvil, RECIPIENT, 10**15)
    row = submitted_row(anvil, to=RECIPIENT, value_wei=10**15, nonce=nonce, tx_hash=tx_hash)
    assert _settle(row, Chain(anvil.rpc_url)).outcome == "confirmed"
    row.refresh_from_db()
    assert (row.status, row.tx_hash, row.receipt_status) == ("confirmed", tx_hash, 1)


GWEI = 10**9


def send_with_caps(anvil: Anvil, max_fee: int, max_priority_fee: int) -> str:
    caps = {"maxFeePerGas": hex(max_fee), "maxPriorityFeePerGas": hex(max_priority_fee)}
    tx = {"from": MNEMONIC_ADDRESS, "to": RECIPIENT, "value": hex(10**15), **caps}
    return send_mined(anvil, tx)


def capped_row(anvil: Anvil, *, nonce: int, tx_hash: str) -> Transaction:
    """A submitted request for 0.001 ETH to RECIPIENT that asked for caps of 3 and 2 gwei."""
    return submitted_row(
        anvil,
        to=RECIPIENT,
        value_wei=10**15,
        nonce=nonce,
        tx_hash=tx_hash,
        max_fee_per_gas_wei=3 * GWEI,
        max_priority_fee_per_gas_wei=2 * GWEI,
    )


def test_a_transaction_sent_with_other_fee_caps_than_requested_is_a_chain_mismatch(anvil: Anvil) -> None:
    """The request's EIP-1559 caps (a page or a wallet raising them) are compared with the chain's."""
    chain = Chain(anvil.rpc_url)
    nonce = chain.nonce(MNEMONIC_ADDRESS)
    tx_hash = send_with_caps(anvil, 9 * GWEI, 2 * GWEI)
    sent = chain.transaction(tx_hash)
    assert sent is not None
    assert (sent.max_fee_per_gas, sent.max_priority_fee_per_gas) == (9 * GWEI, 2 * GWEI)
    row = capped_row(anvil, nonce=nonce, tx_hash=tx_hash)
    outcome = _settle(row, chain)
    assert (outcome.outcome, outcome.detail) == ("unknown", "chain_mismatch")
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.CHAIN_MISMATCH, session=row.session)
    assert "max fee per gas on chain is 9000000000 wei, requested 3000000000" in event.details["reason"]
    # The same request sent with exactly its caps is confirmed.
    nonce = chain.nonce(MNEMONIC_ADDRESS)
    tx_hash = send_with_caps(anvil, 3 * GWEI, 2 * GWEI)
    assert _settle(capped_row(anvil, nonce=nonce, tx_hash=tx_hash), chain).outcome == "confirmed"


def test_a_forged_hash_is_caught_then_the_row_is_reconciled_by_its_nonce(anvil: Anvil) -> None:
    chain = Chain(anvil.rpc_url)
    decoy = send_direct(anvil, OTHER, 7)  # a real transaction, but not the request
    nonce = chain.nonce(MNEMONIC_ADDRESS)
    real = send_direct(anvil, RECIPIENT, 10**15)  # what MetaMask actually sent for the request
    row = submitted_row(anvil, to=RECIPIENT, value_wei=10**15, nonce=nonce, tx_hash=decoy)
    outcome = _settle(row, chain)
    assert (outcome.outcome, outcome.detail) == ("unknown", "chain_mismatch")
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.CHAIN_MISMATCH, session=row.session)
    assert event.severity == SecurityEvent.Severity.CRITICAL
    assert "recipient" in event.details["reason"]
    assert execution.transactions_reconcile(older_than_seconds=0)["confirmed"] >= 1
    row.refresh_from_db()
    assert (row.status, row.tx_hash) == ("confirmed", real)


def test_a_nonce_taken_by_another_transaction_fails_the_row_and_is_recorded(anvil: Anvil) -> None:
    chain = Chain(anvil.rpc_url)
    nonce = chain.nonce(MNEMONIC_ADDRESS)
    send_direct(anvil, OTHER, 9)  # consumes the nonce; the request was never sent
    row = submitted_row(anvil, to=RECIPIENT, value_wei=10**15, nonce=nonce, tx_hash="")
    transition_one(Transaction, row_id=row.id, to=Transaction.Status.UNKNOWN, error_kind="interrupted")
    assert execution.transactions_reconcile(older_than_seconds=0)["failed"] >= 1
    row.refresh_from_db()
    assert (row.status, row.error_kind) == ("failed", "nonce_taken")
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.CHAIN_MISMATCH, session=row.session).exists()


def test_an_unconsumed_nonce_stays_unknown(anvil: Anvil) -> None:
    nonce = Chain(anvil.rpc_url).nonce(MNEMONIC_ADDRESS)
    row = submitted_row(anvil, to=RECIPIENT, value_wei=10**15, nonce=nonce, tx_hash="")
    transition_one(Transaction, row_id=row.id, to=Transaction.Status.UNKNOWN, error_kind="interrupted")
    execution.transactions_reconcile(older_than_seconds=0)
    row.refresh_from_db()
    assert row.status == "unknown"


def test_an_unused_nonce_of_an_ended_session_is_failed_not_sent(anvil: Anvil) -> None:
    nonce = Chain(anvil.rpc_url).nonce(MNEMONIC_ADDRESS)
    row = submitted_row(anvil, to=RECIPIENT, value_wei=10**15, nonce=nonce, tx_hash="")
    transition_one(Transaction, row_id=row.id, to=Transaction.Status.UNKNOWN, error_kind="interrupted")
    WalletSession.objects.filter(id=row.session_id).update(status=WalletSession.Status.LOST)
    execution.transactions_reconcile(older_than_seconds=0)
    row.refresh_from_db()
    assert (row.status, row.error_kind) == ("failed", "not_sent")


def test_a_transaction_of_an_account_the_session_switched_away_from_is_settled_as_that_accounts(
    anvil: Anvil,
) -> None:
    """Sent from the first account, then the session switched to another: its hash is checked against, and
    its nonce read for, the account it was asked of."""
    nonce = Chain(anvil.rpc_url).nonce(MNEMONIC_ADDRESS)
    tx_hash = send_direct(anvil, RECIPIENT, 10**15)
    row = submitted_row(anvil, to=RECIPIENT, value_wei=10**15, nonce=nonce, tx_hash=tx_hash)
    Transaction.objects.filter(id=row.id).update(account=MNEMONIC_ADDRESS)
    WalletSession.objects.filter(id=row.session_id).update(account=OTHER)
    row = Transaction.objects.select_related("session__wallet__owner").get(id=row.id)
    assert row.session.active_account == OTHER
    assert row.sender == MNEMONIC_ADDRESS
    assert _settle(row, Chain(anvil.rpc_url)).outcome == "confirmed"


def test_a_tokens_decimals_are_read_and_a_non_token_has_none(anvil: Anvil) -> None:
    """A flow's exact spending cap is written in the token's units: its decimals() from the session's RPC."""
    token = deploy_erc20(anvil, name="Cap Token", symbol="CAP", supply=10**20, owner=MNEMONIC_ADDRESS)
    chain = Chain(anvil.rpc_url)
    assert chain.erc20_decimals(token) == 18
    assert chain.erc20_decimals(RECIPIENT) is None  # no code there: nothing answers
