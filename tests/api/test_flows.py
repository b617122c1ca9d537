"""POST /sessions/{id}/flows/ and its detail: the body as stored, clear 400s that store nothing, session
state, ownership, idempotency, the rate-limit group, and the task it queues (only the row's id)."""

import pytest
from django.test import override_settings

from tests.factories import OTHER_MNEMONIC, SessionCommandFactory, WalletSessionFactory
from wallets import dispatch
from wallets.models import SecurityEvent, SessionCommand, WalletSession

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
SPENDER = "0x9bc5baF874d2DA8D216aE9f137804184EE5AfEF4"
BODY = {
    "steps": [
        {"action": "click", "selector": "#approveTokens", "timeout_seconds": 5},
        {"action": "wait", "text": " Approved "},
    ],
    "expect": [
        {
            "kind": "transaction",
            "to": TOKEN,
            "selector": "0x095ea7b3",
            "spender": SPENDER,
            "max_amount": "70000",
        }
    ],
}


@pytest.fixture
def session(user):
    return WalletSessionFactory.create(wallet__owner=user)


def url(session):
    return f"/api/v1/sessions/{session.id}/flows/"


def test_a_flow_is_202_stored_as_sent_and_queues_its_rows_id(api, session, published):
    response = api.post(url(session), BODY, format="json")
    assert response.status_code == 202, response.content
    row = SessionCommand.objects.get(id=response.json()["id"])
    assert (row.kind, row.status) == ("flow", "pending")
    assert row.params["steps"][1] == {"action": "wait", "text": " Approved ", "timeout_seconds": 10.0}
    assert row.params["expect"] == [
        {
            "kind": "transaction",
            "approve": True,
            "to": TOKEN,
            "selector": "0x095ea7b3",
            "spender": SPENDER,
            "max_amount": "70000",
            "max_value_wei": "0",
        }
    ]
    assert published == [
        (dispatch.TASK_SESSION_COMMAND_EXECUTE, [str(row.id)], dispatch.worker_queue(session.worker))
    ]
    detail = api.get(f"{url(session)}{row.id}/").json()
    assert (detail["kind"], detail["status"], detail["result"]) == ("flow", "pending", {})


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"steps": "click"},
        {"steps": [{"action": "script", "selector": "x"}]},
        {"steps": [{"action": "click", "selector": "#a", "script": "alert(1)"}]},
        {"steps": [{"action": "navigate", "path": "https://evil.example/"}]},
        {"steps": [{"action": "click", "selector": "#a", "timeout_seconds": 3600}]},
        {"steps": [{"action": "click", "selector": "#a"}], "time_limit_seconds": 1e9},
        {
            "steps": [{"action": "click", "selector": "#a"}],
            "expect": [{"kind": "typed_data", "primary_type": "Permit"}],
        },
        {
            "steps": [{"action": "click", "selector": "#a"}],
            "expect": [{"kind": "transaction", "max_value_wei": "1e18"}],
        },
        {"steps": [{"action": "click", "selector": "#a"}], "expect": "connect"},
        {"steps": [{"action": "click", "selector": "#a"}] * 51},
    ],
)
def test_a_bad_flow_is_400_and_stores_nothing(api, session, published, body):
    response = api.post(url(session), body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["errors"]
    assert SessionCommand.objects.count() == 0
    assert published == []


def test_a_flow_on_a_session_not_ready_is_409(api, user):
    session = WalletSessionFactory.create(wallet__owner=user, status=WalletSession.Status.OPENING)
    response = api.post(url(session), BODY, format="json")
    assert response.status_code == 409
    assert SessionCommand.objects.count() == 0


def test_flows_of_another_users_session_are_404_and_audited(api, user, other_user):
    theirs = WalletSessionFactory.create(wallet__owner=other_user, wallet__mnemonic=OTHER_MNEMONIC)
    row = SessionCommandFactory.create(session=theirs, kind="flow", params={})
    assert api.post(url(theirs), BODY, format="json").status_code == 404
    assert api.get(f"{url(theirs)}{row.id}/").status_code == 404
    denied = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.OBJECT_ACCESS_DENIED, actor=user)
    assert denied.count() == 2


def test_a_command_is_not_a_flow_on_the_flows_detail(api, session):
    lock = SessionCommandFactory.create(session=session, kind="lock")
    assert api.get(f"{url(session)}{lock.id}/").status_code == 404


def test_the_same_idempotency_key_queues_one_flow(api, session):
    headers = {"HTTP_IDEMPOTENCY_KEY": "flow-1"}
    first = api.post(url(session), BODY, format="json", **headers)
    again = api.post(url(session), BODY, format="json", **headers)
    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json() == first.json()
    assert SessionCommand.objects.count() == 1


@override_settings(RATELIMIT_DEFAULT="2/m", RATELIMIT_TRANSACTION_OPERATIONS="2/m")
def test_flows_share_the_transaction_rate_limit_group(api, session):
    sig = api.post(
        f"/api/v1/sessions/{session.id}/signatures/",
        {"method": "personal_sign", "message": "m"},
        format="json",
    )
    flow = api.post(url(session), BODY, format="json")
    third = api.post(url(session), BODY, format="json")
    assert (sig.status_code, flow.status_code, third.status_code) == (202, 202, 429)
    assert third.json()["group"] == "transaction_operations"


def test_a_flow_that_sends_needs_a_session_with_a_network(api, user):
    """What a flow sends is read from the chain through the session's RPC: without one, 409, nothing kept."""
    session = WalletSessionFactory.create(wallet__owner=user, network=None)
    response = api.post(url(session), BODY, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "network_required"
    signing_only = {"steps": BODY["steps"], "expect": [{"kind": "personal_sign"}]}
    assert api.post(url(session), signing_only, format="json").status_code == 202
    assert SessionCommand.objects.count() == 1
