"""Unlock screen (#unlock) in home.html or notification.html."""

from __future__ import annotations

from automation.metamask.pages.base import BasePage
from automation.metamask.selectors import v13 as S


class UnlockPage(BasePage):
    def is_locked(self) -> bool:
        return self.route().startswith(S.ROUTE_UNLOCK) or self.visible_testid(S.UNLOCK_PASSWORD) is not None

    def unlock(self, password: str) -> None:
        field = self.wait_testid(S.UNLOCK_PASSWORD)
        self.fill(field, password)
        self.click_testid(S.UNLOCK_SUBMIT)
        self.wait_for("unlocked", lambda: self.visible_testid(S.UNLOCK_PASSWORD) is None)
