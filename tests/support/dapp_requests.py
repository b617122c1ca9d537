"""What MetaMask's test dApp (@metamask/test-dapp, 9.9.0) asks for when its buttons are clicked, for tests to
check what was signed against."""

from __future__ import annotations

from typing import Any

PERMIT_SPENDER = "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4"
PERMIT_TOKEN = "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"


def sign_permit_request(*, chain_id: int, owner: str) -> dict[str, Any]:
    """The EIP-2612 Permit its "Sign Permit" button (#signPermit) asks ``owner`` to sign on ``chain_id``."""
    return {
        "primaryType": "Permit",
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Permit": [
                {"name": "owner", "type": "address"},
                {"name": "spender", "type": "address"},
                {"name": "value", "type": "uint256"},
                {"name": "nonce", "type": "uint256"},
                {"name": "deadline", "type": "uint256"},
            ],
        },
        "domain": {"chainId": chain_id, "name": "MyToken", "verifyingContract": PERMIT_TOKEN, "version": "1"},
        "message": {
            "owner": owner,
            "spender": PERMIT_SPENDER,
            "value": 3000,
            "nonce": 0,
            "deadline": 50000000000,
        },
    }
