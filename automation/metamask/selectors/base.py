"""MetaMask's UI contract, the part every UI generation shares (13.5 to 13.36): routes, data-testids, texts.

What a generation changed lives beside this file: ``legacy.py`` (13.5's templated confirmations and header)
and ``redesign.py`` (what later builds added or moved). Screens are recognised by what they show
(automation/metamask/screens.py), never by a version number. The reference wallet (tests/reference_wallet)
reproduces these hooks, so keep it accurate: when the driver starts using a new hook, add it here first.
Plain strings are data-testid values (located with ``[data-testid="..."]``); names ending in _CSS are CSS
selectors; ROUTE_* are URL hash fragments in 13.5's form (``#onboarding/...``: later builds write
``#/onboarding/...``, and the driver compares routes after normalising them). For elements the driver READS,
the comment gives the text format the driver expects.
"""

from __future__ import annotations

# ---- pages / routes
# -------------------------------------------------------------------------------------------
HOME_PAGE = "home.html"  # full-page UI; onboarding, unlock, settings and home live in its hash routes
NOTIFICATION_PAGE = "notification.html"  # approval UI; the driver keeps it open in a tab of its own
# Side panel UI (13.12+). A build (or a remote flag) can show dApp approvals here instead; the driver then
# opens this page in its approval tab (docs/metamask.md section 10).
SIDEPANEL_PAGE = "sidepanel.html"
ROUTE_ONBOARDING_PREFIX = "#onboarding"  # any onboarding step (a fresh profile lands on #onboarding/welcome)
ROUTE_CREATE_PASSWORD = "#onboarding/create-password"  # noqa: S105 - a route
ROUTE_UNLOCK = "#unlock"  # locked wallet, both pages
ROUTE_SETTINGS_SECURITY = "#settings/security"  # 13.5: security & privacy settings (section 7 toggles)
ROUTE_SETTINGS_TRANSACTIONS = "#settings/transactions"  # later builds: security alerts, simulations
ROUTE_SETTINGS_PRIVACY = "#settings/privacy"  # later builds: MetaMetrics, basic functionality
# Approval routes seen in notification.html (the driver waits for the hash to start with one of these):
ROUTE_CONNECT = (
    "#connect/"  # eth_requestAccounts: #connect/<id>; chain permission: #connect/<id>/confirm-permissions
)
ROUTE_CONFIRM_TX = "#confirm-transaction/"  # eth_sendTransaction: #confirm-transaction/<id>
ROUTE_SIGNATURE_SUFFIX = (
    "/signature-request"  # personal_sign / typed data: #confirm-transaction/<id>/signature-request
)
# Where a signature or transaction confirmation names its network, first match wins: 13.36's "Network" row,
# then the confirmation header's network line (13.5; 13.36 shows it there only at times).
NETWORK_NAME_IDS = ("confirmation__details-network-name", "header-network-display-name")
# The heading of every signature screen (personal_sign, typed data), whatever the route says: 13.5 showed our
# personal_sign on #confirm-transaction/<id>/decrypt-message-request after a rejected confirmation before it.
SIGNATURE_TITLE = "Signature request"
ROUTE_IDLE = ("", "#")  # an approval page with nothing pending (after normalising "#/")

# ---- onboarding (home.html#onboarding/...) -----------------------------------------------------------------
ONBOARDING_IMPORT_WALLET = "onboarding-import-wallet"  # welcome: "I have an existing wallet"
# Some 13.x builds ask how to import (SRP vs social login) after the button above:
ONBOARDING_IMPORT_WITH_SRP = "onboarding-import-with-srp-button"  # optional step; clicked when present
SRP_TEXTAREA = "srp-input-import__srp-note"  # SRP textarea; filled by dispatching a synthetic `paste` event
SRP_WORD_PREFIX = "import-srp__srp-word-"  # word inputs import-srp__srp-word-0..11 appear after the paste
SRP_CONFIRM = "import-srp-confirm"  # "Continue"; disabled until the phrase is valid
PASSWORD_NEW = "create-password-new-input"  # noqa: S105 - a data-testid
PASSWORD_CONFIRM = "create-password-confirm-input"  # noqa: S105 - a data-testid
PASSWORD_TERMS = "create-password-terms"  # noqa: S105 - a data-testid
PASSWORD_SUBMIT = "create-password-submit"  # noqa: S105 - a data-testid
METAMETRICS_NO_THANKS = "metametrics-no-thanks"  # metametrics opt-out
METAMETRICS_I_AGREE = "metametrics-i-agree"  # shown instead of no-thanks in some builds; used as fallback
METAMETRICS_CHECKBOX = "metametrics-checkbox"  # 13.36: usage-data consent, ticked by default
ONBOARDING_DONE = "onboarding-complete-done"  # completion screen (`wallet-ready`) "Done"
DOWNLOAD_APP_CONTINUE = "download-app-continue"  # "download the mobile app" screen
PIN_EXTENSION_DONE = "pin-extension-done"  # "pin the extension" screen

