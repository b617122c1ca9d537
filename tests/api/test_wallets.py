import pytest

from tests.factories import MNEMONIC, MNEMONIC_ADDRESS, OTHER_MNEMONIC, WalletFactory
from wallets import crypto
from wallets.models import SecurityEvent, Wallet

pytestmark = pytest.mark.django_db

URL = "/api/v1/wallets/"


def test_import_returns_address_and_no_secrets(api, user):
    response = api.post(
        URL,
        {"label": "main", "mnemonic": f"  {MNEMONIC.upper()}  ", "password": "pass-word-1"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "label", "address", "created_at"}
    assert body["address"] == MNEMONIC_ADDRESS
    assert "test test" not in response.content.decode()
    wallet = Wallet.objects.get(id=body["id"])
    assert wallet.owner == user
    assert MNEMONIC not in wallet.encrypted_mnemonic
    assert crypto.decrypt(wallet.encrypted_mnemonic) == MNEMONIC  # normalised: lower case, single spaces
    assert crypto.decrypt(wallet.encrypted_password) == "pass-word-1"


@pytest.mark.parametrize(
    "payload",
    [
        {"label": "x", "mnemonic": "test " * 11 + "test", "password": "pass-word-1"},  # bad checksum
        {"label": "x", "mnemonic": "not a mnemonic at all", "password": "pass-word-1"},
        {"label": "x", "mnemonic": MNEMONIC, "password": "short"},
        {"label": "", "mnemonic": MNEMONIC, "password": "pass-word-1"},
        {"mnemonic": MNEMONIC, "password": "pass-word-1"},
    ],
)
def test_bad_import_is_400_and_stores_nothing(api, payload):
    response = api.post(URL, payload, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "Invalid input"
    assert response.json()["errors"]
    assert Wallet.objects.count() == 0
    assert payload.get("mnemonic", "@@") not in response.content.decode()


def test_invalid_mnemonic_error_names_the_field(api):
    response = api.post(
        URL, {"label": "x", "mnemonic": "test " * 12, "password": "pass-word-1"}, format="json"
    )
    assert "mnemonic" in response.json()["errors"]


def test_same_wallet_twice_is_409(api):
    payload = {"label": "a", "mnemonic": MNEMONIC, "password": "pass-word-1"}
    assert api.post(URL, payload, format="json").status_code == 201
    assert api.post(URL, payload, format="json").status_code == 409
    assert Wallet.objects.count() == 1


def test_two_users_may_import_the_same_mnemonic(api, other_api):
    payload = {"label": "a", "mnemonic": MNEMONIC, "password": "pass-word-1"}
    assert api.post(URL, payload, format="json").status_code == 201
    assert other_api.post(URL, payload, format="json").status_code == 201


def test_list_and_detail_only_show_own_wallets(api, user, other_user):
    mine = WalletFactory.create(owner=user)
    theirs = WalletFactory.create(owner=other_user, mnemonic=OTHER_MNEMONIC)
    listed = api.get(URL).json()
    assert [w["id"] for w in listed] == [str(mine.id)]
    assert "encrypted_mnemonic" not in listed[0]
    assert api.get(f"{URL}{mine.id}/").json()["address"] == mine.address
    response = api.get(f"{URL}{theirs.id}/")
    assert response.status_code == 404
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.OBJECT_ACCESS_DENIED)
    assert event.actor == user
    assert event.details["exists"] is True
    assert event.details["id"] == str(theirs.id)


def test_unknown_wallet_is_404(api):
    assert api.get(f"{URL}00000000-0000-0000-0000-000000000000/").status_code == 404


@pytest.mark.parametrize("mnemonic", [MNEMONIC, "test " * 11 + "wrong"])
def test_secrets_never_reach_the_logs(api, json_log, mnemonic):
    api.post(URL, {"label": "a", "mnemonic": mnemonic, "password": "pass-word-1"}, format="json")
    api.post(URL, {"label": "a", "mnemonic": mnemonic, "password": "pass-word-1"}, format="json")  # 409 / 400
    text = json_log.getvalue()
    assert '"http_request"' in text
    assert "test test" not in text
    assert "pass-word-1" not in text
