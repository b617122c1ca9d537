"""GET/POST /wallets/{id}/accounts/ and switch_account: a wallet's accounts listed, the phrase's next one
added, a private key imported (write-only, encrypted at rest, never logged or returned), and a session's
account switched; every operation records the account it was asked of."""

import logging

import pytest
from eth_account import Account

from tests.factories import MNEMONIC, MNEMONIC_ADDRESS, WalletFactory, WalletSessionFactory
from tests.support.accounts import derived_address
from wallets import crypto
from wallets.models import SecurityEvent, SessionCommand, SignatureRequest, WalletAccount

pytestmark = pytest.mark.django_db(transaction=True)

KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
KEY_ADDRESS = Account.from_key(KEY).address


@pytest.fixture
def wallet(user):
    return WalletFactory.create(owner=user)


def url(wallet):
    return f"/api/v1/wallets/{wallet.id}/accounts/"


def test_a_new_wallet_lists_its_first_account(api, wallet):
    response = api.get(url(wallet))
    assert response.status_code == 200
    assert [(a["address"], a["kind"], a["hd_index"]) for a in response.json()] == [
        (MNEMONIC_ADDRESS, "derived", 0)
    ]


def test_derived_accounts_take_the_phrases_next_indexes(api, wallet):
    made = [api.post(url(wallet), {"kind": "derived"}, format="json") for _ in range(2)]
    assert [r.status_code for r in made] == [201, 201]
    assert [(r.json()["address"], r.json()["hd_index"]) for r in made] == [
        (derived_address(MNEMONIC, 1), 1),
        (derived_address(MNEMONIC, 2), 2),
    ]
    assert [a["hd_index"] for a in api.get(url(wallet)).json()] == [0, 1, 2]


def test_an_imported_key_is_stored_encrypted_and_never_shown_or_logged(api, wallet, caplog):
    caplog.set_level(logging.DEBUG)
    response = api.post(url(wallet), {"kind": "imported", "private_key": KEY, "label": "hot"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["address"] == KEY_ADDRESS
    assert (response.json()["kind"], response.json()["hd_index"]) == ("imported", None)
    row = WalletAccount.objects.get(address=KEY_ADDRESS)
    assert KEY[2:] not in row.encrypted_private_key
    assert crypto.decrypt(row.encrypted_private_key) == KEY
    listed = api.get(url(wallet))
    for text in (response.content, listed.content, caplog.text.encode()):
        assert KEY[2:].encode() not in text
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.ACCOUNT_IMPORTED)
    assert event.details == {"address": KEY_ADDRESS}
    assert KEY[2:] not in str(event.details)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"kind": "imported"},
        {"kind": "imported", "private_key": "0x1234"},
        {"kind": "imported", "private_key": "zz" * 32},
        {"kind": "imported", "private_key": "0x" + "00" * 32},  # not a valid secp256k1 scalar
        {"kind": "imported", "private_key": "0x" + "ff" * 32},  # above the curve order
        {"kind": "derived", "private_key": KEY},
        {"kind": "mnemonic"},
    ],
)
def test_a_bad_account_is_400_stores_nothing_and_repeats_no_key(api, wallet, body):
    response = api.post(url(wallet), body, format="json")
    assert response.status_code == 400, response.content
    assert WalletAccount.objects.count() == 0
    assert b"ff" * 32 not in response.content
    assert KEY[2:].encode() not in response.content


def test_the_same_account_twice_is_409(api, wallet):
    assert api.post(url(wallet), {"kind": "imported", "private_key": KEY}, format="json").status_code == 201
    again = api.post(url(wallet), {"kind": "imported", "private_key": KEY[2:]}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "account_exists"
    first = Account.from_mnemonic(MNEMONIC, account_path="m/44'/60'/0'/0/0").key.hex()
    assert api.post(url(wallet), {"kind": "imported", "private_key": first}, format="json").status_code == 409
    # The phrase's next account imported from its key first: adding it is refused, not made twice.
    second = Account.from_mnemonic(MNEMONIC, account_path="m/44'/60'/0'/0/1").key.hex()
    assert (
        api.post(url(wallet), {"kind": "imported", "private_key": second}, format="json").status_code == 201
    )
    assert api.post(url(wallet), {"kind": "derived"}, format="json").status_code == 409


def test_another_users_wallet_is_404(other_api, wallet):
    assert other_api.get(url(wallet)).status_code == 404
    assert (
        other_api.post(url(wallet), {"kind": "imported", "private_key": KEY}, format="json").status_code
        == 404
    )
    assert WalletAccount.objects.count() == 0


def test_switching_to_an_account_the_wallet_lacks_is_404_and_queues_nothing(api, wallet, published):
    session = WalletSessionFactory.create(wallet=wallet)
    response = api.post(
        f"/api/v1/sessions/{session.id}/commands/",
        {"kind": "switch_account", "params": {"address": KEY_ADDRESS}},
        format="json",
    )
    assert response.status_code == 404
    assert SessionCommand.objects.count() == 0
    assert published == []


def test_operations_record_the_account_they_are_asked_of(api, wallet, published):
    session = WalletSessionFactory.create(wallet=wallet)
    api.post(url(wallet), {"kind": "imported", "private_key": KEY}, format="json")
    detail = api.get(f"/api/v1/sessions/{session.id}/").json()
    assert detail["account"] == MNEMONIC_ADDRESS
    switch = api.post(
        f"/api/v1/sessions/{session.id}/commands/",
        {"kind": "switch_account", "params": {"address": KEY_ADDRESS.lower()}},
        format="json",
    )
    assert switch.status_code == 202
    assert SessionCommand.objects.get(id=switch.json()["id"]).params == {"address": KEY_ADDRESS}
    sign = api.post(
        f"/api/v1/sessions/{session.id}/signatures/",
        {"method": "personal_sign", "message": "hello"},
        format="json",
    )
    assert sign.status_code == 202, sign.content
    # Asked before the switch ran: it is the first account's, and the worker runs it only on that one.
    assert SignatureRequest.objects.get(id=sign.json()["id"]).account == MNEMONIC_ADDRESS
    session.account = KEY_ADDRESS
    session.save(update_fields=["account"])
    later = api.post(
        f"/api/v1/sessions/{session.id}/signatures/",
        {"method": "personal_sign", "message": "hello"},
        format="json",
    )
    assert SignatureRequest.objects.get(id=later.json()["id"]).account == KEY_ADDRESS
    assert api.get(f"/api/v1/sessions/{session.id}/signatures/{later.json()['id']}/").json()["account"] == (
        KEY_ADDRESS
    )
    assert api.get(f"/api/v1/sessions/{session.id}/").json()["account"] == KEY_ADDRESS
