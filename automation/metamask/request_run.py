"""One request through the channel and every approval it raises, until MetaMask answers it.

The rules (docs/metamask.md section 6, *One approval per request*): what was pending before the request is
refused before it is sent; each expected kind is approved at most once; a screen of a kind the request never
raises, or one that does not show what was asked, is refused and the request goes on; a screen that shows what
was asked is approved only when it is the only confirmation MetaMask has pending. With others pending, the
driver looks at each: those that do not show what was asked are refused, and if a second one shows it too,
which is the request's own cannot be told, so every one is refused and the request fails.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from automation.channel import ChannelPage
from automation.dapp import USER_REJECTED, DappPage
from automation.errors import AutomationTimeout, PolicyRejected
from automation.metamask.approvals import SIGNATURE, TRANSACTION, Screen, recognise
from automation.metamask.pages.base import normalize_route
from automation.metamask.pages.confirmations import ApprovalPage
from automation.metamask.screens import HeldStill, UnknownScreenWatch, shown
from automation.models import RpcParams, Verifier

if TYPE_CHECKING:
    from automation.metamask.driver import MetaMaskDriver

logger = logging.getLogger("automation.metamask")
_LOG = {"component": "browser_controller"}
# Seconds between reads of the request's outcome while nothing was approved: soon after firing first (a
# request MetaMask answers without a screen, a known network's switch, answers within a tenth of a second),
# then twice a second (each read is two window switches and a script). A flat 0.5 s made such a switch take
# 0.1 or 0.6 s by where its answer fell.
_OUTCOME_POLLS = (0.05, 0.1, 0.15, 0.25)
_DAPP_POLL_BEFORE_APPROVAL = 0.5
_SCREEN_POLL = 0.1  # seconds between reads of the approval tab while it shows nothing to act on
# Seconds to wait, after refusing a screen of the request's own kind for what it showed, for the request to
# come back rejected or its own screen to follow, before the refused one is taken for its own.
_MISMATCH_GRACE = 5.0
_NAVIGATE_WAIT = 2.0  # seconds for another pending confirmation to show after its button was clicked


class RequestRun:
    def __init__(
        self,
        mm: MetaMaskDriver,
        channel: ChannelPage,
        method: str,
        *,
        expect: tuple[str, ...],
        verify: Verifier,
        chain_id: int | None,
    ) -> None:
        self.mm = mm
        self.channel = channel
        self.method = method
        self.expect = expect
        self.verify = verify
        self.chain_id = chain_id
        self.handled = 0
        self.approved: set[str] = set()  # kinds approved for this request
        # The last screen of an expected kind refused for what it showed, and when: (error, refused at).
        self.mismatch: tuple[PolicyRejected, float] | None = None
        # Routes of confirmations that showed what was asked while others were pending beside them.
        self.matched: set[str] = set()
        self.ambiguous: PolicyRejected | None = None  # set once two pending confirmations showed it
        self.seen_events = 0
        # A screen of a kind the request never raises is refused once it held still (screens.HeldStill).
        self._held_still = HeldStill()

    def run(self, params: RpcParams, timeout: float) -> Any:
        mm = self.mm
        # One approval per request: a confirmation already pending is not this request's, whatever it shows.
        mm.reject_pending(f"left pending before {self.method} was sent")
        self.seen_events = len(self.channel.chain_events()) if self.chain_id is not None else 0
        request_id = self.channel.fire(self.method, params)
        deadline = time.monotonic() + timeout
        watch = UnknownScreenWatch(mm.version)
        next_poll = next_follow = 0.0
        polls = 0
        while True:
            # Reading the request's outcome means two window switches and a script: done on every turn once an
            # approval was clicked (the result is due), else by _OUTCOME_POLLS, then twice a second.
            if self.handled or time.monotonic() >= next_poll:
                wait = _OUTCOME_POLLS[polls] if polls < len(_OUTCOME_POLLS) else _DAPP_POLL_BEFORE_APPROVAL
                polls += 1
                next_poll = time.monotonic() + wait
                outcome = self.channel.poll(request_id)
                if outcome is not None:
                    return self._outcome(outcome)
            if time.monotonic() > deadline:
                raise AutomationTimeout(f"{self.method}: no result within the request timeout")
            mm.focus(mm.notification_handle)
            view = shown(mm.dom)
            screen = recognise(view)
            if screen.kind == "unlock":
                watch.known()
                mm.unlock_here()
            elif screen.kind == "idle":
                watch.known()
                if self.mismatch is not None and time.monotonic() - self.mismatch[1] > _MISMATCH_GRACE:
                    # Refused, and nothing else came: it was this request's own screen, though MetaMask did
                    # not answer the request (it stays pending; the next request refuses it first).
                    raise self._refused_own()
                if time.monotonic() >= next_follow:  # two round trips more: not on every turn
                    next_follow = time.monotonic() + _DAPP_POLL_BEFORE_APPROVAL
                    mm.follow_approvals_elsewhere()
                time.sleep(_SCREEN_POLL)
            elif screen.kind == "loading":
                time.sleep(_SCREEN_POLL)
            elif screen.kind == "unknown" or screen.page is None:
                watch.unknown(view)
                time.sleep(_SCREEN_POLL)
            else:
                watch.known()
                self._approval_screen(screen, normalize_route(str(view["route"])))

    def _outcome(self, outcome: dict[str, Any]) -> Any:
        logger.info(
            "%s resolved (%s) after %d approval(s)",
            self.method,
            outcome["state"],
            self.handled,
            extra=_LOG,
        )
        if outcome.get("code") == USER_REJECTED:
            error: PolicyRejected | None = None
            if self.ambiguous is not None:
                error = self.ambiguous
            elif self.mismatch is not None or (not self.handled and self.mm.refused_others):
                # Something refused since the last approval, and the request came back rejected: what was
                # refused was its own confirmation. The guard's refusal, not a user's.
                error = self._refused_own()
            if error is not None:
                error.dapp_error_code = USER_REJECTED
                raise error
        return DappPage.unwrap(self.method, outcome)

    def _approval_screen(self, screen: Screen, route: str) -> None:
        mm, method = self.mm, self.method
        if self.ambiguous is not None:
            mm.refuse_other(screen, method, self.ambiguous.reason)
        elif screen.kind in self.approved:
            # Each expected kind is approved once per request: a second one was queued by someone else
            # (a page repeating the request); it is refused and this request goes on.
            mm.refuse_other(screen, method, f"a second {screen.kind} approval during {method}")
        elif screen.kind not in self.expect:
            # A kind this request never raises is not its own (a page's request that showed up late,
            # after the check before sending): refused once it holds still, and this request goes on.
            if self._held_still(screen.kind, route):
                mm.refuse_other(screen, method, f"a {screen.kind} approval during {method}, not its own")
            else:
                time.sleep(_SCREEN_POLL)
        else:
            self._expected_screen(screen, route)

    def _expected_screen(self, screen: Screen, route: str) -> None:
        mm = self.mm
        assert screen.page is not None
        page: ApprovalPage = mm.page(screen.page)
        try:
            if self.chain_id is not None and screen.kind in (SIGNATURE, TRANSACTION):
                # Made for the network selected when it was asked, which may not be the session's.
                events = self.channel.chain_events()[self.seen_events :]
                mm.focus(mm.notification_handle)
                if any(c != self.chain_id for c in events):
                    mm.reject_shown(page)
                    raise PolicyRejected(f"the dApp's network changed while {self.method} was pending")
            alone = self._decide(screen.kind, page)
        except PolicyRejected as exc:
            # Not what was asked: refused. The channel carries exactly what we sent, so a screen unlike it
            # is someone else's (a page's request of the same kind) or ours shown as other than asked;
            # which one, MetaMask's answer to the request tells.
            mm.refused_others.append((exc.reason, f"{screen.kind}: {exc.shown or 'not read'}"))
            self.mismatch = (exc, time.monotonic())
            return
        if not alone:
            self._not_alone(screen, page, route)
            return
        self.approved.add(screen.kind)
        self.handled += 1
        self.mismatch = None  # what was refused before was someone else's: it stays in refused_others
        mm.wait_route_leaves(route)

    def _decide(self, kind: str, page: ApprovalPage) -> bool:
        """Approves the screen if it shows what was asked and is the only one pending: True. False when it
        shows what was asked but others are pending (nothing clicked); raises PolicyRejected (refused)."""
        shown_now = page.read(self.method)
        reason = None if shown_now is None else self.verify(shown_now)
        if reason is not None:
            logger.warning("rejecting %s for %s: %s", kind, self.method, reason, extra=_LOG)
            self.mm.reject_shown(page)
            raise PolicyRejected(reason, shown=shown_now)
        if page.queue_size() > 1:
            return False
        logger.info("approving %s for %s", kind, self.method, extra=_LOG)
        # Set before the click: if anything interrupts from here on, the request may have been approved.
        self.mm.approved_in_last_request = True
        page.approve()
        return True

    def _not_alone(self, screen: Screen, page: ApprovalPage, route: str) -> None:
        """The screen shows what was asked, but MetaMask has others pending: look at another (each that does
        not show it is refused as it comes), unless one already showed it too."""
        self.matched.add(route)
        if len(self.matched) > 1:
            reason = (
                f"{len(self.matched)} pending confirmations show what {self.method} asked: which one is its "
                "own cannot be told, so every one is refused"
            )
            logger.warning("%s", reason, extra=_LOG)
            self.ambiguous = PolicyRejected(reason)
            self.mm.refuse_other(screen, self.method, reason)
            return
        logger.info(
            "%s: others are pending beside its screen; looking at them first", self.method, extra=_LOG
        )
        if not page.show_another():
            time.sleep(_SCREEN_POLL)
            return
        self.mm.route_left(route, _NAVIGATE_WAIT)

    def _refused_own(self) -> PolicyRejected:
        """The error for a request whose own confirmation the guard refused: the refusal's own, if it was a
        screen of the expected kind refused for what it showed, else one naming what was refused."""
        refused = self.mm.refused_others
        if self.mismatch is None:
            reason = f"{self.method}: its own confirmation never showed; refused instead: "
            return PolicyRejected(reason + refused[-1][0])
        exc = self.mismatch[0]
        # Reported through the request's own error from here on, not as a refusal of someone else's.
        for i in range(len(refused) - 1, -1, -1):
            if refused[i][0] == exc.reason:
                del refused[i]
                break
        return exc
