"""unlock: MetaMask unlocks with the wallet's password, which the worker holds (decrypted when the session
opened); the caller never sends it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wallets.commands.base import Command

if TYPE_CHECKING:
    from automation import WalletBrowser
    from wallets.models import SessionCommand


class Unlock(Command):
    kind = "unlock"
    summary = "Unlock MetaMask with the wallet's stored password (nothing to send)."

    def run(self, browser: WalletBrowser, row: SessionCommand) -> dict[str, Any]:
        unlocked_now = browser.unlock()
        return {"locked": False, "was_locked": unlocked_now}
