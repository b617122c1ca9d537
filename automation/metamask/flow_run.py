"""MetaMask's confirmations during a dApp flow, each matched against what the caller expects it to raise.

A flow's requests come from the dApp's own page, so nothing about them is known but what MetaMask shows. The
rules (docs/metamask.md section 6, *dApp flows*):
- every screen is read by its page object and judged by the caller's expectations: an expectation is used by
  at most one screen of each kind it names, and a screen is approved only when one unused expectation of its
  kind accepts what it shows and it is the only confirmation MetaMask has pending;
- a screen no unused expectation accepts is refused and recorded (a security event, as any refusal of a
  screen that is not what was asked); so is one of a kind no expectation names, once it has held still;
- with more than one confirmation pending, which one the flow's step raised cannot be told: the shown one
  is refused, and the others after it, each in turn;
- an expectation that asks for a refusal (``approve=False``) is answered with Reject, and recorded as asked;
- an expectation with a spending cap has an ERC-20 approve's cap edited to it first, and is judged on the
  screen as edited (the cap it then shows and the calldata MetaMask will send).
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from automation.metamask.approvals import SIGNATURE, Screen, recognise
from automation.metamask.pages.base import normalize_route
from automation.metamask.pages.confirmations import ApprovalPage, SignaturePage, TransactionPage
from automation.metamask.screens import HeldStill, UnknownScreenWatch, shown
from automation.models import Displayed, DisplayedTransaction, SpendingCap, Verifier

if TYPE_CHECKING:
    from automation.metamask.driver import MetaMaskDriver

logger = logging.getLogger("automation.metamask")
_LOG = {"component": "browser_controller"}
_FOLLOW_EVERY = 0.5  # seconds between looks for approvals shown on another of the build's pages


@dataclass(frozen=True)
class Expectation:
    """One confirmation the caller expects the flow to raise."""

    kinds: tuple[str, ...]  # the approval kinds it may be shown as (a network: add, then switch)
    method: str  # the request it is: what its screen is read as
    verify: Verifier  # None accepts what the screen shows; a reason refuses it
    approve: bool = True  # False: the caller asks for it to be refused (a rejection flow)
    # An ERC-20 approve's exact cap: MetaMask's spending-cap screen is edited to it before it is judged.
    spending_cap: SpendingCap | None = None


@dataclass(frozen=True)
class Confirmation:
    """A screen the flow met and how it was answered."""

    kind: str
    decision: str  # "approved" or "rejected"
    expectation: int | None  # the index of the expectation it met; None for one none accepted
    reason: str = ""  # why it was refused
    shown: Displayed | None = None  # what it showed, as read (None: not read field by field)
    shown_text: str = ""  # its text, for one not read field by field
    changed: str = ""  # what the flow changed on the screen before judging it ("spending cap 7 -> 1.2345")


@dataclass
class _Judged:
    """A screen as the expectations judged it: the one that accepted it (None: none did), what it showed
    when judged, what was changed on it first, and why the others refused it."""

    match: int | None = None
    shown: Displayed | None = None
    changed: str = ""
    reasons: list[str] = field(default_factory=list)


@dataclass
class FlowWatch:
    mm: MetaMaskDriver
    expectations: list[Expectation]
    confirmations: list[Confirmation] = field(default_factory=list)
    used: list[set[str]] = field(default_factory=list)
    # A screen of a kind no expectation names is refused once it held still (screens.HeldStill).
    _held_still: HeldStill = field(default_factory=HeldStill)
    _next_follow: float = 0.0
    _watch: UnknownScreenWatch | None = None

    def __post_init__(self) -> None:
        self.used = [set() for _ in self.expectations]
        self._watch = UnknownScreenWatch(self.mm.version)

    def met(self) -> list[bool]:
        """For each expectation, whether a screen used it."""
        return [bool(used) for used in self.used]

    def approved(self) -> list[Confirmation]:
        return [c for c in self.confirmations if c.decision == "approved"]

    def tick(self) -> None:
        """One look at the approval tab, acting on what it shows."""
        mm = self.mm
        assert self._watch is not None
        mm.focus(mm.notification_handle)
        view = shown(mm.dom)
        screen = recognise(view)
        if screen.kind == "unlock":
            self._watch.known()
            mm.unlock_here()
        elif screen.kind == "idle":
            self._watch.known()
            if time.monotonic() >= self._next_follow:
                self._next_follow = time.monotonic() + _FOLLOW_EVERY
                mm.follow_approvals_elsewhere()
        elif screen.kind == "loading":
            return
        elif screen.kind == "unknown" or screen.page is None:
            self._watch.unknown(view)
        else:
            self._watch.known()
            self._screen(screen, normalize_route(str(view["route"])))

    def idle(self) -> bool:
        """Whether the approval tab shows no confirmation (after one look, which acts on any it shows)."""
        self.tick()
        return recognise(shown(self.mm.dom)).kind in ("idle", "unlock")

    def _screen(self, screen: Screen, route: str) -> None:
        mm = self.mm
        candidates = [
            i
            for i, e in enumerate(self.expectations)
            if screen.kind in e.kinds and screen.kind not in self.used[i]
        ]
        if not candidates:
            if self._held_still(screen.kind, route):
                self._refuse_unread(screen, f"a {screen.kind} confirmation the flow does not expect")
            return
        assert screen.page is not None
        page: ApprovalPage = mm.page(screen.page)
        judged = self._judge(screen, page, candidates)
        # Whichever way an edited screen ends, nothing typed on it may carry over to the next one.
        try:
            self._answer(screen, page, route, judged)
        except Exception:
            if judged.changed:
                with contextlib.suppress(Exception):  # the error that ended the answer is the one raised
                    mm.reload_approval_tab()
            raise
        if judged.changed:
            mm.reload_approval_tab()

    def _judge(self, screen: Screen, page: ApprovalPage, candidates: list[int]) -> _Judged:
        """The screen read, edited where an expectation asks, and judged by each candidate in turn."""
        method = page.shown_method() if screen.kind == SIGNATURE and isinstance(page, SignaturePage) else ""
        judged = _Judged()
        for i in candidates:
            expectation = self.expectations[i]
            if method and method != expectation.method:
                judged.reasons.append(f"MetaMask shows a {method} request, expected {expectation.method}")
                continue
            judged.shown = page.read(expectation.method)
            if edit := self._edit(page, judged.shown, expectation):
                judged.changed = edit  # the screen as edited is what every later candidate is judged on
                judged.shown = page.read(expectation.method)
            shown_now = judged.shown
            reason = "MetaMask shows nothing to check" if shown_now is None else expectation.verify(shown_now)
            if reason is None:
                judged.match = i
                break
            judged.reasons.append(reason)
        return judged

    def _answer(self, screen: Screen, page: ApprovalPage, route: str, judged: _Judged) -> None:
        mm, match, shown_now, changed = self.mm, judged.match, judged.shown, judged.changed
        if match is None:
            reason = "; ".join(dict.fromkeys(judged.reasons))
            logger.warning("rejecting a %s confirmation in a flow: %s", screen.kind, reason, extra=_LOG)
            mm.reject_shown(page)
            mm.refused_others.append((reason, f"{screen.kind}: {shown_now or 'not read'}"))
            self.confirmations.append(
                Confirmation(screen.kind, "rejected", None, reason, shown_now, changed=changed)
            )
            return
        pending = page.queue_size()
        if pending > 1:
            reason = f"{pending} confirmations pending at once: which one the flow raised cannot be told"
            self._refuse_unread(screen, reason)
            return
        self.used[match].add(screen.kind)
        if self.expectations[match].approve:
            logger.info("approving %s in a flow (expectation %d)", screen.kind, match, extra=_LOG)
            mm.approved_in_last_request = True  # before the click: from here on it may have been approved
            page.approve()
            self.confirmations.append(
                Confirmation(screen.kind, "approved", match, shown=shown_now, changed=changed)
            )
        else:
            mm.reject_shown(page)
            reason = "the flow asks for it to be rejected"
            self.confirmations.append(Confirmation(screen.kind, "rejected", match, reason, shown_now))
        mm.wait_route_leaves(route)

    @staticmethod
    def _edit(page: ApprovalPage, shown_now: Displayed | None, expectation: Expectation) -> str:
        """Set the spending cap an expectation to approve names; what changed ("" for nothing)."""
        cap = expectation.spending_cap
        if cap is None or not expectation.approve or not isinstance(page, TransactionPage):
            return ""
        if not isinstance(shown_now, DisplayedTransaction):
            return ""
        return page.set_spending_cap(shown_now, cap)

    def _refuse_unread(self, screen: Screen, reason: str) -> None:
        self.mm.refuse_other(screen, "flow", reason)
        text = self.mm.refused_others[-1][1]
        self.confirmations.append(Confirmation(screen.kind, "rejected", None, reason, shown_text=text))
