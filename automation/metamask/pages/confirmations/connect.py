"""Connect (#connect/<id>) and the chain permission for an already connected site
(#connect/<id>/confirm-permissions, 13.5)."""

from __future__ import annotations

from typing import Any

from automation.metamask.pages.confirmations.base import ApprovalPage
from automation.metamask.selectors import base as S
from automation.models import DisplayedConnect, DisplayedNetwork


class ConnectPage(ApprovalPage):
    APPROVE = S.CONNECT_CONFIRM
    REJECT = S.CONNECT_CANCEL

    def read(self, method: str) -> DisplayedConnect:
        locator = f"css:{S.CONNECT_ORIGIN_CSS}"
        origin = self.wait_for("connect origin heading", lambda: self.dom.text(locator))
        self.wait_enabled_testid(self.APPROVE)
        return DisplayedConnect(origin=origin)


# The asking line's text and the names of the networks asked for, once the approve button is enabled.
_PERMISSION_JS = """
(asking, networkCss, approve) => {
  const ok = __mmsa.find('testid:' + approve, true);
  if (!ok || ok.disabled) return null;
  const line = [...document.querySelectorAll('p')].map((p) => __mmsa.collapse(p.innerText))
    .find((text) => text.includes(asking));
  const names = [...document.querySelectorAll(networkCss)].map((p) => __mmsa.collapse(p.innerText));
  return line === undefined ? null : [line, names];
}
"""


class PermissionPage(ApprovalPage):
    APPROVE = S.PERMISSION_NEXT
    REJECT = S.PERMISSION_CANCEL

    def read(self, method: str) -> DisplayedNetwork:
        """The chain permission: the asking origin and the network it asks for, as shown (no chain id or RPC
        URL: the network is one the wallet already has)."""
        found: Any = self.wait_for(
            "chain permission",
            lambda: self.dom.call(
                _PERMISSION_JS, S.PERMISSION_ASKING_TEXT, S.PERMISSION_NETWORK_CSS, self.APPROVE
            ),
        )
        line, names = str(found[0]), [str(n) for n in found[1]]
        origin = line.split(S.PERMISSION_ASKING_TEXT)[0].strip()
        return DisplayedNetwork(
            origin=origin,
            name=" + ".join(names),
            chain_id="",
            rpc_url="",
            raw_text=self.dom.body_text(),
            permission=True,
        )
