"""Transaction confirmations (#confirm-transaction/<id>): recipient, amount, origin, calldata, nonce, fees,
alerts."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import Any

from automation.errors import MetaMaskUIError
from automation.metamask.pages.base import tid
from automation.metamask.pages.confirmations.base import ApprovalPage, collapse
from automation.metamask.selectors import base as S
from automation.metamask.spending_cap import approve_amount, shown_decimals, units_text
from automation.models import DisplayedTransaction, SpendingCap

# Seconds for the advanced details to show, with the nonce MetaMask asks of the chain and its decoding of the
# calldata done; after that, what shows is taken (calldata still decoding counts as not shown).
_ADVANCED_WAIT = 10.0

# The advanced details in one call: null while they do not show; else the nonce's text, whether the Data
# section shows, its calldata when shown as hex (whitespace removed), whether it shows a decoded function,
# and the texts of the max fee and L1 fee rows (null where absent).
_ADVANCED_JS = """
(nonceSection, nonceId, sectionId, hexId, functionId, maxFeeId, l1FeeId) => {
  const q = (id) => document.querySelector(`[data-testid="${id}"]`);
  if (!q(nonceSection)) return null;
  const nonce = q(nonceId);
  const hex = q(hexId);
  const shown = (id) => (q(id) ? __mmsa.collapse(q(id).innerText) : null);
  return {
    nonce: nonce ? __mmsa.collapse(nonce.innerText) : '',
    section: !!q(sectionId),
    hex: hex ? (hex.textContent || '').replace(/\\s+/g, '') : null,
    decoded: !!q(functionId),
    maxFee: shown(maxFeeId),
    l1Fee: shown(l1FeeId),
  };
}
"""


# The button of a modal (its CSS) by its label.
_MODAL_BUTTON_JS = """
(modalCss, label) => {
  const modal = document.querySelector(modalCss);
  if (!modal) return null;
  return [...modal.querySelectorAll('button')].find((b) => __mmsa.collapse(b.innerText) === label) || null;
}
"""


@dataclass(frozen=True)
class _Advanced:
    data: str | None = None
    nonce: int | None = None
    max_fee: str | None = None
    l1_fee: str | None = None


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
            {
                "recipient": (recipient, False),
                "amount": (f"css:{S.TX_AMOUNT_CSS}", True),
                "cap": (tid(S.SPENDING_CAP_VALUE), True),
            },
            # A full address anywhere in the recipient's text or attributes (some builds keep it in a title).
            {"recipient": recipient},
            # A rounded amount's full value, in the tooltip over it.
            {"amount": f"css:{S.TX_AMOUNT_CSS}"},
        )
        to = ""
        if snap.texts["recipient"] is not None:
            full = re.search(S.ADDRESS_RE, snap.attrs["recipient"] or "")
            to = full.group(0) if full else snap.texts["recipient"]
            if to and not re.fullmatch(S.ADDRESS_RE, to):
                to = self._full_recipient(to) or to
        if not to:
            to = collapse(snap.row(S.ROW_LABEL_TO) or snap.row(S.ROW_LABEL_INTERACTING_WITH) or "")
        advanced = self._advanced_details()
        value_text = snap.texts["amount"] or ""
        if value_text in (S.DEPLOY_TITLE, S.SPENDING_CAP_TITLE):
            # Screens that show no amount put their heading where one would be (a contract creation on 13.36,
            # an approve on 13.5): no amount shown. A creation's value is checked on the mined transaction.
            value_text = ""
        return DisplayedTransaction(
            origin=snap.origin(),
            to=to,
            value_text=value_text,
            raw_text=snap.body,
            network=snap.network(),
            data=advanced.data,
            nonce=advanced.nonce,
            value_exact=snap.titles["amount"],
            max_fee_text=advanced.max_fee,
            l1_fee_text=advanced.l1_fee,
            alerts=snap.alerts,
            spending_cap=snap.texts["cap"],
            spender=None if (spender := snap.row(S.ROW_LABEL_SPENDER)) is None else collapse(spender),
        )

    def set_spending_cap(self, shown: DisplayedTransaction, cap: SpendingCap) -> str:
        """Edit an ERC-20 approve's spending cap to exactly ``cap.amount`` where its calldata names another
        amount (the dApp's, or unlimited); the screen must then be read again. Returns what was changed
        ("spending cap 7 -> 1.2345"), "" when nothing was: not an approve, already that amount, or no
        decimals known to write it with (the caller's check then refuses what shows)."""
        current = approve_amount(shown.data)
        if current is None or current == cap.amount:
            return ""
        shown_cap = shown.spending_cap or self._spending_cap_shown()
        if shown_cap is None:
            return ""  # not shown as a spending cap request (13.36 shows an unknown token's as a plain call)
        decimals = shown_decimals(shown_cap, current)
        decimals = cap.decimals if decimals is None else decimals
        if decimals is None:
            return ""
        typed = units_text(cap.amount, decimals)
        self.click_testid(S.EDIT_SPENDING_CAP)
        self.fill_testid(S.SPENDING_CAP_INPUT, typed)
        if not self.dom.click_found(_MODAL_BUTTON_JS, S.SPENDING_CAP_MODAL_CSS, S.SPENDING_CAP_SAVE_LABEL):
            raise MetaMaskUIError("the spending cap modal shows no Save button")

        def written() -> bool:
            state = self._advanced()
            return state is not None and approve_amount(state.get("hex")) == cap.amount

        # MetaMask writes the amount into the calldata a moment after Save; if it never does, the read
        # that follows shows what it holds instead, and the caller's check refuses it.
        with contextlib.suppress(MetaMaskUIError):
            self.wait_for("the edited spending cap in the calldata", written, timeout=_ADVANCED_WAIT)
        return f"spending cap {shown_cap} -> {typed}"

    def _spending_cap_shown(self) -> str | None:
        """The cap, once shown: 13.36 draws it after the screen's rows, when it has read the token (seen
        2026-12-04: a first approve read without it, the next ones with it)."""
        with contextlib.suppress(MetaMaskUIError):
            return self.wait_for(
                "the spending cap", lambda: self.dom.text(tid(S.SPENDING_CAP_VALUE)), timeout=_ADVANCED_WAIT
            )
        return None

    def _advanced(self) -> dict[str, Any] | None:
        state: dict[str, Any] | None = self.dom.call(
            _ADVANCED_JS,
            S.ADVANCED_NONCE_SECTION,
            S.ADVANCED_NONCE,
            S.ADVANCED_DATA_SECTION,
            S.ADVANCED_DATA_HEX,
            S.ADVANCED_DATA_FUNCTION,
            S.ADVANCED_MAX_FEE,
            S.ADVANCED_L1_FEE,
        )
        return state

    def _advanced_details(self) -> _Advanced:
        """What the advanced details show, turned on first when they are off: calldata "" when the
        transaction carries none, None when it is not shown in full (decoded into a function and its
        parameters, or still decoding after the wait); nonce None when not shown as a number."""
        first = self._advanced()
        if first is None and not self.try_click_testid(S.ADVANCED_DETAILS_TOGGLE):
            return _Advanced()  # a screen without the toggle: nothing read, so calldata counts as not shown
        # The read that found them already on is the wait's first probe, not a call of its own.
        unread = [first] if first is not None else []

        def settled() -> dict[str, Any] | None:
            state = unread.pop() if unread else self._advanced()
            if state is None or not str(state["nonce"]).isdigit():
                return None  # not shown yet, or the nonce not yet asked of the chain ("undefined")
            if state["section"] and state["hex"] is None and not state["decoded"]:
                return None  # the Data section's spinner
            return state

        try:
            state = self.wait_for("advanced details", settled, timeout=_ADVANCED_WAIT)
        except MetaMaskUIError:
            state = self._advanced() or {}
        nonce_text = str(state.get("nonce") or "")
        hex_text = state.get("hex")
        if not state.get("section", True):
            data: str | None = ""
        else:
            data = hex_text.lower() if isinstance(hex_text, str) else None

        def text(key: str) -> str | None:
            value = state.get(key)
            return str(value) if value is not None else None

        return _Advanced(
            data=data,
            nonce=int(nonce_text) if nonce_text.isdigit() else None,
            max_fee=text("maxFee"),
            l1_fee=text("l1Fee"),
        )
