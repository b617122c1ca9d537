"""Recognising MetaMask screens by what they show, and stopping fast on one the driver does not know.

Screens are recognised by their data-testids, headings and routes, never by the build's version number, so a
build between or around the tested ones works wherever its screens still look like a known generation
(docs/metamask.md section 11). A screen that shows something the driver cannot place is not waited out or
clicked: after UNKNOWN_SCREEN_SECONDS it raises UnsupportedMetaMaskVersion naming the version and the screen.
"""

from __future__ import annotations

import time
from typing import Any

from automation.dom import IsolatedDom
from automation.errors import UnsupportedMetaMaskVersion

# Under the 10 s the issue allows between meeting an unknown screen and stopping; long enough for MetaMask's
# slowest transition measured between two known screens here (about 6 s, passkey -> metametrics on 13.36).
UNKNOWN_SCREEN_SECONDS = 8.0

# One isolated-world call: what the screen shows, enough to place it and to name it in an error.
_SHOWN_JS = r"""
() => {
  const shownAll = (css) => [...document.querySelectorAll(css)].filter(__mmsa.visible);
  const ids = shownAll('[data-testid]').map((e) => e.getAttribute('data-testid'));
  const heads = shownAll('h1, h2, h3').map((e) => __mmsa.collapse(e.innerText));
  const hasText = __mmsa.collapse(document.body ? document.body.innerText : '').length > 0;
  return {route: location.hash, path: location.pathname, ids: [...new Set(ids)], heads, hasText};
}
"""


def shown(dom: IsolatedDom) -> dict[str, Any]:
    result: dict[str, Any] = dom.call(_SHOWN_JS)
    return result


def describe(view: dict[str, Any]) -> str:
    """A short, secret-free name of a screen for errors: page, route (ids cut off), headings, test ids."""
    route = "/".join(part if len(part) < 16 else "<id>" for part in str(view.get("route", "")).split("/"))
    heads = ", ".join(h for h in view.get("heads", [])[:2] if h)[:80]
    ids = ", ".join(view.get("ids", [])[:8])
    page = str(view.get("path", "")).rsplit("/", 1)[-1]
    return f"{page}{route} (headings: {heads or '-'}; test ids: {ids or '-'})"


# Seconds a screen of a kind the driver is not waiting for must hold still (same route, same kind) before it
# is refused: 13.36 can render a chain permission on #connect/<id> as a connect screen for a moment before its
# permission buttons show (seen 2026-12-03: refused at once, the connect page's Cancel was gone when
# clicked). Nothing is approved meanwhile.
UNEXPECTED_SETTLE_SECONDS = 1.0


class HeldStill:
    """Tells when a screen (its route and kind) has shown unchanged for ``settle`` seconds."""

    def __init__(self, settle: float = UNEXPECTED_SETTLE_SECONDS) -> None:
        self.settle = settle
        self._first: tuple[str, str, float] | None = None  # (route, kind, first seen)

    def __call__(self, kind: str, route: str) -> bool:
        now = time.monotonic()
        if self._first is None or self._first[:2] != (route, kind):
            self._first = (route, kind, now)
            return False
        if now - self._first[2] < self.settle:
            return False
        self._first = None
        return True


class UnknownScreenWatch:
    """Counts how long the page has shown something unrecognised; raises once that passes the limit."""

    def __init__(self, version: str | None, limit: float = UNKNOWN_SCREEN_SECONDS) -> None:
        self.version = version
        self.limit = limit
        self._since: float | None = None

    def known(self) -> None:
        self._since = None

    def unknown(self, view: dict[str, Any]) -> None:
        if not view.get("ids") and not view.get("hasText"):
            return  # still rendering: an empty page is not a screen yet
        now = time.monotonic()
        if self._since is None:
            self._since = now
        elif now - self._since >= self.limit:
            raise UnsupportedMetaMaskVersion(self.version, describe(view))
