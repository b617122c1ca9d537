"""Which approval a screen is, from what it shows (automation/metamask/approvals.py), on views as
screens.shown() returns them; the routes and ids are those the real builds showed."""

from __future__ import annotations

from automation.metamask.approvals import CONNECT, PERMISSION, SIGNATURE, TRANSACTION, recognise


def view(route: str, ids: list[str], heads: list[str]) -> dict[str, object]:
    return {"route": route, "path": "/notification.html", "ids": ids, "heads": heads, "hasText": True}


def test_a_signature_is_recognised_by_its_route_or_by_its_heading() -> None:
    footer = ["confirm-header", "confirm-footer-button", "confirm-footer-cancel-button"]
    assert recognise(view("#/confirm-transaction/abc/signature-request", footer, [])).kind == SIGNATURE
    # 13.5 once showed a personal_sign on the route of another message kind.
    quirk = view("#confirm-transaction/abc/decrypt-message-request", footer, ["Signature request"])
    assert recognise(quirk).kind == SIGNATURE
    # 13.5's Permit, headed "Spending cap request": a signature by the typed-data message it shows.
    permit_ids = [*footer, "confirmation_request-section", "confirmation_message-section"]
    assert recognise(view("#confirm-transaction/abc", permit_ids, ["Spending cap request"])).kind == SIGNATURE
    # A transaction is never taken for a signature, whatever its heading.
    tx = view("#confirm-transaction/abc", [*footer, "recipient-address"], ["Signature request"])
    assert recognise(tx).kind == TRANSACTION
    # A fully rendered confirmation of neither kind stays unknown: never clicked.
    assert recognise(view("#confirm-transaction/abc/decrypt-message-request", footer, ["Decrypt"])).kind == (
        "unknown"
    )


def test_connect_and_chain_permission_are_told_apart_by_their_buttons() -> None:
    permission = ["page-container-footer-cancel", "page-container-footer-next"]
    assert recognise(view("#connect/abc", ["cancel-btn", "confirm-btn"], [])).kind == CONNECT
    assert recognise(view("#connect/abc/confirm-permissions", permission, ["Review permissions"])).kind == (
        PERMISSION
    )
    # 13.36 shows a chain permission on #/connect/<id> first: its buttons tell it is not a connect.
    assert recognise(view("#/connect/abc", permission, ["Review permissions"])).kind == PERMISSION
    # Neither's buttons yet: still loading, never refused with a button that is not there.
    assert recognise(view("#/connect/abc", [], [])).kind == "loading"
    assert recognise(view("#connect/abc/confirm-permissions", ["confirm-btn"], [])).kind == "loading"
