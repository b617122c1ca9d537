"""wallets/verification.py: what MetaMask shows versus what was requested (pure functions, no browser)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from automation import (
    Alert,
    DisplayedConnect,
    DisplayedNetwork,
    DisplayedSignature,
    DisplayedTransaction,
    NetworkSpec,
)
from metamask_service.devstack.typed_data import typed_data
from wallets import verification as v

ORIGIN = "http://127.0.0.1:8080"
TO = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
OWN = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
CONTRACT = "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"
ETH = 10**18


def tx(
    to: str = "0x70997...c79C8",
    value: str = "0.001 ETH",
    origin: str = "127.0.0.1:8080",
    data: str | None = "",
):
    return DisplayedTransaction(origin=origin, to=to, value_text=value, raw_text="", data=data)


@pytest.mark.parametrize(
    ("shown", "ok"),
    [
        (TO, True),
        (TO.lower(), True),
        ("0x70997...c79C8", True),
        ("0x7099...79C8", True),
        ("0x70997…c79C8", True),
        ("0x70997...c79c8", False),  # checksum case differs: not MetaMask's rendering of this address
        ("0x709...9C8", False),  # too few digits to mean anything
        ("0x70998...c79C8", False),
        ("0x000000000000000000000000000000000000dEaD", False),
        ("Account 2", False),
    ],
)
def test_address_matches(shown: str, ok: bool) -> None:
    assert v.address_matches(shown, TO) is ok


@pytest.mark.parametrize(
    ("text", "exact", "wei", "ok"),
    [
        ("0.001 ETH", None, 10**15, True),
        ("0.001", None, 10**15, True),
        ("1,034 ETH", None, 1_034 * 10**18, True),
        ("0 ETH", None, 0, True),
        ("", None, 0, True),
        ("", None, 1, False),
        ("0.002 ETH", None, 10**15, False),
        ("1 ETH", None, 10**15, False),
        ("0.001 DAI", None, 10**15, False),
        ("lots", None, 10**15, False),
        # Rounded on screen: only the full value in MetaMask's tooltip tells, and it must be exact.
        ("0.00346 ETH", "0.003456", 3_456_000_000_000_000, True),
        ("<0.000001 ETH", "0.0000001", 10**11, True),
        ("0.00123 ETH", "0.001234567890123456", 1_234_567_890_123_456, True),
        ("0.00123 ETH", "0.001234567890123457", 1_234_567_890_123_456, False),  # one wei more
        ("1,034 ETH", "1034.123", 1_034_123 * 10**15, True),
        # Rounded without the full value: what it hides cannot be told (it passed within 0.5 % before).
        ("0.00346 ETH", None, 3_456_000_000_000_000, False),
        ("<0.000001 ETH", None, 10**11, False),
        ("1.2 ETH", None, 1_234 * 10**15, False),
        ("0.001 ETH", "a lot", 10**15, False),
    ],
)
def test_amount_reason(text: str, exact: str | None, wei: int, ok: bool) -> None:
    assert (v.amount_reason(text, value_wei=wei, exact_text=exact) is None) is ok


@given(st.integers(min_value=1, max_value=10**24), st.integers(min_value=-(10**6), max_value=10**6))
def test_an_amount_passes_only_when_its_full_value_is_the_requested_one(wei: int, off_by: int) -> None:
    shown = max(wei + off_by, 0)
    full = f"{Decimal(shown) / Decimal(10) ** 18:f}"
    assert (v.amount_reason("0.1 ETH", value_wei=wei, exact_text=full) is None) == (shown == wei)


def test_transaction_reason_checks_origin_recipient_and_amount() -> None:
    assert v.transaction_reason(tx(), dapp_origin=ORIGIN, to=TO, value_wei=10**15) is None
    assert "recipient" in (
        v.transaction_reason(tx(to="0x00000...0dEaD"), dapp_origin=ORIGIN, to=TO, value_wei=10**15) or ""
    )
    assert "amount" in (
        v.transaction_reason(tx(value="1 ETH"), dapp_origin=ORIGIN, to=TO, value_wei=10**15) or ""
    )
    assert "coming from" in (
        v.transaction_reason(tx(origin="evil.example:8080"), dapp_origin=ORIGIN, to=TO, value_wei=10**15)
        or ""
    )


CALL = "0xa9059cbb" + "00" * 12 + TO[2:].lower() + f"{10**18:064x}"


@pytest.mark.parametrize(
    ("shown", "requested", "reason"),
    [
        ("", None, None),  # a plain transfer: MetaMask shows no Data section
        ("", "0x", None),
        (CALL, CALL, None),
        (CALL.upper().replace("0X", "0x"), CALL, None),  # hex case is not a difference
        (CALL, None, "calldata shown as 0xa9059cbb"),  # calldata on a transfer that asked for none
        ("", CALL, "calldata shown as none"),
        (CALL[:-2] + "02", CALL, "calldata shown as 0xa9059cbb"),  # one byte differs
        (CALL + "00", CALL, "(69 bytes), requested"),  # a byte appended
        (None, CALL, "does not show the calldata in full"),  # decoded, or not read
        (None, None, "does not show the calldata in full"),
    ],
)
def test_calldata_is_compared_byte_for_byte(shown: str | None, requested: str | None, reason: str | None):
    got = v.transaction_reason(tx(data=shown), dapp_origin=ORIGIN, to=TO, value_wei=10**15, data=requested)
    if reason is None:
        assert got is None
    else:
        assert reason in (got or ""), got


def test_origins() -> None:
    assert v.connect_reason(DisplayedConnect(origin="127.0.0.1"), dapp_origin=ORIGIN) is None
    assert v.connect_reason(DisplayedConnect(origin="127.0.0.2"), dapp_origin=ORIGIN) is not None
    assert v.origin_matches("127.0.0.1:8080", ORIGIN)
    assert not v.origin_matches("127.0.0.1:8081", ORIGIN)
    assert v.origin_matches("http://127.0.0.1:8080", ORIGIN)
    assert not v.origin_matches("https://127.0.0.1:8080", ORIGIN)
    assert not v.origin_matches("", ORIGIN)


def test_personal_sign_reason() -> None:
    shown = DisplayedSignature(method="personal_sign", origin="127.0.0.1:8080", text="Sign in nonce 7")
    assert v.personal_sign_reason(shown, message="Sign in\nnonce 7", dapp_origin=ORIGIN) is None
    assert v.personal_sign_reason(shown, message="Sign in nonce 8", dapp_origin=ORIGIN) is not None
    typed = DisplayedSignature(method="eth_signTypedData_v4", origin="127.0.0.1:8080", text="Sign in nonce 7")
    assert v.personal_sign_reason(typed, message="Sign in nonce 7", dapp_origin=ORIGIN) is not None


def mail(from_wallet: str = OWN, amount: int = 424242) -> dict:
    # A minimal domain (no version, no chainId): verification must not depend on those fields.
    return typed_data(
        primary_type="Mail",
        types={
            "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}],
            "Mail": [
                {"name": "from", "type": "Person"},
                {"name": "to", "type": "Person"},
                {"name": "contents", "type": "string"},
                {"name": "amount", "type": "uint256"},
                {"name": "tags", "type": "string[]"},
            ],
        },
        message={
            "from": {"name": "Alice", "wallet": from_wallet},
            "to": {"name": "Bob", "wallet": TO},
            "contents": "Hello   there",
            "amount": amount,
            "tags": ["a", "b"],
        },
        domain_name="Mail",
        version=None,
        chain_id=None,
        verifying_contract=CONTRACT,
    )


def shown_typed(text: str) -> DisplayedSignature:
    return DisplayedSignature(method="eth_signTypedData_v4", origin="127.0.0.1:8080", text=text)


# How MetaMask 13.5 lays the typed data out (reference wallet and MetaMask agree on this shape).
GOOD = (
    "Request from HTTP 127.0.0.1:8080 Interacting with 0xCcCCc...ccccC Message Primary type: Mail "
    "From: Name: Alice Wallet: Account 1 To: Name: Bob Wallet: 0x70997...c79C8 Contents: Hello there "
    "Amount: 424242 Tags: 0: a 1: b"
)


# Seen on real MetaMask 13.5 (e2e, security event "shown"): fields of a struct in another order.
REAL_METAMASK = (
    "Request from HTTP 127.0.0.1:8080 Interacting with 0xCcCCc...ccccC Message Primary type: Mail "
    "To: Name: Bob Wallet: 0x70997...c79C8 From: Name: Alice Wallet: Account 1 Amount: 424242 "
    "Tags: 0: a 1: b Contents: Hello there"
)


def test_typed_data_accepts_fields_in_metamasks_order() -> None:
    reason = v.typed_data_reason(
        shown_typed(REAL_METAMASK), typed_data=mail(), dapp_origin=ORIGIN, own_addresses=[OWN]
    )
    assert reason is None


def test_typed_data_rejects_extra_or_missing_text_inside_the_message() -> None:
    for text in (
        GOOD.replace("Contents: Hello there", "Contents: Hello there indeed"),
        GOOD.replace("Amount: 424242 ", ""),
        GOOD.replace("From: Name: Alice", "From: Name: Alice Extra: 1"),
        REAL_METAMASK + " indeed",  # the last field must end the message too
    ):
        assert v.typed_data_reason(
            shown_typed(text), typed_data=mail(), dapp_origin=ORIGIN, own_addresses=[OWN]
        )


def test_typed_data_accepts_metamask_rendering() -> None:
    assert (
        v.typed_data_reason(shown_typed(GOOD), typed_data=mail(), dapp_origin=ORIGIN, own_addresses=[OWN])
        is None
    )
    with_abbrev_own = GOOD.replace("Account 1", "0xf39Fd...92266")
    assert v.typed_data_reason(shown_typed(with_abbrev_own), typed_data=mail(), dapp_origin=ORIGIN) is None
    grouped = GOOD.replace("Amount: 424242", "Amount: 424,242")
    assert (
        v.typed_data_reason(shown_typed(grouped), typed_data=mail(), dapp_origin=ORIGIN, own_addresses=[OWN])
        is None
    )


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (("Primary type: Mail", "Primary type: Permit"), "primary type"),
        (("Amount: 424242", "Amount: 4242420"), "Amount"),
        (("Name: Bob", "Name: Eve"), "Name"),
        (("Wallet: 0x70997...c79C8", "Wallet: 0x00000...0dEaD"), "Wallet"),
        (("Wallet: Account 1", "Wallet: 0x00000...0dEaD"), "Wallet"),
        (("0xCcCCc...ccccC", "0x00000...0dEaD"), "verifying contract"),
        (("Tags: 0: a 1: b", "Tags: 0: a 1: c"), "1:"),
        # Fields swapped between the two people: each value must sit under its own label, in order.
        (
            ("Name: Alice Wallet: Account 1 To: Name: Bob", "Name: Bob Wallet: Account 1 To: Name: Alice"),
            "",  # rejected; which field is named depends on where the ordered match breaks
        ),
    ],
)
def test_typed_data_rejects_a_changed_screen(change: tuple[str, str], needle: str) -> None:
    text = GOOD.replace(*change)
    assert text != GOOD
    reason = v.typed_data_reason(
        shown_typed(text), typed_data=mail(), dapp_origin=ORIGIN, own_addresses=[OWN]
    )
    assert reason is not None
    assert needle.lower() in reason.lower()


def test_typed_data_own_address_may_only_be_a_name_when_it_is_ours() -> None:
    # The request names a stranger where the screen shows an account name: not acceptable.
    request = mail(from_wallet="0x1111111111111111111111111111111111111111")
    assert v.typed_data_reason(shown_typed(GOOD), typed_data=request, dapp_origin=ORIGIN, own_addresses=[OWN])


def test_network_reason() -> None:
    spec = NetworkSpec(chain_id=31337, rpc_url="http://127.0.0.1:8545", name="Anvil Local")
    good = DisplayedNetwork(
        origin=ORIGIN, name="Anvil Local", chain_id="31337", rpc_url="http://127.0.0.1:8545", raw_text=""
    )
    assert v.network_reason(good, dapp_origin=ORIGIN, network=spec) is None
    for bad in (
        DisplayedNetwork(origin=ORIGIN, name="Anvil Local", chain_id="1", rpc_url=good.rpc_url, raw_text=""),
        DisplayedNetwork(origin=ORIGIN, name="Evil", chain_id="31337", rpc_url=good.rpc_url, raw_text=""),
        DisplayedNetwork(
            origin=ORIGIN, name="Anvil Local", chain_id="31337", rpc_url="http://evil:1", raw_text=""
        ),
        DisplayedNetwork(
            origin="http://evil", name="Anvil Local", chain_id="31337", rpc_url=good.rpc_url, raw_text=""
        ),
    ):
        assert v.network_reason(bad, dapp_origin=ORIGIN, network=spec) is not None


def test_a_chain_permission_is_checked_by_origin_and_network_name() -> None:
    """13.5's "Review permissions" for a network the wallet has: origin and name are all it shows."""
    spec = NetworkSpec(chain_id=31337, rpc_url="http://127.0.0.1:8545", name="Anvil Local")

    def permission(origin: str, name: str) -> DisplayedNetwork:
        return DisplayedNetwork(origin, name, chain_id="", rpc_url="", raw_text="", permission=True)

    assert (
        v.network_reason(permission("127.0.0.1:8080", "Anvil Local"), dapp_origin=ORIGIN, network=spec)
        is None
    )
    for bad in (
        permission("127.0.0.1:8081", "Anvil Local"),  # another site asks
        permission("127.0.0.1:8080", "Anvil Local + Evil"),  # asks for more networks than requested
        permission("127.0.0.1:8080", "Evil"),
        permission("", "Anvil Local"),
    ):
        assert v.network_reason(bad, dapp_origin=ORIGIN, network=spec) is not None, bad
    # The same screen without the permission mark must show the RPC URL as an add-network screen does.
    plain = dataclasses.replace(permission("127.0.0.1:8080", "Anvil Local"), permission=False)
    assert v.network_reason(plain, dapp_origin=ORIGIN, network=spec) is not None


