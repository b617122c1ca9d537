"""Plain-Selenium harness for checking the reference wallet screen by screen (no driver code involved).

It drives the same hooks the automation driver uses (metamask-13.5.md sections 2-6), so a wallet change that
breaks the contract fails here first.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DIST = HERE / "dist"
FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
    "--window-size=1280,900", "--screen-info={1920x1080}",
)
PASTE_JS = """
const dt = new DataTransfer(); dt.setData('text/plain', arguments[1]);
arguments[0].dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true}));
"""
REQUEST_JS = """
window.__r = null;
window.ethereum.request({method: arguments[0], params: arguments[1] || undefined}).then(
  (r) => { window.__r = {ok: r}; }, (e) => { window.__r = {err: {code: e.code, message: e.message}}; });
"""


def build_wallet() -> Path:
    subprocess.run(["node", str(HERE / "build.mjs")], check=True, cwd=REPO, capture_output=True, timeout=120)
    return DIST


class Wallet:
    def __init__(self, profile_dir: Path, extension_dir: Path = DIST) -> None:
        self.profile_dir = profile_dir
        self.extension_dir = extension_dir
        self.driver: webdriver.Chrome | None = None
        self.ext_id = ""
        self.handles: dict[str, str] = {}

    # ---- browser ------------------------------------------------------------------------------------------
    def start(self) -> float:
        """Start Chromium; return seconds until the wallet's own home.html tab appeared (it is closed)."""
        opts = Options()
        opts.binary_location = "/usr/bin/chromium"
        for flag in (*FLAGS, f"--load-extension={self.extension_dir}", f"--user-data-dir={self.profile_dir}"):
            opts.add_argument(flag)
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
        t0 = time.monotonic()
        self.ext_id = self.until(lambda: next((
            t["url"].split("/")[2] for t in self.targets()
            if t["type"] == "service_worker" and t["url"].startswith("chrome-extension://")), None), 30)
        home_tab = self.until(lambda: next((
            t for t in self.targets() if t["type"] == "page" and "/home.html" in t["url"]), None), 20)
        waited = time.monotonic() - t0
        self.driver.execute_cdp_cmd("Target.closeTarget", {"targetId": home_tab["targetId"]})
        self.handles = {"main": self.driver.current_window_handle}
        return waited

    def quit(self) -> None:
        if self.driver is not None:
            with contextlib.suppress(Exception):
                self.driver.quit()
            self.driver = None

    def targets(self) -> list[dict[str, Any]]:
        assert self.driver is not None
        return list(self.driver.execute_cdp_cmd("Target.getTargets", {})["targetInfos"])

    @property
    def d(self) -> webdriver.Chrome:
        assert self.driver is not None
        return self.driver

    def url(self, page: str) -> str:
        return f"chrome-extension://{self.ext_id}/{page}"

    def tab(self, name: str, url: str | None = None) -> None:
        if name not in self.handles:
            self.d.switch_to.new_window("tab")
            self.handles[name] = self.d.current_window_handle
        else:
            self.d.switch_to.window(self.handles[name])
        if url is not None:
            self.d.get(url)

    # ---- waiting / DOM ------------------------------------------------------------------------------------
    @staticmethod
    def until(probe: Any, timeout: float = 15.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(StaleElementReferenceException):
                value = probe()
                if value:
                    return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out after {timeout}s")
            time.sleep(0.1)

    def find(self, testid: str) -> WebElement | None:
        elements = self.d.find_elements(By.CSS_SELECTOR, f'[data-testid="{testid}"]')
        found = [e for e in elements if e.is_displayed()]
        return found[0] if found else None

    def wait(self, testid: str, timeout: float = 15.0) -> WebElement:
        return self.until(lambda: self.find(testid), timeout)

    def click(self, testid: str, timeout: float = 15.0) -> None:
        el = self.until(lambda: (e := self.find(testid)) is not None and e.is_enabled() and e, timeout)
        el.click()

    def route(self) -> str:
        url = self.d.current_url
        return url[url.index("#"):] if "#" in url else ""

    def wait_route(self, prefix: str, timeout: float = 15.0) -> str:
        return self.until(lambda: (r := self.route()).startswith(prefix) and r, timeout)

    def text(self, el: WebElement) -> str:
        return " ".join(str(self.d.execute_script("return arguments[0].innerText", el)).split())

    # ---- flows --------------------------------------------------------------------------------------------
    def paste_phrase(self, phrase: str) -> None:
        self.d.execute_script(PASTE_JS, self.wait("srp-input-import__srp-note"), phrase)

    def request(self, method: str, params: list[Any] | None = None) -> None:
        self.tab("dapp")
        self.d.execute_script(REQUEST_JS, method, params)

    def result(self, timeout: float = 30.0) -> dict[str, Any]:
        self.tab("dapp")
        return dict(self.until(lambda: self.d.execute_script("return window.__r"), timeout))

    def call(self, method: str, params: list[Any] | None = None, timeout: float = 30.0) -> dict[str, Any]:
        self.request(method, params)
        return self.result(timeout)

    def in_notification(self) -> None:
        self.tab("notification")

    def json(self, js: str) -> Any:
        return json.loads(self.d.execute_script(f"return JSON.stringify({js})"))


def remove_profile(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