# ---- unlock (#unlock)
# ---------------------------------------------------------------------------------------
UNLOCK_PASSWORD = "unlock-password"  # noqa: S105 - a data-testid
UNLOCK_SUBMIT = "unlock-submit"  # "Unlock"

# ---- home (home.html#)
# ----------------------------------------------------------------------------------------
ACCOUNT_MENU = "account-options-menu-button"  # top-right kebab; its presence means "home is ready"
GLOBAL_MENU_LOCK = "global-menu-lock"  # "Lock MetaMask" item in that menu
GLOBAL_MENU_NETWORKS = "global-menu-networks"  # "Manage networks"
LOADING_OVERLAY_CSS = "div.loading-overlay"  # "Connecting to Ethereum Mainnet" overlay; blocks native clicks
# Things that cover home after onboarding/start; closed in a loop until none has shown for a moment:
TERMS_SCROLL = "terms-of-use-scroll-button"  # Terms of Use modal: scroll-to-bottom arrow
TERMS_CHECKBOX = "terms-of-use-checkbox"  # its "I agree" checkbox label
TERMS_AGREE = "terms-of-use-agree-button"  # its "Accept", disabled until scrolled + ticked
TOUR_CTA = "tour-cta-button"  # product tour "Got it"/"Next"
POPOVER_CLOSE = "popover-close"  # generic popover X ("We can't connect to Ethereum", what's new)

# ---- settings (home.html#settings/security), docs/metamask.md section 7 ------------------------------------
SECURITY_ALERT_CONTAINER = (
    "securityAlert"  # data-testid of the security-alerts row; its `.toggle-button` toggles
)
SIMULATIONS_CONTAINER = "useTransactionSimulations"  # transaction simulations row; `.toggle-button` inside
METAMETRICS_CONTAINER = "participate-in-meta-metrics-toggle"  # MetaMetrics row; `.toggle-button` inside
BASIC_FUNCTIONALITY_CONTAINER = "advanced-setting-show-testnet-conversion"  # "Basic functionality" row
TOGGLE_CSS = (
    ".toggle-button"  # the switch; state read from its class: `toggle-button--on` / `toggle-button--off`
)
TOGGLE_ON_CLASS = "toggle-button--on"
BASIC_MODAL = "dapp-permission-modal"  # confirmation modal when turning basic functionality off
BASIC_MODAL_CHECKBOX_CSS = (
    "[data-testid='dapp-permission-modal'] input[type='checkbox']"  # "I understand" box
)
BASIC_MODAL_TOGGLE = "basic-configuration-modal-toggle-button"  # its "Turn off" button

# ---- approvals in notification.html
# ----------------------------------------------------------------------------
# Connect (#connect/<id>)
CONNECT_CONFIRM = "confirm-btn"  # "Connect"
CONNECT_CANCEL = "cancel-btn"  # "Cancel"
# READ: the requesting site's HOSTNAME only (no scheme, no port), e.g. "127.0.0.1", as the first visible <h2>
# on the connect page (MetaMask 13.5 shows nothing more specific on this screen).
CONNECT_ORIGIN_CSS = "h2"
# Chain permission for wallet_switchEthereumChain to a network the wallet has but the site may not use yet
# (#connect/<id>/confirm-permissions, heading "Review permissions"; 13.36 shows it on #connect/<id> first).
PERMISSION_NEXT = "page-container-footer-next"  # approve
PERMISSION_CANCEL = "page-container-footer-cancel"  # reject
# READ: "<host:port> is asking for your approval to:" (the first <p> with this text; the origin is before it)
PERMISSION_ASKING_TEXT = " is asking for your approval"
# READ: the networks asked for, each a network avatar followed by a <p> with the network's name ("Anvil Two")
PERMISSION_NETWORK_CSS = ".permission-cell__status .mm-avatar-network + p"

