"""wallet_watchAsset of an ERC-20 (#confirm-add-suggested-token), the same legacy page on 13.5 and 13.36
(seen 2026-12-03): "Add suggested tokens", a Token / Balance list, "Cancel" / "Add token". The route has no
id: the page lists EVERY suggestion pending, and "Add token" adds them all, so the verifier is shown the
whole list (a page's own suggestion beside the service's makes it refuse)."""

from __future__ import annotations

from typing import Any

from automation.metamask.pages.confirmations.base import ApprovalPage, collapse
from automation.metamask.selectors import legacy as L
from automation.models import DisplayedToken

# [symbol, balance] of each suggested token listed.
_TOKENS_JS = """
(item, name, balance) => [...document.querySelectorAll(item)].map((row) => {
  const text = (css) => {
    const el = row.querySelector(css);
    return el ? __mmsa.collapse(el.innerText) : '';
  };
  return [text(name), text(balance)];
})
"""


class AddTokenPage(ApprovalPage):
    APPROVE = L.SUGGESTED_ASSET_SUBMIT
    REJECT = L.SUGGESTED_ASSET_CANCEL

    def _tokens(self) -> list[tuple[str, str]]:
        raw: list[Any] = self.dom.call(
            _TOKENS_JS, L.SUGGESTED_ASSET_ITEM_CSS, L.SUGGESTED_ASSET_NAME_CSS, L.SUGGESTED_ASSET_BALANCE_CSS
        )
        return [(str(symbol), str(balance)) for symbol, balance in raw]

    def read(self, method: str) -> DisplayedToken:
        self.wait_enabled_testid(self.APPROVE)
        tokens = self.wait_for("the suggested tokens", lambda: self._tokens() or None)
        return DisplayedToken(
            origin="",  # this page does not name the asking site
            symbols=tuple(symbol for symbol, _ in tokens),
            balances=tuple(balance for _, balance in tokens),
            raw_text=collapse(self.body_text()),
        )
