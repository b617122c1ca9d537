"""Fire EIP-1193 requests on a page without blocking, so approvals can be clicked meanwhile: on the driver's
channel (automation/channel.py) for the service's requests, on the dApp's own page for what acts as the page.

Each request's promise outcome is stored in a window-level map keyed by a request id and polled from Python.
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from selenium.webdriver.remote.webdriver import WebDriver

from automation.errors import AutomationTimeout, ProviderError, RequestRejected
from automation.models import RpcParams
from automation.polling import wait_until

_FIRE_JS = """
const [id, method, params] = arguments;
window.__walletRequests = window.__walletRequests || {};
window.__walletRequests[id] = {state: 'pending'};
const store = (outcome) => { window.__walletRequests[id] = outcome; };
if (!window.ethereum) {
  store({state: 'error', code: null, message: 'no window.ethereum'});
  return;
}
window.ethereum.request({method, params}).then(
  (value) => store({state: 'ok', value: JSON.stringify(value === undefined ? null : value)}),
  (err) => store({state: 'error', code: (err && typeof err.code === 'number') ? err.code : null,
                  message: String((err && err.message) || err)}));
"""
_POLL_JS = "const r = (window.__walletRequests || {})[arguments[0]]; return r ? r : null;"
_ids = itertools.count(1)
USER_REJECTED = 4001


class DappPage:
    """A window of the dApp's origin (the dApp's own, or the driver's channel); each call first switches to
    ``handle``."""

    def __init__(self, driver: WebDriver, handle: str, url: str) -> None:
        self.driver = driver
        self.handle = handle
        self.url = url

    def focus(self) -> None:
        if self.driver.current_window_handle != self.handle:
            self.driver.switch_to.window(self.handle)

    def wait_provider(self, timeout: float) -> None:
        self.focus()
        wait_until(
            "window.ethereum on the page",
            lambda: self.driver.execute_script("return !!window.ethereum;"),
            timeout,
            interval=0.1,
            error=lambda what: AutomationTimeout(f"timed out waiting for {what}"),
        )

    def fire(self, method: str, params: RpcParams | None = None) -> str:
        self.focus()
        request_id = f"r{next(_ids)}-{time.monotonic_ns()}"
        self.driver.execute_script(_FIRE_JS, request_id, method, params or [])
        return request_id

    def poll(self, request_id: str) -> dict[str, Any] | None:
        """None while pending; else the raw outcome dict."""
        self.focus()
        outcome = self.driver.execute_script(_POLL_JS, request_id)
        if not outcome or outcome.get("state") == "pending":
            return None
        return dict(outcome)

    @staticmethod
    def unwrap(method: str, outcome: dict[str, Any]) -> Any:
        if outcome["state"] == "ok":
            return json.loads(outcome["value"])
        code = outcome.get("code")
        message = str(outcome.get("message", ""))[:300]
        if code == USER_REJECTED:
            raise RequestRejected(f"{method}: user rejected the request")
        raise ProviderError(f"{method} failed: {message}", code=code)

    def wait(self, method: str, request_id: str, timeout: float, *, interval: float = 0.1) -> Any:
        outcome = wait_until(
            method,
            lambda: self.poll(request_id),
            timeout,
            interval=interval,
            error=lambda _what: AutomationTimeout(f"{method} did not resolve within {timeout:.0f}s"),
        )
        return self.unwrap(method, outcome)

    def call(self, method: str, params: RpcParams | None = None, timeout: float = 30.0) -> Any:
        """A request that needs no approval (eth_chainId, eth_accounts, receipts): answered within
        milliseconds, so polled often (a poll is one script in a window already in front)."""
        return self.wait(method, self.fire(method, params), timeout, interval=0.02)
