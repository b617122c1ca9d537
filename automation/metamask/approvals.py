"""Which approval a MetaMask page shows, from what it shows: route family first (stable across generations),
then, where one route serves several kinds (13.36 puts wallet_addEthereumChain on #confirm-transaction/<id>),
the screen's content."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from automation.metamask.pages.base import normalize_route
from automation.metamask.pages.confirmations import (
    AddTokenPage,
    ApprovalPage,
    ConnectPage,
    LegacyAddNetworkPage,
    PermissionPage,
    RedesignAddNetworkPage,
    SignaturePage,
    TransactionPage,
)
from automation.metamask.selectors import base as S
from automation.metamask.selectors import legacy as L

CONNECT, PERMISSION, SIGNATURE, TRANSACTION, CONFIRMATION, TOKEN = (
    "connect",
    "permission",
    "signature",
    "transaction",
    "confirmation",  # wallet_addEthereumChain, in either generation
    "token",  # wallet_watchAsset of an ERC-20
)
APPROVAL_KINDS = (CONNECT, PERMISSION, SIGNATURE, TRANSACTION, CONFIRMATION, TOKEN)
# Route families where MetaMask shows approvals; anything else on an approval page is idle or unlock.
APPROVAL_ROUTES = (S.ROUTE_CONNECT, S.ROUTE_CONFIRM_TX, L.ROUTE_CONFIRMATION, L.ROUTE_SUGGESTED_ASSET)
_TX_IDS = {S.RECIPIENT, S.SENDER, "confirmation__transaction-flow", S.APPROVE_DETAILS}


@dataclass(frozen=True)
class Screen:
    # one of the kinds above, "unlock", "idle", "loading" (approval route, not rendered yet) or "unknown"
    kind: str
    page: type[ApprovalPage] | None = None


def recognise(view: dict[str, Any]) -> Screen:
    """Place a view returned by screens.shown()."""
    route = normalize_route(str(view.get("route", "")))
    ids = set(view.get("ids", []))
    if route.startswith(S.ROUTE_UNLOCK) or S.UNLOCK_PASSWORD in ids:
        return Screen("unlock")
    if not route.startswith(APPROVAL_ROUTES):
        return Screen("idle")
    if route.startswith(S.ROUTE_CONNECT):
        # By the buttons it shows: 13.36 puts a chain permission on #connect/<id> first, then moves it to
        # #connect/<id>/confirm-permissions; before either shows its buttons, it is still loading.
        if S.PERMISSION_NEXT in ids:
            return Screen(PERMISSION, PermissionPage)
        if S.CONNECT_CONFIRM in ids and "confirm-permissions" not in route:
            return Screen(CONNECT, ConnectPage)
        return Screen("loading")
    if route.startswith(L.ROUTE_SUGGESTED_ASSET):
        return Screen(TOKEN, AddTokenPage) if L.SUGGESTED_ASSET_SUBMIT in ids else Screen("loading")
    if route.startswith(L.ROUTE_CONFIRMATION):
        return (
            Screen(CONFIRMATION, LegacyAddNetworkPage) if L.CONFIRMATION_SUBMIT in ids else Screen("loading")
        )
    heads = [str(h) for h in view.get("heads", [])]
    # A signature by its route, its heading, or the typed-data message it shows (13.5 heads a Permit
    # "Spending cap request", seen on 2026-12-02 on a route without the signature suffix).
    shows_signature = S.SIGNATURE_TITLE in heads or S.TYPED_DATA_SECTION in ids
    if route.endswith(S.ROUTE_SIGNATURE_SUFFIX) or (shows_signature and not ids & _TX_IDS):
        return Screen(SIGNATURE, SignaturePage)
    if any(h.startswith("Add ") for h in heads) and not ids & _TX_IDS:
        return Screen(CONFIRMATION, RedesignAddNetworkPage)
    if ids & _TX_IDS:
        return Screen(TRANSACTION, TransactionPage)
    if S.TX_DETAILS_SECTION in ids and S.DEPLOY_TITLE in heads:
        # A contract creation: no From/To parties, its details section under "Deploy a contract" (13.36). By
        # both, so a transfer whose details render before its parties is not read without its recipient.
        return Screen(TRANSACTION, TransactionPage)
    # A fully rendered confirmation (its footer is there) that is none of the above: not one we know.
    return Screen("unknown") if S.CONFIRM_FOOTER_OK in ids else Screen("loading")
