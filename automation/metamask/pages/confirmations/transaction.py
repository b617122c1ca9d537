"""Transaction confirmations (#confirm-transaction/<id>): recipient, amount, origin."""

from __future__ import annotations

import contextlib
import re

from automation.errors import MetaMaskUIError
from automation.metamask.pages.base import tid
from automation.metamask.pages.confirmations.base import ApprovalPage, collapse
from automation.metamask.selectors import base as S
from automation.models import DisplayedTransaction


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
        recipient = tid(S.RECIPIENT)
        snap = self.wait_snapshot(
            "transaction rows",
            lambda snap: snap.row(S.ROW_LABEL_REQUEST_FROM) is not None
            or snap.texts["recipient"] is not None,
            {"recipient": (recipient, False), "amount": (f"css:{S.TX_AMOUNT_CSS}", True)},
            # A full address anywhere in the recipient's text or attributes (some builds keep it in a title).
            {"recipient": recipient},
        )
        to = ""
        if snap.texts["recipient"] is not None:
            full = re.search(S.ADDRESS_RE, snap.attrs["recipient"] or "")
            to = full.group(0) if full else snap.texts["recipient"]
            if to and not re.fullmatch(S.ADDRESS_RE, to):
                to = self._full_recipient(to) or to
        if not to:
            to = collapse(snap.row(S.ROW_LABEL_TO) or "")
        return DisplayedTransaction(
            origin=snap.origin(),
            to=to,
            value_text=snap.texts["amount"] or "",
            raw_text=snap.body,
            network=snap.network(),
        )
