"""What 13.5's UI generation has that later builds changed: the templated add-network confirmation and the
header's copy-address button. Same conventions as base.py."""

from __future__ import annotations

ROUTE_CONFIRMATION = "#confirmation/"  # wallet_addEthereumChain and other templated confirmations
# READ: the selected account's full address, through the clipboard after clicking it ("0xf39Fd...92266" shown)
HEADER_COPY_ADDRESS = "app-header-copy-button"

# Templated confirmations (#confirmation/<id>): wallet_addEthereumChain
CONFIRMATION_SUBMIT = "confirmation-submit-button"  # "Approve"
CONFIRMATION_CANCEL = "confirmation-cancel-button"  # "Cancel"
# READ: requesting origin with scheme, e.g. "http://127.0.0.1:8080"
ORIGIN_PILL_TEXT = "signature-origin-pill-text"
# READ: title "Add <network name>" (the driver strips the leading "Add ")
ADD_NETWORK_TITLE_CSS = "h3"  # the first visible <h3> starting with "Add "
# READ: <dt>label</dt><dd>value</dd> pairs; "Network URL" -> full RPC URL, "Chain ID" -> decimal chain id.
# MetaMask 13.5 shows the chain id only after clicking "See details" (the driver clicks it when present).
DT_NETWORK_URL = "Network URL"
DT_CHAIN_ID = "Chain ID"
SEE_DETAILS = "text:a|See details"  # a dom.py locator
