"""What MetaMask SHOWS versus what the caller asked for. Pure functions (no Django, no browser).

Each ``*_reason`` returns None when the screen matches the request, else a short human-readable reason; the
worker turns a reason into a click on Reject (PolicyRejected). The reasons name what differed but never carry
secrets (nothing secret is ever on these screens).

MetaMask formats values for display, so each check accepts exactly the renderings MetaMask can produce for the
REQUESTED value, and nothing looser:
- addresses: full (any case), or abbreviated "0x70997...c79C8" whose prefix and suffix match the checksummed
  address case-sensitively; addresses of the wallet's own accounts may be shown by account name in typed data;
- native amounts: exactly the requested amount, as shown in full, or (where MetaMask rounds it on screen:
  "0.00346", "<0.000001") as the full value in the tooltip over it;
- calldata: byte for byte, from MetaMask's advanced details (not shown in full: refused);
- fees: where the request caps them, the max fee shown must not exceed gas limit times max fee per gas;
- alerts: any alert MetaMask shows that is more than information refuses the screen;
- typed data: "Primary type: <T>" then every field as "<Field>: <value>" (any field order within a struct).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar
from urllib.parse import urlsplit

from automation.models import (
    Displayed,
    DisplayedConnect,
    DisplayedNetwork,
    DisplayedSignature,
    DisplayedSignIn,
    DisplayedToken,
    DisplayedTransaction,
    NetworkSpec,
)
from wallets.policy import DEADLINE_FIELDS
from wallets.signin import SignIn

ADDRESS_RE = re.compile(r"0x[0-9a-fA-F]{40}(?![0-9a-fA-F])")
ABBREVIATED_RE = re.compile(r"(0x[0-9a-fA-F]{3,39})(?:\.\.\.|…)([0-9a-fA-F]{3,39})(?![0-9a-fA-F])")
# An abbreviation must keep at least this many hex digits on each side to count as a match.
MIN_ABBREVIATION_DIGITS = 4
WEI_PER_ETH = Decimal(10) ** 18

D = TypeVar("D")


def collapse(text: str) -> str:
    return " ".join(str(text).split())


# --- origins ------------------------------------------------------------------------------------------------
def _split_origin(origin: str) -> tuple[str, str]:
    """(hostname, host[:port]) of an origin given with or without scheme."""
    value = origin.strip()
    if "://" not in value:
        value = "http://" + value
    parts = urlsplit(value)
    return (parts.hostname or "").lower(), parts.netloc.lower()


def origin_matches(shown: str, expected_origin: str, *, host_only: bool = False) -> bool:
    shown_host, shown_netloc = _split_origin(shown)
    expected_host, expected_netloc = _split_origin(expected_origin)
    if not shown_host:
        return False
    if host_only:
        return shown_host == expected_host
    if "://" in shown.strip():
        return shown.strip().rstrip("/").lower() == expected_origin.strip().rstrip("/").lower()
    return shown_netloc == expected_netloc


def origin_reason(shown: str, expected_origin: str, *, host_only: bool = False) -> str | None:
    """None when the origin MetaMask shows is the expected one, else the reason."""
    if origin_matches(shown, expected_origin, host_only=host_only):
        return None
    return f"MetaMask shows the request coming from {shown!r}, expected {expected_origin!r}"


def connect_reason(shown: DisplayedConnect, *, dapp_origin: str) -> str | None:
    # MetaMask's connect screen shows only the hostname (docs/metamask.md section 6).
    return origin_reason(shown.origin, dapp_origin, host_only=True)


def network_reason(shown: DisplayedNetwork, *, dapp_origin: str, network: NetworkSpec) -> str | None:
    if shown.origin and (reason := origin_reason(shown.origin, dapp_origin)):
        return reason
    if collapse(shown.name) != collapse(network.name):
        return f"network name shown as {shown.name!r}, requested {network.name!r}"
    if shown.permission:
        # Permission to use a network the wallet already has, shown by name only: its chain id is the one
        # the request names (the channel carries the request unchanged), and the wallet's networks came in
        # through checked add-network screens (one a page asks for on its own is refused).
        return None if shown.origin else "MetaMask does not show which site asks"
    if shown.chain_id and shown.chain_id.strip() != str(network.chain_id):
        return f"chain id shown as {shown.chain_id!r}, requested {network.chain_id}"
    shown_url = shown.rpc_url.strip().rstrip("/")
    wanted = network.rpc_url.strip().rstrip("/")
    if shown_url and shown_url != wanted and shown_url != urlsplit(wanted).netloc:
        return f"RPC URL shown as {shown.rpc_url!r}, requested {network.rpc_url!r}"
    if not shown_url and wanted not in shown.raw_text:
        return "MetaMask does not show the requested RPC URL"
    return None


# --- addresses ----------------------------------------------------------------------------------------------
def _checksum(address: str) -> str:
    from eth_utils import to_checksum_address

    return str(to_checksum_address(address))


def address_matches(shown: str, expected: str) -> bool:
    """Full address (case-insensitive) or MetaMask's abbreviation of the checksummed address."""
    shown = shown.strip()
    if ADDRESS_RE.fullmatch(shown):
        return shown.lower() == expected.lower()
    match = ABBREVIATED_RE.fullmatch(shown)
    if not match:
        return False
    prefix, suffix = match.group(1), match.group(2)
    if len(prefix) - 2 < MIN_ABBREVIATION_DIGITS or len(suffix) < MIN_ABBREVIATION_DIGITS:
        return False
    checksummed = _checksum(expected)
    # Abbreviations come from the checksummed form: comparing case too adds the checksum's bits.
    return checksummed.startswith(prefix) and checksummed.endswith(suffix)


