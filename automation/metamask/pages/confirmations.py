"""Approval screens in notification.html: read what MetaMask shows, then approve or reject.

Every reader returns what is ON SCREEN (not what the dApp sent): the verifier compares it with the request.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from selenium.webdriver.common.by import By

from automation.errors import MetaMaskUIError
from automation.metamask.pages.base import BasePage
from automation.metamask.selectors import v13 as S
from automation.models import DisplayedConnect, DisplayedNetwork, DisplayedSignature, DisplayedTransaction

# Rows of the redesigned confirmations: a `.confirm-info-row` whose first NON-EMPTY p/span/h6 is the label
# (copy/collapse icon buttons come first in the DOM).
_ROWS_JS = """
const out = [];
for (const row of document.querySelectorAll(arguments[0])) {
  const labelEl = [...row.querySelectorAll('p, span, h6')].find((el) => (el.innerText || '').trim());
  const label = labelEl ? (labelEl.innerText || '').trim() : '';
  const all = (row.innerText || '').trim();
  let value = all.startsWith(label) ? all.slice(label.length) : all;
  out.push([label, value.trim(), row.innerHTML.length]);
}
return out;
"""
_DT_DD_JS = """
const out = [];
for (const dt of document.querySelectorAll('dt')) {
  const dd = dt.nextElementSibling;
  if (dd && dd.tagName === 'DD') out.push([(dt.innerText || '').trim(), (dd.innerText || '').trim()]);
}
return out;
"""
_ADDR_ATTR_JS = """
const root = arguments[0];
const texts = [root.textContent || ''];
for (const el of [root, ...root.querySelectorAll('*')]) {
  for (const a of el.attributes) texts.push(a.value);
}
return texts.join(' ');
"""


def _collapse(text: str) -> str:
    return " ".join(text.split())


class ApprovalPage(BasePage):
    """Common parts of all approval screens."""

    def body_text(self) -> str:
        return _collapse(str(self.driver.execute_script("return document.body.innerText || '';")))

    def rows(self) -> list[tuple[str, str]]:
        raw: list[Any] = self.driver.execute_script(_ROWS_JS, S.CONFIRM_ROW_CSS)
        return [(str(label), str(value)) for label, value, _ in raw]

    def row_value(self, label: str) -> str | None:
        for row_label, value in self.rows():
            if row_label.strip().rstrip(":").lower() == label.lower():
                return value
        return None

    def click_approve(self, testid: str) -> None:
        self.click_testid(testid)

    def click_reject(self, testid: str) -> None:
        self.click_testid(testid)


class ConnectPage(ApprovalPage):
    def read(self) -> DisplayedConnect:
        heading = self.wait_for(
            "connect origin heading", lambda: self.visible(By.CSS_SELECTOR, S.CONNECT_ORIGIN_CSS)
        )
        return DisplayedConnect(origin=self.text_of(heading))

    def approve(self) -> None:
        self.click_approve(S.CONNECT_CONFIRM)

    def reject(self) -> None:
        self.click_reject(S.CONNECT_CANCEL)


class PermissionPage(ApprovalPage):
    """#connect/<id>/confirm-permissions: granting a chain to an already connected site."""

    def approve(self) -> None:
        self.click_approve(S.PERMISSION_NEXT)

    def reject(self) -> None:
        self.click_reject(S.PERMISSION_CANCEL)


class SignaturePage(ApprovalPage):
    def _origin(self) -> str:
        value = self.row_value(S.ROW_LABEL_REQUEST_FROM) or ""
        # The value is preceded by an "HTTP" warning badge for plain-http sites; the host is the last token.
        tokens = value.split()
        return tokens[-1] if tokens else ""

    def read(self, method: str) -> DisplayedSignature:
        self.wait_enabled_testid(S.CONFIRM_FOOTER_OK)
        self.wait_for("signature rows", lambda: self.row_value(S.ROW_LABEL_REQUEST_FROM))
        if method == "personal_sign":
            text = self.row_value(S.ROW_LABEL_MESSAGE) or ""
        else:
            section = self.wait_testid(S.TYPED_DATA_SECTION)
            parts = []
            request = self.present_testid(S.TYPED_DATA_REQUEST_SECTION)
            if request is not None:
                parts.append(self.text_of(request))
            parts.append(self.text_of(section))
            text = " ".join(parts)
        return DisplayedSignature(method=method, origin=self._origin(), text=_collapse(text))

    def approve(self) -> None:
        self.click_approve(S.CONFIRM_FOOTER_OK)

    def reject(self) -> None:
        self.click_reject(S.CONFIRM_FOOTER_CANCEL)


