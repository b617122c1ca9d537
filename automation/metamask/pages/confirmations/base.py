"""Parts every approval screen shares: info rows, the requesting origin, approve/reject buttons.

Every reader returns what is ON SCREEN (not what the dApp sent): the verifier compares it with the request.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from automation.metamask.pages.base import BasePage, tid
from automation.metamask.selectors import base as S
from automation.metamask.selectors import redesign as R
from automation.models import Alert, Displayed

# Rows of the redesigned confirmations: a `.confirm-info-row` whose first NON-EMPTY p/span/h6 is the label
# (copy/collapse icon buttons come first in the DOM).
_ROWS_JS = """
(css) => [...document.querySelectorAll(css)].map((row) => {
  const labelEl = [...row.querySelectorAll('p, span, h6')].find((el) => (el.innerText || '').trim());
  const label = labelEl ? (labelEl.innerText || '').trim() : '';
  const all = (row.innerText || '').trim();
  return [label, (all.startsWith(label) ? all.slice(label.length) : all).trim()];
})
"""


# The origin-throttle modal's own "Cancel" (selectors/redesign.py): the box around the origin pill that also
# holds the modal's text and buttons, if its text says what the modal is about; null when none shows.
_THROTTLE_REFUSE_JS = """
(pillId, textId, title, label) => {
  for (const pill of document.querySelectorAll(`[data-testid="${pillId}"]`)) {
    let box = pill.parentElement;
    while (box && !(box.querySelector(`[data-testid="${textId}"]`) && box.querySelector('button'))) {
      box = box.parentElement;
    }
    if (!box || !__mmsa.collapse(box.innerText).includes(title)) continue;
    const refuse = [...box.querySelectorAll('button')].filter((b) => __mmsa.collapse(b.innerText) === label);
    return refuse.length === 1 ? refuse[0] : null;
  }
  return null;
}
"""


# The alerts a confirmation shows, as [severity, text, row test id]: banners over it (their severity in an
# `mm-banner-alert--severity-<s>` class on the banner or inside it) and marks on its rows
# (`inline-alert__<s>`, the text prefixed with the row's label).
_ALERTS_JS = """
(banner, inline) => {
  const severity = (el, prefix) => {
    for (const node of [el, ...el.querySelectorAll('*')]) {
      const cls = [...node.classList].find((c) => c.startsWith(prefix));
      if (cls) return cls.slice(prefix.length);
    }
    return '';
  };
  const out = [];
  for (const el of document.querySelectorAll(`[data-testid="${banner}"]`)) {
    out.push([severity(el, 'mm-banner-alert--severity-'), __mmsa.collapse(el.innerText), '']);
  }
  for (const el of document.querySelectorAll(`[data-testid="${inline}"]`)) {
    const row = el.closest('.confirm-info-row');
    const labelEl = row && [...row.querySelectorAll('p, span, h6')].find((p) => (p.innerText || '').trim());
    const label = labelEl ? __mmsa.collapse(labelEl.innerText) : '';
    const text = __mmsa.collapse(el.innerText);
    const rowId = row ? row.getAttribute('data-testid') || '' : '';
    out.push([severity(el, 'inline-alert__'), label ? `${label}: ${text}` : text, rowId]);
  }
  return out;
}
"""


# Everything a read needs from the screen in one isolated-world call: rows, whether the approve button is
# enabled, the texts of the named locators (key -> [locator, visible only]), the text and attribute values of
# others (key -> locator: some builds keep a full address only in an attribute), the tooltip over others (key
# -> locator: the title of the element or of its nearest ancestors, where MetaMask keeps a rounded amount's
# full value), the alerts it shows and the page's text. While
# MetaMask renders a confirmation, every call waits for the extension's renderer thread, so a read that
# took one call per field cost 0.1-0.5 s per field on 13.36.
_SNAPSHOT_JS = (
    "(css, approve, wanted, withAttrs, withTitles, banner, inline) => {"
    " const rows = (" + _ROWS_JS.strip() + ")(css);"
    " const btn = __mmsa.find('testid:' + approve, true);"
    " const enabled = !!btn && !btn.disabled && btn.getAttribute('aria-disabled') !== 'true';"
    " const texts = {};"
    " for (const [key, [loc, vis]] of Object.entries(wanted)) {"
    "  const el = __mmsa.find(loc, vis); texts[key] = el ? __mmsa.collapse(el.innerText) : null; }"
    " const attrs = {};"
    " for (const [key, loc] of Object.entries(withAttrs)) {"
    "  const root = __mmsa.find(loc, false); if (!root) { attrs[key] = null; continue; }"
    "  const parts = [root.textContent || ''];"
    "  for (const el of [root, ...root.querySelectorAll('*')])"
    "   for (const a of el.attributes) parts.push(a.value);"
    "  attrs[key] = parts.join(' '); }"
    " const titles = {};"
    " for (const [key, loc] of Object.entries(withTitles)) {"
    "  let el = __mmsa.find(loc, true); titles[key] = null;"
    "  for (let up = 0; el && up < 4; up += 1, el = el.parentElement) {"
    "   const t = el.getAttribute('data-original-title') || el.getAttribute('title');"
    "   if (t) { titles[key] = t; break; } } }"
    " const alerts = (" + _ALERTS_JS.strip() + ")(banner, inline);"
    " return {rows, enabled, texts, attrs, titles, alerts,"
    "  body: __mmsa.collapse(document.body ? document.body.innerText : '')};"
    "}"
)
# Where a confirmation names its network, in order of preference (13.36's "Network" row, else the header).
_NETWORK_KEYS = {f"network:{testid}": (tid(testid), True) for testid in S.NETWORK_NAME_IDS}


def collapse(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Snapshot:
    rows: list[tuple[str, str]]
    approve_enabled: bool
    texts: dict[str, str | None]
    attrs: dict[str, str | None]
    titles: dict[str, str | None]
    body: str
    alerts: tuple[Alert, ...] = ()

    @property
    def warns(self) -> bool:
        """Whether an alert shows that is more than information (MetaMask may disable Confirm for it)."""
        return any(not alert.informs for alert in self.alerts)

    def row(self, label: str) -> str | None:
        for row_label, value in self.rows:
            if row_label.strip().rstrip(":").lower() == label.lower():
                return value
        return None

    def origin(self) -> str:
        """The "Request from" row: "host:port", after an "HTTP" badge for plain-http sites and, on later
        builds, the site's one-letter avatar: the origin is the last token."""
        tokens = (self.row(S.ROW_LABEL_REQUEST_FROM) or "").split()
        return tokens[-1] if tokens else ""

    def network(self) -> str:
        """The network this confirmation names ("" when it names none)."""
        return next((collapse(v) for k in _NETWORK_KEYS if (v := self.texts.get(k))), "")


