"""Shared helpers for MetaMask page objects. Every read and click goes through ``IsolatedDom``
(automation/dom.py): no page object touches chromedriver's element API, which LavaMoat's scuttling breaks on
official builds."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from automation.dom import IsolatedDom
from automation.polling import wait_until

T = TypeVar("T")


def tid(testid: str) -> str:
    """Locator of a data-testid."""
    return f"testid:{testid}"


def normalize_route(hash_part: str) -> str:
    """MetaMask 13.5 routes look like ``#onboarding/welcome``, later builds (react-router 6) like
    ``#/onboarding/welcome``: compare routes in the first form. No route at all (``location.hash`` is empty
    for a bare ``page.html#``) is ``#``, so a route is never an empty, falsy string to a wait."""
    if hash_part.startswith("#/"):
        return "#" + hash_part[2:]
    return hash_part or "#"


class BasePage:
    def __init__(self, dom: IsolatedDom, timeout: float) -> None:
        self.dom = dom
        self.timeout = timeout

    # ---- waiting ------------------------------------------------------------------------------------------
    def wait_for(self, what: str, probe: Callable[[], T | None], timeout: float | None = None) -> T:
        return wait_until(what, probe, self.timeout if timeout is None else timeout)

    def visible_testid(self, testid: str) -> bool:
        return self.dom.is_visible(tid(testid))

    def present_testid(self, testid: str) -> bool:
        return self.dom.exists(tid(testid))

    def wait_testid(self, testid: str, timeout: float | None = None) -> None:
        self.wait_for(f"[data-testid={testid}]", lambda: self.visible_testid(testid), timeout)

    def wait_enabled_testid(self, testid: str, timeout: float | None = None) -> None:
        self.wait_for(f"enabled [data-testid={testid}]", lambda: self.dom.is_enabled(tid(testid)), timeout)

    def route(self) -> str:
        return normalize_route(self.dom.route())

    def wait_route(self, predicate: Callable[[str], bool], what: str, timeout: float | None = None) -> str:
        def probe() -> str | None:
            current = self.route()
            return current if predicate(current) else None

        return self.wait_for(f"route {what}", probe, timeout)

    # ---- acting -------------------------------------------------------------------------------------------
    def click_testid(self, testid: str, timeout: float | None = None) -> None:
        self.wait_enabled_testid(testid, timeout)
        self.wait_for(f"click on [data-testid={testid}]", lambda: self.dom.click(tid(testid)), timeout=5)

    def try_click_testid(self, testid: str) -> bool:
        """Click when visible and enabled right now; False otherwise."""
        return self.dom.is_enabled(tid(testid)) and self.dom.click(tid(testid))

    def fill_testid(self, testid: str, value: str) -> None:
        self.wait_testid(testid)
        self.dom.type_text(tid(testid), value)

    def text_of(self, locator: str) -> str:
        return self.dom.text(locator) or ""
