"""Signature requests (#confirm-transaction/<id>/signature-request): personal_sign (a message, or the sign-in
screen of an EIP-4361 message: sign_in.py) and typed data v4."""

from __future__ import annotations

from automation.metamask.pages.base import tid
from automation.metamask.pages.confirmations.base import ApprovalPage, Snapshot, collapse
from automation.metamask.pages.confirmations.sign_in import displayed_sign_in, is_sign_in
from automation.metamask.selectors import base as S
from automation.models import DisplayedSignature


class SignaturePage(ApprovalPage):
    def shown_method(self) -> str:
        """Which request the screen shows, by its structure once its rows show: typed data in its own
        message section (an element no message text can make), a personal_sign message in a plain row."""
        wanted = {"message": (tid(S.TYPED_DATA_SECTION), False)}
        snap = self.wait_snapshot(
            "signature rows", lambda snap: bool(snap.row(S.ROW_LABEL_REQUEST_FROM)), wanted
        )
        return "eth_signTypedData_v4" if snap.texts["message"] is not None else "personal_sign"

    def read(self, method: str) -> DisplayedSignature:
        if method not in ("personal_sign", "eth_signTypedData_v4"):
            method = "unknown"  # a signature screen for another request: shown as such to the verifier
        typed = method != "personal_sign"
        wanted = {
            "request": (tid(S.TYPED_DATA_REQUEST_SECTION), False),
            "message": (tid(S.TYPED_DATA_SECTION), True),
        }

        def ready(snap: Snapshot) -> bool:
            shown_all = not typed or snap.texts["message"] is not None
            return bool(snap.row(S.ROW_LABEL_REQUEST_FROM)) and shown_all

        snap = self.wait_snapshot("signature rows", ready, wanted)
        if not typed and is_sign_in(snap):
            return displayed_sign_in(snap, method)
        if not typed:
            text = snap.row(S.ROW_LABEL_MESSAGE) or ""
        else:
            text = " ".join(p for p in (snap.texts["request"], snap.texts["message"]) if p)
        return DisplayedSignature(
            method=method,
            origin=snap.origin(),
            text=collapse(text),
            network=snap.network(),
            alerts=snap.alerts,
        )
