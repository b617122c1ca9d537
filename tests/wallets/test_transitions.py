"""The status tables (each model's TRANSITIONS) and the one helper that applies them."""

import pytest

from tests.factories import TransactionFactory, WalletSessionFactory
from wallets.models import NetworkChange, SessionCommand, SignatureRequest, Transaction, WalletSession
from wallets.services.transitions import transition, transition_one

MODELS = (WalletSession, Transaction, SignatureRequest, NetworkChange, SessionCommand)


@pytest.mark.parametrize("model", MODELS)
def test_a_final_status_is_never_left_and_every_status_is_known(model):
    statuses = set(model.Status.values)
    for to, sources in model.TRANSITIONS.items():
        assert to in statuses
        assert set(sources) <= statuses
        assert not set(sources) & set(model.FINAL_STATUSES), f"{model.__name__}: a final status -> {to}"
    assert set(model.FINAL_STATUSES) <= set(model.TRANSITIONS)  # every final status can be reached


@pytest.mark.django_db
def test_a_source_outside_the_table_is_refused_before_any_write():
    tx = TransactionFactory.create(status=Transaction.Status.CONFIRMED)
    with pytest.raises(ValueError, match="confirmed"):
        transition_one(Transaction, row_id=tx.id, to=Transaction.Status.FAILED, only_from=("confirmed",))
    tx.refresh_from_db()
    assert tx.status == Transaction.Status.CONFIRMED


@pytest.mark.django_db
def test_an_operation_gets_finished_at_only_when_it_ends():
    tx = TransactionFactory.create(status=Transaction.Status.RUNNING)
    assert transition_one(Transaction, row_id=tx.id, to=Transaction.Status.SUBMITTED, tx_hash="0x" + "1" * 64)
    tx.refresh_from_db()
    assert (tx.status, tx.finished_at) == ("submitted", None)
    before = tx.updated_at
    assert transition_one(Transaction, row_id=tx.id, to=Transaction.Status.CONFIRMED)
    tx.refresh_from_db()
    assert tx.finished_at is not None
    assert tx.updated_at == tx.finished_at
    assert tx.updated_at > before
    # Moved once: the same move again finds nothing to move.
    assert transition_one(Transaction, row_id=tx.id, to=Transaction.Status.CONFIRMED) is False


@pytest.mark.django_db
def test_only_from_narrows_the_table():
    opening = WalletSessionFactory.create(status=WalletSession.Status.OPENING)
    pending = WalletSessionFactory.create(status=WalletSession.Status.PENDING)
    moved = transition(
        WalletSession,
        to=WalletSession.Status.CLOSED,
        only_from=(WalletSession.Status.PENDING,),
        where={"id__in": [opening.id, pending.id]},
    )
    assert moved == 1
    opening.refresh_from_db()
    pending.refresh_from_db()
    assert (opening.status, pending.status) == ("opening", "closed")
