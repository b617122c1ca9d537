"""What a flow's caller expects MetaMask to show, by kind: kind -> expectation (pure: no Django, no browser).

Each kind says which approval screens it may be shown as, which request its screen is read as, what its
caller may state (``clean``), and the check of a screen against that and the wallet's policy (``check``:
None approves, a reason refuses). A flow's requests are built by the dApp's page, so the checks work from
what MetaMask shows alone, and refuse what they cannot read in full (calldata decoded, an amount rounded
without its full value, a permit the caller did not state in full).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar

from wallets import policy as P
from wallets.exceptions import ValidationFailed
from wallets.validators import validate_address, validate_network, validate_typed_data

if TYPE_CHECKING:  # the API validates flows too, and never loads the browser side (Selenium)
    from automation.models import (
        Displayed,
        DisplayedConnect,
        DisplayedNetwork,
        DisplayedSignature,
        DisplayedToken,
        DisplayedTransaction,
        NetworkSpec,
    )

# MetaMask's approval screens, as automation/metamask/approvals.py names them (tests/wallets/test_flows.py
# holds the two to the same names).
CONNECT, PERMISSION, SIGNATURE, TRANSACTION, CONFIRMATION, TOKEN = (
    "connect",
    "permission",
    "signature",
    "transaction",
    "confirmation",
    "token",
)


def _v() -> ModuleType:
    """wallets.verification, which reads automation's screen types: loaded by the worker's checks only."""
    from wallets import verification

    return verification


_SELECTOR_LEN = 10  # "0x" + 4 bytes


@dataclass
class FlowContext:
    """The session a flow runs on, as its checks need it."""

    dapp_origin: str
    chain_id: int | None
    network_name: str | None
    currency_symbol: str
    policy: P.Policy
    own_addresses: tuple[str, ...]
    spent_24h_wei: int = 0  # grows with each transaction the flow approves
    extra: dict[str, Any] = field(default_factory=dict)


class FlowExpectation:
    kind: ClassVar[str]
    kinds: ClassVar[tuple[str, ...]]  # the approval screens it may be shown as
    method: ClassVar[str]  # the request its screen is read as
    shown: ClassVar[str]  # the automation.models class its screen is read into
    own_fee: ClassVar[bool] = False

    @classmethod
    def clean(cls, fields: dict[str, Any]) -> dict[str, Any]:
        if fields:
            raise ValidationFailed(f"a {cls.kind} expectation takes no {', '.join(sorted(fields))}")
        return {}

    @classmethod
    def check(cls, shown: Any, asked: dict[str, Any], ctx: FlowContext) -> str | None:
        raise NotImplementedError

    @classmethod
    def verify(cls, shown: Displayed, asked: dict[str, Any], ctx: FlowContext) -> str | None:
        """MetaMask's warnings, the session's network, then the kind's own check."""
        if type(shown).__name__ != cls.shown:
            return f"MetaMask shows a {type(shown).__name__} screen, expected {cls.kind}"
        own_fee = cls.own_fee and asked.get("max_fee_wei") is not None
        V = _v()
        return (
            V.alerts_reason(shown, own_fee=own_fee)
            or V.shown_network_reason(shown, ctx.network_name)
            or cls.check(shown, asked, ctx)
        )


def _only(fields: dict[str, Any], allowed: set[str], kind: str) -> None:
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValidationFailed(
            f"a {kind} expectation takes {', '.join(sorted(allowed))}; not {', '.join(unknown)}"
        )


def _wei(fields: dict[str, Any], name: str, default: int | None) -> int | None:
    value = fields.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit():
        raise ValidationFailed(f"{name} must be a non-negative integer (a string for large values)")
    if int(value) >= 2**256:
        raise ValidationFailed(f"{name} must be below 2**256")
    return int(value)


class Connect(FlowExpectation):
    kind, kinds, method, shown = "connect", (CONNECT,), "eth_requestAccounts", "DisplayedConnect"

    @classmethod
    def check(cls, shown: DisplayedConnect, asked: dict[str, Any], ctx: FlowContext) -> str | None:
        V = _v()
        return V.connect_reason(shown, dapp_origin=ctx.dapp_origin) or P.signature_decision(
            ctx.policy, P.SignatureAsk(ctx.dapp_origin, ctx.chain_id, "eth_requestAccounts", None)
        )