def test_verifier_rejects_an_unexpected_screen() -> None:
    verify = v.verifier(DisplayedTransaction, lambda shown: None)
    assert verify(tx()) is None
    assert "unexpected" in (verify(DisplayedConnect(origin="127.0.0.1")) or "")


def _hex(data: bytes) -> str:
    return "0x" + data.hex() if data else ""


@given(st.binary(max_size=96), st.binary(max_size=96), st.booleans())
def test_a_transaction_screen_passes_only_with_exactly_the_requested_calldata(
    requested: bytes, shown: bytes, upper: bool
) -> None:
    """Over generated calldata: the screen passes exactly when it shows the requested bytes (in either hex
    case; no calldata shows as none), whatever else matches."""
    shown_hex = _hex(shown).upper().replace("0X", "0x") if upper else _hex(shown)
    got = v.transaction_reason(
        tx(data=shown_hex), dapp_origin=ORIGIN, to=TO, value_wei=10**15, data=_hex(requested) or "0x"
    )
    assert (got is None) == (shown == requested), got


GWEI = 10**9


@pytest.mark.parametrize(
    ("shown", "l1", "cap_wei", "reason"),
    [
        ("Max fee 0.0021 ETH", None, 21_000 * 100 * GWEI, None),  # exactly the cap
        ("Max fee 0.0001 ETH", None, 21_000 * 3 * GWEI, None),  # 0.000063 rounds up to what is shown
        ("Max fee 0 ETH", None, 21_000 * GWEI, None),  # below 0.00005: MetaMask shows 0
        ("Max fee < 0.0001", None, 21_000 * GWEI, None),
        ("Max fee 0.0002 ETH", None, 21_000 * 3 * GWEI, "the request allows 0.0001"),
        ("Max fee 2.1 ETH $5,000.00", None, 21_000 * 3 * GWEI, "max fee shown as 2.1 ETH"),
        ("Max fee 0.0023 ETH", "L1 fee 0.0001 ETH", 21_000 * 100 * GWEI, None),  # a rollup's L1 fee beside it
        ("Max fee 0.0025 ETH", "L1 fee 0.0001 ETH", 21_000 * 100 * GWEI, "allows 0.0023"),
        (None, None, 21_000 * GWEI, "does not show the maximum fee"),
        ("Max fee", None, 21_000 * GWEI, "cannot be read"),
        ("Max fee 9 ETH", None, None, None),  # no cap asked: MetaMask chose the fee
    ],
)
def test_the_max_fee_shown_is_within_the_requested_caps(
    shown: str | None, l1: str | None, cap_wei: int | None, reason: str | None
) -> None:
    got = v.max_fee_reason(shown, l1, max_fee_wei=cap_wei)
    if reason is None:
        assert got is None
    else:
        assert reason in (got or ""), got


