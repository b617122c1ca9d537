"""MetaMask's sign-in screen: what a personal_sign of a Sign-In with Ethereum (EIP-4361) message shows, on
the signature route, in place of the message (13.5 and 13.36 alike: heading "Sign-in request"; a "Message"
row that holds the statement, then a row per field: URL, Network, Account, Version, Chain ID, Nonce,
Issued). Told apart from a plain message by its rows, not its heading."""

from __future__ import annotations

from automation.metamask.pages.confirmations.base import Snapshot, collapse
from automation.metamask.selectors import base as S
from automation.models import DisplayedSignIn


def is_sign_in(snap: Snapshot) -> bool:
    return snap.row(S.ROW_LABEL_SIGNIN_URI) is not None and snap.row(S.ROW_LABEL_SIGNIN_NONCE) is not None


def displayed_sign_in(snap: Snapshot, method: str) -> DisplayedSignIn:
    def field(label: str) -> str:
        return collapse(snap.row(label) or "")

    message = collapse(snap.row(S.ROW_LABEL_MESSAGE) or "")
    uri = field(S.ROW_LABEL_SIGNIN_URI)
    # The "Message" row's text is the statement, then the field rows it holds: the statement is what comes
    # before the first of them (a statement that itself holds "URL <uri>" is cut short there, and then no
    # longer matches what was asked: refused, never passed).
    marker = f"{S.ROW_LABEL_SIGNIN_URI} {uri}"
    statement = message.split(marker, 1)[0].strip() if marker in message else ""
    return DisplayedSignIn(
        method=method,
        origin=snap.origin(),
        text=message,
        network=snap.network(),
        alerts=snap.alerts,
        statement=statement,
        uri=uri,
        version=field(S.ROW_LABEL_SIGNIN_VERSION),
        chain_id=field(S.ROW_LABEL_SIGNIN_CHAIN_ID),
        nonce=field(S.ROW_LABEL_SIGNIN_NONCE),
        issued=field(S.ROW_LABEL_SIGNIN_ISSUED),
        account=field(S.ROW_LABEL_SIGNIN_ACCOUNT),
    )
