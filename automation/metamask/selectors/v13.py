"""MetaMask 13.x UI contract: every route, data-testid and XPath the driver uses.

This file is THE contract between the driver and the wallet page. The reference wallet (tests/reference_wallet)
reproduces exactly these hooks, so keep it accurate: when the driver starts using a new hook, add it here first.
Plain strings are data-testid values (located with ``[data-testid="..."]``); names ending in _XPATH are XPaths;
names ending in _CSS are CSS selectors; ROUTE_* are URL hash fragments of home.html / notification.html.
For elements the driver READS, the comment gives the text format the driver expects.
"""

from __future__ import annotations

# ---- pages / routes -------------------------------------------------------------------------------------------
HOME_PAGE = "home.html"  # full-page UI; onboarding, unlock, settings and home live in its hash routes
NOTIFICATION_PAGE = "notification.html"  # approval UI; the driver keeps it open in a tab of its own
ROUTE_ONBOARDING_PREFIX = "#onboarding"  # any onboarding step (a fresh profile lands on #onboarding/welcome)
ROUTE_UNLOCK = "#unlock"  # locked wallet, both pages
ROUTE_SETTINGS_SECURITY = "#settings/security"  # security & privacy settings (section 7 toggles)
# Approval routes seen in notification.html (the driver waits for the hash to start with one of these):
ROUTE_CONNECT = "#connect/"  # eth_requestAccounts: #connect/<id>; chain permission: #connect/<id>/confirm-permissions
ROUTE_CONFIRM_TX = "#confirm-transaction/"  # eth_sendTransaction: #confirm-transaction/<id>
ROUTE_SIGNATURE_SUFFIX = "/signature-request"  # personal_sign / typed data: #confirm-transaction/<id>/signature-request
ROUTE_CONFIRMATION = "#confirmation/"  # wallet_addEthereumChain and other templated confirmations
ROUTE_IDLE = ("", "#", "#/")  # notification.html with nothing pending

# ---- onboarding (home.html#onboarding/...) -----------------------------------------------------------------
ONBOARDING_IMPORT_WALLET = "onboarding-import-wallet"  # welcome: "I have an existing wallet"
# Some 13.x builds ask how to import (SRP vs social login) after the button above:
ONBOARDING_IMPORT_WITH_SRP = "onboarding-import-with-srp-button"  # optional step; clicked when present
SRP_TEXTAREA = "srp-input-import__srp-note"  # SRP textarea; filled by dispatching a synthetic `paste` event
SRP_WORD_PREFIX = "import-srp__srp-word-"  # word inputs import-srp__srp-word-0..11 appear after the paste
SRP_CONFIRM = "import-srp-confirm"  # "Continue"; disabled until the phrase is valid
PASSWORD_NEW = "create-password-new-input"  # new password input
PASSWORD_CONFIRM = "create-password-confirm-input"  # repeat password input
PASSWORD_TERMS = "create-password-terms"  # "I understand..." checkbox
PASSWORD_SUBMIT = "create-password-submit"  # "Create password" / "Import my wallet"
METAMETRICS_NO_THANKS = "metametrics-no-thanks"  # metametrics opt-out
METAMETRICS_I_AGREE = "metametrics-i-agree"  # shown instead of no-thanks in some builds; used as fallback
ONBOARDING_DONE = "onboarding-complete-done"  # completion screen (`wallet-ready`) "Done"
DOWNLOAD_APP_CONTINUE = "download-app-continue"  # "download the mobile app" screen
PIN_EXTENSION_DONE = "pin-extension-done"  # "pin the extension" screen

# ---- unlock (#unlock) ---------------------------------------------------------------------------------------
UNLOCK_PASSWORD = "unlock-password"  # password input
UNLOCK_SUBMIT = "unlock-submit"  # "Unlock"

# ---- home (home.html#) ----------------------------------------------------------------------------------------
ACCOUNT_MENU = "account-options-menu-button"  # top-right kebab; its presence means "home is ready"
GLOBAL_MENU_LOCK = "global-menu-lock"  # "Lock MetaMask" item in that menu
GLOBAL_MENU_NETWORKS = "global-menu-networks"  # "Manage networks"
# READ: full checksummed address of the selected account, e.g. "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
# in the element's text or in a descendant; the driver takes the first 0x + 40 hex match of its textContent.
# (MetaMask renders it shortened on screen, "0xf39Fd...92266"; the driver then falls back to ACCOUNT_ADDRESS_READ.)
HEADER_COPY_ADDRESS = "app-header-copy-button"
LOADING_OVERLAY_CSS = "div.loading-overlay"  # "Connecting to Ethereum Mainnet" overlay; blocks native clicks
# Things that cover home after onboarding/start; closed in a loop until none has shown for a moment:
TERMS_SCROLL = "terms-of-use-scroll-button"  # Terms of Use modal: scroll-to-bottom arrow
TERMS_CHECKBOX = "terms-of-use-checkbox"  # its "I agree" checkbox label
TERMS_AGREE = "terms-of-use-agree-button"  # its "Accept", disabled until scrolled + ticked
TOUR_CTA = "tour-cta-button"  # product tour "Got it"/"Next"
POPOVER_CLOSE = "popover-close"  # generic popover X ("We can't connect to Ethereum", what's new)
MODAL_CLOSE_XPATH = "//header//button[@aria-label='Close']"  # generic modal header X (what's new etc.)
NOT_NOW_XPATH = "//button[normalize-space()='Not now' or normalize-space()='No thanks' or normalize-space()='Got it']"