@given(st.integers(min_value=21_000, max_value=3_000_000), st.integers(min_value=1, max_value=10**13))
def test_a_max_fee_passes_when_metamask_rounds_the_caps_and_not_once_raised_past_rounding(
    gas: int, fee_per_gas: int
) -> None:
    """MetaMask shows gas times max fee per gas rounded to 4 decimals: the caps asked pass, and a screen
    showing one more unit past what the caps round up to does not."""
    cap = gas * fee_per_gas
    rounded = Decimal(cap) / ETH
    shown = f"Max fee {rounded.quantize(Decimal('0.0001')):f} ETH"
    assert v.max_fee_reason(shown, None, max_fee_wei=cap) is None
    ceiling = -(-cap // 10**14)
    raised = f"Max fee {Decimal(ceiling + 1) / 10**4:f} ETH"
    assert v.max_fee_reason(raised, None, max_fee_wei=cap) is not None


def test_a_transaction_above_its_fee_caps_is_refused() -> None:
    raised = dataclasses.replace(tx(), max_fee_text="Max fee 2.1 ETH")
    reason = v.transaction_reason(
        raised, dapp_origin=ORIGIN, to=TO, value_wei=10**15, max_fee_wei=63 * 10**12
    )
    assert "max fee shown as 2.1 ETH" in (reason or "")
    assert v.transaction_reason(raised, dapp_origin=ORIGIN, to=TO, value_wei=10**15) is None  # no caps asked


def test_an_alert_other_than_information_refuses_any_screen() -> None:
    danger = Alert("danger", "Network fee: Alert")
    for screen in (tx(), DisplayedSignature(method="personal_sign", origin="127.0.0.1:8080", text="hi")):
        assert v.alerts_reason(screen) is None
        assert v.alerts_reason(dataclasses.replace(screen, alerts=(Alert("info", "Heads up"),))) is None
        warned = v.alerts_reason(dataclasses.replace(screen, alerts=(Alert("info", "x"), danger)))
        assert warned == "MetaMask warns: danger: Network fee: Alert"
    # A severity the build does not name MetaMask's way counts as a warning.
    assert v.alerts_reason(dataclasses.replace(tx(), alerts=(Alert("", "Review this"),))) is not None
    assert v.alerts_reason(DisplayedConnect(origin="127.0.0.1")) is None


def test_fee_advice_passes_only_for_a_request_that_sets_its_own_fee() -> None:
    high_site_fee = Alert("warning", "Network fee:", about="fee")
    screen = dataclasses.replace(tx(), alerts=(high_site_fee,))
    assert v.alerts_reason(screen) is not None  # MetaMask chose the fee: a site's fee is not the request's
    assert v.alerts_reason(screen, own_fee=True) is None
    # Danger on a fee row (insufficient funds) and a warning elsewhere are never advice.
    for alert in (
        Alert("danger", "Network fee: Alert", about="fee"),
        Alert("warning", "Request from: Alert"),
    ):
        assert v.alerts_reason(dataclasses.replace(tx(), alerts=(alert,)), own_fee=True) is not None


def test_a_permit_deadline_shown_as_a_utc_date_matches_to_the_minute():
    """13.36 shows a permit's deadline as a date in the browser's zone (UTC on the driver's approval page)."""
    from automation import DisplayedSignature
    from wallets import verification

    permit = {
        "primaryType": "Permit",
        "types": {
            "Permit": [
                {"name": "owner", "type": "address"},
                {"name": "value", "type": "uint256"},
                {"name": "deadline", "type": "uint256"},
            ]
        },
        "domain": {},
        "message": {
            "owner": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
            "value": 3000,
            "deadline": 50000000000,
        },
    }

    def shown(deadline: str) -> DisplayedSignature:
        text = f"Message Primary type: Permit Owner: Account 1 Value: 3,000 Deadline: {deadline}"
        return DisplayedSignature(origin="127.0.0.1:8545", text=text, method="eth_signTypedData_v4")

    def reason(deadline: str) -> str | None:
        return verification.typed_data_reason(
            shown(deadline),
            typed_data=permit,
            dapp_origin="http://127.0.0.1:8545",
            own_addresses=["0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"],
        )

    assert reason("09 June 3554, 16:53") is None
    assert reason("50000000000") is None  # 13.5 and the reference wallet show the number
    assert reason("09 June 3554, 17:53") == "field 'Deadline:' does not show the requested value"
    assert reason("10 June 3554, 16:53") is not None
