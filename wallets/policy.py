"""A wallet's policy and the decision on a request: pure functions (no Django, no browser).

Two kinds of rule. Limits apply only where the policy sets them, and then deny by default: an origin, chain,
contract or method selector that is not listed is refused, a value above a cap is refused. Hard bans apply
to every wallet: an unlimited ERC-20 / Permit2 approval, a Permit-style signature without a deadline (or
above the policy's cap), and typed data whose domain names another chain than the session's.

``transaction_decision``, ``signature_decision`` and ``network_decision`` return None (allowed) or the reason
it is blocked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

UINT256_MAX = 2**256 - 1
# An approval this large is unlimited in effect (no token's supply comes near 2**255).
UNLIMITED_APPROVAL = 2**255
UINT160_MAX = 2**160 - 1
# ERC-20 approve(address,uint256) / increaseAllowance(address,uint256);
# Permit2 approve(address,address,uint160,uint48)
ERC20_APPROVE = "0x095ea7b3"
ERC20_INCREASE_ALLOWANCE = "0x39509351"
PERMIT2_APPROVE = "0x87517c45"
PERMIT_TYPES = frozenset(
    {
        "Permit",
        "PermitSingle",
        "PermitBatch",
        "PermitTransferFrom",
        "PermitBatchTransferFrom",
        "PermitWitnessTransferFrom",
    }
)
DEADLINE_FIELDS = ("deadline", "sigDeadline", "expiration", "expiry")
AMOUNT_FIELDS = ("value", "amount")


@dataclass(frozen=True)
class Policy:
    """None: the rule is not set (no limit from it). A set rule denies what it does not list."""

    allowed_origins: frozenset[str] | None = None
    allowed_chain_ids: frozenset[int] | None = None
    max_value_wei_per_tx: int | None = None
    max_value_wei_per_24h: int | None = None
    allowed_contracts: frozenset[str] | None = None  # lowercase addresses
    allowed_selectors: frozenset[str] | None = None  # lowercase "0x" + 8 hex
    max_permit_amount: int | None = None
    max_fee_per_gas_wei: int | None = None  # the EIP-1559 max fee (or legacy gas price) a transaction may bid

    @classmethod
    def of(cls, **fields: Any) -> Policy:
        """From stored values (lists, strings); empty lists and None mean "not set"."""

        def norm(values: Iterable[Any] | None, kind: Any = str) -> frozenset[Any] | None:
            if not values:
                return None
            return frozenset(kind(v).lower() if kind is str else kind(v) for v in values)

        def amount(value: Any) -> int | None:
            return None if value is None else int(value)

        return cls(
            allowed_origins=norm(fields.get("allowed_origins")),
            allowed_chain_ids=norm(fields.get("allowed_chain_ids"), int),
            max_value_wei_per_tx=amount(fields.get("max_value_wei_per_tx")),
            max_value_wei_per_24h=amount(fields.get("max_value_wei_per_24h")),
            allowed_contracts=norm(fields.get("allowed_contracts")),
            allowed_selectors=norm(fields.get("allowed_selectors")),
            max_permit_amount=amount(fields.get("max_permit_amount")),
            max_fee_per_gas_wei=amount(fields.get("max_fee_per_gas_wei")),
        )


@dataclass(frozen=True)
class TransactionAsk:
    origin: str
    chain_id: int | None
    to: str
    value_wei: int
    data: str  # "" or 0x-hex
    spent_24h_wei: int  # value of this wallet's other transactions in the last 24 h (sent or on their way)
    max_fee_per_gas: int | None = None  # the fee cap the request sets (None: MetaMask chooses)


@dataclass(frozen=True)
class SignatureAsk:
    origin: str
    chain_id: int | None
    method: str
    typed_data: Mapping[str, Any] | None


@dataclass(frozen=True)
class NetworkAsk:
    origin: str
    chain_id: int  # the chain the session's dApp would be switched to


def _common(policy: Policy, origin: str, chain_id: int | None) -> str | None:
    if policy.allowed_origins is not None and origin.lower().rstrip("/") not in policy.allowed_origins:
        return f"origin {origin} is not among the wallet's allowed origins"
    if policy.allowed_chain_ids is not None and chain_id not in policy.allowed_chain_ids:
        return f"chain {chain_id} is not among the wallet's allowed chains"
    return None


def calldata_words(data: str) -> list[int]:
    """The 32-byte words after the method selector of ``data`` (hex), as integers."""
    body = data[10:]
    return [int(body[i : i + 64] or "0", 16) for i in range(0, len(body), 64)]


def _approval_ban(data: str) -> str | None:
    selector = data[:10]
    words = calldata_words(data)
    erc20 = selector in (ERC20_APPROVE, ERC20_INCREASE_ALLOWANCE)
    if erc20 and len(words) >= 2 and words[1] >= UNLIMITED_APPROVAL:
        return "an unlimited token approval is never signed"
    if selector == PERMIT2_APPROVE and len(words) >= 3 and words[2] >= UINT160_MAX:
        return "an unlimited Permit2 approval is never signed"
    return None


def transaction_decision(policy: Policy, ask: TransactionAsk) -> str | None:
    if reason := _common(policy, ask.origin, ask.chain_id):
        return reason
    data = (ask.data or "").lower()
    if data and data != "0x":
        if len(data) < 10:
            return "calldata shorter than a method selector"
        if reason := _approval_ban(data):
            return reason
        if policy.allowed_contracts is not None and ask.to.lower() not in policy.allowed_contracts:
            return f"contract {ask.to} is not among the wallet's allowed contracts"
        if policy.allowed_selectors is not None and data[:10] not in policy.allowed_selectors:
            return f"method {data[:10]} is not among the wallet's allowed methods"
    if policy.max_fee_per_gas_wei is not None:
        # Deny by default: without a cap in the request MetaMask would choose the fee itself.
        if ask.max_fee_per_gas is None:
            return "the wallet's policy caps the fee per gas: the request must set max_fee_per_gas_wei"
        if ask.max_fee_per_gas > policy.max_fee_per_gas_wei:
            return f"max fee per gas {ask.max_fee_per_gas} wei is above the wallet's cap"
    if policy.max_value_wei_per_tx is not None and ask.value_wei > policy.max_value_wei_per_tx:
        return f"value {ask.value_wei} wei is above the wallet's limit per transaction"
    if (
        policy.max_value_wei_per_24h is not None
        and ask.spent_24h_wei + ask.value_wei > policy.max_value_wei_per_24h
    ):
        return f"value would bring the last 24 h to {ask.spent_24h_wei + ask.value_wei} wei, above the limit"
    return None


def _as_int(value: Any) -> int | None:
    try:
        return int(str(value), 0) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        return None


def _typed_bans(policy: Policy, typed: Mapping[str, Any], chain_id: int | None) -> str | None:
    domain = typed.get("domain") or {}
    domain_chain = _as_int(domain.get("chainId")) if "chainId" in domain else None
    if "chainId" in domain and domain_chain != chain_id:
        return f"typed data for chain {domain.get('chainId')} on a session on chain {chain_id}"
    contract = str(domain.get("verifyingContract") or "").lower()
    if policy.allowed_contracts is not None and contract and contract not in policy.allowed_contracts:
        return f"verifying contract {contract} is not among the wallet's allowed contracts"
    if str(typed.get("primaryType")) not in PERMIT_TYPES:
        return None
    message = typed.get("message") or {}
    details = message.get("details")
    fields = {**(details if isinstance(details, Mapping) else {}), **message}
    deadline = next((_as_int(fields[f]) for f in DEADLINE_FIELDS if f in fields), None)
    if not deadline:
        return "a permit signature without a deadline is never signed"
    amount = next((_as_int(fields[f]) for f in AMOUNT_FIELDS if f in fields), None)
    if amount is not None and amount >= UNLIMITED_APPROVAL:
        return "an unlimited permit is never signed"
    if policy.max_permit_amount is not None and (amount is None or amount > policy.max_permit_amount):
        return "permit amount above the wallet's cap"
    return None


def signature_decision(policy: Policy, ask: SignatureAsk) -> str | None:
    if reason := _common(policy, ask.origin, ask.chain_id):
        return reason
    if ask.typed_data is not None:
        return _typed_bans(policy, ask.typed_data, ask.chain_id)
    return None


def network_decision(policy: Policy, ask: NetworkAsk) -> str | None:
    """A switch to a chain the policy does not allow is refused before MetaMask is asked: every later
    request would be made on it."""
    return _common(policy, ask.origin, ask.chain_id)
