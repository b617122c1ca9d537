"""Transaction confirmations (#confirm-transaction/<id>): recipient, amount, origin."""

from __future__ import annotations

import contextlib
import re

from automation.errors import MetaMaskUIError
from automation.metamask.pages.base import tid
from automation.metamask.pages.confirmations.base import ApprovalPage, collapse
from automation.metamask.selectors import base as S
from automation.models import DisplayedTransaction

# A full address anywhere in the element's text or attributes (some builds keep it in a title or data-*).
_ADDR_ATTR_JS = """
(l) => {
  const root = __mmsa.find(l, false);
  if (!root) return '';
  const texts = [root.textContent || ''];
  for (const el of [root, ...root.querySelectorAll('*')]) for (const a of el.attributes) texts.push(a.value);
  return texts.join(' ');
}
"""


def abbreviation_matches(shown: str, full: str) -> bool:
    """True when MetaMask's abbreviation ("0x70997...c79C8", "0x70997970C518…0d17dc79C8") is a prefix and a
    suffix of `full`."""
    match = re.fullmatch(r"(0x[0-9a-fA-F]{2,})(?:\.\.\.|…)([0-9a-fA-F]{2,})", shown.strip())
    if not match:
        return shown.strip().lower() == full.lower()
    return full.lower().startswith(match.group(1).lower()) and full.lower().endswith(match.group(2).lower())


class TransactionPage(ApprovalPage):
    def _full_recipient(self, shown: str) -> str | None:
        """Open the recipient's name details to read the full address; None when unavailable."""
        field = f"css:{S.NAME_DETAILS_ADDRESS_CSS}"
        if not self.dom.click(f"css:{S.RECIPIENT_NAME_CSS}"):
            return None
        try:
            self.wait_for("name details", lambda: self.dom.is_visible(field), timeout=3)
            value = (self.dom.value(field) or "").strip()
        except MetaMaskUIError:
            return None
        finally:
            if self.dom.click(f"css:{S.NAME_DETAILS_CLOSE_CSS}"):
                with contextlib.suppress(MetaMaskUIError):
                    self.wait_for("name details closed", lambda: not self.dom.is_visible(field), timeout=3)
        if re.fullmatch(S.ADDRESS_RE, value) and abbreviation_matches(shown, value):
            return value
        return None

    def read(self, method: str) -> DisplayedTransaction:
        self.wait_enabled_testid(self.APPROVE)
        self.wait_for(
            "transaction rows",
            lambda: self.row_value(S.ROW_LABEL_REQUEST_FROM) is not None or self.present_testid(S.RECIPIENT),
        )
        to = ""
        if self.present_testid(S.RECIPIENT):
            full = re.search(S.ADDRESS_RE, str(self.dom.call(_ADDR_ATTR_JS, tid(S.RECIPIENT))))
            to = full.group(0) if full else self.text_of(tid(S.RECIPIENT))
            if to and not re.fullmatch(S.ADDRESS_RE, to):
                to = self._full_recipient(to) or to
        if not to:
            to = collapse(self.row_value(S.ROW_LABEL_TO) or "")
        value_text = self.dom.text(f"css:{S.TX_AMOUNT_CSS}") or ""
        return DisplayedTransaction(
            origin=self.row_origin(),
            to=to,
            value_text=value_text,
            raw_text=self.body_text(),
            network=self.network_name(),
        )
