"""MetaMaskDriver: orchestrates MetaMask's pages in tabs the driver owns (wallet tab, approval window).

chromedriver cannot drive windows the extension opens itself, so approvals are handled in an approval page
of our own (notification.html, or sidepanel.html where the build routes approvals to its side panel), which
MetaMask fills with each pending approval in turn (docs/metamask.md sections 2 and 10). Every read and click
on MetaMask's pages goes through automation/dom.py (an isolated world), which LavaMoat's scuttling cannot
break.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from typing import Any, TypeVar

from selenium.webdriver.remote.webdriver import WebDriver

from automation.browser import Browser
from automation.channel import ChannelPage
from automation.config import BrowserConfig
from automation.dom import IsolatedDom
from automation.errors import MetaMaskUIError, UnsupportedMetaMaskVersion
from automation.metamask import account_select
from automation.metamask.approvals import (
    APPROVAL_KINDS,
    APPROVAL_ROUTES,
    CONFIRMATION,
    CONNECT,
    PERMISSION,
    SIGNATURE,
    TRANSACTION,
    Screen,
    recognise,
)
from automation.metamask.pages import settings as settings_page
from automation.metamask.pages.base import BasePage, normalize_route
from automation.metamask.pages.confirmations import ApprovalPage
from automation.metamask.pages.home import HomePage
from automation.metamask.pages.onboarding import OnboardingPage
from automation.metamask.pages.unlock import UnlockPage
from automation.metamask.request_run import RequestRun
from automation.metamask.screens import UnknownScreenWatch, shown
from automation.metamask.selectors import base as S
from automation.models import RpcParams, Verifier
from automation.polling import wait_until

__all__ = ["CONFIRMATION", "CONNECT", "PERMISSION", "SIGNATURE", "TRANSACTION", "MetaMaskDriver"]

logger = logging.getLogger("automation.metamask")
_LOG = {"component": "browser_controller"}
P = TypeVar("P", bound=BasePage)
_APPROVAL_PAGES = (S.NOTIFICATION_PAGE, S.SIDEPANEL_PAGE)
_FOLLOWED_ROUTES = (*APPROVAL_ROUTES, S.ROUTE_UNLOCK)
_CLOSE_POLL = 0.03  # seconds between looks at an approved screen's route (the browser's: no script runs)
# Seconds a refused screen may stay before the driver looks for the modal that holds a refusal up (13.36).
_THROTTLE_LOOK = 1.0
_RECORD_TEXT_WAIT = 2.0  # seconds a refused screen is given to show its text before it is recorded


class MetaMaskDriver:
    def __init__(self, browser: Browser, config: BrowserConfig) -> None:
        self.browser = browser
        self.config = config
        self.wallet_handle: str | None = None
        self.notification_handle: str | None = None  # our approval tab
        self.approval_page = S.NOTIFICATION_PAGE  # which extension page that tab shows
        self._password: str | None = None  # kept in memory only, to unlock after a restart or a lock
        # Whether the driver clicked an approval for the latest request: after an error or an interruption
        # that request may have been signed or sent (the worker then never reports it as not done).
        self.approved_in_last_request = False
        # Confirmations refused during the latest request because they were not its own: (reason, what the
        # screen showed as text).
        self.refused_others: list[tuple[str, str]] = []
        self._dom: IsolatedDom | None = None

    @property
    def driver(self) -> WebDriver:
        assert self.browser.driver is not None, "browser not started"
        return self.browser.driver

    @property
    def dom(self) -> IsolatedDom:
        if self._dom is None or self._dom.driver is not self.driver:
            self._dom = IsolatedDom(self.driver)
        return self._dom

    @property
    def version(self) -> str | None:
        return self.browser.extension_version

    @property
    def ext_url(self) -> str:
        return f"chrome-extension://{self.browser.extension_id}/"

    def page(self, cls: type[P]) -> P:
        return cls(self.dom, self.config.ui_timeout)

    def focus(self, handle: str | None) -> None:
        assert handle is not None
        if self.driver.current_window_handle != handle:
            self.driver.switch_to.window(handle)

    def goto_extension_page(self, page: str, timeout: float = 15.0) -> None:
        """Navigate to an extension page; retry while Chromium shows its error page (the extension can be
        briefly unavailable right after a start, seen on a restarted profile)."""

        def loaded() -> bool:
            if self.dom.navigate(self.ext_url + page, timeout=timeout):
                return True
            logger.info("extension page not available yet; retrying", extra=_LOG)
            return False

        wait_until(f"extension page {page.split('#')[0]}", loaded, timeout, interval=0.5)

    # ---- wallet setup ------------------------------------------------------------------------------------
    def _wallet_state(self, watch: UnknownScreenWatch) -> str:
        """Onboarding, unlock or home, by what home.html shows; stops on a screen it cannot place."""

        def probe() -> str | None:
            view = shown(self.dom)
            ids = set(view["ids"])
            route = normalize_route(str(view["route"]))
            if route.startswith(S.ROUTE_ONBOARDING_PREFIX) and view["ids"]:
                state = "onboarding"
            elif S.UNLOCK_PASSWORD in ids:
                state = "unlock"
            elif S.ACCOUNT_MENU in ids:
                state = "home"
            else:
                watch.unknown(view)
                return None
            watch.known()
            return state

        return self.page(BasePage).wait_for("onboarding, unlock or home", probe)

    def ensure_wallet(self, mnemonic: str, password: str) -> str:
        self._password = password
        self.wallet_handle = self.driver.current_window_handle
        self.browser.close_extension_tabs()
        self.browser.grant_clipboard()
        self.goto_extension_page(S.HOME_PAGE)
        watch = UnknownScreenWatch(self.version)
        home = self.page(HomePage)
        state = self._wallet_state(watch)
        for _attempt in range(2):  # onboarding again once, after re-opening home (see below)
            if state != "onboarding":
                break
            logger.info("fresh profile: importing the wallet", extra=_LOG)
            self.page(OnboardingPage).import_wallet(mnemonic, password, watch, self._side_panel_open)
            if self.page(OnboardingPage).is_onboarding():
                self._show_home()  # 13.36's "Done" opens the side panel, not this tab
            state = self._wallet_state(watch)
        if state == "unlock":
            self.page(UnlockPage).unlock(password)
        home.wait_ready()
        self.browser.close_extension_tabs()
        home.dismiss_covering()
        marker = self.browser.profile_dir / ".automation-settings-applied"
        if not marker.exists():
            # Once per profile: the switches persist in the profile, and the settings visit costs seconds.
            self.apply_settings()
            marker.write_text("MetaMetrics off; network features off if configured\n")
            self._show_home()
            home.wait_ready()
            home.dismiss_covering(quiet_for=0.8)
        address = home.read_address()
        self._open_approval_tab()
        logger.info("wallet ready (%s, MetaMask %s)", state, self.version, extra=_LOG)
        return address

    def _side_panel_open(self) -> bool:
        return any(target.page == S.SIDEPANEL_PAGE for target in self.browser.extension_targets())

    def _wanted_off(self) -> set[settings_page.Feature]:
        wanted = {settings_page.METAMETRICS}
        if self.config.disable_network_features:
            wanted |= {settings_page.SECURITY_ALERTS, settings_page.SIMULATIONS}
            if self.config.disable_basic_functionality:
                wanted.add(settings_page.BASIC_FUNCTIONALITY)
        return wanted

    def _settings_pages(self, missing: set[settings_page.Feature]) -> Iterator[settings_page.SettingsPage]:
        """Each settings route in turn, once it shows its switches and one of ``missing`` (which the caller
        shrinks as it goes), or some time after its switches without one: a route change keeps the previous
        page's switches on screen for a moment, so only a switch still missing tells the new page is there.
        Coming from a page without switches (home), the switches shown are the new page's own: no waiting
        for a missing one then beyond a moment for the rest of its rows (13.36's #settings/security shows
        none of them, and waiting 3 s there made a third of its settings visit)."""
        settings = self.page(settings_page.SettingsPage)

        def shows_missing() -> bool:
            return any(settings.is_on(f) is not None for f in missing)

        previous_had_switches = settings.rendered()
        for route in settings.ROUTES:
            if not missing:
                return
            self.goto_extension_page(S.HOME_PAGE + self._route(route))
            try:
                settings.wait_for("settings switches", settings.rendered, timeout=8)
            except MetaMaskUIError:
                continue
            patience = 3 if previous_had_switches else 0.3
            with contextlib.suppress(MetaMaskUIError):
                settings.wait_for("a wanted switch", shows_missing, timeout=patience)
                time.sleep(0.3)  # the rest of the page's rows
            previous_had_switches = True
            yield settings

    def apply_settings(self) -> None:
        """Turn off what _wanted_off names, on whichever settings pages this build shows it (13.5: all on
        #settings/security). A build whose settings never show a wanted switch is one this driver does not
        know."""
        missing = self._wanted_off()
        for settings in self._settings_pages(missing):
            missing -= settings.turn_off(tuple(missing))
        if missing:
            names = ", ".join(sorted(label for _testid, label in missing))
            raise UnsupportedMetaMaskVersion(self.version, f"settings without the switch(es) {names}")

    def privacy_settings(self) -> dict[str, bool]:
        """What MetaMask's settings show for each switch the driver manages (label -> on; a switch this
        build does not show is absent), then home again."""
        missing = {
            settings_page.METAMETRICS,
            settings_page.SECURITY_ALERTS,
            settings_page.SIMULATIONS,
            settings_page.BASIC_FUNCTIONALITY,
        }
        seen: dict[str, bool] = {}
        self.focus(self.wallet_handle)
        for settings in self._settings_pages(missing):
            for feature in tuple(missing):
                on = settings.is_on(feature)
                if on is not None:
                    seen[feature[1]] = on
                    missing.discard(feature)
        self._show_home()
        self.page(HomePage).wait_ready()
        return seen

    def _show_home(self) -> None:
        """Home in the wallet tab, which shows home.html already (some other route of it): by its route, in
        the same document. Loading home.html anew took 1-3.5 s of MetaMask's start-up each time."""
        self.goto_extension_page(S.HOME_PAGE + self._route("#"))

    def _route(self, route: str) -> str:
        """A 13.5-form route ("#settings/security") in the form this build uses ("#/settings/..." later)."""
        return "#/" + route[1:] if self.dom.route().startswith("#/") else route

    def _open_approval_tab(self) -> None:
        if self.notification_handle in self.driver.window_handles:
            return
        # A window of its own, not a background tab: with our approval page hidden behind the dApp's tab,
        # 13.36 opened a popup of its own for every request, a second full UI rendering on the extension's
        # one renderer thread (signatures 2x slower than 13.5); shown in its own window it opened none.
        self.driver.switch_to.new_window("window")
        self.notification_handle = self.driver.current_window_handle
        # Times on a confirmation (a permit's deadline, 13.36: "09 June 3554, 16:53") in UTC, whatever the
        # machine's zone: what is shown can then be checked against the request exactly (to the minute).
        self.driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "UTC"})
        self.goto_extension_page(self.approval_page)

    def lock(self) -> bool:
        """Locks MetaMask from its account menu: True, or False when it was locked already."""
        if self._home_state() == "unlock":
            return False
        home = self.page(HomePage)
        home.wait_ready()
        home.dismiss_covering(quiet_for=0.3)
        home.lock()
        return True

    def unlock(self) -> bool:
        """Unlocks MetaMask with the wallet's password: True, or False when it was unlocked already."""
        if self._home_state() != "unlock":
            return False
        self.unlock_here()
        self.page(HomePage).wait_ready()
        if self.notification_handle in self.driver.window_handles:
            # A MetaMask page left on #unlock does not follow an unlock done in another (docs/metamask.md
            # section 5): our approval tab is loaded anew, so the next request's screen shows there.
            self.focus(self.notification_handle)
            if self.page(UnlockPage).is_locked():
                self.goto_extension_page(self.approval_page)
        return True

    def show_wallet_home(self) -> None:
        """The wallet tab on home, unlocked first if MetaMask is locked, its covers closed."""
        self.focus(self.wallet_handle)
        self._show_home()
        home = self.page(HomePage)
        home.leave_address_list()  # a Receive list opened late by a click home took while re-rendering
        if self._wallet_state(UnknownScreenWatch(self.version)) == "unlock":
            self.unlock_here()
        home.wait_ready()
        home.dismiss_covering(quiet_for=0.3)

    def select_account(
        self, address: str, *, hd_index: int | None = None, private_key: str | None = None
    ) -> list[str]:
        """Selects ``address`` in MetaMask, adding or importing it first if MetaMask lacks it
        (automation/metamask/account_select.py); returns what was added or imported."""
        return account_select.select_account(self, address, hd_index=hd_index, private_key=private_key)

    def _home_state(self) -> str:
        """The wallet tab loaded anew on home: onboarding, unlock or home, by what it shows. Loaded anew, not
        moved by its route: a tab left on #unlock stays there after an unlock in the approval tab."""
        self.focus(self.wallet_handle)
        self.goto_extension_page(S.HOME_PAGE)
        return self._wallet_state(UnknownScreenWatch(self.version))

    # ---- approvals ---------------------------------------------------------------------------------------
    def run_request(
        self,
        channel: ChannelPage,
        method: str,
        params: RpcParams,
        *,
        expect: tuple[str, ...],
        verify: Verifier,
        timeout: float | None = None,
        chain_id: int | None = None,
    ) -> Any:
        """Fire a request through ``channel`` and handle every approval it raises until it resolves
        (automation/metamask/request_run.py). ``chain_id``: the chain it is asked on; a signature or
        transaction screen is refused if the origin's network was switched to another meanwhile."""
        # Not MetaMask's own approval popup: closing it rejects every pending request, and the close reaches
        # its background after the next request is fired (13.36 opens that popup beside our tab; a request
        # fired right after closing it came back 4001 without ever showing a screen).
        self.browser.close_extension_tabs(keep_pages=_APPROVAL_PAGES)
        self.approved_in_last_request = False
        self.refused_others = []
        run = RequestRun(self, channel, method, expect=expect, verify=verify, chain_id=chain_id)
        return run.run(params, timeout or self.config.request_timeout)

    def begin_approvals(self, reason: str) -> None:
        """What the latest action did starts here; MetaMask's own popups are closed (as before a request)
        and what is pending is refused with ``reason``."""
        self.browser.close_extension_tabs(keep_pages=_APPROVAL_PAGES)
        self.approved_in_last_request = False
        self.refused_others = []
        self.reject_pending(reason)

    def reject_pending(self, reason: str) -> None:
        """Rejects every confirmation the approval tab shows before a request is sent."""
        if self.notification_handle is None:
            return
        self.focus(self.notification_handle)
        for _ in range(10):  # a page can queue many; each is refused in turn
            screen = recognise(shown(self.dom))
            if screen.kind not in APPROVAL_KINDS or screen.page is None:
                return
            self.refuse_other(screen, "", reason)

    def refuse_other(self, screen: Screen, method: str, reason: str) -> None:
        """Rejects a confirmation that is not the current request's and keeps what it showed."""
        assert screen.page is not None
        page: ApprovalPage = self.page(screen.page)
        # For the record only, so not read field by field (that waits for a layout this screen may not have).
        text = self._record_text()[:1000]
        logger.warning("rejecting a %s confirmation: %s", screen.kind, reason, extra=_LOG)
        self.reject_shown(page)
        self.refused_others.append((reason, f"{screen.kind}: {text}"))

    def _record_text(self) -> str:
        """What the screen says, for a refusal's record. A screen caught as it renders (13.36, right after a
        browser restart) can already be recognised by its elements while its text is not shown yet: wait a
        moment for some, else take the text its DOM holds."""
        try:
            return wait_until("the screen's text", lambda: self.dom.body_text() or None, _RECORD_TEXT_WAIT)
        except MetaMaskUIError:
            return self.dom.body_source_text()

    def follow_approvals_elsewhere(self) -> None:
        """When the build shows approvals on another of its pages (the side panel), show that page in our tab.

        Found from the extension's own targets: an extension page we did not open, on an approval route, whose
        page is not the one our tab shows. Ours then loads that page at that route and keeps it from then on.
        """
        ours = set(self.driver.window_handles)
        for target in self.browser.extension_targets():
            if target.type != "page" or target.target_id in ours:
                continue
            page, route = target.page, normalize_route(target.route)
            if page in _APPROVAL_PAGES and page != self.approval_page and route.startswith(_FOLLOWED_ROUTES):
                logger.info("approvals are shown in %s; following them there", page, extra=_LOG)
                self.approval_page = page
                self.goto_extension_page(page)
                return

    def unlock_here(self) -> None:
        if self._password is None:
            raise MetaMaskUIError("wallet is locked and no password is known")
        self.page(UnlockPage).unlock(self._password)

    def _tab_route(self) -> str:
        """Our approval tab's route as the browser has it, read without asking the tab's renderer: after a
        confirmation that renderer can be busy for most of a second drawing what follows (13.36's home after
        its first network, 0.6 s), and every script in the tab waits for it."""
        for target in self.browser.extension_targets():
            if target.target_id == self.notification_handle:
                return normalize_route(target.route)
        return "#"

    def route_left(self, route: str, timeout: float) -> bool:
        try:
            wait_until("approval to close", lambda: self._tab_route() != route, timeout, interval=_CLOSE_POLL)
        except MetaMaskUIError:
            return False
        return True

    def wait_route_leaves(self, route: str) -> None:
        if not self.route_left(route, 15):
            logger.warning("approval screen still open after clicking", extra=_LOG)

    def reload_approval_tab(self) -> None:
        """Our approval tab loaded anew: a confirmation shown after it starts from a fresh screen. 13.5 keeps
        a spending cap typed on one approve and writes it into the next approve it shows in the same page,
        a moment after that one is drawn (seen 2026-12-04: an approve of 70000 read as such, sent as 0, the
        cap typed on the approve before it); a confirmation already pending shows again after the load."""
        self.focus(self.notification_handle)
        self.goto_extension_page(self.approval_page)

    def reject_shown(self, page: ApprovalPage) -> None:
        route = self.page(BasePage).route()
        page.reject()
        if self.route_left(route, _THROTTLE_LOOK):
            return
        # Still there: after several refusals from one origin, 13.36 asks first (docs/metamask.md section 6).
        if page.refuse_in_throttle_modal():
            logger.info("refused through MetaMask's origin-throttle modal (site not blocked)", extra=_LOG)
        self.wait_route_leaves(route)
