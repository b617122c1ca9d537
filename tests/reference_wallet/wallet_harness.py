"""Plain-Selenium harness for checking the reference wallet screen by screen (no driver code involved).

It drives the same hooks the automation driver uses (docs/metamask.md sections 2-6), so a wallet change that
breaks the contract fails here first.

The wallet's own pages are scuttled like official MetaMask builds (docs/metamask.md section 9,
src/ui/scuttle.js): chromedriver's main-world atoms (find_element, is_displayed, click, send_keys...) throw
there. So the harness reads and drives extension pages only through a CDP isolated world (`IsolatedWorld`):
`Page.createIsolatedWorld` + `Runtime.evaluate`/`callFunctionOn` with its context, `Input.dispatchMouseEvent`
for clicks, `Input.insertText` for typing. dApp pages are not scuttled; `window.ethereum` lives in their main
world, so requests are sent there with `execute_script`.
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
from selenium.common.exceptions import (
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

from automation.config import DEFAULT_FLAGS
from tests.support.polling import until

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DIST = HERE / "dist"
FLAGS = DEFAULT_FLAGS  # the driver's own flags (headless, offline, --screen-info for popups)
REQUEST_JS = """
window.__r = null;
window.ethereum.request({method: arguments[0], params: arguments[1] || undefined}).then(
  (r) => { window.__r = {ok: r}; }, (e) => { window.__r = {err: {code: e.code, message: e.message}}; });
