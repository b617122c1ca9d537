"""Shared helpers for MetaMask page objects: waiting for data-testid elements and clicking them robustly."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import TypeVar

from selenium.common.exceptions import (
    ElementClickInterceptedException,
    ElementNotInteractableException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement

from automation.errors import MetaMaskUIError

T = TypeVar("T")


def css_testid(testid: str) -> str:
    return f'[data-testid="{testid}"]'


class BasePage:
    def __init__(self, driver: WebDriver, timeout: float) -> None:
        self.driver = driver
        self.timeout = timeout

    # ---- waiting ------------------------------------------------------------------------------------------
    def wait_for(self, what: str, probe: Callable[[], T | None], timeout: float | None = None) -> T:
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            with contextlib.suppress(StaleElementReferenceException):
                found = probe()
                if found:
                    return found
            if time.monotonic() > deadline:
                raise MetaMaskUIError(f"timed out waiting for {what}")
            time.sleep(0.15)

    def visible(self, by: str, value: str) -> WebElement | None:
        for el in self.driver.find_elements(by, value):
            with contextlib.suppress(StaleElementReferenceException):
                if el.is_displayed():
                    return el
        return None

    def visible_testid(self, testid: str) -> WebElement | None:
        return self.visible(By.CSS_SELECTOR, css_testid(testid))

    def present_testid(self, testid: str) -> WebElement | None:
        found = self.driver.find_elements(By.CSS_SELECTOR, css_testid(testid))
        return found[0] if found else None

    def wait_testid(self, testid: str, timeout: float | None = None) -> WebElement:
        return self.wait_for(f"[data-testid={testid}]", lambda: self.visible_testid(testid), timeout)

    def wait_enabled_testid(self, testid: str, timeout: float | None = None) -> WebElement:
        def probe() -> WebElement | None:
            el = self.visible_testid(testid)
            if el is not None and el.is_enabled() and el.get_attribute("disabled") is None:
                return el
            return None

        return self.wait_for(f"enabled [data-testid={testid}]", probe, timeout)

    def route(self) -> str:
        url = str(self.driver.current_url)
        return url[url.index("#") :] if "#" in url else ""

    def wait_route(self, predicate: Callable[[str], bool], what: str, timeout: float | None = None) -> str:
        def probe() -> str | None:
            current = self.route()
            return current if predicate(current) else None

        return self.wait_for(f"route {what}", probe, timeout)

    # ---- acting -------------------------------------------------------------------------------------------
    def click(self, el: WebElement) -> None:
        """Native click; falls back to a JS click when MetaMask's loading overlay (or a toast) covers the
        element, which happens for 30 s+ offline while Mainnet is selected (metamask-13.5.md section 3)."""
        try:
            el.click()
        except (ElementClickInterceptedException, ElementNotInteractableException):
            self.driver.execute_script("arguments[0].click();", el)

    def click_testid(self, testid: str, timeout: float | None = None) -> None:
        self.click(self.wait_enabled_testid(testid, timeout))

    def try_click_testid(self, testid: str) -> bool:
        el = self.visible_testid(testid)
        if el is None or not el.is_enabled():
            return False
        try:
            self.click(el)
        except (StaleElementReferenceException, WebDriverException):
            return False
        return True

    def fill(self, el: WebElement, value: str) -> None:
        el.clear()
        el.send_keys(value)

    def text_of(self, el: WebElement) -> str:
        return " ".join(str(self.driver.execute_script("return arguments[0].innerText || '';", el)).split())
