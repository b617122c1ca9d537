"""Security & privacy settings (home.html#settings/security): the section-7 network features."""

from __future__ import annotations

import logging
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement

from automation.metamask.pages.base import BasePage, css_testid
from automation.metamask.selectors import v13 as S

logger = logging.getLogger("automation.metamask.settings")
_LOG = {"component": "browser_controller"}


class SecuritySettingsPage(BasePage):
    def wait_loaded(self) -> None:
        """The caller navigates to home.html#settings/security first."""
        self.wait_for("security settings", lambda: self._toggle(S.SECURITY_ALERT_CONTAINER))

    def _toggle(self, container: str) -> WebElement | None:
        found = self.driver.find_elements(By.CSS_SELECTOR, f"{css_testid(container)} {S.TOGGLE_CSS}")
        return found[0] if found else None

    def _is_on(self, container: str) -> bool:
        toggle = self._toggle(container)
        return toggle is not None and S.TOGGLE_ON_CLASS in str(toggle.get_attribute("class"))

    def _switch_off(self, container: str) -> bool:
        toggle = self._toggle(container)
        if toggle is None or not self._is_on(container):
            return False
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", toggle)
        self.click(toggle)
        return True

    def _wait_off(self, container: str) -> None:
        self.wait_for(f"{container} off", lambda: not self._is_on(container), timeout=10)

    def disable_network_features(self, *, basic_functionality: bool = False) -> list[str]:
        """Turn off security alerts, transaction simulations (and optionally basic functionality)."""
        changed = []
        for container in (S.SECURITY_ALERT_CONTAINER, S.SIMULATIONS_CONTAINER):
            if self._switch_off(container):
                self._wait_off(container)
                changed.append(container)
        if basic_functionality and self._switch_off(S.BASIC_FUNCTIONALITY_CONTAINER):
            self.wait_testid(S.BASIC_MODAL, timeout=10)
            box = self.wait_for(
                "basic functionality checkbox",
                lambda: self.driver.find_elements(By.CSS_SELECTOR, S.BASIC_MODAL_CHECKBOX_CSS),
            )[0]
            if not box.is_selected():
                self.driver.execute_script("arguments[0].click();", box)
            self.click_testid(S.BASIC_MODAL_TOGGLE, timeout=10)
            self.wait_for(
                "basic functionality off",
                lambda: not self._is_on(S.BASIC_FUNCTIONALITY_CONTAINER),
                timeout=10,
            )
            changed.append(S.BASIC_FUNCTIONALITY_CONTAINER)
        time.sleep(0.3)  # let the background persist the preference before navigating away
        logger.info("network features turned off: %s", changed or "already off", extra=_LOG)
        return changed
