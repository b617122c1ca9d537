"""POST /sessions/{id}/network-changes/ and its detail: validation, session state, ownership, idempotency."""

import pytest

from tests.factories import OTHER_MNEMONIC, NetworkChangeFactory, WalletSessionFactory
from wallets.models import NetworkChange, SecurityEvent, WalletSession

pytestmark = pytest.mark.django_db

OTHER = {
    "chain_id": 31390,
    "rpc_url": "http://127.0.0.1:8546",
    "name": "Other Anvil",
    "currency_symbol": "ETH",
}


@pytest.fixture
def session(user):
    return WalletSessionFactory.create(wallet__owner=user)


def url(session):
    return f"/api/v1/sessions/{session.id}/network-changes/"


def test_a_network_change_is_202_and_leaves_the_session_as_it_is(api, session):
    response = api.post(url(session), {"network": OTHER}, format="json")
    assert response.status_code == 202, response.content
    row = NetworkChange.objects.get(id=response.json()["id"])
    assert (row.session_id, row.network, row.status) == (session.id, OTHER, "pending")
    assert response.json() == {"id": str(row.id), "status": "pending", "task_id": row.task_id}
    body = api.get(f"{url(session)}{row.id}/").json()
    assert (body["status"], body["network"], body["chain_id"]) == ("pending", OTHER, None)
    session.refresh_from_db()
    assert session.network["chain_id"] == 31337  # unchanged until MetaMask switched


def test_defaults_are_filled_in_as_for_a_session(api, session):
    response = api.post(
        url(session), {"network": {"chain_id": 5, "rpc_url": "http://127.0.0.1:9"}}, format="json"
    )
    assert response.status_code == 202, response.content
    assert NetworkChange.objects.get().network == {
        "chain_id": 5,
        "rpc_url": "http://127.0.0.1:9",
        "name": "Chain 5",
        "currency_symbol": "ETH",
    }


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"network": None},
        {"network": "31390"},
        {"network": {**OTHER, "chain_id": 0}},
        {"network": {**OTHER, "chain_id": True}},
        {"network": {**OTHER, "chain_id": "31390"}},
        {"network": {**OTHER, "rpc_url": "ftp://127.0.0.1/"}},
        {"network": {k: v for k, v in OTHER.items() if k != "rpc_url"}},
        {"network": {**OTHER, "name": ""}},
        {"network": {**OTHER, "currency_symbol": "E"}},
    ],
)
def test_bad_network_change_is_400_and_stores_nothing(api, session, payload):
    response = api.post(url(session), payload, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["errors"]
    assert NetworkChange.objects.count() == 0


@pytest.mark.parametrize("status", [WalletSession.Status.OPENING, WalletSession.Status.CLOSED])
def test_a_network_change_on_a_session_not_ready_is_409(api, user, status):
    session = WalletSessionFactory.create(wallet__owner=user, status=status)
    response = api.post(url(session), {"network": OTHER}, format="json")
    assert response.status_code == 409
    assert response.json()["session_status"] == status
    assert NetworkChange.objects.count() == 0


def test_network_changes_of_another_users_session_are_404_and_audited(api, user, other_user):
    theirs = WalletSessionFactory.create(wallet__owner=other_user, wallet__mnemonic=OTHER_MNEMONIC)
    row = NetworkChangeFactory.create(session=theirs)
    assert api.post(url(theirs), {"network": OTHER}, format="json").status_code == 404
    assert api.get(f"{url(theirs)}{row.id}/").status_code == 404
    assert NetworkChange.objects.count() == 1
    denied = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.OBJECT_ACCESS_DENIED, actor=user)
    assert denied.count() == 2


def test_the_same_idempotency_key_queues_one_change(api, session):
    headers = {"HTTP_IDEMPOTENCY_KEY": "net-1"}
    first = api.post(url(session), {"network": OTHER}, format="json", **headers)
    again = api.post(url(session), {"network": OTHER}, format="json", **headers)
    other_body = api.post(url(session), {"network": {**OTHER, "chain_id": 7}}, format="json", **headers)
    assert (first.status_code, again.status_code, other_body.status_code) == (202, 202, 409)
    assert again.json() == first.json()
    assert NetworkChange.objects.count() == 1
