"""Onboarding by importing a secret recovery phrase (home.html#onboarding/...)."""

from __future__ import annotations

import contextlib

from automation.errors import MetaMaskUIError
from automation.metamask.pages.base import BasePage
from automation.metamask.selectors import v13 as S

# Typing the phrase loses or merges words; a synthetic paste lands every word (metamask-13.5.md section 3).
_PASTE_JS = """
const dt = new DataTransfer();
dt.setData('text/plain', arguments[1]);
arguments[0].focus();
arguments[0].dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true}));
"""


class OnboardingPage(BasePage):
    def is_onboarding(self) -> bool:
        return self.route().startswith(S.ROUTE_ONBOARDING_PREFIX)

    def _wait_any(self, testids: tuple[str, ...]) -> None:
        self.wait_for(
            f"onboarding step {testids[0]}",
            lambda: any(self.visible_testid(t) for t in testids) or not self.is_onboarding(),
        )

    def import_wallet(self, mnemonic: str, password: str) -> None:
        words = mnemonic.split()
        self.click_testid(S.ONBOARDING_IMPORT_WALLET)
        self.wait_for(
            "SRP import screen",
            lambda: self.visible_testid(S.SRP_TEXTAREA)
            or (self.visible_testid(S.ONBOARDING_IMPORT_WITH_SRP)),
        )
        with contextlib.suppress(MetaMaskUIError):
            if self.visible_testid(S.ONBOARDING_IMPORT_WITH_SRP):
                self.click_testid(S.ONBOARDING_IMPORT_WITH_SRP, timeout=5)
        area = self.wait_testid(S.SRP_TEXTAREA)
        self.driver.execute_script(_PASTE_JS, area, " ".join(words))
        last_word = f"{S.SRP_WORD_PREFIX}{len(words) - 1}"
        self.wait_for("SRP word inputs", lambda: self.present_testid(last_word), timeout=10)
        self.click_testid(S.SRP_CONFIRM, timeout=10)

        self.fill(self.wait_testid(S.PASSWORD_NEW), password)
        self.fill(self.wait_testid(S.PASSWORD_CONFIRM), password)
        self.click_testid(S.PASSWORD_TERMS)
        self.click_testid(S.PASSWORD_SUBMIT)

        # The remaining screens are informational; each is clicked through when it shows up.
        self.wait_route(
            lambda r: "metametrics" in r or not r.startswith("#onboarding/create-password"),
            "after create-password",
        )
        steps = [
            (S.METAMETRICS_NO_THANKS, S.METAMETRICS_I_AGREE),
            (S.ONBOARDING_DONE,),
            (S.DOWNLOAD_APP_CONTINUE,),
            (S.PIN_EXTENSION_DONE,),
        ]
        for options in steps:
            if not self.is_onboarding():
                break
            self._wait_any(options)
            for testid in options:
                if self.try_click_testid(testid):
                    break
        self.wait_route(lambda r: not r.startswith(S.ROUTE_ONBOARDING_PREFIX), "leaving onboarding")
