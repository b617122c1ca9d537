"""The dApp requests the driver sends to MetaMask: method, params and the approval screens each may show.

One builder per request, shared by WalletBrowser's own methods (the driver suite, benches) and by the
service's action registry (wallets/actions/), so each request's wire format is written once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from automation.metamask.approvals import CONFIRMATION, CONNECT, PERMISSION, SIGNATURE, TOKEN, TRANSACTION
from automation.models import NetworkSpec, RpcParams, TxRequest


@dataclass(frozen=True)
class DappRequest:
    """An EIP-1193 request and the approval kinds MetaMask may show for it (any other kind is rejected)."""

    name: str  # the action's name in logs, metrics and failure artifacts
    method: str
    params: RpcParams
    approvals: tuple[str, ...]


def request_accounts() -> DappRequest:
    return DappRequest("connect", "eth_requestAccounts", [], (CONNECT,))


def add_chain(network: NetworkSpec) -> DappRequest:
    params = {
        "chainId": hex(network.chain_id),
        "chainName": network.name,
        "rpcUrls": [network.rpc_url],
        "nativeCurrency": {
            "name": network.currency_symbol,
            "symbol": network.currency_symbol,
            "decimals": 18,
        },
    }
    return DappRequest("ensure_network", "wallet_addEthereumChain", [params], (CONFIRMATION, PERMISSION))


def switch_chain(chain_id: int) -> DappRequest:
    return DappRequest(
        "ensure_network",
        "wallet_switchEthereumChain",
        [{"chainId": hex(chain_id)}],
        (PERMISSION, CONFIRMATION),
    )


def personal_sign(message: str, address: str) -> DappRequest:
    payload = "0x" + message.encode("utf-8").hex()
    return DappRequest("personal_sign", "personal_sign", [payload, address], (SIGNATURE,))


def sign_in(message: str, address: str) -> DappRequest:
    """personal_sign of an EIP-4361 message, which MetaMask shows on its sign-in screen."""
    payload = "0x" + message.encode("utf-8").hex()
    return DappRequest("sign_in", "personal_sign", [payload, address], (SIGNATURE,))


def sign_typed_data_v4(typed_data: dict[str, Any], address: str) -> DappRequest:
    return DappRequest(
        "sign_typed_data_v4", "eth_signTypedData_v4", [address, json.dumps(typed_data)], (SIGNATURE,)
    )


def send_transaction(tx: TxRequest, sender: str) -> DappRequest:
    params: dict[str, Any] = {"from": sender, "to": tx.to, "value": hex(tx.value_wei)}
    if tx.data:
        params["data"] = tx.data
    if tx.gas:
        params["gas"] = hex(tx.gas)
    if tx.max_fee_per_gas is not None:
        params["maxFeePerGas"] = hex(tx.max_fee_per_gas)
    if tx.max_priority_fee_per_gas is not None:
        params["maxPriorityFeePerGas"] = hex(tx.max_priority_fee_per_gas)
    return DappRequest("send_transaction", "eth_sendTransaction", [params], (TRANSACTION,))


def watch_asset(address: str, symbol: str, decimals: int) -> DappRequest:
    """wallet_watchAsset of an ERC-20 (EIP-747: params is an object). No image: MetaMask would fetch it."""
    options = {"address": address, "symbol": symbol, "decimals": decimals}
    return DappRequest("watch_asset", "wallet_watchAsset", {"type": "ERC20", "options": options}, (TOKEN,))
