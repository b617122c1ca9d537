"""The policy decision (wallets/policy.py) over generated requests: limits deny by default where set, hard
bans hold for every wallet, and adding a rule never lets through what was blocked."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from wallets.policy import (
    ERC20_APPROVE,
    UNLIMITED_APPROVAL,
    Policy,
    SignatureAsk,
    TransactionAsk,
    signature_decision,
    transaction_decision,
)

ORIGINS = st.sampled_from(["http://127.0.0.1:8545", "https://app.example", "https://evil.example"])
ADDRESSES = st.sampled_from(
    ["0x70997970c51812dc3a010c7d01b50e0d17dc79c8", "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc"]
)
SELECTORS = st.sampled_from(["0xa9059cbb", "0x23b872dd", "0x12345678"])  # transfer, transferFrom, other
WEI = st.integers(min_value=0, max_value=10**24)
GWEI_FEES = st.integers(min_value=0, max_value=500 * 10**9)


def word(n: int) -> str:
    return f"{n:064x}"


@st.composite
def calldata(draw: Any) -> str:
    if draw(st.booleans()):
        return ""
    return draw(SELECTORS) + word(int(draw(ADDRESSES), 16)) + word(draw(WEI))


@st.composite
def transactions(draw: Any) -> TransactionAsk:
    return TransactionAsk(
        origin=draw(ORIGINS),
        chain_id=draw(st.sampled_from([1, 31337, 8453])),
        to=draw(ADDRESSES),
        value_wei=draw(WEI),
        data=draw(calldata()),
        spent_24h_wei=draw(WEI),
        max_fee_per_gas=draw(st.one_of(st.none(), GWEI_FEES)),
    )


@st.composite
def policies(draw: Any) -> Policy:
    maybe = lambda s: st.one_of(st.none(), s)  # noqa: E731
    return Policy(
        allowed_origins=draw(maybe(st.frozensets(ORIGINS, min_size=1))),
        allowed_chain_ids=draw(maybe(st.frozensets(st.sampled_from([1, 31337, 8453]), min_size=1))),
        max_value_wei_per_tx=draw(maybe(WEI)),
        max_value_wei_per_24h=draw(maybe(WEI)),
        allowed_contracts=draw(maybe(st.frozensets(ADDRESSES, min_size=1))),
        allowed_selectors=draw(maybe(st.frozensets(SELECTORS, min_size=1))),
        max_fee_per_gas_wei=draw(maybe(GWEI_FEES)),
    )


def expected(policy: Policy, ask: TransactionAsk) -> bool:
    """The rules written out independently of the implementation: allowed?"""
    checks = [
        policy.allowed_origins is None or ask.origin in policy.allowed_origins,
        policy.allowed_chain_ids is None or ask.chain_id in policy.allowed_chain_ids,
        policy.max_value_wei_per_tx is None or ask.value_wei <= policy.max_value_wei_per_tx,
        policy.max_value_wei_per_24h is None
        or ask.spent_24h_wei + ask.value_wei <= policy.max_value_wei_per_24h,
        # a fee cap in the policy needs one in the request, at most as high
        policy.max_fee_per_gas_wei is None
        or (ask.max_fee_per_gas is not None and ask.max_fee_per_gas <= policy.max_fee_per_gas_wei),
    ]
    if ask.data:
        checks += [
            policy.allowed_contracts is None or ask.to in policy.allowed_contracts,
            policy.allowed_selectors is None or ask.data[:10] in policy.allowed_selectors,
        ]
    return all(checks)


@settings(max_examples=400, deadline=None)
@given(policies(), transactions())
def test_transaction_decision_is_exactly_the_rules(policy: Policy, ask: TransactionAsk) -> None:
    assert (transaction_decision(policy, ask) is None) == expected(policy, ask)


@settings(max_examples=300, deadline=None)
@given(
    policies(),
    transactions(),
    st.sampled_from(["origins", "chains", "tx", "day", "contracts", "selectors", "fee"]),
)
def test_adding_a_rule_never_lets_through_what_was_blocked(
    policy: Policy, ask: TransactionAsk, rule: str
) -> None:
    def narrowed(current: frozenset[Any] | None, only: Any) -> frozenset[Any]:
        return frozenset({only}) if current is None else current & {only}

    def capped(current: int | None) -> int:
        return 0 if current is None else min(current, 0)

    fields = vars(policy)
    tighter = Policy(
        **{
            **fields,
            **{
                "origins": {"allowed_origins": narrowed(policy.allowed_origins, "https://app.example")},
                "chains": {"allowed_chain_ids": narrowed(policy.allowed_chain_ids, 8453)},
                "tx": {"max_value_wei_per_tx": capped(policy.max_value_wei_per_tx)},
                "day": {"max_value_wei_per_24h": capped(policy.max_value_wei_per_24h)},
                "contracts": {"allowed_contracts": narrowed(policy.allowed_contracts, "0x" + "1" * 40)},
                "selectors": {"allowed_selectors": narrowed(policy.allowed_selectors, "0xdeadbeef")},
                "fee": {"max_fee_per_gas_wei": capped(policy.max_fee_per_gas_wei)},
            }[rule],
        }
    )
    if transaction_decision(policy, ask) is not None:
        assert transaction_decision(tighter, ask) is not None


@settings(max_examples=200, deadline=None)
@given(policies(), ADDRESSES, st.integers(min_value=UNLIMITED_APPROVAL, max_value=2**256 - 1))
def test_an_unlimited_approval_is_blocked_by_every_policy(policy: Policy, spender: str, amount: int) -> None:
    permissive = Policy(**{**vars(policy), "allowed_selectors": frozenset({ERC20_APPROVE})})
    ask = TransactionAsk(
        "https://app.example", 1, spender, 0, ERC20_APPROVE + word(int(spender, 16)) + word(amount), 0
    )
    for p in (Policy(), Policy(allowed_selectors=frozenset({ERC20_APPROVE}))):
        assert "unlimited" in (transaction_decision(p, ask) or "")
    assert transaction_decision(permissive, ask) is not None  # blocked, by the ban or by another rule


def permit(deadline: Any, value: int, chain_id: int = 1) -> dict[str, Any]:
    message: dict[str, Any] = {
        "owner": "0x" + "1" * 40,
        "spender": "0x" + "2" * 40,
        "value": value,
        "nonce": 0,
    }
    if deadline is not None:
        message["deadline"] = deadline
    return {
        "primaryType": "Permit",
        "domain": {
            "name": "Token",
            "version": "1",
            "chainId": chain_id,
            "verifyingContract": "0x" + "3" * 40,
        },
        "types": {},
        "message": message,
    }


@given(st.sampled_from([None, 0, "0"]), st.integers(min_value=0, max_value=10**30))
def test_a_permit_without_deadline_is_blocked(deadline: Any, value: int) -> None:
    ask = SignatureAsk("https://app.example", 1, "eth_signTypedData_v4", permit(deadline, value))
    assert "deadline" in (signature_decision(Policy(), ask) or "")


@given(st.integers(min_value=1, max_value=2**48), st.integers(min_value=0, max_value=10**30), WEI)
def test_a_permit_with_deadline_passes_only_under_the_cap(deadline: int, value: int, cap: int) -> None:
    ask = SignatureAsk("https://app.example", 1, "eth_signTypedData_v4", permit(deadline, value))
    assert signature_decision(Policy(), ask) is None
    assert (signature_decision(Policy(max_permit_amount=cap), ask) is None) == (value <= cap)


@given(st.integers(min_value=1, max_value=10**6), st.integers(min_value=1, max_value=10**6))
def test_typed_data_for_another_chain_is_blocked(domain_chain: int, session_chain: int) -> None:
    data = {
        "primaryType": "Mail",
        "domain": {"name": "x", "chainId": hex(domain_chain)},
        "types": {},
        "message": {},
    }
    decision = signature_decision(Policy(), SignatureAsk("https://app.example", session_chain, "v4", data))
    assert (decision is None) == (domain_chain == session_chain)


def test_policy_of_stored_values_treats_empty_as_unset() -> None:
    policy = Policy.of(
        allowed_origins=[], allowed_chain_ids=[1], max_value_wei_per_tx=None, allowed_selectors=["0xA9059CBB"]
    )
    assert policy.allowed_origins is None
    assert policy.allowed_chain_ids == frozenset({1})
    assert policy.allowed_selectors == frozenset({"0xa9059cbb"})
