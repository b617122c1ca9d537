"""The chain as the session's own RPC reports it (web3.py), never as a browser page reports it.

Requests go through the driver's own page of the dApp's origin, which no dApp code runs in; still, what comes
back through a page is only a claim (a browser is a large attack surface, and the check is cheap). The worker
checks a transaction's hash here: the transaction exists, was sent by the wallet, and is exactly what was
asked; receipts come from here too. Calls time out and are retried with
backoff on connection errors (tenacity); an RPC that stays unreachable raises ChainUnavailable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential
from web3 import Web3
from web3.exceptions import ContractLogicError, TransactionNotFound

RPC_TIMEOUT_SECONDS = 5.0
RPC_ATTEMPTS = 4
ERC20_DECIMALS = "0x313ce567"  # decimals()
MAX_TOKEN_DECIMALS = 36


class ChainUnavailable(Exception):
    """The session's RPC did not answer (after retries)."""


@dataclass(frozen=True)
class ChainTransaction:
    tx_hash: str
    sender: str
    to: str | None
    value_wei: int
    data: str  # 0x-prefixed, lowercase; "0x" for none
    nonce: int
    chain_id: int | None
    max_fee_per_gas: int | None = None  # EIP-1559 max fee, or a legacy transaction's gas price
    max_priority_fee_per_gas: int | None = None


@dataclass(frozen=True)
class ChainReceipt:
    block_number: int
    status: int
    gas_used: int


class Chain:
    """Reads of one RPC endpoint (the session's network)."""

    def __init__(
        self, rpc_url: str, *, timeout: float = RPC_TIMEOUT_SECONDS, attempts: int = RPC_ATTEMPTS
    ) -> None:
        self.rpc_url = rpc_url
        self._w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}))
        self._attempts = attempts

    def _call(self, fn: Any, *args: Any) -> Any:
        retrying = Retrying(
            stop=stop_after_attempt(self._attempts),
            wait=wait_exponential(multiplier=0.2, max=2.0),
            retry=retry_if_exception_type((requests.ConnectionError, requests.Timeout)),
            reraise=True,
        )
        try:
            return retrying(fn, *args)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise ChainUnavailable(f"RPC {self.rpc_url} unreachable: {type(exc).__name__}") from exc

    def chain_id(self) -> int:
        return int(self._call(lambda: self._w3.eth.chain_id))

    def nonce(self, address: str, block: str = "pending") -> int:
        return int(self._call(self._w3.eth.get_transaction_count, Web3.to_checksum_address(address), block))

    def transaction(self, tx_hash: str) -> ChainTransaction | None:
        """The transaction with this hash, mined or pending; None if the node does not know it."""
        try:
            tx = self._call(self._w3.eth.get_transaction, tx_hash)
        except TransactionNotFound:
            return None
        data = tx.get("input", b"")
        data_hex = data.hex() if isinstance(data, bytes) else str(data)
        if not data_hex.startswith("0x"):
            data_hex = "0x" + data_hex
        chain_id = tx.get("chainId")
        return ChainTransaction(
            tx_hash=tx_hash,
            sender=str(tx["from"]),
            to=str(tx["to"]) if tx.get("to") else None,
            value_wei=int(tx["value"]),
            data=data_hex.lower(),
            nonce=int(tx["nonce"]),
            chain_id=int(chain_id) if chain_id is not None else None,
            max_fee_per_gas=_int_or_none(tx.get("maxFeePerGas", tx.get("gasPrice"))),
            max_priority_fee_per_gas=_int_or_none(tx.get("maxPriorityFeePerGas")),
        )

    def find_by_nonce(self, sender: str, nonce: int, *, lookback_blocks: int = 1000) -> str | None:
        """The hash of the mined transaction of ``sender`` with ``nonce``, searched in the last
        ``lookback_blocks`` blocks (newest first); None if not found there."""
        sender = sender.lower()
        latest = int(self._call(lambda: self._w3.eth.block_number))
        for number in range(latest, max(-1, latest - lookback_blocks), -1):
            block = self._call(self._w3.eth.get_block, number, True)
            for tx in block["transactions"]:
                if str(tx["from"]).lower() == sender and int(tx["nonce"]) == nonce:
                    raw = tx["hash"]
                    return "0x" + raw.hex().removeprefix("0x") if isinstance(raw, bytes) else str(raw)
        return None

    def erc20_decimals(self, token: str) -> int | None:
        """The token's ``decimals()``; None when the contract does not answer it with a number up to 36
        (no code there, a revert, or an answer that is not one)."""
        call = {"to": Web3.to_checksum_address(token), "data": ERC20_DECIMALS}
        try:
            raw = self._call(self._w3.eth.call, call)
        except (ValueError, ContractLogicError):
            return None
        value = int.from_bytes(raw, "big") if raw and len(raw) <= 32 else None
        return value if value is not None and value <= MAX_TOKEN_DECIMALS else None

    def receipt(self, tx_hash: str) -> ChainReceipt | None:
        try:
            receipt = self._call(self._w3.eth.get_transaction_receipt, tx_hash)
        except TransactionNotFound:
            return None
        return ChainReceipt(
            block_number=int(receipt["blockNumber"]),
            status=int(receipt["status"]),
            gas_used=int(receipt["gasUsed"]),
        )


def chain_of_network(network: dict[str, Any] | None) -> Chain | None:
    """The Chain of a stored network (a session's, or the one a transaction was accepted on); None when
    it has no RPC."""
    rpc_url = (network or {}).get("rpc_url")
    return Chain(str(rpc_url)) if rpc_url else None


def _int_or_none(value: object) -> int | None:
    return None if value is None else int(str(value), 0) if isinstance(value, str) else int(value)  # type: ignore[call-overload]


def transaction_mismatch(
    tx: ChainTransaction,
    *,
    sender: str,
    to: str,
    value_wei: int,
    data: str,
    chain_id: int | None,
    max_fee_per_gas: int | None = None,
    max_priority_fee_per_gas: int | None = None,
) -> str | None:
    """None if the chain's transaction is exactly the requested one, else what differs (fee caps only
    where the request set them)."""
    wanted_data = (data or "0x").lower()
    checks = (
        ("sender", tx.sender.lower(), sender.lower()),
        ("recipient", (tx.to or "").lower(), to.lower()),
        ("value", tx.value_wei, value_wei),
        ("calldata", tx.data, wanted_data),
    )
    for what, got, wanted in checks:
        if got != wanted:
            return f"{what} on chain is {got!r}, requested {wanted!r}"
    if chain_id is not None and tx.chain_id is not None and tx.chain_id != chain_id:
        return f"chain id on chain is {tx.chain_id}, the session's is {chain_id}"
    fees = (
        ("max fee per gas", tx.max_fee_per_gas, max_fee_per_gas),
        ("max priority fee per gas", tx.max_priority_fee_per_gas, max_priority_fee_per_gas),
    )
    for fee, on_chain, requested in fees:
        if requested is not None and on_chain != requested:
            return f"{fee} on chain is {on_chain!r} wei, requested {requested!r}"
    return None
