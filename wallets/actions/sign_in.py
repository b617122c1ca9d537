"""Sign-In with Ethereum (EIP-4361): the message the service built for the session (wallets/signin.py),
sent as personal_sign, which MetaMask shows on its sign-in screen; every field it shows is checked."""

from __future__ import annotations

from eth_account import Account
from eth_account.messages import encode_defunct

from automation import DisplayedSignIn, requests
from automation.requests import DappRequest
from wallets import verification
from wallets.actions.base import Asked, SignatureAction
from wallets.models import SignatureRequest
from wallets.signin import sign_in_fields


class SignIn(SignatureAction):
    name = "sign_in"
    key = SignatureRequest.Method.SIGN_IN
    shown = DisplayedSignIn

    def request(self, asked: Asked[SignatureRequest]) -> DappRequest:
        return requests.sign_in(str(asked.row.payload), asked.address)

    def check(self, shown: DisplayedSignIn, asked: Asked[SignatureRequest]) -> str | None:  # type: ignore[override]
        return verification.sign_in_reason(
            shown, asked=sign_in_fields(str(asked.row.payload)), dapp_origin=asked.dapp_origin
        )

    def signer(self, asked: Asked[SignatureRequest], signature: str) -> str:
        return str(Account.recover_message(encode_defunct(text=str(asked.row.payload)), signature=signature))
