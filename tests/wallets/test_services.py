import pytest

from tests.factories import SignatureRequestFactory, TransactionFactory, WalletSessionFactory
from wallets import services
from wallets.models import SecurityEvent, SignatureRequest, Transaction, WalletSession

pytestmark = pytest.mark.django_db

WORKER = "browser@worker-9"


def test_session_claim_happens_once():
    session = WalletSessionFactory.create(status=WalletSession.Status.PENDING, worker="")
    assert services.session_claim(session_id=session.id, worker=WORKER) is True
    assert services.session_claim(session_id=session.id, worker="browser@other") is False
    session.refresh_from_db()
    assert (session.status, session.worker) == ("opening", WORKER)


def test_transaction_claim_happens_once_and_counts_attempts():
    tx = TransactionFactory.create()
    assert services.transaction_claim(transaction_id=tx.id) is True
    assert services.transaction_claim(transaction_id=tx.id) is False
    tx.refresh_from_db()
    assert (tx.status, tx.attempts) == ("running", 1)
    assert tx.claimed_at is not None


def test_signature_claim_happens_once():
    sig = SignatureRequestFactory.create()
    assert services.signature_request_claim(signature_id=sig.id) is True
    assert services.signature_request_claim(signature_id=sig.id) is False


def test_session_lifecycle_transitions():
    session = WalletSessionFactory.create(status=WalletSession.Status.PENDING, worker="", ttl_seconds=120)
    services.session_claim(session_id=session.id, worker=WORKER)
    assert services.session_mark_ready(session_id=session.id, accounts=["0xabc"], chain_id=31337)
    session.refresh_from_db()
    assert (session.status, session.accounts, session.chain_id) == ("ready", ["0xabc"], 31337)
    assert session.expires_at is not None
    assert session.opened_at is not None
    assert (session.expires_at - session.opened_at).total_seconds() == 120
    assert (
        services.session_mark_failed(session_id=session.id, error="x", error_kind="y") is False
    )  # not opening
    assert services.session_mark_closed(session_id=session.id) is True
    assert services.session_mark_closed(session_id=session.id) is False


def test_transaction_transitions():
    tx = TransactionFactory.create()
    assert services.transaction_mark_submitted(transaction_id=tx.id, tx_hash="0x1") is False  # not claimed
    services.transaction_claim(transaction_id=tx.id)
    assert services.transaction_mark_submitted(transaction_id=tx.id, tx_hash="0x" + "a" * 64)
    assert services.transaction_mark_mined(
        transaction_id=tx.id, block_number=5, receipt_status=0, gas_used=30000
    )
    tx.refresh_from_db()
    assert (tx.status, tx.block_number, tx.gas_used) == ("reverted", 5, 30000)
    assert (
        services.transaction_mark_failed(transaction_id=tx.id, error="late", error_kind="x") is False
    )  # final


def test_signature_transitions():
    sig = SignatureRequestFactory.create()
    services.signature_request_claim(signature_id=sig.id)
    assert services.signature_mark_rejected(
        signature_id=sig.id, error="shown message differs", error_kind="policy_mismatch", artifact_path="a/b"
    )
    sig.refresh_from_db()
    assert (sig.status, sig.error_kind, sig.artifact_path) == ("rejected", "policy_mismatch", "a/b")
    assert services.signature_mark_signed(signature_id=sig.id, signature="0x1") is False


def test_progress_append_accumulates():
    tx = TransactionFactory.create()
    services.progress_append(row=tx, step="open_popup", ok=True, seconds=1.23456)
    services.progress_append(row=tx, step="confirm", ok=False, seconds=0.5)
    tx.refresh_from_db()
    assert [(p["step"], p["ok"], p["seconds"]) for p in tx.progress] == [
        ("open_popup", True, 1.235),
        ("confirm", False, 0.5),
    ]
    assert all("at" in p for p in tx.progress)


def test_lost_session_fails_queued_work_and_records_event():
    session = WalletSessionFactory.create(worker=WORKER)
    tx = TransactionFactory.create(session=session)
    sig = SignatureRequestFactory.create(session=session)
    done = TransactionFactory.create(session=session, status=Transaction.Status.CONFIRMED)
    assert services.sessions_mark_lost_for_worker(worker=WORKER) == 1
    session.refresh_from_db()
    assert (session.status, session.error_kind) == ("lost", "worker_restarted")
    assert Transaction.objects.get(id=tx.id).status == "failed"
    assert SignatureRequest.objects.get(id=sig.id).status == "failed"
    assert Transaction.objects.get(id=done.id).status == "confirmed"
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SESSION_LOST)
    assert event.session_id == session.id
    assert event.actor == session.wallet.owner


def test_heartbeat_upserts():
    services.browser_worker_heartbeat(hostname=WORKER, sessions_open=1, browsers_running=1, rss_bytes=10)
    services.browser_worker_heartbeat(hostname=WORKER, sessions_open=2, browsers_running=1, rss_bytes=20)
    from wallets.selectors import browser_workers_live

    assert [(w.hostname, w.sessions_open) for w in browser_workers_live()] == [(WORKER, 2)]


def test_metamask_version_is_recorded_once_per_session():
    session = WalletSessionFactory.create(status=WalletSession.Status.OPENING)
    assert services.session_set_metamask_version(session_id=session.id, version=" 13.36.0.0 ") is True
    # A later start (restart) never rewrites it, and nothing empty is stored.
    assert services.session_set_metamask_version(session_id=session.id, version="13.5.0") is False
    other = WalletSessionFactory.create()
    assert services.session_set_metamask_version(session_id=other.id, version="  ") is False
    session.refresh_from_db()
    other.refresh_from_db()
    assert (session.metamask_version, other.metamask_version) == ("13.36.0.0", "")
    long = WalletSessionFactory.create()
    services.session_set_metamask_version(session_id=long.id, version="1" * 100)
    long.refresh_from_db()
    assert long.metamask_version == "1" * WalletSession.METAMASK_VERSION_MAX_LENGTH