"""
# CDP errors meaning "the element or the page it lived in is gone": the caller looks again.
GONE = (
    "Could not find object with given id",
    "Cannot find context with specified id",
    "Execution context was destroyed",
    "Inspected target navigated or closed",
    "No node with given id",
)
STALE = "refwallet-harness: stale element"


def build_wallet() -> Path:
    subprocess.run(["node", str(HERE / "build.mjs")], check=True, cwd=REPO, capture_output=True, timeout=120)
    return DIST


class PageScriptError(Exception):
    """JavaScript evaluated in the isolated world threw."""


class IsolatedWorld:
    """The current tab's page, seen from a CDP isolated world of its main frame.

    An isolated world shares the page's DOM but has globals of its own, so the page's scuttling does not reach
    it. Chromium returns the same world (and context id) for the same name until the page navigates; a new
    document gets a new one, so the context is looked up for every call.
    """

    NAME = "refwallet-harness"

    def __init__(self, driver: webdriver.Chrome) -> None:
        self.d = driver

    def cdp(self, cmd: str, params: dict[str, Any]) -> dict[str, Any]:
        try:
            return dict(self.d.execute_cdp_cmd(cmd, params))
        except WebDriverException as exc:
            if any(marker in str(exc) for marker in GONE):
                raise StaleElementReferenceException(str(exc)) from exc
            raise

    def context_id(self) -> int:
        frame_id = self.cdp("Page.getFrameTree", {})["frameTree"]["frame"]["id"]
        world = self.cdp("Page.createIsolatedWorld", {"frameId": frame_id, "worldName": self.NAME})
        return int(world["executionContextId"])

    @staticmethod
    def _unwrap(reply: dict[str, Any]) -> dict[str, Any]:
        if "exceptionDetails" in reply:
            details = reply["exceptionDetails"]
            message = details.get("exception", {}).get("description") or details.get("text", "")
            if STALE in message:
                raise StaleElementReferenceException(message)
            raise PageScriptError(message)
        return dict(reply["result"])

    def evaluate(self, expression: str) -> Any:
        """Value of a JavaScript expression (JSON-serialisable; promises are awaited)."""
        reply = self.cdp(
            "Runtime.evaluate",
            {
                "expression": expression,
                "contextId": self.context_id(),
                "returnByValue": True,
                "awaitPromise": True,
            },
        )
        return self._unwrap(reply).get("value")

    def query(self, expression: str) -> El | None:
        """The element an expression evaluates to (None for null/undefined)."""
        reply = self.cdp("Runtime.evaluate", {"expression": expression, "contextId": self.context_id()})
        result = self._unwrap(reply)
        return El(self, result["objectId"]) if result.get("objectId") else None

    def css(self, selector: str) -> El | None:
        """First element matching a CSS selector that has a visible box."""
        return self.query(
            f"[...document.querySelectorAll({json.dumps(selector)})].find((e) => e.checkVisibility("
            "{visibilityProperty: true}))"
        )

    def xpath(self, expression: str) -> El | None:
        return self.query(
            f"document.evaluate({json.dumps(expression)}, document, null, "
            "XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue"
        )

    # ---- CDP input: trusted events, as a user's ------------------------------------------------------------
    def click_at(self, x: float, y: float) -> None:
        base = {"x": x, "y": y, "button": "left", "clickCount": 1}
        self.cdp("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})
        self.cdp("Input.dispatchMouseEvent", {**base, "type": "mousePressed", "buttons": 1})
        self.cdp("Input.dispatchMouseEvent", {**base, "type": "mouseReleased", "buttons": 0})

    def insert_text(self, text: str) -> None:
        self.cdp("Input.insertText", {"text": text})

    def press(self, key: str, code: int) -> None:
        for kind in ("rawKeyDown", "keyUp"):
            self.cdp(
                "Input.dispatchKeyEvent",
                {
                    "type": kind,
                    "key": key,
                    "code": key,
                    "windowsVirtualKeyCode": code,
                    "nativeVirtualKeyCode": code,
                },
            )


class El:
    """An element held by the isolated world (a CDP remote object id): gone once the page re-renders it."""

    def __init__(self, world: IsolatedWorld, object_id: str) -> None:
        self.world = world
        self.object_id = object_id

    def call(self, body: str, *args: Any) -> Any:
        """Run `function (...args) { <body> }` with `this` = the element; its value is returned."""
        declaration = (
            f"function (...args) {{ if (!this.isConnected) throw new Error({json.dumps(STALE)}); {body} }}"
        )
        reply = self.world.cdp(
            "Runtime.callFunctionOn",
            {
                "objectId": self.object_id,
                "functionDeclaration": declaration,
                "arguments": [{"value": a} for a in args],
                "returnByValue": True,
                "awaitPromise": True,
            },
        )
        return self.world._unwrap(reply).get("value")

    @property
    def text(self) -> str:
        return " ".join(str(self.call("return this.innerText;")).split())

    @property
    def value(self) -> Any:
        return self.call("return this.value;")

    def attr(self, name: str) -> str | None:
        return self.call("return this.getAttribute(args[0]);", name)

    def is_enabled(self) -> bool:
        return bool(self.call("return !this.disabled;"))

    def is_displayed(self) -> bool:
        return bool(self.call("return this.checkVisibility({visibilityProperty: true});"))

    def click(self) -> None:
        """A real mouse click (CDP Input) at the element's centre, after checking nothing covers it there."""
        x, y = self.call("""
          this.scrollIntoView({block: 'center', inline: 'center'});
          const r = this.getBoundingClientRect();
          const x = r.left + r.width / 2, y = r.top + r.height / 2;
          const hit = document.elementFromPoint(x, y);
          if (!hit || !(hit === this || this.contains(hit)))
            throw new Error(`click at ${x},${y} would hit ${hit ? hit.outerHTML.slice(0, 120) : 'nothing'}`);
          return [x, y];""")
        self.world.click_at(x, y)

    def dom_click(self) -> None:
        """`element.click()` called from the isolated world (an untrusted click event)."""
        self.call("this.click();")

    def focus(self) -> None:
        if not self.call("this.focus(); return document.activeElement === this;"):
            raise PageScriptError("the element did not take the focus")

    def type(self, text: str) -> None:
        """Typing as CDP `Input.insertText` at the end of the element's current value."""
        self.focus()
        self.call(
            "if (typeof this.value === 'string' && this.setSelectionRange) "
            "this.setSelectionRange(this.value.length, this.value.length);"
        )
        self.world.insert_text(text)

    def clear(self) -> None:
        """Select all, then Backspace (CDP key events), as a user clears a field."""
        self.focus()
        self.call("this.select();")
        self.world.press("Backspace", 8)

    def paste(self, text: str) -> None:
        """A synthetic `paste` ClipboardEvent carrying text, built and dispatched from the isolated world."""
        self.call(
            """
          const dt = new DataTransfer(); dt.setData('text/plain', args[0]);
          const init = {clipboardData: dt, bubbles: true, cancelable: true};
          this.dispatchEvent(new ClipboardEvent('paste', init));""",
            text,
        )


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
        self.ext_id = self.until(
            lambda: next(
                (
                    t["url"].split("/")[2]
                    for t in self.targets()
                    if t["type"] == "service_worker" and t["url"].startswith("chrome-extension://")
                ),
                None,
            ),
            30,
        )
        home_tab = self.until(
            lambda: next(
                (t for t in self.targets() if t["type"] == "page" and "/home.html" in t["url"]), None
            ),
            20,
        )
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

    def page_targets(self, page: str) -> list[dict[str, Any]]:
        """Page targets showing a wallet page (e.g. "sidepanel.html"), the harness's own tabs included."""
        prefix = self.url(page)
        return [t for t in self.targets() if t["type"] == "page" and t["url"].startswith(prefix)]

    @property
    def d(self) -> webdriver.Chrome:
        assert self.driver is not None
        return self.driver

    @property
    def world(self) -> IsolatedWorld:
        return IsolatedWorld(self.d)

    def url(self, page: str) -> str:
        return f"chrome-extension://{self.ext_id}/{page}"

    def tab(self, name: str, url: str | None = None) -> None:
        if name not in self.handles:
            self.d.switch_to.new_window("tab")
            self.handles[name] = self.d.current_window_handle
        else:
            self.d.switch_to.window(self.handles[name])
        self.d.execute_cdp_cmd("Page.bringToFront", {})
        if url is not None:
            self.d.get(url)

    def close_tab(self, name: str) -> None:
        handle = self.handles.pop(name)
        self.d.switch_to.window(handle)
        self.d.close()
        self.d.switch_to.window(self.handles["main"])

    # ---- waiting / DOM (extension pages: isolated world only) --------------------------------------------
    @staticmethod
    def until(probe: Any, timeout: float = 15.0) -> Any:
        def settled() -> Any:
            with contextlib.suppress(StaleElementReferenceException):  # re-rendered under us: look again
                return probe()
            return None

        return until(getattr(probe, "__name__", "a condition"), settled, timeout, interval=0.1)

    def find(self, testid: str) -> El | None:
        return self.world.css(f'[data-testid="{testid}"]')

    def css(self, selector: str) -> El | None:
        return self.world.css(selector)

    def wait(self, testid: str, timeout: float = 15.0) -> El:
        return self.until(lambda: self.find(testid), timeout)

    def wait_css(self, selector: str, timeout: float = 15.0) -> El:
        return self.until(lambda: self.css(selector), timeout)

    def click(self, testid: str, timeout: float = 15.0) -> None:
        el = self.until(lambda: (e := self.find(testid)) is not None and e.is_enabled() and e, timeout)
        el.click()

    def refuse(self) -> None:
        """Cancel a signature or transaction as a user would, also when 13.36's origin throttling (which the
        wallet reproduces) asks first after a few refusals: then the modal's own Cancel, never its block."""
        route = self.route()
        self.click("confirm-footer-cancel-button")

        def refused_or_asked() -> Any:
            if self.route() != route:
                return "refused"
            return self.world.query(
                "[...document.querySelectorAll('.mm-modal-root button')]"
                ".find((b) => b.textContent.trim() === 'Cancel')"
            )

        found = self.until(refused_or_asked, 5)
        if found != "refused":
            found.click()

    def route(self) -> str:
        return str(self.world.evaluate("location.hash"))

    def wait_route(self, prefix: str, timeout: float = 15.0) -> str:
        return self.until(lambda: (r := self.route()).startswith(prefix) and r, timeout)

    def body_text(self) -> str:
        return self.wait_css("#app-content").text

    def html(self) -> str:
        return str(self.world.evaluate("document.documentElement.outerHTML"))

    # ---- flows --------------------------------------------------------------------------------------------
    def paste_phrase(self, phrase: str) -> None:
        self.wait("srp-input-import__srp-note").paste(phrase)

    def request(self, method: str, params: list[Any] | None = None) -> None:
        self.tab("dapp")
        self.d.execute_script(REQUEST_JS, method, params)

    def result(self, timeout: float = 30.0) -> dict[str, Any]:
        self.tab("dapp")
        return dict(self.until(lambda: self.d.execute_script("return window.__r"), timeout))

    def call(self, method: str, params: list[Any] | None = None, timeout: float = 30.0) -> dict[str, Any]:
        self.request(method, params)
        return self.result(timeout)

    def in_approvals(self) -> None:
        """The harness's own tab on the page that follows approvals (sidepanel.html unless switched)."""
        self.tab("approvals")

    def json(self, js: str) -> Any:
        """A value from the dApp page's main world (not scuttled)."""
        return json.loads(self.d.execute_script(f"return JSON.stringify({js})"))


def remove_profile(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
