"""A canary wallet: freshly generated secrets that must never appear in any output the tests look at."""

from __future__ import annotations

import re
import uuid

from eth_account import Account


class Canary:
    def __init__(self) -> None:
        Account.enable_unaudited_hdwallet_features()
        account, self.mnemonic = Account.create_with_mnemonic()
        self.address = account.address
        self.private_key = account.key.hex().removeprefix("0x")
        self.password = f"canary-{uuid.uuid4().hex}"
        self.words = self.mnemonic.split()

    def leaks(self, text: str) -> list[str]:
        found = []
        if self.mnemonic in text:
            found.append("mnemonic")
        # Any three consecutive words in order, whatever separates them (spaces, commas, JSON quotes).
        for i in range(len(self.words) - 2):
            if re.search(r"\b" + r"\W{1,6}".join(map(re.escape, self.words[i : i + 3])) + r"\b", text):
                found.append(f"mnemonic words {i + 1}-{i + 3}")
                break
        if self.password in text:
            found.append("password")
        if self.private_key.lower() in text.lower():
            found.append("private key")
        return found
