"""Signature requests (#confirm-transaction/<id>/signature-request): personal_sign and typed data v4."""

from __future__ import annotations

from automation.metamask.pages.base import tid
from automation.metamask.pages.confirmations.base import ApprovalPage, collapse
from automation.metamask.selectors import base as S
from automation.models import DisplayedSignature


class SignaturePage(ApprovalPage):
    def read(self, method: str) -> DisplayedSignature:
        if method not in ("personal_sign", "eth_signTypedData_v4"):
            method = "unknown"  # a signature screen for another request: shown as such to the verifier
        self.wait_enabled_testid(self.APPROVE)
        self.wait_for("signature rows", lambda: self.row_value(S.ROW_LABEL_REQUEST_FROM))
        if method == "personal_sign":
            text = self.row_value(S.ROW_LABEL_MESSAGE) or ""
        else:
            self.wait_testid(S.TYPED_DATA_SECTION)
            parts = [self.dom.text(tid(S.TYPED_DATA_REQUEST_SECTION), visible=False) or ""]
            parts.append(self.text_of(tid(S.TYPED_DATA_SECTION)))
            text = " ".join(p for p in parts if p)
        return DisplayedSignature(method=method, origin=self.row_origin(), text=collapse(text))
