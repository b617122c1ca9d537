"""Unlock screen (#unlock) in any MetaMask page."""

from __future__ import annotations

from automation.metamask.pages.base import BasePage
from automation.metamask.selectors import base as S


class UnlockPage(BasePage):
    def is_locked(self) -> bool:
        return self.route().startswith(S.ROUTE_UNLOCK) or self.visible_testid(S.UNLOCK_PASSWORD)

    def unlock(self, password: str) -> None:
        self.fill_testid(S.UNLOCK_PASSWORD, password)
        self.click_testid(S.UNLOCK_SUBMIT)
        self.wait_for("unlocked", lambda: not self.visible_testid(S.UNLOCK_PASSWORD))
