"""The account list, in the two UI generations side by side: 13.5's popover over home (legacy) and 13.36's
page of its own (redesign). Both list the wallet's accounts, select one, add the phrase's next account and
import one from a private key. Which generation a build has is told by what opens on the account picker.

Nothing here trusts the list for an address: the driver confirms every selection by reading the selected
account's address from home (HomePage.read_address).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from automation.errors import MetaMaskUIError
from automation.metamask.pages.base import BasePage, tid
from automation.metamask.selectors import base as S
from automation.metamask.selectors import legacy as L
from automation.metamask.selectors import redesign as R

_ENTRIES_JS = """
(css) => [...document.querySelectorAll(css)].filter(__mmsa.visible).map((e) => ({
  key: e.getAttribute('data-testid') || '', text: __mmsa.collapse(e.innerText),
}))
"""
_ENTRY_AT_JS = "(css, i) => [...document.querySelectorAll(css)].filter(__mmsa.visible)[i] || null"
_ABBREVIATED = re.compile(r"0x([0-9a-fA-F]{3,})(?:\.\.\.|…)([0-9a-fA-F]{3,})")
_KEY_FIELD = f"css:{S.PRIVATE_KEY_INPUT_CSS}"
_ERROR_TEXT = f"css:{S.IMPORT_ACCOUNT_ERROR_CSS}"


@dataclass(frozen=True)
class Entry:
    """One account as the list shows it: its test id and its text (name, balance, maybe an address)."""

    key: str
    text: str

    def names(self, address: str) -> bool:
        """Whether the entry shows ``address`` (checksummed): in full or lower case in its test id (13.36's
        imported accounts), or as MetaMask's abbreviation "0x70997...c79C8" (13.5)."""
        if address.lower() in f"{self.key} {self.text}".lower():
            return True
        return any(
            address[2:].startswith(m.group(1)) and address.endswith(m.group(2))
            for m in _ABBREVIATED.finditer(self.text)
        )


class AccountList(BasePage):
    """What both generations offer; ``ENTRY_CSS`` finds one element per account."""

    ENTRY_CSS: str

    def entries(self) -> list[Entry]:
        return [Entry(str(e["key"]), str(e["text"])) for e in self.dom.call(_ENTRIES_JS, self.ENTRY_CSS)]

    def select(self, index: int) -> None:
        """Clicks the ``index``-th entry (MetaMask then shows home with that account selected)."""
        if not self.dom.click_found(_ENTRY_AT_JS, self.ENTRY_CSS, index):
            raise MetaMaskUIError(f"no account entry {index} in MetaMask's account list")

    def add_derived(self) -> None:
        """Adds the phrase's next account; returns once the list (or home) shows it."""
        raise NotImplementedError

    def import_key(self, private_key: str) -> None:
        """Imports an account from ``private_key``; MetaMask selects it. Returns once the form is gone."""
        raise NotImplementedError

    def _submit_key(self, private_key: str) -> None:
        self.wait_for("the private key field", lambda: self.dom.is_visible(_KEY_FIELD))
        self.dom.type_text(_KEY_FIELD, private_key)
        self.click_testid(S.IMPORT_ACCOUNT_CONFIRM)

        def left() -> bool | None:
            if not self.visible_testid(S.IMPORT_ACCOUNT_CONFIRM):
                return True
            if self.dom.is_visible(_ERROR_TEXT):
                # MetaMask's own words (invalid key, a duplicate): they never repeat the key.
                raise MetaMaskUIError(f"MetaMask refused the key: {self.text_of(_ERROR_TEXT)[:200]}")
            return None

        self.wait_for("the imported account", left)


class PopoverAccountList(AccountList):
    """13.5: a popover over home."""

    ENTRY_CSS = f'[data-testid="{L.ACCOUNT_ITEM}"]'

    def add_derived(self) -> None:
        before = len(self.entries())
        self.click_testid(L.ACCOUNT_ACTIONS)
        self.click_testid(L.ADD_ACCOUNT)
        # The name is filled in a moment after the form shows; "Add account" is enabled once it is.
        self.click_testid(L.ADD_ACCOUNT_SUBMIT)
        self.wait_for("the form to close", lambda: not self.visible_testid(L.ADD_ACCOUNT_SUBMIT))
        self.click_testid(S.ACCOUNT_PICKER)
        self.wait_for("the new account listed", lambda: len(self.entries()) > before)

    def import_key(self, private_key: str) -> None:
        self.click_testid(L.ACCOUNT_ACTIONS)
        self.click_testid(L.IMPORT_ACCOUNT)
        self._submit_key(private_key)


class AccountListPage(AccountList):
    """13.36: #/account-list, a page of its own."""

    ENTRY_CSS = R.ACCOUNT_CELL_CSS

    def add_derived(self) -> None:
        before = len(self.entries())
        self.click_testid(R.ADD_ACCOUNT)
        self.wait_for("the new account listed", lambda: len(self.entries()) > before)

    def import_key(self, private_key: str) -> None:
        self.click_testid(R.ADD_WALLET)
        self.click_testid(R.IMPORT_ACCOUNT)
        self._submit_key(private_key)


def open_account_list(page: BasePage) -> AccountList:
    """The account list as the generation it shows: the one open already, or opened from home's picker."""

    def opened() -> type[AccountList] | None:
        shown = page.dom.first_visible(tid(L.ACCOUNT_ACTIONS), tid(R.ACCOUNT_LIST_SEARCH), tid(R.ADD_ACCOUNT))
        if shown is None:
            return None
        return PopoverAccountList if shown == tid(L.ACCOUNT_ACTIONS) else AccountListPage

    cls = opened()
    if cls is None:
        page.click_testid(S.ACCOUNT_PICKER)
        cls = page.wait_for("MetaMask's account list", opened)
    listing = cls(page.dom, page.timeout)
    listing.wait_for("an account listed", lambda: bool(listing.entries()))
    return listing