# ---- settings (home.html#settings/security), metamask-13.5.md section 7 ------------------------------------
SECURITY_ALERT_CONTAINER = "securityAlert"  # data-testid of the security-alerts row; its `.toggle-button` toggles
SIMULATIONS_CONTAINER = "useTransactionSimulations"  # transaction simulations row; `.toggle-button` inside
BASIC_FUNCTIONALITY_CONTAINER = "advanced-setting-show-testnet-conversion"  # "Basic functionality" row
TOGGLE_CSS = ".toggle-button"  # the switch; state read from its class: `toggle-button--on` / `toggle-button--off`
TOGGLE_ON_CLASS = "toggle-button--on"
BASIC_MODAL = "dapp-permission-modal"  # confirmation modal when turning basic functionality off
BASIC_MODAL_CHECKBOX_CSS = "[data-testid='dapp-permission-modal'] label"  # its "I understand" checkbox label
BASIC_MODAL_TOGGLE = "basic-configuration-modal-toggle-button"  # its "Turn off" button

# ---- approvals in notification.html ----------------------------------------------------------------------------
# Connect (#connect/<id>)
CONNECT_CONFIRM = "confirm-btn"  # "Connect"
CONNECT_CANCEL = "cancel-btn"  # "Cancel"
# READ: the requesting site's host[:port] as a heading, e.g. "127.0.0.1:8080" (no scheme). The driver reads the
# first h2 of the connect page; the heading text must be exactly that host.
CONNECT_ORIGIN_CSS = ".connect-page h2, #app-content h2"
# Chain permission for wallet_switchEthereumChain (#connect/<id>/confirm-permissions)
PERMISSION_NEXT = "page-container-footer-next"  # approve
PERMISSION_CANCEL = "page-container-footer-cancel"  # reject

# Signature and transaction confirmations (#confirm-transaction/<id>[/signature-request])
CONFIRM_FOOTER_OK = "confirm-footer-button"  # "Confirm"
CONFIRM_FOOTER_CANCEL = "confirm-footer-cancel-button"  # "Cancel"
CONFIRM_TITLE = "confirm-title-text"  # READ (log only): "Signature request" / "Transaction request"
# READ: requesting site, e.g. "127.0.0.1:8080" (host[:port]; some rows show "http://127.0.0.1:8080")
CONFIRM_ORIGIN = "confirmation__details-origin"
# READ: personal_sign message as plain text (UTF-8 decoded message; hex shown as-is if not decodable)
SIGNATURE_MESSAGE = "confirmation_message-section"
# READ: typed data v4: tree rows `confirmation_data-<Field>...`; the driver reads the textContent of this section:
# primary type row + every "label value" pair of the message, whitespace-collapsed
TYPED_DATA_SECTION = "confirmation_message-section"
TYPED_DATA_PRIMARY_TYPE = "confirmation__message-primary-type"  # READ: e.g. "Mail"
# READ (transactions): recipient. The driver first looks for a full 0x+40-hex address in RECIPIENT (textContent or
# any attribute of it / its descendants), else takes its visible abbreviated text "0x7099...79C8".
RECIPIENT = "recipient-address"
SENDER = "sender-address"  # READ (log only)
# READ (transactions): amount of native currency sent, e.g. "0.001 ETH" or "<0.000001 ETH", in the first h2
# of the confirmation body (MetaMask's "simple send" header).
TX_AMOUNT_XPATH = "//*[@id='app-content']//h2[contains(normalize-space(.), ' ')][1]"
CONFIRM_BANNER_ALERT = "confirm-banner-alert"  # offline "couldn't check for security alerts"; does not block
CONFIRM_SCROLL_CSS = ".confirm-scroll-to-bottom__container"  # scrollable body; scrolled to the bottom before Confirm
ALERT_MODAL_ACK = "alert-modal-acknowledge-checkbox"  # some alerts require ticking this before Confirm
ALERT_MODAL_BUTTON = "alert-modal-button"  # and then this

# Templated confirmations (#confirmation/<id>): wallet_addEthereumChain
CONFIRMATION_SUBMIT = "confirmation-submit-button"  # "Approve"
CONFIRMATION_CANCEL = "confirmation-cancel-button"  # "Cancel"
# READ (add network): the page text contains the network name, the RPC URL (full or host) and the chain id in
# decimal; the driver reads the whole page text and checks each value appears in it.
CONFIRMATION_PAGE_CSS = ".confirmation-page"

# Several pending approvals
CONFIRM_NAV_POSITION = "confirm-page-nav-position"  # READ: "1 of 2"
CONFIRM_NAV_REJECT_ALL = "confirm-nav__reject-all"  # reject every pending approval

ADDRESS_RE = r"0x[0-9a-fA-F]{40}"
