"""Settings with MetaMask's online features of docs/metamask.md section 7 (security alerts, transaction
simulations, basic functionality). 13.5 keeps them on #settings/security; later builds moved security alerts
and simulations to #settings/transactions, where the simulations row has no test id, only its label."""

from __future__ import annotations

import logging
import time

from automation.metamask.pages.base import BasePage
from automation.metamask.selectors import base as S

logger = logging.getLogger("automation.metamask.settings")
_LOG = {"component": "browser_controller"}

# The toggle of a feature: inside its row's data-testid, else in the row whose text starts with its label.
_FIND_TOGGLE_JS = """
(container, label, toggleCss) => {
  const inRow = document.querySelector(`[data-testid="${container}"] ${toggleCss}`);
  if (inRow) return inRow;
  for (const t of document.querySelectorAll(toggleCss)) {
    let row = t;
    for (let i = 0; i < 4 && row; i++, row = row.parentElement) {
      if (__mmsa.collapse(row.innerText).startsWith(label)) return t;
    }
  }
  return null;
}
"""
_IS_ON_JS = f"(...a) => {{ const t = ({_FIND_TOGGLE_JS})(...a); return t ? t.className : null; }}"
# (row test id, row label) of each feature
SECURITY_ALERTS = (S.SECURITY_ALERT_CONTAINER, "Security alerts")
SIMULATIONS = (S.SIMULATIONS_CONTAINER, "Estimate balance changes")
BASIC_FUNCTIONALITY = (S.BASIC_FUNCTIONALITY_CONTAINER, "Basic functionality")


class SecuritySettingsPage(BasePage):
    ROUTES = (S.ROUTE_SETTINGS_SECURITY, S.ROUTE_SETTINGS_TRANSACTIONS)

    def has_security_alerts(self) -> bool:
        return self._state(SECURITY_ALERTS) is not None

    def _state(self, feature: tuple[str, str]) -> str | None:
        value = self.dom.call(_IS_ON_JS, *feature, S.TOGGLE_CSS)
        return None if value is None else str(value)

    def _is_on(self, feature: tuple[str, str]) -> bool:
        return S.TOGGLE_ON_CLASS in (self._state(feature) or "")

    def _switch_off(self, feature: tuple[str, str]) -> bool:
        if not self._is_on(feature):
            return False
        return self.dom.click_found(_FIND_TOGGLE_JS, *feature, S.TOGGLE_CSS)

    def _wait_off(self, feature: tuple[str, str]) -> None:
        self.wait_for(f"{feature[1]} off", lambda: not self._is_on(feature), timeout=10)

    def disable_network_features(self, *, basic_functionality: bool = False) -> list[str]:
        """Turn off security alerts, transaction simulations (and optionally basic functionality) where the
        page shows them."""
        changed = []
        for feature in (SECURITY_ALERTS, SIMULATIONS):
            if self._switch_off(feature):
                self._wait_off(feature)
                changed.append(feature[1])
        if basic_functionality and self._switch_off(BASIC_FUNCTIONALITY):
            self.wait_testid(S.BASIC_MODAL, timeout=10)
            box = f"css:{S.BASIC_MODAL_CHECKBOX_CSS}"
            if not self.dom.is_checked(box):
                self.dom.call("(l) => { const el = __mmsa.find(l, false); if (el) el.click(); }", box)
            self.click_testid(S.BASIC_MODAL_TOGGLE, timeout=10)
            self._wait_off(BASIC_FUNCTIONALITY)
            changed.append(BASIC_FUNCTIONALITY[1])
        time.sleep(0.3)  # let the background persist the preference before navigating away
        logger.info("network features turned off: %s", changed or "already off", extra=_LOG)
        return changed
