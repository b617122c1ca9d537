"""An ERC-20 approve's amount, from its calldata and as MetaMask's spending-cap screen shows it (pure).

MetaMask shows the cap, and takes an edited one, in token units: the raw amount divided by 10**decimals,
with the decimals it could read from the token (else none). Which decimals it used is told by what it
shows beside the calldata; the token's own (from the chain) stand in where the cap shown is not exact.
"""

from __future__ import annotations

import re

APPROVE_SELECTOR = "0x095ea7b3"
_APPROVE_LEN = 2 + 8 + 64 + 64  # 0x, selector, spender word, amount word
_SHOWN_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?")
MAX_DECIMALS = 36


def approve_amount(data: str | None) -> int | None:
    """The amount of approve(spender, amount) calldata; None for other calldata, or none."""
    data = (data or "").lower()
    if not data.startswith(APPROVE_SELECTOR) or len(data) < _APPROVE_LEN:
        return None
    try:
        return int(data[_APPROVE_LEN - 64 : _APPROVE_LEN], 16)
    except ValueError:
        return None


def shown_decimals(shown: str | None, amount: int) -> int | None:
    """The decimals with which ``amount`` is exactly the cap shown ("7" for 70000 with 4, "70,000" with
    0); None when no decimals give it (a rounded cap, "Unlimited") or any would (a zero amount)."""
    text = (shown or "").strip().replace(",", "")
    if amount <= 0 or not _SHOWN_RE.fullmatch(text):
        return None
    whole, _, frac = text.partition(".")
    digits, scale = int(whole + frac), len(frac)
    # amount / 10**d == digits / 10**scale, in integers (exact for any size).
    return next((d for d in range(MAX_DECIMALS + 1) if amount * 10**scale == digits * 10**d), None)


def units_text(amount: int, decimals: int) -> str:
    """``amount`` base units written in token units, in full: 12345 with 4 decimals -> "1.2345"."""
    if decimals <= 0:
        return str(amount)
    digits = str(amount).rjust(decimals + 1, "0")
    whole, frac = digits[:-decimals], digits[-decimals:].rstrip("0")
    return f"{whole}.{frac}" if frac else whole