class PersonalSign(FlowExpectation):
    """A personal_sign; ``message``: the exact text it must show (else any message from the origin)."""

    kind, kinds, method, shown = "personal_sign", (SIGNATURE,), "personal_sign", "DisplayedSignature"

    @classmethod
    def clean(cls, fields: dict[str, Any]) -> dict[str, Any]:
        _only(fields, {"message"}, cls.kind)
        if "message" not in fields:
            return {}
        if not isinstance(fields["message"], str) or not 0 < len(fields["message"]) <= 10_000:
            raise ValidationFailed("message must be a string of 1 to 10000 characters")
        return {"message": fields["message"]}

    @classmethod
    def check(cls, shown: DisplayedSignature, asked: dict[str, Any], ctx: FlowContext) -> str | None:
        V = _v()
        if reason := V.origin_reason(shown.origin, ctx.dapp_origin):
            return reason
        if shown.method != "personal_sign":
            return f"MetaMask shows a {shown.method} request, expected personal_sign"
        if "message" in asked and V.collapse(shown.text) != V.collapse(asked["message"]):
            return "the message MetaMask shows differs from the expected message"
        return P.signature_decision(
            ctx.policy, P.SignatureAsk(ctx.dapp_origin, ctx.chain_id, cls.method, None)
        )


class TypedData(FlowExpectation):
    """eth_signTypedData_v4: its ``primary_type`` and, where stated, its ``verifying_contract``; or the whole
    ``typed_data``, checked field by field like an API-built request. A permit is accepted only in full:
    the policy's permit bans need its deadline and amount, which a screen alone does not give exactly."""

    kind, kinds, method, shown = "typed_data", (SIGNATURE,), "eth_signTypedData_v4", "DisplayedSignature"

    @classmethod
    def clean(cls, fields: dict[str, Any]) -> dict[str, Any]:
        _only(fields, {"primary_type", "verifying_contract", "typed_data"}, cls.kind)
        if "typed_data" in fields:
            typed = validate_typed_data(fields["typed_data"])
            return {"typed_data": typed, "primary_type": str(typed["primaryType"])}
        primary = fields.get("primary_type")
        if not isinstance(primary, str) or not 0 < len(primary) <= 100:
            raise ValidationFailed("primary_type (or the whole typed_data) is required")
        if primary in P.PERMIT_TYPES:
            raise ValidationFailed(f"a {primary} is accepted only in full: give typed_data")
        out: dict[str, Any] = {"primary_type": primary}
        if "verifying_contract" in fields:
            out["verifying_contract"] = validate_address(str(fields["verifying_contract"]))
        return out

    @classmethod
    def check(cls, shown: DisplayedSignature, asked: dict[str, Any], ctx: FlowContext) -> str | None:
        V = _v()
        if "typed_data" in asked:
            typed = asked["typed_data"]
            reason = V.typed_data_reason(
                shown, typed_data=typed, dapp_origin=ctx.dapp_origin, own_addresses=ctx.own_addresses
            )
            return reason or P.signature_decision(
                ctx.policy, P.SignatureAsk(ctx.dapp_origin, ctx.chain_id, cls.method, typed)
            )
        if reason := V.origin_reason(shown.origin, ctx.dapp_origin):
            return reason
        if shown.method != cls.method:
            return f"MetaMask shows a {shown.method} request, expected {cls.method}"
        tokens = V.collapse(shown.text).split(" ")
        primary = asked["primary_type"]
        if not any(tokens[k : k + 3] == ["Primary", "type:", primary] for k in range(len(tokens))):
            return f"primary type {primary!r} is not shown"
        contract = asked.get("verifying_contract")
        if contract is None and ctx.policy.allowed_contracts is not None:
            return "the wallet's policy lists contracts: the expectation must name the verifying contract"
        if contract is not None and not any(
            V.address_matches(a, contract) for a in V.addresses_shown(shown.text)
        ):
            return "the verifying contract is not shown"
        domain = {"verifyingContract": contract} if contract else {}
        typed = {"primaryType": primary, "domain": domain}
        return P.signature_decision(
            ctx.policy, P.SignatureAsk(ctx.dapp_origin, ctx.chain_id, cls.method, typed)
        )


