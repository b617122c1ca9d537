"""eth_signTypedData_v4: EIP-712 typed data, shown field by field on MetaMask's signature screen."""

from __future__ import annotations

from eth_account import Account
from eth_account.messages import encode_typed_data

from automation import DisplayedSignature, requests
from automation.requests import DappRequest
from wallets import verification
from wallets.actions.base import Asked, SignatureAction
from wallets.models import SignatureRequest


class TypedDataV4(SignatureAction):
    name = "sign_typed_data_v4"
    key = SignatureRequest.Method.SIGN_TYPED_DATA_V4

    def request(self, asked: Asked[SignatureRequest]) -> DappRequest:
        return requests.sign_typed_data_v4(dict(asked.row.payload), asked.address)

    def check(self, shown: DisplayedSignature, asked: Asked[SignatureRequest]) -> str | None:
        return verification.typed_data_reason(
            shown,
            typed_data=dict(asked.row.payload),
            dapp_origin=asked.dapp_origin,
            own_addresses=[asked.address],
        )

    def signer(self, asked: Asked[SignatureRequest], signature: str) -> str:
        """The address the signature recovers to over the requested typed data."""
        message = encode_typed_data(full_message=asked.row.payload)
        return str(Account.recover_message(message, signature=signature))