def abbreviation_matches(shown: str, full: str) -> bool:
    """True when MetaMask's abbreviation ("0x70997...c79C8") is a prefix...suffix of `full`."""
    match = re.fullmatch(r"(0x[0-9a-fA-F]{2,})(?:\.\.\.|…)([0-9a-fA-F]{2,})", shown.strip())
    if not match:
        return shown.strip().lower() == full.lower()
    return full.lower().startswith(match.group(1).lower()) and full.lower().endswith(match.group(2).lower())


class TransactionPage(SignaturePage):
    def _full_recipient(self, shown: str) -> str | None:
        """Open the recipient's name details to read the full address; None when unavailable."""
        name = self.visible(By.CSS_SELECTOR, S.RECIPIENT_NAME_CSS)
        if name is None:
            return None
        try:
            self.driver.execute_script("arguments[0].click();", name)
            field = self.wait_for(
                "name details", lambda: self.visible(By.CSS_SELECTOR, S.NAME_DETAILS_ADDRESS_CSS), timeout=3
            )
            value = str(field.get_attribute("value") or "").strip()
        except MetaMaskUIError:
            return None
        finally:
            close = self.visible(By.CSS_SELECTOR, S.NAME_DETAILS_CLOSE_CSS)
            if close is not None:
                self.click(close)
                with contextlib.suppress(MetaMaskUIError):
                    self.wait_for(
                        "name details closed",
                        lambda: self.visible(By.CSS_SELECTOR, S.NAME_DETAILS_ADDRESS_CSS) is None,
                        timeout=3,
                    )
        if re.fullmatch(S.ADDRESS_RE, value) and abbreviation_matches(shown, value):
            return value
        return None

    def read_transaction(self) -> DisplayedTransaction:
        self.wait_enabled_testid(S.CONFIRM_FOOTER_OK)
        self.wait_for(
            "transaction rows",
            lambda: self.row_value(S.ROW_LABEL_REQUEST_FROM) is not None
            or self.present_testid(S.RECIPIENT) is not None,
        )
        to = ""
        recipient = self.present_testid(S.RECIPIENT)
        if recipient is not None:
            full = re.search(S.ADDRESS_RE, str(self.driver.execute_script(_ADDR_ATTR_JS, recipient)))
            to = full.group(0) if full else self.text_of(recipient)
            if to and not re.fullmatch(S.ADDRESS_RE, to):
                to = self._full_recipient(to) or to
        if not to:
            to = _collapse(self.row_value(S.ROW_LABEL_TO) or "")
        value_text = ""
        amount = self.visible(By.XPATH, S.TX_AMOUNT_XPATH)
        if amount is not None:
            value_text = self.text_of(amount)
        return DisplayedTransaction(
            origin=self._origin(), to=to, value_text=value_text, raw_text=self.body_text()
        )


class AddNetworkPage(ApprovalPage):
    def read(self) -> DisplayedNetwork:
        self.wait_enabled_testid(S.CONFIRMATION_SUBMIT)
        origin_el = self.present_testid(S.ORIGIN_PILL_TEXT)
        origin = self.text_of(origin_el) if origin_el is not None else ""
        heading = self.visible(By.XPATH, S.ADD_NETWORK_TITLE_XPATH)
        name = self.text_of(heading) if heading is not None else ""
        name = name[len("Add ") :] if name.startswith("Add ") else name
        # The chain id is behind "See details"; open it so it can be checked too.
        details = self.visible(By.XPATH, S.SEE_DETAILS_XPATH)
        if details is not None:
            with contextlib.suppress(Exception):
                self.click(details)
                self.wait_for("network details", lambda: self._pairs().get(S.DT_CHAIN_ID.lower()), timeout=3)
        pairs = self._pairs()
        return DisplayedNetwork(
            origin=origin,
            name=name,
            chain_id=pairs.get(S.DT_CHAIN_ID.lower(), ""),
            rpc_url=pairs.get(S.DT_NETWORK_URL.lower(), ""),
            raw_text=self.body_text(),
        )

    def _pairs(self) -> dict[str, str]:
        raw: list[Any] = self.driver.execute_script(_DT_DD_JS)
        return {str(k).strip().lower(): str(v).strip() for k, v in raw}

    def approve(self) -> None:
        self.click_approve(S.CONFIRMATION_SUBMIT)

    def reject(self) -> None:
        self.click_reject(S.CONFIRMATION_CANCEL)