class Transaction(FlowExpectation):
    """eth_sendTransaction: ``to`` (absent: a contract creation), ``selector`` (absent: no calldata, unless
    a creation), ``max_value_wei`` (default 0), for an ERC-20 approve or increaseAllowance ``spender`` and
    ``max_amount`` (the most the dApp may ask), for an approve ``spender`` and ``amount`` instead (exactly
    this cap: MetaMask's spending cap is edited to it whatever the dApp proposes), and ``max_fee_wei`` (the
    most it may pay for gas; MetaMask's advice on a fee the dApp set is then passed)."""

    kind, kinds, method, shown = "transaction", (TRANSACTION,), "eth_sendTransaction", "DisplayedTransaction"
    own_fee = True

    @classmethod
    def clean(cls, fields: dict[str, Any]) -> dict[str, Any]:
        allowed = {"to", "selector", "max_value_wei", "spender", "max_amount", "amount", "max_fee_wei"}
        _only(fields, allowed, cls.kind)
        out: dict[str, Any] = {"max_value_wei": str(_wei(fields, "max_value_wei", 0))}
        if "to" in fields:
            out["to"] = validate_address(str(fields["to"]))
        if "selector" in fields:
            selector = str(fields["selector"]).lower()
            if len(selector) != _SELECTOR_LEN or not selector.startswith("0x") or not _is_hex(selector[2:]):
                raise ValidationFailed("selector must be 0x and 8 hex digits")
            out["selector"] = selector
        caps = [name for name in ("max_amount", "amount") if name in fields]
        if ("spender" in fields) != bool(caps):
            raise ValidationFailed("spender goes with max_amount or amount")
        if len(caps) > 1:
            raise ValidationFailed("max_amount and amount exclude each other")
        if "spender" in fields:
            if out.get("selector") not in (P.ERC20_APPROVE, P.ERC20_INCREASE_ALLOWANCE):
                raise ValidationFailed(
                    "spender and max_amount are for approve or increaseAllowance selectors"
                )
            if caps == ["amount"] and out["selector"] != P.ERC20_APPROVE:
                raise ValidationFailed("amount (an exact spending cap) is for the approve selector")
            out["spender"] = validate_address(str(fields["spender"]))
            out[caps[0]] = str(_wei(fields, caps[0], None))
        if "max_fee_wei" in fields:
            out["max_fee_wei"] = str(_wei(fields, "max_fee_wei", None))
        return out

    @classmethod
    def check(cls, shown: DisplayedTransaction, asked: dict[str, Any], ctx: FlowContext) -> str | None:
        V = _v()
        if reason := V.origin_reason(shown.origin, ctx.dapp_origin):
            return reason
        to = asked.get("to")
        if to is not None and (not shown.to or not V.address_matches(shown.to, to)):
            return f"recipient shown as {shown.to!r}, expected {to}"
        if to is None and shown.to:
            return f"MetaMask shows a recipient ({shown.to!r}), expected a contract creation"
        value, reason = V.shown_amount(
            shown.value_text, exact_text=shown.value_exact, currency_symbol=ctx.currency_symbol
        )
        if value is None:
            return reason
        value_wei = int(value * V.WEI_PER_ETH)
        if value_wei != value * V.WEI_PER_ETH or value_wei > int(asked["max_value_wei"]):
            allowed = asked["max_value_wei"]
            return f"value shown as {value:f} {ctx.currency_symbol}, the flow allows {allowed} wei"
        if reason := cls._calldata(shown.data, asked):
            return reason
        max_fee = asked.get("max_fee_wei")
        fee = V.max_fee_reason(
            shown.max_fee_text,
            shown.l1_fee_text,
            max_fee_wei=None if max_fee is None else int(max_fee),
            currency_symbol=ctx.currency_symbol,
        )
        if fee:
            return fee
        ask = P.TransactionAsk(
            origin=ctx.dapp_origin,
            chain_id=ctx.chain_id,
            to=to or "",
            value_wei=value_wei,
            data=shown.data or "",
            spent_24h_wei=ctx.spent_24h_wei,
        )
        if to is None and ctx.policy.allowed_contracts is not None:
            return "the wallet's policy lists contracts: a contract creation is not among them"
        return P.transaction_decision(ctx.policy, ask)

    @staticmethod
    def _calldata(data: str | None, asked: dict[str, Any]) -> str | None:
        V = _v()
        if data is None:
            return "MetaMask does not show the calldata in full"
        data = data.lower()
        data = "" if data == "0x" else data
        selector = asked.get("selector")
        if "to" not in asked:
            return None if data else "a contract creation without code"
        if selector is None:
            return None if not data else f"MetaMask shows calldata ({data[:10]}...), the flow expects none"
        if data[:_SELECTOR_LEN] != selector:
            return f"MetaMask shows method {data[:_SELECTOR_LEN] or 'none'}, the flow expects {selector}"
        if "spender" in asked:
            words = P.calldata_words(data)
            if len(words) < 2:
                return "the approval's calldata is too short"
            spender = "0x" + f"{words[0]:040x}"
            if words[0] >= 2**160 or not V.address_matches(spender, asked["spender"]):
                return f"the approval is for spender {spender}, the flow expects {asked['spender']}"
            if "amount" in asked and words[1] != int(asked["amount"]):
                return f"the approval is for {words[1]}, the flow asks for exactly {asked['amount']}"
            if "max_amount" in asked and words[1] > int(asked["max_amount"]):
                return f"the approval is for {words[1]}, the flow allows at most {asked['max_amount']}"
        return None


