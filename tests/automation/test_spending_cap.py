"""An ERC-20 approve's amount from its calldata and as MetaMask shows it
(automation/metamask/spending_cap.py): the decimals MetaMask used are told by the cap it shows, and an amount
is written back in them in full."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from automation.metamask.spending_cap import MAX_DECIMALS, approve_amount, shown_decimals, units_text

SPENDER_WORD = "9bc5baf874d2da8d216ae9f137804184ee5afef4".rjust(64, "0")


def test_the_amount_is_read_from_approve_calldata_only() -> None:
    assert approve_amount("0x095ea7b3" + SPENDER_WORD + f"{70000:064x}") == 70000
    assert approve_amount("0x095EA7B3" + SPENDER_WORD + "f" * 64) == 2**256 - 1
    assert approve_amount("0xa9059cbb" + SPENDER_WORD + f"{70000:064x}") is None  # a transfer
    assert approve_amount("0x095ea7b3" + SPENDER_WORD) is None  # too short
    assert approve_amount(None) is None
    assert approve_amount("") is None


def test_the_decimals_are_those_that_make_the_amount_the_cap_shown() -> None:
    assert shown_decimals("7", 70000) == 4  # 13.36 and 13.5 with the token's decimals read
    assert shown_decimals("70,000", 70000) == 0  # 13.5 before it had read them
    assert shown_decimals("1.2345", 12345) == 4
    # MetaMask rounds what it shows after an edit ("1.235" for 1.2345): no decimals make that exact.
    assert shown_decimals("1.235", 12345) is None
    assert shown_decimals("Unlimited", 2**256 - 1) is None
    assert shown_decimals("0", 0) is None  # any decimals would do: none is told
    assert shown_decimals("", 5) is None
    assert shown_decimals("<0.000001", 5) is None


def test_an_amount_is_written_in_token_units_in_full() -> None:
    assert units_text(12345, 4) == "1.2345"
    assert units_text(70000, 4) == "7"
    assert units_text(1, 18) == "0.000000000000000001"
    assert units_text(0, 4) == "0"
    assert units_text(5, 0) == "5"
    # Beyond a float's or Decimal's default precision: still exact.
    assert units_text(2**256 - 1, 18) == (
        "115792089237316195423570985008687907853269984665640564039457.584007913129639935"
    )


@given(st.integers(min_value=1, max_value=2**256 - 1), st.integers(min_value=0, max_value=MAX_DECIMALS))
def test_what_is_written_is_read_back_with_the_same_decimals(amount: int, decimals: int) -> None:
    assert shown_decimals(units_text(amount, decimals), amount) == decimals
