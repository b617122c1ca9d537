import copy
from datetime import timedelta
from typing import Any

import pytest
from celery.signals import before_task_publish
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from metamask_service.devstack.typed_data import typed_data
from tests.factories import OTHER_MNEMONIC, SignatureRequestFactory, TransactionFactory, WalletSessionFactory
from wallets.models import SecurityEvent, SignatureRequest, Transaction, WalletSession
from wallets.services.sessions import TOUCH_AT_MOST_EVERY_SECONDS

pytestmark = pytest.mark.django_db

TO = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
TYPED: dict[str, Any] = typed_data(
    primary_type="Mail",
    types={
        "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}],
        "Mail": [
            {"name": "from", "type": "Person"},
            {"name": "to", "type": "Person"},
            {"name": "contents", "type": "string"},
        ],
    },
    message={
        "from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
        "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
        "contents": "Hello, Bob!",
    },
    domain_name="Ether Mail",
)


def _without(key):
    data = copy.deepcopy(TYPED)
    del data[key]
    return data


def _with(**changes):
    return {**copy.deepcopy(TYPED), **changes}


@pytest.fixture
def session(user):
    return WalletSessionFactory.create(wallet__owner=user)


def sig_url(session):
    return f"/api/v1/sessions/{session.id}/signatures/"


def tx_url(session):
    return f"/api/v1/sessions/{session.id}/transactions/"


# --- signatures -----------------------------------------------------------------------------------------
def test_personal_sign_is_202(api, session):
    response = api.post(
        sig_url(session), {"method": "personal_sign", "message": "Sign in: 42"}, format="json"
    )
    assert response.status_code == 202
    row = SignatureRequest.objects.get(id=response.json()["id"])
    assert (row.method, row.payload, row.status) == ("personal_sign", "Sign in: 42", "pending")
    assert response.json() == {"id": str(row.id), "status": "pending", "task_id": row.task_id}
    assert row.task_id


def test_typed_data_v4_is_202(api, session):
    response = api.post(
        sig_url(session), {"method": "eth_signTypedData_v4", "typed_data": TYPED}, format="json"
    )
    assert response.status_code == 202, response.content
    assert SignatureRequest.objects.get().payload == TYPED


