"""switch_account: the session's account becomes another of the wallet's (GET /wallets/{id}/accounts/ lists
them): selected in MetaMask, added there first (the phrase's account at its index) or imported from its
stored key when that MetaMask lacks it, and the dApp connected with it through MetaMask's connect screen.
Every operation asked after the switch uses that account; one asked before it and not run yet is not run."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wallets.commands.base import Command
from wallets.exceptions import ValidationFailed
from wallets.selectors import wallet_account_get
from wallets.validators import validate_address

if TYPE_CHECKING:
    from automation import WalletBrowser
    from wallets.models import SessionCommand, WalletSession


class SwitchAccount(Command):
    kind = "switch_account"
    on_any_account = True
    summary = (
        "Make another of the wallet's accounts the session's (params: address): MetaMask selects it (adding "
        "or importing it first if needed) and the dApp is connected with it."
    )

    def clean(self, params: dict[str, Any]) -> dict[str, Any]:
        if set(params) != {"address"}:
            raise ValidationFailed("switch_account takes address only")
        return {"address": validate_address(str(params["address"]))}

    def check_session(self, session: WalletSession, params: dict[str, Any]) -> None:
        wallet_account_get(wallet=session.wallet, address=params["address"])  # a 404 for another address

    def run(self, browser: WalletBrowser, row: SessionCommand) -> dict[str, Any]:
        from wallets import services
        from wallets.models import WalletAccount

        wallet = row.session.wallet
        account = wallet_account_get(wallet=wallet, address=row.params["address"])
        key = None
        if account.kind == WalletAccount.Kind.IMPORTED:
            key = services.wallet_account_private_key(wallet=wallet, address=account.address)
        accounts = browser.use_account(account.address, hd_index=account.hd_index, private_key=key)
        services.session_set_account(session_id=row.session.id, account=account.address, accounts=accounts)
        return {"account": account.address, "kind": account.kind, "accounts": accounts}
