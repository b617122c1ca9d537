"""What later UI generations added or moved (seen on the official 13.36.0 build). Same conventions as base.py.

Each entry is optional for the driver: it is used when the screen shows it, so builds of either generation
(and builds in between) work.
"""

from __future__ import annotations

# ---- onboarding -------------------------------------------------------------------------------------------
# "Unlock with Biometrics" step after the password (#onboarding/setup-passkey): "Maybe later".
PASSKEY_MAYBE_LATER = "passkey-maybe-later-button"

# ---- home: the address lives in the Receive list (no header copy button) -----------------------------------
RECEIVE_BUTTON = "eth-overview-default"  # "Receive": opens the list of the account's addresses
ADDRESS_ROW = "multichain-address-row"  # one row per network
ADDRESS_ROW_ADDRESS = (
    "multichain-address-row-address"  # READ: "0xf39Fd...92266" (or "TWer2Yg...ZmaL6" for Tron)
)
ADDRESS_ROW_COPY = "multichain-address-row-copy-button"  # copies the row's full address to the clipboard
ADDRESS_LIST_BACK = "multichain-account-address-list-page-back-button"

# ---- modals that cover home after start (closed like the Terms of Use modal) ------------------------------
# 13.36: Transaction Shield (Escape does not close it; its X has aria-label "Close") and Rewards, whose test
# id is "rewards-modal" ("rewards-onboarding-modal" is only its class). Both show when remote flags say so.
COVERING_MODALS = ("shield-entry-modal", "rewards-modal", "whats-new-modal", "multichain-toast")
# Buttons that dismiss such a modal without opting in, tried before its header X.
MODAL_DISMISS_LABELS = ("Not now", "No thanks", "Maybe later", "Skip", "Got it", "Close")

# ---- wallet_addEthereumChain as a redesigned confirmation (#confirm-transaction/<id>) ----------------------
# READ: heading "Add <network name>"; rows "Request from" (host:port), "Network" (name after a one-letter
# avatar) and "RPC" (host:port of the RPC URL). No chain id is shown on this screen.
ADD_NETWORK_TITLE_CSS = "h2"
ROW_LABEL_RPC = "RPC"

# ---- refusing after several refusals from one origin (13.36; not in 13.5) ---------------------------------
# Cancel on a confirmation then first opens a modal, "We've noticed multiple requests", with the origin in an
# `origin-pill` and its text in `confirmation-text`; Escape and outside clicks do not close it. Its "Cancel"
# refuses this one confirmation. Its other button, "Temporarily block this site", would refuse every request
# of the origin for a minute, the driver's own channel included: never clicked.
ORIGIN_THROTTLE_PILL = "origin-pill"
ORIGIN_THROTTLE_TEXT = "confirmation-text"
ORIGIN_THROTTLE_TITLE = "noticed multiple requests"
ORIGIN_THROTTLE_REFUSE_LABEL = "Cancel"

# ---- the account list: a page of its own (#/account-list), opened by account-menu-icon ---------------------
# One cell per account: `multichain-account-cell-entropy:<wallet id>/<index>` for the phrase's accounts (its
# text is "Account 2 $0.00": no address), `multichain-account-cell-keyring:Simple Key Pair/<address>` for an
# imported one (lower-case address in the test id). The selected cell has the class `is-selected`; clicking a
# cell selects it and shows home. Adding an account does not select it; importing one does.
ACCOUNT_CELL_CSS = '.multichain-account-cell[data-testid^="multichain-account-cell-"]'
ACCOUNT_LIST_SEARCH = "multichain-account-list-search"
ADD_ACCOUNT = "add-multichain-account-button"  # "Add account" (adds the phrase's next account)
ADD_WALLET = "account-list-add-wallet-button"  # "Add wallet": #/choose-new-wallet-type
IMPORT_ACCOUNT = "choose-wallet-type-import-account"  # "Import an account / Via a private key"
