"""wallet_addEthereumChain as a redesigned confirmation (#confirm-transaction/<id>, 13.36): heading
"Add <name>", rows "Request from", "Network" and "RPC" (host:port only; no chain id is shown)."""

from __future__ import annotations

from automation.metamask.pages.confirmations.base import ApprovalPage, collapse
from automation.metamask.selectors import redesign as R
from automation.models import DisplayedNetwork


class AddNetworkPage(ApprovalPage):
    def read(self, method: str) -> DisplayedNetwork:
        snap = self.wait_snapshot(
            "network rows",
            lambda snap: bool(snap.row(R.ROW_LABEL_RPC)),
            {"title": (f"css:{R.ADD_NETWORK_TITLE_CSS}", True)},
        )
        title = snap.texts["title"] or ""
        name = title[len("Add ") :] if title.startswith("Add ") else title
        return DisplayedNetwork(
            origin=snap.origin(),
            name=name,
            chain_id="",
            rpc_url=collapse(snap.row(R.ROW_LABEL_RPC) or ""),
            raw_text=snap.body,
        )
