"""Parts every approval screen shares: info rows, the requesting origin, approve/reject buttons.

Every reader returns what is ON SCREEN (not what the dApp sent): the verifier compares it with the request.
"""

from __future__ import annotations

from typing import Any

from automation.metamask.pages.base import BasePage
from automation.metamask.selectors import base as S
from automation.models import Displayed

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


def collapse(text: str) -> str:
    return " ".join(text.split())


class ApprovalPage(BasePage):
    APPROVE: str = S.CONFIRM_FOOTER_OK
    REJECT: str = S.CONFIRM_FOOTER_CANCEL

    def body_text(self) -> str:
        return self.dom.body_text()

    def rows(self) -> list[tuple[str, str]]:
        raw: list[Any] = self.dom.call(_ROWS_JS, S.CONFIRM_ROW_CSS)
        return [(str(label), str(value)) for label, value in raw]

    def row_value(self, label: str) -> str | None:
        for row_label, value in self.rows():
            if row_label.strip().rstrip(":").lower() == label.lower():
                return value
        return None

    def row_origin(self) -> str:
        """The "Request from" row: "host:port", after an "HTTP" badge for plain-http sites and, on later
        builds, the site's one-letter avatar: the origin is the last token."""
        tokens = (self.row_value(S.ROW_LABEL_REQUEST_FROM) or "").split()
        return tokens[-1] if tokens else ""

    def read(self, method: str) -> Displayed | None:
        """What the screen shows for the verifier, for a request of ``method``; None for a screen that shows
        nothing the verifier reads (13.5's chain permission screen)."""
        return None

    def approve(self) -> None:
        self.click_testid(self.APPROVE)

    def reject(self) -> None:
        self.click_testid(self.REJECT)
