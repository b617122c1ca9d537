"""The request channel's own pieces that need no browser (the browser parts run in test_driver.py)."""

from __future__ import annotations

import pytest

from automation.cdp import debugger_address
from automation.channel import CHANNEL_PATH, origin_of
from automation.errors import BrowserError, MetaMaskUIError


def test_the_devtools_address_must_be_on_loopback() -> None:
    assert (
        debugger_address({"goog:chromeOptions": {"debuggerAddress": "127.0.0.1:41235"}}) == "127.0.0.1:41235"
    )
    assert debugger_address({"goog:chromeOptions": {"debuggerAddress": "localhost:9222"}}) == "localhost:9222"
    for caps in (
        {},
        {"goog:chromeOptions": {}},
        {"goog:chromeOptions": {"debuggerAddress": "10.0.0.7:9222"}},
    ):
        with pytest.raises(BrowserError, match="not on loopback"):
            debugger_address(caps)


def test_the_channel_lives_at_the_dapps_origin_only_for_http_pages() -> None:
    assert origin_of("http://127.0.0.1:8080/app/#/swap?x=1") == "http://127.0.0.1:8080"
    assert origin_of("https://app.example.org/") == "https://app.example.org"
    assert CHANNEL_PATH.startswith("/.well-known/")
    for url in ("file:///tmp/dapp.html", "about:blank", "chrome-extension://abc/home.html", "http:///x"):
        with pytest.raises(MetaMaskUIError, match="http"):
            origin_of(url)