# Signature and transaction confirmations (#confirm-transaction/<id>[/signature-request])
CONFIRM_FOOTER_OK = "confirm-footer-button"  # "Confirm"
CONFIRM_FOOTER_CANCEL = "confirm-footer-cancel-button"  # "Cancel"
# Info rows. READ: each `.confirm-info-row` element is one row; its first NON-EMPTY <p>/<span>/<h6> is the
# label, the
# rest of the row's innerText is the value. Labels the driver reads (exact English text, trailing ':'
# ignored):
CONFIRM_ROW_CSS = ".confirm-info-row"
# "Request from": value = requesting site "host:port" (e.g. "127.0.0.1:8080"), optionally preceded by an
# "HTTP"
# badge word for plain-http sites; the driver takes the LAST whitespace-separated token.
ROW_LABEL_REQUEST_FROM = "Request from"
# "Message" (personal_sign): value = the message as UTF-8 text, line breaks kept (the driver collapses
# whitespace).
ROW_LABEL_MESSAGE = "Message"
# Sign-in screen (a personal_sign of an EIP-4361 message, heading "Sign-in request", 13.5 and 13.36 alike):
# the "Message" row holds the statement and then one row per field, each its own `.confirm-info-row`. A
# screen with both a URL and a Nonce row is a sign-in screen.
ROW_LABEL_SIGNIN_URI = "URL"
ROW_LABEL_SIGNIN_VERSION = "Version"
ROW_LABEL_SIGNIN_CHAIN_ID = "Chain ID"
ROW_LABEL_SIGNIN_NONCE = "Nonce"
ROW_LABEL_SIGNIN_ISSUED = "Issued"
ROW_LABEL_SIGNIN_ACCOUNT = "Account"
# "To" (transactions): fallback for the recipient when RECIPIENT is absent.
ROW_LABEL_TO = "To"
ROW_LABEL_INTERACTING_WITH = "Interacting with"  # the contract a call goes to, where no recipient shows
# An ERC-20 approve's "Spending cap request" (13.5 and 13.36): its details section, the cap as shown (in
# token units, "Unlimited" for an unlimited one), the spender's row.
APPROVE_DETAILS = "confirmation__approve-details"
SPENDING_CAP_VALUE = "simulation-token-value"
APPROVE_SPENDER = "confirmation__approve-spender"
ROW_LABEL_SPENDER = "Spender"
# Its cap edited (13.5 and 13.36, probed 2026-12-04): the pencil beside the cap opens a modal
# (.edit-spending-cap-modal, "Edit spending cap") whose number field holds the cap in token units (prefilled
# with the dApp's); its "Save" button (no testid) closes it, and MetaMask then writes the new amount into
# the transaction's calldata once it re-estimated the gas (0.1-0.3 s later). The cap shown is then rounded
# ("1.235" for 1.2345): only the calldata is exact.
EDIT_SPENDING_CAP = "edit-spending-cap-icon"
SPENDING_CAP_INPUT = "custom-spending-cap-input"
SPENDING_CAP_MODAL_CSS = ".edit-spending-cap-modal"
SPENDING_CAP_SAVE_LABEL = "Save"
# READ (typed data v4): the innerText of this section = "Message Primary type: <T> <Label>: <value> ..." with
# nested structs flattened; addresses of own accounts may be shown as account names ("Account 1").
TYPED_DATA_SECTION = "confirmation_message-section"
# READ (typed data v4, optional): "Interacting with 0xCcCCc...ccccC" (verifying contract, abbreviated).
TYPED_DATA_REQUEST_SECTION = "confirmation_request-section"
# READ (transactions): recipient. The driver first looks for a full 0x+40-hex address anywhere in this
# element's
# textContent or attributes, else takes its visible text; MetaMask 13.5 shows only "0x70997...c79C8"
# (first 5 hex digits after 0x, "...", last 5), checksum case.
RECIPIENT = "recipient-address"
TX_DETAILS_SECTION = "transaction-details-section"  # the origin and network rows of a transaction
DEPLOY_TITLE = "Deploy a contract"  # the heading of a contract creation's confirmation
SPENDING_CAP_TITLE = "Spending cap request"  # the heading of an ERC-20 approve's confirmation
# Full recipient (MetaMask 13.5): clicking the recipient's name element opens the "name details" modal whose
# read-only input holds the FULL checksummed address; the driver reads its value, checks it agrees with the
# abbreviation shown, then closes the modal with its header X. Optional: without the modal the driver uses the
# abbreviation.
RECIPIENT_NAME_CSS = (
    '[data-testid="recipient-address"] [data-testid="confirm-info-row-display-name"],'
    ' [data-testid="recipient-address"] p'
)
# READ: its value = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
NAME_DETAILS_ADDRESS_CSS = ".name-details__address input"
NAME_DETAILS_CLOSE_CSS = "section[role='dialog'] button[aria-label='Close']"
SENDER = "sender-address"  # (not read) "Account 1"
# READ (transactions): native amount sent, e.g. "0.001 ETH" or "<0.000001 ETH": the first visible <h2>. When
# MetaMask rounds it, a tooltip over it holds the full value ("0.001234567890123456"): the title MetaMask's
# tooltip keeps in `data-original-title` on the <h2>'s wrapper.
TX_AMOUNT_CSS = "h2"
# Alerts (docs/metamask.md section 6, *Alerts*). READ: a banner over the confirmation, severity in its
# `mm-banner-alert--severity-<danger|warning|info>` class (offline with security alerts on: "couldn't check
# for security alerts", a warning); and a mark on one row (`inline-alert__<danger|warning|info>`, text
# "Alert"), e.g. on "Network fee" for insufficient funds, where MetaMask also disables Confirm.
CONFIRM_BANNER_ALERT = "confirm-banner-alert"
CONFIRM_INLINE_ALERT = "inline-alert"
# The fee rows, whose marks are MetaMask's advice on the fee (13.36 on a fee the request set itself: "High
# site fee" on "Network fee"; "Slow speed" or "Inaccurate fee" on "Speed").
FEE_ROW_IDS = ("edit-gas-fees-row", "gas-fee-details-speed", "gas-fee-details-max-fee")
# Advanced details of a transaction (docs/metamask.md section 6, *Calldata*). The header's toggle sets a
# preference MetaMask keeps (later transaction screens show them too); while shown, the nonce section is.
ADVANCED_DETAILS_TOGGLE = "header-advanced-details-button"
ADVANCED_NONCE_SECTION = "advanced-details-nonce-section"
ADVANCED_NONCE = "advanced-details-displayed-nonce"  # READ: the nonce MetaMask will use, decimal ("7")
# The "Data" section: absent for a transaction without calldata; a spinner while MetaMask decodes; then the
# calldata in full as hex when it cannot decode it (READ: "0xa9059cbb000..."), else function and parameters.
ADVANCED_DATA_SECTION = "advanced-details-data-section"
ADVANCED_DATA_HEX = "advanced-details-transaction-hex"
ADVANCED_DATA_FUNCTION = "advanced-details-data-function"  # a decoded function's name (not read)
# READ: the fee rows the advanced details add: "Max fee 0.0021 ETH" (gas limit times max fee per gas, in
# the native currency, rounded to 4 decimals); on rollups also an "L1 fee" the max fee includes.
ADVANCED_MAX_FEE = "gas-fee-details-max-fee"
ADVANCED_L1_FEE = "gas-fee-details-l1"

# Several pending approvals: signature and transaction confirmations show where they are in MetaMask's queue
# (absent with only one pending) and buttons to the others.
CONFIRM_NAV_POSITION = "confirm-page-nav-position"  # READ: "1 of 2"
CONFIRM_NAV_NEXT = "confirm-nav__next-confirmation"  # disabled on the last one
CONFIRM_NAV_PREVIOUS = "confirm-nav__previous-confirmation"  # disabled on the first one
CONFIRM_NAV_REJECT_ALL = "confirm-nav__reject-all"  # reject every pending approval (not used)

ADDRESS_RE = r"0x[0-9a-fA-F]{40}"

# ---- importing an account from its private key (the same form on 13.5 and 13.36) ---------------------------
PRIVATE_KEY_INPUT_CSS = "#private-key-box"  # type=password
IMPORT_ACCOUNT_CONFIRM = "import-account-confirm-button"  # "Import"
IMPORT_ACCOUNT_ERROR_CSS = ".mm-help-text"  # READ: why MetaMask refused the key (never holds the key)
ACCOUNT_PICKER = "account-menu-icon"  # the selected account's name in the header: opens the account list
