"""MetaMask's own speed on a build: each request approved by the shortest click-through its UI allows.

The floor beside the driver's figures in ``driver_actions.py``. The same request is fired on the same dApp
page and approved in the same tab of the same warm browser, but with nothing of the driver in between: no
screen recognition, no reading, no check, no look for requests left pending. It clicks the first enabled
approve button on a route it has not clicked yet, reading the tab every 10 ms, and stops once the dApp has
its result. What the driver costs on a build is its time minus this one: how long MetaMask takes to show a
screen and to answer after the click is in both, so a build that renders slower raises both figures. The
driver also waits for a screen's rows before reading and for the screen to leave after Confirm (it must see
what is queued behind it); the bare run does neither.

It approves whatever shows, unread: a bench on a throw-away profile and chain, never a pattern for a caller.
"""

from __future__ import annotations

import time
from typing import Any

from automation import NetworkSpec, TxRequest, WalletBrowser, requests
from automation.dapp import DappPage
from automation.polling import wait_until
from automation.requests import DappRequest

# Every generation's approve buttons: confirmations (redesign), add network (13.5), connect, permissions.
APPROVE_BUTTONS = (
    "confirm-footer-button",
    "confirmation-submit-button",
    "confirm-btn",
    "page-container-footer-next",
)
_TICK = 0.01  # seconds between reads of the approval tab
_DAPP_EVERY = 0.5  # seconds between reads of the dApp until something was clicked (two tab switches each)

# The route and the first approve button that is visible and enabled, or null.
_ENABLED_APPROVE_JS = """
(ids) => {
  for (const id of ids) {
    const el = __mmsa.find('testid:' + id, true);
    if (el && !el.disabled) return [location.hash, id];
  }
  return null;
}
"""


def bare_request(wallet: WalletBrowser, request: DappRequest, timeout: float = 60.0) -> Any:
    """Fire ``request`` through the driver's channel (as the driver does) and click through whatever
    MetaMask shows until it resolves."""
    dapp, mm = wallet.channel, wallet.mm
    assert dapp is not None
    assert mm.notification_handle is not None
    request_id = dapp.fire(request.method, request.params)
    clicked: set[str] = set()
    next_dapp_read = next_follow = 0.0

    def step() -> dict[str, Any] | None:
        nonlocal next_dapp_read, next_follow
        if clicked or time.monotonic() >= next_dapp_read:
            next_dapp_read = time.monotonic() + _DAPP_EVERY
            outcome = dapp.poll(request_id)
            if outcome is not None:
                return outcome
        mm.focus(mm.notification_handle)
        if not clicked and time.monotonic() >= next_follow:
            next_follow = time.monotonic() + _DAPP_EVERY
            mm.follow_approvals_elsewhere()  # where the build shows approvals (a side panel), as the driver
        found = mm.dom.call(_ENABLED_APPROVE_JS, list(APPROVE_BUTTONS))
        if found and found[0] not in clicked and mm.dom.click("testid:" + found[1]):
            clicked.add(found[0])
        return None

    return DappPage.unwrap(
        request.method, wait_until(f"{request.method} (bare)", step, timeout, interval=_TICK)
    )


def bare_ensure_network(wallet: WalletBrowser, network: NetworkSpec) -> None:
    """As ``WalletBrowser.ensure_network``: add the chain, switch if adding did not, wait until selected."""
    if wallet.chain_id() == network.chain_id:
        return
    bare_request(wallet, requests.add_chain(network))
    if wallet.chain_id() != network.chain_id:
        bare_request(wallet, requests.switch_chain(network.chain_id))
    wait_until(f"chain {network.chain_id}", lambda: wallet.chain_id() == network.chain_id, 10, interval=0.2)


def bare_transfer(wallet: WalletBrowser, sender: str, recipient: str) -> None:
    tx_hash = bare_request(
        wallet, requests.send_transaction(TxRequest(to=recipient, value_wei=10**15), sender)
    )
    wallet.wait_for_receipt(str(tx_hash), timeout=60)
