import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.factories import MNEMONIC, WALLET_PASSWORD, WalletFactory
from wallets import crypto
from wallets.services import wallet_account_import, wallet_account_private_key, wallet_secrets

pytestmark = pytest.mark.django_db

OLD = "Oy_Kns-HgGqPD3tBRx1E_ylmHFf5EOA9ugWdwT4ADyQ="
NEW = "MCHPIcfFbsP3kvQ6XwgyyQqB1qwVA3_ocVrvMxvuh2Y="
IMPORTED_KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"  # a well-known test key


def test_round_trip_and_token_is_not_plaintext():
    token = crypto.encrypt("secret words")
    assert "secret" not in token
    assert crypto.decrypt(token) == "secret words"


def test_rotation_re_encrypts_under_the_first_key(capsys):
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD]):
        wallet = WalletFactory.create()
        old_token = wallet.encrypted_mnemonic
        imported = wallet_account_import(wallet=wallet, private_key=IMPORTED_KEY)
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW, OLD]):
        call_command("rotate_wallet_keys")
        assert "re-encrypted 1 wallet(s)" in capsys.readouterr().out
    wallet.refresh_from_db()
    assert wallet.encrypted_mnemonic != old_token
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW]):  # the old key can now be dropped
        secrets = wallet_secrets(wallet=wallet)
        assert (secrets.mnemonic, secrets.password) == (MNEMONIC, WALLET_PASSWORD)
        assert MNEMONIC not in repr(secrets)
        assert wallet_account_private_key(wallet=wallet, address=imported.address) == IMPORTED_KEY
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD]), pytest.raises(crypto.DecryptionError):
        crypto.decrypt(wallet.encrypted_mnemonic)


def test_unknown_key_error_does_not_echo_the_token():
    token = crypto.encrypt("x")
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD]), pytest.raises(crypto.DecryptionError) as info:
        crypto.decrypt(token)
    assert token not in str(info.value)
