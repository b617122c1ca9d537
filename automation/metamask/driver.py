"""MetaMaskDriver: orchestrates MetaMask's pages in tabs the driver owns (wallet tab, notification tab).

chromedriver cannot drive windows the extension opens itself, so approvals are handled in our own
notification.html tab, which MetaMask fills with each pending approval in turn (metamask-13.5.md section 2).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from selenium.webdriver.remote.webdriver import WebDriver

from automation.browser import Browser
from automation.config import BrowserConfig
from automation.dapp import DappPage
from automation.errors import AutomationTimeout, MetaMaskUIError, PolicyRejected
from automation.metamask.pages.base import BasePage
from automation.metamask.pages.confirmations import (
    AddNetworkPage,
    ConnectPage,
    PermissionPage,
    SignaturePage,
    TransactionPage,
)
from automation.metamask.pages.home import HomePage
from automation.metamask.pages.onboarding import OnboardingPage
from automation.metamask.pages.settings import SecuritySettingsPage
from automation.metamask.pages.unlock import UnlockPage
from automation.metamask.selectors import v13 as S
from automation.models import Displayed, Verifier

logger = logging.getLogger("automation.metamask")
_LOG = {"component": "browser_controller"}

# Approval kinds, recognised from notification.html's route.
CONNECT, PERMISSION, SIGNATURE, TRANSACTION, CONFIRMATION = (
    "connect",
    "permission",
    "signature",
    "transaction",
    "confirmation",
)


def approval_kind(route: str) -> str | None:
    if route.startswith(S.ROUTE_CONNECT):
        return PERMISSION if "confirm-permissions" in route else CONNECT
    if route.startswith(S.ROUTE_CONFIRM_TX):
        return SIGNATURE if route.endswith(S.ROUTE_SIGNATURE_SUFFIX) else TRANSACTION
    if route.startswith(S.ROUTE_CONFIRMATION):
        return CONFIRMATION
    return None


class MetaMaskDriver:
    def __init__(self, browser: Browser, config: BrowserConfig) -> None:
        self.browser = browser
        self.config = config
        self.wallet_handle: str | None = None
        self.notification_handle: str | None = None
        self._password: str | None = None  # kept in memory only, to unlock after a restart or a lock

    @property
    def driver(self) -> WebDriver:
        assert self.browser.driver is not None, "browser not started"
        return self.browser.driver

    @property
    def ext_url(self) -> str:
        return f"chrome-extension://{self.browser.extension_id}/"

    def page(self, cls: type[Any]) -> Any:
        return cls(self.driver, self.config.ui_timeout)

    def focus(self, handle: str | None) -> None:
        assert handle is not None
        if self.driver.current_window_handle != handle:
            self.driver.switch_to.window(handle)

    def goto_extension_page(self, page: str, timeout: float = 15.0) -> None:
        """Navigate to an extension page; retry while Chromium shows its error page (the extension can be
        briefly unavailable right after a start, seen on a restarted profile)."""
        deadline = time.monotonic() + timeout
        while True:
            self.driver.get(self.ext_url + page)
            if not str(self.driver.current_url).startswith("chrome-error://"):
                return
            if time.monotonic() > deadline:
                raise MetaMaskUIError(f"extension page {page.split('#')[0]} did not load")
            logger.info("extension page not available yet; retrying", extra=_LOG)
            time.sleep(0.5)

    # ---- wallet setup
    # ------------------------------------------------------------------------------------------
    def ensure_wallet(self, mnemonic: str, password: str) -> str:
        self._password = password
        self.wallet_handle = self.driver.current_window_handle
        self.browser.close_extension_tabs()
        self.goto_extension_page(S.HOME_PAGE)
        base: BasePage = self.page(BasePage)
        onboarding: OnboardingPage = self.page(OnboardingPage)
        unlock: UnlockPage = self.page(UnlockPage)
        home: HomePage = self.page(HomePage)
        state = base.wait_for(
            "onboarding, unlock or home",
            lambda: (
                "onboarding"
                if onboarding.is_onboarding() and base.visible_testid(S.ONBOARDING_IMPORT_WALLET)
                else "unlock"
                if base.visible_testid(S.UNLOCK_PASSWORD)
                else "home"
                if home.is_ready()
                else None
            ),
        )
        if state == "onboarding":
            logger.info("fresh profile: importing the wallet", extra=_LOG)
            onboarding.import_wallet(mnemonic, password)
        elif state == "unlock":
            unlock.unlock(password)
        home.wait_ready()
        self.browser.close_extension_tabs()
        home.dismiss_covering()
        marker = self.browser.profile_dir / ".automation-network-features-off"
        if self.config.disable_network_features and not marker.exists():
            # Once per profile: the toggles persist in the profile, and the settings visit costs seconds.
            self.goto_extension_page(S.HOME_PAGE + S.ROUTE_SETTINGS_SECURITY)
            self.page(SecuritySettingsPage).wait_loaded()
            self.page(SecuritySettingsPage).disable_network_features(
                basic_functionality=self.config.disable_basic_functionality
            )
            marker.write_text("security alerts and transaction simulations turned off\n")
            self.goto_extension_page(S.HOME_PAGE)
            home.wait_ready()
            home.dismiss_covering(quiet_for=0.8)
        address = home.read_address()
        self._open_notification_tab()
        logger.info("wallet ready (%s)", state, extra=_LOG)
        return address

    def _open_notification_tab(self) -> None:
        if self.notification_handle in self.driver.window_handles:
            return
        self.driver.switch_to.new_window("tab")
        self.notification_handle = self.driver.current_window_handle
        self.goto_extension_page(S.NOTIFICATION_PAGE)

    def lock(self) -> None:
        self.focus(self.wallet_handle)
        self.goto_extension_page(S.HOME_PAGE)
        home: HomePage = self.page(HomePage)
        home.wait_ready()
        home.lock()

    # ---- approvals
    # ----------------------------------------------------------------------------------------------
    def run_request(
        self,
        dapp: DappPage,
        method: str,
        params: list[Any],
        *,
        expect: tuple[str, ...],
        verify: Verifier,
        timeout: float | None = None,
    ) -> Any:
        """Fire a request on the dApp and handle every approval it raises until it resolves."""
        self.browser.close_extension_tabs()
        request_id = dapp.fire(method, params)
        deadline = time.monotonic() + (timeout or self.config.request_timeout)
        handled = 0
        while True:
            outcome = dapp.poll(request_id)
            if outcome is not None:
                logger.info(
                    "%s resolved (%s) after %d approval(s)", method, outcome["state"], handled, extra=_LOG
                )
                return DappPage.unwrap(method, outcome)
            if time.monotonic() > deadline:
                raise AutomationTimeout(f"{method}: no result within the request timeout")
            self.focus(self.notification_handle)
            route = self.page(BasePage).route()
            kind = approval_kind(route)
            if route.startswith(S.ROUTE_UNLOCK):
                self._unlock_here()
            elif kind is not None:
                try:
                    self._handle_approval(kind, method, expect, verify)
                except PolicyRejected as exc:
                    exc.dapp_error_code = self._rejected_code(dapp, request_id)
                    raise
                handled += 1
                self._wait_route_leaves(route)
            else:
                time.sleep(0.15)

    @staticmethod
    def _rejected_code(dapp: DappPage, request_id: str) -> int | None:
        """What the dApp finally received after we clicked Reject (4001 expected)."""
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            outcome = dapp.poll(request_id)
            if outcome is not None:
                return outcome.get("code") if outcome["state"] == "error" else None
            time.sleep(0.1)
        return None

    def _unlock_here(self) -> None:
        if self._password is None:
            raise MetaMaskUIError("wallet is locked and no password is known")
        self.page(UnlockPage).unlock(self._password)

    def _wait_route_leaves(self, route: str) -> None:
        base: BasePage = self.page(BasePage)
        try:
            base.wait_route(lambda r: r != route, "approval to close", timeout=15)
        except MetaMaskUIError:
            logger.warning("approval screen still open after clicking", extra=_LOG)

    def _handle_approval(self, kind: str, method: str, expect: tuple[str, ...], verify: Verifier) -> None:
        if kind == CONNECT:
            connect: ConnectPage = self.page(ConnectPage)
            self._decide(kind, method, connect.read(), verify, expect, connect.approve, connect.reject)
        elif kind == PERMISSION:
            # Chain permission for the requesting site: part of ensure_network only.
            perm: PermissionPage = self.page(PermissionPage)
            if kind in expect:
                perm.approve()
            else:
                perm.reject()
                raise PolicyRejected(f"unexpected {kind} approval during {method}")
        elif kind == SIGNATURE:
            sig: SignaturePage = self.page(SignaturePage)
            shown_sig = sig.read(method if method in ("personal_sign", "eth_signTypedData_v4") else "unknown")
            self._decide(kind, method, shown_sig, verify, expect, sig.approve, sig.reject)
        elif kind == TRANSACTION:
            tx: TransactionPage = self.page(TransactionPage)
            self._decide(kind, method, tx.read_transaction(), verify, expect, tx.approve, tx.reject)
        else:
            net: AddNetworkPage = self.page(AddNetworkPage)
            self._decide(kind, method, net.read(), verify, expect, net.approve, net.reject)

    def _decide(
        self,
        kind: str,
        method: str,
        shown: Displayed,
        verify: Verifier,
        expect: tuple[str, ...],
        approve: Callable[[], None],
        reject: Callable[[], None],
    ) -> None:
        reason = None if kind in expect else f"unexpected {kind} approval during {method}"
        if reason is None:
            reason = verify(shown)
        if reason is not None:
            logger.warning("rejecting %s for %s: %s", kind, method, reason, extra=_LOG)
            route = self.page(BasePage).route()
            reject()
            self._wait_route_leaves(route)
            raise PolicyRejected(reason)
        logger.info("approving %s for %s", kind, method, extra=_LOG)
        approve()
