"""watch_asset: an ERC-20 token added to MetaMask's list through wallet_watchAsset (EIP-747), as a dApp asks
for it. MetaMask's "Add suggested token" screen is checked against the token asked for (its symbol, the
asking site, no MetaMask warning); no image is passed (MetaMask would fetch it from wherever it points)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from wallets.commands.base import Command
from wallets.exceptions import ValidationFailed
from wallets.validators import validate_address

if TYPE_CHECKING:
    from automation import WalletBrowser
    from wallets.models import SessionCommand

_SYMBOL = re.compile(r"^[A-Za-z0-9$._-]{1,11}$")  # MetaMask takes at most 11 characters


class WatchAsset(Command):
    kind = "watch_asset"
    summary = (
        "Add an ERC-20 token to MetaMask (params: address, symbol, decimals); MetaMask's screen is checked "
        "against the symbol and the site."
    )

    def clean(self, params: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(params) - {"address", "symbol", "decimals"})
        if unknown:
            names = ", ".join(unknown)
            raise ValidationFailed(f"watch_asset takes address, symbol and decimals; not {names}")
        symbol, decimals = params.get("symbol"), params.get("decimals")
        if not isinstance(symbol, str) or not _SYMBOL.match(symbol):
            raise ValidationFailed("symbol must be 1 to 11 letters, digits or $._-")
        if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 36:
            raise ValidationFailed("decimals must be an integer from 0 to 36")
        address = validate_address(str(params.get("address", "")))
        return {"address": address, "symbol": symbol, "decimals": decimals}

    def run(self, browser: WalletBrowser, row: SessionCommand) -> dict[str, Any]:
        # Here, not at import: the API imports the registry, and importing automation loads Selenium.
        from automation import DisplayedToken, requests
        from wallets import verification

        p, origin = row.params, str(row.session.dapp_origin)

        def check(shown: DisplayedToken) -> str | None:
            return verification.alerts_reason(shown) or verification.token_reason(
                shown, symbol=p["symbol"], dapp_origin=origin
            )

        request = requests.watch_asset(p["address"], p["symbol"], int(p["decimals"]))
        added = browser.request(request, verify=verification.verifier(DisplayedToken, check))
        return {"added": bool(added), "address": p["address"], "symbol": p["symbol"]}
