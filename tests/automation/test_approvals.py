"""Which approval a screen is, from what it shows (automation/metamask/approvals.py), on views as
screens.shown() returns them; the routes and ids are those the real builds showed."""

from __future__ import annotations

from automation.metamask.approvals import SIGNATURE, TRANSACTION, recognise


def view(route: str, ids: list[str], heads: list[str]) -> dict[str, object]:
    return {"route": route, "path": "/notification.html", "ids": ids, "heads": heads, "hasText": True}


def test_a_signature_is_recognised_by_its_route_or_by_its_heading() -> None:
    footer = ["confirm-header", "confirm-footer-button", "confirm-footer-cancel-button"]
    assert recognise(view("#/confirm-transaction/abc/signature-request", footer, [])).kind == SIGNATURE
    # 13.5 once showed a personal_sign on the route of another message kind.
    quirk = view("#confirm-transaction/abc/decrypt-message-request", footer, ["Signature request"])
    assert recognise(quirk).kind == SIGNATURE
    # A transaction is never taken for a signature, whatever its heading.
    tx = view("#confirm-transaction/abc", [*footer, "recipient-address"], ["Signature request"])
    assert recognise(tx).kind == TRANSACTION
    # A fully rendered confirmation of neither kind stays unknown: never clicked.
    assert recognise(view("#confirm-transaction/abc/decrypt-message-request", footer, ["Decrypt"])).kind == (
        "unknown"
    )
