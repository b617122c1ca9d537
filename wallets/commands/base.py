"""What every session command of the registry has: its kind, the parameters it takes, and what it does on
the session's browser. A command is a wallet action other than a signature or a transaction: most raise no
MetaMask confirmation (lock, unlock); one that does (watch_asset) checks its screen like any action, and a
screen that does not show what was asked is refused (the command ends rejected)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from wallets.exceptions import ValidationFailed

if TYPE_CHECKING:  # the API imports the registry too, and has no browser
    from automation import WalletBrowser
    from wallets.models import SessionCommand, WalletSession


class Command:
    """One command. Subclasses set ``kind`` (the API's value, metrics' action label) and ``summary`` (the
    API's description), and implement ``run``; one with parameters also overrides ``clean``."""

    kind: ClassVar[str]
    summary: ClassVar[str]
    # Whether it can sign or send (a flow): then a failure records signing_failed, as a signature's does.
    signs: ClassVar[bool] = False
    # Whether it runs whichever account the session has (switch_account): every other operation runs only
    # on the account the session had when it was asked (wallets/execution/common.py).
    on_any_account: ClassVar[bool] = False

    def clean(self, params: dict[str, Any]) -> dict[str, Any]:
        """The parameters as stored, or ValidationFailed (a 400). This default takes none."""
        if params:
            raise ValidationFailed(f"{self.kind} takes no params; got {', '.join(sorted(params))}")
        return {}

    def check_session(self, session: WalletSession, params: dict[str, Any]) -> None:
        """Raises an ApplicationError (a 4xx) when the command cannot run on ``session``; checked when it
        is asked, with the session locked. This default takes any ready session."""

    def run(self, browser: WalletBrowser, row: SessionCommand) -> dict[str, Any]:
        """Does the command (``row.params``, on ``row.session``) on the session's browser; returns the
        result (no secrets). A refused MetaMask screen raises PolicyRejected; MetaMask's own refusal,
        RequestRejected."""
        raise NotImplementedError
