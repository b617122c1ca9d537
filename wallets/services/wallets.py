"""Wallets: import (secrets encrypted at rest), decryption for the worker, key rotation."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from eth_account import Account

from wallets import crypto
from wallets.audit import security_event_record
from wallets.exceptions import ValidationFailed, WalletAlreadyImported
from wallets.models import SecurityEvent, Wallet, WalletAccount
from wallets.validators import validate_mnemonic

DERIVATION_PATH = "m/44'/60'/0'/0/0"
Account.enable_unaudited_hdwallet_features()


@dataclass(frozen=True)
class WalletSecrets:
    """Decrypted secrets for the worker; repr never shows them."""

    mnemonic: str = field(repr=False)
    password: str = field(repr=False)


def wallet_import(*, owner: User, label: str, mnemonic: str, password: str) -> Wallet:
    words = validate_mnemonic(mnemonic)
    if len(password) < 8:
        raise ValidationFailed("password must be at least 8 characters (MetaMask's minimum)")
    address = Account.from_mnemonic(words, account_path=DERIVATION_PATH).address
    try:
        with transaction.atomic():
            return Wallet.objects.create(
                owner=owner,
                label=label,
                address=address,
                encrypted_mnemonic=crypto.encrypt(words),
                encrypted_password=crypto.encrypt(password),
            )
    except IntegrityError:
        raise WalletAlreadyImported() from None


def wallet_secrets(*, wallet: Wallet) -> WalletSecrets:
    return WalletSecrets(
        mnemonic=crypto.decrypt(wallet.encrypted_mnemonic), password=crypto.decrypt(wallet.encrypted_password)
    )


def wallet_keys_rotate() -> int:
    """Re-encrypts every wallet secret (mnemonic, password, imported keys) under the first
    FIELD_ENCRYPTION_KEYS key; returns the wallet rows rewritten."""
    count = 0
    with transaction.atomic():
        for wallet in Wallet.objects.select_for_update().only(
            "id", "encrypted_mnemonic", "encrypted_password"
        ):
            wallet.encrypted_mnemonic = crypto.rotate(wallet.encrypted_mnemonic)
            wallet.encrypted_password = crypto.rotate(wallet.encrypted_password)
            wallet.save(update_fields=["encrypted_mnemonic", "encrypted_password"])
            count += 1
        imported = WalletAccount.objects.select_for_update().filter(kind=WalletAccount.Kind.IMPORTED)
        for account in imported.only("id", "encrypted_private_key"):
            account.encrypted_private_key = crypto.rotate(account.encrypted_private_key)
            account.save(update_fields=["encrypted_private_key"])
        security_event_record(
            kind=SecurityEvent.Kind.KEY_ROTATED,
            severity=SecurityEvent.Severity.INFO,
            actor_repr="rotate_wallet_keys",
            details={"wallets": count},
        )
    return count
