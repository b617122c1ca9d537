"""Settings the driver turns off once per profile: MetaMetrics (always: no usage data leaves a service wallet)
and, when configured, the online features of docs/metamask.md section 7 (security alerts, transaction
simulations, basic functionality). 13.5 keeps all of them on #settings/security; later builds split them over
#settings/privacy and #settings/transactions, where some rows have no test id, only their label."""

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
METAMETRICS = (S.METAMETRICS_CONTAINER, "Participate in MetaMetrics")
BASIC_FUNCTIONALITY = (S.BASIC_FUNCTIONALITY_CONTAINER, "Basic functionality")
Feature = tuple[str, str]


class SettingsPage(BasePage):
    # Visited in this order until every wanted feature was seen (13.5: the first one has them all).
    ROUTES = (S.ROUTE_SETTINGS_SECURITY, S.ROUTE_SETTINGS_PRIVACY, S.ROUTE_SETTINGS_TRANSACTIONS)

    def rendered(self) -> bool:
        """Whether this settings page shows its switches yet (every settings page of interest has some)."""
        return self.dom.exists(f"css:{S.TOGGLE_CSS}")

    def _state(self, feature: Feature) -> str | None:
        value = self.dom.call(_IS_ON_JS, *feature, S.TOGGLE_CSS)
        return None if value is None else str(value)

    def is_on(self, feature: Feature) -> bool | None:
        """On / off as this page shows it; None where this page does not show the feature."""
        state = self._state(feature)
        return None if state is None else S.TOGGLE_ON_CLASS in state

    def _switch_off(self, feature: Feature) -> bool:
        if not self.is_on(feature):
            return False
        return self.dom.click_found(_FIND_TOGGLE_JS, *feature, S.TOGGLE_CSS)

    def _wait_off(self, feature: Feature) -> None:
        self.wait_for(f"{feature[1]} off", lambda: not self.is_on(feature), timeout=10)

    def turn_off(self, features: tuple[Feature, ...]) -> set[Feature]:
        """Turn off those of ``features`` this page shows (basic functionality through its modal); returns
        the ones it shows, on or off."""
        present = {f for f in features if self.is_on(f) is not None}
        changed = []
        for feature in (f for f in features if f in present and f != BASIC_FUNCTIONALITY):
            if self._switch_off(feature):
                self._wait_off(feature)
                changed.append(feature[1])
        if BASIC_FUNCTIONALITY in present and self._switch_off(BASIC_FUNCTIONALITY):
            # The modal's own "Turn off" button, not its root: 13.36's root has no size of its own (its
            # overlay and dialog are fixed-position children), so it never counts as visible.
            self.wait_testid(S.BASIC_MODAL_TOGGLE, timeout=10)
            box = f"css:{S.BASIC_MODAL_CHECKBOX_CSS}"
            if not self.dom.is_checked(box):
                self.dom.call("(l) => { const el = __mmsa.find(l, false); if (el) el.click(); }", box)
            self.click_testid(S.BASIC_MODAL_TOGGLE, timeout=10)
            self._wait_off(BASIC_FUNCTIONALITY)
            changed.append(BASIC_FUNCTIONALITY[1])
        if changed:
            time.sleep(0.3)  # let the background persist the preference before navigating away
        logger.info(
            "settings %s: turned off %s", self.route(), changed or "nothing (already off)", extra=_LOG
        )
        return present