def addresses_shown(text: str) -> list[str]:
    return [m.group(0) for m in ADDRESS_RE.finditer(text)] + [
        m.group(0) for m in ABBREVIATED_RE.finditer(text)
    ]


# --- native amounts -----------------------------------------------------------------------------------------
_AMOUNT_RE = re.compile(r"^(<)?\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*([A-Za-z][A-Za-z0-9]*)?$")


def shown_amount(
    value_text: str, *, exact_text: str | None = None, currency_symbol: str = "ETH"
) -> tuple[Decimal | None, str | None]:
    """The native amount a screen shows, in full: (amount, None), or (None, why it cannot be read). MetaMask
    shows an amount it rounds ("0.00123 ETH", "<0.000001 ETH") with its full value in a tooltip
    (``exact_text``, e.g. "0.001234567890123456"); one it shows without a tooltip is shown in full; no
    amount at all is zero."""
    text = collapse(value_text)
    if text == "":
        return Decimal(0), None
    match = _AMOUNT_RE.match(text)
    if not match:
        return None, f"amount shown as {value_text!r} cannot be read"
    less_than, number, symbol = match.group(1), match.group(2).replace(",", ""), match.group(3)
    if symbol and symbol.upper() != currency_symbol.upper():
        return None, f"amount shown in {symbol}, expected {currency_symbol}"
    full = collapse(exact_text or "").replace(",", "")
    if less_than and not full:
        return None, f"amount shown as {text!r} without its full value"
    try:
        return Decimal(full or number), None
    except InvalidOperation:
        return None, f"amount shown as {value_text!r} (in full {exact_text!r}) cannot be read"


def amount_reason(
    value_text: str, *, value_wei: int, exact_text: str | None = None, currency_symbol: str = "ETH"
) -> str | None:
    """The amount must be exactly the requested one (see shown_amount for how it is read)."""
    text = collapse(value_text)
    if text == "":
        return None if value_wei == 0 else "MetaMask shows no amount, but a value was requested"
    shown, reason = shown_amount(text, exact_text=exact_text, currency_symbol=currency_symbol)
    if shown is None:
        return reason
    requested = Decimal(value_wei) / WEI_PER_ETH
    if shown != requested:
        full = collapse(exact_text or "").replace(",", "")
        in_full = f" ({full} in full)" if full else ""
        return f"amount shown as {text!r}{in_full}, requested {requested.normalize():f} {currency_symbol}"
    return None


def calldata_reason(shown: str | None, requested: str | None) -> str | None:
    """The calldata MetaMask shows must be the requested calldata, byte for byte ("" and "0x": none). Not
    shown in full (None) is a reason too: a screen whose calldata cannot be read could be another request
    to the same recipient with the same value."""
    want = (requested or "").lower()
    want = "" if want == "0x" else want
    if shown is None:
        return "MetaMask does not show the calldata in full"
    if shown.lower() != want:
        return f"calldata shown as {_short_hex(shown)}, requested {_short_hex(want)}"
    return None


def _short_hex(data: str) -> str:
    if not data:
        return "none"
    return data if len(data) <= 26 else f"{data[:18]}...{data[-8:]} ({(len(data) - 2) // 2} bytes)"


