"""Wallet home (home.html#): readiness, covering modals, the selected account's address, lock."""

from __future__ import annotations

import re
import time

from automation.errors import MetaMaskUIError
from automation.metamask.pages.base import BasePage
from automation.metamask.selectors import v13 as S

# MetaMask shows the address shortened; its copy button writes the full address with navigator.clipboard.
# Capture that write in the page instead of reading the OS clipboard (headless has none we could rely on).
_HOOK_CLIPBOARD_JS = """
window.__mmCopied = [];
if (!window.__mmCopyHooked && navigator.clipboard) {
  const original = navigator.clipboard.writeText.bind(navigator.clipboard);
  navigator.clipboard.writeText = (text) => { window.__mmCopied.push(String(text));
                                              return original(text).catch(() => undefined); };
  document.addEventListener('copy', (e) => {
    const sel = String(window.getSelection() || '');
    if (sel) window.__mmCopied.push(sel);
  }, true);
  window.__mmCopyHooked = true;
}
"""
_COVERING = (S.TERMS_SCROLL, S.TERMS_CHECKBOX, S.TERMS_AGREE, S.TOUR_CTA, S.POPOVER_CLOSE)


class HomePage(BasePage):
    def is_ready(self) -> bool:
        return self.visible_testid(S.ACCOUNT_MENU) is not None

    def wait_ready(self, timeout: float | None = None) -> None:
        self.wait_testid(S.ACCOUNT_MENU, timeout)

    def dismiss_covering(self, quiet_for: float = 1.5, limit: float = 20.0) -> int:
        """Close Terms of Use / tour / popovers in a loop until none has shown for `quiet_for` seconds."""
        closed = 0
        deadline = time.monotonic() + limit
        last_seen = time.monotonic()
        while time.monotonic() - last_seen < quiet_for and time.monotonic() < deadline:
            acted = False
            for testid in _COVERING:
                if self.try_click_testid(testid):
                    acted = True
                    closed += 1
                    time.sleep(0.3)
            if acted:
                last_seen = time.monotonic()
            else:
                time.sleep(0.3)
        return closed

    def read_address(self) -> str:
        """Full address of the selected account, via the header copy button (see _HOOK_CLIPBOARD_JS)."""
        self.driver.execute_script(_HOOK_CLIPBOARD_JS)
        button = self.wait_testid(S.HEADER_COPY_ADDRESS)
        inline = re.search(S.ADDRESS_RE, str(button.get_attribute("textContent") or ""))
        if inline:
            return inline.group(0)
        self.driver.execute_script("arguments[0].click();", button)

        def copied() -> str | None:
            for text in self.driver.execute_script("return window.__mmCopied || [];"):
                match = re.fullmatch(S.ADDRESS_RE, str(text).strip())
                if match:
                    return match.group(0)
            return None

        try:
            return self.wait_for("copied address", copied, timeout=5)
        except MetaMaskUIError as exc:
            raise MetaMaskUIError("could not read the account address from the header copy button") from exc

    def lock(self) -> None:
        self.click_testid(S.ACCOUNT_MENU)
        item = self.wait_testid(S.GLOBAL_MENU_LOCK)
        # Scrolling the item to the centre closes the menu (metamask-13.5.md section 5).
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'nearest'});", item)
        self.click(item)
        self.wait_testid(S.UNLOCK_PASSWORD)
