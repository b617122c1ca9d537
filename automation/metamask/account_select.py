"""Selecting an account in MetaMask: found in its account list, or brought in first (the phrase's next
accounts added, or a private key imported) when the list lacks it. A selection counts only once home shows
that account's address: the list's names and abbreviations only decide what to try first."""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

from automation.errors import MetaMaskUIError
from automation.metamask.pages.accounts import AccountList, Entry, open_account_list
from automation.metamask.pages.home import HomePage

if TYPE_CHECKING:
    from automation.metamask.driver import MetaMaskDriver

logger = logging.getLogger("automation.metamask")
_LOG = {"component": "browser_controller"}


def select_account(
    mm: MetaMaskDriver, address: str, *, hd_index: int | None = None, private_key: str | None = None
) -> list[str]:
    """Selects ``address`` (checksummed) in MetaMask; returns what it did besides selecting ("imported",
    "added" per account added). ``hd_index``: its index under the wallet's phrase, for an account MetaMask
    may not hold yet; ``private_key``: an imported one's key (typed into MetaMask's import form only)."""
    mm.show_wallet_home()
    home = mm.page(HomePage)
    before = home.read_address()
    if before == address:
        return []
    done: list[str] = []
    tried: dict[int, str] = {}  # entry index -> the address home showed once it was selected
    listing = open_account_list(home)
    # 1. the entries that name it (13.5 abbreviates every address; 13.36 names imported ones in their test
    # ids), or hold the phrase's account of that index (13.36's cell ids end in "/<index>")
    hinted = [i for i, e in enumerate(listing.entries()) if e.names(address) or _holds_index(e, hd_index)]
    for index in hinted:
        if _try(mm, index, address, tried, before=before):
            return done
    # 2. brought in: imported (MetaMask selects it), or the phrase's next accounts added one at a time
    if private_key is not None:
        open_account_list(home).import_key(private_key)
        done.append("imported")
        mm.show_wallet_home()
        if home.read_address() == address:
            return done
    elif hd_index is not None:
        # Not listed, so MetaMask lacks it: each add makes the phrase's next account, and the one wanted
        # comes within hd_index adds (counting the entries would not tell: imported ones are listed too).
        for _ in range(max(1, hd_index)):
            listing = open_account_list(home)
            listed = listing.entries()
            listing.add_derived()
            done.append("added")
            if _try(mm, _newest(listed, listing.entries()), address, tried, before=before, listing=listing):
                return done
    # 3. every other entry, read in turn (13.36 names none of the phrase's accounts)
    for index in range(len(open_account_list(home).entries())):
        if index not in tried and _try(mm, index, address, tried, before=before):
            return done
    # Not found: the selection goes back to where it was, so what MetaMask shows stays the session's account.
    back = next((index for index, shown in tried.items() if shown == before), None)
    if back is not None:
        _try(mm, back, before, tried, before=before)
    raise MetaMaskUIError(f"MetaMask holds no account {address} (read {len(tried)} of its accounts)")


def _holds_index(entry: Entry, hd_index: int | None) -> bool:
    return (
        hd_index is not None
        and entry.key.startswith("multichain-account-cell-entropy:")
        and entry.key.endswith(f"/{hd_index}")
    )


def _newest(before: list[Entry], after: list[Entry]) -> int:
    """Where the account just added is: the first position whose entry changed (13.36 lists the phrase's
    accounts before imported ones), else the end (13.5 appends)."""
    for index, (old, new) in enumerate(zip(before, after, strict=False)):
        if old.key != new.key:
            return index
    return len(after) - 1


def _try(
    mm: MetaMaskDriver,
    index: int,
    address: str,
    tried: dict[int, str],
    *,
    before: str,
    listing: AccountList | None = None,
) -> bool:
    """Selects the ``index``-th entry (of ``listing``, or of the list opened anew) and tells whether home
    then shows ``address``."""
    home = mm.page(HomePage)
    listing = listing or open_account_list(home)
    previous = next(reversed(tried.values()), before)  # what home showed last: the last selection's account
    listing.select(index)
    home.wait_ready()
    shown = home.read_address()
    if shown == previous:
        # 13.36 can still show the last selection's address right after a click (seen 2026-12-04: entry 0
        # read as the account selected before it, then read as itself when selected again): read again
        # until it changes, briefly (an entry that is that same account keeps it).
        with contextlib.suppress(MetaMaskUIError):
            shown = home.wait_for(
                "home to show the selection", lambda: _other(home.read_address(), previous), timeout=3
            )
    tried[index] = shown
    logger.info("account entry %d selected: %s", index, shown, extra=_LOG)
    return shown == address


def _other(shown: str, previous: str) -> str | None:
    return shown if shown != previous else None
