"""lock: MetaMask locks, as from its account menu. The session stays ready: its next request unlocks first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wallets.commands.base import Command

if TYPE_CHECKING:
    from automation import WalletBrowser
    from wallets.models import SessionCommand


class Lock(Command):
    kind = "lock"
    summary = "Lock MetaMask. Signatures, transactions and network changes that follow unlock it first."

    def run(self, browser: WalletBrowser, row: SessionCommand) -> dict[str, Any]:
        locked_now = browser.lock()
        return {"locked": True, "was_locked": not locked_now}
