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
# wallet_watchAsset (ERC-20), the same legacy page on 13.5 and 13.36: "Add suggested tokens", one list item
# per pending suggestion (symbol, balance), and the page-container footer ("Add token" adds every one listed).
ROUTE_SUGGESTED_ASSET = "#confirm-add-suggested-token"
SUGGESTED_ASSET_SUBMIT = "page-container-footer-next"
SUGGESTED_ASSET_CANCEL = "page-container-footer-cancel"
SUGGESTED_ASSET_ITEM_CSS = ".confirm-add-suggested-token__token-list-item"
SUGGESTED_ASSET_NAME_CSS = ".confirm-add-suggested-token__name"  # the symbol
SUGGESTED_ASSET_BALANCE_CSS = (
    ".confirm-add-suggested-token__balance"  # MetaMask's tracked balance ("0" offline)
)

# ---- the account list: a popover over home (account-menu-icon opens it) ------------------------------------
# READ: one `account-item` per account, its text "Account 2 0ETH 0x70997...c79C8" (name, balance, abbreviated
# address); the selected one carries `account-list-item-selected-indicator`. Clicking an item selects it and
# closes the popover. Adding or importing an account selects the new one.
ACCOUNT_ITEM = "account-item"
ACCOUNT_ACTIONS = "multichain-account-menu-popover-action-button"  # "Add account or hardware wallet"
ADD_ACCOUNT = "multichain-account-menu-popover-add-account"  # "Ethereum account"
ADD_ACCOUNT_SUBMIT = "submit-add-account-with-name"  # "Add account" (the name is prefilled: "Account 2")
IMPORT_ACCOUNT = "multichain-account-menu-popover-add-imported-account"  # "Private Key"
