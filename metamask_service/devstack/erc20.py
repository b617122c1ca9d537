"""An ERC-20 token on the local anvil chain: OpenZeppelin's ERC20PresetFixedSupply, as built by the
@openzeppelin/contracts package that `npm ci` installs (its bytecode, unmodified), deployed from anvil's
own unlocked account. For the demo and the tests: a token MetaMask can read (symbol, decimals, balance)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from eth_abi import encode
from eth_utils import to_checksum_address

from automation.polling import wait_until
from metamask_service.devstack.anvil import Anvil
from metamask_service.devstack.static_server import repo_root

_ARTIFACT = "node_modules/@openzeppelin/contracts/build/contracts/ERC20PresetFixedSupply.json"


@cache
def _artifact() -> dict[str, Any]:
    path = repo_root() / _ARTIFACT
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found; run `npm ci`")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def deploy_erc20(anvil: Anvil, *, name: str, symbol: str, supply: int, owner: str) -> str:
    """Deploys the token with ``supply`` base units minted to ``owner`` (18 decimals); returns its address
    once mined."""
    args = encode(["string", "string", "uint256", "address"], [name, symbol, supply, owner])
    data = _artifact()["bytecode"] + args.hex()
    deployer = anvil.rpc("eth_accounts")[0]
    tx_hash = anvil.rpc("eth_sendTransaction", [{"from": deployer, "data": data, "gas": hex(3_000_000)}])
    receipt = wait_until(
        "the token's deployment receipt",
        lambda: anvil.rpc("eth_getTransactionReceipt", [tx_hash]),
        10.0,
        interval=0.05,
    )
    if int(receipt["status"], 16) != 1:
        raise RuntimeError(f"token deployment failed: {receipt}")
    return str(to_checksum_address(receipt["contractAddress"]))