class Network(FlowExpectation):
    """wallet_addEthereumChain or wallet_switchEthereumChain to the stated network: its add screen and
    its switch (a chain permission) are both this expectation's, each at most once."""

    kind, kinds, method, shown = (
        "network",
        (CONFIRMATION, PERMISSION),
        "wallet_addEthereumChain",
        "DisplayedNetwork",
    )

    @classmethod
    def clean(cls, fields: dict[str, Any]) -> dict[str, Any]:
        _only(fields, {"chain_id", "rpc_url", "name", "currency_symbol"}, cls.kind)
        return dict(validate_network(fields))

    @classmethod
    def spec(cls, asked: dict[str, Any]) -> NetworkSpec:
        from automation.models import NetworkSpec

        return NetworkSpec(
            chain_id=int(asked["chain_id"]),
            rpc_url=str(asked["rpc_url"]),
            name=str(asked.get("name") or f"Chain {asked['chain_id']}"),
            currency_symbol=str(asked.get("currency_symbol") or "ETH"),
        )

    @classmethod
    def verify(cls, shown: Displayed, asked: dict[str, Any], ctx: FlowContext) -> str | None:
        # Its screens name no session network: the session's is the one being left.
        if type(shown).__name__ != cls.shown:
            return f"MetaMask shows a {type(shown).__name__} screen, expected network"
        return _v().alerts_reason(shown) or cls.check(shown, asked, ctx)  # type: ignore[arg-type]

    @classmethod
    def check(cls, shown: DisplayedNetwork, asked: dict[str, Any], ctx: FlowContext) -> str | None:
        spec = cls.spec(asked)
        return _v().network_reason(shown, dapp_origin=ctx.dapp_origin, network=spec) or P.network_decision(
            ctx.policy, P.NetworkAsk(ctx.dapp_origin, spec.chain_id)
        )


class Token(FlowExpectation):
    """wallet_watchAsset of the ERC-20 with ``symbol``."""

    kind, kinds, method, shown = "token", (TOKEN,), "wallet_watchAsset", "DisplayedToken"

    @classmethod
    def clean(cls, fields: dict[str, Any]) -> dict[str, Any]:
        _only(fields, {"symbol"}, cls.kind)
        symbol = fields.get("symbol")
        if not isinstance(symbol, str) or not 0 < len(symbol) <= 11:
            raise ValidationFailed("symbol must be 1 to 11 characters")
        return {"symbol": symbol}

    @classmethod
    def check(cls, shown: DisplayedToken, asked: dict[str, Any], ctx: FlowContext) -> str | None:
        return _v().token_reason(shown, symbol=asked["symbol"], dapp_origin=ctx.dapp_origin)


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)


EXPECTATIONS: dict[str, type[FlowExpectation]] = {
    e.kind: e for e in (Connect, PersonalSign, TypedData, Transaction, Network, Token)
}
