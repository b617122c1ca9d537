"""loopback_only: the browser resolves no host name but loopback, so nothing it loads leaves the machine.

The proof uses this machine's own host name, which the OS resolves to a loopback address (/etc/hosts): a
browser without the rule loads the dApp server through it, one with the rule refuses the name before any
lookup, while 127.0.0.1 and localhost still load.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from selenium.common.exceptions import WebDriverException

from automation import BrowserConfig
from automation.browser import Browser
from metamask_service.devstack import StaticServer
from tests.support.browser_fixtures import browser_config, extension_path  # noqa: F401
from tests.support.chain_fixtures import dapp_server  # noqa: F401

pytestmark = pytest.mark.browser


@contextmanager
def _browser(config: BrowserConfig, name: str) -> Iterator[Browser]:
    browser = Browser(config, name)
    try:
        browser.launch()
        yield browser
    finally:
        browser.close()


def _load_error(browser: Browser, url: str) -> str:
    """Chromium's error for loading ``url`` ("" when it loaded); chromedriver raises some of them."""
    assert browser.driver is not None
    try:
        reply = browser.driver.execute_cdp_cmd("Page.navigate", {"url": url})
    except WebDriverException as exc:
        return str(exc.msg or "").removeprefix("unknown error: ").splitlines()[0].strip()
    return str(reply.get("errorText", ""))


def test_a_loopback_only_browser_resolves_no_name_but_loopback(
    browser_config: BrowserConfig,  # noqa: F811
    dapp_server: StaticServer,  # noqa: F811
) -> None:
    host = socket.gethostname()
    assert ipaddress.ip_address(socket.gethostbyname(host)).is_loopback, (
        f"this test needs a host name the OS resolves to loopback; {host} does not"
    )
    port = urlsplit(dapp_server.url).port
    by_name = f"http://{host}:{port}/"

    with _browser(dataclasses.replace(browser_config, loopback_only=False), "resolving") as browser:
        assert _load_error(browser, by_name) == ""  # the control: the name works without the rule

    assert browser_config.loopback_only, "the driver suite runs loopback-only"
    with _browser(browser_config, "loopback-only") as browser:
        assert _load_error(browser, by_name) == "net::ERR_NAME_NOT_RESOLVED"
        assert _load_error(browser, f"http://127.0.0.1:{port}/") == ""
        assert _load_error(browser, f"http://localhost:{port}/") == ""
