"""POST /sessions/{id}/signatures/ with method sign_in: the EIP-4361 message is built for the session when
accepted and returned by the detail; bad fields are 400 and store nothing."""

import pytest

from tests.factories import WalletSessionFactory
from wallets.models import SignatureRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(user):
    return WalletSessionFactory.create(wallet__owner=user)


def url(session):
    return f"/api/v1/sessions/{session.id}/signatures/"


def test_a_sign_in_is_built_for_the_session_and_shown_in_the_detail(api, session):
    body = {
        "method": "sign_in",
        "sign_in": {
            "nonce": "k3Jd92LmQp",
            "statement": "Sign in to the exchange.",
            "expiration_time": "2026-12-31T00:00:00Z",
            "resources": ["https://127.0.0.1:8545/terms"],
        },
    }
    response = api.post(url(session), body, format="json")
    assert response.status_code == 202, response.content
    row = SignatureRequest.objects.get(id=response.json()["id"])
    lines = str(row.payload).split("\n")
    address = session.wallet.address
    assert lines[:4] == [
        "127.0.0.1:8545 wants you to sign in with your Ethereum account:",
        address,
        "",
        "Sign in to the exchange.",
    ]
    for line in (
        "URI: http://127.0.0.1:8545/dapp/",
        "Version: 1",
        "Chain ID: 31337",
        "Nonce: k3Jd92LmQp",
        "Expiration Time: 2026-12-31T00:00:00Z",
        "- https://127.0.0.1:8545/terms",
    ):
        assert line in lines
    assert any(line.startswith("Issued At: 20") and line.endswith("Z") for line in lines)
    detail = api.get(f"{url(session)}{row.id}/").json()
    assert (detail["method"], detail["message"], detail["status"]) == ("sign_in", row.payload, "pending")


def test_the_caller_can_name_another_uri(api, session):
    body = {"method": "sign_in", "sign_in": {"nonce": "abcdefgh", "uri": "https://127.0.0.1:8545/login"}}
    response = api.post(url(session), body, format="json")
    assert response.status_code == 202, response.content
    assert "\nURI: https://127.0.0.1:8545/login\n" in SignatureRequest.objects.get().payload


@pytest.mark.parametrize("field", ["domain", "address", "chain_id", "version", "issued_at"])
def test_the_domain_address_chain_version_and_time_are_the_services(api, session, field):
    bad = {"method": "sign_in", "sign_in": {"nonce": "abcdefgh", field: "x"}}
    response = api.post(url(session), bad, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]["sign_in"][0]
    assert SignatureRequest.objects.count() == 0


@pytest.mark.parametrize(
    "payload",
    [
        {"method": "sign_in"},
        {"method": "sign_in", "sign_in": "nonce"},
        {"method": "sign_in", "sign_in": {}},
        {"method": "sign_in", "sign_in": {"nonce": "short"}},
        {"method": "sign_in", "sign_in": {"nonce": "has spaces in it"}},
        {"method": "sign_in", "sign_in": {"nonce": "x" * 65}},
        {"method": "sign_in", "sign_in": {"nonce": "abcdefgh", "statement": "two\nlines"}},
        {"method": "sign_in", "sign_in": {"nonce": "abcdefgh", "statement": ""}},
        {"method": "sign_in", "sign_in": {"nonce": "abcdefgh", "uri": "not a uri"}},
        {"method": "sign_in", "sign_in": {"nonce": "abcdefgh", "expiration_time": "tomorrow"}},
        {"method": "sign_in", "sign_in": {"nonce": "abcdefgh", "expiration_time": "2026-12-31T00:00:00"}},
        {"method": "sign_in", "sign_in": {"nonce": "abcdefgh", "resources": ["a b"]}},
        {"method": "sign_in", "sign_in": {"nonce": "abcdefgh"}, "message": "also a message"},
        {"method": "personal_sign", "message": "hi", "sign_in": {"nonce": "abcdefgh"}},
    ],
)
def test_a_bad_sign_in_is_400_and_stores_nothing(api, session, payload):
    response = api.post(url(session), payload, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["errors"]
    assert SignatureRequest.objects.count() == 0


def test_a_sign_in_on_a_session_without_a_chain_is_409(api, user):
    session = WalletSessionFactory.create(wallet__owner=user, chain_id=None, network=None)
    response = api.post(url(session), {"method": "sign_in", "sign_in": {"nonce": "abcdefgh"}}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "network_required")
    assert SignatureRequest.objects.count() == 0
