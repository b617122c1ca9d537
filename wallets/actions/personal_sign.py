"""personal_sign: a UTF-8 message, shown as text on MetaMask's signature screen."""

from __future__ import annotations

from eth_account import Account
from eth_account.messages import encode_defunct

from automation import DisplayedSignature, requests
from automation.requests import DappRequest
from wallets import verification
from wallets.actions.base import Asked, SignatureAction
from wallets.models import SignatureRequest


class PersonalSign(SignatureAction):
    name = "personal_sign"
    key = SignatureRequest.Method.PERSONAL_SIGN

    def request(self, asked: Asked[SignatureRequest]) -> DappRequest:
        return requests.personal_sign(str(asked.row.payload), asked.address)

    def check(self, shown: DisplayedSignature, asked: Asked[SignatureRequest]) -> str | None:
        return verification.personal_sign_reason(
            shown, message=str(asked.row.payload), dapp_origin=asked.dapp_origin
        )

    def signer(self, asked: Asked[SignatureRequest], signature: str) -> str:
        """The address the signature recovers to over the requested message."""
        return str(Account.recover_message(encode_defunct(text=str(asked.row.payload)), signature=signature))
