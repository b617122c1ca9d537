"""wallet_addEthereumChain as a redesigned confirmation (#confirm-transaction/<id>, 13.36): heading
"Add <name>", rows "Request from", "Network" and "RPC" (host:port only; no chain id is shown)."""

from __future__ import annotations

from automation.metamask.pages.confirmations.base import ApprovalPage, collapse
from automation.metamask.selectors import redesign as R
from automation.models import DisplayedNetwork


class AddNetworkPage(ApprovalPage):
    def read(self, method: str) -> DisplayedNetwork:
        self.wait_enabled_testid(self.APPROVE)
        self.wait_for("network rows", lambda: self.row_value(R.ROW_LABEL_RPC))
        title = self.text_of(f"css:{R.ADD_NETWORK_TITLE_CSS}")
        name = title[len("Add ") :] if title.startswith("Add ") else title
        return DisplayedNetwork(
            origin=self.row_origin(),
            name=name,
            chain_id="",
            rpc_url=collapse(self.row_value(R.ROW_LABEL_RPC) or ""),
            raw_text=self.body_text(),
        )
