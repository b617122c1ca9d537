"""Wallet home (home.html#): readiness, covering modals, the selected account's address, lock."""

from __future__ import annotations

import re
import time

from automation.errors import MetaMaskUIError
from automation.metamask.pages.base import BasePage, tid
from automation.metamask.selectors import base as S
from automation.metamask.selectors import legacy as L
from automation.metamask.selectors import redesign as R

_COVERING = (S.TERMS_SCROLL, S.TERMS_CHECKBOX, S.TERMS_AGREE, S.TOUR_CTA, S.POPOVER_CLOSE)
# Inside a covering modal: the first of these that shows is clicked (a modal's own "not now" before its X).
_MODAL_EXITS = tuple(f"text:button|{label}" for label in R.MODAL_DISMISS_LABELS)
# The first row of the Receive list whose address is an EVM one (0x...): later rows are Solana, Tron, ...
_EVM_ROW_COPY_JS = """
(rowId, addressId, copyId) => {
  for (const row of document.querySelectorAll(`[data-testid="${rowId}"]`)) {
    const shown = row.querySelector(`[data-testid="${addressId}"]`);
    if (shown && /^0x[0-9a-fA-F]/.test(__mmsa.collapse(shown.innerText))) {
      return row.querySelector(`[data-testid="${copyId}"]`);
    }
  }
  return null;
}
"""
_CLEAR_CLIPBOARD_JS = "() => navigator.clipboard.writeText('').then(() => true, () => false)"
_READ_CLIPBOARD_JS = "() => navigator.clipboard.readText().then((t) => t, () => '')"


class HomePage(BasePage):
    def is_ready(self) -> bool:
        return self.visible_testid(S.ACCOUNT_MENU)

    def wait_ready(self, timeout: float | None = None) -> None:
        self.wait_testid(S.ACCOUNT_MENU, timeout)

    def _close_modal(self) -> bool:
        modal = self.dom.first_visible(*(tid(m) for m in R.COVERING_MODALS))
        if modal is None:
            return False
        scoped_close = f"css:[data-testid='{modal.split(':', 1)[1]}'] button[aria-label='Close']"
        if not any(self.dom.click(exit) for exit in (*_MODAL_EXITS, scoped_close)):
            self.dom.press("Escape")
        return True

    def dismiss_covering(self, quiet_for: float = 1.5, limit: float = 20.0) -> int:
        """Close Terms of Use, tours, popovers and announcement modals until none showed for `quiet_for` s."""
        closed = 0
        deadline = time.monotonic() + limit
        last_seen = time.monotonic()
        while time.monotonic() < deadline:
            acted = self._close_modal()
            for testid in _COVERING:
                if self.try_click_testid(testid):
                    acted = True
                    time.sleep(0.3)
            if acted:
                # Always one more look after closing something: it may have uncovered the next cover. (With
                # the quiet time checked only before the pause, a short quiet time ended the loop right after
                # the first close: seen on 13.36 on 2026-12-02, a popover left over the Receive list.)
                closed += 1
                last_seen = time.monotonic()
            elif time.monotonic() - last_seen >= quiet_for:
                break
            time.sleep(0.3)
        return closed

    def read_address(self) -> str:
        """Full address of the selected account, from the clipboard after a real click on a copy button.

        13.5 has a copy button in the header; later builds show the address only in the "Receive" list of
        addresses, one row per network, each with its own copy button (docs/metamask.md section 10). The
        caller grants the extension's origin clipboard access first (Browser.grant_clipboard). A popover
        that comes up after home's covers were closed takes the click (13.5 offline, now and then: "We can't
        connect to Ethereum"): then the covers are closed again and the copy tried once more.
        """
        self.dom.emulate_focus()

        def copied() -> str | None:
            match = re.fullmatch(S.ADDRESS_RE, str(self.dom.call(_READ_CLIPBOARD_JS)).strip())
            return match.group(0) if match else None

        for attempt in (1, 2):
            self.dom.call(_CLEAR_CLIPBOARD_JS)
            self._click_copy()
            try:
                address = self.wait_for("copied address", copied, timeout=5)
            except MetaMaskUIError as exc:
                self.leave_address_list()
                if attempt == 2:
                    raise MetaMaskUIError("could not read the account address through a copy button") from exc
                self.dismiss_covering(quiet_for=0.3)
                continue
            self.leave_address_list()
            return address
        raise AssertionError("unreachable")

    def _click_copy(self) -> None:
        if self.visible_testid(L.HEADER_COPY_ADDRESS):
            self.click_testid(L.HEADER_COPY_ADDRESS)
            return
        # A click that lands while home re-renders (13.36, right after another account was selected) can be
        # lost: the list never opens. Clicked again after a moment, unless the list opened meanwhile.
        for attempt in range(3):
            if not self.visible_testid(R.ADDRESS_ROW):
                self.click_testid(R.RECEIVE_BUTTON)
            try:
                self.wait_testid(R.ADDRESS_ROW, timeout=5)
                break
            except MetaMaskUIError:
                if attempt == 2:
                    raise
        if not self.dom.click_found(
            _EVM_ROW_COPY_JS, R.ADDRESS_ROW, R.ADDRESS_ROW_ADDRESS, R.ADDRESS_ROW_COPY
        ):
            raise MetaMaskUIError("no copy button for an Ethereum address in the Receive list")

    def leave_address_list(self) -> None:
        if self.visible_testid(R.ADDRESS_LIST_BACK):
            self.click_testid(R.ADDRESS_LIST_BACK)

    def lock(self) -> None:
        self.click_testid(S.ACCOUNT_MENU)
        self.wait_testid(S.GLOBAL_MENU_LOCK)
        self.click_testid(S.GLOBAL_MENU_LOCK)
        self.wait_testid(S.UNLOCK_PASSWORD)
