"""A wallet's accounts: its first (the phrase's index 0, ``Wallet.address``), the phrase's next ones added,
and ones imported from a private key (encrypted at rest like the mnemonic, never returned or logged). Which
one a session uses is the session's ``account``; a switch_account command changes it once MetaMask has it
selected and the dApp connected with it."""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from eth_account import Account

from wallets import crypto
from wallets.audit import security_event_record
from wallets.exceptions import AccountExists, ValidationFailed
from wallets.models import SecurityEvent, Wallet, WalletAccount, WalletSession
from wallets.selectors import AccountRef, account_ref

Account.enable_unaudited_hdwallet_features()
MAX_ACCOUNTS_PER_WALLET = 50  # MetaMask's account list is read entry by entry: keep it short
_PRIVATE_KEY = re.compile(r"(?:0x)?[0-9a-fA-F]{64}")
Kind = WalletAccount.Kind


def _room_for_one(wallet: Wallet) -> None:
    if WalletAccount.objects.filter(wallet=wallet).count() + 1 >= MAX_ACCOUNTS_PER_WALLET:
        raise ValidationFailed(f"a wallet holds at most {MAX_ACCOUNTS_PER_WALLET} accounts")


def wallet_account_add(*, wallet: Wallet, label: str = "") -> AccountRef:
    """The phrase's next account (the index after the highest one added), as MetaMask's "Add account"
    makes it. The mnemonic is decrypted here for the derivation only."""
    with transaction.atomic():
        # The wallet row locked: two adds at once take two indexes, never the same one.
        locked = Wallet.objects.select_for_update().get(id=wallet.id)
        _room_for_one(locked)
        highest = WalletAccount.objects.filter(wallet=locked, kind=Kind.DERIVED).aggregate(m=Max("hd_index"))
        index = (highest["m"] or 0) + 1
        words = crypto.decrypt(locked.encrypted_mnemonic)
        address = Account.from_mnemonic(words, account_path=f"m/44'/60'/0'/0/{index}").address
        if WalletAccount.objects.filter(wallet=locked, address=address).exists():
            raise AccountExists("The phrase's next account was imported from its key already")
        row = WalletAccount.objects.create(
            wallet=locked, address=address, kind=Kind.DERIVED, hd_index=index, label=label
        )
    return account_ref(row)


def wallet_account_import(
    *, wallet: Wallet, private_key: str, label: str = "", actor: Any = None, ip: str | None = None
) -> AccountRef:
    """An account from its private key, kept as a Fernet token; every import is a security event."""
    key = private_key.strip()
    if not _PRIVATE_KEY.fullmatch(key):
        raise ValidationFailed("a private key is 32 bytes of hex (64 hex digits, 0x optional)")
    key = key if key.startswith("0x") else f"0x{key}"
    try:
        address = Account.from_key(key).address
    except (ValueError, TypeError):
        raise ValidationFailed("not a valid secp256k1 private key") from None
    if address.lower() == str(wallet.address).lower():
        raise AccountExists()
    try:
        with transaction.atomic():
            locked = Wallet.objects.select_for_update().get(id=wallet.id)
            _room_for_one(locked)
            row = WalletAccount.objects.create(
                wallet=locked,
                address=address,
                kind=Kind.IMPORTED,
                encrypted_private_key=crypto.encrypt(key),
                label=label,
            )
            security_event_record(
                kind=SecurityEvent.Kind.ACCOUNT_IMPORTED,
                severity=SecurityEvent.Severity.INFO,
                actor=actor,
                wallet=locked,
                ip=ip,
                details={"address": address},
            )
    except IntegrityError:
        raise AccountExists() from None
    return account_ref(row)


def wallet_account_private_key(*, wallet: Wallet, address: str) -> str:
    """The decrypted key of an imported account, for the worker that types it into MetaMask."""
    row = WalletAccount.objects.get(wallet=wallet, address=address, kind=Kind.IMPORTED)
    return crypto.decrypt(row.encrypted_private_key)


def session_set_account(*, session_id: Any, account: str, accounts: list[str]) -> None:
    """After a switch: the session's account, and the accounts its dApp now has."""
    WalletSession.objects.filter(id=session_id).update(account=account, accounts=accounts)