@pytest.mark.parametrize(
    "payload",
    [
        {"method": "eth_sign", "message": "0xdeadbeef"},
        {"method": "eth_signTypedData_v3", "typed_data": TYPED},
        {"method": "personal_sign"},
        {"method": "personal_sign", "message": ""},
        {"method": "personal_sign", "message": 12},
        {"method": "personal_sign", "message": "x", "typed_data": TYPED},
        {"method": "eth_signTypedData_v4", "message": "hello"},
        {"method": "eth_signTypedData_v4", "typed_data": "not an object"},
        {"method": "eth_signTypedData_v4", "typed_data": _without("types")},
        {"method": "eth_signTypedData_v4", "typed_data": _without("primaryType")},
        {"method": "eth_signTypedData_v4", "typed_data": _without("domain")},
        {"method": "eth_signTypedData_v4", "typed_data": _without("message")},
        {"method": "eth_signTypedData_v4", "typed_data": _with(primaryType="Letter")},
        {"method": "eth_signTypedData_v4", "typed_data": _with(types={"Mail": TYPED["types"]["Mail"]})},
        {"method": "eth_signTypedData_v4", "typed_data": _with(types={**TYPED["types"], "Person": "name"})},
        {"method": "eth_signTypedData_v4", "typed_data": _with(message={"from": "nobody"})},
        {},
    ],
)
def test_bad_signature_request_is_400_and_stores_nothing(api, session, payload):
    response = api.post(sig_url(session), payload, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["errors"]
    assert SignatureRequest.objects.count() == 0


@pytest.mark.parametrize(
    "status", [WalletSession.Status.PENDING, WalletSession.Status.OPENING, WalletSession.Status.CLOSED]
)
def test_signature_on_session_not_ready_is_409(api, user, status):
    session = WalletSessionFactory.create(wallet__owner=user, status=status)
    response = api.post(sig_url(session), {"method": "personal_sign", "message": "x"}, format="json")
    assert response.status_code == 409
    assert f"Session is {status}, not ready" in response.json()["detail"]
    assert response.json()["session_status"] == status
    assert SignatureRequest.objects.count() == 0


def test_expired_ready_session_is_409(api, user):
    from datetime import timedelta

    from django.utils import timezone

    session = WalletSessionFactory.create(
        wallet__owner=user, expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = api.post(tx_url(session), {"to": TO, "value_wei": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["session_status"] == "expired"


def test_signature_detail(api, session):
    row = SignatureRequestFactory.create(session=session, status="signed", signature="0x" + "ab" * 65)
    body = api.get(f"{sig_url(session)}{row.id}/").json()
    assert body["status"] == "signed"
    assert body["signature"] == row.signature
    assert body["error"] == ""


def test_operations_on_other_users_session_are_404(api, user, other_user):
    theirs = WalletSessionFactory.create(wallet__owner=other_user, wallet__mnemonic=OTHER_MNEMONIC)
    sig = SignatureRequestFactory.create(session=theirs)
    tx = TransactionFactory.create(session=theirs)
    assert (
        api.post(sig_url(theirs), {"method": "personal_sign", "message": "x"}, format="json").status_code
        == 404
    )
    assert api.post(tx_url(theirs), {"to": TO, "value_wei": 1}, format="json").status_code == 404
    assert api.get(f"{sig_url(theirs)}{sig.id}/").status_code == 404
    assert api.get(f"{tx_url(theirs)}{tx.id}/").status_code == 404
    assert SignatureRequest.objects.count() == 1
    assert Transaction.objects.count() == 1
    denied = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.OBJECT_ACCESS_DENIED, actor=user)
    assert denied.count() == 4  # each refused attempt leaves its own audit row


def test_detail_under_the_wrong_session_is_404(api, user, session):
    other_session = WalletSessionFactory.create(wallet=session.wallet)
    tx = TransactionFactory.create(session=other_session)
    assert api.get(f"{tx_url(session)}{tx.id}/").status_code == 404


# --- transactions ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("payload", "stored"),
    [
        ({"to": TO, "value_wei": "1000000000000000000"}, (10**18, "", None)),
        ({"to": TO.lower(), "value_wei": 0, "data": "0xA9059CBB", "gas": 21000}, (0, "0xa9059cbb", 21000)),
        ({"to": TO, "value_wei": str(2**256 - 1)}, (2**256 - 1, "", None)),
    ],
)
def test_transaction_is_202(api, session, payload, stored):
    response = api.post(tx_url(session), payload, format="json")
    assert response.status_code == 202, response.content
    row = Transaction.objects.get(id=response.json()["id"])
    assert (int(row.value_wei), row.data, row.gas) == stored
    assert row.to == TO
    assert row.status == "pending"
    assert row.task_id == response.json()["task_id"]
    assert api.get(f"{tx_url(session)}{row.id}/").json()["value_wei"] == str(stored[0])


@pytest.mark.parametrize(
    "payload",
    [
        {"to": "0x123", "value_wei": 1},
        {"to": "0x70997970c51812dc3a010c7d01b50e0d17dc79C8", "value_wei": 1},  # broken EIP-55 checksum
        {"to": "not an address", "value_wei": 1},
        {"to": TO, "value_wei": -1},
        {"to": TO, "value_wei": "-5"},
        {"to": TO, "value_wei": "1.5"},
        {"to": TO, "value_wei": 1.5},
        {"to": TO, "value_wei": True},
        {"to": TO, "value_wei": str(2**256)},
        {"to": TO, "value_wei": "0x10"},
        {"to": TO, "value_wei": 1, "data": "deadbeef"},
        {"to": TO, "value_wei": 1, "data": "0xabc"},
        {"to": TO, "value_wei": 1, "data": "0xzz"},
        {"to": TO, "value_wei": 1, "gas": 0},
        {"to": TO, "value_wei": 1, "gas": -21000},
        {"to": TO, "value_wei": 1, "max_fee_per_gas_wei": -1},
        {"to": TO, "value_wei": 1, "max_fee_per_gas_wei": "1.5"},
        {"to": TO, "value_wei": 1, "max_priority_fee_per_gas_wei": str(2**256)},
        {"to": TO, "value_wei": 1, "max_fee_per_gas_wei": 1, "max_priority_fee_per_gas_wei": 2},
        {"to": TO},
        {"value_wei": 1},
    ],
)
def test_bad_transaction_is_400_and_stores_nothing(api, session, payload):
    response = api.post(tx_url(session), payload, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["errors"]
    assert Transaction.objects.count() == 0


def test_transaction_fee_caps_are_kept_and_read_back_as_strings(api, session):
    payload = {
        "to": TO,
        "value_wei": 1,
        "max_fee_per_gas_wei": "3000000000",
        "max_priority_fee_per_gas_wei": 10**9,
    }
    response = api.post(tx_url(session), payload, format="json")
    assert response.status_code == 202, response.content
    row = Transaction.objects.get(id=response.json()["id"])
    assert (int(row.max_fee_per_gas_wei), int(row.max_priority_fee_per_gas_wei)) == (3 * 10**9, 10**9)
    body = api.get(f"{tx_url(session)}{row.id}/").json()
    assert (body["max_fee_per_gas_wei"], body["max_priority_fee_per_gas_wei"]) == ("3000000000", "1000000000")


def test_transaction_on_closed_session_is_409(api, user):
    session = WalletSessionFactory.create(wallet__owner=user, status=WalletSession.Status.CLOSED)
    response = api.post(tx_url(session), {"to": TO, "value_wei": 1}, format="json")
    assert response.status_code == 409
    assert Transaction.objects.count() == 0


def test_transaction_on_a_session_without_network_is_409_network_required(api, user):
    """No RPC of the session's own to check the chain with: refused before anything is queued."""
    session = WalletSessionFactory.create(wallet__owner=user, network=None)
    response = api.post(tx_url(session), {"to": TO, "value_wei": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "network_required"
    assert Transaction.objects.count() == 0


def test_transaction_detail(api, session):
    row = TransactionFactory.create(
        session=session,
        status="confirmed",
        tx_hash="0x" + "1" * 64,
        block_number=7,
        receipt_status=1,
        gas_used=21000,
    )
    body = api.get(f"{tx_url(session)}{row.id}/").json()
    assert {
        k: body[k] for k in ("status", "tx_hash", "block_number", "receipt_status", "gas_used", "error")
    } == {
        "status": "confirmed",
        "tx_hash": row.tx_hash,
        "block_number": 7,
        "receipt_status": 1,
        "gas_used": 21000,
        "error": "",
    }


def test_an_accepted_operation_is_inserted_with_its_task_id_and_pushes_the_expiry_once_in_steady_use(
    api, session, django_capture_on_commit_callbacks
):
    """The enqueue's writes: the row is inserted holding the id of the message that will act on it (no
    UPDATE of it after), and the session's expiry is pushed at most once per TOUCH_AT_MOST_EVERY_SECONDS
    (each accepted operation holds the session's row lock; that write would lengthen it)."""
    message_ids: list[str] = []

    def record(headers=None, **_):
        message_ids.append(headers["id"])

    before_task_publish.connect(record, weak=False)
    WalletSession.objects.filter(id=session.id).update(
        last_activity_at=timezone.now() - timedelta(seconds=TOUCH_AT_MOST_EVERY_SECONDS + 1)
    )
    writes: list[list[str]] = []
    try:
        for _ in range(2):
            with (
                django_capture_on_commit_callbacks(execute=True),
                CaptureQueriesContext(connection) as queries,
            ):
                response = api.post(
                    sig_url(session), {"method": "personal_sign", "message": "hi"}, format="json"
                )
            assert response.status_code == 202, response.content
            writes.append([q["sql"] for q in queries if q["sql"].startswith(("UPDATE", "INSERT"))])
    finally:
        before_task_publish.disconnect(record)
    rows = list(SignatureRequest.objects.filter(session=session).order_by("created_at"))
    assert [row.task_id for row in rows] == message_ids
    for sql in writes:
        assert [w for w in sql if "signaturerequest" in w.lower()] == [
            next(w for w in sql if w.startswith("INSERT") and "signaturerequest" in w.lower())
        ], sql  # the insert alone: no UPDATE of the new row for its task id
    # The first pushed the expiry (its last push was longer ago than that); the second, right after, did not.
    assert any(w.startswith("UPDATE") and "walletsession" in w.lower() for w in writes[0]), writes[0]
    assert not any(w.startswith("UPDATE") and "walletsession" in w.lower() for w in writes[1]), writes[1]
