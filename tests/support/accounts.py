"""Accounts of a phrase, as the tests expect MetaMask to derive them."""

from __future__ import annotations

from eth_account import Account


def derived_address(mnemonic: str, index: int) -> str:
    """The checksummed address of m/44'/60'/0'/0/<index>."""
    Account.enable_unaudited_hdwallet_features()
    return str(Account.from_mnemonic(mnemonic, account_path=f"m/44'/60'/0'/0/{index}").address)
