"""Onboarding by importing a secret recovery phrase (home.html#onboarding/...).

Followed step by step by what each screen shows, not as a fixed sequence: steps came and went between builds
(13.5 asks about metametrics with "No thanks" and has download-app / pin-extension steps; 13.36 asks how to
import first, offers passkeys and asks about metametrics with a ticked box and one "Continue"; both are
declined), docs/metamask.md section 10.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from automation.metamask.pages.base import BasePage, tid
from automation.metamask.screens import UnknownScreenWatch, shown
from automation.metamask.selectors import base as S
from automation.metamask.selectors import redesign as R

# Typing the phrase loses or merges words (docs/metamask.md section 3); a paste lands every word. The event is
# dispatched from the isolated world: DOM events are shared by all worlds, so MetaMask's handler sees it.
_PASTE_JS = """
(locator, phrase) => {
  const el = __mmsa.find(locator, true);
  if (!el) return false;
  const dt = new DataTransfer();
  dt.setData('text/plain', phrase);
  el.focus();
  el.dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true}));
  return true;
}
"""
# Informational steps after the password, in no fixed order: the first visible button of each is clicked.
_CLICK_THROUGH = (
    R.PASSKEY_MAYBE_LATER,
    S.METAMETRICS_NO_THANKS,
    S.METAMETRICS_I_AGREE,
    S.DOWNLOAD_APP_CONTINUE,
    S.PIN_EXTENSION_DONE,
)

# The terms checkbox is the test id's element itself on some builds, inside its label on others.
_TERMS_BOX = (
    f"css:input[type='checkbox'][data-testid='{S.PASSWORD_TERMS}'],"
    f" [data-testid='{S.PASSWORD_TERMS}'] input[type='checkbox']"
)


class OnboardingPage(BasePage):
    def is_onboarding(self) -> bool:
        return self.route().startswith(S.ROUTE_ONBOARDING_PREFIX)

    def import_wallet(
        self,
        mnemonic: str,
        password: str,
        watch: UnknownScreenWatch,
        side_panel_open: Callable[[], bool],
    ) -> None:
        """From the welcome screen to the end of onboarding; returns once the route leaves #onboarding, or
        once the completion screen's "Done" was clicked and the caller should open home itself: 13.36 opens
        its side panel instead of moving this tab (``side_panel_open`` tells), or, on a build that does
        neither, 3 s after the click."""
        words = mnemonic.split()
        done_clicked_at: float | None = None
        while self.is_onboarding():
            view = shown(self.dom)
            ids = set(view["ids"])
            if S.SRP_TEXTAREA in ids or f"{S.SRP_WORD_PREFIX}0" in ids:
                self._enter_phrase(words)
            elif S.PASSWORD_NEW in ids:
                self._create_password(password)
            # The welcome screen animates (13.36 adds "get-started" a moment after the buttons): a button seen
            # in this view can be gone by the click, so these clicks may miss and the next view decides.
            elif S.ONBOARDING_IMPORT_WITH_SRP in ids:
                self.try_click_testid(S.ONBOARDING_IMPORT_WITH_SRP)
            elif S.ONBOARDING_IMPORT_WALLET in ids:
                self.try_click_testid(S.ONBOARDING_IMPORT_WALLET)
            elif S.ONBOARDING_DONE in ids:
                if done_clicked_at is None:
                    if self.try_click_testid(S.ONBOARDING_DONE):
                        done_clicked_at = time.monotonic()
                elif side_panel_open() or time.monotonic() - done_clicked_at > 3:
                    return
            elif S.METAMETRICS_CHECKBOX in ids and self.dom.is_checked(tid(S.METAMETRICS_CHECKBOX)):
                # 13.36 asks with one "Continue" under a ticked consent box: untick it first, so Continue
                # declines (13.5's "No thanks" does the same); the data-collection box is disabled with it.
                self.try_click_testid(S.METAMETRICS_CHECKBOX)
            elif clickable := next((t for t in _CLICK_THROUGH if t in ids), None):
                self.try_click_testid(clickable)
            else:
                watch.unknown(view)
                time.sleep(0.2)
                continue
            watch.known()
            time.sleep(0.2)

    def _enter_phrase(self, words: list[str]) -> None:
        last_word = f"{S.SRP_WORD_PREFIX}{len(words) - 1}"
        if not self.present_testid(last_word):
            self.wait_testid(S.SRP_TEXTAREA)
            self.dom.call(_PASTE_JS, tid(S.SRP_TEXTAREA), " ".join(words))
            self.wait_for("SRP word inputs", lambda: self.present_testid(last_word), timeout=10)
        self.click_testid(S.SRP_CONFIRM, timeout=10)
        self.wait_for("SRP screen to close", lambda: not self.present_testid(last_word), timeout=10)

    def _create_password(self, password: str) -> None:
        self.fill_testid(S.PASSWORD_NEW, password)
        self.fill_testid(S.PASSWORD_CONFIRM, password)
        if not self.dom.is_checked(_TERMS_BOX):
            self.click_testid(S.PASSWORD_TERMS)
        self.click_testid(S.PASSWORD_SUBMIT)
        self.wait_route(lambda r: not r.startswith(S.ROUTE_CREATE_PASSWORD), "after create-password")
