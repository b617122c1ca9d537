"""EIP-712 sample requests for the demo and the tests.

Each caller keeps its own struct types and message (they exercise different shapes); only the EIP712Domain
part, which every sample writes the same way, lives here.
"""

from __future__ import annotations

from typing import Any

# Every domain field a sample may use, in the order EIP-712 lists them.
EIP712_DOMAIN_TYPE: list[dict[str, str]] = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]

# Anvil's default chain id, and an address no contract lives at (nothing on the test chain verifies it).
DEFAULT_CHAIN_ID = 31337
DEFAULT_VERIFYING_CONTRACT = "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"


def typed_data(
    *,
    primary_type: str,
    types: dict[str, list[dict[str, str]]],
    message: dict[str, Any],
    domain_name: str,
    version: str | None = "1",
    chain_id: int | None = DEFAULT_CHAIN_ID,
    verifying_contract: str = DEFAULT_VERIFYING_CONTRACT,
) -> dict[str, Any]:
    """An eth_signTypedData_v4 payload; a domain field passed as None is left out of both domain and type."""
    fields: dict[str, Any] = {
        "name": domain_name,
        "version": version,
        "chainId": chain_id,
        "verifyingContract": verifying_contract,
    }
    domain = {key: value for key, value in fields.items() if value is not None}
    # Copies, so a test that edits its payload cannot change the shared constant.
    domain_type = [dict(field) for field in EIP712_DOMAIN_TYPE if field["name"] in domain]
    return {
        "types": {"EIP712Domain": domain_type, **types},
        "primaryType": primary_type,
        "domain": domain,
        "message": message,
    }
