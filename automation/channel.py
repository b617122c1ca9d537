"""The service's own request channel to MetaMask: a page of the dApp's origin that no dApp code runs in.

MetaMask keeps permissions and the selected network per origin, so requests must come from the dApp's origin;
sent from the dApp's own page, they pass through its ``window.ethereum``, which the page can replace, rewrite
or answer itself (docs/metamask.md section 6). So the driver opens a window of its own at a path of that
origin and answers the navigation itself (CDP ``Fetch``): the dApp's server is never asked, the document is an
empty page of ours with a CSP that loads nothing, and the only script in it besides ours is MetaMask's
provider. A dApp page cannot reach that window (it has no opener and no name), and a service worker of the
origin is bypassed while it loads. Requests and results go through ``ChannelPage`` on this window.

The channel also keeps MetaMask's ``chainChanged`` events for the origin: a page of the same origin can
switch its network without any approval (to a chain the origin is already permitted), and a signature or
transaction is made for the network selected when it is asked. The driver refuses a signature or transaction
if an event between firing and approving names another chain than the one it was asked on (an event for
that same chain is a late echo of an earlier switch: MetaMask sends it after answering eth_chainId).
"""

from __future__ import annotations

import base64
import secrets
from urllib.parse import urlsplit

from selenium.webdriver.remote.webdriver import WebDriver

from automation.cdp import CdpSession, debugger_address
from automation.dapp import DappPage
from automation.errors import MetaMaskUIError

CHANNEL_PATH = "/.well-known/metamask-service-channel/"
CHANNEL_TITLE = "metamask-service channel"
_HTML = f'<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>{CHANNEL_TITLE}</title>'
_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    # Extension content scripts (MetaMask's provider) are not subject to the page's CSP; nothing else runs.
    "Content-Security-Policy": "default-src 'none'; img-src data:",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise MetaMaskUIError(f"the dApp URL must be http(s) with a host: {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


_COUNT_CHAIN_CHANGES_JS = """
window.__chainEvents = [];
window.ethereum.on('chainChanged', (id) => { window.__chainEvents.push(String(id)); });
"""


class ChannelPage(DappPage):
    def chain_events(self) -> list[int]:
        """The chain ids of every ``chainChanged`` MetaMask sent this origin since the channel opened."""
        self.focus()
        return [int(str(i), 16) for i in self.driver.execute_script("return window.__chainEvents;")]


def open_channel(driver: WebDriver, dapp_url: str, *, timeout: float) -> ChannelPage:
    """A new window on our own page of ``dapp_url``'s origin, with MetaMask's provider in it."""
    url = origin_of(dapp_url) + CHANNEL_PATH + secrets.token_hex(8)
    # A window of its own, like the dApp's: a tab beside another page would hide that page on every switch.
    driver.switch_to.new_window("window")
    handle = driver.current_window_handle
    with CdpSession(debugger_address(driver.capabilities), handle, timeout=timeout) as cdp:
        cdp.send("Network.setBypassServiceWorker", {"bypass": True})
        cdp.send("Fetch.enable", {"patterns": [{"urlPattern": url, "requestStage": "Request"}]})
        navigation = cdp.post("Page.navigate", {"url": url})  # answered once the paused request is fulfilled
        paused = cdp.event("Fetch.requestPaused")
        if paused["request"]["url"] != url:
            failed = {"requestId": paused["requestId"], "errorReason": "BlockedByClient"}
            cdp.send("Fetch.failRequest", failed)
            raise MetaMaskUIError(f"the channel's navigation was not ours: {paused['request']['url'][:200]}")
        cdp.send(
            "Fetch.fulfillRequest",
            {
                "requestId": paused["requestId"],
                "responseCode": 200,
                "responseHeaders": [{"name": k, "value": v} for k, v in _HEADERS.items()],
                "body": base64.b64encode(_HTML.encode()).decode(),
            },
        )
        cdp.reply(navigation, "Page.navigate")
        cdp.send("Fetch.disable")
    channel = ChannelPage(driver, handle, url)
    channel.wait_provider(timeout)
    if driver.execute_script("return document.title;") != CHANNEL_TITLE:
        raise MetaMaskUIError("the channel window does not show the channel's own page")
    driver.execute_script(_COUNT_CHAIN_CHANGES_JS)
    return channel
