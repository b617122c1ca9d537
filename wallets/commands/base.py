"""What every session command of the registry has: its kind, the parameters it takes, and what it does on
the session's browser. A command is a wallet action MetaMask asks nobody to confirm (lock, unlock), so it
signs and sends nothing; an action that raises a confirmation belongs to wallets/actions/ instead."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from wallets.exceptions import ValidationFailed

if TYPE_CHECKING:  # the API imports the registry too, and has no browser
    from automation import WalletBrowser


class Command:
    """One command. Subclasses set ``kind`` (the API's value, metrics' action label) and ``summary`` (the
    API's description), and implement ``run``; one with parameters also overrides ``clean``."""

    kind: ClassVar[str]
    summary: ClassVar[str]

    def clean(self, params: dict[str, Any]) -> dict[str, Any]:
        """The parameters as stored, or ValidationFailed (a 400). This default takes none."""
        if params:
            raise ValidationFailed(f"{self.kind} takes no params; got {', '.join(sorted(params))}")
        return {}

    def run(self, browser: WalletBrowser, params: dict[str, Any]) -> dict[str, Any]:
        """Does the command on the session's browser; returns the result (no secrets)."""
        raise NotImplementedError
