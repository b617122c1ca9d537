"""Plain, JSON-friendly data passed between the driver and its callers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Union


@dataclass(frozen=True)
class NetworkSpec:
    chain_id: int
    rpc_url: str
    name: str
    currency_symbol: str = "ETH"


@dataclass(frozen=True)
class TxRequest:
    to: str
    value_wei: int
    data: str | None = None
    gas: int | None = None
    max_fee_per_gas: int | None = None  # EIP-1559 caps the dApp suggests (None: MetaMask chooses)
    max_priority_fee_per_gas: int | None = None


@dataclass(frozen=True)
class SpendingCap:
    """The cap an ERC-20 approve must carry exactly: MetaMask's spending-cap screen is edited to it when it
    shows another (the dApp's proposal, or unlimited)."""

    amount: int  # in the token's base units
    # The token's decimals as its contract states them (None: unknown): MetaMask's cap field takes token
    # units, in the decimals it shows the cap with, which are the contract's when MetaMask could read them.
    decimals: int | None = None


@dataclass(frozen=True)
class Receipt:
    tx_hash: str
    block_number: int
    status: int
    gas_used: int


# What MetaMask SHOWS on a confirmation screen, read from its DOM before approving.


@dataclass(frozen=True)
class Alert:
    """An alert MetaMask shows on a confirmation: a banner over it, or a mark on one of its rows."""

    severity: str  # "danger", "warning", "info" (or "" when the build names none MetaMask's way)
    text: str  # the banner's text, or the row's label and the mark's text ("Network fee: Alert")
    about: str = ""  # "fee" for a mark on a fee row (MetaMask's advice on the fee); "" otherwise

    @property
    def informs(self) -> bool:
        """Only information. Any other alert (a warning, a danger, or a severity not named MetaMask's way)
        is a warning: never approved past, and MetaMask may disable Confirm for it."""
        return self.severity in ("info", "success")


@dataclass(frozen=True)
class DisplayedConnect:
    origin: str  # host (and port) of the requesting site as shown, e.g. "127.0.0.1:8080"


@dataclass(frozen=True)
class DisplayedSignature:
    method: str  # "personal_sign" or "eth_signTypedData_v4"
    origin: str  # requesting site as shown (may include the scheme)
    text: str  # visible message text / visible typed-data text (labels and values, whitespace-collapsed)
    network: str = ""  # the network the screen says it signs for, as shown ("" when it shows none)
    alerts: tuple[Alert, ...] = ()


@dataclass(frozen=True)
class DisplayedSignIn(DisplayedSignature):
    """MetaMask's sign-in screen (EIP-4361, "Sign-in request"), which it shows instead of the message for a
    personal_sign of a Sign-In with Ethereum message: the message's fields, each as shown. ``text`` holds them
    all, as for any signature."""

    statement: str = ""  # "" when the message has none
    uri: str = ""
    version: str = ""
    chain_id: str = ""  # decimal text
    nonce: str = ""
    issued: str = ""  # as MetaMask formats it ("03 December 2026, 12:00", the browser's time zone)
    account: str = ""  # as shown: the wallet's own account by its name ("Account 1")


@dataclass(frozen=True)
class DisplayedTransaction:
    origin: str
    to: str  # recipient as shown: full 0x address when MetaMask exposes it, else abbreviated "0x1234...abcd"
    value_text: str  # e.g. "0.001 ETH" or "<0.000001 ETH"; "" when the screen shows no amount (zero value)
    raw_text: str  # all visible text of the confirmation, whitespace-collapsed
    network: str = ""  # the network the screen says it sends on, as shown ("" when it shows none)
    # The calldata in full, lowercase hex, from MetaMask's advanced details: "" when it shows none (a plain
    # transfer), None when it does not show it in full (not read, or decoded into a function and parameters).
    data: str | None = None
    nonce: int | None = None  # the nonce MetaMask says it will use; None when not shown
    # The amount in full where MetaMask rounds what it shows (its tooltip), e.g. "0.001234567890123456"; None
    # when it shows none (the amount shown is then shown in full).
    value_exact: str | None = None
    # The "Max fee" of the advanced details as shown, in the native currency, rounded by MetaMask to 4
    # decimals (e.g. "0.0021"): the most the transaction can pay for gas. None when not shown.
    max_fee_text: str | None = None
    l1_fee_text: str | None = None  # the "L1 fee" a rollup adds, which the max fee includes; None when none
    alerts: tuple[Alert, ...] = ()
    # An ERC-20 approve's "Spending cap request": the cap as shown (token units, or "Unlimited") and the
    # spender as shown (abbreviated); None on other screens.
    spending_cap: str | None = None
    spender: str | None = None


@dataclass(frozen=True)
class DisplayedNetwork:
    origin: str
    name: str  # network name as shown
    chain_id: str  # chain id as shown (decimal text)
    rpc_url: str  # RPC URL as shown (may be shortened to its host)
    raw_text: str
    # A chain permission for a network the wallet already has (13.5's "Review permissions"): it shows the
    # asking origin and the network's name only.
    permission: bool = False


@dataclass(frozen=True)
class DisplayedToken:
    """MetaMask's "Add suggested token" screen (wallet_watchAsset of an ERC-20)."""

    origin: str  # the asking site as shown ("" where the screen names none: 13.5 and 13.36 do not)
    # Every suggestion the screen lists, in order: MetaMask shows all pending ones and adds all on approval.
    symbols: tuple[str, ...]
    balances: tuple[str, ...]  # as shown, MetaMask's tracked balance (it showed "0" for a funded one offline)
    raw_text: str  # all visible text of the screen, whitespace-collapsed
    alerts: tuple[Alert, ...] = ()


# The params of an EIP-1193 request: a list for most methods, an object for wallet_watchAsset (EIP-747).
RpcParams = list[Any] | dict[str, Any]

Displayed = Union[  # noqa: UP007
    DisplayedConnect,
    DisplayedSignature,
    DisplayedSignIn,
    DisplayedTransaction,
    DisplayedNetwork,
    DisplayedToken,
]
Verifier = Callable[[Displayed], str | None]  # None approves; a reason string rejects


def approve_all(_shown: Displayed) -> str | None:
    """Verifier for tests/tools that deliberately approve whatever is shown."""
    return None