class ApprovalPage(BasePage):
    APPROVE: str = S.CONFIRM_FOOTER_OK
    REJECT: str = S.CONFIRM_FOOTER_CANCEL

    def body_text(self) -> str:
        return self.dom.body_text()

    def snapshot(
        self,
        texts: dict[str, tuple[str, bool]] | None = None,
        attrs: dict[str, str] | None = None,
        titles: dict[str, str] | None = None,
    ) -> Snapshot:
        wanted = {**_NETWORK_KEYS, **(texts or {})}
        raw: dict[str, Any] = self.dom.call(
            _SNAPSHOT_JS,
            S.CONFIRM_ROW_CSS,
            self.APPROVE,
            wanted,
            attrs or {},
            titles or {},
            S.CONFIRM_BANNER_ALERT,
            S.CONFIRM_INLINE_ALERT,
        )

        def strings(values: dict[str, Any]) -> dict[str, str | None]:
            return {k: (None if v is None else str(v)) for k, v in values.items()}

        return Snapshot(
            rows=[(str(label), str(value)) for label, value in raw["rows"]],
            approve_enabled=bool(raw["enabled"]),
            texts=strings(raw["texts"]),
            attrs=strings(raw["attrs"]),
            titles=strings(raw["titles"]),
            body=str(raw["body"]),
            alerts=tuple(
                Alert(str(severity), str(text), "fee" if row in S.FEE_ROW_IDS else "")
                for severity, text, row in raw["alerts"]
            ),
        )

    def wait_snapshot(
        self,
        what: str,
        ready: Callable[[Snapshot], bool],
        texts: dict[str, tuple[str, bool]] | None = None,
        attrs: dict[str, str] | None = None,
        titles: dict[str, str] | None = None,
    ) -> Snapshot:
        """The first snapshot with ``ready`` true and the approve button enabled, or disabled beside an alert
        (MetaMask disables it for some: the alert is then what the verifier refuses)."""

        def probe() -> Snapshot | None:
            snap = self.snapshot(texts, attrs, titles)
            return snap if (snap.approve_enabled or snap.warns) and ready(snap) else None

        return self.wait_for(what, probe)

    def read(self, method: str) -> Displayed | None:
        """What the screen shows for the verifier, for a request of ``method``; None for a screen that shows
        nothing the verifier reads (13.5's chain permission screen)."""
        return None

    def queue_size(self) -> int:
        """How many confirmations MetaMask has pending, as this one's "k of N" shows it (1 without it)."""
        match = re.search(r"\bof\s+(\d+)", self.dom.text(tid(S.CONFIRM_NAV_POSITION)) or "")
        return int(match.group(1)) if match else 1

    def show_another(self) -> bool:
        """Show another pending confirmation (the next, else the previous); False when neither button is
        enabled."""
        return self.try_click_testid(S.CONFIRM_NAV_NEXT) or self.try_click_testid(S.CONFIRM_NAV_PREVIOUS)

    def approve(self) -> None:
        self.click_testid(self.APPROVE)

    def reject(self) -> None:
        self.click_testid(self.REJECT)

    def refuse_in_throttle_modal(self) -> bool:
        """Finish a refusal that opened the origin-throttle modal, by its refuse-only button; False when
        that modal does not show."""
        return self.dom.click_found(
            _THROTTLE_REFUSE_JS,
            R.ORIGIN_THROTTLE_PILL,
            R.ORIGIN_THROTTLE_TEXT,
            R.ORIGIN_THROTTLE_TITLE,
            R.ORIGIN_THROTTLE_REFUSE_LABEL,
        )
