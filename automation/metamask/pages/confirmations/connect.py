"""Connect (#connect/<id>) and the chain permission for an already connected site
(#connect/<id>/confirm-permissions, 13.5)."""

from __future__ import annotations

from automation.metamask.pages.confirmations.base import ApprovalPage
from automation.metamask.selectors import base as S
from automation.models import DisplayedConnect


class ConnectPage(ApprovalPage):
    APPROVE = S.CONNECT_CONFIRM
    REJECT = S.CONNECT_CANCEL

    def read(self, method: str) -> DisplayedConnect:
        locator = f"css:{S.CONNECT_ORIGIN_CSS}"
        origin = self.wait_for("connect origin heading", lambda: self.dom.text(locator))
        self.wait_enabled_testid(self.APPROVE)
        return DisplayedConnect(origin=origin)


class PermissionPage(ApprovalPage):
    APPROVE = S.PERMISSION_NEXT
    REJECT = S.PERMISSION_CANCEL