# MetaMask's fee rows: "Max fee 0.0021 ETH", "L1 fee < 0.0001": the first number that stands on its own
# (not the "1" of "L1") is the native amount.
_FEE_RE = re.compile(r"(?<![A-Za-z0-9.,])([0-9][0-9,]*(?:\.[0-9]+)?)")
_FEE_DECIMALS = 4  # MetaMask rounds the fees it shows to 4 decimals of the native currency
_FEE_UNIT = 10 ** (18 - _FEE_DECIMALS)


def _fee_shown(text: str) -> Decimal | None:
    match = _FEE_RE.search(text)
    return Decimal(match.group(1).replace(",", "")) if match else None


def max_fee_reason(
    shown_max: str | None, shown_l1: str | None, *, max_fee_wei: int | None, currency_symbol: str = "ETH"
) -> str | None:
    """Where the request caps the fee (its gas limit times its max fee per gas: ``max_fee_wei``), the max fee
    MetaMask shows (it includes a rollup's L1 fee, shown beside it) must not be above that cap. MetaMask
    rounds it to 4 decimals, so the cap is rounded up to 4 decimals (one more unit with an L1 fee, rounded
    too): a raise by less than 0.0001 passes this check, and the transaction on chain is compared with the
    caps after it is mined. Without a cap in the request MetaMask chooses the fee: nothing to compare."""
    if max_fee_wei is None:
        return None
    if shown_max is None:
        return "MetaMask does not show the maximum fee, and the request caps it"
    shown = _fee_shown(shown_max)
    if shown is None:
        return f"max fee shown as {shown_max!r} cannot be read"
    allowed = Decimal(-(-max_fee_wei // _FEE_UNIT)) / 10**_FEE_DECIMALS
    if shown_l1 is not None:
        l1 = _fee_shown(shown_l1)
        if l1 is None:
            return f"L1 fee shown as {shown_l1!r} cannot be read"
        allowed += l1 + Decimal(1) / 10**_FEE_DECIMALS
    if shown > allowed:
        return f"max fee shown as {shown:f} {currency_symbol}, the request allows {allowed:f}"
    return None


def transaction_reason(
    shown: DisplayedTransaction,
    *,
    dapp_origin: str,
    to: str,
    value_wei: int,
    data: str | None = None,
    max_fee_wei: int | None = None,
    currency_symbol: str = "ETH",
) -> str | None:
    if reason := origin_reason(shown.origin, dapp_origin):
        return reason
    if not shown.to or not address_matches(shown.to, to):
        return f"recipient shown as {shown.to!r}, requested {to}"
    symbol = currency_symbol
    if reason := amount_reason(
        shown.value_text, value_wei=value_wei, exact_text=shown.value_exact, currency_symbol=symbol
    ):
        return reason
    if reason := calldata_reason(shown.data, data):
        return reason
    return max_fee_reason(
        shown.max_fee_text, shown.l1_fee_text, max_fee_wei=max_fee_wei, currency_symbol=symbol
    )


# --- signatures ---------------------------------------------------------------------------------------------
def personal_sign_reason(shown: DisplayedSignature, *, message: str, dapp_origin: str) -> str | None:
    if reason := origin_reason(shown.origin, dapp_origin):
        return reason
    if shown.method != "personal_sign":
        return f"MetaMask shows a {shown.method} request, expected personal_sign"
    if collapse(shown.text) != collapse(message):
        return "the message MetaMask shows differs from the requested message"
    return None


def sign_in_reason(shown: DisplayedSignIn, *, asked: SignIn, dapp_origin: str) -> str | None:
    """MetaMask's sign-in screen against the message asked: origin, URI, chain id, nonce, version and
    statement as shown. The account is shown by name only; the signature's signer is checked after."""
    if reason := origin_reason(shown.origin, dapp_origin):
        return reason
    expected = {
        "URL": asked.uri,
        "chain id": str(asked.chain_id),
        "nonce": asked.nonce,
        "version": asked.version,
        "statement": asked.statement,
    }
    seen = {
        "URL": shown.uri,
        "chain id": shown.chain_id,
        "nonce": shown.nonce,
        "version": shown.version,
        "statement": shown.statement,
    }
    for name, value in expected.items():
        if collapse(seen[name]) != collapse(value):
            return f"the sign-in {name} MetaMask shows ({seen[name][:200]!r}) is not the one asked"
    return None


def token_reason(shown: DisplayedToken, *, symbol: str, dapp_origin: str) -> str | None:
    """MetaMask's add-token screen against the token asked for: the site (where the screen names it) and
    the one token it lists. The contract address is not shown; the request carries it (the channel's own)."""
    if shown.origin and (reason := origin_reason(shown.origin, dapp_origin, host_only=True)):
        return reason
    if shown.symbols != (symbol,):
        # MetaMask lists every pending suggestion and adds them all: anything beside the one asked for
        # (a page's own suggestion) is added too if this is approved.
        listed = ", ".join(s[:20] for s in shown.symbols[:5])
        return f"MetaMask lists the tokens [{listed}], asked for {symbol!r} alone"
    return None


def _label(key: str) -> str:
    return f"{key[:1].upper()}{key[1:]}:"


def _scalar_renderings(kind: str, value: Any, key: str = "") -> list[str]:
    """The ways MetaMask may render one typed-data leaf value (it shows the JSON value as text)."""
    if kind == "bool":
        return [str(value).lower()]
    if kind.startswith(("uint", "int")):
        out = [str(value)]
        try:
            number = int(str(value), 0) if isinstance(value, str) else int(value)
        except ValueError:
            return out
        out += [str(number), f"{number:,}"]
        if key in DEADLINE_FIELDS and (date := _utc_minute(number)):
            out.append(date)
        return list(dict.fromkeys(out))
    if kind.startswith("bytes"):
        return list(dict.fromkeys([str(value), str(value).lower()]))
    return [collapse(str(value))]


def _utc_minute(seconds: int) -> str | None:
    """A permit's deadline as 13.36 shows it, "09 June 3554, 16:53": to the minute, in the browser's time
    zone, which the driver sets to UTC on its approval page. The seconds are not shown: a deadline that
    differs within the minute passes this check, and the signature is then proven only over the request's
    own deadline (a flow's, or the API's)."""
    try:
        moment = datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment.strftime("%d %B %Y, %H:%M")


class _TypedParser:
    """Reads MetaMask's flattened typed-data text ("Label: value Label: Label: value ...") against a request.

    Within one struct MetaMask may order the fields differently from the request (13.5 does), so at each level
    the next label may be any field not read yet; everything else is strict: each label is followed directly
    by exactly the requested value (or, for a struct/array, by exactly its own fields), nothing skipped.
    """

    def __init__(self, text: str, types: dict[str, list[dict[str, str]]], own: Iterable[str]) -> None:
        self.tokens = collapse(text).split(" ")
        self.i = 0
        self.types = types
        self.own = {a.lower() for a in own}

    def peek(self) -> str:
        return self.tokens[self.i] if self.i < len(self.tokens) else ""

    def start_at_primary_type(self, primary: str) -> bool:
        for k in range(len(self.tokens) - 2):
            if self.tokens[k : k + 3] == ["Primary", "type:", primary]:
                self.i = k + 3
                return True
        return False

    def fields(self, entries: list[tuple[str, str, Any]]) -> str | None:
        """entries: (key, solidity type, requested value) of one struct or array level."""
        remaining = {_label(key): (key, kind, value) for key, kind, value in entries}
        while remaining:
            token = self.peek()
            if token not in remaining:
                return f"field {next(iter(remaining))!r} is not shown where expected (found {token[:40]!r})"
            key, kind, value = remaining.pop(token)
            self.i += 1
            if reason := self.value(key, kind, value):
                return reason
        return None

    def value(self, key: str, kind: str, value: Any) -> str | None:
        label = _label(key)
        base = re.sub(r"\[\d*\]$", "", kind)
        if kind.endswith("]"):
            if not isinstance(value, list):
                return f"field {key!r} is not an array"
            return self.fields([(str(n), base, item) for n, item in enumerate(value)])
        if base in self.types:
            if not isinstance(value, dict):
                return f"field {key!r} is not a struct"
            return self.fields([(f["name"], f["type"], value.get(f["name"])) for f in self.types[base]])
        if kind == "address" and isinstance(value, str) and ADDRESS_RE.fullmatch(value):
            return self.address(label, value)
        for rendering in _scalar_renderings(kind, value, key):
            expected = rendering.split(" ") if rendering else []
            if self.tokens[self.i : self.i + len(expected)] == expected:
                self.i += len(expected)
                return None
        return f"field {label!r} does not show the requested value"

    def address(self, label: str, value: str) -> str | None:
        token = self.peek()
        if address_matches(token, value):
            self.i += 1
            return None
        if value.lower() in self.own and token and not token.endswith(":"):
            # MetaMask names the wallet's own accounts ("Account 1"): the name runs up to the next label.
            name: list[str] = []
            while self.peek() and not self.peek().endswith(":"):
                name.append(self.peek())
                self.i += 1
            if not any(ADDRESS_RE.search(t) or ABBREVIATED_RE.search(t) for t in name):
                return None
        return f"field {label!r} shows {token[:50]!r}, requested {value}"


def typed_data_reason(
    shown: DisplayedSignature,
    *,
    typed_data: dict[str, Any],
    dapp_origin: str,
    own_addresses: Iterable[str] = (),
) -> str | None:
    if reason := origin_reason(shown.origin, dapp_origin):
        return reason
    if shown.method != "eth_signTypedData_v4":
        return f"MetaMask shows a {shown.method} request, expected eth_signTypedData_v4"
    own = list(own_addresses)
    types: dict[str, list[dict[str, str]]] = typed_data.get("types") or {}
    primary = str(typed_data.get("primaryType", ""))
    message = typed_data.get("message") or {}
    domain = typed_data.get("domain") or {}
    text = collapse(shown.text)
    parser = _TypedParser(text, types, own)
    if not parser.start_at_primary_type(primary):
        return f"primary type {primary!r} is not shown"
    entries = [(f["name"], f["type"], message.get(f["name"])) for f in types.get(primary, [])]
    if reason := parser.fields(entries):
        return reason
    if parser.peek():
        return f"MetaMask shows more than the request after the message ({parser.peek()[:40]!r} ...)"
    # Every address on screen must be one the caller put in the request.
    allowed = _addresses_in(message) + own
    if isinstance(domain.get("verifyingContract"), str):
        allowed.append(domain["verifyingContract"])
        if not any(address_matches(a, domain["verifyingContract"]) for a in addresses_shown(text)):
            return "the verifying contract is not shown"
    for token in addresses_shown(text):
        if not any(address_matches(token, a) for a in allowed):
            return f"MetaMask shows the address {token!r}, which is not in the request"
    return None


def _addresses_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if ADDRESS_RE.fullmatch(value) else []
    if isinstance(value, dict):
        return [a for v in value.values() for a in _addresses_in(v)]
    if isinstance(value, list):
        return [a for v in value for a in _addresses_in(v)]
    return []


# --- verifiers for automation -------------------------------------------------------------------------------
def shown_network_reason(shown: Displayed, network_name: str | None) -> str | None:
    """A signature or transaction screen that names a network must name the session's: one that names
    another (a page that switched MetaMask's chain before the confirmation) is refused. 13.5's transaction
    screen names none; there the chain id of the transaction on chain is what is checked, after sending."""
    if network_name is None or not isinstance(shown, (DisplayedSignature, DisplayedTransaction)):
        return None
    if shown.network and collapse(shown.network) != collapse(network_name):
        return f"network shown as {shown.network!r}, the session is on {network_name!r}"
    return None


def alerts_reason(shown: Displayed, *, own_fee: bool = False) -> str | None:
    """MetaMask's own warnings are never approved past: a screen with an alert that is more than information
    is refused, whatever else it shows (the policy's "any MetaMask warning" ban, for every wallet). One
    exception, ``own_fee``: for a transaction whose request sets its own fee caps, MetaMask's warnings on the
    fee rows are advice on that fee (a site fee higher or lower than it would choose), which the caller
    chose and the max fee check bounds. Danger is never passed."""
    alerts = getattr(shown, "alerts", ())
    warnings = [
        alert
        for alert in alerts
        if not alert.informs and not (own_fee and alert.about == "fee" and alert.severity == "warning")
    ]
    if not warnings:
        return None
    return "MetaMask warns: " + "; ".join(f"{a.severity or 'alert'}: {a.text[:200]}" for a in warnings)


def verifier(expected: type[D], check: Callable[[D], str | None]) -> Callable[[Displayed], str | None]:
    """A Verifier that rejects any screen other than the expected kind, then applies ``check``. It returns
    its reason; the driver rejects in MetaMask and raises PolicyRejected carrying the screen it was about."""

    def verify(shown: Displayed) -> str | None:
        if not isinstance(shown, expected):
            return f"unexpected {type(shown).__name__} screen"
        return check(shown)

    return verify


def shown_summary(shown: Displayed | None, limit: int = 1000) -> dict[str, str]:
    """What the screen showed, for audit records (these screens carry no secrets)."""
    if shown is None:
        return {}
    return {"screen": type(shown).__name__, **{k: str(v)[:limit] for k, v in vars(shown).items()}}
