"""POST /sessions/{id}/commands/ and its detail: the registry's kinds, validation, session state, ownership,
idempotency, and the task it queues (only the row's id)."""

import pytest

from tests.factories import MNEMONIC_ADDRESS, OTHER_MNEMONIC, SessionCommandFactory, WalletSessionFactory
from wallets import dispatch
from wallets.commands import PLAIN_COMMANDS
from wallets.models import SecurityEvent, SessionCommand, WalletSession

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def session(user):
    return WalletSessionFactory.create(wallet__owner=user)


def url(session):
    return f"/api/v1/sessions/{session.id}/commands/"


TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
BAD_CHECKSUM = TOKEN.lower()[:-1] + "A"  # mixed case that is not the EIP-55 checksum
PARAMS = {
    "lock": {},
    "unlock": {},
    "watch_asset": {"address": TOKEN, "symbol": "TST", "decimals": 18},
    "switch_account": {"address": MNEMONIC_ADDRESS},  # the factory wallet's first account
}


def test_every_command_of_the_registry_is_tested_here():
    assert set(PARAMS) == set(PLAIN_COMMANDS)  # a flow has its own endpoint: tests/api/test_flows.py


@pytest.mark.parametrize("kind", sorted(PLAIN_COMMANDS))
def test_a_command_is_202_and_queues_its_rows_id_on_the_sessions_worker(api, session, published, kind):
    body = {"kind": kind, "params": PARAMS[kind]} if PARAMS[kind] else {"kind": kind}
    response = api.post(url(session), body, format="json")
    assert response.status_code == 202, response.content
    row = SessionCommand.objects.get(id=response.json()["id"])
    assert (row.session_id, row.kind, row.params, row.status) == (session.id, kind, PARAMS[kind], "pending")
    assert response.json() == {"id": str(row.id), "status": "pending", "task_id": row.task_id}
    assert published == [
        (dispatch.TASK_SESSION_COMMAND_EXECUTE, [str(row.id)], dispatch.worker_queue(session.worker))
    ]
    body = api.get(f"{url(session)}{row.id}/").json()
    assert (body["kind"], body["status"], body["result"], body["finished_at"]) == (kind, "pending", {}, None)


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"kind": "reboot"},
        {"kind": "flow", "params": {"steps": [{"action": "click", "text": "Sign"}]}},
        {"kind": None},
        {"kind": "lock", "params": []},
        {"kind": "lock", "params": "x"},
        {"kind": "lock", "params": {"password": "never taken"}},
        {"kind": "unlock", "params": {"password": "never taken"}},
        {"kind": "watch_asset"},
        {"kind": "watch_asset", "params": {"address": TOKEN, "symbol": "TST"}},
        {"kind": "watch_asset", "params": {"address": "0x1234", "symbol": "TST", "decimals": 18}},
        {
            "kind": "watch_asset",
            "params": {"address": TOKEN.lower()[:-1] + "A", "symbol": "TST", "decimals": 18},
        },
        {"kind": "watch_asset", "params": {"address": TOKEN, "symbol": "TWELVECHARSX", "decimals": 18}},
        {"kind": "watch_asset", "params": {"address": TOKEN, "symbol": "T S", "decimals": 18}},
        {"kind": "watch_asset", "params": {"address": TOKEN, "symbol": "TST", "decimals": 37}},
        {"kind": "watch_asset", "params": {"address": TOKEN, "symbol": "TST", "decimals": True}},
        {"kind": "watch_asset", "params": {"address": TOKEN, "symbol": "TST", "decimals": 18, "image": "x"}},
        {"kind": "switch_account"},
        {"kind": "switch_account", "params": {"address": "0x1234"}},
        {"kind": "switch_account", "params": {"address": BAD_CHECKSUM}},
        {"kind": "switch_account", "params": {"address": MNEMONIC_ADDRESS, "private_key": "never taken"}},
    ],
)
def test_a_bad_command_is_400_and_stores_nothing(api, session, published, payload):
    response = api.post(url(session), payload, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["errors"]
    assert b"never taken" not in response.content
    assert SessionCommand.objects.count() == 0
    assert published == []


@pytest.mark.parametrize("status", [WalletSession.Status.OPENING, WalletSession.Status.CLOSED])
def test_a_command_on_a_session_not_ready_is_409(api, user, status):
    session = WalletSessionFactory.create(wallet__owner=user, status=status)
    response = api.post(url(session), {"kind": "lock"}, format="json")
    assert response.status_code == 409
    assert response.json()["session_status"] == status
    assert SessionCommand.objects.count() == 0


def test_commands_of_another_users_session_are_404_and_audited(api, user, other_user):
    theirs = WalletSessionFactory.create(wallet__owner=other_user, wallet__mnemonic=OTHER_MNEMONIC)
    row = SessionCommandFactory.create(session=theirs)
    assert api.post(url(theirs), {"kind": "unlock"}, format="json").status_code == 404
    assert api.get(f"{url(theirs)}{row.id}/").status_code == 404
    assert SessionCommand.objects.count() == 1
    denied = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.OBJECT_ACCESS_DENIED, actor=user)
    assert denied.count() == 2


def test_the_same_idempotency_key_queues_one_command(api, session):
    headers = {"HTTP_IDEMPOTENCY_KEY": "lock-1"}
    first = api.post(url(session), {"kind": "lock"}, format="json", **headers)
    again = api.post(url(session), {"kind": "lock"}, format="json", **headers)
    other_body = api.post(url(session), {"kind": "unlock"}, format="json", **headers)
    assert (first.status_code, again.status_code, other_body.status_code) == (202, 202, 409)
    assert again.json() == first.json()
    assert SessionCommand.objects.count() == 1


def test_a_finished_command_shows_its_result(api, session):
    row = SessionCommandFactory.create(
        session=session, kind="unlock", status="done", result={"locked": False, "was_locked": True}
    )
    body = api.get(f"{url(session)}{row.id}/").json()
    assert (body["status"], body["result"]) == ("done", {"locked": False, "was_locked": True})
