"""wallet_addEthereumChain as a templated confirmation (#confirmation/<id>): title "Add <name>", a
<dt>/<dd> list with the RPC URL, and the chain id behind "See details"."""

from __future__ import annotations

import contextlib
from typing import Any

from automation.errors import MetaMaskUIError
from automation.metamask.pages.base import tid
from automation.metamask.pages.confirmations.base import ApprovalPage
from automation.metamask.selectors import legacy as L
from automation.models import DisplayedNetwork

_DT_DD_JS = """
() => [...document.querySelectorAll('dt')]
  .filter((dt) => dt.nextElementSibling && dt.nextElementSibling.tagName === 'DD')
  .map((dt) => [(dt.innerText || '').trim(), (dt.nextElementSibling.innerText || '').trim()])
"""


class AddNetworkPage(ApprovalPage):
    APPROVE = L.CONFIRMATION_SUBMIT
    REJECT = L.CONFIRMATION_CANCEL

    def _pairs(self) -> dict[str, str]:
        raw: list[Any] = self.dom.call(_DT_DD_JS)
        return {str(k).strip().lower(): str(v).strip() for k, v in raw}

    def read(self, method: str) -> DisplayedNetwork:
        self.wait_enabled_testid(self.APPROVE)
        origin = self.dom.text(tid(L.ORIGIN_PILL_TEXT), visible=False) or ""
        titles = self.dom.texts(f"css:{L.ADD_NETWORK_TITLE_CSS}")
        name = next((t for t in titles if t.startswith("Add ")), "")
        name = name[len("Add ") :] if name.startswith("Add ") else name
        # The chain id is behind "See details"; open it so it can be checked too.
        if self.dom.click(L.SEE_DETAILS):
            with contextlib.suppress(MetaMaskUIError):
                self.wait_for("network details", lambda: self._pairs().get(L.DT_CHAIN_ID.lower()), timeout=3)
        pairs = self._pairs()
        return DisplayedNetwork(
            origin=origin,
            name=name,
            chain_id=pairs.get(L.DT_CHAIN_ID.lower(), ""),
            rpc_url=pairs.get(L.DT_NETWORK_URL.lower(), ""),
            raw_text=self.body_text(),
        )
