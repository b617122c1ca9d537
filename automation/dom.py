"""The one way the driver reads and acts on extension pages: a CDP isolated world plus real input events.

Official MetaMask builds run LavaMoat with scuttling on: most globals of their own pages (``Window``,
``RegExp``, ``JSON``, ``Proxy``, ``Node`` ...) throw when touched from outside LavaMoat's compartments.
chromedriver's atoms (``is_displayed``, XPath helpers, ``get_attribute``, native ``click``) run in the
page's main world and break there (docs/metamask.md section 9). A script evaluated in an isolated world of
the same frame (``Page.createIsolatedWorld`` + ``Runtime.evaluate`` with its ``contextId``) gets fresh
globals over the same DOM, so every read below runs there, and clicks and typing are real CDP input events,
which no page script can tell from a person's.

Elements are addressed by a *locator*: ``css:<selector>``, ``testid:<data-testid>`` or ``text:<tag>|<text>``
(the first visible ``<tag>`` whose whitespace-collapsed text equals ``<text>``; ``<tag>`` may be ``*``).
Page objects never hold element references, so a re-render between two calls cannot leave them stale.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.remote.webdriver import WebDriver

from automation.errors import MetaMaskUIError
from automation.polling import wait_until

_WORLD = "metamask-service-automation"

# Installed once per isolated world: locator resolution and visibility, used by every call below.
_PRELUDE = r"""
(() => {
  if (globalThis.__mmsa) return;
  const collapse = (s) => String(s || '').replace(/\s+/g, ' ').trim();
  const visible = (el) => {
    if (!el || !el.isConnected) return false;
    const r = el.getBoundingClientRect();
    if (r.width <= 0 || r.height <= 0) return false;
    const st = getComputedStyle(el);
    return st.visibility !== 'hidden' && st.display !== 'none' && Number(st.opacity) !== 0;
  };
  const all = (loc) => {
    const i = loc.indexOf(':');
    const kind = loc.slice(0, i), arg = loc.slice(i + 1);
    if (kind === 'css') return [...document.querySelectorAll(arg)];
    if (kind === 'testid') return [...document.querySelectorAll(`[data-testid="${CSS.escape(arg)}"]`)];
    if (kind === 'text') {
      const j = arg.indexOf('|');
      const tag = arg.slice(0, j) || '*', want = collapse(arg.slice(j + 1));
      return [...document.querySelectorAll(tag)].filter((el) => collapse(el.innerText) === want);
    }
    throw new Error('bad locator ' + loc);
  };
  const find = (loc, mustBeVisible) => all(loc).find((el) => !mustBeVisible || visible(el)) || null;
  globalThis.__mmsa = { collapse, visible, all, find };
})();
"""

# Scroll the element into view and report where to click and whether something else covers that point.
# FIND is replaced by the source of a function returning the element (or null) for the given arguments.
_CLICK_POINT_JS = r"""
(...args) => {
  const el = (FIND)(...args);
  if (!el) return null;
  el.scrollIntoView({block: 'nearest', inline: 'nearest'});
  const r = el.getBoundingClientRect();
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  const top = document.elementFromPoint(x, y);
  if (!(top && (top === el || el.contains(top)))) { el.click(); return {covered: true}; }
  return {x, y, covered: false, hidden: document.visibilityState === 'hidden'};
}
"""
_BY_LOCATOR = "(l) => __mmsa.find(l, true)"
# 13.36's onboarding checkboxes are divs with role="checkbox" and data-checked, not inputs.
_IS_CHECKED_JS = """
(l) => {
  const el = __mmsa.find(l, false);
  if (!el) return false;
  if (typeof el.checked === 'boolean') return el.checked;
  return [el.getAttribute('aria-checked'), el.getAttribute('data-checked')].includes('true');
}
"""


class IsolatedDom:
    """Reads and acts on the page in the driver's current tab; one isolated world per document."""

    def __init__(self, driver: WebDriver) -> None:
        self.driver = driver
        # The isolated world of the last call: (contextId, token). Reused without asking which tab or document
        # is current (that costs a chromedriver round trip per call, a third of a call's time under load);
        # a context of another tab or of a replaced document is either unknown to the current tab's CDP
        # session ("Cannot find context") or lacks this world's token, and then a new world is made.
        self._context: tuple[int, str] | None = None

    # ---- evaluation --------------------------------------------------------------------------------------
    def _cdp(self, cmd: str, params: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self.driver.execute_cdp_cmd(cmd, params)
        return result

    def _new_context(self) -> tuple[int, str]:
        frame = self._cdp("Page.getFrameTree", {})["frameTree"]["frame"]
        world = self._cdp(
            "Page.createIsolatedWorld",
            {"frameId": frame["id"], "worldName": _WORLD, "grantUniveralAccess": False},
        )
        context_id = int(world["executionContextId"])
        token = secrets.token_hex(16)
        self._evaluate_in(context_id, _PRELUDE + f"globalThis.__mmsaToken = {json.dumps(token)};")
        self._context = (context_id, token)
        return self._context

    def _evaluate_in(self, context_id: int, expression: str) -> Any:
        reply = self._cdp(
            "Runtime.evaluate",
            {"expression": expression, "contextId": context_id, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in reply:
            details = reply["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text") or "error"
            raise MetaMaskUIError(f"page script failed: {str(text).splitlines()[0][:200]}")
        return reply.get("result", {}).get("value")

    def call(self, function_source: str, *args: Any) -> Any:
        """Call a JS function (source text) with JSON-serialisable arguments in the isolated world."""
        body = f"({function_source})(...{json.dumps(list(args))})"
        for attempt in (1, 2):
            context_id, token = self._context or self._new_context()
            # Runs only in the world holding this token: never in a page's own world or another document's.
            guarded = (
                f"(async () => globalThis.__mmsaToken === {json.dumps(token)}"
                f" ? {{value: await {body}}} : {{stale: true}})()"
            )
            try:
                reply = self._evaluate_in(context_id, guarded)
            except WebDriverException as exc:
                # That context is gone (a new document) or belongs to another tab: a new world, once.
                if attempt == 2 or "context" not in str(exc.msg or "").lower():
                    raise
                self._context = None
                continue
            if isinstance(reply, dict) and not reply.get("stale"):
                return reply.get("value")
            self._context = None
        raise MetaMaskUIError("no isolated world could be reached in the current tab")

    # ---- navigation --------------------------------------------------------------------------------------
    def navigate(self, url: str, timeout: float = 15.0) -> bool:
        """Load ``url`` in the current tab with CDP (chromedriver's ``get`` runs a script in the page it
        leaves, which scuttling breaks) and wait for the new document; False when Chromium could not load it
        (e.g. the extension is not available yet)."""
        reply = self._cdp("Page.navigate", {"url": url})
        self._context = None  # the document it held goes
        if reply.get("errorText"):
            return False
        loader = reply.get("loaderId")

        def loaded_url() -> str | None:
            """The new document's URL once it is there: an error page at once, a page when it is ready."""
            frame = self._cdp("Page.getFrameTree", {})["frameTree"]["frame"]
            if loader and frame.get("loaderId") != loader:
                return None
            url = str(frame.get("url", ""))
            if url.startswith("chrome-error://"):
                return url
            return url if self.call("() => document.readyState") in ("interactive", "complete") else None

        return not wait_until("page load", loaded_url, timeout, interval=0.05).startswith("chrome-error://")

    # ---- reads -------------------------------------------------------------------------------------------
    def url(self) -> str:
        return str(self.call("() => location.href"))

    def route(self) -> str:
        return str(self.call("() => location.hash"))

    def exists(self, locator: str) -> bool:
        return bool(self.call("(l) => !!__mmsa.find(l, false)", locator))

    def is_visible(self, locator: str) -> bool:
        return bool(self.call("(l) => !!__mmsa.find(l, true)", locator))

    def first_visible(self, *locators: str) -> str | None:
        """The first of ``locators`` that has a visible element, in the order given."""
        found = self.call("(ls) => ls.find((l) => !!__mmsa.find(l, true)) || null", list(locators))
        return None if found is None else str(found)

    def is_enabled(self, locator: str) -> bool:
        return bool(
            self.call(
                "(l) => { const el = __mmsa.find(l, true);"
                " return !!el && !el.disabled && el.getAttribute('aria-disabled') !== 'true'; }",
                locator,
            )
        )

    def text(self, locator: str, *, visible: bool = True) -> str | None:
        """Whitespace-collapsed innerText of the first (visible) match, None when there is none."""
        value = self.call(
            "(l, v) => { const el = __mmsa.find(l, v); return el ? __mmsa.collapse(el.innerText) : null; }",
            locator,
            visible,
        )
        return None if value is None else str(value)

    def texts(self, locator: str) -> list[str]:
        """Whitespace-collapsed innerText of every visible match."""
        return [
            str(t)
            for t in self.call(
                "(l) => __mmsa.all(l).filter(__mmsa.visible).map((el) => __mmsa.collapse(el.innerText))",
                locator,
            )
        ]

    def value(self, locator: str) -> str | None:
        """The ``value`` property of a form field (never logged by the callers: it can hold a secret)."""
        value = self.call(
            "(l) => { const el = __mmsa.find(l, false); return el ? el.value : null; }", locator
        )
        return None if value is None else str(value)

    def is_checked(self, locator: str) -> bool:
        """A checkbox input's ``checked``, or a custom checkbox's ``aria-checked`` / ``data-checked``."""
        return bool(self.call(_IS_CHECKED_JS, locator))

    def body_text(self) -> str:
        return str(self.call("() => __mmsa.collapse(document.body ? document.body.innerText : '')"))

    def body_source_text(self) -> str:
        """The text the page's DOM holds, rendered or not (``textContent``): for a screen caught while its
        content is still hidden, whose ``innerText`` is empty."""
        return str(self.call("() => __mmsa.collapse(document.body ? document.body.textContent : '')"))

    # ---- acting ------------------------------------------------------------------------------------------
    def click(self, locator: str) -> bool:
        """Click the first visible match with a real mouse event at its centre; False when there is none."""
        return self.click_found(_BY_LOCATOR, locator)

    def click_found(self, find_source: str, *args: Any) -> bool:
        """Click the element that the JS function ``find_source`` returns for ``args`` (False for null).

        When something covers the element's centre (MetaMask's "Connecting to Ethereum Mainnet" overlay does
        for 30 s+ offline, docs/metamask.md section 3), the element's own click() is called from the isolated
        world instead: a mouse event would land on the overlay.
        """
        point = self.call(_CLICK_POINT_JS.replace("FIND", find_source), *args)
        if not point:
            return False
        if point["covered"]:
            return True
        if point["hidden"]:
            # A background tab (MetaMask opens its own onboarding tab over ours at install) renders no
            # frames: Chromium acks a mouse event only after a frame, so each click took its 5 s ack timeout.
            self._cdp("Page.bringToFront", {})
            wait_until("the tab in front", self._shown, 5, interval=0.02)
        base = {"x": point["x"], "y": point["y"], "button": "left", "clickCount": 1}
        self._cdp("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": point["x"], "y": point["y"]})
        self._cdp("Input.dispatchMouseEvent", {"type": "mousePressed", **base})
        self._cdp("Input.dispatchMouseEvent", {"type": "mouseReleased", **base})
        return True

    def _shown(self) -> bool:
        return bool(self.call("() => document.visibilityState === 'visible'"))

    def emulate_focus(self) -> None:
        """Make the current tab behave as focused (clipboard reads need a focused document)."""
        self._cdp("Emulation.setFocusEmulationEnabled", {"enabled": True})

    def focus(self, locator: str) -> bool:
        return bool(
            self.call(
                "(l) => { const el = __mmsa.find(l, true); if (!el) return false;"
                " el.scrollIntoView({block: 'nearest'}); el.focus();"
                " if (typeof el.select === 'function') el.select(); return document.activeElement === el; }",
                locator,
            )
        )

    def type_text(self, locator: str, text: str) -> None:
        """Replace a field's content by typing ``text`` (CDP ``Input.insertText``: real input events)."""
        if not self.focus(locator):
            raise MetaMaskUIError(f"cannot focus {locator.split(':', 1)[0]} field")
        if self.value(locator):
            # select() covers inputs and textareas; a leftover means a field that cannot be selected.
            self._cdp(
                "Input.dispatchKeyEvent",
                {"type": "keyDown", "key": "Backspace", "code": "Backspace", "windowsVirtualKeyCode": 8},
            )
            self._cdp(
                "Input.dispatchKeyEvent",
                {"type": "keyUp", "key": "Backspace", "code": "Backspace", "windowsVirtualKeyCode": 8},
            )
        self._cdp("Input.insertText", {"text": text})

    def press(self, key: str) -> None:
        """A single key press (e.g. "Escape", "Enter", " ") on the focused element."""
        codes = {"Escape": ("Escape", 27), "Enter": ("Enter", 13), " ": ("Space", 32), "Tab": ("Tab", 9)}
        code, vk = codes[key]
        params: dict[str, Any] = {"key": key, "code": code, "windowsVirtualKeyCode": vk}
        if key in (" ", "Enter"):
            params["text"] = "\r" if key == "Enter" else key
        self._cdp("Input.dispatchKeyEvent", {"type": "keyDown", **params})
        self._cdp(
            "Input.dispatchKeyEvent", {"type": "keyUp", **{k: v for k, v in params.items() if k != "text"}}
        )
